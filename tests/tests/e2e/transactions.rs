//! BEGIN / COMMIT / ROLLBACK as far as the core needs them: a rollback undoes, a block is
//! invisible to others until it commits, and a failed block refuses work until it ends.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn rollback_undoes_and_commit_publishes() {
    let server = TestServer::start().await;
    let a = server.client().await;
    let b = server.client().await;
    a.run("CREATE TABLE acct (id int PRIMARY KEY, n int); INSERT INTO acct VALUES (1, 10)").await;

    a.run("BEGIN; UPDATE acct SET n = 0 WHERE id = 1; INSERT INTO acct VALUES (2, 20)").await;
    assert_eq!(a.lines("SELECT n FROM acct ORDER BY id").await, ["0", "20"]);
    assert_eq!(b.lines("SELECT n FROM acct ORDER BY id").await, ["10"]);
    a.run("ROLLBACK").await;
    assert_eq!(a.lines("SELECT n FROM acct ORDER BY id").await, ["10"]);

    a.run("BEGIN; INSERT INTO acct VALUES (3, 30)").await;
    assert_eq!(b.value("SELECT count(*) FROM acct").await, "1");
    a.run("COMMIT").await;
    assert_eq!(b.lines("SELECT n FROM acct ORDER BY id").await, ["10", "30"]);
}

#[tokio::test]
async fn a_failed_block_refuses_statements_until_it_ends() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(wire.tags("CREATE TABLE f (id int PRIMARY KEY)").await, ["CREATE TABLE"]);
    assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
    assert_eq!(wire.transcript("INSERT INTO f VALUES (1)").await, ["C INSERT 0 1", "Z T"]);
    assert_eq!(wire.transcript("SELECT 1 / 0").await, ["E 22012", "Z E"]);
    assert_eq!(wire.transcript("SELECT 1").await, ["E 25P02", "Z E"]);
    // COMMIT of a failed block rolls back, and says so.
    assert_eq!(wire.transcript("COMMIT").await, ["C ROLLBACK", "Z I"]);
    let client = server.client().await;
    assert_eq!(client.value("SELECT count(*) FROM f").await, "0");
}
