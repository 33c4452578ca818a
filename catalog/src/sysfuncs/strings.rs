//! `lpad`, `rpad` and `repeat` as PostgreSQL has them, in place of DataFusion's: a
//! negative length is zero, any NULL argument gives NULL, and a result that could exceed
//! PostgreSQL's 1 GB limit on a value is 54000 "requested length too large" before
//! anything is allocated (DataFusion's would try to build it).

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use super::row_function::{int_arg, row_function, text_arg};
use crate::error::Result;
use crate::session::handle::SessionHandle;
use shale_pgtypes::limits::{MAX_CHAR_BYTES, VALUE_HEADER, check_length};
use crate::system::column as v;

/// Which end `lpad` / `rpad` fills.
#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
}

/// `lpad(text, length [, fill])` / `rpad(...)`: `text` cut or filled (with `fill`, a space
/// by default) to `length` characters.
fn pad(args: &[ScalarValue], side: Side) -> Result<ScalarValue> {
    let fill = match args.get(2) {
        Some(fill) => text_arg(fill),
        None => Some(" ".to_string()),
    };
    let (Some(text), Some(length), Some(fill)) = (text_arg(&args[0]), int_arg(&args[1]), fill) else {
        return Ok(v::null());
    };
    let length = usize::try_from(length).unwrap_or(0);
    let kept = text.chars().count().min(length);
    // Nothing to fill with: the text, cut to the length, as it is.
    let length = if fill.is_empty() { kept } else { length };
    check_length(length.checked_mul(MAX_CHAR_BYTES).and_then(|n| n.checked_add(VALUE_HEADER)))?;
    let kept = match text.char_indices().nth(kept) {
        Some((end, _)) => &text[..end],
        None => text.as_str(),
    };
    let filling = cycled(&fill, length - kept.chars().count());
    Ok(v::text(&match side {
        Side::Left => filling + kept,
        Side::Right => kept.to_string() + &filling,
    }))
}

/// The first `n` characters of `fill` repeated (not empty), copied in whole repeats rather
/// than a character at a time: a fill of a hundred million characters takes milliseconds.
fn cycled(fill: &str, n: usize) -> String {
    let per_fill = fill.chars().count().max(1);
    let mut out = fill.repeat(n / per_fill);
    out.extend(fill.chars().take(n % per_fill));
    out
}

/// `repeat(text, count)`: `text` `count` times (none for a negative count).
fn repeat(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(text), Some(count)) = (text_arg(&args[0]), int_arg(&args[1])) else { return Ok(v::null()) };
    let count = usize::try_from(count).unwrap_or(0);
    check_length(text.len().checked_mul(count).and_then(|n| n.checked_add(VALUE_HEADER)))?;
    Ok(v::text(&text.repeat(count)))
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let text = || Field::new("", DataType::Utf8, true);
    let immutable = Volatility::Immutable;
    vec![
        row_function(handle, "lpad", &[2, 3], text(), immutable, |_, args| pad(args, Side::Left)),
        row_function(handle, "rpad", &[2, 3], text(), immutable, |_, args| pad(args, Side::Right)),
        row_function(handle, "repeat", &[2], text(), immutable, |_, args| repeat(args)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ScalarValue {
        v::text(s)
    }

    #[test]
    fn pads_as_postgres() {
        // Each expected value is PostgreSQL 15's.
        assert_eq!(pad(&[t("hi"), v::int4(5), t("xy")], Side::Left).unwrap(), t("xyxhi"));
        assert_eq!(pad(&[t("hi"), v::int4(5)], Side::Right).unwrap(), t("hi   "));
        assert_eq!(pad(&[t("hello"), v::int4(2)], Side::Left).unwrap(), t("he"));
        assert_eq!(pad(&[t("x"), v::int4(-3), v::null()], Side::Right).unwrap(), v::null());
        assert_eq!(pad(&[t("x"), v::int4(-3)], Side::Left).unwrap(), t(""));
        assert_eq!(pad(&[t("ab"), v::int4(268_435_455), t("")], Side::Left).unwrap(), t("ab"));
        assert_eq!(pad(&[t("ab"), v::int4(i32::MAX)], Side::Left).unwrap_err().code, "54000");
        assert_eq!(pad(&[t("héllo"), v::int4(8), t("éa")], Side::Right).unwrap(), t("hélloéaé"));
        assert_eq!(pad(&[t("héllo"), v::int4(8), t("éa")], Side::Left).unwrap(), t("éaéhéllo"));
        assert_eq!(pad(&[t("héllo"), v::int4(2), t("x")], Side::Left).unwrap(), t("hé"));
        assert_eq!(repeat(&[t("ab"), v::int4(3)]).unwrap(), t("ababab"));
        assert_eq!(repeat(&[t("ab"), v::int4(-1)]).unwrap(), t(""));
        assert_eq!(repeat(&[t(""), v::int4(600_000_000)]).unwrap(), t(""));
        assert_eq!(repeat(&[t("abc"), v::int4(400_000_000)]).unwrap_err().code, "54000");
    }
}
