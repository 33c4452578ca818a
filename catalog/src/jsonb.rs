//! json validation and jsonb's canonical text: object keys ordered as PostgreSQL orders them
//! (shorter keys first, then bytewise), the last of duplicate keys kept, `", "` and `": "`
//! separators, and numbers kept as numeric text (`1.50` stays `1.50`, `1e2` becomes `100`).

use std::collections::BTreeMap;

use crate::error::{CatalogError, Result, sqlstate};

enum Value {
    Scalar(String),
    Array(Vec<Value>),
    Object(BTreeMap<(usize, String), Value>),
}

/// Checks that `text` is JSON; 22P02 otherwise.
pub fn validate(text: &str, type_name: &str) -> Result<()> {
    parse(text, type_name).map(|_| ())
}

/// The text PostgreSQL prints for `text` as jsonb; 22P02 when it is not JSON.
pub fn canonical(text: &str) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    write(&parse(text, "jsonb")?, &mut out);
    Ok(out)
}

fn parse(text: &str, type_name: &str) -> Result<Value> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    let v = p.value().and_then(|v| {
        p.ws();
        (p.i == p.s.len()).then_some(v)
    });
    v.ok_or_else(|| CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid input syntax for type {type_name}")))
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

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match *self.s.get(self.i)? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => Some(Value::Scalar(serde_json::to_string(&self.string()?).ok()?)),
            _ => self.literal(),
        }
    }

    fn object(&mut self) -> Option<Value> {
        self.i += 1;
        let mut map = BTreeMap::new();
        if self.eat(b'}') {
            return Some(Value::Object(map));
        }
        loop {
            self.ws();
            let key = self.string()?;
            if !self.eat(b':') {
                return None;
            }
            let value = self.value()?;
            map.insert((key.len(), key), value);
            if self.eat(b'}') {
                return Some(Value::Object(map));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn array(&mut self) -> Option<Value> {
        self.i += 1;
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
        }
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

    fn literal(&mut self) -> Option<Value> {
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c)) {
            self.i += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        match token {
            "true" | "false" | "null" => Some(Value::Scalar(token.to_string())),
            _ => {
                serde_json::from_str::<serde_json::Number>(token).ok()?;
                Some(Value::Scalar(numeric_text(token)))
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

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Scalar(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, ((_, key), item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push_str(": ");
                write(item, out);
            }
            out.push('}');
        }
    }
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
    }
}
