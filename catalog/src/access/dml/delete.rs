//! DELETE: DataFusion finds the matching rows and their storage keys; they are removed here.


use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Column, TableReference};
use datafusion::logical_expr::Expr;
use datafusion::sql::sqlparser::ast::{self, FromTable};

use super::write::RowWriter;
use super::update::other_columns;
use super::{DmlContext, DmlPlan, Kind, locking_subqueries, single_table};
use crate::access::convert::datum_at;
use crate::error::{CatalogError, Result};
use crate::provider::KEY_COLUMN;

/// Plans a DELETE: the matching rows, each followed by its key; with USING and RETURNING,
/// the USING list's columns after them.
pub(super) async fn plan(ctx: &DmlContext<'_>, mut stmt: ast::Delete) -> Result<DmlPlan> {
    if stmt.limit.is_some() || !stmt.order_by.is_empty() || !stmt.tables.is_empty() {
        return Err(CatalogError::unsupported("this form of DELETE"));
    }
    let locking_subqueries = locking_subqueries::take(stmt.selection.as_mut());
    locking_subqueries::refuse_other_locks(&stmt)?;
    let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) = &stmt.from;
    let [target] = tables.as_slice() else {
        return Err(CatalogError::unsupported("DELETE from several tables"));
    };
    let others = stmt.using.as_deref().unwrap_or_default();
    let (name, relation) = single_table(target)?;
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;

    let scan = ctx.target_scan(&resolved, &relation, others, stmt.selection.as_ref()).await?;
    let mut exprs: Vec<Expr> = desc
        .visible()
        .map(|(_, c)| Expr::Column(Column::new(Some(TableReference::bare(relation.as_str())), &c.name)))
        .collect();
    exprs.push(Expr::Column(Column::new(Some(TableReference::bare(relation.as_str())), KEY_COLUMN)));
    let joined = !others.is_empty();
    if joined && stmt.returning.is_some() {
        exprs.extend(other_columns(scan.schema(), &relation));
    }
    let plan = scan.project(exprs)?.build()?;
    let locking_subqueries = locking_subqueries::plan(ctx, &plan, locking_subqueries).await?;
    Ok(DmlPlan::changing(Kind::Delete, resolved.table, relation, plan, stmt.returning, joined, locking_subqueries))
}

/// Removes the rows of `batches` by their keys (the last column); returns how many and,
/// when `returning`, the removed rows.
pub(super) fn write(writer: &RowWriter<'_>, batches: &[RecordBatch], returning: bool) -> Result<(u64, Option<RecordBatch>)> {
    let mut count = 0u64;
    let mut removed = Vec::new();
    for batch in batches {
        let key_index = batch.num_columns() - 1;
        for r in 0..batch.num_rows() {
            match datum_at(batch.column(key_index), r)? {
                shale_storage::Datum::Bytes(key) => writer.delete(&key)?,
                _ => return Err(CatalogError::internal("row key missing in DELETE")),
            }
            count += 1;
        }
        if returning {
            removed.push(batch.project(&(0..key_index).collect::<Vec<_>>())?);
        }
    }
    let written = match returning {
        true => Some(datafusion::arrow::compute::concat_batches(&writer.schema(), &removed)?),
        false => None,
    };
    Ok((count, written))
}
