//! Reading JSON text one level at a time, for the json and jsonb operators: an object's
//! members and an array's elements as slices of the text, as written (`json` keeps its
//! input's spacing, so `->` gives back a member exactly as it was written), and jsonb's
//! containment.
//!
//! The text has been checked on input (`crate::jsonb`), so the scanner only finds where
//! each value ends: it keeps a depth count, not a stack, and never recurses.

/// A JSON value split at its top level.
#[derive(Debug, PartialEq)]
pub enum Shape<'a> {
    /// Members in order, keys unescaped, values as written.
    Object(Vec<(String, &'a str)>),
    /// Elements in order, as written.
    Array(Vec<&'a str>),
    /// A string, unescaped.
    String(String),
    /// A number, `true`, `false` or `null`, as written.
    Scalar(&'a str),
}

/// The top level of the JSON value `text`; `None` when it is not JSON.
pub fn shape(text: &str) -> Option<Shape<'_>> {
    let s = text.as_bytes();
    let start = skip_ws(s, 0);
    match s.get(start)? {
        b'{' => {
            let mut members = Vec::new();
            let mut i = skip_ws(s, start + 1);
            if s.get(i) == Some(&b'}') {
                return Some(Shape::Object(members));
            }
            loop {
                let key_end = string_end(s, i)?;
                let key = serde_json::from_str::<String>(&text[i..key_end]).ok()?;
                i = skip_ws(s, key_end);
                if s.get(i) != Some(&b':') {
                    return None;
                }
                let value_start = skip_ws(s, i + 1);
                let value_end = value_end(s, value_start)?;
                members.push((key, &text[value_start..value_end]));
                i = skip_ws(s, value_end);
                match s.get(i)? {
                    b',' => i = skip_ws(s, i + 1),
                    b'}' => return Some(Shape::Object(members)),
                    _ => return None,
                }
            }
        }
        b'[' => {
            let mut elements = Vec::new();
            let mut i = skip_ws(s, start + 1);
            if s.get(i) == Some(&b']') {
                return Some(Shape::Array(elements));
            }
            loop {
                let end = value_end(s, i)?;
                elements.push(&text[i..end]);
                i = skip_ws(s, end);
                match s.get(i)? {
                    b',' => i = skip_ws(s, i + 1),
                    b']' => return Some(Shape::Array(elements)),
                    _ => return None,
                }
            }
        }
        b'"' => {
            let end = string_end(s, start)?;
            serde_json::from_str::<String>(&text[start..end]).ok().map(Shape::String)
        }
        _ => {
            let end = value_end(s, start)?;
            Some(Shape::Scalar(&text[start..end]))
        }
    }
}

/// The member `key` of an object (the last one so named, as PostgreSQL's json `->` finds
/// it), or the element `key` of an array (negative: from the end).
pub fn get<'a>(text: &'a str, key: &Key<'_>) -> Option<&'a str> {
    match (shape(text)?, key) {
        (Shape::Object(members), Key::Name(name)) => members.into_iter().rev().find(|(k, _)| k == name).map(|(_, v)| v),
        (Shape::Array(elements), Key::Index(index)) => element(elements, *index),
        _ => None,
    }
}

/// The value at `path` (`#>`, `json_extract_path`): each step a member name, or an index
/// into an array; `None` when a step is NULL or finds nothing.
pub fn at_path(doc: &str, path: &[Option<String>]) -> Option<String> {
    let mut current = doc;
    for step in path {
        let step = step.as_deref()?;
        current = match get(current, &Key::Name(step)) {
            Some(found) => found,
            None => get(current, &Key::Index(step.trim().parse().ok()?))?,
        };
    }
    Some(current.trim().to_string())
}

/// A member name or an array index.
#[derive(Debug, PartialEq)]
pub enum Key<'a> {
    /// A member of an object.
    Name(&'a str),
    /// An element of an array.
    Index(i64),
}

fn element(elements: Vec<&str>, index: i64) -> Option<&str> {
    let position = match index {
        i if i < 0 => elements.len().checked_sub(usize::try_from(i.unsigned_abs()).ok()?)?,
        i => usize::try_from(i).ok()?,
    };
    elements.get(position).copied()
}

/// The value as `->>` gives it: a string unescaped, `null` as NULL, anything else as
/// written.
pub fn as_text(text: &str) -> Option<String> {
    match shape(text)? {
        Shape::String(s) => Some(s),
        Shape::Scalar("null") => None,
        _ => Some(text.trim().to_string()),
    }
}

/// jsonb's `?`: whether `key` is a key of the object, a string element of the array, or
/// the string itself.
pub fn has_key(text: &str, key: &str) -> bool {
    match shape(text) {
        Some(Shape::Object(members)) => members.iter().any(|(k, _)| k == key),
        Some(Shape::Array(elements)) => elements.iter().any(|e| shape(e) == Some(Shape::String(key.to_string()))),
        Some(Shape::String(s)) => s == key,
        _ => false,
    }
}

/// jsonb's `@>`: whether `outer` contains `inner` (PostgreSQL's rules: an object contains
/// an object whose members it contains, an array an array each of whose elements one of its
/// own contains, a scalar an equal scalar, and at the top level an array a scalar it has).
pub fn contains(outer: &str, inner: &str) -> bool {
    match (shape(outer), shape(inner)) {
        (Some(Shape::Array(elements)), Some(scalar @ (Shape::String(_) | Shape::Scalar(_)))) => {
            elements.iter().any(|e| shape(e).is_some_and(|e| scalars_equal(&e, &scalar)))
        }
        (Some(outer), Some(inner)) => contains_shape(&outer, &inner),
        _ => false,
    }
}

fn contains_shape(outer: &Shape<'_>, inner: &Shape<'_>) -> bool {
    match (outer, inner) {
        (Shape::Object(outer), Shape::Object(inner)) => inner.iter().all(|(key, value)| {
            outer.iter().find(|(k, _)| k == key).is_some_and(|(_, v)| nested_contains(v, value))
        }),
        (Shape::Array(outer), Shape::Array(inner)) => inner.iter().all(|value| outer.iter().any(|v| nested_contains(v, value))),
        (Shape::Object(_) | Shape::Array(_), _) | (_, Shape::Object(_) | Shape::Array(_)) => false,
        (outer, inner) => scalars_equal(outer, inner),
    }
}

fn nested_contains(outer: &str, inner: &str) -> bool {
    match (shape(outer), shape(inner)) {
        (Some(outer), Some(inner)) => contains_shape(&outer, &inner),
        _ => false,
    }
}

/// Equal scalars: strings by their text, numbers by value (`1.0` equals `1`), `true`,
/// `false` and `null` by themselves.
fn scalars_equal(a: &Shape<'_>, b: &Shape<'_>) -> bool {
    match (a, b) {
        (Shape::String(a), Shape::String(b)) => a == b,
        (Shape::Scalar(a), Shape::Scalar(b)) => a == b || number_key(a).is_some_and(|a| number_key(b) == Some(a)),
        _ => false,
    }
}

/// A number written without an exponent (as jsonb keeps them) in a form equal numbers
/// share: no leading or trailing zeros, no `-` before zero.
fn number_key(text: &str) -> Option<String> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (int, frac) = (int.trim_start_matches('0'), frac.trim_end_matches('0'));
    let magnitude = match frac.is_empty() {
        true => (if int.is_empty() { "0" } else { int }).to_string(),
        false => format!("{int}.{frac}"),
    };
    Some(if negative && magnitude != "0" { format!("-{magnitude}") } else { magnitude })
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while s.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the string starting at `i` (its opening quote).
fn string_end(s: &[u8], i: usize) -> Option<usize> {
    if s.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        match s.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// The end (exclusive) of the value starting at `i`.
fn value_end(s: &[u8], i: usize) -> Option<usize> {
    match s.get(i)? {
        b'"' => string_end(s, i),
        b'[' | b'{' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match s.get(j)? {
                    b'"' => {
                        j = string_end(s, j)?;
                        continue;
                    }
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while s.get(j).is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace()) {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_elements_as_written() {
        let text = r#"{"a" : {"b" : 1.50}, "c": [1, "x\"y", [2]], "a": 3}"#;
        assert_eq!(get(text, &Key::Name("a")), Some("3"));
        assert_eq!(get(text, &Key::Name("c")), Some(r#"[1, "x\"y", [2]]"#));
        let c = get(text, &Key::Name("c")).expect("c");
        assert_eq!(get(c, &Key::Index(-1)), Some("[2]"));
        assert_eq!(get(c, &Key::Name("1")), None);
        assert_eq!(as_text(get(c, &Key::Index(1)).expect("1")), Some("x\"y".to_string()));
        assert_eq!(get(c, &Key::Index(3)), None);
        assert_eq!(get(c, &Key::Index(-4)), None);
        assert_eq!(as_text("null"), None);
        assert_eq!(shape("[]"), Some(Shape::Array(Vec::new())));
    }

    #[test]
    fn containment_and_keys_as_postgresql() {
        assert!(!contains("[1, 2, [3]]", "[3]"));
        assert!(contains("[1, 2, [3]]", "[[3]]"));
        assert!(contains("[1, 2]", "1"));
        assert!(!contains("1", "[1]"));
        assert!(contains(r#"{"a": 1.0}"#, r#"{"a": 1}"#));
        assert!(contains(r#"{"a": {"b": 1, "c": 2}}"#, r#"{"a": {"b": 1}}"#));
        assert!(!contains(r#"{"a": {"b": 1}}"#, r#"{"a": {"b": 1, "c": 2}}"#));
        assert!(contains(r#"{"a": [1, 2]}"#, r#"{"a": [2, 2]}"#));
        assert!(contains("[]", "[]"));
        assert!(has_key(r#""a""#, "a") && has_key(r#"["a", 1]"#, "a") && !has_key("[1]", "1"));
        assert_eq!(number_key("-0.0"), Some("0".to_string()));
        assert_eq!(number_key("010.500"), Some("10.5".to_string()));
    }
}
