//! Foreign keys checked at COMMIT (`DEFERRABLE INITIALLY DEFERRED`, `SET CONSTRAINTS`),
//! constraints added `NOT VALID` and validated later, and REINDEX (issue 13, points 2 and
//! 3): PostgreSQL's timing, messages and catalog rows, with other sessions at work.

use shale_tests::{ClientExt, TestServer};

/// A parent `p` (ids 1, 2) and a child `c` with a key checked at COMMIT (`c_pid_fkey`) and
/// one deferrable but immediate unless told (`cq`).
async fn deferred_schema(client: &tokio_postgres::Client) {
    client.run("CREATE TABLE p (id int PRIMARY KEY)").await;
    client
        .run(
            "CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED, qid int,
               CONSTRAINT cq FOREIGN KEY (qid) REFERENCES p DEFERRABLE)",
        )
        .await;
    client.run("INSERT INTO p VALUES (1), (2)").await;
}

#[tokio::test]
async fn deferred_keys_are_checked_at_commit() {
    let (_server, client) = TestServer::start_with_client().await;
    deferred_schema(&client).await;
    // The child before its parent, in one transaction.
    client.run("BEGIN; INSERT INTO c VALUES (1, 5, NULL); INSERT INTO p VALUES (5); COMMIT").await;
    // A parent that never comes: COMMIT fails and undoes the transaction.
    client.run("BEGIN; INSERT INTO c VALUES (2, 6, NULL); INSERT INTO c VALUES (3, 1, NULL)").await;
    let e = client.error("COMMIT").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23503", "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"", Some("Key (pid)=(6) is not present in table \"p\"."))
    );
    assert_eq!(client.lines("SELECT id FROM c ORDER BY id").await, ["1"]);
    // Outside a block, the statement's own commit checks it.
    client.expect_error("INSERT INTO c VALUES (2, 7, NULL)", "23503", "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"").await;
    // A row fixed or removed before COMMIT owes nothing.
    client.run("BEGIN; INSERT INTO c VALUES (2, 8, NULL); UPDATE c SET pid = 2 WHERE id = 2; INSERT INTO c VALUES (3, 9, NULL); DELETE FROM c WHERE id = 3; COMMIT").await;
    assert_eq!(client.lines("SELECT id, pid FROM c ORDER BY id").await, ["1|5", "2|2"]);
    // The deferrable but initially immediate key is checked at once.
    client.run("BEGIN").await;
    client.expect_error_in_block("INSERT INTO c VALUES (3, 1, 7)", "23503", "insert or update on table \"c\" violates foreign key constraint \"cq\"").await;
    client.run("ROLLBACK").await;
    // A deleted parent: its children may go, or the key come back, before COMMIT.
    client.run("BEGIN; DELETE FROM p WHERE id = 5; INSERT INTO p VALUES (5); COMMIT").await;
    client.run("BEGIN; DELETE FROM p WHERE id = 2").await;
    let e = client.error("COMMIT").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23503", "update or delete on table \"p\" violates foreign key constraint \"c_pid_fkey\" on table \"c\"", Some("Key (id)=(2) is still referenced from table \"c\"."))
    );
    client.run("BEGIN; DELETE FROM p WHERE id = 2; DELETE FROM c WHERE pid = 2; COMMIT").await;
    assert_eq!(client.lines("SELECT id FROM p ORDER BY id").await, ["1", "5"]);
    // ROLLBACK forgets what was owed.
    client.run("BEGIN; INSERT INTO c VALUES (4, 40, NULL); ROLLBACK").await;
    client.run("BEGIN; INSERT INTO c VALUES (4, 1, NULL); COMMIT").await;
}

#[tokio::test]
async fn set_constraints_defers_and_brings_checks_forward() {
    let (_server, client) = TestServer::start_with_client().await;
    deferred_schema(&client).await;
    client.run("BEGIN; SET CONSTRAINTS cq DEFERRED; INSERT INTO c VALUES (1, 1, 7); INSERT INTO p VALUES (7); COMMIT").await;
    client.run("BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO c VALUES (2, 1, 8)").await;
    client.expect_error_in_block("SET CONSTRAINTS ALL IMMEDIATE", "23503", "insert or update on table \"c\" violates foreign key constraint \"cq\"").await;
    client.run("ROLLBACK").await;
    // IMMEDIATE by name checks that key's queue only, and the key is immediate after it.
    client.run("BEGIN; INSERT INTO c VALUES (2, 20, NULL); SET CONSTRAINTS public.cq IMMEDIATE").await;
    client.expect_error_in_block("SET CONSTRAINTS c_pid_fkey IMMEDIATE", "23503", "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"").await;
    client.run("ROLLBACK").await;
    client.run("BEGIN; SET CONSTRAINTS c_pid_fkey IMMEDIATE").await;
    client.expect_error_in_block("INSERT INTO c VALUES (2, 21, NULL)", "23503", "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"").await;
    client.run("ROLLBACK").await;
    // SET CONSTRAINTS lasts for its transaction.
    client.run("BEGIN; SET CONSTRAINTS ALL IMMEDIATE; COMMIT").await;
    client.run("BEGIN; INSERT INTO c VALUES (3, 30, NULL); INSERT INTO p VALUES (30); COMMIT").await;
    client.run("BEGIN").await;
    client.expect_error_in_block("SET CONSTRAINTS nope DEFERRED", "42704", "constraint \"nope\" does not exist").await;
    client.run("ROLLBACK; BEGIN").await;
    client.expect_error_in_block("SET CONSTRAINTS c_pkey DEFERRED", "42809", "constraint \"c_pkey\" is not deferrable").await;
    client.run("ROLLBACK").await;
    client.expect_error("CREATE TABLE x (a int REFERENCES p NOT DEFERRABLE INITIALLY DEFERRED)", "42601", "constraint declared INITIALLY DEFERRED must be DEFERRABLE").await;
}

#[tokio::test]
async fn set_constraints_outside_a_block_warns() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    wire.transcript("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p DEFERRABLE)").await;
    assert_eq!(
        wire.transcript("SET CONSTRAINTS ALL DEFERRED").await,
        ["N WARNING 25P01 SET CONSTRAINTS can only be used in transaction blocks", "C SET CONSTRAINTS", "Z I"]
    );
    assert_eq!(
        wire.transcript("SET CONSTRAINTS nope DEFERRED").await,
        ["N WARNING 25P01 SET CONSTRAINTS can only be used in transaction blocks", "E 42704", "Z I"]
    );
    // In a message's implicit transaction it applies.
    assert_eq!(
        wire.transcript("SET CONSTRAINTS ALL DEFERRED; INSERT INTO c VALUES (1); INSERT INTO p VALUES (1)").await,
        ["C SET CONSTRAINTS", "C INSERT 0 1", "C INSERT 0 1", "Z I"]
    );
}

#[tokio::test]
async fn deferrable_keys_in_the_catalogs() {
    let (_server, client) = TestServer::start_with_client().await;
    deferred_schema(&client).await;
    assert_eq!(
        client.lines("SELECT conname, condeferrable, condeferred, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'c'::regclass ORDER BY 1").await,
        [
            "c_pid_fkey|t|t|FOREIGN KEY (pid) REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED",
            "c_pkey|f|f|PRIMARY KEY (id)",
            "cq|t|f|FOREIGN KEY (qid) REFERENCES p(id) DEFERRABLE",
        ]
    );
    assert_eq!(
        client
            .lines("SELECT constraint_name, is_deferrable, initially_deferred FROM information_schema.table_constraints WHERE table_name = 'c' AND constraint_type <> 'CHECK' ORDER BY 1")
            .await,
        ["c_pid_fkey|YES|YES", "c_pkey|NO|NO", "cq|YES|NO"]
    );
}

#[tokio::test]
async fn a_deferred_check_sees_the_parent_another_session_deleted() {
    let server = TestServer::start().await;
    let (a, b) = (server.client().await, server.client().await);
    deferred_schema(&a).await;
    a.run("BEGIN; INSERT INTO c VALUES (1, 1, NULL)").await;
    // The child is not committed, so the parent may go.
    b.run("DELETE FROM p WHERE id = 1").await;
    a.expect_error("COMMIT", "23503", "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"").await;
    // Checked at COMMIT, the reference holds the key until the transaction ends.
    a.run("BEGIN; INSERT INTO c VALUES (1, 2, NULL); SET CONSTRAINTS ALL IMMEDIATE").await;
    let delete = tokio::spawn(async move { b.error("DELETE FROM p WHERE id = 2").await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!delete.is_finished(), "the delete waits for the transaction that references the key");
    a.run("COMMIT").await;
    let e = delete.await.expect("delete task");
    assert_eq!(e.code().code(), "23503");
    assert_eq!(a.lines("SELECT id, pid FROM c").await, ["1|2"]);
}

#[tokio::test]
async fn not_valid_constraints_check_new_rows_until_validated() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE np (id int PRIMARY KEY); CREATE TABLE nc (id int PRIMARY KEY, pid int, v int)").await;
    client.run("INSERT INTO np VALUES (1); INSERT INTO nc VALUES (1, 1, 5), (2, 9, -1)").await;
    client.run("ALTER TABLE nc ADD CONSTRAINT nc_p FOREIGN KEY (pid) REFERENCES np NOT VALID").await;
    client.run("ALTER TABLE nc ADD CONSTRAINT nc_v CHECK (v > 0) NOT VALID").await;
    let constraints = "SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'nc'::regclass ORDER BY 1";
    assert_eq!(
        client.lines(constraints).await,
        ["nc_p|f|FOREIGN KEY (pid) REFERENCES np(id) NOT VALID", "nc_pkey|t|PRIMARY KEY (id)", "nc_v|f|CHECK ((v > 0)) NOT VALID"]
    );
    client.expect_error("INSERT INTO nc VALUES (3, 8, 1)", "23503", "insert or update on table \"nc\" violates foreign key constraint \"nc_p\"").await;
    client.expect_error("INSERT INTO nc VALUES (3, 1, -2)", "23514", "new row for relation \"nc\" violates check constraint \"nc_v\"").await;
    let e = client.error("ALTER TABLE nc VALIDATE CONSTRAINT nc_p").await;
    assert_eq!((e.code().code(), e.detail()), ("23503", Some("Key (pid)=(9) is not present in table \"np\".")));
    client.expect_error("ALTER TABLE nc VALIDATE CONSTRAINT nc_v", "23514", "check constraint \"nc_v\" of relation \"nc\" is violated by some row").await;
    client.expect_error("ALTER TABLE nc VALIDATE CONSTRAINT nope", "42704", "constraint \"nope\" of relation \"nc\" does not exist").await;
    client.expect_error("ALTER TABLE nc VALIDATE CONSTRAINT nc_pkey", "42809", "constraint \"nc_pkey\" of relation \"nc\" is not a foreign key or check constraint").await;
    client.expect_error("ALTER TABLE nc ADD CONSTRAINT nc_u UNIQUE (v) NOT VALID", "0A000", "UNIQUE constraints cannot be marked NOT VALID").await;
    client.run("UPDATE nc SET pid = 1, v = 1 WHERE id = 2").await;
    client.run("ALTER TABLE nc VALIDATE CONSTRAINT nc_p, VALIDATE CONSTRAINT nc_v").await;
    assert_eq!(client.lines(constraints).await, ["nc_p|t|FOREIGN KEY (pid) REFERENCES np(id)", "nc_pkey|t|PRIMARY KEY (id)", "nc_v|t|CHECK ((v > 0))"]);
    // Validating a valid constraint does nothing.
    client.run("ALTER TABLE nc VALIDATE CONSTRAINT nc_p").await;
}

#[tokio::test]
async fn reindex_rebuilds_indexes_in_the_transaction() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client.run("CREATE TABLE ri (id int PRIMARY KEY, v text UNIQUE); CREATE INDEX ri_v ON ri (lower(v)); CREATE TABLE rn (a int)").await;
    client.run("INSERT INTO ri SELECT g, 'V' || g FROM generate_series(1, 200) g").await;
    client.run("REINDEX INDEX ri_v; REINDEX TABLE ri").await;
    let database = client.value("SELECT current_database()").await;
    for all in ["REINDEX SCHEMA public".to_string(), format!("REINDEX DATABASE {database}"), format!("REINDEX SYSTEM {database}")] {
        client.run(&all).await;
    }
    client.run("BEGIN; DELETE FROM ri WHERE id > 100; REINDEX TABLE ri; INSERT INTO ri VALUES (500, 'V7x'); COMMIT").await;
    assert_eq!(client.lines("SELECT id FROM ri WHERE lower(v) = 'v42'").await, ["42"]);
    assert_eq!(client.lines("SELECT count(*) FROM ri WHERE v > 'V9'").await, ["10"]);
    client.expect_error("INSERT INTO ri VALUES (501, 'V7x')", "23505", "duplicate key value violates unique constraint \"ri_v_key\"").await;
    client.run("BEGIN; REINDEX INDEX ri_v_key; ROLLBACK").await;
    assert_eq!(client.lines("SELECT id FROM ri WHERE v = 'V100'").await, ["100"]);
    let mut wire = server.wire().await;
    assert_eq!(wire.transcript("REINDEX TABLE rn").await, ["N 00000 table \"rn\" has no indexes to reindex", "C REINDEX", "Z I"]);
    client.expect_error("REINDEX INDEX ri", "42809", "\"ri\" is not an index").await;
    client.expect_error("REINDEX INDEX nope", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("REINDEX TABLE nope", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("REINDEX SCHEMA nope", "3F000", "schema \"nope\" does not exist").await;
    client.expect_error("REINDEX DATABASE other", "0A000", "can only reindex the currently open database").await;
    client.expect_error("REINDEX (FOO) TABLE ri", "42601", "unrecognized REINDEX option \"foo\"").await;
    client.run("REINDEX (TABLESPACE pg_default) TABLE ri").await;
    client.run("REINDEX TABLE CONCURRENTLY ri").await;
    client.run("BEGIN").await;
    client.expect_error_in_block("REINDEX SCHEMA public", "25001", "REINDEX SCHEMA cannot run inside a transaction block").await;
    client.run("ROLLBACK; BEGIN").await;
    client.expect_error_in_block("REINDEX TABLE CONCURRENTLY ri", "25001", "REINDEX CONCURRENTLY cannot run inside a transaction block").await;
    client.run("ROLLBACK").await;
    // Several statements in one message are a transaction block too.
    client.expect_error("SELECT 1; REINDEX SCHEMA public", "25001", "REINDEX SCHEMA cannot run inside a transaction block").await;
}
