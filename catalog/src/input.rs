//! Input functions for the types whose text form Arrow's casts do not read as PostgreSQL
//! does: `bytea` (`\x` hex and escape formats), `interval` (PostgreSQL's and ISO 8601
//! syntax), `uuid`, `json` and `jsonb` (validated and normalised). The server rewrites a cast
//! to one of these types, and a text literal stored into such a column, into a call of
//! `shale_<type>_in`.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryBuilder, IntervalMonthDayNanoBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, IntervalMonthDayNano};
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use datafusion::sql::sqlparser::ast;

use crate::error::{CatalogError, Result, sqlstate};
use crate::interval::parse_interval;
use crate::types::{SqlType, TYPE_KEY};
use crate::values;

/// The types with an input function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputType {
    /// bytea
    Bytea,
    /// interval
    Interval,
    /// uuid
    Uuid,
    /// json
    Json,
    /// jsonb
    Jsonb,
}

impl InputType {
    /// The input type of a column type, if it has one.
    pub fn of(ty: &SqlType) -> Option<InputType> {
        Some(match ty {
            SqlType::Bytea => InputType::Bytea,
            SqlType::Interval => InputType::Interval,
            SqlType::Uuid => InputType::Uuid,
            SqlType::Json => InputType::Json,
            SqlType::Jsonb => InputType::Jsonb,
            _ => return None,
        })
    }

    /// The SQL name of the input function.
    pub fn function_name(self) -> &'static str {
        match self {
            InputType::Bytea => "shale_bytea_in",
            InputType::Interval => "shale_interval_in",
            InputType::Uuid => "shale_uuid_in",
            InputType::Json => "shale_json_in",
            InputType::Jsonb => "shale_jsonb_in",
        }
    }

    fn sql_type(self) -> SqlType {
        match self {
            InputType::Bytea => SqlType::Bytea,
            InputType::Interval => SqlType::Interval,
            InputType::Uuid => SqlType::Uuid,
            InputType::Json => SqlType::Json,
            InputType::Jsonb => SqlType::Jsonb,
        }
    }
}

/// `shale_<type>_in(text)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct InputFunction {
    ty: InputType,
    signature: Signature,
}

/// The input functions, to register in a session.
pub fn input_functions() -> Vec<ScalarUDF> {
    [InputType::Bytea, InputType::Interval, InputType::Uuid, InputType::Json, InputType::Jsonb]
        .into_iter()
        .map(|ty| ScalarUDF::new_from_impl(InputFunction { ty, signature: Signature::any(1, Volatility::Immutable) }))
        .collect()
}

impl ScalarUDFImpl for InputFunction {
    fn name(&self) -> &str {
        self.ty.function_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(self.ty.sql_type().arrow_type())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let field = self.ty.sql_type().field(self.name(), true);
        let meta: HashMap<String, String> =
            field.metadata().iter().filter(|(k, _)| k.as_str() == TYPE_KEY).map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok(Arc::new(Field::new(self.name(), field.data_type().clone(), true).with_metadata(meta)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        let output = convert(self.ty, &input).map_err(CatalogError::into_datafusion)?;
        Ok(ColumnarValue::Array(output))
    }
}

fn convert(ty: InputType, input: &ArrayRef) -> Result<ArrayRef> {
    let target = ty.sql_type().arrow_type();
    if input.data_type() == &target && !matches!(ty, InputType::Uuid | InputType::Json | InputType::Jsonb) {
        return Ok(input.clone());
    }
    let text = match input.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            cast(input, &DataType::Utf8).map_err(|e| CatalogError::internal(e.to_string()))?
        }
        other => {
            return Err(CatalogError::new(
                "42846",
                format!("cannot cast type {other} to {}", ty.sql_type().pg_name()),
            ));
        }
    };
    let text = text.as_string::<i32>();
    let rows = text.len();
    Ok(match ty {
        InputType::Bytea => {
            let mut b = BinaryBuilder::with_capacity(rows, rows * 8);
            for v in text.iter() {
                match v {
                    Some(s) => b.append_value(parse_bytea(s)?),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        InputType::Interval => {
            let mut b = IntervalMonthDayNanoBuilder::with_capacity(rows);
            for v in text.iter() {
                match v {
                    Some(s) => {
                        let i = parse_interval(s)?;
                        b.append_value(IntervalMonthDayNano::new(i.months, i.days, i.nanos));
                    }
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        InputType::Uuid | InputType::Json | InputType::Jsonb => {
            let mut b = StringBuilder::with_capacity(rows, rows * 16);
            for v in text.iter() {
                match v {
                    Some(s) => b.append_value(values::canonical_text(&ty.sql_type(), s)?),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
    })
}

/// PostgreSQL's bytea input: `\x` followed by hex digit pairs, or the escape format
/// (backslash followed by three octal digits, or a doubled backslash).
pub fn parse_bytea(text: &str) -> Result<Vec<u8>> {
    let invalid = || CatalogError::new(sqlstate::INVALID_TEXT, "invalid input syntax for type bytea");
    if let Some(hex) = text.strip_prefix("\\x").or_else(|| text.strip_prefix("\\X")) {
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if digits.len() % 2 != 0 {
            return Err(CatalogError::new(sqlstate::INVALID_TEXT, "invalid hexadecimal data: odd number of digits"));
        }
        return digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).map_err(|_| invalid())?;
                u8::from_str_radix(s, 16).map_err(|_| {
                    CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid hexadecimal digit: \"{}\"", &s[..1]))
                })
            })
            .collect();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'\\')) => {
                out.push(b'\\');
                i += 2;
            }
            (b'\\', _) => {
                let octal = bytes.get(i + 1..i + 4).ok_or_else(invalid)?;
                let s = std::str::from_utf8(octal).map_err(|_| invalid())?;
                out.push(u8::from_str_radix(s, 8).map_err(|_| invalid())?);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytea_formats() {
        assert_eq!(parse_bytea("\\x00ff").unwrap(), vec![0, 255]);
        assert_eq!(parse_bytea("\\x").unwrap(), Vec::<u8>::new());
        assert_eq!(parse_bytea("abc").unwrap(), b"abc".to_vec());
        assert_eq!(parse_bytea("a\\000b\\\\").unwrap(), vec![b'a', 0, b'b', b'\\']);
        assert_eq!(parse_bytea("\\x0").unwrap_err().code, "22P02");
    }
}

/// `shale_<type>_in(arg)` as SQL.
pub fn call(ty: InputType, arg: &ast::Expr) -> Result<ast::Expr> {
    crate::sql::parse_expr(&format!("{}({arg})", ty.function_name()))
}

/// Makes a text literal stored into a column of type `ty` read as PostgreSQL reads it: an
/// input-function call for bytea, interval, uuid, json and jsonb; a number for numeric
/// (so that rounding to the column's scale is numeric rounding).
///
/// A placeholder `$n` whose value will be bound as text (`text_params[n - 1]`) is treated
/// like the text literal it stands for. Whether such a value reads as a number depends on
/// the value, so a text parameter stored into a numeric column cannot be planned ahead:
/// that is 0A000, and the caller binds the values into the statement instead.
pub fn coerce_literal(ty: &SqlType, e: &mut ast::Expr, text_params: &[bool]) -> Result<()> {
    if let Some(i) = crate::sql::placeholder_index(e) {
        if text_params.get(i).copied().unwrap_or(false) {
            if let Some(input) = InputType::of(ty) {
                *e = call(input, e)?;
            } else if matches!(ty, SqlType::Numeric(_)) {
                return Err(CatalogError::unsupported("a text parameter stored into a numeric column of a planned statement"));
            }
        }
        return Ok(());
    }
    let ast::Expr::Value(v) = e else { return Ok(()) };
    let ast::Value::SingleQuotedString(text) = &v.value else { return Ok(()) };
    if let Some(input) = InputType::of(ty) {
        *e = call(input, e)?;
    } else if matches!(ty, SqlType::Numeric(_)) && text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
        *e = ast::Expr::value(ast::Value::Number(text.trim().to_string(), false));
    }
    Ok(())
}
