//! The json and jsonb functions that read a value: `json[b]_array_length`,
//! `json[b]_typeof` and `json[b]_extract_path[_text]` (what `#>` and `#>>` compute, with
//! the path as arguments). A text argument that is not tagged json or jsonb (a literal) is
//! read as the function's type first (22P02 when it is not JSON).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::error::{PgError, sqlstate};
use crate::json_ops::string_of;
use crate::json_scan::{self, Shape};
use crate::types::{SqlType, TYPE_KEY};

/// What a function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    ArrayLength,
    TypeOf,
    ExtractPath,
    ExtractPathText,
}

/// One function, of json or of jsonb.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonFunction {
    name: &'static str,
    kind: Kind,
    jsonb: bool,
    signature: Signature,
}

/// The functions, to register in a session.
pub fn functions() -> Vec<ScalarUDF> {
    [
        ("json_array_length", Kind::ArrayLength, false),
        ("jsonb_array_length", Kind::ArrayLength, true),
        ("json_typeof", Kind::TypeOf, false),
        ("jsonb_typeof", Kind::TypeOf, true),
        ("json_extract_path", Kind::ExtractPath, false),
        ("jsonb_extract_path", Kind::ExtractPath, true),
        ("json_extract_path_text", Kind::ExtractPathText, false),
        ("jsonb_extract_path_text", Kind::ExtractPathText, true),
    ]
    .into_iter()
    .map(|(name, kind, jsonb)| {
        let signature = match kind {
            Kind::ArrayLength | Kind::TypeOf => Signature::any(1, Volatility::Immutable),
            Kind::ExtractPath | Kind::ExtractPathText => Signature::variadic_any(Volatility::Immutable),
        };
        ScalarUDF::new_from_impl(JsonFunction { name, kind, jsonb, signature })
    })
    .collect()
}

impl ScalarUDFImpl for JsonFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            Kind::ArrayLength => DataType::Int32,
            _ => DataType::Utf8,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        if matches!(self.kind, Kind::ExtractPath | Kind::ExtractPathText) && args.arg_fields.len() < 2 {
            return Err(PgError::new(sqlstate::UNDEFINED_FUNCTION, format!("function {}(unknown) does not exist", self.name))
                .into_datafusion());
        }
        let field = match self.kind {
            Kind::ArrayLength => Field::new(self.name, DataType::Int32, true),
            Kind::ExtractPath if self.jsonb => SqlType::Jsonb.tagged_field(self.name, true),
            Kind::ExtractPath => SqlType::Json.tagged_field(self.name, true),
            Kind::TypeOf | Kind::ExtractPathText => Field::new(self.name, DataType::Utf8, true),
        };
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let tagged = args.arg_fields.first().is_some_and(|f| f.metadata().contains_key(TYPE_KEY));
        row_by_row(&args, |row| self.compute(row, tagged))
    }
}

/// Computes a function row by row from its arguments' values (once when all are
/// constants).
pub(crate) fn row_by_row(
    args: &ScalarFunctionArgs,
    f: impl Fn(&[ScalarValue]) -> crate::error::Result<ScalarValue>,
) -> Result<ColumnarValue> {
    let scalars = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if scalars { 1 } else { args.number_rows };
    let arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<Result<Vec<_>>>()?;
    let values = (0..rows)
        .map(|row| {
            let row_values = arrays.iter().map(|a| ScalarValue::try_from_array(a, row)).collect::<Result<Vec<_>>>()?;
            f(&row_values).map_err(PgError::into_datafusion)
        })
        .collect::<Result<Vec<ScalarValue>>>()?;
    let array = ScalarValue::iter_to_array(values)?;
    match scalars && args.number_rows != 1 {
        true => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)),
        false => Ok(ColumnarValue::Array(array)),
    }
}

impl JsonFunction {
    /// The function on one row's arguments (NULL when the value or a path step is).
    fn compute(&self, args: &[ScalarValue], tagged: bool) -> crate::error::Result<ScalarValue> {
        let null = match self.kind {
            Kind::ArrayLength => ScalarValue::Int32(None),
            _ => ScalarValue::Utf8(None),
        };
        let Some(text) = args.first().and_then(string_of) else { return Ok(null) };
        let doc = match (tagged, self.jsonb) {
            (true, _) => text,
            (false, true) => crate::jsonb::canonical(&text)?,
            (false, false) => {
                crate::jsonb::validate(&text, "json")?;
                text
            }
        };
        let invalid = || PgError::new(sqlstate::INVALID_TEXT, "invalid input syntax for type json");
        Ok(match self.kind {
            Kind::ArrayLength => match json_scan::shape(&doc).ok_or_else(invalid)? {
                Shape::Array(items) => ScalarValue::Int32(Some(i32::try_from(items.len()).unwrap_or(i32::MAX))),
                Shape::Object(_) => return Err(PgError::new(sqlstate::INVALID_PARAMETER, "cannot get array length of a non-array")),
                _ => return Err(PgError::new(sqlstate::INVALID_PARAMETER, "cannot get array length of a scalar")),
            },
            Kind::TypeOf => ScalarValue::Utf8(Some(
                match json_scan::shape(&doc).ok_or_else(invalid)? {
                    Shape::Object(_) => "object",
                    Shape::Array(_) => "array",
                    Shape::String(_) => "string",
                    Shape::Scalar("null") => "null",
                    Shape::Scalar("true" | "false") => "boolean",
                    Shape::Scalar(_) => "number",
                }
                .to_string(),
            )),
            Kind::ExtractPath | Kind::ExtractPathText => {
                let path: Vec<Option<String>> = args[1..].iter().map(string_of).collect();
                match (json_scan::at_path(&doc, &path), self.kind) {
                    (None, _) => null,
                    (Some(value), Kind::ExtractPathText) => json_scan::as_text(&value).map_or(null, |v| ScalarValue::Utf8(Some(v))),
                    (Some(value), _) => ScalarValue::Utf8(Some(value)),
                }
            }
        })
    }
}
