//! interval in the `postgres` IntervalStyle: `1 year 2 mons -3 days +04:05:06.5`.


use bytes::BytesMut;
use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::{
    DurationMicrosecondType, DurationMillisecondType, DurationNanosecondType, DurationSecondType,
    IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType, TimeUnit,
};

use shale_pgtypes::datetime::output::{self, to_micros};

use super::datetime::by_unit;
use super::{ValueWriter, primitive};
use crate::encode::EncodeError;

/// A value writer for Interval arrays of any unit.
pub(super) fn interval_writer(
    array: &dyn Array,
    unit: IntervalUnit,
) -> Result<ValueWriter<'_>, EncodeError> {
    match unit {
        IntervalUnit::YearMonth => primitive::<IntervalYearMonthType>(array, |months, out| {
            write_interval(months, 0, 0, out)
        }),
        IntervalUnit::DayTime => primitive::<IntervalDayTimeType>(array, |value, out| {
            let micros = to_micros(value.milliseconds.into(), TimeUnit::Millisecond);
            write_interval(0, value.days, micros, out)
        }),
        IntervalUnit::MonthDayNano => primitive::<IntervalMonthDayNanoType>(array, |value, out| {
            let micros = to_micros(value.nanoseconds, TimeUnit::Nanosecond);
            write_interval(value.months, value.days, micros, out)
        }),
    }
}

/// A value writer for Duration arrays: an interval of hours, minutes and seconds.
pub(super) fn duration_writer(
    array: &dyn Array,
    unit: TimeUnit,
) -> Result<ValueWriter<'_>, EncodeError> {
    by_unit::<
        DurationSecondType,
        DurationMillisecondType,
        DurationMicrosecondType,
        DurationNanosecondType,
    >(array, unit, |micros, out| write_interval(0, 0, micros, out))
}

/// Writes an interval as PostgreSQL does for IntervalStyle postgres (pgtypes'
/// `write_interval`, which the catalog's error details use too).
fn write_interval(months: i32, days: i32, micros: i128, out: &mut BytesMut) -> Result<(), EncodeError> {
    Ok(output::write_interval(months, days, micros, out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(months: i32, days: i32, micros: i128) -> String {
        let mut out = BytesMut::new();
        write_interval(months, days, micros, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn intervals_match_postgres() {
        // psql -At: SET IntervalStyle='postgres';
        // SELECT '1 year 2 mons 3 days 04:05:06.5'::interval, ...
        let hour = 3_600_000_000;
        // The cases of what it writes are pgtypes' (`output::tests`); this checks the bytes
        // reach the buffer.
        let cases = [
            (14, 3, 14_706_500_000, "1 year 2 mons 3 days 04:05:06.5"),
            (0, -1, 2 * hour, "-1 days +02:00:00"),
        ];
        for (months, days, micros, expected) in cases {
            assert_eq!(interval(months, days, micros), expected);
        }
    }
}
