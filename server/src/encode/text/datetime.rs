//! date, time and timestamp in the ISO DateStyle, timestamptz in UTC.

use std::fmt::Write;

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};

use super::{ValueWriter, primitive};
use crate::encode::EncodeError;

/// Milliseconds in a day, for Date64.
pub(super) const MILLIS_PER_DAY: i128 = 86_400_000;
const MICROS_PER_SECOND: i128 = 1_000_000;
const MICROS_PER_MINUTE: i128 = 60 * MICROS_PER_SECOND;
const MICROS_PER_HOUR: i128 = 60 * MICROS_PER_MINUTE;
const MICROS_PER_DAY: i128 = 24 * MICROS_PER_HOUR;

/// A value writer for Time32 and Time64 arrays.
pub(super) fn time_writer(
    array: &dyn Array,
    unit: TimeUnit,
) -> Result<ValueWriter<'_>, EncodeError> {
    by_unit::<Time32SecondType, Time32MillisecondType, Time64MicrosecondType, Time64NanosecondType>(
        array, unit, write_time,
    )
}

/// A value writer for Timestamp arrays; `with_tz` for timestamptz, whose
/// values (UTC instants, whatever the Arrow time zone) are shown in UTC.
pub(super) fn timestamp_writer(
    array: &dyn Array,
    unit: TimeUnit,
    with_tz: bool,
) -> Result<ValueWriter<'_>, EncodeError> {
    by_unit::<
        TimestampSecondType,
        TimestampMillisecondType,
        TimestampMicrosecondType,
        TimestampNanosecondType,
    >(array, unit, move |micros, out| {
        write_timestamp(micros, with_tz, out)
    })
}

/// A value writer over one family of temporal arrays, whose Arrow types for
/// seconds, milliseconds, microseconds and nanoseconds are S, M, U and N:
/// `write` gets each value in microseconds.
pub(super) fn by_unit<'a, S, M, U, N>(
    array: &'a dyn Array,
    unit: TimeUnit,
    write: impl Fn(i128, &mut BytesMut) -> Result<(), EncodeError> + 'a,
) -> Result<ValueWriter<'a>, EncodeError>
where
    S: ArrowPrimitiveType<Native: Into<i64>>,
    M: ArrowPrimitiveType<Native: Into<i64>>,
    U: ArrowPrimitiveType<Native: Into<i64>>,
    N: ArrowPrimitiveType<Native: Into<i64>>,
{
    fn in_micros<'a, T: ArrowPrimitiveType<Native: Into<i64>>>(
        array: &'a dyn Array,
        unit: TimeUnit,
        write: impl Fn(i128, &mut BytesMut) -> Result<(), EncodeError> + 'a,
    ) -> Result<ValueWriter<'a>, EncodeError> {
        primitive::<T>(array, move |value, out| {
            write(to_micros(value.into(), unit), out)
        })
    }
    match unit {
        TimeUnit::Second => in_micros::<S>(array, unit, write),
        TimeUnit::Millisecond => in_micros::<M>(array, unit, write),
        TimeUnit::Microsecond => in_micros::<U>(array, unit, write),
        TimeUnit::Nanosecond => in_micros::<N>(array, unit, write),
    }
}

/// Converts a count of `unit`s to microseconds, the precision of PostgreSQL's
/// date/time types; nanoseconds round half to even, as PostgreSQL's input does.
pub(super) fn to_micros(value: i64, unit: TimeUnit) -> i128 {
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
pub(super) fn write_date(days: i128, out: &mut BytesMut) -> Result<(), EncodeError> {
    if let Some(infinity) = infinity(days, i32::MIN.into(), i32::MAX.into()) {
        out.put_slice(infinity.as_bytes());
        return Ok(());
    }
    let bc = put_date(days, out)?;
    put_bc(bc, out);
    Ok(())
}

/// Writes a time of day, `HH:MM:SS[.ffffff]`; 24:00:00 is a valid time, values
/// outside a day wrap around.
fn write_time(micros: i128, out: &mut BytesMut) -> Result<(), EncodeError> {
    let micros = if (0..=MICROS_PER_DAY).contains(&micros) {
        micros
    } else {
        micros.rem_euclid(MICROS_PER_DAY)
    };
    write_clock(micros, out)
}

/// Writes a timestamp, `micros` since 1970-01-01 00:00:00 UTC:
/// `YYYY-MM-DD HH:MM:SS[.ffffff][+00][ BC]`.
fn write_timestamp(micros: i128, with_tz: bool, out: &mut BytesMut) -> Result<(), EncodeError> {
    if let Some(infinity) = infinity(micros, i64::MIN.into(), i64::MAX.into()) {
        out.put_slice(infinity.as_bytes());
        return Ok(());
    }
    let bc = put_date(micros.div_euclid(MICROS_PER_DAY), out)?;
    out.put_u8(b' ');
    write_clock(micros.rem_euclid(MICROS_PER_DAY), out)?;
    if with_tz {
        out.put_slice(b"+00");
    }
    put_bc(bc, out);
    Ok(())
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
pub(super) fn write_clock(micros: i128, out: &mut BytesMut) -> Result<(), EncodeError> {
    let hours = micros / MICROS_PER_HOUR;
    let minutes = micros / MICROS_PER_MINUTE % 60;
    let seconds = micros / MICROS_PER_SECOND % 60;
    write!(out, "{hours:02}:{minutes:02}:{seconds:02}")?;
    let fraction = micros % MICROS_PER_SECOND;
    if fraction != 0 {
        write!(out, ".{fraction:06}")?;
        while out.last() == Some(&b'0') {
            out.truncate(out.len() - 1);
        }
    }
    Ok(())
}

/// Writes the date `days` after 1970-01-01 without its era; returns whether
/// it is BC. PostgreSQL has no year 0: year 0 is 1 BC.
fn put_date(days: i128, out: &mut BytesMut) -> Result<bool, EncodeError> {
    let (year, month, day) = civil_from_days(days);
    let (year, bc) = if year > 0 {
        (year, false)
    } else {
        (1 - year, true)
    };
    write!(out, "{year:04}-{month:02}-{day:02}")?;
    Ok(bc)
}

fn put_bc(bc: bool, out: &mut BytesMut) {
    if bc {
        out.put_slice(b" BC");
    }
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

    fn text(write: impl Fn(&mut BytesMut) -> Result<(), EncodeError>) -> String {
        let mut out = BytesMut::new();
        write(&mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
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

    #[test]
    fn nanoseconds_round_half_to_even_like_postgres_input() {
        // SELECT '2020-01-01 00:00:00.0000005'::timestamp -> .000000,
        // '...0000015' -> .000002, '...0000025' -> .000002
        assert_eq!(to_micros(500, TimeUnit::Nanosecond), 0);
        assert_eq!(to_micros(1_500, TimeUnit::Nanosecond), 2);
        assert_eq!(to_micros(2_500, TimeUnit::Nanosecond), 2);
        assert_eq!(to_micros(2_501, TimeUnit::Nanosecond), 3);
        assert_eq!(to_micros(-1_500, TimeUnit::Nanosecond), -2);
        assert_eq!(
            to_micros(i64::MIN, TimeUnit::Second),
            i128::from(i64::MIN) * 1_000_000
        );
    }
}
