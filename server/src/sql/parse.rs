//! Parsing a query string into statements with PostgreSQL's dialect, and syntax errors in
//! PostgreSQL's words.
//!
//! Depth is bounded here, before anything else walks a statement: the parser's recursion
//! limit bounds nesting (parentheses, subqueries, calls) and [`check_depth`] the depth of
//! the expression trees it builds (a chain `1+1+...` is parsed iteratively into a tree as
//! deep as it is long). Deeper input answers 54001, as PostgreSQL's `max_stack_depth` does
//! (it refuses `1+1+...` from about 4,000 terms); everything within the bounds is parsed,
//! planned and run on the session's thread, whose stack holds it (`worker.rs`).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{Expr, Query, SetExpr, Statement, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;
use shale_catalog::{CatalogError, sqlstate};
// How deeply the parser may recurse (each level of parentheses takes a few).
use shale_pgtypes::sql::MAX_NESTING;

/// Every statement in `sql`; empty statements (`;;`) are dropped. `ABORT`, which
/// sqlparser does not know, is PostgreSQL's ROLLBACK.
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>, CatalogError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).with_recursion_limit(MAX_NESTING).try_with_sql(sql).map_err(syntax_error)?;
    let mut statements = Vec::new();
    let mut delimited = true;
    loop {
        while parser.consume_token(&Token::SemiColon) {
            delimited = true;
        }
        if parser.peek_token().token == Token::EOF {
            return Ok(statements);
        }
        if !delimited {
            return Err(syntax_error(ParserError::ParserError(format!("Expected: end of statement, found: {}", parser.peek_token()))));
        }
        let statement = if parser.parse_keyword(Keyword::ABORT) {
            let _ = parser.parse_one_of_keywords(&[Keyword::WORK, Keyword::TRANSACTION]);
            Statement::Rollback { chain: false, savepoint: None }
        } else {
            parser.parse_statement().map_err(syntax_error)?
        };
        check_depth(&statement)?;
        check_locking_clauses(&statement)?;
        statements.push(statement);
        delimited = false;
    }
}


/// How deep an expression tree may be.
const MAX_EXPRESSION_DEPTH: usize = 4_000;

/// 54001 when an expression of `stmt` is deeper than [`MAX_EXPRESSION_DEPTH`]. The walk
/// stops at that depth, so it never recurses deeper itself.
fn check_depth(stmt: &Statement) -> Result<(), CatalogError> {
    struct Depth(usize);
    impl Visitor for Depth {
        type Break = ();
        fn pre_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
            self.0 += 1;
            if self.0 > MAX_EXPRESSION_DEPTH { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        }
        fn post_visit_expr(&mut self, _: &Expr) -> ControlFlow<()> {
            self.0 -= 1;
            ControlFlow::Continue(())
        }
    }
    match stmt.visit(&mut Depth(0)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(stack_depth_exceeded()),
    }
}

/// 0A000 for FOR UPDATE / FOR SHARE anywhere but on a statement's own SELECT of one table
/// (see `shale_catalog::access::dml::is_locking_select`) or on a subquery of the WHERE
/// clause of UPDATE or DELETE (not inside another subquery there), which the catalog runs
/// as a locking SELECT first: in another subquery, a CTE or the query of INSERT ... SELECT,
/// DataFusion would plan the query and lock nothing.
fn check_locking_clauses(stmt: &Statement) -> Result<(), CatalogError> {
    struct Nested(Vec<*const Query>);
    impl Visitor for Nested {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            let allowed = self.0.iter().any(|q| std::ptr::eq(*q, query));
            if !query.locks.is_empty() && !allowed { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        }
    }
    let mut allowed = Vec::new();
    match stmt {
        Statement::Query(q) => {
            allowed.push(q.as_ref() as *const Query);
            // The UPDATEs and DELETEs of a statement with data-modifying WITH queries.
            let ctes = q.with.iter().flat_map(|w| w.cte_tables.iter().map(|c| c.query.body.as_ref()));
            for body in ctes.chain([q.body.as_ref()]) {
                if let SetExpr::Update(changes) | SetExpr::Delete(changes) = body {
                    allowed.extend(changing_where_subqueries(changes));
                }
            }
        }
        other => allowed.extend(changing_where_subqueries(other)),
    }
    match stmt.visit(&mut Nested(allowed)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(CatalogError::unsupported(
            "FOR UPDATE / FOR SHARE in a subquery other than one of the WHERE clause of UPDATE or DELETE, a WITH query or the query of another statement",
        )),
    }
}

/// The subqueries of the WHERE clause of an UPDATE or DELETE that are not inside another
/// subquery.
fn changing_where_subqueries(stmt: &Statement) -> Vec<*const Query> {
    match stmt {
        Statement::Update(update) => where_subqueries(update.selection.as_ref()),
        Statement::Delete(delete) => where_subqueries(delete.selection.as_ref()),
        _ => Vec::new(),
    }
}

/// The subqueries of a WHERE clause that are not inside another subquery.
fn where_subqueries(selection: Option<&Expr>) -> Vec<*const Query> {
    struct Outer {
        depth: usize,
        found: Vec<*const Query>,
    }
    impl Visitor for Outer {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if let (0, Expr::Subquery(q) | Expr::InSubquery { subquery: q, .. } | Expr::Exists { subquery: q, .. }) = (self.depth, e) {
                self.found.push(q.as_ref() as *const Query);
            }
            ControlFlow::Continue(())
        }
    }
    let mut outer = Outer { depth: 0, found: Vec::new() };
    if let Some(selection) = selection {
        let _ = selection.visit(&mut outer);
    }
    outer.found
}

/// 54001, in PostgreSQL's words.
fn stack_depth_exceeded() -> CatalogError {
    CatalogError::new(sqlstate::STATEMENT_TOO_COMPLEX, "stack depth limit exceeded").with_hint(
        "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the platform's stack depth limit is adequate.",
    )
}

/// 42601 `syntax error at or near "x"` (or at end of input); 54001 for input nested
/// deeper than the parser goes.
fn syntax_error(e: ParserError) -> CatalogError {
    if matches!(e, ParserError::RecursionLimitExceeded) {
        return stack_depth_exceeded();
    }
    let text = e.to_string();
    let message = match text.split("found: ").nth(1) {
        Some(rest) => {
            let token = rest.split(" at Line:").next().unwrap_or(rest).trim();
            if token == "EOF" {
                "syntax error at end of input".to_string()
            } else {
                format!("syntax error at or near \"{token}\"")
            }
        }
        None => text.trim_start_matches("sql parser error: ").to_string(),
    };
    CatalogError::new(sqlstate::SYNTAX_ERROR, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_like_postgres() {
        let e = parse_statements("SELEC 1").unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("42601", "syntax error at or near \"SELEC\""));
        assert_eq!(parse_statements(" ; ;").unwrap().len(), 0);
        assert_eq!(parse_statements("SELECT 1; SELECT 2").unwrap().len(), 2);
        assert_eq!(parse_statements("SELECT 1 SELECT 2").unwrap_err().code, "42601");
        let abort = parse_statements("abort; ABORT WORK;").unwrap();
        assert!(abort.iter().all(|s| matches!(s, Statement::Rollback { chain: false, savepoint: None })));
    }

    #[test]
    fn locking_clauses_only_where_they_lock() {
        let take = "(SELECT id FROM t ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)";
        for allowed in [
            "SELECT id FROM t FOR UPDATE".to_string(),
            format!("UPDATE t SET v = 1 WHERE id = {take} OR id IN {take} OR EXISTS {take}"),
            format!("DELETE FROM t WHERE id = ANY {take} RETURNING *"),
            format!("WITH d AS (DELETE FROM t WHERE id = {take} RETURNING *) UPDATE t SET v = 2 WHERE id IN {take}"),
        ] {
            assert!(parse_statements(&allowed).is_ok(), "{allowed}");
        }
        for refused in [
            format!("SELECT * FROM t WHERE id IN {take}"),
            format!("UPDATE t SET v = {take}"),
            format!("UPDATE t SET v = 1 WHERE id IN (SELECT id FROM {take} s)"),
            format!("DELETE FROM t WHERE id = 1 RETURNING {take}"),
            "INSERT INTO t SELECT * FROM t FOR UPDATE".to_string(),
            "WITH l AS (SELECT id FROM t FOR UPDATE) SELECT * FROM l".to_string(),
        ] {
            assert_eq!(parse_statements(&refused).unwrap_err().code, "0A000", "{refused}");
        }
    }
}
