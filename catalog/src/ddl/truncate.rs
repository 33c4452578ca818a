//! TRUNCATE: a table's rows go at once, in the statement's transaction, by keying the table
//! under a new storage id (its old rows are unreachable, as a dropped table's are) and
//! clearing its indexes' entries.

use datafusion::sql::sqlparser::ast::{Truncate, TruncateIdentityOption};

use super::{DdlContext, DdlOutcome};
use crate::access::index;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `TRUNCATE [TABLE] [ONLY] a, b [CONTINUE IDENTITY] [CASCADE | RESTRICT]`.
pub fn truncate(ctx: &DdlContext<'_>, stmt: &Truncate) -> Result<DdlOutcome> {
    if stmt.identity == Some(TruncateIdentityOption::Restart) {
        return Err(CatalogError::unsupported("TRUNCATE ... RESTART IDENTITY"));
    }
    if stmt.partitions.is_some() || stmt.on_cluster.is_some() {
        return Err(CatalogError::unsupported("this form of TRUNCATE"));
    }
    let txn = ctx.handle.txn()?;
    // Every table is found before any is emptied.
    let mut tables = Vec::new();
    for target in &stmt.table_names {
        let found = resolve::table(&txn, &ctx.handle.search_path(), &target.name)?;
        let table = meta::get_table_for_update(&txn, found.schema.id, &found.table.name)?.unwrap_or(found.table);
        tables.push(table);
    }
    // A referenced table goes only with the tables that reference it.
    for table in &tables {
        let emptied = |r: &crate::descriptor::TableRef| tables.iter().any(|t| t.id == r.id);
        if let Some(child) = table.referenced_by.iter().find(|r| !emptied(r)) {
            return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot truncate a table referenced in a foreign key constraint")
                .with_detail(format!("Table \"{}\" references \"{}\".", child.name, table.name))
                .with_hint(format!("Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.", child.name)));
        }
    }
    for mut table in tables {
        table.storage = Some(meta::allocate(&txn, meta::TABLE_IDS, 1)?);
        for i in &table.indexes {
            index::clear(&txn, i)?;
        }
        meta::put_table(&txn, &table)?;
    }
    meta::bump_version(&txn)?;
    Ok(DdlOutcome::new("TRUNCATE TABLE"))
}
