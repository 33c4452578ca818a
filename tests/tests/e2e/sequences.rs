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

#[tokio::test]
async fn alter_sequence_options() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SEQUENCE s").await;
    assert_eq!(client.lines("SELECT nextval('s'), nextval('s')").await, ["1|2"]);
    // An option changes what comes next, not where the sequence stands.
    client.run("ALTER SEQUENCE s INCREMENT BY 10").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["12"]);
    client.run("ALTER SEQUENCE s START WITH 100 CACHE 5").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["22"]);
    // RESTART: at START, or at the value given.
    client.run("ALTER SEQUENCE s RESTART").await;
    assert_eq!(client.lines("SELECT nextval('s'), nextval('s')").await, ["100|110"]);
    client.run("ALTER SEQUENCE s RESTART WITH 7 INCREMENT 1 CACHE 1").await;
    assert_eq!(client.lines("SELECT nextval('s'), currval('s')").await, ["7|7"]);
    // Through the extended protocol too.
    assert_eq!(client.execute("ALTER SEQUENCE public.s RESTART 40", &[]).await.expect("ALTER SEQUENCE"), 0);
    assert_eq!(client.lines("SELECT nextval('s')").await, ["40"]);
    // AS: bounds that were the old type's become the new type's.
    client.run("ALTER SEQUENCE s AS smallint").await;
    client.run("ALTER SEQUENCE s MAXVALUE 41 START 1 CYCLE").await;
    assert_eq!(client.lines("SELECT nextval('s'), nextval('s')").await, ["41|1"]);
    assert_eq!(
        client.lines("SELECT data_type, start_value, min_value, max_value, increment_by, cycle, cache_size, last_value FROM pg_sequences WHERE sequencename = 's'").await,
        ["smallint|1|1|41|1|t|1|1"]
    );
    client.run("ALTER SEQUENCE s NO MAXVALUE NO CYCLE").await;
    assert_eq!(client.lines("SELECT max_value, cycle FROM pg_sequences WHERE sequencename = 's'").await, ["32767|f"]);
    // A descending sequence from NO MINVALUE.
    client.run("CREATE SEQUENCE down").await;
    client.run("ALTER SEQUENCE down INCREMENT -1 NO MINVALUE NO MAXVALUE START -1 RESTART").await;
    assert_eq!(client.lines("SELECT nextval('down'), nextval('down')").await, ["-1|-2"]);
    assert_eq!(client.lines("SELECT min_value, max_value FROM pg_sequences WHERE sequencename = 'down'").await, ["-9223372036854775808|-1"]);
}

#[tokio::test]
async fn alter_sequence_checks_as_postgresql() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE SEQUENCE s; CREATE TABLE t (a int); CREATE INDEX t_a ON t (a)").await;
    client.run("SELECT setval('s', 12)").await;
    for (sql, message) in [
        ("ALTER SEQUENCE s INCREMENT 0", "INCREMENT must not be zero"),
        ("ALTER SEQUENCE s MINVALUE 100", "START value (1) cannot be less than MINVALUE (100)"),
        ("ALTER SEQUENCE s MINVALUE 5 MAXVALUE 3", "MINVALUE (5) must be less than MAXVALUE (3)"),
        ("ALTER SEQUENCE s MAXVALUE 5", "RESTART value (12) cannot be greater than MAXVALUE (5)"),
        ("ALTER SEQUENCE s RESTART WITH 0", "RESTART value (0) cannot be less than MINVALUE (1)"),
        ("ALTER SEQUENCE s AS smallint MAXVALUE 100000", "MAXVALUE (100000) is out of range for sequence data type smallint"),
        ("ALTER SEQUENCE s AS text", "sequence type must be smallint, integer, or bigint"),
        ("ALTER SEQUENCE s CACHE 0", "CACHE (0) must be greater than zero"),
    ] {
        client.expect_error(sql, "22023", message).await;
    }
    client.expect_error("ALTER SEQUENCE s RESTART 1 RESTART", "42601", "conflicting or redundant options").await;
    client.expect_error("ALTER SEQUENCE s RESTART 9223372036854775808", "22003", "value \"9223372036854775808\" is out of range for type bigint").await;
    client.expect_sqlstate("ALTER SEQUENCE s", "42601").await;
    // A failed ALTER changed nothing.
    assert_eq!(client.lines("SELECT nextval('s')").await, ["13"]);
    client.expect_error("ALTER SEQUENCE nope RESTART", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("ALTER SEQUENCE public.nope RESTART", "42P01", "relation \"public.nope\" does not exist").await;
    client.expect_error("ALTER SEQUENCE nosuch.nope RESTART", "3F000", "schema \"nosuch\" does not exist").await;
    client.expect_error("ALTER SEQUENCE t RESTART", "42809", "\"t\" is not a sequence").await;
    client.expect_error("ALTER SEQUENCE IF EXISTS t_a RESTART", "42809", "\"t_a\" is not a sequence").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER SEQUENCE IF EXISTS nosuch.nope RESTART").await,
        ["N 00000 relation \"nope\" does not exist, skipping", "C ALTER SEQUENCE", "Z I"]
    );
    assert_eq!(wire.transcript("ALTER SEQUENCE s CYCLE").await, ["C ALTER SEQUENCE", "Z I"]);
    client.run("BEGIN READ ONLY").await;
    assert_eq!(client.error("ALTER SEQUENCE s NO CYCLE").await.message(), "cannot execute ALTER SEQUENCE in a read-only transaction");
    client.run("ROLLBACK").await;
    // In another schema, named or found through the search path.
    client.run("CREATE SCHEMA other; CREATE SEQUENCE other.q; SET search_path = other, public").await;
    client.run("ALTER SEQUENCE q RESTART 5; ALTER SEQUENCE other.q INCREMENT 2").await;
    assert_eq!(client.lines("SELECT nextval('other.q'), nextval('q')").await, ["5|7"]);
}

#[tokio::test]
async fn alter_sequence_forms_shale_does_not_support() {
    let Some(server) = TestServer::start_shale("0A000 for ALTER SEQUENCE ... SET SCHEMA / OWNER TO").await else {
        return;
    };
    let client = server.client().await;
    client.run("CREATE SEQUENCE s; CREATE SCHEMA other").await;
    client.expect_error("ALTER SEQUENCE s SET SCHEMA other", "0A000", "ALTER SEQUENCE ... SET SCHEMA is not supported").await;
    client.expect_error("ALTER SEQUENCE s OWNER TO postgres", "0A000", "ALTER SEQUENCE ... OWNER TO is not supported").await;
}

#[tokio::test]
async fn alter_sequence_is_transactional() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SEQUENCE s").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["1"]);
    // A RESTART rolled back: the sequence stands where it stood.
    client.run("BEGIN; ALTER SEQUENCE s RESTART 100").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["100"]);
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["2"]);
    client.run("BEGIN; ALTER SEQUENCE s INCREMENT 50 MAXVALUE 1000; ROLLBACK").await;
    assert_eq!(client.lines("SELECT increment_by, max_value FROM pg_sequences WHERE sequencename = 's'").await, ["1|9223372036854775807"]);
    // And committed.
    client.run("BEGIN; ALTER SEQUENCE s RESTART 100").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["100"]);
    client.run("COMMIT").await;
    assert_eq!(client.lines("SELECT nextval('s'), currval('s')").await, ["101|101"]);
    // A rolled-back savepoint undoes it too.
    client.run("BEGIN; SAVEPOINT a; ALTER SEQUENCE s RESTART 500; ROLLBACK TO SAVEPOINT a; COMMIT").await;
    assert_eq!(client.lines("SELECT nextval('s')").await, ["102"]);
}

#[tokio::test]
async fn altering_a_sequence_in_use_hands_out_no_value_twice() {
    let server = TestServer::start().await;
    server.client().await.run("CREATE SEQUENCE shared").await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..40 {
                got.push(client.lines("SELECT nextval('shared')").await.remove(0));
            }
            got
        }));
    }
    let alter = server.client().await;
    for i in 0..20 {
        alter.run(&format!("ALTER SEQUENCE shared INCREMENT {} CACHE {}", 1 + i % 3, 1 + i % 2)).await;
    }
    let mut values = Vec::new();
    for task in tasks {
        values.extend(task.await.expect("task").into_iter().map(|v| v.parse::<i64>().expect("a number")));
    }
    values.sort_unstable();
    let count = values.len();
    values.dedup();
    assert_eq!(values.len(), count, "a value was handed out twice");
}

#[tokio::test]
async fn alter_sequence_owned_by() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b int); CREATE SEQUENCE s; CREATE SEQUENCE kept").await;
    client.run("ALTER SEQUENCE s OWNED BY t.a; ALTER SEQUENCE kept OWNED BY t.b").await;
    assert_eq!(client.lines("SELECT pg_get_serial_sequence('t', 'a'), pg_get_serial_sequence('t', 'b')").await, ["public.s|public.kept"]);
    client.run("ALTER SEQUENCE kept OWNED BY NONE").await;
    assert_eq!(client.lines("SELECT pg_get_serial_sequence('t', 'b')").await, ["NULL"]);
    client.expect_error("ALTER SEQUENCE s OWNED BY t.nope", "42703", "column \"nope\" of relation \"t\" does not exist").await;
    client.expect_error("ALTER SEQUENCE s OWNED BY nope.a", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("ALTER SEQUENCE s OWNED BY a", "42601", "invalid OWNED BY option").await;
    client.expect_error("ALTER SEQUENCE s OWNED BY t.a OWNED BY t.b", "42601", "conflicting or redundant options").await;
    // An identity column's sequence stays its own.
    client.run("CREATE TABLE it (id int GENERATED ALWAYS AS IDENTITY, v text)").await;
    let refused = client.error("ALTER SEQUENCE it_id_seq OWNED BY NONE").await;
    assert_eq!((refused.code().code(), refused.message()), ("0A000", "cannot change ownership of identity sequence"));
    assert_eq!(refused.detail(), Some("Sequence \"it_id_seq\" is linked to table \"it\"."));
    client.run("ALTER SEQUENCE it_id_seq RESTART 50").await;
    assert_eq!(client.lines("INSERT INTO it (v) VALUES ('a') RETURNING id").await, ["50"]);
    // An owned sequence goes with its table; the one owned by none stays.
    client.run("DROP TABLE t").await;
    client.expect_sqlstate("SELECT nextval('s')", "42P01").await;
    assert_eq!(client.lines("SELECT nextval('kept')").await, ["1"]);
}

#[tokio::test]
async fn alter_sequence_rename() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE st (id serial, v text); CREATE TABLE other (n bigint DEFAULT nextval('st_id_seq'))").await;
    assert_eq!(client.lines("INSERT INTO st (v) VALUES ('a') RETURNING id").await, ["1"]);
    client.run("ALTER SEQUENCE st_id_seq RENAME TO st_seq").await;
    // The column defaults follow the sequence; it goes on where it stood.
    assert_eq!(
        client.lines("SELECT column_default FROM information_schema.columns WHERE table_name = 'st' AND column_name = 'id'").await,
        ["nextval('st_seq'::regclass)"]
    );
    assert_eq!(client.lines("INSERT INTO st (v) VALUES ('b') RETURNING id").await, ["2"]);
    assert_eq!(client.lines("INSERT INTO other DEFAULT VALUES RETURNING n").await, ["3"]);
    assert_eq!(client.lines("SELECT pg_get_serial_sequence('st', 'id'), currval('st_seq')").await, ["public.st_seq|3"]);
    assert_eq!(client.lines("SELECT relname FROM pg_class WHERE relkind = 'S'").await, ["st_seq"]);
    client.expect_sqlstate("SELECT nextval('st_id_seq')", "42P01").await;
    client.expect_error("ALTER SEQUENCE st_seq RENAME TO st", "42P07", "relation \"st\" already exists").await;
    client.expect_error("ALTER SEQUENCE st_seq RENAME TO st_seq", "42P07", "relation \"st_seq\" already exists").await;
    client.expect_error("ALTER SEQUENCE st RENAME TO x", "42809", "\"st\" is not a sequence").await;
    client.expect_error("ALTER SEQUENCE nope RENAME TO x", "42P01", "relation \"nope\" does not exist").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER SEQUENCE IF EXISTS nope RENAME TO x").await,
        ["N 00000 relation \"nope\" does not exist, skipping", "C ALTER SEQUENCE", "Z I"]
    );
    // Rolled back, the old name is back.
    client.run("BEGIN; ALTER SEQUENCE st_seq RENAME TO renamed; ROLLBACK").await;
    assert_eq!(client.lines("SELECT nextval('st_seq')").await, ["4"]);
}

#[tokio::test]
async fn altered_sequences_in_the_catalogs_and_psql() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id serial, v text); CREATE SEQUENCE counter").await;
    client.run("ALTER SEQUENCE counter AS integer INCREMENT 5 MINVALUE 10 MAXVALUE 1000 START 10 RESTART CACHE 3 CYCLE OWNED BY users.v").await;
    assert_eq!(
        client.lines("SELECT data_type, start_value, min_value, max_value, increment_by, cycle, cache_size, last_value FROM pg_sequences WHERE sequencename = 'counter'").await,
        ["integer|10|10|1000|5|t|3|NULL"]
    );
    assert_eq!(
        client.lines("SELECT s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relname = 'counter'").await,
        ["integer|10|5|1000|10|3|t"]
    );
    assert_eq!(
        client.lines("SELECT data_type, start_value, minimum_value, maximum_value, increment, cycle_option FROM information_schema.sequences WHERE sequence_name = 'counter'").await,
        ["integer|10|10|1000|5|YES"]
    );
    let out = server.psql_with(&[], "\\d counter\n").await;
    assert_eq!(
        out.stdout,
        concat!(
            "                     Sequence \"public.counter\"\n",
            "  Type   | Start | Minimum | Maximum | Increment | Cycles? | Cache \n",
            "---------+-------+---------+---------+-----------+---------+-------\n",
            " integer |    10 |      10 |    1000 |         5 | yes     |     3\n",
            "Owned by: public.users.v\n",
            "\n",
        ),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn insert_overriding_system_and_user_value() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE a (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)").await;
    client.run("CREATE TABLE d (id int GENERATED BY DEFAULT AS IDENTITY, v text)").await;
    client.run("CREATE TABLE s (id serial, v text); CREATE TABLE p (x int, v text)").await;
    // SYSTEM VALUE: the values given, also for GENERATED ALWAYS.
    assert_eq!(client.lines("INSERT INTO a OVERRIDING SYSTEM VALUE VALUES (10, 'x') RETURNING *").await, ["10|x"]);
    assert_eq!(client.lines("INSERT INTO a OVERRIDING SYSTEM VALUE SELECT 100, 'sel' RETURNING *").await, ["100|sel"]);
    assert_eq!(client.lines("INSERT INTO a OVERRIDING SYSTEM VALUE VALUES (DEFAULT, 'def') RETURNING *").await, ["1|def"]);
    client.expect_sqlstate("INSERT INTO a OVERRIDING SYSTEM VALUE VALUES (NULL, 'null')", "23502").await;
    // USER VALUE: the identity columns' sequences, whatever is given.
    assert_eq!(client.lines("INSERT INTO a (id, v) OVERRIDING USER VALUE VALUES (10, 'y'), (20, 'z') RETURNING *").await, ["2|y", "3|z"]);
    assert_eq!(client.lines("INSERT INTO a OVERRIDING USER VALUE SELECT 100, 'sel' RETURNING *").await, ["4|sel"]);
    assert_eq!(client.lines("INSERT INTO a OVERRIDING USER VALUE VALUES (NULL, 'null') RETURNING *").await, ["5|null"]);
    assert_eq!(client.lines("INSERT INTO a (v) OVERRIDING USER VALUE VALUES ('nov') RETURNING *").await, ["6|nov"]);
    assert_eq!(client.lines("INSERT INTO d OVERRIDING USER VALUE VALUES (50, 'u') RETURNING *").await, ["1|u"]);
    assert_eq!(client.lines("INSERT INTO d OVERRIDING SYSTEM VALUE VALUES (50, 'u') RETURNING *").await, ["50|u"]);
    // Serial columns are not identity columns; tables without any take the clause too.
    assert_eq!(client.lines("INSERT INTO s OVERRIDING USER VALUE VALUES (50, 'u') RETURNING *").await, ["50|u"]);
    assert_eq!(client.lines("INSERT INTO p OVERRIDING SYSTEM VALUE VALUES (1, 'p') RETURNING *").await, ["1|p"]);
    assert_eq!(client.lines("INSERT INTO p OVERRIDING USER VALUE VALUES (2, 'p') RETURNING *").await, ["2|p"]);
    // With ON CONFLICT, and prepared.
    assert_eq!(
        client.lines("INSERT INTO a OVERRIDING SYSTEM VALUE VALUES (10, 'conf') ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING *").await,
        ["10|conf"]
    );
    let statement = client.prepare("INSERT INTO a OVERRIDING SYSTEM VALUE VALUES ($1, $2) RETURNING id").await.expect("prepare");
    let row = client.query_one(&statement, &[&77i32, &"prepared"]).await.expect("execute");
    assert_eq!(row.get::<_, i32>(0), 77);
    // Without the clause, GENERATED ALWAYS still refuses a value.
    client.expect_error("INSERT INTO a VALUES (11, 'x')", "428C9", "cannot insert a non-DEFAULT value into column \"id\"").await;
    client.expect_sqlstate("INSERT INTO a OVERRIDING SYSTEM VALUE DEFAULT VALUES", "42601").await;
    assert_eq!(client.lines("SELECT count(*) FROM a").await, ["9"]);
}

#[tokio::test]
async fn columns_added_with_a_sequence_or_a_volatile_default_fill_every_row() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE s (a int PRIMARY KEY); INSERT INTO s VALUES (3), (1), (2)").await;
    client.run("ALTER TABLE s ADD COLUMN id serial").await;
    // Each row its own value (PostgreSQL numbers them in the order it stored them).
    assert_eq!(client.value("SELECT string_agg(id::text, ',' ORDER BY id) FROM s").await, "1,2,3");
    client.run("ALTER TABLE s ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY (START WITH 10)").await;
    assert_eq!(client.value("SELECT string_agg(id2::text, ',' ORDER BY id2) FROM s").await, "10,11,12");
    client.run("ALTER TABLE s ADD COLUMN r float8 DEFAULT random()").await;
    assert_eq!(client.value("SELECT count(DISTINCT r) FROM s").await, "3");
    assert_eq!(client.lines("INSERT INTO s (a) VALUES (4) RETURNING id, id2").await, ["4|13"]);
    assert_eq!(client.lines("SELECT pg_get_serial_sequence('s', 'id'), pg_get_serial_sequence('s', 'id2')").await, ["public.s_id_seq|public.s_id2_seq"]);
    client.expect_error("INSERT INTO s (a, id2) VALUES (5, 1)", "428C9", "cannot insert a non-DEFAULT value into column \"id2\"").await;
    // DROP COLUMN drops the sequence the column owns.
    client.run("ALTER TABLE s DROP COLUMN id").await;
    assert_eq!(client.lines("SELECT relname FROM pg_class WHERE relkind = 'S' AND relname IN ('s_id_seq', 's_id2_seq')").await, ["s_id2_seq"]);
    // With a key made over the filled rows.
    client.run("CREATE TABLE s2 (a int); INSERT INTO s2 VALUES (1), (1); ALTER TABLE s2 ADD COLUMN id bigserial PRIMARY KEY").await;
    assert_eq!(client.lines("SELECT a, id FROM s2 ORDER BY id").await, ["1|1", "1|2"]);
    client.expect_error("ALTER TABLE s2 ADD COLUMN id serial", "42701", "column \"id\" of relation \"s2\" already exists").await;
    // Undone with its transaction: rows, column and sequence.
    client.run("BEGIN; ALTER TABLE s2 ADD COLUMN n serial; ROLLBACK").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_class WHERE relname = 's2_n_seq'").await, "0");
}
