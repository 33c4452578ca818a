//! The database as a DataFusion [`CatalogProvider`]: its schemas are read from storage;
//! `pg_catalog` and `information_schema` are computed from them (see [`crate::system`]).

use std::sync::Arc;

use datafusion::catalog::{CatalogProvider, CatalogProviderList, SchemaProvider, TableProvider};

use super::schema::{SearchPathSchema, ShaleSchemaProvider};
use crate::SEARCH_PATH_SCHEMA;
use crate::session::handle::SessionHandle;
use crate::error::{CatalogError, sqlstate};
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
        let read = self.handle.txn().and_then(|txn| meta::list_schemas(&txn, self.handle.identity().database_id));
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
        let desc = self.handle.scope().get_schema(&txn, name).ok()??;
        Some(Arc::new(ShaleSchemaProvider::new(self.handle.clone(), desc)))
    }
}

/// A session's catalogs for DataFusion: its database's, and for any other name one whose
/// every table is 0A000, as PostgreSQL refuses cross-database references (so the message
/// names the whole reference, `"other.public.t"`).
#[derive(Debug)]
pub struct SessionCatalogs {
    database: String,
    catalog: Arc<ShaleCatalogProvider>,
}

impl SessionCatalogs {
    /// The catalogs of `handle`'s session.
    pub fn new(handle: &SessionHandle) -> Self {
        SessionCatalogs { database: handle.identity().database.clone(), catalog: Arc::new(ShaleCatalogProvider::new(handle.clone())) }
    }
}

impl CatalogProviderList for SessionCatalogs {
    /// The session's catalogs are its database's, read from storage: nothing registers
    /// one (DataFusion would only to create a default catalog, which the session state
    /// does not ask for), and a registration changes nothing.
    fn register_catalog(&self, name: String, _catalog: Arc<dyn CatalogProvider>) -> Option<Arc<dyn CatalogProvider>> {
        tracing::warn!(catalog = %name, "a catalog registration was ignored: a session's catalogs come from storage");
        None
    }

    fn catalog_names(&self) -> Vec<String> {
        vec![self.database.clone()]
    }

    fn catalog(&self, name: &str) -> Option<Arc<dyn CatalogProvider>> {
        match name == self.database {
            true => Some(self.catalog.clone()),
            false => Some(Arc::new(OtherDatabase { database: name.to_string() })),
        }
    }
}

/// Another database named in a three-part name.
#[derive(Debug)]
struct OtherDatabase {
    database: String,
}

impl CatalogProvider for OtherDatabase {
    fn schema_names(&self) -> Vec<String> {
        Vec::new()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        Some(Arc::new(OtherDatabaseSchema { database: self.database.clone(), schema: name.to_string() }))
    }
}

/// A schema of another database: naming a table of it is 0A000.
#[derive(Debug)]
struct OtherDatabaseSchema {
    database: String,
    schema: String,
}

#[async_trait::async_trait]
impl SchemaProvider for OtherDatabaseSchema {
    fn table_names(&self) -> Vec<String> {
        Vec::new()
    }

    async fn table(&self, name: &str) -> datafusion::error::Result<Option<Arc<dyn TableProvider>>> {
        let reference = format!("{}.{}.{name}", self.database, self.schema);
        Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("cross-database references are not implemented: \"{reference}\""))
            .into_datafusion())
    }

    fn table_exist(&self, _name: &str) -> bool {
        false
    }
}
