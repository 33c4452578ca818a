//! Date and timestamp input and output beyond Arrow's (issue 3, point 4): `infinity` and
//! `-infinity` read from text, printed as PostgreSQL prints them, and sent and received in
//! binary as PostgreSQL's extreme values (i64::MAX / i64::MIN microseconds, i32::MAX /
//! i32::MIN days); BC dates; the UTC offset that timestamp without time zone ignores.

use std::error::Error;

use bytes::BytesMut;
use shale_tests::{ClientExt, TestServer};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

/// A date or timestamp in PostgreSQL's binary format, as its raw integer.
#[derive(Debug, PartialEq)]
struct Raw(i64);

impl<'a> FromSql<'a> for Raw {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Raw(match raw.len() {
            4 => i32::from_be_bytes(raw.try_into()?).into(),
            _ => i64::from_be_bytes(raw.try_into()?),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        [Type::DATE, Type::TIMESTAMP, Type::TIMESTAMPTZ].contains(ty)
    }
}

impl ToSql for Raw {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match *ty {
            Type::DATE => out.extend_from_slice(&i32::try_from(self.0)?.to_be_bytes()),
            _ => out.extend_from_slice(&self.0.to_be_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        <Raw as FromSql>::accepts(ty)
    }

    to_sql_checked!();
}

const TABLE: &str = "CREATE TABLE ends (id int PRIMARY KEY, t timestamp, tz timestamptz, d date, t3 timestamp(3))";

#[tokio::test]
async fn infinities_read_and_print_as_in_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(TABLE).await;
    client
        .run(
            "INSERT INTO ends VALUES (1, 'infinity', '-infinity', 'Infinity', 'INFINITY'),\
             (2, '-infinity', ' infinity ', '-infinity', '-infinity'),\
             (3, '2024-02-29 12:34:56.789', '1969-07-20 20:17:40+00', '1969-07-20', '2024-01-01 10:00:00.12345')",
        )
        .await;
    assert_eq!(
        client.lines("SELECT id, t, tz, d, t3 FROM ends ORDER BY id").await,
        [
            "1|infinity|-infinity|infinity|infinity",
            "2|-infinity|infinity|-infinity|-infinity",
            "3|2024-02-29 12:34:56.789|1969-07-20 20:17:40+00|1969-07-20|2024-01-01 10:00:00.123",
        ]
    );
    assert_eq!(
        client.lines("SELECT 'infinity'::timestamp, '-infinity'::date, 'infinity'::timestamptz > now()").await,
        ["infinity|-infinity|t"]
    );
    assert_eq!(client.lines("SELECT id FROM ends WHERE t > '2100-01-01' ORDER BY id").await, ["1"]);
    client.expect_sqlstate("SELECT 'infinityx'::date", "22007").await;
}

#[tokio::test]
async fn infinities_travel_in_binary_as_the_extreme_values() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(TABLE).await;
    let insert = "INSERT INTO ends (id, t, tz, d) VALUES ($1, $2, $3, $4)";
    let (max, min) = (Raw(i64::MAX), Raw(i64::MIN));
    client.execute(insert, &[&1i32, &max, &min, &Raw(i32::MAX.into())]).await.unwrap();
    client.execute(insert, &[&2i32, &min, &max, &Raw(i32::MIN.into())]).await.unwrap();
    assert_eq!(
        client.lines("SELECT id, t, tz, d FROM ends ORDER BY id").await,
        ["1|infinity|-infinity|infinity", "2|-infinity|infinity|-infinity"]
    );
    let row = client.query_one("SELECT t, tz, d FROM ends WHERE id = $1", &[&1i32]).await.unwrap();
    let values: Vec<Raw> = (0..3).map(|i| row.get(i)).collect();
    assert_eq!(values, [Raw(i64::MAX), Raw(i64::MIN), Raw(i32::MAX.into())]);
    // A finite value next to them: 2000-01-01, the binary format's epoch, is zero.
    let row = client.query_one("SELECT '2000-01-01'::date, '2000-01-01 00:00:01'::timestamp", &[]).await.unwrap();
    assert_eq!((row.get::<_, Raw>(0), row.get::<_, Raw>(1)), (Raw(0), Raw(1_000_000)));
}

#[tokio::test]
async fn bc_dates_and_offsets_read_as_in_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines("SELECT '0044-03-15 BC'::date, '0044-03-15 10:00:00 bc'::timestamp, '0001-01-01 BC'::date")
            .await,
        ["0044-03-15 BC|0044-03-15 10:00:00 BC|0001-01-01 BC"]
    );
    assert_eq!(
        client
            .lines("SELECT '2024-01-01 10:00:00+02'::timestamp, '2024-01-01 10:00:00+02'::timestamptz, '2024-01-01T10:00:00Z'::timestamp")
            .await,
        ["2024-01-01 10:00:00|2024-01-01 08:00:00+00|2024-01-01 10:00:00"]
    );
    client.run(TABLE).await;
    client.run("INSERT INTO ends (id, d, t) VALUES (1, '0100-01-01 BC', '2000-06-01 12:00:00-07')").await;
    assert_eq!(client.lines("SELECT d, t FROM ends").await, ["0100-01-01 BC|2000-06-01 12:00:00"]);
    let e = client.error("SELECT 'garbage'::timestamp").await;
    assert_eq!((e.code().code(), e.message()), ("22007", "invalid input syntax for type timestamp: \"garbage\""));
    client.expect_sqlstate("SELECT '2024-02-30'::date", "22008").await;
}
