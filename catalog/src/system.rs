//! The `pg_catalog` schema: PostgreSQL's system catalogs, computed from storage's
//! descriptors each time a query scans them, through the session's transaction, so they
//! can never disagree with the tables (nothing is registered twice). OIDs come from
//! [`crate::oid`]: stable across restarts and the same as RowDescription's.
//!
//! `datafusion-pg-catalog` has these tables too, but numbers OIDs from an in-memory counter
//! and derives types from Arrow's, so its OIDs change at restart and differ from the
//! RowDescription's, and varchar, char(n) and typmods are lost; hence Shale's own.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::array::{ArrayRef, RecordBatch, new_empty_array};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::{SchemaProvider, Session, TableProvider};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::datasource::TableType;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;

use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};
use crate::handle::SessionHandle;
use crate::meta;
use crate::oid;
use crate::types::{SqlType, TYPE_KEY};

/// The name of the system catalog schema.
pub const PG_CATALOG: &str = "pg_catalog";

/// `pg_catalog`'s own OID, as in PostgreSQL.
const PG_CATALOG_OID: u32 = 11;
/// The bootstrap superuser's OID, owner of everything.
const SUPERUSER_OID: u32 = 10;
/// PostgreSQL's btree access method, of every primary-key index.
const BTREE_OID: u32 = 403;
/// PostgreSQL's heap access method, of every table.
const HEAP_OID: u32 = 2;

/// The system tables Shale has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Namespace,
    Class,
    Attribute,
    Type,
    Database,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Namespace, Kind::Class, Kind::Attribute, Kind::Type, Kind::Database];

    fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "pg_namespace",
            Kind::Class => "pg_class",
            Kind::Attribute => "pg_attribute",
            Kind::Type => "pg_type",
            Kind::Database => "pg_database",
        }
    }

    /// Its columns, PostgreSQL's (those Shale fills), in PostgreSQL's order.
    fn columns(self) -> Vec<Field> {
        use Column::*;
        let columns: &[(&str, Column)] = match self {
            Kind::Namespace => &[("oid", Oid), ("nspname", Name), ("nspowner", Oid), ("nspacl", Text)],
            Kind::Class => &[
                ("oid", Oid),
                ("relname", Name),
                ("relnamespace", Oid),
                ("reltype", Oid),
                ("reloftype", Oid),
                ("relowner", Oid),
                ("relam", Oid),
                ("relfilenode", Oid),
                ("reltablespace", Oid),
                ("relpages", Int4),
                ("reltuples", Float4),
                ("relallvisible", Int4),
                ("reltoastrelid", Oid),
                ("relhasindex", Bool),
                ("relisshared", Bool),
                ("relpersistence", Char),
                ("relkind", Char),
                ("relnatts", Int2),
                ("relchecks", Int2),
                ("relhasrules", Bool),
                ("relhastriggers", Bool),
                ("relhassubclass", Bool),
                ("relrowsecurity", Bool),
                ("relforcerowsecurity", Bool),
                ("relispopulated", Bool),
                ("relreplident", Char),
                ("relispartition", Bool),
                ("relrewrite", Oid),
                ("relfrozenxid", Int4),
                ("relminmxid", Int4),
                ("relacl", Text),
                ("reloptions", Text),
                ("relpartbound", Text),
                // Gone since PostgreSQL 12, but psqlODBC still reads it.
                ("relhasoids", Bool),
            ],
            Kind::Attribute => &[
                ("attrelid", Oid),
                ("attname", Name),
                ("atttypid", Oid),
                ("attlen", Int2),
                ("attnum", Int2),
                ("attcacheoff", Int4),
                ("atttypmod", Int4),
                ("attndims", Int2),
                ("attbyval", Bool),
                ("attalign", Char),
                ("attstorage", Char),
                ("attcompression", Char),
                ("attnotnull", Bool),
                ("atthasdef", Bool),
                ("atthasmissing", Bool),
                ("attidentity", Char),
                ("attgenerated", Char),
                ("attisdropped", Bool),
                ("attislocal", Bool),
                ("attinhcount", Int4),
                ("attcollation", Oid),
            ],
            Kind::Type => &[
                ("oid", Oid),
                ("typname", Name),
                ("typnamespace", Oid),
                ("typowner", Oid),
                ("typlen", Int2),
                ("typbyval", Bool),
                ("typtype", Char),
                ("typcategory", Char),
                ("typispreferred", Bool),
                ("typisdefined", Bool),
                ("typdelim", Char),
                ("typrelid", Oid),
                ("typelem", Oid),
                ("typarray", Oid),
                ("typnotnull", Bool),
                ("typbasetype", Oid),
                ("typtypmod", Int4),
                ("typndims", Int4),
                ("typcollation", Oid),
            ],
            Kind::Database => &[
                ("oid", Oid),
                ("datname", Name),
                ("datdba", Oid),
                ("encoding", Int4),
                ("datlocprovider", Char),
                ("datistemplate", Bool),
                ("datallowconn", Bool),
                ("datconnlimit", Int4),
                ("datcollate", Text),
                ("datctype", Text),
                ("datacl", Text),
            ],
        };
        columns.iter().map(|(name, column)| column.field(name)).collect()
    }
}

/// The PostgreSQL types of system table columns.
#[derive(Debug, Clone, Copy)]
enum Column {
    Oid,
    Name,
    Char,
    Text,
    Bool,
    Int2,
    Int4,
    Float4,
}

impl Column {
    fn field(self, name: &str) -> Field {
        let (data_type, tag) = match self {
            Column::Oid => (DataType::UInt32, Some("oid")),
            Column::Name => (DataType::Utf8, Some("name")),
            Column::Char => (DataType::Utf8, Some("char")),
            Column::Text => (DataType::Utf8, None),
            Column::Bool => (DataType::Boolean, None),
            Column::Int2 => (DataType::Int16, None),
            Column::Int4 => (DataType::Int32, None),
            Column::Float4 => (DataType::Float32, None),
        };
        let field = Field::new(name, data_type, true);
        match tag {
            Some(tag) => field.with_metadata(HashMap::from([(TYPE_KEY.to_string(), tag.to_string())])),
            None => field,
        }
    }
}

/// The `pg_catalog` schema of one session.
#[derive(Debug, Clone)]
pub struct PgCatalogSchema {
    handle: SessionHandle,
}

impl PgCatalogSchema {
    /// `pg_catalog` seen through `handle`'s transaction.
    pub fn new(handle: SessionHandle) -> Self {
        PgCatalogSchema { handle }
    }

    /// The system table `name`, if Shale has it.
    pub fn lookup(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        let kind = Kind::ALL.into_iter().find(|k| k.name() == name)?;
        let schema = Arc::new(Schema::new(kind.columns()));
        Some(Arc::new(SystemTable { kind, schema, handle: self.handle.clone() }))
    }
}

#[async_trait]
impl SchemaProvider for PgCatalogSchema {
    fn table_names(&self) -> Vec<String> {
        Kind::ALL.iter().map(|k| k.name().to_string()).collect()
    }

    async fn table(&self, name: &str) -> DFResult<Option<Arc<dyn TableProvider>>> {
        Ok(self.lookup(name))
    }

    fn table_exist(&self, name: &str) -> bool {
        Kind::ALL.iter().any(|k| k.name() == name)
    }
}

/// One system table: its rows are made from storage when a query scans it.
#[derive(Debug)]
struct SystemTable {
    kind: Kind,
    schema: SchemaRef,
    handle: SessionHandle,
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
        let rows = self.rows().map_err(CatalogError::into_datafusion)?;
        let width = self.schema.fields().len();
        if rows.iter().any(|row| row.len() != width) {
            return Err(CatalogError::internal(format!("a {} row without {width} values", self.kind.name())).into_datafusion());
        }
        let columns = self
            .schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, field)| match rows.is_empty() {
                true => Ok(new_empty_array(field.data_type())),
                false => ScalarValue::iter_to_array(rows.iter().map(|row| row[i].clone())),
            })
            .collect::<DFResult<Vec<ArrayRef>>>()?;
        let batch = RecordBatch::try_new(self.schema.clone(), columns)?;
        let source = MemorySourceConfig::try_new_exec(&[vec![batch]], self.schema.clone(), projection.cloned())?;
        Ok(source)
    }
}

impl SystemTable {
    /// The table's rows, as values in column order.
    fn rows(&self) -> Result<Vec<Vec<ScalarValue>>> {
        let txn = self.handle.txn()?;
        let schemas = meta::list_schemas(&txn)?;
        let tables = || -> Result<Vec<TableDesc>> {
            let mut all = Vec::new();
            for schema in &schemas {
                all.extend(meta::list_tables(&txn, schema.id)?);
            }
            Ok(all)
        };
        Ok(match self.kind {
            Kind::Namespace => {
                let mut rows = vec![namespace_row(PG_CATALOG_OID, PG_CATALOG)];
                rows.extend(schemas.iter().map(|s| namespace_row(oid::namespace_oid(s.id, &s.name), &s.name)));
                rows
            }
            Kind::Class => {
                let mut rows = Vec::new();
                for table in tables()? {
                    let schema = schemas.iter().find(|s| s.id == table.schema_id);
                    let namespace = schema.map_or(0, |s| oid::namespace_oid(s.id, &s.name));
                    rows.push(class_row(&table, namespace, false));
                    if table.has_primary_key() {
                        rows.push(class_row(&table, namespace, true));
                    }
                }
                rows
            }
            Kind::Attribute => tables()?.iter().flat_map(attribute_rows).collect(),
            Kind::Type => {
                let arrays = SqlType::BUILTIN.iter().map(|t| SqlType::Array(Box::new(t.clone())));
                SqlType::BUILTIN.iter().cloned().chain(arrays).map(|t| type_row(&t)).collect()
            }
            Kind::Database => vec![database_row(crate::context::CATALOG_NAME)],
        })
    }
}

fn oid_value(oid: u32) -> ScalarValue {
    ScalarValue::UInt32(Some(oid))
}

fn text(s: &str) -> ScalarValue {
    ScalarValue::Utf8(Some(s.to_string()))
}

fn bool_value(b: bool) -> ScalarValue {
    ScalarValue::Boolean(Some(b))
}

fn namespace_row(oid: u32, name: &str) -> Vec<ScalarValue> {
    vec![oid_value(oid), text(name), oid_value(SUPERUSER_OID), ScalarValue::Utf8(None)]
}

/// The `pg_class` row of `table`, or of its primary-key index.
fn class_row(table: &TableDesc, namespace: u32, index: bool) -> Vec<ScalarValue> {
    let table_oid = oid::table_oid(table.id);
    let (oid, name, am, kind, natts) = match index {
        true => (
            oid::pkey_index_oid(table.id),
            table.pkey_name.clone().unwrap_or_else(|| format!("{}_pkey", table.name)),
            BTREE_OID,
            "i",
            table.primary_key.len(),
        ),
        false => (table_oid, table.name.clone(), HEAP_OID, "r", table.columns.len()),
    };
    let no = || bool_value(false);
    vec![
        oid_value(oid),
        text(&name),
        oid_value(namespace),
        oid_value(0),
        oid_value(0),
        oid_value(SUPERUSER_OID),
        oid_value(am),
        oid_value(oid),
        oid_value(0),
        ScalarValue::Int32(Some(0)),
        ScalarValue::Float32(Some(-1.0)),
        ScalarValue::Int32(Some(0)),
        oid_value(0),
        bool_value(!index && table.has_primary_key()),
        no(),
        text("p"),
        text(kind),
        ScalarValue::Int16(Some(i16::try_from(natts).unwrap_or(i16::MAX))),
        ScalarValue::Int16(Some(0)),
        no(),
        no(),
        no(),
        no(),
        no(),
        bool_value(true),
        text(if index { "n" } else { "d" }),
        no(),
        oid_value(0),
        ScalarValue::Int32(Some(0)),
        ScalarValue::Int32(Some(0)),
        ScalarValue::Utf8(None),
        ScalarValue::Utf8(None),
        ScalarValue::Utf8(None),
        no(),
    ]
}

/// The `pg_attribute` rows of a table's columns, dropped ones included (as PostgreSQL
/// keeps them, renamed).
fn attribute_rows(table: &TableDesc) -> Vec<Vec<ScalarValue>> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(slot, column)| {
            let name = match column.dropped {
                true => format!("........pg.dropped.{}........", oid::attnum(slot)),
                false => column.name.clone(),
            };
            let ty = &column.ty;
            vec![
                oid_value(oid::table_oid(table.id)),
                text(&name),
                oid_value(if column.dropped { 0 } else { ty.type_oid() }),
                ScalarValue::Int16(Some(ty.typlen())),
                ScalarValue::Int16(Some(oid::attnum(slot))),
                ScalarValue::Int32(Some(-1)),
                ScalarValue::Int32(Some(ty.typmod())),
                ScalarValue::Int16(Some(i16::from(matches!(ty, SqlType::Array(_))))),
                bool_value(matches!(ty.typlen(), 1 | 2 | 4 | 8)),
                text(ty.typalign()),
                text(if ty.typlen() == -1 { "x" } else { "p" }),
                text(""),
                bool_value(column.not_null),
                bool_value(column.default.is_some()),
                bool_value(column.missing.is_some()),
                text(""),
                text(""),
                bool_value(column.dropped),
                bool_value(true),
                ScalarValue::Int32(Some(0)),
                oid_value(if ty.collatable() { 100 } else { 0 }),
            ]
        })
        .collect()
}

/// The `pg_type` row of a built-in type.
fn type_row(ty: &SqlType) -> Vec<ScalarValue> {
    let (element, array) = match ty {
        SqlType::Array(element) => (element.type_oid(), 0),
        other => (0, SqlType::Array(Box::new(other.clone())).type_oid()),
    };
    vec![
        oid_value(ty.type_oid()),
        text(&ty.type_name()),
        oid_value(PG_CATALOG_OID),
        oid_value(SUPERUSER_OID),
        ScalarValue::Int16(Some(ty.typlen())),
        bool_value(matches!(ty.typlen(), 1 | 2 | 4 | 8)),
        text("b"),
        text(ty.typcategory()),
        bool_value(false),
        bool_value(true),
        text(","),
        oid_value(0),
        oid_value(element),
        oid_value(array),
        bool_value(false),
        oid_value(0),
        ScalarValue::Int32(Some(-1)),
        ScalarValue::Int32(Some(0)),
        oid_value(if ty.collatable() { 100 } else { 0 }),
    ]
}

fn database_row(name: &str) -> Vec<ScalarValue> {
    vec![
        oid_value(oid::DATABASE_OID),
        text(name),
        oid_value(SUPERUSER_OID),
        ScalarValue::Int32(Some(6)),
        text("c"),
        bool_value(false),
        bool_value(true),
        ScalarValue::Int32(Some(-1)),
        text("C.UTF-8"),
        text("C.UTF-8"),
        ScalarValue::Utf8(None),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::ColumnDesc;

    #[test]
    fn rows_have_their_tables_columns() {
        let column = |name: &str, ty: SqlType| ColumnDesc {
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            missing: None,
            dropped: false,
        };
        let table = TableDesc {
            id: 1,
            schema_id: 1,
            name: "t".into(),
            columns: vec![column("id", SqlType::Int4), column("v", SqlType::Varchar(Some(3)))],
            primary_key: vec![0],
            pkey_name: None,
        };
        let width = |kind: Kind| kind.columns().len();
        assert_eq!(namespace_row(2200, "public").len(), width(Kind::Namespace));
        assert_eq!(class_row(&table, 2200, false).len(), width(Kind::Class));
        assert_eq!(class_row(&table, 2200, true).len(), width(Kind::Class));
        assert!(attribute_rows(&table).iter().all(|row| row.len() == width(Kind::Attribute)));
        assert_eq!(type_row(&SqlType::Int4).len(), width(Kind::Type));
        assert_eq!(database_row("postgres").len(), width(Kind::Database));
    }
}
