//! [`ClientExt`]: assertion-friendly calls on a `tokio_postgres::Client`.
//!
//! Everything here goes through the simple query protocol and reads values as the text the
//! server sends, so that an expected value is written exactly as PostgreSQL prints it.

use std::future::Future;
use std::time::Duration;

use tokio_postgres::error::DbError;
use tokio_postgres::{Client, SimpleQueryMessage};

/// No single call may hang a test: a stuck server fails it instead.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// Awaits `fut`, failing the test if it takes longer than a minute.
pub async fn within<F: Future>(fut: F, what: &str) -> F::Output {
    tokio::time::timeout(CALL_TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| panic!("no answer within {CALL_TIMEOUT:?}: {what}"))
}

/// Renders rows the way the tests write expected values: columns joined by `|`, SQL NULL
/// as `NULL`.
pub fn render_rows(messages: &[SimpleQueryMessage]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL"))
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            _ => None,
        })
        .collect()
}

#[allow(async_fn_in_trait)]
pub trait ClientExt {
    /// Runs one or more statements that must succeed.
    async fn run(&self, sql: &str);

    /// The rows of the statements in `sql`, rendered by [`render_rows`].
    async fn lines(&self, sql: &str) -> Vec<String>;

    /// The single value of a query that returns one row of one column (NULL as `NULL`).
    async fn value(&self, sql: &str) -> String;

    /// The affected-row counts of the statements in `sql`, one per statement.
    async fn counts(&self, sql: &str) -> Vec<u64>;

    /// Runs `sql`, which must fail, and returns the server's error.
    async fn error(&self, sql: &str) -> DbError;

    /// Runs `sql`, which must fail with SQLSTATE `code`; then checks that the session goes
    /// on (design invariant 5).
    async fn expect_sqlstate(&self, sql: &str, code: &str);
}

impl ClientExt for Client {
    async fn run(&self, sql: &str) {
        if let Err(e) = within(self.batch_execute(sql), sql).await {
            panic!("{sql}\nfailed: {}", describe(&e));
        }
    }

    async fn lines(&self, sql: &str) -> Vec<String> {
        match within(self.simple_query(sql), sql).await {
            Ok(messages) => render_rows(&messages),
            Err(e) => panic!("{sql}\nfailed: {}", describe(&e)),
        }
    }

    async fn value(&self, sql: &str) -> String {
        let messages = match within(self.simple_query(sql), sql).await {
            Ok(messages) => messages,
            Err(e) => panic!("{sql}\nfailed: {}", describe(&e)),
        };
        let rows: Vec<_> = messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(row) => Some(row),
                _ => None,
            })
            .collect();
        assert_eq!(
            rows.len(),
            1,
            "{sql}: expected one row, got {:?}",
            render_rows(&messages)
        );
        assert_eq!(
            rows[0].len(),
            1,
            "{sql}: expected one column, got {:?}",
            render_rows(&messages)
        );
        rows[0].get(0).unwrap_or("NULL").to_string()
    }

    async fn counts(&self, sql: &str) -> Vec<u64> {
        match within(self.simple_query(sql), sql).await {
            Ok(messages) => messages
                .iter()
                .filter_map(|m| match m {
                    SimpleQueryMessage::CommandComplete(n) => Some(*n),
                    _ => None,
                })
                .collect(),
            Err(e) => panic!("{sql}\nfailed: {}", describe(&e)),
        }
    }

    async fn error(&self, sql: &str) -> DbError {
        match within(self.simple_query(sql), sql).await {
            Ok(messages) => panic!(
                "{sql}\nsucceeded, returning {:?}; expected an error",
                render_rows(&messages)
            ),
            Err(e) => match e.as_db_error() {
                Some(db) => db.clone(),
                None => panic!("{sql}\nfailed without an ErrorResponse: {e:?}"),
            },
        }
    }

    async fn expect_sqlstate(&self, sql: &str, code: &str) {
        let err = self.error(sql).await;
        assert_eq!(
            err.code().code(),
            code,
            "{sql}\nfailed with the wrong SQLSTATE: {}",
            err.message()
        );
        assert_eq!(
            self.value("SELECT 'alive'").await,
            "alive",
            "the session must go on after: {sql}"
        );
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => format!("{e:?}"),
    }
}
