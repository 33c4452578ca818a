//! INSERT / UPDATE / DELETE, RETURNING and the command tags (issue 2, point 4).

use shale_tests::{ClientExt, TestServer, Wire};

/// A server with `items (id int PRIMARY KEY, name text, qty int DEFAULT 5)`, and a raw
/// connection to it.
async fn with_items() -> (TestServer, Wire) {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let create = "CREATE TABLE items (id int PRIMARY KEY, name text, qty int DEFAULT 5)";
    assert_eq!(wire.transcript(create).await, ["C CREATE TABLE", "Z I"]);
    (server, wire)
}

#[tokio::test]
async fn insert_with_a_column_list_in_any_order() {
    let (server, mut wire) = with_items().await;
    assert_eq!(
        wire.tags("INSERT INTO items (name, id) VALUES ('a', 1)")
            .await,
        ["INSERT 0 1"]
    );
    assert_eq!(
        wire.tags("INSERT INTO items VALUES (2, 'b', 3)").await,
        ["INSERT 0 1"]
    );
    assert_eq!(
        wire.tags("INSERT INTO items (qty, id) VALUES (9, 3)").await,
        ["INSERT 0 1"]
    );
    let client = server.client().await;
    assert_eq!(
        client.lines("SELECT * FROM items ORDER BY id").await,
        ["1|a|5", "2|b|3", "3|NULL|9"]
    );
}

#[tokio::test]
async fn insert_multi_row_values() {
    let (server, mut wire) = with_items().await;
    assert_eq!(
        wire.tags("INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)")
            .await,
        ["INSERT 0 3"]
    );
    assert_eq!(
        wire.tags("INSERT INTO items (id) VALUES (4), (5)").await,
        ["INSERT 0 2"]
    );
    let client = server.client().await;
    assert_eq!(client.value("SELECT count(*) FROM items").await, "5");
    assert_eq!(
        client
            .lines("SELECT id, qty FROM items WHERE id > 3 ORDER BY id")
            .await,
        ["4|5", "5|5"]
    );
}

#[tokio::test]
async fn insert_default_keyword_and_default_values() {
    let (server, mut wire) = with_items().await;
    assert_eq!(
        wire.tags("INSERT INTO items VALUES (1, DEFAULT, DEFAULT)")
            .await,
        ["INSERT 0 1"]
    );
    assert_eq!(
        wire.tags("INSERT INTO items (id, qty) VALUES (2, DEFAULT), (3, 8)")
            .await,
        ["INSERT 0 2"]
    );
    let client = server.client().await;
    assert_eq!(
        client.lines("SELECT * FROM items ORDER BY id").await,
        ["1|NULL|5", "2|NULL|5", "3|NULL|8"]
    );
    client
        .run("CREATE TABLE counters (n int DEFAULT 0, label text DEFAULT 'x')")
        .await;
    assert_eq!(
        wire.tags("INSERT INTO counters DEFAULT VALUES").await,
        ["INSERT 0 1"]
    );
    assert_eq!(client.lines("SELECT * FROM counters").await, ["0|x"]);
}

#[tokio::test]
async fn insert_select() {
    let (server, mut wire) = with_items().await;
    let client = server.client().await;
    client
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)")
        .await;
    client
        .run("CREATE TABLE archive (id int PRIMARY KEY, name text, qty int)")
        .await;
    assert_eq!(
        wire.tags("INSERT INTO archive SELECT * FROM items WHERE qty >= 20")
            .await,
        ["INSERT 0 2"]
    );
    assert_eq!(
        wire.tags(
            "INSERT INTO archive (id, name) SELECT id + 100, upper(name) FROM items WHERE id = 1"
        )
        .await,
        ["INSERT 0 1"]
    );
    assert_eq!(
        wire.tags("INSERT INTO archive SELECT * FROM items WHERE false")
            .await,
        ["INSERT 0 0"]
    );
    assert_eq!(
        client.lines("SELECT * FROM archive ORDER BY id").await,
        ["2|b|20", "3|c|30", "101|A|NULL"]
    );
}

#[tokio::test]
async fn insert_select_with_fewer_values_than_columns() {
    let (server, mut wire) = with_items().await;
    let client = server.client().await;
    // Without a column list, a query's rows fill the first columns and the rest take their
    // defaults, as VALUES rows do; the source's width is its select list's, or its planned
    // one with a wildcard.
    for (sql, tag) in [
        ("INSERT INTO items SELECT g FROM generate_series(1, 2) g", "INSERT 0 2"),
        ("INSERT INTO items SELECT g, 'g' || g FROM generate_series(3, 4) g UNION ALL SELECT 5, 'e'", "INSERT 0 3"),
        ("INSERT INTO items SELECT * FROM (VALUES (6, 'f')) v(id, name)", "INSERT 0 1"),
        ("INSERT INTO items (id) SELECT g FROM generate_series(7, 7) g", "INSERT 0 1"),
    ] {
        assert_eq!(wire.tags(sql).await, [tag], "{sql}");
    }
    assert_eq!(
        client.lines("SELECT * FROM items ORDER BY id").await,
        ["1|NULL|5", "2|NULL|5", "3|g3|5", "4|g4|5", "5|e|5", "6|f|5", "7|NULL|5"]
    );
    client.expect_error("INSERT INTO items (id, name) SELECT 8", "42601", "INSERT has more target columns than expressions").await;
    client.expect_error("INSERT INTO items SELECT 9, 'i', 1, 2", "42601", "INSERT has more expressions than target columns").await;
    client.expect_error("INSERT INTO items (id) SELECT * FROM items", "42601", "INSERT has more expressions than target columns").await;
}

#[tokio::test]
async fn insert_returning() {
    let (_server, mut wire) = with_items().await;
    assert_eq!(
        wire.transcript("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b') RETURNING id, qty")
            .await,
        [
            "T id:int4,qty:int4",
            "D 1|5",
            "D 2|5",
            "C INSERT 0 2",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("INSERT INTO items VALUES (3, 'c', 1) RETURNING *")
            .await,
        [
            "T id:int4,name:text,qty:int4",
            "D 3|c|1",
            "C INSERT 0 1",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("INSERT INTO items VALUES (4, 'd', 2) RETURNING id * 10 AS tenfold, name || '!' AS shout").await,
        ["T tenfold:int4,shout:text", "D 40|d!", "C INSERT 0 1", "Z I"]
    );
}

#[tokio::test]
async fn update_where_and_its_tags() {
    let (server, mut wire) = with_items().await;
    let client = server.client().await;
    client
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)")
        .await;
    assert_eq!(
        wire.tags("UPDATE items SET qty = qty + 1 WHERE id >= 2")
            .await,
        ["UPDATE 2"]
    );
    assert_eq!(
        wire.tags("UPDATE items SET name = 'none' WHERE id = 99")
            .await,
        ["UPDATE 0"]
    );
    assert_eq!(
        wire.tags("UPDATE items SET name = name || name, qty = 0 WHERE name = 'a'")
            .await,
        ["UPDATE 1"]
    );
    assert_eq!(
        wire.tags("UPDATE items SET qty = qty * 2").await,
        ["UPDATE 3"]
    );
    assert_eq!(
        client.lines("SELECT * FROM items ORDER BY id").await,
        ["1|aa|0", "2|b|42", "3|c|62"]
    );
}

#[tokio::test]
async fn update_returning() {
    let (server, mut wire) = with_items().await;
    server
        .client()
        .await
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)")
        .await;
    assert_eq!(
        wire.transcript("UPDATE items SET qty = qty + 1 WHERE id >= 2 RETURNING id, qty")
            .await,
        [
            "T id:int4,qty:int4",
            "D 2|21",
            "D 3|31",
            "C UPDATE 2",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("UPDATE items SET name = 'z' WHERE id = 42 RETURNING *")
            .await,
        ["T id:int4,name:text,qty:int4", "C UPDATE 0", "Z I"]
    );
}

#[tokio::test]
async fn update_of_the_primary_key_moves_the_row() {
    let (server, mut wire) = with_items().await;
    let client = server.client().await;
    client
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20)")
        .await;
    assert_eq!(
        wire.tags("UPDATE items SET id = id + 100").await,
        ["UPDATE 2"]
    );
    assert_eq!(
        client.lines("SELECT id, name FROM items ORDER BY id").await,
        ["101|a", "102|b"]
    );
    assert_eq!(
        client.lines("SELECT name FROM items WHERE id = 1").await,
        Vec::<String>::new()
    );
    assert_eq!(
        client.lines("SELECT name FROM items WHERE id = 102").await,
        ["b"]
    );
    client.run("INSERT INTO items VALUES (1, 'again', 0)").await;
    assert_eq!(client.value("SELECT count(*) FROM items").await, "3");
}

#[tokio::test]
async fn delete_where_and_its_tags() {
    let (server, mut wire) = with_items().await;
    let client = server.client().await;
    client
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30), (4, 'd', 40)")
        .await;
    assert_eq!(
        wire.tags("DELETE FROM items WHERE id = 1").await,
        ["DELETE 1"]
    );
    assert_eq!(
        wire.tags("DELETE FROM items WHERE id = 1").await,
        ["DELETE 0"]
    );
    assert_eq!(
        wire.tags("DELETE FROM items WHERE qty BETWEEN 15 AND 35")
            .await,
        ["DELETE 2"]
    );
    assert_eq!(client.lines("SELECT id FROM items").await, ["4"]);
    assert_eq!(wire.tags("DELETE FROM items").await, ["DELETE 1"]);
    assert_eq!(client.value("SELECT count(*) FROM items").await, "0");
    client.run("INSERT INTO items VALUES (1, 'back', 1)").await;
    assert_eq!(
        client.lines("SELECT * FROM items").await,
        ["1|back|1"],
        "a deleted key can be inserted again"
    );
}

#[tokio::test]
async fn delete_returning() {
    let (server, mut wire) = with_items().await;
    server
        .client()
        .await
        .run("INSERT INTO items VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)")
        .await;
    assert_eq!(
        wire.transcript("DELETE FROM items WHERE id <> 2 RETURNING *")
            .await,
        [
            "T id:int4,name:text,qty:int4",
            "D 1|a|10",
            "D 3|c|30",
            "C DELETE 2",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("DELETE FROM items RETURNING name").await,
        ["T name:text", "D b", "C DELETE 1", "Z I"]
    );
}

#[tokio::test]
async fn select_tags_count_the_rows() {
    let (server, mut wire) = with_items().await;
    assert_eq!(
        wire.transcript("SELECT id FROM items").await,
        ["T id:int4", "C SELECT 0", "Z I"]
    );
    server
        .client()
        .await
        .run("INSERT INTO items (id) VALUES (1), (2), (3)")
        .await;
    assert_eq!(wire.tags("SELECT * FROM items").await, ["SELECT 3"]);
    assert_eq!(
        wire.tags("SELECT * FROM items WHERE id = 2").await,
        ["SELECT 1"]
    );
    assert_eq!(wire.tags("SELECT count(*) FROM items").await, ["SELECT 1"]);
}

#[tokio::test]
async fn tokio_postgres_reports_affected_row_counts() {
    let (server, _wire) = with_items().await;
    let client = server.client().await;
    assert_eq!(
        client
            .counts(
                "INSERT INTO items (id) VALUES (1), (2), (3); UPDATE items SET qty = 0 WHERE id < 3; \
                 DELETE FROM items WHERE id = 3; SELECT * FROM items"
            )
            .await,
        [3, 2, 1, 2]
    );
}

#[tokio::test]
async fn insert_from_a_query_over_values_lists() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE q (id serial PRIMARY KEY, c text, n numeric DEFAULT 1.5)").await;
    // A VALUES list in the source query keeps its own columns and types; the omitted
    // columns take their defaults.
    client.run("INSERT INTO q (c) SELECT v.c FROM (VALUES ('a'), ('b')) v(c)").await;
    client.run("INSERT INTO q (c) SELECT x || y FROM (VALUES ('c', 1), ('d', 2)) v(x, y)").await;
    client.run("INSERT INTO q (c, n) SELECT 'e', (SELECT max(z) FROM (VALUES (7), (8)) w(z))").await;
    client.run("INSERT INTO q (c) VALUES ((SELECT v.t FROM (VALUES ('f')) v(t)))").await;
    assert_eq!(client.lines("SELECT id, c, n FROM q ORDER BY id").await, ["1|a|1.5", "2|b|1.5", "3|c1|1.5", "4|d2|1.5", "5|e|8", "6|f|1.5"]);
    client.expect_error("INSERT INTO q (c) SELECT v.t FROM (VALUES ('a')) v", "42703", "column v.t does not exist").await;
}

#[tokio::test]
async fn insert_select_values_take_the_column_types() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE b (x bigint, y numeric(6,5), z smallint DEFAULT 3)").await;
    client.run("INSERT INTO b (x) SELECT 1; INSERT INTO b (y) SELECT 1.0 / 7; INSERT INTO b (x) SELECT 2::int").await;
    client.expect_error("INSERT INTO b (z) SELECT 40000", "22003", "smallint out of range").await;
    assert_eq!(client.lines("SELECT x, y, z FROM b ORDER BY x NULLS LAST").await, ["1|NULL|3", "2|NULL|3", "NULL|0.14286|3"]);
}
