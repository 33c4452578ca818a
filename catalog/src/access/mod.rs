//! Table access: reading a table's rows from storage (scan, key-range pushdown), the
//! conversions between Arrow arrays and stored datums, the checks a value passes before it
//! is stored, values as PostgreSQL's text for error details, INSERT, UPDATE and DELETE, and
//! the foreign-key checks deferred to COMMIT.

pub mod cascaded;
pub mod convert;
pub mod deferred;
pub mod dml;
pub mod foreign_key;
pub mod index;
pub mod index_keys;
pub mod pushdown;
pub mod scan;
pub mod text;
pub mod values;
