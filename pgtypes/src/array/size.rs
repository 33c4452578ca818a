//! DataFusion's functions that build an array whose length a client gives
//! (`array_repeat(x, n)`, `array_resize(a, n)`, and the array forms of `range` and
//! `generate_series`) check it only against what the address space holds, so
//! `array_repeat(1, 2000000000)` tries to allocate gigabytes. Shale's wrappers refuse a
//! length beyond PostgreSQL's largest array (54000 "array size exceeds the maximum
//! allowed", see [`crate::limits`]) before calling them. PostgreSQL's `array_fill`, which
//! DataFusion lacks, is here too, with the same bound.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray, UInt64Array, new_empty_array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::{cast, concat, take};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::error::PgError;
use crate::guarded::{Guard, guarded};
use crate::limits::check_array_size;

/// How a function's arguments give the length of the array it builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Length {
    /// The second argument.
    Count,
    /// `(stop)` or `(start, stop [, step])` over integers; `inclusive` counts `stop`.
    Range { inclusive: bool },
}


/// The wrapped functions, to register in a session.
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions_nested::{range, repeat, resize};
    let checked = |inner, length: Length| guarded(inner, length);
    vec![
        checked(repeat::array_repeat_udf(), Length::Count),
        checked(resize::array_resize_udf(), Length::Count),
        checked(range::range_udf(), Length::Range { inclusive: false }),
        checked(range::gen_series_udf(), Length::Range { inclusive: true }),
        ScalarUDF::new_from_impl(ArrayFill { signature: Signature::any(2, Volatility::Immutable) }),
    ]
}

/// `array_fill(value, ARRAY[n])`: `value` n times (Shale's arrays have one dimension, with
/// the default lower bound).
#[derive(Debug, PartialEq, Eq, Hash)]
struct ArrayFill {
    signature: Signature,
}

impl ScalarUDFImpl for ArrayFill {
    fn name(&self) -> &str {
        "array_fill"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        let item = match args.first() {
            Some(DataType::Null) | None => DataType::Utf8,
            Some(t) => t.clone(),
        };
        Ok(DataType::List(Arc::new(Field::new_list_field(item, true))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let DataType::List(item) = args.return_field.data_type() else {
            return Err(PgError::internal("array_fill returns a list").into_datafusion());
        };
        let rows = args.number_rows;
        let (values, dims) = (args.args[0].to_array(rows)?, args.args[1].to_array(rows)?);
        let values = cast(&values, item.data_type())?;
        let lists = (0..rows)
            .map(|row| {
                let counts = match ScalarValue::try_from_array(&dims, row)? {
                    ScalarValue::List(list) if !list.is_null(0) => cast(&list.value(0), &DataType::Int64)?,
                    _ => {
                        return Err(PgError::new("22004", "dimension array or low bound array cannot be null").into_datafusion());
                    }
                };
                let n = match counts.as_primitive::<Int64Type>().iter().collect::<Vec<_>>().as_slice() {
                    [] => 0,
                    [Some(n)] => *n,
                    [None] => return Err(PgError::new("22004", "dimension values cannot be null").into_datafusion()),
                    _ => return Err(PgError::unsupported("multidimensional arrays").into_datafusion()),
                };
                // PostgreSQL 15 answers a negative length as too large.
                let n = usize::try_from(n).ok();
                check_array_size(n).map_err(PgError::into_datafusion)?;
                let indices = UInt64Array::from(vec![row as u64; n.unwrap_or(0)]);
                Ok(take(&values, &indices, None)?)
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let parts: Vec<&dyn Array> = lists.iter().map(|a| a.as_ref()).collect();
        let flat = match parts.is_empty() {
            true => new_empty_array(item.data_type()),
            false => concat(&parts)?,
        };
        let offsets = OffsetBuffer::from_lengths(lists.iter().map(|a| a.len()));
        Ok(ColumnarValue::Array(Arc::new(ListArray::try_new(item.clone(), offsets, flat, None)?)))
    }
}

/// The array length a function's arguments ask for, checked before the call.
impl Guard for Length {
    fn invoke(&self, inner: &ScalarUDF, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let integers = args.args.iter().all(|a| a.data_type().is_integer() || a.data_type().is_null());
        let rows = args.number_rows;
        let arrays = match (*self, integers) {
            (Length::Count, _) => vec![args.args[1].to_array(rows)?],
            (Length::Range { .. }, true) => args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?,
            // Dates and timestamps by intervals: DataFusion's bound applies.
            (Length::Range { .. }, false) => return inner.invoke_with_args(args),
        };
        for row in 0..rows.max(1).min(arrays.first().map_or(1, |a| a.len())) {
            let values = arrays
                .iter()
                .map(|a| Ok(ScalarValue::try_from_array(a, row)?.cast_to(&DataType::Int64).ok().and_then(|v| match v {
                    ScalarValue::Int64(n) => n,
                    _ => None,
                })))
                .collect::<Result<Vec<Option<i64>>>>()?;
            check_array_size(length(*self, &values)).map_err(PgError::into_datafusion)?;
        }
        inner.invoke_with_args(args)
    }
}

/// The length of the array built from one row's arguments (`Some(0)` when a NULL makes it
/// NULL; `None` beyond `usize`).
fn length(kind: Length, values: &[Option<i64>]) -> Option<usize> {
    let n = |v: i128| usize::try_from(v.max(0)).ok();
    match (kind, values) {
        (Length::Count, [Some(count)]) => n(i128::from(*count)),
        (Length::Range { inclusive }, [stop]) => length(Length::Range { inclusive }, &[Some(0), *stop, Some(1)]),
        (Length::Range { inclusive }, [start, stop]) => length(Length::Range { inclusive }, &[*start, *stop, Some(1)]),
        (Length::Range { inclusive }, [Some(start), Some(stop), Some(step)]) if *step != 0 => {
            let (start, stop, step) = (i128::from(*start), i128::from(*stop), i128::from(*step));
            let span = if inclusive { stop - start + step.signum() } else { stop - start };
            n((span + step - step.signum()) / step)
        }
        _ => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_of_what_is_built() {
        assert_eq!(length(Length::Count, &[Some(3)]), Some(3));
        assert_eq!(length(Length::Count, &[Some(-3)]), Some(0));
        assert_eq!(length(Length::Range { inclusive: false }, &[Some(5)]), Some(5));
        assert_eq!(length(Length::Range { inclusive: true }, &[Some(1), Some(5)]), Some(5));
        assert_eq!(length(Length::Range { inclusive: true }, &[Some(1), Some(6), Some(2)]), Some(3));
        assert_eq!(length(Length::Range { inclusive: false }, &[Some(1), Some(6), Some(2)]), Some(3));
        assert_eq!(length(Length::Range { inclusive: true }, &[Some(5), Some(1), Some(-1)]), Some(5));
        assert_eq!(length(Length::Range { inclusive: false }, &[Some(0), Some(i64::MAX)]), Some(i64::MAX as usize));
        assert_eq!(length(Length::Count, &[None]), Some(0));
    }
}
