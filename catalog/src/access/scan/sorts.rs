//! Sorts that reading a scan another way makes unnecessary, above filters too.
//!
//! DataFusion drops a sort its input's order satisfies, and its sort pushdown asks a scan
//! directly under the sort (through projections) for a reading in the sort's order
//! (`ShaleScanExec::try_pushdown_sort`). A filter stops that pushdown, yet it is above most
//! scans that have a key predicate (which is `Inexact`): `WHERE user_id = 3 ORDER BY at DESC
//! LIMIT 2` over an index on `(user_id, at)` sorts, though the index read backward gives
//! the rows in that order once the filter makes `user_id` a constant. This rule looks
//! through filters, projections and cooperative wrappers to the scan and rebuilds them over
//! each other reading of it (`ShaleScanExec::reorderings`); DataFusion's own equivalence
//! properties of the rebuilt nodes decide whether the sort's order holds, and if it does
//! the sort goes, its LIMIT moving onto the rebuilt nodes.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::physical_expr::PhysicalSortExpr;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::limit::GlobalLimitExec;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::execution_plan::{ChildrenPropertiesMode, ReplaceChildrenOptions};
use datafusion::physical_plan::{ExecutionPlan, ExecutionPlanProperties};

use super::ShaleScanExec;

/// Drops a sort whose input, a scan under filters, projections and cooperative wrappers,
/// gives the rows in the sort's order when the scan reads them another way.
#[derive(Debug, Default)]
pub struct SortsThroughFilters;

impl PhysicalOptimizerRule for SortsThroughFilters {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_down(|node| {
            let Some(sort) = node.downcast_ref::<SortExec>() else { return Ok(Transformed::no(node)) };
            let Some(input) = reordered(sort.input(), sort.expr())? else { return Ok(Transformed::no(node)) };
            let input = match sort.fetch() {
                Some(fetch) => input.with_fetch(Some(fetch)).unwrap_or_else(|| Arc::new(GlobalLimitExec::new(input, 0, Some(fetch)))),
                None => input,
            };
            Ok(Transformed::yes(input))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "shale_sorts_through_filters"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// `plan`, nodes that pass on their one input's rows in order over a scan, rebuilt over
/// the first reading of the scan that gives its rows in `order`, if one does.
fn reordered(plan: &Arc<dyn ExecutionPlan>, order: &[PhysicalSortExpr]) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    let mut above = Vec::new();
    let mut node = plan;
    let scan = loop {
        if let Some(scan) = node.downcast_ref::<ShaleScanExec>() {
            break scan;
        }
        let [child] = node.children()[..] else { return Ok(None) };
        if !passes_rows_in_order(node.as_ref()) {
            return Ok(None);
        }
        above.push(node.clone());
        node = child;
    };
    for reading in scan.reorderings() {
        let mut rebuilt: Arc<dyn ExecutionPlan> = Arc::new(reading);
        for parent in above.iter().rev() {
            rebuilt = parent.clone().replace_children(vec![rebuilt], ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))?;
        }
        if rebuilt.equivalence_properties().ordering_satisfy(order.iter().cloned())? {
            return Ok(Some(rebuilt));
        }
    }
    Ok(None)
}

/// Whether `node` gives rows of its input, in their order, whichever rows come in and in
/// whatever order: a filter, a projection or a cooperative wrapper, without a limit (with
/// one, the rows it keeps depend on their order).
fn passes_rows_in_order(node: &dyn ExecutionPlan) -> bool {
    (node.is::<FilterExec>() || node.is::<ProjectionExec>() || node.is::<CooperativeExec>()) && node.fetch().is_none()
}
