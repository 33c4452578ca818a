//! The rows a foreign key's action changes (`access::foreign_key`: CASCADE's new key, SET
//! NULL, SET DEFAULT), computed and checked as an UPDATE's own rows are: SET DEFAULT's
//! values are the referencing columns' defaults, evaluated for each row, and every changed
//! row must satisfy the referencing table's CHECK constraints (23514). The expressions are
//! planned as a query's are (the session's analyzer rules included) and compiled once per
//! cascade.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::DFSchema;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder};
use datafusion::physical_plan::PhysicalExpr;
use shale_storage::Datum;

use super::convert::{ColumnBuilder, datum_at};
use super::dml::write::Row;
use super::{text, values};
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};

/// The defaults of some columns of a table (SET DEFAULT), evaluated for each row as `UPDATE
/// ... SET c = DEFAULT` evaluates them (a sequence's next value for each row); NULL for a
/// column without one.
pub struct Defaults<'t> {
    table: &'t TableDesc,
    /// Per column: its slot and its compiled default.
    columns: Vec<(usize, Option<Arc<dyn PhysicalExpr>>)>,
}

impl<'t> Defaults<'t> {
    /// The defaults of the columns in `slots` of `table`, compiled in `state`.
    pub fn new(state: &SessionState, table: &'t TableDesc, slots: &[usize]) -> Result<Self> {
        let empty = DFSchema::empty();
        let mut columns = Vec::with_capacity(slots.len());
        for &slot in slots {
            let column = &table.columns[slot];
            let compiled = match &column.default {
                Some(sql) => {
                    let expr = state.create_logical_expr(sql, &empty)?.cast_to(&column.ty.arrow_type(), &empty)?;
                    compile(state, LogicalPlanBuilder::empty(true), vec![expr])?.pop()
                }
                None => None,
            };
            columns.push((slot, compiled));
        }
        Ok(Defaults { table, columns })
    }

    /// The defaults' values for one row, as their columns store them.
    pub fn values(&self) -> Result<Vec<Datum>> {
        let one_row = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &RecordBatchOptions::new().with_row_count(Some(1)))?;
        self.columns
            .iter()
            .map(|(slot, expr)| {
                let value = match expr {
                    Some(expr) => datum_at(expr.evaluate(&one_row)?.into_array(1)?.as_ref(), 0)?,
                    None => Datum::Null,
                };
                values::check(self.table, &self.table.columns[*slot], value)
            })
            .collect()
    }
}

/// The CHECK constraints of a table, compiled.
pub struct Checks<'t> {
    table: &'t TableDesc,
    /// Per constraint: its name and its compiled expression.
    compiled: Vec<(&'t str, Arc<dyn PhysicalExpr>)>,
}

impl<'t> Checks<'t> {
    /// The CHECK constraints of `table`, compiled in `state`.
    pub fn new(state: &SessionState, table: &'t TableDesc) -> Result<Self> {
        if table.checks.is_empty() {
            return Ok(Checks { table, compiled: Vec::new() });
        }
        let source = provider_as_source(Arc::new(MemTable::try_new(table.arrow_schema(), vec![vec![]])?));
        let scan = LogicalPlanBuilder::scan(table.name.as_str(), source, None)?;
        let exprs = table.checks.iter().map(|c| Ok(state.create_logical_expr(&c.expr, scan.schema())?)).collect::<Result<Vec<_>>>()?;
        let compiled = compile(state, scan, exprs)?;
        Ok(Checks { table, compiled: table.checks.iter().map(|c| c.name.as_str()).zip(compiled).collect() })
    }

    /// 23514 when one of `rows` makes a constraint false (NULL passes), naming the first
    /// such row, as PostgreSQL does.
    pub fn verify(&self, rows: &[&Row]) -> Result<()> {
        if self.compiled.is_empty() || rows.is_empty() {
            return Ok(());
        }
        let slots: Vec<&[Datum]> = rows.iter().map(|r| r.slots.as_slice()).collect();
        let batch = batch(self.table, &slots)?;
        for (name, expr) in &self.compiled {
            let result = expr.evaluate(&batch)?.into_array(rows.len())?;
            let Some(result) = result.as_boolean_opt() else { continue };
            if let Some(r) = (0..result.len()).find(|&r| result.is_valid(r) && !result.value(r)) {
                let values: Vec<Datum> = self.table.visible_slots().iter().map(|&s| rows[r].slots[s].clone()).collect();
                return Err(CatalogError::new(
                    "23514",
                    format!("new row for relation \"{}\" violates check constraint \"{name}\"", self.table.name),
                )
                .with_detail(format!("Failing row contains ({}).", text::row_text(self.table, &values))));
            }
        }
        Ok(())
    }

}

/// An expression over the columns of a table's rows (ALTER COLUMN ... TYPE ... USING),
/// planned as a SELECT list is and compiled once.
pub struct RowExpr<'t> {
    table: &'t TableDesc,
    compiled: Arc<dyn PhysicalExpr>,
}

impl<'t> RowExpr<'t> {
    /// `sql` over the columns of `table`, cast to `ty`, compiled in `state`.
    pub fn new(state: &SessionState, table: &'t TableDesc, sql: &str, ty: &DataType) -> Result<Self> {
        let source = provider_as_source(Arc::new(MemTable::try_new(table.arrow_schema(), vec![vec![]])?));
        let scan = LogicalPlanBuilder::scan(table.name.as_str(), source, None)?;
        let expr = state.create_logical_expr(sql, scan.schema())?;
        let expr = Expr::Cast(datafusion::logical_expr::Cast::new(Box::new(expr), ty.clone()));
        let compiled = compile(state, scan, vec![expr])?.pop().ok_or_else(|| CatalogError::internal("no expression compiled"))?;
        Ok(RowExpr { table, compiled })
    }

    /// The expression's value for each of `rows` (each row's slots).
    pub fn values(&self, rows: &[&[Datum]]) -> Result<Vec<Datum>> {
        let values = self.compiled.evaluate(&batch(self.table, rows)?)?.into_array(rows.len())?;
        (0..rows.len()).map(|r| datum_at(values.as_ref(), r)).collect()
    }
}

/// `rows` (each row's slots) as a batch of the visible columns of `table`.
fn batch(table: &TableDesc, rows: &[&[Datum]]) -> Result<RecordBatch> {
    let columns = table
        .visible_slots()
        .into_iter()
        .map(|slot| {
            let mut builder = ColumnBuilder::for_column(&table.columns[slot].ty, rows.len())?;
            for row in rows {
                builder.append(Some(row[slot].as_ref()))?;
            }
            builder.finish()
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
    Ok(RecordBatch::try_new_with_options(table.arrow_schema(), columns, &options)?)
}

/// `exprs` over the rows of `input`, planned as a SELECT list is (the session's analyzer
/// rules included) and compiled.
fn compile(state: &SessionState, input: LogicalPlanBuilder, exprs: Vec<Expr>) -> Result<Vec<Arc<dyn PhysicalExpr>>> {
    // Each under a name of its own: two constraints may have the same expression.
    let plan = input.project(exprs.into_iter().enumerate().map(|(i, e)| e.alias(format!("e{i}"))))?.build()?;
    let LogicalPlan::Projection(projection) = state.analyzer().execute_and_check(plan, state.config_options(), |_, _| {})? else {
        return Err(CatalogError::internal("an expression of a cascade did not plan as a projection"));
    };
    let schema = projection.input.schema().clone();
    projection.expr.into_iter().map(|e| Ok(state.create_physical_expr(e.unalias(), &schema)?)).collect()
}
