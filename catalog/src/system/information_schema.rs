//! `information_schema`: the SQL standard's views of schemas, tables, columns and
//! constraints, made from the same snapshot as `pg_catalog`.

use crate::descriptor::{ColumnDesc, Identity, ReferentialAction, SequenceDesc};
use crate::error::Result;
use crate::oid;
use shale_pgtypes::types::SqlType;

use super::Column::*;
use super::column as v;
use super::relations::default_expr;
use super::snapshot::{SchemaTable, TableForeignKey, TableIndex};
use super::{INFORMATION_SCHEMA, PG_CATALOG, Row, Rows, Snapshot, TableDef};

/// The tables of `information_schema`.
pub(super) const TABLES: &[&TableDef] =
    &[&SCHEMATA, &TABLES_TABLE, &COLUMNS, &TABLE_CONSTRAINTS, &KEY_COLUMN_USAGE, &CONSTRAINT_COLUMN_USAGE, &REFERENTIAL_CONSTRAINTS, &CHECK_CONSTRAINTS, &VIEWS, &SEQUENCES];

fn yes_no(b: bool) -> &'static str {
    if b { "YES" } else { "NO" }
}

const SCHEMATA: TableDef = TableDef {
    name: "schemata",
    columns: &[
        ("catalog_name", Name),
        ("schema_name", Name),
        ("schema_owner", Name),
        ("default_character_set_catalog", Name),
        ("default_character_set_schema", Name),
        ("default_character_set_name", Name),
        ("sql_path", Varchar),
    ],
    rows: Rows::Of(|s| {
        let names = [PG_CATALOG, INFORMATION_SCHEMA].into_iter().chain(s.schemas.iter().map(|schema| schema.name.as_str()));
        let rows = names.map(|name| {
            vec![v::text(s.database()), v::text(name), v::text(s.user()), v::null(), v::null(), v::null(), v::null()]
        });
        Ok(rows.collect())
    }),
};

const TABLES_TABLE: TableDef = TableDef {
    name: "tables",
    columns: &[
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("table_type", Varchar),
        ("self_referencing_column_name", Name),
        ("reference_generation", Varchar),
        ("user_defined_type_catalog", Name),
        ("user_defined_type_schema", Name),
        ("user_defined_type_name", Name),
        ("is_insertable_into", Varchar),
        ("is_typed", Varchar),
        ("commit_action", Varchar),
    ],
    rows: Rows::Of(|s| {
        // Materialized views are not in the SQL standard's schema.
        let tables = s.tables.iter().filter(|t| t.table.materialized.is_none()).map(|t| {
            let kind = if s.persistence(t.namespace) == 't' { "LOCAL TEMPORARY" } else { "BASE TABLE" };
            (table_names(s, t), kind, "YES")
        });
        let views =
            s.views.iter().map(|w| (vec![v::text(s.database()), v::text(&w.schema), v::text(&w.view.name)], "VIEW", "NO"));
        let rows = tables.chain(views).map(|(mut row, kind, insertable)| {
            row.push(v::text(kind));
            row.extend((0..5).map(|_| v::null()));
            row.extend([v::text(insertable), v::text("NO"), v::null()]);
            row
        });
        Ok(rows.collect())
    }),
};

/// `table_catalog`, `table_schema`, `table_name`.
fn table_names(s: &Snapshot, t: &SchemaTable) -> Row {
    vec![v::text(s.database()), v::text(&t.schema), v::text(&t.table.name)]
}

const COLUMNS: TableDef = TableDef {
    name: "columns",
    columns: &[
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("column_name", Name),
        ("ordinal_position", Int4),
        ("column_default", Varchar),
        ("is_nullable", Varchar),
        ("data_type", Varchar),
        ("character_maximum_length", Int4),
        ("character_octet_length", Int4),
        ("numeric_precision", Int4),
        ("numeric_precision_radix", Int4),
        ("numeric_scale", Int4),
        ("datetime_precision", Int4),
        ("interval_type", Varchar),
        ("interval_precision", Int4),
        ("character_set_catalog", Name),
        ("character_set_schema", Name),
        ("character_set_name", Name),
        ("collation_catalog", Name),
        ("collation_schema", Name),
        ("collation_name", Name),
        ("domain_catalog", Name),
        ("domain_schema", Name),
        ("domain_name", Name),
        ("udt_catalog", Name),
        ("udt_schema", Name),
        ("udt_name", Name),
        ("scope_catalog", Name),
        ("scope_schema", Name),
        ("scope_name", Name),
        ("maximum_cardinality", Int4),
        ("dtd_identifier", Name),
        ("is_self_referencing", Varchar),
        ("is_identity", Varchar),
        ("identity_generation", Varchar),
        ("identity_start", Varchar),
        ("identity_increment", Varchar),
        ("identity_maximum", Varchar),
        ("identity_minimum", Varchar),
        ("identity_cycle", Varchar),
        ("is_generated", Varchar),
        ("generation_expression", Varchar),
        ("is_updatable", Varchar),
    ],
    rows: Rows::Of(columns),
};

fn columns(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in s.tables.iter().filter(|t| t.table.materialized.is_none()) {
        for (slot, column) in t.table.visible() {
            // An identity column: how it generates, and its sequence's options.
            let sequence = column.identity.and_then(|how| {
                let q = s.sequences.iter().find(|q| q.sequence.owned_by == Some((t.table.id, slot)))?;
                Some((how, &q.sequence))
            });
            rows.push(column_row(s, table_names(s, t), column, slot, sequence, true));
        }
    }
    for view in &s.views {
        for (slot, c) in view.view.columns.iter().enumerate() {
            // Columns of types no table column has (`name`, `oid`) are not listed.
            let Some(ty) = SqlType::from_oid(c.type_oid, c.typmod) else { continue };
            let names = vec![v::text(s.database()), v::text(&view.schema), v::text(&view.view.name)];
            rows.push(column_row(s, names, &ColumnDesc::new(c.name.clone(), ty), slot, None, false));
        }
    }
    Ok(rows)
}

/// The `information_schema.columns` row of `column` in `slot` of the relation `names`
/// (catalog, schema, name), with the sequence of an identity column.
fn column_row(s: &Snapshot, names: Row, column: &ColumnDesc, slot: usize, sequence: Option<(Identity, &SequenceDesc)>, updatable: bool) -> Row {
    let ty = &column.ty;
    let attnum = oid::attnum(slot);
    let int = |n: Option<i32>| n.map_or(v::null(), v::int4);
    let facts = TypeFacts::of(ty);
    let mut row = names;
    row.extend([
        v::text(&column.name),
        v::int4(i32::from(attnum)),
        v::opt_text(default_expr(column).as_deref()),
        v::text(yes_no(!column.not_null)),
        v::text(&facts.data_type),
        int(facts.char_length),
        int(facts.octet_length),
        int(facts.precision),
        int(facts.radix),
        int(facts.scale),
        int(facts.datetime_precision),
        v::null(),
        v::null(),
    ]);
    row.extend((0..9).map(|_| v::null()));
    let udt = match ty {
        SqlType::Array(_) => ty.type_name(),
        other => other.type_name(),
    };
    row.extend([v::text(s.database()), v::text(PG_CATALOG), v::text(&udt)]);
    row.extend((0..4).map(|_| v::null()));
    row.extend([v::text(&attnum.to_string()), v::text("NO"), v::text(yes_no(column.identity.is_some()))]);
    match sequence {
        Some((how, q)) => {
            let generation = match how {
                Identity::Always => "ALWAYS",
                Identity::ByDefault => "BY DEFAULT",
            };
            row.push(v::text(generation));
            row.extend([q.start, q.increment, q.max, q.min].map(|n| v::text(&n.to_string())));
            row.push(v::text(yes_no(q.cycle)));
        }
        None => {
            row.extend((0..5).map(|_| v::null()));
            row.push(v::text("NO"));
        }
    }
    row.extend([v::text("NEVER"), v::null(), v::text(yes_no(updatable))]);
    row
}

/// What `information_schema.columns` says of a type.
struct TypeFacts {
    data_type: String,
    char_length: Option<i32>,
    octet_length: Option<i32>,
    precision: Option<i32>,
    radix: Option<i32>,
    scale: Option<i32>,
    datetime_precision: Option<i32>,
}

/// The longest value of a type without a length, in bytes (1 GB).
const MAX_OCTETS: i32 = 1_073_741_824;
/// The most bytes a UTF-8 character takes.
const MAX_CHAR_BYTES: i32 = 4;

impl TypeFacts {
    fn of(ty: &SqlType) -> TypeFacts {
        let mut facts = TypeFacts {
            data_type: match ty {
                SqlType::Array(_) => "ARRAY".to_string(),
                SqlType::Varchar(_) => "character varying".to_string(),
                SqlType::Char(_) => "character".to_string(),
                SqlType::Numeric(_) => "numeric".to_string(),
                SqlType::Time(_) => "time without time zone".to_string(),
                SqlType::Timestamp(_) => "timestamp without time zone".to_string(),
                SqlType::Timestamptz(_) => "timestamp with time zone".to_string(),
                other => other.pg_name(),
            },
            char_length: None,
            octet_length: None,
            precision: None,
            radix: None,
            scale: None,
            datetime_precision: None,
        };
        let binary = |bits: i32, scale: Option<i32>| (Some(bits), Some(2), scale);
        (facts.precision, facts.radix, facts.scale) = match ty {
            SqlType::Int2 => binary(16, Some(0)),
            SqlType::Int4 => binary(32, Some(0)),
            SqlType::Int8 => binary(64, Some(0)),
            SqlType::Float4 => binary(24, None),
            SqlType::Float8 => binary(53, None),
            SqlType::Numeric(Some((p, s))) => (Some(i32::from(*p)), Some(10), Some(i32::from(*s))),
            SqlType::Numeric(None) => (None, Some(10), None),
            _ => (None, None, None),
        };
        match ty {
            SqlType::Varchar(Some(n)) | SqlType::Char(n) => {
                let n = i32::try_from(*n).unwrap_or(i32::MAX);
                facts.char_length = Some(n);
                facts.octet_length = Some(n.saturating_mul(MAX_CHAR_BYTES));
            }
            SqlType::Varchar(None) | SqlType::Text => facts.octet_length = Some(MAX_OCTETS),
            _ => {}
        }
        facts.datetime_precision = match ty {
            SqlType::Date => Some(0),
            SqlType::Time(p) | SqlType::Timestamp(p) | SqlType::Timestamptz(p) => Some(p.map_or(6, i32::from)),
            SqlType::Interval => Some(6),
            _ => None,
        };
        facts
    }
}

const TABLE_CONSTRAINTS: TableDef = TableDef {
    name: "table_constraints",
    columns: &[
        ("constraint_catalog", Name),
        ("constraint_schema", Name),
        ("constraint_name", Name),
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("constraint_type", Varchar),
        ("is_deferrable", Varchar),
        ("initially_deferred", Varchar),
        ("enforced", Varchar),
        ("nulls_distinct", Varchar),
    ],
    rows: Rows::Of(|s| {
        let mut rows = Vec::new();
        for t in &s.tables {
            for index in t.indexes().iter().filter(|i| i.constraint.is_some()) {
                // nulls_distinct: a UNIQUE constraint's only.
                let (kind, nulls_distinct) = match index.primary {
                    true => ("PRIMARY KEY", v::null()),
                    false => ("UNIQUE", v::text(yes_no(!index.nulls_not_distinct))),
                };
                let mut row = constraint_names(s, index);
                row.extend(table_names(s, t));
                row.extend([v::text(kind), v::text("NO"), v::text("NO"), v::text("YES"), nulls_distinct]);
                rows.push(row);
            }
            for key in s.foreign_keys_of(t) {
                let mut row = foreign_key_names(s, &key);
                row.extend(table_names(s, t));
                let timing = key.key.timing;
                row.extend([v::text("FOREIGN KEY"), v::text(yes_no(timing.deferrable())), v::text(yes_no(timing.initially_deferred()))]);
                row.extend([v::text("YES"), v::null()]);
                rows.push(row);
            }
            for check in &t.table.checks {
                let mut row = vec![v::text(s.database()), v::text(&t.schema), v::text(&check.name)];
                row.extend(table_names(s, t));
                row.extend([v::text("CHECK"), v::text("NO"), v::text("NO"), v::text("YES"), v::null()]);
                rows.push(row);
            }
            // PostgreSQL lists each NOT NULL as a CHECK constraint named after OIDs.
            for (slot, _) in t.table.visible().filter(|(_, c)| c.not_null) {
                let mut row = vec![v::text(s.database()), v::text(&t.schema), v::text(&not_null_name(t, slot))];
                row.extend(table_names(s, t));
                row.extend([v::text("CHECK"), v::text("NO"), v::text("NO"), v::text("YES"), v::null()]);
                rows.push(row);
            }
        }
        Ok(rows)
    }),
};

/// The name PostgreSQL gives a NOT NULL constraint in `information_schema`: the schema's
/// OID, the table's and the attribute number.
fn not_null_name(t: &SchemaTable, slot: usize) -> String {
    format!("{}_{}_{}_not_null", t.namespace, t.oid(), oid::attnum(slot))
}

/// `constraint_catalog`, `constraint_schema`, `constraint_name` of the constraint owning
/// an index.
fn constraint_names(s: &Snapshot, index: &TableIndex<'_>) -> Row {
    vec![v::text(s.database()), v::text(&index.table.schema), v::text(&index.name)]
}

/// `constraint_catalog`, `constraint_schema`, `constraint_name` of a foreign key.
fn foreign_key_names(s: &Snapshot, key: &TableForeignKey<'_>) -> Row {
    vec![v::text(s.database()), v::text(&key.table.schema), v::text(&key.key.name)]
}

/// The indexes of every table that a constraint (primary key or UNIQUE) owns.
fn constraint_indexes(s: &Snapshot) -> impl Iterator<Item = TableIndex<'_>> {
    s.tables.iter().flat_map(SchemaTable::indexes).filter(|i| i.constraint.is_some())
}

const KEY_COLUMN_USAGE: TableDef = TableDef {
    name: "key_column_usage",
    columns: &[
        ("constraint_catalog", Name),
        ("constraint_schema", Name),
        ("constraint_name", Name),
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("column_name", Name),
        ("ordinal_position", Int4),
        ("position_in_unique_constraint", Int4),
    ],
    rows: Rows::Of(|s| {
        let mut rows = Vec::new();
        for index in constraint_indexes(s) {
            for (position, name) in index.key_names().into_iter().enumerate() {
                let mut row = constraint_names(s, &index);
                row.extend(table_names(s, index.table));
                row.extend([v::text(name), position_value(position), v::null()]);
                rows.push(row);
            }
        }
        // A foreign key's columns, each with the position of the column it references in
        // the key of the unique index that column is in.
        for key in s.foreign_keys() {
            let index = key.index();
            for (position, (name, parent_slot)) in key.column_names().into_iter().zip(&key.key.parent_columns).enumerate() {
                let in_unique = index.as_ref().and_then(|i| i.columns.iter().position(|c| c.slot == Some(*parent_slot)));
                let mut row = foreign_key_names(s, &key);
                row.extend(table_names(s, key.table));
                row.extend([v::text(name), position_value(position), in_unique.map_or(v::null(), position_value)]);
                rows.push(row);
            }
        }
        Ok(rows)
    }),
};

/// A 0-based position as the 1-based `int4` of `ordinal_position` and its kin.
fn position_value(position: usize) -> datafusion::common::ScalarValue {
    v::int4(i32::try_from(position + 1).unwrap_or(i32::MAX))
}

const CONSTRAINT_COLUMN_USAGE: TableDef = TableDef {
    name: "constraint_column_usage",
    columns: &[
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("column_name", Name),
        ("constraint_catalog", Name),
        ("constraint_schema", Name),
        ("constraint_name", Name),
    ],
    rows: Rows::Of(|s| {
        let mut rows = Vec::new();
        for index in constraint_indexes(s) {
            for name in index.key_names() {
                let mut row = table_names(s, index.table);
                row.push(v::text(name));
                row.extend(constraint_names(s, &index));
                rows.push(row);
            }
        }
        // A foreign key uses the columns it references.
        for key in s.foreign_keys() {
            let Some(parent) = key.parent else { continue };
            for name in key.parent_column_names() {
                let mut row = table_names(s, parent);
                row.push(v::text(name));
                row.extend(foreign_key_names(s, &key));
                rows.push(row);
            }
        }
        Ok(rows)
    }),
};

/// Foreign keys, with the constraint that owns the unique index their referenced columns
/// match (none for an index without one).
const REFERENTIAL_CONSTRAINTS: TableDef = TableDef {
    name: "referential_constraints",
    columns: &[
        ("constraint_catalog", Name),
        ("constraint_schema", Name),
        ("constraint_name", Name),
        ("unique_constraint_catalog", Name),
        ("unique_constraint_schema", Name),
        ("unique_constraint_name", Name),
        ("match_option", Varchar),
        ("update_rule", Varchar),
        ("delete_rule", Varchar),
    ],
    rows: Rows::Of(|s| {
        let rows = s.foreign_keys().map(|key| {
            let mut row = foreign_key_names(s, &key);
            match key.index().filter(|i| i.constraint.is_some()) {
                Some(index) => row.extend(constraint_names(s, &index)),
                None => row.extend((0..3).map(|_| v::null())),
            }
            let rule = |action: ReferentialAction| v::text(action.sql().unwrap_or("NO ACTION"));
            row.extend([v::text("NONE"), rule(key.key.on_update), rule(key.key.on_delete)]);
            row
        });
        Ok(rows.collect())
    }),
};

const CHECK_CONSTRAINTS: TableDef = TableDef {
    name: "check_constraints",
    columns: &[("constraint_catalog", Name), ("constraint_schema", Name), ("constraint_name", Name), ("check_clause", Varchar)],
    rows: Rows::Of(|s| {
        // CHECK constraints, and each NOT NULL as PostgreSQL lists it.
        let mut rows = Vec::new();
        for t in &s.tables {
            for check in &t.table.checks {
                let clause = format!("({})", check.clause(&t.table, false));
                rows.push(vec![v::text(s.database()), v::text(&t.schema), v::text(&check.name), v::text(&clause)]);
            }
            for (slot, column) in t.table.visible().filter(|(_, c)| c.not_null) {
                let clause = format!("{} IS NOT NULL", crate::ident::quote_ident(&column.name));
                rows.push(vec![v::text(s.database()), v::text(&t.schema), v::text(&not_null_name(t, slot)), v::text(&clause)]);
            }
        }
        Ok(rows)
    }),
};

/// Shale's views are not updatable (PostgreSQL's simple views are).
const VIEWS: TableDef = TableDef {
    name: "views",
    columns: &[
        ("table_catalog", Name),
        ("table_schema", Name),
        ("table_name", Name),
        ("view_definition", Varchar),
        ("check_option", Varchar),
        ("is_updatable", Varchar),
        ("is_insertable_into", Varchar),
        ("is_trigger_updatable", Varchar),
        ("is_trigger_deletable", Varchar),
        ("is_trigger_insertable_into", Varchar),
    ],
    rows: Rows::Of(|s| {
        let rows = s.views.iter().map(|w| {
            let mut row = vec![v::text(s.database()), v::text(&w.schema), v::text(&w.view.name), v::text(&w.definition())];
            row.extend(["NONE", "NO", "NO", "NO", "NO", "NO"].map(v::text));
            row
        });
        Ok(rows.collect())
    }),
};

const SEQUENCES: TableDef = TableDef {
    name: "sequences",
    columns: &[
        ("sequence_catalog", Name),
        ("sequence_schema", Name),
        ("sequence_name", Name),
        ("data_type", Varchar),
        ("numeric_precision", Int4),
        ("numeric_precision_radix", Int4),
        ("numeric_scale", Int4),
        ("start_value", Varchar),
        ("minimum_value", Varchar),
        ("maximum_value", Varchar),
        ("increment", Varchar),
        ("cycle_option", Varchar),
    ],
    rows: Rows::Of(|s| {
        let rows = s.sequences.iter().map(|q| {
            let d = &q.sequence;
            let bits = match d.ty {
                SqlType::Int2 => 16,
                SqlType::Int4 => 32,
                _ => 64,
            };
            vec![
                v::text(s.database()),
                v::text(&q.schema),
                v::text(&d.name),
                v::text(&d.ty.pg_name()),
                v::int4(bits),
                v::int4(2),
                v::int4(0),
                v::text(&d.start.to_string()),
                v::text(&d.min.to_string()),
                v::text(&d.max.to_string()),
                v::text(&d.increment.to_string()),
                v::text(if d.cycle { "YES" } else { "NO" }),
            ]
        });
        Ok(rows.collect())
    }),
};
