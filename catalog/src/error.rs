//! The catalog's error type: a PostgreSQL error (SQLSTATE, message, detail, hint) raised by
//! the catalog, by table access or by storage. It wraps [`PgError`], the error of
//! PostgreSQL's types and functions, which is the one that travels through DataFusion and
//! whose mapping of DataFusion's own errors to SQLSTATEs this uses; what it adds is the
//! SQLSTATEs of storage's errors (serialization failures, deadlocks, lock timeouts).

use datafusion::error::DataFusionError;
use shale_pgtypes::PgError;

pub use shale_pgtypes::sqlstate;

/// A user-facing error: PostgreSQL's error ([`PgError`]: SQLSTATE, message, detail, hint)
/// raised by the catalog, table access or storage. Its fields are read through `PgError`'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct CatalogError(PgError);

impl std::ops::Deref for CatalogError {
    type Target = PgError;

    fn deref(&self) -> &PgError {
        &self.0
    }
}

impl std::ops::DerefMut for CatalogError {
    fn deref_mut(&mut self) -> &mut PgError {
        &mut self.0
    }
}

/// Result alias for the catalog crate.
pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

impl CatalogError {
    /// An error with the given SQLSTATE and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self(PgError::new(code, message))
    }

    /// Adds a DETAIL line.
    pub fn with_detail(self, detail: impl Into<String>) -> Self {
        Self(self.0.with_detail(detail))
    }

    /// The error with a HINT line.
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        Self(self.0.with_hint(hint))
    }

    /// 0A000: a feature Shale does not support (yet).
    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        PgError::unsupported(what).into()
    }

    /// XX000: an internal failure.
    pub fn internal(message: impl Into<String>) -> Self {
        PgError::internal(message).into()
    }

    /// 42P01 `relation "name" does not exist`.
    pub fn undefined_table(name: &str) -> Self {
        Self::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{name}\" does not exist"))
    }

    /// 3F000 `schema "name" does not exist`.
    pub fn undefined_schema(name: &str) -> Self {
        Self::new(sqlstate::UNDEFINED_SCHEMA, format!("schema \"{name}\" does not exist"))
    }

    /// Wraps this error so it can travel through DataFusion (as a [`PgError`]).
    pub fn into_datafusion(self) -> DataFusionError {
        PgError::from(self).into_datafusion()
    }

    /// Recovers the error from a DataFusion error, classifying DataFusion's own errors by
    /// PostgreSQL's SQLSTATE ([`PgError::from_datafusion`]).
    pub fn from_datafusion(err: DataFusionError) -> Self {
        PgError::from_datafusion(err).into()
    }
}

impl From<PgError> for CatalogError {
    fn from(e: PgError) -> Self {
        Self(e)
    }
}

impl From<CatalogError> for PgError {
    fn from(e: CatalogError) -> Self {
        e.0
    }
}

impl From<shale_storage::Error> for CatalogError {
    fn from(e: shale_storage::Error) -> Self {
        match e {
            shale_storage::Error::Conflict(m) => Self::new(
                sqlstate::SERIALIZATION_FAILURE,
                "could not serialize access due to concurrent update",
            )
            .with_detail(m),
            shale_storage::Error::Deadlock(m) => Self::new(sqlstate::DEADLOCK_DETECTED, "deadlock detected").with_detail(m),
            shale_storage::Error::LockTimeout(m) => {
                Self::new(sqlstate::LOCK_NOT_AVAILABLE, "canceling statement due to lock timeout").with_detail(m)
            }
            shale_storage::Error::Interrupted(m) => Self::new(sqlstate::QUERY_CANCELED, m),
            shale_storage::Error::Corrupt(m) => Self::new(sqlstate::DATA_CORRUPTED, m),
            shale_storage::Error::TooLarge(m) => Self::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, "row is too big").with_detail(m),
            other => Self::internal(other.to_string()),
        }
    }
}

impl From<DataFusionError> for CatalogError {
    fn from(e: DataFusionError) -> Self {
        Self::from_datafusion(e)
    }
}

impl From<datafusion::arrow::error::ArrowError> for CatalogError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        PgError::from(e).into()
    }
}

impl From<CatalogError> for DataFusionError {
    fn from(e: CatalogError) -> Self {
        e.into_datafusion()
    }
}
