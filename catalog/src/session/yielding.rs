//! Every running statement can be stopped (see `interrupt`): a statement's task ends at its
//! next await once a cancel or `statement_timeout` wakes it. DataFusion makes plans yield
//! by wrapping their leaves in `CooperativeExec`, which spends the task's budget on each
//! batch; but a join can emit billions of rows from a handful of input batches (a cross
//! join), and then nothing yields. This physical optimizer rule wraps every join in a
//! `CooperativeExec` too, so that any plan returns to the runtime every few batches it
//! produces.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;

/// Wraps joins (nodes with more than one input) in `CooperativeExec`.
#[derive(Debug, Default)]
pub struct YieldingJoins;

impl PhysicalOptimizerRule for YieldingJoins {
    fn optimize(&self, plan: Arc<dyn ExecutionPlan>, _config: &ConfigOptions) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if node.children().len() < 2 {
                return Ok(Transformed::no(node));
            }
            Ok(Transformed::yes(Arc::new(CooperativeExec::new(node)) as Arc<dyn ExecutionPlan>))
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "shale_yielding_joins"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
