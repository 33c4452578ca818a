//! What a value must satisfy to be stored in a column: NOT NULL, declared lengths, the
//! rounding of timestamps and negative-scale numerics to their precision, and the
//! canonical forms of uuid, json and jsonb (also as array elements), with PostgreSQL's
//! errors.

use datafusion::arrow::datatypes::i256;
use shale_storage::{Datum, DatumRef, Kind, decode_array, encode_array};

use crate::descriptor::{ColumnDesc, TableDesc};
use crate::numeric::Special;
use crate::numeric::special::infinite_overflow;
use crate::error::{CatalogError, Result, sqlstate};
use crate::types::{SqlType, round_micros};

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
            let rounded = crate::numeric::round_to_scale(i256::from_le_bytes(*v), *p, *s)?;
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
                return Err(infinite_overflow(i32::from(*p), i32::from(*s)));
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

/// The stored text of a uuid, json or jsonb value (22P02 when it is not one); other text
/// as is.
pub fn canonical_text(ty: &SqlType, text: &str) -> Result<String> {
    Ok(match ty {
        SqlType::Uuid => canonical_uuid(text)?,
        SqlType::Json => {
            crate::jsonb::validate(text, "json")?;
            text.to_string()
        }
        SqlType::Jsonb => crate::jsonb::canonical(text)?,
        _ => text.to_string(),
    })
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
        return Err(e);
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

/// Enforces `varchar(n)` / `char(n)`: longer values are an error unless the excess is only
/// spaces (which are cut); `char(n)` is padded with spaces to `n`.
fn fit_length(text: String, n: u32, type_name: &str, pad: bool) -> Result<String> {
    if text.chars().skip(n as usize).any(|c| c != ' ') {
        return Err(CatalogError::new(
            sqlstate::STRING_TOO_LONG,
            format!("value too long for type {type_name}({n})"),
        ));
    }
    Ok(cast_length(&text, n, pad))
}

/// An explicit cast to `character(n)` (`pad`) or `character varying(n)`: cut to `n`
/// characters, padded with spaces to `n` for character.
pub fn cast_length(text: &str, n: u32, pad: bool) -> String {
    let mut out: String = text.chars().take(n as usize).collect();
    let len = out.chars().count();
    if pad && len < n as usize {
        out.extend(std::iter::repeat_n(' ', n as usize - len));
    }
    out
}

fn canonical_uuid(text: &str) -> Result<String> {
    uuid::Uuid::try_parse(text.trim())
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| {
            CatalogError::new(
                sqlstate::INVALID_TEXT,
                format!("invalid input syntax for type uuid: \"{text}\""),
            )
        })
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_follow_postgres() {
        assert_eq!(fit_length("ab".into(), 3, "character", true).unwrap(), "ab ");
        assert_eq!(fit_length("abc  ".into(), 3, "character varying", false).unwrap(), "abc");
        let e = fit_length("abcd".into(), 3, "character varying", false).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22001", "value too long for type character varying(3)"));
    }

    #[test]
    fn timestamps_round_half_away_from_zero_to_their_precision() {
        assert_eq!(round_micros(1_234_567, 3), 1_235_000);
        assert_eq!(round_micros(1_234_499, 3), 1_234_000);
        assert_eq!(round_micros(-1_234_500, 3), -1_235_000);
        assert_eq!(round_micros(1_500_000, 0), 2_000_000);
        assert_eq!(round_micros(i64::MAX, 0), i64::MAX, "infinity stays");
        assert_eq!(round_micros(1_234_567, 6), 1_234_567);
    }

    #[test]
    fn casts_cut_and_pad() {
        assert_eq!(cast_length("abcdef", 3, false), "abc");
        assert_eq!(cast_length("ab", 4, true), "ab  ");
        assert_eq!(cast_length("héllo", 2, true), "hé");
    }

    #[test]
    fn uuid_is_canonical() {
        assert_eq!(
            canonical_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11").unwrap(),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
        assert_eq!(canonical_uuid("nope").unwrap_err().code, "22P02");
    }
}
