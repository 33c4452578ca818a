//! Arrow arrays in, PostgreSQL 15's text out: the expected strings are what
//! `psql -At` printed for the same values (DateStyle ISO, MDY; IntervalStyle
//! postgres; TimeZone UTC).

use std::sync::Arc;

use bytes::BytesMut;
use datafusion::arrow::array::*;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Field, Fields, IntervalDayTime, IntervalMonthDayNano, Schema, i256,
};
use pgwire::api::Type;

use super::ColumnWriter;
use pgwire::api::results::FieldFormat;
use crate::encode::{EncodeError, PgColumnType, encode_batch, pg_type_of};

/// Every row of `batch` in text format.
fn encode_batch_text(batch: &RecordBatch, types: &[PgColumnType]) -> Result<Vec<pgwire::messages::data::DataRow>, EncodeError> {
    encode_batch(batch, types, &vec![FieldFormat::Text; types.len()])
}

/// The text of one value (false: NULL), as the batch encoder writes it.
fn write_text(array: &dyn Array, row: usize, ty: &PgColumnType, out: &mut BytesMut) -> Result<bool, EncodeError> {
    ColumnWriter::new(array, ty, FieldFormat::Text)?.write(row, out)
}

/// Every row of `array` as text, `None` for NULL, announced as pg_type_of says.
pub(super) fn texts(array: &dyn Array) -> Vec<Option<String>> {
    let ty = pg_type_of(&Field::new("c", array.data_type().clone(), true));
    texts_as(array, &ty)
}

fn texts_as(array: &dyn Array, ty: &PgColumnType) -> Vec<Option<String>> {
    (0..array.len())
        .map(|row| {
            let mut out = BytesMut::new();
            let written = write_text(array, row, ty, &mut out).unwrap();
            written.then(|| String::from_utf8(out.to_vec()).unwrap())
        })
        .collect()
}

pub(super) fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

#[test]
fn integers_of_every_width() {
    assert_eq!(
        texts(&Int8Array::from(vec![i8::MIN, 0])),
        some(&["-128", "0"])
    );
    assert_eq!(texts(&Int16Array::from(vec![i16::MAX])), some(&["32767"]));
    assert_eq!(texts(&Int32Array::from(vec![-7])), some(&["-7"]));
    assert_eq!(
        texts(&Int64Array::from(vec![i64::MIN])),
        some(&["-9223372036854775808"])
    );
    assert_eq!(texts(&UInt8Array::from(vec![255])), some(&["255"]));
    assert_eq!(texts(&UInt16Array::from(vec![65535])), some(&["65535"]));
    assert_eq!(
        texts(&UInt32Array::from(vec![u32::MAX])),
        some(&["4294967295"])
    );
    assert_eq!(
        texts(&UInt64Array::from(vec![u64::MAX])),
        some(&["18446744073709551615"])
    );
}

#[test]
fn bool_float_and_null() {
    // SELECT true, false, NULL::bool
    let bools = BooleanArray::from(vec![Some(true), Some(false), None]);
    assert_eq!(
        texts(&bools),
        vec![Some("t".into()), Some("f".into()), None]
    );
    let halves = cast(&Float32Array::from(vec![1.5]), &DataType::Float16).unwrap();
    assert_eq!(texts(&halves), some(&["1.5"]));
    // SELECT 1234567::float4, 1e-5::float8
    assert_eq!(
        texts(&Float32Array::from(vec![1234567.0])),
        some(&["1.234567e+06"])
    );
    assert_eq!(texts(&Float64Array::from(vec![1e-5])), some(&["1e-05"]));
    assert_eq!(texts(&NullArray::new(2)), vec![None, None]);
}

#[test]
fn constrained_numerics_keep_their_scale() {
    // SELECT 12.30::numeric(10,2), -0.05::numeric(10,2)
    let decimals = Decimal128Array::from(vec![1230, -5])
        .with_precision_and_scale(10, 2)
        .unwrap();
    assert_eq!(texts(&decimals), some(&["12.30", "-0.05"]));
    // Decimal256 is Shale's unconstrained numeric: shown without trailing fractional zeros.
    let wide = Decimal256Array::from(vec![
        i256::from_i128(12345678901234567890123456781234567890),
        i256::from_i128(-15_000_000_000),
    ])
    .with_precision_and_scale(76, 10)
    .unwrap();
    assert_eq!(
        texts(&wide),
        some(&["1234567890123456789012345678.123456789", "-1.5"])
    );
}

#[test]
fn strings_and_binaries_of_every_layout() {
    assert_eq!(texts(&StringArray::from(vec!["a b"])), some(&["a b"]));
    assert_eq!(texts(&LargeStringArray::from(vec!["xé"])), some(&["xé"]));
    assert_eq!(
        texts(&StringViewArray::from(vec!["a somewhat longer string"])),
        some(&["a somewhat longer string"])
    );
    // SELECT '\x00ff10'::bytea
    let bytes: &[u8] = &[0x00, 0xff, 0x10];
    assert_eq!(texts(&BinaryArray::from(vec![bytes])), some(&["\\x00ff10"]));
    assert_eq!(
        texts(&LargeBinaryArray::from(vec![bytes])),
        some(&["\\x00ff10"])
    );
    assert_eq!(
        texts(&BinaryViewArray::from(vec![bytes])),
        some(&["\\x00ff10"])
    );
    let fixed = FixedSizeBinaryArray::try_from_iter(vec![bytes].into_iter()).unwrap();
    assert_eq!(texts(&fixed), some(&["\\x00ff10"]));
}

#[test]
fn uuids_from_binary_and_text() {
    // SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid
    let expected = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    let bytes: [u8; 16] = [
        0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a,
        0x11,
    ];
    let uuid = PgColumnType {
        ty: Type::UUID,
        typmod: -1,
        typlen: 16,
    };
    let binary = FixedSizeBinaryArray::try_from_iter(vec![bytes].into_iter()).unwrap();
    assert_eq!(texts_as(&binary, &uuid), some(&[expected]));
    assert_eq!(
        texts_as(&StringArray::from(vec![expected]), &uuid),
        some(&[expected])
    );
}

#[test]
fn dates_and_times_of_every_unit() {
    // SELECT '2024-02-29'::date, '0044-03-15 BC'::date
    assert_eq!(
        texts(&Date32Array::from(vec![19782, -735160])),
        some(&["2024-02-29", "0044-03-15 BC"])
    );
    assert_eq!(
        texts(&Date64Array::from(vec![19782 * 86_400_000 + 5, -1])),
        some(&["2024-02-29", "1969-12-31"])
    );
    // SELECT '13:45:06.5'::time, '01:02:03.000123'::time, '00:00:00'::time
    assert_eq!(
        texts(&Time32SecondArray::from(vec![49506])),
        some(&["13:45:06"])
    );
    assert_eq!(
        texts(&Time32MillisecondArray::from(vec![49506500])),
        some(&["13:45:06.5"])
    );
    assert_eq!(
        texts(&Time64MicrosecondArray::from(vec![3723000123])),
        some(&["01:02:03.000123"])
    );
    // '13:45:06.0000015'::time rounds to 13:45:06.000002
    assert_eq!(
        texts(&Time64NanosecondArray::from(vec![49506000001500])),
        some(&["13:45:06.000002"])
    );
}

#[test]
fn timestamps_of_every_unit_and_zone() {
    // SET TimeZone='UTC'; SELECT '2024-06-01 08:00:01.5'::timestamp
    let expected = "2024-06-01 08:00:01.5";
    let seconds = TimestampSecondArray::from(vec![1717228801]);
    assert_eq!(texts(&seconds), some(&["2024-06-01 08:00:01"]));
    assert_eq!(
        texts(&TimestampMillisecondArray::from(vec![1717228801500])),
        some(&[expected])
    );
    assert_eq!(
        texts(&TimestampMicrosecondArray::from(vec![1717228801500000])),
        some(&[expected])
    );
    assert_eq!(
        texts(&TimestampNanosecondArray::from(vec![1717228801500000000])),
        some(&[expected])
    );
    // SELECT '2024-06-01 10:00:00+02'::timestamptz
    let zoned = TimestampMicrosecondArray::from(vec![1717228800000000]).with_timezone("+02:00");
    assert_eq!(texts(&zoned), some(&["2024-06-01 08:00:00+00"]));
    let utc = TimestampSecondArray::from(vec![-63517779000]).with_timezone("UTC");
    assert_eq!(texts(&utc), some(&["0044-03-15 12:30:00+00 BC"]));
    // SELECT '294276-12-31 23:59:59'::timestamp (beyond i64 microseconds)
    assert_eq!(
        texts(&TimestampSecondArray::from(vec![9224318015999])),
        some(&["294276-12-31 23:59:59"])
    );
}

#[test]
fn intervals_and_durations() {
    // SELECT '1 year 2 mons 3 days 04:05:06.5'::interval, '-1 years -2 mons', '-1 days +02:00:00'
    let month_day_nano =
        IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(14, 3, 14_706_500_000_000)]);
    assert_eq!(
        texts(&month_day_nano),
        some(&["1 year 2 mons 3 days 04:05:06.5"])
    );
    assert_eq!(
        texts(&IntervalYearMonthArray::from(vec![-14])),
        some(&["-1 years -2 mons"])
    );
    let day_time = IntervalDayTimeArray::from(vec![IntervalDayTime::new(-1, 7_200_000)]);
    assert_eq!(texts(&day_time), some(&["-1 days +02:00:00"]));
    // SELECT '100 hours'::interval, '-1 second'::interval
    assert_eq!(
        texts(&DurationSecondArray::from(vec![360_000, -1])),
        some(&["100:00:00", "-00:00:01"])
    );
    assert_eq!(
        texts(&DurationNanosecondArray::from(vec![1_250_000_000])),
        some(&["00:00:01.25"])
    );
}

#[test]
fn sliced_arrays_keep_their_nulls() {
    let ints = Int32Array::from(vec![Some(1), None, Some(3)]).slice(1, 2);
    assert_eq!(texts(&ints), vec![None, Some("3".into())]);
}

#[test]
fn batches_become_data_rows() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("i", DataType::Int32, true),
        Field::new("s", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int32Array::from(vec![Some(42), None])),
            Arc::new(StringArray::from(vec![Some(""), Some("ab")])),
        ],
    )
    .unwrap();
    let types: Vec<_> = schema.fields().iter().map(|f| pg_type_of(f)).collect();
    let rows = encode_batch_text(&batch, &types).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row.field_count == 2));
    assert_eq!(&rows[0].data[..], b"\0\0\0\x0242\0\0\0\0");
    assert_eq!(&rows[1].data[..], b"\xff\xff\xff\xff\0\0\0\x02ab");
}

#[test]
fn errors_name_their_cause_and_sqlstate() {
    let fields = Fields::from(vec![Field::new("a", DataType::Int32, true)]);
    let structs = StructArray::new(fields, vec![Arc::new(Int32Array::from(vec![1]))], None);
    let text = PgColumnType {
        ty: Type::TEXT,
        typmod: -1,
        typlen: -1,
    };
    let err = write_text(&structs, 0, &text, &mut BytesMut::new()).unwrap_err();
    assert!(matches!(err, EncodeError::Unsupported(_)));
    assert_eq!(err.sqlstate(), "0A000");
    assert!(err.to_string().starts_with("unsupported arrow type"));

    let schema = Arc::new(Schema::new(vec![Field::new("i", DataType::Int32, true)]));
    let batch = RecordBatch::try_new(schema, vec![Arc::new(Int32Array::from(vec![1]))]).unwrap();
    let err = encode_batch_text(&batch, &[]).unwrap_err();
    assert!(matches!(
        err,
        EncodeError::ColumnCount {
            columns: 1,
            types: 0
        }
    ));
}
