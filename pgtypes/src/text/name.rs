//! The `name` type: an identifier of at most 63 bytes (`NAMEDATALEN - 1`); longer text is
//! cut at a character boundary, as PostgreSQL's `namein` does.

/// The most bytes a `name` holds.
pub const MAX_NAME_BYTES: usize = 63;

/// `text` as a `name` keeps it: its first 63 bytes, not splitting a character.
pub fn truncated(mut text: String) -> String {
    if text.len() > MAX_NAME_BYTES {
        let end = (0..=MAX_NAME_BYTES).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_at_63_bytes_on_a_character_boundary() {
        assert_eq!(truncated("short".into()), "short");
        assert_eq!(truncated("a".repeat(70)), "a".repeat(63));
        // 62 ASCII bytes then a 2-byte character: 64 bytes, cut before the character.
        let text = format!("{}é", "a".repeat(62));
        assert_eq!(truncated(text), "a".repeat(62));
    }
}
