//! Planning stops when the statement is interrupted. DataFusion's analyzer and optimizer
//! run their rules one after another without a point where the session could stop them,
//! and a wide or long statement (`x <> 1 AND x <> 2 AND ...` with thousands of terms) keeps
//! them busy for a long time; [`with_checks`] puts a check of the session's
//! [`Interrupt`] between every two rules, so a cancel, a statement timeout or a closed
//! connection stops planning after the rule that is running.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::Transformed;
use datafusion::logical_expr::LogicalPlan;
use datafusion::optimizer::{AnalyzerRule, OptimizerConfig, OptimizerRule};

use crate::session::interrupt::Interrupt;

/// A rule that changes nothing and fails with the interrupt's error when one is pending.
#[derive(Debug)]
pub struct InterruptCheck(pub Arc<Interrupt>);

impl AnalyzerRule for InterruptCheck {
    fn name(&self) -> &str {
        "shale_interrupt_check"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        self.0.check()?;
        Ok(plan)
    }
}

impl OptimizerRule for InterruptCheck {
    fn name(&self) -> &str {
        "shale_interrupt_check"
    }

    fn rewrite(&self, plan: LogicalPlan, _config: &dyn OptimizerConfig) -> Result<Transformed<LogicalPlan>> {
        self.0.check()?;
        Ok(Transformed::no(plan))
    }
}

/// `rules` with `check` after each of them.
pub fn with_checks<R: ?Sized>(rules: Vec<Arc<R>>, check: &Arc<R>) -> Vec<Arc<R>> {
    rules.into_iter().flat_map(|rule| [rule, check.clone()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::interrupt::Reason;
    use datafusion::logical_expr::LogicalPlanBuilder;

    #[test]
    fn the_check_fails_only_once_interrupted_and_sits_between_rules() {
        let interrupt = Arc::new(Interrupt::default());
        let check = InterruptCheck(interrupt.clone());
        let plan = LogicalPlanBuilder::empty(false).build().unwrap();
        assert!(AnalyzerRule::analyze(&check, plan.clone(), &ConfigOptions::default()).is_ok());
        interrupt.request(Reason::UserRequest);
        let error = AnalyzerRule::analyze(&check, plan, &ConfigOptions::default()).unwrap_err();
        assert!(error.to_string().contains("canceling statement due to user request"), "{error}");
        let rules: Vec<Arc<str>> = vec!["a".into(), "b".into()];
        let checked: Vec<String> = with_checks(rules, &Arc::from("check")).iter().map(|r| r.to_string()).collect();
        assert_eq!(checked, ["a", "check", "b", "check"]);
    }
}
