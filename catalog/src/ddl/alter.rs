//! ALTER TABLE: ADD COLUMN (with its constraints), DROP COLUMN (with what depends on it),
//! ADD / DROP CONSTRAINT, ALTER COLUMN, RENAME COLUMN and RENAME TO. Columns come and go
//! without rewriting stored rows (slots are appended or marked dropped), but for a new
//! column whose default differs from row to row (`ddl::column_fill`).

use datafusion::common::DFSchema;
use datafusion::logical_expr::{ExprSchemable, LogicalPlanBuilder};
use datafusion::physical_plan::collect;
use datafusion::sql::sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef, DropBehavior, Ident, NullsDistinctOption, PrimaryKeyConstraint,
    RenameTableNameKind, TableConstraint, UniqueConstraint,
};
use shale_storage::{Datum, encode_row};

use super::create_table::{check_column_count, column};
use super::{DdlContext, DdlOutcome};
use crate::access::convert::datum_at;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::access::values;
use crate::{meta, resolve};

/// `ALTER TABLE [IF EXISTS] name op, ...`.
pub async fn alter_table(ctx: &DdlContext<'_>, stmt: &AlterTable) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("ALTER TABLE");
    let Some(found) = resolve::find_table(&txn, &ctx.handle.scope(), &stmt.name)? else {
        if stmt.if_exists {
            outcome.notice("00000", format!("relation \"{}\" does not exist, skipping", resolve::display(&stmt.name)));
            return Ok(outcome);
        }
        return Err(CatalogError::undefined_table(&resolve::display(&stmt.name)));
    };
    if found.table.materialized.is_some() {
        return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a table", found.table.name))
            .with_detail("ALTER TABLE of a materialized view is not supported."));
    }
    // Lock the descriptor against concurrent DDL and writers, and change it as it is now.
    let old_name = found.table.name.clone();
    let mut desc = meta::get_table_for_update(&txn, found.schema.id, &old_name)?.unwrap_or(found.table);
    // What it checks (new constraints against the rows) it reads as committed now, once the
    // writers it waited for are done, as PostgreSQL validates with the latest snapshot.
    txn.new_statement()?;
    for op in &stmt.operations {
        apply(ctx, &mut desc, op, &mut outcome).await?;
    }
    if desc.name != old_name {
        meta::delete_table(&txn, desc.schema_id, &old_name)?;
    }
    meta::put_table(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

async fn apply(ctx: &DdlContext<'_>, desc: &mut TableDesc, op: &AlterTableOperation, outcome: &mut DdlOutcome) -> Result<()> {
    match op {
        AlterTableOperation::AddColumn { if_not_exists, column_def, column_position: None, .. } => {
            add_column(ctx, desc, column_def, *if_not_exists, outcome).await?;
        }
        AlterTableOperation::DropColumn { column_names, if_exists, drop_behavior, .. } => {
            let cascade = matches!(drop_behavior, Some(DropBehavior::Cascade));
            for ident in column_names {
                let name = resolve::normalize(ident);
                let Some((slot, _)) = desc.column(&name) else {
                    if *if_exists {
                        outcome.notice("00000", format!("column \"{name}\" of relation \"{}\" does not exist, skipping", desc.name));
                        continue;
                    }
                    return Err(no_column(&name, &desc.name));
                };
                drop_column(ctx, desc, slot, cascade, outcome)?;
            }
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::PrimaryKey(pk), not_valid: false } => {
            let name = pk.name.as_ref().map(resolve::normalize);
            super::constraints::add_primary_key(ctx.state, &*ctx.handle.txn()?, desc, name, pk, None)?;
        }
        AlterTableOperation::DropConstraint { if_exists, name, .. } => {
            let txn = ctx.handle.txn()?;
            let dropped = resolve::normalize(name);
            let check = desc.checks.iter().position(|c| c.name == dropped);
            match desc.foreign_keys.iter().position(|k| k.name == dropped) {
                Some(position) => super::foreign_key::drop_foreign_key(&txn, desc, position)?,
                None if check.is_some() => {
                    desc.checks.retain(|c| c.name != dropped);
                }
                None => {
                    super::foreign_key::refuse_with_references(desc, "DROP CONSTRAINT")?;
                    super::constraints::drop_constraint(ctx.state, &txn, desc, name, *if_exists, outcome)?;
                }
            }
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::Check(check), not_valid } if check.enforced != Some(false) => {
            super::check::add_check(ctx, desc, check.name.as_ref().map(resolve::normalize), &check.expr, *not_valid).await?;
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::ForeignKey(fk), not_valid } => {
            super::foreign_key::add_foreign_key(&*ctx.handle.txn()?, &ctx.handle.scope(), desc, None, fk, None, *not_valid)?;
        }
        AlterTableOperation::AddConstraint { constraint: constraint @ (TableConstraint::Unique(_) | TableConstraint::PrimaryKey(_)), not_valid: true } => {
            let kind = if matches!(constraint, TableConstraint::Unique(_)) { "UNIQUE" } else { "PRIMARY KEY" };
            return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("{kind} constraints cannot be marked NOT VALID")));
        }
        AlterTableOperation::ValidateConstraint { name } => validate_constraint(ctx, desc, &resolve::normalize(name)).await?,
        AlterTableOperation::AlterColumn { column_name, op: AlterColumnOperation::SetDataType { data_type, using, .. } } => {
            super::column_type::alter_type(ctx, desc, column_name, data_type, using.as_ref()).await?;
        }
        AlterTableOperation::AlterColumn { column_name, op } => super::constraints::alter_column(ctx, desc, column_name, op)?,
        AlterTableOperation::AddConstraint { constraint: TableConstraint::Unique(unique), not_valid: false } => {
            add_unique(ctx, desc, unique.name.as_ref().map(resolve::normalize), unique, None)?;
        }
        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
            super::foreign_key::refuse_with_references(desc, "RENAME COLUMN")?;
            let (old, new) = (resolve::normalize(old_column_name), resolve::normalize(new_column_name));
            let Some((slot, _)) = desc.column(&old) else {
                return Err(no_column(&old, &desc.name));
            };
            if desc.column(&new).is_some() {
                return Err(column_exists(&new, &desc.name));
            }
            if let Some(d) = super::view::column_dependents(&*ctx.handle.txn()?, desc, &old)?.first() {
                return Err(CatalogError::unsupported(format!(
                    "RENAME COLUMN of a column a view uses (view {} depends on {})",
                    d.view.name, d.on
                )));
            }
            desc.columns[slot].name = new;
        }
        AlterTableOperation::RenameTable { table_name: RenameTableNameKind::To(name) | RenameTableNameKind::As(name) } => {
            super::foreign_key::refuse_with_references(desc, "RENAME")?;
            let (_, new) = resolve::split_name(name)?;
            let txn = ctx.handle.txn()?;
            if super::sequence::relation_exists(&txn, desc.schema_id, &new)? {
                return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{new}\" already exists")));
            }
            let schema = ctx.handle.scope().schema_name(&txn, desc.schema_id)?;
            super::view::rename_relation(&txn, desc.id, &schema, &desc.name, &new)?;
            desc.name = new;
        }
        other => return Err(CatalogError::unsupported(format!("ALTER TABLE ... {other}"))),
    }
    Ok(())
}

/// `VALIDATE CONSTRAINT name` of a foreign key or CHECK added `NOT VALID`: the rows the
/// table has are checked now (23503, 23514), and the constraint is valid from then on.
async fn validate_constraint(ctx: &DdlContext<'_>, desc: &mut TableDesc, name: &str) -> Result<()> {
    if let Some(position) = desc.foreign_keys.iter().position(|k| k.name == name) {
        if desc.foreign_keys[position].not_valid {
            super::foreign_key::validate_rows(&*ctx.handle.txn()?, desc, &desc.foreign_keys[position])?;
            desc.foreign_keys[position].not_valid = false;
        }
        return Ok(());
    }
    if let Some(position) = desc.checks.iter().position(|c| c.name == name) {
        if desc.checks[position].not_valid {
            super::check::verify_rows(ctx, desc, &desc.checks[position]).await?;
            desc.checks[position].not_valid = false;
        }
        return Ok(());
    }
    let other = desc.indexes.iter().any(|i| i.name == name) || (desc.has_primary_key() && desc.pkey_constraint_name() == name);
    match other {
        true => Err(CatalogError::new(
            "42809",
            format!("constraint \"{name}\" of relation \"{}\" is not a foreign key or check constraint", desc.name),
        )),
        false => Err(CatalogError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("constraint \"{name}\" of relation \"{}\" does not exist", desc.name),
        )),
    }
}

/// `ADD COLUMN [IF NOT EXISTS] c type [options]`: the column is appended, the rows written
/// before read its default (evaluated once), and its constraints are made over the rows
/// the table has. A `serial` or identity column gets its sequence, and a volatile default
/// (theirs, `random()`, ...) is evaluated for each row, which is rewritten with it.
async fn add_column(ctx: &DdlContext<'_>, desc: &mut TableDesc, def: &ColumnDef, if_not_exists: bool, outcome: &mut DdlOutcome) -> Result<()> {
    let serial = super::create_table::serial_type(&def.data_type);
    let (mut col, _) = match serial.clone() {
        Some(ty) => super::create_table::serial_column(def, ty, &desc.name)?,
        None => column(ctx, def, &desc.name)?,
    };
    if desc.column(&col.name).is_some() {
        if if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_COLUMN, format!("column \"{}\" of relation \"{}\" already exists, skipping", col.name, desc.name));
            return Ok(());
        }
        return Err(column_exists(&col.name, &desc.name));
    }
    if serial.is_some() || col.identity.is_some() {
        let options = if serial.is_some() { Vec::new() } else { super::create_table::identity_options(def) };
        let txn = ctx.handle.txn()?;
        let schema = meta::list_schemas(&txn, ctx.handle.identity().database_id)?.into_iter().find(|s| s.id == desc.schema_id);
        let schema = schema.ok_or_else(|| CatalogError::internal(format!("the schema of \"{}\" is gone", desc.name)))?;
        let owned = (&col, desc.columns.len());
        col.default = Some(super::create_table::owned_sequence(ctx, &txn, &schema, desc, owned, &options)?);
    }
    let volatile = match &col.default {
        Some(sql) => ctx.state.create_logical_expr(sql, &DFSchema::empty())?.is_volatile(),
        None => false,
    };
    if volatile {
        check_column_count(desc.columns.len() + 1)?;
        desc.columns.push(col);
        super::column_fill::fill(ctx.state, &*ctx.handle.txn()?, desc, desc.columns.len() - 1)?;
        return add_column_constraints(ctx, desc, def, desc.columns.len() - 1).await;
    }
    let value = match &col.default {
        Some(sql) => evaluate(ctx, sql, &col.ty).await?,
        None => Datum::Null,
    };
    // NULL is NOT NULL's business only if a row has to take it.
    let value = match value {
        Datum::Null => Datum::Null,
        value => values::check(desc, &col, value)?,
    };
    if value == Datum::Null && col.not_null && table_has_rows(ctx, desc)? {
        return Err(CatalogError::new(
            sqlstate::NOT_NULL_VIOLATION,
            format!("column \"{}\" of relation \"{}\" contains null values", col.name, desc.name),
        ));
    }
    if value != Datum::Null {
        let mut bytes = Vec::new();
        encode_row(&[value.as_ref()], &mut bytes)?;
        col.missing = Some(bytes);
    }
    check_column_count(desc.columns.len() + 1)?;
    desc.columns.push(col);
    add_column_constraints(ctx, desc, def, desc.columns.len() - 1).await
}

/// The constraints of the column `def` just added in `slot`, each checked against the
/// rows the table has, in PostgreSQL's order: the primary key's and UNIQUE constraints'
/// indexes, then the CHECKs, then the foreign keys. A constraint's name is its
/// `CONSTRAINT name`, else PostgreSQL's (`t_c_key`, `t_c_check`, `t_c_fkey`).
async fn add_column_constraints(ctx: &DdlContext<'_>, desc: &mut TableDesc, def: &ColumnDef, slot: usize) -> Result<()> {
    let txn = ctx.handle.txn()?;
    let name = |option: &ColumnOptionDef, own: Option<&Ident>| option.name.as_ref().or(own).map(resolve::normalize);
    // The primary key first, then one index per distinct key: a UNIQUE like an earlier key
    // (NULLS [NOT] DISTINCT alike) adds none, and names the earlier one if it has no name.
    let mut keys: Vec<(Option<String>, Keyed<'_>, bool)> = Vec::new();
    for option in &def.options {
        if let ColumnOption::PrimaryKey(pk) = &option.option {
            keys.push((name(option, pk.name.as_ref()), Keyed::Primary(pk), false));
        }
    }
    for option in &def.options {
        let ColumnOption::Unique(unique) = &option.option else { continue };
        let (given, not_distinct) = (name(option, unique.name.as_ref()), unique.nulls_distinct == NullsDistinctOption::NotDistinct);
        match keys.iter_mut().find(|(_, _, nd)| *nd == not_distinct) {
            Some((earlier, _, _)) => {
                if earlier.is_none() {
                    *earlier = given;
                }
            }
            None => keys.push((given, Keyed::Unique(unique), not_distinct)),
        }
    }
    for (name, key, _) in keys {
        match key {
            Keyed::Primary(pk) => super::constraints::add_primary_key(ctx.state, &txn, desc, name, pk, Some(slot))?,
            Keyed::Unique(unique) => add_unique(ctx, desc, name, unique, Some(slot))?,
        }
    }
    for option in &def.options {
        if let ColumnOption::Check(check) = &option.option {
            super::check::add_check(ctx, desc, name(option, check.name.as_ref()), &check.expr, false).await?;
        }
    }
    for option in &def.options {
        if let ColumnOption::ForeignKey(fk) = &option.option {
            super::foreign_key::add_foreign_key(&txn, &ctx.handle.scope(), desc, name(option, fk.name.as_ref()), fk, Some(slot), false)?;
        }
    }
    Ok(())
}

/// A new column's PRIMARY KEY or UNIQUE.
enum Keyed<'a> {
    Primary(&'a PrimaryKeyConstraint),
    Unique(&'a UniqueConstraint),
}

/// `ADD [CONSTRAINT name] UNIQUE (columns)`, or a new column's UNIQUE (on `slot`).
fn add_unique(ctx: &DdlContext<'_>, desc: &mut TableDesc, name: Option<String>, unique: &UniqueConstraint, slot: Option<usize>) -> Result<()> {
    let txn = ctx.handle.txn()?;
    if let Some(name) = &name {
        super::constraints::check_index_name_free(&txn, desc, name)?;
    }
    super::index::add_unique_constraint(&txn, desc, name, unique, slot)
}

/// `DROP COLUMN` of the column in `slot`, with what depends on it: the foreign keys that
/// use it (see `foreign_key::drop_column_keys`), its CHECKs, its indexes and UNIQUE
/// constraints, the primary key it is in (the rows are keyed by hidden row ids then), and
/// the sequence it owns (a `serial` column's).
/// Drops every column of the session's database whose type is one of `oids` (what DROP
/// TYPE ... CASCADE drops), with what depends on those columns.
pub(super) fn drop_columns_of_types(ctx: &DdlContext<'_>, oids: &[u32], outcome: &mut DdlOutcome) -> Result<()> {
    let txn = ctx.handle.txn()?;
    let mut tables: Vec<(u64, String)> = super::types::columns_of_types(&txn, &ctx.handle.scope(), oids)?
        .into_iter()
        .map(|(t, _)| (t.schema_id, t.name))
        .collect();
    tables.dedup();
    for (schema_id, name) in tables {
        let Some(mut desc) = meta::get_table_for_update(&txn, schema_id, &name)? else { continue };
        let slots: Vec<usize> = desc.visible().filter(|(_, c)| oids.contains(&c.ty.type_oid())).map(|(slot, _)| slot).collect();
        for slot in slots {
            drop_column(ctx, &mut desc, slot, true, outcome)?;
        }
        meta::put_table(&txn, &desc)?;
    }
    Ok(())
}

fn drop_column(ctx: &DdlContext<'_>, desc: &mut TableDesc, slot: usize, cascade: bool, outcome: &mut DdlOutcome) -> Result<()> {
    let txn = ctx.handle.txn()?;
    let column = desc.columns[slot].name.clone();
    let views = super::view::column_dependents(&txn, desc, &column)?;
    super::view::refuse_or_drop(&txn, outcome, &format!("column {column} of table {}", desc.name), &views, cascade)?;
    super::foreign_key::drop_column_keys(&txn, desc, slot, cascade, outcome)?;
    super::sequence::drop_owned(&txn, desc, Some(slot))?;
    desc.checks.retain(|c| !c.columns.contains(&slot));
    let (gone, kept) = std::mem::take(&mut desc.indexes).into_iter().partition::<Vec<_>, _>(|i| i.covers(slot));
    for index in &gone {
        crate::access::index::clear(&txn, index)?;
        meta::delete_index_name(&txn, desc.schema_id, &index.name)?;
    }
    desc.indexes = kept;
    if desc.primary_key.contains(&slot) {
        super::constraints::drop_primary_key(ctx.state, &txn, desc)?;
    }
    let col = &mut desc.columns[slot];
    col.dropped = true;
    col.name = format!("........pg.dropped.{}........", slot + 1);
    Ok(())
}

fn no_column(column: &str, table: &str) -> CatalogError {
    CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{column}\" of relation \"{table}\" does not exist"))
}

fn column_exists(column: &str, table: &str) -> CatalogError {
    CatalogError::new(sqlstate::DUPLICATE_COLUMN, format!("column \"{column}\" of relation \"{table}\" already exists"))
}

/// Evaluates a default expression once, as PostgreSQL does for existing rows.
async fn evaluate(ctx: &DdlContext<'_>, sql: &str, ty: &shale_pgtypes::types::SqlType) -> Result<Datum> {
    let empty = DFSchema::empty();
    let expr = ctx.state.create_logical_expr(sql, &empty)?.cast_to(&ty.arrow_type(), &empty)?;
    let plan = LogicalPlanBuilder::empty(true).project(vec![expr])?.build()?;
    let physical = ctx.state.create_physical_plan(&plan).await?;
    let batches = collect(physical, ctx.state.task_ctx()).await?;
    match batches.first() {
        Some(b) if b.num_rows() == 1 => datum_at(b.column(0), 0),
        _ => Err(CatalogError::internal("default expression produced no value")),
    }
}

fn table_has_rows(ctx: &DdlContext<'_>, desc: &TableDesc) -> Result<bool> {
    let txn = ctx.handle.txn()?;
    let prefix = desc.row_prefix().to_vec();
    let range = shale_storage::KeyRange { upper: shale_storage::prefix_successor(&prefix), lower: prefix };
    Ok(!txn.scan(shale_storage::Space::Data, &range, None, 1)?.is_empty())
}
