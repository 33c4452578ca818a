//! `length`, `octet_length`, `substr` (`substring`) and `strpos` (`position`) of `bytea`,
//! which PostgreSQL has and DataFusion's functions of those names take only as text (a
//! 42883, or XX000 for bytes that are not UTF-8). Shale's functions are DataFusion's for
//! every other argument type; [`SubstringPosition`] plans SQL's `SUBSTRING(... FROM ...)`
//! and `POSITION(... IN ...)` with them.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, Int32Builder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, Signature, Volatility,
};

use crate::error::PgError;
use crate::guarded::{Guard, coerced_by, guarded};

/// Shale's `length` (with DataFusion's `character_length`), `octet_length`, `substr` and
/// `strpos`.
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions::{string, unicode};
    vec![
        of_bytea(unicode::character_length(), Which::Length),
        of_bytea(string::octet_length(), Which::Length),
        of_bytea(unicode::substr(), Which::Substr),
        of_bytea(unicode::strpos(), Which::Strpos),
    ]
}

fn of_bytea(inner: Arc<ScalarUDF>, which: Which) -> ScalarUDF {
    guarded(inner, OfBytea { which, signature: Signature::user_defined(Volatility::Immutable) })
}

/// Plans `SUBSTRING(x FROM a FOR b)` and `POSITION(a IN b)` as calls of Shale's `substr`
/// and `strpos`, where DataFusion's planner calls its own functions of those names.
#[derive(Debug)]
pub struct SubstringPosition;

impl SubstringPosition {
    fn call(inner: Arc<ScalarUDF>, which: Which, args: Vec<Expr>) -> PlannerResult<Vec<Expr>> {
        PlannerResult::Planned(Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(of_bytea(inner, which)), args)))
    }
}

impl ExprPlanner for SubstringPosition {
    fn plan_substring(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(Self::call(datafusion::functions::unicode::substr(), Which::Substr, args))
    }

    fn plan_position(&self, args: Vec<Expr>) -> Result<PlannerResult<Vec<Expr>>> {
        Ok(Self::call(datafusion::functions::unicode::strpos(), Which::Strpos, args))
    }
}

/// What the function computes of a `bytea`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    /// The number of bytes.
    Length,
    /// `substr(bytes, start [, count])`.
    Substr,
    /// `strpos(bytes, sought)`: where `sought` first starts (from 1), or 0.
    Strpos,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct OfBytea {
    which: Which,
    signature: Signature,
}

fn is_bytea(t: &DataType) -> bool {
    matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

impl OfBytea {
    /// The argument types of a call on `bytea`, or `None` for a call DataFusion's function
    /// takes.
    fn bytea_arguments(&self, args: &[DataType]) -> Option<Vec<DataType>> {
        let first = args.first().filter(|t| is_bytea(t))?;
        let integer = |t: &DataType| t.is_integer() || t.is_null();
        match (self.which, args) {
            (Which::Length, [_]) => Some(vec![first.clone()]),
            (Which::Substr, [_, rest @ ..]) if (1..=2).contains(&rest.len()) && rest.iter().all(integer) => {
                Some(std::iter::once(DataType::Binary).chain(rest.iter().map(|_| DataType::Int64)).collect())
            }
            (Which::Strpos, [_, sought]) if is_bytea(sought) || sought.is_null() => Some(vec![DataType::Binary; 2]),
            _ => None,
        }
    }
}

impl Guard for OfBytea {
    fn signature<'a>(&'a self, _inner: &'a ScalarUDF) -> &'a Signature {
        &self.signature
    }

    fn coerce_types(&self, inner: &ScalarUDF, args: &[DataType]) -> Result<Vec<DataType>> {
        match self.bytea_arguments(args) {
            Some(types) => Ok(types),
            None => coerced_by(inner, args),
        }
    }

    fn return_field(&self, inner: &ScalarUDF, args: ReturnFieldArgs) -> Result<FieldRef> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        if self.bytea_arguments(&types).is_none() {
            return inner.return_field_from_args(args);
        }
        let result = match self.which {
            Which::Length | Which::Strpos => DataType::Int32,
            Which::Substr => DataType::Binary,
        };
        Ok(Arc::new(Field::new(inner.name(), result, true)))
    }

    fn invoke(&self, inner: &ScalarUDF, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.arg_fields.iter().map(|f| f.data_type().clone()).collect();
        if self.bytea_arguments(&types).is_none() {
            return inner.invoke_with_args(args);
        }
        let rows = args.number_rows;
        let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
        let scalar = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let result = match self.which {
            Which::Length => lengths(&arrays[0])?,
            Which::Substr => substrings(&arrays)?,
            Which::Strpos => positions(&arrays[0], &arrays[1])?,
        };
        Ok(match scalar {
            true => ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&result, 0)?),
            false => ColumnarValue::Array(result),
        })
    }
}

/// An array of byte strings as `Binary`.
fn binary(array: &ArrayRef) -> Result<ArrayRef> {
    Ok(cast(array, &DataType::Binary)?)
}

fn lengths(bytes: &ArrayRef) -> Result<ArrayRef> {
    let bytes = binary(bytes)?;
    let mut out = Int32Builder::with_capacity(bytes.len());
    for value in bytes.as_binary::<i32>() {
        out.append_option(value.map(|v| i32::try_from(v.len()).unwrap_or(i32::MAX)));
    }
    Ok(Arc::new(out.finish()))
}

fn substrings(arrays: &[ArrayRef]) -> Result<ArrayRef> {
    let bytes = binary(&arrays[0])?;
    let bytes = bytes.as_binary::<i32>();
    let starts = cast(&arrays[1], &DataType::Int64)?;
    let counts = arrays.get(2).map(|a| cast(a, &DataType::Int64)).transpose()?;
    let (starts, counts) = (starts.as_primitive::<Int64Type>(), counts.as_ref().map(|c| c.as_primitive::<Int64Type>()));
    let mut out = BinaryBuilder::with_capacity(bytes.len(), 0);
    for row in 0..bytes.len() {
        let count = match counts {
            Some(c) if c.is_null(row) => None,
            Some(c) => Some(Some(c.value(row))),
            None => Some(None),
        };
        match (bytes.is_null(row) || starts.is_null(row), count) {
            (false, Some(count)) => out.append_value(slice(bytes.value(row), starts.value(row), count)?),
            _ => out.append_null(),
        }
    }
    Ok(Arc::new(out.finish()))
}

/// PostgreSQL's `bytea_substr`: `count` bytes from the 1-based `start`, the part of that
/// range inside the value; 22011 for a negative count.
fn slice(bytes: &[u8], start: i64, count: Option<i64>) -> Result<&[u8]> {
    let len = bytes.len() as i64;
    let end = match count {
        Some(c) if c < 0 => return Err(PgError::new("22011", "negative substring length not allowed").into_datafusion()),
        Some(c) => start.saturating_add(c),
        None => len + 1,
    };
    let from = (start.max(1) - 1).min(len);
    let to = (end.max(1) - 1).clamp(from, len);
    Ok(&bytes[from as usize..to as usize])
}

fn positions(bytes: &ArrayRef, sought: &ArrayRef) -> Result<ArrayRef> {
    let (bytes, sought) = (binary(bytes)?, binary(sought)?);
    let (bytes, sought) = (bytes.as_binary::<i32>(), sought.as_binary::<i32>());
    let mut out = Int32Builder::with_capacity(bytes.len());
    for (value, part) in bytes.iter().zip(sought.iter()) {
        out.append_option(value.zip(part).map(|(value, part)| position(value, part)));
    }
    Ok(Arc::new(out.finish()))
}

/// Where `part` first starts in `value` (from 1), 1 for an empty `part`, 0 when absent.
fn position(value: &[u8], part: &[u8]) -> i32 {
    let found = match part.is_empty() {
        true => Some(0),
        false => memchr::memmem::find(value, part),
    };
    found.map_or(0, |at| i32::try_from(at + 1).unwrap_or(i32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_postgresqls() {
        let b = [0u8, 0xff, 1];
        // SELECT substr('\x00ff01'::bytea, 2), (.., 2, 1), (.., 0, 2), (.., -5, 7), (.., 5)
        assert_eq!(slice(&b, 2, None).unwrap(), &[0xff, 1]);
        assert_eq!(slice(&b, 2, Some(1)).unwrap(), &[0xff]);
        assert_eq!(slice(&b, 0, Some(2)).unwrap(), &[0]);
        assert_eq!(slice(&b, -5, Some(7)).unwrap(), &[0]);
        assert_eq!(slice(&b, 5, None).unwrap(), &[] as &[u8]);
        assert_eq!(slice(&b, i64::MAX, Some(i64::MAX)).unwrap(), &[] as &[u8]);
        assert!(slice(&b, 1, Some(-1)).is_err());
    }

    #[test]
    fn positions_count_from_one() {
        assert_eq!(position(&[0, 1], &[1]), 2);
        assert_eq!(position(&[0, 1], &[]), 1);
        assert_eq!(position(&[0, 1], &[2]), 0);
    }
}
