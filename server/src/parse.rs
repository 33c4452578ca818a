//! Parsing a query string into statements with PostgreSQL's dialect, and syntax errors in
//! PostgreSQL's words.

use datafusion::sql::sqlparser::ast::Statement;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;
use shale_catalog::{CatalogError, sqlstate};

/// Every statement in `sql`; empty statements (`;;`) are dropped. `ABORT`, which
/// sqlparser does not know, is PostgreSQL's ROLLBACK.
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>, CatalogError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(sql).map_err(syntax_error)?;
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
        statements.push(statement);
        delimited = false;
    }
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
        assert_eq!(parse_statements("SELECT 1 SELECT 2").unwrap_err().code, "42601");
        let abort = parse_statements("abort; ABORT WORK;").unwrap();
        assert!(abort.iter().all(|s| matches!(s, Statement::Rollback { chain: false, savepoint: None })));
    }
}
