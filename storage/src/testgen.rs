//! Test helpers shared by the codec tests: proptest generators, boundary samples per kind,
//! and the reference order that the key encoding must reproduce.

use std::cmp::Ordering;

use proptest::prelude::*;

use crate::{Datum, Kind};

/// Every kind, for exhaustive loops.
pub const ALL_KINDS: [Kind; 15] = [
    Kind::Bool,
    Kind::Int16,
    Kind::Int32,
    Kind::Int64,
    Kind::Float32,
    Kind::Float64,
    Kind::Decimal128,
    Kind::Decimal256,
    Kind::Text,
    Kind::Bytes,
    Kind::Date32,
    Kind::Time64,
    Kind::Timestamp,
    Kind::Interval,
    Kind::Array,
];

/// Any kind.
pub fn arb_kind() -> impl Strategy<Value = Kind> {
    proptest::sample::select(ALL_KINDS.to_vec())
}

/// Short strings over a small alphabet including NUL, so that prefixes and ties are common.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        proptest::sample::select(vec![0u8, 1, b'a', b'b', 0xfe, 0xff]),
        0..20,
    )
}

/// Any non-NULL value of `kind`, biased towards boundaries by mixing in the samples.
pub fn arb_value(kind: Kind) -> BoxedStrategy<Datum> {
    let any = match kind {
        Kind::Bool => any::<bool>().prop_map(Datum::Bool).boxed(),
        Kind::Int16 => any::<i16>().prop_map(Datum::Int16).boxed(),
        Kind::Int32 => any::<i32>().prop_map(Datum::Int32).boxed(),
        Kind::Int64 => any::<i64>().prop_map(Datum::Int64).boxed(),
        Kind::Float32 => any::<f32>().prop_map(Datum::Float32).boxed(),
        Kind::Float64 => any::<f64>().prop_map(Datum::Float64).boxed(),
        Kind::Decimal128 => any::<i128>().prop_map(Datum::Decimal128).boxed(),
        Kind::Decimal256 => any::<[u8; 32]>().prop_map(Datum::Decimal256).boxed(),
        Kind::Text => prop_oneof![
            "[a-c\u{0}é]{0,12}".prop_map(Datum::Text),
            any::<String>().prop_map(Datum::Text),
        ]
        .boxed(),
        Kind::Bytes => arb_bytes().prop_map(Datum::Bytes).boxed(),
        Kind::Array => proptest::collection::vec(arb_datum(Kind::Int64), 0..10)
            .prop_map(|elements| array(&elements))
            .boxed(),
        Kind::Date32 => any::<i32>().prop_map(Datum::Date32).boxed(),
        Kind::Time64 => any::<i64>().prop_map(Datum::Time64).boxed(),
        Kind::Timestamp => any::<i64>().prop_map(Datum::Timestamp).boxed(),
        Kind::Interval => (any::<i32>(), any::<i32>(), any::<i64>())
            .prop_map(|(months, days, nanos)| Datum::Interval {
                months,
                days,
                nanos,
            })
            .boxed(),
    };
    prop_oneof![3 => any, 1 => proptest::sample::select(samples(kind))].boxed()
}

/// A value of `kind` or NULL.
pub fn arb_datum(kind: Kind) -> BoxedStrategy<Datum> {
    prop_oneof![1 => Just(Datum::Null), 6 => arb_value(kind)].boxed()
}

/// A list of kinds with one value (or NULL) for each.
pub fn arb_row() -> impl Strategy<Value = (Vec<Kind>, Vec<Datum>)> {
    proptest::collection::vec(arb_kind(), 0..20).prop_flat_map(|kinds| {
        let values: Vec<_> = kinds.iter().map(|k| arb_datum(*k)).collect();
        (Just(kinds), values)
    })
}

/// Boundary values of `kind`: MIN, MIN+1, MAX-1, MAX, zero, -0.0, infinities, NaN, empty
/// strings, NUL bytes and prefixes.
pub fn samples(kind: Kind) -> Vec<Datum> {
    macro_rules! ints {
        ($v:path, $t:ty) => {
            vec![
                $v(<$t>::MIN),
                $v(<$t>::MIN + 1),
                $v(-1),
                $v(0),
                $v(1),
                $v(<$t>::MAX - 1),
                $v(<$t>::MAX),
            ]
        };
    }
    macro_rules! floats {
        ($v:path, $t:ident) => {
            [
                $t::NEG_INFINITY,
                $t::MIN,
                -1.0,
                -$t::MIN_POSITIVE,
                -0.0,
                0.0,
                $t::MIN_POSITIVE,
                $t::EPSILON,
                1.0,
                $t::MAX,
                $t::INFINITY,
                $t::NAN,
            ]
            .into_iter()
            .map($v)
            .collect()
        };
    }
    let strings = [
        "",
        "\0",
        "\0\0",
        "a",
        "a\0",
        "a\0\0",
        "ab",
        "abcdefg",
        "abcdefgh",
        "abcdefgh\0",
        "abcdefghi",
        "b",
        "é",
    ];
    match kind {
        Kind::Bool => vec![Datum::Bool(false), Datum::Bool(true)],
        Kind::Int16 => ints!(Datum::Int16, i16),
        Kind::Int32 => ints!(Datum::Int32, i32),
        Kind::Int64 => ints!(Datum::Int64, i64),
        Kind::Float32 => floats!(Datum::Float32, f32),
        Kind::Float64 => floats!(Datum::Float64, f64),
        Kind::Decimal128 => ints!(Datum::Decimal128, i128),
        Kind::Decimal256 => [i128::MIN, -1, 0, 1, i128::MAX]
            .into_iter()
            .map(|v| {
                // Sign-extended to 256 bits, plus the 256-bit extremes.
                let fill = if v < 0 { 0xff } else { 0 };
                let mut le = [fill; 32];
                le[..16].copy_from_slice(&v.to_le_bytes());
                Datum::Decimal256(le)
            })
            .chain([Datum::Decimal256([0xff; 32]), {
                let mut max = [0xff; 32];
                max[31] = 0x7f;
                Datum::Decimal256(max)
            }])
            .collect(),
        Kind::Text => strings.iter().map(|s| Datum::Text(s.to_string())).collect(),
        Kind::Bytes => {
            let mut v: Vec<Datum> = strings
                .iter()
                .map(|s| Datum::Bytes(s.as_bytes().to_vec()))
                .collect();
            v.extend([
                Datum::Bytes(vec![0xff]),
                Datum::Bytes(vec![0xff; 8]),
                Datum::Bytes(vec![0xff; 9]),
            ]);
            v
        }
        Kind::Date32 => ints!(Datum::Date32, i32),
        Kind::Time64 => ints!(Datum::Time64, i64),
        Kind::Timestamp => ints!(Datum::Timestamp, i64),
        Kind::Array => vec![
            array(&[]),
            array(&[Datum::Null]),
            array(&[Datum::Int64(1), Datum::Null, Datum::Int64(-1)]),
        ],
        Kind::Interval => [
            (i32::MIN, 0, 0),
            (-1, i32::MAX, i64::MAX),
            (0, -1, 0),
            (0, 0, i64::MIN),
            (0, 0, 0),
            (0, 0, 1),
            (0, 1, i64::MIN),
            (i32::MAX, i32::MAX, i64::MAX),
        ]
        .into_iter()
        .map(|(months, days, nanos)| Datum::Interval {
            months,
            days,
            nanos,
        })
        .collect(),
    }
}

/// The order keys must have: NULL first, floats by IEEE total order with every NaN last and
/// equal, text and bytes bytewise, intervals field by field.
pub fn reference_cmp(a: &Datum, b: &Datum) -> Ordering {
    use Datum::*;
    match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Null, _) => Ordering::Less,
        (_, Null) => Ordering::Greater,
        (Bool(a), Bool(b)) => a.cmp(b),
        (Int16(a), Int16(b)) => a.cmp(b),
        (Int32(a), Int32(b)) | (Date32(a), Date32(b)) => a.cmp(b),
        (Int64(a), Int64(b)) | (Time64(a), Time64(b)) | (Timestamp(a), Timestamp(b)) => a.cmp(b),
        (Float32(a), Float32(b)) => canonical_f32(*a).total_cmp(&canonical_f32(*b)),
        (Float64(a), Float64(b)) => canonical_f64(*a).total_cmp(&canonical_f64(*b)),
        (Decimal128(a), Decimal128(b)) => a.cmp(b),
        (Decimal256(a), Decimal256(b)) => {
            // Signed: the sign (top bit of the last byte), then the bytes most significant first.
            let key = |le: &[u8; 32]| (le[31] & 0x80 == 0, le.iter().rev().copied().collect::<Vec<_>>());
            key(a).cmp(&key(b))
        }
        (Text(a), Text(b)) => a.cmp(b),
        (Bytes(a), Bytes(b)) | (Array(a), Array(b)) => a.cmp(b),
        (
            Interval {
                months: m1,
                days: d1,
                nanos: n1,
            },
            Interval {
                months: m2,
                days: d2,
                nanos: n2,
            },
        ) => (m1, d1, n1).cmp(&(m2, d2, n2)),
        _ => panic!("reference_cmp of different kinds: {a:?} vs {b:?}"),
    }
}

/// The encoded array of `elements`.
pub fn array(elements: &[Datum]) -> Datum {
    let refs: Vec<_> = elements.iter().map(Datum::as_ref).collect();
    let mut out = Vec::new();
    crate::encode_array(&refs, &mut out).expect("a small array fits");
    Datum::Array(out)
}

/// Equality that treats every NaN as equal to every NaN (what the codecs preserve).
pub fn same(a: &Datum, b: &Datum) -> bool {
    match (a, b) {
        (Datum::Float32(x), Datum::Float32(y)) => {
            canonical_f32(*x).to_bits() == canonical_f32(*y).to_bits()
        }
        (Datum::Float64(x), Datum::Float64(y)) => {
            canonical_f64(*x).to_bits() == canonical_f64(*y).to_bits()
        }
        _ => a == b,
    }
}

fn canonical_f32(v: f32) -> f32 {
    if v.is_nan() { f32::NAN } else { v }
}

fn canonical_f64(v: f64) -> f64 {
    if v.is_nan() { f64::NAN } else { v }
}
