//! PostgreSQL's system information and catalog functions that clients call when they
//! connect and introspect, and built-ins DataFusion has with other semantics (`format`,
//! `lpad`, `rpad`, `repeat`), and `pg_sleep`: see each module. They read the same snapshot of storage as
//! the system catalogs (`crate::system`); and the functions of enum types (`enum_first`,
//! `enum_last`, `enum_range`).

pub mod now;
pub mod advisory;
mod describe;
mod enum_functions;
mod format;
mod general;
mod keywords;
pub mod reg;
mod row_function;
mod sequences;
mod sleep;
pub mod signatures;
mod session;
mod strings;

use std::sync::Arc;

use datafusion::execution::FunctionRegistry;
use datafusion::execution::session_state::SessionState;

use crate::session::handle::SessionHandle;

pub use describe::UNSUPPORTED;

/// Registers the functions in `state`, and pgtypes' aggregates (`json_agg`, ...).
pub fn register(state: &mut SessionState, handle: &SessionHandle) {
    let functions = describe::functions(handle)
        .into_iter()
        .chain(session::functions(handle))
        .chain(reg::functions(handle))
        .chain(advisory::functions(handle))
        .chain(general::functions(handle))
        .chain(strings::functions(handle))
        .chain(sequences::functions(handle))
        .chain(sleep::functions(handle))
        .chain(enum_functions::functions(handle));
    for f in functions {
        if let Err(e) = state.register_udf(Arc::new(f)) {
            tracing::warn!(error = %e, "registering a system function failed");
        }
    }
    for f in shale_pgtypes::aggregate_functions() {
        if let Err(e) = state.register_udaf(Arc::new(f)) {
            tracing::warn!(error = %e, "registering an aggregate function failed");
        }
    }
    state.register_udtf("pg_get_keywords", Arc::new(keywords::Keywords));
    state.register_udtf("pg_show_all_settings", Arc::new(keywords::Settings(handle.clone())));
    if let Some(series) = state.table_functions().get("generate_series").cloned() {
        state.register_udtf("generate_series", Arc::new(keywords::GenerateSeries(series)));
    }
}
