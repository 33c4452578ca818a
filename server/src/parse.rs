//! Parsing a query string into statements with PostgreSQL's dialect, and syntax errors in
//! PostgreSQL's words.

use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use shale_catalog::{CatalogError, sqlstate};

/// Every statement in `sql`; empty statements (`;;`) are dropped.
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>, CatalogError> {
    Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(syntax_error)
}

/// 42601 `syntax error at or near "x"` (or at end of input).
fn syntax_error(e: ParserError) -> CatalogError {
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
    }
}
