//! Text a client sends must be valid in the server encoding, UTF-8 here, as
//! PostgreSQL checks it (`pg_verify_mbstr`): anything else, a NUL byte
//! included, is an error naming the bytes of the first invalid character.

/// SQLSTATE of an invalid byte sequence (`character_not_in_repertoire`).
pub const INVALID_BYTE_SEQUENCE: &str = "22021";

/// `bytes` as text, or PostgreSQL's message for its first invalid character,
/// e.g. `invalid byte sequence for encoding "UTF8": 0xe2 0x28 0xa1`.
pub fn from_utf8(bytes: &[u8]) -> Result<&str, String> {
    let invalid_at = match std::str::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            None => return Ok(text),
            Some(nul) => nul,
        },
        // A NUL before the invalid sequence is the first error.
        Err(e) => bytes[..e.valid_up_to()]
            .iter()
            .position(|b| *b == 0)
            .unwrap_or(e.valid_up_to()),
    };
    Err(invalid_byte_sequence(&bytes[invalid_at..]))
}

/// PostgreSQL's `report_invalid_encoding`: the bytes of the character that
/// starts `rest`, as long as its first byte says it is (at most what is left).
fn invalid_byte_sequence(rest: &[u8]) -> String {
    let first = rest.first().copied().unwrap_or(0);
    let len = match first {
        b if b & 0x80 == 0 => 1,
        b if b & 0xe0 == 0xc0 => 2,
        b if b & 0xf0 == 0xe0 => 3,
        b if b & 0xf8 == 0xf0 => 4,
        _ => 1,
    };
    let shown: Vec<String> = rest
        .iter()
        .take(len)
        .map(|b| format!("0x{b:02x}"))
        .collect();
    format!(
        "invalid byte sequence for encoding \"UTF8\": {}",
        shown.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::from_utf8;

    #[test]
    fn valid_text_passes() {
        assert_eq!(from_utf8(b""), Ok(""));
        assert_eq!(from_utf8("SELECT 'é'".as_bytes()), Ok("SELECT 'é'"));
    }

    #[test]
    fn the_first_invalid_character_is_named_as_postgresql_names_it() {
        let message = |bytes: &[u8]| from_utf8(bytes).unwrap_err();
        assert_eq!(
            message(b"SELECT '\xff'"),
            "invalid byte sequence for encoding \"UTF8\": 0xff"
        );
        // The lead byte announces three bytes: all three are shown.
        assert_eq!(
            message(b"a\xe2\x28\xa1"),
            "invalid byte sequence for encoding \"UTF8\": 0xe2 0x28 0xa1"
        );
        // A truncated character at the end: only what is there.
        assert_eq!(
            message(b"ab\xc3"),
            "invalid byte sequence for encoding \"UTF8\": 0xc3"
        );
        assert_eq!(
            message(b"a\0b\xff"),
            "invalid byte sequence for encoding \"UTF8\": 0x00"
        );
        // Surrogates are not UTF-8.
        assert_eq!(
            message(b"\xed\xa0\x80"),
            "invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80"
        );
    }
}
