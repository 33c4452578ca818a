//! TRUNCATE (issue 13, point 5): several tables at once, transactional, RESTART IDENTITY
//! restarting the sequences the tables' columns own (also rolled back), and tables
//! referenced by foreign keys: refused alone, emptied with CASCADE.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn truncate_is_transactional() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE a (id int PRIMARY KEY, email text UNIQUE); CREATE TABLE b (x int)").await;
    client.run("INSERT INTO a VALUES (1, 'x'), (2, 'y'); INSERT INTO b VALUES (1)").await;
    let mut wire = server.wire().await;
    assert_eq!(wire.transcript("TRUNCATE a, b").await, ["C TRUNCATE TABLE", "Z I"]);
    client.run("INSERT INTO a VALUES (1, 'x'); INSERT INTO b VALUES (2)").await;
    client.run("BEGIN; TRUNCATE TABLE ONLY a, b, a").await;
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").await, ["0|0"]);
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").await, ["1|1"]);
    // A failing statement after it undoes it with the rest of the transaction.
    client.run("BEGIN; TRUNCATE a").await;
    assert_eq!(client.error("SELECT 1 / 0").await.code().code(), "22012");
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT id, email FROM a").await, ["1|x"]);
    client.expect_error("TRUNCATE nope", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("TRUNCATE a, nope", "42P01", "relation \"nope\" does not exist").await;
    client.run("CREATE SEQUENCE q").await;
    client.expect_error("TRUNCATE q", "42809", "\"q\" is not a table").await;
    assert_eq!(client.lines("SELECT count(*) FROM a").await, ["1"]);
}

#[tokio::test]
async fn restart_identity_restarts_the_sequences_the_tables_own() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE s (id serial, v text); CREATE TABLE i (id bigint GENERATED ALWAYS AS IDENTITY (START 10), v text)").await;
    client.run("CREATE SEQUENCE free; CREATE TABLE f (id bigint DEFAULT nextval('free'), v text)").await;
    client.run("INSERT INTO s (v) VALUES ('a'), ('b'); INSERT INTO i (v) VALUES ('a'), ('b'); INSERT INTO f (v) VALUES ('a')").await;
    // CONTINUE IDENTITY, the default, leaves them.
    client.run("TRUNCATE s, i CONTINUE IDENTITY").await;
    assert_eq!(client.lines("INSERT INTO s (v) VALUES ('c') RETURNING id").await, ["3"]);
    assert_eq!(client.lines("INSERT INTO i (v) VALUES ('c') RETURNING id").await, ["12"]);
    client.run("TRUNCATE s, i, f RESTART IDENTITY").await;
    assert_eq!(client.lines("INSERT INTO s (v) VALUES ('d') RETURNING id").await, ["1"]);
    assert_eq!(client.lines("INSERT INTO i (v) VALUES ('d') RETURNING id").await, ["10"]);
    // A sequence no column owns goes on.
    assert_eq!(client.lines("INSERT INTO f (v) VALUES ('d') RETURNING id").await, ["2"]);
    assert_eq!(client.lines("SELECT last_value FROM pg_sequences WHERE sequencename = 's_id_seq'").await, ["1"]);
    // Rolled back, the sequence stands where it stood.
    client.run("BEGIN; TRUNCATE s RESTART IDENTITY").await;
    assert_eq!(client.lines("INSERT INTO s (v) VALUES ('e') RETURNING id").await, ["1"]);
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("INSERT INTO s (v) VALUES ('f') RETURNING id").await, ["2"]);
    assert_eq!(client.lines("SELECT id, v FROM s ORDER BY id").await, ["1|d", "2|f"]);
    // A restarted sequence restarts at START, not at a later RESTART value.
    client.run("ALTER SEQUENCE i_id_seq RESTART 100").await;
    client.run("TRUNCATE i RESTART IDENTITY").await;
    assert_eq!(client.lines("INSERT INTO i (v) VALUES ('g') RETURNING id").await, ["10"]);
}

#[tokio::test]
async fn referenced_tables_go_with_their_referencing_ones() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE parent (id int PRIMARY KEY)").await;
    client.run("CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent)").await;
    client.run("CREATE TABLE grandchild (cid int REFERENCES child); CREATE TABLE other (pid int REFERENCES parent)").await;
    client.run("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1); INSERT INTO grandchild VALUES (1); INSERT INTO other VALUES (1)").await;
    let refused = client.error("TRUNCATE parent").await;
    assert_eq!((refused.code().code(), refused.message()), ("0A000", "cannot truncate a table referenced in a foreign key constraint"));
    assert_eq!(refused.detail(), Some("Table \"child\" references \"parent\"."));
    assert_eq!(refused.hint(), Some("Truncate table \"child\" at the same time, or use TRUNCATE ... CASCADE."));
    client.expect_error("TRUNCATE parent, child, other RESTRICT", "0A000", "cannot truncate a table referenced in a foreign key constraint").await;
    // A table referencing only itself, or referencing others, goes alone.
    client.run("CREATE TABLE tree (id int PRIMARY KEY, up int REFERENCES tree); INSERT INTO tree VALUES (1, NULL), (2, 1)").await;
    client.run("TRUNCATE tree, grandchild").await;
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM tree), (SELECT count(*) FROM grandchild)").await, ["0|0"]);
    client.run("INSERT INTO grandchild VALUES (1)").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("BEGIN; TRUNCATE parent CASCADE; ROLLBACK").await,
        [
            "C BEGIN",
            "N 00000 truncate cascades to table \"child\"",
            "N 00000 truncate cascades to table \"other\"",
            "N 00000 truncate cascades to table \"grandchild\"",
            "C TRUNCATE TABLE",
            "C ROLLBACK",
            "Z I"
        ]
    );
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM grandchild)").await, ["1|1"]);
    assert_eq!(
        wire.transcript("TRUNCATE child, parent CASCADE").await,
        ["N 00000 truncate cascades to table \"grandchild\"", "N 00000 truncate cascades to table \"other\"", "C TRUNCATE TABLE", "Z I"]
    );
    assert_eq!(
        client.lines("SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM child), (SELECT count(*) FROM grandchild), (SELECT count(*) FROM other)").await,
        ["0|0|0|0"]
    );
    // Emptied, they take rows again, checked as before.
    client.run("INSERT INTO parent VALUES (2); INSERT INTO child VALUES (1, 2)").await;
    client.expect_sqlstate("INSERT INTO child VALUES (2, 1)", "23503").await;
}

#[tokio::test]
async fn cascade_restarts_the_cascaded_tables_sequences() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id bigserial PRIMARY KEY, email text UNIQUE)").await;
    client.run("CREATE TABLE posts (id bigserial PRIMARY KEY, user_id bigint REFERENCES users ON DELETE CASCADE)").await;
    client.run("INSERT INTO users (email) VALUES ('a'), ('b'); INSERT INTO posts (user_id) VALUES (1), (2), (2)").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("TRUNCATE TABLE users RESTART IDENTITY CASCADE").await,
        ["N 00000 truncate cascades to table \"posts\"", "C TRUNCATE TABLE", "Z I"]
    );
    assert_eq!(client.lines("INSERT INTO users (email) VALUES ('a') RETURNING id").await, ["1"]);
    assert_eq!(client.lines("INSERT INTO posts (user_id) VALUES (1) RETURNING id").await, ["1"]);
}
