//! Values as storage sees them: a [`Kind`] (the type of a column), an owned [`Datum`] and a
//! borrowed [`DatumRef`]. Storage knows nothing of SQL types; the catalog maps its column
//! types onto these kinds.

/// The physical type of a stored value. It decides how a value is laid out in keys and rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `true` or `false`.
    Bool,
    /// A 16-bit signed integer.
    Int16,
    /// A 32-bit signed integer.
    Int32,
    /// A 64-bit signed integer.
    Int64,
    /// A 32-bit IEEE float.
    Float32,
    /// A 64-bit IEEE float.
    Float64,
    /// A decimal as its unscaled 128-bit integer; the scale belongs to the column.
    Decimal128,
    /// A decimal as its unscaled 256-bit integer (two's complement, little-endian bytes);
    /// the scale belongs to the column.
    Decimal256,
    /// UTF-8 text.
    Text,
    /// Raw bytes.
    Bytes,
    /// Days since 1970-01-01.
    Date32,
    /// Microseconds or nanoseconds since midnight (the unit belongs to the column).
    Time64,
    /// Microseconds or nanoseconds since the epoch (the unit belongs to the column).
    Timestamp,
    /// A calendar interval: months, days and nanoseconds, compared in that order.
    Interval,
    /// A one-dimensional array, as [`encode_array`](crate::encode_array) writes it; the kind
    /// of its elements belongs to the column.
    Array,
}

/// An owned value, or NULL.
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    /// SQL NULL; it has no kind.
    Null,
    /// A [`Kind::Bool`] value.
    Bool(bool),
    /// A [`Kind::Int16`] value.
    Int16(i16),
    /// A [`Kind::Int32`] value.
    Int32(i32),
    /// A [`Kind::Int64`] value.
    Int64(i64),
    /// A [`Kind::Float32`] value.
    Float32(f32),
    /// A [`Kind::Float64`] value.
    Float64(f64),
    /// A [`Kind::Decimal128`] value (unscaled).
    Decimal128(i128),
    /// A [`Kind::Decimal256`] value (unscaled, little-endian two's complement).
    Decimal256([u8; 32]),
    /// A [`Kind::Text`] value.
    Text(String),
    /// A [`Kind::Bytes`] value.
    Bytes(Vec<u8>),
    /// A [`Kind::Date32`] value.
    Date32(i32),
    /// A [`Kind::Time64`] value.
    Time64(i64),
    /// A [`Kind::Timestamp`] value.
    Timestamp(i64),
    /// A [`Kind::Interval`] value.
    Interval {
        /// Whole months.
        months: i32,
        /// Whole days.
        days: i32,
        /// Nanoseconds.
        nanos: i64,
    },
    /// A [`Kind::Array`] value: the encoded array.
    Array(Vec<u8>),
}

/// A value borrowed from a [`Datum`] or straight from encoded bytes (see
/// [`decode_row`](crate::decode_row)), or NULL. Variants mirror [`Datum`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DatumRef<'a> {
    /// SQL NULL.
    Null,
    /// See [`Datum::Bool`].
    Bool(bool),
    /// See [`Datum::Int16`].
    Int16(i16),
    /// See [`Datum::Int32`].
    Int32(i32),
    /// See [`Datum::Int64`].
    Int64(i64),
    /// See [`Datum::Float32`].
    Float32(f32),
    /// See [`Datum::Float64`].
    Float64(f64),
    /// See [`Datum::Decimal128`].
    Decimal128(i128),
    /// See [`Datum::Decimal256`].
    Decimal256([u8; 32]),
    /// See [`Datum::Text`].
    Text(&'a str),
    /// See [`Datum::Bytes`].
    Bytes(&'a [u8]),
    /// See [`Datum::Date32`].
    Date32(i32),
    /// See [`Datum::Time64`].
    Time64(i64),
    /// See [`Datum::Timestamp`].
    Timestamp(i64),
    /// See [`Datum::Interval`].
    #[allow(missing_docs)] // fields as in `Datum::Interval`
    Interval { months: i32, days: i32, nanos: i64 },
    /// See [`Datum::Array`].
    Array(&'a [u8]),
}

impl Datum {
    /// Borrows this value.
    pub fn as_ref(&self) -> DatumRef<'_> {
        match self {
            Datum::Null => DatumRef::Null,
            Datum::Bool(v) => DatumRef::Bool(*v),
            Datum::Int16(v) => DatumRef::Int16(*v),
            Datum::Int32(v) => DatumRef::Int32(*v),
            Datum::Int64(v) => DatumRef::Int64(*v),
            Datum::Float32(v) => DatumRef::Float32(*v),
            Datum::Float64(v) => DatumRef::Float64(*v),
            Datum::Decimal128(v) => DatumRef::Decimal128(*v),
            Datum::Decimal256(v) => DatumRef::Decimal256(*v),
            Datum::Text(v) => DatumRef::Text(v),
            Datum::Bytes(v) => DatumRef::Bytes(v),
            Datum::Date32(v) => DatumRef::Date32(*v),
            Datum::Time64(v) => DatumRef::Time64(*v),
            Datum::Timestamp(v) => DatumRef::Timestamp(*v),
            Datum::Interval {
                months,
                days,
                nanos,
            } => DatumRef::Interval {
                months: *months,
                days: *days,
                nanos: *nanos,
            },
            Datum::Array(v) => DatumRef::Array(v),
        }
    }

    /// The kind of this value; `None` for NULL.
    pub fn kind(&self) -> Option<Kind> {
        self.as_ref().kind()
    }
}

impl DatumRef<'_> {
    /// Copies this value into an owned [`Datum`].
    #[allow(clippy::wrong_self_convention)] // the name is part of the crate's contract
    pub fn to_owned(&self) -> Datum {
        match *self {
            DatumRef::Null => Datum::Null,
            DatumRef::Bool(v) => Datum::Bool(v),
            DatumRef::Int16(v) => Datum::Int16(v),
            DatumRef::Int32(v) => Datum::Int32(v),
            DatumRef::Int64(v) => Datum::Int64(v),
            DatumRef::Float32(v) => Datum::Float32(v),
            DatumRef::Float64(v) => Datum::Float64(v),
            DatumRef::Decimal128(v) => Datum::Decimal128(v),
            DatumRef::Decimal256(v) => Datum::Decimal256(v),
            DatumRef::Text(v) => Datum::Text(v.to_owned()),
            DatumRef::Bytes(v) => Datum::Bytes(v.to_vec()),
            DatumRef::Date32(v) => Datum::Date32(v),
            DatumRef::Time64(v) => Datum::Time64(v),
            DatumRef::Timestamp(v) => Datum::Timestamp(v),
            DatumRef::Interval {
                months,
                days,
                nanos,
            } => Datum::Interval {
                months,
                days,
                nanos,
            },
            DatumRef::Array(v) => Datum::Array(v.to_vec()),
        }
    }

    /// The kind of this value; `None` for NULL.
    pub fn kind(&self) -> Option<Kind> {
        Some(match self {
            DatumRef::Null => return None,
            DatumRef::Bool(_) => Kind::Bool,
            DatumRef::Int16(_) => Kind::Int16,
            DatumRef::Int32(_) => Kind::Int32,
            DatumRef::Int64(_) => Kind::Int64,
            DatumRef::Float32(_) => Kind::Float32,
            DatumRef::Float64(_) => Kind::Float64,
            DatumRef::Decimal128(_) => Kind::Decimal128,
            DatumRef::Decimal256(_) => Kind::Decimal256,
            DatumRef::Text(_) => Kind::Text,
            DatumRef::Bytes(_) => Kind::Bytes,
            DatumRef::Date32(_) => Kind::Date32,
            DatumRef::Time64(_) => Kind::Time64,
            DatumRef::Timestamp(_) => Kind::Timestamp,
            DatumRef::Interval { .. } => Kind::Interval,
            DatumRef::Array(_) => Kind::Array,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_ref_and_to_owned_round_trip() {
        let values = [
            Datum::Null,
            Datum::Bool(true),
            Datum::Int16(-3),
            Datum::Int32(7),
            Datum::Int64(i64::MIN),
            Datum::Float32(1.5),
            Datum::Float64(-2.25),
            Datum::Decimal128(-12345),
            Datum::Text("héllo".into()),
            Datum::Bytes(vec![0, 1, 255]),
            Datum::Date32(19000),
            Datum::Time64(3_600_000_000),
            Datum::Timestamp(-1),
            Datum::Interval {
                months: 1,
                days: -2,
                nanos: 3,
            },
            Datum::Array(vec![1, 0, 0, 0, 0, 7, 0, 0, 0]),
        ];
        for v in &values {
            assert_eq!(&v.as_ref().to_owned(), v);
            assert_eq!(v.kind(), v.as_ref().kind());
        }
        assert_eq!(Datum::Null.kind(), None);
        assert_eq!(Datum::Text(String::new()).kind(), Some(Kind::Text));
    }
}
