//! PostgreSQL's text output format, written straight into DataRow buffers.
//!
//! A column's writer is chosen, and its array downcast, once per batch; it is
//! then asked for one row after another.

mod array;
mod bignum;
mod binary;
pub use shale_pgtypes::datetime::output::infinity;
mod datetime;
mod interval;
mod number;
mod shortest;
#[cfg(test)]
mod tests;

use std::fmt::{Display, Write};

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::{Array, ArrayAccessor, AsArray, RecordBatch};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Date64Type, Decimal128Type, Decimal256Type,
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use pgwire::api::Type;
use pgwire::api::results::FieldFormat;
use shale_pgtypes::enums;
use shale_pgtypes::numeric::Special;
use pgwire::messages::data::DataRow;

use super::{EncodeError, PgColumnType};

/// Writes the text of the value at a row known not to be NULL.
pub(super) type ValueWriter<'a> = Box<dyn Fn(usize, &mut BytesMut) -> Result<(), EncodeError> + 'a>;

/// Encodes every row of `batch` as a DataRow, column `i` as `types[i]` in
/// `formats[i]` (text, or PostgreSQL's binary format).
pub fn encode_batch(
    batch: &RecordBatch,
    types: &[PgColumnType],
    formats: &[FieldFormat],
) -> Result<Vec<DataRow>, EncodeError> {
    if types.len() != batch.num_columns() {
        return Err(EncodeError::ColumnCount {
            columns: batch.num_columns(),
            types: types.len(),
        });
    }
    let field_count =
        i16::try_from(types.len()).map_err(|_| EncodeError::TooManyColumns(types.len()))?;
    let writers = batch
        .columns()
        .iter()
        .zip(types)
        .zip(formats.iter().chain(std::iter::repeat(&FieldFormat::Text)))
        .map(|((array, ty), format)| ColumnWriter::new(array.as_ref(), ty, *format))
        .collect::<Result<Vec<_>, _>>()?;
    // Rows are split off one buffer, so they share its allocations.
    let mut buf = BytesMut::new();
    let mut rows = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        for writer in &writers {
            writer.write_field(row, &mut buf)?;
        }
        rows.push(DataRow::new(buf.split(), field_count));
    }
    Ok(rows)
}

/// The encoder of one column.
pub(super) struct ColumnWriter<'a> {
    nulls: Option<NullBuffer>,
    value: ValueWriter<'a>,
}

impl<'a> ColumnWriter<'a> {
    /// Downcasts `array` and picks the writer for its values as `ty` in `format`.
    pub(super) fn new(array: &'a dyn Array, ty: &PgColumnType, format: FieldFormat) -> Result<Self, EncodeError> {
        let value = match format {
            FieldFormat::Text => value_writer(array, ty)?,
            FieldFormat::Binary => super::binary::value_writer(array, ty)?,
        };
        Ok(Self { nulls: array.logical_nulls(), value })
    }

    /// Writes the value at `row`; false, and nothing written, for NULL.
    pub(super) fn write(&self, row: usize, out: &mut BytesMut) -> Result<bool, EncodeError> {
        if self.nulls.as_ref().is_some_and(|nulls| nulls.is_null(row)) {
            return Ok(false);
        }
        (self.value)(row, out)?;
        Ok(true)
    }

    /// Writes the value at `row` as a DataRow field: its length (-1 for NULL),
    /// then its bytes.
    pub(super) fn write_field(&self, row: usize, out: &mut BytesMut) -> Result<(), EncodeError> {
        let start = out.len();
        out.put_i32(-1);
        if self.write(row, out)? {
            let len = out.len() - start - 4;
            let len_i32 = i32::try_from(len).map_err(|_| EncodeError::ValueTooLong(len))?;
            out[start..start + 4].copy_from_slice(&len_i32.to_be_bytes());
        }
        Ok(())
    }
}

/// Picks the writer for the values of `array`, announced as `ty`.
/// Whether a list column is an int2vector or oidvector, printed without braces.
fn is_vector(ty: &PgColumnType) -> bool {
    matches!(ty.ty, pgwire::api::Type::INT2_VECTOR | pgwire::api::Type::OID_VECTOR)
}

fn value_writer<'a>(
    array: &'a dyn Array,
    ty: &PgColumnType,
) -> Result<ValueWriter<'a>, EncodeError> {
    let data_type = array.data_type();
    match data_type {
        // Every row is NULL: the writer is never asked for a value.
        DataType::Null => Ok(Box::new(|_, _| Ok(()))),
        DataType::Boolean => writer(array.as_boolean_opt(), data_type, |value, out| {
            out.put_u8(if value { b't' } else { b'f' });
            Ok(())
        }),
        DataType::Int8 => display::<Int8Type>(array),
        DataType::Int16 => display::<Int16Type>(array),
        DataType::Int32 => display::<Int32Type>(array),
        DataType::Int64 => display::<Int64Type>(array),
        DataType::UInt8 => display::<UInt8Type>(array),
        DataType::UInt16 => display::<UInt16Type>(array),
        DataType::UInt32 => display::<UInt32Type>(array),
        DataType::UInt64 => display::<UInt64Type>(array),
        DataType::Float16 => primitive::<Float16Type>(array, |value, out| {
            number::write_float4(value.to_f32(), out)
        }),
        DataType::Float32 => primitive::<Float32Type>(array, number::write_float4),
        DataType::Float64 => primitive::<Float64Type>(array, number::write_float8),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            primitive::<Decimal128Type>(array, move |value, out| match Special::of128(value) {
                Some(special) => Ok(out.put_slice(special.text().as_bytes())),
                None => number::write_numeric(value, scale, out),
            })
        }
        DataType::Decimal256(_, scale) => {
            let shown = super::unconstrained::shown(ty, *scale);
            primitive::<Decimal256Type>(array, move |value, out| match Special::of256(value) {
                Some(special) => Ok(out.put_slice(special.text().as_bytes())),
                None => {
                    let (value, scale) = shown(value);
                    number::write_numeric(value, scale, out)
                }
            })
        }
        DataType::Utf8 => writer(array.as_string_opt::<i32>(), data_type, put_str),
        // An enum value: its label.
        DataType::Struct(_) if enums::enum_oid(data_type).is_some() => {
            writer(array.as_struct().column(1).as_string_opt::<i32>(), data_type, put_str)
        }
        DataType::LargeUtf8 => writer(array.as_string_opt::<i64>(), data_type, put_str),
        DataType::Utf8View => writer(array.as_string_view_opt(), data_type, put_str),
        DataType::Binary => writer(array.as_binary_opt::<i32>(), data_type, binary::write_bytea),
        DataType::LargeBinary => {
            writer(array.as_binary_opt::<i64>(), data_type, binary::write_bytea)
        }
        DataType::BinaryView => writer(array.as_binary_view_opt(), data_type, binary::write_bytea),
        DataType::FixedSizeBinary(16) if ty.ty == Type::UUID => writer(
            array.as_fixed_size_binary_opt(),
            data_type,
            binary::write_uuid,
        ),
        DataType::FixedSizeBinary(_) => writer(
            array.as_fixed_size_binary_opt(),
            data_type,
            binary::write_bytea,
        ),
        DataType::Date32 => primitive::<Date32Type>(array, |days, out| {
            Ok(shale_pgtypes::datetime::output::write_date(i128::from(days), out)?)
        }),
        DataType::Date64 => primitive::<Date64Type>(array, |millis, out| {
            Ok(shale_pgtypes::datetime::output::write_date(i128::from(millis).div_euclid(datetime::MILLIS_PER_DAY), out)?)
        }),
        DataType::Time32(unit) | DataType::Time64(unit) => datetime::time_writer(array, *unit),
        DataType::Timestamp(unit, _) => {
            datetime::timestamp_writer(array, *unit, ty.ty == Type::TIMESTAMPTZ)
        }
        DataType::Interval(unit) => interval::interval_writer(array, *unit),
        DataType::Duration(unit) => interval::duration_writer(array, *unit),
        DataType::List(item) => array::list_writer(array.as_list_opt::<i32>(), data_type, item, is_vector(ty)),
        DataType::LargeList(item) => {
            array::list_writer(array.as_list_opt::<i64>(), data_type, item, is_vector(ty))
        }
        _ => Err(EncodeError::Unsupported(data_type.clone())),
    }
}

/// A value writer over a downcast array (`None` when the downcast failed):
/// `write` gets the value of each row asked for.
pub(super) fn writer<'a, A: ArrayAccessor + 'a>(
    array: Option<A>,
    data_type: &DataType,
    write: impl Fn(A::Item, &mut BytesMut) -> Result<(), EncodeError> + 'a,
) -> Result<ValueWriter<'a>, EncodeError> {
    let array = array.ok_or_else(|| EncodeError::Downcast(data_type.clone()))?;
    Ok(Box::new(move |row, out| write(array.value(row), out)))
}

/// A value writer over a primitive array of Arrow type `T`.
pub(super) fn primitive<'a, T: ArrowPrimitiveType>(
    array: &'a dyn Array,
    write: impl Fn(T::Native, &mut BytesMut) -> Result<(), EncodeError> + 'a,
) -> Result<ValueWriter<'a>, EncodeError> {
    writer(array.as_primitive_opt::<T>(), array.data_type(), write)
}

/// A value writer printing integers in decimal.
fn display<'a, T: ArrowPrimitiveType>(array: &'a dyn Array) -> Result<ValueWriter<'a>, EncodeError>
where
    T::Native: Display,
{
    primitive::<T>(array, |value, out| Ok(write!(out, "{value}")?))
}

/// Text, JSON and canonical UUID strings are sent as stored.
fn put_str(value: &str, out: &mut BytesMut) -> Result<(), EncodeError> {
    out.put_slice(value.as_bytes());
    Ok(())
}
