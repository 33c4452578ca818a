//! Cast output columns (`SELECT as_of::text`) named as PostgreSQL names them.
//!
//! DataFusion names a cast after its operand, so a cast column and the column it casts have
//! the same name: a projection holding both fails ("Projections require unique expression
//! names"), which is what DataFusion builds for `SELECT as_of::text FROM t ORDER BY
//! t.as_of` (the sort column is added beside the output columns), and a derived table's
//! cast column cannot be found by its name. So every output column that casts a column gets
//! an alias:
//!
//! - in a query without ORDER BY, its PostgreSQL name (`as_of`), unless another output
//!   column (or a wildcard) could have that name too;
//! - otherwise an internal alias (`rewrite::distinct_alias`, which
//!   `names::output_names` sees through), since DataFusion cannot have an output column
//!   `as_of` beside the table's `t.as_of` that the sort may add. An ORDER BY item that is
//!   just that name then names the output column, as PostgreSQL's ORDER BY prefers output
//!   columns to the table's (`ORDER BY as_of` sorts by the text); when two output columns of
//!   that name differ, it is 42702, as in PostgreSQL.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, Ident, OrderByKind, Query, SelectItem, SetExpr, VisitMut, VisitorMut};
use shale_catalog::CatalogError;

use crate::sql::names::{ident, name_of};
use crate::sql::rewrite::{distinct_alias, shown_name};

/// Aliases the cast output columns of every query in `node` (a statement).
pub fn name_cast_columns<V: VisitMut>(node: &mut V) -> Result<(), CatalogError> {
    let mut namer = CastNamer { failure: None };
    let _ = node.visit(&mut namer);
    namer.failure.map_or(Ok(()), Err)
}

struct CastNamer {
    failure: Option<CatalogError>,
}

impl VisitorMut for CastNamer {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        match name_casts(query) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failure = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// Aliases the cast output columns of `query`'s SELECT, and points the ORDER BY items
/// that name one of them at its alias.
fn name_casts(query: &mut Query) -> Result<(), CatalogError> {
    let SetExpr::Select(select) = query.body.as_mut() else { return Ok(()) };
    let order_by = match query.order_by.as_mut().map(|o| &mut o.kind) {
        Some(OrderByKind::Expressions(items)) if !items.is_empty() => Some(items),
        _ => None,
    };
    let outputs: Vec<Option<String>> = select.projection.iter().map(output_name).collect();
    // Beside a wildcard or another output column of that name, the name would be repeated.
    let wildcard = outputs.iter().any(Option::is_none);
    // (PostgreSQL's name, alias) of each cast column aliased here.
    let mut named: Vec<(String, String)> = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let SelectItem::UnnamedExpr(e) = item else { continue };
        if !is_cast(e) || !casts_a_column(e) {
            continue;
        }
        let name = name_of(e);
        let repeated = wildcard || outputs.iter().enumerate().any(|(j, n)| j != i && n.as_deref() == Some(name.as_str()));
        let alias = if order_by.is_some() || repeated { distinct_alias(i, &name) } else { name.clone() };
        *item = SelectItem::ExprWithAlias { expr: e.clone(), alias: Ident::with_quote('"', alias.clone()) };
        named.push((name, alias));
    }
    let Some(items) = order_by else { return Ok(()) };
    for item in items {
        let Expr::Identifier(id) = &item.expr else { continue };
        let name = ident(id);
        let Some((_, alias)) = named.iter().find(|(n, _)| *n == name) else { continue };
        let mut outputs: Vec<String> =
            select.projection.iter().filter(|i| output_name(i).as_deref() == Some(&name)).filter_map(unqualified_text).collect();
        outputs.sort();
        outputs.dedup();
        if outputs.len() > 1 {
            return Err(CatalogError::new("42702", format!("ORDER BY \"{name}\" is ambiguous")));
        }
        item.expr = Expr::Identifier(Ident::with_quote('"', alias.clone()));
    }
    Ok(())
}

/// Whether `e` is a cast (in parentheses or not), which DataFusion names after its operand.
fn is_cast(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_cast(inner),
        Expr::Cast { .. } => true,
        _ => false,
    }
}

/// Whether `e`, under its casts and parentheses, is a column: DataFusion names the cast
/// after the column.
fn casts_a_column(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => casts_a_column(inner),
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => true,
        _ => false,
    }
}

/// The name of an output column, as PostgreSQL shows it.
fn output_name(item: &SelectItem) -> Option<String> {
    match item {
        SelectItem::UnnamedExpr(e) => Some(name_of(e)),
        SelectItem::ExprWithAlias { alias, .. } => Some(shown_name(&ident(alias)).to_string()),
        _ => None,
    }
}

/// The text of an output column's expression with its column references unqualified, to
/// tell whether two output columns of one name are the same.
fn unqualified_text(item: &SelectItem) -> Option<String> {
    let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { return None };
    let mut plain = e.clone();
    let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut plain, |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if let Some(last) = parts.last() {
                *e = Expr::Identifier(last.clone());
            }
        }
        ControlFlow::<()>::Continue(())
    });
    Some(plain.to_string())
}
