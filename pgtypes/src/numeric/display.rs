//! How Shale shows a 256-bit decimal. Unconstrained `numeric` is a decimal with a fixed
//! scale ([`crate::types::UNCONSTRAINED_NUMERIC_SCALE`]); PostgreSQL shows such a value with
//! the digits it has, Shale at the smallest scale that keeps its value, which is the same
//! for every value written without trailing fractional zeros. A negative-scale
//! `numeric(p, s)` holds whole numbers and is shown the same way; `numeric(p, s)` with p
//! above 38 keeps its scale.

use datafusion::arrow::datatypes::i256;

use crate::types::numeric_typmod;

/// Whether a Decimal256 value with type modifier `typmod` is shown at its smallest exact
/// scale: without a modifier, or with a negative scale in it.
pub fn shown_minimal(typmod: i32) -> bool {
    numeric_typmod(typmod).is_none_or(|(_, scale)| scale < 0)
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
    fn trailing_fractional_zeros_go() {
        let n = |v: i128| i256::from_i128(v);
        assert_eq!(minimal_scale(n(150_000), 5), (n(15), 1));
        assert_eq!(minimal_scale(n(-2_000), 3), (n(-2), 0));
        assert_eq!(minimal_scale(n(1_000), 0), (n(1_000), 0), "integer zeros stay");
        assert_eq!(minimal_scale(n(0), 20), (n(0), 0));
        assert_eq!(minimal_scale(n(123), 2), (n(123), 2));
    }
}
