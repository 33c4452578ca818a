//! Enforcing FOREIGN KEY constraints where rows are written (`RowWriter`).
//!
//! - A referencing row (all key columns non-NULL, MATCH SIMPLE) needs its parent row: it
//!   is read with a shared lock, held to the end of the transaction, so a concurrent
//!   delete of the parent waits for this transaction (and, done first, makes this check
//!   wait and then fail with 23503). Checks run when the statement has written all its
//!   rows, so rows of one statement may reference each other.
//! - A parent row deleted, or whose referenced columns change, has its referencing rows
//!   found (through an index on the referencing columns when there is one) and: NO ACTION
//!   or RESTRICT refuse with 23503; CASCADE deletes them or gives them the new key; SET
//!   NULL nulls their referencing columns; SET DEFAULT gives them their defaults, which
//!   must reference a parent in turn. A changed row must satisfy the referencing table's
//!   CHECKs (`access::cascaded`); the changes go through a `RowWriter` of that table, so
//!   they keep its indexes and cascade further.

use std::ops::ControlFlow;

use shale_storage::{Datum, KeyRange, Kind, Space, Txn, encode_key_datum, table_prefix};

use crate::access::cascaded::{Checks, Defaults};
use crate::access::convert::StorageKind;

use super::dml::write::{Row, RowWriter};
use super::index;
use crate::descriptor::{ForeignKey, ReferentialAction, TableDesc};
use crate::error::{CatalogError, Result};

/// SQLSTATE foreign_key_violation.
const FOREIGN_KEY_VIOLATION: &str = "23503";

/// How deep cascades may go (a chain of tables, or of rows of a self-referencing one).
const MAX_CASCADE_DEPTH: usize = 1000;

/// 23503 unless the parent row of the row `slots` of `child` under `fk` exists (or a
/// referencing column is NULL).
pub fn check_parent(txn: &Txn, child: &TableDesc, parent: &TableDesc, fk: &ForeignKey, slots: &[Datum]) -> Result<()> {
    if fk.columns.iter().any(|&s| slots[s] == Datum::Null) {
        return Ok(());
    }
    // Each value as the type of the column it references; one out of its range has no
    // parent.
    let converted: Option<Vec<Datum>> =
        fk.columns.iter().zip(&fk.parent_columns).map(|(&c, &p)| as_kind(&slots[c], parent.columns[p].ty.kind())).collect();
    let Some(converted) = converted else {
        return Err(no_parent(child, parent, fk, slots));
    };
    let key = referenced_key(parent, fk, &converted)?;
    // KEY SHARE: the parent's key cannot go until this transaction ends, but its other
    // columns may change meanwhile.
    txn.get_shared(Space::Data, &key_lock(&key))?;
    match txn.get_latest(Space::Data, &key)? {
        Some(_) => Ok(()),
        None => Err(no_parent(child, parent, fk, slots)),
    }
}

/// The storage key that holds the parent row of `fk` with the referenced values `values`
/// (in the order of `fk.parent_columns`): the row's key when they are the parent's
/// primary key, else the entry key of the unique index on them.
fn referenced_key(parent: &TableDesc, fk: &ForeignKey, values: &[Datum]) -> Result<Vec<u8>> {
    // The parent's values in the order of its key (primary key or unique index).
    let in_order = |key: &[usize]| -> Vec<&Datum> {
        key.iter().map(|slot| &values[fk.parent_columns.iter().position(|p| p == slot).unwrap_or(0)]).collect()
    };
    let same = |key: &[usize]| key.len() == fk.parent_columns.len() && key.iter().all(|s| fk.parent_columns.contains(s));
    let (mut key, order) = if same(&parent.primary_key) {
        (parent.row_prefix().to_vec(), parent.primary_key.clone())
    } else {
        let unique = parent.indexes.iter().find_map(|i| i.plain_slots().filter(|slots| i.unique && same(slots)).map(|s| (i, s)));
        let Some((unique, slots_of)) = unique else {
            return Err(CatalogError::internal(format!("foreign key \"{}\" has no unique key to reference", fk.name)));
        };
        (table_prefix(unique.id).to_vec(), slots_of)
    };
    in_order(&order).iter().for_each(|d| encode_key_datum(d.as_ref(), &mut key));
    Ok(key)
}

/// The lock that stands for a referenced key (a row key, or a unique index's entry key):
/// a foreign-key check holds it shared while its transaction lasts, and deleting the row or
/// changing that key takes it exclusively, as PostgreSQL's FOR KEY SHARE and FOR UPDATE
/// row locks do; updating the row's other columns locks only the row, so it does not wait
/// for transactions that inserted references to it. The key is never written: it is the
/// referenced key and one byte no complete key ends with after it.
pub fn key_lock(key: &[u8]) -> Vec<u8> {
    let mut lock = Vec::with_capacity(key.len() + 1);
    lock.extend_from_slice(key);
    lock.push(0xFF);
    lock
}

/// 23503: the row `slots` of `child` has no parent under `fk`.
fn no_parent(child: &TableDesc, parent: &TableDesc, fk: &ForeignKey, slots: &[Datum]) -> CatalogError {
    let key_text = index::key_text(child, &fk.columns, slots);
    CatalogError::new(
        FOREIGN_KEY_VIOLATION,
        format!("insert or update on table \"{}\" violates foreign key constraint \"{}\"", child.name, fk.name),
    )
    .with_detail(format!("Key {key_text} is not present in table \"{}\".", parent.name))
}

/// `d` as a value of `kind` when both are integers (a foreign key between integer columns
/// of different widths); any other value as it is. `None`: out of the range of `kind`.
fn as_kind(d: &Datum, kind: Kind) -> Option<Datum> {
    let wide = match d {
        Datum::Int16(v) => i64::from(*v),
        Datum::Int32(v) => i64::from(*v),
        Datum::Int64(v) => *v,
        other => return Some(other.clone()),
    };
    match kind {
        Kind::Int16 => i16::try_from(wide).ok().map(Datum::Int16),
        Kind::Int32 => i32::try_from(wide).ok().map(Datum::Int32),
        Kind::Int64 => Some(Datum::Int64(wide)),
        _ => Some(d.clone()),
    }
}

/// The values of the referenced columns of the parent row `parent_row` as the types of
/// the referencing columns of `child`; `None` when one is out of their range (no row can
/// reference it).
fn referenced_values(child: &TableDesc, fk: &ForeignKey, parent_row: &[Datum]) -> Option<Vec<Datum>> {
    fk.parent_columns.iter().zip(&fk.columns).map(|(&p, &c)| as_kind(&parent_row[p], child.columns[c].ty.kind())).collect()
}

/// A check a written row owes, run when its statement has written all its rows, or at
/// COMMIT when its key is deferred (`access::deferred`).
pub enum Owed {
    /// The row `slots`, stored under `row`, of the writer's table needs its parent under its
    /// foreign key `key`.
    Parent { key: usize, row: Vec<u8>, slots: Vec<Datum> },
    /// No row of `child` may reference the parent row `old` (of the writer's table) under
    /// `child`'s foreign key `key`, unless a row has its key again: NO ACTION (`deferrable`),
    /// or the recheck after SET DEFAULT (never deferred).
    Children { child: std::sync::Arc<TableDesc>, key: usize, old: Vec<Datum>, deferrable: bool },
}

impl Owed {
    /// The foreign key it checks, `table` being the writer's.
    pub fn foreign_key<'a>(&'a self, table: &'a TableDesc) -> Option<&'a ForeignKey> {
        match self {
            Owed::Parent { key, .. } => Some(&table.foreign_keys[*key]),
            Owed::Children { child, key, deferrable: true, .. } => Some(&child.foreign_keys[*key]),
            Owed::Children { deferrable: false, .. } => None,
        }
    }
}

/// Runs the check `owed` by a row `writer` wrote.
pub fn settle(writer: &RowWriter<'_>, owed: Owed) -> Result<()> {
    let txn = writer.txn();
    match owed {
        Owed::Parent { key, slots, .. } => {
            let fk = &writer.table().foreign_keys[key];
            check_parent(txn, writer.table(), &*writer.related(&fk.parent)?, fk, &slots)
        }
        Owed::Children { child, key, old, .. } => no_children(txn, writer.table(), &child, &child.foreign_keys[key], &old),
    }
}

/// 23503 when rows of `child` still reference the row `old` of `parent` under `fk`, and no
/// row of `parent` has its referenced key again (PostgreSQL's NO ACTION).
pub fn no_children(txn: &Txn, parent: &TableDesc, child: &TableDesc, fk: &ForeignKey, old: &[Datum]) -> Result<()> {
    let Some(values) = referenced_values(child, fk, old) else { return Ok(()) };
    let referenced: Vec<Datum> = fk.parent_columns.iter().map(|&p| old[p].clone()).collect();
    if txn.get_latest(Space::Data, &referenced_key(parent, fk, &referenced)?)?.is_some() {
        return Ok(());
    }
    match referencing_rows(txn, child, fk, &values)?.is_empty() {
        true => Ok(()),
        false => Err(still_referenced(parent, child, fk, old)),
    }
}

/// 23503: the parent row `old` is still referenced from `child`.
fn still_referenced(parent: &TableDesc, child: &TableDesc, fk: &ForeignKey, old: &[Datum]) -> CatalogError {
    let key_text = index::key_text(parent, &fk.parent_columns, old);
    CatalogError::new(
        FOREIGN_KEY_VIOLATION,
        format!("update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"", parent.name, fk.name, child.name),
    )
    .with_detail(format!("Key {key_text} is still referenced from table \"{}\".", child.name))
}

/// What happens to the rows referencing the row `old` of `writer`'s table when it is
/// deleted (`new` is `None`) or changed to `new`: RESTRICT refuses at once, NO ACTION once
/// the statement has written its rows (so it may remove the references itself).
pub fn parent_changed(writer: &RowWriter<'_>, old: &[Datum], new: Option<&[Datum]>) -> Result<()> {
    let (txn, parent, depth) = (writer.txn(), writer.table(), writer.depth());
    if depth > MAX_CASCADE_DEPTH {
        return Err(CatalogError::new("54001", "foreign key cascades nest too deeply"));
    }
    for child_ref in &parent.referenced_by {
        let child = writer.related(child_ref)?;
        for (position, fk) in child.foreign_keys.iter().enumerate().filter(|(_, k)| k.parent.id == parent.id) {
            let Some(old_values) = referenced_values(&child, fk, old) else { continue };
            if old_values.contains(&Datum::Null) {
                continue;
            }
            let new_values = match new {
                Some(n) => Some(referenced_values(&child, fk, n).ok_or_else(|| {
                    CatalogError::new("22003", format!("a new key of table \"{}\" is out of the range of table \"{}\"'s columns", parent.name, child.name))
                })?),
                None => None,
            };
            if new_values.as_ref() == Some(&old_values) {
                continue;
            }
            let action = if new.is_none() { fk.on_delete } else { fk.on_update };
            if action == ReferentialAction::NoAction {
                writer.owe(Owed::Children { child: child.clone(), key: position, old: old.to_vec(), deferrable: true });
                continue;
            }
            let rows = referencing_rows(txn, &child, fk, &old_values)?;
            if rows.is_empty() {
                continue;
            }
            let cascade = RowWriter::new(txn, &child, writer.state())?.nested(depth + 1);
            match (action, &new_values) {
                (ReferentialAction::NoAction | ReferentialAction::Restrict, _) => return Err(still_referenced(parent, &child, fk, old)),
                (ReferentialAction::Cascade, None) => {
                    for (key, _) in &rows {
                        cascade.delete(key)?;
                    }
                }
                (ReferentialAction::Cascade, Some(values)) => replace_columns(&cascade, &fk.columns, rows, || Ok(values.clone()))?,
                (ReferentialAction::SetNull, _) => {
                    let set = fk.set_columns(new.is_none());
                    replace_columns(&cascade, set, rows, || Ok(vec![Datum::Null; set.len()]))?
                }
                (ReferentialAction::SetDefault, _) => {
                    let set = fk.set_columns(new.is_none());
                    let defaults = Defaults::new(writer.state(), &child, set)?;
                    replace_columns(&cascade, set, rows, || defaults.values())?;
                    // Rows whose default is the old key still reference it: refused once
                    // the statement has written its rows, as NO ACTION is (PostgreSQL's
                    // recheck after SET DEFAULT).
                    writer.owe(Owed::Children { child: child.clone(), key: position, old: old.to_vec(), deferrable: false });
                }
            }
            cascade.finish()?;
        }
    }
    Ok(())
}

/// Gives the columns in `slots` of each of `rows` the values `values` makes for it; the
/// changed rows must satisfy the table's CHECK constraints.
fn replace_columns(
    writer: &RowWriter<'_>,
    slots: &[usize],
    rows: Vec<(Vec<u8>, Row)>,
    mut values: impl FnMut() -> Result<Vec<Datum>>,
) -> Result<()> {
    let mut changes = Vec::with_capacity(rows.len());
    for (key, mut row) in rows {
        for (&slot, value) in slots.iter().zip(values()?) {
            row.slots[slot] = value;
        }
        writer.check_row(&row)?;
        let new_key = writer.key(&row).unwrap_or_else(|| key.clone());
        changes.push((key, new_key, row));
    }
    let changed: Vec<&Row> = changes.iter().map(|(_, _, row)| row).collect();
    Checks::new(writer.state(), writer.table())?.verify(&changed)?;
    writer.replace(&changes)
}

/// The rows of `child` (key and values) whose columns of `fk` hold `values`, as committed
/// now and written by this transaction: through an index whose leading columns are the
/// referencing ones, else by reading the table.
fn referencing_rows(txn: &Txn, child: &TableDesc, fk: &ForeignKey, values: &[Datum]) -> Result<Vec<(Vec<u8>, Row)>> {
    let leading = |slots: &[usize]| slots.len() >= fk.columns.len() && slots[..fk.columns.len()] == fk.columns[..];
    let matches = |slots: &[Datum]| fk.columns.iter().zip(values).all(|(&s, v)| &slots[s] == v);
    let mut found = Vec::new();
    let by_index = child.indexes.iter().find(|i| i.plain_slots().is_some_and(|slots| leading(&slots)));
    let (range, through_index) = match by_index {
        Some(i) => {
            let mut prefix = table_prefix(i.id).to_vec();
            values.iter().for_each(|v| encode_key_datum(v.as_ref(), &mut prefix));
            (KeyRange::prefix(&prefix), true)
        }
        None if leading(&child.primary_key) => {
            let mut prefix = child.row_prefix().to_vec();
            values.iter().for_each(|v| encode_key_datum(v.as_ref(), &mut prefix));
            (KeyRange::prefix(&prefix), false)
        }
        None => (KeyRange::prefix(&child.row_prefix()), false),
    };
    index::for_each_latest(txn, &range, |key, value| {
        let (row_key, bytes) = match through_index {
            true => match txn.get_for_update(Space::Data, value)? {
                Some(bytes) => (value.to_vec(), bytes),
                None => return Ok(ControlFlow::Continue(())),
            },
            false => (key.to_vec(), value.to_vec()),
        };
        let slots = index::stored_slots(child, &bytes)?;
        if matches(&slots) {
            found.push((row_key, Row { slots }));
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(found)
}
