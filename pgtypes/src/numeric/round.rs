//! `round(numeric [, integer])`. DataFusion's `round` types a decimal result by the scale
//! its second argument asks for when that argument is a literal, and by the input's scale
//! when it is not; the argument becomes a literal only when constant folding has run, so
//! one call changes its type between type coercion and execution, and a COALESCE, a CASE or
//! an INSERT around it meets a decimal of a scale it was not planned for (XX000).
//! PostgreSQL's `round` returns `numeric`: Shale's answers unconstrained numeric for a
//! decimal argument, rounded by DataFusion at the argument's own scale. `round` of a float
//! rounds half to even, as PostgreSQL's (the C library's `rint`), where DataFusion's
//! rounds half away from zero; the rest is DataFusion's.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::compute::CastOptions;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float32Type, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF};

use crate::guarded::{Guard, guarded};
use crate::types::SqlType;

/// Shale's `round`.
pub fn function() -> ScalarUDF {
    guarded(datafusion::functions::math::round(), NumericRound)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct NumericRound;

impl Guard for NumericRound {
    fn return_field(&self, inner: &ScalarUDF, args: ReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields.first() {
            Some(value) if value.data_type().is_decimal() => {
                let nullable = args.arg_fields.iter().any(|f| f.is_nullable());
                Ok(Arc::new(Field::new(inner.name(), SqlType::Numeric(None).arrow_type(), nullable)))
            }
            _ => inner.return_field_from_args(args),
        }
    }

    fn invoke(&self, inner: &ScalarUDF, mut args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let wanted = args.return_field.data_type().clone();
        if let ([value], DataType::Float32 | DataType::Float64) = (args.args.as_slice(), &wanted) {
            return rint(value, args.number_rows);
        }
        let Some(value) = args.arg_fields.first().filter(|f| f.data_type().is_decimal()).cloned() else {
            return inner.invoke_with_args(args);
        };
        // DataFusion rounds to the result type's scale: the argument's keeps its digits.
        args.return_field = Arc::new(Field::new(inner.name(), value.data_type().clone(), true));
        let options = CastOptions { safe: false, ..Default::default() };
        inner.invoke_with_args(args)?.cast_to(&wanted, Some(&options))
    }
}

/// Floats rounded to whole numbers, halves to even.
fn rint(value: &ColumnarValue, rows: usize) -> Result<ColumnarValue> {
    let scalar = matches!(value, ColumnarValue::Scalar(_));
    let array = value.to_array(rows)?;
    let rounded: ArrayRef = match array.data_type() {
        DataType::Float32 => Arc::new(array.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::round_ties_even)),
        _ => Arc::new(array.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::round_ties_even)),
    };
    Ok(match scalar {
        true => ColumnarValue::Scalar(datafusion::common::ScalarValue::try_from_array(&rounded, 0)?),
        false => ColumnarValue::Array(rounded),
    })
}
