//! One-dimensional arrays of every scalar type but enums (issue 3, point 4; issue 14,
//! point 3): stored and read back in text (simple queries, compared with what
//! PostgreSQL 15 prints) and in binary (tokio-postgres parameters and results), array
//! literals read by PostgreSQL's rules, and the parameter types Describe reports.

use std::error::Error;

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;
use tokio_postgres::types::{FromSql, Type};
use uuid::Uuid;

/// A table with one array column of each element type.
const TABLE: &str = "CREATE TABLE arr (id int PRIMARY KEY, a int[], b bigint[], c text[], \
                     d float8[], e numeric(10,2)[], f uuid[])";

async fn with_table() -> (TestServer, Client) {
    let (server, client) = TestServer::start_with_client().await;
    client.run(TABLE).await;
    (server, client)
}

/// A value's bytes as the server sent them, whatever its type.
struct Raw(Vec<u8>);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(raw.to_vec()))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[tokio::test]
async fn arrays_print_as_postgres_prints_them() {
    let (_server, client) = with_table().await;
    client
        .run(
            r#"INSERT INTO arr VALUES (1, '{1, 2 ,NULL}', '{-9223372036854775808,9223372036854775807}',
                '{ "a b" , NULL,"q\"x","" , null ,"NULL", "{}" , a\,b, back\\slash, é}',
                '{1.5,NaN,Infinity,-Infinity,-0,1.5e300,1e-5,0.1}', '{1.234,-0.005,99999999.99}',
                '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11,NULL}')"#,
        )
        .await;
    client
        .run(
            "INSERT INTO arr VALUES (2, ARRAY[1,2,3], ARRAY[]::bigint[], ARRAY['x', NULL], \
             ARRAY[2.5::float8], ARRAY[1.5], ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12']::uuid[]);
             INSERT INTO arr (id, a, c) VALUES (3, '{}', '{}'); INSERT INTO arr (id) VALUES (4)",
        )
        .await;
    assert_eq!(
        client.lines("SELECT * FROM arr ORDER BY id").await,
        [
            r#"1|{1,2,NULL}|{-9223372036854775808,9223372036854775807}|{"a b",NULL,"q\"x","",NULL,"NULL","{}","a,b","back\\slash",é}|{1.5,NaN,Infinity,-Infinity,-0,1.5e+300,1e-05,0.1}|{1.23,-0.01,99999999.99}|{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}"#,
            "2|{1,2,3}|{}|{x,NULL}|{2.5}|{1.50}|{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12}",
            "3|{}|NULL|{}|NULL|NULL|NULL",
            "4|NULL|NULL|NULL|NULL|NULL|NULL",
        ]
    );
    assert_eq!(
        client.lines("SELECT '{1,2}'::int[], '{}'::text[], ARRAY[]::int[], '{\" 7 \"}'::bigint[]").await,
        ["{1,2}|{}|{}|{7}"]
    );
}

#[tokio::test]
async fn malformed_array_literals_fail_as_in_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    for (literal, code, message) in [
        ("'{1,2'::int[]", "22P02", r#"malformed array literal: "{1,2""#),
        ("'1,2'::int[]", "22P02", r#"malformed array literal: "1,2""#),
        ("'{1,,2}'::int[]", "22P02", r#"malformed array literal: "{1,,2}""#),
        ("'{1} x'::int[]", "22P02", r#"malformed array literal: "{1} x""#),
        (r#"'{a"b"}'::text[]"#, "22P02", r#"malformed array literal: "{a"b"}""#),
        ("'{abc}'::int[]", "22P02", r#"invalid input syntax for type integer: "abc""#),
        ("'{1.5}'::int[]", "22P02", r#"invalid input syntax for type integer: "1.5""#),
        ("'{99999999999}'::int[]", "22003", r#"value "99999999999" is out of range for type integer"#),
        ("'{1e400}'::float8[]", "22003", r#""1e400" is out of range for type double precision"#),
        ("'{100000000000}'::numeric(10,2)[]", "22003", "numeric field overflow"),
        ("'{xyz}'::uuid[]", "22P02", r#"invalid input syntax for type uuid: "xyz""#),
    ] {
        let err = client.error(&format!("SELECT {literal}")).await;
        assert_eq!((err.code().code(), err.message()), (code, message), "{literal}");
    }
    client.run(TABLE).await;
    client.expect_sqlstate("INSERT INTO arr (id, a) VALUES (1, '{1,x}')", "22P02").await;
    client.expect_sqlstate("INSERT INTO arr (id, f) VALUES (1, '{nope}')", "22P02").await;
}

#[tokio::test]
async fn arrays_round_trip_in_binary() {
    let (_server, client) = with_table().await;
    let ints = vec![Some(i32::MIN), None, Some(i32::MAX)];
    let bigints = vec![i64::MIN, 0, i64::MAX];
    let texts = vec![
        Some("a b".to_string()),
        Some("q\"x".into()),
        Some(String::new()),
        None,
        Some("NULL".into()),
        Some("{a,b}".into()),
        Some("back\\slash".into()),
    ];
    let floats = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1.5e300];
    let uuids = vec![Some(Uuid::from_u128(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11)), None];
    let empty: Vec<i32> = vec![];
    client
        .execute(
            "INSERT INTO arr (id, a, b, c, d, f) VALUES ($1, $2, $3, $4, $5, $6), (2, $7, NULL, NULL, NULL, NULL)",
            &[&1i32, &ints, &bigints, &texts, &floats, &uuids, &empty],
        )
        .await
        .unwrap();
    let row = client.query_one("SELECT a, b, c, d, f FROM arr WHERE id = $1", &[&1i32]).await.unwrap();
    assert_eq!(row.get::<_, Vec<Option<i32>>>(0), ints);
    assert_eq!(row.get::<_, Vec<i64>>(1), bigints);
    assert_eq!(row.get::<_, Vec<Option<String>>>(2), texts);
    let read: Vec<f64> = row.get(3);
    assert!(read[0].is_nan());
    assert_eq!(read[1..], floats[1..]);
    assert!(read[3].is_sign_negative(), "-0 keeps its sign");
    assert_eq!(row.get::<_, Vec<Option<Uuid>>>(4), uuids);
    assert_eq!(
        client.lines("SELECT a, c, f FROM arr WHERE id = 1").await,
        [r#"{-2147483648,NULL,2147483647}|{"a b","q\"x","",NULL,"NULL","{a,b}","back\\slash"}|{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}"#]
    );
    let row = client.query_one("SELECT a, b FROM arr WHERE id = 2", &[]).await.unwrap();
    assert_eq!(row.get::<_, Vec<i32>>(0), empty);
    assert_eq!(row.get::<_, Option<Vec<i64>>>(1), None);

    // Parameters compared with array columns.
    let found = client.query("SELECT id FROM arr WHERE b = $1", &[&bigints]).await.unwrap();
    assert_eq!(found.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>(), [1]);
}

#[tokio::test]
async fn numeric_arrays_are_sent_as_array_send_sends_them() {
    let (_server, client) = with_table().await;
    client.run("INSERT INTO arr (id, e) VALUES (1, '{1.50,NULL,-2.25}'), (2, '{}')").await;
    let rows = client.query("SELECT e FROM arr ORDER BY id", &[]).await.unwrap();
    // SELECT array_send('{1.50,NULL,-2.25}'::numeric(10,2)[]): one dimension, a NULL, element
    // type numeric (1700), 3 elements from 1; then 1.50 and -2.25 in numeric_send's format.
    let bytes = |words: &[u32]| -> Vec<u8> { words.iter().flat_map(|w| w.to_be_bytes()).collect() };
    let expected = bytes(&[
        1, 1, 1700, 3, 1, 12, 0x0002_0000, 0x0000_0002, 0x0001_1388, 0xffff_ffff, 12, 0x0002_0000,
        0x4000_0002, 0x0002_09c4,
    ]);
    assert_eq!(rows[0].get::<_, Raw>(0).0, expected);
    // array_send('{}'::numeric(10,2)[]): no dimensions.
    assert_eq!(rows[1].get::<_, Raw>(0).0, bytes(&[0, 0, 1700]));
}

#[tokio::test]
async fn describe_reports_array_types() {
    let (_server, client) = with_table().await;
    let arrays = [
        Type::INT4_ARRAY,
        Type::INT8_ARRAY,
        Type::TEXT_ARRAY,
        Type::FLOAT8_ARRAY,
        Type::NUMERIC_ARRAY,
        Type::UUID_ARRAY,
    ];
    let insert = client.prepare("INSERT INTO arr VALUES ($1, $2, $3, $4, $5, $6, $7)").await.unwrap();
    assert_eq!(insert.params()[0], Type::INT4);
    assert_eq!(insert.params()[1..], arrays);
    let select = client.prepare("SELECT a, b, c, d, e, f FROM arr").await.unwrap();
    let types: Vec<Type> = select.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, arrays);
}

#[tokio::test]
async fn arrays_in_filters_functions_and_updates() {
    let (_server, client) = with_table().await;
    client
        .run(
            "INSERT INTO arr (id, a, c, f) VALUES (1, '{1,2}', '{x,NULL}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'), \
             (2, '{3,4,5}', NULL, NULL), (3, NULL, NULL, NULL)",
        )
        .await;
    assert_eq!(client.lines("SELECT id FROM arr WHERE a = '{1,2}'").await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM arr WHERE '{ 3, 4,5 }' = a").await, ["2"]);
    assert_eq!(client.lines("SELECT id FROM arr WHERE a <> '{1,2}' ORDER BY id").await, ["2"]);
    assert_eq!(client.lines("SELECT id FROM arr WHERE a IS NULL").await, ["3"]);
    assert_eq!(client.lines("SELECT id FROM arr WHERE c = '{x,NULL}'").await, ["1"]);
    assert_eq!(
        client.lines("SELECT id FROM arr WHERE f = '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'").await,
        ["1"]
    );
    assert_eq!(
        client.lines("SELECT array_length(a, 1), a[1], a[3], cardinality(a) FROM arr ORDER BY id").await,
        ["2|1|NULL|2", "3|3|5|3", "NULL|NULL|NULL|NULL"]
    );
    assert_eq!(client.lines("UPDATE arr SET a = '{7}' WHERE id = 3 RETURNING a").await, ["{7}"]);
    assert_eq!(client.lines("UPDATE arr SET c = ARRAY['y'] WHERE id = 2 RETURNING c").await, ["{y}"]);
}

#[tokio::test]
async fn unsupported_arrays_are_0a000() {
    let Some(server) = TestServer::start_shale("multidimensional arrays and arrays of enums").await else {
        return;
    };
    let client = server.client().await;
    client.expect_sqlstate("CREATE TABLE m (a int[][])", "0A000").await;
    client.run("CREATE TYPE mood AS ENUM ('sad')").await;
    client.expect_sqlstate("CREATE TABLE m (a mood[])", "0A000").await;
    client.expect_sqlstate("CREATE TABLE m (a int[] PRIMARY KEY)", "0A000").await;
    client.expect_sqlstate("SELECT '{{1},{2}}'::int[]", "0A000").await;
    client.run("CREATE TABLE ok (id int PRIMARY KEY, a _int4, b int4[], c integer[3])").await;
    assert_eq!(client.lines("INSERT INTO ok VALUES (1, '{1}', '{2}', '{3}') RETURNING a, b, c").await, ["{1}|{2}|{3}"]);
}

#[tokio::test]
async fn arrays_of_every_scalar_type_are_stored_checked_and_read() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE ar (id int, b bool[], v varchar(3)[], c char(2)[], s int2[], r real[], d date[], \
             ts timestamp[], tz timestamptz[], i interval[], j jsonb[], by bytea[], n numeric(5,2)[], t time[])",
        )
        .await;
    client.run("SET TimeZone = 'UTC'").await;
    client
        .run(
            "INSERT INTO ar VALUES (1, '{t,f,NULL}', '{ab,abc}', '{a,bc}', '{1,2}', '{1.5,2}', '{2020-01-02,infinity}', \
             '{\"2020-01-02 03:04:05\"}', '{\"2020-01-02 03:04:05+02\"}', '{\"1 day\",\"2 hours\"}', \
             '{\"{\\\"a\\\": 1}\",\"[1, 2]\"}', '{\"\\\\x0102\"}', '{1.234,5}', '{12:34:56}')",
        )
        .await;
    assert_eq!(
        client.lines("SELECT b, v, c, s, r, d, ts, tz, i, j, by, n, t FROM ar").await,
        [concat!(
            "{t,f,NULL}|{ab,abc}|{\"a \",bc}|{1,2}|{1.5,2}|{2020-01-02,infinity}|{\"2020-01-02 03:04:05\"}|",
            "{\"2020-01-02 01:04:05+00\"}|{\"1 day\",02:00:00}|{\"{\\\"a\\\": 1}\",\"[1, 2]\"}|{\"\\\\x0102\"}|{1.23,5.00}|{12:34:56}"
        )]
    );
    // Stored, an element longer than its type is an error; cast, it is cut.
    client.expect_error("INSERT INTO ar (id, v) VALUES (2, '{abcd}')", "22001", "value too long for type character varying(3)").await;
    client.expect_error("INSERT INTO ar (id, v) VALUES (2, ARRAY['abcd'])", "22001", "value too long for type character varying(3)").await;
    client.expect_error("INSERT INTO ar (id, c) VALUES (2, '{abc}')", "22001", "value too long for type character(2)").await;
    assert_eq!(client.lines("SELECT '{abcdef}'::varchar(3)[], '{a}'::char(3)[]").await, ["{abc}|{\"a  \"}"]);
    assert_eq!(client.lines("SELECT b[1], v[2], d[1], array_length(v, 1) FROM ar").await, ["t|abc|2020-01-02|2"]);
    assert_eq!(client.lines("SELECT id FROM ar WHERE 'abc' = ANY(v)").await, ["1"]);
    assert_eq!(client.lines("UPDATE ar SET b = '{true}' WHERE id = 1 RETURNING b").await, ["{t}"]);
    assert_eq!(client.lines("SELECT pg_typeof(b), pg_typeof(v), pg_typeof(d) FROM ar").await, ["boolean[]|character varying[]|date[]"]);
    // In binary, both ways.
    client.run("DELETE FROM ar").await;
    let insert = client.prepare("INSERT INTO ar (id, b, v, s, r) VALUES (1, $1, $2, $3, $4)").await.expect("prepare");
    let (b, v, s, r) = (vec![true, false], vec!["x".to_string(), "yz".to_string()], vec![1i16, -2], vec![0.5f32]);
    client.execute(&insert, &[&b, &v, &s, &r]).await.expect("insert");
    let row = client.query_one("SELECT b, v, s, r FROM ar", &[]).await.expect("select");
    assert_eq!((row.get::<_, Vec<bool>>(0), row.get::<_, Vec<String>>(1)), (b, v));
    assert_eq!((row.get::<_, Vec<i16>>(2), row.get::<_, Vec<f32>>(3)), (s, r));
}
