//! The catalogs of schemas, tables, columns, indexes, constraints and defaults, and the
//! views over them; and the catalogs of objects Shale does not have (views, sequences,
//! triggers, policies, ...), which are empty.

use crate::deparse;
use crate::descriptor::{ColumnDesc, ConstraintTiming, IndexColumn, SequenceDesc, ViewColumn};
use crate::error::Result;
use crate::ident::{qualified, quote_ident};
use crate::oid;
use shale_pgtypes::types::SqlType;

use super::Column::*;
use super::builtin::{BTREE_EQUALITY, BTREE_OPCLASSES, DESCRIPTIONS};
use super::column as v;
use super::snapshot::{IndexAttribute, SchemaTable, SchemaView, TableForeignKey, TableIndex};
use super::{DATABASE_OWNER_OID, INFORMATION_SCHEMA, INFORMATION_SCHEMA_OID, PG_CATALOG, PG_CATALOG_OID, Row, Rows, SUPERUSER_OID, Snapshot, TableDef};

/// PostgreSQL's btree access method, of every index.
pub(crate) const BTREE_OID: u32 = 403;
/// PostgreSQL's heap access method, of every table.
pub(crate) const HEAP_OID: u32 = 2;

pub(super) const PG_NAMESPACE: TableDef = TableDef {
    name: "pg_namespace",
    columns: &[("oid", Oid), ("nspname", Name), ("nspowner", Oid), ("nspacl", Acl)],
    rows: Rows::Of(namespaces),
};

fn namespaces(s: &Snapshot) -> Result<Vec<Row>> {
    let row = |oid: u32, name: &str| vec![v::oid(oid), v::text(name), v::oid(schema_owner(name)), v::null()];
    let mut rows = vec![row(PG_CATALOG_OID, PG_CATALOG), row(INFORMATION_SCHEMA_OID, INFORMATION_SCHEMA)];
    rows.extend(s.schemas.iter().map(|schema| row(oid::namespace_oid(schema.id, &schema.name), &schema.name)));
    Ok(rows)
}

/// The owner of a schema: `public` belongs to `pg_database_owner`, as in PostgreSQL 15.
fn schema_owner(name: &str) -> u32 {
    match name {
        crate::meta::PUBLIC => DATABASE_OWNER_OID,
        _ => SUPERUSER_OID,
    }
}

pub(super) const PG_CLASS: TableDef = TableDef {
    name: "pg_class",
    columns: &[
        ("oid", Oid),
        ("relname", Name),
        ("relnamespace", Oid),
        ("reltype", Oid),
        ("reloftype", Oid),
        ("relowner", Oid),
        ("relam", Oid),
        ("relfilenode", Oid),
        ("reltablespace", Oid),
        ("relpages", Int4),
        ("reltuples", Float4),
        ("relallvisible", Int4),
        ("reltoastrelid", Oid),
        ("relhasindex", Bool),
        ("relisshared", Bool),
        ("relpersistence", Char),
        ("relkind", Char),
        ("relnatts", Int2),
        ("relchecks", Int2),
        ("relhasrules", Bool),
        ("relhastriggers", Bool),
        ("relhassubclass", Bool),
        ("relrowsecurity", Bool),
        ("relforcerowsecurity", Bool),
        ("relispopulated", Bool),
        ("relreplident", Char),
        ("relispartition", Bool),
        ("relrewrite", Oid),
        ("relfrozenxid", Xid),
        ("relminmxid", Xid),
        ("relacl", Acl),
        ("reloptions", TextList),
        ("relpartbound", NodeTree),
        // Gone since PostgreSQL 12, but psqlODBC still reads it.
        ("relhasoids", Bool),
    ],
    rows: Rows::Of(classes),
};

fn classes(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in &s.tables {
        let persistence = s.persistence(t.namespace);
        rows.push(class_row(t.namespace, persistence, Class::Table(t)));
        rows.extend(t.indexes().iter().map(|index| class_row(t.namespace, persistence, Class::Index(index))));
    }
    for q in &s.sequences {
        rows.push(class_row(q.namespace, s.persistence(q.namespace), Class::Sequence(&q.sequence)));
    }
    for v in &s.views {
        rows.push(class_row(v.namespace, s.persistence(v.namespace), Class::View(v)));
    }
    Ok(rows)
}

/// What a `pg_class` row describes.
enum Class<'a> {
    Table(&'a SchemaTable),
    Index(&'a TableIndex<'a>),
    Sequence(&'a SequenceDesc),
    View(&'a SchemaView),
}

/// The `pg_class` row of a table, an index, a sequence or a view in the schema
/// `namespace`, whose relations' `relpersistence` is `persistence`.
fn class_row(namespace: u32, persistence: char, class: Class<'_>) -> Row {
    // A sequence's one row has three columns (last_value, log_cnt, is_called).
    let (oid, name, row_type, am, kind, natts) = match &class {
        Class::Index(index) => (index.oid, index.name.clone(), 0, BTREE_OID, 'i', index.attributes().len()),
        Class::Table(t) => {
            let kind = if t.table.materialized.is_some() { 'm' } else { 'r' };
            (t.oid(), t.table.name.clone(), oid::row_type_oid(t.table.id), HEAP_OID, kind, t.table.columns.len())
        }
        Class::Sequence(q) => (oid::table_oid(q.id), q.name.clone(), oid::row_type_oid(q.id), 0, 'S', 3),
        Class::View(v) => (v.oid(), v.view.name.clone(), oid::row_type_oid(v.view.id), 0, 'v', v.view.columns.len()),
    };
    let (has_index, has_triggers, checks) = match &class {
        Class::Table(t) => (t.has_index(), t.has_triggers(), t.table.checks.len()),
        _ => (false, false, 0),
    };
    let index = matches!(class, Class::Index(..));
    // Neither an index nor a view has rows of its own to freeze.
    let frozen = if index || matches!(class, Class::View(..)) { 0 } else { 1 };
    let no = || v::boolean(false);
    vec![
        v::oid(oid),
        v::text(&name),
        v::oid(namespace),
        v::oid(row_type),
        v::oid(0),
        v::oid(SUPERUSER_OID),
        v::oid(am),
        v::oid(oid),
        v::oid(0),
        v::int4(0),
        v::float4(if index { 0.0 } else { -1.0 }),
        v::int4(0),
        v::oid(0),
        v::boolean(has_index),
        no(),
        v::letter(persistence),
        v::letter(kind),
        v::int2(i16::try_from(natts).unwrap_or(i16::MAX)),
        v::int2(i16::try_from(checks).unwrap_or(i16::MAX)),
        no(),
        v::boolean(has_triggers),
        no(),
        no(),
        no(),
        v::boolean(true),
        v::letter(if index { 'n' } else { 'd' }),
        no(),
        v::oid(0),
        v::xid(frozen),
        v::xid(frozen),
        v::null(),
        v::null(),
        v::null(),
        no(),
    ]
}

pub(super) const PG_ATTRIBUTE: TableDef = TableDef {
    name: "pg_attribute",
    columns: &[
        ("attrelid", Oid),
        ("attname", Name),
        ("atttypid", Oid),
        ("attstattarget", Int4),
        ("attlen", Int2),
        ("attnum", Int2),
        ("attndims", Int4),
        ("attcacheoff", Int4),
        ("atttypmod", Int4),
        ("attbyval", Bool),
        ("attalign", Char),
        ("attstorage", Char),
        ("attcompression", Char),
        ("attnotnull", Bool),
        ("atthasdef", Bool),
        ("atthasmissing", Bool),
        ("attidentity", Char),
        ("attgenerated", Char),
        ("attisdropped", Bool),
        ("attislocal", Bool),
        ("attinhcount", Int4),
        ("attcollation", Oid),
        ("attacl", Acl),
        ("attoptions", TextList),
        ("attfdwoptions", TextList),
        ("attmissingval", AnyArray),
    ],
    rows: Rows::Of(attributes),
};

fn attributes(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in &s.tables {
        let table = &t.table;
        for (slot, column) in table.columns.iter().enumerate() {
            let name = match column.dropped {
                true => format!("........pg.dropped.{}........", oid::attnum(slot)),
                false => column.name.clone(),
            };
            rows.push(attribute_row(t.oid(), &name, column, oid::attnum(slot), column.not_null, default_expr(column).is_some()));
        }
        // An index has attributes too: its key columns, then its INCLUDE columns.
        for index in t.indexes() {
            for (position, attribute) in index.attributes().into_iter().enumerate() {
                let attnum = i16::try_from(position + 1).unwrap_or(i16::MAX);
                match attribute {
                    IndexAttribute::Column(slot) => {
                        if let Some(column) = table.columns.get(slot) {
                            rows.push(attribute_row(index.oid, &column.name, column, attnum, false, false));
                        }
                    }
                    IndexAttribute::Expr(expr) => {
                        let column = ColumnDesc::new(expr.name.clone(), expr.ty.clone());
                        rows.push(attribute_row(index.oid, &column.name, &column, attnum, false, false));
                    }
                }
            }
        }
    }
    for view in &s.views {
        for (slot, column) in view.view.columns.iter().enumerate() {
            rows.push(view_attribute_row(view.oid(), column, oid::attnum(slot)));
        }
    }
    Ok(rows)
}

fn attribute_row(relid: u32, name: &str, column: &ColumnDesc, attnum: i16, not_null: bool, has_default: bool) -> Row {
    let mut ty = AttrType::of(&column.ty);
    if column.dropped {
        ty.oid = 0;
    }
    let identity = column.identity.map(|i| i.letter().to_string()).unwrap_or_default();
    let flags = AttrFlags { not_null, has_default, has_missing: column.missing.is_some() && has_default, identity: &identity, dropped: column.dropped };
    attribute_values(relid, name, &ty, attnum, flags)
}

/// The `pg_attribute` row of a view's column.
fn view_attribute_row(relid: u32, column: &ViewColumn, attnum: i16) -> Row {
    let flags = AttrFlags { not_null: false, has_default: false, has_missing: false, identity: "", dropped: false };
    attribute_values(relid, &column.name, &AttrType::of_oid(column.type_oid, column.typmod), attnum, flags)
}

/// What `pg_attribute` says of a column's type.
struct AttrType {
    oid: u32,
    typmod: i32,
    len: i16,
    ndims: i32,
    by_val: bool,
    align: char,
    storage: char,
    collation: u32,
}

impl AttrType {
    fn of(ty: &SqlType) -> AttrType {
        AttrType {
            oid: ty.type_oid(),
            typmod: ty.typmod(),
            len: ty.typlen(),
            ndims: i32::from(matches!(ty, SqlType::Array(_))),
            by_val: matches!(ty.typlen(), 1 | 2 | 4 | 8),
            align: ty.typalign().chars().next().unwrap_or('i'),
            storage: super::builtin_type(|t| t.oid == ty.type_oid()).map_or('x', |t| t.storage),
            collation: if ty.collatable() { DEFAULT_COLLATION_OID } else { 0 },
        }
    }

    /// The type `oid` with `typmod`: a type columns of tables can have, or another built-in
    /// one (`name`, `oid`, ... of a view over the catalogs).
    fn of_oid(oid: u32, typmod: i32) -> AttrType {
        if let Some(ty) = SqlType::from_oid(oid, typmod) {
            return AttrType::of(&ty);
        }
        let builtin = super::builtin_type(|t| t.oid == oid);
        AttrType {
            oid,
            typmod,
            len: builtin.map_or(-1, |t| t.len),
            ndims: i32::from(builtin.is_some_and(|t| t.category == 'A')),
            by_val: builtin.is_some_and(|t| t.by_val),
            align: builtin.map_or('i', |t| t.align),
            storage: builtin.map_or('x', |t| t.storage),
            collation: builtin.map_or(0, |t| t.collation),
        }
    }
}

/// What a `pg_attribute` row says besides the type.
struct AttrFlags<'a> {
    not_null: bool,
    has_default: bool,
    has_missing: bool,
    identity: &'a str,
    dropped: bool,
}

fn attribute_values(relid: u32, name: &str, ty: &AttrType, attnum: i16, flags: AttrFlags<'_>) -> Row {
    vec![
        v::oid(relid),
        v::text(name),
        v::oid(ty.oid),
        v::int4(-1),
        v::int2(ty.len),
        v::int2(attnum),
        v::int4(ty.ndims),
        v::int4(-1),
        v::int4(ty.typmod),
        v::boolean(ty.by_val),
        v::letter(ty.align),
        v::letter(ty.storage),
        v::text(""),
        v::boolean(flags.not_null),
        v::boolean(flags.has_default),
        v::boolean(flags.has_missing),
        v::text(flags.identity),
        v::text(""),
        v::boolean(flags.dropped),
        v::boolean(true),
        v::int4(0),
        v::oid(ty.collation),
        v::null(),
        v::null(),
        v::null(),
        v::null(),
    ]
}

/// The OID of the "default" collation.
pub(crate) const DEFAULT_COLLATION_OID: u32 = 100;

pub(super) const PG_INDEX: TableDef = TableDef {
    name: "pg_index",
    columns: &[
        ("indexrelid", Oid),
        ("indrelid", Oid),
        ("indnatts", Int2),
        ("indnkeyatts", Int2),
        ("indisunique", Bool),
        ("indnullsnotdistinct", Bool),
        ("indisprimary", Bool),
        ("indisexclusion", Bool),
        ("indimmediate", Bool),
        ("indisclustered", Bool),
        ("indisvalid", Bool),
        ("indcheckxmin", Bool),
        ("indisready", Bool),
        ("indislive", Bool),
        ("indisreplident", Bool),
        ("indkey", Int2Vector),
        ("indcollation", OidVector),
        ("indclass", OidVector),
        ("indoption", Int2Vector),
        ("indexprs", NodeTree),
        ("indpred", NodeTree),
    ],
    rows: Rows::Of(indexes),
};

fn indexes(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in &s.tables {
        for index in t.indexes() {
            // Collations and operator classes are the key columns' only.
            let keys: Vec<&SqlType> = index
                .columns
                .iter()
                .filter_map(|c| match (c.slot, &c.expr) {
                    (Some(slot), _) => t.table.columns.get(slot).map(|c| &c.ty),
                    (None, expr) => expr.as_ref().map(|e| &e.ty),
                })
                .collect();
            let attnums: Vec<i16> = index
                .attributes()
                .into_iter()
                .map(|a| match a {
                    IndexAttribute::Column(slot) => oid::attnum(slot),
                    IndexAttribute::Expr(_) => 0,
                })
                .collect();
            let collations: Vec<u32> = keys.iter().map(|ty| if ty.collatable() { DEFAULT_COLLATION_OID } else { 0 }).collect();
            let classes: Vec<u32> = keys.iter().map(|ty| btree_opclass(ty)).collect();
            let expressions: Vec<String> =
                index.columns.iter().filter_map(|c| c.expr.as_ref()).map(|e| deparse::sql_expression(&t.table, &e.sql, false)).collect();
            let options: Vec<i16> = index.columns.iter().map(|c| index_option(c.descending, c.nulls_first)).collect();
            let count = |n: usize| v::int2(i16::try_from(n).unwrap_or(i16::MAX));
            let (yes, no) = (|| v::boolean(true), || v::boolean(false));
            rows.push(vec![
                v::oid(index.oid),
                v::oid(t.oid()),
                count(attnums.len()),
                count(keys.len()),
                v::boolean(index.unique),
                v::boolean(index.nulls_not_distinct),
                v::boolean(index.primary),
                no(),
                yes(),
                no(),
                yes(),
                no(),
                yes(),
                yes(),
                no(),
                v::int2_list(&attnums),
                v::oid_list(&collations),
                v::oid_list(&classes),
                v::int2_list(&options),
                // Shale keeps expressions as their SQL text (see `pg_get_expr`).
                if expressions.is_empty() { v::null() } else { v::text(&expressions.join(", ")) },
                index.predicate.map_or(v::null(), |p| v::text(&deparse::sql_expression(&t.table, &p.sql, false))),
            ]);
        }
    }
    Ok(rows)
}

/// `pg_index.indoption` of a key column: bit 1 DESC, bit 2 NULLS FIRST.
fn index_option(descending: bool, nulls_first: bool) -> i16 {
    i16::from(descending) | (i16::from(nulls_first) << 1)
}

/// The default btree operator class of `ty` (varchar and char(n) use text's, as in
/// PostgreSQL).
fn btree_opclass(ty: &SqlType) -> u32 {
    default_opclass(ty).map_or(0, |c| c.1)
}

/// The default btree operator class of `ty`: (input type, class OID, name, family OID).
/// varchar uses text's, arrays `anyarray`'s, as in PostgreSQL.
fn default_opclass(ty: &SqlType) -> Option<&'static (u32, u32, &'static str, u32)> {
    let type_oid = match ty {
        SqlType::Varchar(_) => SqlType::Text.type_oid(),
        SqlType::Array(_) => ANYARRAY_OID,
        other => other.type_oid(),
    };
    BTREE_OPCLASSES.iter().find(|c| c.0 == type_oid)
}

/// `anyarray`, the input type of `array_ops`.
const ANYARRAY_OID: u32 = 2277;

/// The equality operators of a foreign key column of type `fk` referencing one of type
/// `pk`, as PostgreSQL picks them: `conpfeqop` (pk = fk), `conppeqop` (pk = pk) and
/// `conffeqop` (fk = fk) of the family of pk's operator class, when it has the
/// cross-type ones; else pk's own for all three (fk's values cast to pk's type).
fn equality_operators(pk: &SqlType, fk: &SqlType) -> [u32; 3] {
    let Some(&(input, _, _, family)) = default_opclass(pk) else { return [0; 3] };
    let operator = |left: u32, right: u32| BTREE_EQUALITY.iter().find(|e| (e.0, e.1, e.2) == (family, left, right)).map(|e| e.3);
    let same = operator(input, input).unwrap_or(0);
    match (operator(input, fk.type_oid()), operator(fk.type_oid(), fk.type_oid())) {
        (Some(pf), Some(ff)) => [pf, same, ff],
        _ => [same; 3],
    }
}

pub(super) const PG_CONSTRAINT: TableDef = TableDef {
    name: "pg_constraint",
    columns: &[
        ("oid", Oid),
        ("conname", Name),
        ("connamespace", Oid),
        ("contype", Char),
        ("condeferrable", Bool),
        ("condeferred", Bool),
        ("convalidated", Bool),
        ("conrelid", Oid),
        ("contypid", Oid),
        ("conindid", Oid),
        ("conparentid", Oid),
        ("confrelid", Oid),
        ("confupdtype", Char),
        ("confdeltype", Char),
        ("confmatchtype", Char),
        ("conislocal", Bool),
        ("coninhcount", Int4),
        ("connoinherit", Bool),
        ("conkey", Int2List),
        ("confkey", Int2List),
        ("conpfeqop", OidList),
        ("conppeqop", OidList),
        ("conffeqop", OidList),
        ("confdelsetcols", Int2List),
        ("conexclop", OidList),
        ("conbin", NodeTree),
    ],
    rows: Rows::Of(constraints),
};

fn constraints(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in &s.tables {
        for index in t.indexes() {
            let Some((kind, constraint_oid)) = index.constraint else { continue };
            let mut row = constraint_row(constraint_oid, &index.name, t, kind, index.oid, Timing::default());
            row.extend([v::oid(0), v::letter(' '), v::letter(' '), v::letter(' ')]);
            row.extend(constraint_tail(&index.key_attnums()));
            row.extend((0..7).map(|_| v::null()));
            rows.push(row);
        }
    }
    for t in &s.tables {
        for check in &t.table.checks {
            let timing = Timing { validated: !check.not_valid, ..Timing::default() };
            let mut row = constraint_row(oid::pkey_constraint_oid(check.id), &check.name, t, 'c', 0, timing);
            row.extend([v::oid(0), v::letter(' '), v::letter(' '), v::letter(' ')]);
            let attnums: Vec<i16> = check.columns.iter().map(|&slot| oid::attnum(slot)).collect();
            row.extend([v::boolean(true), v::int4(0), v::boolean(false), v::int2_list(&attnums)]);
            row.extend((0..6).map(|_| v::null()));
            row.push(v::text(&check.clause(&t.table, false)));
            rows.push(row);
        }
    }
    for key in s.foreign_keys() {
        let index = key.index().map_or(0, |i| i.oid);
        let timing = Timing { timing: key.key.timing, validated: !key.key.not_valid };
        let mut row = constraint_row(key.oid(), &key.key.name, key.table, 'f', index, timing);
        let actions = [key.key.on_update, key.key.on_delete].map(|a| v::letter(a.letter()));
        row.push(v::oid(key.parent_oid()));
        row.extend(actions);
        row.push(v::letter('s'));
        row.extend(constraint_tail(&key.attnums()));
        row.push(v::int2_list(&key.parent_attnums()));
        // One operator per column in each of conpfeqop, conppeqop, conffeqop.
        let operators: Vec<[u32; 3]> = key
            .key
            .columns
            .iter()
            .zip(&key.key.parent_columns)
            .map(|(&slot, &parent_slot)| {
                let ty = |t: &SchemaTable, slot: usize| t.table.columns.get(slot).map(|c| c.ty.clone());
                match (key.parent.and_then(|p| ty(p, parent_slot)), ty(key.table, slot)) {
                    (Some(pk), Some(fk)) => equality_operators(&pk, &fk),
                    _ => [0; 3],
                }
            })
            .collect();
        row.extend((0..3).map(|i| v::oid_list(&operators.iter().map(|o| o[i]).collect::<Vec<_>>())));
        row.push(match key.key.on_delete_columns.is_empty() {
            true => v::null(),
            false => v::int2_list(&key.key.on_delete_columns.iter().map(|&slot| oid::attnum(slot)).collect::<Vec<_>>()),
        });
        row.extend((0..2).map(|_| v::null()));
        rows.push(row);
    }
    Ok(rows)
}

/// Whether a constraint is deferrable, initially deferred and validated.
struct Timing {
    timing: ConstraintTiming,
    validated: bool,
}

impl Default for Timing {
    /// NOT DEFERRABLE, validated.
    fn default() -> Self {
        Timing { timing: ConstraintTiming::Immediate, validated: true }
    }
}

/// The first columns of a `pg_constraint` row, `oid` to `conparentid`: a constraint of
/// `t`.
fn constraint_row(oid: u32, name: &str, t: &SchemaTable, kind: char, index: u32, timing: Timing) -> Row {
    let flags = [timing.timing.deferrable(), timing.timing.initially_deferred(), timing.validated].map(v::boolean);
    let mut row = vec![v::oid(oid), v::text(name), v::oid(t.namespace), v::letter(kind)];
    row.extend(flags);
    row.extend([v::oid(t.oid()), v::oid(0), v::oid(index), v::oid(0)]);
    row
}

/// `conislocal` to `conkey` of a `pg_constraint` row.
fn constraint_tail(attnums: &[i16]) -> [datafusion::common::ScalarValue; 4] {
    [v::boolean(true), v::int4(0), v::boolean(true), v::int2_list(attnums)]
}

pub(super) const PG_ATTRDEF: TableDef = TableDef {
    name: "pg_attrdef",
    columns: &[("oid", Oid), ("adrelid", Oid), ("adnum", Int2), ("adbin", NodeTree)],
    rows: Rows::Of(defaults),
};

fn defaults(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for t in &s.tables {
        for (slot, column) in t.table.visible() {
            if default_expr(column).is_some() {
                let attnum = oid::attnum(slot);
                rows.push(vec![
                    v::oid(oid::attrdef_oid(t.table.id, attnum)),
                    v::oid(t.oid()),
                    v::int2(attnum),
                    v::opt_text(default_expr(column).as_deref()),
                ]);
            }
        }
    }
    Ok(rows)
}

/// A column's default as `pg_get_expr` shows it (and as `adbin` holds it in Shale): a
/// quoted literal with a cast to the column's type, other expressions as written. An
/// identity column has none to show (its sequence is not a default in PostgreSQL).
pub(crate) fn default_expr(column: &ColumnDesc) -> Option<String> {
    if column.identity.is_some() {
        return None;
    }
    let default = column.default.as_deref()?.trim();
    let quoted = default.len() >= 2 && default.starts_with('\'') && default.ends_with('\'');
    Some(match quoted {
        true => {
            let ty = match &column.ty {
                SqlType::Varchar(_) => SqlType::Varchar(None).pg_name(),
                SqlType::Char(_) => "bpchar".to_string(),
                SqlType::Numeric(_) => SqlType::Numeric(None).pg_name(),
                other => other.pg_name(),
            };
            format!("{default}::{ty}")
        }
        false => as_written(default),
    })
}

/// A stored expression with the calls of Shale's input functions (which stand for casts,
/// see `shale_pgtypes::input`) shown as the casts PostgreSQL shows:
/// `nextval(shale_regclass_in('t_id_seq'))` is `nextval('t_id_seq'::regclass)`.
fn as_written(sql: &str) -> String {
    use datafusion::sql::sqlparser::ast::{
        CastKind, DataType, Expr, Ident, ObjectName, Value, visit_expressions_mut,
    };
    let Ok(mut expr) = shale_pgtypes::sql::parse_expr(sql) else { return sql.to_string() };
    let _ = visit_expressions_mut(&mut expr, |e| {
        let Expr::Function(f) = e else { return std::ops::ControlFlow::<()>::Continue(()) };
        let name = f.name.to_string();
        let Some(ty) = name.strip_prefix("shale_").and_then(|n| n.strip_suffix("_in")) else {
            return std::ops::ControlFlow::Continue(());
        };
        let Some(args) = deparse::plain_args(f) else { return std::ops::ControlFlow::Continue(()) };
        let type_name = match (args.as_slice(), ty) {
            ([_], "timestamptz") => Some("timestamp with time zone".to_string()),
            ([_], "timestamp") => Some("timestamp without time zone".to_string()),
            ([_], ty) => Some(ty.to_string()),
            ([_, Expr::Value(v)], _) => match &v.value {
                Value::SingleQuotedString(t) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        };
        // Named as written (the parser's own types print in capitals).
        let parsed = type_name.map(|t| DataType::Custom(ObjectName::from(vec![Ident::new(t)]), vec![]));
        if let (Some(data_type), Some(value)) = (parsed, args.first()) {
            *e = Expr::Cast { kind: CastKind::DoubleColon, expr: Box::new((*value).clone()), data_type, array: false, format: None };
        }
        std::ops::ControlFlow::Continue(())
    });
    expr.to_string()
}

/// `pg_get_indexdef` of an index, the table named `table` (qualified, or as the search
/// path finds it in pretty mode): `CREATE [UNIQUE] INDEX name ON table USING btree (key
/// columns with their non-default order) [INCLUDE (columns)] [NULLS NOT DISTINCT]`.
pub(crate) fn index_def(index: &TableIndex<'_>, table: &str, pretty: bool) -> String {
    let keys: Vec<String> = index
        .columns
        .iter()
        .map(|c| {
            let name = index_column_def(index, c, pretty);
            // DESC implies NULLS FIRST, ASC NULLS LAST: only the other orders show.
            match (c.descending, c.nulls_first) {
                (true, true) => format!("{name} DESC"),
                (true, false) => format!("{name} DESC NULLS LAST"),
                (false, true) => format!("{name} NULLS FIRST"),
                (false, false) => name,
            }
        })
        .collect();
    let unique = if index.unique { "UNIQUE " } else { "" };
    let mut def = format!("CREATE {unique}INDEX {} ON {table} USING btree ({})", quote_ident(&index.name), keys.join(", "));
    def.push_str(&include_clause(index));
    if index.nulls_not_distinct {
        def.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = index.predicate {
        def.push_str(&format!(" WHERE {}", deparse::sql_expression(&index.table.table, &predicate.sql, pretty)));
    }
    def
}

/// A key column of `index` as `pg_get_indexdef` writes it (`pretty` or not): a column's
/// name, or an expression (in parentheses unless it is a function call).
pub(crate) fn index_column_def(index: &TableIndex<'_>, column: &IndexColumn, pretty: bool) -> String {
    match (column.slot, &column.expr) {
        (Some(slot), _) => quote_ident(index.table.column_name(slot)),
        (None, Some(expr)) => deparse::index_key(&index.table.table, &expr.sql, pretty),
        (None, None) => String::new(),
    }
}
/// ` INCLUDE (columns)` of an index with INCLUDE columns, else nothing.
fn include_clause(index: &TableIndex<'_>) -> String {
    match index.include {
        [] => String::new(),
        include => {
            let names: Vec<String> = include.iter().map(|slot| quote_ident(index.table.column_name(*slot))).collect();
            format!(" INCLUDE ({})", names.join(", "))
        }
    }
}

/// `pg_get_constraintdef` of the constraint owning an index: `PRIMARY KEY (columns)` or
/// `UNIQUE [NULLS NOT DISTINCT] (columns)`, then any INCLUDE columns; `None` when no
/// constraint owns it.
pub(crate) fn constraint_def(index: &TableIndex<'_>) -> Option<String> {
    let kind = match index.constraint? {
        ('p', _) => "PRIMARY KEY",
        _ if index.nulls_not_distinct => "UNIQUE NULLS NOT DISTINCT",
        _ => "UNIQUE",
    };
    let columns: Vec<String> = index.key_names().into_iter().map(quote_ident).collect();
    Some(format!("{kind} ({}){}", columns.join(", "), include_clause(index)))
}

/// `pg_get_constraintdef` of a foreign key, its referenced table named `parent` (as the
/// search path finds it): `FOREIGN KEY (columns) REFERENCES parent(columns)`, then its
/// actions other than NO ACTION, ON UPDATE first.
pub(crate) fn foreign_key_def(key: &TableForeignKey<'_>, parent: &str) -> String {
    let names = |names: Vec<&str>| names.into_iter().map(quote_ident).collect::<Vec<_>>().join(", ");
    let mut def = format!("FOREIGN KEY ({}) REFERENCES {parent}({})", names(key.column_names()), names(key.parent_column_names()));
    for (event, action) in [("UPDATE", key.key.on_update), ("DELETE", key.key.on_delete)] {
        if let Some(action) = action.sql() {
            def.push_str(&format!(" ON {event} {action}"));
        }
    }
    if !key.key.on_delete_columns.is_empty() {
        let set: Vec<&str> = key.key.on_delete_columns.iter().map(|&slot| key.table.column_name(slot)).collect();
        def.push_str(&format!(" ({})", names(set)));
    }
    def.push_str(key.key.timing.clause());
    if key.key.not_valid {
        def.push_str(" NOT VALID");
    }
    def
}

pub(super) const PG_TABLES: TableDef = TableDef {
    name: "pg_tables",
    columns: &[
        ("schemaname", Name),
        ("tablename", Name),
        ("tableowner", Name),
        ("tablespace", Name),
        ("hasindexes", Bool),
        ("hasrules", Bool),
        ("hastriggers", Bool),
        ("rowsecurity", Bool),
    ],
    rows: Rows::Of(|s| {
        let rows = s.tables.iter().map(|t| {
            let no = || v::boolean(false);
            vec![
                v::text(&t.schema),
                v::text(&t.table.name),
                v::text(s.user()),
                v::null(),
                v::boolean(t.has_index()),
                no(),
                v::boolean(t.has_triggers()),
                no(),
            ]
        });
        Ok(rows.collect())
    }),
};

pub(super) const PG_INDEXES: TableDef = TableDef {
    name: "pg_indexes",
    columns: &[("schemaname", Name), ("tablename", Name), ("indexname", Name), ("tablespace", Name), ("indexdef", Text)],
    rows: Rows::Of(|s| {
        let mut rows = Vec::new();
        for t in &s.tables {
            let table = qualified(&t.schema, &t.table.name);
            for index in t.indexes() {
                rows.push(vec![v::text(&t.schema), v::text(&t.table.name), v::text(&index.name), v::null(), v::text(&index_def(&index, &table, false))]);
            }
        }
        Ok(rows)
    }),
};

/// The columns of `pg_stat_user_tables` and `pg_stat_all_tables`.
const STAT_TABLES_COLUMNS: &[(&str, super::Column)] = &[
    ("relid", Oid),
    ("schemaname", Name),
    ("relname", Name),
    ("seq_scan", Int8),
    ("seq_tup_read", Int8),
    ("idx_scan", Int8),
    ("idx_tup_fetch", Int8),
    ("n_tup_ins", Int8),
    ("n_tup_upd", Int8),
    ("n_tup_del", Int8),
    ("n_tup_hot_upd", Int8),
    ("n_live_tup", Int8),
    ("n_dead_tup", Int8),
    ("n_mod_since_analyze", Int8),
    ("n_ins_since_vacuum", Int8),
    ("last_vacuum", Timestamptz),
    ("last_autovacuum", Timestamptz),
    ("last_analyze", Timestamptz),
    ("last_autoanalyze", Timestamptz),
    ("vacuum_count", Int8),
    ("autovacuum_count", Int8),
    ("analyze_count", Int8),
    ("autoanalyze_count", Int8),
];

/// Shale keeps no statistics: every counter is 0 and nothing was ever vacuumed or
/// analyzed, as PostgreSQL shows a table just created.
fn stat_tables(s: &Snapshot) -> Result<Vec<Row>> {
    let rows = s.tables.iter().map(|t| {
        let mut row = vec![v::oid(t.oid()), v::text(&t.schema), v::text(&t.table.name)];
        row.extend((0..12).map(|_| v::int8(0)));
        row.extend((0..4).map(|_| v::null()));
        row.extend((0..4).map(|_| v::int8(0)));
        row
    });
    Ok(rows.collect())
}

pub(super) const PG_STAT_USER_TABLES: TableDef =
    TableDef { name: "pg_stat_user_tables", columns: STAT_TABLES_COLUMNS, rows: Rows::Of(stat_tables) };

pub(super) const PG_STAT_ALL_TABLES: TableDef =
    TableDef { name: "pg_stat_all_tables", columns: STAT_TABLES_COLUMNS, rows: Rows::Of(stat_tables) };

/// The descriptions of built-in types, functions and schemas, and those COMMENT ON gave.
pub(super) const PG_DESCRIPTION: TableDef = TableDef {
    name: "pg_description",
    columns: &[("objoid", Oid), ("classoid", Oid), ("objsubid", Int4), ("description", Text)],
    rows: Rows::Of(|s| {
        let builtin = DESCRIPTIONS.iter().map(|(object, class, text)| (*object, *class, 0, *text));
        let rows = builtin
            .chain(s.comments())
            .map(|(object, class, subid, text)| vec![v::oid(object), v::oid(class), v::int4(subid), v::text(text)]);
        Ok(rows.collect())
    }),
};

pub(super) const PG_VIEWS: TableDef = TableDef {
    name: "pg_views",
    columns: &[("schemaname", Name), ("viewname", Name), ("viewowner", Name), ("definition", Text)],
    rows: Rows::Of(|s| {
        let rows = s.views.iter().map(|w| vec![v::text(&w.schema), v::text(&w.view.name), v::text(s.user()), v::text(&w.definition())]);
        Ok(rows.collect())
    }),
};

pub(super) const PG_MATVIEWS: TableDef = TableDef {
    name: "pg_matviews",
    columns: &[
        ("schemaname", Name),
        ("matviewname", Name),
        ("matviewowner", Name),
        ("tablespace", Name),
        ("hasindexes", Bool),
        ("ispopulated", Bool),
        ("definition", Text),
    ],
    rows: Rows::Of(|s| {
        let rows = s.tables.iter().filter_map(|t| {
            let m = t.table.materialized.as_ref()?;
            Some(vec![
                v::text(&t.schema),
                v::text(&t.table.name),
                v::text(s.user()),
                v::null(),
                v::boolean(t.has_index()),
                v::boolean(m.populated),
                v::text(&t.definition()?),
            ])
        });
        Ok(rows.collect())
    }),
};

pub(super) const PG_SEQUENCES: TableDef = TableDef {
    name: "pg_sequences",
    columns: &[
        ("schemaname", Name),
        ("sequencename", Name),
        ("sequenceowner", Name),
        ("data_type", RegType),
        ("start_value", Int8),
        ("min_value", Int8),
        ("max_value", Int8),
        ("increment_by", Int8),
        ("cycle", Bool),
        ("cache_size", Int8),
        ("last_value", Int8),
    ],
    rows: Rows::Of(|s| {
        let rows = s.sequences.iter().map(|q| {
            let d = &q.sequence;
            Ok(vec![
                v::text(&q.schema),
                v::text(&d.name),
                v::text(s.user()),
                v::oid(d.ty.type_oid()),
                v::int8(d.start),
                v::int8(d.min),
                v::int8(d.max),
                v::int8(d.increment),
                v::boolean(d.cycle),
                v::int8(d.cache),
                s.last_value(d)?.map_or_else(v::null, v::int8),
            ])
        });
        rows.collect()
    }),
};

pub(super) const PG_SEQUENCE: TableDef = TableDef {
    name: "pg_sequence",
    columns: &[
        ("seqrelid", Oid),
        ("seqtypid", Oid),
        ("seqstart", Int8),
        ("seqincrement", Int8),
        ("seqmax", Int8),
        ("seqmin", Int8),
        ("seqcache", Int8),
        ("seqcycle", Bool),
    ],
    rows: Rows::Of(|s| {
        let rows = s.sequences.iter().map(|q| {
            let d = &q.sequence;
            vec![
                v::oid(oid::table_oid(d.id)),
                v::oid(d.ty.type_oid()),
                v::int8(d.start),
                v::int8(d.increment),
                v::int8(d.max),
                v::int8(d.min),
                v::int8(d.cache),
                v::boolean(d.cycle),
            ]
        });
        Ok(rows.collect())
    }),
};

/// Empty: Shale has no table inheritance or partitions.
pub(super) const PG_INHERITS: TableDef = TableDef {
    name: "pg_inherits",
    columns: &[("inhrelid", Oid), ("inhparent", Oid), ("inhseqno", Int4), ("inhdetachpending", Bool)],
    rows: Rows::Never,
};

/// Empty: Shale has no triggers.
pub(super) const PG_TRIGGER: TableDef = TableDef {
    name: "pg_trigger",
    columns: &[
        ("oid", Oid),
        ("tgrelid", Oid),
        ("tgparentid", Oid),
        ("tgname", Name),
        ("tgfoid", Oid),
        ("tgtype", Int2),
        ("tgenabled", Char),
        ("tgisinternal", Bool),
        ("tgconstrrelid", Oid),
        ("tgconstrindid", Oid),
        ("tgconstraint", Oid),
        ("tgdeferrable", Bool),
        ("tginitdeferred", Bool),
        ("tgnargs", Int2),
        ("tgattr", Int2Vector),
        ("tgargs", Bytea),
        ("tgqual", NodeTree),
        ("tgoldtable", Name),
        ("tgnewtable", Name),
    ],
    rows: Rows::Never,
};

/// Empty: Shale has no row-level security policies.
pub(super) const PG_POLICY: TableDef = TableDef {
    name: "pg_policy",
    columns: &[
        ("oid", Oid),
        ("polname", Name),
        ("polrelid", Oid),
        ("polcmd", Char),
        ("polpermissive", Bool),
        ("polroles", OidList),
        ("polqual", NodeTree),
        ("polwithcheck", NodeTree),
    ],
    rows: Rows::Never,
};

/// Empty: Shale has no rules.
pub(super) const PG_REWRITE: TableDef = TableDef {
    name: "pg_rewrite",
    columns: &[
        ("oid", Oid),
        ("rulename", Name),
        ("ev_class", Oid),
        ("ev_type", Char),
        ("ev_enabled", Char),
        ("is_instead", Bool),
        ("ev_qual", NodeTree),
        ("ev_action", NodeTree),
    ],
    rows: Rows::Never,
};

/// A sequence's dependency on the column that owns it (what psql's `\d` of a sequence
/// shows as "Owned by" or "Sequence for identity column"): `a` for OWNED BY and `serial`
/// columns, `i` for identity columns. Shale keeps no other dependency.
pub(super) const PG_DEPEND: TableDef = TableDef {
    name: "pg_depend",
    columns: &[
        ("classid", Oid),
        ("objid", Oid),
        ("objsubid", Int4),
        ("refclassid", Oid),
        ("refobjid", Oid),
        ("refobjsubid", Int4),
        ("deptype", Char),
    ],
    rows: Rows::Of(|s| {
        let rows = s.sequences.iter().filter_map(|q| {
            let (table_id, slot) = q.sequence.owned_by?;
            let table = s.tables.iter().find(|t| t.table.id == table_id)?;
            let deptype = match table.table.columns.get(slot)?.identity {
                Some(_) => 'i',
                None => 'a',
            };
            Some(vec![
                v::oid(PG_CLASS_OID),
                v::oid(oid::table_oid(q.sequence.id)),
                v::int4(0),
                v::oid(PG_CLASS_OID),
                v::oid(table.oid()),
                v::int4(i32::from(oid::attnum(slot))),
                v::letter(deptype),
            ])
        });
        Ok(rows.collect())
    }),
};

/// `pg_class`'s own OID, the class of relations in `pg_depend`.
const PG_CLASS_OID: u32 = 1259;

/// Empty: Shale has no extended statistics.
pub(super) const PG_STATISTIC_EXT: TableDef = TableDef {
    name: "pg_statistic_ext",
    columns: &[
        ("oid", Oid),
        ("stxrelid", Oid),
        ("stxname", Name),
        ("stxnamespace", Oid),
        ("stxowner", Oid),
        ("stxstattarget", Int4),
        ("stxkeys", Int2Vector),
        ("stxkind", CharList),
        ("stxexprs", NodeTree),
    ],
    rows: Rows::Never,
};

/// Empty: Shale has no partitioned tables.
pub(super) const PG_PARTITIONED_TABLE: TableDef = TableDef {
    name: "pg_partitioned_table",
    columns: &[
        ("partrelid", Oid),
        ("partstrat", Char),
        ("partnatts", Int2),
        ("partdefid", Oid),
        ("partattrs", Int2Vector),
        ("partclass", OidVector),
        ("partcollation", OidVector),
        ("partexprs", NodeTree),
    ],
    rows: Rows::Never,
};

/// Empty: Shale has no foreign tables.
pub(super) const PG_FOREIGN_TABLE: TableDef = TableDef {
    name: "pg_foreign_table",
    columns: &[("ftrelid", Oid), ("ftserver", Oid), ("ftoptions", TextList)],
    rows: Rows::Never,
};

/// Empty: Shale has no logical replication.
pub(super) const PG_PUBLICATION: TableDef = TableDef {
    name: "pg_publication",
    columns: &[
        ("oid", Oid),
        ("pubname", Name),
        ("pubowner", Oid),
        ("puballtables", Bool),
        ("pubinsert", Bool),
        ("pubupdate", Bool),
        ("pubdelete", Bool),
        ("pubtruncate", Bool),
        ("pubviaroot", Bool),
    ],
    rows: Rows::Never,
};

/// Empty: Shale has no logical replication.
pub(super) const PG_PUBLICATION_NAMESPACE: TableDef = TableDef {
    name: "pg_publication_namespace",
    columns: &[("oid", Oid), ("pnpubid", Oid), ("pnnspid", Oid)],
    rows: Rows::Never,
};

/// Empty: Shale has no logical replication.
pub(super) const PG_PUBLICATION_REL: TableDef = TableDef {
    name: "pg_publication_rel",
    columns: &[("oid", Oid), ("prpubid", Oid), ("prrelid", Oid), ("prqual", NodeTree), ("prattrs", Int2Vector)],
    rows: Rows::Never,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The operators PostgreSQL 15 records for a foreign key column of the second type
    /// referencing one of the first.
    #[test]
    fn foreign_keys_compare_with_postgres_equality_operators() {
        assert_eq!(equality_operators(&SqlType::Int4, &SqlType::Int4), [96; 3]);
        assert_eq!(equality_operators(&SqlType::Int8, &SqlType::Int4), [416, 410, 96]);
        assert_eq!(equality_operators(&SqlType::Int2, &SqlType::Int4), [532, 94, 96]);
        assert_eq!(equality_operators(&SqlType::Numeric(None), &SqlType::Int4), [1752; 3]);
        assert_eq!(equality_operators(&SqlType::Varchar(Some(5)), &SqlType::Varchar(Some(3))), [98; 3]);
        assert_eq!(equality_operators(&SqlType::Text, &SqlType::Varchar(None)), [98; 3]);
        assert_eq!(equality_operators(&SqlType::Json, &SqlType::Json), [0; 3]);
    }

    /// A foreign key's `pg_constraint` row and definition.
    #[test]
    fn foreign_keys_have_constraint_rows() {
        let s = Snapshot::sample();
        let key = s.foreign_key(oid::pkey_constraint_oid(2)).expect("the foreign key");
        assert_eq!(foreign_key_def(&key, "t"), "FOREIGN KEY (id) REFERENCES t(id) ON DELETE CASCADE");
        assert_eq!(key.index().map(|i| i.oid), Some(oid::pkey_index_oid(1)));
        assert!(s.table_of(key.oid()).is_some_and(|t| t.table.id == 1));
        let rows = constraints(&s).expect("rows");
        let row = rows.iter().find(|r| r[0] == v::oid(key.oid())).expect("its row");
        assert_eq!(row[3], v::letter('f'));
        let conffeqop = PG_CONSTRAINT.columns.iter().position(|c| c.0 == "conffeqop").expect("conffeqop");
        assert_eq!(row[conffeqop], v::oid_list(&[96]));
    }
}
