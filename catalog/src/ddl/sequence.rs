//! CREATE, ALTER and DROP SEQUENCE (the options are `sequence_params`), the sequences
//! `serial` and identity columns own, and restarting them (TRUNCATE ... RESTART IDENTITY).
//!
//! A RESTART (ALTER SEQUENCE ... RESTART, TRUNCATE ... RESTART IDENTITY) is transactional,
//! as in PostgreSQL, which gives the sequence a new relfilenode: the descriptor, written in
//! the statement's transaction, gets a fresh storage id, under which the position starts
//! anew; a rollback brings back the old descriptor and its position, which other sessions
//! went on advancing meanwhile. Other options change the descriptor only: the position
//! stays where `nextval` left it, so no value is handed out twice.

use datafusion::sql::sqlparser::ast::{AlterSequence, AlterSequenceOperation, AlterSequenceOption, DataType, ObjectName, SequenceOptions};

use super::sequence_params::{self, Given};
use super::sequence_defaults;
use super::{DdlContext, DdlOutcome};
use crate::resolve::Scope;
use crate::descriptor::{SequenceDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta::SequencePosition;
use crate::{meta, resolve};
use shale_pgtypes::types::SqlType;
use shale_storage::Txn;

/// What `CREATE SEQUENCE` says, parsed.
pub struct CreateSequence<'a> {
    /// The sequence's name as written.
    pub name: &'a ObjectName,
    /// IF NOT EXISTS.
    pub if_not_exists: bool,
    /// TEMPORARY.
    pub temporary: bool,
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
    let (schema, name) = super::temp::creation_schema(&txn, ctx.handle, stmt.name, stmt.temporary)?;
    let mut outcome = DdlOutcome::new("CREATE SEQUENCE");
    if relation_exists(&txn, schema.id, &name)? {
        if stmt.if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let mut given = Given::of_create(stmt.options)?;
    given.ty = stmt.data_type;
    let mut desc = new_sequence(&txn, schema.id, name, SqlType::Int8, &given, None)?;
    if let Some(owner) = stmt.owned_by {
        desc.owned_by = owner_column(ctx, &txn, owner, schema.id)?;
    }
    meta::put_sequence(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Whether a table, a sequence, an index or a view is named `name` in the schema (they share the
/// names of relations), locking the name against a concurrent CREATE.
pub(super) fn relation_exists(txn: &Txn, schema_id: u64, name: &str) -> Result<bool> {
    Ok(meta::get_table_for_update(txn, schema_id, name)?.is_some()
        || meta::get_sequence_for_update(txn, schema_id, name)?.is_some()
        || meta::index_table_for_update(txn, schema_id, name)?.is_some()
        || meta::get_view_for_update(txn, schema_id, name)?.is_some())
}

/// A new sequence's descriptor (its id allocated) of type `ty` from its options, checked as
/// PostgreSQL checks them.
pub(super) fn sequence(
    txn: &Txn,
    schema_id: u64,
    name: String,
    ty: SqlType,
    options: &[SequenceOptions],
    owned_by: Option<(u64, usize)>,
) -> Result<SequenceDesc> {
    new_sequence(txn, schema_id, name, ty, &Given::of_create(options)?, owned_by)
}

fn new_sequence(
    txn: &Txn,
    schema_id: u64,
    name: String,
    ty: SqlType,
    given: &Given<'_>,
    owned_by: Option<(u64, usize)>,
) -> Result<SequenceDesc> {
    let mut desc = SequenceDesc {
        id: 0, schema_id, name, ty, increment: 1, min: 1, max: 1, start: 1, cache: 1, cycle: false, owned_by,
        storage: None, restart: None, comment: None,
    };
    sequence_params::apply(&mut desc, given, true, &mut SequencePosition { last: 1, called: false })?;
    desc.id = meta::allocate(txn, meta::TABLE_IDS, 1)?;
    Ok(desc)
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
    let scope = ctx.handle.scope();
    let found = match table_parts {
        [table] => resolve::find_in_path(txn, &scope, table)?.map(|r| r.table),
        [schema, table] => meta::get_table(txn, resolve::schema(txn, &scope, schema)?.id, table)?,
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
        match resolve::sequence(&txn, &ctx.handle.scope(), name)? {
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

/// Drops the sequences the table `table` owns (its `serial` columns'), as DROP TABLE does,
/// or those its column in `slot` owns, as DROP COLUMN does.
pub(super) fn drop_owned(txn: &Txn, table: &TableDesc, slot: Option<usize>) -> Result<()> {
    for sequence in meta::list_sequences(txn, table.schema_id)? {
        if sequence.owned_by.is_some_and(|(id, owner)| id == table.id && slot.is_none_or(|s| s == owner)) {
            meta::delete_sequence(txn, sequence.schema_id, &sequence.name)?;
        }
    }
    Ok(())
}

/// `ALTER SEQUENCE [IF EXISTS] name` with options, or `RENAME TO`.
pub fn alter_sequence(ctx: &DdlContext<'_>, stmt: &AlterSequence) -> Result<DdlOutcome> {
    match &stmt.operation {
        AlterSequenceOperation::SetSchema(_) => return Err(CatalogError::unsupported("ALTER SEQUENCE ... SET SCHEMA")),
        AlterSequenceOperation::OwnerTo(_) => return Err(CatalogError::unsupported("ALTER SEQUENCE ... OWNER TO")),
        AlterSequenceOperation::Options(_) | AlterSequenceOperation::RenameTo(_) => {}
    }
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("ALTER SEQUENCE");
    let Some(desc) = altered(&txn, &ctx.handle.scope(), &stmt.name, stmt.if_exists)? else {
        let (_, name) = resolve::split_name(&stmt.name)?;
        outcome.notice("00000", format!("relation \"{name}\" does not exist, skipping"));
        return Ok(outcome);
    };
    match &stmt.operation {
        AlterSequenceOperation::Options(options) => alter_options(ctx, &txn, desc, options)?,
        AlterSequenceOperation::RenameTo(name) => rename(ctx, &txn, desc, resolve::normalize(name))?,
        // Refused above.
        AlterSequenceOperation::SetSchema(_) | AlterSequenceOperation::OwnerTo(_) => {}
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// The sequence ALTER SEQUENCE names, locked against concurrent DDL: the first relation of
/// that name in the named schema or the search path, which must be a sequence (42809).
/// `None` when there is none and `if_exists` (else 42P01, or 3F000 for a named schema that
/// does not exist).
fn altered(txn: &Txn, scope: &Scope, name: &ObjectName, if_exists: bool) -> Result<Option<SequenceDesc>> {
    let (schema_name, relation) = scope.split(name)?;
    let schemas = match &schema_name {
        Some(s) if if_exists || scope.get_schema(txn, s)?.is_some() => vec![s.clone()],
        Some(s) => return Err(CatalogError::undefined_schema(s)),
        None => scope.candidates(None),
    };
    for schema in schemas {
        let Some(schema) = scope.get_schema(txn, &schema)? else { continue };
        if let Some(desc) = meta::get_sequence_for_update(txn, schema.id, &relation)? {
            return Ok(Some(desc));
        }
        if meta::get_table(txn, schema.id, &relation)?.is_some() || meta::index_table_for_update(txn, schema.id, &relation)?.is_some() {
            return Err(CatalogError::new("42809", format!("\"{relation}\" is not a sequence")));
        }
    }
    match if_exists {
        true => Ok(None),
        false => Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", resolve::display(name)))),
    }
}

/// ALTER SEQUENCE's options: checked as PostgreSQL checks them against the sequence's
/// options and where it stands; a RESTART gives it a fresh position (see the module docs).
fn alter_options(ctx: &DdlContext<'_>, txn: &Txn, desc: SequenceDesc, options: &[AlterSequenceOption]) -> Result<()> {
    let given = Given::of_alter(options)?;
    let mut altered = desc.clone();
    let mut position = meta::sequence_position(txn, &desc)?;
    sequence_params::apply(&mut altered, &given, false, &mut position)?;
    let first = match given.restart {
        Some(_) => {
            altered.storage = Some(meta::allocate(txn, meta::TABLE_IDS, 1)?);
            position.last
        }
        None => desc.first_value(),
    };
    altered.restart = Some(first).filter(|first| *first != altered.start);
    if let Some(owner) = given.owned_by {
        refuse_identity_owner(txn, &desc)?;
        altered.owned_by = owner_column(ctx, txn, owner, desc.schema_id)?;
    }
    meta::put_sequence(txn, &altered)
}

/// 0A000 for OWNED BY on the sequence of an identity column, which PostgreSQL keeps.
fn refuse_identity_owner(txn: &Txn, desc: &SequenceDesc) -> Result<()> {
    let Some((table_id, slot)) = desc.owned_by else { return Ok(()) };
    let Some(table) = meta::list_tables(txn, desc.schema_id)?.into_iter().find(|t| t.id == table_id) else { return Ok(()) };
    match table.columns.get(slot).is_some_and(|c| c.identity.is_some()) {
        true => Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot change ownership of identity sequence")
            .with_detail(format!("Sequence \"{}\" is linked to table \"{}\".", desc.name, table.name))),
        false => Ok(()),
    }
}

/// `ALTER SEQUENCE ... RENAME TO new_name` (42P07 when a relation of the schema has that
/// name). The column defaults that name the sequence (`nextval('s'::regclass)`, kept as
/// text) are made to name it anew, as PostgreSQL's, which hold its OID, follow it.
fn rename(ctx: &DdlContext<'_>, txn: &Txn, mut desc: SequenceDesc, name: String) -> Result<()> {
    if relation_exists(txn, desc.schema_id, &name)? {
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    meta::delete_sequence(txn, desc.schema_id, &desc.name)?;
    let old = std::mem::replace(&mut desc.name, name);
    meta::put_sequence(txn, &desc)?;
    sequence_defaults::rename(txn, &ctx.handle.scope(), &desc, &old)
}

/// Restarts the sequences the columns of `table` own (TRUNCATE ... RESTART IDENTITY): each
/// gets a fresh position at its START, in the transaction (see the module docs).
pub(super) fn restart_owned(txn: &Txn, table: &TableDesc) -> Result<()> {
    for owned in meta::list_sequences(txn, table.schema_id)? {
        if !owned.owned_by.is_some_and(|(id, _)| id == table.id) {
            continue;
        }
        // Read again with its lock, so that a concurrent ALTER SEQUENCE is not undone.
        let Some(mut sequence) = meta::get_sequence_for_update(txn, owned.schema_id, &owned.name)? else { continue };
        sequence.storage = Some(meta::allocate(txn, meta::TABLE_IDS, 1)?);
        sequence.restart = None;
        meta::put_sequence(txn, &sequence)?;
    }
    Ok(())
}
