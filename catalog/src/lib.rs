//! Shale's catalog: DataFusion catalog, schema and table providers that read table
//! metadata straight from storage, plus the DDL and DML that write it.
//!
//! There is no in-memory registry of tables: [`provider::ShaleCatalogProvider`] answers
//! DataFusion's lookups by reading descriptors through the session's transaction, so a
//! table is visible to every session as soon as the DDL that created it commits, and gone
//! as soon as a DROP commits.
//!
//! What is where: descriptors, OIDs and name resolution at the top; the providers
//! (`provider/`), DDL (`ddl/`), table access (`access/`: scans, key-range pushdown, DML),
//! the system catalogs (`system/`) and the functions that read them or the session
//! (`sysfuncs/`), and a session's state (`session/`). PostgreSQL's types and functions are
//! `shale-pgtypes`; this crate registers them in each session (`context.rs`). It knows
//! storage and DataFusion, and nothing of the wire protocol.

pub mod access;
pub mod context;
pub mod ddl;
pub mod deparse;
pub mod descriptor;
mod enum_values;
pub mod error;
pub mod functions;
pub mod ident;
pub mod meta;
pub mod oid;
pub mod provider;
pub mod resolve;
pub mod session;
pub mod sysfuncs;
pub mod system;
mod type_planner;

pub use context::new_session_state;
pub use error::{CatalogError, Result, sqlstate};
pub use session::handle::SessionHandle;
pub use shale_pgtypes::SEARCH_PATH_SCHEMA;
/// What the server needs of storage, and reaches only through the catalog: opening the
/// store and beginning, committing and rolling back its transactions.
pub use shale_storage::{Isolation, Store, StoreOptions, Txn, TxnOptions};
