//! PostgreSQL array literals from Arrow lists: `{1,2,NULL}`, `{"a b",""}`,
//! `{{1,2},{3,4}}`; and int2vector / oidvector values, space-separated: `2 1`.

use pgwire::api::results::FieldFormat;
use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::{GenericListArray, OffsetSizeTrait};
use datafusion::arrow::datatypes::{DataType, FieldRef};

use super::{ColumnWriter, ValueWriter};
use crate::encode::EncodeError;
use crate::encode::pg_type::pg_type_of;
use shale_pgtypes::field_type::is_list;

/// A value writer for a List or LargeList array (`None` when the downcast
/// failed) whose item field is `item`. Elements are written in their own
/// type's text format, quoted as array_out quotes them; as a `vector`
/// (int2vector, oidvector), separated by spaces without braces.
pub(super) fn list_writer<'a, O: OffsetSizeTrait>(
    list: Option<&'a GenericListArray<O>>,
    data_type: &DataType,
    item: &FieldRef,
    vector: bool,
) -> Result<ValueWriter<'a>, EncodeError> {
    let list = list.ok_or_else(|| EncodeError::Downcast(data_type.clone()))?;
    let elements = ColumnWriter::new(list.values().as_ref(), &pg_type_of(item), FieldFormat::Text)?;
    // The elements of a multidimensional array are sub-arrays, never quoted.
    let nested = is_list(item.data_type());
    Ok(Box::new(move |row, out| {
        let offsets = list.value_offsets();
        let (start, end) = (offsets[row].as_usize(), offsets[row + 1].as_usize());
        if !vector {
            out.put_u8(b'{');
        }
        for element in start..end {
            if element > start {
                out.put_u8(if vector { b' ' } else { b',' });
            }
            let begin = out.len();
            if !elements.write(element, out)? {
                out.put_slice(b"NULL");
            } else if !nested && !vector && needs_quotes(&out[begin..]) {
                quote_from(begin, out);
            }
        }
        if !vector {
            out.put_u8(b'}');
        }
        Ok(())
    }))
}

/// Whether array_out quotes an element: empty, `NULL` in any case, or holding
/// a quote, a backslash, a brace, the delimiter or white space.
fn needs_quotes(element: &[u8]) -> bool {
    element.is_empty()
        || element.eq_ignore_ascii_case(b"NULL")
        || element.iter().any(|byte| {
            matches!(
                byte,
                b'"' | b'\\' | b'{' | b'}' | b',' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
            )
        })
}

/// Puts the element written from `begin` on in double quotes, with its quotes
/// and backslashes escaped by a backslash.
fn quote_from(begin: usize, out: &mut BytesMut) {
    // Copy the element out rather than split the buffer: a split buffer would
    // reallocate, copying the whole row, at the next write.
    let element = out[begin..].to_vec();
    out.truncate(begin);
    out.reserve(element.len() + 2);
    out.put_u8(b'"');
    for byte in element {
        if byte == b'"' || byte == b'\\' {
            out.put_u8(b'\\');
        }
        out.put_u8(byte);
    }
    out.put_u8(b'"');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::*;
    use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
    use datafusion::arrow::datatypes::{Field, Int32Type, IntervalMonthDayNano};
    use pgwire::api::Type;

    use super::super::tests::{some, texts};
    use crate::encode::pg_type_of;

    /// A list array whose rows are `values` cut at `offsets`.
    fn list_of(values: ArrayRef, offsets: Vec<i32>) -> ListArray {
        let item = Arc::new(Field::new_list_field(values.data_type().clone(), true));
        ListArray::new(
            item,
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            values,
            None,
        )
    }

    #[test]
    fn arrays_quote_elements_like_array_out() {
        // SELECT ARRAY[1,2,NULL]::int4[], '{}'::int[], NULL::int[]
        let ints = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2), None]),
            Some(vec![]),
            None,
        ]);
        assert_eq!(
            texts(&ints),
            vec![Some("{1,2,NULL}".into()), Some("{}".into()), None]
        );
        // SELECT ARRAY['a b','x"y',NULL,'','NULL','null','a\b','{}','a,b',' lead',E'tab\there','plain']
        let words: StringArray = vec![
            Some("a b"),
            Some("x\"y"),
            None,
            Some(""),
            Some("NULL"),
            Some("null"),
            Some("a\\b"),
            Some("{}"),
            Some("a,b"),
            Some(" lead"),
            Some("tab\there"),
            Some("plain"),
        ]
        .into_iter()
        .collect();
        let words = list_of(Arc::new(words), vec![0, 12]);
        let expected =
            r#"{"a b","x\"y",NULL,"","NULL","null","a\\b","{}","a,b"," lead","tab	here",plain}"#;
        assert_eq!(texts(&words), some(&[expected]));
        // SELECT ARRAY['Nullx'], ARRAY[E'x\u00e9'], ARRAY['a;b'], ARRAY[E'new\nline']
        let plain = list_of(
            Arc::new(StringArray::from(vec!["Nullx", "xé", "a;b", "new\nline"])),
            vec![0, 1, 2, 3, 4],
        );
        assert_eq!(
            texts(&plain),
            some(&["{Nullx}", "{xé}", "{a;b}", "{\"new\nline\"}"])
        );
    }

    #[test]
    fn arrays_of_other_types() {
        // SELECT ARRAY['\x0102'::bytea], ARRAY['2020-01-01 00:00:00'::timestamp],
        //        ARRAY['0'::interval], ARRAY['24:00:00'::interval], ARRAY[true,false],
        //        ARRAY[1.5e300::float8, 1e-5, 'NaN'], ARRAY[1.50::numeric],
        //        ARRAY['2020-01-01'::date], ARRAY[NULL,NULL]::text[]
        let bytes: &[u8] = &[1, 2];
        let cases: Vec<(ArrayRef, &str)> = vec![
            (Arc::new(BinaryArray::from(vec![bytes])), r#"{"\\x0102"}"#),
            (
                Arc::new(TimestampSecondArray::from(vec![1577836800])),
                r#"{"2020-01-01 00:00:00"}"#,
            ),
            (
                Arc::new(IntervalYearMonthArray::from(vec![0])),
                "{00:00:00}",
            ),
            (
                Arc::new(DurationSecondArray::from(vec![86400])),
                "{24:00:00}",
            ),
            (Arc::new(BooleanArray::from(vec![true, false])), "{t,f}"),
            (
                Arc::new(Float64Array::from(vec![1.5e300, 1e-5, f64::NAN])),
                "{1.5e+300,1e-05,NaN}",
            ),
            (
                Arc::new(
                    Decimal128Array::from(vec![150])
                        .with_precision_and_scale(3, 2)
                        .unwrap(),
                ),
                "{1.50}",
            ),
            (Arc::new(Date32Array::from(vec![18262])), "{2020-01-01}"),
            (Arc::new(NullArray::new(2)), "{NULL,NULL}"),
        ];
        for (values, expected) in cases {
            let len = i32::try_from(values.len()).unwrap();
            assert_eq!(texts(&list_of(values, vec![0, len])), some(&[expected]));
        }
        // SELECT ARRAY['1 day'::interval]
        let day = IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(0, 1, 0)]);
        assert_eq!(
            texts(&list_of(Arc::new(day), vec![0, 1])),
            some(&[r#"{"1 day"}"#])
        );
    }

    #[test]
    fn nested_lists_are_multidimensional_arrays() {
        // SELECT ARRAY[[1,2],[3,4]]
        let inner = list_of(Arc::new(Int32Array::from(vec![1, 2, 3, 4])), vec![0, 2, 4]);
        let outer = list_of(Arc::new(inner), vec![0, 2]);
        assert_eq!(texts(&outer), some(&["{{1,2},{3,4}}"]));
        assert_eq!(
            pg_type_of(&Field::new("a", outer.data_type().clone(), true)).ty,
            Type::INT4_ARRAY
        );
    }

    #[test]
    fn sliced_lists_keep_their_offsets() {
        let lists = list_of(Arc::new(Int32Array::from(vec![1, 2, 3])), vec![0, 1, 3]).slice(1, 1);
        assert_eq!(texts(&lists), some(&["{2,3}"]));
    }
}
