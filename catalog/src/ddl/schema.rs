//! CREATE SCHEMA.

use datafusion::sql::sqlparser::ast::SchemaName;

use super::{DdlContext, DdlOutcome};
use crate::descriptor::SchemaDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `CREATE SCHEMA [IF NOT EXISTS] name`.
pub fn create_schema(ctx: &DdlContext<'_>, name: &SchemaName, if_not_exists: bool) -> Result<DdlOutcome> {
    let SchemaName::Simple(name) = name else {
        return Err(CatalogError::unsupported("CREATE SCHEMA ... AUTHORIZATION"));
    };
    let (None, name) = resolve::split_name(name)? else {
        return Err(CatalogError::unsupported("CREATE SCHEMA with a qualified name"));
    };
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("CREATE SCHEMA");
    let database_id = ctx.handle.identity().database_id;
    if meta::get_schema(&txn, database_id, &name)?.is_some() {
        if if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_SCHEMA, format!("schema \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(
            sqlstate::DUPLICATE_SCHEMA,
            format!("schema \"{name}\" already exists"),
        ));
    }
    if name.starts_with("pg_") {
        return Err(CatalogError::new(
            "42939",
            format!("unacceptable schema name \"{name}\""),
        )
        .with_detail("The prefix \"pg_\" is reserved for system schemas."));
    }
    let id = meta::allocate(&txn, meta::SCHEMA_IDS, 1)?;
    meta::put_schema(&txn, database_id, &SchemaDesc { id, name, comment: None })?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}
