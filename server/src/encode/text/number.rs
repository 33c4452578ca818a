//! float4, float8 and numeric in PostgreSQL's text format.

use std::fmt::{self, Display, LowerExp, Write};

use bytes::{BufMut, BytesMut};

use super::shortest::{Binary, shortest};
use crate::encode::EncodeError;

/// The decimal exponent from which float8out switches to exponent notation
/// (DBL_DIG); below -4 it always does.
const FLOAT8_MAX_FIXED_EXP: i32 = 15;
/// The same for float4out (FLT_DIG).
const FLOAT4_MAX_FIXED_EXP: i32 = 6;

/// Writes a float8 as PostgreSQL 15 does with extra_float_digits 1: the
/// shortest digits that read back as the same value.
pub(super) fn write_float8(value: f64, out: &mut BytesMut) -> Result<(), EncodeError> {
    write_float(value, Binary::of_f64, FLOAT8_MAX_FIXED_EXP, out)
}

/// Writes a float4 as PostgreSQL 15 does (shortest round-trip digits).
pub(super) fn write_float4(value: f32, out: &mut BytesMut) -> Result<(), EncodeError> {
    write_float(value, Binary::of_f32, FLOAT4_MAX_FIXED_EXP, out)
}

/// Writes `value`, decoded for its digits by `decode`: fixed notation for
/// decimal exponents in -4..max_fixed_exp, else `d.ddde+XX`.
fn write_float<F: Copy + Into<f64> + LowerExp>(
    value: F,
    decode: fn(F) -> Binary,
    max_fixed_exp: i32,
    out: &mut BytesMut,
) -> Result<(), EncodeError> {
    let wide: f64 = value.into();
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
    let digits = shortest(value, &decode(value));
    let (first, rest) = digits.as_bytes().split_at(1);
    let exp = digits.exp;
    if !(-4..max_fixed_exp).contains(&exp) {
        out.put_slice(first);
        if !rest.is_empty() {
            out.put_u8(b'.');
            out.put_slice(rest);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        write!(out, "e{sign}{:02}", exp.unsigned_abs())?;
    } else if exp < 0 {
        out.put_slice(b"0.");
        out.put_bytes(b'0', exp.unsigned_abs() as usize - 1);
        out.put_slice(first);
        out.put_slice(rest);
    } else {
        // The integer part is `first` and the next `exp` digits, padded with zeros.
        out.put_slice(first);
        let int_rest = exp.unsigned_abs() as usize;
        match rest.split_at_checked(int_rest) {
            Some((int, frac)) if !frac.is_empty() => {
                out.put_slice(int);
                out.put_u8(b'.');
                out.put_slice(frac);
            }
            _ => {
                out.put_slice(rest);
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
pub(super) struct StackText {
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
    pub(super) fn as_str(&self) -> &str {
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
            // Rust's `{:e}` prints 1e23 and 1.801439850948199e16: midpoints to
            // the neighbouring floats, which PostgreSQL never prints.
            (1e23, "9.999999999999999e+22"),
            (1.801_439_850_948_199e16, "1.8014398509481992e+16"),
            (9.999999e19, "9.999999000000001e+19"),
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
            // Rust's `{:e}` prints 8.300302e7 (the midpoint to the next float)
            // and -1.7683253e6 (a tie rounded up).
            (83003024.0, "8.3003024e+07"),
            (-1.768_325_2e6, "-1.7683252e+06"),
            (8.44963e+07, "8.4496304e+07"),
            (6.874514e+07, "6.8745136e+07"),
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
