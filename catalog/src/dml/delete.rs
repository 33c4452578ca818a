//! DELETE: DataFusion finds the matching rows and their storage keys; they are removed here.

use datafusion::common::Column;
use datafusion::logical_expr::Expr;
use datafusion::sql::sqlparser::ast::{self, FromTable};

use super::write::RowWriter;
use super::{DmlContext, DmlOutcome, single_table};
use crate::convert::datum_at;
use crate::error::{CatalogError, Result};
use crate::provider::KEY_COLUMN;

/// Executes a DELETE statement.
pub async fn delete(ctx: &DmlContext<'_>, stmt: ast::Delete) -> Result<DmlOutcome> {
    if stmt.using.is_some() {
        return Err(CatalogError::unsupported("DELETE ... USING"));
    }
    if stmt.limit.is_some() || !stmt.order_by.is_empty() || !stmt.tables.is_empty() {
        return Err(CatalogError::unsupported("this form of DELETE"));
    }
    let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) = &stmt.from;
    let [target] = tables.as_slice() else {
        return Err(CatalogError::unsupported("DELETE from several tables"));
    };
    let (name, relation) = single_table(target)?;
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;

    let scan = ctx.target_scan(&resolved, &relation, stmt.selection.as_ref())?;
    let mut exprs: Vec<Expr> = desc
        .visible()
        .map(|(_, c)| Expr::Column(Column::new(Some(relation.as_str()), &c.name)))
        .collect();
    exprs.push(Expr::Column(Column::new(Some(relation.as_str()), KEY_COLUMN)));
    let plan = scan.project(exprs)?.build()?;
    let (_, batches) = ctx.run(&plan).await?;

    let txn = ctx.handle.txn()?;
    let writer = RowWriter::new(&txn, desc);
    let mut count = 0u64;
    let mut removed = Vec::new();
    for batch in &batches {
        let key_index = batch.num_columns() - 1;
        for r in 0..batch.num_rows() {
            match datum_at(batch.column(key_index), r)? {
                shale_storage::Datum::Bytes(key) => writer.delete(&key)?,
                _ => return Err(CatalogError::internal("row key missing in DELETE")),
            }
            count += 1;
        }
        if stmt.returning.is_some() {
            removed.push(batch.project(&(0..key_index).collect::<Vec<_>>())?);
        }
    }
    let returning = match stmt.returning {
        Some(items) => {
            let schema = desc.arrow_schema();
            let batch = datafusion::arrow::compute::concat_batches(&schema, &removed)?;
            Some(ctx.returning(&relation, batch, &items).await?)
        }
        None => None,
    };
    Ok(DmlOutcome { count, returning })
}
