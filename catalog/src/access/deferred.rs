//! Foreign-key checks deferred to the end of the transaction: those of `DEFERRABLE
//! INITIALLY DEFERRED` keys, and of `DEFERRABLE` keys that `SET CONSTRAINTS` defers.
//!
//! A statement's writer (`RowWriter::finish`) queues such a check in the session's
//! [`Deferred`] instead of running it; COMMIT runs the queue ([`settle`]), and so does `SET
//! CONSTRAINTS ... IMMEDIATE` for the keys it makes immediate, as PostgreSQL does. A check
//! runs against the rows as they are then: a referencing row deleted since needs no parent
//! (a changed one was queued again under its key), and a parent key deleted and inserted
//! again is still there for its children. The queue holds a row's key, not the row, so it
//! grows by a key per written row at most; it is the transaction's, and goes with it.

use std::collections::{BTreeSet, HashMap};

use shale_storage::{Datum, Space, Txn};

use super::foreign_key::{self, Owed};
use super::index;
use crate::resolve::Scope;
use crate::descriptor::{ForeignKey, TableDesc, TableRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta;

/// SQLSTATE wrong_object_type ("constraint ... is not deferrable").
const WRONG_OBJECT_TYPE: &str = "42809";

/// The deferred checks of one transaction and what its `SET CONSTRAINTS` said.
#[derive(Debug, Default)]
pub struct Deferred {
    /// `SET CONSTRAINTS ALL DEFERRED` (true) or `IMMEDIATE` (false).
    all: Option<bool>,
    /// `SET CONSTRAINTS name ...` since the last `ALL`, by foreign key id.
    named: HashMap<u64, bool>,
    /// The tables the queued checks are on, by id.
    tables: HashMap<u64, TableRef>,
    /// Referencing rows that need their parent: (table id, foreign key id, row key).
    parents: BTreeSet<(u64, u64, Vec<u8>)>,
    /// Parent rows deleted or given another key under a NO ACTION key.
    children: Vec<Children>,
}

/// A parent row that no row may reference any more, unless its key is back.
#[derive(Debug)]
struct Children {
    parent: u64,
    child: u64,
    key: u64,
    old: Vec<Datum>,
}

impl Deferred {
    /// Whether the checks of `fk` wait for COMMIT in this transaction.
    pub fn defers(&self, fk: &ForeignKey) -> bool {
        if !fk.timing.deferrable() {
            return false;
        }
        self.named.get(&fk.id).copied().or(self.all).unwrap_or(fk.timing.initially_deferred())
    }

    /// Queues `check`, owed by a row of `table` (`row_key`: the row's key, for a check of
    /// its parent).
    pub fn queue(&mut self, table: &TableDesc, check: Owed) {
        match check {
            Owed::Parent { key, row, .. } => {
                let fk = &table.foreign_keys[key];
                self.tables.insert(table.id, table.table_ref());
                self.tables.insert(fk.parent.id, fk.parent.clone());
                self.parents.insert((table.id, fk.id, row));
            }
            Owed::Children { child, key, old, .. } => {
                self.tables.insert(table.id, table.table_ref());
                self.tables.insert(child.id, child.table_ref());
                self.children.push(Children { parent: table.id, child: child.id, key: child.foreign_keys[key].id, old });
            }
        }
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.parents.is_empty() && self.children.is_empty()
    }

    /// `SET CONSTRAINTS { ALL | keys } { DEFERRED | IMMEDIATE }`: the checks queued for keys
    /// now immediate are taken out, for the caller to run.
    fn set(&mut self, keys: Option<&[u64]>, deferred: bool) -> Deferred {
        match keys {
            None => {
                self.all = Some(deferred);
                self.named.clear();
            }
            Some(keys) => self.named.extend(keys.iter().map(|&k| (k, deferred))),
        }
        let due = |key: u64| self.named.get(&key).copied().or(self.all) == Some(false);
        let (due_parents, parents) = std::mem::take(&mut self.parents).into_iter().partition(|(_, key, _)| due(*key));
        self.parents = parents;
        let (due_children, children) = std::mem::take(&mut self.children).into_iter().partition(|c| due(c.key));
        self.children = children;
        Deferred { tables: self.tables.clone(), parents: due_parents, children: due_children, ..Deferred::default() }
    }
}

/// Runs the checks `deferred` holds in `txn` (23503 for the first that fails).
pub fn settle(txn: &Txn, deferred: Deferred) -> Result<()> {
    let mut tables = Tables { txn, refs: &deferred.tables, read: HashMap::new() };
    for (table, key, row_key) in &deferred.parents {
        let Some((child, fk)) = tables.key(*table, *key)? else { continue };
        let Some(bytes) = txn.get_latest(Space::Data, row_key)? else { continue };
        let slots = index::stored_slots(&child, &bytes)?;
        let Some(parent) = tables.get(fk.parent.id)? else { continue };
        foreign_key::check_parent(txn, &child, &parent, &fk, &slots)?;
    }
    for c in &deferred.children {
        let (Some((child, fk)), Some(parent)) = (tables.key(c.child, c.key)?, tables.get(c.parent)?) else { continue };
        foreign_key::no_children(txn, &parent, &child, &fk, &c.old)?;
    }
    Ok(())
}

/// `SET CONSTRAINTS { ALL | names } { DEFERRED | IMMEDIATE }` in `txn` (the session's
/// `deferred`): names are foreign keys of the tables of the search path's schemas (or of the
/// schema a name gives); 42704 for a name no constraint has, 42809 for one that is not
/// deferrable. The checks it makes due run now.
pub fn set_constraints(
    txn: &Txn,
    scope: &Scope,
    deferred: &mut Deferred,
    names: Option<&[(Option<String>, String)]>,
    defer: bool,
) -> Result<()> {
    let keys = match names {
        None => None,
        Some(names) => Some(names.iter().map(|(schema, name)| named_keys(txn, scope, schema.as_deref(), name)).collect::<Result<Vec<_>>>()?.concat()),
    };
    let due = deferred.set(keys.as_deref(), defer);
    settle(txn, due)
}

/// The ids of the foreign keys named `name` in `schema`, else in the schemas of
/// the search path, in the first schema that has one.
fn named_keys(txn: &Txn, scope: &Scope, schema: Option<&str>, name: &str) -> Result<Vec<u64>> {
    for schema in scope.candidates(schema) {
        let Some(desc) = scope.get_schema(txn, &schema)? else { continue };
        let tables = meta::list_tables(txn, desc.id)?;
        let mut found = Vec::new();
        for table in &tables {
            if let Some(fk) = table.foreign_keys.iter().find(|k| k.name == name) {
                if !fk.timing.deferrable() {
                    return Err(not_deferrable(name));
                }
                found.push(fk.id);
            }
            let other = table.indexes.iter().any(|i| i.name == name) || table.checks.iter().any(|c| c.name == name) || (table.has_primary_key() && table.pkey_constraint_name() == name);
            if other {
                return Err(not_deferrable(name));
            }
        }
        if !found.is_empty() {
            return Ok(found);
        }
    }
    Err(CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("constraint \"{name}\" does not exist")))
}

fn not_deferrable(name: &str) -> CatalogError {
    CatalogError::new(WRONG_OBJECT_TYPE, format!("constraint \"{name}\" is not deferrable"))
}

/// The tables of deferred checks, read once each, share-locked like a writer's.
struct Tables<'a> {
    txn: &'a Txn,
    refs: &'a HashMap<u64, TableRef>,
    read: HashMap<u64, Option<std::sync::Arc<TableDesc>>>,
}

impl Tables<'_> {
    /// The table with id `id` as it is now; `None` once dropped.
    fn get(&mut self, id: u64) -> Result<Option<std::sync::Arc<TableDesc>>> {
        if let Some(read) = self.read.get(&id) {
            return Ok(read.clone());
        }
        // A table with foreign keys cannot be renamed: one not found by its name is gone.
        let found = match self.refs.get(&id) {
            None => None,
            Some(r) => meta::get_table_shared(self.txn, r.schema_id, &r.name)?.filter(|t| t.id == id),
        };
        let found = found.map(std::sync::Arc::new);
        self.read.insert(id, found.clone());
        Ok(found)
    }

    /// The table `table` and its foreign key with id `key`; `None` when either is gone.
    fn key(&mut self, table: u64, key: u64) -> Result<Option<(std::sync::Arc<TableDesc>, ForeignKey)>> {
        let Some(desc) = self.get(table)? else { return Ok(None) };
        let fk = desc.foreign_keys.iter().find(|k| k.id == key).cloned();
        Ok(fk.map(|fk| (desc, fk)))
    }
}
