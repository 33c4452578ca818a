//! What a value must satisfy to be stored in a column: NOT NULL, declared lengths, the
//! rounding of timestamps and negative-scale numerics to their precision, and the
//! canonical forms of uuid, json and jsonb (also as array elements), with PostgreSQL's
//! errors. The value-level rules are `shale_pgtypes::values`; this applies them to a
//! table's column and to stored datums.

use datafusion::arrow::datatypes::i256;
use shale_pgtypes::numeric::Special;
use shale_pgtypes::numeric::special::infinite_overflow;
use shale_pgtypes::types::{SqlType, round_micros};
use shale_pgtypes::values::{canonical_text, fit_length};
use shale_storage::{Datum, DatumRef, Kind, decode_array, encode_array};

use crate::descriptor::{ColumnDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};

/// Checks `value` against column `col` of `table` and returns the value to store.
pub fn check(table: &TableDesc, col: &ColumnDesc, value: Datum) -> Result<Datum> {
    match (&col.ty, &value) {
        (SqlType::Timestamp(Some(p)) | SqlType::Timestamptz(Some(p)), Datum::Timestamp(v)) => {
            return Ok(Datum::Timestamp(round_micros(*v, *p)));
        }
        (SqlType::Time(Some(p)), Datum::Time64(v)) => {
            return Ok(Datum::Time64(round_micros(*v, *p)));
        }
        (SqlType::Numeric(Some((p, s))), Datum::Decimal256(v)) if *s < 0 => {
            let rounded = shale_pgtypes::numeric::round_to_scale(i256::from_le_bytes(*v), *p, *s)?;
            return Ok(Datum::Decimal256(rounded.to_le_bytes()));
        }
        // numeric(p, s) takes NaN but not an infinity.
        (SqlType::Numeric(Some((p, s))), Datum::Decimal128(_) | Datum::Decimal256(_)) => {
            let special = match &value {
                Datum::Decimal128(v) => Special::of128(*v),
                Datum::Decimal256(v) => Special::of256(i256::from_le_bytes(*v)),
                _ => None,
            };
            if special.is_some_and(|s| s != Special::NaN) {
                return Err(infinite_overflow(i32::from(*p), i32::from(*s)).into());
            }
        }
        _ => {}
    }
    let text = match value {
        Datum::Text(text) => text,
        Datum::Array(elements) => return canonical_elements(&col.ty, elements),
        Datum::Null if col.not_null => return Err(not_null(table, col)),
        other => return Ok(other),
    };
    let text = match &col.ty {
        SqlType::Varchar(Some(n)) => fit_length(text, *n, "character varying", false)?,
        SqlType::Char(n) => fit_length(text, *n, "character", true)?,
        ty => canonical_text(ty, &text)?,
    };
    Ok(Datum::Text(text))
}

/// An encoded array of uuids with every element in canonical form (22P02 when one is not
/// a uuid); other arrays as they are.
fn canonical_elements(ty: &SqlType, elements: Vec<u8>) -> Result<Datum> {
    let Some(element @ SqlType::Uuid) = ty.element() else { return Ok(Datum::Array(elements)) };
    let mut texts = Vec::new();
    let mut failure = None;
    decode_array(&elements, Kind::Text, |value| match value {
        Some(DatumRef::Text(text)) => match canonical_text(element, text) {
            Ok(text) => texts.push(Datum::Text(text)),
            Err(e) => {
                failure.get_or_insert(e);
            }
        },
        _ => texts.push(Datum::Null),
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let refs: Vec<_> = texts.iter().map(Datum::as_ref).collect();
    let mut out = Vec::new();
    encode_array(&refs, &mut out)?;
    Ok(Datum::Array(out))
}

/// 23502 for a NULL in a NOT NULL column.
pub fn not_null(table: &TableDesc, col: &ColumnDesc) -> CatalogError {
    CatalogError::new(
        sqlstate::NOT_NULL_VIOLATION,
        format!(
            "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
            col.name, table.name
        ),
    )
}
