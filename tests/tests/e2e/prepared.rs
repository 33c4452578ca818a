//! Prepared statements executed many times (issue 3, point 6): planned once, each Execute
//! binds values. Results stay right across executions, transactions and DDL; when DDL
//! changes what a prepared query returns, Execute fails as PostgreSQL's does.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

async fn numbers(client: &Client) {
    client
        .run(
            "CREATE TABLE nums (id bigint PRIMARY KEY, n bigint);
             INSERT INTO nums SELECT * FROM (VALUES (1, 10), (2, 20), (3, 30)) AS v(id, n)",
        )
        .await;
}

fn sqlstate(e: &tokio_postgres::Error) -> Option<&str> {
    e.code().map(|c| c.code())
}

#[tokio::test]
async fn a_prepared_statement_runs_many_times_with_different_values() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let insert = client.prepare("INSERT INTO nums VALUES ($1, $2)").await.unwrap();
    for id in 4..=50i64 {
        assert_eq!(client.execute(&insert, &[&id, &(id * 10)]).await.unwrap(), 1);
    }
    let err = client.execute(&insert, &[&4i64, &0i64]).await.unwrap_err();
    assert_eq!(sqlstate(&err), Some("23505"));

    let select = client.prepare("SELECT n FROM nums WHERE id = $1").await.unwrap();
    for id in 1..=50i64 {
        let rows = client.query(&select, &[&id]).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(), [id * 10], "id {id}");
    }
    assert!(client.query(&select, &[&51i64]).await.unwrap().is_empty());

    let update = client.prepare("UPDATE nums SET n = n + $1 WHERE id = $2").await.unwrap();
    for id in 1..=50i64 {
        assert_eq!(client.execute(&update, &[&id, &id]).await.unwrap(), 1);
    }
    assert_eq!(client.execute(&update, &[&1i64, &99i64]).await.unwrap(), 0);
    assert_eq!(client.query_one(&select, &[&7i64]).await.unwrap().get::<_, i64>(0), 77);

    let delete = client.prepare("DELETE FROM nums WHERE id > $1").await.unwrap();
    assert_eq!(client.execute(&delete, &[&40i64]).await.unwrap(), 10);
    assert_eq!(client.execute(&delete, &[&30i64]).await.unwrap(), 10);
    assert_eq!(client.value("SELECT count(*) FROM nums").await, "30");

    let range = client.prepare("SELECT count(*), sum(n)::bigint FROM nums WHERE id BETWEEN $1 AND $2").await.unwrap();
    let row = client.query_one(&range, &[&1i64, &3i64]).await.unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (3, 11 + 22 + 33));
    let row = client.query_one(&range, &[&10i64, &11i64]).await.unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (2, 110 + 121));
}

#[tokio::test]
async fn prepared_statements_with_returning_run_many_times() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let insert = client.prepare("INSERT INTO nums VALUES ($1, $2) RETURNING id, n * 2 AS twice").await.unwrap();
    let update = client.prepare("UPDATE nums SET n = n + $1 WHERE id = $2 RETURNING n").await.unwrap();
    for id in 4..=6i64 {
        let row = client.query_one(&insert, &[&id, &(id * 10)]).await.unwrap();
        assert_eq!((row.get::<_, i64>("id"), row.get::<_, i64>("twice")), (id, id * 20));
    }
    for (add, id) in [(1i64, 1i64), (2, 1), (5, 6)] {
        let rows = client.query(&update, &[&add, &id]).await.unwrap();
        assert_eq!(rows.len(), 1);
    }
    assert_eq!(client.lines("SELECT n FROM nums WHERE id IN (1, 6) ORDER BY id").await, ["13", "65"]);
    // A parameter in the RETURNING list itself.
    let echo = client.prepare("DELETE FROM nums WHERE id = $1 RETURNING n + $2").await.unwrap();
    let row = client.query_one(&echo, &[&6i64, &1i64]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 66);
}

#[tokio::test]
async fn prepared_queries_see_the_data_of_each_execution() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let point = client.prepare("SELECT n FROM nums WHERE id = $1").await.unwrap();
    let join = client.prepare("SELECT b.n FROM nums a JOIN nums b ON b.id = a.id + 1 WHERE a.id = $1").await.unwrap();
    let total = client.prepare("SELECT sum(n)::bigint FROM nums WHERE id >= $1").await.unwrap();
    let clock = client.prepare("SELECT now() FROM nums WHERE id = $1").await.unwrap();
    let read = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>();
    assert_eq!(read(client.query(&point, &[&2i64]).await.unwrap()), [20]);
    assert_eq!(read(client.query(&join, &[&1i64]).await.unwrap()), [20]);
    assert_eq!(read(client.query(&total, &[&1i64]).await.unwrap()), [60]);
    let first: std::time::SystemTime = client.query_one(&clock, &[&1i64]).await.unwrap().get(0);
    client.run("UPDATE nums SET n = n + 1").await;
    assert_eq!(read(client.query(&point, &[&2i64]).await.unwrap()), [21]);
    assert_eq!(read(client.query(&join, &[&1i64]).await.unwrap()), [21]);
    assert_eq!(read(client.query(&total, &[&1i64]).await.unwrap()), [63]);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second: std::time::SystemTime = client.query_one(&clock, &[&1i64]).await.unwrap().get(0);
    assert!(second > first, "now() is each transaction's start");
}

#[tokio::test]
async fn prepared_values_of_other_types_read_as_literals_would() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE typed (id int PRIMARY KEY, d numeric(6,2), j jsonb, t text, w interval)")
        .await;
    let insert = client
        .prepare("INSERT INTO typed VALUES ($1, $2::text::numeric, $3::text::jsonb, $4, $5::text::interval)")
        .await
        .unwrap();
    for (id, d, j) in [(1i32, "1.25", "{\"b\": 1, \"a\": [1, 2]}"), (2, "-3.1", "[true, null]")] {
        client.execute(&insert, &[&id, &d, &j, &format!("row {id}"), &"1 day 2 hours"]).await.unwrap();
    }
    assert_eq!(
        client.lines("SELECT id, d, j, t, w FROM typed ORDER BY id").await,
        ["1|1.25|{\"a\": [1, 2], \"b\": 1}|row 1|1 day 02:00:00", "2|-3.10|[true, null]|row 2|1 day 02:00:00"]
    );

    let matching = client.prepare("SELECT id FROM typed WHERE t = $1 AND d > $2::text::numeric").await.unwrap();
    let ids = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>();
    assert_eq!(ids(client.query(&matching, &[&"row 1", &"1"]).await.unwrap()), [1]);
    assert!(ids(client.query(&matching, &[&"row 2", &"1"]).await.unwrap()).is_empty());
    assert_eq!(ids(client.query(&matching, &[&"row 2", &"-4"]).await.unwrap()), [2]);
}

#[tokio::test]
async fn a_prepared_statement_follows_ddl_on_its_table() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let select = client.prepare("SELECT n FROM nums WHERE id = $1").await.unwrap();
    let update = client.prepare("UPDATE nums SET n = $1 WHERE id = $2").await.unwrap();
    let star = client.prepare("SELECT * FROM nums WHERE id = $1").await.unwrap();
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 10);
    assert_eq!(client.query_one(&star, &[&1i64]).await.unwrap().get::<_, i64>(1), 10);

    // A new column: the same result columns, planned again.
    client.run("ALTER TABLE nums ADD COLUMN m int DEFAULT 5").await;
    assert_eq!(client.execute(&update, &[&21i64, &2i64]).await.unwrap(), 1);
    assert_eq!(client.query_one(&select, &[&2i64]).await.unwrap().get::<_, i64>(0), 21);
    assert_eq!(client.value("SELECT m FROM nums WHERE id = 2").await, "5");
    // `*` now has three columns: PostgreSQL refuses to change a prepared result.
    let err = client.query(&star, &[&1i64]).await.unwrap_err();
    assert_eq!(sqlstate(&err), Some("0A000"));
    assert_eq!(err.as_db_error().map(|e| e.message()), Some("cached plan must not change result type"));

    // Dropped and created again with other rows: the new table is read.
    client
        .run(
            "DROP TABLE nums;
             CREATE TABLE nums (n bigint, id bigint PRIMARY KEY);
             INSERT INTO nums VALUES (100, 1)",
        )
        .await;
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 100);
    assert_eq!(client.execute(&update, &[&101i64, &1i64]).await.unwrap(), 1);
    assert_eq!(client.value("SELECT n FROM nums WHERE id = 1").await, "101");

    // Gone: the error of a missing table; back with another type for n: result type changed.
    client.run("DROP TABLE nums").await;
    let err = client.query(&select, &[&1i64]).await.unwrap_err();
    assert_eq!(sqlstate(&err), Some("42P01"));
    client.run("CREATE TABLE nums (id bigint PRIMARY KEY, n text); INSERT INTO nums VALUES (1, 'x')").await;
    let err = client.query(&select, &[&1i64]).await.unwrap_err();
    assert_eq!(sqlstate(&err), Some("0A000"));
}

#[tokio::test]
async fn a_plan_made_in_a_rolled_back_ddl_transaction_is_not_kept() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let select = client.prepare("SELECT n FROM nums WHERE id = $1").await.unwrap();
    client.run("BEGIN; DROP TABLE nums; CREATE TABLE nums (id bigint PRIMARY KEY, n bigint); INSERT INTO nums VALUES (1, -1)").await;
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), -1);
    client.run("ROLLBACK").await;
    // Another DDL brings the catalog to the version the rolled-back one had.
    client.run("CREATE TABLE other (a int)").await;
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 10);
}

#[tokio::test]
async fn prepared_statements_run_in_each_transaction_they_are_executed_in() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    let update = client.prepare("UPDATE nums SET n = n + 1 WHERE id = $1").await.unwrap();
    let select = client.prepare("SELECT n FROM nums WHERE id = $1").await.unwrap();
    assert_eq!(client.execute(&update, &[&1i64]).await.unwrap(), 1);

    client.run("BEGIN").await;
    for _ in 0..5 {
        assert_eq!(client.execute(&update, &[&1i64]).await.unwrap(), 1);
    }
    // The block sees its own writes through the plan made before it began.
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 16);
    client.run("ROLLBACK").await;
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 11);

    client.run("BEGIN").await;
    assert_eq!(client.execute(&update, &[&2i64]).await.unwrap(), 1);
    client.run("COMMIT").await;
    assert_eq!(client.query_one(&select, &[&2i64]).await.unwrap().get::<_, i64>(0), 21);

    // A failed block refuses prepared statements too, until ROLLBACK.
    client.run("BEGIN").await;
    assert_eq!(client.error("SELECT 1 / 0").await.code().code(), "22012");
    let err = client.query(&select, &[&1i64]).await.unwrap_err();
    assert_eq!(sqlstate(&err), Some("25P02"));
    client.run("ROLLBACK").await;
    assert_eq!(client.query_one(&select, &[&1i64]).await.unwrap().get::<_, i64>(0), 11);
}

/// A constant assigned or inserted by a prepared statement is stored as its column's type:
/// `0` is an integer literal, and a bigint column still gets eight bytes (it once got
/// four, and every later read of the table failed).
#[tokio::test]
async fn prepared_constants_are_stored_as_their_columns_type() {
    let (_server, client) = TestServer::start_with_client().await;
    numbers(&client).await;
    assert_eq!(client.execute("UPDATE nums SET n = 0 WHERE id = $1", &[&1i64]).await.unwrap(), 1);
    assert_eq!(client.execute("UPDATE nums SET n = 7", &[]).await.unwrap(), 3);
    assert_eq!(client.execute("INSERT INTO nums VALUES ($1, 5)", &[&4i64]).await.unwrap(), 1);
    let rows = client.query("SELECT id, n FROM nums ORDER BY id", &[]).await.unwrap();
    let read: Vec<(i64, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(read, [(1, 7), (2, 7), (3, 7), (4, 5)]);
}

/// `DEALLOCATE ALL` (psycopg sends it, with Parse/Bind/Execute) forgets every named
/// statement of the connection and keeps the unnamed one; `DEALLOCATE [PREPARE] name`
/// forgets one, and a quoted `"all"` is a name.
#[tokio::test]
async fn deallocate_all_forgets_every_named_statement() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let parsed = wire.parse("s1", "SELECT 1", &[]).parse("s2", "SELECT 2", &[]).parse("s3", "SELECT 3", &[]).sync().await;
    assert_eq!(parsed, ["1", "1", "1", "Z I"]);
    assert_eq!(wire.tags("DEALLOCATE PREPARE s3").await, ["DEALLOCATE"]);
    let (fields, _) = wire.error("DEALLOCATE \"all\"").await;
    assert_eq!((fields.code(), fields.message()), ("26000", "prepared statement \"all\" does not exist"));
    let deallocated = wire.parse("", "DEALLOCATE ALL", &[]).bind("", "", &[]).execute("", 0).sync().await;
    assert_eq!(deallocated, ["1", "2", "C DEALLOCATE ALL", "Z I"]);
    for name in ["s1", "s2", "s3"] {
        assert_eq!(wire.bind("", name, &[]).sync().await, ["E 26000", "Z I"], "{name}");
    }
    // The unnamed statement (the DEALLOCATE ALL itself) stays, and the names are free again.
    assert_eq!(wire.bind("", "", &[]).execute("", 0).sync().await, ["2", "C DEALLOCATE ALL", "Z I"]);
    assert_eq!(wire.parse("s1", "SELECT 4", &[]).sync().await, ["1", "Z I"]);
    assert_eq!(wire.tags("DEALLOCATE ALL").await, ["DEALLOCATE ALL"]);
    assert_eq!(wire.bind("", "s1", &[]).sync().await, ["E 26000", "Z I"]);
}
