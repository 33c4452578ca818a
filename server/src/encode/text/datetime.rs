//! Value writers for time and timestamp arrays (the text itself: `shale_pgtypes::datetime::output`).

use bytes::BytesMut;
use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, Time32MillisecondType, Time32SecondType, Time64MicrosecondType,
    Time64NanosecondType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};

use shale_pgtypes::datetime::output::{to_micros, write_time, write_timestamp};

use super::{ValueWriter, primitive};
use crate::encode::EncodeError;

/// Milliseconds in a day, for Date64.
pub(super) const MILLIS_PER_DAY: i128 = 86_400_000;

/// A value writer for Time32 and Time64 arrays.
pub(super) fn time_writer(
    array: &dyn Array,
    unit: TimeUnit,
) -> Result<ValueWriter<'_>, EncodeError> {
    by_unit::<Time32SecondType, Time32MillisecondType, Time64MicrosecondType, Time64NanosecondType>(
        array, unit, |micros, out| Ok(write_time(micros, out)?),
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
        Ok(write_timestamp(micros, with_tz, out)?)
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

#[cfg(test)]
mod tests {
    use super::*;

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
