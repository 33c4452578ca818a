//! Stored values as PostgreSQL's output functions write them, for the DETAIL of a
//! constraint violation: `Key (as_of)=(2024-03-01)`, `Failing row contains (EUR, 0.00)`.
//! Each type's text is `shale_pgtypes`'s (dates, times, intervals, numerics, arrays).

use std::fmt::{self, Write};

use datafusion::arrow::datatypes::{TimeUnit, i256};
use shale_pgtypes::array::output::array_text;
use shale_pgtypes::datetime::output::{to_micros, write_date, write_interval, write_time, write_timestamp};
use shale_pgtypes::numeric::display::{decimal128_text, decimal256_text};
use shale_pgtypes::types::{SqlType, UNCONSTRAINED_NUMERIC_SCALE};
use shale_storage::{Datum, decode_array};

use super::convert::StorageKind;
use crate::descriptor::TableDesc;

/// How many bytes of a value "Failing row contains" shows before `...`, as PostgreSQL's
/// `ExecBuildSlotValueDescription`.
const ROW_VALUE_BYTES: usize = 64;

/// A value of type `ty` as PostgreSQL's output function writes it; NULL as `null`.
pub fn datum_text(d: &Datum, ty: &SqlType) -> String {
    match d {
        Datum::Null => "null".into(),
        Datum::Bool(b) => if *b { "t" } else { "f" }.into(),
        Datum::Int16(v) => v.to_string(),
        Datum::Int32(v) => match ty {
            SqlType::Enum(e) => e.numbered(*v as u32).map_or_else(|| v.to_string(), |l| l.label.clone()),
            _ => v.to_string(),
        },
        Datum::Int64(v) => v.to_string(),
        Datum::Float32(v) => float_text(f64::from(*v)),
        Datum::Float64(v) => float_text(*v),
        Datum::Decimal128(v) => match ty {
            SqlType::Numeric(Some((p, s))) => decimal128_text(*v, *p, *s),
            _ => decimal128_text(*v, 38, 0),
        },
        Datum::Decimal256(v) => {
            let (scale, minimal) = match ty {
                SqlType::Numeric(Some((_, s))) if *s >= 0 => (*s, false),
                _ => (UNCONSTRAINED_NUMERIC_SCALE, true),
            };
            decimal256_text(i256::from_le_bytes(*v), scale, minimal)
        }
        Datum::Text(s) => s.clone(),
        Datum::Bytes(b) => bytea_text(b),
        Datum::Date32(days) => written(|out| write_date((*days).into(), out)),
        Datum::Time64(micros) => written(|out| write_time((*micros).into(), out)),
        Datum::Timestamp(micros) => {
            written(|out| write_timestamp((*micros).into(), matches!(ty, SqlType::Timestamptz(_)), out))
        }
        Datum::Interval { months, days, nanos } => {
            written(|out| write_interval(*months, *days, to_micros(*nanos, TimeUnit::Nanosecond), out))
        }
        Datum::Array(bytes) => elements_text(bytes, ty.element().unwrap_or(&SqlType::Text)),
    }
}

/// The values of a row of `table`, its visible columns' in order, as PostgreSQL's
/// "Failing row contains (...)" lists them: each cut to 64 bytes, with `...` after a cut.
pub fn row_text(table: &TableDesc, values: &[Datum]) -> String {
    let texts: Vec<String> = table.visible().zip(values).map(|((_, column), d)| clipped(datum_text(d, &column.ty))).collect();
    texts.join(", ")
}

/// `text` cut to [`ROW_VALUE_BYTES`] on a character boundary, with `...` when cut.
fn clipped(mut text: String) -> String {
    if text.len() <= ROW_VALUE_BYTES {
        return text;
    }
    let end = (0..=ROW_VALUE_BYTES).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    text.truncate(end);
    text.push_str("...");
    text
}

/// What `write` writes.
fn written(write: impl FnOnce(&mut String) -> fmt::Result) -> String {
    let mut out = String::new();
    // Writing to a String does not fail.
    let _ = write(&mut out);
    out
}

/// A float's text: its shortest exact digits, the specials as PostgreSQL names them.
fn float_text(v: f64) -> String {
    match v {
        v if v.is_nan() => "NaN".into(),
        v if v.is_infinite() && v > 0.0 => "Infinity".into(),
        v if v.is_infinite() => "-Infinity".into(),
        v => v.to_string(),
    }
}

/// bytea's hex output: `\x` and two lowercase hex digits a byte.
fn bytea_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("\\x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A stored array of `element`s as PostgreSQL's array output.
fn elements_text(bytes: &[u8], element: &SqlType) -> String {
    let mut texts = Vec::new();
    let decoded = decode_array(bytes, element.kind(), |value| {
        texts.push(value.map(|v| datum_text(&v.to_owned(), element)));
    });
    match decoded {
        Ok(()) => array_text(texts),
        Err(e) => format!("<{e}>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_as_postgresql_writes_them() {
        assert_eq!(datum_text(&Datum::Date32(19783), &SqlType::Date), "2024-03-01");
        assert_eq!(datum_text(&Datum::Decimal128(0), &SqlType::Numeric(Some((12, 8)))), "0.00000000");
        assert_eq!(datum_text(&Datum::Timestamp(1_709_287_200_000_000), &SqlType::Timestamp(None)), "2024-03-01 10:00:00");
        assert_eq!(datum_text(&Datum::Timestamp(1_709_287_200_000_000), &SqlType::Timestamptz(None)), "2024-03-01 10:00:00+00");
        assert_eq!(datum_text(&Datum::Bytes(vec![1, 0xab]), &SqlType::Bytea), "\\x01ab");
        assert_eq!(datum_text(&Datum::Float64(f64::NEG_INFINITY), &SqlType::Float8), "-Infinity");
        let interval = Datum::Interval { months: 0, days: 1, nanos: 7_200_000_000_000 };
        assert_eq!(datum_text(&interval, &SqlType::Interval), "1 day 02:00:00");
    }

    #[test]
    fn long_values_are_clipped_on_a_character_boundary() {
        assert_eq!(clipped("ab".repeat(40)), format!("{}...", "ab".repeat(32)));
        let text = format!("é{}", "x".repeat(70));
        assert_eq!(clipped(text), format!("é{}...", "x".repeat(62)));
        assert_eq!(clipped("short".into()), "short");
    }
}
