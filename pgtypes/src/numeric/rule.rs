//! The analyzer rule that keeps numeric specials out of code that does not know them: after
//! DataFusion's type coercion, casts from numeric (and to it from floats and text) become
//! [`NumericCast`], numeric arithmetic [`NumericOp`], and a numeric argument of any other
//! function that computes with it (`abs`, `sum`, ...) is checked by [`NumericCheck`],
//! which answers 0A000 for a special. Functions that only pass values through or compare
//! them (`coalesce`, `greatest`, `min`, `count`, ...) take specials as they are.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Cast, ScalarFunction, TryCast};
use datafusion::logical_expr::type_coercion::binary::BinaryTypeCoercer;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, ExprSchemable, LogicalPlan, Operator, Projection, ReturnFieldArgs, ScalarFunctionArgs,
    ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::optimizer::AnalyzerRule;

use super::cast::NumericCast;
use super::ops::{NumericOp, Operation};
use super::special::{is_decimal, may_hold_specials, specials};
use crate::arith::rewrite_plan;
use crate::error::{PgError, sqlstate};

/// Functions that take a numeric special as any other value: they pass values through,
/// compare them or count them.
const PASS_THROUGH: &[&str] = &[
    "coalesce", "nullif", "nvl", "nvl2", "ifnull", "greatest", "least", "make_array", "min", "max", "count",
    "first_value", "last_value", "nth_value", "array_agg", "lag", "lead",
];

/// Sends numeric values through code that knows NaN and the infinities.
#[derive(Debug, Default)]
pub struct NumericSpecials;

impl AnalyzerRule for NumericSpecials {
    fn name(&self) -> &str {
        "shale_numeric_specials"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        returned_quotients(rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| rewrite(e, schema)))?)
    }
}

/// The name of the target field of the cast that gives a quotient typed only by coercion
/// the type coercion gave it.
const COERCED_QUOTIENT: &str = "shale_coerced_quotient";

/// `plan` with the quotients typed only by coercion that the statement returns as they are
/// (`SELECT CASE WHEN c THEN 1 ELSE 2.0 END / 3` has PostgreSQL's 20 digits, not the 5 of
/// the coerced decimal): in the select list of a query, under its ORDER BY and LIMIT,
/// nothing around them depends on the type.
fn returned_quotients(plan: LogicalPlan) -> Result<LogicalPlan> {
    fn uncast(e: Expr) -> Expr {
        match e {
            Expr::Alias(mut alias) => {
                *alias.expr = uncast(*alias.expr);
                Expr::Alias(alias)
            }
            Expr::ScalarFunction(f)
                if f.args.len() == 1 && NumericCast::target_of(&f).is_some_and(|t| t.name() == COERCED_QUOTIENT) =>
            {
                let mut args = f.args;
                args.remove(0)
            }
            e => e,
        }
    }
    match plan {
        LogicalPlan::Sort(_) | LogicalPlan::Limit(_) => {
            plan.map_children(|input| returned_quotients(input).map(Transformed::yes))?.data.recompute_schema()
        }
        LogicalPlan::Projection(p) => {
            Ok(LogicalPlan::Projection(Projection::try_new(p.expr.into_iter().map(uncast).collect(), p.input)?))
        }
        plan => Ok(plan),
    }
}

/// A standalone expression (not in a plan, which the rule rewrites) made to know numeric
/// specials, as the rule would.
pub fn with_specials(e: Expr, schema: &DFSchema) -> Result<Expr> {
    Ok(e.transform_up(|e| rewrite(e, schema))?.data)
}

fn rewrite(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let decimal = |e: &Expr| e.get_type(schema).is_ok_and(|t| is_decimal(&t));
    Ok(match e {
        Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field }) => {
            let source = expr.get_type(schema)?;
            if is_decimal(&source) || (is_decimal(field.data_type()) && may_hold_specials(&source)) {
                Transformed::yes(NumericCast::call(*expr, field))
            } else {
                Transformed::no(Expr::Cast(Cast { expr, field }))
            }
        }
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match Operation::of(op) {
            // Numeric operands only after coercion (see `super::quotients`): PostgreSQL's
            // quotient at the type coercion gave the plan around it.
            Some(operation) if op == Operator::Divide && decimal(&left) && decimal(&right) => {
                let coerced = BinaryTypeCoercer::new(&left.get_type(schema)?, &op, &right.get_type(schema)?).get_result_type()?;
                let quotient = NumericOp::call(operation, vec![*left, *right]);
                Transformed::yes(NumericCast::call(quotient, Arc::new(Field::new(COERCED_QUOTIENT, coerced, true))))
            }
            Some(operation) if decimal(&left) && decimal(&right) => {
                Transformed::yes(NumericOp::call(operation, vec![*left, *right]))
            }
            _ => Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right })),
        },
        Expr::Negative(operand) if decimal(&operand) => Transformed::yes(NumericOp::call(Operation::Negate, vec![*operand])),
        Expr::ScalarFunction(mut f) if computes(f.name()) && f.args.iter().any(decimal) => {
            let name = f.name().to_string();
            f.args = checked(&name, f.args, schema);
            Transformed::yes(Expr::ScalarFunction(f))
        }
        Expr::AggregateFunction(mut a) if computes(a.func.name()) && a.params.args.iter().any(decimal) => {
            let name = a.func.name().to_string();
            a.params.args = checked(&name, a.params.args, schema);
            Transformed::yes(Expr::AggregateFunction(a))
        }
        Expr::WindowFunction(mut w) if computes(w.fun.name()) && w.params.args.iter().any(decimal) => {
            let name = w.fun.name().to_string();
            w.params.args = checked(&name, w.params.args, schema);
            Transformed::yes(Expr::WindowFunction(w))
        }
        other => Transformed::no(other),
    })
}

/// Whether a function computes with its arguments' values (Shale's own functions know
/// what they take).
fn computes(name: &str) -> bool {
    !name.starts_with("shale_") && !PASS_THROUGH.contains(&name)
}

/// `args` with each numeric one checked for specials.
fn checked(function: &str, args: Vec<Expr>, schema: &DFSchema) -> Vec<Expr> {
    args.into_iter()
        .map(|arg| match arg.get_type(schema) {
            Ok(t) if is_decimal(&t) => {
                let check = NumericCheck { function: function.to_string(), signature: Signature::any(1, Volatility::Immutable) };
                Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(ScalarUDF::new_from_impl(check)), vec![arg]))
            }
            _ => arg,
        })
        .collect()
}

/// A numeric argument of `function`, which does not take NaN or an infinity in Shale.
#[derive(Debug, PartialEq, Eq, Hash)]
struct NumericCheck {
    function: String,
    signature: Signature,
}

impl ScalarUDFImpl for NumericCheck {
    fn name(&self) -> &str {
        "shale_numeric_check"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        args.first().cloned().ok_or_else(|| PgError::internal("shale_numeric_check takes one argument").into_datafusion())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        args.arg_fields.first().cloned().ok_or_else(|| PgError::internal("shale_numeric_check takes one argument").into_datafusion())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let value = args.args.into_iter().next().ok_or_else(|| PgError::internal("shale_numeric_check takes one argument").into_datafusion())?;
        let array = value.to_array(args.number_rows)?;
        if let Some(special) = specials(&array).and_then(|s| s.into_iter().flatten().next()) {
            return Err(PgError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("{}() of numeric {} is not supported in Shale", self.function, special.text()),
            )
            .into_datafusion());
        }
        Ok(ColumnarValue::Array(array))
    }
}
