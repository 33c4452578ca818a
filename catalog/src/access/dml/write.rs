//! Writing rows: checking values, building keys and row values, enforcing the primary
//! key's uniqueness, keeping the table's indexes in step (`access::index`) and enforcing
//! its foreign keys both ways (`access::foreign_key`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::session_state::SessionState;
use shale_storage::{Datum, DatumRef, Space, Txn, encode_key_datum, encode_row};

use crate::access::convert::{ColumnBuilder, datum_at};
use crate::access::index::{self, OnDuplicate};
use crate::access::index_keys::IndexKeys;
use crate::access::deferred::Deferred;
use crate::access::foreign_key::{self, Owed};
use crate::session::handle::SessionHandle;
use crate::descriptor::{TableDesc, TableRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::access::values;
use crate::meta;

/// A row to store: its datums by slot (dropped slots NULL).
pub struct Row {
    /// Datums indexed by slot.
    pub slots: Vec<Datum>,
}

/// Writes rows of one table through a transaction. Foreign-key checks owed by the rows
/// it wrote run at [`RowWriter::finish`], once the statement has written them all.
pub struct RowWriter<'a> {
    txn: &'a Txn,
    desc: &'a TableDesc,
    visible: Vec<usize>,
    /// How deep in foreign-key cascades it writes (0: the statement's own table).
    depth: usize,
    owed: Mutex<Vec<Owed>>,
    /// The tables its foreign keys relate it to, read once per writer.
    related: Mutex<HashMap<u64, Arc<TableDesc>>>,
    /// How the entries of the table's indexes are computed.
    keys: IndexKeys,
    /// Compiles index expressions (of this table's, and of cascades' tables).
    state: &'a SessionState,
}

impl<'a> RowWriter<'a> {
    /// A writer for `desc`, whose index expressions are compiled in `state`.
    pub fn new(txn: &'a Txn, desc: &'a TableDesc, state: &'a SessionState) -> Result<Self> {
        Ok(RowWriter {
            txn,
            desc,
            visible: desc.visible_slots(),
            depth: 0,
            owed: Mutex::default(),
            related: Mutex::default(),
            keys: IndexKeys::new(state, desc)?,
            state,
        })
    }

    /// The session state it compiles index expressions in.
    pub fn state(&self) -> &'a SessionState {
        self.state
    }

    /// The key values of the entry of the row `slots` in the index at `position` of the
    /// table's indexes; `None` when the row is not in that (partial) index.
    pub fn entry_values(&self, position: usize, slots: &[Datum]) -> Result<Option<Vec<Datum>>> {
        self.keys.get(position)?.values(self.desc, &self.desc.indexes[position], slots)
    }

    /// The writer of a foreign-key cascade `depth` levels deep.
    pub fn nested(self, depth: usize) -> Self {
        RowWriter { depth, ..self }
    }

    /// How deep in foreign-key cascades it writes.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The table `r` names (a foreign key's other side), share-locked, as it is now; read
    /// once per writer.
    pub fn related(&self, r: &TableRef) -> Result<Arc<TableDesc>> {
        let mut related = self.related.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(table) = related.get(&r.id) {
            return Ok(table.clone());
        }
        let table = match r.id == self.desc.id {
            true => self.desc.clone(),
            false => match meta::get_table_shared(self.txn, r.schema_id, &r.name)? {
                Some(t) if t.id == r.id => t,
                _ => return Err(CatalogError::internal(format!("the table \"{}\" of a foreign key is gone", r.name))),
            },
        };
        Ok(related.entry(r.id).or_insert_with(|| Arc::new(table)).clone())
    }

    /// Remembers a check to run at [`RowWriter::finish`].
    pub fn owe(&self, check: Owed) {
        self.owed.lock().unwrap_or_else(PoisonError::into_inner).push(check);
    }

    /// Runs the foreign-key checks the written rows owe (23503); those of keys deferred in
    /// this transaction wait for COMMIT in the session's queue (`access::deferred`).
    pub fn finish(&self) -> Result<()> {
        let owed = std::mem::take(&mut *self.owed.lock().unwrap_or_else(PoisonError::into_inner));
        // The session's queue is locked once for the statement, not once per row.
        let immediate = match self.state.config().get_extension::<SessionHandle>() {
            Some(handle) => handle.with_deferred(|d| self.queue_deferred(d, owed)),
            None => owed,
        };
        immediate.into_iter().try_for_each(|check| foreign_key::settle(self, check))
    }

    /// Queues in `deferred` the checks of `owed` whose keys wait for COMMIT; returns the
    /// others.
    fn queue_deferred(&self, deferred: &mut Deferred, owed: Vec<Owed>) -> Vec<Owed> {
        let mut immediate = Vec::new();
        for check in owed {
            match check.foreign_key(self.desc).is_some_and(|fk| deferred.defers(fk)) {
                true => deferred.queue(self.desc, check),
                false => immediate.push(check),
            }
        }
        immediate
    }

    /// Whether writes must know the rows they change: for indexes and foreign keys.
    fn reads_old_rows(&self) -> bool {
        !self.desc.indexes.is_empty() || !self.desc.foreign_keys.is_empty() || !self.desc.referenced_by.is_empty()
    }

    /// 23502 and the like for a row built here rather than checked by [`RowWriter::rows`]
    /// (a cascade's SET NULL).
    pub fn check_row(&self, row: &Row) -> Result<()> {
        values::check_row(self.desc, row.slots.clone()).map(drop)
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
                    slots[slot] = datum_at(batch.column(i), r)?;
                }
                Ok(Row { slots: values::check_row(self.desc, slots)? })
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
        for (i, index) in self.desc.indexes.iter().enumerate() {
            if let Some(values) = self.entry_values(i, &row.slots)? {
                index::add_entry(self.txn, self.desc, index, key, &values, OnDuplicate::Violation)?;
            }
        }
        self.owe_parents(None, key, &row.slots);
        Ok(())
    }

    /// Owes the check of each foreign key whose columns `new` (stored under `key`) sets
    /// (differently from `old`).
    fn owe_parents(&self, old: Option<&[Datum]>, key: &[u8], new: &[Datum]) {
        for (i, fk) in self.desc.foreign_keys.iter().enumerate() {
            let changed = old.is_none_or(|old| fk.columns.iter().any(|&s| old[s] != new[s]));
            if changed {
                self.owe(Owed::Parent { key: i, row: key.to_vec(), slots: new.to_vec() });
            }
        }
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

    /// Removes the row stored under `key`, its index entries and, as its foreign keys say,
    /// the rows referencing it.
    pub fn delete(&self, key: &[u8]) -> Result<()> {
        if !self.reads_old_rows() {
            return Ok(self.txn.delete(Space::Data, key)?);
        }
        let old = self.stored(key)?;
        self.lock_referenced_keys(key, &old, None)?;
        for (i, index) in self.desc.indexes.iter().enumerate() {
            if let Some(values) = self.entry_values(i, &old.slots)? {
                index::remove_entry(self.txn, index, key, &values)?;
            }
        }
        self.txn.delete(Space::Data, key)?;
        foreign_key::parent_changed(self, &old.slots, None)
    }

    /// Replaces rows: each change is the old row's key, the new row's key and the new row.
    /// Every moved row and every changed index entry is removed first, so that keys and
    /// unique values may be swapped among the rows of one statement.
    pub fn replace(&self, changes: &[(Vec<u8>, Vec<u8>, Row)]) -> Result<()> {
        // The entries that change: (index, old key, old row) out, (index, new key, new row) in.
        let mut stale = Vec::new();
        let mut olds = Vec::new();
        for (old_key, new_key, row) in changes {
            if !self.reads_old_rows() {
                break;
            }
            let old = self.stored(old_key)?;
            self.lock_referenced_keys(old_key, &old, Some((new_key, row)))?;
            self.owe_parents(Some(&old.slots), new_key, &row.slots);
            for (i, index) in self.desc.indexes.iter().enumerate() {
                let (before, after) = (self.entry_values(i, &old.slots)?, self.entry_values(i, &row.slots)?);
                let entry = |key: &[u8], values: &Option<Vec<Datum>>| values.as_ref().map(|v| index::entry_key(index, key, v).0);
                // A unique entry's value is the row's key: a moved row's entries all change.
                if old_key != new_key || entry(old_key, &before) != entry(new_key, &after) {
                    if let Some(values) = &before {
                        index::remove_entry(self.txn, index, old_key, values)?;
                    }
                    if let Some(values) = after {
                        stale.push((i, new_key, values));
                    }
                }
            }
            olds.push(old);
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
        for (i, key, values) in stale {
            index::add_entry(self.txn, self.desc, &self.desc.indexes[i], key, &values, OnDuplicate::Violation)?;
        }
        if !self.desc.referenced_by.is_empty() {
            for (old, (_, _, row)) in olds.iter().zip(changes) {
                foreign_key::parent_changed(self, &old.slots, Some(&row.slots))?;
            }
        }
        Ok(())
    }

    /// Before the row `old` under `key` is deleted (`new` is `None`) or replaced by `new`:
    /// the locks of the keys that other tables' foreign keys may reference and that go
    /// away (see [`foreign_key::key_lock`]), when some table references this one.
    fn lock_referenced_keys(&self, key: &[u8], old: &Row, new: Option<(&Vec<u8>, &Row)>) -> Result<()> {
        if self.desc.referenced_by.is_empty() {
            return Ok(());
        }
        if new.is_none_or(|(new_key, _)| new_key.as_slice() != key) {
            self.txn.get_for_update(Space::Data, &foreign_key::key_lock(key))?;
        }
        for (i, unique) in self.desc.indexes.iter().enumerate().filter(|(_, i)| i.unique && i.plain_slots().is_some()) {
            let Some(before) = self.entry_values(i, &old.slots)? else { continue };
            let (entry, _) = index::entry_key(unique, key, &before);
            let after = match new {
                Some((new_key, row)) => self.entry_values(i, &row.slots)?.map(|v| index::entry_key(unique, new_key, &v).0),
                None => None,
            };
            if after.as_ref() != Some(&entry) {
                self.txn.get_for_update(Space::Data, &foreign_key::key_lock(&entry))?;
            }
        }
        Ok(())
    }

    /// The row stored under `key`, locked: as committed now under READ COMMITTED (a row
    /// found by a cascade may be newer than the statement's snapshot).
    fn stored(&self, key: &[u8]) -> Result<Row> {
        match self.txn.get_for_update(Space::Data, key)? {
            Some(bytes) => Ok(Row { slots: index::stored_slots(self.desc, &bytes)? }),
            None => Err(CatalogError::internal("a row to change is gone")),
        }
    }

    fn duplicate(&self, row: &Row) -> CatalogError {
        let constraint = self.desc.pkey_constraint_name();
        CatalogError::new(
            sqlstate::UNIQUE_VIOLATION,
            format!("duplicate key value violates unique constraint \"{constraint}\""),
        )
        .with_detail(format!("Key {} already exists.", index::index_key_text(self.desc, &self.desc.primary_key, &row.slots)))
    }

    /// The Arrow schema of the table's visible columns.
    pub fn schema(&self) -> SchemaRef {
        self.desc.arrow_schema()
    }

    /// The rows as an Arrow batch of the table's visible columns (what RETURNING sees).
    pub fn batch(&self, rows: &[Row]) -> Result<RecordBatch> {
        let schema = self.schema();
        let mut builders = self
            .visible
            .iter()
            .map(|&slot| ColumnBuilder::for_column(&self.desc.columns[slot].ty, rows.len()))
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
