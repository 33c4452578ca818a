//! `interval::time`, which Arrow does not cast: PostgreSQL's `interval_time` keeps the
//! time of day of the interval's time field, wrapped into one day (`25:30:10` is 01:30:10,
//! `-1 hour` is 23:00:00); months and days are dropped (`1 day 02:03:04.5` is 02:03:04.5).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Time64MicrosecondArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNanoType, IntervalUnit, TimeUnit};
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use super::output::to_micros;
use crate::error::PgError;

const MICROS_PER_DAY: i128 = 86_400_000_000;

/// `shale_interval_time(interval)`: the time of day of an interval, as `time`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct IntervalTime {
    signature: Signature,
}

impl IntervalTime {
    /// The call that casts `interval` to `time`.
    pub fn call(interval: Expr) -> Expr {
        let udf = ScalarUDF::new_from_impl(IntervalTime { signature: Signature::any(1, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![interval]))
    }
}

impl ScalarUDFImpl for IntervalTime {
    fn name(&self) -> &str {
        "shale_interval_time"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Time64(TimeUnit::Microsecond))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [interval] = args.args.as_slice() else {
            return Err(PgError::internal("shale_interval_time takes one argument").into_datafusion());
        };
        let intervals = cast(&interval.to_array(args.number_rows)?, &DataType::Interval(IntervalUnit::MonthDayNano))?;
        let times: Time64MicrosecondArray =
            intervals.as_primitive::<IntervalMonthDayNanoType>().iter().map(|v| v.map(|v| time_of_day(v.nanoseconds))).collect();
        Ok(ColumnarValue::Array(Arc::new(times) as ArrayRef))
    }
}

/// The time of day (microseconds since midnight) of an interval's time field.
fn time_of_day(nanos: i64) -> i64 {
    // Less than a day of microseconds: it fits.
    to_micros(nanos, TimeUnit::Nanosecond).rem_euclid(MICROS_PER_DAY) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_into_one_day_as_postgresql() {
        let (second, hour) = (1_000_000_000_i64, 3_600_000_000_000_i64);
        // SELECT '25:30:10'::interval::time, '-1 hour'::interval::time,
        //        '-25:30:10.123456'::interval::time, '-0.5 sec'::interval::time, '24:00'::interval::time
        assert_eq!(time_of_day(25 * hour + 1810 * second), 5_410_000_000);
        assert_eq!(time_of_day(-hour), 23 * 3_600_000_000);
        assert_eq!(time_of_day(-(25 * hour + 1810 * second + 123_456_000)), 80_989_876_544);
        assert_eq!(time_of_day(-second / 2), 86_399_500_000);
        assert_eq!(time_of_day(24 * hour), 0);
    }
}
