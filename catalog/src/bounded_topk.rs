//! No number a client writes sizes an allocation. DataFusion's top-k aggregation (a
//! `GROUP BY` or `DISTINCT` under `ORDER BY ... LIMIT n`) reserves room for `n` groups up
//! front, so `SELECT DISTINCT v FROM t ORDER BY 1 LIMIT 100000000` asked for gigabytes
//! before reading a row and aborted the process. This physical optimizer rule plans such an
//! aggregation with a limit above [`MAX_PREALLOCATED_GROUPS`] as a plain one: the sort above
//! it keeps only the first `n` rows, in memory that grows with the rows it really holds.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::aggregates::AggregateExec;

/// The largest limit a top-k aggregation is planned with (one batch of groups).
pub const MAX_PREALLOCATED_GROUPS: usize = 8192;

/// Drops the top-k limit of aggregations whose limit is too large to reserve.
#[derive(Debug, Default)]
pub struct BoundedTopK;

impl PhysicalOptimizerRule for BoundedTopK {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(aggregate) = node.downcast_ref::<AggregateExec>() else { return Ok(Transformed::no(node)) };
            match aggregate.limit_options() {
                Some(limit) if limit.descending().is_some() && limit.limit() > MAX_PREALLOCATED_GROUPS => {
                    Ok(Transformed::yes(Arc::new(aggregate.with_new_limit_options(None))))
                }
                _ => Ok(Transformed::no(node)),
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "shale_bounded_topk"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
