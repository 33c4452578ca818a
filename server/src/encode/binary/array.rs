//! PostgreSQL's binary array format (`array_send`) from Arrow lists.

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::{Array, GenericListArray, OffsetSizeTrait};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use pgwire::api::results::FieldFormat;

use crate::encode::EncodeError;
use crate::encode::pg_type::pg_type_of;
use shale_pgtypes::field_type::is_list;
use crate::encode::text::{ColumnWriter, ValueWriter};

/// A value writer for a List or LargeList array (`None` when the downcast failed) whose
/// item field is `item`: the number of dimensions (0 for an empty array, else 1), whether
/// an element is NULL, the element type's OID, the length and lower bound (1) of the
/// dimension, then each element as its length (-1 for NULL) and its binary value.
/// Multidimensional arrays are not supported.
pub(super) fn list_writer<'a, O: OffsetSizeTrait>(
    list: Option<&'a GenericListArray<O>>,
    data_type: &DataType,
    item: &FieldRef,
) -> Result<ValueWriter<'a>, EncodeError> {
    let list = list.ok_or_else(|| EncodeError::Downcast(data_type.clone()))?;
    if is_list(item.data_type()) {
        return Err(EncodeError::Unsupported(data_type.clone()));
    }
    let element_type = pg_type_of(item);
    let elements = ColumnWriter::new(list.values().as_ref(), &element_type, FieldFormat::Binary)?;
    let nulls = list.values().logical_nulls();
    let oid = element_type.ty.oid();
    Ok(Box::new(move |row, out: &mut BytesMut| {
        let offsets = list.value_offsets();
        let (start, end) = (offsets[row].as_usize(), offsets[row + 1].as_usize());
        let len = i32::try_from(end - start).map_err(|_| EncodeError::ValueTooLong(end - start))?;
        let has_null = nulls.as_ref().is_some_and(|n| (start..end).any(|i| n.is_null(i)));
        out.put_i32(i32::from(len > 0));
        out.put_i32(i32::from(has_null));
        out.put_u32(oid);
        if len > 0 {
            out.put_i32(len);
            out.put_i32(1);
        }
        for element in start..end {
            elements.write_field(element, out)?;
        }
        Ok(())
    }))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Float64Array, ListArray, StringArray};
    use datafusion::arrow::buffer::OffsetBuffer;
    use datafusion::arrow::datatypes::{Field, Int32Type};
    use pgwire::api::Type;

    use super::*;

    fn send(list: &ListArray, row: usize) -> Vec<u8> {
        let item = match list.data_type() {
            DataType::List(item) => item.clone(),
            _ => unreachable!(),
        };
        let writer = list_writer(Some(list), list.data_type(), &item).expect("writer");
        let mut out = BytesMut::new();
        writer(row, &mut out).expect("writes");
        out.to_vec()
    }

    fn words(values: &[i32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_be_bytes()).collect()
    }

    #[test]
    fn arrays_match_postgres_array_send() {
        let ints = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), None]),
            Some(vec![]),
        ]);
        // SELECT array_send('{1,NULL}'::int4[]): ndim 1, has nulls, oid 23, 2 elements from 1.
        let int4 = Type::INT4.oid() as i32;
        assert_eq!(send(&ints, 0), words(&[1, 1, int4, 2, 1, 4, 1, -1]));
        // SELECT array_send('{}'::int4[]): no dimensions.
        assert_eq!(send(&ints, 1), words(&[0, 0, int4]));
        let texts: ArrayRef = Arc::new(StringArray::from(vec!["ab"]));
        let item = Arc::new(Field::new_list_field(DataType::Utf8, true));
        let list = ListArray::new(item, OffsetBuffer::from_lengths([1]), texts, None);
        let mut expected = words(&[1, 0, Type::TEXT.oid() as i32, 1, 1, 2]);
        expected.extend(b"ab");
        assert_eq!(send(&list, 0), expected);
    }

    #[test]
    fn multidimensional_arrays_are_unsupported() {
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
        let inner_item = Arc::new(Field::new_list_field(DataType::Float64, true));
        let inner = ListArray::new(inner_item, OffsetBuffer::from_lengths([1]), floats, None);
        let item = Arc::new(Field::new_list_field(inner.data_type().clone(), true));
        let outer = ListArray::new(item.clone(), OffsetBuffer::from_lengths([1]), Arc::new(inner), None);
        assert!(list_writer(Some(&outer), outer.data_type(), &item).is_err());
    }
}
