//! UPDATE: DataFusion computes each matching row's new values next to its storage key;
//! the old rows are then replaced here.

use std::collections::HashMap;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Column, DFSchema, TableReference};
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::expr::Alias;
use datafusion::sql::sqlparser::ast::{self, Assignment, AssignmentTarget, UpdateTableFromKind};

use super::write::RowWriter;
use super::{DmlContext, DmlPlan, Kind, has_subquery, locking_subqueries, single_table};
use crate::access::convert::datum_at;
use crate::descriptor::{Identity, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::provider::KEY_COLUMN;
use crate::resolve;

/// Plans an UPDATE: the new value of every column of each matching row, and its key; with
/// FROM and RETURNING, the FROM list's columns after them.
pub(super) async fn plan(ctx: &DmlContext<'_>, mut stmt: ast::Update, text_params: &[bool]) -> Result<DmlPlan> {
    if stmt.limit.is_some() || !stmt.order_by.is_empty() || stmt.or.is_some() {
        return Err(CatalogError::unsupported("this form of UPDATE"));
    }
    let locking_subqueries = locking_subqueries::take(stmt.selection.as_mut());
    locking_subqueries::refuse_other_locks(&stmt)?;
    let others = match &stmt.from {
        None => &[][..],
        Some(UpdateTableFromKind::AfterSet(tables)) => tables.as_slice(),
        Some(UpdateTableFromKind::BeforeSet(_)) => return Err(CatalogError::unsupported("UPDATE FROM ... SET")),
    };
    let (name, relation) = single_table(&stmt.table)?;
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;

    let assigned = assignments(desc, &stmt.assignments)?;
    let scan = ctx.target_scan(&resolved, &relation, others, stmt.selection.as_ref()).await?;
    // Values with subqueries are planned with the tables they read.
    let (with_subqueries, sql): (Vec<&String>, Vec<&ast::Expr>) =
        assigned.iter().filter(|(_, sql)| has_subquery(sql)).map(|(c, sql)| (c, *sql)).unzip();
    let planned = match sql.is_empty() {
        true => HashMap::new(),
        false => {
            let (exprs, _) = ctx.plan_with_subqueries(&resolved, &relation, others, &sql, None).await?;
            with_subqueries.into_iter().cloned().zip(exprs).collect()
        }
    };
    let mut exprs = new_values(ctx, desc, &relation, &assigned, &planned, scan.schema(), text_params)?;
    exprs.push(Expr::Column(Column::new(Some(TableReference::bare(relation.as_str())), KEY_COLUMN)));
    let joined = !others.is_empty();
    if joined && stmt.returning.is_some() {
        // Named as the table's columns, the new values would be ambiguous beside the other
        // tables' columns of the same names.
        exprs = exprs.into_iter().map(|e| qualified(e, &relation)).collect();
        exprs.extend(other_columns(scan.schema(), &relation));
    }
    let plan = scan.project(exprs)?.build()?;
    let locking_subqueries = locking_subqueries::plan(ctx, &plan, locking_subqueries).await?;
    Ok(DmlPlan::changing(Kind::Update, resolved.table, relation, plan, stmt.returning, joined, locking_subqueries))
}

/// `e`, aliased, with its alias qualified by `relation`.
fn qualified(e: Expr, relation: &str) -> Expr {
    match e {
        Expr::Alias(alias) => Expr::Alias(Alias { relation: Some(TableReference::bare(relation)), ..alias }),
        other => other,
    }
}

/// The columns of `schema` that are not the target's (`relation`): those of the tables it
/// is joined to.
pub(super) fn other_columns(schema: &DFSchema, relation: &str) -> Vec<Expr> {
    schema
        .iter()
        .filter(|(q, _)| !q.is_some_and(|q| q.table() == relation))
        .map(|(q, f)| Expr::Column(Column::new(q.cloned(), f.name())))
        .collect()
}

/// The columns `assignments` set, each with its value; 42703 for a column the table does
/// not have, 42601 for one set twice, 428C9 for a GENERATED ALWAYS identity column set to
/// anything but DEFAULT.
pub(super) fn assignments<'s>(desc: &TableDesc, assignments: &'s [Assignment]) -> Result<HashMap<String, &'s ast::Expr>> {
    let mut assigned = HashMap::new();
    for a in assignments {
        let AssignmentTarget::ColumnName(target) = &a.target else {
            return Err(CatalogError::unsupported("assigning to a tuple of columns"));
        };
        let column = resolve::split_name(target)?.1;
        let Some((_, col)) = desc.column(&column) else {
            return Err(CatalogError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{column}\" of relation \"{}\" does not exist", desc.name),
            ));
        };
        if col.identity == Some(Identity::Always) && !shale_pgtypes::sql::is_default_keyword(&a.value) {
            return Err(Identity::refuse(&column, false));
        }
        if assigned.insert(column.clone(), &a.value).is_some() {
            return Err(CatalogError::new(
                sqlstate::SYNTAX_ERROR,
                format!("multiple assignments to same column \"{column}\""),
            ));
        }
    }
    Ok(assigned)
}

/// The new value of every column of a row of `relation` (the input's columns), named as
/// the column: its assigned value (DEFAULT: the column's default; `planned` already, for
/// values with subqueries), else the old value.
pub(super) fn new_values(
    ctx: &DmlContext<'_>,
    desc: &TableDesc,
    relation: &str,
    assigned: &HashMap<String, &ast::Expr>,
    planned: &HashMap<String, Expr>,
    input_schema: &DFSchema,
    text_params: &[bool],
) -> Result<Vec<Expr>> {
    let mut exprs = Vec::new();
    for (_, col) in desc.visible() {
        let column = Expr::Column(Column::new(Some(TableReference::bare(relation)), &col.name));
        let value = match assigned.get(&col.name) {
            Some(_) if planned.contains_key(&col.name) => planned[&col.name].clone(),
            Some(sql) if shale_pgtypes::sql::is_default_keyword(sql) => match &col.default {
                Some(d) => ctx.state.create_logical_expr(d, input_schema)?,
                None => Expr::Literal(datafusion::common::ScalarValue::Null, None),
            },
            Some(sql) => {
                let mut sql = (*sql).clone();
                shale_pgtypes::input::coerce_literal(&col.ty, &mut sql, text_params)?;
                ctx.expr(&sql, input_schema)?
            }
            None => column,
        };
        exprs.push(super::cast_to_column(value, &col.ty, input_schema)?.alias(&col.name));
    }
    Ok(exprs)
}

/// Replaces each old row (the last column of `batches` is its key) by its new values;
/// returns how many rows changed and, when `returning`, the new rows.
pub(super) fn write(writer: &RowWriter<'_>, batches: &[RecordBatch], returning: bool) -> Result<(u64, Option<RecordBatch>)> {
    let mut changes = Vec::new();
    for batch in batches {
        let key_index = batch.num_columns() - 1;
        let values = batch.project(&(0..key_index).collect::<Vec<_>>())?;
        let rows = writer.rows(&values)?;
        for (r, row) in rows.into_iter().enumerate() {
            let old = match datum_at(batch.column(key_index), r)? {
                shale_storage::Datum::Bytes(k) => k,
                _ => return Err(CatalogError::internal("row key missing in UPDATE")),
            };
            let new = writer.key(&row).unwrap_or_else(|| old.clone());
            changes.push((old, new, row));
        }
    }
    writer.replace(&changes)?;
    let count = changes.len() as u64;
    let written = match returning {
        true => Some(writer.batch(&changes.into_iter().map(|(_, _, row)| row).collect::<Vec<_>>())?),
        false => None,
    };
    Ok((count, written))
}
