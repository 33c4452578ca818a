//! What executing one statement produces, before it is put on the wire.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

/// A NOTICE or WARNING sent before the statement's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `NOTICE` or `WARNING`.
    pub severity: &'static str,
    /// SQLSTATE (`00000` for plain notices, `25001`/`25P01` for transaction warnings).
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Optional DETAIL.
    pub detail: Option<String>,
}

impl Notice {
    /// A WARNING with the given SQLSTATE.
    pub fn warning(code: &'static str, message: &str) -> Self {
        Notice { severity: "WARNING", code, message: message.to_string(), detail: None }
    }
}

/// Rows a statement returns.
#[derive(Debug)]
pub struct RowSet {
    /// Arrow schema of the rows (types and type metadata).
    pub schema: SchemaRef,
    /// Column names as PostgreSQL names them.
    pub names: Vec<String>,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// Command tag before the row count: `SELECT`, `INSERT 0`, `UPDATE`, `DELETE`.
    pub command: String,
}

/// The result of one statement.
#[derive(Debug)]
pub enum StatementResult {
    /// A command with its complete tag, e.g. `CREATE TABLE` or `INSERT 0 3`.
    Command(String),
    /// Rows, then a tag with their count.
    Rows(RowSet),
}

/// Everything one statement sends back.
#[derive(Debug)]
pub struct Outcome {
    /// Notices and warnings, in order.
    pub notices: Vec<Notice>,
    /// ParameterStatus messages for reported settings that changed.
    pub parameters: Vec<(String, String)>,
    /// The result.
    pub result: StatementResult,
}

impl Outcome {
    /// A command result without notices.
    pub fn command(tag: impl Into<String>) -> Self {
        Outcome { notices: Vec::new(), parameters: Vec::new(), result: StatementResult::Command(tag.into()) }
    }

    /// A row result without notices.
    pub fn rows(rows: RowSet) -> Self {
        Outcome { notices: Vec::new(), parameters: Vec::new(), result: StatementResult::Rows(rows) }
    }
}
