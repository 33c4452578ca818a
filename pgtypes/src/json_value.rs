//! SQL values as JSON text, as PostgreSQL's `to_json` writes them (`datum_to_json`): numbers
//! bare (NaN and the infinities quoted), booleans as `true` / `false`, dates and timestamps
//! in ISO 8601 with a `T` (`"2024-01-01T10:00:00"`, timestamptz with `+00:00`), other
//! values as the JSON string of their text, json and jsonb values as they are, arrays as
//! JSON arrays without spaces (`[1,2]`), each element written the same way. The json
//! building functions (`crate::json_build`) and aggregates (`crate::json_agg`) write their
//! values with it; jsonb's are this text in jsonb's canonical form (`crate::jsonb`).

use std::fmt::Write;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Decimal256Type, Field, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, IntervalMonthDayNanoType, IntervalUnit, Time64MicrosecondType, TimeUnit, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};

use crate::datetime::output::{to_micros, write_date, write_interval, write_time, write_timestamp};
use crate::error::{PgError, Result, sqlstate};
use crate::numeric::display::{decimal128_text, decimal256_text, field_shown_minimal};
use crate::types::TYPE_KEY;

/// The decimal exponent from which float8out writes a float with an exponent (DBL_DIG);
/// below -4 it always does.
const FLOAT8_MAX_FIXED_EXP: i32 = 15;
/// The same for float4out (FLT_DIG).
const FLOAT4_MAX_FIXED_EXP: i32 = 6;

/// Appends the JSON text of the value at `row` of `array` (of the type `field` announces)
/// to `out`; NULL is `null`. An array separates its elements by `separator` (`","`;
/// `array_to_json`'s pretty form: `",\n "`), the arrays in it by `","`.
pub(crate) fn write_value(array: &dyn Array, field: &Field, row: usize, separator: &str, out: &mut String) -> Result<()> {
    if is_null(array, row) {
        out.push_str("null");
        return Ok(());
    }
    let written = |result: std::fmt::Result| result.map_err(|e| PgError::internal(e.to_string()));
    let text = match array.data_type() {
        DataType::Boolean => array.as_boolean().value(row).to_string(),
        DataType::Int8 => array.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt8 => array.as_primitive::<UInt8Type>().value(row).to_string(),
        DataType::UInt16 => array.as_primitive::<UInt16Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::UInt64 => array.as_primitive::<UInt64Type>().value(row).to_string(),
        DataType::Float16 => number(float_text(array.as_primitive::<Float16Type>().value(row).into(), FLOAT4_MAX_FIXED_EXP)),
        DataType::Float32 => number(float_text(array.as_primitive::<Float32Type>().value(row).into(), FLOAT4_MAX_FIXED_EXP)),
        DataType::Float64 => number(float_text(array.as_primitive::<Float64Type>().value(row), FLOAT8_MAX_FIXED_EXP)),
        DataType::Decimal128(p, s) => number(decimal128_text(array.as_primitive::<Decimal128Type>().value(row), *p, *s)),
        DataType::Decimal256(_, s) => {
            number(decimal256_text(array.as_primitive::<Decimal256Type>().value(row), *s, field_shown_minimal(field)))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = string_at(array, row);
            match field.metadata().get(TYPE_KEY).map(String::as_str) {
                Some("json" | "jsonb") => text.trim().to_string(),
                _ => quoted(text),
            }
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => {
            let bytes = match array.data_type() {
                DataType::Binary => array.as_binary::<i32>().value(row),
                DataType::LargeBinary => array.as_binary::<i64>().value(row),
                _ => array.as_binary_view().value(row),
            };
            let mut hex = String::from("\\x");
            for b in bytes {
                written(write!(hex, "{b:02x}"))?;
            }
            quoted(&hex)
        }
        DataType::Date32 => {
            let mut date = String::new();
            written(write_date(array.as_primitive::<Date32Type>().value(row).into(), &mut date))?;
            quoted(&date)
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            let mut time = String::new();
            written(write_time(array.as_primitive::<Time64MicrosecondType>().value(row).into(), &mut time))?;
            quoted(&time)
        }
        DataType::Timestamp(unit, zone) => {
            let value = datafusion::arrow::compute::cast(&array.slice(row, 1), &DataType::Int64)
                .map_err(|e| PgError::internal(e.to_string()))?;
            let micros = to_micros(value.as_primitive::<Int64Type>().value(0), *unit);
            quoted(&iso_timestamp(micros, zone.is_some())?)
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            let mut interval = String::new();
            written(write_interval(v.months, v.days, to_micros(v.nanoseconds, TimeUnit::Nanosecond), &mut interval))?;
            quoted(&interval)
        }
        DataType::List(item) => return write_array(&array.as_list::<i32>().value(row), item, separator, out),
        DataType::LargeList(item) => return write_array(&array.as_list::<i64>().value(row), item, separator, out),
        DataType::FixedSizeList(item, _) => return write_array(&array.as_fixed_size_list().value(row), item, separator, out),
        DataType::Struct(_) => match crate::enums::labels(array) {
            Some(labels) => quoted(labels.value(row)),
            None => return Err(PgError::unsupported("json of a record")),
        },
        other => return Err(PgError::unsupported(format!("json of {other}"))),
    };
    out.push_str(&text);
    Ok(())
}

/// The JSON text of one value (see [`write_value`]).
pub(crate) fn value_text(array: &dyn Array, field: &Field, row: usize) -> Result<String> {
    let mut out = String::new();
    write_value(array, field, row, ",", &mut out)?;
    Ok(out)
}

/// The JSON string naming an object member whose key is the value at `row`: its text,
/// quoted (`1` is `"1"`). 22023 for an array, json or jsonb key, as PostgreSQL.
pub(crate) fn key_text(array: &dyn Array, field: &Field, row: usize) -> Result<String> {
    let structured = is_array(array.data_type())
        || matches!(field.metadata().get(TYPE_KEY).map(String::as_str), Some("json" | "jsonb"));
    if structured {
        return Err(PgError::new(sqlstate::INVALID_PARAMETER, "key value must be scalar, not array, composite, or json"));
    }
    let text = value_text(array, field, row)?;
    Ok(if text.starts_with('"') { text } else { quoted(&text) })
}

/// Whether the value at `row` is NULL (also in an array of Arrow's type `Null`, which keeps
/// no null bits).
pub(crate) fn is_null(array: &dyn Array, row: usize) -> bool {
    array.data_type() == &DataType::Null || array.is_null(row)
}

/// Whether values of `data_type` are SQL arrays (written as JSON arrays).
pub(crate) fn is_array(data_type: &DataType) -> bool {
    matches!(data_type, DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..))
}

/// `text` as a JSON string, escaped as PostgreSQL's `escape_json` escapes it.
pub(crate) fn quoted(text: &str) -> String {
    // serde_json escapes exactly the characters PostgreSQL does, in the same way.
    serde_json::Value::from(text).to_string()
}

/// The elements of an SQL array as a JSON array.
fn write_array(elements: &dyn Array, item: &Field, separator: &str, out: &mut String) -> Result<()> {
    out.push('[');
    for i in 0..elements.len() {
        if i > 0 {
            out.push_str(separator);
        }
        write_value(elements, item, i, ",", out)?;
    }
    out.push(']');
    Ok(())
}

/// The text of an array's element at `row` (a value known not to be NULL).
fn string_at(array: &dyn Array, row: usize) -> &str {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        DataType::Utf8View => array.as_string_view().value(row),
        _ => array.as_string::<i32>().value(row),
    }
}

/// A number's text, quoted when it is not a JSON number (NaN, Infinity, -Infinity).
fn number(text: String) -> String {
    match text.as_str() {
        "NaN" | "Infinity" | "-Infinity" => quoted(&text),
        _ => text,
    }
}

/// A float as float4out / float8out write it: its shortest round-trip digits, in fixed
/// notation for decimal exponents from -4 up to `max_fixed_exp`, else as `d.ddde+XX`.
///
/// The digits are Rust's shortest ones, which are PostgreSQL's but for digit strings lying
/// exactly on a rounding boundary (the wire's encoder decides those too).
fn float_text(value: f64, max_fixed_exp: i32) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-Infinity" } else { "Infinity" }.into();
    }
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits = mantissa.replace('.', "");
    let sign = if value.is_sign_negative() { "-" } else { "" };
    if !(-4..max_fixed_exp).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}{rest}e{exp_sign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        return format!("{sign}0.{}{digits}", "0".repeat(exp.unsigned_abs() as usize - 1));
    }
    let int_digits = exp as usize + 1;
    match digits.split_at_checked(int_digits) {
        Some((int, frac)) if !frac.is_empty() => format!("{sign}{int}.{frac}"),
        _ => format!("{sign}{digits}{}", "0".repeat(int_digits.saturating_sub(digits.len()))),
    }
}

/// A timestamp as JSON writes it (XSD's form): `YYYY-MM-DDTHH:MM:SS[.ffffff][+00:00][ BC]`,
/// or `infinity` / `-infinity`.
fn iso_timestamp(micros: i128, with_tz: bool) -> Result<String> {
    let mut text = String::new();
    write_timestamp(micros, false, &mut text).map_err(|e| PgError::internal(e.to_string()))?;
    if text.ends_with("infinity") {
        return Ok(text);
    }
    text = text.replacen(' ', "T", 1);
    if with_tz {
        let end = text.find(' ').unwrap_or(text.len());
        text.insert_str(end, "+00:00");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Float64Array, ListArray, StringArray, TimestampMicrosecondArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;
    use crate::types::SqlType;

    #[test]
    fn floats_are_written_as_float8out_writes_them() {
        // SELECT to_json(x::float8) in PostgreSQL 15.
        let cases = [
            (1e20, "1e+20"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-0.0, "-0"),
            (1.5, "1.5"),
            (123456789012345.0, "123456789012345"),
            (1e15, "1e+15"),
            (0.0001, "0.0001"),
            (0.00001234, "1.234e-05"),
            (-2.5e-300, "-2.5e-300"),
        ];
        for (value, text) in cases {
            assert_eq!(float_text(value, FLOAT8_MAX_FIXED_EXP), text, "{value}");
        }
        assert_eq!(float_text(f64::from(1.5e6f32), FLOAT4_MAX_FIXED_EXP), "1.5e+06");
        assert_eq!(float_text(f64::NEG_INFINITY, FLOAT8_MAX_FIXED_EXP), "-Infinity");
    }

    #[test]
    fn values_are_written_as_to_json_writes_them() {
        let text = |array: ArrayRef, field: Field| value_text(array.as_ref(), &field, 0).unwrap();
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![f64::NAN]));
        assert_eq!(text(floats, Field::new("", DataType::Float64, true)), "\"NaN\"");
        let strings: ArrayRef = Arc::new(StringArray::from(vec!["a\"b\t\u{1}"]));
        assert_eq!(text(strings.clone(), Field::new("", DataType::Utf8, true)), r#""a\"b\t\u0001""#);
        let json: ArrayRef = Arc::new(StringArray::from(vec![r#"{"a" :1}"#]));
        assert_eq!(text(json, SqlType::Json.tagged_field("", true)), r#"{"a" :1}"#);
        let stamps = TimestampMicrosecondArray::from(vec![1_704_103_200_500_000]);
        assert_eq!(text(Arc::new(stamps.clone()), Field::new("", stamps.data_type().clone(), true)), "\"2024-01-01T10:00:00.5\"");
        let zoned: ArrayRef = Arc::new(stamps.with_timezone("+00:00"));
        assert_eq!(text(zoned.clone(), Field::new("", zoned.data_type().clone(), true)), "\"2024-01-01T10:00:00.5+00:00\"");
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), None, Some(3)])]);
        let field = Field::new("", list.data_type().clone(), true);
        assert_eq!(text(Arc::new(list.clone()), field.clone()), "[1,null,3]");
        let mut pretty = String::new();
        write_value(&list, &field, 0, ",\n ", &mut pretty).unwrap();
        assert_eq!(pretty, "[1,\n null,\n 3]");
    }

    #[test]
    fn keys_are_quoted_scalars() {
        let ints: ArrayRef = Arc::new(datafusion::arrow::array::Int32Array::from(vec![7]));
        assert_eq!(key_text(ints.as_ref(), &Field::new("", DataType::Int32, true), 0).unwrap(), "\"7\"");
        let json: ArrayRef = Arc::new(StringArray::from(vec!["1"]));
        let error = key_text(json.as_ref(), &SqlType::Jsonb.tagged_field("", true), 0).unwrap_err();
        assert_eq!(error.code, sqlstate::INVALID_PARAMETER);
    }

    #[test]
    fn timestamps_carry_their_era_after_the_offset() {
        // About 27 BC.
        let text = iso_timestamp(-63_000_000_000_000_000, true).unwrap();
        assert!(text.contains('T') && text.ends_with("+00:00 BC"), "{text}");
        assert_eq!(iso_timestamp(i64::MAX.into(), true).unwrap(), "infinity");
    }
}
