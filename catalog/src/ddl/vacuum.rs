//! VACUUM: checked as PostgreSQL checks it, with nothing left to do. Shale's tables hold no
//! dead row versions (RocksDB keeps a key's older versions only while a snapshot needs
//! them, and its compactions reclaim the space of deleted rows and dropped tables on their
//! own), so there is nothing to reclaim or freeze. VACUUM ANALYZE is refused until ANALYZE
//! keeps statistics.

use datafusion::sql::sqlparser::ast::{ObjectName, VacuumStatement};

use super::{DdlContext, DdlOutcome};
use crate::error::{CatalogError, Result, sqlstate};
use crate::resolve;

/// The options PostgreSQL 15's VACUUM takes, ANALYZE aside.
const OPTIONS: &[&str] =
    &["full", "freeze", "verbose", "skip_locked", "index_cleanup", "process_toast", "truncate", "parallel", "disable_page_skipping"];

/// `VACUUM [ ( option [, ...] ) ] [ table [ (columns) ] [, ...] ]` and
/// `VACUUM [ FULL ] [ FREEZE ] [ VERBOSE ] [ table [, ...] ]`.
pub fn vacuum(ctx: &DdlContext<'_>, stmt: &VacuumStatement, in_block: bool) -> Result<DdlOutcome> {
    if stmt.sort_only || stmt.delete_only || stmt.reindex || stmt.recluster || stmt.threshold.is_some() || stmt.boost {
        return Err(CatalogError::unsupported("this form of VACUUM"));
    }
    let mut analyze = stmt.analyze;
    for option in &stmt.options {
        let name = resolve::normalize(&option.name);
        if name == "analyze" {
            analyze = true;
        } else if !OPTIONS.contains(&name.as_str()) {
            return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("unrecognized VACUUM option \"{name}\"")));
        }
    }
    if in_block {
        return Err(CatalogError::new(sqlstate::ACTIVE_SQL_TRANSACTION, "VACUUM cannot run inside a transaction block"));
    }
    if analyze {
        return Err(CatalogError::unsupported("VACUUM ANALYZE (Shale keeps no planner statistics yet)"));
    }
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let first = stmt.table_name.iter().map(|name| (name, &stmt.columns));
    let tables: Vec<(&ObjectName, &Vec<_>)> = first.chain(stmt.more_tables.iter().map(|t| (&t.name, &t.columns))).collect();
    for (name, columns) in tables {
        if !columns.is_empty() {
            return Err(CatalogError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "ANALYZE option must be specified when a column list is provided",
            ));
        }
        resolve::table(&txn, &scope, name)?;
    }
    Ok(DdlOutcome::new("VACUUM"))
}
