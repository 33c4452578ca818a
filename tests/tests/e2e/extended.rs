//! The extended query protocol as tokio-postgres uses it: parameters inferred from the
//! statement and sent in binary, results requested in binary.

use shale_tests::TestServer;

#[tokio::test]
async fn parameters_and_binary_results_round_trip() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client
        .batch_execute("CREATE TABLE ext (id bigint PRIMARY KEY, n int, s smallint, t text, f float8, r real, b bool)")
        .await
        .unwrap();
    let inserted = client
        .execute(
            "INSERT INTO ext VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[&1i64, &-7i32, &3i16, &"x y", &1.5f64, &0.25f32, &true],
        )
        .await
        .unwrap();
    assert_eq!(inserted, 1);
    let row = client.query_one("SELECT id, n, s, t, f, r, b FROM ext WHERE id = $1", &[&1i64]).await.unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, i32>(1), -7);
    assert_eq!(row.get::<_, i16>(2), 3);
    assert_eq!(row.get::<_, &str>(3), "x y");
    assert_eq!(row.get::<_, f64>(4), 1.5);
    assert_eq!(row.get::<_, f32>(5), 0.25);
    assert!(row.get::<_, bool>(6));

    let row = client.query_one("SELECT 1 AS one, $1::text || 'b' AS ab, NULL::int AS nothing", &[&"a"]).await.unwrap();
    assert_eq!(row.get::<_, i32>("one"), 1);
    assert_eq!(row.get::<_, &str>("ab"), "ab");
    assert_eq!(row.get::<_, Option<i32>>("nothing"), None);

    assert_eq!(client.execute("UPDATE ext SET n = $1 WHERE id = $2", &[&8i32, &1i64]).await.unwrap(), 1);
    let gone = client.query("DELETE FROM ext WHERE id = $1 RETURNING n, t", &[&1i64]).await.unwrap();
    assert_eq!((gone[0].get::<_, i32>(0), gone[0].get::<_, &str>(1)), (8, "x y"));
    assert_eq!(client.query("SELECT * FROM ext", &[]).await.unwrap().len(), 0);
}

#[tokio::test]
async fn an_error_in_the_extended_protocol_leaves_the_session_usable() {
    let server = TestServer::start().await;
    let client = server.client().await;
    let err = client.query("SELECT * FROM no_such_table WHERE a = $1", &[&1i32]).await.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("42P01"));
    client.batch_execute("CREATE TABLE zero (id int PRIMARY KEY, n int); INSERT INTO zero VALUES (1, 0)").await.unwrap();
    let err = client.query_one("SELECT 10 / n FROM zero WHERE id = $1", &[&1i32]).await.unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("22012"));
    let row = client.query_one("SELECT $1::int + 1", &[&41i32]).await.unwrap();
    assert_eq!(row.get::<_, i32>(0), 42);
}
