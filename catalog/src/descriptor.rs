//! Schema and table descriptors: the metadata stored for each object, in one JSON value.
//!
//! A table's columns are kept in *slot* order: the position of a column's value in stored
//! rows. Slots are never reused or reordered: DROP COLUMN marks a slot dropped, ADD COLUMN
//! appends one and records the value that rows written before it read as (`missing`), so
//! neither rewrites any row.

use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use serde::{Deserialize, Serialize};
use shale_storage::Kind;

use crate::access::convert::StorageKind;
use crate::oid;
use shale_pgtypes::types::{ATTNUM_KEY, SqlType, TABLE_OID_KEY};

/// PostgreSQL's limit on the columns of a table, dropped ones included.
pub const MAX_COLUMNS: usize = 1600;

/// A schema (namespace).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaDesc {
    /// Never-reused id; also PostgreSQL's namespace OID offset.
    pub id: u64,
    /// Name, as PostgreSQL folds it.
    pub name: String,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDesc {
    /// Column name.
    pub name: String,
    /// Declared type.
    pub ty: SqlType,
    /// NOT NULL constraint (implied by PRIMARY KEY).
    pub not_null: bool,
    /// DEFAULT expression as SQL text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// For a column added after rows existed: the value those rows read as, encoded as a
    /// one-slot row (`None`: NULL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<Vec<u8>>,
    /// Dropped columns keep their slot so old rows still decode.
    #[serde(default)]
    pub dropped: bool,
}

/// A table: its columns by slot and its primary key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDesc {
    /// Never-reused id; the prefix of every row key.
    pub id: u64,
    /// Id of the owning schema.
    pub schema_id: u64,
    /// Table name.
    pub name: String,
    /// Columns in slot order, including dropped ones.
    pub columns: Vec<ColumnDesc>,
    /// Slots of the primary key columns, in key order; empty: rows are keyed by a hidden
    /// row id.
    pub primary_key: Vec<usize>,
    /// Name of the primary key constraint (`<table>_pkey` at creation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkey_name: Option<String>,
}

impl TableDesc {
    /// The live columns with their slots, in column order.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &ColumnDesc)> {
        self.columns.iter().enumerate().filter(|(_, c)| !c.dropped)
    }

    /// Slot and descriptor of the live column `name`.
    pub fn column(&self, name: &str) -> Option<(usize, &ColumnDesc)> {
        self.visible().find(|(_, c)| c.name == name)
    }

    /// Slots of the live columns, in column order (the Arrow schema's order).
    pub fn visible_slots(&self) -> Vec<usize> {
        self.visible().map(|(slot, _)| slot).collect()
    }

    /// Storage kind of every slot.
    pub fn kinds(&self) -> Vec<Kind> {
        self.columns.iter().map(|c| c.ty.kind()).collect()
    }

    /// The Arrow schema of the live columns. Fields are nullable: NOT NULL is enforced on
    /// write, and DataFusion derives nullability of expressions from its own rules.
    /// Each field carries the table's OID and the column's attribute number as metadata.
    pub fn arrow_schema(&self) -> SchemaRef {
        let table_oid = oid::table_oid(self.id).to_string();
        let fields: Vec<_> = self
            .visible()
            .map(|(slot, c)| {
                let field = c.ty.field(&c.name, true);
                let mut metadata = field.metadata().clone();
                metadata.insert(TABLE_OID_KEY.to_string(), table_oid.clone());
                metadata.insert(ATTNUM_KEY.to_string(), oid::attnum(slot).to_string());
                field.with_metadata(metadata)
            })
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// Whether the table has a declared primary key.
    pub fn has_primary_key(&self) -> bool {
        !self.primary_key.is_empty()
    }
}

/// A sequence, as CREATE SEQUENCE (or a `serial` column) made it. Where it stands (its last
/// value) is kept apart and changed outside transactions ([`crate::meta::advance_sequence`]),
/// as in PostgreSQL: a value handed out is never handed out again, rollback or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequenceDesc {
    /// Never-reused id from the tables' counter: a sequence is a relation, and its OID is
    /// [`oid::table_oid`] of it.
    pub id: u64,
    /// Id of the owning schema.
    pub schema_id: u64,
    /// Sequence name.
    pub name: String,
    /// `smallint`, `integer` or `bigint` (AS type).
    pub ty: SqlType,
    /// INCREMENT BY (not zero).
    pub increment: i64,
    /// MINVALUE.
    pub min: i64,
    /// MAXVALUE.
    pub max: i64,
    /// START WITH.
    pub start: i64,
    /// CACHE (kept and shown; every value is logged).
    pub cache: i64,
    /// CYCLE.
    pub cycle: bool,
    /// The column that owns it (OWNED BY, or a `serial` column): table id and slot. The
    /// sequence is dropped with that column or table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<(u64, usize)>,
}
