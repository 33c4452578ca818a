//! ALTER TABLE: ADD COLUMN, DROP COLUMN, RENAME COLUMN and RENAME TO. None of them rewrites
//! stored rows: slots are appended or marked dropped.

use datafusion::common::DFSchema;
use datafusion::logical_expr::{ExprSchemable, LogicalPlanBuilder};
use datafusion::physical_plan::collect;
use datafusion::sql::sqlparser::ast::{AlterTable, AlterTableOperation, ColumnOption, RenameTableNameKind, TableConstraint};
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
    let Some(found) = resolve::find_table(&txn, &ctx.handle.search_path(), &stmt.name)? else {
        if stmt.if_exists {
            outcome.notice("00000", format!("relation \"{}\" does not exist, skipping", resolve::display(&stmt.name)));
            return Ok(outcome);
        }
        return Err(CatalogError::undefined_table(&resolve::display(&stmt.name)));
    };
    // Lock the descriptor against concurrent DDL and writers, and change it as it is now.
    let old_name = found.table.name.clone();
    let mut desc = meta::get_table_for_update(&txn, found.schema.id, &old_name)?.unwrap_or(found.table);
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
            if column_def.options.iter().any(|o| matches!(o.option, ColumnOption::ForeignKey(_) | ColumnOption::Check(_))) {
                return Err(CatalogError::unsupported("ADD COLUMN ... REFERENCES or CHECK"));
            }
            if super::create_table::serial_type(&column_def.data_type).is_some() {
                return Err(CatalogError::unsupported("ADD COLUMN of a serial type"));
            }
            let (mut col, is_pk) = column(ctx, column_def, &desc.name)?;
            if col.identity.is_some() {
                return Err(CatalogError::unsupported("ADD COLUMN ... GENERATED AS IDENTITY"));
            }
            if is_pk {
                return Err(CatalogError::unsupported("ADD COLUMN ... PRIMARY KEY"));
            }
            if desc.column(&col.name).is_some() {
                if *if_not_exists {
                    outcome.notice(sqlstate::DUPLICATE_COLUMN, format!("column \"{}\" of relation \"{}\" already exists, skipping", col.name, desc.name));
                    return Ok(());
                }
                return Err(column_exists(&col.name, &desc.name));
            }
            let value = match &col.default {
                Some(sql) => evaluate(ctx, sql, &col.ty).await?,
                None => Datum::Null,
            };
            let value = values::check(desc, &col, value)?;
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
            for option in &column_def.options {
                if let ColumnOption::Unique(unique) = &option.option {
                    let name = option.name.as_ref().map(resolve::normalize);
                    let slot = desc.columns.len() - 1;
                    super::index::add_unique_constraint(&*ctx.handle.txn()?, desc, name, unique, Some(slot))?;
                }
            }
        }
        AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
            super::foreign_key::refuse_with_references(desc, "DROP COLUMN")?;
            for ident in column_names {
                let name = resolve::normalize(ident);
                let Some((slot, _)) = desc.column(&name) else {
                    if *if_exists {
                        outcome.notice("00000", format!("column \"{name}\" of relation \"{}\" does not exist, skipping", desc.name));
                        continue;
                    }
                    return Err(no_column(&name, &desc.name));
                };
                if desc.primary_key.contains(&slot) {
                    return Err(CatalogError::unsupported("dropping a primary key column"));
                }
                // Its indexes (and UNIQUE constraints) go with it, as in PostgreSQL.
                let txn = ctx.handle.txn()?;
                let (gone, kept) = std::mem::take(&mut desc.indexes).into_iter().partition::<Vec<_>, _>(|i| i.covers(slot));
                for index in &gone {
                    crate::access::index::clear(&txn, index)?;
                    meta::delete_index_name(&txn, desc.schema_id, &index.name)?;
                }
                desc.indexes = kept;
                let col = &mut desc.columns[slot];
                col.dropped = true;
                col.name = format!("........pg.dropped.{}........", slot + 1);
            }
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::PrimaryKey(pk), not_valid: false } => {
            super::foreign_key::refuse_with_references(desc, "ADD PRIMARY KEY")?;
            super::constraints::add_primary_key(&*ctx.handle.txn()?, desc, pk)?;
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
                    super::constraints::drop_constraint(&txn, desc, name, *if_exists, outcome)?;
                }
            }
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::Check(check), not_valid: false } if check.enforced != Some(false) => {
            super::check::add_check(ctx, desc, check.name.as_ref().map(resolve::normalize), &check.expr).await?;
        }
        AlterTableOperation::AddConstraint { constraint: TableConstraint::ForeignKey(fk), not_valid } => {
            if *not_valid {
                return Err(CatalogError::unsupported("NOT VALID foreign keys"));
            }
            super::foreign_key::add_foreign_key(&*ctx.handle.txn()?, &ctx.handle.search_path(), desc, fk)?;
        }
        AlterTableOperation::AlterColumn { column_name, op } => super::constraints::alter_column(ctx, desc, column_name, op)?,
        AlterTableOperation::AddConstraint { constraint: TableConstraint::Unique(unique), not_valid: false } => {
            let name = unique.name.as_ref().map(resolve::normalize);
            super::index::add_unique_constraint(&*ctx.handle.txn()?, desc, name, unique, None)?;
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
            desc.columns[slot].name = new;
        }
        AlterTableOperation::RenameTable { table_name: RenameTableNameKind::To(name) | RenameTableNameKind::As(name) } => {
            super::foreign_key::refuse_with_references(desc, "RENAME")?;
            let (_, new) = resolve::split_name(name)?;
            let txn = ctx.handle.txn()?;
            if super::sequence::relation_exists(&txn, desc.schema_id, &new)? {
                return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{new}\" already exists")));
            }
            desc.name = new;
        }
        other => return Err(CatalogError::unsupported(format!("ALTER TABLE ... {other}"))),
    }
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
