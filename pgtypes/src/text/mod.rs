//! Character types and text formatting: `character(n)`'s padding and `to_char`.

pub mod bpchar;
pub mod name;
pub mod to_char;
