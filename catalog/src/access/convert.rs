//! Conversions between Arrow arrays and storage datums: builders that decode stored values
//! straight into Arrow columns, and readers that turn Arrow columns into datums to store.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Decimal256Builder,
    Float32Builder, Float64Builder, Int16Builder, Int32Builder, Int64Builder,
    IntervalMonthDayNanoBuilder, ListArray, NullBufferBuilder, StringBuilder,
    Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::buffer::{OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Decimal256Type, i256, FieldRef, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, IntervalMonthDayNano, IntervalMonthDayNanoType, IntervalUnit,
    Time64MicrosecondType, TimeUnit, TimestampMicrosecondType,
};
use shale_storage::{Datum, DatumRef, Kind, decode_array, encode_array};
use shale_pgtypes::enums::{self, EnumBuilder};
use shale_pgtypes::types::SqlType;

use crate::error::{CatalogError, Result, sqlstate};

/// An Arrow builder for one column, chosen once from the column's Arrow type.
pub enum ColumnBuilder {
    /// boolean
    Bool(BooleanBuilder),
    /// smallint
    Int16(Int16Builder),
    /// integer
    Int32(Int32Builder),
    /// bigint
    Int64(Int64Builder),
    /// real
    Float32(Float32Builder),
    /// double precision
    Float64(Float64Builder),
    /// numeric(p, s)
    Decimal(Decimal128Builder),
    /// unconstrained numeric
    Decimal256(Decimal256Builder),
    /// text-like
    Text(StringBuilder),
    /// bytea, and the hidden row key
    Bytes(BinaryBuilder),
    /// date
    Date(Date32Builder),
    /// time
    Time(Time64MicrosecondBuilder),
    /// timestamp / timestamptz
    Timestamp(TimestampMicrosecondBuilder),
    /// interval
    Interval(IntervalMonthDayNanoBuilder),
    /// arrays
    List(Box<ListBuilder>),
    /// enum types (stored as their labels' numbers)
    Enum(Box<EnumBuilder>),
}

/// Builds a list array from stored arrays.
pub struct ListBuilder {
    item: FieldRef,
    elements: ColumnBuilder,
    /// Elements appended so far.
    len: usize,
    offsets: Vec<i32>,
    nulls: NullBufferBuilder,
}

impl ListBuilder {
    fn append(&mut self, array: &[u8]) -> Result<()> {
        let mut failure = None;
        let kind = self.elements.kind();
        decode_array(array, kind, |element| {
            if let Err(e) = self.elements.append(element) {
                failure.get_or_insert(e);
            }
            self.len += 1;
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        self.end_row()?;
        self.nulls.append_non_null();
        Ok(())
    }

    fn append_null(&mut self) -> Result<()> {
        self.end_row()?;
        self.nulls.append_null();
        Ok(())
    }

    fn end_row(&mut self) -> Result<()> {
        let end = i32::try_from(self.len).map_err(|_| {
            CatalogError::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, "too many array elements in one batch")
        })?;
        self.offsets.push(end);
        Ok(())
    }

    fn finish(&mut self) -> Result<ArrayRef> {
        let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(&mut self.offsets, vec![0])));
        self.len = 0;
        let list = ListArray::try_new(self.item.clone(), offsets, self.elements.finish()?, self.nulls.finish())
            .map_err(|e| CatalogError::internal(e.to_string()))?;
        Ok(Arc::new(list))
    }
}

impl ColumnBuilder {
    /// A builder producing the arrays of a column of type `ty` (whose enum types know their
    /// labels).
    pub fn for_column(ty: &SqlType, capacity: usize) -> Result<Self> {
        match ty {
            SqlType::Enum(ty) => Ok(Self::Enum(Box::new(EnumBuilder::new(ty.clone(), capacity)))),
            other => Self::new(&other.arrow_type(), capacity),
        }
    }

    /// A builder producing arrays of `ty` (not an enum type's: see [`Self::for_column`]).
    pub fn new(ty: &DataType, capacity: usize) -> Result<Self> {
        Ok(match ty {
            DataType::Boolean => Self::Bool(BooleanBuilder::with_capacity(capacity)),
            DataType::Int16 => Self::Int16(Int16Builder::with_capacity(capacity)),
            DataType::Int32 => Self::Int32(Int32Builder::with_capacity(capacity)),
            DataType::Int64 => Self::Int64(Int64Builder::with_capacity(capacity)),
            DataType::Float32 => Self::Float32(Float32Builder::with_capacity(capacity)),
            DataType::Float64 => Self::Float64(Float64Builder::with_capacity(capacity)),
            DataType::Decimal128(p, s) => Self::Decimal(
                Decimal128Builder::with_capacity(capacity)
                    .with_precision_and_scale(*p, *s)
                    .map_err(|e| CatalogError::internal(e.to_string()))?,
            ),
            DataType::Decimal256(p, s) => Self::Decimal256(
                Decimal256Builder::with_capacity(capacity)
                    .with_precision_and_scale(*p, *s)
                    .map_err(|e| CatalogError::internal(e.to_string()))?,
            ),
            DataType::Utf8 => Self::Text(StringBuilder::with_capacity(capacity, capacity * 16)),
            DataType::Binary => Self::Bytes(BinaryBuilder::with_capacity(capacity, capacity * 16)),
            DataType::Date32 => Self::Date(Date32Builder::with_capacity(capacity)),
            DataType::Time64(TimeUnit::Microsecond) => {
                Self::Time(Time64MicrosecondBuilder::with_capacity(capacity))
            }
            DataType::Timestamp(TimeUnit::Microsecond, tz) => Self::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone_opt(tz.clone()),
            ),
            DataType::Interval(IntervalUnit::MonthDayNano) => {
                Self::Interval(IntervalMonthDayNanoBuilder::with_capacity(capacity))
            }
            DataType::List(item) => Self::List(Box::new(ListBuilder {
                item: item.clone(),
                elements: ColumnBuilder::new(item.data_type(), capacity)?,
                len: 0,
                offsets: vec![0],
                nulls: NullBufferBuilder::new(capacity),
            })),
            other => return Err(CatalogError::internal(format!("no column builder for {other}"))),
        })
    }

    /// Appends a value (`None` or `DatumRef::Null`: NULL). A value of the wrong kind means
    /// corrupt data.
    pub fn append(&mut self, value: Option<DatumRef<'_>>) -> Result<()> {
        let value = match value {
            None | Some(DatumRef::Null) => return self.append_null(),
            Some(value) => value,
        };
        match (self, value) {
            (Self::Bool(b), DatumRef::Bool(v)) => b.append_value(v),
            (Self::Int16(b), DatumRef::Int16(v)) => b.append_value(v),
            (Self::Int32(b), DatumRef::Int32(v)) => b.append_value(v),
            (Self::Int64(b), DatumRef::Int64(v)) => b.append_value(v),
            (Self::Float32(b), DatumRef::Float32(v)) => b.append_value(v),
            (Self::Float64(b), DatumRef::Float64(v)) => b.append_value(v),
            (Self::Decimal(b), DatumRef::Decimal128(v)) => b.append_value(v),
            (Self::Decimal256(b), DatumRef::Decimal256(v)) => b.append_value(i256::from_le_bytes(v)),
            (Self::Text(b), DatumRef::Text(v)) => b.append_value(v),
            (Self::Bytes(b), DatumRef::Bytes(v)) => b.append_value(v),
            (Self::Date(b), DatumRef::Date32(v)) => b.append_value(v),
            (Self::Time(b), DatumRef::Time64(v)) => b.append_value(v),
            (Self::Timestamp(b), DatumRef::Timestamp(v)) => b.append_value(v),
            (Self::Interval(b), DatumRef::Interval { months, days, nanos }) => {
                b.append_value(IntervalMonthDayNano::new(months, days, nanos))
            }
            (Self::List(b), DatumRef::Array(v)) => b.append(v)?,
            (Self::Enum(b), DatumRef::Int32(v)) => b.append(v as u32)?,
            (_, other) => {
                return Err(CatalogError::new(
                    "XX001",
                    format!("stored value {other:?} does not match its column type"),
                ));
            }
        }
        Ok(())
    }

    /// Appends NULL.
    pub fn append_null(&mut self) -> Result<()> {
        match self {
            Self::Bool(b) => b.append_null(),
            Self::Int16(b) => b.append_null(),
            Self::Int32(b) => b.append_null(),
            Self::Int64(b) => b.append_null(),
            Self::Float32(b) => b.append_null(),
            Self::Float64(b) => b.append_null(),
            Self::Decimal(b) => b.append_null(),
            Self::Decimal256(b) => b.append_null(),
            Self::Text(b) => b.append_null(),
            Self::Bytes(b) => b.append_null(),
            Self::Date(b) => b.append_null(),
            Self::Time(b) => b.append_null(),
            Self::Timestamp(b) => b.append_null(),
            Self::Interval(b) => b.append_null(),
            Self::List(b) => return b.append_null(),
            Self::Enum(b) => b.append_null(),
        }
        Ok(())
    }

    /// The storage kind of the values this builder takes.
    fn kind(&self) -> Kind {
        match self {
            Self::Bool(_) => Kind::Bool,
            Self::Int16(_) => Kind::Int16,
            Self::Int32(_) => Kind::Int32,
            Self::Int64(_) => Kind::Int64,
            Self::Float32(_) => Kind::Float32,
            Self::Float64(_) => Kind::Float64,
            Self::Decimal(_) => Kind::Decimal128,
            Self::Decimal256(_) => Kind::Decimal256,
            Self::Text(_) => Kind::Text,
            Self::Enum(_) => Kind::Int32,
            Self::Bytes(_) => Kind::Bytes,
            Self::Date(_) => Kind::Date32,
            Self::Time(_) => Kind::Time64,
            Self::Timestamp(_) => Kind::Timestamp,
            Self::Interval(_) => Kind::Interval,
            Self::List(_) => Kind::Array,
        }
    }

    /// The finished array.
    pub fn finish(&mut self) -> Result<ArrayRef> {
        Ok(match self {
            Self::Bool(b) => Arc::new(b.finish()),
            Self::Int16(b) => Arc::new(b.finish()),
            Self::Int32(b) => Arc::new(b.finish()),
            Self::Int64(b) => Arc::new(b.finish()),
            Self::Float32(b) => Arc::new(b.finish()),
            Self::Float64(b) => Arc::new(b.finish()),
            Self::Decimal(b) => Arc::new(b.finish()),
            Self::Decimal256(b) => Arc::new(b.finish()),
            Self::Text(b) => Arc::new(b.finish()),
            Self::Bytes(b) => Arc::new(b.finish()),
            Self::Date(b) => Arc::new(b.finish()),
            Self::Time(b) => Arc::new(b.finish()),
            Self::Timestamp(b) => Arc::new(b.finish()),
            Self::Interval(b) => Arc::new(b.finish()),
            Self::List(b) => return b.finish(),
            Self::Enum(b) => b.finish(),
        })
    }
}

/// The datum at `row` of `array`, which must have one of the Arrow types of
/// [`shale_pgtypes::types::SqlType::arrow_type`].
pub fn datum_at(array: &dyn Array, row: usize) -> Result<Datum> {
    if array.is_null(row) {
        return Ok(Datum::Null);
    }
    Ok(match array.data_type() {
        DataType::Boolean => Datum::Bool(array.as_boolean().value(row)),
        DataType::Int16 => Datum::Int16(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => Datum::Int32(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => Datum::Int64(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float32 => Datum::Float32(array.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => Datum::Float64(array.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, _) => {
            Datum::Decimal128(array.as_primitive::<Decimal128Type>().value(row))
        }
        DataType::Decimal256(_, _) => {
            Datum::Decimal256(array.as_primitive::<Decimal256Type>().value(row).to_le_bytes())
        }
        DataType::Utf8 => Datum::Text(array.as_string::<i32>().value(row).to_string()),
        DataType::Binary => Datum::Bytes(array.as_binary::<i32>().value(row).to_vec()),
        DataType::Date32 => Datum::Date32(array.as_primitive::<Date32Type>().value(row)),
        DataType::Time64(TimeUnit::Microsecond) => {
            Datum::Time64(array.as_primitive::<Time64MicrosecondType>().value(row))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Datum::Timestamp(array.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(row);
            Datum::Interval { months: v.months, days: v.days, nanos: v.nanoseconds }
        }
        DataType::Struct(_) if let Some(numbers) = enums::numbers(array) => Datum::Int32(numbers.value(row) as i32),
        DataType::List(_) => {
            let elements = array.as_list::<i32>().value(row);
            let datums = (0..elements.len())
                .map(|i| datum_at(elements.as_ref(), i))
                .collect::<Result<Vec<_>>>()?;
            let refs: Vec<_> = datums.iter().map(Datum::as_ref).collect();
            let mut out = Vec::new();
            encode_array(&refs, &mut out)?;
            Datum::Array(out)
        }
        other => {
            return Err(CatalogError::internal(format!("cannot store a value of type {other}")));
        }
    })
}

/// How values of a SQL type are stored: the storage [`Kind`] of each [`SqlType`].
pub trait StorageKind {
    /// How values of this type are stored.
    fn kind(&self) -> Kind;

    /// Whether stored (memcomparable) keys of this type sort as DataFusion sorts and
    /// compares its values: then a range of values is a range of keys, and rows read in key
    /// order are in value order. An enum's keys are its labels' numbers, not its sort order.
    fn keys_sort_as_values(&self) -> bool;
}

impl StorageKind for SqlType {
    fn kind(&self) -> Kind {
        match self {
            SqlType::Int2 => Kind::Int16,
            SqlType::Int4 => Kind::Int32,
            SqlType::Int8 => Kind::Int64,
            SqlType::Float4 => Kind::Float32,
            SqlType::Float8 => Kind::Float64,
            SqlType::Numeric(Some((p, s))) if *p > shale_pgtypes::types::MAX_DECIMAL128_PRECISION || *s < 0 => Kind::Decimal256,
            SqlType::Numeric(Some(_)) => Kind::Decimal128,
            SqlType::Numeric(None) => Kind::Decimal256,
            SqlType::Text
            | SqlType::Varchar(_)
            | SqlType::Char(_)
            | SqlType::Name
            | SqlType::Uuid
            | SqlType::Json
            | SqlType::Jsonb => Kind::Text,
            // The label's number.
            SqlType::Enum(_) => Kind::Int32,
            SqlType::Bool => Kind::Bool,
            SqlType::Date => Kind::Date32,
            SqlType::Time(_) => Kind::Time64,
            SqlType::Timestamp(_) | SqlType::Timestamptz(_) => Kind::Timestamp,
            SqlType::Interval => Kind::Interval,
            SqlType::Bytea => Kind::Bytes,
            SqlType::Array(_) => Kind::Array,
        }
    }

    fn keys_sort_as_values(&self) -> bool {
        matches!(
            self,
            SqlType::Int2
                | SqlType::Int4
                | SqlType::Int8
                | SqlType::Float4
                | SqlType::Float8
                | SqlType::Numeric(_)
                | SqlType::Text
                | SqlType::Varchar(_)
                | SqlType::Bool
                | SqlType::Date
                | SqlType::Time(_)
                | SqlType::Timestamp(_)
                | SqlType::Timestamptz(_)
                | SqlType::Uuid
                | SqlType::Bytea
        )
    }
}
