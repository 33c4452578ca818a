//! `gcd` and `lcm` as PostgreSQL has them for integers, in place of DataFusion's (which
//! computes every integer as bigint): `integer` arguments give an `integer`, any `bigint`
//! gives a `bigint`, and a result the type cannot hold is 22003 (`gcd(-2147483648, 0)`).
//! Numeric arguments go to DataFusion's functions.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::error::{PgError, sqlstate};

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Gcd,
    Lcm,
}

/// `gcd(a, b)` or `lcm(a, b)`, wrapping DataFusion's for other types than integers.
#[derive(Debug, PartialEq, Eq, Hash)]
struct IntegerMath {
    which: Which,
    inner: Arc<ScalarUDF>,
    signature: Signature,
}

/// Shale's `gcd` and `lcm`.
pub fn functions() -> Vec<ScalarUDF> {
    let math = |which, inner| ScalarUDF::new_from_impl(IntegerMath { which, inner, signature: Signature::user_defined(Volatility::Immutable) });
    vec![
        math(Which::Gcd, datafusion::functions::math::gcd()),
        math(Which::Lcm, datafusion::functions::math::lcm()),
    ]
}

/// The integer type PostgreSQL computes `args` in, if they are all integers.
fn integer_type(args: &[DataType]) -> Option<DataType> {
    let integers = args.iter().all(|t| matches!(t, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Null));
    integers.then(|| if args.contains(&DataType::Int64) { DataType::Int64 } else { DataType::Int32 })
}

impl ScalarUDFImpl for IntegerMath {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match integer_type(args) {
            Some(t) => Ok(vec![t; args.len()]),
            None => self.inner.coerce_types(args),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match integer_type(args) {
            Some(t) => Ok(t),
            None => self.inner.return_type(args),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ty = args.return_field.data_type().clone();
        if !matches!(ty, DataType::Int32 | DataType::Int64) {
            return self.inner.invoke_with_args(args);
        }
        let [a, b] = [&args.args[0], &args.args[1]].map(|a| a.to_array(args.number_rows).and_then(|a| Ok(cast(&a, &DataType::Int64)?)));
        let (a, b) = (a?, b?);
        let (a, b) = (a.as_primitive::<Int64Type>(), b.as_primitive::<Int64Type>());
        let (min, max) = if ty == DataType::Int32 { (i64::from(i32::MIN), i64::from(i32::MAX)) } else { (i64::MIN, i64::MAX) };
        let out_of_range = || {
            let name = if ty == DataType::Int32 { "integer" } else { "bigint" };
            PgError::new(sqlstate::OUT_OF_RANGE, format!("{name} out of range")).into_datafusion()
        };
        let values = (0..a.len())
            .map(|row| {
                if a.is_null(row) || b.is_null(row) {
                    return Ok(None);
                }
                let (x, y) = (i128::from(a.value(row)), i128::from(b.value(row)));
                let result = match self.which {
                    Which::Gcd => gcd(x, y),
                    Which::Lcm if x == 0 || y == 0 => 0,
                    Which::Lcm => (x / gcd(x, y) * y).abs(),
                };
                match i64::try_from(result) {
                    Ok(v) if (min..=max).contains(&v) => Ok(Some(v)),
                    _ => Err(out_of_range()),
                }
            })
            .collect::<Result<Int64Array>>()?;
        Ok(ColumnarValue::Array(cast(&values, &ty)?))
    }
}

/// The greatest common divisor of `x` and `y`, not negative.
fn gcd(x: i128, y: i128) -> i128 {
    let (mut x, mut y) = (x.abs(), y.abs());
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_in_postgres_types() {
        assert_eq!(gcd(-2147483648, 0), 2147483648);
        assert_eq!(gcd(12, -18), 6);
        assert_eq!(integer_type(&[DataType::Int16, DataType::Int32]), Some(DataType::Int32));
        assert_eq!(integer_type(&[DataType::Int32, DataType::Int64]), Some(DataType::Int64));
        assert_eq!(integer_type(&[DataType::Int32, DataType::Decimal128(5, 2)]), None);
    }
}
