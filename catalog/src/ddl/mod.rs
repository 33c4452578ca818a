//! DDL: CREATE / DROP DATABASE, CREATE / DROP SCHEMA, CREATE / DROP TABLE, ALTER TABLE, CREATE / ALTER / DROP SEQUENCE,
//! CREATE / DROP / ALTER INDEX, REINDEX, TRUNCATE, CREATE / DROP VIEW and COMMENT ON, written to storage in the statement's transaction.
//! Each one bumps the catalog version.

mod alter;
mod check;
mod column_fill;
mod column_type;
mod comment;
mod constraints;
mod create_like;
mod create_table;
mod database;
mod drop;
mod extension;
mod foreign_key;
mod index;
mod reindex;
mod schema;
mod sequence;
mod sequence_defaults;
mod sequence_params;
mod temp;
mod truncate;
mod types;
mod vacuum;
mod view;

pub use alter::alter_table;
pub use comment::comment_on;
pub use create_table::create_table;
pub use database::{create_database, database_for_connection, drop_database};
pub use drop::{drop_schemas, drop_tables};
pub use extension::{AVAILABLE as AVAILABLE_EXTENSIONS, create_extension, drop_extension};
pub use index::{alter_index, create_index, drop_indexes};
pub use reindex::reindex;
pub use schema::create_schema;
pub use sequence::{CreateSequence, alter_sequence, create_sequence, drop_sequences};
pub use temp::{discard_temp, drop_orphans, drop_session_schema, on_commit};
pub(crate) use temp::{is_other_sessions, other_sessions_table};
pub use truncate::truncate;
pub use types::{alter_type, create_type, drop_types};
pub use vacuum::vacuum;
pub use view::{CreateView, Filled, alter_view, create_filled_table, create_view, drop_materialized_views, drop_views, refresh_materialized_view};

use datafusion::execution::session_state::SessionState;

use crate::session::handle::SessionHandle;

/// What a DDL statement needs: the session's DataFusion state (to check and evaluate
/// default expressions) and its storage handle.
pub struct DdlContext<'a> {
    /// Plans and evaluates expressions.
    pub state: &'a SessionState,
    /// The session's transaction and search path.
    pub handle: &'a SessionHandle,
}

/// The result of a DDL statement: its command tag and the notices PostgreSQL would send.
#[derive(Debug, Default, PartialEq)]
pub struct DdlOutcome {
    /// Command tag, e.g. `CREATE TABLE`.
    pub tag: &'static str,
    /// NOTICE messages, e.g. `relation "t" already exists, skipping`.
    pub notices: Vec<Notice>,
    /// A count the tag ends with (`SELECT 3` of CREATE MATERIALIZED VIEW).
    pub rows: Option<u64>,
}

/// A NOTICE (or INFO) sent to the client before the command completes.
#[derive(Debug, PartialEq)]
pub struct Notice {
    /// `NOTICE`, or `INFO` (REINDEX VERBOSE).
    pub severity: &'static str,
    /// SQLSTATE: `00000`, or the code of the error that was skipped (e.g. 42P07).
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Optional DETAIL.
    pub detail: Option<String>,
}



impl DdlOutcome {
    fn new(tag: &'static str) -> Self {
        DdlOutcome { tag, notices: Vec::new(), rows: None }
    }

    fn notice(&mut self, code: &'static str, message: String) {
        self.notices.push(Notice { severity: "NOTICE", code, message, detail: None });
    }
}
