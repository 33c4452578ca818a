//! INSERT ... ON CONFLICT (issue 13, point 5): DO NOTHING and DO UPDATE against the primary
//! key and UNIQUE constraints, `excluded`, WHERE, RETURNING, PostgreSQL's errors, prepared
//! statements, and concurrent upserts of one key.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn do_nothing_and_do_update() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE kv (k text PRIMARY KEY, v int, n int DEFAULT 0, email text UNIQUE)").await;
    assert_eq!(client.counts("INSERT INTO kv VALUES ('a', 1, 0, 'a@x') ON CONFLICT DO NOTHING").await, [1]);
    // Without a target, every unique key is an arbiter.
    assert_eq!(client.counts("INSERT INTO kv VALUES ('a', 2, 0, 'b@x') ON CONFLICT DO NOTHING").await, [0]);
    assert_eq!(client.counts("INSERT INTO kv VALUES ('b', 2, 0, 'a@x') ON CONFLICT DO NOTHING").await, [0]);
    // Another statement's row and this statement's own.
    assert_eq!(client.counts("INSERT INTO kv VALUES ('a', 1), ('e', 1), ('e', 2) ON CONFLICT DO NOTHING").await, [1]);
    assert_eq!(
        client.lines("INSERT INTO kv VALUES ('a', 5) ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = kv.n + 1 RETURNING k, v, n").await,
        ["a|5|1"]
    );
    // Inserted and updated rows, returned in the order proposed; WHERE on the pair.
    assert_eq!(
        client
            .lines("INSERT INTO kv AS t VALUES ('c', 3), ('a', 7) ON CONFLICT (k) DO UPDATE SET v = t.v + excluded.v WHERE t.v < 100 RETURNING k, v")
            .await,
        ["c|3", "a|12"]
    );
    assert_eq!(client.counts("INSERT INTO kv VALUES ('a', 1000) ON CONFLICT (k) DO UPDATE SET v = excluded.v WHERE kv.v > 1000").await, [0]);
    // By constraint name, the primary key's or a UNIQUE constraint's.
    client.run("INSERT INTO kv VALUES ('a', 7) ON CONFLICT ON CONSTRAINT kv_pkey DO UPDATE SET n = 99").await;
    assert_eq!(
        client.lines("INSERT INTO kv VALUES ('z', 7, 0, 'a@x') ON CONFLICT ON CONSTRAINT kv_email_key DO UPDATE SET v = 42 RETURNING k, v").await,
        ["a|42"]
    );
    // A conflict on a unique key that is not an arbiter is still a violation.
    client.expect_error("INSERT INTO kv VALUES ('q', 7, 0, 'a@x') ON CONFLICT (k) DO NOTHING", "23505", "duplicate key value violates unique constraint \"kv_email_key\"").await;
    client.expect_error("INSERT INTO kv VALUES ('d', 1), ('c', 1) ON CONFLICT (k) DO UPDATE SET email = 'a@x'", "23505", "duplicate key value violates unique constraint \"kv_email_key\"").await;
    assert_eq!(client.lines("SELECT k, v, n, email FROM kv ORDER BY k").await, ["a|42|99|a@x", "c|3|0|NULL", "e|1|0|NULL"]);
}

#[tokio::test]
async fn on_conflict_errors_are_postgresqls() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE kv (k text PRIMARY KEY, v int)").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7), ('a', 8) ON CONFLICT (k) DO UPDATE SET v = excluded.v", "21000", "ON CONFLICT DO UPDATE command cannot affect row a second time").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7) ON CONFLICT DO UPDATE SET v = 1", "42601", "ON CONFLICT DO UPDATE requires inference specification or constraint name").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7) ON CONFLICT (v) DO UPDATE SET v = 1", "42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7) ON CONFLICT (nope) DO NOTHING", "42703", "column \"nope\" does not exist").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7) ON CONFLICT ON CONSTRAINT nope DO NOTHING", "42704", "constraint \"nope\" for table \"kv\" does not exist").await;
    client.expect_error("INSERT INTO kv VALUES ('a', 7) ON CONFLICT (k) DO UPDATE SET nope = 1", "42703", "column \"nope\" of relation \"kv\" does not exist").await;
    // A table without unique keys takes every row.
    client.run("CREATE TABLE plain (a int)").await;
    assert_eq!(client.counts("INSERT INTO plain VALUES (1), (1) ON CONFLICT DO NOTHING").await, [2]);
}

#[tokio::test]
async fn prepared_upserts_with_parameters() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE counters (name text PRIMARY KEY, hits bigint NOT NULL)").await;
    let upsert = client
        .prepare("INSERT INTO counters VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET hits = counters.hits + excluded.hits RETURNING hits")
        .await
        .expect("prepare");
    for (name, hits, total) in [("a", 1i64, 1i64), ("a", 2, 3), ("b", 5, 5), ("a", 10, 13)] {
        let row = client.query_one(&upsert, &[&name, &hits]).await.expect("upsert");
        assert_eq!(row.get::<_, i64>(0), total);
    }
}

#[tokio::test]
async fn concurrent_upserts_of_one_key_lose_no_update() {
    let server = TestServer::start().await;
    server.client().await.run("CREATE TABLE counters (name text PRIMARY KEY, hits int NOT NULL)").await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                client.run("INSERT INTO counters VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET hits = counters.hits + 1").await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let client = server.client().await;
    assert_eq!(client.lines("SELECT hits FROM counters").await, ["100"]);
}
