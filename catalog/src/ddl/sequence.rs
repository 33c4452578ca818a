//! CREATE SEQUENCE and DROP SEQUENCE, with PostgreSQL's defaults and checks of the options
//! (its `init_params`), and the sequences `serial` columns own.

use datafusion::sql::sqlparser::ast::{DataType, Expr, ObjectName, SequenceOptions};

use super::{DdlContext, DdlOutcome};
use crate::descriptor::{SequenceDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};
use shale_pgtypes::types::SqlType;
use shale_storage::Txn;

/// What `CREATE SEQUENCE` says, parsed.
pub struct CreateSequence<'a> {
    /// The sequence's name as written.
    pub name: &'a ObjectName,
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// AS type.
    pub data_type: Option<&'a DataType>,
    /// The options, in order.
    pub options: &'a [SequenceOptions],
    /// OWNED BY `table.column` (or `NONE`).
    pub owned_by: Option<&'a ObjectName>,
}

/// `CREATE SEQUENCE [IF NOT EXISTS] name [AS type] [options] [OWNED BY t.c | NONE]`.
pub fn create_sequence(ctx: &DdlContext<'_>, stmt: &CreateSequence<'_>) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let (schema, name) = resolve::creation_schema(&txn, &ctx.handle.search_path(), stmt.name)?;
    let mut outcome = DdlOutcome::new("CREATE SEQUENCE");
    if relation_exists(&txn, schema.id, &name)? {
        if stmt.if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let ty = match stmt.data_type {
        Some(t) => SqlType::from_ast(t)?,
        None => SqlType::Int8,
    };
    let owned_by = match stmt.owned_by {
        Some(owner) => owner_column(ctx, &txn, owner, schema.id)?,
        None => None,
    };
    let desc = sequence(&txn, schema.id, name, ty, stmt.options, owned_by)?;
    meta::put_sequence(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Whether a table, a sequence or an index is named `name` in the schema (they share the
/// names of relations), locking the name against a concurrent CREATE.
pub(super) fn relation_exists(txn: &Txn, schema_id: u64, name: &str) -> Result<bool> {
    Ok(meta::get_table_for_update(txn, schema_id, name)?.is_some()
        || meta::get_sequence_for_update(txn, schema_id, name)?.is_some()
        || meta::index_table_for_update(txn, schema_id, name)?.is_some())
}

/// A new sequence's descriptor (its id allocated) from its options, checked as PostgreSQL
/// checks them.
pub(super) fn sequence(
    txn: &Txn,
    schema_id: u64,
    name: String,
    ty: SqlType,
    options: &[SequenceOptions],
    owned_by: Option<(u64, usize)>,
) -> Result<SequenceDesc> {
    let (type_min, type_max) = match ty {
        SqlType::Int2 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        SqlType::Int4 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        SqlType::Int8 => (i64::MIN, i64::MAX),
        _ => return Err(invalid("sequence type must be smallint, integer, or bigint")),
    };
    let mut given = Given::default();
    for option in options {
        given.take(option)?;
    }
    let increment = given.increment.unwrap_or(1);
    if increment == 0 {
        return Err(invalid("INCREMENT must not be zero"));
    }
    let max = given.max.flatten().unwrap_or(if increment > 0 { type_max } else { -1 });
    let min = given.min.flatten().unwrap_or(if increment > 0 { 1 } else { type_min });
    let type_name = ty.pg_name();
    for (what, value) in [("MAXVALUE", max), ("MINVALUE", min)] {
        if value < type_min || value > type_max {
            return Err(invalid(&format!("{what} ({value}) is out of range for sequence data type {type_name}")));
        }
    }
    if min >= max {
        return Err(invalid(&format!("MINVALUE ({min}) must be less than MAXVALUE ({max})")));
    }
    let start = given.start.unwrap_or(if increment > 0 { min } else { max });
    if start < min {
        return Err(invalid(&format!("START value ({start}) cannot be less than MINVALUE ({min})")));
    }
    if start > max {
        return Err(invalid(&format!("START value ({start}) cannot be greater than MAXVALUE ({max})")));
    }
    let cache = given.cache.unwrap_or(1);
    if cache <= 0 {
        return Err(invalid(&format!("CACHE ({cache}) must be greater than zero")));
    }
    let id = meta::allocate(txn, meta::TABLE_IDS, 1)?;
    Ok(SequenceDesc { id, schema_id, name, ty, increment, min, max, start, cache, cycle: given.cycle.unwrap_or(false), owned_by })
}

/// The options given, each at most once.
#[derive(Default)]
struct Given {
    increment: Option<i64>,
    min: Option<Option<i64>>,
    max: Option<Option<i64>>,
    start: Option<i64>,
    cache: Option<i64>,
    cycle: Option<bool>,
}

impl Given {
    fn take(&mut self, option: &SequenceOptions) -> Result<()> {
        fn once<T>(slot: &mut Option<T>, value: T) -> Result<()> {
            match slot.replace(value) {
                Some(_) => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "conflicting or redundant options")),
                None => Ok(()),
            }
        }
        match option {
            SequenceOptions::IncrementBy(e, _) => once(&mut self.increment, number(e)?),
            SequenceOptions::MinValue(e) => once(&mut self.min, e.as_ref().map(number).transpose()?),
            SequenceOptions::MaxValue(e) => once(&mut self.max, e.as_ref().map(number).transpose()?),
            SequenceOptions::StartWith(e, _) => once(&mut self.start, number(e)?),
            SequenceOptions::Cache(e) => once(&mut self.cache, number(e)?),
            SequenceOptions::Cycle(no) => once(&mut self.cycle, !no),
        }
    }
}

/// An option's value: a whole number, as PostgreSQL reads it into a bigint.
fn number(e: &Expr) -> Result<i64> {
    let text: String = e.to_string().chars().filter(|c| !c.is_whitespace()).collect();
    text.parse().map_err(|_| {
        CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid input syntax for type bigint: \"{text}\""))
    })
}

fn invalid(message: &str) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, message)
}

/// The table id and slot `OWNED BY table.column` names (`None` for `OWNED BY NONE`); the
/// table must be in the sequence's schema.
fn owner_column(ctx: &DdlContext<'_>, txn: &Txn, owner: &ObjectName, schema_id: u64) -> Result<Option<(u64, usize)>> {
    let parts: Vec<String> = owner.0.iter().filter_map(|p| p.as_ident()).map(resolve::normalize).collect();
    let (table_parts, column) = match parts.as_slice() {
        [none] if none == "none" => return Ok(None),
        [table @ .., column] if !table.is_empty() => (table, column),
        _ => return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "invalid OWNED BY option").with_hint("Specify OWNED BY table.column or OWNED BY NONE.")),
    };
    let table_name = table_parts.join(".");
    let found = match table_parts {
        [table] => resolve::find_in_path(txn, &ctx.handle.search_path(), table)?.map(|r| r.table),
        [schema, table] => meta::get_table(txn, resolve::schema(txn, schema)?.id, table)?,
        _ => return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("improper relation name (too many dotted names): {table_name}"))),
    };
    let table: TableDesc =
        found.ok_or_else(|| CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{table_name}\" does not exist")))?;
    if table.schema_id != schema_id {
        return Err(CatalogError::new("55000", "sequence must be in same schema as table it is linked to"));
    }
    let (slot, _) = table.column(column).ok_or_else(|| {
        CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{column}\" of relation \"{table_name}\" does not exist"))
    })?;
    Ok(Some((table.id, slot)))
}

/// `DROP SEQUENCE [IF EXISTS] names`.
pub fn drop_sequences(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("DROP SEQUENCE");
    for name in names {
        match resolve::sequence(&txn, &ctx.handle.search_path(), name)? {
            Some(desc) => meta::delete_sequence(&txn, desc.schema_id, &desc.name)?,
            None if if_exists => {
                outcome.notice("00000", format!("sequence \"{}\" does not exist, skipping", resolve::display(name)));
            }
            None => {
                return Err(CatalogError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("sequence \"{}\" does not exist", resolve::display(name)),
                ));
            }
        }
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Drops the sequences the table `table` owns (its `serial` columns'), as DROP TABLE does.
pub(super) fn drop_owned(txn: &Txn, table: &TableDesc) -> Result<()> {
    for sequence in meta::list_sequences(txn, table.schema_id)? {
        if sequence.owned_by.is_some_and(|(id, _)| id == table.id) {
            meta::delete_sequence(txn, sequence.schema_id, &sequence.name)?;
        }
    }
    Ok(())
}
