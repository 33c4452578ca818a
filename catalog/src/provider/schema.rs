//! Schemas as DataFusion [`SchemaProvider`]s: `table(name)` reads the table's (or the
//! view's) descriptor from storage when DataFusion asks for it.

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::catalog::{SchemaProvider, TableProvider};
use datafusion::error::Result as DFResult;

use super::table::ShaleTable;
use crate::descriptor::{SchemaDesc, ViewDesc};
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

    fn lookup(&self, name: &str) -> Result<Option<Relation>> {
        let txn = self.handle.txn()?;
        let found = relation(&txn, &self.handle, self.desc.id, name)?;
        if found.is_some() && crate::ddl::is_other_sessions(&self.handle, &self.desc.name) {
            return Err(crate::ddl::other_sessions_table());
        }
        Ok(found)
    }
}

/// What a name of a schema stands for, to DataFusion.
enum Relation {
    Table(ShaleTable),
    View(ViewDesc),
}

impl Relation {
    async fn provider(self, handle: &SessionHandle) -> Result<Arc<dyn TableProvider>> {
        match self {
            Relation::Table(t) => Ok(Arc::new(t)),
            Relation::View(v) => super::view::view_table(handle, &v).await,
        }
    }
}

/// The table or view `name` of the schema `schema_id`.
fn relation(txn: &shale_storage::Txn, handle: &SessionHandle, schema_id: u64, name: &str) -> Result<Option<Relation>> {
    if let Some(t) = meta::get_table(txn, schema_id, name)? {
        return Ok(Some(Relation::Table(ShaleTable::new(Arc::new(t), handle.clone()))));
    }
    Ok(meta::get_view(txn, schema_id, name)?.map(Relation::View))
}

/// The names of the tables and views of the schema `schema_id`.
fn relation_names(txn: &shale_storage::Txn, schema_id: u64) -> Result<Vec<String>> {
    let tables = meta::list_tables(txn, schema_id)?.into_iter().map(|t| t.name);
    Ok(tables.chain(meta::list_views(txn, schema_id)?.into_iter().map(|v| v.name)).collect())
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
        let names = self.handle.txn().and_then(|txn| relation_names(&txn, self.desc.id));
        or_log("listing tables", names)
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        match self.lookup(name)? {
            Some(r) => Ok(Some(r.provider(&self.handle).await?)),
            None => Ok(None),
        }
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

    fn lookup(&self, name: &str) -> Result<Option<Relation>> {
        let txn = self.handle.txn()?;
        let found = resolve::in_path(&txn, &self.handle.scope(), name, |txn, schema_id, name| relation(txn, &self.handle, schema_id, name))?;
        Ok(found.map(|(_, r)| r))
    }
}

#[async_trait]
impl SchemaProvider for SearchPathSchema {

    fn table_names(&self) -> Vec<String> {
        let names = self.handle.txn().and_then(|txn| {
            let mut names = Vec::new();
            let scope = self.handle.scope();
            for s in scope.lookup_path() {
                if let Some(schema) = scope.get_schema(&txn, s)? {
                    names.extend(relation_names(&txn, schema.id)?);
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
        match self.lookup(name)? {
            Some(r) => Ok(Some(r.provider(&self.handle).await?)),
            None => Ok(None),
        }
    }

    fn table_exist(&self, name: &str) -> bool {
        SystemSchema::pg_catalog(self.handle.clone()).lookup(name).is_some()
            || or_log("looking up a table", self.lookup(name).map(|t| t.is_some()))
    }
}
