//! UPDATE: DataFusion computes each matching row's new values next to its storage key;
//! the old rows are then replaced here.

use std::collections::HashSet;

use datafusion::common::Column;
use datafusion::logical_expr::{Expr, ExprSchemable};
use datafusion::sql::sqlparser::ast::{self, AssignmentTarget};

use super::write::RowWriter;
use super::{DmlContext, DmlOutcome, single_table};
use crate::convert::datum_at;
use crate::error::{CatalogError, Result, sqlstate};
use crate::provider::KEY_COLUMN;
use crate::resolve;

/// Executes an UPDATE statement.
pub async fn update(ctx: &DmlContext<'_>, stmt: ast::Update) -> Result<DmlOutcome> {
    if stmt.from.is_some() {
        return Err(CatalogError::unsupported("UPDATE ... FROM"));
    }
    if stmt.limit.is_some() || !stmt.order_by.is_empty() || stmt.or.is_some() {
        return Err(CatalogError::unsupported("this form of UPDATE"));
    }
    let (name, relation) = single_table(&stmt.table)?;
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;

    let mut assigned = std::collections::HashMap::new();
    for a in &stmt.assignments {
        let AssignmentTarget::ColumnName(target) = &a.target else {
            return Err(CatalogError::unsupported("assigning to a tuple of columns"));
        };
        let column = resolve::split_name(target)?.1;
        if desc.column(&column).is_none() {
            return Err(CatalogError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{column}\" of relation \"{}\" does not exist", desc.name),
            ));
        }
        if assigned.insert(column.clone(), &a.value).is_some() {
            return Err(CatalogError::new(
                sqlstate::SYNTAX_ERROR,
                format!("multiple assignments to same column \"{column}\""),
            ));
        }
    }

    let scan = ctx.target_scan(&resolved, &relation, stmt.selection.as_ref())?;
    let input_schema = scan.schema().clone();
    let mut exprs = Vec::new();
    for (_, col) in desc.visible() {
        let column = Expr::Column(Column::new(Some(relation.as_str()), &col.name));
        let value = match assigned.get(&col.name) {
            Some(sql) if crate::sql::is_default_keyword(sql) => match &col.default {
                Some(d) => ctx.state.create_logical_expr(d, &input_schema)?,
                None => Expr::Literal(datafusion::common::ScalarValue::Null, None),
            },
            Some(sql) => {
                let mut sql = (*sql).clone();
                crate::input::coerce_literal(&col.ty, &mut sql)?;
                ctx.expr(&sql, &input_schema)?
            }
            None => column,
        };
        exprs.push(value.cast_to(&col.ty.arrow_type(), &input_schema)?.alias(&col.name));
    }
    exprs.push(Expr::Column(Column::new(Some(relation.as_str()), KEY_COLUMN)));
    let plan = scan.project(exprs)?.build()?;
    let (_, batches) = ctx.run(&plan).await?;

    let txn = ctx.handle.txn()?;
    let writer = RowWriter::new(&txn, desc);
    let mut changes = Vec::new();
    for batch in &batches {
        let key_index = batch.num_columns() - 1;
        let values = batch.project(&(0..key_index).collect::<Vec<_>>())?;
        let rows = writer.rows(&values)?;
        for (r, row) in rows.into_iter().enumerate() {
            let old = match datum_at(batch.column(key_index), r)? {
                shale_storage::Datum::Bytes(k) => k,
                _ => return Err(CatalogError::internal("row key missing in UPDATE")),
            };
            let new = writer.key(&row).unwrap_or_else(|| old.clone());
            changes.push((old, new, row));
        }
    }
    // Remove every moved row first, so that keys may be swapped within one statement.
    let mut moved = HashSet::new();
    for (old, new, _) in &changes {
        if old != new {
            writer.delete(old)?;
            moved.insert(new.clone());
        }
    }
    for (_, new, row) in &changes {
        writer.put(new, row, moved.contains(new))?;
    }
    let count = changes.len() as u64;
    let returning = match stmt.returning {
        Some(items) => {
            let rows: Vec<_> = changes.into_iter().map(|(_, _, row)| row).collect();
            let batch = writer.batch(&desc.arrow_schema(), &rows)?;
            Some(ctx.returning(&relation, batch, &items).await?)
        }
        None => None,
    };
    Ok(DmlOutcome { count, returning })
}
