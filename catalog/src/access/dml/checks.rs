//! CHECK constraints on the rows a statement writes: each constraint's expression is
//! evaluated by DataFusion over the new rows; a row that makes one false fails the
//! statement with 23514, as PostgreSQL words it.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::logical_expr::LogicalPlanBuilder;

use super::DmlContext;
use crate::access::convert::datum_at;
use crate::access::text;
use crate::descriptor::TableDesc;
use shale_storage::Datum;
use crate::error::{CatalogError, Result};

impl DmlContext<'_> {
    /// 23514 when a row of `batches` (the table's visible columns first; more columns
    /// after them are ignored) makes a CHECK constraint of `table` false.
    pub(super) async fn check_constraints(&self, table: &TableDesc, batches: &[RecordBatch]) -> Result<()> {
        if table.checks.is_empty() || batches.iter().all(|b| b.num_rows() == 0) {
            return Ok(());
        }
        let width = table.visible().count();
        let rows: Vec<RecordBatch> =
            batches.iter().map(|b| b.project(&(0..width).collect::<Vec<_>>())).collect::<std::result::Result<_, _>>()?;
        let schema = table.arrow_schema();
        let rows: Vec<RecordBatch> = rows.into_iter().map(|b| b.with_schema(schema.clone())).collect::<std::result::Result<_, _>>()?;
        let source = provider_as_source(Arc::new(MemTable::try_new(schema, vec![rows.clone()])?));
        let scan = LogicalPlanBuilder::scan(table.name.as_str(), source, None)?;
        let mut exprs = Vec::new();
        for check in &table.checks {
            exprs.push(self.state.create_logical_expr(&check.expr, scan.schema())?.is_false());
        }
        let (_, results) = self.run(&scan.project(exprs)?.build()?).await?;
        let mut row_base = 0;
        let mut all = rows.iter().flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)));
        for result in &results {
            for (c, check) in table.checks.iter().enumerate() {
                let failed = result.column(c).as_boolean();
                if let Some(r) = (0..failed.len()).find(|&r| failed.is_valid(r) && failed.value(r)) {
                    let (batch, row) = all.nth(row_base + r).ok_or_else(|| CatalogError::internal("a checked row is missing"))?;
                    return Err(CatalogError::new(
                        "23514",
                        format!("new row for relation \"{}\" violates check constraint \"{}\"", table.name, check.name),
                    )
                    .with_detail(format!("Failing row contains ({}).", row_text(table, batch, row)?)));
                }
            }
            row_base += result.num_rows();
        }
        Ok(())
    }
}

/// The values of row `row` of `batch` (the visible columns of `table`), as PostgreSQL's
/// "Failing row contains" lists them.
fn row_text(table: &TableDesc, batch: &RecordBatch, row: usize) -> Result<String> {
    let values: Vec<Datum> = batch.columns().iter().map(|c| datum_at(c, row)).collect::<Result<_>>()?;
    Ok(text::row_text(table, &values))
}
