//! Splitting a psql script into statements the way psql's lexer does: a statement ends at
//! a `;` outside quotes, comments and parentheses; strings (`'...'`, `E'...'` with backslash
//! escapes), quoted identifiers, dollar quotes and nested `/* */` comments are skipped
//! whole. A backslash outside quotes starts a meta-command, which runs to the end of the
//! line: `\g` and its kin (`\gset`, `\gx`, `\gexec`, `\gdesc`, `\crosstabview`) send the
//! statement before them, `\;` is a `;` that does not end the statement, the others are
//! returned as skipped. The data lines after `COPY ... FROM STDIN` (up to `\.`) belong to
//! that statement. psql's variables (`:name`, `:'name'`, `:"name"`) are not interpolated;
//! [`variables`] names those a statement refers to.

/// One piece of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Statement(Statement),
    /// A meta-command that was skipped (its line from the backslash).
    Meta(String),
}

/// A statement as psql would send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The text, trimmed, with its `;` if it had one.
    pub sql: String,
    /// The 1-based line it starts on.
    pub line: usize,
    /// For `COPY ... FROM STDIN`, the data lines after it (each ending in a newline).
    pub copy_data: Option<String>,
}

/// The meta-commands that send the statement before them.
const SENDING: &[&str] = &["\\g", "\\gx", "\\gset", "\\gexec", "\\gdesc", "\\crosstabview"];

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The length of the dollar-quote tag (`$tag$` or `$$`) at `at`, if one starts there.
fn dollar_tag(b: &[u8], at: usize) -> Option<usize> {
    if at > 0 && is_ident(b[at - 1]) {
        return None;
    }
    let mut end = at + 1;
    while end < b.len() && is_ident(b[end]) {
        end += 1;
    }
    let tag_starts_well = end == at + 1 || !b[at + 1].is_ascii_digit();
    (end < b.len() && b[end] == b'$' && tag_starts_well).then_some(end + 1 - at)
}

/// The index just past the dollar-quoted text that opens at `at`, or past the `$` when
/// none does (a parameter `$1`, a `$` inside a name).
fn skip_dollar_quoted(text: &str, at: usize) -> usize {
    match dollar_tag(text.as_bytes(), at) {
        Some(len) => {
            let tag = &text[at..at + len];
            text[at + len..].find(tag).map_or(text.len(), |p| at + len + p + len)
        }
        None => at + 1,
    }
}

/// The index just past the quoted text that opens at `at` with `quote`; backslashes escape
/// when `backslash` (E'' strings).
fn skip_quoted(b: &[u8], at: usize, quote: u8, backslash: bool) -> usize {
    let mut i = at + 1;
    while i < b.len() {
        if backslash && b[i] == b'\\' {
            i += 2;
        } else if b[i] == quote {
            if b.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// The index just past the `/* */` comment (nested) that opens at `at`.
fn skip_comment(b: &[u8], at: usize) -> usize {
    let (mut i, mut depth) = (at + 2, 1);
    while i < b.len() && depth > 0 {
        if b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    i
}

fn line_end(b: &[u8], at: usize) -> usize {
    b[at..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| at + p)
}

fn is_copy_from_stdin(sql: &str) -> bool {
    let words: Vec<String> = sql.split_whitespace().map(|w| w.trim_end_matches(';').to_ascii_lowercase()).collect();
    words.first().is_some_and(|w| w == "copy") && words.windows(2).any(|w| w[0] == "from" && w[1] == "stdin")
}

/// A script's statements and skipped meta-commands, in order.
pub fn split(text: &str) -> Vec<Item> {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut buffer = String::new();
    let (mut i, mut segment, mut depth) = (0, 0, 0usize);
    let mut first_line: Option<usize> = None;
    let line_of = |at: usize| b[..at].iter().filter(|&&c| c == b'\n').count() + 1;
    let emit = |buffer: &mut String, first_line: &mut Option<usize>, items: &mut Vec<Item>| {
        if let Some(line) = first_line.take() {
            items.push(Item::Statement(Statement { sql: buffer.trim().to_string(), line, copy_data: None }));
        }
        buffer.clear();
    };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'-' && next == Some(b'-') {
            i = line_end(b, i);
            continue;
        }
        if c == b'/' && next == Some(b'*') {
            i = skip_comment(b, i);
            continue;
        }
        if c == b'\\' {
            buffer.push_str(&text[segment..i]);
            let end = line_end(b, i);
            let command = text[i..end].trim_end();
            if command.starts_with("\\;") {
                buffer.push(';');
                i += 2;
            } else {
                let name = command.split_whitespace().next().unwrap_or("");
                if SENDING.contains(&name) && first_line.is_some() {
                    emit(&mut buffer, &mut first_line, &mut items);
                }
                items.push(Item::Meta(command.to_string()));
                i = end;
            }
            segment = i;
            continue;
        }
        if first_line.is_none() {
            // Like psql, drop what precedes a statement's first token (blanks, comments).
            first_line = Some(line_of(i));
            buffer.clear();
            segment = i;
        }
        i = match c {
            b'\'' => skip_quoted(b, i, b'\'', i > 0 && matches!(b[i - 1], b'E' | b'e') && (i < 2 || !is_ident(b[i - 2]))),
            b'"' => skip_quoted(b, i, b'"', false),
            b'$' => skip_dollar_quoted(text, i),
            b'(' => {
                depth += 1;
                i + 1
            }
            b')' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b';' if depth == 0 => {
                buffer.push_str(&text[segment..=i]);
                emit(&mut buffer, &mut first_line, &mut items);
                segment = i + 1;
                if let Some(Item::Statement(statement)) = items.last_mut().filter(|item| match item {
                    Item::Statement(s) => is_copy_from_stdin(&s.sql),
                    Item::Meta(_) => false,
                }) {
                    let (data, after) = copy_data(text, line_end(b, i) + 1);
                    statement.copy_data = Some(data);
                    segment = after;
                    i = after;
                    continue;
                }
                i + 1
            }
            _ => i + 1,
        };
    }
    if first_line.is_some() {
        buffer.push_str(&text[segment.min(text.len())..]);
        emit(&mut buffer, &mut first_line, &mut items);
    }
    items
}

/// The psql variables `sql` refers to (`:name`, `:'name'`, `:"name"` outside quotes and
/// comments; `::` is a cast), in order.
pub fn variables(sql: &str) -> Vec<String> {
    let b = sql.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        i = match b[i] {
            b'\'' => skip_quoted(b, i, b'\'', i > 0 && matches!(b[i - 1], b'E' | b'e')),
            b'"' => skip_quoted(b, i, b'"', false),
            b'-' if next == Some(b'-') => line_end(b, i),
            b'/' if next == Some(b'*') => skip_comment(b, i),
            b'$' => skip_dollar_quoted(sql, i),
            b':' if next == Some(b':') => i + 2,
            b':' => {
                let quoted = matches!(next, Some(b'\'' | b'"'));
                let start = i + 1 + usize::from(quoted);
                let mut end = start;
                while end < b.len() && is_ident(b[end]) {
                    end += 1;
                }
                if end > start && !b[start].is_ascii_digit() {
                    names.push(sql[start..end].to_string());
                }
                // Past the closing quote of `:'name'`.
                end.max(i + 1) + usize::from(quoted && b.get(end) == next.as_ref())
            }
            _ => i + 1,
        };
    }
    names
}

/// The COPY data lines from `from` up to the `\.` line, and the index after that line.
fn copy_data(text: &str, from: usize) -> (String, usize) {
    let mut data = String::new();
    let mut at = from.min(text.len());
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        let line = &text[at..end];
        at = (end + 1).min(text.len());
        if line.trim_end() == "\\." {
            break;
        }
        data.push_str(line);
        data.push('\n');
    }
    (data, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(text: &str) -> Vec<String> {
        split(text)
            .into_iter()
            .filter_map(|item| match item {
                Item::Statement(s) => Some(s.sql),
                Item::Meta(_) => None,
            })
            .collect()
    }

    #[test]
    fn semicolons_inside_quotes_comments_and_parentheses_do_not_split() {
        let script = "SELECT 'a;b', \"x;y\" /* c; /* nested; */ */ FROM t; -- ;\n\
                      CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n\
                      SELECT E'it\\'s;', (SELECT 1; 2);\nSELECT $1";
        assert_eq!(
            statements(script),
            [
                "SELECT 'a;b', \"x;y\" /* c; /* nested; */ */ FROM t;",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;",
                "SELECT E'it\\'s;', (SELECT 1; 2);",
                "SELECT $1",
            ]
        );
    }

    #[test]
    fn meta_commands_are_skipped_or_send_the_statement() {
        let items = split("\\set x 1\nSELECT 1 \\gset\nSELECT 2 \\; SELECT 3;\n-- only a comment\n");
        assert_eq!(
            items,
            [
                Item::Meta("\\set x 1".into()),
                Item::Statement(Statement { sql: "SELECT 1".into(), line: 2, copy_data: None }),
                Item::Meta("\\gset".into()),
                Item::Statement(Statement { sql: "SELECT 2 ; SELECT 3;".into(), line: 3, copy_data: None }),
            ]
        );
    }

    #[test]
    fn variables_are_found_outside_quotes_only() {
        assert_eq!(variables("SELECT :a, :'b', :\"c\", x::int, a[1:2], ':d' -- :e"), ["a", "b", "c"]);
    }

    #[test]
    fn copy_from_stdin_takes_its_data_lines() {
        let items = split("COPY t FROM stdin;\n1\ta\n2\tb\n\\.\nSELECT 1;");
        assert_eq!(
            items,
            [
                Item::Statement(Statement {
                    sql: "COPY t FROM stdin;".into(),
                    line: 1,
                    copy_data: Some("1\ta\n2\tb\n".into())
                }),
                Item::Statement(Statement { sql: "SELECT 1;".into(), line: 5, copy_data: None }),
            ]
        );
    }
}
