//! float4, float8 and numeric in PostgreSQL's text format.

use std::fmt::{self, Display, LowerExp, Write};

use bytes::{BufMut, BytesMut};

use crate::encode::EncodeError;

/// The decimal exponent from which float8out switches to exponent notation
/// (DBL_DIG); below -4 it always does.
const FLOAT8_MAX_FIXED_EXP: i32 = 15;
/// The same for float4out (FLT_DIG).
const FLOAT4_MAX_FIXED_EXP: i32 = 6;

/// Writes a float8 as PostgreSQL 15 does with extra_float_digits 1: the
/// shortest digits that read back as the same value.
pub(super) fn write_float8(value: f64, out: &mut BytesMut) -> Result<(), EncodeError> {
    write_float(value, value, FLOAT8_MAX_FIXED_EXP, out)
}

/// Writes a float4 as PostgreSQL 15 does (shortest round-trip digits).
pub(super) fn write_float4(value: f32, out: &mut BytesMut) -> Result<(), EncodeError> {
    write_float(value, f64::from(value), FLOAT4_MAX_FIXED_EXP, out)
}

/// Writes `value` (`wide` is the same value as f64, for the special cases):
/// fixed notation for decimal exponents in -4..max_fixed_exp, else `d.ddde+XX`.
fn write_float<F: LowerExp>(
    value: F,
    wide: f64,
    max_fixed_exp: i32,
    out: &mut BytesMut,
) -> Result<(), EncodeError> {
    if wide.is_nan() {
        out.put_slice(b"NaN");
        return Ok(());
    }
    if wide.is_infinite() {
        out.put_slice(if wide < 0.0 {
            b"-Infinity"
        } else {
            b"Infinity"
        });
        return Ok(());
    }
    if wide.is_sign_negative() {
        out.put_u8(b'-');
    }
    // Rust's `{:e}` prints the shortest round-trip digits, as in `1.25e-7`.
    let mut text = StackText::default();
    write!(text, "{value:e}")?;
    let (mantissa, exponent) = text
        .as_str()
        .trim_start_matches('-')
        .split_once('e')
        .ok_or(fmt::Error)?;
    let exp: i32 = exponent.parse().map_err(|_| fmt::Error)?;
    let (first, rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(-4..max_fixed_exp).contains(&exp) {
        out.put_slice(first.as_bytes());
        if !rest.is_empty() {
            out.put_u8(b'.');
            out.put_slice(rest.as_bytes());
        }
        let sign = if exp < 0 { '-' } else { '+' };
        write!(out, "e{sign}{:02}", exp.unsigned_abs())?;
    } else if exp < 0 {
        out.put_slice(b"0.");
        out.put_bytes(b'0', exp.unsigned_abs() as usize - 1);
        out.put_slice(first.as_bytes());
        out.put_slice(rest.as_bytes());
    } else {
        // The integer part is `first` and the next `exp` digits, padded with zeros.
        out.put_slice(first.as_bytes());
        let int_rest = exp.unsigned_abs() as usize;
        match rest.split_at_checked(int_rest) {
            Some((int, frac)) if !frac.is_empty() => {
                out.put_slice(int.as_bytes());
                out.put_u8(b'.');
                out.put_slice(frac.as_bytes());
            }
            _ => {
                out.put_slice(rest.as_bytes());
                out.put_bytes(b'0', int_rest.saturating_sub(rest.len()));
            }
        }
    }
    Ok(())
}

/// Writes a numeric from a decimal's unscaled integer and its scale: `scale`
/// digits after the point, none when it is zero or negative.
pub(super) fn write_numeric(
    unscaled: impl Display,
    scale: i8,
    out: &mut BytesMut,
) -> Result<(), EncodeError> {
    let mut text = StackText::default();
    write!(text, "{unscaled}")?;
    let text = text.as_str();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", text),
    };
    out.put_slice(sign.as_bytes());
    let shift = usize::from(scale.unsigned_abs());
    if scale <= 0 {
        out.put_slice(digits.as_bytes());
        if digits != "0" {
            out.put_bytes(b'0', shift);
        }
    } else if let Some(int_len) = digits.len().checked_sub(shift).filter(|len| *len > 0) {
        out.put_slice(&digits.as_bytes()[..int_len]);
        out.put_u8(b'.');
        out.put_slice(&digits.as_bytes()[int_len..]);
    } else {
        out.put_slice(b"0.");
        out.put_bytes(b'0', shift - digits.len());
        out.put_slice(digits.as_bytes());
    }
    Ok(())
}

/// A small stack buffer for formatting one number without allocating; long
/// enough for any float and any 256-bit integer.
struct StackText {
    bytes: [u8; 80],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        Self {
            bytes: [0; 80],
            len: 0,
        }
    }
}

impl StackText {
    /// What was written so far.
    fn as_str(&self) -> &str {
        // Only whole `str`s are ever written, so this cannot fail.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

impl Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float8(value: f64) -> String {
        let mut out = BytesMut::new();
        write_float8(value, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    fn float4(value: f32) -> String {
        let mut out = BytesMut::new();
        write_float4(value, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    fn numeric(unscaled: i128, scale: i8) -> String {
        let mut out = BytesMut::new();
        write_numeric(unscaled, scale, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn float8_matches_postgres() {
        // psql -At: SELECT 1.5e300::float8, 1e-5::float8, ... (PostgreSQL 15)
        let cases = [
            (1.5e300, "1.5e+300"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (123456789012345.0, "123456789012345"),
            (100000000000000.0, "100000000000000"),
            (1e15, "1e+15"),
            (0.00012345, "0.00012345"),
            (0.000012345, "1.2345e-05"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.1, "0.1"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (-2.5, "-2.5"),
            (1e22, "1e+22"),
        ];
        for (value, expected) in cases {
            assert_eq!(float8(value), expected, "{value:e}");
        }
    }

    #[test]
    fn float4_matches_postgres() {
        // psql -At: SELECT 1.5e30::float4, 1e-5::float4, ... (PostgreSQL 15)
        let cases = [
            (1.5e30, "1.5e+30"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (999999.0, "999999"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (0.1, "0.1"),
            (f32::MAX, "3.4028235e+38"),
            (1.4e-45, "1e-45"),
            (f32::NAN, "NaN"),
            (-0.0, "-0"),
            (16777216.0, "1.6777216e+07"),
            (1.1, "1.1"),
            (12345.678, "12345.678"),
        ];
        for (value, expected) in cases {
            assert_eq!(float4(value), expected, "{value:e}");
        }
    }

    #[test]
    fn numeric_matches_postgres() {
        // psql -At: SELECT 12.30::numeric(10,2), -12.30::numeric(10,2), ...
        assert_eq!(numeric(1230, 2), "12.30");
        assert_eq!(numeric(-1230, 2), "-12.30");
        assert_eq!(numeric(0, 2), "0.00");
        assert_eq!(numeric(5, 2), "0.05");
        assert_eq!(numeric(-5, 2), "-0.05");
        assert_eq!(numeric(42, 0), "42");
        assert_eq!(numeric(123, -2), "12300");
        assert_eq!(numeric(0, -2), "0");
        assert_eq!(
            numeric(123456789012345678901234567890123, 0),
            "123456789012345678901234567890123"
        );
        assert_eq!(
            numeric(12345678901234567890123456781234567890, 10),
            "1234567890123456789012345678.1234567890"
        );
    }
}
