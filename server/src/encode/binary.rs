//! PostgreSQL's binary format: what `*send` functions write, for the types Shale stores.

use bytes::{BufMut, BytesMut};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Decimal256Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, UInt32Type,
    IntervalMonthDayNanoType, IntervalUnit, Time64MicrosecondType, Time64NanosecondType, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use pgwire::api::Type;
use shale_pgtypes::enums;
use shale_pgtypes::numeric::Special;

use super::text::{ValueWriter, primitive, writer};

mod array;
use super::{EncodeError, PgColumnType};

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const EPOCH_DAYS: i32 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
const EPOCH_MICROS: i64 = 946_684_800_000_000;

/// Picks the binary writer for the values of `array`, announced as `ty`.
pub(super) fn value_writer<'a>(array: &'a dyn Array, ty: &PgColumnType) -> Result<ValueWriter<'a>, EncodeError> {
    let data_type = array.data_type();
    match data_type {
        DataType::Boolean => writer(array.as_boolean_opt(), data_type, |v, out| Ok(out.put_u8(v as u8))),
        DataType::Int16 => primitive::<Int16Type>(array, |v, out| Ok(out.put_i16(v))),
        DataType::Int32 => primitive::<Int32Type>(array, |v, out| Ok(out.put_i32(v))),
        DataType::Int64 => primitive::<Int64Type>(array, |v, out| Ok(out.put_i64(v))),
        // oid
        DataType::UInt32 => primitive::<UInt32Type>(array, |v, out| Ok(out.put_u32(v))),
        DataType::Float32 => primitive::<Float32Type>(array, |v, out| Ok(out.put_f32(v))),
        DataType::Float64 => primitive::<Float64Type>(array, |v, out| Ok(out.put_f64(v))),
        DataType::Decimal128(_, scale) => {
            let scale = *scale;
            primitive::<Decimal128Type>(array, move |v, out| match Special::of128(v) {
                Some(special) => Ok(write_special(special, out)),
                None => Ok(write_numeric(v, scale, out)),
            })
        }
        DataType::Decimal256(_, scale) => {
            let shown = super::unconstrained::shown(ty, *scale);
            primitive::<Decimal256Type>(array, move |v, out| match Special::of256(v) {
                Some(special) => Ok(write_special(special, out)),
                None => {
                    let (v, scale) = shown(v);
                    Ok(write_numeric(v, scale, out))
                }
            })
        }
        DataType::Utf8 => {
            let kind = ty.ty.clone();
            writer(array.as_string_opt::<i32>(), data_type, move |v: &str, out| text_value(v, &kind, out))
        }
        DataType::LargeUtf8 => {
            let kind = ty.ty.clone();
            writer(array.as_string_opt::<i64>(), data_type, move |v: &str, out| text_value(v, &kind, out))
        }
        DataType::Utf8View => {
            let kind = ty.ty.clone();
            writer(array.as_string_view_opt(), data_type, move |v: &str, out| text_value(v, &kind, out))
        }
        DataType::Binary => writer(array.as_binary_opt::<i32>(), data_type, |v: &[u8], out| Ok(out.put_slice(v))),
        // An enum value: its label, as `enum_send` sends it.
        DataType::Struct(_) if enums::enum_oid(data_type).is_some() => {
            writer(array.as_struct().column(1).as_string_opt::<i32>(), data_type, |v: &str, out| Ok(out.put_slice(v.as_bytes())))
        }
        // The extreme values are infinity and -infinity, sent as they are.
        DataType::Date32 => primitive::<Date32Type>(array, |v, out| {
            Ok(out.put_i32(if v == i32::MAX || v == i32::MIN { v } else { v - EPOCH_DAYS }))
        }),
        DataType::Time64(TimeUnit::Microsecond) => primitive::<Time64MicrosecondType>(array, |v, out| Ok(out.put_i64(v))),
        // `'12:00'::time` is DataFusion's nanosecond time.
        DataType::Time64(TimeUnit::Nanosecond) => primitive::<Time64NanosecondType>(array, |v, out| Ok(out.put_i64(v / 1_000))),
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => primitive::<TimestampSecondType>(array, |v, out| Ok(out.put_i64(v * 1_000_000 - EPOCH_MICROS))),
            TimeUnit::Millisecond => primitive::<TimestampMillisecondType>(array, |v, out| Ok(out.put_i64(v * 1_000 - EPOCH_MICROS))),
            TimeUnit::Microsecond => primitive::<TimestampMicrosecondType>(array, |v, out| {
                Ok(out.put_i64(if v == i64::MAX || v == i64::MIN { v } else { v - EPOCH_MICROS }))
            }),
            TimeUnit::Nanosecond => primitive::<TimestampNanosecondType>(array, |v, out| {
                Ok(out.put_i64(v.div_euclid(1_000) - EPOCH_MICROS))
            }),
        },
        DataType::Interval(IntervalUnit::MonthDayNano) => primitive::<IntervalMonthDayNanoType>(array, |v, out| {
            out.put_i64(v.nanoseconds / 1_000);
            out.put_i32(v.days);
            out.put_i32(v.months);
            Ok(())
        }),
        DataType::List(item) => array::list_writer(array.as_list_opt::<i32>(), data_type, item),
        DataType::LargeList(item) => array::list_writer(array.as_list_opt::<i64>(), data_type, item),
        _ => Err(EncodeError::Unsupported(data_type.clone())),
    }
}

/// Text-backed types: uuid as its 16 bytes, jsonb with its version byte, the rest as is.
fn text_value(v: &str, ty: &Type, out: &mut BytesMut) -> Result<(), EncodeError> {
    match *ty {
        Type::UUID => {
            let hex: String = v.chars().filter(|c| *c != '-').collect();
            for i in (0..hex.len()).step_by(2) {
                let byte = hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
                out.put_u8(byte.ok_or(EncodeError::Downcast(DataType::Utf8))?);
            }
        }
        Type::JSONB => {
            out.put_u8(1);
            out.put_slice(v.as_bytes());
        }
        _ => out.put_slice(v.as_bytes()),
    }
    Ok(())
}

/// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits
/// (most significant first), without leading or trailing zero digits.
/// A numeric NaN or infinity as `numeric_send` writes it: no digits, the special's sign word.
fn write_special(special: Special, out: &mut BytesMut) {
    out.put_i16(0);
    out.put_i16(0);
    out.put_u16(special.binary_sign());
    out.put_i16(0);
}

fn write_numeric(unscaled: impl std::fmt::Display, scale: i8, out: &mut BytesMut) {
    let text = unscaled.to_string();
    let (negative, mut digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits.to_string()),
        None => (false, text),
    };
    // A negative scale stands for that many zeros (numeric(p, -s) shows no fraction).
    digits.extend(std::iter::repeat_n('0', usize::from(scale.min(0).unsigned_abs())));
    let scale = scale.max(0) as usize;
    let (int_part, frac_part) = if digits.len() > scale {
        digits.split_at(digits.len() - scale)
    } else {
        ("", digits.as_str())
    };
    let frac = format!("{}{frac_part}", "0".repeat(scale - frac_part.len()));
    // Align the integer part on the left and the fraction on the right to whole groups.
    let int = format!("{}{int_part}", "0".repeat((4 - int_part.len() % 4) % 4));
    let frac = format!("{frac}{}", "0".repeat((4 - frac.len() % 4) % 4));
    let groups = |s: &str| s.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or("0").parse::<i16>().unwrap_or(0)).collect::<Vec<_>>();
    let mut all = groups(&int);
    let int_groups = all.len() as i16;
    all.extend(groups(&frac));
    let leading = all.iter().take_while(|d| **d == 0).count();
    let trailing = all.iter().rev().take_while(|d| **d == 0).count();
    let (weight, kept): (i16, &[i16]) = if leading == all.len() {
        (0, &[])
    } else {
        (int_groups - 1 - leading as i16, &all[leading..all.len() - trailing])
    };
    out.put_i16(kept.len() as i16);
    out.put_i16(weight);
    out.put_u16(if negative && !kept.is_empty() { 0x4000 } else { 0 });
    out.put_i16(scale as i16);
    for d in kept {
        out.put_i16(*d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(v: i128, scale: i8) -> Vec<i16> {
        let mut out = BytesMut::new();
        write_numeric(v, scale, &mut out);
        out.chunks(2).map(|c| i16::from_be_bytes([c[0], c[1]])).collect()
    }

    #[test]
    fn numeric_matches_postgres_numeric_send() {
        // SELECT numeric_send(1234.5::numeric(10,1)) = \x0002 0000 0000 0001 04d2 1388
        assert_eq!(numeric(12345, 1), vec![2, 0, 0, 1, 1234, 5000]);
        // -0.05 with scale 2: one digit 500 at weight -1, negative.
        assert_eq!(numeric(-5, 2), vec![1, -1, 0x4000, 2, 500]);
        // 0 with scale 2: no digits.
        assert_eq!(numeric(0, 2), vec![0, 0, 0, 2]);
        // 100000000 = 1 * 10000^2
        assert_eq!(numeric(100_000_000, 0), vec![1, 2, 0, 0, 1]);
        // numeric_send(12000::numeric(2,-3)) = \x0002 0001 0000 0000 0001 07d0
        assert_eq!(numeric(12, -3), vec![2, 1, 0, 0, 1, 2000]);
        // numeric_send('NaN'), numeric_send('-Infinity') = \x00000000c0000000, \x00000000f0000000
        let mut out = BytesMut::new();
        write_special(Special::NaN, &mut out);
        write_special(Special::NegativeInfinity, &mut out);
        assert_eq!(out.as_ref(), b"\0\0\0\0\xc0\0\0\0\0\0\0\0\xf0\0\0\0");
    }
}
