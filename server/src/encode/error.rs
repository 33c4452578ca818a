//! Errors of the encoder.

use datafusion::arrow::datatypes::DataType;

/// Why a value could not be encoded for the wire.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The Arrow type has no PostgreSQL text encoding here.
    #[error("unsupported arrow type for pg text output: type={0}")]
    Unsupported(DataType),
    /// An array did not downcast to the layout its data type promises.
    #[error("array does not match its data type: type={0}")]
    Downcast(DataType),
    /// The batch and the column types disagree on the number of columns.
    #[error("column count mismatch: columns={columns} types={types}")]
    ColumnCount {
        /// Columns in the batch.
        columns: usize,
        /// Column types given.
        types: usize,
    },
    /// More columns than a DataRow can carry (i16).
    #[error("too many columns for a data row: columns={0}")]
    TooManyColumns(usize),
    /// A value longer than a DataRow field can carry (i32).
    #[error("value too long for a data row field: bytes={0}")]
    ValueTooLong(usize),
    /// Writing formatted text into the buffer failed.
    #[error("formatting a value failed")]
    Format(#[from] std::fmt::Error),
}

impl EncodeError {
    /// The SQLSTATE to report: 0A000 (feature_not_supported) for an unsupported
    /// type, XX000 (internal_error) otherwise.
    pub fn sqlstate(&self) -> &'static str {
        match self {
            EncodeError::Unsupported(_) => "0A000",
            _ => "XX000",
        }
    }
}
