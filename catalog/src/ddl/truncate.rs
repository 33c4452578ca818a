//! TRUNCATE: a table's rows go at once, in the statement's transaction, by keying the table
//! under a new storage id (its old rows are unreachable, as a dropped table's are) and
//! clearing its indexes' entries. RESTART IDENTITY restarts the sequences its columns own,
//! in the same transaction; CASCADE empties the tables that reference it too.

use datafusion::sql::sqlparser::ast::{CascadeOption, ObjectName, Truncate, TruncateIdentityOption};
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome};
use crate::resolve::Scope;
use crate::access::index;
use crate::descriptor::{TableDesc, TableRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `TRUNCATE [TABLE] [ONLY] a, b [RESTART IDENTITY | CONTINUE IDENTITY] [CASCADE | RESTRICT]`.
pub fn truncate(ctx: &DdlContext<'_>, stmt: &Truncate) -> Result<DdlOutcome> {
    if stmt.partitions.is_some() || stmt.on_cluster.is_some() || stmt.if_exists {
        return Err(CatalogError::unsupported("this form of TRUNCATE"));
    }
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("TRUNCATE TABLE");
    // Every table is found (and locked) before any is emptied.
    let mut tables: Vec<TableDesc> = Vec::new();
    for target in &stmt.table_names {
        let table = truncated(&txn, &ctx.handle.scope(), &target.name)?;
        if !tables.iter().any(|t| t.id == table.id) {
            tables.push(table);
        }
    }
    match stmt.cascade {
        Some(CascadeOption::Cascade) => cascade(&txn, &mut tables, &mut outcome)?,
        Some(CascadeOption::Restrict) | None => refuse_referenced(&tables)?,
    }
    let restart = stmt.identity == Some(TruncateIdentityOption::Restart);
    for table in tables {
        empty(&txn, table, restart)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// The table `name` names, locked against concurrent writers and DDL: 42P01 when there is
/// none, 42809 for a sequence.
fn truncated(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<TableDesc> {
    match resolve::find_table(txn, scope, name)? {
        Some(found) if found.table.materialized.is_some() => {
            Err(CatalogError::new("42809", format!("\"{}\" is not a table", found.table.name)))
        }
        Some(found) => Ok(meta::get_table_for_update(txn, found.schema.id, &found.table.name)?.unwrap_or(found.table)),
        None if resolve::sequence(txn, scope, name)?.is_some() => {
            Err(CatalogError::new("42809", format!("\"{}\" is not a table", resolve::split_name(name)?.1)))
        }
        None => Err(CatalogError::undefined_table(&resolve::display(name))),
    }
}

/// 0A000 when a table is referenced by one that is not emptied with it, as PostgreSQL
/// answers without CASCADE.
fn refuse_referenced(tables: &[TableDesc]) -> Result<()> {
    for table in tables {
        if let Some(child) = table.referenced_by.iter().find(|r| !tables.iter().any(|t| t.id == r.id)) {
            return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot truncate a table referenced in a foreign key constraint")
                .with_detail(format!("Table \"{}\" references \"{}\".", child.name, table.name))
                .with_hint(format!("Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.", child.name)));
        }
    }
    Ok(())
}

/// Adds the tables that reference `tables`, and those that reference them, and so on, each
/// with PostgreSQL's NOTICE, in its order: round by round, by OID (creation) within one.
fn cascade(txn: &Txn, tables: &mut Vec<TableDesc>, outcome: &mut DdlOutcome) -> Result<()> {
    let mut round = tables.len();
    while round > 0 {
        let mut children: Vec<&TableRef> = tables
            .iter()
            .flat_map(|t| &t.referenced_by)
            .filter(|r| !tables.iter().any(|t| t.id == r.id))
            .collect();
        children.sort_by_key(|r| r.id);
        children.dedup_by_key(|r| r.id);
        let children: Vec<TableRef> = children.into_iter().cloned().collect();
        round = children.len();
        for child in children {
            let table = referencing(txn, &child)?;
            outcome.notice("00000", format!("truncate cascades to table \"{}\"", table.name));
            tables.push(table);
        }
    }
    Ok(())
}

/// The table `child` names, locked: by its name, or by its id if it was renamed.
fn referencing(txn: &Txn, child: &TableRef) -> Result<TableDesc> {
    if let Some(table) = meta::get_table_for_update(txn, child.schema_id, &child.name)?.filter(|t| t.id == child.id) {
        return Ok(table);
    }
    let renamed = meta::list_tables(txn, child.schema_id)?.into_iter().find(|t| t.id == child.id);
    let table = renamed.ok_or_else(|| CatalogError::internal(format!("referencing table \"{}\" not found", child.name)))?;
    Ok(meta::get_table_for_update(txn, table.schema_id, &table.name)?.unwrap_or(table))
}

/// Empties `table`: a new storage id, its indexes cleared, and with `restart` its
/// sequences restarted.
pub(super) fn empty(txn: &Txn, mut table: TableDesc, restart: bool) -> Result<TableDesc> {
    table.storage = Some(meta::allocate(txn, meta::TABLE_IDS, 1)?);
    for i in &table.indexes {
        index::clear(txn, i)?;
    }
    if restart {
        super::sequence::restart_owned(txn, &table)?;
    }
    meta::put_table(txn, &table)?;
    Ok(table)
}
