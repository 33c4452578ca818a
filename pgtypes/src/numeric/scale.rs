//! `numeric(p, s)` with a negative scale (PostgreSQL 15): values rounded to tens, hundreds,
//! ... Such a column is Shale's unconstrained decimal (see
//! [`crate::types::UNCONSTRAINED_NUMERIC_SCALE`]) holding only values already rounded, so
//! that a value is rounded once, from its own digits, when it is cast or stored. NaN stays
//! NaN; an infinity does not fit (22003), as in PostgreSQL.

use datafusion::arrow::array::{ArrayRef, AsArray, Decimal256Array};
use datafusion::arrow::datatypes::{Decimal256Type, i256};

use super::special::{Special, infinite_overflow};
use crate::error::{PgError, Result, sqlstate};
use crate::types::{UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE};

/// The most integer digits a negative-scale `numeric(p, s)` may have (p - s): those of the
/// unconstrained decimal that holds it.
pub const MAX_INTEGER_DIGITS: u8 = UNCONSTRAINED_NUMERIC_PRECISION - UNCONSTRAINED_NUMERIC_SCALE as u8;

/// `raw` (a decimal at the unconstrained scale) rounded half away from zero to a multiple of
/// 10^-`s`, as `numeric(p, s)` stores it; 22003 when it then has more than p - s digits.
pub fn round_to_scale(raw: i256, p: u8, s: i8) -> Result<i256> {
    match Special::of256(raw) {
        Some(Special::NaN) => return Ok(raw),
        Some(_) => return Err(infinite_overflow(i32::from(p), i32::from(s))),
        None => {}
    }
    let ten = i256::from_i128(10);
    let unit = ten.wrapping_pow(u32::from((i16::from(UNCONSTRAINED_NUMERIC_SCALE) - i16::from(s)).unsigned_abs()));
    let (quotient, remainder) = (raw.wrapping_div(unit), raw.wrapping_rem(unit));
    let half_or_more = remainder.wrapping_abs().wrapping_mul(i256::from_i128(2)) >= unit;
    let rounded = if half_or_more { quotient.wrapping_add(if raw < i256::ZERO { i256::MINUS_ONE } else { i256::ONE }) } else { quotient };
    if rounded.wrapping_abs() >= ten.wrapping_pow(u32::from(p)) {
        let digits = i16::from(p) - i16::from(s);
        return Err(PgError::new(sqlstate::OUT_OF_RANGE, "numeric field overflow").with_detail(format!(
            "A field with precision {p}, scale {s} must round to an absolute value less than 10^{digits}."
        )));
    }
    Ok(rounded.wrapping_mul(unit))
}

/// Every value of `input` (decimals at the unconstrained scale) rounded by [`round_to_scale`].
pub fn round_array(input: &ArrayRef, p: u8, s: i8) -> Result<ArrayRef> {
    let decimals = input.as_primitive::<Decimal256Type>();
    let rounded: Decimal256Array = decimals.iter().map(|v| v.map(|v| round_to_scale(v, p, s)).transpose()).collect::<Result<_>>()?;
    let rounded = rounded
        .with_precision_and_scale(UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE)
        .map_err(|e| PgError::internal(e.to_string()))?;
    Ok(std::sync::Arc::new(rounded) as ArrayRef)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(units: i128) -> i256 {
        i256::from_i128(units).wrapping_mul(i256::from_i128(10).wrapping_pow(UNCONSTRAINED_NUMERIC_SCALE as u32))
    }

    #[test]
    fn rounds_half_away_from_zero_once() {
        // SELECT 12345::numeric(2,-3), -1500::numeric(2,-3), 12499.6::numeric(2,-3)
        assert_eq!(round_to_scale(at(12345), 2, -3), Ok(at(12000)));
        assert_eq!(round_to_scale(at(-1500), 2, -3), Ok(at(-2000)));
        assert_eq!(round_to_scale(at(12499) + at(6) / i256::from_i128(10), 2, -3), Ok(at(12000)));
        assert_eq!(round_to_scale(at(5), 5, -1), Ok(at(10)));
        let overflow = round_to_scale(at(99500), 2, -3).unwrap_err();
        assert_eq!((overflow.code, overflow.detail.as_deref()), (sqlstate::OUT_OF_RANGE, Some("A field with precision 2, scale -3 must round to an absolute value less than 10^5.")));
        assert_eq!(round_to_scale(Special::NaN.raw256(), 2, -3), Ok(Special::NaN.raw256()));
        assert_eq!(round_to_scale(Special::Infinity.raw256(), 2, -3).unwrap_err().code, sqlstate::OUT_OF_RANGE);
    }
}
