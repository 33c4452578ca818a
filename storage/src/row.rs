//! The row value codec. A row is
//!
//! ```text
//! slot count: u16 LE | null bitmap: ceil(count / 8) bytes, bit i set = slot i is NULL
//!                    | the non-NULL values in slot order
//! ```
//!
//! Fixed-width values are little-endian (bool 1 byte, int16 2, int32/date32/float32 4,
//! int64/time64/timestamp/float64 8, decimal128 16, interval 16 as months, days, nanos);
//! text and bytes are a u32 LE length and the bytes. A row does not record its kinds: the
//! reader supplies them. A row written before ADD COLUMN simply has fewer slots.
//!
//! An array value is a u32 LE length and the array as [`encode_array`] writes it, which is
//! laid out like a row of its elements:
//!
//! ```text
//! element count: u32 LE | null bitmap: ceil(count / 8) bytes | the non-NULL elements
//! ```
//!
//! The elements' kind is not recorded either: [`decode_array`]'s caller supplies it.

use crate::cursor::{take, take_array};
use crate::{DatumRef, Error, Kind, Result};

/// The most slots a row can hold.
pub const MAX_SLOTS: usize = u16::MAX as usize;

/// Appends the row value holding `values` (one per slot, NULLs included) to `out`.
///
/// [`Error::TooLarge`] when there are more than [`MAX_SLOTS`] values or a text or bytes
/// value is 4 GiB or longer.
pub fn encode_row(values: &[DatumRef], out: &mut Vec<u8>) -> Result<()> {
    let count = u16::try_from(values.len())
        .map_err(|_| Error::TooLarge(format!("slots={} max={MAX_SLOTS}", values.len())))?;
    out.extend_from_slice(&count.to_le_bytes());
    put_values(values, out)
}

/// Appends the encoded array of `elements` (NULLs included) to `out`: the form a
/// [`DatumRef::Array`] holds.
///
/// [`Error::TooLarge`] when there are 2^32 elements or more or an element is 4 GiB or longer.
pub fn encode_array(elements: &[DatumRef], out: &mut Vec<u8>) -> Result<()> {
    let count = u32::try_from(elements.len())
        .map_err(|_| Error::TooLarge(format!("array elements={}", elements.len())))?;
    out.extend_from_slice(&count.to_le_bytes());
    put_values(elements, out)
}

/// Appends the null bitmap of `values`, then the non-NULL ones.
fn put_values(values: &[DatumRef], out: &mut Vec<u8>) -> Result<()> {
    let bitmap = out.len();
    out.resize(bitmap + values.len().div_ceil(8), 0);
    for (slot, value) in values.iter().enumerate() {
        match *value {
            DatumRef::Null => out[bitmap + slot / 8] |= 1 << (slot % 8),
            DatumRef::Bool(v) => out.push(u8::from(v)),
            DatumRef::Int16(v) => out.extend_from_slice(&v.to_le_bytes()),
            DatumRef::Int32(v) | DatumRef::Date32(v) => out.extend_from_slice(&v.to_le_bytes()),
            DatumRef::Int64(v) | DatumRef::Time64(v) | DatumRef::Timestamp(v) => {
                out.extend_from_slice(&v.to_le_bytes())
            }
            DatumRef::Float32(v) => out.extend_from_slice(&v.to_le_bytes()),
            DatumRef::Float64(v) => out.extend_from_slice(&v.to_le_bytes()),
            DatumRef::Decimal128(v) => out.extend_from_slice(&v.to_le_bytes()),
            DatumRef::Decimal256(v) => out.extend_from_slice(&v),
            DatumRef::Text(v) => put_var(v.as_bytes(), out)?,
            DatumRef::Bytes(v) | DatumRef::Array(v) => put_var(v, out)?,
            DatumRef::Interval {
                months,
                days,
                nanos,
            } => {
                out.extend_from_slice(&months.to_le_bytes());
                out.extend_from_slice(&days.to_le_bytes());
                out.extend_from_slice(&nanos.to_le_bytes());
            }
        }
    }
    Ok(())
}

/// Decodes a row, calling `f(slot, value)` for every slot stored in it, in order (`None` is
/// NULL). `kinds[slot]` is the kind of each slot; a row may have fewer slots than kinds (it
/// was written before a column was added) but not more. Values borrow from `bytes`; nothing
/// is allocated.
pub fn decode_row<'a>(
    bytes: &'a [u8],
    kinds: &[Kind],
    f: impl FnMut(usize, Option<DatumRef<'a>>),
) -> Result<()> {
    let mut input = bytes;
    let count = take_slot_count(&mut input)?;
    if count > kinds.len() {
        return Err(Error::Corrupt(format!(
            "row has more slots than kinds: slots={count} kinds={}",
            kinds.len()
        )));
    }
    take_values(&mut input, count, |slot| kinds[slot], f)?;
    if !input.is_empty() {
        return Err(Error::Corrupt(format!(
            "row has trailing bytes: slots={count} extra={}",
            input.len()
        )));
    }
    Ok(())
}

/// Decodes an array written by [`encode_array`] whose elements are of `kind`, calling
/// `f(value)` for every element in order (`None` is NULL). Values borrow from `bytes`.
pub fn decode_array<'a>(
    bytes: &'a [u8],
    kind: Kind,
    mut f: impl FnMut(Option<DatumRef<'a>>),
) -> Result<()> {
    let mut input = bytes;
    let count = u32::from_le_bytes(take_array(&mut input)?) as usize;
    take_values(&mut input, count, |_| kind, |_, v| f(v))?;
    if !input.is_empty() {
        return Err(Error::Corrupt(format!(
            "array has trailing bytes: elements={count} extra={}",
            input.len()
        )));
    }
    Ok(())
}

/// Reads the null bitmap of `count` values and the non-NULL values, value `i` of kind
/// `kind_of(i)`, calling `f(i, value)` for each.
fn take_values<'a>(
    input: &mut &'a [u8],
    count: usize,
    kind_of: impl Fn(usize) -> Kind,
    mut f: impl FnMut(usize, Option<DatumRef<'a>>),
) -> Result<()> {
    let bitmap = take(input, count.div_ceil(8))?;
    for slot in 0..count {
        if bitmap[slot / 8] & (1 << (slot % 8)) != 0 {
            f(slot, None);
        } else {
            f(slot, Some(take_value(input, kind_of(slot))?));
        }
    }
    Ok(())
}

/// The number of slots stored in a row.
pub fn row_slot_count(bytes: &[u8]) -> Result<usize> {
    take_slot_count(&mut &bytes[..])
}

fn take_slot_count(input: &mut &[u8]) -> Result<usize> {
    Ok(u16::from_le_bytes(take_array(input)?).into())
}

/// Appends a text, bytes or array value: u32 LE length, then the bytes.
fn put_var(v: &[u8], out: &mut Vec<u8>) -> Result<()> {
    let len = u32::try_from(v.len()).map_err(|_| Error::TooLarge(format!("value_bytes={}", v.len())))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(v);
    Ok(())
}

/// Reads a value written by [`encode_row`].
fn take_value<'a>(input: &mut &'a [u8], kind: Kind) -> Result<DatumRef<'a>> {
    Ok(match kind {
        Kind::Bool => match take_array::<1>(input)? {
            [0] => DatumRef::Bool(false),
            [1] => DatumRef::Bool(true),
            [b] => return Err(Error::Corrupt(format!("bad row bool: byte={b:#04x}"))),
        },
        Kind::Int16 => DatumRef::Int16(i16::from_le_bytes(take_array(input)?)),
        Kind::Int32 => DatumRef::Int32(i32::from_le_bytes(take_array(input)?)),
        Kind::Date32 => DatumRef::Date32(i32::from_le_bytes(take_array(input)?)),
        Kind::Int64 => DatumRef::Int64(i64::from_le_bytes(take_array(input)?)),
        Kind::Time64 => DatumRef::Time64(i64::from_le_bytes(take_array(input)?)),
        Kind::Timestamp => DatumRef::Timestamp(i64::from_le_bytes(take_array(input)?)),
        Kind::Float32 => DatumRef::Float32(f32::from_le_bytes(take_array(input)?)),
        Kind::Float64 => DatumRef::Float64(f64::from_le_bytes(take_array(input)?)),
        Kind::Decimal128 => DatumRef::Decimal128(i128::from_le_bytes(take_array(input)?)),
        Kind::Decimal256 => DatumRef::Decimal256(take_array(input)?),
        Kind::Text => {
            let bytes = take_var(input)?;
            DatumRef::Text(
                std::str::from_utf8(bytes)
                    .map_err(|e| Error::Corrupt(format!("row text is not utf-8: {e}")))?,
            )
        }
        Kind::Bytes => DatumRef::Bytes(take_var(input)?),
        Kind::Array => DatumRef::Array(take_var(input)?),
        Kind::Interval => DatumRef::Interval {
            months: i32::from_le_bytes(take_array(input)?),
            days: i32::from_le_bytes(take_array(input)?),
            nanos: i64::from_le_bytes(take_array(input)?),
        },
    })
}

/// Reads a value written by [`put_var`].
fn take_var<'a>(input: &mut &'a [u8]) -> Result<&'a [u8]> {
    let len = u32::from_le_bytes(take_array(input)?);
    take(input, len as usize)
}

#[cfg(test)]
mod tests;
