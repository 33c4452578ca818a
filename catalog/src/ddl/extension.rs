//! CREATE EXTENSION and DROP EXTENSION for the extensions whose functions Shale has built
//! in: recorded per database, so `pg_extension` and psql's `\dx` list them.

use datafusion::sql::sqlparser::ast::{CreateExtension, DropExtension};

use super::{DdlContext, DdlOutcome};
use crate::descriptor::ExtensionDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// An extension Shale provides: its name, version and description (PostgreSQL 15's).
pub struct Available {
    /// `pg_extension.extname`.
    pub name: &'static str,
    /// `pg_extension.extversion`.
    pub version: &'static str,
    /// What `\dx` describes it as.
    pub comment: &'static str,
}

/// The extensions CREATE EXTENSION makes.
pub const AVAILABLE: &[Available] = &[
    Available { name: "pgcrypto", version: "1.3", comment: "cryptographic functions" },
    Available { name: "uuid-ossp", version: "1.1", comment: "generate universally unique identifiers (UUIDs)" },
];

/// `CREATE EXTENSION [IF NOT EXISTS] name [WITH] [SCHEMA s] [VERSION v] [CASCADE]`.
pub fn create_extension(ctx: &DdlContext<'_>, stmt: &CreateExtension) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let name = resolve::normalize(&stmt.name);
    let mut outcome = DdlOutcome::new("CREATE EXTENSION");
    let Some(available) = AVAILABLE.iter().find(|a| a.name == name) else {
        let names: Vec<&str> = AVAILABLE.iter().map(|a| a.name).collect();
        return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("extension \"{name}\" is not available"))
            .with_hint(format!("The extensions Shale provides are: {}.", names.join(", "))));
    };
    if meta::get_extension_for_update(&txn, scope.database_id, &name)?.is_some() {
        if stmt.if_not_exists {
            outcome.notice("42710", format!("extension \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new("42710", format!("extension \"{name}\" already exists")));
    }
    if let Some(version) = &stmt.version
        && version.value != available.version
    {
        return Err(CatalogError::new(
            sqlstate::INVALID_PARAMETER,
            format!("extension \"{name}\" has no installation script nor update path for version \"{}\"", version.value),
        ));
    }
    let schema = match &stmt.schema {
        Some(s) => resolve::schema(&txn, &scope, &resolve::normalize(s))?,
        None => {
            let current = resolve::current_schema(&txn, &scope)?
                .ok_or_else(|| CatalogError::new(sqlstate::UNDEFINED_SCHEMA, "no schema has been selected to create in"))?;
            resolve::schema(&txn, &scope, &current)?
        }
    };
    let desc = ExtensionDesc {
        id: meta::allocate(&txn, meta::TABLE_IDS, 1)?,
        name,
        version: available.version.to_string(),
        schema_id: schema.id,
    };
    meta::put_extension(&txn, scope.database_id, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// `DROP EXTENSION [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`.
pub fn drop_extension(ctx: &DdlContext<'_>, stmt: &DropExtension) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("DROP EXTENSION");
    // Nothing depends on an extension here (its functions are built in): CASCADE and
    // RESTRICT drop the same.
    let mut dropped = Vec::new();
    for ident in &stmt.names {
        let name = resolve::normalize(ident);
        match meta::get_extension_for_update(&txn, scope.database_id, &name)? {
            Some(_) => dropped.push(name),
            None if stmt.if_exists => outcome.notice("00000", format!("extension \"{name}\" does not exist, skipping")),
            None => return Err(CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("extension \"{name}\" does not exist"))),
        }
    }
    for name in dropped {
        meta::delete_extension(&txn, scope.database_id, &name)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}
