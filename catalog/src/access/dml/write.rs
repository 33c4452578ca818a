//! Writing rows: checking values, building keys and row values, enforcing the primary
//! key's uniqueness, and keeping the table's indexes in step (`access::index`).

use std::collections::HashSet;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use shale_storage::{Datum, DatumRef, Space, Txn, encode_key_datum, encode_row};

use crate::access::convert::{ColumnBuilder, datum_at};
use crate::access::index::{self, OnDuplicate};
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::access::values;
use crate::meta;

/// A row to store: its datums by slot (dropped slots NULL).
pub struct Row {
    /// Datums indexed by slot.
    pub slots: Vec<Datum>,
}

/// Writes rows of one table through a transaction.
pub struct RowWriter<'a> {
    txn: &'a Txn,
    desc: &'a TableDesc,
    visible: Vec<usize>,
}

impl<'a> RowWriter<'a> {
    /// A writer for `desc`.
    pub fn new(txn: &'a Txn, desc: &'a TableDesc) -> Self {
        RowWriter { txn, desc, visible: desc.visible_slots() }
    }

    /// The checked rows of `batch`, whose columns are the table's visible columns in order.
    pub fn rows(&self, batch: &RecordBatch) -> Result<Vec<Row>> {
        // Each value is encoded as its array's type: an array of another type than its
        // column's would be stored in the wrong width.
        for (i, &slot) in self.visible.iter().enumerate() {
            let expected = self.desc.columns[slot].ty.arrow_type();
            if batch.column(i).data_type() != &expected {
                return Err(CatalogError::internal(format!(
                    "a value of type {} for column \"{}\" of type {expected}",
                    batch.column(i).data_type(),
                    self.desc.columns[slot].name
                )));
            }
        }
        (0..batch.num_rows())
            .map(|r| {
                let mut slots = vec![Datum::Null; self.desc.columns.len()];
                for (i, &slot) in self.visible.iter().enumerate() {
                    let col = &self.desc.columns[slot];
                    slots[slot] = values::check(self.desc, col, datum_at(batch.column(i), r)?)?;
                }
                Ok(Row { slots })
            })
            .collect()
    }

    /// The transaction it writes through.
    pub fn txn(&self) -> &Txn {
        self.txn
    }

    /// The table it writes.
    pub fn table(&self) -> &TableDesc {
        self.desc
    }

    /// Whether the table has a primary key (else rows are keyed by hidden row ids).
    pub fn has_primary_key(&self) -> bool {
        self.desc.has_primary_key()
    }

    /// The storage key of `row`, or `None` for a table keyed by hidden row ids.
    pub fn key(&self, row: &Row) -> Option<Vec<u8>> {
        if !self.desc.has_primary_key() {
            return None;
        }
        let mut key = self.desc.row_prefix().to_vec();
        for &slot in &self.desc.primary_key {
            encode_key_datum(row.slots[slot].as_ref(), &mut key);
        }
        Some(key)
    }

    /// Fresh hidden row-id keys for `n` rows of a table without a primary key.
    pub fn row_id_keys(&self, n: usize) -> Result<Vec<Vec<u8>>> {
        let first = meta::allocate(self.txn, &format!("rowid/{}", self.desc.id), n as u64)?;
        Ok((0..n as u64)
            .map(|i| {
                let mut key = self.desc.row_prefix().to_vec();
                encode_key_datum(DatumRef::Int64((first + i) as i64), &mut key);
                key
            })
            .collect())
    }

    /// Stores a new `row` under `key` with its index entries; 23505 when `check_unique` and
    /// a row with that key exists, or when a unique index has its values.
    pub fn put(&self, key: &[u8], row: &Row, check_unique: bool) -> Result<()> {
        self.store(key, row, check_unique)?;
        for index in &self.desc.indexes {
            index::add_entry(self.txn, self.desc, index, key, &row.slots, OnDuplicate::Violation)?;
        }
        Ok(())
    }

    /// Stores `row` under `key`, its index entries aside.
    fn store(&self, key: &[u8], row: &Row, check_unique: bool) -> Result<()> {
        if check_unique && self.txn.get_for_update(Space::Data, key)?.is_some() {
            return Err(self.duplicate(row));
        }
        let refs: Vec<DatumRef> = row.slots.iter().map(Datum::as_ref).collect();
        let mut value = Vec::with_capacity(64);
        encode_row(&refs, &mut value)?;
        Ok(self.txn.put(Space::Data, key, &value)?)
    }

    /// Removes the row stored under `key` and its index entries.
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        if !self.desc.indexes.is_empty() {
            let old = self.stored(key)?;
            for index in &self.desc.indexes {
                index::remove_entry(self.txn, index, key, &old.slots)?;
            }
        }
        Ok(self.txn.delete(Space::Data, key)?)
    }

    /// Replaces rows: each change is the old row's key, the new row's key and the new row.
    /// Every moved row and every changed index entry is removed first, so that keys and
    /// unique values may be swapped among the rows of one statement.
    pub fn replace(&self, changes: &[(Vec<u8>, Vec<u8>, Row)]) -> Result<()> {
        // The entries that change: (index, old key, old row) out, (index, new key, new row) in.
        let mut stale = Vec::new();
        for (old_key, new_key, row) in changes {
            if self.desc.indexes.is_empty() {
                break;
            }
            let old = self.stored(old_key)?;
            for (i, index) in self.desc.indexes.iter().enumerate() {
                // A unique entry's value is the row's key: a moved row's entries all change.
                if old_key != new_key || index::entry_key(index, old_key, &old.slots) != index::entry_key(index, new_key, &row.slots) {
                    index::remove_entry(self.txn, index, old_key, &old.slots)?;
                    stale.push((i, new_key, row));
                }
            }
        }
        let mut moved = HashSet::new();
        for (old, new, _) in changes {
            if old != new {
                self.txn.delete(Space::Data, old)?;
                moved.insert(new.clone());
            }
        }
        for (_, new, row) in changes {
            self.store(new, row, moved.contains(new))?;
        }
        for (i, key, row) in stale {
            index::add_entry(self.txn, self.desc, &self.desc.indexes[i], key, &row.slots, OnDuplicate::Violation)?;
        }
        Ok(())
    }

    /// The row stored under `key`, as this transaction sees it.
    fn stored(&self, key: &[u8]) -> Result<Row> {
        match self.txn.get(Space::Data, key)? {
            Some(bytes) => Ok(Row { slots: index::stored_slots(self.desc, &bytes)? }),
            None => Err(CatalogError::internal("a row to change is gone")),
        }
    }

    fn duplicate(&self, row: &Row) -> CatalogError {
        let constraint = self.desc.pkey_name.clone().unwrap_or_else(|| format!("{}_pkey", self.desc.name));
        CatalogError::new(
            sqlstate::UNIQUE_VIOLATION,
            format!("duplicate key value violates unique constraint \"{constraint}\""),
        )
        .with_detail(format!("Key {} already exists.", index::key_text(self.desc, &self.desc.primary_key, &row.slots)))
    }

    /// The Arrow schema of the table's visible columns.
    pub fn schema(&self) -> SchemaRef {
        self.desc.arrow_schema()
    }

    /// The rows as an Arrow batch of the table's visible columns (what RETURNING sees).
    pub fn batch(&self, rows: &[Row]) -> Result<RecordBatch> {
        let schema = self.schema();
        let mut builders = schema
            .fields()
            .iter()
            .map(|f| ColumnBuilder::new(f.data_type(), rows.len()))
            .collect::<Result<Vec<_>>>()?;
        for row in rows {
            for (b, &slot) in builders.iter_mut().zip(&self.visible) {
                b.append(Some(row.slots[slot].as_ref()))?;
            }
        }
        let columns = builders.iter_mut().map(ColumnBuilder::finish).collect::<Result<_>>()?;
        RecordBatch::try_new(schema, columns).map_err(|e| CatalogError::internal(e.to_string()))
    }
}
