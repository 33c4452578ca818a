//! PostgreSQL's array output (`array_out`) for one-dimensional arrays: `{1,2,NULL}`,
//! `{"a b","",c}`; the inverse of [`super::input::parse_array`]. The caller writes each
//! element with its type's output function.

/// The text of an array whose elements are `elements` (their texts, NULL as `None`),
/// each quoted as `array_out` quotes it.
pub fn array_text<S: AsRef<str>>(elements: impl IntoIterator<Item = Option<S>>) -> String {
    let mut out = String::from("{");
    for (i, element) in elements.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match element {
            None => out.push_str("NULL"),
            Some(text) if needs_quotes(text.as_ref()) => push_quoted(text.as_ref(), &mut out),
            Some(text) => out.push_str(text.as_ref()),
        }
    }
    out.push('}');
    out
}

/// Whether `array_out` quotes an element: empty, `NULL` in any case, or holding a quote,
/// a backslash, a brace, the delimiter or white space.
fn needs_quotes(element: &str) -> bool {
    element.is_empty()
        || element.eq_ignore_ascii_case("NULL")
        || element.chars().any(|c| matches!(c, '"' | '\\' | '{' | '}' | ',' | ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'))
}

/// Writes `element` in double quotes, its quotes and backslashes escaped by a backslash.
fn push_quoted(element: &str, out: &mut String) {
    out.push('"');
    for c in element.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_quoted_as_array_out_quotes_them() {
        // psql -At: SELECT ARRAY['a b', '', NULL, 'null', 'q"x', 'c', 'x\y']
        let elements = [Some("a b"), Some(""), None, Some("null"), Some("q\"x"), Some("c"), Some("x\\y")];
        assert_eq!(array_text(elements), r#"{"a b","",NULL,"null","q\"x",c,"x\\y"}"#);
        assert_eq!(array_text(Vec::<Option<String>>::new()), "{}");
        assert_eq!(array_text([Some("1"), Some("2")]), "{1,2}");
    }
}
