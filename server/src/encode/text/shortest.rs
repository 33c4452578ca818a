//! The shortest decimal digits of a float, exactly as PostgreSQL 15 prints them.
//!
//! PostgreSQL builds its Ryu port with `STRICTLY_SHORTEST 0`: a digit string
//! lying exactly on the boundary between two floats is never chosen, even
//! when a reader rounding half to even would map it back (Rust's `{:e}`
//! chooses it). Among the shortest candidates strictly inside the rounding
//! interval the one nearest the value wins, ties going to the even digit.
//!
//! Rust's shortest digits are taken when they are neither on a boundary nor
//! one of two candidates equally near the value; those rare cases are
//! decided exactly by the free-format algorithm of Steele & White and Burger
//! & Dybvig on a small big integer.

use std::cmp::Ordering;
use std::fmt::{LowerExp, Write};

use super::bignum::Big;
use super::number::StackText;

/// Digits of a float: at most 17 (float8), 9 (float4).
const MAX_DIGITS: usize = 17;

/// A finite, positive float as `mantissa * 2^exponent`.
pub(super) struct Binary {
    mantissa: u64,
    exponent: i32,
    /// Whether the next lower float is half as far as the next higher one
    /// (the mantissa is a power of two above the smallest normal exponent).
    lower_closer: bool,
}

impl Binary {
    /// Decodes the magnitude of a finite, nonzero f64.
    pub(super) fn of_f64(value: f64) -> Self {
        let bits = value.to_bits();
        Self::decode(
            bits & ((1 << 52) - 1),
            ((bits >> 52) & 0x7ff) as i32,
            52,
            1075,
        )
    }

    /// Decodes the magnitude of a finite, nonzero f32.
    pub(super) fn of_f32(value: f32) -> Self {
        let bits = value.to_bits();
        Self::decode(
            u64::from(bits & 0x7f_ffff),
            ((bits >> 23) & 0xff) as i32,
            23,
            150,
        )
    }

    fn decode(fraction: u64, biased: i32, fraction_bits: u32, bias: i32) -> Self {
        if biased == 0 {
            // Subnormal: no implicit leading bit, the smallest exponent.
            return Self {
                mantissa: fraction,
                exponent: 1 - bias,
                lower_closer: false,
            };
        }
        Self {
            mantissa: fraction | 1 << fraction_bits,
            exponent: biased - bias,
            lower_closer: fraction == 0 && biased > 1,
        }
    }
}

/// Decimal digits of a float: ASCII digits, the first nonzero, and the
/// decimal exponent of the first.
pub(super) struct Digits {
    digits: [u8; MAX_DIGITS],
    len: usize,
    /// The decimal exponent of the first digit.
    pub(super) exp: i32,
}

impl Digits {
    /// The digits, at least one.
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.digits[..self.len.clamp(1, MAX_DIGITS)]
    }

    /// The digits as an integer.
    fn integer(&self) -> u128 {
        self.as_bytes()
            .iter()
            .fold(0, |n, digit| n * 10 + u128::from(digit - b'0'))
    }
}

/// PostgreSQL's shortest digits of the magnitude of `value`, a finite float
/// whose magnitude decodes as `binary`. Zero gives `0`.
pub(super) fn shortest(value: impl LowerExp, binary: &Binary) -> Digits {
    if binary.mantissa == 0 {
        return Digits {
            digits: [b'0'; MAX_DIGITS],
            len: 1,
            exp: 0,
        };
    }
    match rust_shortest(value) {
        Some(digits) if !binary.is_ambiguous(&digits) => digits,
        _ => free_format(binary),
    }
}

/// Rust's shortest digits of `value` (`{:e}`, as in `-1.25e-7`).
fn rust_shortest(value: impl LowerExp) -> Option<Digits> {
    let mut text = StackText::default();
    write!(text, "{value:e}").ok()?;
    let (mantissa, exponent) = text.as_str().trim_start_matches('-').split_once('e')?;
    let mut digits = Digits {
        digits: [b'0'; MAX_DIGITS],
        len: 0,
        exp: exponent.parse().ok()?,
    };
    for digit in mantissa.bytes().filter(u8::is_ascii_digit) {
        *digits.digits.get_mut(digits.len)? = digit;
        digits.len += 1;
    }
    Some(digits)
}

impl Binary {
    /// Whether Rust's shortest `digits` may not be PostgreSQL's: they lie
    /// exactly on the midpoint to a neighbouring float, or the value lies
    /// exactly halfway between them and the next candidate of their length.
    fn is_ambiguous(&self, digits: &Digits) -> bool {
        let decimal = digits.integer();
        // digits = decimal * 10^pow10, the value = mantissa * 2^exponent.
        let pow10 = digits.exp + 1 - digits.as_bytes().len() as i32;
        let (mantissa, exponent) = (u128::from(self.mantissa), self.exponent);
        let lower = if self.lower_closer {
            (4 * mantissa - 1, exponent - 2)
        } else {
            (2 * mantissa - 1, exponent - 1)
        };
        exactly_equal(decimal, pow10, 2 * mantissa + 1, exponent - 1)
            || exactly_equal(decimal, pow10, lower.0, lower.1)
            || exactly_equal(2 * decimal + 1, pow10, mantissa, exponent + 1)
            || exactly_equal(
                (2 * decimal).saturating_sub(1),
                pow10,
                mantissa,
                exponent + 1,
            )
    }
}

/// Whether `decimal * 10^pow10 == binary * 2^pow2`, both positive: their
/// powers of 2 and of 5 and what remains must agree.
fn exactly_equal(decimal: u128, pow10: i32, binary: u128, pow2: i32) -> bool {
    let twos = |n: u128| n.trailing_zeros() as i32;
    if decimal == 0 || binary == 0 || twos(decimal) + pow10 != twos(binary) + pow2 {
        return false;
    }
    let (fives_decimal, rest_decimal) = strip_fives(decimal >> decimal.trailing_zeros());
    let (fives_binary, rest_binary) = strip_fives(binary >> binary.trailing_zeros());
    fives_decimal + pow10 == fives_binary && rest_decimal == rest_binary
}

/// `n` as `5^k * rest`: (k, rest).
fn strip_fives(mut n: u128) -> (i32, u128) {
    let mut fives = 0;
    while n != 0 && n.is_multiple_of(5) {
        n /= 5;
        fives += 1;
    }
    (fives, n)
}

/// The shortest digits strictly between the midpoints to the neighbouring
/// floats, nearest the value, computed exactly.
fn free_format(value: &Binary) -> Digits {
    let mut digits = [b'0'; MAX_DIGITS];
    // value = r / s; the midpoints to the neighbours are (r + m_plus) / s and
    // (r - m_minus) / s.
    let shift = if value.lower_closer { 2 } else { 1 };
    let up = value.exponent.max(0).unsigned_abs();
    let down = (-value.exponent).max(0).unsigned_abs();
    let mut r = Big::from(value.mantissa).shl(shift + up);
    let mut s = Big::from(1).shl(shift + down);
    let mut m_plus = Big::from(1).shl(shift - 1 + up);
    let mut m_minus = Big::from(1).shl(up);
    // Scale by 10^k so that 10^(k-1) < upper midpoint <= 10^k.
    let log10 =
        (value.mantissa as f64).log10() + f64::from(value.exponent) * std::f64::consts::LOG10_2;
    let mut k = log10.ceil() as i32;
    if k >= 0 {
        s.mul_pow10(k.unsigned_abs());
    } else {
        for big in [&mut r, &mut m_plus, &mut m_minus] {
            big.mul_pow10(k.unsigned_abs());
        }
    }
    while r.add(&m_plus) > s {
        s.mul_small(10);
        k += 1;
    }
    while r.add(&m_plus).times(10) <= s {
        for big in [&mut r, &mut m_plus, &mut m_minus] {
            big.mul_small(10);
        }
        k -= 1;
    }
    let mut len = 0;
    while len < MAX_DIGITS {
        for big in [&mut r, &mut m_plus, &mut m_minus] {
            big.mul_small(10);
        }
        let mut digit = 0;
        while r >= s {
            r.sub_assign(&s);
            digit += 1;
        }
        // Whether the digits so far are above the lower midpoint, and
        // whether they plus one unit are below the upper one.
        let low_inside = r < m_minus;
        let high_inside = r.add(&m_plus) > s;
        let round_up = match (low_inside, high_inside) {
            (false, false) => {
                digits[len] = b'0' + digit;
                len += 1;
                continue;
            }
            (true, false) => false,
            (false, true) => true,
            (true, true) => match r.times(2).cmp(&s) {
                Ordering::Less => false,
                Ordering::Greater => true,
                Ordering::Equal => digit % 2 == 1,
            },
        };
        digits[len] = b'0' + digit + u8::from(round_up);
        len += 1;
        break;
    }
    Digits {
        digits,
        len,
        exp: k - 1,
    }
}
