//! Primary-key predicates reach RocksDB (issue 2, point 7): EXPLAIN names the access path,
//! and the rows read that way are the right ones. Shale only: the plan text is Shale's.

use shale_tests::{ClientExt, TestServer};

/// The EXPLAIN lines of `sql`, joined.
async fn plan(client: &tokio_postgres::Client, sql: &str) -> String {
    client.lines(&format!("EXPLAIN {sql}")).await.join("\n")
}

#[tokio::test]
async fn key_predicates_become_a_point_get_or_a_bounded_range() {
    let Some(server) = TestServer::start_shale("the EXPLAIN text is Shale's").await else {
        return;
    };
    let client = server.client().await;
    client
        .run(
            "CREATE TABLE kv (id bigint PRIMARY KEY, v text);
             INSERT INTO kv SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')) AS s(id, v)",
        )
        .await;

    let point = plan(&client, "SELECT v FROM kv WHERE id = 3").await;
    assert!(point.contains("access=point get, key_predicates=[id = Int64(3)]"), "{point}");
    assert_eq!(client.lines("SELECT v FROM kv WHERE id = 3").await, ["c"]);

    let range = plan(&client, "SELECT v FROM kv WHERE id > 1 AND id <= 4").await;
    assert!(range.contains("access=key range"), "{range}");
    assert!(range.contains("id > Int64(1)") && range.contains("id <= Int64(4)"), "{range}");
    assert_eq!(client.lines("SELECT v FROM kv WHERE id > 1 AND id <= 4 ORDER BY id").await, ["b", "c", "d"]);

    let full = plan(&client, "SELECT id FROM kv WHERE v = 'e'").await;
    assert!(full.contains("access=full range"), "{full}");
    assert_eq!(client.lines("SELECT id FROM kv WHERE v = 'e'").await, ["5"]);
}

#[tokio::test]
async fn a_composite_key_prefix_is_a_range_and_the_whole_key_a_point() {
    let Some(server) = TestServer::start_shale("the EXPLAIN text is Shale's").await else {
        return;
    };
    let client = server.client().await;
    client
        .run(
            "CREATE TABLE pairs (a text, b int, n int, PRIMARY KEY (a, b));
             INSERT INTO pairs VALUES ('x', 1, 10), ('x', 2, 20), ('xy', 1, 30), ('y', 1, 40)",
        )
        .await;
    let prefix = plan(&client, "SELECT n FROM pairs WHERE a = 'x'").await;
    assert!(prefix.contains("access=key range"), "{prefix}");
    // 'xy' shares the prefix 'x' as text but not as a key column: it must not be read.
    assert_eq!(client.lines("SELECT n FROM pairs WHERE a = 'x' ORDER BY b").await, ["10", "20"]);
    let point = plan(&client, "SELECT n FROM pairs WHERE a = 'x' AND b = 2").await;
    assert!(point.contains("access=point get"), "{point}");
    assert_eq!(client.lines("SELECT n FROM pairs WHERE a = 'x' AND b = 2").await, ["20"]);
}
