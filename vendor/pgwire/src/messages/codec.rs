use std::str;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::error::{PgWireError, PgWireResult};

/// Get null-terminated string, returns None when empty or
/// non null-terminated cstring read.
///
/// Note that this implementation will also advance cursor by 1 after reading
/// empty cstring. This behaviour works for how postgres wire protocol handling
/// key-value pairs, which is ended by a single `\0`
pub(crate) fn get_cstring(buf: &mut BytesMut) -> Option<String> {
    let mut i = 0;

    // with bound check to prevent invalid format
    while i < buf.remaining() && buf[i] != b'\0' {
        i += 1;
    }

    if i == buf.remaining() {
        return None;
    }

    // i+1: include the '\0'
    // move cursor to the end of cstring
    let string_buf = buf.split_to(i + 1);

    if i == 0 {
        None
    } else {
        Some(String::from_utf8_lossy(&string_buf[..i]).into_owned())
    }
}

/// Put null-termianted string
///
/// You can put empty string by giving `""` as input.
pub(crate) fn put_cstring(buf: &mut BytesMut, input: &str) {
    buf.put_slice(input.as_bytes());
    buf.put_u8(b'\0');
}

pub(crate) fn put_option_cstring(buf: &mut BytesMut, input: &Option<String>) {
    if let Some(input) = input {
        put_cstring(buf, input);
    } else {
        buf.put_u8(b'\0');
    }
}

/// Try to read message length from buf, without actually move the cursor
pub(crate) fn get_length(buf: &BytesMut, offset: usize) -> Option<i32> {
    if buf.remaining() >= 4 + offset {
        Some((&buf[offset..4 + offset]).get_i32())
    } else {
        None
    }
}

/// Validate an on-wire element count before it is used to pre-allocate a
/// collection. Counts are unsigned; `count` elements of `elem_size` bytes each
/// must fit in the remaining buffer, or the message cannot be real.
pub(crate) fn ensure_count(count: usize, elem_size: usize, buf: &BytesMut) -> PgWireResult<()> {
    let remaining = buf.remaining();
    let needed = count.saturating_mul(elem_size);
    if needed > remaining {
        Err(PgWireError::InvalidElementCount(count, needed, remaining))
    } else {
        Ok(())
    }
}

/// Splits the next message off `buf`: its length field (after `offset` bytes
/// of type) is checked and its body, and only its body, is returned, so that
/// decoding it can never read into the next message. `None` until the whole
/// message has arrived.
///
/// A length below 4 (it counts itself) or above `max_size` is an error: the
/// stream cannot be framed any more.
pub(crate) fn split_body(
    buf: &mut BytesMut,
    offset: usize,
    max_size: usize,
) -> PgWireResult<Option<BytesMut>> {
    let Some(declared) = get_length(buf, offset) else {
        return Ok(None);
    };
    let msg_len = match usize::try_from(declared) {
        Ok(len) if len >= 4 => len,
        _ => return Err(PgWireError::InvalidMessageLength(declared)),
    };
    if msg_len > max_size {
        return Err(PgWireError::MessageTooLarge(max_size, msg_len));
    }
    if buf.remaining() < msg_len + offset {
        return Ok(None);
    }
    buf.advance(offset + 4);
    Ok(Some(buf.split_to(msg_len - 4)))
}

/// Check if message_length matches, split the message's body off `buf` (see
/// [`split_body`]) and call the `decode_fn` on the body, with the message
/// length.
pub(crate) fn decode_packet<T, F>(
    buf: &mut BytesMut,
    offset: usize,
    max_size: usize,
    decode_fn: F,
) -> PgWireResult<Option<T>>
where
    F: Fn(&mut BytesMut, usize) -> PgWireResult<T>,
{
    match split_body(buf, offset, max_size)? {
        Some(mut body) => {
            let msg_len = body.len() + 4;
            decode_fn(&mut body, msg_len).map(Some)
        }
        None => Ok(None),
    }
}

// Checked reads of a frontend message's body, as PostgreSQL's `pq_getmsg*`
// functions read one: never past its end, and failing with PostgreSQL's
// message (SQLSTATE 08P01, protocol violation).

fn protocol_violation(message: &str) -> PgWireError {
    PgWireError::MalformedMessage(PROTOCOL_VIOLATION, message.to_owned())
}

const PROTOCOL_VIOLATION: &str = "08P01";
const INSUFFICIENT_DATA: &str = "insufficient data left in message";

/// One byte (`pq_getmsgbyte`).
pub(crate) fn read_u8(buf: &mut BytesMut) -> PgWireResult<u8> {
    buf.try_get_u8()
        .map_err(|_| protocol_violation("no data left in message"))
}

/// A 16-bit integer (`pq_getmsgint(msg, 2)`).
pub(crate) fn read_i16(buf: &mut BytesMut) -> PgWireResult<i16> {
    buf.try_get_i16()
        .map_err(|_| protocol_violation(INSUFFICIENT_DATA))
}

/// A 16-bit count, unsigned as PostgreSQL reads counts.
pub(crate) fn read_u16(buf: &mut BytesMut) -> PgWireResult<u16> {
    buf.try_get_u16()
        .map_err(|_| protocol_violation(INSUFFICIENT_DATA))
}

/// A 32-bit integer (`pq_getmsgint(msg, 4)`).
pub(crate) fn read_i32(buf: &mut BytesMut) -> PgWireResult<i32> {
    buf.try_get_i32()
        .map_err(|_| protocol_violation(INSUFFICIENT_DATA))
}

/// An unsigned 32-bit integer (an OID).
pub(crate) fn read_u32(buf: &mut BytesMut) -> PgWireResult<u32> {
    buf.try_get_u32()
        .map_err(|_| protocol_violation(INSUFFICIENT_DATA))
}

/// `len` bytes (`pq_getmsgbytes`); a negative length is as short as PostgreSQL
/// finds it.
pub(crate) fn read_bytes(buf: &mut BytesMut, len: i32) -> PgWireResult<Bytes> {
    match usize::try_from(len) {
        Ok(len) if len <= buf.remaining() => Ok(buf.split_to(len).freeze()),
        _ => Err(protocol_violation(INSUFFICIENT_DATA)),
    }
}

/// A NUL-terminated string (`pq_getmsgstring`), which must be UTF-8.
pub(crate) fn read_string(buf: &mut BytesMut) -> PgWireResult<String> {
    let Some(end) = buf.iter().position(|b| *b == b'\0') else {
        return Err(protocol_violation("invalid string in message"));
    };
    let bytes = buf.split_to(end + 1);
    super::utf8::from_utf8(&bytes[..end])
        .map(str::to_owned)
        .map_err(|message| PgWireError::MalformedMessage(super::utf8::INVALID_BYTE_SEQUENCE, message))
}

/// The name of a statement or portal: a string, `None` when empty (unnamed).
pub(crate) fn read_name(buf: &mut BytesMut) -> PgWireResult<Option<String>> {
    let name = read_string(buf)?;
    Ok((!name.is_empty()).then_some(name))
}

/// Checks that the whole body was read (`pq_getmsgend`).
pub(crate) fn ensure_end(buf: &BytesMut) -> PgWireResult<()> {
    if buf.has_remaining() {
        Err(protocol_violation("invalid message format"))
    } else {
        Ok(())
    }
}

/// How many elements of `elem_size` bytes to reserve room for when the client
/// announced `count`: never more than the rest of the body can hold.
pub(crate) fn capacity_for(count: usize, elem_size: usize, buf: &BytesMut) -> usize {
    count.min(buf.remaining() / elem_size)
}

// pub(crate) fn get_and_ensure_message_type(buf: &mut BytesMut, t: u8) -> PgWireResult<()> {
//     let msg_type = buf[0];
//     // ensure the type is corrent
//     if msg_type != t {
//         return Err(PgWireError::InvalidMessageType(t, msg_type));
//     }

//     Ok(())
// }

pub(crate) fn option_string_len(s: &Option<String>) -> usize {
    1 + s.as_ref().map(|s| s.len()).unwrap_or(0)
}

#[cfg(test)]
mod test {
    use super::get_cstring;
    use bytes::{BufMut, BytesMut};

    #[test]
    fn get_cstring_valid() {
        let mut buf = BytesMut::new();
        buf.put(&b"a cstring\0"[..]);
        buf.put(&b"\0"[..]);

        assert_eq!(Some("a cstring".into()), get_cstring(&mut buf));
        assert_eq!(None, get_cstring(&mut buf));
    }

    #[test]
    fn get_cstring_empty() {
        let mut buf = BytesMut::new();

        assert_eq!(None, get_cstring(&mut buf));
    }

    #[test]
    fn get_cstring_without_null() {
        let mut buf = BytesMut::new();
        buf.put(&b"a cstring"[..]);
        assert_eq!(None, get_cstring(&mut buf));
    }
}
