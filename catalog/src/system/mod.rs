//! The system catalogs: `pg_catalog` and `information_schema`, computed from storage's
//! descriptors each time a query scans them, through the session's transaction, so they
//! can never disagree with the tables (nothing is registered twice). OIDs come from
//! [`crate::oid`]: stable across restarts and the same as RowDescription's.
//!
//! `datafusion-pg-catalog` has these tables too, but numbers OIDs from an in-memory counter
//! and derives types from Arrow's, so its OIDs change at restart and differ from the
//! RowDescription's, and varchar, char(n) and typmods are lost; hence Shale's own.
//!
//! Each table is a [`TableDef`]: PostgreSQL 15's columns (those Shale fills, in
//! PostgreSQL's order) and a function making its rows from a [`Snapshot`].

pub(crate) mod builtin;
pub(crate) mod builtin_rows;
mod cluster;
pub(crate) mod column;
mod information_schema;
mod relations;
mod snapshot;
mod types;

use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, RecordBatch};
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
pub(crate) use builtin_rows::BuiltinType;
pub(crate) use column::Column;
pub(crate) use relations::{constraint_def, foreign_key_def, index_column_def, index_def};
pub(crate) use snapshot::Snapshot;

/// The name of the system catalog schema.
pub const PG_CATALOG: &str = "pg_catalog";
/// The name of the SQL-standard catalog schema.
pub const INFORMATION_SCHEMA: &str = "information_schema";

/// `pg_catalog`'s own OID, as in PostgreSQL.
pub(crate) const PG_CATALOG_OID: u32 = 11;
/// `information_schema`'s OID (PostgreSQL assigns it at initdb; this is Shale's).
pub(crate) const INFORMATION_SCHEMA_OID: u32 = 13_000;
/// The bootstrap superuser's OID, owner of everything.
pub(crate) const SUPERUSER_OID: u32 = 10;
/// `pg_database_owner`, the role standing for the database's owner (owner of `public`).
pub(crate) const DATABASE_OWNER_OID: u32 = 6171;
/// Its name.
pub(crate) const DATABASE_OWNER: &str = "pg_database_owner";

/// The column names of the system table `schema.name` (unqualified: `pg_catalog`'s).
pub fn system_table_columns(schema: Option<&str>, name: &str) -> Option<Vec<&'static str>> {
    let tables = match schema {
        None | Some(PG_CATALOG) => PG_CATALOG_TABLES,
        Some(INFORMATION_SCHEMA) => information_schema::TABLES,
        Some(_) => return None,
    };
    tables.iter().find(|t| t.name == name).map(|t| t.columns.iter().map(|(c, _)| *c).collect())
}

/// Whether `schema.name` (or unqualified `name`, which finds `pg_catalog` first) is a
/// system table.
pub fn is_system_table(schema: Option<&str>, name: &str) -> bool {
    match schema {
        None | Some(PG_CATALOG) => PG_CATALOG_TABLES.iter().any(|t| t.name == name),
        Some(INFORMATION_SCHEMA) => information_schema::TABLES.iter().any(|t| t.name == name),
        Some(_) => false,
    }
}

/// Whether the system table `schema.name` (unqualified: `pg_catalog`'s) never has rows in
/// Shale.
pub fn is_always_empty(schema: Option<&str>, name: &str) -> bool {
    let tables = match schema {
        None | Some(PG_CATALOG) => PG_CATALOG_TABLES,
        Some(INFORMATION_SCHEMA) => information_schema::TABLES,
        Some(_) => return false,
    };
    tables.iter().any(|t| t.name == name && matches!(t.rows, Rows::Never))
}

/// The description of the built-in object `oid` of the catalog `class` (any catalog:
/// `None`).
pub(crate) fn description(oid: u32, class: Option<u32>) -> Option<&'static str> {
    builtin::DESCRIPTIONS.iter().find(|(o, c, _)| *o == oid && class.is_none_or(|class| class == *c)).map(|d| d.2)
}

/// The built-in type matching `pred`.
pub(crate) fn builtin_type(pred: impl Fn(&BuiltinType<'static>) -> bool) -> Option<&'static BuiltinType<'static>> {
    builtin::TYPES.iter().find(|t| pred(t))
}

/// The OID of the built-in function `name` (its first overload).
pub(crate) fn builtin_proc_by_name(name: &str) -> Option<u32> {
    builtin::PROCS.iter().find(|p| p.name == name).map(|p| p.oid)
}

/// The built-in function with OID `oid`.
pub(crate) fn builtin_proc(oid: u32) -> Option<&'static builtin_rows::BuiltinProc> {
    builtin::PROCS.iter().find(|p| p.oid == oid)
}

/// The name of the built-in function with OID `oid`.
pub(crate) fn builtin_proc_name(oid: u32) -> Option<&'static str> {
    builtin::PROCS.iter().find(|p| p.oid == oid).map(|p| p.name)
}

/// PostgreSQL's OIDs of the system catalogs clients name in casts (`'pg_class'::regclass`).
const SYSTEM_RELATIONS: &[(&str, u32)] = &[
    ("pg_type", 1247),
    ("pg_attribute", 1249),
    ("pg_proc", 1255),
    ("pg_class", 1259),
    ("pg_authid", 1260),
    ("pg_database", 1262),
    ("pg_am", 2601),
    ("pg_attrdef", 2604),
    ("pg_constraint", 2606),
    ("pg_depend", 2608),
    ("pg_description", 2609),
    ("pg_index", 2610),
    ("pg_inherits", 2611),
    ("pg_namespace", 2615),
    ("pg_rewrite", 2618),
    ("pg_trigger", 2620),
    ("pg_extension", 3079),
    ("pg_collation", 3456),
];

/// The OID of the system catalog `name`.
pub(crate) fn system_relation_oid(name: &str) -> Option<u32> {
    SYSTEM_RELATIONS.iter().find(|(n, _)| *n == name).map(|(_, oid)| *oid)
}

/// One row of a system table, its values in column order.
pub(crate) type Row = Vec<ScalarValue>;

/// A system table: its name, its columns and how its rows are made.
pub(crate) struct TableDef {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Column)],
    pub rows: Rows,
}

/// Where a system table's rows come from.
#[derive(Clone, Copy)]
pub(crate) enum Rows {
    /// Made from a snapshot of the catalog.
    Of(fn(&Snapshot) -> Result<Vec<Row>>),
    /// None ever: the catalog of objects Shale does not have (views, sequences, ...).
    Never,
}

impl Rows {
    fn of(self, snapshot: &Snapshot) -> Result<Vec<Row>> {
        match self {
            Rows::Of(rows) => rows(snapshot),
            Rows::Never => Ok(Vec::new()),
        }
    }
}

/// A system schema of one session: `pg_catalog` or `information_schema`.
#[derive(Clone)]
pub struct SystemSchema {
    handle: SessionHandle,
    tables: &'static [&'static TableDef],
}

impl std::fmt::Debug for SystemSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemSchema").field("tables", &self.tables.len()).finish()
    }
}

impl SystemSchema {
    /// `pg_catalog` seen through `handle`'s transaction.
    pub fn pg_catalog(handle: SessionHandle) -> Self {
        SystemSchema { handle, tables: PG_CATALOG_TABLES }
    }

    /// `information_schema` seen through `handle`'s transaction.
    pub fn information_schema(handle: SessionHandle) -> Self {
        SystemSchema { handle, tables: information_schema::TABLES }
    }

    /// The system schema `name`, if it is one.
    pub fn named(name: &str, handle: SessionHandle) -> Option<Self> {
        match name {
            PG_CATALOG => Some(Self::pg_catalog(handle)),
            INFORMATION_SCHEMA => Some(Self::information_schema(handle)),
            _ => None,
        }
    }

    /// The system table `name`, if this schema has it.
    pub fn lookup(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        let def = *self.tables.iter().find(|t| t.name == name)?;
        let fields: Vec<_> = def.columns.iter().map(|(name, column)| column.field(name)).collect();
        Some(Arc::new(SystemTable { def, schema: Arc::new(Schema::new(fields)), handle: self.handle.clone() }))
    }
}

#[async_trait]
impl SchemaProvider for SystemSchema {
    fn table_names(&self) -> Vec<String> {
        self.tables.iter().map(|t| t.name.to_string()).collect()
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.lookup(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        self.tables.iter().any(|t| t.name == name)
    }
}

/// One system table: its rows are made from storage when a query scans it.
struct SystemTable {
    def: &'static TableDef,
    schema: SchemaRef,
    handle: SessionHandle,
}

impl std::fmt::Debug for SystemTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemTable").field("name", &self.def.name).finish()
    }
}

#[async_trait]
impl TableProvider for SystemTable {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::View
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let snapshot = Snapshot::load(&self.handle).map_err(CatalogError::into_datafusion)?;
        let rows = self.def.rows.of(&snapshot).map_err(CatalogError::into_datafusion)?;
        let batch = batch(self.def.name, &self.schema, rows)?;
        let source = MemorySourceConfig::try_new_exec(&[vec![batch]], self.schema.clone(), projection.cloned())?;
        Ok(source)
    }
}

/// `rows` as a batch of `schema`; XX000 for a row that is not as wide as the schema.
fn batch(table: &str, schema: &SchemaRef, rows: Vec<Row>) -> DFResult<RecordBatch> {
    let width = schema.fields().len();
    if rows.iter().any(|row| row.len() != width) {
        return Err(CatalogError::internal(format!("a {table} row without {width} values")).into_datafusion());
    }
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| column::column(field, rows.iter().map(|row| row[i].clone())))
        .collect::<DFResult<Vec<ArrayRef>>>()?;
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// The tables of `pg_catalog`.
const PG_CATALOG_TABLES: &[&TableDef] = &[
    &relations::PG_NAMESPACE,
    &relations::PG_CLASS,
    &relations::PG_ATTRIBUTE,
    &relations::PG_INDEX,
    &relations::PG_CONSTRAINT,
    &relations::PG_ATTRDEF,
    &relations::PG_TABLES,
    &relations::PG_INDEXES,
    &relations::PG_STAT_USER_TABLES,
    &relations::PG_STAT_ALL_TABLES,
    &relations::PG_DESCRIPTION,
    &relations::PG_VIEWS,
    &relations::PG_MATVIEWS,
    &relations::PG_SEQUENCES,
    &relations::PG_SEQUENCE,
    &relations::PG_INHERITS,
    &relations::PG_TRIGGER,
    &relations::PG_POLICY,
    &relations::PG_REWRITE,
    &relations::PG_DEPEND,
    &relations::PG_STATISTIC_EXT,
    &relations::PG_PARTITIONED_TABLE,
    &relations::PG_FOREIGN_TABLE,
    &relations::PG_PUBLICATION,
    &relations::PG_PUBLICATION_NAMESPACE,
    &relations::PG_PUBLICATION_REL,
    &types::PG_TYPE,
    &types::PG_PROC,
    &types::PG_AM,
    &types::PG_COLLATION,
    &types::PG_ENUM,
    &types::PG_RANGE,
    &types::PG_EXTENSION,
    &types::PG_OPCLASS,
    &cluster::PG_DATABASE,
    &cluster::PG_ROLES,
    &cluster::PG_USER,
    &cluster::PG_AUTHID,
    &cluster::PG_AUTH_MEMBERS,
    &cluster::PG_SETTINGS,
    &cluster::PG_STAT_ACTIVITY,
    &cluster::PG_TABLESPACE,
    &cluster::PG_SHDESCRIPTION,
    &cluster::PG_STAT_GSSAPI,
    &cluster::PG_SECLABELS,
    &cluster::PG_SHMEM_ALLOCATIONS,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table's rows, from a snapshot with a table, match its columns.
    #[test]
    fn rows_have_their_tables_columns() {
        let snapshot = Snapshot::sample();
        for def in PG_CATALOG_TABLES.iter().chain(information_schema::TABLES) {
            let rows = def.rows.of(&snapshot).expect("rows");
            let fields: Vec<_> = def.columns.iter().map(|(name, column)| column.field(name)).collect();
            let schema = Arc::new(Schema::new(fields));
            batch(def.name, &schema, rows).unwrap_or_else(|e| panic!("{}: {e}", def.name));
        }
    }
}
