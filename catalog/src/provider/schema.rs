//! Schemas as DataFusion [`SchemaProvider`]s: `table(name)` reads the table's descriptor
//! from storage when DataFusion asks for it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::Result as DFResult;

use super::table::ShaleTable;
use crate::descriptor::SchemaDesc;
use crate::error::Result;
use crate::session::handle::SessionHandle;
use crate::system::SystemSchema;
use crate::{meta, resolve};

/// A stored schema.
#[derive(Debug)]
pub struct ShaleSchemaProvider {
    handle: SessionHandle,
    desc: SchemaDesc,
}

impl ShaleSchemaProvider {
    /// The schema `desc`, read through `handle`.
    pub fn new(handle: SessionHandle, desc: SchemaDesc) -> Self {
        ShaleSchemaProvider { handle, desc }
    }

    fn lookup(&self, name: &str) -> Result<Option<ShaleTable>> {
        let txn = self.handle.txn()?;
        let table = meta::get_table(&txn, self.desc.id, name)?;
        Ok(table.map(|t| ShaleTable::new(Arc::new(t), self.handle.clone())))
    }
}

/// Logs a failed synchronous read and answers as if the object did not exist: DataFusion's
/// synchronous catalog methods cannot return errors.
fn or_log<T: Default>(what: &str, r: Result<T>) -> T {
    r.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "{what} failed");
        T::default()
    })
}

#[async_trait]
impl SchemaProvider for ShaleSchemaProvider {

    fn table_names(&self) -> Vec<String> {
        let names = self
            .handle
            .txn()
            .and_then(|txn| meta::list_tables(&txn, self.desc.id))
            .map(|tables| tables.into_iter().map(|t| t.name).collect());
        or_log("listing tables", names)
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.lookup(name)?.map(|t| Arc::new(t) as Arc<dyn TableProvider>))
    }

    fn table_exist(&self, name: &str) -> bool {
        or_log("looking up a table", self.lookup(name).map(|t| t.is_some()))
    }
}

/// The schema DataFusion resolves unqualified names in: it searches `pg_catalog`, then the
/// session's `search_path`, schema by schema, as PostgreSQL does (when the path does not
/// name `pg_catalog`, PostgreSQL searches it first).
#[derive(Debug)]
pub struct SearchPathSchema {
    handle: SessionHandle,
}

impl SearchPathSchema {
    /// The search path of `handle`'s session.
    pub fn new(handle: SessionHandle) -> Self {
        SearchPathSchema { handle }
    }

    fn lookup(&self, name: &str) -> Result<Option<ShaleTable>> {
        let txn = self.handle.txn()?;
        let found = resolve::find_in_path(&txn, &self.handle.scope(), name)?;
        Ok(found.map(|r| ShaleTable::new(Arc::new(r.table), self.handle.clone())))
    }
}

#[async_trait]
impl SchemaProvider for SearchPathSchema {

    fn table_names(&self) -> Vec<String> {
        let names = self.handle.txn().and_then(|txn| {
            let mut names = Vec::new();
            let scope = self.handle.scope();
            for s in &scope.search_path {
                if let Some(schema) = scope.get_schema(&txn, s)? {
                    names.extend(meta::list_tables(&txn, schema.id)?.into_iter().map(|t| t.name));
                }
            }
            Ok(names)
        });
        or_log("listing tables", names)
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        if let Some(system) = SystemSchema::pg_catalog(self.handle.clone()).lookup(name) {
            return Ok(Some(system));
        }
        Ok(self.lookup(name)?.map(|t| Arc::new(t) as Arc<dyn TableProvider>))
    }

    fn table_exist(&self, name: &str) -> bool {
        SystemSchema::pg_catalog(self.handle.clone()).lookup(name).is_some()
            || or_log("looking up a table", self.lookup(name).map(|t| t.is_some()))
    }
}
