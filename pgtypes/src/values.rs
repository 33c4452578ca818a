//! The text forms a value of a character, uuid, json or jsonb type is stored in: declared
//! lengths (`varchar(n)`, `char(n)`) and the canonical forms of uuid, json and jsonb, with
//! PostgreSQL's errors.

use crate::error::{PgError, Result, sqlstate};
use crate::types::SqlType;

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

/// Enforces `varchar(n)` / `char(n)`: longer values are an error unless the excess is only
/// spaces (which are cut); `char(n)` is padded with spaces to `n`.
pub fn fit_length(text: String, n: u32, type_name: &str, pad: bool) -> Result<String> {
    if text.chars().skip(n as usize).any(|c| c != ' ') {
        return Err(PgError::new(
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
            PgError::new(
                sqlstate::INVALID_TEXT,
                format!("invalid input syntax for type uuid: \"{text}\""),
            )
        })
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::round_micros;

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
