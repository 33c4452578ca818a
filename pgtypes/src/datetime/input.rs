//! Text read as date, timestamp and timestamptz where PostgreSQL reads more than Arrow's
//! cast: `infinity` and `-infinity` (the extreme values, as in PostgreSQL's storage), the
//! ` BC` suffix, and for timestamp without time zone a UTC offset, which PostgreSQL
//! ignores. Everything else is Arrow's cast, with PostgreSQL's errors.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, DataType, Date32Type, TimestampMicrosecondType};

use crate::error::{PgError, Result, sqlstate};
use crate::types::SqlType;

/// Dates: days since 1970-01-01.
pub(crate) fn read_dates(input: &ArrayRef, ty: &SqlType) -> Result<ArrayRef> {
    read::<Date32Type>(input, ty, i32::MIN, i32::MAX, |days| {
        let date = NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::days(days.into()))?;
        let bc = date.with_year(1 - date.year())?;
        i32::try_from(bc.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days()).ok()
    })
}

/// Timestamps: microseconds since 1970-01-01 00:00:00 UTC.
pub(crate) fn read_timestamps(input: &ArrayRef, ty: &SqlType) -> Result<ArrayRef> {
    read::<TimestampMicrosecondType>(input, ty, i64::MIN, i64::MAX, |micros| {
        let ts = DateTime::from_timestamp_micros(micros)?.naive_utc();
        Some(ts.with_year(1 - ts.year())?.and_utc().timestamp_micros())
    })
}

/// Reads `input` as values of `ty` (Arrow type `T`); `bc` moves a value of year `y` to
/// year `1 - y`.
fn read<T: ArrowPrimitiveType>(
    input: &ArrayRef,
    ty: &SqlType,
    min: T::Native,
    max: T::Native,
    bc: impl Fn(T::Native) -> Option<T::Native>,
) -> Result<ArrayRef> {
    let text = cast(input, &DataType::Utf8).map_err(|e| PgError::internal(e.to_string()))?;
    let text = text.as_string::<i32>();
    let ignores_offset = matches!(ty, SqlType::Timestamp(_));
    let is_date = matches!(ty, SqlType::Date);
    let parsed: Vec<Option<Parsed<'_, T::Native>>> = text
        .iter()
        .map(|v| v.map(|s| parse(if is_date { date_part(s) } else { s }, ignores_offset, min, max)))
        .collect();
    let finite: StringArray = parsed
        .iter()
        .map(|p| match p {
            Some(Parsed::Finite { text, .. }) => Some(text.as_ref()),
            _ => None,
        })
        .collect();
    let target = ty.arrow_type();
    let finite: ArrayRef = Arc::new(finite);
    let values = cast_or_error(&finite, &target, ty)?;
    let values = values.as_primitive::<T>();
    let out: PrimitiveArray<T> = parsed
        .iter()
        .zip(values.iter())
        .map(|(p, v)| match p {
            None => Ok(None),
            Some(Parsed::Extreme(x)) => Ok(Some(*x)),
            Some(Parsed::Finite { bc: false, .. }) => Ok(v),
            Some(Parsed::Finite { bc: true, text }) => v
                .map(|v| bc(v).ok_or_else(|| out_of_range(text)))
                .transpose(),
        })
        .collect::<Result<_>>()?;
    // Built with the target type directly: a cast from `T`'s own type would shift the
    // extreme values by a time zone and overflow.
    Ok(Arc::new(out.with_data_type(target)))
}

enum Parsed<'a, N> {
    /// `infinity` or `-infinity`.
    Extreme(N),
    /// Text for Arrow's cast, and whether it was followed by ` BC`.
    Finite { text: Cow<'a, str>, bc: bool },
}

fn parse<N>(s: &str, ignores_offset: bool, min: N, max: N) -> Parsed<'_, N> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("infinity") {
        return Parsed::Extreme(max);
    }
    if t.eq_ignore_ascii_case("-infinity") {
        return Parsed::Extreme(min);
    }
    let (t, bc) = match t.len().checked_sub(3).filter(|&i| t.is_char_boundary(i) && t[i..].eq_ignore_ascii_case(" bc")) {
        Some(i) => (t[..i].trim_end(), true),
        None => (t, false),
    };
    let t = if ignores_offset { without_offset(t) } else { t };
    Parsed::Finite { text: with_seconds(t), bc }
}

/// `t` with `:00` seconds after a time of day written as hours and minutes only
/// (`2024-01-01 10:00`, `2024-01-01 10:00+02`), which PostgreSQL reads and Arrow does not.
fn with_seconds(t: &str) -> Cow<'_, str> {
    let Some(time) = t.find([' ', 'T']).filter(|&pos| pos >= 8).map(|pos| pos + 1) else { return Cow::Borrowed(t) };
    let clock = t[time..].bytes().take_while(|b| b.is_ascii_digit() || *b == b':').count();
    let hh_mm = &t[time..time + clock];
    let hours_and_minutes = hh_mm
        .split_once(':')
        .is_some_and(|(hours, minutes)| (1..=2).contains(&hours.len()) && minutes.len() == 2 && !minutes.contains(':'));
    if hours_and_minutes && !t[time + clock..].starts_with('.') {
        Cow::Owned(format!("{}:00{}", &t[..time + clock], &t[time + clock..]))
    } else {
        Cow::Borrowed(t)
    }
}

/// The date of a date written with a time of day or a UTC offset after it, which
/// PostgreSQL's date input ignores (`2024-01-01 +00`, as PgJDBC sends dates).
fn date_part(t: &str) -> &str {
    let t = t.trim();
    match t.find([' ', 'T']) {
        Some(pos) if pos >= 8 && t[..pos].contains('-') => {
            let rest = t[pos + 1..].trim_start();
            match rest.bytes().next() {
                Some(b'0'..=b'9' | b'+' | b'-') => &t[..pos],
                Some(b'z' | b'Z') if rest.len() == 1 => &t[..pos],
                _ => t,
            }
        }
        _ => t,
    }
}

/// `t` without a trailing UTC offset (`+02`, `-05:30`, `Z`) after its time of day.
fn without_offset(t: &str) -> &str {
    if let Some(rest) = t.strip_suffix(['Z', 'z']).filter(|r| r.contains(':')) {
        return rest.trim_end();
    }
    match t.rfind(['+', '-']) {
        Some(pos) if pos > 10 && t[..pos].contains(':') => {
            let offset = &t[pos + 1..];
            if !offset.is_empty() && offset.bytes().all(|b| b.is_ascii_digit() || b == b':') {
                t[..pos].trim_end()
            } else {
                t
            }
        }
        _ => t,
    }
}

/// Arrow's cast; on failure, PostgreSQL's error for the first value that fails.
fn cast_or_error(text: &ArrayRef, target: &DataType, ty: &SqlType) -> Result<ArrayRef> {
    let options = datafusion::arrow::compute::CastOptions { safe: false, ..Default::default() };
    match datafusion::arrow::compute::cast_with_options(text, target, &options) {
        Ok(values) => Ok(values),
        Err(e) => {
            let strings = text.as_string::<i32>();
            let failing = (0..strings.len()).filter(|&i| !strings.is_null(i)).map(|i| strings.value(i)).find(|v| {
                let one: ArrayRef = Arc::new(StringArray::from(vec![*v]));
                datafusion::arrow::compute::cast_with_options(&one, target, &options).is_err()
            });
            Err(match failing {
                Some(v) if crate::error_map::well_formed_date(v) => out_of_range(v),
                Some(v) => {
                    // The names PostgreSQL's input functions use.
                    let name = match ty {
                        SqlType::Date => "date",
                        SqlType::Timestamp(_) => "timestamp",
                        _ => "timestamp with time zone",
                    };
                    PgError::new(sqlstate::INVALID_DATETIME, format!("invalid input syntax for type {name}: \"{v}\""))
                }
                None => crate::error_map::classify(&e.to_string()),
            })
        }
    }
}

fn out_of_range(v: &str) -> PgError {
    PgError::new("22008", format!("date/time field value out of range: \"{v}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_go_only_after_a_time() {
        assert_eq!(without_offset("2024-01-01 10:00:00+02"), "2024-01-01 10:00:00");
        assert_eq!(without_offset("2024-01-01 10:00:00.5 -05:30"), "2024-01-01 10:00:00.5");
        assert_eq!(without_offset("2024-01-01T10:00:00Z"), "2024-01-01T10:00:00");
        assert_eq!(without_offset("2024-01-01"), "2024-01-01");
        assert_eq!(without_offset("2024-01-01 10:00:00"), "2024-01-01 10:00:00");
    }

    #[test]
    fn a_time_without_seconds_gets_them() {
        assert_eq!(with_seconds("2024-01-01 10:00"), "2024-01-01 10:00:00");
        assert_eq!(with_seconds("2024-01-01T9:30+02"), "2024-01-01T9:30:00+02");
        assert_eq!(with_seconds("2024-01-01 10:00:05"), "2024-01-01 10:00:05");
        assert_eq!(with_seconds("2024-01-01"), "2024-01-01");
    }

    #[test]
    fn dates_ignore_a_time_and_an_offset() {
        assert_eq!(date_part("2024-01-01 +00"), "2024-01-01");
        assert_eq!(date_part("2024-01-01 10:00:00+02"), "2024-01-01");
        assert_eq!(date_part("2024-01-01"), "2024-01-01");
        assert_eq!(date_part("2024-01-01 BC"), "2024-01-01 BC");
        assert_eq!(date_part("January 8, 1999"), "January 8, 1999");
    }
}
