//! The integers an exact quotient of two decimals is computed in: Arrow's `i256` while the
//! scaled operands fit in it (almost always, and without allocating), else `BigInt`.

use datafusion::arrow::datatypes::i256;
use num_bigint::BigInt;

/// Exact integer arithmetic for [`super::divide`]; `None` when the result does not fit.
pub(crate) trait Wide: Sized {
    /// `value` as this integer.
    fn of(value: i256) -> Self;

    /// `self` × 10^`exponent`.
    fn scaled_up(self, exponent: u32) -> Option<Self>;

    /// `self` / `divisor` (not zero), rounded half away from zero.
    fn rounded_div(&self, divisor: &Self) -> Option<Self>;

    /// `self` as an `i256`, when it fits.
    fn narrow(self) -> Option<i256>;
}

impl Wide for i256 {
    fn of(value: i256) -> Self {
        value
    }

    fn scaled_up(self, exponent: u32) -> Option<Self> {
        self.checked_mul(i256::from_i128(10).checked_pow(exponent)?)
    }

    fn rounded_div(&self, divisor: &Self) -> Option<Self> {
        let (quotient, remainder) = (self.checked_div(*divisor)?, self.checked_rem(*divisor)?);
        let (remainder, divisor_size) = (remainder.checked_abs()?, divisor.checked_abs()?);
        // |remainder| × 2 < |divisor|, without overflowing.
        if remainder < divisor_size.checked_sub(remainder)? {
            return Some(quotient);
        }
        let away = if self.is_negative() == divisor.is_negative() { i256::ONE } else { i256::MINUS_ONE };
        quotient.checked_add(away)
    }

    fn narrow(self) -> Option<i256> {
        Some(self)
    }
}

impl Wide for BigInt {
    fn of(value: i256) -> Self {
        BigInt::from_signed_bytes_le(&value.to_le_bytes())
    }

    fn scaled_up(self, exponent: u32) -> Option<Self> {
        Some(self * BigInt::from(10).pow(exponent))
    }

    fn rounded_div(&self, divisor: &Self) -> Option<Self> {
        let (quotient, remainder) = (self / divisor, self % divisor);
        if remainder.magnitude() * 2u32 < *divisor.magnitude() {
            return Some(quotient);
        }
        let away = if self.sign() == divisor.sign() { 1 } else { -1 };
        Some(quotient + away)
    }

    fn narrow(self) -> Option<i256> {
        let mut bytes = self.to_signed_bytes_le();
        if bytes.len() > 32 {
            return None;
        }
        let fill = if self.sign() == num_bigint::Sign::Minus { 0xFF } else { 0 };
        bytes.resize(32, fill);
        Some(i256::from_le_bytes(bytes.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(a: i128, b: i128) -> (Option<i256>, Option<i256>) {
        let narrow = i256::from_i128(a).rounded_div(&i256::from_i128(b));
        let wide = BigInt::of(i256::from_i128(a)).rounded_div(&BigInt::of(i256::from_i128(b))).and_then(Wide::narrow);
        (narrow, wide)
    }

    #[test]
    fn rounds_half_away_from_zero_in_both() {
        for (a, b, q) in [(5, 2, 3), (-5, 2, -3), (5, -2, -3), (-5, -2, 3), (4, 3, 1), (-4, 3, -1), (7, 7, 1), (0, 3, 0)] {
            assert_eq!(both(a, b), (Some(i256::from_i128(q)), Some(i256::from_i128(q))), "{a} / {b}");
        }
        let max = i256::MAX;
        assert_eq!(max.rounded_div(&max), Some(i256::ONE));
        assert_eq!(i256::ONE.scaled_up(77), None);
        assert_eq!(BigInt::of(i256::ONE).scaled_up(77).and_then(Wide::narrow), None);
        assert_eq!(BigInt::of(i256::MINUS_ONE).narrow(), Some(i256::MINUS_ONE));
    }
}
