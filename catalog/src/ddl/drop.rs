//! DROP TABLE and DROP SCHEMA. Removing a table's descriptor makes its rows unreachable at
//! once; the sequences its columns own go with it.

use datafusion::sql::sqlparser::ast::ObjectName;

use super::{DdlContext, DdlOutcome, Notice};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `DROP TABLE [IF EXISTS] a, b [CASCADE | RESTRICT]`: 2BP01 for a table another one's
/// foreign key references, unless that one goes too or CASCADE drops the foreign key.
pub fn drop_tables(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("DROP TABLE");
    let mut dropped = Vec::new();
    for name in names {
        let found = match resolve::find_table(&txn, &scope, name) {
            Err(e) if e.code == sqlstate::UNDEFINED_SCHEMA && if_exists => None,
            other => other?,
        };
        match found {
            Some(r) if r.table.materialized.is_some() => {
                return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", r.table.name))
                    .with_hint("Use DROP MATERIALIZED VIEW to remove a materialized view."));
            }
            Some(r) => dropped.push(r.table),
            None if resolve::find_view(&txn, &scope, name).ok().flatten().is_some() => {
                return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", resolve::split_name(name)?.1))
                    .with_hint("Use DROP VIEW to remove a view."));
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
    drop_found(&txn, dropped, cascade, &mut outcome)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Drops the tables `dropped` (found, not yet locked) with their sequences, indexes and
/// references: 2BP01 for a table another one's foreign key or a view depends on, unless
/// `cascade` drops those too (with PostgreSQL's NOTICE in `outcome`).
pub(super) fn drop_found(txn: &shale_storage::Txn, dropped: Vec<crate::descriptor::TableDesc>, cascade: bool, outcome: &mut DdlOutcome) -> Result<()> {
    // Lock them, then read what depends on them as committed now: a view made on one
    // while this waited is seen (and refuses the DROP).
    for table in &dropped {
        meta::get_table_for_update(&txn, table.schema_id, &table.name)?;
    }
    txn.new_statement()?;
    // The foreign keys of other tables that reference the dropped ones.
    let going = |id: u64| dropped.iter().any(|t| t.id == id);
    let mut dependents = Vec::new();
    for table in &dropped {
        for child in table.referenced_by.iter().filter(|r| !going(r.id)) {
            let Some(referencing) = meta::get_table_for_update(&txn, child.schema_id, &child.name)? else { continue };
            for k in referencing.foreign_keys.iter().filter(|k| k.parent.id == table.id) {
                dependents.push((k.name.clone(), child.clone(), table.name.clone()));
            }
        }
    }
    // The views that read them.
    let ids: Vec<u64> = dropped.iter().map(|t| t.id).collect();
    let roots = dropped.iter().map(|t| (t.id, format!("table {}", t.name))).collect();
    let views = super::view::dependents(&txn, roots, &ids)?;
    if (!dependents.is_empty() || !views.is_empty()) && !cascade {
        let detail: Vec<String> = dependents
            .iter()
            .map(|(k, child, parent)| format!("constraint {k} on table {} depends on table {parent}", child.name))
            .chain(views.iter().map(|d| format!("{} depends on {}", d.view.described(), d.on)))
            .collect();
        let first = dependents.first().map_or_else(|| views[0].on.clone(), |d| format!("table {}", d.2));
        return Err(super::view::dependent_objects(&first, detail));
    }
    cascade_notice(
        outcome,
        dependents
            .iter()
            .map(|(k, child, _)| format!("drop cascades to constraint {k} on table {}", child.name))
            .chain(views.iter().map(|d| format!("drop cascades to {}", d.view.described())))
            .collect(),
    );
    super::view::drop_all(&txn, views.iter().map(|d| &d.view))?;
    for (name, child, _) in &dependents {
        if let Some(mut referencing) = meta::get_table_for_update(&txn, child.schema_id, &child.name)? {
            referencing.foreign_keys.retain(|k| &k.name != name);
            meta::put_table(&txn, &referencing)?;
        }
    }
    for table in &dropped {
        // Read again: a CASCADE above may have changed it.
        let table = meta::get_table_for_update(&txn, table.schema_id, &table.name)?.unwrap_or_else(|| table.clone());
        meta::delete_table(&txn, table.schema_id, &table.name)?;
        super::sequence::drop_owned(&txn, &table, None)?;
        super::index::forget_indexes(&txn, &table)?;
        super::foreign_key::forget_references(&txn, &table)?;
    }
    Ok(())
}

/// `DROP SCHEMA [IF EXISTS] a, b [CASCADE | RESTRICT]`; 2BP01 for a schema that still has
/// tables unless CASCADE.
pub fn drop_schemas(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("DROP SCHEMA");
    let scope = ctx.handle.scope();
    for name in names {
        let (_, schema_name) = resolve::split_name(name)?;
        let Some(schema) = scope.get_schema(&txn, &schema_name)? else {
            if if_exists {
                outcome.notice("00000", format!("schema \"{schema_name}\" does not exist, skipping"));
                continue;
            }
            return Err(CatalogError::undefined_schema(&schema_name));
        };
        let tables = meta::list_tables(&txn, schema.id)?;
        let elsewhere = |r: &crate::descriptor::TableRef| r.schema_id != schema.id;
        if tables.iter().any(|t| t.referenced_by.iter().any(elsewhere) || t.foreign_keys.iter().any(|k| elsewhere(&k.parent))) {
            return Err(CatalogError::unsupported("DROP SCHEMA of a schema whose tables have foreign keys to or from other schemas"));
        }
        let sequences = meta::list_sequences(&txn, schema.id)?;
        let views = meta::list_views(&txn, schema.id)?;
        let types = meta::list_types(&txn, schema.id)?;
        let type_oids: Vec<u32> = types.iter().map(crate::descriptor::TypeDesc::oid).collect();
        if super::types::columns_of_types(&txn, &scope, &type_oids)?.iter().any(|(t, _)| t.schema_id != schema.id) {
            return Err(CatalogError::unsupported("DROP SCHEMA of a schema whose types columns of other schemas have"));
        }
        // A sequence a table owns goes with the table, unnamed.
        let free: Vec<_> = sequences.iter().filter(|q| q.owned_by.is_none()).collect();
        let dependents: Vec<(&str, &str)> = tables
            .iter()
            .map(|t| (if t.materialized.is_some() { "materialized view" } else { "table" }, t.name.as_str()))
            .chain(views.iter().map(|v| ("view", v.name.as_str())))
            .chain(free.iter().map(|q| ("sequence", q.name.as_str())))
            .chain(types.iter().map(|t| ("type", t.name.as_str())))
            .collect();
        // Views of other schemas that read its tables and views go too.
        let inside: Vec<u64> = tables.iter().map(|t| t.id).chain(views.iter().map(|v| v.id)).collect();
        let roots = tables.iter().map(|t| (t.id, String::new())).chain(views.iter().map(|v| (v.id, String::new()))).collect();
        let outside = super::view::dependents(&txn, roots, &inside)?;
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
        let in_path = scope.lookup_path().any(|s| s == &schema.name);
        let cascaded: Vec<String> = dependents
            .iter()
            .map(|(kind, name)| match in_path {
                true => format!("drop cascades to {kind} {name}"),
                false => format!("drop cascades to {kind} {}.{name}", schema.name),
            })
            .chain(outside.iter().map(|d| format!("drop cascades to {}", d.view.described())))
            .collect();
        cascade_notice(&mut outcome, cascaded);
        super::view::drop_all(&txn, outside.iter().map(|d| &d.view))?;
        remove_schema(&txn, scope.database_id, &schema, &tables, &sequences)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Removes the schema `schema` of the database `database_id` with its `tables` (their rows
/// become unreachable), their indexes' names, its `sequences`, its views and its types.
pub(super) fn remove_schema(
    txn: &shale_storage::Txn,
    database_id: u64,
    schema: &crate::descriptor::SchemaDesc,
    tables: &[crate::descriptor::TableDesc],
    sequences: &[crate::descriptor::SequenceDesc],
) -> Result<()> {
    for t in tables {
        match t.materialized {
            Some(_) => super::view::remove_materialized(txn, t)?,
            None => {
                meta::delete_table(txn, schema.id, &t.name)?;
                super::index::forget_indexes(txn, t)?;
            }
        }
    }
    for sequence in sequences {
        meta::delete_sequence(txn, schema.id, &sequence.name)?;
    }
    for view in meta::list_views(txn, schema.id)? {
        meta::delete_view(txn, &view)?;
    }
    for desc in meta::list_types(txn, schema.id)? {
        meta::delete_type(txn, &desc)?;
    }
    meta::delete_schema(txn, database_id, &schema.name)
}

/// PostgreSQL's NOTICE for what a CASCADE dropped too: the one object, or how many with
/// the list in DETAIL.
pub(super) fn cascade_notice(outcome: &mut DdlOutcome, cascaded: Vec<String>) {
    match cascaded.as_slice() {
        [] => {}
        [one] => outcome.notice("00000", one.clone()),
        many => outcome.notices.push(Notice {
            severity: "NOTICE",
            code: "00000",
            message: format!("drop cascades to {} other objects", many.len()),
            detail: Some(many.join("\n")),
        }),
    }
}
