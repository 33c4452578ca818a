//! `now()` / `current_timestamp` / `transaction_timestamp()`: the start of the current
//! transaction, as in PostgreSQL (DataFusion's own `now()` is the start of the statement,
//! and only works where its optimizer can fold it into a constant).

use std::hash::{Hash, Hasher};

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility};

use crate::session::handle::SessionHandle;
use shale_pgtypes::types::UTC;

/// The transaction start time of one session.
#[derive(Debug)]
pub struct TransactionTimestamp {
    handle: SessionHandle,
    signature: Signature,
    aliases: Vec<String>,
}

impl TransactionTimestamp {
    /// `now()` for the session of `handle`.
    pub fn new(handle: SessionHandle) -> Self {
        TransactionTimestamp {
            handle,
            signature: Signature::nullary(Volatility::Stable),
            aliases: vec!["current_timestamp".into(), "transaction_timestamp".into()],
        }
    }
}

impl PartialEq for TransactionTimestamp {
    fn eq(&self, other: &Self) -> bool {
        self.handle.same_session(&other.handle)
    }
}

impl Eq for TransactionTimestamp {}

impl Hash for TransactionTimestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        "now".hash(state);
    }
}

impl ScalarUDFImpl for TransactionTimestamp {
    fn name(&self) -> &str {
        "now"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())))
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let micros = self.handle.transaction_start();
        Ok(ColumnarValue::Scalar(ScalarValue::TimestampMicrosecond(Some(micros), Some(UTC.into()))))
    }
}
