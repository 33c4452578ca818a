//! One source of truth (issue 2, point 6): every session sees DDL at once, and a process
//! killed with SIGKILL loses nothing that was committed.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

const NONE: [&str; 0] = [];

/// Two sessions on one server, each having already planned a query (so any per-session
/// cache is warm).
async fn two_sessions() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let a = server.client().await;
    let b = server.client().await;
    a.run("CREATE TABLE warm (x int); INSERT INTO warm VALUES (1)")
        .await;
    assert_eq!(b.lines("SELECT x FROM warm").await, ["1"]);
    (server, a, b)
}

#[tokio::test]
async fn a_table_created_on_one_connection_is_queryable_at_once_on_another() {
    let (_server, a, b) = two_sessions().await;
    a.run("CREATE TABLE fresh (id int PRIMARY KEY, v text)")
        .await;
    assert_eq!(b.lines("SELECT * FROM fresh").await, NONE);
    a.run("INSERT INTO fresh VALUES (1, 'from a')").await;
    assert_eq!(b.lines("SELECT * FROM fresh").await, ["1|from a"]);
    b.run("INSERT INTO fresh VALUES (2, 'from b')").await;
    assert_eq!(
        a.lines("SELECT * FROM fresh ORDER BY id").await,
        ["1|from a", "2|from b"]
    );
}

#[tokio::test]
async fn a_table_dropped_on_one_connection_is_gone_at_once_on_another() {
    let (_server, a, b) = two_sessions().await;
    a.run("CREATE TABLE doomed (a int); INSERT INTO doomed VALUES (1)")
        .await;
    assert_eq!(b.lines("SELECT a FROM doomed").await, ["1"]);
    a.run("DROP TABLE doomed").await;
    b.expect_sqlstate("SELECT a FROM doomed", "42P01").await;
    b.expect_sqlstate("INSERT INTO doomed VALUES (2)", "42P01")
        .await;
    a.run("CREATE TABLE doomed (b text)").await;
    assert_eq!(
        b.lines("SELECT * FROM doomed").await,
        NONE,
        "the new table has none of the old rows"
    );
    b.expect_sqlstate("SELECT a FROM doomed", "42703").await;
    b.run("INSERT INTO doomed VALUES ('new')").await;
    assert_eq!(a.lines("SELECT b FROM doomed").await, ["new"]);
}

#[tokio::test]
async fn alter_table_on_one_connection_is_seen_at_once_on_another() {
    let (_server, a, b) = two_sessions().await;
    a.run("CREATE TABLE shape (id int PRIMARY KEY); INSERT INTO shape VALUES (1)")
        .await;
    assert_eq!(b.lines("SELECT * FROM shape").await, ["1"]);
    a.run("ALTER TABLE shape ADD COLUMN label text DEFAULT 'x'")
        .await;
    assert_eq!(b.lines("SELECT * FROM shape").await, ["1|x"]);
    a.run("ALTER TABLE shape RENAME COLUMN label TO tag").await;
    assert_eq!(b.lines("SELECT tag FROM shape").await, ["x"]);
    a.run("ALTER TABLE shape RENAME TO form").await;
    b.expect_sqlstate("SELECT * FROM shape", "42P01").await;
    assert_eq!(b.lines("SELECT id, tag FROM form").await, ["1|x"]);
    a.run("ALTER TABLE form DROP COLUMN tag").await;
    assert_eq!(b.lines("SELECT * FROM form").await, ["1"]);
}

#[tokio::test]
async fn a_schema_created_on_one_connection_is_usable_at_once_on_another() {
    let (_server, a, b) = two_sessions().await;
    a.run("CREATE SCHEMA app; CREATE TABLE app.t (x int); INSERT INTO app.t VALUES (1)")
        .await;
    b.run("SET search_path = app").await;
    assert_eq!(b.lines("SELECT x FROM t").await, ["1"]);
    a.run("DROP SCHEMA app CASCADE").await;
    b.expect_sqlstate("SELECT x FROM app.t", "42P01").await;
}

/// The state [`CRASH_SETUP`] leaves, as `(query, expected rows)`.
const CRASH_CHECKS: &[(&str, &[&str])] = &[
    (
        "SELECT * FROM accounts ORDER BY id",
        &["1|ann|100.00|t", "3|cat|30.50|f", "4|dan|0.00|t"],
    ),
    (
        "SELECT * FROM shop.orders ORDER BY id",
        &["10|1|2024-01-02", "11|3|2024-02-03"],
    ),
    ("SELECT * FROM log", &["boot", "second"]),
    ("SELECT * FROM recreated", &["new"]),
    (
        "SELECT id, note FROM renamed ORDER BY id",
        &["1|NULL", "2|kept"],
    ),
];

/// Creates tables in two schemas, rows changed by every kind of DML, a dropped table, a
/// table dropped and created again, an altered and renamed one: one statement at a time,
/// each committed on its own.
const CRASH_SETUP: &[&str] = &[
    "CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL, balance numeric(10,2), active boolean)",
    "INSERT INTO accounts VALUES (1, 'ann', 50, true), (2, 'bob', 20, true), (3, 'cat', 30.5, false)",
    "UPDATE accounts SET balance = 100 WHERE id = 1",
    "DELETE FROM accounts WHERE id = 2",
    "INSERT INTO accounts VALUES (4, 'dan', 0, true)",
    "CREATE SCHEMA shop",
    "CREATE TABLE shop.orders (id bigint PRIMARY KEY, account int, placed date)",
    "INSERT INTO shop.orders VALUES (10, 1, '2024-01-02'), (11, 3, '2024-02-03')",
    "CREATE TABLE log (msg text)",
    "INSERT INTO log VALUES ('boot'), ('second')",
    "CREATE TABLE dropped (x int)",
    "INSERT INTO dropped VALUES (1)",
    "DROP TABLE dropped",
    "CREATE TABLE recreated (x int)",
    "INSERT INTO recreated VALUES (1)",
    "DROP TABLE recreated",
    "CREATE TABLE recreated (v text)",
    "INSERT INTO recreated VALUES ('new')",
    "CREATE TABLE altered (id int PRIMARY KEY, gone text)",
    "INSERT INTO altered VALUES (1, 'a')",
    "ALTER TABLE altered DROP COLUMN gone",
    "ALTER TABLE altered ADD COLUMN note text",
    "INSERT INTO altered VALUES (2, 'kept')",
    "ALTER TABLE altered RENAME TO renamed",
];

async fn crash_state(client: &Client) {
    for statement in CRASH_SETUP {
        client.run(statement).await;
    }
}

async fn assert_crash_state(client: &Client) {
    for (query, expected) in CRASH_CHECKS {
        assert_eq!(client.lines(query).await, *expected, "{query}");
    }
    client
        .expect_sqlstate("SELECT * FROM dropped", "42P01")
        .await;
    client
        .expect_sqlstate("SELECT * FROM altered", "42P01")
        .await;
}

#[tokio::test]
async fn every_committed_table_and_row_survives_sigkill() {
    let Some(mut server) = TestServer::start_shale("needs SIGKILL and a restart").await else {
        return;
    };
    crash_state(&server.client().await).await;
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_crash_state(&client).await;

    client.run("INSERT INTO log VALUES ('after restart'); CREATE TABLE later (x int); INSERT INTO later VALUES (42)").await;
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_eq!(
        client.lines("SELECT * FROM log").await,
        ["boot", "second", "after restart"]
    );
    assert_eq!(client.lines("SELECT x FROM later").await, ["42"]);
    assert_eq!(client.lines("SELECT * FROM recreated").await, ["new"]);
}

#[tokio::test]
async fn each_acknowledged_insert_survives_an_immediate_sigkill() {
    let Some(mut server) = TestServer::start_shale("needs SIGKILL and a restart").await else {
        return;
    };
    let client = server.client().await;
    client.run("CREATE TABLE acks (n int PRIMARY KEY)").await;
    for n in 1..=20 {
        client.run(&format!("INSERT INTO acks VALUES ({n})")).await;
    }
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_eq!(
        client.lines("SELECT count(*), sum(n) FROM acks").await,
        ["20|210"]
    );
}

#[tokio::test]
async fn the_crash_state_reads_the_same_without_a_crash() {
    // The same checks as after SIGKILL, in every mode: they are PostgreSQL's answers.
    let (server, client) = TestServer::start_with_client().await;
    crash_state(&client).await;
    assert_crash_state(&server.client().await).await;
}
