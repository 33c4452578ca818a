//! CHECK constraints as CREATE TABLE and ALTER TABLE declare them: the expression must be
//! a boolean over the table's columns, without subqueries; it is kept as SQL text and
//! evaluated on every row written (`access::dml::checks`).

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::DFSchema;
use datafusion::datasource::provider_as_source;
use datafusion::logical_expr::{ExprSchemable, LogicalPlanBuilder};
use datafusion::physical_plan::collect;
use datafusion::sql::sqlparser::ast::{self, Visit, Visitor};
use shale_storage::Txn;

use super::DdlContext;
use crate::descriptor::{Check, TableDesc};
use crate::provider::ShaleTable;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// The CHECK constraint `expr` declares on `table` (named `name`, else as PostgreSQL names
/// it, a column constraint too: after the one column the expression reads, else
/// `<table>_check`, numbered while the name is `taken`).
pub(super) fn check(ctx: &DdlContext<'_>, txn: &Txn, table: &TableDesc, name: Option<String>, expr: &ast::Expr, taken: &[String]) -> Result<Check> {
    let sql = expr.to_string();
    let schema = DFSchema::try_from_qualified_schema(table.name.as_str(), &table.arrow_schema())?;
    let read = columns_read(table, expr)?;
    let planned = ctx.state.create_logical_expr(&sql, &schema)?;
    match planned.get_type(&schema)? {
        DataType::Boolean | DataType::Null => {}
        other => {
            return Err(CatalogError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("argument of CHECK must be type boolean, not type {}", shale_pgtypes::cast_pairs::type_name(&other)),
            ));
        }
    }
    let name = match name {
        Some(name) => {
            super::constraints::check_name_free(table, &name)?;
            name
        }
        None => {
            let column = match read.as_slice() {
                [one] => table.columns[*one].name.as_str(),
                _ => "",
            };
            super::index::constraint_name(&table.name, column, "check", taken)
        }
    };
    Ok(Check { id: meta::allocate(txn, meta::TABLE_IDS, 1)?, name, expr: sql, columns: read, not_valid: false })
}

/// The slots of the columns `expr` reads, each once; 0A000 for a subquery.
pub(super) fn columns_read(table: &TableDesc, expr: &ast::Expr) -> Result<Vec<usize>> {
    struct Read<'t>(&'t TableDesc, Vec<usize>);
    impl Visitor for Read<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &ast::Expr) -> ControlFlow<()> {
            let ident = match expr {
                ast::Expr::Subquery(_) | ast::Expr::Exists { .. } | ast::Expr::InSubquery { .. } => return ControlFlow::Break(()),
                ast::Expr::Identifier(ident) => Some(ident),
                ast::Expr::CompoundIdentifier(parts) => parts.last(),
                _ => None,
            };
            if let Some((slot, _)) = ident.and_then(|i| self.0.column(&resolve::normalize(i)))
                && !self.1.contains(&slot)
            {
                self.1.push(slot);
            }
            ControlFlow::Continue(())
        }
    }
    let mut read = Read(table, Vec::new());
    match expr.visit(&mut read) {
        ControlFlow::Continue(()) => Ok(read.1),
        ControlFlow::Break(()) => Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot use subquery in check constraint")),
    }
}

/// `ALTER TABLE ... ADD [CONSTRAINT name] CHECK (expr) [NOT VALID]`: 23514 when a row the
/// table has makes it false (unless `not_valid`, which leaves the rows unread); else it is
/// kept (the caller holds the table's lock and stores it).
pub(super) async fn add_check(ctx: &DdlContext<'_>, table: &mut TableDesc, name: Option<String>, expr: &ast::Expr, not_valid: bool) -> Result<()> {
    let txn = ctx.handle.txn()?;
    let taken: Vec<String> = table.checks.iter().map(|c| c.name.clone()).collect();
    let mut check = check(ctx, &txn, table, name, expr, &taken)?;
    check.not_valid = not_valid;
    if !not_valid {
        verify_rows(ctx, table, &check).await?;
    }
    table.checks.push(check);
    Ok(())
}

/// 23514 unless every row of `table` satisfies `check`.
pub(super) async fn verify_rows(ctx: &DdlContext<'_>, table: &TableDesc, check: &Check) -> Result<()> {
    let provider = ShaleTable::new(Arc::new(table.clone()), ctx.handle.clone());
    let scan = LogicalPlanBuilder::scan(table.name.as_str(), provider_as_source(Arc::new(provider)), None)?;
    let failing = ctx.state.create_logical_expr(&check.expr, scan.schema())?.is_false();
    let plan = scan.filter(failing)?.limit(0, Some(1))?.build()?;
    let physical = ctx.state.create_physical_plan(&plan).await?;
    if collect(physical, ctx.state.task_ctx()).await?.iter().any(|b| b.num_rows() > 0) {
        return Err(CatalogError::new(
            "23514",
            format!("check constraint \"{}\" of relation \"{}\" is violated by some row", check.name, table.name),
        ));
    }
    Ok(())
}
