//! Data-modifying WITH queries: `WITH moved AS (DELETE FROM loans WHERE ... RETURNING *)
//! INSERT INTO archive SELECT * FROM moved`, with INSERT, UPDATE or DELETE ... RETURNING
//! in the WITH queries and a SELECT, INSERT, UPDATE or DELETE as the main statement.
//!
//! As in PostgreSQL, every data-modifying WITH query runs exactly once, whether anything
//! reads its rows or not, and the other parts see its changes only through its RETURNING
//! rows. Each runs through the DML path of a statement of its own (`super::plan`), in the
//! statement's transaction, and its RETURNING rows become a table named as the WITH query
//! (an in-memory table that the other parts' unqualified names find first,
//! [`relations`]); a WITH query that is a query runs when a part that runs reads it, and
//! becomes such a table too. The main statement runs last. A statement whose parts, run in
//! turn, could answer differently from PostgreSQL's one snapshot is 0A000
//! ([`snapshot`]). Under READ COMMITTED, a part that waited for a row another transaction
//! changed reads what is committed from then on, and so do the parts after it.

mod parts;
mod relations;
mod snapshot;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{Query, Statement};

use self::parts::{Body, Part};
use self::relations::Relations;
use super::{DmlContext, DmlOutcome, Rows};
use crate::error::{CatalogError, Result, sqlstate};

/// Whether `query` is, or holds, an INSERT, UPDATE or DELETE: a statement with
/// data-modifying WITH queries, which [`run_with_changes`] runs (one that is not a WITH
/// query of the statement itself is refused there, as in PostgreSQL).
pub fn changes_data(query: &Query) -> bool {
    parts::changes_data(query)
}

/// What Describe reports of a statement with data-modifying WITH queries.
#[derive(Debug)]
pub struct WithDescription {
    /// The types planning inferred for its parameters, by name (`$1`).
    pub params: HashMap<String, Option<DataType>>,
    /// The columns it returns, if it returns rows.
    pub rows: Option<SchemaRef>,
}

/// Runs a statement with data-modifying WITH queries (see [`changes_data`]): the main
/// statement's row count and, for a SELECT or a RETURNING list, its rows.
pub async fn run_with_changes(ctx: &DmlContext<'_>, query: Query) -> Result<DmlOutcome> {
    let parts = parts::split(query)?;
    snapshot::check(ctx, &parts)?;
    let relations = Relations::default();
    let state = relations.planning_state(ctx.state);
    let ctx = DmlContext { state: &state, handle: ctx.handle, task_ctx: ctx.task_ctx };
    let (main, ctes) = parts.split_last().ok_or_else(|| CatalogError::internal("a statement without a main part"))?;
    for part in ctes.iter().filter(|p| p.runs) {
        let outcome = execute(&ctx, part).await?;
        if let (Some(name), Some(rows)) = (&part.name, outcome.returning) {
            relations.add(name, &named(part, &rows.schema)?, rows.batches)?;
        }
    }
    execute(&ctx, main).await
}

/// Describes a statement with data-modifying WITH queries without running it: each WITH
/// query's rows are an empty table of their columns.
pub async fn describe_with_changes(ctx: &DmlContext<'_>, query: Query) -> Result<WithDescription> {
    let parts = parts::split(query)?;
    let relations = Relations::default();
    let state = relations.planning_state(ctx.state);
    let ctx = DmlContext { state: &state, handle: ctx.handle, task_ctx: ctx.task_ctx };
    let mut params = HashMap::new();
    let mut rows = None;
    for part in parts.iter().filter(|p| p.runs) {
        let (plan, schema) = describe(&ctx, part).await?;
        for (name, ty) in plan.get_parameter_types()? {
            let known = params.entry(name).or_insert(None);
            if known.is_none() {
                *known = ty;
            }
        }
        match (&part.name, schema) {
            (Some(name), Some(schema)) => relations.add(name, &named(part, &schema)?, Vec::new())?,
            (None, schema) => rows = schema,
            (Some(_), None) => {}
        }
    }
    Ok(WithDescription { params, rows })
}

/// Runs one part.
async fn execute(ctx: &DmlContext<'_>, part: &Part) -> Result<DmlOutcome> {
    match &part.body {
        Body::Change(stmt) => super::plan(ctx, stmt.clone(), &[]).await?.execute(ctx, None).await,
        Body::Query(query) => {
            let (schema, batches) = ctx.run(&plan_query(ctx, query).await?).await?;
            let count = batches.iter().map(|b| b.num_rows() as u64).sum();
            Ok(DmlOutcome { count, returning: Some(Rows { schema, batches }) })
        }
    }
}

/// The plan of one part (with its placeholders) and the columns it returns.
async fn describe(ctx: &DmlContext<'_>, part: &Part) -> Result<(LogicalPlan, Option<SchemaRef>)> {
    match &part.body {
        Body::Change(stmt) => {
            let plan = super::plan(ctx, stmt.clone(), &[]).await?;
            let schema = plan.returning_schema(ctx).await?;
            Ok((plan.logical_plan().clone(), schema))
        }
        Body::Query(query) => {
            let plan = plan_query(ctx, query).await?;
            // Analysis settles the result types (int4 literals); the planned schema when a
            // parameter's type stops it.
            let analyzed = ctx.state.optimize(&plan).unwrap_or_else(|_| plan.clone());
            let schema = Arc::new(analyzed.schema().as_arrow().clone());
            Ok((plan, Some(schema)))
        }
    }
}

async fn plan_query(ctx: &DmlContext<'_>, query: &Query) -> Result<LogicalPlan> {
    let stmt = DFStatement::Statement(Box::new(Statement::Query(Box::new(query.clone()))));
    Ok(ctx.state.statement_to_plan(stmt).await?)
}

/// `schema` with the column names a data-modifying WITH query gives (`WITH d(a, b)`);
/// 42P10 for more names than columns, as in PostgreSQL.
fn named(part: &Part, schema: &SchemaRef) -> Result<SchemaRef> {
    let fields = schema.fields();
    if part.columns.len() > fields.len() {
        return Err(CatalogError::new(
            sqlstate::INVALID_COLUMN_REFERENCE,
            format!(
                "WITH query \"{}\" has {} columns available but {} columns specified",
                part.name.as_deref().unwrap_or_default(),
                fields.len(),
                part.columns.len()
            ),
        ));
    }
    let fields: Vec<Field> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| match part.columns.get(i) {
            Some(name) => f.as_ref().clone().with_name(name),
            None => f.as_ref().clone(),
        })
        .collect();
    Ok(Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}
