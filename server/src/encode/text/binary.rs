//! bytea and uuid from Arrow binary arrays.

use bytes::{BufMut, BytesMut};

use crate::encode::EncodeError;

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes bytea in PostgreSQL's default hex format: `\x` and lowercase hex.
pub(super) fn write_bytea(value: &[u8], out: &mut BytesMut) -> Result<(), EncodeError> {
    out.reserve(2 + 2 * value.len());
    out.put_slice(b"\\x");
    put_hex(value, out);
    Ok(())
}

/// Writes 16 bytes as a canonical uuid: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub(super) fn write_uuid(value: &[u8], out: &mut BytesMut) -> Result<(), EncodeError> {
    for (i, group) in [0..4, 4..6, 6..8, 8..10, 10..16].into_iter().enumerate() {
        if i > 0 {
            out.put_u8(b'-');
        }
        put_hex(value.get(group).unwrap_or_default(), out);
    }
    Ok(())
}

/// Writes each byte as two lowercase hex digits.
fn put_hex(bytes: &[u8], out: &mut BytesMut) {
    for byte in bytes {
        out.put_u8(HEX_DIGITS[usize::from(byte >> 4)]);
        out.put_u8(HEX_DIGITS[usize::from(byte & 0x0f)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(write: fn(&[u8], &mut BytesMut) -> Result<(), EncodeError>, value: &[u8]) -> String {
        let mut out = BytesMut::new();
        write(value, &mut out).unwrap();
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn bytea_is_backslash_x_and_lowercase_hex() {
        // SELECT '\x00ff10'::bytea, ''::bytea
        assert_eq!(text(write_bytea, &[0x00, 0xff, 0x10]), "\\x00ff10");
        assert_eq!(text(write_bytea, &[]), "\\x");
    }

    #[test]
    fn uuid_is_canonical_lowercase() {
        // SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid
        let bytes = [
            0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38,
            0x0a, 0x11,
        ];
        assert_eq!(
            text(write_uuid, &bytes),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
        );
    }
}
