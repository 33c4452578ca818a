//! `character(n)` keeps its padding when stored and printed, but PostgreSQL ignores trailing
//! spaces when such a value is compared or turned into text: `'ab'::char(3) = 'ab'` is true
//! and `c || '|'` is `ab|`. An analyzer rule trims the trailing spaces of `character`
//! operands in comparisons and concatenation, and of the other operand of such a
//! comparison (PostgreSQL compares a literal or a varchar with a `character` value as
//! `character`).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::functions::string::rtrim;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::{is_comparison, rewrite_operands};
use crate::types::TYPE_KEY;

/// Compares and concatenates `character(n)` values without their trailing spaces.
#[derive(Debug, Default)]
pub struct BpcharSemantics;

impl AnalyzerRule for BpcharSemantics {
    fn name(&self) -> &str {
        "shale_bpchar_semantics"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let applies = |op| is_comparison(op) || op == Operator::StringConcat;
        rewrite_operands(plan, applies, &|left, op, right, schema| {
            let (l, r) = (is_bpchar(left, schema), is_bpchar(right, schema));
            if !l && !r {
                return Ok(None);
            }
            // In a comparison the other operand is read as character(n) too, as
            // PostgreSQL reads a literal or a varchar there.
            let comparison = op != Operator::StringConcat;
            let trim = |side: &Expr, bpchar: bool| match side {
                _ if bpchar => trimmed(side.clone()),
                Expr::Literal(ScalarValue::Utf8(Some(s)), m) if comparison => {
                    Expr::Literal(ScalarValue::Utf8(Some(s.trim_end_matches(' ').to_string())), m.clone())
                }
                _ if comparison && side.get_type(schema).is_ok_and(|t| t == DataType::Utf8) => trimmed(side.clone()),
                _ => side.clone(),
            };
            Ok(Some((trim(left, l), trim(right, r))))
        })
    }
}

fn is_bpchar(e: &Expr, schema: &DFSchema) -> bool {
    e.to_field(schema).is_ok_and(|(_, f)| f.metadata().get(TYPE_KEY).is_some_and(|t| t == "bpchar"))
}

fn trimmed(e: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(rtrim(), vec![e]))
}
