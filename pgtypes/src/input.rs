//! Input functions for the types whose text form Arrow's casts do not read as PostgreSQL
//! does: `bytea` (`\x` hex and escape formats), `interval` (PostgreSQL's and ISO 8601
//! syntax), `uuid`, `json` and `jsonb` (validated and normalised), arrays (PostgreSQL's
//! array literals, see [`crate::array::input`]), and date / timestamp / timestamptz, whose
//! `infinity` and `-infinity` are their extreme values as in PostgreSQL. The server rewrites a cast to one of these types,
//! and a text literal stored into such a column, into a call of `shale_<type>_in(value)`,
//! or `shale_array_in(value, '<array type>')`.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, IntervalMonthDayNanoBuilder, ListArray, StringBuilder,
};
use datafusion::arrow::buffer::{NullBuffer, OffsetBuffer};
use datafusion::arrow::compute::{CastOptions, cast, cast_with_options};
use datafusion::arrow::datatypes::{
    DataType, Field, FieldRef, Float64Type, IntervalMonthDayNano, IntervalMonthDayNanoType, Time64MicrosecondType, TimeUnit,
};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use datafusion::sql::sqlparser::ast;

use crate::array::input::parse_array;
use crate::error::{PgError, Result, sqlstate};
use crate::datetime::interval::parse_interval;
use crate::types::{LIST_ITEM, SqlType};
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
    /// Every array type; the function's second argument names it.
    Array,
    /// An array stored into a column: as [`InputType::Array`], but elements of character
    /// types are not cut to the type's length (storing is not casting: the stored value's
    /// check refuses one too long).
    StoredArray,
    /// date (for `infinity` and `-infinity`; other text is read by Arrow's cast)
    Date,
    /// timestamp
    Timestamp,
    /// timestamptz
    Timestamptz,
    /// character(n) and character varying(n), in an explicit cast: cut to n characters
    /// (and padded, for character); the second argument names the type.
    Chars,
    /// numeric(p, s) with a negative scale: rounded to tens, hundreds, ...; the second
    /// argument names the type.
    Numeric,
}

impl InputType {
    /// Every type with an input function.
    pub const ALL: [InputType; 12] = [
        InputType::Bytea,
        InputType::Interval,
        InputType::Uuid,
        InputType::Json,
        InputType::Jsonb,
        InputType::Array,
        InputType::StoredArray,
        InputType::Date,
        InputType::Timestamp,
        InputType::Timestamptz,
        InputType::Chars,
        InputType::Numeric,
    ];

    /// The type whose input function is named `function`.
    pub fn of_function(function: &str) -> Option<InputType> {
        Self::ALL.into_iter().find(|ty| ty.function_name() == function)
    }

    /// The input type of a column type, if it has one.
    pub fn of(ty: &SqlType) -> Option<InputType> {
        Some(match ty {
            SqlType::Bytea => InputType::Bytea,
            SqlType::Interval => InputType::Interval,
            SqlType::Uuid => InputType::Uuid,
            SqlType::Json => InputType::Json,
            SqlType::Jsonb => InputType::Jsonb,
            SqlType::Array(_) => InputType::Array,
            SqlType::Date => InputType::Date,
            SqlType::Timestamp(_) => InputType::Timestamp,
            SqlType::Timestamptz(_) => InputType::Timestamptz,
            SqlType::Char(_) | SqlType::Varchar(Some(_)) => InputType::Chars,
            SqlType::Numeric(Some((_, s))) if *s < 0 => InputType::Numeric,
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
            InputType::Array => "shale_array_in",
            InputType::StoredArray => "shale_stored_array_in",
            InputType::Date => "shale_date_in",
            InputType::Timestamp => "shale_timestamp_in",
            InputType::Timestamptz => "shale_timestamptz_in",
            InputType::Chars => "shale_chars_in",
            InputType::Numeric => "shale_numeric_in",
        }
    }

    /// Whether the function's second argument names the type it returns.
    fn names_its_type(self) -> bool {
        matches!(self, InputType::Array | InputType::StoredArray | InputType::Chars | InputType::Numeric)
    }

    /// The type the function returns: fixed, or for arrays and lengths the one its second
    /// argument names.
    fn sql_type(self, type_name: Option<&ScalarValue>) -> Result<SqlType> {
        Ok(match self {
            InputType::Bytea => SqlType::Bytea,
            InputType::Interval => SqlType::Interval,
            InputType::Uuid => SqlType::Uuid,
            InputType::Json => SqlType::Json,
            InputType::Jsonb => SqlType::Jsonb,
            InputType::Date => SqlType::Date,
            InputType::Timestamp => SqlType::Timestamp(None),
            InputType::Timestamptz => SqlType::Timestamptz(None),
            InputType::Array | InputType::StoredArray | InputType::Chars | InputType::Numeric => match type_name {
                Some(ScalarValue::Utf8(Some(name))) => {
                    SqlType::from_ast(&crate::sql::parse_data_type(name)?)?
                }
                _ => {
                    return Err(PgError::internal(
                        "the input function needs the type's name as its second argument",
                    ));
                }
            },
        })
    }
}

/// `shale_<type>_in(text)`, `shale_array_in(text, type name)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct InputFunction {
    ty: InputType,
    signature: Signature,
}

/// The input functions, to register in a session.
pub fn input_functions() -> Vec<ScalarUDF> {
    InputType::ALL
        .into_iter()
        .map(|ty| {
            let args = if ty.names_its_type() { 2 } else { 1 };
            ScalarUDF::new_from_impl(InputFunction { ty, signature: Signature::any(args, Volatility::Immutable) })
        })
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
        Ok(self.ty.sql_type(None).map_err(PgError::into_datafusion)?.arrow_type())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let type_name = args.scalar_arguments.get(1).copied().flatten();
        let ty = self.ty.sql_type(type_name).map_err(PgError::into_datafusion)?;
        let field = ty.field(self.name(), true);
        // An array type has any number of dimensions: a nested list keeps its nesting.
        let nested = args.arg_fields.first().map_or(0, |f| list_depth(f.data_type()).saturating_sub(1));
        if !matches!(ty, SqlType::Array(_)) || nested == 0 {
            return Ok(Arc::new(field));
        }
        let item = field.data_type().clone();
        let nested_type = (1..nested).fold(DataType::new_list(item, true), |inner, _| DataType::new_list(inner, true));
        Ok(Arc::new(field.with_data_type(nested_type)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let type_name = match args.args.get(1) {
            Some(ColumnarValue::Scalar(name)) => Some(name),
            _ => None,
        };
        let ty = self.ty.sql_type(type_name).map_err(PgError::into_datafusion)?;
        let value = args.args.first().ok_or_else(|| PgError::internal("an input function without its value").into_datafusion())?;
        let input = value.to_array(args.number_rows)?;
        let output = match (self.ty, &ty) {
            (InputType::StoredArray, SqlType::Array(element)) => {
                convert_array(&Arc::new(element.tagged_field(LIST_ITEM, true)), element, false, &input)
            }
            _ => convert(&ty, &input),
        };
        Ok(ColumnarValue::Array(output.map_err(PgError::into_datafusion)?))
    }
}

/// Converts `input` to values of `ty`: text is read as PostgreSQL's input function of `ty`
/// reads it, a list's elements are converted one by one, anything else is cast.
fn convert(ty: &SqlType, input: &ArrayRef) -> Result<ArrayRef> {
    let rows = input.len();
    Ok(match ty {
        SqlType::Array(element) => return convert_array(&Arc::new(element.tagged_field(LIST_ITEM, true)), element, true, input),
        SqlType::Bytea | SqlType::Interval if input.data_type() == &ty.arrow_type() => input.clone(),
        SqlType::Bytea => {
            let mut b = BinaryBuilder::with_capacity(rows, rows * 8);
            for v in text_of(input, &ty.pg_name())?.as_string::<i32>().iter() {
                match v {
                    Some(s) => b.append_value(parse_bytea(s)?),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Interval if matches!(input.data_type(), DataType::Time64(_)) => {
            // A time of day is the interval since midnight.
            let micros = cast(input, &DataType::Time64(TimeUnit::Microsecond)).map_err(|e| PgError::internal(e.to_string()))?;
            let micros = micros.as_primitive::<Time64MicrosecondType>();
            Arc::new(micros.unary::<_, IntervalMonthDayNanoType>(|us| IntervalMonthDayNano::new(0, 0, us * 1000)))
        }
        SqlType::Interval => {
            let mut b = IntervalMonthDayNanoBuilder::with_capacity(rows);
            for v in text_of(input, &ty.pg_name())?.as_string::<i32>().iter() {
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
        SqlType::Uuid | SqlType::Json | SqlType::Jsonb => {
            let mut b = StringBuilder::with_capacity(rows, rows * 16);
            for v in text_of(input, &ty.pg_name())?.as_string::<i32>().iter() {
                match v {
                    Some(s) => b.append_value(values::canonical_text(ty, s)?),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        SqlType::Char(n) | SqlType::Varchar(Some(n)) => {
            let pad = matches!(ty, SqlType::Char(_));
            let mut b = StringBuilder::with_capacity(rows, rows * *n as usize);
            for v in crate::datetime::output::as_text(input)?.as_string::<i32>().iter() {
                b.append_option(v.map(|s| values::cast_length(s, *n, pad)));
            }
            Arc::new(b.finish())
        }
        SqlType::Numeric(Some((p, s))) if *s < 0 => {
            let decimals = crate::numeric::cast::cast_with_specials(input, &ty.field("", true))
                .map_err(PgError::from_datafusion)?;
            crate::numeric::round_array(&decimals, *p, *s)?
        }
        SqlType::Date if is_text(input) => crate::datetime::input::read_dates(input, ty)?,
        SqlType::Timestamp(_) | SqlType::Timestamptz(_) if is_text(input) => crate::datetime::input::read_timestamps(input, ty)?,
        _ => return cast_values(input, &ty.arrow_type()),
    })
}

fn is_text(input: &ArrayRef) -> bool {
    matches!(input.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// `input` as text, for reading with the input function of type `ty` (named in the
/// error): 42846 when it is not text.
fn text_of(input: &ArrayRef, ty: &str) -> Result<ArrayRef> {
    match input.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            cast(input, &DataType::Utf8).map_err(|e| PgError::internal(e.to_string()))
        }
        other => Err(PgError::new(
            "42846",
            format!("cannot cast type {} to {ty}", crate::cast_pairs::type_name(other)),
        )),
    }
}

/// How many lists `ty` nests (0 for a type that is not a list).
fn list_depth(ty: &DataType) -> usize {
    match ty {
        DataType::List(f) | DataType::LargeList(f) => 1 + list_depth(f.data_type()),
        _ => 0,
    }
}

/// The element type of a list whose items are `item`, as far as the field tells it (a
/// length it does not carry is no limit).
pub(crate) fn element_type(item: &Field) -> SqlType {
    let ty = crate::field_type::field_type(item);
    match SqlType::from_oid(ty.oid, ty.typmod) {
        Some(SqlType::Char(_)) if ty.typmod < 0 => SqlType::Varchar(None),
        Some(ty) => ty,
        None => SqlType::Text,
    }
}

/// A list of `item`s (values of `element`) from text literals (`'{1,2}'`) or from lists of
/// any element type (`ARRAY[1,2]`), converting each element as [`convert`] converts a
/// value (the input functions of uuid, json, dates, ...; a cast for the others), but
/// elements of character types are cut to their length only when `cut`. A list of lists
/// (`ARRAY[ARRAY[1,2]]`) stays one, its innermost elements converted, as PostgreSQL's
/// arrays have any number of dimensions.
pub(crate) fn convert_array(item: &FieldRef, element: &SqlType, cut: bool, input: &ArrayRef) -> Result<ArrayRef> {
    let (offsets, values, nulls) = match input.data_type() {
        DataType::List(inner) if matches!(inner.data_type(), DataType::List(_)) => {
            let list = input.as_list::<i32>();
            let values = convert_array(item, element, cut, list.values())?;
            let nested = Arc::new(Field::new(LIST_ITEM, values.data_type().clone(), true));
            return list_of(nested, list.offsets().clone(), values, list.nulls().cloned());
        }
        DataType::List(_) => {
            let list = input.as_list::<i32>();
            (list.offsets().clone(), list.values().clone(), list.nulls().cloned())
        }
        _ => {
            let text = text_of(input, &format!("{}[]", item.data_type()))?;
            let mut strings = StringBuilder::new();
            let mut lengths = Vec::with_capacity(text.len());
            for literal in text.as_string::<i32>().iter() {
                let elements = literal.map(parse_array).transpose()?.unwrap_or_default();
                lengths.push(elements.len());
                elements.iter().for_each(|e| strings.append_option(e.as_deref()));
            }
            let values: ArrayRef = Arc::new(strings.finish());
            (OffsetBuffer::from_lengths(lengths), values, text.nulls().cloned())
        }
    };
    let values = match element {
        SqlType::Array(_) => cast_values(&values, item.data_type())?,
        element if !cut && InputType::of(element) == Some(InputType::Chars) => cast_values(&values, item.data_type())?,
        element => convert(element, &values)?,
    };
    list_of(item.clone(), offsets, values, nulls)
}

/// The list of `values` cut at `offsets`, its elements described by `item`.
fn list_of(item: FieldRef, offsets: OffsetBuffer<i32>, values: ArrayRef, nulls: Option<NullBuffer>) -> Result<ArrayRef> {
    ListArray::try_new(item, offsets, values, nulls)
        .map(|list| Arc::new(list) as ArrayRef)
        .map_err(|e| PgError::internal(e.to_string()))
}

/// Arrow's cast of `input` to `target`, failing (not NULL) on a value that does not convert,
/// with PostgreSQL's errors; text too large for double precision is 22003, as in
/// PostgreSQL, not infinity.
fn cast_values(input: &ArrayRef, target: &DataType) -> Result<ArrayRef> {
    let options = CastOptions { safe: false, ..Default::default() };
    // Numbers cast to an integer round, as they do outside an array.
    let rounded;
    let input = match target.is_integer() {
        true => {
            rounded = crate::casts::rounded(input);
            &rounded
        }
        false => input,
    };
    let output = cast_with_options(input, target, &options)
        .map_err(|e| crate::error_map::classify(&e.to_string()))?;
    if let (Some(text), Some(floats)) = (input.as_string_opt::<i32>(), output.as_primitive_opt::<Float64Type>()) {
        let overflow = text.iter().zip(floats.iter()).find_map(|(t, f)| {
            t.filter(|t| f.is_some_and(f64::is_infinite) && !t.to_ascii_lowercase().contains("inf"))
        });
        if let Some(t) = overflow {
            return Err(PgError::new(
                sqlstate::OUT_OF_RANGE,
                format!("\"{t}\" is out of range for type double precision"),
            ));
        }
    }
    Ok(output)
}

/// PostgreSQL's bytea input: `\x` followed by hex digit pairs, or the escape format
/// (backslash followed by three octal digits, or a doubled backslash).
pub fn parse_bytea(text: &str) -> Result<Vec<u8>> {
    let invalid = || PgError::new(sqlstate::INVALID_TEXT, "invalid input syntax for type bytea");
    if let Some(hex) = text.strip_prefix("\\x").or_else(|| text.strip_prefix("\\X")) {
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if digits.len() % 2 != 0 {
            return Err(PgError::new(sqlstate::INVALID_TEXT, "invalid hexadecimal data: odd number of digits"));
        }
        return digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).map_err(|_| invalid())?;
                u8::from_str_radix(s, 16).map_err(|_| {
                    PgError::new(sqlstate::INVALID_TEXT, format!("invalid hexadecimal digit: \"{}\"", &s[..1]))
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

/// The call of `ty`'s input function on `arg`, as SQL: `shale_<type>_in(arg)`, or
/// `shale_array_in(arg, '<array type>')`; `None` when `ty` has no input function.
pub fn call(ty: &SqlType, arg: &ast::Expr) -> Option<Result<ast::Expr>> {
    let input = InputType::of(ty)?;
    let sql = match input {
        _ if input.names_its_type() => format!("{}({arg}, '{}')", input.function_name(), ty.pg_name()),
        _ => format!("{}({arg})", input.function_name()),
    };
    Some(crate::sql::parse_expr(&sql))
}

/// Makes a text literal stored into a column of type `ty` read as PostgreSQL reads it: an
/// input-function call for bytea, interval, uuid, json, jsonb, arrays, dates and
/// timestamps; a number for numeric (so that rounding to the column's scale is numeric
/// rounding).
///
/// A placeholder `$n` whose value will be bound as text (`text_params[n - 1]`) is treated
/// like the text literal it stands for. Whether such a value reads as a number depends on
/// the value, so a text parameter stored into a numeric column cannot be planned ahead:
/// that is 0A000, and the caller binds the values into the statement instead.
pub fn coerce_literal(ty: &SqlType, e: &mut ast::Expr, text_params: &[bool]) -> Result<()> {
    if InputType::of(ty) == Some(InputType::Chars) {
        // Storing is not casting: a value too long is an error (`values::check`), not cut.
        return Ok(());
    }
    // Nor for an array's elements, which are not cut (`InputType::StoredArray`); and
    // `ARRAY[...]` given to an array column has its elements read as the column's (a list
    // of text is not a list of varchar to Arrow).
    if let SqlType::Array(element) = ty
        && (InputType::of(element) == Some(InputType::Chars) || matches!(e, ast::Expr::Array(_)))
    {
        let stored = format!("{}({e}, '{}')", InputType::StoredArray.function_name(), ty.pg_name());
        *e = crate::sql::parse_expr(&stored)?;
        return Ok(());
    }
    if let Some(i) = crate::sql::placeholder_index(e) {
        if text_params.get(i).copied().unwrap_or(false) {
            if let Some(input) = call(ty, e) {
                *e = input?;
            } else if matches!(ty, SqlType::Numeric(_)) {
                return Err(PgError::unsupported("a text parameter stored into a numeric column of a planned statement"));
            }
        }
        return Ok(());
    }
    let ast::Expr::Value(v) = &*e else { return Ok(()) };
    let ast::Value::SingleQuotedString(text) = &v.value else { return Ok(()) };
    let number = text.trim();
    if let Some(input) = call(ty, e) {
        *e = input?;
    } else if matches!(ty, SqlType::Numeric(_)) && number.parse::<f64>().is_ok_and(f64::is_finite) {
        *e = ast::Expr::value(ast::Value::Number(number.to_string(), false));
    }
    Ok(())
}
