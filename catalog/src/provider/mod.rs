//! DataFusion providers over storage: catalog, schemas and tables are read from storage
//! each time DataFusion asks for them; nothing is registered in memory.

mod catalog;
mod schema;
mod table;
mod view;

pub use catalog::{SessionCatalogs, ShaleCatalogProvider};
pub use schema::{SearchPathSchema, ShaleSchemaProvider};
pub use table::{KEY_COLUMN, ShaleTable};
