//! The shapes of the generated rows in `builtin.rs`, and the `pg_type` and `pg_proc` rows
//! made from them.

use datafusion::common::ScalarValue;

use super::column as v;
use super::{PG_CATALOG_OID, SUPERUSER_OID};

/// One built-in `pg_type` row, as PostgreSQL 15 has it.
pub(crate) struct BuiltinType<'a> {
    pub oid: u32,
    pub name: &'a str,
    pub len: i16,
    pub by_val: bool,
    pub kind: char,
    pub category: char,
    pub preferred: bool,
    pub delim: char,
    pub element: u32,
    pub array: u32,
    pub input: u32,
    pub output: u32,
    pub receive: u32,
    pub send: u32,
    pub align: char,
    pub storage: char,
    pub collation: u32,
}

/// One built-in `pg_proc` row, as PostgreSQL 15 has it.
pub(crate) struct BuiltinProc {
    pub oid: u32,
    pub name: &'static str,
    pub kind: char,
    pub strict: bool,
    pub set: bool,
    pub volatility: char,
    pub result: u32,
    pub args: &'static [u32],
    pub variadic: u32,
    pub source: &'static str,
}

/// The values of a `pg_type` row (see `PG_TYPE`'s columns).
pub(super) fn type_values(t: &BuiltinType<'_>, namespace: u32, relid: u32) -> Vec<ScalarValue> {
    vec![
        v::oid(t.oid),
        v::text(t.name),
        v::oid(namespace),
        v::oid(SUPERUSER_OID),
        v::int2(t.len),
        v::boolean(t.by_val),
        v::letter(t.kind),
        v::letter(t.category),
        v::boolean(t.preferred),
        v::boolean(true),
        v::letter(t.delim),
        v::oid(relid),
        v::oid(0),
        v::oid(t.element),
        v::oid(t.array),
        v::oid(t.input),
        v::oid(t.output),
        v::oid(t.receive),
        v::oid(t.send),
        v::oid(0),
        v::oid(0),
        v::oid(0),
        v::letter(t.align),
        v::letter(t.storage),
        v::boolean(false),
        v::oid(0),
        v::int4(-1),
        v::int4(0),
        v::oid(t.collation),
        v::null(),
        v::null(),
        v::null(),
    ]
}

/// The values of a `pg_proc` row (see `PG_PROC`'s columns).
pub(super) fn proc_values(p: &BuiltinProc) -> Vec<ScalarValue> {
    vec![
        v::oid(p.oid),
        v::text(p.name),
        v::oid(PG_CATALOG_OID),
        v::oid(SUPERUSER_OID),
        v::oid(12),
        v::float4(1.0),
        v::float4(if p.set { 1000.0 } else { 0.0 }),
        v::oid(p.variadic),
        v::oid(0),
        v::letter(p.kind),
        v::boolean(false),
        v::boolean(false),
        v::boolean(p.strict),
        v::boolean(p.set),
        v::letter(p.volatility),
        v::letter('s'),
        v::int2(i16::try_from(p.args.len()).unwrap_or(i16::MAX)),
        v::int2(0),
        v::oid(p.result),
        v::oid_list(p.args),
        v::null(),
        v::null(),
        v::null(),
        v::null(),
        v::null(),
        v::text(p.source),
        v::null(),
        v::null(),
        v::null(),
        v::null(),
    ]
}
