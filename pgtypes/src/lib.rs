//! PostgreSQL's types, functions and semantics on Arrow and DataFusion: how each SQL type
//! is declared and computed with ([`types`]), the values Arrow's types do not have
//! (`numeric`'s specials and negative scales, intervals, `character(n)`), the text forms
//! PostgreSQL reads and writes, the functions whose PostgreSQL behaviour differs from
//! DataFusion's, the analyzer rules that give DataFusion's plans PostgreSQL's semantics
//! (integer overflow, untyped literals, casts, window frames, subqueries), and the mapping
//! of DataFusion's errors to SQLSTATEs ([`error`]).
//!
//! This crate knows DataFusion and Arrow and nothing of storage, the catalog or sessions:
//! what needs a session (the transaction's timestamp, settings, parameters) or a table is
//! in `shale-catalog`, which registers these functions and rules in each session.

pub mod arith;
pub mod array;
pub mod bytea;
pub mod cast_pairs;
pub mod casts;
mod crypto;
pub mod datetime;
pub mod enums;
pub mod error;
pub mod error_map;
pub mod field_type;
pub mod guarded;
pub mod input;
mod json_agg;
mod json_build;
mod json_edit;
mod json_functions;
mod json_modify;
pub mod json_ops;
mod json_scan;
mod json_value;
pub mod jsonb;
pub mod limits;
pub mod numeric;
pub mod pg_types;
pub mod rules;
pub mod sql;
pub mod text;
pub mod type_of;
pub mod types;
pub mod untyped_literals;
pub mod values;

pub use error::{PgError, Result, sqlstate};

/// The schema name DataFusion resolves unqualified table names in; the catalog makes it
/// stand for the session's search path, and error messages leave it out.
pub const SEARCH_PATH_SCHEMA: &str = "$search_path";

/// The name of the function that stands for a `$n` parameter in a plan made once and
/// executed many times (the catalog defines it; rules here recognise it).
pub const PARAM_FUNCTION: &str = "shale_param";

/// The functions of this crate that a session registers, replacing DataFusion's of the
/// same names where they exist: `date_bin`, `to_char`, the input functions, `gcd` / `lcm`,
/// the float functions, the array builders and counts, `round`, the `bytea` forms of
/// the string functions, and the json and jsonb functions (`jsonb_set`, `to_json`,
/// `json_build_object`, ...).
pub fn functions() -> Vec<datafusion::logical_expr::ScalarUDF> {
    [datetime::date_bin::function(), text::to_char::function(), numeric::round::function(), type_of::function()]
        .into_iter()
        .chain(input::input_functions())
        .chain(arith::gcd::functions())
        .chain(arith::float_functions::functions())
        .chain(array::size::functions())
        .chain(array::counts::functions())
        .chain(bytea::functions())
        .chain(crypto::functions())
        .chain(json_functions::functions())
        .chain(json_build::functions())
        .chain(json_modify::functions())
        .collect()
}

/// The aggregate functions of this crate that a session registers: `json_agg`,
/// `jsonb_agg`, `json_object_agg` and `jsonb_object_agg`.
pub fn aggregate_functions() -> Vec<datafusion::logical_expr::AggregateUDF> {
    json_agg::aggregates()
}
