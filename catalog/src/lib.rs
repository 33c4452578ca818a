//! Shale's catalog: DataFusion catalog, schema and table providers that read table
//! metadata straight from storage, plus the DDL and DML that write it.
//!
//! There is no in-memory registry of tables: [`provider::ShaleCatalogProvider`] answers
//! DataFusion's lookups by reading descriptors through the session's transaction, so a
//! table is visible to every session as soon as the DDL that created it commits, and gone
//! as soon as a DROP commits.

pub mod activity;
mod arith;
pub mod blocking;
mod bpchar;
mod array;
mod array_size;
mod casts;
pub mod context;
mod date_bin;
pub mod convert;
mod datetime_in;
pub mod datetime_out;
pub mod ddl;
pub mod descriptor;
pub mod dml;
pub mod error;
mod float;
mod float_functions;
mod gcd;
mod guarded;
mod error_map;
pub mod functions;
pub mod handle;
pub mod ident;
pub mod input;
pub mod interrupt;
mod interval;
mod interval_scaling;
mod jsonb;
pub mod limits;
pub mod meta;
pub mod oid;
mod pg_types;
pub mod param;
mod now;
pub mod numeric;
pub mod provider;
mod recursive_fields;
pub mod pushdown;
pub mod resolve;
mod scalar_subquery;
pub mod scan;
pub mod settings;
pub mod sql;
pub mod system;
mod to_char;
pub mod sysfuncs;
mod type_planner;
mod untyped_literals;
mod window_frames;
pub mod types;
pub mod values;
mod yielding;

pub use context::{CATALOG_NAME, new_session_state};
pub use error::{CatalogError, Result, sqlstate};
pub use handle::SessionHandle;

/// The name DataFusion resolves unqualified table names in; it stands for the session's
/// search path (see [`provider::SearchPathSchema`]).
pub const SEARCH_PATH_SCHEMA: &str = "$search_path";
