//! Index entries. An index's entries live in the data space beside the rows, under the
//! index's id as a prefix (ids come from the tables' counter, so prefixes never collide):
//!
//! - key: index id (u64 BE), the key columns in the memcomparable encoding, and, unless the
//!   entry is unique, the row key after its table prefix (so that equal values of different
//!   rows are different entries);
//! - value: the row's key.
//!
//! An entry is unique when its index is UNIQUE and the values hold no NULL (or the index
//! has NULLS NOT DISTINCT): writing one first reads its key with a lock, so that of two
//! transactions writing the same value the second waits for the first and then fails with
//! 23505, as PostgreSQL's unique check waits for the inserting transaction. Entries are
//! written and removed with the row change, in its transaction (`write.rs`).

use std::ops::ControlFlow;

use shale_storage::{Datum, KeyRange, Space, Txn, decode_row, encode_key_datum, table_prefix};

use super::index_keys::IndexKey;
use super::text::datum_text;
use crate::deparse;
use crate::descriptor::{IndexDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::ident::quote_ident;

/// Rows read per step while building an index.
const BUILD_CHUNK: usize = 1024;

/// The entry of a row in `index` whose key columns have `values` (see
/// [`IndexKey::values`]): its key, and whether it is unique.
pub fn entry_key(index: &IndexDesc, row_key: &[u8], values: &[Datum]) -> (Vec<u8>, bool) {
    let mut key = table_prefix(index.id).to_vec();
    let mut has_null = false;
    for datum in values {
        has_null |= matches!(datum, Datum::Null);
        encode_key_datum(datum.as_ref(), &mut key);
    }
    let unique = index.unique && (index.nulls_not_distinct || !has_null);
    if !unique {
        key.extend_from_slice(&row_key[table_prefix(0).len()..]);
    }
    (key, unique)
}

/// How a duplicate in a unique index is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// A row change: "duplicate key value violates unique constraint".
    Violation,
    /// CREATE UNIQUE INDEX over existing rows: "could not create unique index".
    Building,
}

/// Adds the entry of the row stored under `row_key`, whose key columns have `values`, to
/// `index`; 23505 when the index is unique and another row has the same values.
pub fn add_entry(txn: &Txn, table: &TableDesc, index: &IndexDesc, row_key: &[u8], values: &[Datum], on_duplicate: OnDuplicate) -> Result<()> {
    let (key, unique) = entry_key(index, row_key, values);
    if unique && txn.get_for_update(Space::Data, &key)?.is_some_and(|other| other != row_key) {
        return Err(duplicate(table, index, values, on_duplicate));
    }
    Ok(txn.put(Space::Data, &key, row_key)?)
}

/// Removes the entry of the row stored under `row_key`, whose key columns have `values`,
/// from `index`.
pub fn remove_entry(txn: &Txn, index: &IndexDesc, row_key: &[u8], values: &[Datum]) -> Result<()> {
    Ok(txn.delete(Space::Data, &entry_key(index, row_key, values).0)?)
}

/// The datums of a stored row by slot, the values of columns added after it was written
/// included.
pub fn stored_slots(table: &TableDesc, bytes: &[u8]) -> Result<Vec<Datum>> {
    let kinds = table.kinds();
    let mut slots = Vec::with_capacity(kinds.len());
    for (slot, column) in table.columns.iter().enumerate() {
        let mut value = Datum::Null;
        if let Some(missing) = &column.missing {
            decode_row(missing, &kinds[slot..=slot], |_, v| value = v.map_or(Datum::Null, |v| v.to_owned()))?;
        }
        slots.push(value);
    }
    decode_row(bytes, &kinds, |slot, v| slots[slot] = v.map_or(Datum::Null, |v| v.to_owned()))?;
    Ok(slots)
}

/// Writes the entries of every row of `table` to `index` (CREATE INDEX), their key values
/// computed by `key`, reading what is committed now: the caller holds the table's lock, so
/// no writer is under way.
pub fn build(txn: &Txn, table: &TableDesc, index: &IndexDesc, key: &IndexKey) -> Result<()> {
    for_each_latest(txn, &KeyRange::prefix(&table.row_prefix()), |row_key, value| {
        if let Some(values) = key.values(table, index, &stored_slots(table, value)?)? {
            add_entry(txn, table, index, row_key, &values, OnDuplicate::Building)?;
        }
        Ok(ControlFlow::Continue(()))
    })
}

/// Calls `f` with each pair of the data space in `range`, as committed now and written by
/// this transaction (the caller holds the table's lock, or reads under a row's), a chunk
/// at a time, until `f` breaks.
pub fn for_each_latest(txn: &Txn, range: &KeyRange, mut f: impl FnMut(&[u8], &[u8]) -> Result<ControlFlow<()>>) -> Result<()> {
    let mut after: Option<Vec<u8>> = None;
    loop {
        let chunk = txn.scan_latest(Space::Data, range, after.as_deref(), BUILD_CHUNK)?;
        for (key, value) in &chunk {
            if f(key, value)?.is_break() {
                return Ok(());
            }
        }
        match chunk.into_iter().last() {
            Some((key, _)) => after = Some(key),
            None => return Ok(()),
        }
    }
}

/// Removes every entry of `index` (DROP INDEX).
pub fn clear(txn: &Txn, index: &IndexDesc) -> Result<()> {
    let prefix = table_prefix(index.id);
    let range = KeyRange::prefix(&prefix);
    loop {
        let chunk = txn.scan(Space::Data, &range, None, BUILD_CHUNK)?;
        if chunk.is_empty() {
            return Ok(());
        }
        for (key, _) in &chunk {
            txn.delete(Space::Data, key)?;
        }
    }
}

/// 23505 for the key `values` in the unique `index`, with PostgreSQL's message and DETAIL.
fn duplicate(table: &TableDesc, index: &IndexDesc, values: &[Datum], on_duplicate: OnDuplicate) -> CatalogError {
    let key = key_description(index.columns.iter().zip(values).map(|(c, value)| match (c.slot, &c.expr) {
        (Some(slot), _) => (quote_ident(&table.columns[slot].name), datum_text(value, &table.columns[slot].ty)),
        (None, Some(expr)) => (deparse::index_key(table, &expr.sql, true), datum_text(value, &expr.ty)),
        (None, None) => (String::new(), String::new()),
    }));
    match on_duplicate {
        OnDuplicate::Violation => CatalogError::new(
            sqlstate::UNIQUE_VIOLATION,
            format!("duplicate key value violates unique constraint \"{}\"", index.name),
        )
        .with_detail(format!("Key {key} already exists.")),
        OnDuplicate::Building => {
            CatalogError::new(sqlstate::UNIQUE_VIOLATION, format!("could not create unique index \"{}\"", index.name))
                .with_detail(format!("Key {key} is duplicated."))
        }
    }
}

/// `(a, b)=(1, x)`: key columns and their values as a foreign key's DETAIL shows them,
/// the names as they are (PostgreSQL's `ri_ReportViolation`).
pub fn key_text(table: &TableDesc, key_slots: &[usize], slots: &[Datum]) -> String {
    let column = |&s: &usize| (table.columns[s].name.clone(), datum_text(&slots[s], &table.columns[s].ty));
    key_description(key_slots.iter().map(column))
}

/// `("userId", b)=(1, x)`: key columns and their values as a unique index's DETAIL shows
/// them, the names quoted where they must be (PostgreSQL's `BuildIndexValueDescription`).
pub fn index_key_text(table: &TableDesc, key_slots: &[usize], slots: &[Datum]) -> String {
    let column = |&s: &usize| (quote_ident(&table.columns[s].name), datum_text(&slots[s], &table.columns[s].ty));
    key_description(key_slots.iter().map(column))
}

/// `(names)=(values)` of the (name, value) pairs of a key.
fn key_description(pairs: impl Iterator<Item = (String, String)>) -> String {
    let (names, values): (Vec<String>, Vec<String>) = pairs.unzip();
    format!("({})=({})", names.join(", "), values.join(", "))
}
