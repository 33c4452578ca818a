//! `ShaleScanExec`: the execution plan that reads a table's rows from storage, through the
//! session's transaction, decoding only the projected columns into Arrow batches.

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DFResult;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::arrow::compute::SortOptions;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalSortExpr};
use datafusion::physical_plan::SortOrderPushdownResult;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties};
use shale_pgtypes::types::SqlType;
use shale_storage::{Datum, KeyRange, Kind, Space, Txn, decode_row, table_prefix};

use crate::access::convert::ColumnBuilder;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
use crate::session::interrupt::Interrupt;
use crate::session::param::resolve;
use crate::access::pushdown::{KeyAccess, KeyPlan, key_access};

/// One output column of a scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    /// The value stored in this slot.
    Slot(usize),
    /// The row's storage key (used by UPDATE and DELETE).
    Key,
}

/// How a scan's key access is decided.
#[derive(Debug, Clone)]
pub enum Access {
    /// At planning, from filters with constant values.
    Planned(KeyAccess),
    /// At each execution, from these filters with the parameter values of that execution
    /// (a plan made once for a prepared statement, see [`crate::session::param`]).
    AtExecution(Vec<Expr>),
}

/// Reads rows of one table in key order.
#[derive(Debug)]
pub struct ShaleScanExec {
    desc: Arc<TableDesc>,
    handle: SessionHandle,
    outputs: Vec<Output>,
    schema: SchemaRef,
    access: Access,
    limit: Option<usize>,
    properties: Arc<PlanProperties>,
}

impl ShaleScanExec {
    /// A scan producing `outputs` (with `schema`) of the rows `access` selects.
    pub fn new(
        desc: Arc<TableDesc>,
        handle: SessionHandle,
        outputs: Vec<Output>,
        schema: SchemaRef,
        access: Access,
        limit: Option<usize>,
    ) -> Self {
        let ordering = match &access {
            Access::Planned(access) => key_ordering(&desc, &outputs, &schema, &access.plan),
            Access::AtExecution(_) => Vec::new(),
        };
        let equivalence = match ordering.is_empty() {
            true => EquivalenceProperties::new(schema.clone()),
            false => EquivalenceProperties::new_with_orderings(schema.clone(), [ordering]),
        };
        let properties =
            PlanProperties::new(equivalence, Partitioning::UnknownPartitioning(1), EmissionType::Incremental, Boundedness::Bounded);
        ShaleScanExec { desc, handle, outputs, schema, access, limit, properties: Arc::new(properties) }
    }

    /// This scan reading the rows `access` selects instead (its limit kept).
    fn with_access(&self, access: KeyAccess) -> Self {
        Self::new(self.desc.clone(), self.handle.clone(), self.outputs.clone(), self.schema.clone(), Access::Planned(access), self.limit)
    }

    /// Whether its rows come in `order`.
    fn ordered_by(&self, order: &[PhysicalSortExpr]) -> DFResult<bool> {
        self.properties.equivalence_properties().ordering_satisfy(order.iter().cloned())
    }
}

/// The order the rows of `plan` come in, as far as the scan outputs its columns: ascending
/// by the columns of the primary key, or of the index read, in key order. Storage sorts
/// NULL first; a NOT NULL column's order is declared NULLS LAST, PostgreSQL's default,
/// which its rows satisfy as well. Only types whose stored order is DataFusion's order.
fn key_ordering(desc: &TableDesc, outputs: &[Output], schema: &SchemaRef, plan: &KeyPlan) -> Vec<PhysicalSortExpr> {
    let slots: Vec<Option<usize>> = match plan {
        KeyPlan::Points(_) | KeyPlan::Ranges(_) => desc.primary_key.iter().map(|&s| Some(s)).collect(),
        KeyPlan::Index { name, .. } => desc.index(name).map_or_else(Vec::new, |i| i.columns.iter().map(|c| c.slot).collect()),
    };
    let mut ordering = Vec::new();
    for slot in slots {
        let Some(slot) = slot else { break };
        let Some(position) = outputs.iter().position(|o| *o == Output::Slot(slot)) else { break };
        let column = &desc.columns[slot];
        let ordered = matches!(
            column.ty,
            SqlType::Int2
                | SqlType::Int4
                | SqlType::Int8
                | SqlType::Float4
                | SqlType::Float8
                | SqlType::Numeric(_)
                | SqlType::Text
                | SqlType::Varchar(_)
                | SqlType::Bool
                | SqlType::Date
                | SqlType::Time(_)
                | SqlType::Timestamp(_)
                | SqlType::Timestamptz(_)
                | SqlType::Uuid
                | SqlType::Bytea
        );
        if !ordered {
            break;
        }
        let expr: Arc<dyn PhysicalExpr> = Arc::new(Column::new(schema.field(position).name(), position));
        ordering.push(PhysicalSortExpr { expr, options: SortOptions { descending: false, nulls_first: !column.not_null } });
    }
    ordering
}

impl DisplayAs for ShaleScanExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let (access, predicates) = match &self.access {
            Access::Planned(access) => (
                match &access.plan {
                    KeyPlan::Points(keys) if keys.len() == 1 => "point get".to_string(),
                    KeyPlan::Points(keys) => format!("point gets ({})", keys.len()),
                    KeyPlan::Ranges(_) if access.predicates.is_empty() => "full range".to_string(),
                    KeyPlan::Ranges(_) => "key range".to_string(),
                    KeyPlan::Index { name, point: true, .. } => format!("index point get, index={name}"),
                    KeyPlan::Index { name, point: false, .. } => format!("index range, index={name}"),
                },
                access.predicates.clone(),
            ),
            Access::AtExecution(filters) => ("by parameters".to_string(), filters.iter().map(|f| f.to_string()).collect()),
        };
        write!(f, "ShaleScanExec: table={}, access={access}", self.desc.name)?;
        if !predicates.is_empty() {
            write!(f, ", key_predicates=[{}]", predicates.join(", "))?;
        }
        if let Some(limit) = self.limit {
            write!(f, ", limit={limit}")?;
        }
        Ok(())
    }
}

impl ExecutionPlan for ShaleScanExec {
    fn name(&self) -> &'static str {
        "ShaleScanExec"
    }


    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    /// ORDER BY in key order: a scan whose rows come in `order` needs no sort; a scan of
    /// the whole table reads an index whose key columns give `order` instead (the index
    /// has every row: no predicate). Then a LIMIT stops the scan after its rows.
    fn try_pushdown_sort(&self, order: &[PhysicalSortExpr]) -> DFResult<SortOrderPushdownResult<Arc<dyn ExecutionPlan>>> {
        let Access::Planned(access) = &self.access else { return Ok(SortOrderPushdownResult::Unsupported) };
        if self.ordered_by(order)? {
            return Ok(SortOrderPushdownResult::Exact { inner: Arc::new(self.with_access(access.clone())) });
        }
        if !access.predicates.is_empty() {
            return Ok(SortOrderPushdownResult::Unsupported);
        }
        for index in self.desc.indexes.iter().filter(|i| i.predicate.is_none()) {
            let plan = KeyPlan::Index { name: index.name.clone(), ranges: vec![KeyRange::prefix(&table_prefix(index.id))], point: false };
            let candidate = self.with_access(KeyAccess { plan, predicates: Vec::new() });
            if candidate.ordered_by(order)? {
                return Ok(SortOrderPushdownResult::Exact { inner: Arc::new(candidate) });
            }
        }
        Ok(SortOrderPushdownResult::Unsupported)
    }

    /// A LIMIT above the scan stops it after that many rows (it keeps its own limit when
    /// that is smaller).
    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        let mut scan = Self::new(self.desc.clone(), self.handle.clone(), self.outputs.clone(), self.schema.clone(), self.access.clone(), limit);
        scan.limit = match (self.limit, limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some(Arc::new(scan))
    }

    fn fetch(&self) -> Option<usize> {
        self.limit
    }

    fn execute(&self, _partition: usize, context: Arc<TaskContext>) -> DFResult<SendableRecordBatchStream> {
        let txn = self.handle.txn()?;
        let reader = RowReader::new(&self.desc, &self.outputs, self.schema.clone())?;
        let plan = match &self.access {
            Access::Planned(access) => access.plan.clone(),
            Access::AtExecution(filters) => {
                let resolved = filters
                    .iter()
                    .map(|f| resolve(f, &self.handle))
                    .collect::<Result<Vec<_>>>()
                    .map_err(CatalogError::into_datafusion)?;
                key_access(&self.desc, &resolved).plan
            }
        };
        let batches = BatchIter {
            txn,
            interrupt: self.handle.interrupt().clone(),
            reader,
            plan,
            position: 0,
            after: None,
            done: false,
            remaining: self.limit.unwrap_or(usize::MAX),
            batch_size: context.session_config().batch_size().max(1),
        };
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            futures::stream::iter(batches.map(|r| r.map_err(CatalogError::into_datafusion))),
        )))
    }
}

/// Decodes stored rows into batches of the scan's outputs.
struct RowReader {
    schema: SchemaRef,
    kinds: Vec<Kind>,
    outputs: Vec<Output>,
    /// For each slot, the output column it feeds.
    slot_to_output: Vec<Option<usize>>,
    /// For each output, the value of rows stored before its column was added.
    missing: Vec<Option<Datum>>,
}

impl RowReader {
    fn new(desc: &TableDesc, outputs: &[Output], schema: SchemaRef) -> Result<Self> {
        let kinds = desc.kinds();
        let mut slot_to_output = vec![None; desc.columns.len()];
        let mut missing = Vec::with_capacity(outputs.len());
        for (i, out) in outputs.iter().enumerate() {
            let mut value = None;
            if let Output::Slot(slot) = out {
                slot_to_output[*slot] = Some(i);
                if let Some(bytes) = &desc.columns[*slot].missing {
                    let kind = [kinds[*slot]];
                    decode_row(bytes, &kind, |_, v| value = v.map(|v| v.to_owned()))?;
                }
            }
            missing.push(value);
        }
        Ok(RowReader { schema, kinds, outputs: outputs.to_vec(), slot_to_output, missing })
    }

    fn batch(&self, rows: &[(Vec<u8>, Vec<u8>)]) -> Result<RecordBatch> {
        let mut builders = self
            .schema
            .fields()
            .iter()
            .map(|f| ColumnBuilder::new(f.data_type(), rows.len()))
            .collect::<Result<Vec<_>>>()?;
        let mut filled = vec![false; self.outputs.len()];
        for (key, value) in rows {
            filled.iter_mut().for_each(|f| *f = false);
            let mut failure = None;
            decode_row(value, &self.kinds, |slot, v| {
                if let Some(out) = self.slot_to_output.get(slot).copied().flatten() {
                    filled[out] = true;
                    if let Err(e) = builders[out].append(v) {
                        failure.get_or_insert(e);
                    }
                }
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
            for (out, output) in self.outputs.iter().enumerate() {
                match output {
                    Output::Key => builders[out].append(Some(shale_storage::DatumRef::Bytes(key)))?,
                    Output::Slot(_) if !filled[out] => {
                        builders[out].append(self.missing[out].as_ref().map(Datum::as_ref))?
                    }
                    Output::Slot(_) => {}
                }
            }
        }
        let columns = builders.iter_mut().map(ColumnBuilder::finish).collect::<Result<_>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| CatalogError::internal(e.to_string()))
    }
}

/// Iterates over the batches of a scan, reading storage a chunk at a time.
struct BatchIter {
    txn: Arc<Txn>,
    /// Checked at every batch, so a canceled statement stops reading.
    interrupt: Arc<Interrupt>,
    reader: RowReader,
    plan: KeyPlan,
    /// The key or range the scan is at.
    position: usize,
    after: Option<Vec<u8>>,
    done: bool,
    remaining: usize,
    batch_size: usize,
}

impl BatchIter {
    fn next_rows(&mut self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let want = self.batch_size.min(self.remaining);
        match &self.plan {
            KeyPlan::Points(keys) => {
                let keys: Vec<Vec<u8>> = keys.iter().skip(self.position).take(want).cloned().collect();
                self.position += keys.len();
                self.done = self.position >= self.plan_len();
                let mut rows = Vec::with_capacity(keys.len());
                for key in keys {
                    if let Some(value) = self.txn.get(Space::Data, &key)? {
                        rows.push((key, value));
                    }
                }
                Ok(rows)
            }
            KeyPlan::Ranges(_) => self.read_ranges(want),
            KeyPlan::Index { .. } => {
                let entries = self.read_ranges(want)?;
                let mut rows = Vec::with_capacity(entries.len());
                for (_, row_key) in entries {
                    // An entry is written with its row, in the same transaction.
                    let row = self.txn.get(Space::Data, &row_key)?.ok_or_else(|| CatalogError::internal("an index entry without its row"))?;
                    rows.push((row_key, row));
                }
                Ok(rows)
            }
        }
    }

    /// How many keys or ranges the plan has.
    fn plan_len(&self) -> usize {
        match &self.plan {
            KeyPlan::Points(keys) => keys.len(),
            KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. } => ranges.len(),
        }
    }

    /// Up to `want` pairs from the plan's ranges, going on from where the last call ended.
    fn read_ranges(&mut self, want: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let (KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. }) = &self.plan else { return Ok(Vec::new()) };
        let ranges = ranges.clone();
        let mut out = Vec::new();
        while out.len() < want && self.position < ranges.len() {
            let rows = self.txn.scan(Space::Data, &ranges[self.position], self.after.as_deref(), want - out.len())?;
            match rows.len() < want - out.len() {
                // This range is done: the next one starts afresh.
                true => {
                    self.position += 1;
                    self.after = None;
                }
                false => self.after = rows.last().map(|(k, _)| k.clone()),
            }
            out.extend(rows);
        }
        self.done = self.position >= ranges.len();
        Ok(out)
    }
}

impl Iterator for BatchIter {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.remaining == 0 {
            return None;
        }
        let rows = match self.interrupt.check().and_then(|()| self.next_rows()) {
            Ok(rows) => rows,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        if rows.is_empty() {
            return None;
        }
        self.remaining = self.remaining.saturating_sub(rows.len());
        Some(self.reader.batch(&rows))
    }
}
