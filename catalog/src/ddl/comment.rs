//! COMMENT ON: a description kept in the descriptor of what it describes (so it goes when
//! the object goes), shown by `pg_description`, `obj_description` and `col_description`.

use datafusion::sql::sqlparser::ast::{CommentObject, ObjectName};
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// `COMMENT ON { TABLE | COLUMN | VIEW | MATERIALIZED VIEW | INDEX | SEQUENCE | SCHEMA | TYPE }
/// name IS 'text' | NULL` (an empty text removes the comment too, as in PostgreSQL).
pub fn comment_on(ctx: &DdlContext<'_>, object: &CommentObject, name: &ObjectName, text: Option<&str>) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let comment = text.filter(|t| !t.is_empty()).map(str::to_string);
    match object {
        CommentObject::Table | CommentObject::MaterializedView => {
            let mut table = locked_table(ctx, &txn, name)?;
            let materialized = matches!(object, CommentObject::MaterializedView);
            if table.materialized.is_some() != materialized {
                let kind = if materialized { "a materialized view" } else { "a table" };
                return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not {kind}", table.name)));
            }
            table.comment = comment;
            meta::put_table(&txn, &table)?;
        }
        CommentObject::View => {
            let mut view = locked_view(ctx, &txn, name)?.ok_or_else(|| CatalogError::undefined_table(&resolve::display(name)))?;
            view.comment = comment;
            meta::put_view(&txn, &view)?;
        }
        CommentObject::Column => comment_on_column(ctx, &txn, name, comment)?,
        CommentObject::Index => {
            let Some((mut table, position)) = super::index::find_index(ctx, &txn, name)? else {
                return Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", resolve::display(name))));
            };
            table.indexes[position].comment = comment;
            meta::put_table(&txn, &table)?;
        }
        CommentObject::Sequence => {
            let scope = ctx.handle.scope();
            let found = resolve::sequence(&txn, &scope, name)?;
            let sequence = found.map(|q| meta::get_sequence_for_update(&txn, q.schema_id, &q.name)).transpose()?.flatten();
            let Some(mut sequence) = sequence else {
                return Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{}\" does not exist", resolve::display(name))));
            };
            sequence.comment = comment;
            meta::put_sequence(&txn, &sequence)?;
        }
        CommentObject::Schema => {
            let scope = ctx.handle.scope();
            let (_, schema_name) = resolve::split_name(name)?;
            let mut schema = resolve::schema(&txn, &scope, &schema_name)?;
            schema.comment = comment;
            meta::put_schema(&txn, scope.database_id, &schema)?;
        }
        CommentObject::Type => {
            let scope = ctx.handle.scope();
            let mut desc = resolve::find_type(&txn, &scope, name, meta::get_type_for_update)?.ok_or_else(|| {
                CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("type \"{}\" does not exist", resolve::display(name)))
            })?;
            desc.comment = comment;
            meta::put_type(&txn, &desc)?;
        }
        other => return Err(CatalogError::unsupported(format!("COMMENT ON {other}"))),
    }
    meta::bump_version(&txn)?;
    Ok(DdlOutcome::new("COMMENT"))
}

/// `COMMENT ON COLUMN relation.column`: of a table, a view or a materialized view.
fn comment_on_column(ctx: &DdlContext<'_>, txn: &Txn, name: &ObjectName, comment: Option<String>) -> Result<()> {
    let Some((column, relation)) = name.0.split_last() else {
        return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "column name must be qualified"));
    };
    if relation.is_empty() {
        return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "column name must be qualified"));
    }
    let column = resolve::split_name(&ObjectName(vec![column.clone()]))?.1;
    let relation = ObjectName(relation.to_vec());
    let missing = |relation: &str| {
        CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{column}\" of relation \"{relation}\" does not exist"))
    };
    if let Some(mut view) = locked_view(ctx, txn, &relation)? {
        let name = view.name.clone();
        let c = view.columns.iter_mut().find(|c| c.name == column).ok_or_else(|| missing(&name))?;
        c.comment = comment;
        return meta::put_view(txn, &view);
    }
    let mut table = locked_table(ctx, txn, &relation)?;
    let slot = table.column(&column).map(|(slot, _)| slot).ok_or_else(|| missing(&table.name))?;
    table.columns[slot].comment = comment;
    meta::put_table(txn, &table)
}

/// The table `name`, locked against concurrent DDL; 42P01 when there is none.
fn locked_table(ctx: &DdlContext<'_>, txn: &Txn, name: &ObjectName) -> Result<crate::descriptor::TableDesc> {
    let found = resolve::table(txn, &ctx.handle.scope(), name)?;
    Ok(meta::get_table_for_update(txn, found.schema.id, &found.table.name)?.unwrap_or(found.table))
}

/// The view `name`, locked against concurrent DDL.
fn locked_view(ctx: &DdlContext<'_>, txn: &Txn, name: &ObjectName) -> Result<Option<crate::descriptor::ViewDesc>> {
    let Some((schema, view)) = resolve::find_view(txn, &ctx.handle.scope(), name)? else { return Ok(None) };
    Ok(Some(meta::get_view_for_update(txn, schema.id, &view.name)?.unwrap_or(view)))
}
