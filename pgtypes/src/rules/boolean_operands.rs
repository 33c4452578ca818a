//! PostgreSQL's AND, OR and NOT take booleans: a quoted literal operand is read as one
//! (`'yes' AND flag`, `NOT 'off'`), and an operand of any other type is 42804 "argument of
//! AND must be type boolean, not type integer". DataFusion refuses both with planning
//! errors of its own. [`BooleanOperands`] runs before DataFusion's type coercion.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator, cast};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
use crate::cast_pairs::type_name;
use crate::error::{PgError, sqlstate};

/// Reads quoted literals under AND, OR and NOT as booleans and refuses other operands.
#[derive(Debug, Default)]
pub struct BooleanOperands;

impl AnalyzerRule for BooleanOperands {
    fn name(&self) -> &str {
        "shale_boolean_operands"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| operands(e, schema)))
    }
}

/// `e` with its boolean operator's operands made booleans.
fn operands(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) if matches!(op, Operator::And | Operator::Or) => {
            let name = if op == Operator::And { "AND" } else { "OR" };
            let (left, right) = (boolean(*left, name, schema)?, boolean(*right, name, schema)?);
            let changed = left.transformed || right.transformed;
            let e = Expr::BinaryExpr(BinaryExpr::new(Box::new(left.data), op, Box::new(right.data)));
            Ok(if changed { Transformed::yes(e) } else { Transformed::no(e) })
        }
        Expr::Not(operand) => Ok(boolean(*operand, "NOT", schema)?.update_data(|e| Expr::Not(Box::new(e)))),
        e => Ok(Transformed::no(e)),
    }
}

/// `operand` as a boolean, or 42804 naming `operator`.
fn boolean(operand: Expr, operator: &str, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match operand.get_type(schema)? {
        DataType::Boolean | DataType::Null => Ok(Transformed::no(operand)),
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 if matches!(operand, Expr::Literal(..)) => {
            Ok(Transformed::yes(cast(operand, DataType::Boolean)))
        }
        other => Err(PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("argument of {operator} must be type boolean, not type {}", type_name(&other)),
        )
        .into_datafusion()),
    }
}
