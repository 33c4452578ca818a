//! PostgreSQL's array input syntax (`array_in`) for one-dimensional arrays: `{1,2,NULL}`,
//! `{"a b",NULL,"q\"x",""}`, `{}`. Elements come out as text, NULL as `None`; the caller
//! reads each element with its type's input function.

use crate::error::{PgError, Result, sqlstate};

/// The elements of the array literal `text`: 22P02 `malformed array literal` when it is
/// not one, 54000 for more than six dimensions (as PostgreSQL), 0A000 for a
/// multidimensional array or explicit bounds.
pub fn parse_array(text: &str) -> Result<Vec<Option<String>>> {
    crate::limits::check_array_dimensions(nesting(text))?;
    let malformed = |detail: &str| {
        PgError::new(sqlstate::INVALID_TEXT, format!("malformed array literal: \"{text}\""))
            .with_detail(detail)
    };
    let mut chars = text.trim_start_matches(is_space).chars().peekable();
    match chars.next() {
        Some('{') => {}
        Some('[') => return Err(PgError::unsupported("array bounds decoration")),
        _ => return Err(malformed("Array value must start with \"{\" or dimension information.")),
    }
    let mut elements = Vec::new();
    skip_spaces(&mut chars);
    if chars.peek() == Some(&'}') {
        chars.next();
    } else {
        loop {
            elements.push(element(&mut chars, &malformed)?);
            match chars.next() {
                Some(',') => {}
                Some('}') => break,
                None => return Err(malformed("Unexpected end of input.")),
                Some(_) => return Err(malformed("Unexpected array element.")),
            }
        }
    }
    skip_spaces(&mut chars);
    if chars.next().is_some() {
        return Err(malformed("Junk after closing right brace."));
    }
    Ok(elements)
}

/// How deep the braces of `text` nest, outside quoted elements.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut quoted) = (0usize, 0, false);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => quoted = !quoted,
            '{' if !quoted => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Reads one element up to (not including) the `,` or `}` after it.
fn element(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    malformed: &impl Fn(&str) -> PgError,
) -> Result<Option<String>> {
    skip_spaces(chars);
    let mut value = String::new();
    match chars.peek() {
        Some('{') => return Err(PgError::unsupported("multidimensional arrays")),
        Some('"') => {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => value.push(escaped(chars, malformed)?),
                    Some(c) => value.push(c),
                    None => return Err(malformed("Unexpected end of input.")),
                }
            }
            skip_spaces(chars);
            return Ok(Some(value));
        }
        _ => {}
    }
    // Unquoted: white space around it is dropped, escaped characters are kept as written.
    let mut kept = 0;
    let mut escapes = false;
    loop {
        match chars.peek().copied() {
            Some(',' | '}') => break,
            None => return Err(malformed("Unexpected end of input.")),
            Some('{') => return Err(malformed("Unexpected \"{\" character.")),
            Some('"') => return Err(malformed("Unexpected array element.")),
            Some('\\') => {
                chars.next();
                value.push(escaped(chars, malformed)?);
                kept = value.len();
                escapes = true;
            }
            Some(c) => {
                chars.next();
                value.push(c);
                if !is_space(c) {
                    kept = value.len();
                }
            }
        }
    }
    value.truncate(kept);
    if value.is_empty() {
        let next = chars.peek().copied().unwrap_or(',');
        return Err(malformed(&format!("Unexpected \"{next}\" character.")));
    }
    if !escapes && value.eq_ignore_ascii_case("NULL") {
        return Ok(None);
    }
    Ok(Some(value))
}

/// The character after a backslash.
fn escaped(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    malformed: &impl Fn(&str) -> PgError,
) -> Result<char> {
    chars.next().ok_or_else(|| malformed("Unexpected end of input."))
}

fn skip_spaces(chars: &mut std::iter::Peekable<std::str::Chars>) {
    while chars.next_if(|c| is_space(*c)).is_some() {}
}

/// White space as `array_in` skips it (`scanner_isspace`).
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(text: &str) -> Vec<Option<&'static str>> {
        parse_array(text)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"))
            .into_iter()
            .map(|e| e.map(|s| &*s.leak()))
            .collect()
    }

    #[test]
    fn reads_postgres_array_literals() {
        assert_eq!(elements("{1,2,NULL}"), [Some("1"), Some("2"), None]);
        assert_eq!(elements(" { } "), Vec::<Option<&str>>::new());
        assert_eq!(
            elements(r#"{"a b",NULL,"q\"x","",null,"NULL"}"#),
            [Some("a b"), None, Some("q\"x"), Some(""), None, Some("NULL")]
        );
        // SELECT '{ a b , c\ ,\NULL, \\}'::text[] -> {"a b","c ","NULL","\\"}
        assert_eq!(
            elements(r"{ a b , c\ ,\NULL, \\}"),
            [Some("a b"), Some("c "), Some("NULL"), Some("\\")]
        );
        assert_eq!(elements("{é,x}"), [Some("é"), Some("x")]);
    }

    #[test]
    fn rejects_what_array_in_rejects() {
        for bad in ["", "1,2", "{1,2", "{1,,2}", "{,}", "{1,}", "{1} x", r#"{"a"b}"#, r#"{a"b"}"#, "{a\\", r#"{"ab}"#] {
            let e = parse_array(bad).unwrap_err();
            assert_eq!((e.code, e.message), ("22P02", format!("malformed array literal: \"{bad}\"")), "{bad}");
        }
        assert_eq!(parse_array("{{1},{2}}").unwrap_err().code, "0A000");
        assert_eq!(parse_array("[1:2]={1,2}").unwrap_err().code, "0A000");
        let e = parse_array("{{{{{{{1}}}}}}}").unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("54000", "number of array dimensions (7) exceeds the maximum allowed (6)"));
        assert_eq!(parse_array(r#"{"{{{{{{{",\{}"#).unwrap(), [Some("{{{{{{{".to_string()), Some("{".to_string())]);
    }
}
