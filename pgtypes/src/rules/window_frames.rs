//! PostgreSQL's checks of window frames, which DataFusion does not make (it runs
//! `ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW` as an empty frame): an analyzer rule answers
//! 42P20 with PostgreSQL's words for a frame whose start comes after its end. (DataFusion's
//! own refusals of `UNBOUNDED FOLLOWING` starts and `UNBOUNDED PRECEDING` ends are worded
//! as PostgreSQL's by [`crate::error_map`].)

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::Result;
use datafusion::logical_expr::{Expr, LogicalPlan, WindowFrameBound};
use datafusion::optimizer::AnalyzerRule;

use crate::error::PgError;

/// SQLSTATE windowing_error.
const WINDOWING_ERROR: &str = "42P20";

/// Refuses window frames PostgreSQL refuses.
#[derive(Debug, Default)]
pub struct WindowFrames;

impl AnalyzerRule for WindowFrames {
    fn name(&self) -> &str {
        "shale_window_frames"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.apply_with_subqueries(|node| {
            node.apply_expressions(|e| {
                e.apply(|e| {
                    if let Expr::WindowFunction(w) = e {
                        check(&w.params.window_frame.start_bound, &w.params.window_frame.end_bound)?;
                    }
                    Ok(TreeNodeRecursion::Continue)
                })
            })
        })?;
        Ok(plan)
    }
}

/// 42P20 when a frame starting at `start` cannot end at `end`.
fn check(start: &WindowFrameBound, end: &WindowFrameBound) -> Result<()> {
    use WindowFrameBound::{CurrentRow, Following, Preceding};
    let offset_preceding = matches!(end, Preceding(v) if !v.is_null());
    let message = match start {
        CurrentRow if offset_preceding => "frame starting from current row cannot have preceding rows",
        Following(v) if !v.is_null() && (offset_preceding || matches!(end, CurrentRow)) => {
            "frame starting from following row cannot have preceding rows"
        }
        _ => return Ok(()),
    };
    Err(PgError::new(WINDOWING_ERROR, message).into_datafusion())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::common::ScalarValue;

    #[test]
    fn refuses_frames_that_end_before_they_start() {
        let one = || ScalarValue::UInt64(Some(1));
        let unbounded = || ScalarValue::UInt64(None);
        assert!(check(&WindowFrameBound::Following(one()), &WindowFrameBound::CurrentRow).is_err());
        assert!(check(&WindowFrameBound::CurrentRow, &WindowFrameBound::Preceding(one())).is_err());
        assert!(check(&WindowFrameBound::Following(one()), &WindowFrameBound::Preceding(one())).is_err());
        assert!(check(&WindowFrameBound::Preceding(one()), &WindowFrameBound::Preceding(one())).is_ok());
        assert!(check(&WindowFrameBound::CurrentRow, &WindowFrameBound::Following(unbounded())).is_ok());
        assert!(check(&WindowFrameBound::Following(one()), &WindowFrameBound::Following(unbounded())).is_ok());
    }
}
