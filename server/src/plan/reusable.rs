//! Physical plans that a prepared query keeps and executes again with new parameter
//! values, so that an Execute neither optimizes nor plans (see `plan_cache`).
//!
//! Only plans whose every operator can run again are kept: projections, filters, limits,
//! batch coalescing and Shale's own scans, which compute their key access from the
//! parameters at each execution (`shale_catalog::session::param`). Joins, sorts and aggregates keep
//! state between executions (a hash join's build side, dynamic filters), and a plan that
//! reads the clock would keep the time of its first execution, since the optimizer folds
//! `now()`: such queries are planned at each Execute instead.
//!
//! A kept plan is never executed itself: each execution runs a copy with empty metrics
//! ([`for_one_execution`]), since every execution of an operator adds its metrics (rows,
//! time) to the operator's node, and a plan executed again and again would keep them all.

use std::sync::Arc;

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};
use datafusion::error::Result as DFResult;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::execution_plan::reset_plan_states;
use shale_catalog::session::param::{PARAM_FUNCTION, with_param_calls};

/// Operators that hold no state between executions.
const STATELESS: &[&str] = &[
    "ProjectionExec",
    "FilterExec",
    "CoalesceBatchesExec",
    "GlobalLimitExec",
    "LocalLimitExec",
    "PlaceholderRowExec",
    "EmptyExec",
    "ShaleScanExec",
    "CooperativeExec",
];

/// The physical plan of `plan` (with `$n` placeholders) that reads its parameters at
/// execution, if `plan` can be kept that way.
pub async fn reusable_physical_plan(state: &SessionState, plan: &LogicalPlan) -> Option<Arc<dyn ExecutionPlan>> {
    if reads_the_clock(plan) {
        return None;
    }
    let function = state.scalar_functions().get(PARAM_FUNCTION)?.clone();
    let with_calls = with_param_calls(plan.clone(), function).ok()??;
    let physical = state.create_physical_plan(&with_calls).await.ok()?;
    re_executable(physical.as_ref()).then_some(physical)
}

/// A copy of the kept `plan` to execute once: the same operators with empty metrics, and
/// the properties computed when the plan was made.
pub fn for_one_execution(plan: &Arc<dyn ExecutionPlan>) -> DFResult<Arc<dyn ExecutionPlan>> {
    reset_plan_states(Arc::clone(plan))
}

/// Whether `plan` calls a function whose value is fixed per statement (`now()`,
/// `current_date`, ...), which planning may fold into a constant.
fn reads_the_clock(plan: &LogicalPlan) -> bool {
    let mut found = false;
    let _ = plan.apply_with_subqueries(|node| {
        node.apply_expressions(|e| {
            e.apply(|e| {
                let clock = |f: &ScalarFunction| f.func.signature().volatility == Volatility::Stable && f.func.name() != PARAM_FUNCTION;
                if matches!(e, Expr::ScalarFunction(f) if clock(f)) {
                    found = true;
                    return Ok(TreeNodeRecursion::Stop);
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    });
    found
}

fn re_executable(plan: &dyn ExecutionPlan) -> bool {
    STATELESS.contains(&plan.name()) && plan.children().iter().all(|c| re_executable(c.as_ref()))
}
