//! INSERT: the source rows are planned by DataFusion after DEFAULTs are spelled out, then
//! checked and written here.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::Column;
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    self, Expr as SqlExpr, Ident, InsertOverriding, ObjectName, ObjectNamePart, Query, SelectItem, SetExpr, SetOperator,
    SetQuantifier, Statement, TableObject, Value, visit_expressions,
};

use super::write::RowWriter;
use super::{DmlContext, DmlPlan, Kind};
use crate::descriptor::{Identity, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};
use shale_pgtypes::sql::{is_default_keyword, parse_expr, parse_query};
use crate::resolve;
use shale_pgtypes::{PgError, input};

/// Plans an INSERT: its source rows, after DEFAULTs are spelled out, in the table's columns.
pub(super) async fn plan(ctx: &DmlContext<'_>, mut stmt: ast::Insert, text_params: &[bool]) -> Result<DmlPlan> {
    if stmt.or.is_some() || stmt.ignore || stmt.overwrite || stmt.partitioned.is_some() {
        return Err(CatalogError::unsupported("this form of INSERT"));
    }
    let TableObject::TableName(name) = &stmt.table else {
        return Err(CatalogError::unsupported("INSERT into a table function"));
    };
    let resolved = ctx.resolve(name)?;
    let desc = &resolved.table;
    let relation = match &stmt.table_alias {
        Some(alias) => resolve::normalize(&alias.alias),
        None => desc.name.clone(),
    };
    let returning = stmt.returning.take();
    let overriding = stmt.overriding.take();
    let on_conflict = stmt.on.take().map(|on| super::upsert::plan(ctx, desc, &relation, on, text_params)).transpose()?;

    let mut columns = target_columns(desc, &stmt.columns)?;
    let mut source = stmt.source.take().map(|q| *q);
    if let Some(width) = match &source {
        Some(q) => source_width(ctx, q).await?,
        None => None,
    } {
        fit_columns(&mut columns, !stmt.columns.is_empty(), width)?;
    }
    match overriding {
        None => source.iter().try_for_each(|q| check_always_identity(desc, &columns, q))?,
        Some(InsertOverriding::System) => {}
        Some(InsertOverriding::User) => source = source.map(|q| ignore_identity_values(desc, &columns, q)).transpose()?,
    }
    let mut source = spell_out_defaults(desc, &mut columns, source, text_params)?;
    values_with_subqueries_as_selects(&mut source)?;
    stmt.table = TableObject::TableName(qualified(&resolved.schema.name, &desc.name));
    stmt.columns = columns.iter().map(|c| ObjectName(vec![ObjectNamePart::Identifier(Ident::with_quote('"', c))])).collect();
    stmt.source = Some(Box::new(source));
    stmt.table_alias = None;

    let plan = ctx.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Insert(stmt)))).await?;
    let LogicalPlan::Dml(dml) = plan else {
        return Err(CatalogError::internal("INSERT did not plan as DML"));
    };
    let plan = as_columns(Arc::unwrap_or_clone(dml.input))?;
    Ok(DmlPlan { kind: Kind::Insert, table: Arc::new(resolved.table), relation, plan, returning, on_conflict, joined: false, locking: None, locking_subqueries: Vec::new() })
}

/// The rows of `plan` (the table's columns, typed as they are) with an explicit cast to
/// each column's type: DataFusion casts a value only when its type differs when the
/// statement is planned, and analyzer rules retype values later (`SELECT 1` becomes an
/// integer, a quotient unconstrained numeric), while the values written must be the
/// column's.
fn as_columns(plan: LogicalPlan) -> Result<LogicalPlan> {
    let exprs: Vec<Expr> = plan
        .schema()
        .iter()
        .map(|(qualifier, field)| {
            let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
            Expr::Cast(Cast::new(Box::new(column), field.data_type().clone())).alias(field.name())
        })
        .collect();
    Ok(LogicalPlanBuilder::from(plan).project(exprs)?.build()?)
}

/// 428C9 for a value given to a GENERATED ALWAYS identity column: anything but DEFAULT in
/// VALUES, any column of a query.
fn check_always_identity(desc: &TableDesc, columns: &[String], source: &Query) -> Result<()> {
    for (i, name) in columns.iter().enumerate() {
        if desc.column(name).and_then(|(_, c)| c.identity) != Some(Identity::Always) {
            continue;
        }
        let given = match source.body.as_ref() {
            SetExpr::Values(values) => values.rows.iter().any(|row| row.content.get(i).is_some_and(|v| !is_default_keyword(v))),
            _ => true,
        };
        if given {
            return Err(Identity::refuse(name, true));
        }
    }
    Ok(())
}

/// OVERRIDING USER VALUE: the values given to identity columns are ignored; each takes its
/// sequence's next value, as if DEFAULT were written (in a query's rows too).
fn ignore_identity_values(desc: &TableDesc, columns: &[String], mut query: Query) -> Result<Query> {
    let identity = |name: &String| desc.column(name).and_then(|(_, c)| c.identity.map(|_| c.default.clone().unwrap_or_else(|| "NULL".into())));
    let defaults: Vec<Option<String>> = columns.iter().map(identity).collect();
    if defaults.iter().all(Option::is_none) {
        return Ok(query);
    }
    if let SetExpr::Values(values) = query.body.as_mut() {
        for row in values.rows.iter_mut() {
            for (value, default) in row.content.iter_mut().zip(&defaults) {
                if default.is_some() {
                    *value = SqlExpr::Identifier(Ident::new("DEFAULT"));
                }
            }
        }
        return Ok(query);
    }
    let items: Vec<String> = (1..).zip(&defaults).map(|(i, d)| d.clone().unwrap_or_else(|| format!("__src.__c{i}"))).collect();
    let names: Vec<String> = (1..=columns.len()).map(|i| format!("__c{i}")).collect();
    Ok(parse_query(&format!("SELECT {} FROM ({query}) AS __src({})", items.join(", "), names.join(", ")))?)
}

/// Stores the rows of `batches`; returns how many and, when `returning`, the stored rows.
pub(super) fn write(writer: &RowWriter<'_>, batches: &[RecordBatch], returning: bool) -> Result<(u64, Option<RecordBatch>)> {
    let keyed = writer.has_primary_key();
    let mut written = Vec::new();
    let mut count = 0u64;
    for batch in batches {
        let rows = writer.rows(batch)?;
        let keys = match keyed {
            true => rows.iter().map(|r| writer.key(r).unwrap_or_default()).collect(),
            false => writer.row_id_keys(rows.len())?,
        };
        for (key, row) in keys.iter().zip(&rows) {
            writer.put(key, row, keyed)?;
        }
        count += rows.len() as u64;
        if returning {
            written.extend(rows);
        }
    }
    let written = match returning {
        true => Some(writer.batch(&written)?),
        false => None,
    };
    Ok((count, written))
}

pub(super) fn qualified(schema: &str, table: &str) -> ObjectName {
    ObjectName(vec![
        ObjectNamePart::Identifier(Ident::with_quote('"', schema)),
        ObjectNamePart::Identifier(Ident::with_quote('"', table)),
    ])
}

/// The named target columns (42703 for unknown ones), or every column.
fn target_columns(desc: &TableDesc, names: &[ObjectName]) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(desc.visible().map(|(_, c)| c.name.clone()).collect());
    }
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let (_, column) = resolve::split_name(name)?;
        if desc.column(&column).is_none() {
            return Err(CatalogError::new(
                sqlstate::UNDEFINED_COLUMN,
                format!("column \"{column}\" of relation \"{}\" does not exist", desc.name),
            ));
        }
        if out.contains(&column) {
            return Err(CatalogError::new(
                sqlstate::DUPLICATE_COLUMN,
                format!("column \"{column}\" specified more than once"),
            ));
        }
        out.push(column);
    }
    Ok(out)
}

/// Replaces `DEFAULT` in VALUES by each column's default expression and appends the
/// defaults of the columns not named, so DataFusion sees only plain expressions.
fn spell_out_defaults(
    desc: &TableDesc,
    columns: &mut Vec<String>,
    source: Option<Query>,
    text_params: &[bool],
) -> Result<Query> {
    let defaults: Vec<(String, SqlExpr)> = desc
        .visible()
        .filter(|(_, c)| !columns.contains(&c.name))
        .filter_map(|(_, c)| c.default.as_ref().map(|d| parse_expr(d).map(|e| (c.name.clone(), e))))
        .collect::<Result<_, PgError>>()?;
    let named: Vec<SqlExpr> = columns
        .iter()
        .map(|c| match desc.column(c).and_then(|(_, col)| col.default.as_ref()) {
            Some(d) => parse_expr(d),
            None => Ok(SqlExpr::value(Value::Null)),
        })
        .collect::<Result<_, PgError>>()?;
    let mut query = match source {
        Some(q) => q,
        None => values_query(&named)?,
    };
    let extra: Vec<SqlExpr> = defaults.iter().map(|(_, e)| e.clone()).collect();
    match query.body.as_mut() {
        SetExpr::Values(values) => {
            for row in values.rows.iter_mut() {
                for (i, value) in row.content.iter_mut().enumerate() {
                    if is_default_keyword(value) {
                        *value = named.get(i).cloned().unwrap_or_else(|| SqlExpr::value(Value::Null));
                    } else if let Some((_, col)) = columns.get(i).and_then(|c| desc.column(c)) {
                        input::coerce_literal(&col.ty, value, text_params)?;
                    }
                }
                row.content.extend(extra.iter().cloned());
            }
        }
        _ if extra.is_empty() => {}
        _ => query = with_defaults(query, columns.len(), &extra)?,
    }
    columns.extend(defaults.into_iter().map(|(name, _)| name));
    Ok(query)
}

/// How many values each row of `query` has: a VALUES list's (all of the same length, as
/// PostgreSQL requires), a select list's, or that of the planned query when its select list
/// has a wildcard.
async fn source_width(ctx: &DmlContext<'_>, query: &Query) -> Result<Option<usize>> {
    fn listed(body: &SetExpr) -> Option<usize> {
        match body {
            SetExpr::Select(select) => select
                .projection
                .iter()
                .all(|item| matches!(item, SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }))
                .then_some(select.projection.len()),
            SetExpr::SetOperation { left, .. } => listed(left),
            SetExpr::Query(q) => listed(&q.body),
            _ => None,
        }
    }
    if let SetExpr::Values(values) = query.body.as_ref() {
        let Some(first) = values.rows.first() else { return Ok(None) };
        let width = first.content.len();
        if values.rows.iter().any(|r| r.content.len() != width) {
            return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "VALUES lists must all be the same length"));
        }
        return Ok(Some(width));
    }
    if let Some(width) = listed(&query.body) {
        return Ok(Some(width));
    }
    let planned = ctx.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query.clone()))))).await?;
    Ok(Some(planned.schema().fields().len()))
}

/// Checks the width of the source's rows against the target columns as PostgreSQL does;
/// without a column list, rows may be shorter than the table (the rest get defaults).
fn fit_columns(columns: &mut Vec<String>, explicit: bool, width: usize) -> Result<()> {
    let syntax = |m: &str| Err(CatalogError::new(sqlstate::SYNTAX_ERROR, m.to_string()));
    if width > columns.len() {
        return syntax("INSERT has more expressions than target columns");
    }
    if width < columns.len() {
        if explicit {
            return syntax("INSERT has more target columns than expressions");
        }
        columns.truncate(width);
    }
    Ok(())
}

/// VALUES rows that hold a subquery become `SELECT <row> UNION ALL SELECT <row> ...`:
/// DataFusion computes VALUES while planning, before any subquery has run, so
/// `INSERT ... VALUES (1, (SELECT id FROM users ...))` failed there.
fn values_with_subqueries_as_selects(query: &mut Query) -> Result<()> {
    let SetExpr::Values(values) = query.body.as_ref() else { return Ok(()) };
    let subquery = visit_expressions(values, |e| match e {
        SqlExpr::Subquery(_) => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if subquery.is_continue() {
        return Ok(());
    }
    let SetExpr::Select(template) = *parse_query("SELECT 1")?.body else {
        return Err(CatalogError::internal("SELECT 1 did not parse as a SELECT"));
    };
    let selects = values.rows.iter().map(|row| {
        let mut select = template.clone();
        // Named as PostgreSQL names VALUES columns, so that equal items do not clash.
        select.projection = (1..)
            .zip(&row.content)
            .map(|(i, e)| SelectItem::ExprWithAlias { expr: e.clone(), alias: Ident::new(format!("column{i}")) })
            .collect();
        SetExpr::Select(select)
    });
    let union = |left: SetExpr, right: SetExpr| SetExpr::SetOperation {
        op: SetOperator::Union,
        set_quantifier: SetQuantifier::All,
        left: Box::new(left),
        right: Box::new(right),
    };
    if let Some(body) = selects.reduce(union) {
        query.body = Box::new(body);
    }
    Ok(())
}

/// `VALUES (<row>)` for INSERT ... DEFAULT VALUES.
fn values_query(row: &[SqlExpr]) -> Result<Query> {
    let items: Vec<String> = row.iter().map(|e| e.to_string()).collect();
    Ok(parse_query(&format!("VALUES ({})", items.join(", ")))?)
}

/// `SELECT __src.*, <defaults> FROM (<query>) AS __src(c1, ..., cn)`: the source's
/// `width` columns, then the defaults.
fn with_defaults(query: Query, width: usize, defaults: &[SqlExpr]) -> Result<Query> {
    let items: Vec<String> = defaults.iter().map(|e| e.to_string()).collect();
    let names: Vec<String> = (1..=width).map(|i| format!("__c{i}")).collect();
    Ok(parse_query(&format!("SELECT __src.*, {} FROM ({query}) AS __src({})", items.join(", "), names.join(", ")))?)
}
