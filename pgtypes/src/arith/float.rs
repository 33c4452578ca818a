//! PostgreSQL's checks on `real` and `double precision` values, which IEEE arithmetic and
//! Arrow's casts do not make: an operation whose result is infinite (or zero) while its
//! operands are finite (or not zero) is 22003 "value out of range: overflow" ("underflow"),
//! dividing by zero is 22012, and text read as a float that does not fit the type is 22003
//! `"10e70" is out of range for type real`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, Operator, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use datafusion::arrow::datatypes::FieldRef;

use crate::error::{PgError, Result, sqlstate};

/// The values of `array` (any float type) as double precision.
pub(crate) fn doubles(array: &ArrayRef) -> Result<ArrayRef> {
    cast(array, &DataType::Float64).map_err(|e| PgError::internal(e.to_string()))
}

/// 22003 "value out of range: overflow".
pub(crate) fn overflow() -> PgError {
    PgError::new(sqlstate::OUT_OF_RANGE, "value out of range: overflow")
}

/// 22003 "value out of range: underflow".
pub(crate) fn underflow() -> PgError {
    PgError::new(sqlstate::OUT_OF_RANGE, "value out of range: underflow")
}

/// Checks `result`, the IEEE result of `l op r` row by row, as PostgreSQL's `float8pl`,
/// `float8mi`, `float8mul` and `float8div` check theirs.
pub fn check_result(op: Operator, l: &ArrayRef, r: &ArrayRef, result: &ArrayRef) -> Result<()> {
    let (l, r, result) = (doubles(l)?, doubles(r)?, doubles(result)?);
    let (l, r, result) = (l.as_primitive::<Float64Type>(), r.as_primitive::<Float64Type>(), result.as_primitive::<Float64Type>());
    for row in 0..result.len() {
        if result.is_null(row) {
            continue;
        }
        let (a, b, x) = (l.value(row), r.value(row), result.value(row));
        if op == Operator::Divide && b == 0.0 && !a.is_nan() {
            return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
        }
        let infinite_operand = match op {
            Operator::Divide => a.is_infinite(),
            _ => a.is_infinite() || b.is_infinite(),
        };
        if x.is_infinite() && !infinite_operand {
            return Err(overflow());
        }
        let may_be_zero = match op {
            Operator::Multiply => a == 0.0 || b == 0.0,
            Operator::Divide => a == 0.0 || b.is_infinite(),
            _ => true,
        };
        if x == 0.0 && !may_be_zero {
            return Err(underflow());
        }
    }
    Ok(())
}

/// `shale_float_check(cast, source)`: the value of a cast to a float type, checked against
/// what it was cast from: text that does not fit the type, or a double precision value
/// too large or too small for `real`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FloatCheck {
    signature: Signature,
}

/// `cast` (a cast of `source` to a float type), checked by PostgreSQL's rules.
pub fn checked_cast(cast: Expr, source: Expr) -> Expr {
    let udf = ScalarUDF::new_from_impl(FloatCheck { signature: Signature::any(2, Volatility::Immutable) });
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![cast, source]))
}

impl ScalarUDFImpl for FloatCheck {
    fn name(&self) -> &str {
        "shale_float_check"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> DFResult<DataType> {
        Ok(args.first().cloned().unwrap_or(DataType::Float64))
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        args.arg_fields.first().cloned().ok_or_else(|| PgError::internal("shale_float_check takes two arguments").into_datafusion())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let [value, source] = [&args.args[0], &args.args[1]].map(|a| a.to_array(args.number_rows));
        let (value, source) = (value?, source?);
        let type_name = if value.data_type() == &DataType::Float32 { "real" } else { "double precision" };
        let values = doubles(&value)?;
        let values = values.as_primitive::<Float64Type>();
        let texts = match source.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some(cast(&source, &DataType::Utf8)?),
            _ => None,
        };
        let numbers = match &texts {
            None => Some(doubles(&source)?),
            Some(_) => None,
        };
        for row in 0..values.len() {
            if values.is_null(row) {
                continue;
            }
            let x = values.value(row);
            match (&texts, &numbers) {
                (Some(texts), _) => {
                    let text = texts.as_string::<i32>().value(row);
                    let spelled_infinite = text.trim().trim_start_matches(['+', '-']).to_ascii_lowercase().starts_with("inf");
                    if (x.is_infinite() && !spelled_infinite) || (x == 0.0 && nonzero_mantissa(text)) {
                        return Err(PgError::new(
                            sqlstate::OUT_OF_RANGE,
                            format!("\"{text}\" is out of range for type {type_name}"),
                        )
                        .into_datafusion());
                    }
                }
                (None, Some(numbers)) => {
                    let n = numbers.as_primitive::<Float64Type>().value(row);
                    if x.is_infinite() && !n.is_infinite() {
                        return Err(overflow().into_datafusion());
                    }
                    if x == 0.0 && n != 0.0 {
                        return Err(underflow().into_datafusion());
                    }
                }
                _ => {}
            }
        }
        Ok(ColumnarValue::Array(value))
    }
}

/// Whether the number written in `text` has a digit other than zero before its exponent.
fn nonzero_mantissa(text: &str) -> bool {
    text.trim().chars().take_while(|c| !matches!(c, 'e' | 'E')).any(|c| matches!(c, '1'..='9'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Float64Array;

    fn floats(values: &[f64]) -> ArrayRef {
        Arc::new(Float64Array::from(values.to_vec()))
    }

    #[test]
    fn checks_as_postgres() {
        let (big, zero, one) = (floats(&[1e300]), floats(&[0.0]), floats(&[1.0]));
        let e = check_result(Operator::Multiply, &big, &big, &floats(&[f64::INFINITY])).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22003", "value out of range: overflow"));
        let e = check_result(Operator::Divide, &one, &zero, &floats(&[f64::INFINITY])).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22012", "division by zero"));
        let tiny = floats(&[1e-300]);
        assert_eq!(check_result(Operator::Multiply, &tiny, &tiny, &zero).unwrap_err().message, "value out of range: underflow");
        let inf = floats(&[f64::INFINITY]);
        assert!(check_result(Operator::Plus, &inf, &one, &inf).is_ok());
        assert!(check_result(Operator::Multiply, &zero, &big, &zero).is_ok());
        assert!(nonzero_mantissa("1e-70") && !nonzero_mantissa("0.000e5"));
    }
}
