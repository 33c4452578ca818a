//! The rows of a statement's WITH queries as tables its other parts read by name: a copy of
//! the session's DataFusion state whose unqualified names find them before any table (a
//! WITH query's name hides a table's, as in PostgreSQL; a qualified name is always a
//! table).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{CatalogProvider, CatalogProviderList, SchemaProvider, TableProvider};
use datafusion::datasource::MemTable;
use datafusion::error::Result as DFResult;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use shale_pgtypes::types::{ATTNUM_KEY, TABLE_OID_KEY};

use crate::error::{CatalogError, Result};

/// The statement's named rows, shared by the state [`Relations::planning_state`] makes.
#[derive(Debug, Default, Clone)]
pub(super) struct Relations(Arc<Mutex<HashMap<String, Arc<dyn TableProvider>>>>);

impl Relations {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<dyn TableProvider>>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        self.lock().get(name).cloned()
    }

    /// Names `batches` (of `schema`) `name`. Their columns are no table's columns any more
    /// (no table OID or attribute number in the row description), and may hold NULLs.
    pub(super) fn add(&self, name: &str, schema: &SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|f| {
                let mut metadata = f.metadata().clone();
                metadata.remove(TABLE_OID_KEY);
                metadata.remove(ATTNUM_KEY);
                f.as_ref().clone().with_nullable(true).with_metadata(metadata)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batches = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let table = MemTable::try_new(schema, vec![batches]).map_err(CatalogError::from)?;
        self.lock().insert(name.to_string(), Arc::new(table));
        Ok(())
    }

    /// A copy of `state` whose unqualified names find these relations first.
    pub(super) fn planning_state(&self, state: &SessionState) -> SessionState {
        let options = state.config_options();
        let catalogs = Arc::new(Catalogs {
            inner: state.catalog_list().clone(),
            catalog: options.catalog.default_catalog.clone(),
            schema: options.catalog.default_schema.clone(),
            relations: self.clone(),
        });
        SessionStateBuilder::new_from_existing(state.clone()).with_catalog_list(catalogs).build()
    }
}

/// The session's catalogs, with the default schema of the default catalog (where
/// DataFusion looks up unqualified names) finding the relations first.
#[derive(Debug)]
struct Catalogs {
    inner: Arc<dyn CatalogProviderList>,
    catalog: String,
    schema: String,
    relations: Relations,
}

impl CatalogProviderList for Catalogs {
    fn register_catalog(&self, name: String, catalog: Arc<dyn CatalogProvider>) -> Option<Arc<dyn CatalogProvider>> {
        self.inner.register_catalog(name, catalog)
    }

    fn catalog_names(&self) -> Vec<String> {
        self.inner.catalog_names()
    }

    fn catalog(&self, name: &str) -> Option<Arc<dyn CatalogProvider>> {
        let inner = self.inner.catalog(name)?;
        if name != self.catalog {
            return Some(inner);
        }
        Some(Arc::new(Catalog { inner, schema: self.schema.clone(), relations: self.relations.clone() }))
    }
}

#[derive(Debug)]
struct Catalog {
    inner: Arc<dyn CatalogProvider>,
    schema: String,
    relations: Relations,
}

impl CatalogProvider for Catalog {
    fn schema_names(&self) -> Vec<String> {
        self.inner.schema_names()
    }

    fn schema(&self, name: &str) -> Option<Arc<dyn SchemaProvider>> {
        let inner = self.inner.schema(name)?;
        if name != self.schema {
            return Some(inner);
        }
        Some(Arc::new(Unqualified { inner, relations: self.relations.clone() }))
    }
}

/// Where unqualified names are looked up.
#[derive(Debug)]
struct Unqualified {
    inner: Arc<dyn SchemaProvider>,
    relations: Relations,
}

#[async_trait]
impl SchemaProvider for Unqualified {
    fn table_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.relations.lock().keys().cloned().collect();
        names.extend(self.inner.table_names());
        names
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        match self.relations.get(name) {
            Some(relation) => Ok(Some(relation)),
            None => self.inner.table(name).await,
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        self.relations.get(name).is_some() || self.inner.table_exist(name)
    }
}
