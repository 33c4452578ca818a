//! What running the parts one after another cannot answer as PostgreSQL does.
//!
//! PostgreSQL runs every part of the statement in one snapshot: no part sees another's
//! changes to the tables (only its RETURNING rows), and foreign keys are checked once all
//! parts have run. Shale runs the parts in turn (the WITH queries that run, in their order,
//! then the main statement) in the statement's transaction, each seeing the changes of
//! those before it. That answers the same unless a part reads a table a part before it
//! changed (an UPDATE or DELETE reads its own target; an INSERT reads it only with ON
//! CONFLICT), counting the tables that ON DELETE / ON UPDATE actions may have changed, or
//! two parts change tables related by a foreign key in an order whose checks could differ:
//! those statements are 0A000 rather than a different answer. Allowed are an INSERT into the
//! referenced table before changes to the referencing one (the usual "insert the parent,
//! then its children"), and a DELETE from the referencing table before changes to the
//! referenced one ("delete the children, then their parent").

use std::collections::{HashMap, HashSet};

use datafusion::sql::sqlparser::ast::{FromTable, ObjectName, Statement, TableObject, visit_relations};

use super::parts::{Body, Part};
use crate::access::dml::{DmlContext, single_table};
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};
use crate::{meta, resolve};

/// How a part changes its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Insert,
    Update,
    Delete,
}

/// The tables a running part reads and changes.
struct Access {
    reads: HashSet<u64>,
    change: Option<Change>,
    /// Its target, and the tables referential actions may change from it.
    changes: Vec<TableDesc>,
}

/// 0A000 when `parts` read or change tables in a way running them in turn would not answer
/// as PostgreSQL does (see the module documentation).
pub(super) fn check(ctx: &DmlContext<'_>, parts: &[Part]) -> Result<()> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let names: HashSet<&str> = parts.iter().filter_map(|p| p.name.as_deref()).collect();
    let find = |name: &ObjectName| -> Result<Option<TableDesc>> {
        if let Ok((None, relation)) = resolve::split_name(name) {
            if names.contains(relation.as_str()) {
                return Ok(None);
            }
        }
        // A name that finds nothing is planning's error to give.
        Ok(resolve::find_table(&txn, &scope, name).ok().flatten().map(|r| r.table))
    };
    let mut accesses = Vec::new();
    for part in parts.iter().filter(|p| p.runs) {
        let (read_names, target, change) = match &part.body {
            Body::Query(_) => (part.relations(), None, None),
            Body::Change(stmt) => targets(stmt)?,
        };
        let mut reads = HashSet::new();
        for name in &read_names {
            if let Some(table) = find(name)? {
                reads.insert(table.id);
            }
        }
        let mut changes = Vec::new();
        if let (Some(target), Some(change)) = (target, change) {
            if let Some(table) = find(&target)? {
                if change != Change::Insert {
                    reads.insert(table.id);
                    changes.extend(referencing(&txn, &table)?);
                }
                changes.insert(0, table);
            }
        }
        accesses.push(Access { reads, change, changes });
    }
    // Each part runs after those before it: it must not read what they changed.
    for (i, first) in accesses.iter().enumerate() {
        for then in &accesses[i + 1..] {
            if let Some(table) = first.changes.iter().find(|t| then.reads.contains(&t.id)) {
                return Err(CatalogError::unsupported(format!(
                    "reading table \"{}\" in a part of a statement after a data-modifying WITH query changed it",
                    table.name
                )));
            }
            check_references(first, then)?;
        }
    }
    Ok(())
}

/// 0A000 when `first` and `then` change tables related by a foreign key in an order whose
/// checks could differ from PostgreSQL's, which checks once both have run.
fn check_references(first: &Access, then: &Access) -> Result<()> {
    for a in &first.changes {
        for b in &then.changes {
            let references = |child: &TableDesc, parent: &TableDesc| child.foreign_keys.iter().any(|fk| fk.parent.id == parent.id);
            let refused = (references(b, a) && first.change != Some(Change::Insert))
                || (references(a, b) && first.change != Some(Change::Delete));
            if refused {
                return Err(CatalogError::unsupported(format!(
                    "changing tables \"{}\" and \"{}\", related by a foreign key, in different parts of a statement with data-modifying WITH queries",
                    a.name, b.name
                )));
            }
        }
    }
    Ok(())
}

/// The relations an INSERT, UPDATE or DELETE reads, its target and how it changes it.
fn targets(stmt: &Statement) -> Result<(Vec<ObjectName>, Option<ObjectName>, Option<Change>)> {
    let mut reads = Vec::new();
    let mut add = |name: &ObjectName| {
        reads.push(name.clone());
        std::ops::ControlFlow::<()>::Continue(())
    };
    Ok(match stmt {
        Statement::Insert(insert) => {
            let _ = visit_relations(&insert.source, &mut add);
            let _ = visit_relations(&insert.returning, &mut add);
            let _ = visit_relations(&insert.on, &mut add);
            let TableObject::TableName(target) = &insert.table else {
                return Err(CatalogError::unsupported("INSERT into a table function"));
            };
            // ON CONFLICT reads the rows it conflicts with.
            if insert.on.is_some() {
                reads.push(target.clone());
            }
            (reads, Some(target.clone()), Some(Change::Insert))
        }
        Statement::Update(update) => {
            let _ = visit_relations(stmt, &mut add);
            (reads, Some(single_table(&update.table)?.0.clone()), Some(Change::Update))
        }
        Statement::Delete(delete) => {
            let _ = visit_relations(stmt, &mut add);
            let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) = &delete.from;
            let target = match tables.first() {
                Some(t) => Some(single_table(t)?.0.clone()),
                None => None,
            };
            (reads, target, Some(Change::Delete))
        }
        other => return Err(CatalogError::internal(format!("not an INSERT, UPDATE or DELETE: {other}"))),
    })
}

/// The tables whose rows ON DELETE / ON UPDATE actions may change when rows of `table`
/// change: those referencing it, and those referencing them, and so on.
fn referencing(txn: &shale_storage::Txn, table: &TableDesc) -> Result<Vec<TableDesc>> {
    let mut found: HashMap<u64, TableDesc> = HashMap::new();
    let mut pending: Vec<_> = table.referenced_by.clone();
    while let Some(child) = pending.pop() {
        if child.id == table.id || found.contains_key(&child.id) {
            continue;
        }
        if let Some(desc) = meta::get_table(txn, child.schema_id, &child.name)?.filter(|d| d.id == child.id) {
            pending.extend(desc.referenced_by.iter().cloned());
            found.insert(desc.id, desc);
        }
    }
    Ok(found.into_values().collect())
}
