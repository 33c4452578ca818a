//! `SELECT ... FOR UPDATE | FOR SHARE [OF t] [NOWAIT | SKIP LOCKED]` over one table: the
//! job-queue pattern. DataFusion finds the matching rows in order with their storage keys;
//! here each is locked in turn (waiting, failing with 55P03 or skipping it), and under READ
//! COMMITTED a row changed meanwhile is found again in a new snapshot, or left out when it
//! no longer matches, as PostgreSQL's LockRows does. LIMIT and OFFSET count locked rows
//! only, so `LIMIT 1 SKIP LOCKED` gives each worker a row no other holds. The select list
//! is then evaluated over the locked rows (as RETURNING is).

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, ParamValues, ScalarValue, TableReference};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::expr::Placeholder;
use datafusion::logical_expr::{Cast, Expr, LogicalPlanBuilder, SortExpr};
use datafusion::sql::sqlparser::ast::{
    self, GroupByExpr, LimitClause, LockClause, LockType, NonBlock, OrderByKind, Query, SelectItem, SetExpr, Value,
};

use super::{DmlContext, DmlOutcome, DmlPlan, Kind, Source, key_column, single_table};
use crate::access::convert::datum_at;
use crate::access::foreign_key;
use crate::error::{CatalogError, Result, sqlstate};
use crate::provider::KEY_COLUMN;
use crate::resolve;
use crate::session::blocking::blocking;
use crate::session::param;
use shale_storage::{Datum, Isolation, Space, Txn};

/// How a locking SELECT locks its rows.
#[derive(Debug, Clone)]
pub(super) struct Locking {
    /// The strongest lock its clauses ask for.
    strength: Strength,
    /// What to do with a row another transaction holds.
    wait: Wait,
    /// LIMIT and OFFSET, planned over no input (they may hold parameters).
    limit: Option<Expr>,
    offset: Option<Expr>,
    /// The select list, evaluated over the locked rows.
    items: Vec<SelectItem>,
}

/// PostgreSQL's row lock strengths, weakest first. A row lock is the row's key locked
/// shared or exclusively; the key lock (`foreign_key::key_lock`) is what foreign-key checks
/// hold shared: FOR UPDATE takes it exclusively too (it conflicts with FOR KEY SHARE), FOR
/// KEY SHARE takes only it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    KeyShare,
    Share,
    NoKeyUpdate,
    Update,
}

impl Strength {
    fn of(lock: LockType) -> Strength {
        match lock {
            LockType::KeyShare => Strength::KeyShare,
            LockType::Share => Strength::Share,
            LockType::NoKeyUpdate => Strength::NoKeyUpdate,
            LockType::Update => Strength::Update,
        }
    }

    /// The clause, for messages.
    fn clause(self) -> &'static str {
        match self {
            Strength::KeyShare => "FOR KEY SHARE",
            Strength::Share => "FOR SHARE",
            Strength::NoKeyUpdate => "FOR NO KEY UPDATE",
            Strength::Update => "FOR UPDATE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Wait for the holder to end.
    Block,
    /// NOWAIT: fail with 55P03.
    NoWait,
    /// SKIP LOCKED: leave the row out.
    Skip,
}

/// Plans a SELECT with locking clauses: the matching rows of its one table, in its ORDER BY
/// order, each followed by its key.
pub(super) async fn plan(ctx: &DmlContext<'_>, query: Query) -> Result<DmlPlan> {
    let Query { with, body, order_by, limit_clause, fetch, locks, .. } = query;
    let strongest = locks.iter().map(|l| Strength::of(l.lock_type)).max().unwrap_or(Strength::Update);
    let strength = strongest.clause();
    let not_allowed = |what: &str| CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("{strength} is not allowed with {what}"));
    let SetExpr::Select(select) = *body else {
        return Err(not_allowed("UNION/INTERSECT/EXCEPT"));
    };
    if with.is_some() || fetch.is_some() {
        return Err(CatalogError::unsupported(format!("{strength} with WITH or FETCH")));
    }
    if select.distinct.is_some() {
        return Err(not_allowed("DISTINCT clause"));
    }
    if !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty()) {
        return Err(not_allowed("GROUP BY clause"));
    }
    if select.having.is_some() {
        return Err(not_allowed("HAVING clause"));
    }
    let [from] = select.from.as_slice() else {
        return Err(CatalogError::unsupported(format!("{strength} over more than one table")));
    };
    let (name, relation) = single_table(from)
        .map_err(|_| CatalogError::unsupported(format!("{strength} over more than one table")))?;
    for lock in &locks {
        if let Some(of) = &lock.of {
            let named = resolve::split_name(of)?.1;
            if named != relation {
                return Err(CatalogError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("relation \"{named}\" in {strength} clause not found in FROM clause"),
                ));
            }
        }
    }
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;
    let scan = ctx.target_scan(&resolved, &relation, &[], select.selection.as_ref()).await?;
    // The select list over the scan, to refuse aggregates and window functions and to sort
    // by an output column.
    let mut outputs = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) => outputs.push((None, ctx.expr(e, scan.schema())?)),
            SelectItem::ExprWithAlias { expr, alias } => {
                outputs.push((Some(resolve::normalize(alias)), ctx.expr(expr, scan.schema())?));
            }
            _ => outputs.push((None, Expr::Literal(ScalarValue::Null, None))),
        }
    }
    if any_node(&outputs, |e| matches!(e, Expr::AggregateFunction(_))) {
        return Err(not_allowed("aggregate functions"));
    }
    if any_node(&outputs, |e| matches!(e, Expr::WindowFunction(_))) {
        return Err(not_allowed("window functions"));
    }
    let sort = sort_exprs(ctx, order_by.map(|o| o.kind), &outputs, &select.projection, scan.schema())?;
    let mut exprs: Vec<Expr> =
        desc.visible().map(|(_, c)| Expr::Column(Column::new(Some(TableReference::bare(relation.as_str())), &c.name))).collect();
    exprs.push(Expr::Column(Column::new(Some(TableReference::bare(relation.as_str())), KEY_COLUMN)));
    let scan = if sort.is_empty() { scan } else { scan.sort(sort)? };
    let plan = scan.project(exprs)?.build()?;
    let (limit, offset) = limits(ctx, limit_clause)?;
    let locking = Locking {
        strength: strongest,
        wait: wait_policy(&locks),
        limit,
        offset,
        items: select.projection,
    };
    Ok(DmlPlan {
        kind: Kind::Lock,
        table: Arc::new(resolved.table),
        relation,
        plan,
        returning: None,
        on_conflict: None,
        joined: false,
        locking: Some(locking),
        locking_subqueries: Vec::new(),
    })
}

/// Whether a node of one of the `outputs` is `wanted`.
fn any_node(outputs: &[(Option<String>, Expr)], wanted: impl Fn(&Expr) -> bool) -> bool {
    outputs.iter().any(|(_, e)| e.exists(|node| Ok(wanted(node))).unwrap_or(false))
}

/// NOWAIT if any clause says so, else SKIP LOCKED if any does, as PostgreSQL combines them.
fn wait_policy(locks: &[LockClause]) -> Wait {
    let said = |n: NonBlock| locks.iter().any(|l| l.nonblock == Some(n));
    if said(NonBlock::Nowait) {
        Wait::NoWait
    } else if said(NonBlock::SkipLocked) {
        Wait::Skip
    } else {
        Wait::Block
    }
}

/// ORDER BY over the scan: an output column by position or name is its expression.
fn sort_exprs(
    ctx: &DmlContext<'_>,
    order_by: Option<OrderByKind>,
    outputs: &[(Option<String>, Expr)],
    items: &[SelectItem],
    schema: &datafusion::common::DFSchema,
) -> Result<Vec<SortExpr>> {
    let exprs = match order_by {
        None => return Ok(Vec::new()),
        Some(OrderByKind::Expressions(exprs)) => exprs,
        Some(OrderByKind::All(_)) => return Err(CatalogError::unsupported("ORDER BY ALL")),
    };
    let mut sort = Vec::new();
    for o in exprs {
        let expr = match &o.expr {
            ast::Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
                let position = v.value.to_string().parse::<usize>().ok().filter(|p| (1..=outputs.len()).contains(p));
                match position {
                    Some(p) if matches!(items[p - 1], SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }) => {
                        outputs[p - 1].1.clone()
                    }
                    Some(_) => return Err(CatalogError::unsupported("ORDER BY the position of a * column with FOR UPDATE")),
                    None => {
                        return Err(CatalogError::new(
                            sqlstate::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {} is not in select list", v.value),
                        ));
                    }
                }
            }
            ast::Expr::Identifier(id) => {
                let name = resolve::normalize(id);
                match outputs.iter().find(|(alias, _)| alias.as_deref() == Some(name.as_str())) {
                    Some((_, e)) => e.clone(),
                    None => ctx.expr(&o.expr, schema)?,
                }
            }
            other => ctx.expr(other, schema)?,
        };
        let asc = o.options.asc.unwrap_or(true);
        sort.push(expr.sort(asc, o.options.nulls_first.unwrap_or(!asc)));
    }
    Ok(sort)
}

/// LIMIT and OFFSET as expressions over no input.
fn limits(ctx: &DmlContext<'_>, clause: Option<LimitClause>) -> Result<(Option<Expr>, Option<Expr>)> {
    let empty = datafusion::common::DFSchema::empty();
    let (limit, offset) = match clause {
        None => (None, None),
        Some(LimitClause::LimitOffset { limit, offset, limit_by }) => {
            if !limit_by.is_empty() {
                return Err(CatalogError::unsupported("LIMIT BY"));
            }
            (limit, offset.map(|o| o.value))
        }
        Some(LimitClause::OffsetCommaLimit { offset, limit }) => (Some(limit), Some(offset)),
    };
    let plan = |e: Option<ast::Expr>| e.map(|e| ctx.expr(&e, &empty)).transpose();
    Ok((plan(limit)?, plan(offset)?))
}

impl Locking {
    /// Locks the rows `rows` finds, in order, until LIMIT and OFFSET have theirs, and
    /// evaluates the select list over them.
    pub(super) async fn run(&self, plan: &DmlPlan, ctx: &DmlContext<'_>, rows: Source<'_>, params: Option<&ParamValues>) -> Result<DmlOutcome> {
        let limit = self.count(ctx, self.limit.as_ref(), params, "LIMIT", "2201W").await?;
        let offset = self.count(ctx, self.offset.as_ref(), params, "OFFSET", "2201X").await?;
        let wanted = limit.map(|l| l.saturating_add(offset.unwrap_or(0)));
        let txn = ctx.handle.txn()?;
        blocking(|| plan.current_table(&txn))?;
        let key_index = plan.key_index();
        let mut found = rows.run(ctx).await?;
        let mut locked: Vec<RecordBatch> = Vec::new();
        let mut processed: HashSet<Vec<u8>> = HashSet::new();
        loop {
            let mut changed = false;
            'rows: for batch in &found {
                let keys = key_column(batch, key_index)?;
                for r in 0..batch.num_rows() {
                    if wanted.is_some_and(|w| locked.len() as u64 >= w) {
                        break 'rows;
                    }
                    let key = keys.value(r);
                    if processed.contains(key) {
                        continue;
                    }
                    match blocking(|| self.lock(&txn, key, &plan.relation, !plan.table.referenced_by.is_empty()))? {
                        Locked::Unchanged => locked.push(batch.slice(r, 1)),
                        Locked::Skipped | Locked::Gone => {}
                        Locked::Changed => {
                            changed = true;
                            break 'rows;
                        }
                    }
                    processed.insert(key.to_vec());
                }
            }
            if !changed {
                break;
            }
            // Read committed: the rows as committed now. The changed row, locked now, is
            // met again if it still matches; the rows already handled are not.
            txn.begin_recheck()?;
            found = rows.run(ctx).await?;
        }
        // The statement's other reads keep its snapshot.
        txn.end_recheck()?;
        let skip = offset.unwrap_or(0).min(locked.len() as u64) as usize;
        let kept = &locked[skip..];
        let schema = plan.plan.schema().inner().clone();
        let rows = match kept.is_empty() {
            true => RecordBatch::new_empty(schema.clone()),
            false => concat_batches(&kept[0].schema(), kept)?,
        };
        let count = rows.num_rows() as u64;
        let table_columns = rows.project(&(0..key_index).collect::<Vec<_>>())?;
        let columns = plan.returned_columns(table_columns, None)?;
        let returning = ctx.returning(columns, &self.items).await?;
        Ok(DmlOutcome { count, returning: Some(returning) })
    }

    /// Locks the row under `key` as the clause says (`referenced`: other tables' foreign
    /// keys reference the table).
    fn lock(&self, txn: &Txn, key: &[u8], relation: &str, referenced: bool) -> Result<Locked> {
        let seen = txn.get(Space::Data, key)?;
        let key_lock = foreign_key::key_lock(key);
        let (row, exclusive) = match self.strength {
            Strength::KeyShare => (&key_lock, false),
            Strength::Share => (&key.to_vec(), false),
            Strength::NoKeyUpdate | Strength::Update => (&key.to_vec(), true),
        };
        let mut latest = self.take(txn, row, exclusive)?;
        if latest.is_some() && self.strength == Strength::Update && referenced {
            latest = self.take(txn, &key_lock, true)?;
        }
        // The row as committed now (a key lock has no value of its own).
        let latest = match latest {
            Some(_) => Some(txn.get_latest(Space::Data, key)?),
            None => None,
        };
        Ok(match latest {
            None if self.wait == Wait::Skip => Locked::Skipped,
            None => {
                return Err(CatalogError::new(
                    sqlstate::LOCK_NOT_AVAILABLE,
                    format!("could not obtain lock on row in relation \"{relation}\""),
                ));
            }
            Some(None) => Locked::Gone,
            Some(latest) if latest == seen => Locked::Unchanged,
            Some(_) if txn.isolation() == Isolation::Snapshot => {
                return Err(CatalogError::new(sqlstate::SERIALIZATION_FAILURE, "could not serialize access due to concurrent update"));
            }
            Some(_) => Locked::Changed,
        })
    }

    /// Takes the lock on `key` (`None`: another transaction holds it, and the clause does
    /// not wait).
    fn take(&self, txn: &Txn, key: &[u8], exclusive: bool) -> Result<Option<()>> {
        Ok(match (self.wait, exclusive) {
            (Wait::Block, true) => txn.get_for_update(Space::Data, key).map(|_| Some(()))?,
            (Wait::Block, false) => txn.get_shared(Space::Data, key).map(|_| Some(()))?,
            (_, exclusive) => txn.try_lock(Space::Data, key, exclusive)?.map(|_| ()),
        })
    }

    /// The value of LIMIT or OFFSET with `params`: `None` for none, ALL or NULL; an error
    /// for a negative count.
    async fn count(
        &self,
        ctx: &DmlContext<'_>,
        expr: Option<&Expr>,
        params: Option<&ParamValues>,
        clause: &str,
        negative: &'static str,
    ) -> Result<Option<u64>> {
        let Some(expr) = expr else { return Ok(None) };
        // `LIMIT $n` is a bigint parameter, as Describe says.
        let expr = expr.clone().transform(|e| match e {
            Expr::Placeholder(p) if p.field.is_none() => {
                let field = Arc::new(datafusion::arrow::datatypes::Field::new("", DataType::Int64, true));
                Ok(Transformed::yes(Expr::Placeholder(Placeholder::new_with_field(p.id, Some(field)))))
            }
            e => Ok(Transformed::no(e)),
        })?;
        let n = Expr::Cast(Cast::new(Box::new(expr.data), DataType::Int64)).alias("n");
        let plan = LogicalPlanBuilder::empty(true).project([n])?.build()?;
        let plan = match params {
            Some(values) => plan.with_param_values(values.clone())?,
            None => param::with_param_calls(plan.clone(), Arc::new(param::param_function(ctx.handle)))?.unwrap_or(plan),
        };
        let (_, batches) = ctx.run(&plan).await?;
        let value = match batches.first().filter(|b| b.num_rows() > 0) {
            Some(batch) => datum_at(batch.column(0), 0)?,
            None => Datum::Null,
        };
        let n = match value {
            Datum::Int64(n) => n,
            _ => return Ok(None),
        };
        u64::try_from(n)
            .map(Some)
            .map_err(|_| CatalogError::new(negative, format!("{clause} must not be negative")))
    }
}

/// What locking a row found.
enum Locked {
    /// Locked, as the statement's snapshot saw it.
    Unchanged,
    /// Locked, but another transaction changed it since the snapshot.
    Changed,
    /// Deleted since the snapshot.
    Gone,
    /// Held by another transaction, and SKIP LOCKED.
    Skipped,
}
