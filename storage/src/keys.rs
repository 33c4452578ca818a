//! The memcomparable key codec (TiKV style): comparing encoded keys bytewise gives the
//! order of the values they encode, ascending, column after column.
//!
//! Each column is a flag byte ([`NULL_FLAG`] or [`VALUE_FLAG`], so NULL sorts first) and,
//! unless NULL, its value:
//!
//! - integers, dates, times, timestamps and decimals: big-endian with the sign bit flipped;
//! - floats: the IEEE bits with the sign bit flipped for positives and every bit flipped for
//!   negatives, so `-inf < ... < -0.0 < 0.0 < ... < inf < NaN` (every NaN encodes alike);
//! - booleans: one byte, 0 or 1;
//! - text and bytes: groups of 8 bytes, each followed by a marker: `0xFF` when more groups
//!   follow, else `0xFF - padding` after a zero-padded last group, so that a prefix sorts
//!   before its extensions, NUL bytes sort correctly, and the next column cannot interfere;
//! - intervals: months, days, nanos, each as a signed integer;
//! - arrays: their encoded bytes, like bytes (the order is not SQL's: the catalog never
//!   makes an array a key column).
//!
//! A row key is [`table_prefix`] followed by the primary-key columns.

use crate::cursor::take;
use crate::{Datum, DatumRef, Error, Kind, Result};

/// Flag byte of a NULL key column; sorts before every value.
pub const NULL_FLAG: u8 = 0x00;
/// Flag byte of a non-NULL key column, followed by the value.
pub const VALUE_FLAG: u8 = 0x01;
/// Bytes per group in the text and bytes encoding.
const GROUP: usize = 8;
/// Marker after a full group that more groups follow.
const MARKER: u8 = 0xFF;

/// The key prefix of all rows of a table: its id, big-endian.
pub fn table_prefix(table_id: u64) -> [u8; 8] {
    table_id.to_be_bytes()
}

/// The smallest key greater than every key starting with `prefix`, or `None` when there is
/// none (the prefix is empty or all `0xFF`). Use it as the exclusive upper bound of a scan.
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let last = prefix.iter().rposition(|b| *b != 0xFF)?;
    let mut succ = prefix[..=last].to_vec();
    succ[last] += 1;
    Some(succ)
}

/// Appends one key column to `out`. NULL is allowed and sorts before every value.
pub fn encode_key_datum(d: DatumRef, out: &mut Vec<u8>) {
    out.push(if matches!(d, DatumRef::Null) {
        NULL_FLAG
    } else {
        VALUE_FLAG
    });
    match d {
        DatumRef::Null => {}
        DatumRef::Bool(v) => out.push(u8::from(v)),
        DatumRef::Int16(v) => put_signed(v.into(), 2, out),
        DatumRef::Int32(v) | DatumRef::Date32(v) => put_signed(v.into(), 4, out),
        DatumRef::Int64(v) | DatumRef::Time64(v) | DatumRef::Timestamp(v) => {
            put_signed(v.into(), 8, out)
        }
        DatumRef::Decimal128(v) => put_signed(v, 16, out),
        DatumRef::Decimal256(le) => {
            // Big-endian with the sign bit flipped: byte order is numeric order.
            let mut be = le;
            be.reverse();
            be[0] ^= 0x80;
            out.extend_from_slice(&be);
        }
        DatumRef::Float32(v) => put_float(
            if v.is_nan() { f32::NAN } else { v }.to_bits().into(),
            4,
            out,
        ),
        DatumRef::Float64(v) => put_float(
            if v.is_nan() { f64::NAN } else { v }.to_bits().into(),
            8,
            out,
        ),
        DatumRef::Text(v) => put_groups(v.as_bytes(), out),
        DatumRef::Bytes(v) | DatumRef::Array(v) => put_groups(v, out),
        DatumRef::Interval {
            months,
            days,
            nanos,
        } => {
            put_signed(months.into(), 4, out);
            put_signed(days.into(), 4, out);
            put_signed(nanos.into(), 8, out);
        }
    }
}

/// Decodes one key column of `kind` from the front of `input` and advances past it.
pub fn decode_key_datum(input: &mut &[u8], kind: Kind) -> Result<Datum> {
    match take(input, 1)?[0] {
        NULL_FLAG => return Ok(Datum::Null),
        VALUE_FLAG => {}
        flag => return Err(Error::Corrupt(format!("bad key flag: flag={flag:#04x}"))),
    }
    // The casts narrow values that `take_signed` sign-extended from exactly that width.
    Ok(match kind {
        Kind::Bool => match take(input, 1)?[0] {
            0 => Datum::Bool(false),
            1 => Datum::Bool(true),
            b => return Err(Error::Corrupt(format!("bad key bool: byte={b:#04x}"))),
        },
        Kind::Int16 => Datum::Int16(take_signed(input, 2)? as i16),
        Kind::Int32 => Datum::Int32(take_signed(input, 4)? as i32),
        Kind::Date32 => Datum::Date32(take_signed(input, 4)? as i32),
        Kind::Int64 => Datum::Int64(take_signed(input, 8)? as i64),
        Kind::Time64 => Datum::Time64(take_signed(input, 8)? as i64),
        Kind::Timestamp => Datum::Timestamp(take_signed(input, 8)? as i64),
        Kind::Decimal128 => Datum::Decimal128(take_signed(input, 16)?),
        Kind::Decimal256 => {
            let mut le: [u8; 32] = take(input, 32)?
                .try_into()
                .map_err(|_| Error::Corrupt("short key decimal".into()))?;
            le[0] ^= 0x80;
            le.reverse();
            Datum::Decimal256(le)
        }
        Kind::Float32 => Datum::Float32(f32::from_bits(take_float(input, 4)? as u32)),
        Kind::Float64 => Datum::Float64(f64::from_bits(take_float(input, 8)?)),
        Kind::Text => {
            let bytes = take_groups(input)?;
            Datum::Text(
                String::from_utf8(bytes)
                    .map_err(|e| Error::Corrupt(format!("key text is not utf-8: {e}")))?,
            )
        }
        Kind::Bytes => Datum::Bytes(take_groups(input)?),
        Kind::Array => Datum::Array(take_groups(input)?),
        Kind::Interval => Datum::Interval {
            months: take_signed(input, 4)? as i32,
            days: take_signed(input, 4)? as i32,
            nanos: take_signed(input, 8)? as i64,
        },
    })
}

/// Decodes a whole key made of one column per kind. Bytes left over are an error; to read
/// only the first columns of a key, call [`decode_key_datum`] per column.
pub fn decode_key_datums(bytes: &[u8], kinds: &[Kind]) -> Result<Vec<Datum>> {
    let mut input = bytes;
    let datums = kinds
        .iter()
        .map(|kind| decode_key_datum(&mut input, *kind))
        .collect::<Result<Vec<_>>>()?;
    if !input.is_empty() {
        return Err(Error::Corrupt(format!(
            "key has trailing bytes: columns={} extra={}",
            kinds.len(),
            input.len()
        )));
    }
    Ok(datums)
}

/// The sign bit of a `width`-byte integer.
fn sign_bit(width: usize) -> u128 {
    1 << (width * 8 - 1)
}

/// Appends the low `width` bytes of `v`, big-endian.
fn put_be(v: u128, width: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&v.to_be_bytes()[16 - width..]);
}

/// Reads `width` bytes, big-endian.
fn take_be(input: &mut &[u8], width: usize) -> Result<u128> {
    Ok(take(input, width)?
        .iter()
        .fold(0, |acc, b| (acc << 8) | u128::from(*b)))
}

/// Appends a `width`-byte signed integer with its sign bit flipped.
fn put_signed(v: i128, width: usize, out: &mut Vec<u8>) {
    put_be(v as u128 ^ sign_bit(width), width, out);
}

/// Reads a `width`-byte signed integer written by [`put_signed`], sign-extended.
fn take_signed(input: &mut &[u8], width: usize) -> Result<i128> {
    let shift = 128 - width * 8;
    Ok((((take_be(input, width)? ^ sign_bit(width)) << shift) as i128) >> shift)
}

/// Appends the `width`-byte IEEE bits of a float so that byte order is numeric order.
fn put_float(bits: u64, width: usize, out: &mut Vec<u8>) {
    let (bits, sign, mask) = (
        u128::from(bits),
        sign_bit(width),
        (sign_bit(width) << 1) - 1,
    );
    put_be(
        if bits & sign != 0 {
            !bits & mask
        } else {
            bits | sign
        },
        width,
        out,
    );
}

/// Reads the IEEE bits of a float written by [`put_float`].
fn take_float(input: &mut &[u8], width: usize) -> Result<u64> {
    let (key, sign, mask) = (
        take_be(input, width)?,
        sign_bit(width),
        (sign_bit(width) << 1) - 1,
    );
    Ok((if key & sign != 0 {
        key ^ sign
    } else {
        !key & mask
    }) as u64)
}

/// Appends bytes as 8-byte groups, each followed by its marker.
fn put_groups(v: &[u8], out: &mut Vec<u8>) {
    let mut chunks = v.chunks_exact(GROUP);
    for chunk in &mut chunks {
        out.extend_from_slice(chunk);
        out.push(MARKER);
    }
    let last = chunks.remainder();
    let pad = GROUP - last.len();
    out.extend_from_slice(last);
    out.extend_from_slice(&[0; GROUP][..pad]);
    out.push(MARKER - pad as u8);
}

/// Reads bytes written by [`put_groups`], checking that the padding is canonical.
fn take_groups(input: &mut &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let group = take(input, GROUP + 1)?;
        let (data, marker) = (&group[..GROUP], group[GROUP]);
        if marker == MARKER {
            out.extend_from_slice(data);
            continue;
        }
        let pad = usize::from(MARKER - marker);
        if pad > GROUP || data[GROUP - pad..].iter().any(|b| *b != 0) {
            return Err(Error::Corrupt(format!(
                "bad key group: marker={marker:#04x}"
            )));
        }
        out.extend_from_slice(&data[..GROUP - pad]);
        return Ok(out);
    }
}

#[cfg(test)]
mod tests;
