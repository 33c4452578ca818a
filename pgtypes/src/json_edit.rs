//! jsonb's `||` and `-`: values built from the parts of others (read by `crate::json_scan`)
//! and written in jsonb's canonical text (`crate::jsonb`), which also keeps the last of
//! duplicate keys, as `||` of two objects wants.

use crate::error::{PgError, Result, sqlstate};
use crate::json_scan::{Shape, shape};

/// `a || b`: two objects merge (`b`'s members win); anything else concatenates as arrays,
/// a value that is not an array counting as an array of itself.
pub fn concat(a: &str, b: &str) -> Result<String> {
    let (sa, sb) = (parsed(a)?, parsed(b)?);
    match (&sa, &sb) {
        (Shape::Object(x), Shape::Object(y)) => object(x.iter().chain(y.iter())),
        _ => array(elements(&sa, a).into_iter().chain(elements(&sb, b))),
    }
}

/// `doc - key`: an object without its members `key`, an array without its string elements
/// equal to `key`.
pub fn delete_key(doc: &str, key: &str) -> Result<String> {
    delete_keys(doc, &[key])
}

/// `doc - keys` (`text[]`): [`delete_key`] of each.
pub fn delete_keys(doc: &str, keys: &[&str]) -> Result<String> {
    match parsed(doc)? {
        Shape::Object(members) => object(members.iter().filter(|(k, _)| !keys.contains(&k.as_str()))),
        Shape::Array(items) => array(items.into_iter().filter(|e| !matches!(shape(e), Some(Shape::String(s)) if keys.contains(&s.as_str())))),
        _ => Err(scalar()),
    }
}

/// `doc - index`: an array without its element `index` (negative: from the end; none
/// there: the array as it is).
pub fn delete_index(doc: &str, index: i64) -> Result<String> {
    match parsed(doc)? {
        Shape::Array(items) => {
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let position = if index < 0 { len + index } else { index };
            array(items.into_iter().enumerate().filter(|(i, _)| i64::try_from(*i).ok() != Some(position)).map(|(_, e)| e))
        }
        Shape::Object(_) => Err(PgError::new(sqlstate::INVALID_PARAMETER, "cannot delete from object using integer index")),
        _ => Err(scalar()),
    }
}

fn scalar() -> PgError {
    PgError::new(sqlstate::INVALID_PARAMETER, "cannot delete from scalar")
}

fn parsed(text: &str) -> Result<Shape<'_>> {
    shape(text).ok_or_else(|| PgError::new(sqlstate::INVALID_TEXT, "invalid input syntax for type json"))
}

/// The elements of an array, or the value itself.
fn elements<'a>(parsed: &Shape<'a>, text: &'a str) -> Vec<&'a str> {
    match parsed {
        Shape::Array(items) => items.clone(),
        _ => vec![text.trim()],
    }
}

pub(crate) fn object<'a>(members: impl Iterator<Item = &'a (String, &'a str)>) -> Result<String> {
    let parts: Vec<String> = members
        .map(|(k, v)| Ok(format!("{}: {v}", serde_json::to_string(k).map_err(|e| PgError::internal(e.to_string()))?)))
        .collect::<Result<_>>()?;
    crate::jsonb::canonical(&format!("{{{}}}", parts.join(", ")))
}

pub(crate) fn array<'a>(items: impl Iterator<Item = &'a str>) -> Result<String> {
    crate::jsonb::canonical(&format!("[{}]", items.collect::<Vec<_>>().join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenation_and_deletion_as_postgresql() {
        assert_eq!(concat(r#"{"a": 1, "b": 1}"#, r#"{"b": 2}"#).as_deref(), Ok(r#"{"a": 1, "b": 2}"#));
        assert_eq!(concat("[1]", "2").as_deref(), Ok("[1, 2]"));
        assert_eq!(concat(r#"{"a": 1}"#, "[1]").as_deref(), Ok(r#"[{"a": 1}, 1]"#));
        assert_eq!(concat("1", "2").as_deref(), Ok("[1, 2]"));
        assert_eq!(delete_key(r#"["a", "b", 1]"#, "a").as_deref(), Ok(r#"["b", 1]"#));
        assert_eq!(delete_keys(r#"{"a": 1, "b": 2, "c": 3}"#, &["a", "c"]).as_deref(), Ok(r#"{"b": 2}"#));
        assert_eq!(delete_index("[1, 2, 3]", -1).as_deref(), Ok("[1, 2]"));
        assert_eq!(delete_index("[1, 2, 3]", 7).as_deref(), Ok("[1, 2, 3]"));
        assert_eq!(delete_index(r#"{"a": 1}"#, 0).map_err(|e| e.code), Err(sqlstate::INVALID_PARAMETER));
    }
}
