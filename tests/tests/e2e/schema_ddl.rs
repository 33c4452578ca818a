//! CREATE SCHEMA / DROP SCHEMA (issue 2, point 3).

use shale_tests::{ClientExt, Message, TestServer};

#[tokio::test]
async fn create_and_drop_schema_with_if_not_exists_and_if_exists() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("CREATE SCHEMA inventory").await,
        ["C CREATE SCHEMA", "Z I"]
    );
    assert_eq!(
        wire.transcript("CREATE SCHEMA inventory").await,
        ["E 42P06", "Z I"]
    );
    assert_eq!(
        wire.transcript("CREATE SCHEMA IF NOT EXISTS inventory")
            .await,
        [
            "N 42P06 schema \"inventory\" already exists, skipping",
            "C CREATE SCHEMA",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("DROP SCHEMA inventory").await,
        ["C DROP SCHEMA", "Z I"]
    );
    assert_eq!(
        wire.transcript("DROP SCHEMA inventory").await,
        ["E 3F000", "Z I"]
    );
    assert_eq!(
        wire.transcript("DROP SCHEMA IF EXISTS inventory").await,
        [
            "N 00000 schema \"inventory\" does not exist, skipping",
            "C DROP SCHEMA",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("CREATE SCHEMA IF NOT EXISTS inventory")
            .await,
        ["C CREATE SCHEMA", "Z I"]
    );
}

#[tokio::test]
async fn drop_schema_cascade_drops_its_table() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE SCHEMA shop; CREATE TABLE shop.items (id int PRIMARY KEY); INSERT INTO shop.items VALUES (1)").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("DROP SCHEMA shop CASCADE").await,
        [
            "N 00000 drop cascades to table shop.items",
            "C DROP SCHEMA",
            "Z I"
        ]
    );
    client
        .expect_sqlstate("SELECT * FROM shop.items", "42P01")
        .await;
    client
        .run("CREATE SCHEMA shop; CREATE TABLE shop.items (name text)")
        .await;
    assert_eq!(
        client.lines("SELECT * FROM shop.items").await,
        Vec::<String>::new(),
        "a new schema starts empty"
    );
}

#[tokio::test]
async fn drop_schema_cascade_names_every_dropped_table_in_the_detail() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE SCHEMA shop; CREATE TABLE shop.a (x int); CREATE TABLE shop.b (y int)")
        .await;
    let mut wire = server.wire().await;
    let messages = wire.query("DROP SCHEMA shop CASCADE").await;
    let Message::Notice(notice) = &messages[0] else {
        panic!("expected a NOTICE first: {messages:?}")
    };
    assert_eq!(notice.severity(), "NOTICE");
    assert_eq!(notice.message(), "drop cascades to 2 other objects");
    assert_eq!(
        notice.detail(),
        "drop cascades to table shop.a\ndrop cascades to table shop.b"
    );
    assert_eq!(
        messages[1..],
        [
            Message::CommandComplete("DROP SCHEMA".into()),
            Message::ReadyForQuery('I')
        ]
    );
    client
        .expect_sqlstate("SELECT * FROM shop.a", "42P01")
        .await;
    client
        .expect_sqlstate("SELECT * FROM shop.b", "42P01")
        .await;
}

#[tokio::test]
async fn drop_schema_restrict_keeps_a_non_empty_schema_whole() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SCHEMA shop; CREATE TABLE shop.items (id int); INSERT INTO shop.items VALUES (7)").await;
    client.expect_sqlstate("DROP SCHEMA shop", "2BP01").await;
    client
        .expect_sqlstate("DROP SCHEMA shop RESTRICT", "2BP01")
        .await;
    assert_eq!(client.lines("SELECT id FROM shop.items").await, ["7"]);
    client
        .run("DROP TABLE shop.items; DROP SCHEMA shop RESTRICT")
        .await;
    client
        .expect_sqlstate("CREATE TABLE shop.items (id int)", "3F000")
        .await;
}

#[tokio::test]
async fn drop_schema_if_exists_cascade_drops_several_schemas() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE SCHEMA a; CREATE SCHEMA b; CREATE TABLE a.t (x int); CREATE TABLE b.t (x int)")
        .await;
    client.run("DROP SCHEMA IF EXISTS a, b, c CASCADE").await;
    client.expect_sqlstate("SELECT * FROM a.t", "42P01").await;
    client.expect_sqlstate("SELECT * FROM b.t", "42P01").await;
    client.run("CREATE SCHEMA a").await;
}
