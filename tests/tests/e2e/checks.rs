//! CHECK constraints (issue 13, point 3, in part): on columns and tables, enforced on
//! INSERT, UPDATE and upserts with PostgreSQL's 23514 and failing row, added over existing
//! rows and dropped by ALTER TABLE, and shown by pg_constraint and psql.

use shale_tests::{ClientExt, TestServer};

/// 23514 with `message` and `detail`.
async fn expect_violation(client: &tokio_postgres::Client, sql: &str, message: &str, detail: Option<&str>) {
    let e = client.error(sql).await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23514", message, detail), "{sql}");
}

#[tokio::test]
async fn check_constraints_are_enforced() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int CHECK (a > 0), b int, c text, CHECK (b > a), CONSTRAINT c_short CHECK (length(c) < 4))").await;
    client.run("INSERT INTO t VALUES (1, 2, 'x')").await;
    let violates = |name: &str| format!("new row for relation \"t\" violates check constraint \"{name}\"");
    expect_violation(&client, "INSERT INTO t VALUES (0, 2, 'x')", &violates("t_a_check"), Some("Failing row contains (0, 2, x).")).await;
    expect_violation(&client, "INSERT INTO t VALUES (1, 1, 'x')", &violates("t_check"), Some("Failing row contains (1, 1, x).")).await;
    expect_violation(&client, "INSERT INTO t VALUES (1, 2, 'xxxx')", &violates("c_short"), Some("Failing row contains (1, 2, xxxx).")).await;
    // NULL passes.
    client.run("INSERT INTO t VALUES (NULL, NULL, NULL)").await;
    expect_violation(&client, "UPDATE t SET b = 0 WHERE a = 1", &violates("t_check"), Some("Failing row contains (1, 0, x).")).await;
    expect_violation(&client, "INSERT INTO t VALUES (5, 1, 'y') ON CONFLICT DO NOTHING", &violates("t_check"), Some("Failing row contains (5, 1, y).")).await;
    expect_violation(&client, "ALTER TABLE t ADD CONSTRAINT b_small CHECK (b < 2)", "check constraint \"b_small\" of relation \"t\" is violated by some row", None).await;
    client.run("ALTER TABLE t ADD CHECK (b < 100)").await;
    expect_violation(&client, "INSERT INTO t VALUES (1, 200, 'z')", &violates("t_b_check"), Some("Failing row contains (1, 200, z).")).await;
    client.run("ALTER TABLE t DROP CONSTRAINT t_check; INSERT INTO t VALUES (5, 1, 'z')").await;
    client.expect_error("CREATE TABLE bad (a int CHECK (a))", "42804", "argument of CHECK must be type boolean, not type integer").await;
    client.expect_error("CREATE TABLE bad (a int CHECK (a > (SELECT 1)))", "0A000", "cannot use subquery in check constraint").await;
    assert_eq!(
        client.lines("SELECT conname, contype, conkey, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 't'::regclass ORDER BY 1").await,
        ["c_short|c|{3}|CHECK ((length(c) < 4))", "t_a_check|c|{1}|CHECK ((a > 0))", "t_b_check|c|{2}|CHECK ((b < 100))"]
    );
}

#[tokio::test]
async fn failing_rows_are_written_as_postgresql_writes_each_type() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "SET TimeZone = 'UTC'; \
             CREATE TABLE rates (cur char(3), as_of date CHECK (as_of > '2000-01-01'), rate numeric(18, 8) CHECK (rate > 0), \
             at timestamp, stamped timestamptz, clock time, span interval, raw bytea, tags text[], ratio float8, note text)",
        )
        .await;
    let violates = |name: &str| format!("new row for relation \"rates\" violates check constraint \"{name}\"");
    expect_violation(
        &client,
        "INSERT INTO rates VALUES ('EUR', '2024-03-01', 0, '2024-03-01 10:00', '2024-03-01 10:00:00.5+00', '10:00:01.5', \
         '1 day 2 hours', '\\x01ab', '{a,\"b c\",NULL}', 1.5, 'x')",
        &violates("rates_rate_check"),
        Some(
            "Failing row contains (EUR, 2024-03-01, 0.00000000, 2024-03-01 10:00:00, 2024-03-01 10:00:00.5+00, 10:00:01.5, \
             1 day 02:00:00, \\x01ab, {a,\"b c\",NULL}, 1.5, x).",
        ),
    )
    .await;
    // A value longer than 64 bytes is cut on a character's boundary, with "..." after it.
    expect_violation(
        &client,
        "INSERT INTO rates (cur, as_of, note) VALUES ('USD', '1999-12-31', 'é' || repeat('x', 70))",
        &violates("rates_as_of_check"),
        Some(&format!("Failing row contains (USD, 1999-12-31, null, null, null, null, null, null, null, null, é{}...).", "x".repeat(62))),
    )
    .await;
}
