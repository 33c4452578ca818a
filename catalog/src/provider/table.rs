//! A table as a DataFusion [`TableProvider`]: a cheap handle on its descriptor whose scan
//! reads storage through the session's transaction.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{Constraint, Constraints};
use datafusion::error::Result as DFResult;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;

use crate::descriptor::TableDesc;
use crate::error::CatalogError;
use crate::session::handle::SessionHandle;
use crate::access::pushdown::{is_key_filter, key_access};
use crate::session::param::has_params;
use crate::access::scan::{Access, Output, ShaleScanExec};

/// Name of the hidden column carrying each row's storage key in DML scans.
pub const KEY_COLUMN: &str = "__shale_row_key";

/// One stored table.
#[derive(Debug, Clone)]
pub struct ShaleTable {
    desc: Arc<TableDesc>,
    handle: SessionHandle,
    schema: SchemaRef,
    constraints: Option<Constraints>,
    with_key: bool,
}

impl ShaleTable {
    /// The table `desc`, read through `handle`.
    pub fn new(desc: Arc<TableDesc>, handle: SessionHandle) -> Self {
        let schema = desc.arrow_schema();
        let visible = desc.visible_slots();
        let pk: Vec<usize> = desc
            .primary_key
            .iter()
            .filter_map(|slot| visible.iter().position(|s| s == slot))
            .collect();
        let constraints = (!pk.is_empty())
            .then(|| Constraints::new_unverified(vec![Constraint::PrimaryKey(pk)]));
        ShaleTable { desc, handle, schema, constraints, with_key: false }
    }

    /// The same table with a trailing [`KEY_COLUMN`] holding each row's storage key.
    pub fn with_key_column(&self) -> Self {
        let mut fields: Vec<Field> = self.schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(KEY_COLUMN, DataType::Binary, false));
        let schema = Arc::new(Schema::new(fields));
        ShaleTable { schema, with_key: true, ..self.clone() }
    }

    /// The table's descriptor.
    pub fn desc(&self) -> &Arc<TableDesc> {
        &self.desc
    }
}

#[async_trait]
impl TableProvider for ShaleTable {

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn constraints(&self) -> Option<&Constraints> {
        self.constraints.as_ref()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(&self, filters: &[&Expr]) -> DFResult<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            // A filter on parameters may constrain the key once they have values.
            .map(|f| match is_key_filter(&self.desc, f) || has_params(f) {
                true => TableProviderFilterPushDown::Inexact,
                false => TableProviderFilterPushDown::Unsupported,
            })
            .collect())
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        if self.desc.materialized.as_ref().is_some_and(|m| !m.populated) {
            let e = CatalogError::new("55000", format!("materialized view \"{}\" has not been populated", self.desc.name))
                .with_hint("Use the REFRESH MATERIALIZED VIEW command.");
            return Err(e.into());
        }
        let mut all: Vec<Output> = self.desc.visible_slots().into_iter().map(Output::Slot).collect();
        if self.with_key {
            all.push(Output::Key);
        }
        let indices: Vec<usize> = match projection {
            Some(p) => p.clone(),
            None => (0..all.len()).collect(),
        };
        let outputs = indices.iter().map(|&i| all[i]).collect();
        let schema = Arc::new(self.schema.project(&indices)?);
        let access = match filters.iter().any(has_params) {
            true => Access::AtExecution(filters.to_vec()),
            false => Access::Planned(key_access(&self.desc, filters)),
        };
        Ok(Arc::new(ShaleScanExec::new(
            self.desc.clone(),
            self.handle.clone(),
            outputs,
            schema,
            access,
            limit,
        )))
    }
}
