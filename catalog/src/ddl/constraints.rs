//! ALTER TABLE's constraints: ADD [CONSTRAINT name] PRIMARY KEY (also a new column's),
//! DROP CONSTRAINT (and the primary key DROP COLUMN takes with it), a column's SET / DROP
//! NOT NULL and SET / DROP DEFAULT, and the names new constraints may not take (42710). Adding or dropping a primary key
//! changes every row's key: the rows are rewritten under a new storage id in the
//! statement's transaction (`TableDesc::storage`, PostgreSQL's new relfilenode), and the
//! indexes, whose entries lead to the keys, are built anew.

use std::ops::ControlFlow;

use datafusion::execution::session_state::SessionState;
use datafusion::sql::sqlparser::ast::{AlterColumnOperation, Ident, PrimaryKeyConstraint};
use shale_storage::{Datum, DatumRef, KeyRange, Space, Txn, encode_key_datum, encode_row};

use super::{DdlContext, DdlOutcome};
use crate::access::index;
use crate::access::index_keys::IndexKey;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// Rows rewritten per step.
const CHUNK: usize = 1024;

/// "Constraint ... already exists".
const DUPLICATE_OBJECT: &str = "42710";

/// 42710 when a constraint of `table` is named `name` already.
pub(super) fn check_name_free(table: &TableDesc, name: &str) -> Result<()> {
    match table.has_constraint(name) {
        true => Err(CatalogError::new(DUPLICATE_OBJECT, format!("constraint \"{name}\" for relation \"{}\" already exists", table.name))),
        false => Ok(()),
    }
}

/// For a new PRIMARY KEY or UNIQUE constraint of `table` named `name`, whose index takes
/// the name too: 42P07 when a relation of the schema has it, else 42710 when a constraint
/// of the table does.
pub(super) fn check_index_name_free(txn: &Txn, table: &TableDesc, name: &str) -> Result<()> {
    if super::sequence::relation_exists(txn, table.schema_id, name)? || table.index(name).is_some() {
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    check_name_free(table, name)
}

/// `ADD [CONSTRAINT name] PRIMARY KEY (columns)`, and `ADD COLUMN ... PRIMARY KEY` (on the
/// new column in `slot`): the columns become NOT NULL (23502 when a row has a NULL in one)
/// and every row is keyed by them (23505 for a duplicate).
pub(super) fn add_primary_key(
    state: &SessionState,
    txn: &Txn,
    table: &mut TableDesc,
    name: Option<String>,
    pk: &PrimaryKeyConstraint,
    slot: Option<usize>,
) -> Result<()> {
    if table.has_primary_key() {
        return Err(CatalogError::new(
            sqlstate::INVALID_TABLE_DEFINITION,
            format!("multiple primary keys for table \"{}\" are not allowed", table.name),
        ));
    }
    if pk.characteristics.is_some() || pk.index_type.is_some() || !pk.index_options.is_empty() {
        return Err(CatalogError::unsupported("options of a PRIMARY KEY constraint"));
    }
    let slots: Vec<usize> = match slot {
        Some(slot) if pk.columns.is_empty() => vec![slot],
        _ => super::index::key_columns(table, &pk.columns, true)?.iter().filter_map(|c| c.slot).collect(),
    };
    if slots.iter().any(|&s| table.columns[s].ty.element().is_some()) {
        return Err(CatalogError::unsupported("an array column in a primary key"));
    }
    let name = name.unwrap_or_else(|| TableDesc::default_pkey_name(&table.name));
    check_index_name_free(txn, table, &name)?;
    let mut keyed = table.clone();
    keyed.primary_key = slots.clone();
    keyed.pkey_name = Some(name);
    for &slot in &slots {
        keyed.columns[slot].not_null = true;
    }
    rekey(state, txn, table, &mut keyed)?;
    *table = keyed;
    Ok(())
}

/// `DROP CONSTRAINT [IF EXISTS] name`: a UNIQUE constraint's index goes; without its
/// primary key the table's rows are keyed by hidden row ids again.
pub(super) fn drop_constraint(
    state: &SessionState,
    txn: &Txn,
    table: &mut TableDesc,
    name: &Ident,
    if_exists: bool,
    outcome: &mut DdlOutcome,
) -> Result<()> {
    let name = resolve::normalize(name);
    if table.has_primary_key() && table.pkey_constraint_name() == name {
        return drop_primary_key(state, txn, table);
    }
    match table.indexes.iter().position(|i| i.constraint && i.name == name) {
        Some(position) => {
            let dropped = table.indexes.remove(position);
            index::clear(txn, &dropped)?;
            meta::delete_index_name(txn, table.schema_id, &dropped.name)
        }
        None if if_exists => {
            outcome.notice("00000", format!("constraint \"{name}\" of relation \"{}\" does not exist, skipping", table.name));
            Ok(())
        }
        None => Err(CatalogError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("constraint \"{name}\" of relation \"{}\" does not exist", table.name),
        )),
    }
}

/// Drops the primary key of `table` (DROP CONSTRAINT, or DROP COLUMN of one of its
/// columns): its rows are keyed by hidden row ids again.
pub(super) fn drop_primary_key(state: &SessionState, txn: &Txn, table: &mut TableDesc) -> Result<()> {
    let mut unkeyed = table.clone();
    unkeyed.primary_key = Vec::new();
    unkeyed.pkey_name = None;
    rekey(state, txn, table, &mut unkeyed)?;
    *table = unkeyed;
    Ok(())
}

/// Rewrites the rows of `old` under a new storage id with the keys of `new` (its primary
/// key, or hidden row ids), checking NOT NULL and uniqueness, and builds its indexes anew.
fn rekey(state: &SessionState, txn: &Txn, old: &TableDesc, new: &mut TableDesc) -> Result<()> {
    rewrite(state, txn, old, new, None)
}

/// Changes a chunk of rows (their slots) as a rewrite stores them.
pub(super) type Convert<'a> = &'a dyn Fn(Vec<Vec<Datum>>) -> Result<Vec<Vec<Datum>>>;

/// [`rekey`], each chunk of rows changed by `convert` first (ALTER COLUMN ... TYPE).
pub(super) fn rewrite(state: &SessionState, txn: &Txn, old: &TableDesc, new: &mut TableDesc, convert: Option<Convert<'_>>) -> Result<()> {
    new.storage = Some(meta::allocate(txn, meta::TABLE_IDS, 1)?);
    let prefix = new.row_prefix();
    let range = KeyRange::prefix(&old.row_prefix());
    let mut after: Option<Vec<u8>> = None;
    loop {
        // What is committed now: the caller holds the table's lock, so no writer is under way.
        let chunk = txn.scan_latest(Space::Data, &range, after.as_deref(), CHUNK)?;
        let row_ids = match new.has_primary_key() {
            true => 0,
            false => meta::allocate(txn, &format!("rowid/{}", new.id), chunk.len().max(1) as u64)?,
        };
        let mut rows = chunk.iter().map(|(_, value)| index::stored_slots(old, value)).collect::<Result<Vec<_>>>()?;
        if let Some(convert) = convert {
            rows = convert(rows)?;
        }
        for (i, ((old_key, value), slots)) in chunk.iter().zip(&rows).enumerate() {
            let mut key = prefix.to_vec();
            match new.has_primary_key() {
                true => {
                    for &slot in &new.primary_key {
                        if slots[slot] == Datum::Null {
                            return Err(contains_nulls(new, slot));
                        }
                        encode_key_datum(slots[slot].as_ref(), &mut key);
                    }
                    if txn.get_for_update(Space::Data, &key)?.is_some() {
                        let name = new.pkey_constraint_name();
                        return Err(CatalogError::new(sqlstate::UNIQUE_VIOLATION, format!("could not create unique index \"{name}\""))
                            .with_detail(format!("Key {} is duplicated.", index::index_key_text(new, &new.primary_key, &slots))));
                    }
                }
                false => encode_key_datum(DatumRef::Int64((row_ids + i as u64) as i64), &mut key),
            }
            match convert {
                Some(_) => {
                    let refs: Vec<DatumRef> = slots.iter().map(|d| d.as_ref()).collect();
                    let mut bytes = Vec::with_capacity(value.len());
                    encode_row(&refs, &mut bytes)?;
                    txn.put(Space::Data, &key, &bytes)?;
                }
                None => txn.put(Space::Data, &key, value)?,
            }
            txn.delete(Space::Data, old_key)?;
        }
        match chunk.into_iter().last() {
            Some((key, _)) => after = Some(key),
            None => break,
        }
    }
    for i in &new.indexes {
        index::clear(txn, i)?;
        index::build(txn, new, i, &IndexKey::new(state, new, i)?)?;
    }
    Ok(())
}

/// 23502: a row has a NULL in the column in `slot`.
fn contains_nulls(table: &TableDesc, slot: usize) -> CatalogError {
    CatalogError::new(
        sqlstate::NOT_NULL_VIOLATION,
        format!("column \"{}\" of relation \"{}\" contains null values", table.columns[slot].name, table.name),
    )
}

/// `ALTER [COLUMN] c SET NOT NULL | DROP NOT NULL | SET DEFAULT expr | DROP DEFAULT`.
pub(super) fn alter_column(ctx: &DdlContext<'_>, table: &mut TableDesc, column: &Ident, op: &AlterColumnOperation) -> Result<()> {
    let name = resolve::normalize(column);
    let Some((slot, col)) = table.column(&name) else {
        return Err(CatalogError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{name}\" of relation \"{}\" does not exist", table.name),
        ));
    };
    let identity = col.identity.is_some();
    match op {
        AlterColumnOperation::SetNotNull => {
            if has_null(&*ctx.handle.txn()?, table, slot)? {
                return Err(contains_nulls(table, slot));
            }
            table.columns[slot].not_null = true;
        }
        AlterColumnOperation::DropNotNull if table.primary_key.contains(&slot) => {
            return Err(CatalogError::new(sqlstate::INVALID_TABLE_DEFINITION, format!("column \"{name}\" is in a primary key")));
        }
        AlterColumnOperation::DropNotNull | AlterColumnOperation::SetDefault { .. } if identity => {
            return Err(identity_column(table, &name));
        }
        AlterColumnOperation::DropDefault if identity => {
            return Err(identity_column(table, &name).with_hint("Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead."));
        }
        AlterColumnOperation::DropNotNull => table.columns[slot].not_null = false,
        AlterColumnOperation::SetDefault { value } => {
            let sql = value.to_string();
            super::create_table::check_default(ctx, &sql, &table.columns[slot].ty)?;
            table.columns[slot].default = Some(sql);
        }
        AlterColumnOperation::DropDefault => table.columns[slot].default = None,
        other => return Err(CatalogError::unsupported(format!("ALTER COLUMN ... {other}"))),
    }
    Ok(())
}

/// 42601: what the statement does is not for the identity column `name`.
fn identity_column(table: &TableDesc, name: &str) -> CatalogError {
    CatalogError::new(sqlstate::SYNTAX_ERROR, format!("column \"{name}\" of relation \"{}\" is an identity column", table.name))
}

/// Whether a row of `table` has a NULL in `slot` (reading what is committed now and the
/// transaction's own rows).
fn has_null(txn: &Txn, table: &TableDesc, slot: usize) -> Result<bool> {
    let mut found = false;
    index::for_each_latest(txn, &KeyRange::prefix(&table.row_prefix()), |_, value| {
        found = index::stored_slots(table, value)?[slot] == Datum::Null;
        Ok(if found { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    })?;
    Ok(found)
}
