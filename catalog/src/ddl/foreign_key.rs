//! FOREIGN KEY constraints as CREATE TABLE declares them (`REFERENCES` on a column, or
//! `FOREIGN KEY (...) REFERENCES` on the table): checked against the referenced table,
//! which must have a primary key or UNIQUE constraint on the referenced columns, and
//! recorded on both tables (`ForeignKey` on the referencing one, `referenced_by` on the
//! referenced one); added and dropped by ALTER TABLE, and dropped with the columns they
//! use. Enforcement is `access::foreign_key`.

use datafusion::sql::sqlparser::ast::{
    self, ConstraintCharacteristics, ConstraintReferenceMatchKind, DeferrableInitial, ForeignKeyConstraint, Ident,
};
use shale_storage::{KeyRange, Txn};

use super::DdlOutcome;
use crate::resolve::Scope;
use crate::access;
use crate::access::convert::StorageKind;
use shale_pgtypes::types::SqlType;
use crate::descriptor::{ConstraintTiming, ForeignKey, ReferentialAction, TableDesc, TableRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::ident::quote_ident;
use crate::{meta, resolve};

/// "There is no unique constraint ..." and the like.
const INVALID_FOREIGN_KEY: &str = "42830";

/// 42P16 for a foreign key between a temporary table and a permanent one (of the schemas
/// `child` and `parent`), as PostgreSQL refuses.
fn check_persistence(txn: &Txn, scope: &Scope, child: u64, parent: u64) -> Result<()> {
    let temporary = |id| scope.schema_name(txn, id).map(|name| crate::session::temp_slots::is_temp_schema(&name));
    let message = match (temporary(child)?, temporary(parent)?) {
        (true, false) => "constraints on temporary tables may reference only temporary tables",
        (false, true) => "constraints on permanent tables may reference only permanent tables",
        _ => return Ok(()),
    };
    Err(CatalogError::new(sqlstate::INVALID_TABLE_DEFINITION, message))
}

/// The foreign key `fk` declares on `table` (named `name`, else `<table>_<columns>_fkey`
/// unless `taken`): on the column in `slot` for a column's REFERENCES. `table` may not be
/// stored yet; a reference to itself reads it. Returns the key and, when it references
/// another table, that table's descriptor (locked) with the reference recorded, for the
/// caller to store.
pub(super) fn foreign_key(
    txn: &Txn,
    scope: &Scope,
    table: &TableDesc,
    name: Option<String>,
    fk: &ForeignKeyConstraint,
    slot: Option<usize>,
    taken: &[String],
) -> Result<(ForeignKey, Option<TableDesc>)> {
    if let (Some(action), false) = (fk.on_update, fk.on_update_columns.is_empty()) {
        return Err(CatalogError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            format!("a column list with {action} is only supported for ON DELETE actions"),
        ));
    }
    let timing = timing(fk.characteristics)?;
    if matches!(fk.match_kind, Some(ConstraintReferenceMatchKind::Full | ConstraintReferenceMatchKind::Partial)) {
        return Err(CatalogError::unsupported("MATCH FULL and MATCH PARTIAL foreign keys"));
    }
    let columns = match slot {
        Some(slot) if fk.columns.is_empty() => vec![slot],
        _ => referencing_slots(table, &fk.columns)?,
    };
    let (schema_name, parent_name) = scope.split(&fk.foreign_table)?;
    let schema_id = match schema_name {
        Some(s) => resolve::schema(txn, scope, &s)?.id,
        None => match (parent_name == table.name).then_some(table.schema_id) {
            Some(own) => own,
            None => resolve::table(txn, scope, &fk.foreign_table)?.schema.id,
        },
    };
    let is_self = schema_id == table.schema_id && parent_name == table.name;
    let parent = match is_self {
        true => table.clone(),
        false => meta::get_table_for_update(txn, schema_id, &parent_name)?
            .ok_or_else(|| CatalogError::undefined_table(&resolve::display(&fk.foreign_table)))?,
    };
    if schema_id != table.schema_id {
        check_persistence(txn, scope, table.schema_id, schema_id)?;
    }
    let on_delete_columns = referencing_slots(table, &fk.on_delete_columns)?;
    if let Some(&outside) = on_delete_columns.iter().find(|s| !columns.contains(s)) {
        return Err(CatalogError::new(
            sqlstate::INVALID_COLUMN_REFERENCE,
            format!("column \"{}\" referenced in ON DELETE SET action must be part of foreign key", table.columns[outside].name),
        ));
    }
    let parent_columns = referenced_slots(&parent, &fk.referred_columns)?;
    if parent_columns.len() != columns.len() {
        return Err(CatalogError::new(INVALID_FOREIGN_KEY, "number of referencing and referenced columns for foreign key disagree"));
    }
    let name = match name.or_else(|| fk.name.as_ref().map(resolve::normalize)) {
        Some(name) => {
            super::constraints::check_name_free(table, &name)?;
            name
        }
        None => {
            let names: Vec<&str> = columns.iter().map(|&s| table.columns[s].name.as_str()).collect();
            super::index::constraint_name(&table.name, &names.join("_"), "fkey", taken)
        }
    };
    for (&child, &referenced) in columns.iter().zip(&parent_columns) {
        let (c, p) = (&table.columns[child], &parent.columns[referenced]);
        let integer = |k: shale_storage::Kind| matches!(k, shale_storage::Kind::Int16 | shale_storage::Kind::Int32 | shale_storage::Kind::Int64);
        // Values of an enum type are those of that type alone (stored as label numbers).
        let enums_differ = match (&c.ty, &p.ty) {
            (SqlType::Enum(a), SqlType::Enum(b)) => a != b,
            (SqlType::Enum(_), _) | (_, SqlType::Enum(_)) => true,
            _ => false,
        };
        if enums_differ || (c.ty.kind() != p.ty.kind() && !(integer(c.ty.kind()) && integer(p.ty.kind()))) {
            return Err(CatalogError::new(sqlstate::DATATYPE_MISMATCH, format!("foreign key constraint \"{name}\" cannot be implemented"))
                .with_detail(format!(
                    "Key columns \"{}\" and \"{}\" are of incompatible types: {} and {}.",
                    c.name,
                    p.name,
                    c.ty.pg_name(),
                    p.ty.pg_name()
                )));
        }
    }
    let key = ForeignKey {
        id: meta::allocate(txn, meta::TABLE_IDS, 1)?,
        name,
        columns,
        parent: parent.table_ref(),
        parent_columns,
        on_delete: action(fk.on_delete),
        on_delete_columns,
        on_update: action(fk.on_update),
        timing,
        not_valid: false,
    };
    let referenced = table.table_ref();
    Ok(match is_self {
        true => (key, None),
        false => {
            let mut parent = parent;
            if !parent.referenced_by.contains(&referenced) {
                parent.referenced_by.push(referenced);
            }
            (key, Some(parent))
        }
    })
}

fn referencing_slots(table: &TableDesc, columns: &[Ident]) -> Result<Vec<usize>> {
    columns
        .iter()
        .map(|c| {
            let name = resolve::normalize(c);
            table.column(&name).map(|(slot, _)| slot).ok_or_else(|| {
                CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{name}\" referenced in foreign key constraint does not exist"))
            })
        })
        .collect()
}

/// The referenced columns: `columns`, which must be the parent's primary key or a UNIQUE
/// constraint's columns (in any order), or else its primary key.
fn referenced_slots(parent: &TableDesc, columns: &[Ident]) -> Result<Vec<usize>> {
    if columns.is_empty() {
        if !parent.has_primary_key() {
            return Err(CatalogError::new(INVALID_FOREIGN_KEY, format!("there is no primary key for referenced table \"{}\"", parent.name)));
        }
        return Ok(parent.primary_key.clone());
    }
    let slots = referencing_slots(parent, columns)?;
    let same = |key: &[usize]| key.len() == slots.len() && key.iter().all(|s| slots.contains(s));
    let unique = same(&parent.primary_key) || parent.indexes.iter().any(|i| i.unique && i.plain_slots().is_some_and(|slots| same(&slots)));
    match unique {
        true => Ok(slots),
        false => Err(CatalogError::new(
            INVALID_FOREIGN_KEY,
            format!("there is no unique constraint matching given keys for referenced table \"{}\"", parent.name),
        )),
    }
}

/// When the key's checks run, as `[NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]`
/// says (PostgreSQL 15 has no `[NOT] ENFORCED`).
fn timing(characteristics: Option<ConstraintCharacteristics>) -> Result<ConstraintTiming> {
    let Some(c) = characteristics else { return Ok(ConstraintTiming::Immediate) };
    if let Some(enforced) = c.enforced {
        let word = if enforced { "ENFORCED" } else { "NOT" };
        return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("syntax error at or near \"{word}\"")));
    }
    let deferred = c.initially == Some(DeferrableInitial::Deferred);
    match (c.deferrable, deferred) {
        (Some(false), true) => {
            Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "constraint declared INITIALLY DEFERRED must be DEFERRABLE"))
        }
        (_, true) => Ok(ConstraintTiming::Deferred),
        (Some(true), false) => Ok(ConstraintTiming::Deferrable),
        (_, false) => Ok(ConstraintTiming::Immediate),
    }
}

fn action(action: Option<ast::ReferentialAction>) -> ReferentialAction {
    match action {
        None | Some(ast::ReferentialAction::NoAction) => ReferentialAction::NoAction,
        Some(ast::ReferentialAction::Restrict) => ReferentialAction::Restrict,
        Some(ast::ReferentialAction::Cascade) => ReferentialAction::Cascade,
        Some(ast::ReferentialAction::SetNull) => ReferentialAction::SetNull,
        Some(ast::ReferentialAction::SetDefault) => ReferentialAction::SetDefault,
    }
}

/// 0A000 unless `table` is free of foreign keys in both directions: what is not yet done
/// for tables that have them (`what`).
pub(super) fn refuse_with_references(table: &TableDesc, what: &str) -> Result<()> {
    match table.foreign_keys.is_empty() && table.referenced_by.is_empty() {
        true => Ok(()),
        false => Err(CatalogError::unsupported(format!("{what} of a table with foreign keys"))),
    }
}

/// `ALTER TABLE ... ADD [CONSTRAINT name] FOREIGN KEY (...) REFERENCES ... [NOT VALID]`,
/// and `ADD COLUMN ... [CONSTRAINT name] REFERENCES ...` (on the new column in `slot`):
/// every row `table` has must have its parent (23503), unless `not_valid`, which leaves the
/// rows unread; the caller holds the table's lock and stores it.
pub(super) fn add_foreign_key(
    txn: &Txn,
    scope: &Scope,
    table: &mut TableDesc,
    name: Option<String>,
    fk: &ForeignKeyConstraint,
    slot: Option<usize>,
    not_valid: bool,
) -> Result<()> {
    let taken: Vec<String> = table.foreign_keys.iter().map(|k| k.name.clone()).collect();
    let (mut key, parent) = foreign_key(txn, scope, table, name, fk, slot, &taken)?;
    key.not_valid = not_valid;
    if !not_valid {
        let referenced = parent.clone().unwrap_or_else(|| table.clone());
        check_rows(txn, table, &referenced, &key)?;
    }
    match parent {
        Some(parent) => meta::put_table(txn, &parent)?,
        None if !table.referenced_by.contains(&key.parent) => table.referenced_by.push(key.parent.clone()),
        None => {}
    }
    table.foreign_keys.push(key);
    Ok(())
}

/// 23503 unless every row of `table` has its parent in `referenced` under `key`.
fn check_rows(txn: &Txn, table: &TableDesc, referenced: &TableDesc, key: &ForeignKey) -> Result<()> {
    access::index::for_each_latest(txn, &KeyRange::prefix(&table.row_prefix()), |_, value| {
        access::foreign_key::check_parent(txn, table, referenced, key, &access::index::stored_slots(table, value)?)?;
        Ok(std::ops::ControlFlow::Continue(()))
    })
}

/// `VALIDATE CONSTRAINT` of the foreign key `key` of `table`: 23503 unless every row has
/// its parent.
pub(super) fn validate_rows(txn: &Txn, table: &TableDesc, key: &ForeignKey) -> Result<()> {
    match key.parent.id == table.id {
        true => check_rows(txn, table, table, key),
        false => {
            let parent = meta::get_table_shared(txn, key.parent.schema_id, &key.parent.name)?
                .ok_or_else(|| CatalogError::internal(format!("the table referenced by \"{}\" is gone", key.name)))?;
            check_rows(txn, table, &parent, key)
        }
    }
}

/// `ALTER TABLE ... DROP CONSTRAINT` of the table's foreign key at `position`; the
/// referenced table forgets the reference when no other key of the table makes it.
pub(super) fn drop_foreign_key(txn: &Txn, table: &mut TableDesc, position: usize) -> Result<()> {
    let dropped = table.foreign_keys.remove(position);
    if table.foreign_keys.iter().any(|k| k.parent.id == dropped.parent.id) {
        return Ok(());
    }
    let me = table.table_ref();
    if dropped.parent.id == table.id {
        table.referenced_by.retain(|r| *r != me);
        return Ok(());
    }
    if let Some(mut parent) = meta::get_table_for_update(txn, dropped.parent.schema_id, &dropped.parent.name)? {
        parent.referenced_by.retain(|r| *r != me);
        meta::put_table(txn, &parent)?;
    }
    Ok(())
}

/// Forgets the references of a dropped table's foreign keys in the tables they reference.
pub(super) fn forget_references(txn: &Txn, table: &TableDesc) -> Result<()> {
    let me = table.table_ref();
    for fk in &table.foreign_keys {
        if fk.parent == me {
            continue;
        }
        if let Some(mut parent) = meta::get_table_for_update(txn, fk.parent.schema_id, &fk.parent.name)? {
            parent.referenced_by.retain(|r| *r != me);
            meta::put_table(txn, &parent)?;
        }
    }
    Ok(())
}

/// What DROP COLUMN does to the foreign keys around the column in `slot` of `table`, as
/// PostgreSQL's dependencies say: a key of the table on the column goes with it; a key
/// (of another table, or of this one) that references the column depends on it, so the
/// drop fails with 2BP01 unless `cascade`, which drops that key too with a NOTICE. The
/// caller holds the table's lock and stores it; the other tables are stored here.
pub(super) fn drop_column_keys(txn: &Txn, table: &mut TableDesc, slot: usize, cascade: bool, outcome: &mut DdlOutcome) -> Result<()> {
    let dependents = referencing_column(txn, table, slot)?;
    let column = &table.columns[slot].name;
    if !dependents.is_empty() && !cascade {
        let on = format!("column {column} of table {}", quote_ident(&table.name));
        let detail: Vec<String> = dependents.iter().map(|(child, key)| format!("{} depends on {on}", describe(child, key))).collect();
        return Err(CatalogError::new(sqlstate::DEPENDENT_OBJECTS, format!("cannot drop {on} because other objects depend on it"))
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
    }
    super::drop::cascade_notice(outcome, dependents.iter().map(|(child, key)| format!("drop cascades to {}", describe(child, key))).collect());
    for (child, key) in dependents {
        let Some(child) = child else {
            forget_key(txn, table, key.id)?;
            continue;
        };
        // Read again: it may have lost another key already.
        let Some(mut child) = meta::get_table_for_update(txn, child.schema_id, &child.name)? else { continue };
        child.foreign_keys.retain(|k| k.id != key.id);
        if !child.foreign_keys.iter().any(|k| k.parent.id == table.id) {
            table.referenced_by.retain(|r| r.id != child.id);
        }
        meta::put_table(txn, &child)?;
    }
    let own: Vec<u64> = table.foreign_keys.iter().filter(|k| k.columns.contains(&slot)).map(|k| k.id).collect();
    for id in own {
        forget_key(txn, table, id)?;
    }
    Ok(())
}

/// The foreign keys that reference the column in `slot` of `table` and are not keys of the
/// table on that column itself, in the order they were made, each with its table (`None`:
/// `table` itself), which is locked.
fn referencing_column(txn: &Txn, table: &TableDesc, slot: usize) -> Result<Vec<(Option<TableRef>, ForeignKey)>> {
    let depends = |k: &ForeignKey| k.parent.id == table.id && k.parent_columns.contains(&slot);
    let mut found: Vec<(Option<TableRef>, ForeignKey)> =
        table.foreign_keys.iter().filter(|k| depends(k) && !k.columns.contains(&slot)).map(|k| (None, k.clone())).collect();
    for r in table.referenced_by.iter().filter(|r| r.id != table.id) {
        let Some(child) = meta::get_table_for_update(txn, r.schema_id, &r.name)? else { continue };
        found.extend(child.foreign_keys.iter().filter(|k| depends(k)).map(|k| (Some(r.clone()), k.clone())));
    }
    found.sort_by_key(|(_, key)| key.id);
    Ok(found)
}

/// As PostgreSQL describes a foreign key among the objects a drop reaches: `constraint k on
/// table t` (`child` `None`: a key of the table whose column goes, which references it).
fn describe(child: &Option<TableRef>, key: &ForeignKey) -> String {
    let table = child.as_ref().map_or(&key.parent.name, |c| &c.name);
    format!("constraint {} on table {}", key.name, quote_ident(table))
}

/// Drops the foreign key of `table` whose id is `id`, if it still has it.
fn forget_key(txn: &Txn, table: &mut TableDesc, id: u64) -> Result<()> {
    match table.foreign_keys.iter().position(|k| k.id == id) {
        Some(position) => drop_foreign_key(txn, table, position),
        None => Ok(()),
    }
}
