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

use datafusion::sql::sqlparser::ast::{Expr, Query, Statement, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;
use shale_catalog::{CatalogError, sqlstate};

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

/// How deeply the parser may recurse (each level of parentheses takes a few).
const MAX_NESTING: usize = 10_000;

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
/// (see `shale_catalog::access::dml::is_locking_select`): in a subquery, a CTE or the query
/// of INSERT ... SELECT, DataFusion would plan the query and lock nothing.
fn check_locking_clauses(stmt: &Statement) -> Result<(), CatalogError> {
    struct Nested<'a>(Option<&'a Query>);
    impl Visitor for Nested<'_> {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
            let top = self.0.is_some_and(|top| std::ptr::eq(top, query));
            if !query.locks.is_empty() && !top { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
        }
    }
    let top = match stmt {
        Statement::Query(q) => Some(q.as_ref()),
        _ => None,
    };
    match stmt.visit(&mut Nested(top)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(CatalogError::unsupported(
            "FOR UPDATE / FOR SHARE in a subquery, a WITH query or the query of another statement",
        )),
    }
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
}
