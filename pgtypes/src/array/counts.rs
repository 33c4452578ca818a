//! DataFusion's array functions that count or find (`array_length`, `cardinality`,
//! `array_ndims`, `array_position`, `array_positions`) answer unsigned 64-bit integers;
//! PostgreSQL's answer `integer` (and `integer[]`). An unsigned result meeting an `integer`
//! in a CASE, a COALESCE, a function taking `integer` or an INSERT into an `integer` column
//! is widened by DataFusion's coercion to decimal(20,0), which nothing downstream takes.
//! Shale's functions are DataFusion's with the answer cast to `integer`; every count fits,
//! since arrays are bounded by [`crate::limits`].

use std::sync::Arc;

use datafusion::arrow::compute::CastOptions;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF};

use crate::guarded::{Guard, guarded};

/// Shale's `array_length`, `cardinality`, `array_ndims`, `array_position` and
/// `array_positions`.
pub fn functions() -> Vec<ScalarUDF> {
    use datafusion::functions_nested::{cardinality, dimension, length, position};
    [
        length::array_length_udf(),
        cardinality::cardinality_udf(),
        dimension::array_ndims_udf(),
        position::array_position_udf(),
        position::array_positions_udf(),
    ]
    .into_iter()
    .map(|f| guarded(f, AsInteger))
    .collect()
}

/// The inner function's answer as `integer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct AsInteger;

/// `UInt64` as `Int32`, inside lists too.
fn as_integer(t: &DataType) -> DataType {
    match t {
        DataType::UInt64 => DataType::Int32,
        DataType::List(item) => DataType::List(Arc::new(item.as_ref().clone().with_data_type(as_integer(item.data_type())))),
        other => other.clone(),
    }
}

impl Guard for AsInteger {
    fn return_field(&self, inner: &ScalarUDF, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = inner.return_field_from_args(args)?;
        let t = as_integer(field.data_type());
        Ok(Arc::new(Field::clone(&field).with_data_type(t)))
    }

    fn invoke(&self, inner: &ScalarUDF, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let wanted = args.return_field.data_type().clone();
        let literals = vec![None; args.arg_fields.len()];
        args.return_field = inner.return_field_from_args(ReturnFieldArgs { arg_fields: &args.arg_fields, scalar_arguments: &literals })?;
        // Not `safe`: a count beyond `integer` would be an error, never a NULL.
        let options = CastOptions { safe: false, ..Default::default() };
        inner.invoke_with_args(args)?.cast_to(&wanted, Some(&options))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_lists_of_positions_become_integers() {
        assert_eq!(as_integer(&DataType::UInt64), DataType::Int32);
        let positions = DataType::new_list(DataType::UInt64, true);
        assert_eq!(as_integer(&positions), DataType::new_list(DataType::Int32, true));
        assert_eq!(as_integer(&DataType::Utf8), DataType::Utf8);
    }
}
