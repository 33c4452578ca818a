//! FOR UPDATE / FOR SHARE [NOWAIT | SKIP LOCKED] in a subquery of the WHERE clause of
//! UPDATE or DELETE: the one-statement job take,
//! `UPDATE jobs SET ... WHERE id = (SELECT id FROM jobs ... FOR UPDATE SKIP LOCKED LIMIT 1)`.
//!
//! As PostgreSQL runs such an uncorrelated subquery once, before the rows it chooses are
//! changed, each execution of the statement first runs every locking subquery as a locking
//! SELECT (`super::locking`), which takes its row locks in the statement's transaction;
//! the rows it locked then stand in for the subquery: its value (a scalar subquery), the
//! list `x IN (...)` and `x op ANY / ALL (...)` compare with, or whether EXISTS finds a row.
//! The statement's plan keeps the subquery, planned without its locking clauses and marked
//! by a condition that changes nothing, so that it is typed and found again at each
//! execution (a prepared statement's plan is made once and executed many times). A
//! correlated locking subquery is 0A000.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::{cast, concat};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{ParamValues, ScalarValue};
use datafusion::logical_expr::expr::{InList, SetComparison, SetQuantifier};
use datafusion::logical_expr::{Expr, LogicalPlan, Operator, Subquery, binary_expr};
use datafusion::sql::sqlparser::ast::{self, Query, SetExpr, Value, VisitMut, VisitorMut};

use super::{DmlContext, DmlPlan, Source, locking};
use crate::error::{CatalogError, Result, sqlstate};
use crate::session::param;

/// A locking subquery of a statement's WHERE clause.
#[derive(Debug, Clone)]
pub(super) struct LockingSubquery {
    /// The text of the condition that marks the subquery in the statement's plan.
    marker: String,
    /// The subquery as a locking SELECT.
    select: Box<DmlPlan>,
}

/// The prefix of the markers.
const MARKER: &str = "__shale_locking_subquery_";

/// Takes the locking subqueries out of `selection`: each stays, without its locking
/// clauses and marked by a condition that changes nothing (`'marker' IS NOT NULL`); returns
/// the markers with the subqueries as written.
pub(super) fn take(selection: Option<&mut ast::Expr>) -> Vec<(String, Query)> {
    struct Take {
        depth: usize,
        taken: Vec<(String, Query)>,
    }
    impl VisitorMut for Take {
        type Break = ();
        fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &mut ast::Expr) -> ControlFlow<()> {
            if self.depth > 0 {
                return ControlFlow::Continue(());
            }
            let query = match e {
                ast::Expr::Subquery(q) | ast::Expr::InSubquery { subquery: q, .. } | ast::Expr::Exists { subquery: q, .. } => q,
                _ => return ControlFlow::Continue(()),
            };
            if query.locks.is_empty() {
                return ControlFlow::Continue(());
            }
            let marker = format!("{MARKER}{}", self.taken.len());
            self.taken.push((marker.clone(), query.as_ref().clone()));
            query.locks.clear();
            // A condition that changes nothing marks it (its select list and ORDER BY stay).
            if let SetExpr::Select(select) = query.body.as_mut() {
                let mark = ast::Expr::IsNotNull(Box::new(ast::Expr::value(Value::SingleQuotedString(marker))));
                select.selection = Some(match select.selection.take() {
                    Some(selection) => ast::Expr::BinaryOp {
                        left: Box::new(ast::Expr::Nested(Box::new(selection))),
                        op: ast::BinaryOperator::And,
                        right: Box::new(mark),
                    },
                    None => mark,
                });
            }
            ControlFlow::Continue(())
        }
    }
    let mut visitor = Take { depth: 0, taken: Vec::new() };
    if let Some(selection) = selection {
        let _ = selection.visit(&mut visitor);
    }
    visitor.taken
}

/// The locking SELECTs of the subqueries [`take`] took, once `plan` (the statement's plan)
/// is made: each is found there by its marker; 0A000 for a correlated one.
pub(super) async fn plan(ctx: &DmlContext<'_>, plan: &LogicalPlan, taken: Vec<(String, Query)>) -> Result<Vec<LockingSubquery>> {
    match taken.is_empty() {
        true => Ok(Vec::new()),
        // Boxed: planning locking SELECTs is a large future, which UPDATE's and DELETE's
        // planning would otherwise hold on the stack.
        false => Box::pin(locking_selects(ctx, plan, taken)).await,
    }
}

async fn locking_selects(ctx: &DmlContext<'_>, plan: &LogicalPlan, taken: Vec<(String, Query)>) -> Result<Vec<LockingSubquery>> {
    let mut planned = Vec::new();
    for (marker, query) in taken {
        let Some(subquery) = find(plan, &marker)? else {
            // Not a SELECT (a set operation): planning it as a locking SELECT says why.
            locking::plan(ctx, query).await?;
            return Err(CatalogError::internal("a locking subquery was not found in its statement's plan"));
        };
        if !subquery.outer_ref_columns.is_empty() {
            return Err(CatalogError::unsupported("FOR UPDATE / FOR SHARE in a correlated subquery"));
        }
        planned.push(LockingSubquery { marker, select: Box::new(locking::plan(ctx, query).await?) });
    }
    Ok(planned)
}

/// The subquery of `plan`'s expressions marked with `marker`.
fn find(plan: &LogicalPlan, marker: &str) -> Result<Option<Subquery>> {
    let mut found = None;
    plan.apply(|node| {
        node.apply_expressions(|e| {
            e.apply(|e| {
                if let Some(subquery) = subquery_of(e).filter(|s| is_marked(s, marker)) {
                    found = Some(subquery.clone());
                    return Ok(TreeNodeRecursion::Stop);
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })
    })?;
    Ok(found)
}

fn subquery_of(e: &Expr) -> Option<&Subquery> {
    match e {
        Expr::ScalarSubquery(s) => Some(s),
        Expr::InSubquery(i) => Some(&i.subquery),
        Expr::Exists(x) => Some(&x.subquery),
        Expr::SetComparison(c) => Some(&c.subquery),
        _ => None,
    }
}

/// Whether `subquery` is the one [`take`] marked with `marker`.
fn is_marked(subquery: &Subquery, marker: &str) -> bool {
    let is_mark = |e: &Expr| matches!(e, Expr::Literal(value, _) if value.try_as_str() == Some(Some(marker)));
    subquery
        .subquery
        .exists(|node| Ok(node.expressions().iter().any(|e| e.exists(|e| Ok(is_mark(e))).unwrap_or(false))))
        .unwrap_or(false)
}

/// `plan` with `params` bound (`None`: the session has them bound, or there are none).
pub(super) fn bound(ctx: &DmlContext<'_>, plan: LogicalPlan, params: Option<&ParamValues>) -> Result<LogicalPlan> {
    Ok(match params {
        Some(values) => plan.with_param_values(values.clone())?,
        None => param::with_param_calls(plan.clone(), Arc::new(param::param_function(ctx.handle)))?.unwrap_or(plan),
    })
}

/// Runs each of `subqueries` as a locking SELECT (with `params`, see [`bound`]) and puts
/// the rows it locked in its place in `plan`.
pub(super) async fn lock_and_substitute(
    ctx: &DmlContext<'_>,
    plan: LogicalPlan,
    subqueries: &[LockingSubquery],
    params: Option<&ParamValues>,
) -> Result<LogicalPlan> {
    let mut locked = Vec::new();
    for subquery in subqueries {
        let select = &subquery.select;
        let locking = select.locking.as_ref().ok_or_else(|| CatalogError::internal("a locking subquery without its locking"))?;
        let rows = bound(ctx, select.plan.clone(), params)?;
        let outcome = locking.run(select, ctx, Source::Logical(&rows), params).await?;
        let rows = outcome.returning.ok_or_else(|| CatalogError::internal("a locking subquery returned no rows"))?;
        let column = match rows.batches.as_slice() {
            [] => None,
            batches => {
                let columns: Vec<&dyn datafusion::arrow::array::Array> = batches.iter().map(|b| b.column(0).as_ref()).collect();
                Some(concat(&columns)?)
            }
        };
        locked.push((subquery.marker.as_str(), column));
    }
    let substituted = plan.transform(|node| {
        node.map_expressions(|e| {
            e.transform(|e| {
                let Some((_, column)) = subquery_of(&e).and_then(|s| locked.iter().find(|(marker, _)| is_marked(s, marker))) else {
                    return Ok(Transformed::no(e));
                };
                let replacement = substitute(e, column.as_ref()).map_err(CatalogError::into_datafusion)?;
                Ok(Transformed::yes(replacement))
            })
        })
    })?;
    Ok(substituted.data)
}

/// The subquery expression `e` with the values its subquery found (`column`) in place of
/// the subquery.
fn substitute(e: Expr, column: Option<&ArrayRef>) -> Result<Expr> {
    let values = |subquery: &Subquery| -> Result<Vec<Expr>> {
        let Some(column) = column else { return Ok(Vec::new()) };
        let ty = subquery.subquery.schema().field(0).data_type().clone();
        let column = cast(column, &ty)?;
        (0..column.len()).map(|i| Ok(Expr::Literal(ScalarValue::try_from_array(&column, i)?, None))).collect()
    };
    Ok(match e {
        Expr::ScalarSubquery(subquery) => {
            let ty: DataType = subquery.subquery.schema().field(0).data_type().clone();
            match values(&subquery)?.as_slice() {
                [] => Expr::Literal(ScalarValue::try_from(&ty)?, None),
                [value] => value.clone(),
                _ => return Err(CatalogError::new("21000", "more than one row returned by a subquery used as an expression")),
            }
        }
        Expr::Exists(exists) => {
            let found = column.is_some_and(|c| !c.is_empty());
            Expr::Literal(ScalarValue::Boolean(Some(found != exists.negated)), None)
        }
        Expr::InSubquery(in_subquery) => in_list(*in_subquery.expr, values(&in_subquery.subquery)?, in_subquery.negated),
        Expr::SetComparison(comparison) => {
            let values = values(&comparison.subquery)?;
            compare_with_each(comparison, values)
        }
        other => other,
    })
}

/// `expr [NOT] IN (values)`; an empty list is never matched, whatever `expr` is.
fn in_list(expr: Expr, values: Vec<Expr>, negated: bool) -> Expr {
    match values.is_empty() {
        true => Expr::Literal(ScalarValue::Boolean(Some(negated)), None),
        false => Expr::InList(InList::new(Box::new(expr), values, negated)),
    }
}

/// `expr op ANY (values)`: true when a comparison is (OR); `expr op ALL (values)`: when
/// all are (AND). NULLs as PostgreSQL's ANY and ALL take them.
fn compare_with_each(comparison: SetComparison, values: Vec<Expr>) -> Expr {
    let SetComparison { expr, op, quantifier, .. } = comparison;
    match (quantifier, op) {
        (SetQuantifier::Any, Operator::Eq) => return in_list(*expr, values, false),
        (SetQuantifier::All, Operator::NotEq) => return in_list(*expr, values, true),
        _ => {}
    }
    let (join, empty) = match quantifier {
        SetQuantifier::Any => (Operator::Or, false),
        SetQuantifier::All => (Operator::And, true),
    };
    let comparisons = values.into_iter().map(|value| binary_expr(expr.as_ref().clone(), op, value)).collect();
    joined(comparisons, join).unwrap_or(Expr::Literal(ScalarValue::Boolean(Some(empty)), None))
}

/// `exprs` joined by `op` as a balanced tree, whose depth (which planning recurses
/// through) grows with the logarithm of their number.
fn joined(mut exprs: Vec<Expr>, op: Operator) -> Option<Expr> {
    if exprs.len() <= 1 {
        return exprs.pop();
    }
    let right = exprs.split_off(exprs.len() / 2);
    Some(binary_expr(joined(exprs, op)?, op, joined(right, op)?))
}

/// 0A000 when a locking clause is left in `stmt` once the subqueries [`take`] takes are
/// taken: in SET, RETURNING, FROM, USING or deeper in a subquery.
pub(super) fn refuse_other_locks(stmt: &impl ast::Visit) -> Result<()> {
    struct Locks;
    impl ast::Visitor for Locks {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            if query.locks.is_empty() { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
        }
    }
    match stmt.visit(&mut Locks) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(CatalogError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "FOR UPDATE / FOR SHARE is supported in UPDATE and DELETE only in a subquery of the WHERE clause",
        )),
    }
}
