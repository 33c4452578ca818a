//! Casts from and to `numeric` that know its specials: `'NaN'::numeric`,
//! `'-inf'::float8::numeric`, `numeric_column::text` and `::float8` give the special, a cast
//! to an integer type is 0A000 ("cannot convert NaN to integer") and an infinity cast to
//! `numeric(p, s)` 22003, as in PostgreSQL. Every other value is cast by Arrow, as
//! DataFusion casts it.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, ArrowPrimitiveType, AsArray, Float32Array, Float64Array, StringArray};
use datafusion::arrow::compute::cast_with_options;
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Decimal256Type, Field, FieldRef, Float32Type, Float64Type, i256,
};
use datafusion::common::Result as DFResult;
use datafusion::common::format::DEFAULT_CAST_OPTIONS;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::display::{decimal256_text, field_shown_minimal};
use super::special::{Special, infinite_overflow, map_rows, specials};
use crate::error::{PgError, Result, sqlstate};
use crate::types::{TYPMOD_KEY, numeric_typmod};

/// `CAST(x AS target)` where x or the target is numeric.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NumericCast {
    target: FieldRef,
    signature: Signature,
}

impl NumericCast {
    /// The call that casts `expr` to `target` (a cast's field: type and metadata).
    pub fn call(expr: Expr, target: FieldRef) -> Expr {
        let udf = ScalarUDF::new_from_impl(NumericCast { target, signature: Signature::any(1, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![expr]))
    }

    /// The target of `f` when it is such a cast.
    pub fn target_of(f: &ScalarFunction) -> Option<&FieldRef> {
        f.func.inner().downcast_ref::<NumericCast>().map(|cast| &cast.target)
    }
}

impl ScalarUDFImpl for NumericCast {
    fn name(&self) -> &str {
        "shale_numeric_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(self.target.data_type().clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let nullable = args.arg_fields.iter().any(|f| f.is_nullable());
        Ok(Arc::new(self.target.as_ref().clone().with_name(self.name()).with_nullable(nullable)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let ([value], [source]) = (args.args.as_slice(), args.arg_fields.as_slice()) else {
            return Err(PgError::internal("shale_numeric_cast takes one argument").into_datafusion());
        };
        let input = value.to_array(args.number_rows)?;
        let text = matches!(self.target.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
        if let (true, DataType::Decimal256(_, scale)) = (text, input.data_type()) {
            // As the server shows it: an unconstrained numeric at its smallest exact scale.
            if field_shown_minimal(source) {
                let shown: ArrayRef = Arc::new(shown_text(&input, *scale));
                return Ok(ColumnarValue::Array(cast_with_options(&shown, self.target.data_type(), &DEFAULT_CAST_OPTIONS)?));
            }
        }
        Ok(ColumnarValue::Array(cast_with_specials(&input, &self.target)?))
    }
}

/// Unconstrained numerics (Decimal256 at `scale`) as text, at their smallest exact scale.
fn shown_text(input: &ArrayRef, scale: i8) -> StringArray {
    input.as_primitive::<Decimal256Type>().iter().map(|v| v.map(|v| decimal256_text(v, scale, true))).collect()
}

/// `input` cast to `target`'s type, specials included.
pub fn cast_with_specials(input: &ArrayRef, target: &Field) -> DFResult<ArrayRef> {
    let Some(specials) = specials(input) else {
        return numbers_cast(input, target.data_type());
    };
    let numbers = numbers_cast(&neutralized(input, &specials)?, target.data_type())?;
    overlay(&numbers, &specials, target).map_err(PgError::into_datafusion)
}

/// Arrow's cast, but for decimals to floats: Arrow divides by a power of ten, itself
/// rounded (`1e-30::float8` was 9.999999999999999e-31); PostgreSQL reads the decimal's
/// text as a float, which gives the nearest one.
fn numbers_cast(input: &ArrayRef, target: &DataType) -> DFResult<ArrayRef> {
    if !matches!(target, DataType::Float32 | DataType::Float64) {
        return Ok(cast_with_options(input, target, &DEFAULT_CAST_OPTIONS)?);
    }
    let (values, scale) = match input.data_type() {
        DataType::Decimal128(_, scale) => {
            let wide = input.as_primitive::<Decimal128Type>().iter().map(|v| v.map(i256::from_i128));
            (wide.collect::<Vec<_>>(), *scale)
        }
        DataType::Decimal256(_, scale) => (input.as_primitive::<Decimal256Type>().iter().collect(), *scale),
        _ => return Ok(cast_with_options(input, target, &DEFAULT_CAST_OPTIONS)?),
    };
    let nearest = |value: i256| -> Result<f64> {
        let text = format!("{value}e{}", -i32::from(scale));
        let float = match target {
            DataType::Float32 => text.parse::<f32>().map(f64::from),
            _ => text.parse::<f64>(),
        }
        .map_err(|e| PgError::internal(format!("decimal {text} as a float: {e}")))?;
        // Too large, or too small to be told from zero: PostgreSQL's float8in refuses it.
        if float.is_infinite() || (float == 0.0 && value != i256::ZERO) {
            let name = if *target == DataType::Float32 { "real" } else { "double precision" };
            return Err(PgError::new(
                sqlstate::OUT_OF_RANGE,
                format!("\"{}\" is out of range for type {name}", decimal256_text(value, scale, true)),
            ));
        }
        Ok(float)
    };
    let floats = values.into_iter().map(|v| v.map(nearest).transpose()).collect::<Result<Vec<_>>>().map_err(PgError::into_datafusion)?;
    Ok(match target {
        DataType::Float32 => Arc::new(floats.into_iter().map(|v| v.map(|v| v as f32)).collect::<Float32Array>()),
        _ => Arc::new(floats.into_iter().collect::<Float64Array>()),
    })
}

/// `input` with zero in place of each special, so that Arrow casts the rest.
fn neutralized(input: &ArrayRef, specials: &[Option<Special>]) -> DFResult<ArrayRef> {
    Ok(match input.data_type() {
        DataType::Decimal128(..) => replaced::<Decimal128Type>(input, specials, |_| 0),
        DataType::Decimal256(..) => replaced::<Decimal256Type>(input, specials, |_| i256::ZERO),
        DataType::Float64 => replaced::<Float64Type>(input, specials, |_| 0.0),
        DataType::Float32 => replaced::<Float32Type>(input, specials, |_| 0.0),
        _ => {
            let text = cast_with_options(input, &DataType::Utf8, &DEFAULT_CAST_OPTIONS)?;
            let zeros: StringArray =
                text.as_string::<i32>().iter().zip(specials).map(|(v, s)| if s.is_some() { Some("0") } else { v }).collect();
            Arc::new(zeros)
        }
    })
}

/// `numbers` (the cast of the neutralized input) with each special put back as the target
/// type has it.
fn overlay(numbers: &ArrayRef, specials: &[Option<Special>], target: &Field) -> Result<ArrayRef> {
    let infinity = specials.iter().flatten().find(|s| **s != Special::NaN);
    let constrained = target.metadata().get(TYPMOD_KEY).and_then(|t| t.parse().ok()).and_then(numeric_typmod);
    if let (Some(_), Some((p, s))) = (infinity, constrained) {
        return Err(infinite_overflow(p, s));
    }
    Ok(match target.data_type() {
        DataType::Decimal128(..) => replaced::<Decimal128Type>(numbers, specials, Special::raw128),
        DataType::Decimal256(..) => replaced::<Decimal256Type>(numbers, specials, Special::raw256),
        DataType::Float64 => replaced::<Float64Type>(numbers, specials, Special::float),
        DataType::Float32 => replaced::<Float32Type>(numbers, specials, |s| s.float() as f32),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = cast_with_options(numbers, &DataType::Utf8, &DEFAULT_CAST_OPTIONS)
                .map_err(|e| PgError::internal(e.to_string()))?;
            let text: StringArray =
                text.as_string::<i32>().iter().zip(specials).map(|(v, s)| s.map(Special::text).or(v)).collect();
            cast_with_options(&(Arc::new(text) as ArrayRef), target.data_type(), &DEFAULT_CAST_OPTIONS)
                .map_err(|e| PgError::internal(e.to_string()))?
        }
        other => {
            let special = specials.iter().flatten().next().copied().unwrap_or(Special::NaN);
            let what = if special == Special::NaN { "NaN" } else { "infinity" };
            let ty = match other {
                DataType::Int16 => "smallint".to_string(),
                DataType::Int32 => "integer".to_string(),
                DataType::Int64 => "bigint".to_string(),
                other => other.to_string(),
            };
            return Err(PgError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("cannot convert {what} to {ty}")));
        }
    })
}

/// `array` with `value(special)` in each special's row.
fn replaced<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    specials: &[Option<Special>],
    value: impl Fn(Special) -> T::Native,
) -> ArrayRef {
    map_rows::<T>(array, |row, v| specials[row].map(&value).or(v))
}
