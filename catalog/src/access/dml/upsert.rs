//! INSERT ... ON CONFLICT [(columns) | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ...
//! [WHERE ...]: each proposed row is checked against the arbiters (the unique keys the
//! conflict target names, or every one for a bare DO NOTHING), locking the key it would
//! take, so that a concurrent insert of the same key waits and then conflicts. A row
//! without a conflict is inserted; with one, it is skipped (DO NOTHING) or the existing
//! row is updated with the SET values, computed by DataFusion over the existing row and
//! the proposed one (`excluded`), like UPDATE's.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, BinaryArray, UInt32Array};
use datafusion::arrow::compute::{concat_batches, take_record_batch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, DFSchema, ParamValues, TableReference};
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{
    self, ConflictTarget, Ident, OnConflictAction, OnInsert, visit_expressions_mut,
};
use shale_storage::Space;

use super::write::{Row, RowWriter};
use super::{DmlContext, update};
use crate::access::index;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::provider::KEY_COLUMN;
use crate::resolve;
use crate::session::blocking::blocking;
use crate::session::param;

/// What ON CONFLICT does, planned with its INSERT.
#[derive(Debug, Clone)]
pub(super) struct OnConflict {
    arbiters: Vec<Arbiter>,
    /// DO UPDATE: the plan of the updated rows over the conflicting pairs (existing row,
    /// `excluded` row, existing key), whose scan reads the pairs a statement finds; `None`
    /// for DO NOTHING.
    update: Option<LogicalPlan>,
}

/// A unique key proposed rows are checked against.
#[derive(Debug, Clone, PartialEq)]
enum Arbiter {
    PrimaryKey,
    /// A unique index, by name (the table is read again when the statement writes).
    Index(String),
}

/// The prefix of the `excluded` row's columns in the pairs DO UPDATE reads.
const EXCLUDED: &str = "__shale_excluded__";

/// Plans the ON CONFLICT clause of an INSERT into `desc` (referred to as `relation`).
pub(super) fn plan(ctx: &DmlContext<'_>, desc: &TableDesc, relation: &str, on: OnInsert, text_params: &[bool]) -> Result<OnConflict> {
    let OnInsert::OnConflict(on) = on else {
        return Err(CatalogError::unsupported("ON DUPLICATE KEY UPDATE"));
    };
    let arbiters = match (&on.conflict_target, &on.action) {
        (None, OnConflictAction::DoNothing) => {
            let primary = desc.has_primary_key().then_some(Arbiter::PrimaryKey);
            primary.into_iter().chain(desc.indexes.iter().filter(|i| i.unique).map(|i| Arbiter::Index(i.name.clone()))).collect()
        }
        (None, OnConflictAction::DoUpdate(_)) => {
            return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "ON CONFLICT DO UPDATE requires inference specification or constraint name")
                .with_hint("For example, ON CONFLICT (column_name)."));
        }
        (Some(ConflictTarget::Columns(columns)), _) => {
            let elements: Vec<ast::Expr> = columns.iter().cloned().map(ast::Expr::Identifier).collect();
            inferred(ctx, desc, &elements, None)?
        }
        (Some(ConflictTarget::IndexElements { elements, predicate }), _) => inferred(ctx, desc, elements, predicate.as_ref())?,
        (Some(ConflictTarget::OnConstraint(name)), _) => vec![constraint(desc, name)?],
    };
    let update = match on.action {
        OnConflictAction::DoNothing => None,
        OnConflictAction::DoUpdate(mut update) => {
            for a in &mut update.assignments {
                read_excluded(&mut a.value);
            }
            if let Some(selection) = &mut update.selection {
                read_excluded(selection);
            }
            Some(update_plan(ctx, desc, relation, &update, text_params)?)
        }
    };
    Ok(OnConflict { arbiters, update })
}

/// The unique keys whose key columns and expressions are exactly `elements` (in any
/// order) and whose predicate, for a partial index, `predicate` implies (as PostgreSQL's
/// inference, each of its conjuncts written in `predicate`); 42P10 when there is none.
fn inferred(ctx: &DmlContext<'_>, desc: &TableDesc, elements: &[ast::Expr], predicate: Option<&ast::Expr>) -> Result<Vec<Arbiter>> {
    let schema = DFSchema::try_from_qualified_schema(TableReference::bare(desc.name.as_str()), &desc.arrow_schema())?;
    let planned = |sql: &str| -> Result<Expr> { Ok(ctx.state.create_logical_expr(sql, &schema)?) };
    let mut wanted = Vec::new();
    for element in elements {
        let element = match element {
            ast::Expr::Nested(inner) => inner.as_ref(),
            other => other,
        };
        if let ast::Expr::Identifier(ident) = element {
            let name = resolve::normalize(ident);
            if desc.column(&name).is_none() {
                return Err(CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{name}\" does not exist")));
            }
        }
        wanted.push(planned(&element.to_string())?);
    }
    let written: Vec<Expr> = match predicate {
        Some(p) => split_conjunction(&planned(&p.to_string())?).into_iter().cloned().collect(),
        None => Vec::new(),
    };
    let same = |keys: Vec<Expr>| keys.len() == wanted.len() && keys.iter().all(|k| wanted.contains(k));
    let column = |slot: usize| Expr::Column(Column::new(Some(TableReference::bare(desc.name.as_str())), &desc.columns[slot].name));
    let mut arbiters = Vec::new();
    if desc.has_primary_key() && same(desc.primary_key.iter().map(|&s| column(s)).collect()) {
        arbiters.push(Arbiter::PrimaryKey);
    }
    for i in desc.indexes.iter().filter(|i| i.unique) {
        let keys = i
            .columns
            .iter()
            .map(|c| match (c.slot, &c.expr) {
                (Some(slot), _) => Ok(column(slot)),
                (None, Some(expr)) => planned(&expr.sql),
                (None, None) => Err(CatalogError::internal(format!("index \"{}\" has a key column without a definition", i.name))),
            })
            .collect::<Result<Vec<_>>>()?;
        let implied = match &i.predicate {
            Some(p) => split_conjunction(&planned(&p.sql)?).into_iter().all(|c| written.contains(c)),
            None => true,
        };
        if same(keys) && implied {
            arbiters.push(Arbiter::Index(i.name.clone()));
        }
    }
    if arbiters.is_empty() {
        return Err(CatalogError::new(
            sqlstate::INVALID_COLUMN_REFERENCE,
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
        ));
    }
    Ok(arbiters)
}

/// The primary key or UNIQUE constraint named `name`; 42704 when the table has none.
fn constraint(desc: &TableDesc, name: &ast::ObjectName) -> Result<Arbiter> {
    let (_, name) = resolve::split_name(name)?;
    let pkey = desc.pkey_constraint_name();
    if desc.has_primary_key() && pkey == name {
        return Ok(Arbiter::PrimaryKey);
    }
    match desc.indexes.iter().find(|i| i.constraint && i.name == name) {
        Some(i) => Ok(Arbiter::Index(i.name.clone())),
        None => Err(CatalogError::new(
            sqlstate::UNDEFINED_OBJECT,
            format!("constraint \"{name}\" for table \"{}\" does not exist", desc.name),
        )),
    }
}

/// `excluded.c` read as the pairs' column of the proposed row's `c`.
fn read_excluded(expr: &mut ast::Expr) {
    let _ = visit_expressions_mut(expr, |e| {
        if let ast::Expr::CompoundIdentifier(parts) = e
            && let [table, column] = parts.as_slice()
            && resolve::normalize(table) == "excluded"
        {
            *e = ast::Expr::Identifier(Ident::with_quote('"', format!("{EXCLUDED}{}", resolve::normalize(column))));
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
}

/// The schema of the pairs DO UPDATE reads: the table's columns, the proposed row's, the
/// existing row's key.
fn pairs_schema(desc: &TableDesc) -> Arc<Schema> {
    let table = desc.arrow_schema();
    let excluded = table.fields().iter().map(|f| f.as_ref().clone().with_name(format!("{EXCLUDED}{}", f.name())));
    let fields: Vec<Field> = table
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .chain(excluded)
        .chain([Field::new(KEY_COLUMN, DataType::Binary, false)])
        .collect();
    Arc::new(Schema::new(fields))
}

/// The plan of DO UPDATE's rows: UPDATE's new values (and key) over the pairs that pass
/// the WHERE clause, read from an empty table until a statement has pairs.
fn update_plan(ctx: &DmlContext<'_>, desc: &TableDesc, relation: &str, update: &ast::DoUpdate, text_params: &[bool]) -> Result<LogicalPlan> {
    let assigned = update::assignments(desc, &update.assignments)?;
    let empty = MemTable::try_new(pairs_schema(desc), vec![vec![]])?;
    let mut scan = LogicalPlanBuilder::scan(TableReference::bare(relation), provider_as_source(Arc::new(empty)), None)?;
    if let Some(selection) = &update.selection {
        let predicate = ctx.expr(selection, scan.schema())?;
        scan = scan.filter(predicate)?;
    }
    let mut exprs = update::new_values(ctx, desc, relation, &assigned, &HashMap::new(), scan.schema(), text_params)?;
    exprs.push(Expr::Column(Column::new(Some(TableReference::bare(relation)), KEY_COLUMN)));
    Ok(scan.project(exprs)?.build()?)
}

/// A proposed row that conflicts: its place among the proposed rows, the existing row's
/// key and its values, and the proposed row.
struct Conflict {
    position: usize,
    key: Vec<u8>,
    existing: Row,
    proposed: Row,
}

impl OnConflict {
    /// Inserts the proposed rows of `batches` that conflict with no arbiter and handles the
    /// others; returns how many rows were inserted or updated and, when `returning`, those
    /// rows, in the order of the proposed rows. `params` are the statement's parameter
    /// values when they are not bound in the session.
    pub(super) async fn write(
        &self,
        ctx: &DmlContext<'_>,
        writer: &RowWriter<'_>,
        batches: &[RecordBatch],
        returning: bool,
        params: Option<&ParamValues>,
    ) -> Result<(u64, Option<RecordBatch>)> {
        let (inserted, conflicts) = blocking(|| self.insert_or_collect(writer, batches))?;
        let mut count = inserted.len() as u64;
        let mut written = Vec::new();
        // Where each row of `written` was among the proposed rows.
        let mut positions: Vec<usize> = inserted.iter().map(|(position, _)| *position).collect();
        if returning {
            let rows: Vec<Row> = inserted.into_iter().map(|(_, row)| row).collect();
            written.push(writer.batch(&rows)?);
        }
        if let (Some(plan), false) = (&self.update, conflicts.is_empty()) {
            let position_of: HashMap<Vec<u8>, usize> = conflicts.iter().map(|c| (c.key.clone(), c.position)).collect();
            let txn = writer.txn();
            // The conflicting rows are locked: read them (and their index entries) as
            // committed now; the statement's other reads keep its snapshot.
            txn.begin_recheck()?;
            let plan = with_pairs(plan, pairs(writer, conflicts)?)?;
            let plan = match params {
                Some(values) => plan.with_param_values(values.clone())?,
                None => param::with_param_calls(plan.clone(), Arc::new(param::param_function(ctx.handle)))?.unwrap_or(plan),
            };
            let (_, updates) = ctx.run(&plan).await?;
            ctx.check_constraints(writer.table(), &updates).await?;
            let (updated, rows) = blocking(|| update::write(writer, &updates, returning))?;
            txn.end_recheck()?;
            count += updated;
            written.extend(rows);
            for batch in &updates {
                let keys = super::key_column(batch, batch.num_columns() - 1)?;
                positions.extend(keys.iter().map(|key| key.and_then(|k| position_of.get(k)).copied().unwrap_or(usize::MAX)));
            }
        }
        if !returning {
            return Ok((count, None));
        }
        let all = concat_batches(&writer.schema(), &written)?;
        let mut order: Vec<u32> = (0..all.num_rows() as u32).collect();
        order.sort_by_key(|&i| positions[i as usize]);
        Ok((count, Some(take_record_batch(&all, &UInt32Array::from(order))?)))
    }

    /// Inserts each proposed row that conflicts with no arbiter (in order, so that a later
    /// row conflicts with an earlier one) and collects the others for DO UPDATE; 21000 when
    /// DO UPDATE would change one row twice.
    fn insert_or_collect(&self, writer: &RowWriter<'_>, batches: &[RecordBatch]) -> Result<(Vec<(usize, Row)>, Vec<Conflict>)> {
        let (mut inserted, mut conflicts) = (Vec::new(), Vec::new());
        let mut touched = HashSet::new();
        let mut position = 0;
        for batch in batches {
            let rows = writer.rows(batch)?;
            let keys = match writer.has_primary_key() {
                true => rows.iter().map(|r| writer.key(r).unwrap_or_default()).collect(),
                false => writer.row_id_keys(rows.len())?,
            };
            for (key, row) in keys.into_iter().zip(rows) {
                position += 1;
                match self.conflict(writer, &key, &row)? {
                    None => {
                        writer.put(&key, &row, writer.has_primary_key())?;
                        touched.insert(key);
                        inserted.push((position, row));
                    }
                    Some(_) if self.update.is_none() => {}
                    Some((existing_key, _)) if !touched.insert(existing_key.clone()) => {
                        return Err(CatalogError::new("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time")
                            .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
                    }
                    Some((key, existing)) => conflicts.push(Conflict { position, key, existing, proposed: row }),
                }
            }
        }
        Ok((inserted, conflicts))
    }

    /// The existing row (key and values, read with a lock) `row` conflicts with, if any.
    fn conflict(&self, writer: &RowWriter<'_>, key: &[u8], row: &Row) -> Result<Option<(Vec<u8>, Row)>> {
        let txn = writer.txn();
        let table = writer.table();
        for arbiter in &self.arbiters {
            let existing_key = match arbiter {
                Arbiter::PrimaryKey => key.to_vec(),
                Arbiter::Index(name) => {
                    let Some(position) = table.indexes.iter().position(|i| &i.name == name) else { continue };
                    let Some(values) = writer.entry_values(position, &row.slots)? else { continue };
                    let (entry, unique) = index::entry_key(&table.indexes[position], key, &values);
                    if !unique {
                        continue;
                    }
                    match txn.get_for_update(Space::Data, &entry)? {
                        Some(existing_key) => existing_key,
                        None => continue,
                    }
                }
            };
            if let Some(bytes) = txn.get_for_update(Space::Data, &existing_key)? {
                return Ok(Some((existing_key, Row { slots: index::stored_slots(table, &bytes)? })));
            }
        }
        Ok(None)
    }
}

/// The pairs of `conflicts` as a batch of [`pairs_schema`].
fn pairs(writer: &RowWriter<'_>, conflicts: Vec<Conflict>) -> Result<RecordBatch> {
    let keys = BinaryArray::from_iter_values(conflicts.iter().map(|c| c.key.as_slice()));
    let (existing, proposed): (Vec<Row>, Vec<Row>) = conflicts.into_iter().map(|c| (c.existing, c.proposed)).unzip();
    let mut columns: Vec<ArrayRef> = writer.batch(&existing)?.columns().to_vec();
    columns.extend(writer.batch(&proposed)?.columns().iter().cloned());
    columns.push(Arc::new(keys));
    Ok(RecordBatch::try_new(pairs_schema(writer.table()), columns)?)
}

/// `plan` reading `batch` where it read the empty table of pairs.
fn with_pairs(plan: &LogicalPlan, batch: RecordBatch) -> Result<LogicalPlan> {
    let source = provider_as_source(Arc::new(MemTable::try_new(batch.schema(), vec![vec![batch]])?));
    let swapped = plan.clone().transform_up(|node| match node {
        LogicalPlan::TableScan(mut scan) => {
            scan.source = source.clone();
            Ok(Transformed::yes(LogicalPlan::TableScan(scan)))
        }
        other => Ok(Transformed::no(other)),
    })?;
    Ok(swapped.data)
}
