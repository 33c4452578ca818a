//! RETURNING: the select list evaluated over the rows a statement wrote or removed.

use std::sync::Arc;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::common::{Column, TableReference};
use datafusion::logical_expr::{Expr, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{ExprWithAlias, SelectItem};

use super::{DmlContext, Rows};
use crate::error::{CatalogError, Result};

impl DmlContext<'_> {
    /// Evaluates `items` over `batch`, whose columns are the table's, named `relation`.
    pub(super) async fn returning(&self, relation: &str, batch: RecordBatch, items: &[SelectItem]) -> Result<Rows> {
        let schema = batch.schema();
        let table = MemTable::try_new(schema.clone(), vec![vec![batch]])?;
        let scan = LogicalPlanBuilder::scan(relation, provider_as_source(Arc::new(table)), None)?;
        let mut exprs = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => exprs.push(self.expr(e, scan.schema())?),
                SelectItem::ExprWithAlias { expr, alias } => {
                    let with_alias = ExprWithAlias { expr: expr.clone(), alias: Some(alias.clone()) };
                    exprs.push(self.state.create_logical_expr_from_sql_expr(with_alias, scan.schema())?);
                }
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    exprs.extend(schema.fields().iter().map(|f| {
                        Expr::Column(Column::new(Some(TableReference::bare(relation)), f.name()))
                    }));
                }
                other => return Err(CatalogError::unsupported(format!("RETURNING item {other}"))),
            }
        }
        let plan = scan.project(exprs)?.build()?;
        let (schema, batches) = self.run(&plan).await?;
        Ok(Rows { schema, batches })
    }
}
