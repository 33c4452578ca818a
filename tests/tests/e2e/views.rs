//! Views: CREATE [OR REPLACE] VIEW, views over views, DROP VIEW, what depends on a view,
//! and the catalogs and psql commands that describe them (issue 14, point 2).

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn a_view_answers_its_query_as_the_tables_are_now() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(10,2), shipped boolean)").await;
    client.run("INSERT INTO orders VALUES (1, 'ann', 10.50, true), (2, 'bob', 3.25, false), (3, 'ann', 7.00, false)").await;
    client.run("CREATE VIEW pending AS SELECT id, customer, amount FROM orders WHERE NOT shipped").await;
    client
        .run("CREATE VIEW totals (who, total, n) AS SELECT customer, sum(amount), count(*) FROM pending GROUP BY customer")
        .await;
    assert_eq!(client.lines("SELECT id, customer, amount FROM pending ORDER BY id").await, ["2|bob|3.25", "3|ann|7.00"]);
    assert_eq!(client.lines("SELECT * FROM totals ORDER BY who").await, ["ann|7.00|1", "bob|3.25|1"]);
    // The view reads the table as it is at each statement, in the statement's transaction.
    client.run("BEGIN").await;
    client.run("INSERT INTO orders VALUES (4, 'bob', 1.75, false)").await;
    assert_eq!(client.lines("SELECT who, total, n FROM totals WHERE who = 'bob'").await, ["bob|5.00|2"]);
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT who, total, n FROM totals WHERE who = 'bob'").await, ["bob|3.25|1"]);
    // Joined, filtered, aggregated again, in subqueries and CTEs.
    assert_eq!(
        client
            .lines(
                "WITH big AS (SELECT * FROM pending WHERE amount > 5) \
                 SELECT p.id, t.total FROM big p JOIN totals t ON t.who = p.customer ORDER BY p.id"
            )
            .await,
        ["3|7.00"]
    );
    assert_eq!(client.value("SELECT count(*) FROM orders o WHERE o.id IN (SELECT id FROM pending)").await, "2");
    assert_eq!(client.column_names("SELECT * FROM totals").await, ["who", "total", "n"]);
    assert_eq!(client.column_names("SELECT * FROM pending").await, ["id", "customer", "amount"]);
}

#[tokio::test]
async fn a_view_is_seen_by_every_session_and_survives_what_names_it() {
    let (server, first, second) = TestServer::start_with_two_clients().await;
    first.run("CREATE SCHEMA shop").await;
    first.run("CREATE TABLE shop.items (id int, name text)").await;
    first.run("INSERT INTO shop.items VALUES (1, 'pen'), (2, 'ink')").await;
    first.run("SET search_path = shop, public").await;
    // Names are bound when the view is made: the session's search path does not matter later.
    first.run("CREATE VIEW public.item_names AS SELECT name FROM items").await;
    assert_eq!(second.lines("SELECT name FROM item_names ORDER BY name").await, ["ink", "pen"]);
    // Renaming the table keeps the view reading it.
    second.run("ALTER TABLE shop.items RENAME TO products").await;
    assert_eq!(first.lines("SELECT name FROM public.item_names ORDER BY name").await, ["ink", "pen"]);
    // A view is not a table: neither its rows nor DROP TABLE reach it.
    second
        .expect_error("DROP TABLE item_names", "42809", "\"item_names\" is not a table")
        .await;
    second.expect_error("DROP VIEW shop.products", "42809", "\"products\" is not a view").await;
    let third = server.client().await;
    assert_eq!(third.value("SELECT count(*) FROM item_names").await, "2");
    third.run("DROP VIEW item_names").await;
    first.expect_error("SELECT * FROM item_names", "42P01", "relation \"item_names\" does not exist").await;
}

#[tokio::test]
async fn or_replace_keeps_the_columns_a_view_has() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text, c int)").await;
    client.run("INSERT INTO t VALUES (1, 'x', 10)").await;
    client.run("CREATE VIEW v AS SELECT a, b FROM t").await;
    client.expect_error("CREATE VIEW v AS SELECT 1", "42P07", "relation \"v\" already exists").await;
    client.expect_error("CREATE OR REPLACE VIEW v AS SELECT a FROM t", "42P16", "cannot drop columns from view").await;
    client
        .expect_error("CREATE OR REPLACE VIEW v AS SELECT b, a FROM t", "42P16", "cannot change name of view column \"a\" to \"b\"")
        .await;
    client
        .expect_error(
            "CREATE OR REPLACE VIEW v AS SELECT a, b::varchar FROM t",
            "42P16",
            "cannot change data type of view column \"b\" from text to character varying",
        )
        .await;
    client.run("CREATE OR REPLACE VIEW v AS SELECT a, b, c * 2 AS twice FROM t").await;
    assert_eq!(client.lines("SELECT * FROM v").await, ["1|x|20"]);
    client.expect_error("CREATE OR REPLACE VIEW t AS SELECT 1", "42809", "\"t\" is not a view").await;
    client
        .expect_error("CREATE VIEW z (p, q, r, s) AS SELECT a, b, c FROM t", "42601", "CREATE VIEW specifies more column names than columns")
        .await;
    client.expect_error("CREATE VIEW z (p, p) AS SELECT a, b FROM t", "42701", "column \"p\" specified more than once").await;
    client.expect_error("CREATE VIEW z AS SELECT 1, 2", "42701", "column \"?column?\" specified more than once").await;
    client.expect_error("CREATE VIEW z AS SELECT * FROM nowhere", "42P01", "relation \"nowhere\" does not exist").await;
    // A column added to the table later is not one of the view's, as in PostgreSQL: `*`
    // was expanded when the view was made.
    client.run("CREATE VIEW everything AS SELECT * FROM t").await;
    client.run("ALTER TABLE t ADD COLUMN d int DEFAULT 4").await;
    assert_eq!(client.column_names("SELECT * FROM everything").await, ["a", "b", "c"]);
}

#[tokio::test]
async fn what_depends_on_a_view_or_its_tables_stops_a_drop_unless_cascade() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text, c int)").await;
    client.run("CREATE VIEW v AS SELECT a, b FROM t").await;
    client.run("CREATE VIEW w AS SELECT a FROM v").await;
    let e = client.error("DROP VIEW v").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop view v because other objects depend on it"));
    assert_eq!(e.detail(), Some("view w depends on view v"));
    assert_eq!(e.hint(), Some("Use DROP ... CASCADE to drop the dependent objects too."));
    let e = client.error("DROP TABLE t").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop table t because other objects depend on it"));
    assert_eq!(e.detail(), Some("view v depends on table t\nview w depends on view v"));
    let e = client.error("ALTER TABLE t DROP COLUMN a").await;
    assert_eq!(e.message(), "cannot drop column a of table t because other objects depend on it");
    assert_eq!(e.detail(), Some("view v depends on column a of table t\nview w depends on view v"));
    // A column no view uses goes.
    client.run("ALTER TABLE t DROP COLUMN c").await;
    client.expect_error("DROP VIEW nosuch", "42P01", "view \"nosuch\" does not exist").await;
    client.run("DROP VIEW IF EXISTS nosuch").await;
    // CASCADE drops the views that depend, with PostgreSQL's notice.
    client.run("DROP TABLE t CASCADE").await;
    for gone in ["v", "w"] {
        client.expect_sqlstate(&format!("SELECT * FROM {gone}"), "42P01").await;
    }
    assert_eq!(client.value("SELECT count(*) FROM pg_class WHERE relname IN ('v', 'w')").await, "0");
    // DROP SCHEMA CASCADE takes the views of the schema and those elsewhere that read it.
    client.run("CREATE SCHEMA s").await;
    client.run("CREATE TABLE s.t (a int)").await;
    client.run("CREATE VIEW s.v AS SELECT a FROM s.t").await;
    client.run("CREATE VIEW outside AS SELECT a FROM s.v").await;
    client.run("DROP SCHEMA s CASCADE").await;
    client.expect_sqlstate("SELECT * FROM outside", "42P01").await;
}

#[tokio::test]
async fn a_view_that_reads_itself_is_infinite_recursion() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE VIEW w AS SELECT 1 AS a").await;
    // The new query's `w` is the view as it was: it reads itself from now on.
    client.run("CREATE OR REPLACE VIEW w AS SELECT a FROM w").await;
    client.expect_error("SELECT * FROM w", "42P17", "infinite recursion detected in rules for relation \"w\"").await;
    // The session goes on.
    assert_eq!(client.value("SELECT 2").await, "2");
    client.run("DROP VIEW w").await;
}

#[tokio::test]
async fn catalogs_describe_views() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (id int, label varchar(20))").await;
    client.run("INSERT INTO t VALUES (1, 'one'), (2, 'two')").await;
    client.run("CREATE VIEW labels AS SELECT id, upper(label) AS big, label FROM t WHERE id > 1").await;
    assert_eq!(client.value("SELECT relkind FROM pg_class WHERE relname = 'labels'").await, "v");
    assert_eq!(
        client
            .lines(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                 WHERE a.attrelid = 'labels'::regclass AND a.attnum > 0 ORDER BY a.attnum"
            )
            .await,
        ["id|integer", "big|text", "label|character varying(20)"]
    );
    assert_eq!(client.lines("SELECT viewname FROM pg_views WHERE schemaname = 'public'").await, ["labels"]);
    assert_eq!(
        client
            .lines("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")
            .await,
        ["labels|VIEW", "t|BASE TABLE"]
    );
    assert_eq!(
        client.lines("SELECT column_name FROM information_schema.columns WHERE table_name = 'labels' ORDER BY ordinal_position").await,
        ["id", "big", "label"]
    );
    assert_eq!(client.value("SELECT count(*) FROM information_schema.views WHERE table_name = 'labels'").await, "1");
    // The definition is a query that answers as the view does (each server writes it its own way).
    let definition = client.value("SELECT pg_get_viewdef('labels'::regclass)").await;
    let query = definition.trim().trim_end_matches(';');
    assert_eq!(client.lines(&format!("SELECT * FROM ({query}) q")).await, ["2|TWO|two"]);
    let same = client.value("SELECT pg_get_viewdef('labels'::regclass) = definition FROM pg_views WHERE viewname = 'labels'").await;
    assert_eq!(same, "t");

    let out = server.psql("\\dv\n").await;
    assert!(out.stdout.contains("public|labels|view|"), "{}", out.stdout);
    // Unaligned with headers and footers: the title and the view's definition show.
    let out = server.psql_with(&["-A"], "\\d+ labels\n").await;
    assert!(out.stdout.contains("View \"public.labels\""), "{}", out.stdout);
    assert!(out.stdout.contains("label|character varying(20)"), "{}", out.stdout);
    assert!(out.stdout.contains("View definition:"), "{}", out.stdout);
    assert!(out.stdout.to_lowercase().contains("upper("), "{}", out.stdout);
}

#[tokio::test]
async fn rows_of_a_view_cannot_be_changed_through_it_here() {
    // Shale-only: PostgreSQL's simple views are updatable; Shale's are not (yet).
    let Some(server) = TestServer::start_shale("Shale's views are not updatable").await else { return };
    let client = server.client().await;
    client.run("CREATE TABLE t (a int)").await;
    client.run("CREATE VIEW v AS SELECT a FROM t").await;
    for statement in ["INSERT INTO v VALUES (1)", "UPDATE v SET a = 2", "DELETE FROM v"] {
        client.expect_error(statement, "0A000", "cannot change the rows of view \"v\"").await;
    }
}

#[tokio::test]
async fn a_materialized_view_keeps_its_rows_until_refreshed() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text)").await;
    client.run("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (2, 'y')").await;
    let created = client.simple_query("CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t").await.expect("create");
    assert!(
        created.iter().any(|m| matches!(m, tokio_postgres::SimpleQueryMessage::CommandComplete(3))),
        "the tag counts the rows, as SELECT 3"
    );
    client.run("INSERT INTO t VALUES (3, 'z')").await;
    assert_eq!(client.value("SELECT count(*) FROM mv").await, "3", "rows as of its creation");
    client.run("REFRESH MATERIALIZED VIEW mv").await;
    assert_eq!(client.value("SELECT count(*) FROM mv").await, "4");
    // A refresh is part of its transaction.
    client.run("BEGIN").await;
    client.run("DELETE FROM t").await;
    client.run("REFRESH MATERIALIZED VIEW mv").await;
    assert_eq!(client.value("SELECT count(*) FROM mv").await, "0");
    client.run("ROLLBACK").await;
    assert_eq!(client.value("SELECT count(*) FROM mv").await, "4");
    // Its rows are its query's: no statement changes them.
    client.expect_error("INSERT INTO mv VALUES (1, 'z')", "42809", "cannot change materialized view \"mv\"").await;
    client.expect_error("UPDATE mv SET a = 1", "42809", "cannot change materialized view \"mv\"").await;
    client.expect_error("DELETE FROM mv", "42809", "cannot change materialized view \"mv\"").await;
    client.expect_error("TRUNCATE mv", "42809", "\"mv\" is not a table").await;

    client.run("CREATE MATERIALIZED VIEW later (n) AS SELECT a FROM t WITH NO DATA").await;
    let e = client.error("SELECT * FROM later").await;
    assert_eq!((e.code().code(), e.message()), ("55000", "materialized view \"later\" has not been populated"));
    assert_eq!(e.hint(), Some("Use the REFRESH MATERIALIZED VIEW command."));
    client
        .expect_error(
            "REFRESH MATERIALIZED VIEW CONCURRENTLY later",
            "0A000",
            "CONCURRENTLY cannot be used when the materialized view is not populated",
        )
        .await;
    client.run("REFRESH MATERIALIZED VIEW later").await;
    assert_eq!(client.lines("SELECT n FROM later ORDER BY n").await, ["1", "2", "2", "3"]);
    client.run("REFRESH MATERIALIZED VIEW later WITH NO DATA").await;
    client.expect_sqlstate("SELECT * FROM later", "55000").await;

    // CONCURRENTLY needs a unique index over every row.
    let schema = client.value("SELECT current_schema()").await;
    client
        .expect_error(
            "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
            "55000",
            &format!("cannot refresh materialized view \"{schema}.mv\" concurrently"),
        )
        .await;
    client
        .expect_error("REFRESH MATERIALIZED VIEW CONCURRENTLY mv WITH NO DATA", "42601", "CONCURRENTLY and WITH NO DATA options cannot be used together")
        .await;
    client.run("DELETE FROM t WHERE b = 'y'").await;
    client.run("INSERT INTO t VALUES (2, 'y')").await;
    client.run("REFRESH MATERIALIZED VIEW mv").await;
    client.run("CREATE UNIQUE INDEX mv_a ON mv (a)").await;
    client.run("INSERT INTO t VALUES (4, 'w')").await;
    client.run("REFRESH MATERIALIZED VIEW CONCURRENTLY mv").await;
    assert_eq!(client.lines("SELECT a FROM mv WHERE a > 2 ORDER BY a").await, ["3", "4"]);
    client.expect_error("REFRESH MATERIALIZED VIEW t", "0A000", "\"t\" is not a materialized view").await;

    assert_eq!(client.value("SELECT relkind FROM pg_class WHERE relname = 'mv'").await, "m");
    assert_eq!(
        client.lines("SELECT matviewname, hasindexes, ispopulated FROM pg_matviews ORDER BY 1").await,
        ["later|f|f", "mv|t|t"]
    );
    assert_eq!(client.value("SELECT count(*) FROM information_schema.tables WHERE table_name = 'mv'").await, "0");
    let definition = client.value("SELECT pg_get_viewdef('mv'::regclass)").await;
    let query = definition.trim().trim_end_matches(';');
    assert_eq!(client.value(&format!("SELECT count(*) FROM ({query}) q")).await, "4");
    let out = server.psql("\\dm\n").await;
    assert!(out.stdout.contains("|mv|materialized view|"), "{}", out.stdout);
}

#[tokio::test]
async fn materialized_views_take_part_in_dependencies() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text)").await;
    client.run("CREATE MATERIALIZED VIEW mv AS SELECT a, b FROM t").await;
    client.run("CREATE VIEW vm AS SELECT a FROM mv").await;
    client.run("CREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1").await;
    client.expect_error("CREATE MATERIALIZED VIEW mv AS SELECT 1", "42P07", "relation \"mv\" already exists").await;
    let e = client.error("DROP TABLE t").await;
    assert_eq!(e.code().code(), "2BP01");
    assert_eq!(e.detail(), Some("materialized view mv depends on table t\nview vm depends on materialized view mv"));
    let e = client.error("DROP MATERIALIZED VIEW mv").await;
    assert_eq!(e.message(), "cannot drop materialized view mv because other objects depend on it");
    assert_eq!(e.detail(), Some("view vm depends on materialized view mv"));
    let e = client.error("DROP TABLE mv").await;
    assert_eq!((e.code().code(), e.message()), ("42809", "\"mv\" is not a table"));
    assert_eq!(e.hint(), Some("Use DROP MATERIALIZED VIEW to remove a materialized view."));
    let e = client.error("DROP VIEW mv").await;
    assert_eq!((e.code().code(), e.message()), ("42809", "\"mv\" is not a view"));
    let e = client.error("DROP MATERIALIZED VIEW t").await;
    assert_eq!((e.code().code(), e.message()), ("42809", "\"t\" is not a materialized view"));
    client.expect_error("DROP MATERIALIZED VIEW nosuch", "42P01", "materialized view \"nosuch\" does not exist").await;
    client.run("DROP MATERIALIZED VIEW IF EXISTS nosuch").await;
    client.run("DROP MATERIALIZED VIEW mv CASCADE").await;
    client.expect_sqlstate("SELECT * FROM vm", "42P01").await;
    client.run("CREATE MATERIALIZED VIEW again AS SELECT a FROM t").await;
    client.run("DROP TABLE t CASCADE").await;
    client.expect_sqlstate("SELECT * FROM again", "42P01").await;
}

#[tokio::test]
async fn views_and_materialized_views_are_renamed_with_what_reads_them() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text)").await;
    client.run("INSERT INTO t VALUES (1, 'x')").await;
    client.run("CREATE VIEW v AS SELECT a, b FROM t").await;
    client.run("CREATE VIEW w AS SELECT b FROM v").await;
    client.run("CREATE MATERIALIZED VIEW m AS SELECT a FROM v").await;
    client.run("CREATE VIEW over_m AS SELECT a FROM m").await;
    client.run("ALTER VIEW v RENAME TO v2").await;
    client.run("ALTER MATERIALIZED VIEW m RENAME TO m2").await;
    assert_eq!(client.lines("SELECT b FROM w").await, ["x"]);
    assert_eq!(client.lines("SELECT a FROM over_m").await, ["1"]);
    client.run("REFRESH MATERIALIZED VIEW m2").await;
    client.expect_sqlstate("SELECT * FROM v", "42P01").await;
    let e = client.error("DROP VIEW v2").await;
    assert_eq!(e.detail(), Some("view w depends on view v2\nmaterialized view m2 depends on view v2\nview over_m depends on materialized view m2"));
    client.expect_error("ALTER VIEW v2 RENAME TO w", "42P07", "relation \"w\" already exists").await;
    client.expect_error("ALTER VIEW nosuch RENAME TO x", "42P01", "relation \"nosuch\" does not exist").await;
    client.run("ALTER VIEW IF EXISTS nosuch RENAME TO x").await;
    client.run("ALTER VIEW over_m RENAME COLUMN a TO n").await;
    assert_eq!(client.column_names("SELECT * FROM over_m").await, ["n"]);
}

#[tokio::test]
async fn a_drop_waiting_for_a_view_being_made_on_its_table_sees_it() {
    let (_server, first, second) = TestServer::start_with_two_clients().await;
    first.run("CREATE TABLE t (a int)").await;
    first.run("BEGIN").await;
    first.run("CREATE VIEW v AS SELECT a FROM t").await;
    // The DROP waits for the transaction that makes the view on t...
    let drop = shale_tests::Background::start(second, "DROP TABLE t");
    assert!(drop.still_running_after(std::time::Duration::from_millis(300)).await, "DROP TABLE waits");
    first.run("COMMIT").await;
    // ...and then finds the view depends on t.
    let (second, result) = drop.finish().await;
    assert_eq!(shale_tests::sqlstate(&result), Some("2BP01"), "{result:?}");
    assert_eq!(second.value("SELECT count(*) FROM v").await, "0");
}
