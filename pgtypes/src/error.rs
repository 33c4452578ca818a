//! PostgreSQL's error (SQLSTATE, message, detail, hint) and the named SQLSTATE codes.
//!
//! Every error that can reach a client carries a SQLSTATE. Errors that pass through
//! DataFusion travel as `DataFusionError::External(PgError)` and are recovered by
//! [`PgError::from_datafusion`], which also classifies DataFusion's own errors (casts,
//! division by zero, unknown names) into PostgreSQL's codes (`error_map.rs`). The catalog's
//! error converts to and from this one.

use datafusion::error::DataFusionError;

/// A user-facing error: PostgreSQL SQLSTATE, message and optional detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PgError {
    /// Five-character SQLSTATE, e.g. `23505`.
    pub code: &'static str,
    /// The primary message, in PostgreSQL's wording where one exists.
    pub message: String,
    /// Optional DETAIL line.
    pub detail: Option<String>,
    /// Optional HINT line.
    pub hint: Option<String>,
    /// Severity: `ERROR` unless set otherwise.
    pub severity: &'static str,
}

/// Result alias for this crate.
pub type Result<T, E = PgError> = std::result::Result<T, E>;

/// Named SQLSTATE codes used across Shale.
pub mod sqlstate {
    /// protocol_violation
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    /// unique_violation
    pub const UNIQUE_VIOLATION: &str = "23505";
    /// not_null_violation
    pub const NOT_NULL_VIOLATION: &str = "23502";
    /// numeric_value_out_of_range
    pub const OUT_OF_RANGE: &str = "22003";
    /// invalid_text_representation
    pub const INVALID_TEXT: &str = "22P02";
    /// string_data_right_truncation
    pub const STRING_TOO_LONG: &str = "22001";
    /// division_by_zero
    pub const DIVISION_BY_ZERO: &str = "22012";
    /// datetime_field_overflow / invalid datetime format
    pub const INVALID_DATETIME: &str = "22007";
    /// undefined_table
    pub const UNDEFINED_TABLE: &str = "42P01";
    /// undefined_column
    pub const UNDEFINED_COLUMN: &str = "42703";
    /// invalid_column_reference
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    /// undefined_function
    pub const UNDEFINED_FUNCTION: &str = "42883";
    /// undefined_object (e.g. unknown type)
    pub const UNDEFINED_OBJECT: &str = "42704";
    /// invalid_schema_name
    pub const UNDEFINED_SCHEMA: &str = "3F000";
    /// invalid_catalog_name (a database that does not exist)
    pub const UNDEFINED_DATABASE: &str = "3D000";
    /// duplicate_database
    pub const DUPLICATE_DATABASE: &str = "42P04";
    /// object_in_use (DROP DATABASE of a database in use)
    pub const OBJECT_IN_USE: &str = "55006";
    /// wrong_object_type
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    /// syntax_error
    pub const SYNTAX_ERROR: &str = "42601";
    /// duplicate_table
    pub const DUPLICATE_TABLE: &str = "42P07";
    /// duplicate_schema
    pub const DUPLICATE_SCHEMA: &str = "42P06";
    /// duplicate_column
    pub const DUPLICATE_COLUMN: &str = "42701";
    /// duplicate_alias: a table name given twice in one FROM list.
    pub const DUPLICATE_ALIAS: &str = "42712";
    /// datatype_mismatch
    pub const DATATYPE_MISMATCH: &str = "42804";
    /// invalid_table_definition
    pub const INVALID_TABLE_DEFINITION: &str = "42P16";
    /// dependent_objects_still_exist
    pub const DEPENDENT_OBJECTS: &str = "2BP01";
    /// feature_not_supported
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    /// serialization_failure
    pub const SERIALIZATION_FAILURE: &str = "40001";
    /// invalid_parameter_value
    pub const INVALID_PARAMETER: &str = "22023";
    /// undefined parameter (unrecognized configuration parameter)
    pub const UNDEFINED_PARAMETER: &str = "42704";
    /// in_failed_sql_transaction
    pub const IN_FAILED_TRANSACTION: &str = "25P02";
    /// active_sql_transaction
    pub const ACTIVE_SQL_TRANSACTION: &str = "25001";
    /// no_active_sql_transaction
    pub const NO_ACTIVE_SQL_TRANSACTION: &str = "25P01";
    /// read_only_sql_transaction
    pub const READ_ONLY_SQL_TRANSACTION: &str = "25006";
    /// invalid_savepoint_specification
    pub const INVALID_SAVEPOINT: &str = "3B001";
    /// deadlock_detected
    pub const DEADLOCK_DETECTED: &str = "40P01";
    /// lock_not_available
    pub const LOCK_NOT_AVAILABLE: &str = "55P03";
    /// program_limit_exceeded
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    /// statement_too_complex (PostgreSQL's "stack depth limit exceeded")
    pub const STATEMENT_TOO_COMPLEX: &str = "54001";
    /// too_many_columns
    pub const TOO_MANY_COLUMNS: &str = "54011";
    /// internal_error
    pub const INTERNAL: &str = "XX000";
    /// data_corrupted
    pub const DATA_CORRUPTED: &str = "XX001";
    /// query_canceled
    pub const QUERY_CANCELED: &str = "57014";
}

impl PgError {
    /// An error with the given SQLSTATE and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        PgError { code, message: message.into(), detail: None, hint: None, severity: "ERROR" }
    }

    /// Adds a DETAIL line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The error with a HINT line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// 0A000: a feature Shale does not support (yet).
    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        Self::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("{what} is not supported"))
    }

    /// XX000: an internal failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(sqlstate::INTERNAL, message)
    }

    /// 42P01 `relation "name" does not exist`.
    pub fn undefined_table(name: &str) -> Self {
        Self::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{name}\" does not exist"))
    }

    /// 3F000 `schema "name" does not exist`.
    pub fn undefined_schema(name: &str) -> Self {
        Self::new(sqlstate::UNDEFINED_SCHEMA, format!("schema \"{name}\" does not exist"))
    }

    /// Wraps this error so it can travel through DataFusion.
    pub fn into_datafusion(self) -> DataFusionError {
        DataFusionError::External(Box::new(self))
    }

    /// Recovers a [`PgError`] from a DataFusion error, classifying DataFusion's own
    /// errors by PostgreSQL's SQLSTATE.
    pub fn from_datafusion(err: DataFusionError) -> Self {
        match err {
            DataFusionError::External(inner) => match inner.downcast::<PgError>() {
                Ok(e) => *e,
                Err(other) => match other.downcast::<DataFusionError>() {
                    Ok(df) => Self::from_datafusion(*df),
                    // Another library's error (the regex crate's, ...): classified by its text.
                    Err(other) => crate::error_map::classify(&other.to_string()),
                },
            },
            DataFusionError::Diagnostic(diagnostic, inner) => match diagnostic.message.strip_prefix("- cannot be used with ") {
                // Unary minus of a type without one (a date).
                Some(ty) => Self::new(
                    sqlstate::UNDEFINED_FUNCTION,
                    format!("operator does not exist: - {}", crate::error_map::type_name(ty)),
                )
                .with_hint("No operator matches the given name and argument type. You might need to add an explicit type cast."),
                None => Self::from_datafusion(*inner),
            },
            DataFusionError::Context(_, inner) => Self::from_datafusion(*inner),
            DataFusionError::Shared(inner) => match std::sync::Arc::try_unwrap(inner) {
                Ok(e) => Self::from_datafusion(e),
                Err(shared) => crate::error_map::classify(&shared.to_string()),
            },
            DataFusionError::SQL(e, _) => Self::new(sqlstate::SYNTAX_ERROR, e.to_string()),
            DataFusionError::NotImplemented(m) => {
                Self::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("not supported: {m}"))
            }
            DataFusionError::ResourcesExhausted(m) => Self::new("53200", m),
            DataFusionError::ArrowError(e, _) => crate::error_map::classify(&e.to_string()),
            other => crate::error_map::classify(&other.to_string()),
        }
    }
}

impl From<DataFusionError> for PgError {
    fn from(e: DataFusionError) -> Self {
        Self::from_datafusion(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for PgError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        crate::error_map::classify(&e.to_string())
    }
}

impl From<PgError> for DataFusionError {
    fn from(e: PgError) -> Self {
        e.into_datafusion()
    }
}
