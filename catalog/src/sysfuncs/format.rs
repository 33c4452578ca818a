//! `format(formatstr, args...)` as PostgreSQL's `text_format`: `%[n$][-][width]type` with
//! the types `s`, `I` and `L`, a width given as digits, `*` (the next argument) or `*n$`,
//! `-` or a negative width for left alignment, and `%%`.

use datafusion::common::ScalarValue;

use super::row_function::{int_arg, text_arg};
use crate::error::{CatalogError, Result, sqlstate};
use crate::ident::quote_ident;
use crate::system::column as v;

/// `format(args[0], args[1..])`: NULL when the format string is NULL.
pub(super) fn format(args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(fmt) = args.first().and_then(text_arg) else { return Ok(v::null()) };
    let values = &args[1..];
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    // The argument a specifier without a position takes (0-based into `values`).
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'%').is_some() {
            out.push('%');
            continue;
        }
        let spec = Spec::read(&mut chars)?;
        let mut left = spec.left;
        let width = match spec.width {
            Width::None => 0,
            Width::Digits(n) => n,
            Width::Argument(position) => {
                let index = position.map_or(next, |p| p - 1);
                next = index + 1;
                let value = values.get(index).ok_or_else(too_few)?;
                let n = int_arg(value).unwrap_or(0);
                left |= n < 0;
                usize::try_from(n.unsigned_abs()).map_err(|_| too_large_width())?
            }
        };
        let index = spec.position.map_or(next, |p| p - 1);
        next = index + 1;
        let value = values.get(index).ok_or_else(too_few)?;
        let text = match (spec.kind, text_arg(value)) {
            ('s', value) => value.unwrap_or_default(),
            ('I', Some(name)) => quote_ident(&name),
            ('I', None) => {
                return Err(CatalogError::new("22004", "null values cannot be formatted as an SQL identifier"));
            }
            ('L', Some(text)) => quote_literal(&text),
            ('L', None) => "NULL".to_string(),
            (other, _) => return Err(unrecognized(other)),
        };
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(v::text(&out))
}

/// How wide a conversion is.
enum Width {
    None,
    Digits(usize),
    /// `*` (`None`) or `*n$`: the width is an argument.
    Argument(Option<usize>),
}

/// One `%...` conversion after its `%`.
struct Spec {
    position: Option<usize>,
    left: bool,
    width: Width,
    kind: char,
}

impl Spec {
    fn read(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Spec> {
        let mut spec = Spec { position: None, left: false, width: Width::None, kind: ' ' };
        // Digits are a position when a `$` follows them, else the width.
        if let Some(n) = digits(chars)? {
            if chars.next_if_eq(&'$').is_some() {
                spec.position = Some(position(n)?);
            } else {
                spec.width = Width::Digits(n);
            }
        }
        if matches!(spec.width, Width::None) {
            while chars.next_if_eq(&'-').is_some() {
                spec.left = true;
            }
            if chars.next_if_eq(&'*').is_some() {
                let at = match digits(chars)? {
                    Some(n) if chars.next_if_eq(&'$').is_some() => Some(position(n)?),
                    Some(_) => return Err(unterminated()),
                    None => None,
                };
                spec.width = Width::Argument(at);
            } else if let Some(n) = digits(chars)? {
                spec.width = Width::Digits(n);
            }
        }
        spec.kind = chars.next().ok_or_else(unterminated)?;
        Ok(spec)
    }
}

/// The decimal number at the cursor, if there is one.
fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Option<usize>> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.next_if(char::is_ascii_digit) {
        let digit = d.to_digit(10).unwrap_or(0) as usize;
        let value = n.unwrap_or(0).checked_mul(10).and_then(|v| v.checked_add(digit)).filter(|v| *v <= i32::MAX as usize);
        n = Some(value.ok_or_else(|| CatalogError::new(sqlstate::INVALID_PARAMETER, "number is out of range"))?);
    }
    Ok(n)
}

fn position(n: usize) -> Result<usize> {
    if n == 0 {
        return Err(CatalogError::new(
            sqlstate::INVALID_PARAMETER,
            "format specifies argument 0, but arguments are numbered from 1",
        ));
    }
    Ok(n)
}

/// `quote_literal`: in quotes with quotes doubled, and as an `E''` string with backslashes
/// doubled when it has any.
/// `quote_literal(text)`: `text` as a string literal, as PostgreSQL's.
pub(super) fn quote_literal(text: &str) -> String {
    let quoted = text.replace('\'', "''");
    match text.contains('\\') {
        true => format!("E'{}'", quoted.replace('\\', "\\\\")),
        false => format!("'{quoted}'"),
    }
}

fn too_few() -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, "too few arguments for format()")
}

fn too_large_width() -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, "number is out of range")
}

fn with_percent_hint(e: CatalogError) -> CatalogError {
    e.with_hint("For a single \"%\" use \"%%\".")
}

fn unterminated() -> CatalogError {
    with_percent_hint(CatalogError::new(sqlstate::INVALID_PARAMETER, "unterminated format() type specifier"))
}

fn unrecognized(kind: char) -> CatalogError {
    with_percent_hint(CatalogError::new(
        sqlstate::INVALID_PARAMETER,
        format!("unrecognized format() type specifier \"{kind}\""),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ScalarValue {
        v::text(s)
    }

    #[test]
    fn formats_as_postgres() {
        // Each expected value is PostgreSQL 15's.
        assert_eq!(format(&[t("%s.%I = %L%%"), t("a"), t("B c"), t("it's")]).unwrap(), t("a.\"B c\" = 'it''s'%"));
        assert_eq!(format(&[t("%2$s %1$s"), t("x"), t("y")]).unwrap(), t("y x"));
        assert_eq!(format(&[t(">>%10s<<"), t("Hello")]).unwrap(), t(">>     Hello<<"));
        assert_eq!(format(&[t(">>%-10s<<"), t("Hello")]).unwrap(), t(">>Hello     <<"));
        assert_eq!(format(&[t(">>%*s<<"), v::int4(10), t("Hello")]).unwrap(), t(">>     Hello<<"));
        assert_eq!(format(&[t(">>%*s<<"), v::int4(-3), t("x")]).unwrap(), t(">>x  <<"));
        assert_eq!(format(&[t("%2$*1$s|"), v::int4(4), t("y")]).unwrap(), t("   y|"));
        assert_eq!(format(&[t("%1$s %1$s"), t("a")]).unwrap(), t("a a"));
        assert_eq!(format(&[t("%-5s|"), v::null()]).unwrap(), t("     |"));
        assert_eq!(format(&[t("%L"), t("a\\b")]).unwrap(), t("E'a\\\\b'"));
        for (bad, message) in [
            ("%", "unterminated format() type specifier"),
            ("%10", "unterminated format() type specifier"),
            ("%z", "unrecognized format() type specifier \"z\""),
            ("%0$s", "format specifies argument 0, but arguments are numbered from 1"),
            ("%s %s", "too few arguments for format()"),
        ] {
            let e = format(&[t(bad), t("a")]).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), ("22023", message), "{bad}");
        }
    }
}
