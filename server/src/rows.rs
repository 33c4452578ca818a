//! Rows for the wire in the formats the client asked for.

use datafusion::arrow::record_batch::RecordBatch;
use pgwire::api::results::FieldFormat;
use pgwire::messages::data::DataRow;
use shale_catalog::CatalogError;

use crate::encode::{PgColumnType, encode_batch_text};

/// Encodes `batch` as DataRows, column `i` as `types[i]` in `formats[i]`. Binary results
/// are not implemented yet (the extended-protocol issue): they are refused, not faked.
pub fn encode_batch(batch: &RecordBatch, types: &[PgColumnType], formats: &[FieldFormat]) -> Result<Vec<DataRow>, CatalogError> {
    if formats.contains(&FieldFormat::Binary) {
        return Err(CatalogError::unsupported("binary result format"));
    }
    encode_batch_text(batch, types).map_err(|e| CatalogError::new(e.sqlstate(), e.to_string()))
}
