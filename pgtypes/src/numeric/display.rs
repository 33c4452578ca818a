//! How Shale shows a 256-bit decimal. Unconstrained `numeric` is a decimal with a fixed
//! scale ([`crate::types::UNCONSTRAINED_NUMERIC_SCALE`]); PostgreSQL shows such a value with
//! the digits it has, Shale at the smallest scale that keeps its value, which is the same
//! for every value written without trailing fractional zeros. A negative-scale
//! `numeric(p, s)` holds whole numbers and is shown the same way; `numeric(p, s)` with p
//! above 38 keeps its scale.

use datafusion::arrow::datatypes::{Decimal128Type, Decimal256Type, DecimalType, Field, i256};

use super::Special;
use crate::types::{TYPMOD_KEY, UNCONSTRAINED_NUMERIC_PRECISION, numeric_typmod};

/// Whether a Decimal256 value with type modifier `typmod` is shown at its smallest exact
/// scale: without a modifier, or with a negative scale in it.
pub fn shown_minimal(typmod: i32) -> bool {
    numeric_typmod(typmod).is_none_or(|(_, scale)| scale < 0)
}

/// Whether the Decimal256 values of `field` are shown at their smallest exact scale, by the
/// type modifier in its metadata (none: unconstrained).
pub fn field_shown_minimal(field: &Field) -> bool {
    shown_minimal(field.metadata().get(TYPMOD_KEY).and_then(|t| t.parse().ok()).unwrap_or(-1))
}

/// `value` / 10^`scale` at the smallest scale (down to 0) that represents it exactly.
pub fn minimal_scale(mut value: i256, mut scale: i8) -> (i256, i8) {
    let ten = i256::from_i128(10);
    while scale > 0 && value.wrapping_rem(ten) == i256::ZERO {
        value = value.wrapping_div(ten);
        scale -= 1;
    }
    (value, scale)
}

/// PostgreSQL's text of a `numeric(p, s)` held in a Decimal128 (`value` / 10^`scale`):
/// `scale` digits after the point, or the special it stands for.
pub fn decimal128_text(value: i128, precision: u8, scale: i8) -> String {
    match Special::of128(value) {
        Some(special) => special.text().to_string(),
        None => Decimal128Type::format_decimal(value, precision, scale),
    }
}

/// PostgreSQL's text of a numeric held in a Decimal256 (`value` / 10^`scale`): at the
/// smallest exact scale when `minimal` (see [`shown_minimal`]), else at `scale`; or the
/// special it stands for.
pub fn decimal256_text(value: i256, scale: i8, minimal: bool) -> String {
    if let Some(special) = Special::of256(value) {
        return special.text().to_string();
    }
    let (value, scale) = if minimal { minimal_scale(value, scale) } else { (value, scale) };
    Decimal256Type::format_decimal(value, UNCONSTRAINED_NUMERIC_PRECISION, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typmods_say_how_values_are_shown() {
        // SELECT atttypmod ... numeric(10,2) -> 655366, numeric(2,-3) -> 133121
        assert!(!shown_minimal(655_366));
        assert!(shown_minimal(133_121));
        assert!(shown_minimal(-1));
    }

    #[test]
    fn decimals_are_written_as_postgresql_writes_numerics() {
        assert_eq!(decimal128_text(0, 10, 2), "0.00");
        assert_eq!(decimal128_text(-5, 10, 3), "-0.005");
        assert_eq!(decimal128_text(12_345, 10, 0), "12345");
        assert_eq!(decimal128_text(Special::NaN.raw128(), 10, 2), "NaN");
        let n = |v: i128| i256::from_i128(v);
        assert_eq!(decimal256_text(n(150_000), 5, true), "1.5");
        assert_eq!(decimal256_text(n(150_000), 5, false), "1.50000");
        assert_eq!(decimal256_text(Special::NegativeInfinity.raw256(), 20, true), "-Infinity");
    }

    #[test]
    fn trailing_fractional_zeros_go() {
        let n = |v: i128| i256::from_i128(v);
        assert_eq!(minimal_scale(n(150_000), 5), (n(15), 1));
        assert_eq!(minimal_scale(n(-2_000), 3), (n(-2), 0));
        assert_eq!(minimal_scale(n(1_000), 0), (n(1_000), 0), "integer zeros stay");
        assert_eq!(minimal_scale(n(0), 20), (n(0), 0));
        assert_eq!(minimal_scale(n(123), 2), (n(123), 2));
    }
}
