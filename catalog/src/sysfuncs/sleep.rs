//! `pg_sleep(seconds)`: waits on the session's thread in short ticks, so that a
//! CancelRequest or `statement_timeout` (the session's interrupt) stops it within one.

use std::time::{Duration, Instant};

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::error::{CatalogError, Result, sqlstate};
use crate::session::handle::SessionHandle;
use crate::system::column as v;

use super::row_function::{Context, row_function, text_arg};

/// How often a sleep looks at the session's interrupt.
const TICK: Duration = Duration::from_millis(10);

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    // `void`, whose output is the empty string (as the advisory lock functions').
    let void = Field::new("", DataType::Utf8, true);
    vec![row_function(handle, "pg_sleep", &[1], void, Volatility::Volatile, |cx, args| sleep(cx, &args[0]))]
}

/// Sleeps `seconds` (a double precision; NULL, zero, negative or NaN: not at all; more
/// than a `Duration` holds: until interrupted), as PostgreSQL's `pg_sleep` does.
fn sleep(cx: &Context<'_>, seconds: &ScalarValue) -> Result<ScalarValue> {
    let Some(seconds) = seconds_arg(seconds)? else { return Ok(v::null()) };
    if seconds.is_nan() || seconds <= 0.0 {
        return Ok(v::text(""));
    }
    let deadline = Duration::try_from_secs_f64(seconds).ok().and_then(|d| Instant::now().checked_add(d));
    loop {
        cx.handle.interrupt().check()?;
        let left = deadline.map_or(TICK, |d| d.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return Ok(v::text(""));
        }
        std::thread::sleep(left.min(TICK));
    }
}

/// The argument as double precision: a number, or text that reads as one (22P02 else).
fn seconds_arg(value: &ScalarValue) -> Result<Option<f64>> {
    if value.is_null() {
        return Ok(None);
    }
    if let ScalarValue::Utf8(_) | ScalarValue::LargeUtf8(_) | ScalarValue::Utf8View(_) = value {
        let text = text_arg(value).unwrap_or_default();
        return match text.trim().to_lowercase().as_str() {
            "nan" => Ok(Some(f64::NAN)),
            "infinity" | "inf" | "+infinity" => Ok(Some(f64::INFINITY)),
            "-infinity" | "-inf" => Ok(Some(f64::NEG_INFINITY)),
            trimmed => trimmed.parse::<f64>().map(Some).map_err(|_| {
                CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid input syntax for type double precision: \"{text}\""))
            }),
        };
    }
    match value.cast_to(&DataType::Float64) {
        Ok(ScalarValue::Float64(seconds)) => Ok(seconds),
        _ => Err(CatalogError::new(sqlstate::UNDEFINED_FUNCTION, format!("function pg_sleep({}) does not exist", value.data_type()))),
    }
}
