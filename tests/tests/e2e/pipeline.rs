//! The extended protocol's implicit transaction (issue 11, point 4): the messages up to a
//! Sync run as one transaction, which Sync commits, or rolls back when one of them failed;
//! after an error the server skips every message up to Sync.

use shale_tests::{ClientExt, TestServer, Wire};

async fn with_table(server: &TestServer) -> Wire {
    let mut wire = server.wire().await;
    wire.query("CREATE TABLE items (id int PRIMARY KEY, name text)").await;
    wire
}

#[tokio::test]
async fn an_error_before_sync_undoes_the_statements_before_it() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    let lines = wire
        .parse("", "INSERT INTO items VALUES (1, 'one')", &[])
        .bind("", "", &[])
        .execute("", 0)
        .parse("", "SELECT 1 / (id - id) FROM items", &[])
        .bind("", "", &[])
        .execute("", 0)
        .parse("", "INSERT INTO items VALUES (2, 'two')", &[])
        .bind("", "", &[])
        .execute("", 0)
        .sync()
        .await;
    // The division fails as it runs (PostgreSQL would fold a constant `1/0` at Bind); the
    // second INSERT is skipped: nothing after the ErrorResponse but ReadyForQuery.
    assert_eq!(lines, ["1", "2", "C INSERT 0 1", "1", "2", "E 22012", "Z I"]);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["0"]);
    // The connection goes on, and the next Sync commits what runs before it.
    let lines = wire
        .parse("", "INSERT INTO items VALUES (3, 'three')", &[])
        .bind("", "", &[])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["1", "2", "C INSERT 0 1", "Z I"]);
    assert_eq!(client.lines("SELECT id FROM items").await, ["3"]);
}

#[tokio::test]
async fn statements_before_one_sync_commit_together_at_it() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    let client = server.client().await;
    let lines = wire
        .parse("add", "INSERT INTO items VALUES ($1, 'x')", &[23])
        .bind("", "add", &[Some("1")])
        .execute("", 0)
        .bind("", "add", &[Some("2")])
        .execute("", 0)
        .flush(5)
        .await;
    assert_eq!(lines, ["1", "2", "C INSERT 0 1", "2", "C INSERT 0 1"]);
    // Executed but not yet synced: other sessions do not see the rows.
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["0"]);
    assert_eq!(wire.sync().await, ["Z I"]);
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["2"]);
}

#[tokio::test]
async fn a_failed_bind_undoes_the_statements_before_it() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    let lines = wire
        .parse("add", "INSERT INTO items VALUES ($1, 'x')", &[23])
        .bind("", "add", &[Some("1")])
        .execute("", 0)
        .bind("", "add", &[Some("not a number")])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["1", "2", "C INSERT 0 1", "E 22P02", "Z I"]);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["0"]);
}

#[tokio::test]
async fn a_block_begun_in_a_pipeline_outlives_its_sync() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    let lines = wire
        .parse("", "BEGIN", &[])
        .bind("", "", &[])
        .execute("", 0)
        .parse("", "INSERT INTO items VALUES (1, 'one')", &[])
        .bind("", "", &[])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["1", "2", "C BEGIN", "1", "2", "C INSERT 0 1", "Z T"]);
    let lines = wire.parse("", "SELECT 1 / (id - id) FROM items", &[]).bind("", "", &[]).execute("", 0).sync().await;
    assert_eq!(lines, ["1", "2", "E 22012", "Z E"]);
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["0"]);
}

#[tokio::test]
async fn a_pipeline_killed_before_its_sync_leaves_nothing() {
    let Some(mut server) = TestServer::start_shale("SIGKILL and restart").await else { return };
    let mut wire = with_table(&server).await;
    let lines = wire
        .parse("", "INSERT INTO items VALUES (1, 'one')", &[])
        .bind("", "", &[])
        .execute("", 0)
        .flush(3)
        .await;
    assert_eq!(lines, ["1", "2", "C INSERT 0 1"]);
    server.kill9();
    server.restart().await;
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FROM items").await, ["0"]);
}

#[tokio::test]
async fn portals_end_with_their_transaction() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    let lines = wire.parse("list", "SELECT count(*) FROM items", &[]).bind("p", "list", &[]).sync().await;
    assert_eq!(lines, ["1", "2", "Z I"]);
    // The implicit transaction ended at Sync, and the portal with it.
    assert_eq!(wire.execute("p", 0).sync().await, ["E 34000", "Z I"]);
    // In a block, a portal lives until the block ends.
    assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
    assert_eq!(wire.bind("p", "list", &[]).sync().await, ["2", "Z T"]);
    assert_eq!(wire.execute("p", 0).sync().await, ["D 0", "C SELECT 1", "Z T"]);
    assert_eq!(wire.transcript("COMMIT").await, ["C COMMIT", "Z I"]);
    assert_eq!(wire.execute("p", 0).sync().await, ["E 34000", "Z I"]);
}

#[tokio::test]
async fn a_named_statement_is_not_replaced() {
    let server = TestServer::start().await;
    let mut wire = with_table(&server).await;
    assert_eq!(wire.parse("s1", "SELECT 1", &[]).sync().await, ["1", "Z I"]);
    // PostgreSQL keeps the first; a Bind with a parameter for it is then refused.
    assert_eq!(wire.parse("s1", "SELECT $1::int", &[]).sync().await, ["E 42P05", "Z I"]);
    assert_eq!(wire.bind("", "s1", &[Some("7")]).sync().await, ["E 08P01", "Z I"]);
    assert_eq!(wire.bind("", "s1", &[]).execute("", 0).sync().await, ["2", "D 1", "C SELECT 1", "Z I"]);
    // The unnamed statement is replaced.
    assert_eq!(wire.parse("", "SELECT 1", &[]).parse("", "SELECT 2", &[]).bind("", "", &[]).execute("", 0).sync().await, ["1", "1", "2", "D 2", "C SELECT 1", "Z I"]);
}
