//! The functions of the current transaction's start time, as in PostgreSQL: `now()` /
//! `current_timestamp` / `transaction_timestamp()`, `localtimestamp`, `current_date`, and
//! `localtime` / `current_time` (the time of day, without a zone: Shale has no `timetz`);
//! in the session's time zone, which is UTC. DataFusion's own `now()`, `current_date` and
//! `current_time` are the start of the statement, and only work where its optimizer
//! folds them into constants before they run (a written value, a column default, an
//! UPDATE's SET ran them unfolded: XX000 "invoke should not be called").

use std::hash::{Hash, Hasher};

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};

use crate::session::handle::SessionHandle;
use shale_pgtypes::types::UTC;

/// What a function of the transaction's start time returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    /// `timestamp with time zone`.
    Timestamptz,
    /// `timestamp` (without time zone).
    Timestamp,
    /// `date`.
    Date,
    /// `time` (without time zone).
    Time,
}

impl Part {
    /// The function's names: its own, then its aliases.
    fn names(self) -> &'static [&'static str] {
        match self {
            Part::Timestamptz => &["now", "current_timestamp", "transaction_timestamp"],
            Part::Timestamp => &["localtimestamp"],
            Part::Date => &["current_date"],
            Part::Time => &["localtime", "current_time"],
        }
    }

    /// The type of its value.
    fn data_type(self) -> DataType {
        match self {
            Part::Timestamptz => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            Part::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            Part::Date => DataType::Date32,
            Part::Time => DataType::Time64(TimeUnit::Microsecond),
        }
    }

    /// Its value at `micros` since the Unix epoch (UTC).
    fn value(self, micros: i64) -> ScalarValue {
        let (days, time) = (micros.div_euclid(MICROS_PER_DAY), micros.rem_euclid(MICROS_PER_DAY));
        match self {
            Part::Timestamptz => ScalarValue::TimestampMicrosecond(Some(micros), Some(UTC.into())),
            Part::Timestamp => ScalarValue::TimestampMicrosecond(Some(micros), None),
            // Within i32 for any time a clock shows.
            Part::Date => ScalarValue::Date32(Some(days as i32)),
            Part::Time => ScalarValue::Time64Microsecond(Some(time)),
        }
    }
}

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// A function of the transaction start time of one session.
#[derive(Debug)]
pub struct TransactionTimestamp {
    handle: SessionHandle,
    part: Part,
    signature: Signature,
    aliases: Vec<String>,
}

impl TransactionTimestamp {
    /// `now()`, `localtimestamp`, `current_date` and `localtime` for the session of
    /// `handle`.
    pub fn all(handle: &SessionHandle) -> Vec<Self> {
        [Part::Timestamptz, Part::Timestamp, Part::Date, Part::Time].into_iter().map(|part| Self::of(handle.clone(), part)).collect()
    }

    fn of(handle: SessionHandle, part: Part) -> Self {
        TransactionTimestamp {
            handle,
            part,
            signature: Signature::nullary(Volatility::Stable),
            aliases: part.names()[1..].iter().map(|n| n.to_string()).collect(),
        }
    }
}

impl PartialEq for TransactionTimestamp {
    fn eq(&self, other: &Self) -> bool {
        self.part == other.part && self.handle.same_session(&other.handle)
    }
}

impl Eq for TransactionTimestamp {}

impl Hash for TransactionTimestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.part.hash(state);
    }
}

impl ScalarUDFImpl for TransactionTimestamp {
    fn name(&self) -> &str {
        self.part.names()[0]
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.part.data_type())
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(self.part.value(self.handle.transaction_start())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_a_start_time() {
        // 2024-03-01 10:00:00.5 UTC
        let micros = 1_709_287_200_500_000;
        assert_eq!(Part::Date.value(micros), ScalarValue::Date32(Some(19_783)));
        assert_eq!(Part::Time.value(micros), ScalarValue::Time64Microsecond(Some(36_000_500_000)));
        assert_eq!(Part::Timestamp.value(micros), ScalarValue::TimestampMicrosecond(Some(micros), None));
        assert_eq!(Part::Date.value(-1), ScalarValue::Date32(Some(-1)));
    }
}
