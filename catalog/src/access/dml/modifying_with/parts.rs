//! A statement with data-modifying WITH queries in its parts: each WITH query, then the
//! main statement, each a query or an INSERT, UPDATE or DELETE; which of them run, and what
//! PostgreSQL refuses in them.

use std::collections::HashSet;
use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    self, Ident, ObjectName, Query, SetExpr, Statement, Visit, Visitor, With, visit_relations,
};

use crate::error::{CatalogError, Result, sqlstate};
use crate::resolve;

/// What a part is.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// A query (a WITH query's as `WITH name AS (...) SELECT * FROM name`).
    Query(Query),
    /// INSERT, UPDATE or DELETE.
    Change(Statement),
}

/// A WITH query or the main statement.
#[derive(Debug, Clone)]
pub(super) struct Part {
    /// The WITH query's name; `None` for the main statement.
    pub name: Option<String>,
    /// The names a data-modifying WITH query gives its RETURNING columns (`WITH d(a, b)`).
    pub columns: Vec<String>,
    pub body: Body,
    /// Whether it runs: every data-modifying one does, a query only when another part that
    /// runs reads it (PostgreSQL does not evaluate a WITH query nothing reads).
    pub runs: bool,
}

impl Part {
    /// The names of the relations it reads or writes, as written.
    pub fn relations(&self) -> Vec<ObjectName> {
        let mut names = Vec::new();
        let mut add = |name: &ObjectName| {
            names.push(name.clone());
            ControlFlow::<()>::Continue(())
        };
        let _ = match &self.body {
            Body::Query(q) => visit_relations(q, &mut add),
            Body::Change(stmt) => visit_relations(stmt, &mut add),
        };
        names
    }

    /// The WITH query's name, for messages.
    fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }
}

/// The WITH queries, then the main statement.
pub(super) fn split(mut query: Query) -> Result<Vec<Part>> {
    if !query.locks.is_empty() {
        return Err(CatalogError::unsupported("FOR UPDATE / FOR SHARE in a statement with data-modifying WITH queries"));
    }
    let with = query.with.take();
    let main = match *query.body {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => Body::Change(s),
        SetExpr::Merge(_) => return Err(CatalogError::unsupported("MERGE")),
        body => Body::Query(Query { body: Box::new(body), ..query }),
    };
    let mut parts = Vec::new();
    if let Some(With { with_token, recursive, cte_tables }) = with {
        let mut names = HashSet::new();
        for cte in cte_tables {
            let name = resolve::normalize(&cte.alias.name);
            if !names.insert(name.clone()) {
                return Err(CatalogError::new(
                    sqlstate::DUPLICATE_ALIAS,
                    format!("WITH query name \"{name}\" specified more than once"),
                ));
            }
            if matches!(cte.query.body.as_ref(), SetExpr::Merge(_)) {
                return Err(CatalogError::unsupported("MERGE"));
            }
            if !matches!(cte.query.body.as_ref(), SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_)) {
                // Its column names stay with it.
                let mut select = shale_pgtypes::sql::parse_query(&format!("SELECT * FROM {}", Ident::with_quote('"', name.as_str())))?;
                select.with = Some(With { with_token: with_token.clone(), recursive, cte_tables: vec![cte] });
                parts.push(Part { name: Some(name), columns: Vec::new(), body: Body::Query(select), runs: false });
                continue;
            }
            let columns = cte.alias.columns.iter().map(|c| resolve::normalize(&c.name)).collect();
            let (SetExpr::Insert(stmt) | SetExpr::Update(stmt) | SetExpr::Delete(stmt)) = *cte.query.body else {
                return Err(CatalogError::internal("a data-modifying WITH query is not an INSERT, UPDATE or DELETE"));
            };
            parts.push(Part { name: Some(name), columns, body: Body::Change(stmt), runs: true });
        }
    }
    parts.push(Part { name: None, columns: Vec::new(), body: main, runs: true });
    for part in &parts {
        refuse_nested_changes(part)?;
    }
    mark_the_queries_that_run(&mut parts);
    refuse_reading_what_returns_nothing(&parts)?;
    Ok(parts)
}

/// 0A000 for an INSERT, UPDATE or DELETE in a WITH query that is not the statement's own.
fn refuse_nested_changes(part: &Part) -> Result<()> {
    struct Nested;
    impl Visitor for Nested {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            match query.body.as_ref() {
                SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    let nested = match &part.body {
        Body::Query(q) => q.visit(&mut Nested),
        Body::Change(stmt) => stmt.visit(&mut Nested),
    };
    match nested {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(CatalogError::new(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "WITH clause containing a data-modifying statement must be at the top level",
        )),
    }
}

/// The names of the WITH queries `part` reads (by an unqualified name).
fn reads_of<'p>(part: &Part, parts: &'p [Part]) -> Vec<&'p str> {
    let read: HashSet<String> = part
        .relations()
        .iter()
        .filter_map(|name| match resolve::split_name(name) {
            Ok((None, relation)) => Some(relation),
            _ => None,
        })
        .collect();
    parts
        .iter()
        .filter_map(|p| p.name.as_deref())
        .filter(|name| part.name.as_deref() != Some(*name) && read.contains(*name))
        .collect()
}

/// Marks the WITH queries read by a part that runs as running.
fn mark_the_queries_that_run(parts: &mut [Part]) {
    loop {
        let read: HashSet<String> = parts
            .iter()
            .filter(|p| p.runs)
            .flat_map(|p| reads_of(p, parts).into_iter().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let mut more = false;
        for part in parts.iter_mut() {
            if !part.runs && part.name.as_ref().is_some_and(|n| read.contains(n)) {
                part.runs = true;
                more = true;
            }
        }
        if !more {
            return;
        }
    }
}

/// 0A000 for reading a data-modifying WITH query without RETURNING, as PostgreSQL answers.
fn refuse_reading_what_returns_nothing(parts: &[Part]) -> Result<()> {
    for part in parts.iter().filter(|p| p.runs) {
        for name in reads_of(part, parts) {
            let Some(read) = parts.iter().find(|p| p.name.as_deref() == Some(name)) else { continue };
            if let Body::Change(stmt) = &read.body {
                if returning(stmt).is_none() {
                    return Err(CatalogError::new(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        format!("WITH query \"{}\" does not have a RETURNING clause", read.display_name()),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The RETURNING list of an INSERT, UPDATE or DELETE.
fn returning(stmt: &Statement) -> Option<&[ast::SelectItem]> {
    match stmt {
        Statement::Insert(s) => s.returning.as_deref(),
        Statement::Update(s) => s.returning.as_deref(),
        Statement::Delete(s) => s.returning.as_deref(),
        _ => None,
    }
}

/// Whether `query` is, or holds, an INSERT, UPDATE or DELETE.
pub(super) fn changes_data(query: &Query) -> bool {
    struct Changes;
    impl Visitor for Changes {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            match query.body.as_ref() {
                SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    query.visit(&mut Changes).is_break()
}
