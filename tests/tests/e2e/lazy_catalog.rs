//! One source of truth (issue 2, point 6): every session sees DDL at once, a process
//! killed with SIGKILL loses nothing that was committed, and `pg_catalog` is derived from the
//! same descriptors.

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

/// `pg_catalog` is computed from the same descriptors as the tables (issue 5, point 1): its
/// rows for a table are PostgreSQL's, and its OIDs are RowDescription's.
#[tokio::test]
async fn pg_catalog_describes_tables_as_postgres_does() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client
        .run(
            "CREATE TABLE cat_t (id int PRIMARY KEY, name varchar(20) NOT NULL, price numeric(10,2) DEFAULT 0,\
             tags text[], made timestamptz); CREATE TABLE cat_u (a bigint, b char(3))",
        )
        .await;
    assert_eq!(
        client
            .lines(
                "SELECT c.relname, c.relkind, c.relnatts, c.relhasindex, c.relam <> 0 FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname LIKE 'cat_%' ORDER BY c.relname"
            )
            .await,
        ["cat_t|r|5|t|t", "cat_t_pkey|i|1|f|t", "cat_u|r|2|f|t"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT a.attname, a.atttypid, a.attlen, a.attnum, a.atttypmod, a.attnotnull, a.atthasdef, a.attndims \
                 FROM pg_catalog.pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'cat_t' AND a.attnum > 0 ORDER BY a.attnum"
            )
            .await,
        [
            "id|23|4|1|-1|t|f|0",
            "name|1043|-1|2|24|t|f|0",
            "price|1700|-1|3|655366|f|t|0",
            "tags|1009|-1|4|-1|f|f|1",
            "made|1184|8|5|-1|f|f|0",
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT typname, typlen, typcategory, typelem <> 0 FROM pg_type \
                 WHERE typname IN ('int4', 'varchar', 'numeric', '_int4', 'timestamptz', 'uuid', 'bool') ORDER BY typname"
            )
            .await,
        ["_int4|-1|A|t", "bool|1|B|f", "int4|4|N|f", "numeric|-1|N|f", "timestamptz|8|D|f", "uuid|16|U|f", "varchar|-1|S|f"]
    );
    assert_eq!(
        client.lines("SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 'pg_catalog') ORDER BY 1").await,
        ["pg_catalog", "public"]
    );
    assert_eq!(client.value("SELECT count(*) FROM pg_database WHERE datname = current_database()").await, "1");

    // The table OID and attribute numbers RowDescription reports are pg_catalog's.
    let mut wire = server.wire().await;
    let oid = client.value("SELECT oid FROM pg_class WHERE relname = 'cat_t'").await;
    let columns = wire.row_description("SELECT name, made FROM cat_t").await;
    assert_eq!(columns.iter().map(|c| (c.table_oid.to_string(), c.attnum)).collect::<Vec<_>>(), [(oid.clone(), 2), (oid, 5)]);
}

/// The catalogs' OIDs are derived from storage, not counted in memory: after a restart the
/// same objects have the same OIDs, in pg_class, pg_namespace, pg_constraint and
/// RowDescription alike.
#[tokio::test]
async fn catalog_oids_survive_a_restart() {
    let Some(mut server) = TestServer::start_shale("needs a restart").await else {
        return;
    };
    const OIDS: &str = "SELECT c.oid, n.oid, con.oid, con.conindid, t.oid \
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
        JOIN pg_constraint con ON con.conrelid = c.oid JOIN pg_type t ON t.typrelid = c.oid \
        WHERE c.relname = 'kept'";
    let client = server.client().await;
    client.run("CREATE SCHEMA app; CREATE TABLE app.kept (id int PRIMARY KEY, v text)").await;
    let before = client.lines(OIDS).await;
    let columns = server.wire().await.row_description("SELECT id, v FROM app.kept").await;
    server.restart().await;
    let client = server.client().await;
    assert_eq!(client.lines(OIDS).await, before);
    let after = server.wire().await.row_description("SELECT id, v FROM app.kept").await;
    assert_eq!(
        after.iter().map(|c| (c.table_oid, c.attnum)).collect::<Vec<_>>(),
        columns.iter().map(|c| (c.table_oid, c.attnum)).collect::<Vec<_>>()
    );
    assert_eq!(before[0].split('|').next(), Some(after[0].table_oid.to_string().as_str()));
}
