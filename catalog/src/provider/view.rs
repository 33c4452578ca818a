//! Views as DataFusion sees them: when a statement names a view, its stored query is
//! planned with the session's state and put in the statement's plan in its place
//! (DataFusion's `ViewTable`, which its plan builder inlines), its columns named as the
//! view's.

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::catalog::view::ViewTable;
use datafusion::common::Column;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::Statement;

use crate::descriptor::ViewDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::session::handle::SessionHandle;

/// How deeply views may read views: deeper is 54001 rather than a stack that runs out.
const MAX_VIEW_DEPTH: usize = 200;

/// The view `desc`, planned for the statement that names it. A view whose query reads
/// itself (`CREATE OR REPLACE` can make one: names are bound when a view is made) is
/// PostgreSQL's 42P17.
pub(crate) async fn view_table(handle: &SessionHandle, desc: &ViewDesc) -> Result<Arc<dyn TableProvider>> {
    let _planning = Planning::enter(handle, desc)?;
    Ok(Arc::new(ViewTable::new(plan(handle, desc).await?, Some(desc.definition.clone()))))
}

/// A view being planned: on the session's stack of them until dropped (also when the
/// statement stops half-way).
struct Planning<'a>(&'a SessionHandle);

impl<'a> Planning<'a> {
    fn enter(handle: &'a SessionHandle, desc: &ViewDesc) -> Result<Self> {
        handle.with_planned_views(|views| {
            if views.contains(&desc.id) {
                return Err(CatalogError::new("42P17", format!("infinite recursion detected in rules for relation \"{}\"", desc.name)));
            }
            if views.len() >= MAX_VIEW_DEPTH {
                return Err(CatalogError::new(sqlstate::STATEMENT_TOO_COMPLEX, format!("views nest too deeply at \"{}\"", desc.name)));
            }
            views.push(desc.id);
            Ok(())
        })?;
        Ok(Planning(handle))
    }
}

impl Drop for Planning<'_> {
    fn drop(&mut self) {
        self.0.with_planned_views(|views| views.pop());
    }
}

async fn plan(handle: &SessionHandle, desc: &ViewDesc) -> Result<LogicalPlan> {
    let state = handle.planner()?;
    let query = shale_pgtypes::sql::parse_query(&desc.query)?;
    let plan = state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query))))).await?;
    named(plan, desc)
}

/// `plan` with its first columns named as the view's (a view's columns are those its query
/// had when it was made: a `*` does not take in columns added since).
fn named(plan: LogicalPlan, desc: &ViewDesc) -> Result<LogicalPlan> {
    let fields: Vec<Column> = plan.schema().columns();
    if fields.len() < desc.columns.len() {
        return Err(CatalogError::internal(format!("the query of view \"{}\" has fewer columns than the view", desc.name)));
    }
    let exprs: Vec<Expr> =
        desc.columns.iter().zip(fields).map(|(column, field)| Expr::Column(field).alias(column.name.as_str())).collect();
    Ok(LogicalPlanBuilder::from(plan).project(exprs)?.build()?)
}
