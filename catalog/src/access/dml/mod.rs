//! INSERT, UPDATE and DELETE, with RETURNING.
//!
//! DataFusion plans and evaluates every expression (VALUES, SELECT sources, SET
//! expressions, WHERE clauses, RETURNING lists); this module decides which rows change and
//! writes them through the session's transaction, enforcing the table's constraints.
//! DataFusion's own DML path is not used because its SQL planner rejects RETURNING.

mod checks;
mod delete;
mod insert;
mod locking;
mod locking_subqueries;
mod modifying_with;
mod returning;
mod update;
mod upsert;
pub(crate) mod write;

use std::collections::HashSet;
use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::{AsArray, BinaryArray, BooleanArray};
use datafusion::arrow::compute::{concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, ParamValues, TableReference};
use datafusion::datasource::provider_as_source;
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::{Cast, Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder};
use datafusion::execution::TaskContext;
use datafusion::physical_plan::{ExecutionPlan, collect};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{self, ExprWithAlias, SelectItem, SetExpr, Statement, TableFactor, TableWithJoins};

use shale_storage::{Isolation, Space};

pub use self::modifying_with::{WithDescription, changes_data, describe_with_changes, run_with_changes};
use self::write::RowWriter;
use crate::session::blocking::blocking;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta;
use crate::session::handle::SessionHandle;
use crate::provider::ShaleTable;
use crate::resolve::{self, Resolved};
use shale_pgtypes::types::SqlType;

/// What a DML statement needs: the session's DataFusion state and storage handle.
pub struct DmlContext<'a> {
    /// Plans and evaluates expressions.
    pub state: &'a SessionState,
    /// The session's transaction and search path.
    pub handle: &'a SessionHandle,
    /// The state's task context (made once per session: making one copies the function
    /// registry).
    pub task_ctx: &'a Arc<TaskContext>,
}

/// Rows a statement returns.
#[derive(Debug)]
pub struct Rows {
    /// Their schema.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

/// The result of a DML statement.
#[derive(Debug)]
pub struct DmlOutcome {
    /// How many rows were inserted, updated or deleted.
    pub count: u64,
    /// The RETURNING rows, when the statement has a RETURNING clause.
    pub returning: Option<Rows>,
}

/// An INSERT, UPDATE or DELETE planned once and executed any number of times: its target
/// table and the DataFusion plan of the rows it writes (INSERT, UPDATE: the new rows;
/// DELETE: the rows to remove), in which `$n` placeholders stay until
/// [`DmlPlan::execute`] binds them. RETURNING is planned when the statement runs, over the
/// rows it wrote, so a plan executed with parameters must not have placeholders there.
#[derive(Debug, Clone)]
pub struct DmlPlan {
    kind: Kind,
    table: Arc<TableDesc>,
    relation: String,
    plan: LogicalPlan,
    returning: Option<Vec<SelectItem>>,
    /// INSERT ... ON CONFLICT.
    on_conflict: Option<upsert::OnConflict>,
    /// UPDATE ... FROM, DELETE ... USING: the target is joined to other tables, so a row
    /// may be found more than once (it changes once), and the plan's rows carry the other
    /// tables' columns after the key when RETURNING may read them.
    joined: bool,
    /// SELECT ... FOR UPDATE / FOR SHARE.
    locking: Option<locking::Locking>,
    /// UPDATE, DELETE: the subqueries of the WHERE clause that lock rows, run before the
    /// plan at each execution.
    locking_subqueries: Vec<locking_subqueries::LockingSubquery>,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Insert,
    Update,
    Delete,
    /// A SELECT that locks the rows it returns.
    Lock,
}

/// Plans an INSERT, UPDATE, DELETE or locking SELECT (`SELECT ... FOR UPDATE`, see
/// [`is_locking_select`]) against the catalog the session's transaction sees.
/// `text_params[i]` says that the value of `$i+1` will be bound as text, so that it is read
/// the way a text literal in its place would be.
pub async fn plan(ctx: &DmlContext<'_>, stmt: Statement, text_params: &[bool]) -> Result<DmlPlan> {
    match stmt {
        Statement::Insert(insert) => insert::plan(ctx, insert, text_params).await,
        Statement::Update(update) => update::plan(ctx, update, text_params).await,
        Statement::Delete(delete) => delete::plan(ctx, delete).await,
        Statement::Query(query) if !query.locks.is_empty() => locking::plan(ctx, *query).await,
        other => Err(CatalogError::internal(format!("not an INSERT, UPDATE or DELETE: {other}"))),
    }
}

/// Writes the rows of `query` into `table`, a materialized view being filled by CREATE or
/// REFRESH (which no INSERT may name): its columns are the query's, in order. Returns how
/// many rows it wrote.
pub async fn fill(ctx: &DmlContext<'_>, table: Arc<TableDesc>, query: ast::Query) -> Result<u64> {
    let plan = ctx.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query))))).await?;
    let exprs: Vec<Expr> = plan
        .schema()
        .columns()
        .into_iter()
        .zip(table.visible())
        .map(|(column, (_, desc))| Expr::Cast(Cast::new(Box::new(Expr::Column(column)), desc.ty.arrow_type())).alias(desc.name.as_str()))
        .collect();
    let plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
    let relation = table.name.clone();
    let fill = DmlPlan {
        kind: Kind::Insert,
        table,
        relation,
        plan,
        returning: None,
        on_conflict: None,
        joined: false,
        locking: None,
        locking_subqueries: Vec::new(),
    };
    Ok(fill.execute(ctx, None).await?.count)
}

/// Whether `stmt` is a SELECT with locking clauses, which [`plan`] plans.
pub fn is_locking_select(stmt: &Statement) -> bool {
    matches!(stmt, Statement::Query(q) if !q.locks.is_empty())
}

impl DmlPlan {
    /// The plan of an UPDATE or DELETE (`kind`) of `table` (referred to as `relation`),
    /// whose `plan` gives the rows it changes.
    fn changing(
        kind: Kind,
        table: TableDesc,
        relation: String,
        plan: LogicalPlan,
        returning: Option<Vec<SelectItem>>,
        joined: bool,
        locking_subqueries: Vec<locking_subqueries::LockingSubquery>,
    ) -> DmlPlan {
        let table = Arc::new(table);
        DmlPlan { kind, table, relation, plan, returning, on_conflict: None, joined, locking: None, locking_subqueries }
    }

    /// The plan of the rows to write or remove, with its placeholders.
    pub fn logical_plan(&self) -> &LogicalPlan {
        &self.plan
    }

    /// Runs the plan with `params` bound to its placeholders and writes the rows through
    /// the session's transaction.
    pub async fn execute(&self, ctx: &DmlContext<'_>, params: Option<ParamValues>) -> Result<DmlOutcome> {
        if !self.locking_subqueries.is_empty() {
            // Boxed: the common path's future stays small.
            return Box::pin(self.lock_then_write(ctx, params.as_ref())).await;
        }
        let plan = match &params {
            Some(params) => self.plan.clone().with_param_values(params.clone())?,
            None => self.plan.clone(),
        };
        self.run_and_write(ctx, Source::Logical(&plan), params.as_ref()).await
    }

    /// Runs `physical`, a physical plan of [`DmlPlan::logical_plan`] that reads its
    /// parameters at execution (see [`crate::session::param`]), and writes the rows. A
    /// statement with locking subqueries runs its logical plan instead, since the rows they
    /// lock are part of it.
    pub async fn execute_physical(&self, ctx: &DmlContext<'_>, physical: Arc<dyn ExecutionPlan>) -> Result<DmlOutcome> {
        if !self.locking_subqueries.is_empty() {
            return Box::pin(self.lock_then_write(ctx, None)).await;
        }
        self.run_and_write(ctx, Source::Physical(&physical), None).await
    }

    /// Runs the locking subqueries of the WHERE clause, then the plan with the rows they
    /// locked in their place, and writes. `params`: the parameter values, unless the
    /// session has them bound.
    async fn lock_then_write(&self, ctx: &DmlContext<'_>, params: Option<&ParamValues>) -> Result<DmlOutcome> {
        let plan = locking_subqueries::bound(ctx, self.plan.clone(), params)?;
        let plan = locking_subqueries::lock_and_substitute(ctx, plan, &self.locking_subqueries, params).await?;
        self.run_and_write(ctx, Source::Logical(&plan), params).await
    }

    /// Runs the plan, rechecks the rows it found (read committed) and writes. `params`:
    /// the parameter values, unless the session has them bound.
    async fn run_and_write(&self, ctx: &DmlContext<'_>, rows: Source<'_>, params: Option<&ParamValues>) -> Result<DmlOutcome> {
        if let Some(locking) = &self.locking {
            return locking.run(self, ctx, rows, params).await;
        }
        let batches = rows.run(ctx).await?;
        let mut batches = self.recheck(ctx, batches, rows).await?;
        if self.joined {
            // PostgreSQL changes a row found with several rows of the other tables once, with
            // the first of them.
            let mut seen = HashSet::new();
            batches = only_keys(&batches, self.key_index(), |key| seen.insert(key.to_vec()))?;
        }
        self.write(ctx, batches, params).await
    }

    /// The columns RETURNING gives, without running the statement; `None` without
    /// RETURNING.
    async fn returning_schema(&self, ctx: &DmlContext<'_>) -> Result<Option<SchemaRef>> {
        let Some(items) = &self.returning else { return Ok(None) };
        let written = RecordBatch::new_empty(self.table.arrow_schema());
        let others = match self.joined {
            true => {
                let fields = self.plan.schema().fields().iter().skip(self.key_index() + 1).cloned();
                let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(fields.collect::<Vec<_>>()));
                (!schema.fields().is_empty()).then(|| vec![RecordBatch::new_empty(schema)])
            }
            false => None,
        };
        Ok(Some(ctx.returning(self.returned_columns(written, others)?, items).await?.schema))
    }

    /// Where the plan of an UPDATE or DELETE has each row's key: after the table's columns.
    fn key_index(&self) -> usize {
        self.table.visible().count()
    }

    /// Under READ COMMITTED, an UPDATE or DELETE locks the rows it found in its statement's
    /// snapshot, waiting for concurrent writers, and takes each row's latest committed
    /// version, as PostgreSQL does: the rows that changed meanwhile are found again (WHERE
    /// and SET evaluated anew) in a snapshot taken once they are locked; a row that no longer
    /// matches, or is gone, is left alone. Under snapshot isolation a changed row is a write
    /// conflict (40001) instead.
    async fn recheck(&self, ctx: &DmlContext<'_>, batches: Vec<RecordBatch>, rows: Source<'_>) -> Result<Vec<RecordBatch>> {
        let txn = ctx.handle.txn()?;
        if matches!(self.kind, Kind::Insert | Kind::Lock) || txn.isolation() != Isolation::ReadCommitted {
            return Ok(batches);
        }
        let changed = blocking(|| -> Result<HashSet<Vec<u8>>> {
            let mut changed = HashSet::new();
            for key in keys(&batches, self.key_index())? {
                let seen = txn.get(Space::Data, &key)?;
                if txn.get_for_update(Space::Data, &key)? != seen {
                    changed.insert(key);
                }
            }
            Ok(changed)
        })?;
        if changed.is_empty() {
            return Ok(batches);
        }
        // The changed rows as committed now; the statement's other reads keep its snapshot.
        txn.begin_recheck()?;
        let again = rows.run(ctx).await;
        txn.end_recheck()?;
        let again = again?;
        let mut kept = only_keys(&batches, self.key_index(), |key| !changed.contains(key))?;
        kept.extend(only_keys(&again, self.key_index(), |key| changed.contains(key))?);
        Ok(kept)
    }

    /// Writes (or removes) the rows of `batches`, the output of the plan.
    async fn write(&self, ctx: &DmlContext<'_>, batches: Vec<RecordBatch>, params: Option<&ParamValues>) -> Result<DmlOutcome> {
        let (batches, others) = self.split_joined(batches)?;
        let txn = ctx.handle.txn()?;
        let returning = self.returning.is_some();
        // Writes wait for row locks, and for DDL on the table.
        let table = blocking(|| self.current_table(&txn))?;
        if !matches!(self.kind, Kind::Delete) {
            ctx.check_constraints(&table, &batches).await?;
        }
        let writer = RowWriter::new(&txn, &table, ctx.state)?;
        let (count, written) = match &self.on_conflict {
            Some(on_conflict) => on_conflict.write(ctx, &writer, &batches, returning, params).await?,
            None => blocking(|| match self.kind {
                Kind::Insert => insert::write(&writer, &batches, returning),
                Kind::Update => update::write(&writer, &batches, returning),
                Kind::Delete => delete::write(&writer, &batches, returning),
                Kind::Lock => Err(CatalogError::internal("a locking SELECT writes no rows")),
            })?,
        };
        // Foreign-key checks wait for locks too.
        blocking(|| writer.finish())?;
        let returning = match (&self.returning, written) {
            (Some(items), Some(batch)) => Some(ctx.returning(self.returned_columns(batch, others)?, items).await?),
            _ => None,
        };
        Ok(DmlOutcome { count, returning })
    }

    /// The rows of a joined plan without the other tables' columns (the key is then their
    /// last column), and those columns; the rows themselves when not joined.
    fn split_joined(&self, batches: Vec<RecordBatch>) -> Result<(Vec<RecordBatch>, Option<Vec<RecordBatch>>)> {
        let width = self.key_index() + 1;
        if !self.joined || batches.iter().all(|b| b.num_columns() == width) {
            return Ok((batches, None));
        }
        let mut rows = Vec::new();
        let mut others = Vec::new();
        for batch in &batches {
            rows.push(batch.project(&(0..width).collect::<Vec<_>>())?);
            others.push(batch.project(&(width..batch.num_columns()).collect::<Vec<_>>())?);
        }
        Ok((rows, Some(others)))
    }

    /// What RETURNING reads: the rows written (or removed), named as the table's columns
    /// (qualified by its name or alias), then the columns of the other tables they were
    /// found with, each named as in the plan.
    fn returned_columns(&self, written: RecordBatch, others: Option<Vec<RecordBatch>>) -> Result<returning::Columns> {
        let relation = TableReference::bare(self.relation.as_str());
        let mut names: Vec<_> = written.schema().fields().iter().map(|f| (Some(relation.clone()), f.clone())).collect();
        let mut columns = written.columns().to_vec();
        if let Some(others) = others {
            let schema = self.plan.schema();
            let fields = (self.key_index() + 1..schema.fields().len()).map(|i| schema.qualified_field(i));
            names.extend(fields.map(|(q, f)| (q.cloned(), f.clone())));
            let others = concat_batches(&others[0].schema(), &others)?;
            columns.extend(others.columns().iter().cloned());
        }
        Ok(returning::Columns { names, columns })
    }
}

impl DmlPlan {
    /// The table as it is now, share-locked until the transaction ends, so that DDL on it
    /// (CREATE INDEX) waits for this write and this write for it, as PostgreSQL's ROW
    /// EXCLUSIVE lock does; the indexes to maintain are the current ones. 40001 when its
    /// columns changed since the statement was planned.
    fn current_table(&self, txn: &shale_storage::Txn) -> Result<TableDesc> {
        let planned = &self.table;
        match meta::get_table_shared(txn, planned.schema_id, &planned.name)? {
            Some(current)
                if current.id == planned.id && current.columns == planned.columns && current.primary_key == planned.primary_key =>
            {
                Ok(current)
            }
            _ => Err(CatalogError::new(
                sqlstate::SERIALIZATION_FAILURE,
                format!("could not serialize access: table \"{}\" changed while the statement ran", planned.name),
            )),
        }
    }
}

/// How to find the rows a DML statement writes: a logical plan (parameters bound) or a kept
/// physical plan.
#[derive(Clone, Copy)]
enum Source<'p> {
    Logical(&'p LogicalPlan),
    Physical(&'p Arc<dyn ExecutionPlan>),
}

impl Source<'_> {
    async fn run(self, ctx: &DmlContext<'_>) -> Result<Vec<RecordBatch>> {
        match self {
            Source::Logical(plan) => Ok(ctx.run(plan).await?.1),
            Source::Physical(physical) => Ok(collect(physical.clone(), ctx.task_ctx.clone()).await?),
        }
    }
}

/// The storage keys of the rows of `batches` (UPDATE's and DELETE's plans end with each
/// row's key).
fn keys(batches: &[RecordBatch], index: usize) -> Result<Vec<Vec<u8>>> {
    let mut keys = Vec::new();
    for batch in batches {
        keys.extend(key_column(batch, index)?.iter().map(|k| k.unwrap_or_default().to_vec()));
    }
    Ok(keys)
}

/// The rows of `batches` whose key (column `index`) `keep`s.
fn only_keys(batches: &[RecordBatch], index: usize, mut keep: impl FnMut(&[u8]) -> bool) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|batch| {
            let mask: BooleanArray = key_column(batch, index)?.iter().map(|k| Some(keep(k.unwrap_or_default()))).collect();
            Ok(filter_record_batch(batch, &mask)?)
        })
        .collect()
}

/// Column `index` of `batch`: each row's storage key.
fn key_column(batch: &RecordBatch, index: usize) -> Result<&BinaryArray> {
    let column = batch.columns().get(index).ok_or_else(|| CatalogError::internal("row key missing"))?;
    column.as_binary_opt::<i32>().ok_or_else(|| CatalogError::internal("row key missing"))
}

impl DmlContext<'_> {
    fn resolve(&self, name: &ast::ObjectName) -> Result<Resolved> {
        let txn = self.handle.txn()?;
        let scope = self.handle.scope();
        match resolve::find_table(&txn, &scope, name)? {
            Some(found) if found.table.materialized.is_some() => Err(CatalogError::new(
                sqlstate::WRONG_OBJECT_TYPE,
                format!("cannot change materialized view \"{}\"", found.table.name),
            )),
            // Share-locked now, as PostgreSQL locks a statement's target while parsing
            // it: DDL under way on it (ALTER COLUMN ... TYPE) is waited for, and then the
            // statement is planned as the table is after it.
            Some(found) => match meta::get_table_shared(&txn, found.schema.id, &found.table.name)? {
                Some(current) if current == found.table => Ok(found),
                Some(current) => {
                    txn.new_statement()?;
                    Ok(Resolved { schema: found.schema, table: current })
                }
                None => Err(CatalogError::undefined_table(&resolve::display(name))),
            },
            None if resolve::find_view(&txn, &scope, name)?.is_some() => Err(CatalogError::new(
                sqlstate::FEATURE_NOT_SUPPORTED,
                format!("cannot change the rows of view \"{}\"", resolve::display(name)),
            )
            .with_detail("Shale's views are not updatable.")),
            None => Err(CatalogError::undefined_table(&resolve::display(name))),
        }
    }

    /// Plans a SQL expression against `schema`.
    fn expr(&self, expr: &ast::Expr, schema: &DFSchema) -> Result<Expr> {
        let with_alias = ExprWithAlias { expr: expr.clone(), alias: None };
        Ok(self.state.create_logical_expr_from_sql_expr(with_alias, schema)?)
    }

    /// Runs a logical plan to completion; returns its batches and their schema (as
    /// analysis typed them).
    async fn run(&self, plan: &LogicalPlan) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let physical = self.state.create_physical_plan(plan).await?;
        let schema = physical.schema();
        Ok((schema, collect(physical, self.task_ctx.clone()).await?))
    }

    /// Scans the target of UPDATE or DELETE with each row's key, joined to the tables of
    /// `others` (UPDATE's FROM, DELETE's USING), filtered by `selection`.
    async fn target_scan(
        &self,
        resolved: &Resolved,
        relation: &str,
        others: &[TableWithJoins],
        selection: Option<&ast::Expr>,
    ) -> Result<LogicalPlanBuilder> {
        let table = ShaleTable::new(Arc::new(resolved.table.clone()), self.handle.clone());
        let source = provider_as_source(Arc::new(table.with_key_column()));
        let mut builder = LogicalPlanBuilder::scan(TableReference::bare(relation), source, None)?;
        if !others.is_empty() {
            builder = builder.cross_join(self.other_tables(relation, others).await?)?;
        }
        if let Some(selection) = selection {
            let predicate = match has_subquery(selection) {
                true => self.plan_with_subqueries(resolved, relation, others, &[], Some(selection)).await?.1,
                false => Some(self.expr(selection, builder.schema())?),
            };
            let predicate = predicate.ok_or_else(|| CatalogError::internal("WHERE did not plan"))?;
            builder = builder.filter(predicate)?;
        }
        Ok(builder)
    }

    /// `items` and `selection`, which hold subqueries, planned as the select list and the
    /// WHERE of `SELECT items FROM target AS relation, others`: planning an expression
    /// alone finds no table for its subqueries (DataFusion loads the tables a statement
    /// names before planning it). Their columns are named as the target scan's.
    async fn plan_with_subqueries(
        &self,
        resolved: &Resolved,
        relation: &str,
        others: &[TableWithJoins],
        items: &[&ast::Expr],
        selection: Option<&ast::Expr>,
    ) -> Result<(Vec<Expr>, Option<Expr>)> {
        let mut query = shale_pgtypes::sql::parse_query(&format!(
            "SELECT 1 FROM {} AS {}",
            insert::qualified(&resolved.schema.name, &resolved.table.name),
            ast::Ident::with_quote('"', relation)
        ))?;
        if let SetExpr::Select(select) = query.body.as_mut() {
            select.from.extend(others.iter().cloned());
            select.selection = selection.cloned();
            if !items.is_empty() {
                select.projection = items.iter().map(|e| SelectItem::UnnamedExpr((*e).clone())).collect();
            }
        }
        let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query))))).await?;
        let (mut exprs, mut predicate) = (Vec::new(), None);
        plan.apply(|node| {
            match node {
                LogicalPlan::Projection(p) if exprs.is_empty() && !items.is_empty() => {
                    exprs = p.expr.iter().map(|e| e.clone().unalias()).collect();
                }
                LogicalPlan::Filter(filter) => predicate = Some(filter.predicate.clone()),
                _ => {}
            }
            Ok(match predicate.is_some() {
                true => TreeNodeRecursion::Stop,
                false => TreeNodeRecursion::Continue,
            })
        })?;
        if exprs.len() != items.len() || predicate.is_none() != selection.is_none() {
            return Err(CatalogError::internal("expressions with subqueries did not plan as a projection and a filter"));
        }
        Ok((exprs, predicate))
    }

    /// The rows of the tables of UPDATE's FROM list or DELETE's USING list, planned as
    /// `SELECT * FROM` them. 42712 when one of them has the target's name, as in
    /// PostgreSQL.
    async fn other_tables(&self, relation: &str, others: &[TableWithJoins]) -> Result<LogicalPlan> {
        let mut query = shale_pgtypes::sql::parse_query("SELECT *")?;
        if let SetExpr::Select(select) = query.body.as_mut() {
            select.from = others.to_vec();
        }
        let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query))))).await?;
        if plan.schema().iter().any(|(q, _)| q.is_some_and(|q| q.table() == relation)) {
            return Err(CatalogError::new(
                sqlstate::DUPLICATE_ALIAS,
                format!("table name \"{relation}\" specified more than once"),
            ));
        }
        Ok(plan)
    }
}

/// Whether `e` holds a subquery.
pub(super) fn has_subquery(e: &ast::Expr) -> bool {
    ast::visit_expressions(e, |e| match e {
        ast::Expr::Subquery(_) | ast::Expr::InSubquery { .. } | ast::Expr::Exists { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// `value` cast to the type of a column. A bare placeholder is cast whatever its inferred
/// type: the type of the value bound to it is known only then.
fn cast_to_column(value: Expr, ty: &SqlType, schema: &DFSchema) -> Result<Expr> {
    let target = ty.arrow_type();
    // The cast stays even when the value already has the column's type: analyzer rules
    // retype literals later (an integer literal becomes int4), and the value written must
    // still be the column's.
    if !matches!(value, Expr::Placeholder(_)) {
        value.clone().cast_to(&target, schema)?;
    }
    Ok(Expr::Cast(Cast::new(Box::new(value), target)))
}

/// The table and the name its columns are qualified by (its alias, if any) in a single
/// table reference without joins.
fn single_table(t: &TableWithJoins) -> Result<(&ast::ObjectName, String)> {
    if !t.joins.is_empty() {
        return Err(CatalogError::unsupported("joins in the target of UPDATE or DELETE"));
    }
    match &t.relation {
        TableFactor::Table { name, alias, .. } => {
            let relation = match alias {
                Some(a) => resolve::normalize(&a.name),
                None => resolve::split_name(name)?.1,
            };
            Ok((name, relation))
        }
        other => Err(CatalogError::unsupported(format!("DML target {other}"))),
    }
}
