//! PostgreSQL reads an untyped literal as the type of the other operand; DataFusion types a
//! quoted literal as text, and cannot coerce text to a list or use it in arithmetic. So a
//! text literal compared with an array is read as the list it spells (`a = '{1,2}'` on an
//! `integer[]` column; an analyzer rule, before DataFusion's type coercion), and a text
//! literal in arithmetic with a number is cast to that number's type (`n - 'Infinity'`,
//! `1 + '2'`; an expression planner, since DataFusion cannot type the operation at all), and
//! a text literal concatenated with a bytea is a bytea (`'x' || b`).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::sql::sqlparser::ast::BinaryOperator;
use datafusion::optimizer::AnalyzerRule;

use crate::arith::{is_comparison, rewrite_operands};
use crate::error::PgError;
use crate::input::{convert_array, parse_bytea};
use crate::numeric::special::is_decimal;
use crate::types::SqlType;

/// Reads text literals as the type of the other operand: as an array when compared with
/// one (an analyzer rule), as a number in arithmetic with one (planning, since DataFusion
/// cannot type `1 + '2'` at all).
#[derive(Debug, Default)]
pub struct UntypedLiterals;

impl AnalyzerRule for UntypedLiterals {
    fn name(&self) -> &str {
        "shale_untyped_literals"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let applies = |op| is_comparison(op) || matches!(op, Operator::AtArrow | Operator::ArrowAt);
        rewrite_operands(plan, applies, &|left, _, right, schema| {
            let (new_left, new_right) = (as_array_of(left, right, schema)?, as_array_of(right, left, schema)?);
            if new_left.is_none() && new_right.is_none() {
                return Ok(None);
            }
            Ok(Some((new_left.unwrap_or_else(|| left.clone()), new_right.unwrap_or_else(|| right.clone()))))
        })
    }
}

impl ExprPlanner for UntypedLiterals {
    fn plan_binary_op(&self, mut expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
        use BinaryOperator::*;
        if matches!(expr.op, Plus | Minus | Multiply | Divide | Modulo) {
            if let Some(left) = as_number_of(&expr.left, &expr.right, schema) {
                expr.left = left;
            } else if let Some(right) = as_number_of(&expr.right, &expr.left, schema) {
                expr.right = right;
            }
        }
        if expr.op == StringConcat {
            if let Some(left) = as_bytea_with(&expr.left, &expr.right, schema)? {
                expr.left = left;
            } else if let Some(right) = as_bytea_with(&expr.right, &expr.left, schema)? {
                expr.right = right;
            }
        }
        Ok(PlannerResult::Original(expr))
    }
}

/// `literal` cast to `other`'s type, if it is a text literal and `other` a number.
/// With a numeric, the literal is a numeric with its own digits (`2.5 * '2'` is 5.0), or
/// the unconstrained numeric (`'NaN'`).
fn as_number_of(literal: &Expr, other: &Expr, schema: &DFSchema) -> Option<Expr> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = literal else { return None };
    let number = other.get_type(schema).ok().filter(DataType::is_numeric)?;
    if is_decimal(&number) {
        if let Some(decimal) = decimal_literal(text) {
            return Some(Expr::Literal(decimal, None));
        }
        return literal.clone().cast_to(&SqlType::Numeric(None).arrow_type(), schema).ok();
    }
    literal.clone().cast_to(&number, schema).ok()
}

/// `literal` read as bytea (`\x78` or escapes), if it is a text literal and `other` a
/// bytea: `'x' || 'abc'::bytea` is bytea's `||`, as in PostgreSQL, not text.
fn as_bytea_with(literal: &Expr, other: &Expr, schema: &DFSchema) -> Result<Option<Expr>> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = literal else { return Ok(None) };
    if !matches!(other.get_type(schema), Ok(DataType::Binary | DataType::LargeBinary | DataType::BinaryView)) {
        return Ok(None);
    }
    let bytes = parse_bytea(text).map_err(PgError::into_datafusion)?;
    Ok(Some(Expr::Literal(ScalarValue::Binary(Some(bytes)), None)))
}

/// A numeric written as plain digits (a sign, digits, a point), at its own precision and
/// scale, when those fit a Decimal128.
fn decimal_literal(text: &str) -> Option<ScalarValue> {
    let text = text.trim();
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0').len().max(frac.len()).max(1);
    let (precision, scale) = (u8::try_from(significant).ok().filter(|p| *p <= 38)?, frac.len() as i8);
    let value: i128 = digits.parse().ok()?;
    Some(ScalarValue::Decimal128(Some(if negative { -value } else { value }), precision, scale))
}

/// `literal` read as a value of `other`'s array type, if it is a text literal and `other`
/// an array.
fn as_array_of(literal: &Expr, other: &Expr, schema: &DFSchema) -> Result<Option<Expr>> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = literal else { return Ok(None) };
    let Ok(DataType::List(item)) = other.get_type(schema) else { return Ok(None) };
    let input: ArrayRef = Arc::new(StringArray::from(vec![text.as_str()]));
    let list = convert_array(&item, &crate::input::element_type(&item), true, &input).map_err(PgError::into_datafusion)?;
    Ok(Some(Expr::Literal(ScalarValue::List(Arc::new(list.as_list::<i32>().clone())), None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_literals_keep_their_digits() {
        assert_eq!(decimal_literal(" 2 "), Some(ScalarValue::Decimal128(Some(2), 1, 0)));
        assert_eq!(decimal_literal("-0.050"), Some(ScalarValue::Decimal128(Some(-50), 3, 3)));
        assert_eq!(decimal_literal("12.5"), Some(ScalarValue::Decimal128(Some(125), 3, 1)));
        assert_eq!(decimal_literal("NaN"), None);
        assert_eq!(decimal_literal("1e5"), None);
    }
}
