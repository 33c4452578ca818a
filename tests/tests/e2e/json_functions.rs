//! The json and jsonb creation functions and aggregates of PostgreSQL 15: `to_json[b]`,
//! `array_to_json`, `json[b]_build_array`, `json[b]_build_object`, `json[b]_object`,
//! `json[b]_agg` and `json[b]_object_agg`, with PostgreSQL's spacing, NULLs and errors.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::types::Type;

async fn with_items() -> (TestServer, tokio_postgres::Client) {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE items (id int PRIMARY KEY, k text, n int, price numeric(10,2), tags text[])").await;
    client
        .run("INSERT INTO items VALUES (1, 'b', 1, 1.50, '{x,y}'), (2, 'a', 2, NULL, '{}'), (3, 'b', NULL, 2.00, NULL)")
        .await;
    (server, client)
}

#[tokio::test]
async fn to_json_writes_each_type_as_postgresql() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines(r#"SELECT to_json(1), to_json(1.50), to_json('a"b'::text), to_json(true), to_json(NULL::int) IS NULL, to_json(1e20::float8), to_json('NaN'::float8), to_json(0.1::float8 + 0.2)"#).await,
        [r#"1|1.50|"a\"b"|true|t|1e+20|"NaN"|0.30000000000000004"#]
    );
    assert_eq!(
        client.lines("SELECT to_json('2024-01-01 10:00'::timestamp), to_json('2024-01-01 10:00:00.5+00'::timestamptz), to_json('2024-01-01'::date), to_json('infinity'::timestamp), to_json(E'\\t'::text)").await,
        [r#""2024-01-01T10:00:00"|"2024-01-01T10:00:00.5+00:00"|"2024-01-01"|"infinity"|"\t""#]
    );
    assert_eq!(
        client.lines(r#"SELECT to_json(ARRAY[1, NULL, 3]), to_json(ARRAY['a', 'b']), to_json('{"a" :1}'::json), to_json('{"a" :1}'::jsonb), to_json('\x0102'::bytea), to_json('a'::char(3))"#).await,
        [r#"[1,null,3]|["a","b"]|{"a" :1}|{"a": 1}|"\\x0102"|"a  ""#]
    );
    assert_eq!(
        client.lines(r#"SELECT to_jsonb(ARRAY[1, 2]), to_jsonb('{"b": 1, "a" :2}'::json), to_jsonb(1e20::float8), to_jsonb('Infinity'::float8), to_jsonb(1.50)"#).await,
        [r#"[1, 2]|{"a": 2, "b": 1}|100000000000000000000|"Infinity"|1.50"#]
    );
    assert_eq!(
        client.lines("SELECT array_to_json(ARRAY[1, 2]), array_to_json(ARRAY['a', 'b'], true), array_to_json('{}'::int[]), array_to_json(ARRAY[1], NULL) IS NULL").await,
        ["[1,2]|[\"a\",\n \"b\"]|[]|t"]
    );
}

#[tokio::test]
async fn build_functions_space_and_order_as_postgresql() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines("SELECT json_build_array(1, 'a', NULL, true, 1.5::float8, ARRAY[1, 2]), json_build_array(), jsonb_build_array(1, 'a', NULL, ARRAY[1, 2]), jsonb_build_array()").await,
        [r#"[1, "a", null, true, 1.5, [1,2]]|[]|[1, "a", null, [1, 2]]|[]"#]
    );
    assert_eq!(
        client.lines("SELECT json_build_object('b', 1, 'a', 2, 'b', 3), jsonb_build_object('b', 1, 'a', 2, 'b', 3), json_build_object(), jsonb_build_object()").await,
        [r#"{"b" : 1, "a" : 2, "b" : 3}|{"a": 2, "b": 3}|{}|{}"#]
    );
    assert_eq!(
        client.lines("SELECT json_build_object(1, 2, true, 'x', 1.5::float8, NULL), jsonb_build_object('a', json_build_object('x', ARRAY[1]))").await,
        [r#"{"1" : 2, "true" : "x", "1.5" : null}|{"a": {"x": [1]}}"#]
    );
    assert_eq!(
        client.lines("SELECT json_object('{a,1,b,NULL}'), jsonb_object('{b,1,a,NULL,b,3}'), json_object('{}'), json_object('{a,b}', '{1,2}'), jsonb_object(ARRAY['a', 'b'], ARRAY['1', NULL]), json_object(NULL::text[]) IS NULL").await,
        [r#"{"a" : "1", "b" : null}|{"a": null, "b": "3"}|{}|{"a" : "1", "b" : "2"}|{"a": "1", "b": null}|t"#]
    );
}

#[tokio::test]
async fn build_functions_refuse_what_postgresql_refuses() {
    let (_server, client) = TestServer::start_with_client().await;
    client.expect_error("SELECT json_build_object('a')", "22023", "argument list must have even number of elements").await;
    let err = client.error("SELECT jsonb_build_object('a', 1, 'b')").await;
    assert_eq!(err.hint(), Some("The arguments of jsonb_build_object() must consist of alternating keys and values."));
    client.expect_error("SELECT json_build_object(NULL, 1)", "22023", "argument 1 cannot be null").await;
    client.expect_error("SELECT jsonb_build_object('a', 1, NULL, 2)", "22023", "argument 3: key must not be null").await;
    client.expect_error("SELECT json_build_object(ARRAY[1], 1)", "22023", "key value must be scalar, not array, composite, or json").await;
    client.expect_error("SELECT json_object('{a,1,b}')", "2202E", "array must have even number of elements").await;
    client.expect_error("SELECT json_object('{a,1,NULL,2}')", "22004", "null value not allowed for object key").await;
    client.expect_error("SELECT jsonb_object('{a,b}', '{1}')", "2202E", "mismatched array dimensions").await;
}

#[tokio::test]
async fn aggregates_build_arrays_and_objects() {
    let (_server, client) = with_items().await;
    assert_eq!(
        client.lines("SELECT json_agg(n ORDER BY id), jsonb_agg(k ORDER BY id), json_object_agg(k, n ORDER BY id), jsonb_object_agg(k, n ORDER BY id) FROM items").await,
        [r#"[1, 2, null]|["b", "a", "b"]|{ "b" : 1, "a" : 2, "b" : null }|{"a": 2, "b": null}"#]
    );
    assert_eq!(
        client.lines("SELECT k, json_agg(price ORDER BY id DESC), json_agg(tags ORDER BY id), jsonb_agg(tags ORDER BY id) FROM items GROUP BY k ORDER BY k").await,
        ["a|[null]|[[]]|[[]]", "b|[2.00, 1.50]|[[\"x\",\"y\"], null]|[[\"x\", \"y\"], null]"]
    );
    assert_eq!(client.lines("SELECT json_agg(tags ORDER BY id) FROM items WHERE tags IS NOT NULL").await, ["[[\"x\",\"y\"], \n []]"]);
    assert_eq!(client.lines("SELECT json_agg(n) IS NULL, jsonb_object_agg(k, n) IS NULL FROM items WHERE false").await, ["t|t"]);
    assert_eq!(
        client.lines("SELECT json_agg(json_build_object('id', id, 'k', k) ORDER BY id DESC) FROM items WHERE id < 3").await,
        [r#"[{"id" : 2, "k" : "a"}, {"id" : 1, "k" : "b"}]"#]
    );
    client.expect_error("SELECT json_object_agg(NULL::text, n) FROM items", "22023", "field name must not be null").await;
}

#[tokio::test]
async fn results_are_json_or_jsonb() {
    let (_server, client) = with_items().await;
    let statement = client
        .prepare("SELECT to_json(n), to_jsonb(n), json_build_object('a', n), jsonb_build_array(n), json_object('{a,b}'), array_to_json(tags) FROM items")
        .await
        .expect("prepare");
    let types: Vec<&Type> = statement.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, [&Type::JSON, &Type::JSONB, &Type::JSON, &Type::JSONB, &Type::JSON, &Type::JSON]);
    let statement = client.prepare("SELECT json_agg(n), jsonb_agg(n), json_object_agg(k, n), jsonb_object_agg(k, n) FROM items").await.expect("prepare");
    let types: Vec<&Type> = statement.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, [&Type::JSON, &Type::JSONB, &Type::JSON, &Type::JSONB]);
    // A jsonb result is jsonb to the operators.
    assert_eq!(client.lines("SELECT jsonb_build_object('a', 1) -> 'a', jsonb_agg(n ORDER BY id) -> 0 FROM items").await, ["1|1"]);
}
