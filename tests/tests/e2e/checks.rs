//! CHECK constraints (issue 13, point 3, in part): on columns and tables, enforced on
//! INSERT, UPDATE and upserts with PostgreSQL's 23514 and failing row, added over existing
//! rows (also with a new column, and while other sessions write) and dropped by ALTER
//! TABLE (also with a column they read), and shown by pg_constraint and psql.

use std::time::Duration;

use shale_tests::{Background, ClientExt, TestServer, sqlstate};

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

/// The CHECK constraints of `table`: name, columns and definition.
async fn checks_of(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client
        .lines(&format!(
            "SELECT conname, conkey, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid = '{table}'::regclass ORDER BY conname"
        ))
        .await
}

#[tokio::test]
async fn add_column_with_checks_validates_the_rows_with_its_default() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)").await;
    // The rows the table has take the default, which must pass.
    expect_violation(&client, "ALTER TABLE t ADD COLUMN c int DEFAULT 0 CHECK (c > 0)", "check constraint \"t_c_check\" of relation \"t\" is violated by some row", None).await;
    expect_violation(&client, "ALTER TABLE t ADD COLUMN c int DEFAULT 2 CHECK (c > a)", "check constraint \"t_check\" of relation \"t\" is violated by some row", None).await;
    client.expect_sqlstate("SELECT c FROM t", "42703").await;
    client.run("ALTER TABLE t ADD COLUMN c int DEFAULT 5 CHECK (c > 0) CHECK (c < 10) CHECK (c > a)").await;
    client.run("ALTER TABLE t ADD COLUMN d int CONSTRAINT d_positive CHECK (d > 0)").await;
    // NOT NULL without a default is for an empty table only.
    client.expect_error("ALTER TABLE t ADD COLUMN e int NOT NULL CHECK (e > 0)", "23502", "column \"e\" of relation \"t\" contains null values").await;
    assert_eq!(
        checks_of(&client, "t").await,
        ["d_positive|{3}|CHECK ((d > 0))", "t_c_check|{2}|CHECK ((c > 0))", "t_c_check1|{2}|CHECK ((c < 10))", "t_check|{2,1}|CHECK ((c > a))"]
    );
    let violates = |name: &str| format!("new row for relation \"t\" violates check constraint \"{name}\"");
    expect_violation(&client, "INSERT INTO t (a, c) VALUES (1, 10)", &violates("t_c_check1"), Some("Failing row contains (1, 10, null).")).await;
    expect_violation(&client, "UPDATE t SET d = -1", &violates("d_positive"), Some("Failing row contains (1, 5, -1).")).await;
    assert_eq!(client.lines("SELECT a, c, d FROM t ORDER BY a").await, ["1|5|NULL", "2|5|NULL"]);
    client.expect_error("ALTER TABLE t ADD COLUMN x int CONSTRAINT d_positive CHECK (x > 0)", "42710", "constraint \"d_positive\" for relation \"t\" already exists").await;
    // Undone with its transaction.
    client.run("BEGIN; ALTER TABLE t ADD COLUMN y int CHECK (y > 0); ROLLBACK").await;
    client.run("INSERT INTO t (a) VALUES (3)").await;
    assert_eq!(checks_of(&client, "t").await.len(), 4);
    // A CHECK goes with any column it reads.
    client.run("ALTER TABLE t DROP COLUMN a").await;
    assert_eq!(checks_of(&client, "t").await, ["d_positive|{3}|CHECK ((d > 0))", "t_c_check|{2}|CHECK ((c > 0))", "t_c_check1|{2}|CHECK ((c < 10))"]);
    client.run("ALTER TABLE t DROP COLUMN c; INSERT INTO t (d) VALUES (1)").await;
    assert_eq!(checks_of(&client, "t").await, ["d_positive|{3}|CHECK ((d > 0))"]);
}

/// A CHECK added while another session writes the table waits for it and checks the rows
/// it committed.
#[tokio::test]
async fn an_added_check_sees_the_rows_of_the_writers_it_waited_for() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE t (a int)").await;
    a.run("BEGIN; INSERT INTO t VALUES (-1)").await;
    let alter = Background::start(b, "ALTER TABLE t ADD CONSTRAINT positive CHECK (a > 0)");
    assert!(alter.still_running_after(Duration::from_millis(300)).await, "the ALTER did not wait for the insert");
    a.run("COMMIT").await;
    let (b, result) = alter.finish().await;
    assert_eq!(sqlstate(&result), Some("23514"));
    // So does a column's CHECK, with the column's default.
    a.run("DELETE FROM t").await;
    a.run("BEGIN; INSERT INTO t VALUES (5)").await;
    let alter = Background::start(b, "ALTER TABLE t ADD COLUMN b int DEFAULT 1 CHECK (b > a)");
    assert!(alter.still_running_after(Duration::from_millis(300)).await, "the ALTER did not wait for the insert");
    a.run("COMMIT").await;
    let (b, result) = alter.finish().await;
    assert_eq!(sqlstate(&result), Some("23514"));
    b.run("ALTER TABLE t ADD COLUMN b int DEFAULT 10 CHECK (b > a)").await;
    a.expect_sqlstate("INSERT INTO t VALUES (20)", "23514").await;
    assert_eq!(b.lines("SELECT a, b FROM t").await, ["5|10"]);
}

/// A column's CHECK is named after the columns its expression reads, as PostgreSQL names it.
#[tokio::test]
async fn column_checks_are_named_after_the_columns_they_read() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE w (a int, b int CHECK (b > a), c int CHECK (a > 0), d int CHECK (1 > 0))").await;
    assert_eq!(
        client.lines("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'w'::regclass ORDER BY conname").await,
        ["w_a_check|CHECK ((a > 0))", "w_check|CHECK ((b > a))", "w_check1|CHECK ((1 > 0))"]
    );
}
