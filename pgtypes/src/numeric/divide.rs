//! `numeric / numeric` as PostgreSQL 15 computes it (numeric.c, `numeric_div`): the
//! quotient's scale is chosen for each pair of values by `select_div_scale` (about 16
//! significant digits, and no fewer fractional digits than either operand shows), and the
//! exact quotient is rounded half away from zero to it: `1.0 / 3` is
//! 0.33333333333333333333, `100 / 3.0` is 33.3333333333333333, `10.0 / 4` is 2.5.
//!
//! Limits, from Shale's unconstrained numeric (Decimal256(76, 20)), which the quotient is:
//! - It holds 20 fractional digits. A quotient PostgreSQL gives more (`0.000001 / 3` has 24) is
//!   PostgreSQL's quotient rounded again at 20 digits, as `(a / b)::numeric(76, 20)` is in
//!   PostgreSQL; a quotient of more than 56 integer digits is 22003.
//! - It keeps no display scale: a quotient shows the digits its value needs (`2.5`, where
//!   PostgreSQL shows `2.5000000000000000`), and an unconstrained operand counts the
//!   fractional digits its value needs (`1.50` as `1.5`, see [`super::display`]), which
//!   changes the quotient only where that display scale exceeds the significant digits.
//!   Decimals of a declared scale (`numeric(10, 2)`, literals such as `1.0`) count theirs.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Decimal256Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Decimal256Type, Field, i256};
use num_bigint::BigInt;

use super::display::{field_shown_minimal, minimal_scale};
use super::wide::Wide;
use crate::error::{PgError, Result, sqlstate};
use crate::types::{UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE};

/// Significant digits a quotient has at least (`NUMERIC_MIN_SIG_DIGITS`).
const MIN_SIGNIFICANT_DIGITS: i32 = 16;
/// Decimal digits in one of PostgreSQL's base-10000 digits (`DEC_DIGITS`).
const DIGITS_PER_NBASE_DIGIT: i32 = 4;
/// The largest scale PostgreSQL gives a quotient (`NUMERIC_MAX_DISPLAY_SCALE`).
const MAX_DISPLAY_SCALE: i32 = 1000;

/// A finite numeric: `value` × 10^-`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The unscaled value.
    pub value: i256,
    /// The power of ten `value` is divided by.
    pub scale: i8,
    /// Whether it is shown with the fractional digits its value needs (an unconstrained
    /// numeric), not with `scale` digits.
    pub shown_minimal: bool,
}

impl Decimal {
    /// PostgreSQL's `dscale`: the fractional digits the value is shown with.
    fn display_scale(&self) -> i32 {
        let scale = if self.shown_minimal { minimal_scale(self.value, self.scale).1 } else { self.scale };
        i32::from(scale).max(0)
    }

    /// PostgreSQL's weight of the value (the power of 10000 of its first base-10000 digit)
    /// and that digit; (0, 0) for zero.
    fn first_nbase_digit(&self) -> (i32, i128) {
        if self.value == i256::ZERO {
            return (0, 0);
        }
        let magnitude = self.value.wrapping_abs();
        let digits_below = magnitude.ilog10() as i32;
        let weight = (digits_below - i32::from(self.scale)).div_euclid(DIGITS_PER_NBASE_DIGIT);
        // The unscaled digits below the first base-10000 digit: at least -3 (a value
        // rounded to tens keeps 1 to 3 of its digit's places in its scale).
        let below = i32::from(self.scale) + weight * DIGITS_PER_NBASE_DIGIT;
        let ten = i256::from_i128(10);
        let digit = match below {
            b if b >= 0 => magnitude.wrapping_div(ten.wrapping_pow(b.unsigned_abs())),
            b => magnitude.wrapping_mul(ten.wrapping_pow(b.unsigned_abs())),
        };
        (weight, digit.as_i128())
    }
}

/// The scale PostgreSQL gives `dividend / divisor` (`select_div_scale`).
pub fn quotient_scale(dividend: &Decimal, divisor: &Decimal) -> i32 {
    let (weight1, digit1) = dividend.first_nbase_digit();
    let (weight2, digit2) = divisor.first_nbase_digit();
    let quotient_weight = weight1 - weight2 - i32::from(digit1 <= digit2);
    let significant = MIN_SIGNIFICANT_DIGITS - quotient_weight * DIGITS_PER_NBASE_DIGIT;
    // A display scale is at most the scale: computed only when it may count.
    let shown = |d: &Decimal| if i32::from(d.scale) <= significant { 0 } else { d.display_scale() };
    significant.max(shown(dividend)).max(shown(divisor)).clamp(0, MAX_DISPLAY_SCALE)
}

/// `dividend / divisor` rounded as PostgreSQL rounds it, then to Shale's unconstrained scale
/// (the unscaled value of a Decimal256(76, 20)); 22012 for a zero divisor, 22003 for a
/// quotient of more than 56 integer digits.
pub fn quotient(dividend: &Decimal, divisor: &Decimal) -> Result<i256> {
    if divisor.value == i256::ZERO {
        return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let scale = quotient_scale(dividend, divisor);
    let limit = i256::from_i128(10).wrapping_pow(u32::from(UNCONSTRAINED_NUMERIC_PRECISION));
    exact::<i256>(dividend, divisor, scale)
        .or_else(|| exact::<BigInt>(dividend, divisor, scale))
        .filter(|q| q.checked_abs().is_some_and(|q| q < limit))
        .ok_or_else(|| PgError::new(sqlstate::OUT_OF_RANGE, "value overflows numeric format"))
}

/// The quotient rounded at `scale` digits and then at Shale's unconstrained scale, computed
/// in `W`; `None` when it does not fit in `W` or in an `i256`.
fn exact<W: Wide>(dividend: &Decimal, divisor: &Decimal, scale: i32) -> Option<i256> {
    // dividend / divisor × 10^scale = value1 × 10^(scale2 + scale - scale1) / value2
    let shift = i32::from(divisor.scale) + scale - i32::from(dividend.scale);
    let (numerator, denominator) = match shift {
        s if s >= 0 => (W::of(dividend.value).scaled_up(s.unsigned_abs())?, W::of(divisor.value)),
        s => (W::of(dividend.value), W::of(divisor.value).scaled_up(s.unsigned_abs())?),
    };
    let at_scale = numerator.rounded_div(&denominator)?;
    let target = i32::from(UNCONSTRAINED_NUMERIC_SCALE);
    let unconstrained = match scale {
        s if s <= target => at_scale.scaled_up((target - s).unsigned_abs())?,
        s => at_scale.rounded_div(&W::of(i256::ONE).scaled_up((s - target).unsigned_abs())?)?,
    };
    unconstrained.narrow()
}

/// The quotients of two columns of decimals or integers, row by row, as unconstrained
/// numeric; NULL where either operand is. Each `Field` says how its column's values are
/// shown (its type modifier), which sets their display scale.
pub fn divide(dividend: (&ArrayRef, &Field), divisor: (&ArrayRef, &Field)) -> Result<ArrayRef> {
    let (dividends, divisors) = (decimals(dividend.0, dividend.1)?, decimals(divisor.0, divisor.1)?);
    let quotients: Decimal256Array = dividends
        .zip(divisors)
        .map(|pair| match pair {
            (Some(a), Some(b)) => quotient(&a, &b).map(Some),
            _ => Ok(None),
        })
        .collect::<Result<_>>()?;
    let quotients = quotients
        .with_precision_and_scale(UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE)
        .map_err(|e| PgError::internal(e.to_string()))?;
    Ok(Arc::new(quotients))
}

/// The values of `array` (decimals or integers) as [`Decimal`]s, with the display scale
/// `field` shows them at.
fn decimals<'a>(array: &'a ArrayRef, field: &Field) -> Result<impl Iterator<Item = Option<Decimal>> + 'a> {
    let (wide, minimal) = match array.data_type() {
        DataType::Decimal256(..) => (array.clone(), field_shown_minimal(field)),
        DataType::Decimal128(_, scale) => (widened(array, *scale)?, false),
        _ => (widened(array, 0)?, false),
    };
    let DataType::Decimal256(_, scale) = *wide.data_type() else {
        return Err(PgError::internal("a decimal widened to another type"));
    };
    let values: Vec<Option<i256>> = wide.as_primitive::<Decimal256Type>().iter().collect();
    Ok(values.into_iter().map(move |v| v.map(|value| Decimal { value, scale, shown_minimal: minimal })))
}

/// `array` cast to a Decimal256 of `scale`, which holds each of its values.
fn widened(array: &ArrayRef, scale: i8) -> Result<ArrayRef> {
    cast(array, &DataType::Decimal256(UNCONSTRAINED_NUMERIC_PRECISION, scale)).map_err(|e| PgError::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` (a decimal number) as a [`Decimal`] shown with its own digits.
    fn d(text: &str) -> Decimal {
        let scale = text.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        let value = i256::from_string(&text.replace('.', "")).expect("a number");
        Decimal { value, scale: scale as i8, shown_minimal: false }
    }

    /// The quotient as PostgreSQL writes it, at Shale's 20 digits without trailing zeros.
    fn divided(a: &str, b: &str) -> String {
        divided_decimals(&d(a), &d(b))
    }

    fn divided_decimals(a: &Decimal, b: &Decimal) -> String {
        let raw = quotient(a, b).expect("a quotient");
        super::super::display::decimal256_text(raw, UNCONSTRAINED_NUMERIC_SCALE, true)
    }

    #[test]
    fn scales_are_postgresqls() {
        // The scales of PostgreSQL 15's results: SELECT 1.0/3, 100/3.0, 10.0/4, 2/3.00,
        // 1/7, 22/7, 0.000001/3, 123456789.123/0.0007, 9999/1, 10000/3, 0/5, 1e20/3.00
        let cases = [
            ("1.0", "3", 20),
            ("100", "3.0", 16),
            ("10.0", "4", 16),
            ("2", "3.00", 20),
            ("1", "7", 20),
            ("22", "7", 16),
            ("0.000001", "3", 24),
            ("123456789.123", "0.0007", 8),
            ("9999", "1", 16),
            ("10000", "3", 16),
            ("0", "5", 20),
            ("100000000000000000000", "3.00", 2),
        ];
        for (a, b, scale) in cases {
            assert_eq!(quotient_scale(&d(a), &d(b)), scale, "{a} / {b}");
        }
    }

    #[test]
    fn quotients_are_postgresqls_rounded_half_away_from_zero() {
        // SELECT 1.0/3, 100/3.0, 10.0/4, 2/3.00, 22/7::numeric, -2.5/1.5, -1/3::numeric,
        //        123456789.123/0.0007, 12345678901234567890/0.003, 0.5/1e16 (PostgreSQL 15)
        let cases = [
            ("1.0", "3", "0.33333333333333333333"),
            ("100", "3.0", "33.3333333333333333"),
            ("10.0", "4", "2.5"),
            ("2", "3.00", "0.66666666666666666667"),
            ("22", "7", "3.1428571428571429"),
            ("-2.5", "1.5", "-1.6666666666666667"),
            ("-1", "3", "-0.33333333333333333333"),
            ("123456789.123", "-0.0007", "-176366841604.28571429"),
            ("12345678901234567890", "0.003", "4115226300411522630000"),
            ("0.5", "10000000000000000", "0.00000000000000005"),
        ];
        for (a, b, expected) in cases {
            assert_eq!(divided(a, b), expected, "{a} / {b}");
        }
    }

    #[test]
    fn more_than_twenty_digits_round_again_at_twenty() {
        // PostgreSQL: 0.000001/3 = 0.000000333333333333333333 (24 digits);
        // 0.00000000000000000099999/1 keeps its 23 digits, 0.000000000000000000995/1 its 21.
        assert_eq!(divided("0.000001", "3"), "0.00000033333333333333");
        assert_eq!(divided("0.00000000000000000099999", "1"), "0.000000000000000001");
        assert_eq!(divided("-0.000000000000000000995", "1"), "-0.000000000000000001");
        assert_eq!(divided("0.00000000000000000049999", "1"), "0.0000000000000000005");
        // PostgreSQL's quotient at 50 digits is 0.000000000000000000005 (rounded up from
        // ...4999...95), which is 0.00000000000000000001 as numeric(30,20).
        let nines = format!("0.{}{}", "0".repeat(20), "9".repeat(30));
        assert_eq!(divided(&nines, "2"), "0.00000000000000000001");
    }

    #[test]
    fn an_unconstrained_numeric_shows_the_digits_its_value_needs() {
        // SELECT '100000000000000000000'::numeric / 3 (PostgreSQL: 33333333333333333333)
        let unconstrained = |value: i256| Decimal { value, scale: UNCONSTRAINED_NUMERIC_SCALE, shown_minimal: true };
        let e40 = i256::from_i128(10).wrapping_pow(40);
        assert_eq!(quotient_scale(&unconstrained(e40), &d("3")), 0);
        assert_eq!(divided_decimals(&unconstrained(e40), &d("3")), "33333333333333333333");
        // numeric(30,20) keeps its 20 digits: 33333333333333333333.33333333333333333333
        assert_eq!(quotient_scale(&Decimal { shown_minimal: false, ..unconstrained(e40) }, &d("3")), 20);
    }

    #[test]
    fn division_by_zero_and_overflow_are_postgresqls_errors() {
        assert_eq!(quotient(&d("1"), &d("0.00")).unwrap_err().code, sqlstate::DIVISION_BY_ZERO);
        let huge = Decimal { value: i256::from_i128(10).wrapping_pow(75), scale: 20, shown_minimal: true };
        assert_eq!(quotient(&huge, &d("0.01")).unwrap_err().code, sqlstate::OUT_OF_RANGE);
    }
}
