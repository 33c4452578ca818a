//! Temporary objects: the session's own schema `pg_temp_N`, made in storage when the
//! session first creates a temporary table, sequence or view, searched before
//! `search_path`, and dropped with everything in it when the session ends (a server that
//! stopped without dropping one drops it at its next start). `ON COMMIT DELETE ROWS`
//! tables are emptied and `ON COMMIT DROP` ones dropped by each commit.

use datafusion::sql::sqlparser::ast::ObjectName;
use shale_storage::{Store, Txn};

use super::DdlOutcome;
use crate::descriptor::{OnCommit, SchemaDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::session::handle::SessionHandle;
use crate::session::temp_slots::{self, TEMP_ALIAS};
use crate::{meta, resolve};

/// The schema a new relation named `name` goes in, and its unqualified name: the session's
/// temporary schema (made now if needed) when `temporary` is asked for, when the name
/// is qualified with `pg_temp`, or when `search_path` lists `pg_temp` first; else what
/// [`resolve::creation_schema`] answers. A temporary relation in another schema is 42P16.
pub(crate) fn creation_schema(txn: &Txn, handle: &SessionHandle, name: &ObjectName, temporary: bool) -> Result<(SchemaDesc, String)> {
    let scope = handle.scope();
    let (schema_name, object) = scope.split(name)?;
    let in_temp = match &schema_name {
        Some(s) if scope.is_own_temp(s) => true,
        Some(_) if temporary => {
            return Err(CatalogError::new(sqlstate::INVALID_TABLE_DEFINITION, "cannot create temporary relation in non-temporary schema"));
        }
        Some(_) => false,
        None => temporary || first_explicit_is_temp(txn, &scope)?,
    };
    match in_temp {
        true => Ok((temp_schema(txn, handle)?, object)),
        false => resolve::creation_schema(txn, &scope, name),
    }
}

/// Whether the first schema of `search_path` that can be created in is `pg_temp`.
fn first_explicit_is_temp(txn: &Txn, scope: &resolve::Scope) -> Result<bool> {
    for s in &scope.search_path {
        if scope.is_own_temp(s) {
            return Ok(true);
        }
        if scope.get_schema(txn, s)?.is_some() {
            return Ok(false);
        }
    }
    Ok(false)
}

/// The session's temporary schema, made in `txn` if it does not exist.
fn temp_schema(txn: &Txn, handle: &SessionHandle) -> Result<SchemaDesc> {
    let name = handle.assign_temp_schema();
    let database_id = handle.identity().database_id;
    if let Some(schema) = meta::get_schema(txn, database_id, &name)? {
        return Ok(schema);
    }
    let schema = SchemaDesc { id: meta::allocate(txn, meta::SCHEMA_IDS, 1)?, name, comment: None };
    meta::put_schema(txn, database_id, &schema)?;
    meta::bump_version(txn)?;
    Ok(schema)
}

/// Whether `schema` is the temporary schema of another session than `handle`'s.
pub(crate) fn is_other_sessions(handle: &SessionHandle, schema: &str) -> bool {
    temp_slots::is_temp_schema(schema) && !handle.scope().is_own_temp(schema)
}

/// 0A000 for reading or writing a temporary table of another session, as PostgreSQL
/// answers.
pub(crate) fn other_sessions_table() -> CatalogError {
    CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot access temporary tables of other sessions")
}

/// What COMMIT does to the session's temporary tables: empties those made `ON COMMIT
/// DELETE ROWS` and drops those made `ON COMMIT DROP`, in `txn` before it commits.
pub fn on_commit(handle: &SessionHandle, txn: &Txn) -> Result<()> {
    let Some(name) = handle.scope().temp_schema else { return Ok(()) };
    let Some(schema) = meta::get_schema(txn, handle.identity().database_id, &name)? else { return Ok(()) };
    let mut dropped = Vec::new();
    for table in meta::list_tables(txn, schema.id)? {
        match table.on_commit {
            Some(OnCommit::DeleteRows) => {
                super::truncate::empty(txn, table, false)?;
            }
            Some(OnCommit::Drop) => dropped.push(table),
            None => {}
        }
    }
    if !dropped.is_empty() {
        super::drop::drop_found(txn, dropped, true, &mut DdlOutcome::new("DROP TABLE"))?;
        meta::bump_version(txn)?;
    }
    Ok(())
}

/// `DISCARD TEMP`: drops the session's temporary schema with everything in it, in the
/// statement's transaction.
pub fn discard_temp(handle: &SessionHandle) -> Result<()> {
    let txn = handle.txn()?;
    let Some(name) = handle.scope().temp_schema else { return Ok(()) };
    drop_schema_named(&txn, handle.identity().database_id, &name)
}

/// Drops the temporary schema numbered `slot` of the database `database_id`, in a
/// transaction of its own (the session that had it has ended).
pub fn drop_session_schema(store: &Store, database_id: u64, slot: u32) -> Result<()> {
    let txn = store.begin();
    drop_schema_named(&txn, database_id, &temp_slots::schema_name(slot))?;
    Ok(txn.commit()?)
}

/// Drops every temporary schema of every database: at start no session has one.
pub fn drop_orphans(store: &Store) -> Result<()> {
    let txn = store.begin();
    for database in meta::list_databases(&txn)? {
        for schema in meta::list_schemas(&txn, database.id)? {
            if temp_slots::is_temp_schema(&schema.name) {
                drop_schema_named(&txn, database.id, &schema.name)?;
            }
        }
    }
    Ok(txn.commit()?)
}

/// Drops the schema `name` of `database_id` (if it exists) and everything in it.
fn drop_schema_named(txn: &Txn, database_id: u64, name: &str) -> Result<()> {
    debug_assert_ne!(name, TEMP_ALIAS);
    let Some(schema) = meta::get_schema(txn, database_id, name)? else { return Ok(()) };
    let tables = meta::list_tables(txn, schema.id)?;
    let sequences = meta::list_sequences(txn, schema.id)?;
    super::drop::remove_schema(txn, database_id, &schema, &tables, &sequences)?;
    meta::bump_version(txn)?;
    Ok(())
}
