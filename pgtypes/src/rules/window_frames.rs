//! PostgreSQL's checks of window frames, which DataFusion does not make (it runs
//! `ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW` as an empty frame): an analyzer rule answers
//! 42P20 with PostgreSQL's words for a frame whose start comes after its end. (DataFusion's
//! own refusals of `UNBOUNDED FOLLOWING` starts and `UNBOUNDED PRECEDING` ends are worded
//! as PostgreSQL's by [`crate::error_map`].)
//!
//! A RANGE frame without offsets over values DataFusion cannot measure distances between
//! (an enum's, which are structs: `rank() OVER (ORDER BY mood)`, whose default frame is
//! `RANGE UNBOUNDED PRECEDING`) is the same frame in GROUPS: it ends with the current row's
//! peers either way. DataFusion's type coercion refuses the RANGE frame.

use datafusion::common::config::ConfigOptions;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::Result;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, WindowFrame, WindowFrameBound, WindowFrameUnits};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
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
        let mut ranges_without_offsets = false;
        plan.apply_with_subqueries(|node| {
            node.apply_expressions(|e| {
                e.apply(|e| {
                    if let Expr::WindowFunction(w) = e {
                        check(&w.params.window_frame.start_bound, &w.params.window_frame.end_bound)?;
                        ranges_without_offsets |= range_without_offsets(&w.params.window_frame);
                    }
                    Ok(TreeNodeRecursion::Continue)
                })
            })
        })?;
        if !ranges_without_offsets {
            return Ok(plan);
        }
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| {
                let Expr::WindowFunction(mut w) = e else { return Ok(Transformed::no(e)) };
                let first = w.params.order_by.first().map(|s| s.expr.get_type(schema)).transpose()?;
                if range_without_offsets(&w.params.window_frame) && matches!(first, Some(DataType::Struct(_))) {
                    w.params.window_frame.units = WindowFrameUnits::Groups;
                    return Ok(Transformed::yes(Expr::WindowFunction(w)));
                }
                Ok(Transformed::no(Expr::WindowFunction(w)))
            })
        })
    }
}

/// Whether `frame` is a RANGE frame whose bounds are UNBOUNDED or CURRENT ROW.
fn range_without_offsets(frame: &WindowFrame) -> bool {
    let no_offset = |b: &WindowFrameBound| match b {
        WindowFrameBound::Preceding(v) | WindowFrameBound::Following(v) => v.is_null(),
        WindowFrameBound::CurrentRow => true,
    };
    frame.units == WindowFrameUnits::Range && no_offset(&frame.start_bound) && no_offset(&frame.end_bound)
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
