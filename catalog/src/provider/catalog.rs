//! The database as a DataFusion [`CatalogProvider`]: its schemas are read from storage;
//! `pg_catalog` and `information_schema` are computed from them (see [`crate::system`]).

use std::sync::Arc;

use datafusion::catalog::{CatalogProvider, SchemaProvider};

use super::schema::{SearchPathSchema, ShaleSchemaProvider};
use crate::SEARCH_PATH_SCHEMA;
use crate::session::handle::SessionHandle;
use crate::meta;
use crate::system::{INFORMATION_SCHEMA, PG_CATALOG, SystemSchema};

/// One session's view of the database's schemas.
#[derive(Debug, Clone)]
pub struct ShaleCatalogProvider {
    handle: SessionHandle,
}

impl ShaleCatalogProvider {
    /// The catalog seen through `handle`'s transaction.
    pub fn new(handle: SessionHandle) -> Self {
        ShaleCatalogProvider { handle }
    }
}

impl CatalogProvider for ShaleCatalogProvider {

    fn schema_names(&self) -> Vec<String> {
        let read = self.handle.txn().and_then(|txn| meta::list_schemas(&txn));
        match read {
            Ok(schemas) => [PG_CATALOG, INFORMATION_SCHEMA]
                .into_iter()
                .map(str::to_string)
                .chain(schemas.into_iter().map(|s| s.name))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "listing schemas failed");
                Vec::new()
            }
        }
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        if name == SEARCH_PATH_SCHEMA {
            return Some(Arc::new(SearchPathSchema::new(self.handle.clone())));
        }
        if let Some(system) = SystemSchema::named(name, self.handle.clone()) {
            return Some(Arc::new(system));
        }
        let txn = self.handle.txn().ok()?;
        let desc = meta::get_schema(&txn, name).ok()??;
        Some(Arc::new(ShaleSchemaProvider::new(self.handle.clone(), desc)))
    }
}
