//! Parsing bits of SQL that Shale writes or stores itself (default expressions, rewritten
//! queries) with PostgreSQL's dialect, and recognising the DEFAULT keyword and `$n`.

use datafusion::sql::sqlparser::ast::{DataType, Expr, Query, Value};
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::{PgError, Result};

/// Parses one SQL expression.
pub fn parse_expr(sql: &str) -> Result<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| PgError::internal(format!("expression {sql:?} does not parse: {e}")))
}

/// Parses one data type (a type name Shale wrote, such as an array type's).
pub fn parse_data_type(sql: &str) -> Result<DataType> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|e| PgError::internal(format!("type {sql:?} does not parse: {e}")))
}

/// How deeply [`parse_query`] may recurse: as deep as the server parses what clients send,
/// so a query the server accepted and stored parses again.
pub const MAX_NESTING: usize = 10_000;

/// Parses one query.
pub fn parse_query(sql: &str) -> Result<Query> {
    Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_query())
        .map(|q| *q)
        .map_err(|e| PgError::internal(format!("query {sql:?} does not parse: {e}")))
}

/// Whether `e` is the keyword DEFAULT (as a VALUES item or an UPDATE value).
pub fn is_default_keyword(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"))
}

/// The zero-based index of `$n`, if `e` is a bare placeholder.
pub fn placeholder_index(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse::<usize>().ok()?.checked_sub(1),
            _ => None,
        },
        _ => None,
    }
}
