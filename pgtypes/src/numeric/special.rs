//! NaN, Infinity and -Infinity of `numeric` as decimal values: 10^38 (Decimal128) or 10^76
//! (Decimal256), one past it, and its negation; no precision reaches them.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ArrowPrimitiveType, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Decimal256Type, Float32Type, Float64Type, i256};

use crate::error::{PgError, sqlstate};

/// A `numeric` value that is not a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// NaN: equal to itself and greater than every other value, as in PostgreSQL.
    NaN,
    /// Infinity.
    Infinity,
    /// -Infinity.
    NegativeInfinity,
}

const BOUND_128: i128 = 10_i128.pow(38);

fn bound_256() -> i256 {
    i256::from_i128(10).wrapping_pow(76)
}

impl Special {
    /// PostgreSQL's output text.
    pub fn text(self) -> &'static str {
        match self {
            Special::NaN => "NaN",
            Special::Infinity => "Infinity",
            Special::NegativeInfinity => "-Infinity",
        }
    }

    /// The sign word of PostgreSQL's binary numeric (`numeric_send`).
    pub fn binary_sign(self) -> u16 {
        match self {
            Special::NaN => 0xC000,
            Special::Infinity => 0xD000,
            Special::NegativeInfinity => 0xF000,
        }
    }

    /// The special a text names, spelled as `numeric_in` accepts it.
    pub fn parse(text: &str) -> Option<Special> {
        match text.trim().to_ascii_lowercase().as_str() {
            "nan" => Some(Special::NaN),
            "infinity" | "+infinity" | "inf" | "+inf" => Some(Special::Infinity),
            "-infinity" | "-inf" => Some(Special::NegativeInfinity),
            _ => None,
        }
    }

    /// The special a float is, if it is not finite.
    pub fn of_float(value: f64) -> Option<Special> {
        match value {
            v if v.is_nan() => Some(Special::NaN),
            v if v == f64::INFINITY => Some(Special::Infinity),
            v if v == f64::NEG_INFINITY => Some(Special::NegativeInfinity),
            _ => None,
        }
    }

    /// The float a special converts to.
    pub fn float(self) -> f64 {
        match self {
            Special::NaN => f64::NAN,
            Special::Infinity => f64::INFINITY,
            Special::NegativeInfinity => f64::NEG_INFINITY,
        }
    }

    /// The special a Decimal128 value stands for.
    pub fn of128(raw: i128) -> Option<Special> {
        match raw {
            BOUND_128 => Some(Special::Infinity),
            v if v == BOUND_128 + 1 => Some(Special::NaN),
            v if v == -BOUND_128 => Some(Special::NegativeInfinity),
            _ => None,
        }
    }

    /// The special a Decimal256 value stands for.
    pub fn of256(raw: i256) -> Option<Special> {
        let bound = bound_256();
        match raw {
            v if v == bound => Some(Special::Infinity),
            v if v == bound.wrapping_add(i256::ONE) => Some(Special::NaN),
            v if v == bound.wrapping_neg() => Some(Special::NegativeInfinity),
            _ => None,
        }
    }

    /// The Decimal128 value that stands for this special.
    pub fn raw128(self) -> i128 {
        match self {
            Special::NaN => BOUND_128 + 1,
            Special::Infinity => BOUND_128,
            Special::NegativeInfinity => -BOUND_128,
        }
    }

    /// The Decimal256 value that stands for this special.
    pub fn raw256(self) -> i256 {
        match self {
            Special::NaN => bound_256().wrapping_add(i256::ONE),
            Special::Infinity => bound_256(),
            Special::NegativeInfinity => bound_256().wrapping_neg(),
        }
    }

    /// The special with the opposite sign (NaN stays NaN).
    pub fn negated(self) -> Special {
        match self {
            Special::NaN => Special::NaN,
            Special::Infinity => Special::NegativeInfinity,
            Special::NegativeInfinity => Special::Infinity,
        }
    }
}

/// The special of each row of `array` (decimals, floats or text), or `None` when it has
/// none (the usual case, checked without allocating per row).
pub fn specials(array: &ArrayRef) -> Option<Vec<Option<Special>>> {
    fn collect<T>(values: impl Iterator<Item = Option<T>> + Clone, of: impl Fn(T) -> Option<Special>) -> Option<Vec<Option<Special>>> {
        let specials = values.map(|v| v.and_then(&of));
        specials.clone().any(|s| s.is_some()).then(|| specials.collect())
    }
    match array.data_type() {
        DataType::Decimal128(..) => collect(array.as_primitive::<Decimal128Type>().iter(), Special::of128),
        DataType::Decimal256(..) => collect(array.as_primitive::<Decimal256Type>().iter(), Special::of256),
        DataType::Float64 => collect(array.as_primitive::<Float64Type>().iter(), Special::of_float),
        DataType::Float32 => collect(array.as_primitive::<Float32Type>().iter(), |v| Special::of_float(v.into())),
        DataType::Utf8 => collect(array.as_string::<i32>().iter(), Special::parse),
        DataType::LargeUtf8 => collect(array.as_string::<i64>().iter(), Special::parse),
        DataType::Utf8View => collect(array.as_string_view().iter(), Special::parse),
        _ => None,
    }
}

/// `array` (of `T`) with each row's value replaced by `value(row, value)`.
pub(crate) fn map_rows<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    value: impl Fn(usize, Option<T::Native>) -> Option<T::Native>,
) -> ArrayRef {
    let typed = array.as_primitive::<T>();
    let out: PrimitiveArray<T> = typed.iter().enumerate().map(|(row, v)| value(row, v)).collect();
    Arc::new(out.with_data_type(array.data_type().clone()))
}

/// Whether a type can hold a numeric special (decimals) or spell one (floats, text).
pub fn may_hold_specials(data_type: &DataType) -> bool {
    is_decimal(data_type)
        || matches!(data_type, DataType::Float32 | DataType::Float64 | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Whether a type is one of Arrow's decimals (PostgreSQL's numeric).
pub fn is_decimal(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Decimal128(..) | DataType::Decimal256(..))
}

/// 22003 for an infinity stored or cast into `numeric(p, s)`, as PostgreSQL words it.
pub fn infinite_overflow(p: i32, s: i32) -> PgError {
    PgError::new(sqlstate::OUT_OF_RANGE, "numeric field overflow")
        .with_detail(format!("A field with precision {p}, scale {s} cannot hold an infinite value."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_order_as_in_postgres() {
        let specials = [Special::NegativeInfinity, Special::Infinity, Special::NaN];
        let (lowest, highest) = (-(BOUND_128 - 1), BOUND_128 - 1);
        assert!(specials[0].raw128() < lowest && highest < specials[1].raw128() && specials[1].raw128() < specials[2].raw128());
        let bound = bound_256().wrapping_sub(i256::ONE);
        assert!(specials[0].raw256() < bound.wrapping_neg() && bound < specials[1].raw256() && specials[1].raw256() < specials[2].raw256());
        for s in specials {
            assert_eq!((Special::of128(s.raw128()), Special::of256(s.raw256())), (Some(s), Some(s)));
        }
        assert_eq!(Special::of128(highest), None);
    }

    #[test]
    fn reads_numeric_in_spellings() {
        assert_eq!(Special::parse(" -Inf "), Some(Special::NegativeInfinity));
        assert_eq!(Special::parse("+infinity"), Some(Special::Infinity));
        assert_eq!(Special::parse("nan"), Some(Special::NaN));
        assert_eq!(Special::parse("infinit"), None);
    }
}
