//! Shale's unconstrained `numeric`: a 256-bit decimal with a fixed scale (see
//! `shale_catalog::types::UNCONSTRAINED_NUMERIC_SCALE`), sent without a type modifier.
//! PostgreSQL shows such a value with the digits it has; Shale shows it at the smallest
//! scale that keeps its value, which is the same for every value written without trailing
//! fractional zeros. (`numeric(p, s)` with p above 38 is 256-bit too, but has a type
//! modifier and keeps its scale; `numeric(p, s)` with a negative scale is the unconstrained
//! decimal holding whole numbers, shown without a fraction.)

use datafusion::arrow::datatypes::i256;

use crate::encode::PgColumnType;

/// How values of a Decimal256 column of type `ty` with `scale` are shown: at their smallest
/// exact scale without a type modifier (unconstrained numeric) or with a negative scale in
/// it, as they are with another.
pub(super) fn shown(ty: &PgColumnType, scale: i8) -> impl Fn(i256) -> (i256, i8) + use<> {
    let minimal = ty.typmod < 0 || typmod_scale(ty.typmod) < 0;
    move |value| if minimal { minimal_scale(value, scale) } else { (value, scale) }
}

/// The scale packed in a numeric type modifier: its low 11 bits, signed.
fn typmod_scale(typmod: i32) -> i16 {
    let bits = ((typmod - 4) & 0x7ff) as i16;
    (bits << 5) >> 5
}

/// `value` / 10^`scale` at the smallest scale (down to 0) that represents it exactly.
fn minimal_scale(mut value: i256, mut scale: i8) -> (i256, i8) {
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
    fn typmods_give_their_scale() {
        // SELECT atttypmod ... numeric(10,2) -> 655366, numeric(2,-3) -> 133121
        assert_eq!(typmod_scale(655_366), 2);
        assert_eq!(typmod_scale(133_121), -3);
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
