//! `ShaleScanExec`: the execution plan that reads a table's rows from storage, through the
//! session's transaction, in key order forward or backward (`read`), decoding only the
//! projected columns into Arrow batches. It declares the order of its rows (`order`), so
//! that an ORDER BY they satisfy needs no sort, and offers the other readings that give
//! another order to DataFusion's sort pushdown and to `SortsThroughFilters` (`sorts`).

use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DFResult;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr, PhysicalSortExpr};
use datafusion::physical_plan::SortOrderPushdownResult;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties};
use shale_storage::Direction;

use crate::access::pushdown::{KeyAccess, KeyPlan, ScanKey, key_access_by, parameter_equal, parameter_key, whole_index};
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
use crate::session::param::resolve;

mod order;
mod read;
mod sorts;

use order::{key_ordering, nullable_at};
use read::{BatchIter, RowReader};
pub use sorts::SortsThroughFilters;

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

/// Reads rows of one table in key order, forward or backward.
#[derive(Debug)]
pub struct ShaleScanExec {
    desc: Arc<TableDesc>,
    handle: SessionHandle,
    outputs: Vec<Output>,
    schema: SchemaRef,
    access: Access,
    /// What it reads its rows by (with parameters: the same at every execution).
    key: ScanKey,
    /// How many leading columns of the key its access fixes by equality (with parameters:
    /// whatever their values).
    equal: usize,
    direction: Direction,
    /// Whether each range is read with its rows that have a value in the first key column
    /// not fixed by equality before those with NULL there ([`KeyAccess::nulls_last`]).
    nulls_last: bool,
    limit: Option<usize>,
    properties: Arc<PlanProperties>,
}

impl ShaleScanExec {
    /// A scan producing `outputs` (with `schema`) of the rows `access` selects, read
    /// forward.
    pub fn new(
        desc: Arc<TableDesc>,
        handle: SessionHandle,
        outputs: Vec<Output>,
        schema: SchemaRef,
        access: Access,
        limit: Option<usize>,
    ) -> Self {
        let direction = Direction::Forward;
        let (key, equal) = key_of(&desc, &access);
        let properties = Arc::new(PlanProperties::new(
            ordered(&desc, &outputs, &schema, &key, direction, None),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        ));
        ShaleScanExec { desc, handle, outputs, schema, access, key, equal, direction, nulls_last: false, limit, properties }
    }

    /// This scan reading the rows `access` selects in `direction`, NULLs of the first
    /// column not fixed by equality last when `nulls_last`, at most `limit` of them.
    fn reading(&self, access: Access, direction: Direction, nulls_last: bool, limit: Option<usize>) -> Self {
        let (key, equal) = key_of(&self.desc, &access);
        let equivalence = ordered(&self.desc, &self.outputs, &self.schema, &key, direction, nulls_last.then_some(equal));
        ShaleScanExec {
            desc: self.desc.clone(),
            handle: self.handle.clone(),
            outputs: self.outputs.clone(),
            schema: self.schema.clone(),
            access,
            key,
            equal,
            direction,
            nulls_last,
            limit,
            properties: Arc::new(self.properties.as_ref().clone().with_eq_properties(equivalence)),
        }
    }

    /// The scans that could give this scan's rows in another order, this one first: its key
    /// access read in either direction, with the NULLs of the first column not fixed by
    /// equality where storage has them or last (with parameters too: it reads by the same
    /// key at every execution) and, when it reads the whole table (no key predicate), each
    /// index that has every row (no predicate), the same ways. Only this one when it has a
    /// limit: its rows are then the first in its order, and another order would keep
    /// others.
    fn reorderings(&self) -> Vec<ShaleScanExec> {
        if self.limit.is_some() {
            return vec![self.reading(self.access.clone(), self.direction, self.nulls_last, self.limit)];
        }
        let mut accesses = vec![self.access.clone()];
        if let Access::Planned(access) = &self.access
            && access.predicates.is_empty()
        {
            let whole = self.desc.indexes.iter().filter(|i| i.predicate.is_none());
            accesses.extend(whole.map(|index| Access::Planned(whole_index(&self.desc, &index.name))));
        }
        let directions = [self.direction, self.direction.reversed()];
        let mut scans = Vec::new();
        for access in accesses {
            let (key, equal) = key_of(&self.desc, &access);
            let placements: &[bool] = if nullable_at(&self.desc, &key, equal) { &[false, true] } else { &[false] };
            for &direction in &directions {
                scans.extend(placements.iter().map(|&nulls_last| self.reading(access.clone(), direction, nulls_last, None)));
            }
        }
        scans
    }

    /// Whether its rows come in `order`.
    fn ordered_by(&self, order: &[PhysicalSortExpr]) -> DFResult<bool> {
        self.properties.equivalence_properties().ordering_satisfy(order.iter().cloned())
    }
}

/// What a scan with `access` reads its rows by, and how many of the key's leading columns
/// it fixes by equality.
fn key_of(desc: &TableDesc, access: &Access) -> (ScanKey, usize) {
    match access {
        Access::Planned(access) => (access.plan.key(), access.equal),
        Access::AtExecution(filters) => {
            let key = parameter_key(desc, filters);
            let equal = parameter_equal(desc, filters, &key);
            (key, equal)
        }
    }
}

/// The equivalence properties of a scan reading by `key` in `direction`, the NULLs of key
/// column `nulls_last` last: its rows in key order (see [`key_ordering`]).
fn ordered(
    desc: &TableDesc,
    outputs: &[Output],
    schema: &SchemaRef,
    key: &ScanKey,
    direction: Direction,
    nulls_last: Option<usize>,
) -> EquivalenceProperties {
    match key_ordering(desc, outputs, schema, key, direction, nulls_last) {
        ordering if ordering.is_empty() => EquivalenceProperties::new(schema.clone()),
        ordering => EquivalenceProperties::new_with_orderings(schema.clone(), [ordering]),
    }
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
            Access::AtExecution(filters) => (
                match &self.key {
                    ScanKey::Primary => "by parameters".to_string(),
                    ScanKey::Index(name) => format!("by parameters, index={name}"),
                },
                filters.iter().map(|f| f.to_string()).collect(),
            ),
        };
        write!(f, "ShaleScanExec: table={}, access={access}", self.desc.name)?;
        if self.direction == Direction::Backward {
            write!(f, ", backward")?;
        }
        if self.nulls_last {
            write!(f, ", nulls {}", if self.direction == Direction::Backward { "first" } else { "last" })?;
        }
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

    /// ORDER BY in key order, either way: a scan whose rows come in `order` as it reads
    /// them, or read backward, needs no sort; a scan of the whole table reads an index
    /// whose key columns give `order` instead, forward or backward (see `reorderings`).
    /// Then a LIMIT stops the scan after its rows.
    fn try_pushdown_sort(&self, order: &[PhysicalSortExpr]) -> DFResult<SortOrderPushdownResult<Arc<dyn ExecutionPlan>>> {
        for scan in self.reorderings() {
            if scan.ordered_by(order)? {
                return Ok(SortOrderPushdownResult::Exact { inner: Arc::new(scan) });
            }
        }
        Ok(SortOrderPushdownResult::Unsupported)
    }

    /// A LIMIT above the scan stops it after that many rows (it keeps its own limit when
    /// that is smaller).
    fn with_fetch(&self, limit: Option<usize>) -> Option<Arc<dyn ExecutionPlan>> {
        let limit = match (self.limit, limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Some(Arc::new(self.reading(self.access.clone(), self.direction, self.nulls_last, limit)))
    }

    fn fetch(&self) -> Option<usize> {
        self.limit
    }

    fn execute(&self, _partition: usize, context: Arc<TaskContext>) -> DFResult<SendableRecordBatchStream> {
        let txn = self.handle.txn()?;
        let reader = RowReader::new(&self.desc, &self.outputs, self.schema.clone())?;
        let access = match &self.access {
            Access::Planned(access) => access.clone(),
            Access::AtExecution(filters) => {
                let resolved = filters
                    .iter()
                    .map(|f| resolve(f, &self.handle))
                    .collect::<Result<Vec<_>>>()
                    .map_err(CatalogError::into_datafusion)?;
                key_access_by(&self.desc, &resolved, &self.key)
            }
        };
        let plan = match self.nulls_last {
            false => access.plan,
            // The order declared at planning holds only for the same column.
            true => access.nulls_last().filter(|_| access.equal == self.equal).ok_or_else(|| {
                CatalogError::internal("a scan reading NULLs last fixes other key columns than planned").into_datafusion()
            })?,
        };
        let batch_size = context.session_config().batch_size();
        let interrupt = self.handle.interrupt().clone();
        let batches = BatchIter::new(txn, interrupt, reader, plan, self.direction, self.limit, batch_size);
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            futures::stream::iter(batches.map(|r| r.map_err(CatalogError::into_datafusion))),
        )))
    }
}

