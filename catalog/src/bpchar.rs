//! `character(n)` keeps its padding when stored and printed, but PostgreSQL ignores trailing
//! spaces when such a value is compared or turned into text: `'ab'::char(3) = 'ab'` is true
//! and `c || '|'` is `ab|`. An analyzer rule trims the trailing spaces of `character`
//! operands in comparisons and concatenation, and of the other operand of such a
//! comparison (PostgreSQL compares a literal or a varchar with a `character` value as
//! `character`).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::functions::string::rtrim;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
use crate::types::TYPE_KEY;

/// Compares and concatenates `character(n)` values without their trailing spaces.
#[derive(Debug, Default)]
pub struct BpcharSemantics;

impl AnalyzerRule for BpcharSemantics {
    fn name(&self) -> &str {
        "shale_bpchar_semantics"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| {
                let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else { return Ok(Transformed::no(e)) };
                use Operator::*;
                if !matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq | IsDistinctFrom | IsNotDistinctFrom | StringConcat) {
                    return Ok(Transformed::no(e));
                }
                let (l, r) = (is_bpchar(left, schema), is_bpchar(right, schema));
                if !l && !r {
                    return Ok(Transformed::no(e));
                }
                // In a comparison the other operand is read as character(n) too, as
                // PostgreSQL reads a literal or a varchar there.
                let comparison = *op != StringConcat;
                let trim = |side: &Expr, bpchar: bool| match side {
                    _ if bpchar => trimmed(side.clone()),
                    Expr::Literal(ScalarValue::Utf8(Some(s)), m) if comparison => {
                        Expr::Literal(ScalarValue::Utf8(Some(s.trim_end_matches(' ').to_string())), m.clone())
                    }
                    _ if comparison && side.get_type(schema).is_ok_and(|t| t == DataType::Utf8) => trimmed(side.clone()),
                    _ => side.clone(),
                };
                Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr {
                    left: Box::new(trim(left, l)),
                    op: *op,
                    right: Box::new(trim(right, r)),
                })))
            })
        })
    }
}

fn is_bpchar(e: &Expr, schema: &DFSchema) -> bool {
    e.to_field(schema).is_ok_and(|(_, f)| f.metadata().get(TYPE_KEY).is_some_and(|t| t == "bpchar"))
}

fn trimmed(e: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(rtrim(), vec![e]))
}
