//! [`ClientExt`]: assertion-friendly calls on a `tokio_postgres::Client`.
//!
//! Everything here goes through the simple query protocol and reads values as the text the
//! server sends, so that an expected value is written exactly as PostgreSQL prints it.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
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

/// What a statement sent through the simple query protocol gives back.
pub type QueryResult = Result<Vec<SimpleQueryMessage>, tokio_postgres::Error>;

/// A statement running in a task of its own on a client moved into it, for tests of lock
/// waits: the test can see that it waits, do what ends the wait, then take its result and
/// the client back.
pub struct Background {
    sql: String,
    task: JoinHandle<(Client, QueryResult)>,
}

impl Background {
    /// Sends `sql` on `client` (one Query message) in a new task.
    pub fn start(client: Client, sql: &str) -> Background {
        let statement = sql.to_string();
        let task = tokio::spawn(async move {
            let result = client.simple_query(&statement).await;
            (client, result)
        });
        Background {
            sql: sql.to_string(),
            task,
        }
    }

    /// Whether the statement is still running after `wait`: blocked on a lock, when the
    /// test has made it wait for one.
    pub async fn still_running_after(&self, wait: Duration) -> bool {
        tokio::time::sleep(wait).await;
        !self.task.is_finished()
    }

    /// The result and the client, failing the test if it takes longer than `limit`.
    pub async fn finish_within(self, limit: Duration) -> (Client, QueryResult) {
        match tokio::time::timeout(limit, self.task).await {
            Ok(joined) => joined.expect("the statement's task panicked"),
            Err(_) => panic!("no answer within {limit:?}: {}", self.sql),
        }
    }

    /// [`Background::finish_within`] the usual call timeout.
    pub async fn finish(self) -> (Client, QueryResult) {
        self.finish_within(CALL_TIMEOUT).await
    }
}

/// The SQLSTATE of a failed statement, `None` if it succeeded; a failure without an
/// ErrorResponse (a lost connection) fails the test.
pub fn sqlstate(result: &QueryResult) -> Option<&str> {
    match result {
        Ok(_) => None,
        Err(e) => match e.as_db_error() {
            Some(db) => Some(db.code().code()),
            None => panic!("failed without an ErrorResponse: {e:?}"),
        },
    }
}

#[allow(async_fn_in_trait)]
pub trait ClientExt {
    /// Runs one or more statements that must succeed.
    async fn run(&self, sql: &str);

    /// The rows of the statements in `sql`, rendered by [`render_rows`].
    async fn lines(&self, sql: &str) -> Vec<String>;

    /// The single value of a query that returns one row of one column (NULL as `NULL`).
    async fn value(&self, sql: &str) -> String;

    /// The column names of the result of `sql` (simple query protocol).
    async fn column_names(&self, sql: &str) -> Vec<String>;

    /// The affected-row counts of the statements in `sql`, one per statement.
    async fn counts(&self, sql: &str) -> Vec<u64>;

    /// Runs `sql`, which must fail, and returns the server's error.
    async fn error(&self, sql: &str) -> DbError;

    /// Runs `sql`, which must fail with SQLSTATE `code`; then checks that the session goes
    /// on (design invariant 5).
    async fn expect_sqlstate(&self, sql: &str, code: &str);

    /// [`ClientExt::expect_sqlstate`] that also checks the error's message.
    async fn expect_error(&self, sql: &str, code: &str, message: &str);

    /// Runs `sql` in a transaction block, where it must fail with SQLSTATE `code` and
    /// `message` (the block is failed then: nothing else runs until it ends).
    async fn expect_error_in_block(&self, sql: &str, code: &str, message: &str);
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

    async fn column_names(&self, sql: &str) -> Vec<String> {
        let messages = match within(self.simple_query(sql), sql).await {
            Ok(messages) => messages,
            Err(e) => panic!("{sql}\nfailed: {}", describe(&e)),
        };
        let columns = messages.iter().find_map(|m| match m {
            SimpleQueryMessage::RowDescription(columns) => Some(columns.iter().map(|c| c.name().to_string()).collect()),
            _ => None,
        });
        columns.unwrap_or_else(|| panic!("{sql}: no RowDescription"))
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

    async fn expect_error(&self, sql: &str, code: &str, message: &str) {
        let err = self.error(sql).await;
        let shown = sql.char_indices().nth(300).map_or(sql, |(i, _)| &sql[..i]);
        assert_eq!((err.code().code(), err.message()), (code, message), "{shown}");
        assert_eq!(self.value("SELECT 'alive'").await, "alive", "the session must go on after: {shown}");
    }

    async fn expect_error_in_block(&self, sql: &str, code: &str, message: &str) {
        let err = self.error(sql).await;
        assert_eq!((err.code().code(), err.message()), (code, message), "{sql}");
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
