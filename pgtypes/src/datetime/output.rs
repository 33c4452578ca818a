//! PostgreSQL's text of dates, times and timestamps in the ISO DateStyle (timestamptz in
//! UTC), and of intervals in the `postgres` IntervalStyle: what the text format sends to
//! clients, what a cast to text gives and what error details show.

use std::fmt::{self, Write};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Date32Type, Int64Type, TimeUnit};
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::error::PgError;

const MICROS_PER_SECOND: i128 = 1_000_000;
const MICROS_PER_MINUTE: i128 = 60 * MICROS_PER_SECOND;
const MICROS_PER_HOUR: i128 = 60 * MICROS_PER_MINUTE;
/// Microseconds in a day.
pub const MICROS_PER_DAY: i128 = 24 * MICROS_PER_HOUR;

/// `shale_datetime_text(x)`: a date or timestamp as PostgreSQL's text (a cast to text;
/// Arrow's cast writes a `T` and fails on infinity).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct DatetimeText {
    signature: Signature,
}

impl DatetimeText {
    /// `expr` (a date or a timestamp) as text.
    pub(crate) fn call(expr: Expr) -> Expr {
        let udf = ScalarUDF::new_from_impl(DatetimeText { signature: Signature::any(1, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![expr]))
    }
}

impl ScalarUDFImpl for DatetimeText {
    fn name(&self) -> &str {
        "shale_datetime_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(datetime_text(&input)?))
    }
}

/// `input` cast to text, dates and timestamps as PostgreSQL writes them.
pub(crate) fn as_text(input: &ArrayRef) -> crate::error::Result<ArrayRef> {
    match input.data_type() {
        DataType::Date32 | DataType::Timestamp(..) => datetime_text(input).map_err(PgError::from_datafusion),
        _ => cast(input, &DataType::Utf8).map_err(|e| PgError::internal(e.to_string())),
    }
}

/// The text of each date or timestamp of `input`.
fn datetime_text(input: &ArrayRef) -> Result<ArrayRef> {
    let text = |write: &dyn Fn(&mut String) -> fmt::Result| {
        let mut out = String::new();
        write(&mut out).map(|()| out).map_err(|e| PgError::internal(e.to_string()).into_datafusion())
    };
    let strings: StringArray = match input.data_type() {
        DataType::Date32 => input
            .as_primitive::<Date32Type>()
            .iter()
            .map(|d| d.map(|d| text(&|out| write_date(d.into(), out))).transpose())
            .collect::<Result<_>>()?,
        DataType::Timestamp(unit, zone) => {
            let (unit, with_tz) = (*unit, zone.is_some());
            cast(input, &DataType::Int64)?
                .as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(|v| text(&|out| write_timestamp(to_micros(v, unit), with_tz, out))).transpose())
                .collect::<Result<_>>()?
        }
        other => return Err(PgError::internal(format!("shale_datetime_text of {other}")).into_datafusion()),
    };
    Ok(Arc::new(strings))
}

/// Converts a count of `unit`s to microseconds, the precision of PostgreSQL's
/// date/time types; nanoseconds round half to even, as PostgreSQL's input does.
pub fn to_micros(value: i64, unit: TimeUnit) -> i128 {
    let value = i128::from(value);
    match unit {
        TimeUnit::Second => value * MICROS_PER_SECOND,
        TimeUnit::Millisecond => value * 1_000,
        TimeUnit::Microsecond => value,
        TimeUnit::Nanosecond => {
            let (micros, rest) = (value.div_euclid(1_000), value.rem_euclid(1_000));
            if rest > 500 || (rest == 500 && micros % 2 != 0) {
                micros + 1
            } else {
                micros
            }
        }
    }
}

/// Writes a date, `days` since 1970-01-01: `YYYY-MM-DD`, or `YYYY-MM-DD BC`.
pub fn write_date(days: i128, out: &mut impl Write) -> fmt::Result {
    if let Some(infinity) = infinity(days, i32::MIN.into(), i32::MAX.into()) {
        return out.write_str(infinity);
    }
    let bc = put_date(days, out)?;
    put_bc(bc, out)
}

/// Writes a time of day, `HH:MM:SS[.ffffff]`; 24:00:00 is a valid time, values
/// outside a day wrap around.
pub fn write_time(micros: i128, out: &mut impl Write) -> fmt::Result {
    let micros = if (0..=MICROS_PER_DAY).contains(&micros) {
        micros
    } else {
        micros.rem_euclid(MICROS_PER_DAY)
    };
    write_clock(micros, out)
}

/// Writes a timestamp, `micros` since 1970-01-01 00:00:00 UTC:
/// `YYYY-MM-DD HH:MM:SS[.ffffff][+00][ BC]`.
pub fn write_timestamp(micros: i128, with_tz: bool, out: &mut impl Write) -> fmt::Result {
    if let Some(infinity) = infinity(micros, i64::MIN.into(), i64::MAX.into()) {
        return out.write_str(infinity);
    }
    let bc = put_date(micros.div_euclid(MICROS_PER_DAY), out)?;
    out.write_char(' ')?;
    write_clock(micros.rem_euclid(MICROS_PER_DAY), out)?;
    if with_tz {
        out.write_str("+00")?;
    }
    put_bc(bc, out)
}

/// `infinity` / `-infinity` for the extreme values of a date or timestamp type, which
/// stand for them as in PostgreSQL (also in its binary format).
pub fn infinity(value: i128, min: i128, max: i128) -> Option<&'static str> {
    match value {
        v if v == max => Some("infinity"),
        v if v == min => Some("-infinity"),
        _ => None,
    }
}

/// Writes a non-negative duration as `HH:MM:SS[.ffffff]` (hours may exceed
/// 24), the fraction without trailing zeros.
pub fn write_clock(micros: i128, out: &mut impl Write) -> fmt::Result {
    let hours = micros / MICROS_PER_HOUR;
    let minutes = micros / MICROS_PER_MINUTE % 60;
    let seconds = micros / MICROS_PER_SECOND % 60;
    write!(out, "{hours:02}:{minutes:02}:{seconds:02}")?;
    let fraction = micros % MICROS_PER_SECOND;
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        write!(out, ".{}", digits.trim_end_matches('0'))?;
    }
    Ok(())
}

/// Writes an interval as PostgreSQL's EncodeInterval does for IntervalStyle postgres
/// (`1 year 2 mons -3 days +04:05:06.5`): the nonzero of years, months and days, then the
/// time unless it is zero after something else; a positive part right after a negative
/// one carries a `+`.
pub fn write_interval(months: i32, days: i32, micros: i128, out: &mut impl Write) -> fmt::Result {
    let mut parts = IntervalParts::default();
    parts.put(months / 12, "year", out)?;
    parts.put(months % 12, "mon", out)?;
    parts.put(days, "day", out)?;
    if !parts.written || micros != 0 {
        if parts.written {
            out.write_char(' ')?;
        }
        if micros < 0 {
            out.write_char('-')?;
        } else if parts.last_negative {
            out.write_char('+')?;
        }
        write_clock(micros.abs(), out)?;
    }
    Ok(())
}

/// What has been written of an interval so far.
#[derive(Default)]
struct IntervalParts {
    /// Whether a part was written.
    written: bool,
    /// Whether the last part written was negative.
    last_negative: bool,
}

impl IntervalParts {
    /// Writes `value unit[s]` unless `value` is zero (PostgreSQL's AddPostgresIntPart).
    fn put(&mut self, value: i32, unit: &str, out: &mut impl Write) -> fmt::Result {
        if value == 0 {
            return Ok(());
        }
        let space = if self.written { " " } else { "" };
        let plus = if self.last_negative && value > 0 { "+" } else { "" };
        let plural = if value == 1 { "" } else { "s" };
        write!(out, "{space}{plus}{value} {unit}{plural}")?;
        self.last_negative = value < 0;
        self.written = true;
        Ok(())
    }
}

/// Writes the date `days` after 1970-01-01 without its era; returns whether
/// it is BC. PostgreSQL has no year 0: year 0 is 1 BC.
fn put_date(days: i128, out: &mut impl Write) -> Result<bool, fmt::Error> {
    let (year, month, day) = civil_from_days(days);
    let (year, bc) = if year > 0 {
        (year, false)
    } else {
        (1 - year, true)
    };
    write!(out, "{year:04}-{month:02}-{day:02}")?;
    Ok(bc)
}

fn put_bc(bc: bool, out: &mut impl Write) -> fmt::Result {
    if bc {
        out.write_str(" BC")?;
    }
    Ok(())
}

/// The proleptic Gregorian (year, month, day) of `days` after 1970-01-01, with
/// astronomical years (0 is 1 BC); Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: impl Fn(&mut String) -> fmt::Result) -> String {
        let mut out = String::new();
        write(&mut out).unwrap();
        out
    }

    #[test]
    fn dates_match_postgres() {
        // psql -At: SELECT d - '1970-01-01'::date, d FROM (VALUES ...) v(d)
        let cases = [
            (19782, "2024-02-29"),
            (-735160, "0044-03-15 BC"),
            (-719162, "0001-01-01"),
            (-719163, "0001-12-31 BC"),
            (-2440550, "4713-01-01 BC"),
            (2145042905, "5874897-12-31"),
            (2932897, "10000-01-01"),
            (0, "1970-01-01"),
            (-1, "1969-12-31"),
            (11017, "2000-03-01"),
            (-25509, "1900-02-28"),
        ];
        for (days, expected) in cases {
            assert_eq!(text(|out| write_date(days, out)), expected);
        }
    }

    #[test]
    fn intervals_match_postgres() {
        // psql -At: SET IntervalStyle='postgres'; SELECT '...'::interval
        let hour = 3_600_000_000;
        let cases = [
            (14, 3, 14_706_500_000, "1 year 2 mons 3 days 04:05:06.5"),
            (0, -1, 2 * hour, "-1 days +02:00:00"),
            (0, 0, 0, "00:00:00"),
            (1, 0, 0, "1 mon"),
            (0, 0, -1_000_000, "-00:00:01"),
            (-14, 0, 0, "-1 years -2 mons"),
            (10, 0, 0, "10 mons"),
            (-10, 0, 0, "-10 mons"),
            (0, 1, 0, "1 day"),
            (0, 2, 0, "2 days"),
            (-1, 3, 0, "-1 mons +3 days"),
            (-1, -3, 0, "-1 mons -3 days"),
            (0, 0, 100 * hour, "100:00:00"),
            (0, 0, -99 * hour - 30 * 60_000_000, "-99:30:00"),
            (0, 1, -1, "1 day -00:00:00.000001"),
            (13, 0, 0, "1 year 1 mon"),
            (-13, 0, 0, "-1 years -1 mons"),
            (12, -1, 0, "1 year -1 days"),
            (0, 0, 1_250_000, "00:00:01.25"),
            (0, -1, -hour, "-1 days -01:00:00"),
            (1, 0, -hour, "1 mon -01:00:00"),
            (1, 0, hour, "1 mon 01:00:00"),
            (0, 0, 2_147_483_647 * hour, "2147483647:00:00"),
            (i32::MIN, 0, 0, "-178956970 years -8 mons"),
            (12, 0, 0, "1 year"),
            (24, 0, 0, "2 years"),
            (-12, 0, 0, "-1 years"),
        ];
        for (months, days, micros, expected) in cases {
            assert_eq!(text(|out| write_interval(months, days, micros, out)), expected);
        }
    }

    #[test]
    fn times_match_postgres() {
        // psql -At: SELECT t, extract(epoch from t) * 1000000 FROM (VALUES ...) v(t)
        let cases = [
            (49506500000, "13:45:06.5"),
            (0, "00:00:00"),
            (86399999999, "23:59:59.999999"),
            (3723000123, "01:02:03.000123"),
            (86400000000, "24:00:00"),
        ];
        for (micros, expected) in cases {
            assert_eq!(text(|out| write_time(micros, out)), expected);
        }
    }

    #[test]
    fn timestamps_match_postgres() {
        // psql -At: SET TimeZone='UTC'; SELECT extract(epoch from t) * 1000000, t ...
        let cases = [
            (-63517778999750000, false, "0044-03-15 12:30:00.25 BC"),
            (1717228800000123, false, "2024-06-01 08:00:00.000123"),
            (-1, false, "1969-12-31 23:59:59.999999"),
            (-210863520000000000, false, "4713-01-01 00:00:00 BC"),
            (0, false, "1970-01-01 00:00:00"),
            (-63517779000000000, true, "0044-03-15 12:30:00+00 BC"),
            (1717228800000000, true, "2024-06-01 08:00:00+00"),
            (-2208988800000000, true, "1900-01-01 00:00:00+00"),
            (1717228801500000, true, "2024-06-01 08:00:01.5+00"),
        ];
        for (micros, with_tz, expected) in cases {
            assert_eq!(text(|out| write_timestamp(micros, with_tz, out)), expected);
        }
    }
}
