//! Type round trips through sqlx (issue 3): for each column type, values are written with
//! `sqlx::query(...).bind(...)` (binary parameters, their types named by sqlx) and read back
//! with `query` and `query_as` (binary results) and with `raw_sql` (the simple protocol:
//! text results); each value also comes back from `SELECT $1::type`. Every read equals what
//! was written, NULL and edge values included.

use std::fmt::Debug;

use shale_tests::{TestServer, within};
use sqlx::postgres::types::PgInterval;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sqlx::types::{BigDecimal, JsonValue, Uuid};
use sqlx::{Connection, Decode, Encode, Postgres, Row, Type};

/// One way of reading the column back.
#[derive(Clone, Copy, Debug)]
enum Read {
    /// `sqlx::query` and `try_get`: a prepared statement, binary results.
    Query,
    /// `sqlx::query_as` into a tuple: a prepared statement, binary results.
    QueryAs,
    /// `sqlx::raw_sql`: the simple query protocol, text results.
    Text,
    /// Not stored: each written value bound to `SELECT $1::type`, binary results.
    Cast,
}

/// Every way of reading back.
const ALL_READS: &[Read] = &[Read::Query, Read::QueryAs, Read::Text, Read::Cast];

/// Values equal as their Debug forms are: floats keep the sign of zero and NaN equals NaN.
fn same_debug<T: Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// An sqlx connection to `server` (sqlx is built without TLS).
async fn connect(server: &TestServer) -> PgConnection {
    let url = format!("{}?sslmode=disable", server.url());
    within(PgConnection::connect(&url), "sqlx connect")
        .await
        .unwrap_or_else(|e| panic!("sqlx connect: {e}\n{}", server.log()))
}

/// Writes `written` into a new `sql_type` column, one row each, and checks that each of
/// `reads` gives back `expected` as judged by `same`.
async fn round_trip<T>(
    sql_type: &str,
    written: &[Option<T>],
    expected: &[Option<T>],
    reads: &[Read],
    same: fn(&T, &T) -> bool,
) where
    T: for<'q> Encode<'q, Postgres> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Clone + Debug + Send + Sync + Unpin + 'static,
{
    let server = TestServer::start().await;
    let mut conn = connect(&server).await;
    let create = format!("CREATE TABLE sqlx_values (id int PRIMARY KEY, v {sql_type})");
    sqlx::raw_sql(&create).execute(&mut conn).await.unwrap();
    for (id, value) in written.iter().enumerate() {
        let insert = sqlx::query("INSERT INTO sqlx_values (id, v) VALUES ($1, $2)")
            .bind(id as i32)
            .bind(value.clone())
            .execute(&mut conn);
        within(insert, "insert")
            .await
            .unwrap_or_else(|e| panic!("{sql_type}: writing {value:?}: {e}\n{}", server.log()));
    }
    let select = "SELECT v FROM sqlx_values ORDER BY id";
    for read in reads {
        let values: Vec<Option<T>> = match read {
            Read::Query => column(sqlx::query(select).fetch_all(&mut conn).await),
            Read::QueryAs => sqlx::query_as::<_, (Option<T>,)>(select)
                .fetch_all(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{sql_type}: query_as: {e}"))
                .into_iter()
                .map(|(v,)| v)
                .collect(),
            Read::Text => column(sqlx::raw_sql(select).fetch_all(&mut conn).await),
            Read::Cast => {
                let cast = format!("SELECT $1::{sql_type}");
                let mut rows = Vec::new();
                for value in written {
                    rows.push(sqlx::query(&cast).bind(value.clone()).fetch_one(&mut conn).await.unwrap_or_else(|e| panic!("{cast} with {value:?}: {e}")));
                }
                column(Ok(rows))
            }
        };
        let equal = values.len() == expected.len()
            && values.iter().zip(expected).all(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => same(a, b),
                (a, b) => a.is_none() && b.is_none(),
            });
        assert!(equal, "{sql_type} read with {read:?}:\n  got      {values:?}\n  expected {expected:?}");
    }
}

/// The first column of `rows`, decoded as `T`.
fn column<T>(rows: Result<Vec<PgRow>, sqlx::Error>) -> Vec<Option<T>>
where
    T: for<'r> Decode<'r, Postgres> + Type<Postgres>,
{
    let rows = rows.unwrap_or_else(|e| panic!("select: {e}"));
    rows.iter().map(|row| row.try_get::<Option<T>, _>(0).unwrap_or_else(|e| panic!("decode: {e}"))).collect()
}

/// [`round_trip`] where every read must give back exactly what was written.
async fn exact<T>(sql_type: &str, written: Vec<Option<T>>)
where
    T: for<'q> Encode<'q, Postgres> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Clone + Debug + Send + Sync + Unpin + 'static,
{
    round_trip(sql_type, &written, &written, ALL_READS, same_debug).await;
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn time(h: u32, m: u32, s: u32, micros: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, m, s, micros).expect("valid time")
}

fn timestamps() -> Vec<Option<NaiveDateTime>> {
    vec![
        Some(date(1, 1, 1).and_time(time(0, 0, 0, 1))),
        Some(date(1969, 12, 31).and_time(time(23, 59, 59, 999_999))),
        Some(date(2024, 2, 29).and_time(time(12, 0, 0, 123_456))),
        Some(date(9999, 12, 31).and_time(time(23, 59, 59, 999_999))),
        None,
    ]
}

#[tokio::test]
async fn integers() {
    exact("smallint", vec![Some(i16::MIN), Some(i16::MAX), Some(0), None]).await;
    exact("integer", vec![Some(i32::MIN), Some(i32::MAX), Some(0), None]).await;
    exact("bigint", vec![Some(i64::MIN), Some(i64::MAX), Some(0), None]).await;
}

#[tokio::test]
async fn floats() {
    let reals = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.0, f32::MAX, f32::MIN_POSITIVE, 1e-45, 0.1];
    exact("real", reals.into_iter().map(Some).chain([None]).collect()).await;
    let doubles = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 1.5e300, f64::MAX, 5e-324, 0.1];
    exact("double precision", doubles.into_iter().map(Some).chain([None]).collect()).await;
}

#[tokio::test]
async fn numerics_with_precision_and_scale() {
    let decimal = |s: &str| Some(s.parse::<BigDecimal>().expect("decimal"));
    let values = vec![
        decimal("12345678901234567890123456789012.123456"),
        decimal("-98765432109876543210987654321098.5"),
        decimal("0.000001"),
        decimal("0"),
        None,
    ];
    round_trip("numeric(38,6)", &values, &values, ALL_READS, BigDecimal::eq).await;
    // Rounded to the column's scale on the way in, as PostgreSQL does.
    let written = vec![decimal("1.005"), decimal("-2.5"), decimal("99999999.99")];
    let expected = vec![decimal("1.01"), decimal("-2.50"), decimal("99999999.99")];
    round_trip("numeric(10,2)", &written, &expected, ALL_READS, BigDecimal::eq).await;
    // A negative scale (PostgreSQL 15) rounds to hundreds here.
    let written = vec![decimal("123456"), decimal("-150"), decimal("49.9"), decimal("999949.99")];
    let expected = vec![decimal("123500"), decimal("-200"), decimal("0"), decimal("999900")];
    round_trip("numeric(4,-2)", &written, &expected, ALL_READS, BigDecimal::eq).await;
    // Unconstrained: more than 38 digits, and values written without trailing zeros print
    // as PostgreSQL prints them (Shale keeps 20 fractional digits).
    let values = vec![
        decimal("123456789012345678901234567890123456789012345.12345678901234567891"),
        decimal("-0.00000000000000000001"),
        decimal("100000000000000000000"),
        decimal("-2.5"),
        decimal("0"),
        None,
    ];
    round_trip("numeric", &values, &values, ALL_READS, BigDecimal::eq).await;
}

#[tokio::test]
async fn strings() {
    let text = |s: &str| Some(s.to_string());
    exact("text", vec![text(""), text("quote's \"and\" back\\slash"), text("h\u{e9}llo \u{2713} \u{1f600}"), None]).await;
    exact("varchar(12)", vec![text(""), text("twelve chars"), None]).await;
    let written = vec![text("ab"), text("abcde"), None];
    let expected = vec![text("ab   "), text("abcde"), None];
    round_trip("char(5)", &written, &expected, ALL_READS, same_debug).await;
}

#[tokio::test]
async fn booleans() {
    exact("boolean", vec![Some(true), Some(false), None]).await;
}

#[tokio::test]
async fn dates_and_times() {
    let dates = [date(1, 1, 1), date(1900, 2, 28), date(1969, 12, 31), date(2000, 1, 1), date(9999, 12, 31)];
    exact("date", dates.into_iter().map(Some).chain([None]).collect()).await;
    exact("time", vec![Some(time(0, 0, 0, 0)), Some(time(23, 59, 59, 999_999)), Some(time(12, 34, 56, 1)), None]).await;
}

#[tokio::test]
async fn timestamps_without_time_zone() {
    exact("timestamp", timestamps()).await;
}

#[tokio::test]
async fn timestamps_with_time_zone() {
    let values: Vec<Option<DateTime<Utc>>> = timestamps().into_iter().map(|t| t.map(|t| t.and_utc())).collect();
    exact("timestamptz", values).await;
}

#[tokio::test]
async fn intervals() {
    let interval = |months, days, microseconds| Some(PgInterval { months, days, microseconds });
    let values = vec![
        interval(0, 0, 0),
        interval(14, -3, 1),
        interval(-1, 400, -18_367_890_123),
        interval(0, 0, 86_399_999_999),
        None,
    ];
    // sqlx reads intervals in binary only.
    round_trip("interval", &values, &values, &[Read::Query, Read::QueryAs, Read::Cast], same_debug).await;
}

#[tokio::test]
async fn byteas() {
    exact("bytea", vec![Some(vec![]), Some(vec![0]), Some(vec![b'a', 0, b'b', 0xff, 1, b'\\', b'\'']), None]).await;
}

#[tokio::test]
async fn uuids() {
    let values = [Uuid::nil(), Uuid::max(), Uuid::from_u128(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11)];
    exact("uuid", values.into_iter().map(Some).chain([None]).collect()).await;
}

#[tokio::test]
async fn json_documents() {
    let doc = |s: &str| Some(s.parse::<JsonValue>().expect("json"));
    let values = vec![
        doc(r#"{"a": [1, 2.5, null, true, "x\u00e9"], "nested": {"k": "v"}, "": {}}"#),
        doc("[]"),
        doc(r#""str""#),
        doc("-1.25"),
        doc("null"),
        None,
    ];
    exact("json", values.clone()).await;
    exact("jsonb", values).await;
}

#[tokio::test]
async fn a_nul_in_a_text_parameter_is_rejected() {
    let server = TestServer::start().await;
    let mut conn = connect(&server).await;
    let err = sqlx::query("SELECT $1::text").bind("a\0b").fetch_one(&mut conn).await.unwrap_err();
    let code = err.as_database_error().and_then(|e| e.code().map(|c| c.into_owned()));
    assert_eq!(code.as_deref(), Some("22021"), "{err}");
    let row = sqlx::query("SELECT $1::text").bind("ok").fetch_one(&mut conn).await.unwrap();
    assert_eq!(row.get::<String, _>(0), "ok");
}
