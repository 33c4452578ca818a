//! `ln`, `log`, `log10`, `exp` and `power` with PostgreSQL's errors, in place of
//! DataFusion's, which answer IEEE's NaN and infinities instead: the logarithm of zero or of
//! a negative number is 2201E, a negative number raised to a non-integer power or zero to
//! a negative one 2201F, `log(1, x)` 22012, and a result that overflows or underflows the
//! type 22003. The values themselves are DataFusion's.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF};

use crate::error::{PgError, sqlstate};
use crate::arith::float::{doubles, overflow, underflow};
use crate::guarded::{Guard, guarded};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Ln,
    /// `log(x)` (base 10) or `log(b, x)`.
    Log,
    Log10,
    Exp,
    Power,
}

/// Shale's `ln`, `log`, `log10`, `exp` and `power` (with its alias `pow`).
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions::math;
    vec![
        guarded(math::ln(), Which::Ln),
        guarded(math::log(), Which::Log),
        guarded(math::log10(), Which::Log10),
        guarded(math::exp(), Which::Exp),
        guarded(math::power(), Which::Power),
    ]
}

/// DataFusion's function, its arguments and result checked as PostgreSQL checks its own.
impl Guard for Which {
    fn invoke(&self, inner: &ScalarUDF, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        for arg in &mut args.args {
            *arg = one_value(std::mem::replace(arg, ColumnarValue::Scalar(ScalarValue::Null)), rows)?;
        }
        let inputs = args.args.iter().map(|a| Ok(doubles(&a.to_array(rows)?)?)).collect::<Result<Vec<ArrayRef>>>()?;
        let inputs: Vec<_> = inputs.iter().map(|a| a.as_primitive::<Float64Type>()).collect();
        let row_values = |row: usize| -> Option<Vec<f64>> { inputs.iter().map(|a| (!a.is_null(row)).then(|| a.value(row))).collect() };
        // The arguments first: DataFusion fails some of them with its own words.
        for row in 0..rows {
            if let Some(values) = row_values(row) {
                check(*self, &values, None).map_err(PgError::into_datafusion)?;
            }
        }
        let result = one_value(inner.invoke_with_args(args)?, rows)?;
        if !matches!(result.data_type(), DataType::Float64 | DataType::Float32) {
            return Ok(result);
        }
        let output = doubles(&result.to_array(rows)?)?;
        let output = output.as_primitive::<Float64Type>();
        for row in (0..rows).filter(|row| !output.is_null(*row)) {
            if let Some(values) = row_values(row) {
                check(*self, &values, Some(output.value(row))).map_err(PgError::into_datafusion)?;
            }
        }
        Ok(result)
    }
}

/// `value`, a one-row array beside more rows (what DataFusion's functions give for scalar
/// arguments) as the one value it is on every row.
fn one_value(value: ColumnarValue, rows: usize) -> Result<ColumnarValue> {
    match value {
        ColumnarValue::Array(array) if array.len() == 1 && rows != 1 => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)),
        other => Ok(other),
    }
}

/// PostgreSQL's errors for `which` of `args` with the IEEE result `out` (when the result is
/// a float).
fn check(which: Which, args: &[f64], out: Option<f64>) -> Result<(), PgError> {
    let logarithm = |x: f64| match x {
        0.0 => Err(PgError::new("2201E", "cannot take logarithm of zero")),
        x if x < 0.0 => Err(PgError::new("2201E", "cannot take logarithm of a negative number")),
        _ => Ok(()),
    };
    let finite = args.iter().all(|x| x.is_finite());
    match (which, args) {
        (Which::Ln | Which::Log | Which::Log10, [x]) => logarithm(*x),
        (Which::Log, [base, x]) => {
            logarithm(*base)?;
            logarithm(*x)?;
            match *base == 1.0 {
                true => Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero")),
                false => Ok(()),
            }
        }
        (Which::Exp, [x]) => match out {
            Some(y) if y.is_infinite() && x.is_finite() => Err(overflow()),
            Some(0.0) if x.is_finite() => Err(underflow()),
            _ => Ok(()),
        },
        (Which::Power, [x, y]) => {
            if *x == 0.0 && *y < 0.0 {
                return Err(PgError::new("2201F", "zero raised to a negative power is undefined"));
            }
            if *x < 0.0 && y.floor() != *y {
                return Err(PgError::new("2201F", "a negative number raised to a non-integer power yields a complex result"));
            }
            match out {
                Some(z) if z.is_infinite() && finite => Err(overflow()),
                Some(0.0) if finite && *x != 0.0 => Err(underflow()),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(which: Which, args: &[f64], out: f64) -> Option<String> {
        check(which, args, Some(out)).err().map(|e| e.code.to_string())
    }

    #[test]
    fn errors_as_postgres() {
        assert_eq!(code(Which::Ln, &[0.0], f64::NEG_INFINITY).as_deref(), Some("2201E"));
        assert_eq!(code(Which::Log10, &[-1.0], f64::NAN).as_deref(), Some("2201E"));
        assert_eq!(code(Which::Log, &[1.0, 5.0], f64::INFINITY).as_deref(), Some("22012"));
        assert_eq!(code(Which::Exp, &[1000.0], f64::INFINITY).as_deref(), Some("22003"));
        assert_eq!(code(Which::Exp, &[-1000.0], 0.0).as_deref(), Some("22003"));
        assert_eq!(code(Which::Power, &[-8.0, 1.0 / 3.0], f64::NAN).as_deref(), Some("2201F"));
        assert_eq!(code(Which::Power, &[0.0, -1.0], f64::INFINITY).as_deref(), Some("2201F"));
        assert_eq!(code(Which::Power, &[10.0, -400.0], 0.0).as_deref(), Some("22003"));
        // NaN and infinities pass through, as in PostgreSQL.
        assert_eq!(code(Which::Ln, &[f64::NAN], f64::NAN), None);
        assert_eq!(code(Which::Ln, &[f64::INFINITY], f64::INFINITY), None);
        assert_eq!(code(Which::Exp, &[f64::NEG_INFINITY], 0.0), None);
        assert_eq!(code(Which::Power, &[-8.0, f64::INFINITY], f64::INFINITY), None);
        assert_eq!(code(Which::Power, &[-2.0, 3.0], -8.0), None);
        assert_eq!(code(Which::Power, &[f64::NAN, 0.0], 1.0), None);
    }
}
