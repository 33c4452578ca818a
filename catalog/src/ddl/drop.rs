//! DROP TABLE and DROP SCHEMA. Removing a table's descriptor makes its rows unreachable at
//! once; the sequences its columns own go with it.

use datafusion::sql::sqlparser::ast::ObjectName;

use super::{DdlContext, DdlOutcome, Notice};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `DROP TABLE [IF EXISTS] a, b [CASCADE | RESTRICT]`.
pub fn drop_tables(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let path = ctx.handle.search_path();
    let mut outcome = DdlOutcome::new("DROP TABLE");
    for name in names {
        let found = match resolve::find_table(&txn, &path, name) {
            Err(e) if e.code == sqlstate::UNDEFINED_SCHEMA && if_exists => None,
            other => other?,
        };
        match found {
            Some(r) => {
                meta::delete_table(&txn, r.schema.id, &r.table.name)?;
                super::sequence::drop_owned(&txn, &r.table)?;
                super::index::forget_indexes(&txn, &r.table)?;
            }
            None if if_exists => outcome.notice("00000", format!("table \"{}\" does not exist, skipping", resolve::display(name))),
            None => {
                return Err(CatalogError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("table \"{}\" does not exist", resolve::display(name)),
                ));
            }
        }
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// `DROP SCHEMA [IF EXISTS] a, b [CASCADE | RESTRICT]`; 2BP01 for a schema that still has
/// tables unless CASCADE.
pub fn drop_schemas(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("DROP SCHEMA");
    for name in names {
        let (_, schema_name) = resolve::split_name(name)?;
        let Some(schema) = meta::get_schema(&txn, &schema_name)? else {
            if if_exists {
                outcome.notice("00000", format!("schema \"{schema_name}\" does not exist, skipping"));
                continue;
            }
            return Err(CatalogError::undefined_schema(&schema_name));
        };
        let tables = meta::list_tables(&txn, schema.id)?;
        let sequences = meta::list_sequences(&txn, schema.id)?;
        // A sequence a table owns goes with the table, unnamed.
        let free: Vec<_> = sequences.iter().filter(|q| q.owned_by.is_none()).collect();
        let dependents: Vec<(&str, &str)> =
            tables.iter().map(|t| ("table", t.name.as_str())).chain(free.iter().map(|q| ("sequence", q.name.as_str()))).collect();
        if !dependents.is_empty() && !cascade {
            let detail: Vec<String> =
                dependents.iter().map(|(kind, name)| format!("{kind} {}.{name} depends on schema {}", schema.name, schema.name)).collect();
            let mut e = CatalogError::new(
                sqlstate::DEPENDENT_OBJECTS,
                format!("cannot drop schema {} because other objects depend on it", schema.name),
            )
            .with_detail(detail.join("\n"));
            e.hint = Some("Use DROP ... CASCADE to drop the dependent objects too.".to_string());
            return Err(e);
        }
        // PostgreSQL qualifies a name only when its schema is not on the search path.
        let in_path = ctx.handle.search_path().contains(&schema.name);
        let cascaded: Vec<String> = dependents
            .iter()
            .map(|(kind, name)| match in_path {
                true => format!("drop cascades to {kind} {name}"),
                false => format!("drop cascades to {kind} {}.{name}", schema.name),
            })
            .collect();
        match cascaded.as_slice() {
            [] => {}
            [one] => outcome.notice("00000", one.clone()),
            many => outcome.notices.push(Notice {
                code: "00000",
                message: format!("drop cascades to {} other objects", many.len()),
                detail: Some(many.join("\n")),
            }),
        }
        for t in &tables {
            meta::delete_table(&txn, schema.id, &t.name)?;
            super::index::forget_indexes(&txn, t)?;
        }
        for sequence in &sequences {
            meta::delete_sequence(&txn, schema.id, &sequence.name)?;
        }
        meta::delete_schema(&txn, &schema.name)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}
