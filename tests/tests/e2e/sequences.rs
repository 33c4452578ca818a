//! Sequences and `serial` columns (issue 13, point 1, in part): CREATE / DROP SEQUENCE with
//! PostgreSQL's options and checks, `nextval` / `currval` / `setval` / `lastval` outside
//! transactions, and `smallserial` / `serial` / `bigserial` columns owning theirs.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn nextval_currval_setval_and_lastval() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SEQUENCE s1").await;
    client.expect_error("SELECT currval('s1')", "55000", "currval of sequence \"s1\" is not yet defined in this session").await;
    assert_eq!(client.lines("SELECT nextval('s1'), nextval('s1')").await, ["1|2"]);
    assert_eq!(client.lines("SELECT currval('s1'), lastval()").await, ["2|2"]);
    // A rollback does not give a value back.
    client.run("BEGIN; SELECT nextval('s1'); ROLLBACK").await;
    assert_eq!(client.lines("SELECT nextval('public.s1')").await, ["4"]);
    assert_eq!(client.lines("SELECT setval('s1', 10), nextval('s1')").await, ["10|11"]);
    assert_eq!(client.lines("SELECT setval('s1', 20, false), nextval('s1')").await, ["20|20"]);
    client.expect_error("SELECT setval('s1', 0)", "22003", "setval: value 0 is out of bounds for sequence \"s1\" (1..9223372036854775807)").await;
    // Each row of one statement gets its own value.
    client.run("CREATE SEQUENCE s2; CREATE TABLE gen (id int)").await;
    client.run("INSERT INTO gen SELECT nextval('s2') FROM generate_series(1, 3)").await;
    assert_eq!(client.lines("SELECT id FROM gen ORDER BY id").await, ["1", "2", "3"]);
    client.expect_error("SELECT nextval('nope')", "42P01", "relation \"nope\" does not exist").await;
    // Bad names and NULLs.
    client.expect_error("SELECT nextval('a.b.c.d')", "42601", "improper relation name (too many dotted names): a.b.c.d").await;
    client.expect_error("SELECT nextval('')", "42602", "invalid name syntax").await;
    assert_eq!(client.lines("SELECT nextval(NULL), setval('s1', 5, NULL)").await, ["NULL|NULL"]);
}

#[tokio::test]
async fn options_ends_and_cycles() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SEQUENCE down INCREMENT BY -2 MINVALUE -5 MAXVALUE -1 CYCLE").await;
    assert_eq!(client.lines("SELECT nextval('down'), nextval('down'), nextval('down'), nextval('down')").await, ["-1|-3|-5|-1"]);
    // Options in any order.
    client.run("CREATE SEQUENCE short AS smallint START 1 MAXVALUE 2 NO CYCLE").await;
    assert_eq!(client.lines("SELECT nextval('short'), nextval('short')").await, ["1|2"]);
    client.expect_error("SELECT nextval('short')", "2200H", "nextval: reached maximum value of sequence \"short\" (2)").await;
    for (sql, message) in [
        ("CREATE SEQUENCE bad INCREMENT 0", "INCREMENT must not be zero"),
        ("CREATE SEQUENCE bad MINVALUE 10 MAXVALUE 5", "MINVALUE (10) must be less than MAXVALUE (5)"),
        ("CREATE SEQUENCE bad START 0", "START value (0) cannot be less than MINVALUE (1)"),
        ("CREATE SEQUENCE bad AS smallint MAXVALUE 100000", "MAXVALUE (100000) is out of range for sequence data type smallint"),
        ("CREATE SEQUENCE bad CACHE 0", "CACHE (0) must be greater than zero"),
        ("CREATE SEQUENCE bad AS text", "sequence type must be smallint, integer, or bigint"),
    ] {
        client.expect_error(sql, "22023", message).await;
    }
    client.expect_error("CREATE SEQUENCE bad INCREMENT 1 INCREMENT 2", "42601", "conflicting or redundant options").await;
    // Tables and sequences share the names of relations.
    client.expect_error("CREATE SEQUENCE down", "42P07", "relation \"down\" already exists").await;
    client.expect_error("CREATE TABLE down (a int)", "42P07", "relation \"down\" already exists").await;
    client.run("CREATE SEQUENCE IF NOT EXISTS down").await;
    client.run("DROP SEQUENCE down, short").await;
    client.expect_error("DROP SEQUENCE down", "42P01", "sequence \"down\" does not exist").await;
    client.run("DROP SEQUENCE IF EXISTS down").await;
    client.expect_sqlstate("SELECT nextval('down')", "42P01").await;
}

#[tokio::test]
async fn serial_columns_own_their_sequences() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email text NOT NULL)").await;
    assert_eq!(client.lines("INSERT INTO users (email) VALUES ('a@b.c'), ('d@e.f') RETURNING id").await, ["1", "2"]);
    assert_eq!(client.lines("INSERT INTO users (email) VALUES ('x') RETURNING id, email").await, ["3|x"]);
    assert_eq!(client.lines("SELECT currval('users_id_seq')").await, ["3"]);
    assert_eq!(
        client.lines("SELECT column_default, is_nullable, data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'id'").await,
        ["nextval('users_id_seq'::regclass)|NO|bigint"]
    );
    assert_eq!(client.lines("SELECT relname, relkind FROM pg_class WHERE relname LIKE 'users%' ORDER BY relname").await, ["users|r", "users_id_seq|S", "users_pkey|i"]);
    client.run("CREATE TABLE small (n smallserial, m serial)").await;
    client.run("INSERT INTO small DEFAULT VALUES; INSERT INTO small DEFAULT VALUES").await;
    assert_eq!(client.lines("SELECT n, m FROM small ORDER BY n").await, ["1|1", "2|2"]);
    client.expect_error("CREATE TABLE t2 (id serial DEFAULT 5)", "42601", "multiple default values specified for column \"id\" of table \"t2\"").await;
    // The sequence goes with its table.
    client.run("DROP TABLE users").await;
    client.expect_sqlstate("SELECT nextval('users_id_seq')", "42P01").await;
    // A name that is taken gets a number.
    client.run("CREATE TABLE t3_id_seq (a int); CREATE TABLE t3 (id serial)").await;
    assert_eq!(client.lines("SELECT column_default FROM information_schema.columns WHERE table_name = 't3'").await, ["nextval('t3_id_seq1'::regclass)"]);
}

#[tokio::test]
async fn concurrent_sessions_never_get_the_same_value() {
    let server = TestServer::start().await;
    server.client().await.run("CREATE SEQUENCE shared").await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..50 {
                got.push(client.lines("SELECT nextval('shared')").await.remove(0));
            }
            got
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("task"));
    }
    let mut values: Vec<i64> = all.iter().map(|v| v.parse().expect("a number")).collect();
    values.sort_unstable();
    assert_eq!(values, (1..=200).collect::<Vec<i64>>());
}

#[tokio::test]
async fn values_handed_out_survive_sigkill() {
    let Some(mut server) = TestServer::start_shale("SIGKILL and restart").await else {
        return;
    };
    let client = server.client().await;
    client.run("CREATE SEQUENCE kept").await;
    // Handed out, in transactions that never commit.
    client.run("BEGIN").await;
    assert_eq!(client.lines("SELECT nextval('kept'), nextval('kept')").await, ["1|2"]);
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_eq!(client.lines("SELECT nextval('kept')").await, ["3"]);
}

#[tokio::test]
async fn sequences_in_the_catalogs() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email text NOT NULL)").await;
    client.run("CREATE SEQUENCE counter AS integer INCREMENT 5 MAXVALUE 1000 START 10 CYCLE").await;
    client.run("SELECT nextval('counter')").await;
    assert_eq!(
        client.lines("SELECT schemaname, sequencename, data_type, start_value, min_value, max_value, increment_by, cycle, cache_size, last_value FROM pg_sequences ORDER BY sequencename").await,
        ["public|counter|integer|10|1|1000|5|t|1|10", "public|users_id_seq|bigint|1|1|9223372036854775807|1|f|1|NULL"]
    );
    assert_eq!(
        client.lines("SELECT c.relname, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid ORDER BY c.relname").await,
        ["counter|integer|10|5|1000|1|1|t", "users_id_seq|bigint|1|1|9223372036854775807|1|1|f"]
    );
    assert_eq!(
        client.lines("SELECT sequence_schema, sequence_name, data_type, numeric_precision, start_value, minimum_value, maximum_value, increment, cycle_option FROM information_schema.sequences ORDER BY sequence_name").await,
        ["public|counter|integer|32|10|1|1000|5|YES", "public|users_id_seq|bigint|64|1|1|9223372036854775807|1|NO"]
    );
    assert_eq!(
        client.lines("SELECT pg_get_serial_sequence('users', 'id'), pg_get_serial_sequence('public.users', 'email')").await,
        ["public.users_id_seq|NULL"]
    );
    client.expect_error("SELECT pg_get_serial_sequence('nope', 'id')", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("SELECT pg_get_serial_sequence('users', 'nope')", "42703", "column \"nope\" of relation \"users\" does not exist").await;
}

#[tokio::test]
async fn identity_columns() {
    let (_server, client) = TestServer::start_with_client().await;
    client.expect_error("CREATE TABLE i1 (id text GENERATED ALWAYS AS IDENTITY)", "22023", "identity column type must be smallint, integer, or bigint").await;
    client.expect_error("CREATE TABLE i1 (id int DEFAULT 1 GENERATED ALWAYS AS IDENTITY)", "42601", "both default and identity specified for column \"id\" of table \"i1\"").await;
    client.run("CREATE TABLE i2 (id int GENERATED ALWAYS AS IDENTITY, v text)").await;
    let refused = client.error("INSERT INTO i2 (id, v) VALUES (5, 'x')").await;
    assert_eq!(refused.code().code(), "428C9");
    assert_eq!(refused.message(), "cannot insert a non-DEFAULT value into column \"id\"");
    assert_eq!(refused.detail(), Some("Column \"id\" is an identity column defined as GENERATED ALWAYS."));
    assert_eq!(refused.hint(), Some("Use OVERRIDING SYSTEM VALUE to override."));
    client.expect_error("INSERT INTO i2 SELECT 1, 'a'", "428C9", "cannot insert a non-DEFAULT value into column \"id\"").await;
    client.expect_error("UPDATE i2 SET id = 3", "428C9", "column \"id\" can only be updated to DEFAULT").await;
    assert_eq!(client.lines("INSERT INTO i2 VALUES (DEFAULT, 'a'), (DEFAULT, 'b') RETURNING id").await, ["1", "2"]);
    assert_eq!(client.lines("UPDATE i2 SET id = DEFAULT RETURNING id").await, ["3", "4"]);
    assert_eq!(client.lines("INSERT INTO i2 (v) VALUES ('c') RETURNING id").await, ["5"]);
    // BY DEFAULT takes a value given, and its options.
    client.run("CREATE TABLE i3 (id bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY, v text)").await;
    assert_eq!(client.lines("INSERT INTO i3 (v) VALUES ('a') RETURNING id").await, ["100"]);
    assert_eq!(client.lines("INSERT INTO i3 VALUES (7, 'b') RETURNING id").await, ["7"]);
    assert_eq!(client.lines("INSERT INTO i3 (v) VALUES ('c') RETURNING id").await, ["110"]);
    assert_eq!(
        client.lines("SELECT table_name, column_name, column_default, is_nullable, is_identity, identity_generation, identity_start, identity_increment, identity_maximum FROM information_schema.columns WHERE table_name IN ('i2', 'i3') AND column_name = 'id' ORDER BY table_name").await,
        ["i2|id|NULL|NO|YES|ALWAYS|1|1|2147483647", "i3|id|NULL|NO|YES|BY DEFAULT|100|10|9223372036854775807"]
    );
    assert_eq!(
        client.lines("SELECT attrelid::regclass, attidentity, atthasdef FROM pg_attribute WHERE attrelid IN ('i2'::regclass, 'i3'::regclass) AND attname = 'id' ORDER BY 1").await,
        ["i2|a|f", "i3|d|f"]
    );
    assert_eq!(client.lines("SELECT pg_get_serial_sequence('i3', 'id')").await, ["public.i3_id_seq"]);
}

#[tokio::test]
async fn a_subquery_whose_select_list_reads_the_outer_row() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 5), v text)").await;
    // SQLAlchemy's reflection of identity columns, in its shape.
    assert_eq!(
        client.lines("SELECT a.attname, CASE WHEN a.attidentity != '' THEN (SELECT json_build_object('always', a.attidentity = 'a', 'start', s.seqstart) FROM pg_sequence s WHERE a.attidentity != '' AND s.seqrelid = CAST(CAST(pg_get_serial_sequence(CAST(CAST(a.attrelid AS REGCLASS) AS TEXT), a.attname) AS REGCLASS) AS OID)) END FROM pg_attribute a WHERE a.attrelid = 'users'::regclass AND a.attnum > 0 ORDER BY a.attnum").await,
        ["id|{\"always\" : false, \"start\" : 5}", "v|NULL"]
    );
    // Over user tables too: NULL without a row, the outer value with one.
    client.run("CREATE TABLE t (a int); CREATE TABLE u (a int, b int); INSERT INTO t VALUES (1), (2); INSERT INTO u VALUES (1, 10)").await;
    assert_eq!(client.lines("SELECT t.a, (SELECT t.a * 100 + u.b FROM u WHERE u.a = t.a) FROM t ORDER BY t.a").await, ["1|110", "2|NULL"]);
}
