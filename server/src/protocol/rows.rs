//! Rows for the wire in the formats the client asked for.

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::UInt32Type;
use datafusion::arrow::record_batch::RecordBatch;
use pgwire::api::Type;
use pgwire::api::results::FieldFormat;
use pgwire::messages::data::DataRow;
use shale_catalog::sysfuncs::reg::{RegKind, reg_names};
use shale_catalog::{CatalogError, SessionHandle};

use crate::encode::PgColumnType;

/// Encodes `batch` as DataRows, column `i` as `types[i]` in `formats[i]`. Object
/// identifier types (`regclass`, ...) are sent in text as the names of their objects, as
/// the session sees the catalog.
pub fn encode_batch(
    handle: &SessionHandle,
    batch: &RecordBatch,
    types: &[PgColumnType],
    formats: &[FieldFormat],
) -> Result<Vec<DataRow>, CatalogError> {
    let batch = with_reg_names(handle, batch, types, formats)?;
    crate::encode::encode_batch(&batch, types, formats).map_err(|e| CatalogError::new(e.sqlstate(), e.to_string()))
}

/// The `RegKind` a column of type `ty` holds, if it is an object identifier type.
fn reg_kind(ty: &Type) -> Option<RegKind> {
    match *ty {
        Type::REGCLASS => Some(RegKind::Class),
        Type::REGTYPE => Some(RegKind::Type),
        Type::REGPROC => Some(RegKind::Proc),
        Type::REGNAMESPACE => Some(RegKind::Namespace),
        Type::REGROLE => Some(RegKind::Role),
        _ => None,
    }
}

/// `batch` with its text-format object identifier columns replaced by their names.
fn with_reg_names<'b>(
    handle: &SessionHandle,
    batch: &'b RecordBatch,
    types: &[PgColumnType],
    formats: &[FieldFormat],
) -> Result<Cow<'b, RecordBatch>, CatalogError> {
    let text = |i: usize| formats.get(i).is_none_or(|f| *f == FieldFormat::Text);
    let reg_columns: Vec<(usize, RegKind)> =
        types.iter().enumerate().filter_map(|(i, t)| Some((i, reg_kind(&t.ty)?))).filter(|(i, _)| text(*i)).collect();
    if reg_columns.is_empty() {
        return Ok(Cow::Borrowed(batch));
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    for (i, kind) in reg_columns {
        let Some(oids) = columns.get(i).and_then(|c| c.as_primitive_opt::<UInt32Type>()) else { continue };
        let oids: Vec<Option<u32>> = (0..oids.len()).map(|row| oids.is_valid(row).then(|| oids.value(row))).collect();
        let names = reg_names(handle, kind, &oids)?;
        columns[i] = Arc::new(StringArray::from(names));
    }
    // The columns no longer match the schema's types; the encoder goes by the arrays.
    let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(
        batch
            .schema()
            .fields()
            .iter()
            .zip(&columns)
            .map(|(f, c)| f.as_ref().clone().with_data_type(c.data_type().clone()))
            .collect::<Vec<_>>(),
    ));
    RecordBatch::try_new(schema, columns).map(Cow::Owned).map_err(|e| CatalogError::internal(e.to_string()))
}
