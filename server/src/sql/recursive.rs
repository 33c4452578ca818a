//! What PostgreSQL refuses in a recursive WITH query and DataFusion would run anyway: its
//! ORDER BY, OFFSET and LIMIT (FETCH FIRST). DataFusion's planner drops them, so a query
//! PostgreSQL refuses ran forever, or returned every row where it asked for ten.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Cte, LimitClause, Query, SetExpr, Statement, Visit, Visitor, visit_relations};
use shale_catalog::{CatalogError, resolve, sqlstate};

/// 0A000, in PostgreSQL's words, for a recursive WITH query with ORDER BY, OFFSET or LIMIT.
pub fn check(stmt: &Statement) -> Result<(), CatalogError> {
    struct Check(Option<CatalogError>);
    impl Visitor for Check {
        type Break = ();
        fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
            let recursive = q.with.as_ref().filter(|w| w.recursive).map_or(&[][..], |w| &w.cte_tables[..]);
            match recursive.iter().find_map(refused) {
                Some(e) => {
                    self.0 = Some(e);
                    ControlFlow::Break(())
                }
                None => ControlFlow::Continue(()),
            }
        }
    }
    let mut check = Check(None);
    let _ = stmt.visit(&mut check);
    check.0.map_or(Ok(()), Err)
}

/// The refusal of `cte`, if it is recursive (a set operation that reads itself) and has
/// ORDER BY, OFFSET or LIMIT, checked in PostgreSQL's order.
fn refused(cte: &Cte) -> Option<CatalogError> {
    let name = resolve::normalize(&cte.alias.name);
    if !matches!(cte.query.body.as_ref(), SetExpr::SetOperation { .. }) {
        return None;
    }
    let reads_itself =
        visit_relations(&cte.query.body, |r| match resolve::split_name(r) {
            Ok((None, n)) if n == name => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        })
        .is_break();
    if !reads_itself {
        return None;
    }
    let (limit, offset) = match &cte.query.limit_clause {
        Some(LimitClause::LimitOffset { limit, offset, .. }) => (limit.is_some(), offset.is_some()),
        Some(LimitClause::OffsetCommaLimit { .. }) => (true, true),
        None => (false, false),
    };
    let what = match () {
        _ if cte.query.order_by.is_some() => "ORDER BY",
        _ if offset => "OFFSET",
        _ if limit || cte.query.fetch.is_some() => "LIMIT",
        _ => return None,
    };
    Some(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("{what} in a recursive query is not implemented")))
}
