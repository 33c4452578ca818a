use proptest::prelude::*;

use super::*;
use crate::testgen::{ALL_KINDS, arb_datum, arb_kind, reference_cmp, same, samples};

fn encode(values: &[Datum]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        encode_key_datum(v.as_ref(), &mut out);
    }
    out
}

fn assert_round_trip(values: &[Datum], kinds: &[Kind]) {
    let decoded = decode_key_datums(&encode(values), kinds).expect("decodes");
    assert_eq!(decoded.len(), values.len());
    for (d, v) in decoded.iter().zip(values) {
        assert!(same(d, v), "{v:?} decoded as {d:?}");
    }
}

/// Sorting values by the reference order must sort their encodings too, with equal values
/// (and only those) encoding alike.
fn assert_order_preserved(mut values: Vec<Datum>) {
    values.sort_by(reference_cmp);
    for pair in values.windows(2) {
        let (a, b) = (encode(&pair[..1]), encode(&pair[1..]));
        assert_eq!(
            a.cmp(&b),
            reference_cmp(&pair[0], &pair[1]),
            "{:?} vs {:?}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn boundary_samples_round_trip_and_keep_order() {
    for kind in ALL_KINDS {
        let mut values = samples(kind);
        values.push(Datum::Null);
        for v in &values {
            assert_round_trip(std::slice::from_ref(v), &[kind]);
        }
        assert_order_preserved(values);
    }
}

#[test]
fn float_order_is_neg_inf_neg_zero_zero_inf_nan() {
    let order = [
        f64::NEG_INFINITY,
        -1.0,
        -0.0,
        0.0,
        1.0,
        f64::INFINITY,
        f64::NAN,
    ];
    let keys: Vec<_> = order
        .iter()
        .map(|f| encode(&[Datum::Float64(*f)]))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        encode(&[Datum::Float64(-f64::NAN)]),
        encode(&[Datum::Float64(f64::NAN)])
    );
}

#[test]
fn composite_key_orders_by_first_column_even_for_prefixes() {
    let rows = [
        ("", 9),
        ("a", i64::MAX),
        ("a\0", i64::MIN),
        ("ab", -1),
        ("abcdefgh", 5),
        ("abcdefgh\0", 0),
        ("b", 0),
    ];
    let keys: Vec<_> = rows
        .iter()
        .map(|(t, i)| encode(&[Datum::Text(t.to_string()), Datum::Int64(*i)]))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    assert_round_trip(
        &[Datum::Text("a\0".into()), Datum::Int64(3)],
        &[Kind::Text, Kind::Int64],
    );
}

#[test]
fn golden_vectors() {
    let cases: [(Datum, &[u8]); 12] = [
        (Datum::Null, &[0x00]),
        (Datum::Bool(true), &[0x01, 0x01]),
        (Datum::Int16(-1), &[0x01, 0x7f, 0xff]),
        (Datum::Int32(i32::MIN), &[0x01, 0, 0, 0, 0]),
        (Datum::Int64(1), &[0x01, 0x80, 0, 0, 0, 0, 0, 0, 1]),
        (Datum::Float32(0.0), &[0x01, 0x80, 0, 0, 0]),
        (Datum::Float64(1.0), &[0x01, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0]),
        (
            Datum::Float64(-1.0),
            &[0x01, 0x40, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        ),
        (
            Datum::Text(String::new()),
            &[0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0xf7],
        ),
        (
            Datum::Text("abc".into()),
            &[0x01, b'a', b'b', b'c', 0, 0, 0, 0, 0, 0xfa],
        ),
        (
            Datum::Bytes(b"abcdefgh".to_vec()),
            &[
                0x01, b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h', 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
                0xf7,
            ],
        ),
        (
            Datum::Interval {
                months: 1,
                days: 0,
                nanos: -1,
            },
            &[
                0x01, 0x80, 0, 0, 1, 0x80, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        ),
    ];
    for (datum, bytes) in cases {
        assert_eq!(encode(std::slice::from_ref(&datum)), bytes, "{datum:?}");
    }
}

#[test]
fn malformed_keys_are_corrupt() {
    let bad: [(&[u8], Kind); 7] = [
        (&[], Kind::Int64),
        (&[0x02], Kind::Int64),
        (&[0x01, 0x80], Kind::Int32),
        (&[0x01, 0x02], Kind::Bool),
        (&[0x01, b'a', 0, 0, 0, 0, 0, 0, 0, 0xee], Kind::Bytes),
        (&[0x01, b'a', 1, 0, 0, 0, 0, 0, 0, 0xf8], Kind::Bytes),
        (&[0x01, 0xff, 0, 0, 0, 0, 0, 0, 0, 0xf8], Kind::Text),
    ];
    for (bytes, kind) in bad {
        assert!(
            matches!(decode_key_datums(bytes, &[kind]), Err(Error::Corrupt(_))),
            "{bytes:?}"
        );
    }
    let trailing = encode(&[Datum::Int16(1), Datum::Int16(2)]);
    assert!(matches!(
        decode_key_datums(&trailing, &[Kind::Int16]),
        Err(Error::Corrupt(_))
    ));
}

#[test]
fn decode_key_datum_reads_a_prefix_of_columns() {
    let key = encode(&[Datum::Int32(7), Datum::Text("x".into())]);
    let mut input = key.as_slice();
    assert_eq!(
        decode_key_datum(&mut input, Kind::Int32).expect("decodes"),
        Datum::Int32(7)
    );
    assert_eq!(input.len(), key.len() - 5);
}

#[test]
fn table_prefix_and_successor() {
    assert_eq!(table_prefix(0x0102), [0, 0, 0, 0, 0, 0, 1, 2]);
    assert!(table_prefix(255) < table_prefix(256));
    assert_eq!(prefix_successor(&[1, 2]), Some(vec![1, 3]));
    assert_eq!(prefix_successor(&[1, 0xff, 0xff]), Some(vec![2]));
    assert_eq!(prefix_successor(&[0xff, 0xff]), None);
    assert_eq!(prefix_successor(&[]), None);
    assert_eq!(
        prefix_successor(&table_prefix(7)),
        Some(table_prefix(8).to_vec())
    );
}

fn arb_pair() -> impl Strategy<Value = (Kind, Datum, Datum)> {
    arb_kind().prop_flat_map(|k| (Just(k), arb_datum(k), arb_datum(k)))
}

proptest! {
    #[test]
    fn prop_single_column_order_and_round_trip((kind, a, b) in arb_pair()) {
        assert_round_trip(std::slice::from_ref(&a), &[kind]);
        let (ka, kb) = (encode(std::slice::from_ref(&a)), encode(std::slice::from_ref(&b)));
        prop_assert_eq!(ka.cmp(&kb), reference_cmp(&a, &b), "{:?} vs {:?}", a, b);
    }

    #[test]
    fn prop_composite_keys_order_lexicographically(
        a in (arb_datum(Kind::Text), arb_datum(Kind::Int64), arb_datum(Kind::Bytes)),
        b in (arb_datum(Kind::Text), arb_datum(Kind::Int64), arb_datum(Kind::Bytes)),
    ) {
        let (a, b) = ([a.0, a.1, a.2], [b.0, b.1, b.2]);
        let expected = a.iter().zip(&b).map(|(x, y)| reference_cmp(x, y)).find(|o| o.is_ne());
        prop_assert_eq!(encode(&a).cmp(&encode(&b)), expected.unwrap_or(std::cmp::Ordering::Equal));
        assert_round_trip(&a, &[Kind::Text, Kind::Int64, Kind::Bytes]);
    }

    #[test]
    fn prop_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40), kind in arb_kind()) {
        let _ = decode_key_datums(&bytes, &[kind, kind]);
    }
}
