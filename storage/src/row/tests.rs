use proptest::prelude::*;

use super::*;
use crate::Datum;
use crate::testgen::{ALL_KINDS, arb_row, array, same, samples};

fn encode(values: &[Datum]) -> Vec<u8> {
    let refs: Vec<_> = values.iter().map(Datum::as_ref).collect();
    let mut out = Vec::new();
    encode_row(&refs, &mut out).expect("row fits");
    out
}

#[test]
fn a_row_with_too_many_slots_is_an_error_not_a_panic() {
    let nulls = vec![DatumRef::Null; usize::from(u16::MAX) + 1];
    let err = encode_row(&nulls, &mut Vec::new()).unwrap_err();
    assert!(matches!(err, Error::TooLarge(_)), "{err}");
}

/// Decodes into owned values, NULL as `Datum::Null`, checking slots arrive in order.
fn decode(bytes: &[u8], kinds: &[Kind]) -> Result<Vec<Datum>> {
    let mut out = Vec::new();
    decode_row(bytes, kinds, |slot, value| {
        assert_eq!(slot, out.len());
        out.push(value.map_or(Datum::Null, |v| v.to_owned()));
    })?;
    Ok(out)
}

fn assert_same(decoded: &[Datum], values: &[Datum]) {
    assert_eq!(decoded.len(), values.len());
    for (d, v) in decoded.iter().zip(values) {
        assert!(same(d, v), "{v:?} decoded as {d:?}");
    }
}

#[test]
fn every_sample_round_trips_between_nulls() {
    for kind in ALL_KINDS {
        for v in samples(kind) {
            let values = [Datum::Null, v, Datum::Null];
            let bytes = encode(&values);
            assert_same(&decode(&bytes, &[kind; 3]).expect("decodes"), &values);
            assert_eq!(row_slot_count(&bytes), Ok(3));
        }
    }
}

#[test]
fn golden_vector() {
    let values = [
        Datum::Int32(1),
        Datum::Null,
        Datum::Text("hi".into()),
        Datum::Bool(true),
    ];
    let expected = [4, 0, 0b0010, 1, 0, 0, 0, 2, 0, 0, 0, b'h', b'i', 1];
    assert_eq!(encode(&values), expected);
    assert_eq!(encode(&[]), [0, 0]);
}

#[test]
fn rows_may_have_fewer_slots_than_kinds() {
    let bytes = encode(&[Datum::Int64(5)]);
    let decoded = decode(&bytes, &[Kind::Int64, Kind::Text, Kind::Bool]).expect("decodes");
    assert_eq!(decoded, [Datum::Int64(5)]);
    assert_eq!(row_slot_count(&bytes), Ok(1));
}

#[test]
fn values_borrow_from_the_row() {
    let bytes = encode(&[Datum::Text("borrowed".into()), Datum::Bytes(vec![1, 2])]);
    let mut text: Option<&str> = None;
    decode_row(&bytes, &[Kind::Text, Kind::Bytes], |slot, value| {
        if let (0, Some(DatumRef::Text(t))) = (slot, value) {
            text = Some(t);
        }
    })
    .expect("decodes");
    assert_eq!(text, Some("borrowed"));
}

#[test]
fn malformed_rows_are_corrupt() {
    let bytes = encode(&[Datum::Int64(1), Datum::Text("abc".into())]);
    let kinds = [Kind::Int64, Kind::Text];
    let is_corrupt = |r: Result<Vec<Datum>>| matches!(r, Err(Error::Corrupt(_)));
    for cut in 0..bytes.len() {
        assert!(is_corrupt(decode(&bytes[..cut], &kinds)), "cut at {cut}");
    }
    assert!(
        is_corrupt(decode(&bytes, &kinds[..1])),
        "more slots than kinds"
    );
    assert!(
        is_corrupt(decode(&[bytes.as_slice(), &[0]].concat(), &kinds)),
        "trailing bytes"
    );
    assert!(
        is_corrupt(decode(&encode(&[Datum::Bytes(vec![0xff])]), &[Kind::Text])),
        "not utf-8"
    );
    assert!(is_corrupt(decode(
        &encode(&[Datum::Int16(2)]),
        &[Kind::Bool]
    )));
    assert!(matches!(row_slot_count(&[1]), Err(Error::Corrupt(_))));
}

/// Decodes an array of `kind` into owned values, NULL as `Datum::Null`.
fn decode_elements(bytes: &[u8], kind: Kind) -> Result<Vec<Datum>> {
    let mut out = Vec::new();
    decode_array(bytes, kind, |value| out.push(value.map_or(Datum::Null, |v| v.to_owned())))?;
    Ok(out)
}

#[test]
fn arrays_are_laid_out_like_rows_with_a_u32_count() {
    let elements = [Datum::Int32(1), Datum::Null, Datum::Int32(-1)];
    let Datum::Array(bytes) = array(&elements) else { unreachable!() };
    assert_eq!(bytes, [3, 0, 0, 0, 0b010, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(decode_elements(&bytes, Kind::Int32).expect("decodes"), elements);
    // In a row, an array is a length-prefixed value.
    let row = encode(&[Datum::Array(bytes.clone())]);
    assert_eq!(row[..7], [1, 0, 0, 13, 0, 0, 0]);
    assert_eq!(decode(&row, &[Kind::Array]).expect("decodes"), [Datum::Array(bytes)]);
}

#[test]
fn every_sample_round_trips_as_an_array_element() {
    for kind in ALL_KINDS {
        let mut elements = samples(kind);
        elements.insert(1, Datum::Null);
        let Datum::Array(bytes) = array(&elements) else { unreachable!() };
        assert_same(&decode_elements(&bytes, kind).expect("decodes"), &elements);
    }
}

#[test]
fn malformed_arrays_are_corrupt() {
    let Datum::Array(bytes) = array(&[Datum::Text("ab".into()), Datum::Null]) else { unreachable!() };
    let is_corrupt = |r: Result<Vec<Datum>>| matches!(r, Err(Error::Corrupt(_)));
    for cut in 0..bytes.len() {
        assert!(is_corrupt(decode_elements(&bytes[..cut], Kind::Text)), "cut at {cut}");
    }
    assert!(is_corrupt(decode_elements(&[bytes.as_slice(), &[0]].concat(), Kind::Text)), "trailing bytes");
    assert!(is_corrupt(decode_elements(&[0xff, 0xff, 0xff, 0xff], Kind::Int32)), "count beyond the bytes");
}

proptest! {
    #[test]
    fn prop_round_trip((kinds, values) in arb_row(), extra in proptest::collection::vec(crate::testgen::arb_kind(), 0..3)) {
        let bytes = encode(&values);
        let all_kinds = [kinds.as_slice(), &extra].concat();
        assert_same(&decode(&bytes, &all_kinds).expect("decodes"), &values);
        prop_assert_eq!(row_slot_count(&bytes), Ok(values.len()));
    }

    #[test]
    fn prop_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40), (kinds, _) in arb_row()) {
        let _ = decode(&bytes, &kinds);
        for kind in &kinds {
            let _ = decode_elements(&bytes, *kind);
        }
    }
}
