//! json validation and jsonb's canonical text: object keys ordered as PostgreSQL orders them
//! (shorter keys first, then bytewise), the last of duplicate keys kept, `", "` and `": "`
//! separators, and numbers kept as numeric text (`1.50` stays `1.50`, `1e2` becomes `100`).
//!
//! The parser keeps its open arrays and objects on a stack of its own rather than the
//! thread's, so nesting is bounded by [`MAX_JSON_DEPTH`] (54001 beyond, as PostgreSQL's
//! stack depth check), not by the stack.

use std::collections::BTreeMap;

use crate::error::{PgError, Result, sqlstate};
use crate::limits::{MAX_JSON_DEPTH, stack_depth_exceeded};

/// Checks that `text` is JSON; 22P02 otherwise.
pub fn validate(text: &str, type_name: &str) -> Result<()> {
    parse(text, type_name).map(|_| ())
}

/// The text PostgreSQL prints for `text` as jsonb; 22P02 when it is not JSON (worded, as
/// PostgreSQL words it, for type json).
pub fn canonical(text: &str) -> Result<String> {
    parse(text, "json")
}

/// An array or object being read: the canonical text of what it holds so far.
enum Open {
    Array(String),
    /// Members by (key length, key), as jsonb orders them, and the key of the member
    /// being read.
    Object(BTreeMap<(usize, String), String>, String),
}

/// `text` in jsonb's canonical form.
fn parse(text: &str, type_name: &str) -> Result<String> {
    let invalid = || PgError::new(sqlstate::INVALID_TEXT, format!("invalid input syntax for type {type_name}"));
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let mut open: Vec<Open> = Vec::new();
    loop {
        // A value starts here: a scalar, an empty container, or a container to descend into.
        p.ws();
        let mut value = match p.s.get(p.i).copied().ok_or_else(invalid)? {
            b'[' | b'{' if open.len() >= MAX_JSON_DEPTH => return Err(stack_depth_exceeded()),
            b'[' => {
                p.i += 1;
                if !p.eat(b']') {
                    open.push(Open::Array(String::from("[")));
                    continue;
                }
                "[]".to_string()
            }
            b'{' => {
                p.i += 1;
                if !p.eat(b'}') {
                    open.push(Open::Object(BTreeMap::new(), p.key().ok_or_else(invalid)?));
                    continue;
                }
                "{}".to_string()
            }
            b'"' => serde_json::to_string(&p.string().ok_or_else(invalid)?).map_err(|_| invalid())?,
            _ => p.literal().ok_or_else(invalid)?,
        };
        // Put the value into the container it is in, closing the containers it ends.
        loop {
            let Some(container) = open.last_mut() else {
                p.ws();
                return if p.i == p.s.len() { Ok(value) } else { Err(invalid()) };
            };
            match container {
                Open::Array(items) => {
                    items.push_str(&value);
                    if p.eat(b',') {
                        items.push_str(", ");
                        break;
                    }
                    if !p.eat(b']') {
                        return Err(invalid());
                    }
                    items.push(']');
                }
                Open::Object(members, key) => {
                    let key = std::mem::take(key);
                    members.insert((key.len(), key), value);
                    if p.eat(b',') {
                        *container = Open::Object(std::mem::take(members), p.key().ok_or_else(invalid)?);
                        break;
                    }
                    if !p.eat(b'}') {
                        return Err(invalid());
                    }
                }
            }
            value = match open.pop() {
                Some(Open::Array(items)) => items,
                Some(Open::Object(members, _)) => object_text(&members),
                None => return Err(invalid()),
            };
        }
    }
}

/// An object's canonical text from its members' texts.
fn object_text(members: &BTreeMap<(usize, String), String>) -> String {
    let mut out = String::from("{");
    for (i, ((_, key), value)) in members.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
        out.push_str(": ");
        out.push_str(value);
    }
    out.push('}');
    out
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.s.get(self.i) == Some(&c);
        self.i += hit as usize;
        hit
    }

    /// An object member's key and the `:` after it.
    fn key(&mut self) -> Option<String> {
        self.ws();
        let key = self.string()?;
        self.eat(b':').then_some(key)
    }

    /// A JSON string token, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        if self.s.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        loop {
            match *self.s.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_slice(&self.s[start..self.i]).ok();
                }
                _ => self.i += 1,
            }
        }
    }

    /// `true`, `false`, `null` or a number, as jsonb prints it.
    fn literal(&mut self) -> Option<String> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c)) {
            self.i += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        match token {
            "true" | "false" | "null" => Some(token.to_string()),
            _ => {
                serde_json::from_str::<serde_json::Number>(token).ok()?;
                Some(numeric_text(token))
            }
        }
    }
}

/// A JSON number as PostgreSQL's numeric prints it: exponents expanded, digits kept.
fn numeric_text(token: &str) -> String {
    let lower = token.to_ascii_lowercase();
    let Some((mantissa, exp)) = lower.split_once('e') else { return token.to_string() };
    let exp: i64 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    // digits * 10^(exp - frac.len()), printed with scale max(0, frac.len() - exp).
    let shift = exp - frac.len() as i64;
    let text = if shift >= 0 {
        format!("{digits}{}", "0".repeat(shift as usize))
    } else {
        let scale = (-shift) as usize;
        let padded = format!("{}{digits}", "0".repeat(scale.saturating_sub(digits.len()) + 1));
        let (i, f) = padded.split_at(padded.len() - scale);
        format!("{i}.{f}")
    };
    let trimmed = text.trim_start_matches('0');
    let text = if trimmed.is_empty() || trimmed.starts_with('.') { format!("0{trimmed}") } else { trimmed.to_string() };
    if negative { format!("-{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_postgres() {
        let c = |s: &str| canonical(s).unwrap();
        assert_eq!(c(r#"{"bb":1,"a":[1,2,{"c":null}],"ab":"x","a":true}"#), r#"{"a": true, "ab": "x", "bb": 1}"#);
        assert_eq!(c("[1, \"x\", null, true, 1.50]"), "[1, \"x\", null, true, 1.50]");
        assert_eq!(c("[1e2, 1.5E-3, -2.50e1]"), "[100, 0.0015, -25.0]");
        assert_eq!(c("\"a\\u0041\""), "\"aA\"");
        assert_eq!(canonical("{\"a\":}").unwrap_err().code, "22P02");
        assert!(validate("[1,2", "json").is_err());
        assert!(validate("[1,2]]", "json").is_err());
        assert_eq!(c("{}"), "{}");
        assert_eq!(c(" [ [ ] , { } , [ 1 ] ] "), "[[], {}, [1]]");
        assert_eq!(c(r#"{"a": {"b": [1, {"c": 2}]}, "": 0}"#), r#"{"": 0, "a": {"b": [1, {"c": 2}]}}"#);
    }

    #[test]
    fn nesting_is_bounded_without_the_stack() {
        let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(canonical(&deep(10_000)).unwrap(), deep(10_000));
        assert_eq!(validate(&"[".repeat(10_000), "json").unwrap_err().code, "22P02");
        assert_eq!(validate(&"[".repeat(100_000), "json").unwrap_err().code, "54001");
        assert_eq!(canonical(&"{\"a\":".repeat(100_000)).unwrap_err().code, "54001");
    }
}
