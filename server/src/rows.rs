//! Rows for the wire in the formats the client asked for.

use datafusion::arrow::record_batch::RecordBatch;
use pgwire::api::results::FieldFormat;
use pgwire::messages::data::DataRow;
use shale_catalog::CatalogError;

use crate::encode::PgColumnType;

/// Encodes `batch` as DataRows, column `i` as `types[i]` in `formats[i]`.
pub fn encode_batch(batch: &RecordBatch, types: &[PgColumnType], formats: &[FieldFormat]) -> Result<Vec<DataRow>, CatalogError> {
    crate::encode::encode_batch(batch, types, formats).map_err(|e| CatalogError::new(e.sqlstate(), e.to_string()))
}
