//! `date_bin(stride, source, origin)` on timestamps as PostgreSQL computes it, in place of
//! DataFusion's (which overflows at the edges of the range and does not know Shale's
//! infinities, the extreme values of the type): an infinite source is its own bin, an
//! infinite origin is 22008 "origin out of range", a distance that does not fit is 22008
//! "interval out of range", a stride with months 0A000 and one not positive 22008. Other
//! argument types go to DataFusion's function.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNanoType, IntervalUnit, TimeUnit, TimestampMicrosecondType};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

use crate::error::{PgError, sqlstate};

const USECS_PER_DAY: i64 = 86_400_000_000;
/// SQLSTATE datetime_field_overflow.
const DATETIME_OVERFLOW: &str = "22008";

/// Shale's `date_bin`, wrapping DataFusion's.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DateBin {
    inner: Arc<ScalarUDF>,
    signature: Signature,
}

/// The function, to register in a session.
pub fn function() -> ScalarUDF {
    let signature = Signature::user_defined(Volatility::Immutable);
    ScalarUDF::new_from_impl(DateBin { inner: datafusion::functions::datetime::date_bin(), signature })
}

/// The argument types Shale bins itself: an interval stride, and timestamps in
/// microseconds (text and dates read as timestamps).
fn own_types(args: &[DataType]) -> Option<Vec<DataType>> {
    let stride = match args.first()? {
        DataType::Interval(_) | DataType::Utf8 | DataType::Null => DataType::Interval(IntervalUnit::MonthDayNano),
        _ => return None,
    };
    let zone = args[1..].iter().find_map(|t| match t {
        DataType::Timestamp(_, zone) => Some(zone.clone()),
        _ => None,
    })?;
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, zone);
    let times = args[1..].iter().all(|t| matches!(t, DataType::Timestamp(..) | DataType::Date32 | DataType::Utf8 | DataType::Null));
    (times && (2..=3).contains(&args.len())).then(|| std::iter::once(stride).chain(std::iter::repeat_n(timestamp, args.len() - 1)).collect())
}

impl ScalarUDFImpl for DateBin {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match own_types(args) {
            Some(types) => Ok(types),
            None => crate::guarded::coerced_by(&self.inner, args),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.inner.return_type(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let timestamps = matches!(args.return_field.data_type(), DataType::Timestamp(TimeUnit::Microsecond, _));
        let stride = match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(stride))) => *stride,
            _ => None,
        };
        let (true, Some(stride), 2 | 3) = (timestamps, stride, args.args.len()) else {
            return self.inner.invoke_with_args(args);
        };
        // Without an origin, bins start at the Unix epoch (as DataFusion's).
        let epoch = ColumnarValue::Scalar(ScalarValue::TimestampMicrosecond(Some(0), None));
        let (source, origin) = (&args.args[1], args.args.get(2).unwrap_or(&epoch));
        let ty = args.return_field.data_type().clone();
        let (source, origin) = (source.to_array(args.number_rows)?, origin.to_array(args.number_rows)?);
        // The values as they are (a cast between zones would not keep the infinities).
        let micros = |a: &Arc<dyn Array>| -> Result<TimestampMicrosecondArray> {
            let microseconds = match a.data_type() {
                DataType::Timestamp(TimeUnit::Microsecond, _) => a.clone(),
                _ => datafusion::arrow::compute::cast(a, &DataType::Timestamp(TimeUnit::Microsecond, None))?,
            };
            Ok(microseconds.as_primitive::<TimestampMicrosecondType>().clone())
        };
        let (source, origin) = (micros(&source)?, micros(&origin)?);
        let stride = stride_micros(IntervalMonthDayNanoType::to_parts(stride)).map_err(PgError::into_datafusion)?;
        let binned = source
            .iter()
            .zip(origin.iter())
            .map(|(s, o)| match (s, o) {
                (Some(s), Some(o)) => bin(stride, s, o).map(Some),
                _ => Ok(None),
            })
            .collect::<std::result::Result<TimestampMicrosecondArray, PgError>>()
            .map_err(PgError::into_datafusion)?;
        let zone = match ty {
            DataType::Timestamp(_, zone) => zone,
            _ => None,
        };
        Ok(ColumnarValue::Array(Arc::new(binned.with_timezone_opt(zone))))
    }
}

/// The stride in microseconds: 0A000 with months, 22008 when not positive.
fn stride_micros((months, days, nanos): (i32, i32, i64)) -> std::result::Result<i64, PgError> {
    if months != 0 {
        return Err(PgError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "timestamps cannot be binned into intervals containing months or years",
        ));
    }
    let stride = i64::from(days).checked_mul(USECS_PER_DAY).and_then(|d| d.checked_add(nanos / 1000));
    match stride {
        Some(s) if s > 0 => Ok(s),
        Some(_) => Err(PgError::new(DATETIME_OVERFLOW, "stride must be greater than zero")),
        None => Err(PgError::new(DATETIME_OVERFLOW, "interval out of range")),
    }
}

/// The start of the bin of `source` (microseconds; the extremes are the infinities).
fn bin(stride: i64, source: i64, origin: i64) -> std::result::Result<i64, PgError> {
    let infinite = |t: i64| t == i64::MAX || t == i64::MIN;
    if infinite(source) {
        return Ok(source);
    }
    if infinite(origin) {
        return Err(PgError::new(DATETIME_OVERFLOW, "origin out of range"));
    }
    let out_of_range = || PgError::new(DATETIME_OVERFLOW, "interval out of range");
    let diff = source.checked_sub(origin).ok_or_else(out_of_range)?;
    let delta = diff - diff.rem_euclid(stride);
    let start = origin.checked_add(delta).ok_or_else(|| PgError::new(DATETIME_OVERFLOW, "timestamp out of range"))?;
    if infinite(start) {
        return Err(PgError::new(DATETIME_OVERFLOW, "timestamp out of range"));
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_as_postgres() {
        let minutes = |n: i64| n * 60_000_000;
        assert_eq!(bin(minutes(15), minutes(7), minutes(15)).unwrap(), 0);
        assert_eq!(bin(minutes(15), 0, minutes(15)).unwrap(), 0);
        assert_eq!(bin(minutes(15), minutes(-1), 0).unwrap(), minutes(-15));
        assert_eq!(bin(minutes(15), i64::MAX, 0).unwrap(), i64::MAX);
        assert_eq!(bin(minutes(15), 0, i64::MIN).unwrap_err().message, "origin out of range");
        assert_eq!(bin(1, i64::MAX - 1, -2).unwrap_err().message, "interval out of range");
        assert_eq!(stride_micros((1, 0, 0)).unwrap_err().code, "0A000");
        assert_eq!(stride_micros((0, 0, 0)).unwrap_err().message, "stride must be greater than zero");
    }
}
