//! Arrow to PostgreSQL: the type a column is announced as, and its values in
//! PostgreSQL's text output format, byte for byte as PostgreSQL 15 prints them
//! (DateStyle ISO, MDY; IntervalStyle postgres; TimeZone UTC; extra_float_digits 1),
//! or in PostgreSQL's binary format.

mod binary;
mod error;
mod pg_type;
mod text;
mod text_cast;
mod unconstrained;

pub use error::EncodeError;
pub use pg_type::{PgColumnType, pg_type_of};
pub use text::{encode_batch, infinity};
pub use text_cast::TextCasts;
