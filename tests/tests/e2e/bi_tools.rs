//! BI tools' start-up and browse queries (issue 5, point 8): what DBeaver, Metabase, Grafana
//! and pgAdmin 4 send on connect and when they list schemas, tables and columns, taken from
//! their public source into `tests/sql/bi/<tool>.sql` (format: `tests/sql/bi/README.md`).
//! Also psql 15's tab completion (issue 5, point 3): the queries it sends to complete table,
//! column, schema, function, type, role and setting names (`psql_completion.sql`, captured
//! from a real psql).
//! Every statement is replayed through the simple query protocol against a small schema and
//! must succeed and show what its `-- expect:` line says (the listing of tables holds the
//! test tables, the listing of columns their columns, ...). All failures of a tool are
//! reported together: the list is the to-do list of catalog support.

use std::path::PathBuf;

use shale_tests::{ClientExt, TestServer, within};
use tokio_postgres::{Client, SimpleQueryMessage};

/// The schema every file's placeholders and expectations refer to.
const SCHEMA: &str = "\
CREATE SCHEMA bi;
CREATE TABLE bi.items (id integer PRIMARY KEY, name varchar(40) NOT NULL,
    price numeric(10,2) DEFAULT 0, added date, active boolean NOT NULL DEFAULT true);
CREATE TABLE bi.order_lines (order_id bigint, line smallint, qty integer DEFAULT 1,
    PRIMARY KEY (order_id, line));
INSERT INTO bi.items VALUES (1, 'pen', 1.25, '2024-01-02', true), (2, 'ink', 4, NULL, false)";

/// What a statement's result must show (its `-- expect:` line).
#[derive(Debug)]
enum Expect {
    /// It succeeds.
    Ok,
    /// It returns at least one row.
    Rows,
    /// It returns no row.
    NoRows,
    /// Each of these appears as a whole field value in some row.
    Values(Vec<String>),
}

/// One statement of a tool's file, placeholders filled in.
struct Statement {
    sql: String,
    expect: Expect,
}

/// The statements of `tests/sql/bi/<tool>.sql`, with each `(placeholder, value)` of
/// `values` substituted.
fn statements(tool: &str, values: &[(&str, String)]) -> Vec<Statement> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sql")
        .join("bi")
        .join(format!("{tool}.sql"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let text = values.iter().fold(text, |text, (placeholder, value)| {
        text.replace(placeholder, value)
    });
    text.split("\n-- next\n")
        .map(|chunk| Statement {
            sql: chunk.trim().to_string(),
            expect: expectation(chunk),
        })
        .collect()
}

fn expectation(chunk: &str) -> Expect {
    let lines: Vec<&str> = chunk
        .lines()
        .filter_map(|line| line.strip_prefix("-- expect: "))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one `-- expect:` line per statement:\n{chunk}"
    );
    match lines[0].trim() {
        "ok" => Expect::Ok,
        "rows" => Expect::Rows,
        "no rows" => Expect::NoRows,
        other => match other.strip_prefix("values ") {
            Some(list) => Expect::Values(list.split('|').map(|v| v.trim().to_string()).collect()),
            None => panic!("unknown expectation `{other}` in:\n{chunk}"),
        },
    }
}

/// Why `messages` do not meet `expect`, if they do not.
fn unmet(expect: &Expect, messages: &[SimpleQueryMessage]) -> Option<String> {
    let rows: Vec<Vec<Option<&str>>> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => {
                Some((0..row.len()).map(|i| row.get(i)).collect::<Vec<_>>())
            }
            _ => None,
        })
        .collect();
    match expect {
        Expect::Ok => None,
        Expect::Rows if rows.is_empty() => Some("returned no row".into()),
        Expect::NoRows if !rows.is_empty() => Some(format!("returned rows: {rows:?}")),
        Expect::Values(values) => {
            let missing: Vec<&String> = values
                .iter()
                .filter(|v| {
                    !rows
                        .iter()
                        .flatten()
                        .any(|field| *field == Some(v.as_str()))
                })
                .collect();
            (!missing.is_empty()).then(|| format!("no field holds {missing:?}; rows: {rows:?}"))
        }
        _ => None,
    }
}

/// The values of the files' placeholders on this server.
async fn placeholders(client: &Client) -> Vec<(&'static str, String)> {
    vec![
        (
            "${database}",
            client.value("SELECT current_database()").await,
        ),
        (
            "${schema_oid}",
            client
                .value("SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'bi'")
                .await,
        ),
        (
            "${table_oid}",
            client
                .value(
                    "SELECT c.oid FROM pg_catalog.pg_class c \
                     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                     WHERE n.nspname = 'bi' AND c.relname = 'items'",
                )
                .await,
        ),
    ]
}

/// Replays every statement of `tool`'s file on one connection, as the tool would, and fails
/// with the list of statements that failed or did not show what they should.
async fn replay(tool: &str) {
    let (server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    let values = placeholders(&client).await;
    let statements = statements(tool, &values);
    let mut failures = Vec::new();
    for statement in &statements {
        let problem = match within(client.simple_query(&statement.sql), &statement.sql).await {
            Ok(messages) => unmet(&statement.expect, &messages),
            Err(e) => Some(match e.as_db_error() {
                Some(db) => format!("failed: {} {}", db.code().code(), db.message()),
                None => format!("failed: {e:?}"),
            }),
        };
        if let Some(problem) = problem {
            failures.push(format!("{}\n=> {problem}", statement.sql));
        }
    }
    assert!(
        failures.is_empty(),
        "{tool}: {} of {} statements failed:\n\n{}\n{}",
        failures.len(),
        statements.len(),
        failures.join("\n\n"),
        server.log()
    );
}

#[tokio::test]
async fn dbeaver() {
    replay("dbeaver").await;
}

#[tokio::test]
async fn metabase() {
    replay("metabase").await;
}

#[tokio::test]
async fn grafana() {
    replay("grafana").await;
}

#[tokio::test]
async fn pgadmin() {
    replay("pgadmin").await;
}

#[tokio::test]
async fn psql_completion() {
    replay("psql_completion").await;
}
