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
use shale_storage::{Datum, decode_array, encode_array};

use crate::access::convert::StorageKind;
use crate::access::text::row_text;
use crate::descriptor::{ColumnDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};

/// Checks `value` against column `col` of `table` and returns the value to store.
pub fn check(table: &TableDesc, col: &ColumnDesc, value: Datum) -> Result<Datum> {
    match value {
        Datum::Null if col.not_null => Err(not_null(table, col)),
        value => check_value(&col.ty, value),
    }
}

/// Checks `value` as a value of type `ty` (an array's elements as values of its element
/// type) and returns the value to store: rounded to the type's precision, cut or padded to
/// its length, in its canonical text.
fn check_value(ty: &SqlType, value: Datum) -> Result<Datum> {
    match (ty, &value) {
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
        Datum::Array(elements) => return checked_elements(ty, elements),
        other => return Ok(other),
    };
    let text = match ty {
        SqlType::Varchar(Some(n)) => fit_length(text, *n, "character varying", false)?,
        SqlType::Char(n) => fit_length(text, *n, "character", true)?,
        SqlType::Name => shale_pgtypes::text::name::truncated(text),
        ty => canonical_text(ty, &text)?,
    };
    Ok(Datum::Text(text))
}

/// An encoded array with each element checked as a value of the element type
/// ([`check_value`]: a uuid in canonical form, a `varchar(n)` no longer than n, ...).
fn checked_elements(ty: &SqlType, elements: Vec<u8>) -> Result<Datum> {
    let Some(element) = ty.element() else { return Ok(Datum::Array(elements)) };
    let mut values = Vec::new();
    decode_array(&elements, element.kind(), |value| values.push(value.map_or(Datum::Null, |v| v.to_owned())))?;
    let checked = values.into_iter().map(|v| check_value(element, v)).collect::<Result<Vec<_>>>()?;
    let refs: Vec<_> = checked.iter().map(Datum::as_ref).collect();
    let mut out = Vec::new();
    encode_array(&refs, &mut out)?;
    Ok(Datum::Array(out))
}

/// Checks the values of a row of `table` (`slots`: one per column, the dropped ones'
/// ignored) with [`check`] and returns the values to store. A NULL in a NOT NULL column is
/// 23502 with PostgreSQL's DETAIL, the row as it would be stored ("Failing row contains (1,
/// null)."); as in PostgreSQL, the row's other values are checked first.
pub fn check_row(table: &TableDesc, mut slots: Vec<Datum>) -> Result<Vec<Datum>> {
    if slots.len() != table.columns.len() {
        let (values, columns) = (slots.len(), table.columns.len());
        return Err(CatalogError::internal(format!("a row of {values} values for the {columns} columns of \"{}\"", table.name)));
    }
    let mut null_in = None;
    for (slot, col) in table.visible() {
        let value = std::mem::replace(&mut slots[slot], Datum::Null);
        match value {
            Datum::Null if col.not_null => {
                null_in.get_or_insert(col);
            }
            value => slots[slot] = check(table, col, value)?,
        }
    }
    match null_in {
        Some(col) => {
            let values: Vec<Datum> = table.visible().map(|(slot, _)| slots[slot].clone()).collect();
            Err(not_null(table, col).with_detail(format!("Failing row contains ({}).", row_text(table, &values))))
        }
        None => Ok(slots),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `nn (id int4 NOT NULL, note text NOT NULL, <dropped>, code varchar(2))`.
    fn table() -> TableDesc {
        let mut table: TableDesc =
            serde_json::from_str(r#"{"id":1,"schema_id":1,"name":"nn","columns":[],"primary_key":[]}"#).expect("table");
        let column = |name: &str, ty: SqlType, not_null: bool, dropped: bool| ColumnDesc { not_null, dropped, ..ColumnDesc::new(name, ty) };
        table.columns = vec![
            column("id", SqlType::Int4, true, false),
            column("note", SqlType::Text, true, false),
            column("gone", SqlType::Int4, true, true),
            column("code", SqlType::Varchar(Some(2)), false, false),
        ];
        table
    }

    #[test]
    fn a_null_in_a_not_null_column_is_23502_with_the_failing_row() {
        let table = table();
        let row = |note: Datum, code: &str| vec![Datum::Int32(1), note, Datum::Null, Datum::Text(code.into())];
        let e = check_row(&table, row(Datum::Null, "ab")).expect_err("a NULL note");
        assert_eq!(
            (e.code, e.message.as_str(), e.detail.as_deref()),
            ("23502", "null value in column \"note\" of relation \"nn\" violates not-null constraint", Some("Failing row contains (1, null, ab)."))
        );
        // The row's other values are checked first, as PostgreSQL computes them first.
        assert_eq!(check_row(&table, row(Datum::Null, "abc")).expect_err("too long").code, "22001");
        let stored = check_row(&table, row(Datum::Text("n".into()), "ab")).expect("a whole row");
        assert_eq!(stored, row(Datum::Text("n".into()), "ab"));
        assert_eq!(check_row(&table, vec![Datum::Null]).expect_err("too short").code, "XX000");
    }
}
