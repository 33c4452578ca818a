//! SQLSTATEs, atomic statements, sessions that survive errors (issue 2, point 5).
//!
//! Every check goes through `expect_sqlstate`, which also asserts that the session answers
//! the next query.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

/// A server with `t (id int PRIMARY KEY, small smallint, name varchar(3), code char(2),
/// body text NOT NULL, price numeric(5,2))` holding one row with id 1.
async fn with_table() -> (TestServer, Client) {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE t (id int PRIMARY KEY, small smallint, name varchar(3), code char(2), \
             body text NOT NULL, price numeric(5,2));
             INSERT INTO t VALUES (1, 1, 'abc', 'ab', 'one', 1.50);",
        )
        .await;
    (server, client)
}

async fn assert_unchanged(client: &Client) {
    assert_eq!(
        client.lines("SELECT * FROM t").await,
        ["1|1|abc|ab|one|1.50"],
        "a failed statement changes nothing"
    );
}

#[tokio::test]
async fn unique_violation_23505() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate("INSERT INTO t (id, body) VALUES (1, 'dup')", "23505")
        .await;
    client
        .run("INSERT INTO t (id, body) VALUES (2, 'two')")
        .await;
    client
        .expect_sqlstate("UPDATE t SET id = 1 WHERE id = 2", "23505")
        .await;
    client
        .expect_sqlstate(
            "INSERT INTO t (id, body) VALUES (3, 'a'), (3, 'b')",
            "23505",
        )
        .await;
    client.run("DELETE FROM t WHERE id = 2").await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn not_null_violation_23502() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate("INSERT INTO t (id, body) VALUES (2, NULL)", "23502")
        .await;
    client
        .expect_sqlstate("INSERT INTO t (id) VALUES (2)", "23502")
        .await;
    client
        .expect_sqlstate("INSERT INTO t (body) VALUES ('no key')", "23502")
        .await;
    client
        .expect_sqlstate("UPDATE t SET body = NULL", "23502")
        .await;
    assert_unchanged(&client).await;
}

/// 23502's DETAIL lists the failing row as PostgreSQL writes it, for INSERT and UPDATE.
#[tokio::test]
async fn not_null_violations_list_the_failing_row() {
    let (_server, client) = with_table().await;
    for (sql, column, row) in [
        ("INSERT INTO t (id, body) VALUES (2, NULL)", "body", "2, null, null, null, null, null"),
        ("UPDATE t SET body = NULL", "body", "1, 1, abc, ab, null, 1.50"),
        ("INSERT INTO t (body) VALUES ('no key')", "id", "null, null, null, null, no key, null"),
        ("INSERT INTO t (id, code, price) VALUES (3, 'a', 2)", "body", "3, null, null, a , null, 2.00"),
    ] {
        let e = client.error(sql).await;
        let message = format!("null value in column \"{column}\" of relation \"t\" violates not-null constraint");
        let detail = format!("Failing row contains ({row}).");
        assert_eq!((e.code().code(), e.message(), e.detail()), ("23502", message.as_str(), Some(detail.as_str())), "{sql}");
    }
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn numeric_value_out_of_range_22003() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate(
            "INSERT INTO t (id, small, body) VALUES (2, 32768, 'x')",
            "22003",
        )
        .await;
    client
        .expect_sqlstate("INSERT INTO t (id, body) VALUES (2147483648, 'x')", "22003")
        .await;
    client
        .expect_sqlstate(
            "INSERT INTO t (id, price, body) VALUES (2, 1000, 'x')",
            "22003",
        )
        .await;
    client
        .expect_sqlstate("UPDATE t SET small = small + 40000", "22003")
        .await;
    client
        .expect_sqlstate("SELECT 2147483647 + 1", "22003")
        .await;
    client
        .expect_sqlstate("SELECT 32767::smallint + 1::smallint", "22003")
        .await;
    client
        .expect_sqlstate("SELECT 9223372036854775807 * 2", "22003")
        .await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn invalid_text_representation_22p02() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate("INSERT INTO t (id, body) VALUES ('abc', 'x')", "22P02")
        .await;
    client.expect_sqlstate("SELECT 'abc'::int", "22P02").await;
    client
        .expect_sqlstate("SELECT '1.5'::bigint", "22P02")
        .await;
    client
        .expect_sqlstate("SELECT 'maybe'::boolean", "22P02")
        .await;
    client
        .expect_sqlstate("SELECT 'not-a-uuid'::uuid", "22P02")
        .await;
    client
        .expect_sqlstate("SELECT '1.2.3'::numeric", "22P02")
        .await;
    client
        .expect_sqlstate("SELECT * FROM t WHERE id = 'x'", "22P02")
        .await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn string_data_right_truncation_22001() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate(
            "INSERT INTO t (id, name, body) VALUES (2, 'abcd', 'x')",
            "22001",
        )
        .await;
    client
        .expect_sqlstate(
            "INSERT INTO t (id, code, body) VALUES (2, 'abc', 'x')",
            "22001",
        )
        .await;
    client
        .expect_sqlstate("UPDATE t SET name = name || 'd'", "22001")
        .await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn division_by_zero_22012() {
    let (_server, client) = with_table().await;
    client.expect_sqlstate("SELECT 1 / 0", "22012").await;
    client.expect_sqlstate("SELECT 1 % 0", "22012").await;
    client.expect_sqlstate("SELECT 1.5 / 0", "22012").await;
    client
        .expect_sqlstate("SELECT id / (small - 1) FROM t", "22012")
        .await;
    client
        .expect_sqlstate("UPDATE t SET small = 1 / (small - 1)", "22012")
        .await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn undefined_table_42p01() {
    let (_server, client) = with_table().await;
    for sql in [
        "SELECT * FROM missing",
        "SELECT * FROM t JOIN missing ON true",
        "INSERT INTO missing VALUES (1)",
        "UPDATE missing SET a = 1",
        "DELETE FROM missing",
        "DROP TABLE missing",
        "ALTER TABLE missing ADD COLUMN a int",
        "SELECT * FROM public.missing",
    ] {
        client.expect_sqlstate(sql, "42P01").await;
    }
}

#[tokio::test]
async fn undefined_column_42703() {
    let (_server, client) = with_table().await;
    for sql in [
        "SELECT missing FROM t",
        "SELECT * FROM t WHERE missing = 1",
        "SELECT * FROM t ORDER BY missing",
        "INSERT INTO t (id, missing) VALUES (2, 1)",
        "UPDATE t SET missing = 1",
        "DELETE FROM t WHERE missing = 1",
        "ALTER TABLE t DROP COLUMN missing",
        "ALTER TABLE t RENAME COLUMN missing TO other",
    ] {
        client.expect_sqlstate(sql, "42703").await;
    }
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn syntax_error_42601() {
    let (_server, client) = with_table().await;
    for sql in [
        "SELEC 1",
        "SELECT 1 +",
        "CREATE TABLE (id int)",
        "INSERT INTO t VALUES",
        "SELECT * FROM t WHERE",
    ] {
        client.expect_sqlstate(sql, "42601").await;
    }
}

#[tokio::test]
async fn duplicate_table_42p07_and_duplicate_column_42701() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate("CREATE TABLE t (x int)", "42P07")
        .await;
    client.run("CREATE TABLE u (x int)").await;
    client
        .expect_sqlstate("ALTER TABLE u RENAME TO t", "42P07")
        .await;
    client
        .expect_sqlstate("CREATE TABLE v (a int, a text)", "42701")
        .await;
    client
        .expect_sqlstate("ALTER TABLE t ADD COLUMN body text", "42701")
        .await;
    client
        .expect_sqlstate("ALTER TABLE t RENAME COLUMN small TO body", "42701")
        .await;
    client.expect_sqlstate("SELECT * FROM v", "42P01").await;
    assert_unchanged(&client).await;
}

#[tokio::test]
async fn schema_errors_3f000_42p06_2bp01() {
    let (_server, client) = with_table().await;
    client
        .expect_sqlstate("CREATE TABLE missing.t (x int)", "3F000")
        .await;
    client.expect_sqlstate("DROP SCHEMA missing", "3F000").await;
    client
        .run("CREATE SCHEMA s; CREATE TABLE s.t (x int)")
        .await;
    client.expect_sqlstate("CREATE SCHEMA s", "42P06").await;
    client.expect_sqlstate("DROP SCHEMA s", "2BP01").await;
    client.run("INSERT INTO s.t VALUES (1)").await;
}

#[tokio::test]
async fn unsupported_feature_0a000() {
    let Some(server) = TestServer::start_shale("PostgreSQL supports LISTEN").await else {
        return;
    };
    let client = server.client().await;
    client
        .expect_sqlstate("LISTEN shale_channel", "0A000")
        .await;
}

#[tokio::test]
async fn a_multi_row_insert_with_one_bad_row_inserts_nothing() {
    let (_server, client) = with_table().await;
    for (bad_row, code) in [
        ("(1, 1, 'x', 'x', 'dup', 1)", "23505"),
        ("(4, 1, 'x', 'x', NULL, 1)", "23502"),
        ("(4, 1, 'long', 'x', 'x', 1)", "22001"),
        ("(4, 99999, 'x', 'x', 'x', 1)", "22003"),
    ] {
        let sql = format!(
            "INSERT INTO t VALUES (2, 1, 'a', 'a', 'two', 2), (3, 1, 'b', 'b', 'three', 3), {bad_row}"
        );
        client.expect_sqlstate(&sql, code).await;
        assert_unchanged(&client).await;
    }
}

#[tokio::test]
async fn a_failing_update_or_insert_select_changes_no_row() {
    let (_server, client) = with_table().await;
    client
        .run("INSERT INTO t (id, small, body) VALUES (2, 0, 'two'), (3, 2, 'three')")
        .await;
    client
        .expect_sqlstate("UPDATE t SET small = 10 / small", "22012")
        .await;
    client
        .expect_sqlstate("UPDATE t SET small = small * 20000", "22003")
        .await;
    assert_eq!(
        client.lines("SELECT id, small FROM t ORDER BY id").await,
        ["1|1", "2|0", "3|2"]
    );
    client
        .run("CREATE TABLE copy (id int PRIMARY KEY, ratio int)")
        .await;
    client
        .expect_sqlstate(
            "INSERT INTO copy SELECT id, 6 / small FROM t ORDER BY id",
            "22012",
        )
        .await;
    assert_eq!(client.value("SELECT count(*) FROM copy").await, "0");
}

#[tokio::test]
async fn an_error_in_one_session_does_not_disturb_another() {
    let (server, client) = with_table().await;
    let other = server.client().await;
    client.expect_sqlstate("SELECT 1 / 0", "22012").await;
    client.expect_sqlstate("SELEC 1", "42601").await;
    assert_eq!(other.lines("SELECT id, body FROM t").await, ["1|one"]);
}

#[tokio::test]
async fn too_many_columns_54011() {
    let server = TestServer::start().await;
    let client = server.client().await;
    let columns: Vec<String> = (1..=1601).map(|i| format!("c{i} int")).collect();
    client.expect_sqlstate(&format!("CREATE TABLE wide ({})", columns.join(", ")), "54011").await;
    let columns: Vec<String> = (1..=1600).map(|i| format!("c{i} int")).collect();
    client.run(&format!("CREATE TABLE wide ({})", columns.join(", "))).await;
    client.expect_sqlstate("ALTER TABLE wide ADD COLUMN one_more int", "54011").await;
}

/// `statement_timeout` cancels a statement that runs longer with 57014; the session goes
/// on, and in a transaction block the block has failed (25P02) until it ends.
#[tokio::test]
async fn statement_timeout_57014() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("SET statement_timeout = '100ms'").await;
    assert_eq!(client.value("SHOW statement_timeout").await, "100ms");
    let long = "SELECT count(*) FROM generate_series(1, 2000000000)";
    client.expect_sqlstate(long, "57014").await;
    client.run("BEGIN").await;
    assert_eq!(client.error(long).await.code().code(), "57014");
    assert_eq!(client.error("SELECT 1").await.code().code(), "25P02");
    client.run("ROLLBACK; SET statement_timeout = 0").await;
    assert_eq!(client.value("SHOW statement_timeout").await, "0");
}
