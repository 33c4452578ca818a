//! `+ - * / %` and unary minus on `numeric` with PostgreSQL's rules for NaN and the
//! infinities (`Infinity - Infinity` is NaN, `x / Infinity` is 0, `Infinity / 0` is 22012).
//! Rows of numbers are divided as PostgreSQL divides them ([`super::divide`]: the quotient
//! is unconstrained numeric) and otherwise computed by DataFusion's own operator, so their
//! results and types are exactly what they would be without specials.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::{cast, kernels::numeric::neg};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Decimal256Type, Field, FieldRef, Schema, i256,
};
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::type_coercion::binary::BinaryTypeCoercer;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::expressions::{BinaryExpr, Column};

use super::divide::divide;
use super::special::{Special, map_rows, specials};
use crate::error::{PgError, Result, sqlstate};
use crate::types::SqlType;

/// An arithmetic operation on numerics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A binary operator: `+`, `-`, `*`, `/` or `%`.
    Binary(Operator),
    /// Unary minus.
    Negate,
}

impl Operation {
    /// The operation of an arithmetic operator.
    pub fn of(op: Operator) -> Option<Operation> {
        use Operator::*;
        matches!(op, Plus | Minus | Multiply | Divide | Modulo).then_some(Operation::Binary(op))
    }
}

/// One numeric operation as a function of its operands.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NumericOp {
    operation: Operation,
    signature: Signature,
}

impl NumericOp {
    /// The call that applies `operation` to `args` (one operand for [`Operation::Negate`]).
    pub fn call(operation: Operation, args: Vec<Expr>) -> Expr {
        let arity = if operation == Operation::Negate { 1 } else { 2 };
        let udf = ScalarUDF::new_from_impl(NumericOp { operation, signature: Signature::any(arity, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), args))
    }

    /// Whether `e` is a division made by [`NumericOp::call`].
    pub fn is_quotient(e: &Expr) -> bool {
        matches!(e, Expr::ScalarFunction(f)
            if f.func.inner().downcast_ref::<NumericOp>().is_some_and(|op| op.operation == Operation::Binary(Operator::Divide)))
    }
}

impl ScalarUDFImpl for NumericOp {
    fn name(&self) -> &str {
        "shale_numeric_op"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> DFResult<DataType> {
        match (self.operation, args) {
            (Operation::Negate, [operand]) => Ok(operand.clone()),
            (Operation::Binary(Operator::Divide), [_, _]) => Ok(SqlType::Numeric(None).arrow_type()),
            (Operation::Binary(op), [left, right]) => BinaryTypeCoercer::new(left, &op, right).get_result_type(),
            _ => Err(PgError::internal("a numeric operation with the wrong number of operands").into_datafusion()),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let operands = args.args.iter().map(|a| a.to_array(args.number_rows)).collect::<DFResult<Vec<_>>>()?;
        let specials: Vec<_> = operands.iter().map(specials).collect();
        if specials.iter().all(Option::is_none) {
            return Ok(ColumnarValue::Array(self.compute(&operands, &args.arg_fields)?));
        }
        let rows = args.number_rows;
        let special_at = |side: usize, row: usize| specials[side].as_ref().and_then(|s| s[row]);
        let any_special: Vec<bool> = (0..rows).map(|row| (0..operands.len()).any(|side| special_at(side, row).is_some())).collect();
        // Rows with a special get 1 in both operands: no overflow, no division by zero.
        let neutral = operands.iter().map(|a| with_one(a, &any_special)).collect::<Vec<_>>();
        let numbers = self.compute(&neutral, &args.arg_fields)?;
        let mut outcomes = vec![None; rows];
        for (row, outcome) in outcomes.iter_mut().enumerate().filter(|(row, _)| any_special[*row]) {
            let operand = |side: usize| match special_at(side, row) {
                Some(s) => Operand::Special(s),
                None => Operand::Number(sign(&operands[side], row)),
            };
            if operands.iter().any(|a| a.is_null(row)) {
                continue;
            }
            *outcome = Some(match self.operation {
                Operation::Negate => Outcome::Special(special_at(0, row).unwrap_or(Special::NaN).negated()),
                Operation::Binary(op) => outcome_of(op, operand(0), operand(1)).map_err(PgError::into_datafusion)?,
            });
        }
        Ok(ColumnarValue::Array(overlay(&numbers, &outcomes, &operands[0])?))
    }
}

impl NumericOp {
    /// The operation on numbers (of `fields`): division as PostgreSQL divides
    /// ([`divide`]), the others by DataFusion's operator (Arrow's checked negation).
    fn compute(&self, operands: &[ArrayRef], fields: &[FieldRef]) -> DFResult<ArrayRef> {
        match (self.operation, operands, fields) {
            (Operation::Negate, [operand], _) => Ok(neg(operand)?),
            (Operation::Binary(Operator::Divide), [left, right], [left_field, right_field]) => {
                divide((left, left_field), (right, right_field)).map_err(PgError::into_datafusion)
            }
            (Operation::Binary(op), [left, right], _) => {
                let schema = Schema::new(vec![
                    Field::new("l", left.data_type().clone(), true),
                    Field::new("r", right.data_type().clone(), true),
                ]);
                let batch = RecordBatch::try_new(Arc::new(schema), vec![left.clone(), right.clone()])?;
                let expr = BinaryExpr::new(Arc::new(Column::new("l", 0)), op, Arc::new(Column::new("r", 1)));
                expr.evaluate(&batch)?.into_array(batch.num_rows())
            }
            _ => Err(PgError::internal("a numeric operation with the wrong number of operands").into_datafusion()),
        }
    }
}

/// An operand in one row.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Operand {
    Special(Special),
    /// A number, by its sign.
    Number(Ordering),
}

impl Operand {
    fn sign(self) -> Ordering {
        match self {
            Operand::Special(Special::NegativeInfinity) => Ordering::Less,
            Operand::Special(_) => Ordering::Greater,
            Operand::Number(sign) => sign,
        }
    }
}

/// What a row with a special operand yields.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Special(Special),
    Zero,
    /// The left operand (`x % Infinity`).
    Left,
}

/// PostgreSQL's result of `a op b` when one of them is special.
fn outcome_of(op: Operator, a: Operand, b: Operand) -> Result<Outcome> {
    use Operand::{Number, Special as S};
    use Special::{Infinity, NaN, NegativeInfinity};
    if a == S(NaN) || b == S(NaN) {
        return Ok(Outcome::Special(NaN));
    }
    let signed = |sign: Ordering| Outcome::Special(if sign == Ordering::Less { NegativeInfinity } else { Infinity });
    let times = |x: Ordering, y: Ordering| if x == y { Ordering::Greater } else { Ordering::Less };
    let division_by_zero = || PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero");
    Ok(match op {
        Operator::Plus | Operator::Minus => {
            let b = if op == Operator::Minus { match b { S(s) => S(s.negated()), n => n } } else { b };
            match (a, b) {
                (S(x), S(y)) if x != y => Outcome::Special(NaN),
                (S(x), _) | (_, S(x)) => Outcome::Special(x),
                (Number(_), Number(_)) => return Err(PgError::internal("no special operand")),
            }
        }
        Operator::Multiply => match (a, b) {
            (Number(Ordering::Equal), _) | (_, Number(Ordering::Equal)) => Outcome::Special(NaN),
            _ => signed(times(a.sign(), b.sign())),
        },
        Operator::Divide => match (a, b) {
            (_, Number(Ordering::Equal)) => return Err(division_by_zero()),
            (S(_), S(_)) => Outcome::Special(NaN),
            (S(_), Number(_)) => signed(times(a.sign(), b.sign())),
            (Number(_), _) => Outcome::Zero,
        },
        Operator::Modulo => match (a, b) {
            (_, Number(Ordering::Equal)) => return Err(division_by_zero()),
            (S(_), _) => Outcome::Special(NaN),
            (Number(_), _) => Outcome::Left,
        },
        _ => return Err(PgError::internal(format!("{op} is not a numeric operation"))),
    })
}

/// The sign of a decimal in `row`.
fn sign(array: &ArrayRef, row: usize) -> Ordering {
    match array.data_type() {
        DataType::Decimal128(..) => array.as_primitive::<Decimal128Type>().value(row).cmp(&0),
        DataType::Decimal256(..) => array.as_primitive::<Decimal256Type>().value(row).cmp(&i256::ZERO),
        _ => Ordering::Greater,
    }
}

/// `array` with 1 in each row that has a special in some operand.
fn with_one(array: &ArrayRef, rows: &[bool]) -> ArrayRef {
    match array.data_type() {
        DataType::Decimal128(..) => set::<Decimal128Type>(array, rows, |_, v| v.map(|_| 1)),
        DataType::Decimal256(..) => set::<Decimal256Type>(array, rows, |_, v| v.map(|_| i256::ONE)),
        _ => array.clone(),
    }
}

/// The numbers' result with each special row's outcome.
fn overlay(numbers: &ArrayRef, outcomes: &[Option<Outcome>], left: &ArrayRef) -> DFResult<ArrayRef> {
    let left = if outcomes.contains(&Some(Outcome::Left)) { Some(cast(left, numbers.data_type())?) } else { None };
    fn pick<T: ArrowPrimitiveType>(
        numbers: &ArrayRef,
        outcomes: &[Option<Outcome>],
        left: Option<&ArrayRef>,
        special: impl Fn(Special) -> T::Native,
        zero: T::Native,
    ) -> ArrayRef {
        let left = left.map(|l| l.as_primitive::<T>());
        set::<T>(numbers, &outcomes.iter().map(Option::is_some).collect::<Vec<_>>(), |row, _| match outcomes[row] {
            Some(Outcome::Special(s)) => Some(special(s)),
            Some(Outcome::Zero) => Some(zero),
            Some(Outcome::Left) => left.and_then(|l| (!l.is_null(row)).then(|| l.value(row))),
            None => None,
        })
    }
    Ok(match numbers.data_type() {
        DataType::Decimal128(..) => pick::<Decimal128Type>(numbers, outcomes, left.as_ref(), Special::raw128, 0),
        DataType::Decimal256(..) => pick::<Decimal256Type>(numbers, outcomes, left.as_ref(), Special::raw256, i256::ZERO),
        _ => numbers.clone(),
    })
}

/// `array` with `value(row, its value)` in the rows marked in `rows`.
fn set<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    rows: &[bool],
    value: impl Fn(usize, Option<T::Native>) -> Option<T::Native>,
) -> ArrayRef {
    map_rows::<T>(array, |row, v| if rows[row] { value(row, v) } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operand::{Number, Special as S};
    use Special::{Infinity, NaN, NegativeInfinity};

    fn of(op: Operator, a: Operand, b: Operand) -> std::result::Result<Outcome, &'static str> {
        outcome_of(op, a, b).map_err(|e| e.code)
    }

    #[test]
    fn follows_postgres() {
        let (pos, zero, neg) = (Number(Ordering::Greater), Number(Ordering::Equal), Number(Ordering::Less));
        // SELECT 'inf'::numeric + 1, 'inf'::numeric - 'inf', 'inf'::numeric * 0, 1 / 'inf'::numeric,
        //        'inf'::numeric % 2, 5 % 'inf'::numeric, 'NaN'::numeric / 0, -2 * 'inf'::numeric
        assert_eq!(of(Operator::Plus, S(Infinity), pos), Ok(Outcome::Special(Infinity)));
        assert_eq!(of(Operator::Minus, S(Infinity), S(Infinity)), Ok(Outcome::Special(NaN)));
        assert_eq!(of(Operator::Minus, S(NegativeInfinity), S(Infinity)), Ok(Outcome::Special(NegativeInfinity)));
        assert_eq!(of(Operator::Minus, pos, S(Infinity)), Ok(Outcome::Special(NegativeInfinity)));
        assert_eq!(of(Operator::Multiply, S(Infinity), zero), Ok(Outcome::Special(NaN)));
        assert_eq!(of(Operator::Multiply, neg, S(Infinity)), Ok(Outcome::Special(NegativeInfinity)));
        assert_eq!(of(Operator::Divide, pos, S(Infinity)), Ok(Outcome::Zero));
        assert_eq!(of(Operator::Divide, S(NegativeInfinity), neg), Ok(Outcome::Special(Infinity)));
        assert_eq!(of(Operator::Divide, S(Infinity), zero), Err(sqlstate::DIVISION_BY_ZERO));
        assert_eq!(of(Operator::Divide, S(NaN), zero), Ok(Outcome::Special(NaN)));
        assert_eq!(of(Operator::Modulo, S(Infinity), pos), Ok(Outcome::Special(NaN)));
        assert_eq!(of(Operator::Modulo, pos, S(Infinity)), Ok(Outcome::Left));
    }
}
