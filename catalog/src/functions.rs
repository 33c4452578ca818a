//! PostgreSQL's session information functions, as DataFusion scalar functions:
//! `version()`, `current_schema()`, `current_database()`, `current_user`, `session_user`,
//! and `now()`, `current_date` and the like as the transaction's start time; and where
//! they are registered, with the built-ins Shale replaces ([`shale_pgtypes::functions`]).

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::execution::FunctionRegistry;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};

use crate::session::handle::SessionHandle;
use crate::sysfuncs::now::TransactionTimestamp;
use crate::resolve;

/// Facts about the session that functions report.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The connected user.
    pub user: String,
    /// The database named at connection.
    pub database: String,
    /// What `version()` returns.
    pub version: String,
}

/// A zero-argument function returning text computed on each call.
fn text_function(name: &str, value: impl Fn() -> Option<String> + Send + Sync + 'static) -> ScalarUDF {
    create_udf(
        name,
        vec![],
        DataType::Utf8,
        Volatility::Stable,
        Arc::new(move |_args: &[ColumnarValue]| Ok(ColumnarValue::Scalar(ScalarValue::Utf8(value())))),
    )
}

/// Registers the session functions, replacing DataFusion's `version()` and those of
/// [`shale_pgtypes::functions`].
pub fn register_functions(state: &mut SessionState, handle: &SessionHandle, info: SessionInfo) {
    let SessionInfo { user, database, version } = info;
    let schema_handle = handle.clone();
    let current_schema = text_function("current_schema", move || {
        let txn = schema_handle.txn().ok()?;
        resolve::current_schema(&txn, &schema_handle.scope()).ok().flatten()
    });
    let session_user = user.clone();
    let functions = [
        crate::session::param::param_function(handle),
        text_function("version", move || Some(version.clone())),
        current_schema,
        text_function("current_database", move || Some(database.clone())),
        text_function("current_user", move || Some(user.clone())),
        text_function("session_user", move || Some(session_user.clone())),
    ];
    crate::sysfuncs::register(state, handle);
    let start_times = TransactionTimestamp::all(handle).into_iter().map(ScalarUDF::new_from_impl);
    for f in functions.into_iter().chain(start_times).chain(shale_pgtypes::functions()) {
        if let Err(e) = state.register_udf(Arc::new(f)) {
            tracing::warn!(error = %e, "registering a session function failed");
        }
    }
}
