//! Temporary tables, sequences and views (issue 14, point 5): each session's own, in its
//! `pg_temp_N` schema searched before `search_path`, gone when the session ends; `ON
//! COMMIT DELETE ROWS | DROP`, `DISCARD TEMP | ALL`.

use std::time::{Duration, Instant};

use shale_tests::{ClientExt, TestServer};

/// Waits until `sql` answers `expected` (what an ended session leaves goes shortly after
/// it, in PostgreSQL too).
async fn eventually(client: &tokio_postgres::Client, sql: &str, expected: &str) {
    let start = Instant::now();
    loop {
        let value = client.value(sql).await;
        if value == expected {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{sql} answered {value}, not {expected}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_temporary_table_is_the_sessions_own_and_goes_with_it() {
    let (server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TEMP TABLE scratch (id serial PRIMARY KEY, note text UNIQUE)").await;
    a.run("INSERT INTO scratch (note) VALUES ('x'), ('y')").await;
    assert_eq!(a.lines("SELECT id, note FROM scratch ORDER BY id").await, ["1|x", "2|y"]);
    a.expect_sqlstate("INSERT INTO scratch (note) VALUES ('x')", "23505").await;
    let persistence = "SELECT c.relname, c.relpersistence, n.nspname ~ '^pg_temp_[0-9]+$' FROM pg_class c \
                       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 'scratch%' ORDER BY 1";
    let expected = ["scratch|t|t", "scratch_id_seq|t|t", "scratch_note_key|t|t", "scratch_pkey|t|t"];
    assert_eq!(a.lines(persistence).await, expected);
    assert_eq!(b.lines(persistence).await, expected, "another session sees it in the catalogs");
    assert_eq!(a.value("SELECT pg_my_temp_schema() = (SELECT relnamespace FROM pg_class WHERE relname = 'scratch')").await, "t");
    assert_eq!(a.value("SELECT pg_table_is_visible('scratch'::regclass)").await, "t");
    assert_eq!(a.value("SELECT (current_schemas(true))[1] ~ '^pg_temp_[0-9]+$'").await, "t");
    assert_eq!(a.value("SELECT current_schemas(false)::text").await, "{public}");
    assert_eq!(
        a.value("SELECT table_type FROM information_schema.tables WHERE table_name = 'scratch'").await,
        "LOCAL TEMPORARY"
    );
    b.expect_error("SELECT * FROM scratch", "42P01", "relation \"scratch\" does not exist").await;
    b.run("CREATE TEMP TABLE scratch (other int)").await;
    b.run("INSERT INTO scratch VALUES (7)").await;
    assert_eq!(b.lines("SELECT * FROM scratch").await, ["7"]);
    assert_eq!(a.lines("SELECT note FROM scratch ORDER BY id").await, ["x", "y"]);
    let other = a.value("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'scratch'::regclass").await;
    b.expect_error(&format!("SELECT * FROM {other}.scratch"), "0A000", "cannot access temporary tables of other sessions").await;
    assert_eq!(b.value(&format!("SELECT pg_is_other_temp_schema('{other}'::regnamespace)")).await, "t");
    assert_eq!(a.value(&format!("SELECT pg_is_other_temp_schema('{other}'::regnamespace)")).await, "f");
    drop(a);
    eventually(&b, "SELECT count(*) FROM pg_class WHERE relname LIKE 'scratch%'", "1").await;
    let c = server.client().await;
    c.expect_sqlstate("SELECT * FROM scratch", "42P01").await;
}

#[tokio::test]
async fn a_temporary_table_hides_a_permanent_one_of_the_same_name() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE items (id int)").await;
    client.run("INSERT INTO items VALUES (1)").await;
    client.run("CREATE TEMP TABLE items (id int, extra text)").await;
    client.run("INSERT INTO items VALUES (2, 'temp')").await;
    assert_eq!(client.lines("SELECT * FROM items").await, ["2|temp"]);
    assert_eq!(client.lines("SELECT * FROM public.items").await, ["1"]);
    assert_eq!(client.lines("SELECT * FROM pg_temp.items").await, ["2|temp"]);
    assert_eq!(client.lines("SELECT 'items'::regclass::text, 'public.items'::regclass::text").await, ["items|public.items"]);
    client.run("UPDATE items SET extra = 'changed'").await;
    assert_eq!(client.lines("SELECT extra FROM items").await, ["changed"]);
    client.run("DROP TABLE items").await;
    assert_eq!(client.lines("SELECT * FROM items").await, ["1"]);
    client.expect_error("SELECT * FROM pg_temp.items", "42P01", "relation \"pg_temp.items\" does not exist").await;
}

#[tokio::test]
async fn a_rolled_back_temporary_table_is_gone() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("BEGIN").await;
    client.run("CREATE TEMP TABLE undone (a int)").await;
    client.run("INSERT INTO undone VALUES (1)").await;
    client.run("ROLLBACK").await;
    client.expect_error("SELECT * FROM undone", "42P01", "relation \"undone\" does not exist").await;
    client.run("CREATE TEMP TABLE undone (a int)").await;
    assert_eq!(client.value("SELECT count(*) FROM undone").await, "0");
}

#[tokio::test]
async fn on_commit_delete_rows_empties_and_on_commit_drop_drops() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TEMP TABLE per_txn (a int) ON COMMIT DELETE ROWS").await;
    client.run("INSERT INTO per_txn VALUES (1)").await;
    assert_eq!(client.value("SELECT count(*) FROM per_txn").await, "0", "the INSERT's own commit emptied it");
    client.run("BEGIN").await;
    client.run("INSERT INTO per_txn VALUES (1), (2)").await;
    assert_eq!(client.value("SELECT count(*) FROM per_txn").await, "2");
    client.run("COMMIT").await;
    assert_eq!(client.value("SELECT count(*) FROM per_txn").await, "0");

    client.run("CREATE TEMP TABLE kept (a int) ON COMMIT PRESERVE ROWS").await;
    client.run("INSERT INTO kept VALUES (1)").await;
    assert_eq!(client.value("SELECT count(*) FROM kept").await, "1");

    client.run("CREATE TEMP TABLE gone (a int) ON COMMIT DROP").await;
    client.expect_sqlstate("SELECT * FROM gone", "42P01").await;
    client.run("BEGIN").await;
    client.run("CREATE TEMP TABLE gone (a int) ON COMMIT DROP").await;
    client.run("INSERT INTO gone VALUES (5)").await;
    assert_eq!(client.lines("SELECT * FROM gone").await, ["5"]);
    client.run("COMMIT").await;
    client.expect_error("SELECT * FROM gone", "42P01", "relation \"gone\" does not exist").await;
    client.run("SELECT 1 INTO TEMP TABLE selected").await;
    client.run("CREATE TEMP TABLE made AS SELECT * FROM kept").await;
    assert_eq!(client.lines("SELECT relname, relpersistence FROM pg_class WHERE relname IN ('selected', 'made') ORDER BY 1").await, ["made|t", "selected|t"]);
    client.run("CREATE TEMP TABLE made_per_txn ON COMMIT DELETE ROWS AS SELECT * FROM kept").await;
    assert_eq!(client.value("SELECT count(*) FROM made_per_txn").await, "0");
}

#[tokio::test]
async fn temporary_and_permanent_relations_do_not_mix() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE perm (id int PRIMARY KEY)").await;
    client.run("CREATE TEMP TABLE temp_parent (id int PRIMARY KEY)").await;
    client.expect_error("CREATE TEMP TABLE public.wrong (a int)", "42P16", "cannot create temporary relation in non-temporary schema").await;
    client.expect_error("CREATE TABLE committed (a int) ON COMMIT DROP", "42P16", "ON COMMIT can only be used on temporary tables").await;
    client
        .expect_error(
            "CREATE TEMP TABLE child (id int REFERENCES perm)",
            "42P16",
            "constraints on temporary tables may reference only temporary tables",
        )
        .await;
    client
        .expect_error(
            "CREATE TABLE child (id int REFERENCES temp_parent)",
            "42P16",
            "constraints on permanent tables may reference only permanent tables",
        )
        .await;
    client.run("CREATE TEMP TABLE child (id int REFERENCES temp_parent)").await;
    client.expect_sqlstate("INSERT INTO child VALUES (1)", "23503").await;
    client
        .expect_error(
            "CREATE MATERIALIZED VIEW mv AS SELECT * FROM temp_parent",
            "0A000",
            "materialized views must not use temporary tables or views",
        )
        .await;
}

#[tokio::test]
async fn a_view_of_a_temporary_table_is_temporary() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TEMP TABLE t (a int)").await;
    a.run("INSERT INTO t VALUES (1)").await;
    a.run("CREATE VIEW v AS SELECT a + 1 AS b FROM t").await;
    a.run("CREATE TEMP VIEW constant AS SELECT 42 AS answer").await;
    assert_eq!(a.lines("SELECT * FROM v, constant").await, ["2|42"]);
    assert_eq!(a.lines("SELECT relname, relpersistence FROM pg_class WHERE relname IN ('v', 'constant') ORDER BY 1").await, ["constant|t", "v|t"]);
    b.expect_sqlstate("SELECT * FROM v", "42P01").await;
    a.run("CREATE TEMP SEQUENCE counter").await;
    assert_eq!(a.value("SELECT nextval('counter')").await, "1");
    assert_eq!(a.value("SELECT relpersistence FROM pg_class WHERE relname = 'counter'").await, "t");
    b.expect_sqlstate("SELECT nextval('counter')", "42P01").await;
}

#[tokio::test]
async fn search_path_may_place_pg_temp_first() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("SET search_path = pg_temp, public").await;
    client.run("CREATE TABLE w (a int)").await;
    assert_eq!(client.value("SELECT relpersistence FROM pg_class WHERE relname = 'w'").await, "t");
    assert_eq!(client.value("SELECT current_schema() ~ '^pg_temp_[0-9]+$'").await, "t");
    client.run("RESET search_path").await;
    client.run("CREATE TABLE w (a int)").await;
    client.run("INSERT INTO w VALUES (3)").await;
    assert_eq!(client.value("SELECT count(*) FROM w").await, "1", "the INSERT wrote the temporary w, which comes first");
    assert_eq!(client.value("SELECT count(*) FROM public.w").await, "0");
}

#[tokio::test]
async fn discard_temp_and_discard_all() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TEMP TABLE t (a int)").await;
    client.run("DISCARD TEMP").await;
    client.expect_sqlstate("SELECT * FROM t", "42P01").await;
    client.run("CREATE TEMP TABLE t (a int)").await;
    client.run("SET search_path = nowhere").await;
    client.run("BEGIN").await;
    client.expect_error_in_block("DISCARD ALL", "25001", "DISCARD ALL cannot run inside a transaction block").await;
    client.run("ROLLBACK").await;
    client.run("DISCARD ALL").await;
    assert_eq!(client.value("SHOW search_path").await, "\"$user\", public");
    client.expect_sqlstate("SELECT * FROM t", "42P01").await;
    client.run("CREATE SEQUENCE s").await;
    assert_eq!(client.value("SELECT nextval('s')").await, "1");
    client.run("DISCARD SEQUENCES").await;
    client.expect_sqlstate("SELECT currval('s')", "55000").await;
    client.run("DISCARD PLANS").await;
}

#[tokio::test]
async fn a_restarted_server_has_no_temporary_tables_left() {
    let Some(mut server) = TestServer::start_shale("kills the server while a session has a temporary table").await else { return };
    let client = server.client().await;
    client.run("CREATE TEMP TABLE left_behind (a int)").await;
    client.run("INSERT INTO left_behind VALUES (1)").await;
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_eq!(client.value("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pg_temp%'").await, "0");
    assert_eq!(client.value("SELECT count(*) FROM pg_class WHERE relname = 'left_behind'").await, "0");
}

#[tokio::test]
async fn sessions_at_once_each_have_their_own_table_of_one_name() {
    let server = TestServer::start().await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(server.client().await);
    }
    let work = clients.iter().enumerate().map(|(i, client)| async move {
        client.run("CREATE TEMP TABLE mine (session int PRIMARY KEY, n int)").await;
        for n in 0..20 {
            client.run(&format!("INSERT INTO mine VALUES ({i}, {n}) ON CONFLICT (session) DO UPDATE SET n = mine.n + excluded.n")).await;
        }
        client.lines("SELECT session, n FROM mine").await
    });
    let seen = futures::future::join_all(work).await;
    for (i, rows) in seen.iter().enumerate() {
        assert_eq!(rows, &[format!("{i}|190")]);
    }
}
