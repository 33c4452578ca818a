//! `REINDEX [ ( VERBOSE | CONCURRENTLY | TABLESPACE pg_default ) ] { INDEX | TABLE | SCHEMA
//! | DATABASE | SYSTEM } [ CONCURRENTLY ] name`: an index's entries are cleared and written
//! anew from its table's rows, in the statement's transaction, with the table's descriptor
//! locked as CREATE INDEX locks it (writers of the table wait). A primary key is the rows'
//! own key and has no entries to rebuild; the system catalogs are computed and have no
//! indexes. SCHEMA, DATABASE, SYSTEM and CONCURRENTLY refuse a transaction block (25001),
//! as PostgreSQL does.

use datafusion::sql::sqlparser::ast::{Expr, Reindex, ReindexObject, Value};
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome, Notice};
use crate::access::index;
use crate::access::index_keys::IndexKey;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// REINDEX; `in_block`: whether it runs in a transaction block (or the implicit one of a
/// message of several statements).
pub fn reindex(ctx: &DdlContext<'_>, stmt: &Reindex, in_block: bool) -> Result<DdlOutcome> {
    let mut verbose = false;
    let mut concurrently = stmt.concurrently;
    for option in &stmt.options {
        match (option.name.value.to_lowercase().as_str(), &option.arg) {
            ("verbose", arg) => verbose = flag("verbose", arg)?,
            ("concurrently", arg) => concurrently |= flag("concurrently", arg)?,
            ("tablespace", Some(arg)) => default_tablespace(arg)?,
            (name, _) => return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("unrecognized REINDEX option \"{name}\""))),
        }
    }
    if in_block {
        let what = match (concurrently, stmt.object) {
            (true, _) => Some("REINDEX CONCURRENTLY"),
            (false, ReindexObject::Schema) => Some("REINDEX SCHEMA"),
            (false, ReindexObject::Database) => Some("REINDEX DATABASE"),
            (false, ReindexObject::System) => Some("REINDEX SYSTEM"),
            (false, _) => None,
        };
        if let Some(what) = what {
            return Err(CatalogError::new("25001", format!("{what} cannot run inside a transaction block")));
        }
    }
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("REINDEX");
    let scope = ctx.handle.scope();
    let name = || stmt.name.as_ref().ok_or_else(|| CatalogError::new(sqlstate::SYNTAX_ERROR, "syntax error at end of input"));
    match stmt.object {
        ReindexObject::Index => {
            let name = name()?;
            let Some((table, position)) = super::index::find_index(ctx, &txn, name)? else {
                return match resolve::find_table(&txn, &scope, name)? {
                    Some(_) => Err(CatalogError::new("42809", format!("\"{}\" is not an index", resolve::display(name)))),
                    None => Err(CatalogError::undefined_table(&resolve::display(name))),
                };
            };
            rebuild(ctx, &txn, &table, Some(position), verbose, &mut outcome)?;
        }
        ReindexObject::Table => {
            let name = name()?;
            let found = resolve::find_table(&txn, &scope, name)?.ok_or_else(|| CatalogError::undefined_table(&resolve::display(name)))?;
            let table = super::index::locked_table(&txn, found.schema.id, &found.table.name)?;
            if table.indexes.is_empty() && !table.has_primary_key() {
                outcome.notice("00000", format!("table \"{}\" has no indexes to reindex", table.name));
            }
            rebuild(ctx, &txn, &table, None, verbose, &mut outcome)?;
        }
        ReindexObject::Schema => {
            let (_, schema) = resolve::split_name(name()?)?;
            let desc = resolve::schema(&txn, &scope, &schema)?;
            for table in meta::list_tables(&txn, desc.id)? {
                let table = super::index::locked_table(&txn, desc.id, &table.name)?;
                rebuild(ctx, &txn, &table, None, verbose, &mut outcome)?;
            }
        }
        ReindexObject::Database | ReindexObject::System => {
            // PostgreSQL 15 requires the name (16 made it optional).
            let (_, database) = resolve::split_name(name()?)?;
            if database != scope.database {
                return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "can only reindex the currently open database"));
            }
            if stmt.object == ReindexObject::Database {
                for schema in meta::list_schemas(&txn, scope.database_id)? {
                    for table in meta::list_tables(&txn, schema.id)? {
                        let table = super::index::locked_table(&txn, schema.id, &table.name)?;
                        rebuild(ctx, &txn, &table, None, verbose, &mut outcome)?;
                    }
                }
            }
        }
    }
    Ok(outcome)
}

/// Rebuilds the index at `position` of `table`, or all of them (`None`); with `verbose`, an
/// INFO for each, the primary key's included.
fn rebuild(ctx: &DdlContext<'_>, txn: &Txn, table: &TableDesc, position: Option<usize>, verbose: bool, outcome: &mut DdlOutcome) -> Result<()> {
    if verbose && position.is_none() && table.has_primary_key() {
        outcome.notices.push(reindexed(&table.pkey_constraint_name()));
    }
    for (i, desc) in table.indexes.iter().enumerate().filter(|(i, _)| position.is_none_or(|p| p == *i)) {
        index::clear(txn, desc)?;
        index::build(txn, table, desc, &IndexKey::new(ctx.state, table, desc)?)?;
        if verbose {
            outcome.notices.push(reindexed(&table.indexes[i].name));
        }
    }
    Ok(())
}

/// VERBOSE's INFO for the index `name`.
fn reindexed(name: &str) -> Notice {
    Notice { severity: "INFO", code: "00000", message: format!("index \"{name}\" was reindexed"), detail: None }
}

/// The boolean argument of the option `name` (none: true).
fn flag(name: &str, arg: &Option<Expr>) -> Result<bool> {
    let text = match arg {
        None => return Ok(true),
        Some(Expr::Value(v)) => match &v.value {
            Value::Boolean(b) => return Ok(*b),
            Value::SingleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        Some(Expr::Identifier(ident)) => ident.value.clone(),
        Some(other) => other.to_string(),
    };
    match text.to_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("{name} requires a Boolean value"))),
    }
}

/// `TABLESPACE t`: Shale has the one tablespace `pg_default` (42704 for any other).
fn default_tablespace(arg: &Expr) -> Result<()> {
    let name = match arg {
        Expr::Identifier(ident) => resolve::normalize(ident),
        other => other.to_string(),
    };
    match name == "pg_default" {
        true => Ok(()),
        false => Err(CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("tablespace \"{name}\" does not exist"))),
    }
}
