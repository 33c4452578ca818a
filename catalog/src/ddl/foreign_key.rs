//! FOREIGN KEY constraints as CREATE TABLE declares them (`REFERENCES` on a column, or
//! `FOREIGN KEY (...) REFERENCES` on the table): checked against the referenced table,
//! which must have a primary key or UNIQUE constraint on the referenced columns, and
//! recorded on both tables (`ForeignKey` on the referencing one, `referenced_by` on the
//! referenced one). Enforcement is `access::foreign_key`.

use datafusion::sql::sqlparser::ast::{self, ConstraintReferenceMatchKind, ForeignKeyConstraint, Ident};
use shale_storage::{KeyRange, Txn};

use crate::access;
use crate::access::convert::StorageKind;
use crate::descriptor::{ForeignKey, ReferentialAction, TableDesc, TableRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// "There is no unique constraint ..." and the like.
const INVALID_FOREIGN_KEY: &str = "42830";

/// The foreign key `fk` declares on `table` (named `name`, else `<table>_<columns>_fkey`
/// unless `taken`): on the column in `slot` for a column's REFERENCES. `table` may not be
/// stored yet; a reference to itself reads it. Returns the key and, when it references
/// another table, that table's descriptor (locked) with the reference recorded, for the
/// caller to store.
pub(super) fn foreign_key(
    txn: &Txn,
    search_path: &[String],
    table: &TableDesc,
    name: Option<String>,
    fk: &ForeignKeyConstraint,
    slot: Option<usize>,
    taken: &[String],
) -> Result<(ForeignKey, Option<TableDesc>)> {
    if fk.characteristics.is_some() {
        return Err(CatalogError::unsupported("DEFERRABLE foreign keys"));
    }
    if matches!(fk.match_kind, Some(ConstraintReferenceMatchKind::Full | ConstraintReferenceMatchKind::Partial)) {
        return Err(CatalogError::unsupported("MATCH FULL and MATCH PARTIAL foreign keys"));
    }
    let columns = match slot {
        Some(slot) if fk.columns.is_empty() => vec![slot],
        _ => referencing_slots(table, &fk.columns)?,
    };
    let (schema_name, parent_name) = resolve::split_name(&fk.foreign_table)?;
    let schema_id = match schema_name {
        Some(s) => meta::get_schema(txn, &s)?.ok_or_else(|| CatalogError::undefined_schema(&s))?.id,
        None => match (parent_name == table.name).then_some(table.schema_id) {
            Some(own) => own,
            None => resolve::table(txn, search_path, &fk.foreign_table)?.schema.id,
        },
    };
    let is_self = schema_id == table.schema_id && parent_name == table.name;
    let parent = match is_self {
        true => table.clone(),
        false => meta::get_table_for_update(txn, schema_id, &parent_name)?
            .ok_or_else(|| CatalogError::undefined_table(&resolve::display(&fk.foreign_table)))?,
    };
    let parent_columns = referenced_slots(&parent, &fk.referred_columns)?;
    if parent_columns.len() != columns.len() {
        return Err(CatalogError::new(INVALID_FOREIGN_KEY, "number of referencing and referenced columns for foreign key disagree"));
    }
    let name = match name.or_else(|| fk.name.as_ref().map(resolve::normalize)) {
        Some(name) => name,
        None => {
            let names: Vec<&str> = columns.iter().map(|&s| table.columns[s].name.as_str()).collect();
            super::index::constraint_name(&table.name, &names.join("_"), "fkey", taken)
        }
    };
    for (&child, &referenced) in columns.iter().zip(&parent_columns) {
        let (c, p) = (&table.columns[child], &parent.columns[referenced]);
        let integer = |k: shale_storage::Kind| matches!(k, shale_storage::Kind::Int16 | shale_storage::Kind::Int32 | shale_storage::Kind::Int64);
        if c.ty.kind() != p.ty.kind() && !(integer(c.ty.kind()) && integer(p.ty.kind())) {
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
        parent: TableRef { schema_id: parent.schema_id, name: parent.name.clone(), id: parent.id },
        parent_columns,
        on_delete: action(fk.on_delete)?,
        on_update: action(fk.on_update)?,
    };
    let referenced = TableRef { schema_id: table.schema_id, name: table.name.clone(), id: table.id };
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
    let unique = same(&parent.primary_key) || parent.indexes.iter().any(|i| i.unique && same(&i.columns.iter().map(|c| c.slot).collect::<Vec<_>>()));
    match unique {
        true => Ok(slots),
        false => Err(CatalogError::new(
            INVALID_FOREIGN_KEY,
            format!("there is no unique constraint matching given keys for referenced table \"{}\"", parent.name),
        )),
    }
}

fn action(action: Option<ast::ReferentialAction>) -> Result<ReferentialAction> {
    Ok(match action {
        None | Some(ast::ReferentialAction::NoAction) => ReferentialAction::NoAction,
        Some(ast::ReferentialAction::Restrict) => ReferentialAction::Restrict,
        Some(ast::ReferentialAction::Cascade) => ReferentialAction::Cascade,
        Some(ast::ReferentialAction::SetNull) => ReferentialAction::SetNull,
        Some(ast::ReferentialAction::SetDefault) => return Err(CatalogError::unsupported("ON DELETE / ON UPDATE SET DEFAULT")),
    })
}

/// 0A000 unless `table` is free of foreign keys in both directions: what is not yet done
/// for tables that have them (`what`).
pub(super) fn refuse_with_references(table: &TableDesc, what: &str) -> Result<()> {
    match table.foreign_keys.is_empty() && table.referenced_by.is_empty() {
        true => Ok(()),
        false => Err(CatalogError::unsupported(format!("{what} of a table with foreign keys"))),
    }
}

/// `ALTER TABLE ... ADD [CONSTRAINT name] FOREIGN KEY (...) REFERENCES ...`: every row
/// `table` has must have its parent (23503); the caller holds the table's lock and stores
/// it.
pub(super) fn add_foreign_key(txn: &Txn, search_path: &[String], table: &mut TableDesc, fk: &ForeignKeyConstraint) -> Result<()> {
    let taken: Vec<String> = table.foreign_keys.iter().map(|k| k.name.clone()).collect();
    let (key, parent) = foreign_key(txn, search_path, table, None, fk, None, &taken)?;
    let referenced = parent.clone().unwrap_or_else(|| table.clone());
    access::index::for_each_latest(txn, &KeyRange::prefix(&table.row_prefix()), |_, value| {
        access::foreign_key::check_parent(txn, table, &referenced, &key, &access::index::stored_slots(table, value)?)?;
        Ok(std::ops::ControlFlow::Continue(()))
    })?;
    match parent {
        Some(parent) => meta::put_table(txn, &parent)?,
        None if !table.referenced_by.contains(&key.parent) => table.referenced_by.push(key.parent.clone()),
        None => {}
    }
    table.foreign_keys.push(key);
    Ok(())
}

/// `ALTER TABLE ... DROP CONSTRAINT` of the table's foreign key at `position`; the
/// referenced table forgets the reference when no other key of the table makes it.
pub(super) fn drop_foreign_key(txn: &Txn, table: &mut TableDesc, position: usize) -> Result<()> {
    let dropped = table.foreign_keys.remove(position);
    if table.foreign_keys.iter().any(|k| k.parent.id == dropped.parent.id) {
        return Ok(());
    }
    let me = TableRef { schema_id: table.schema_id, name: table.name.clone(), id: table.id };
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
    let me = TableRef { schema_id: table.schema_id, name: table.name.clone(), id: table.id };
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
