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
//!
//! When no reading gives the whole order, a sort with a LIMIT (DataFusion's TopK) still
//! takes the reading that gives the longest leading part of it, if longer than its input
//! gives now: TopK then stops once the rows past that part's values cannot enter the top
//! (`ORDER BY a, b DESC LIMIT 5` over an index on `(a, b)` reads the first values of `a`
//! only, where it read the whole table).

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
            let Some((input, satisfied)) = reordered(sort.input(), sort.expr())? else { return Ok(Transformed::no(node)) };
            if satisfied < sort.expr().len() {
                let now = leading(sort.input().as_ref(), sort.expr())?;
                return match sort.fetch().is_some() && satisfied > now {
                    true => Ok(Transformed::yes(node.clone().replace_children(vec![input], ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))?)),
                    false => Ok(Transformed::no(node)),
                };
            }
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
/// the first reading of the scan that gives its rows in `order`, or else over the first
/// that gives the longest leading part of it; with the number of `order`'s expressions
/// the rebuilt plan's rows satisfy. `None` when `plan` is not such a stack or no reading
/// gives even the first expression's order.
fn reordered(plan: &Arc<dyn ExecutionPlan>, order: &[PhysicalSortExpr]) -> Result<Option<(Arc<dyn ExecutionPlan>, usize)>> {
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
    let mut best: Option<(Arc<dyn ExecutionPlan>, usize)> = None;
    for reading in scan.reorderings() {
        let mut rebuilt: Arc<dyn ExecutionPlan> = Arc::new(reading);
        for parent in above.iter().rev() {
            rebuilt = parent.clone().replace_children(vec![rebuilt], ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute))?;
        }
        let satisfied = leading(rebuilt.as_ref(), order)?;
        if satisfied == order.len() {
            return Ok(Some((rebuilt, satisfied)));
        }
        if satisfied > best.as_ref().map_or(0, |(_, n)| *n) {
            best = Some((rebuilt, satisfied));
        }
    }
    Ok(best)
}

/// How many of `order`'s leading expressions `plan`'s rows are sorted by.
fn leading(plan: &dyn ExecutionPlan, order: &[PhysicalSortExpr]) -> Result<usize> {
    let properties = plan.equivalence_properties();
    for n in (1..=order.len()).rev() {
        if properties.ordering_satisfy(order[..n].iter().cloned())? {
            return Ok(n);
        }
    }
    Ok(0)
}

/// Whether `node` gives rows of its input, in their order, whichever rows come in and in
/// whatever order: a filter, a projection or a cooperative wrapper, without a limit (with
/// one, the rows it keeps depend on their order).
fn passes_rows_in_order(node: &dyn ExecutionPlan) -> bool {
    (node.is::<FilterExec>() || node.is::<ProjectionExec>() || node.is::<CooperativeExec>()) && node.fetch().is_none()
}
