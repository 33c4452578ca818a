//! Stopping statements (issue 11, point 2): a CancelRequest and `statement_timeout` stop a
//! running statement with 57014 and the session goes on; statements that compute for a
//! long time do not stall other sessions.

use std::time::Duration;

use shale_tests::{Background, ClientExt, QueryResult, TestServer, sqlstate};
use tokio_postgres::{Client, NoTls};

/// Eight billion rows to filter and count: far longer than any test waits.
const SLOW: &str = "SELECT count(*) FROM t a, t b, t c WHERE a.id + b.id <> c.id";

/// How long a stopped statement may take to answer: generous, since the point is that it
/// stops at all, not how fast.
const STOPS_WITHIN: Duration = Duration::from_secs(10);

async fn with_rows() -> (TestServer, Client) {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT * FROM generate_series(1, 2000)").await;
    (server, client)
}

fn message(result: &QueryResult) -> String {
    match result {
        Ok(_) => "succeeded".into(),
        Err(e) => e.as_db_error().map(|db| db.message().to_string()).unwrap_or_else(|| format!("{e:?}")),
    }
}

#[tokio::test]
async fn a_cancel_request_stops_the_running_statement() {
    let (_server, client) = with_rows().await;
    let token = client.cancel_token();
    // Nothing runs: the request is ignored (once it has arrived: PostgreSQL delivers it
    // to the session as a signal, some time after the request).
    token.cancel_query(NoTls).await.expect("send a CancelRequest");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client.lines("SELECT 1").await, ["1"]);
    let running = Background::start(client, SLOW);
    assert!(running.still_running_after(Duration::from_millis(500)).await, "{SLOW} ended at once");
    token.cancel_query(NoTls).await.expect("send a CancelRequest");
    let (client, result) = running.finish_within(STOPS_WITHIN).await;
    assert_eq!(sqlstate(&result), Some("57014"));
    assert_eq!(message(&result), "canceling statement due to user request");
    assert_eq!(client.lines("SELECT count(*) FROM t").await, ["2000"]);
}

#[tokio::test]
async fn statement_timeout_stops_the_running_statement() {
    let (_server, client) = with_rows().await;
    client.run("SET statement_timeout = '300ms'").await;
    let running = Background::start(client, SLOW);
    let (client, result) = running.finish_within(STOPS_WITHIN).await;
    assert_eq!(sqlstate(&result), Some("57014"));
    assert_eq!(message(&result), "canceling statement due to statement timeout");
    assert_eq!(client.lines("SELECT count(*) FROM t").await, ["2000"]);
}

#[tokio::test]
async fn busy_sessions_do_not_stall_the_others() {
    let (server, client) = with_rows().await;
    let mut running = Vec::new();
    for _ in 0..3 {
        let busy = server.client().await;
        let token = busy.cancel_token();
        running.push((token, Background::start(busy, SLOW)));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..5 {
        assert_eq!(client.lines("SELECT count(*) FROM t WHERE id <= 10").await, ["10"]);
    }
    let other = server.client().await;
    assert_eq!(other.lines("SELECT 1").await, ["1"]);
    for (token, busy) in running {
        assert!(busy.still_running_after(Duration::ZERO).await, "{SLOW} ended by itself");
        token.cancel_query(NoTls).await.expect("send a CancelRequest");
        let (_, result) = busy.finish_within(STOPS_WITHIN).await;
        assert_eq!(sqlstate(&result), Some("57014"));
    }
}

#[tokio::test]
async fn a_closed_connection_stops_its_statement() {
    // PostgreSQL checks only with `client_connection_check_interval` set; Shale always does.
    let Some(server) = TestServer::start_shale("a closed connection stops its statement").await else { return };
    let client = server.client().await;
    client.run("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT * FROM generate_series(1, 2000)").await;
    let mut wire = server.wire().await;
    wire.send_query(SLOW).await;
    let running = format!("SELECT count(*) FROM pg_stat_activity WHERE query = '{}'", SLOW.replace('\'', "''"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.lines(&running).await, ["1"]);
    drop(wire);
    let deadline = std::time::Instant::now() + STOPS_WITHIN;
    while client.lines(&running).await != ["0"] {
        assert!(std::time::Instant::now() < deadline, "the statement of a closed connection still runs");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `pg_sleep` sleeps as long as asked, and a CancelRequest or `statement_timeout` stops it.
#[tokio::test]
async fn pg_sleep_sleeps_until_it_is_stopped() {
    let (_server, client) = TestServer::start_with_client().await;
    let started = std::time::Instant::now();
    assert_eq!(client.lines("SELECT pg_sleep(0.2)").await, [""]);
    assert!(started.elapsed() >= Duration::from_millis(200), "slept {:?}", started.elapsed());
    assert_eq!(client.lines("SELECT pg_sleep(-1), pg_sleep(0), pg_sleep('NaN'), pg_sleep(NULL) IS NULL").await, ["|||t"]);
    assert_eq!(client.column_names("SELECT pg_sleep(0)").await, ["pg_sleep"]);
    let token = client.cancel_token();
    let running = Background::start(client, "SELECT pg_sleep(600)");
    assert!(running.still_running_after(Duration::from_millis(300)).await, "pg_sleep(600) ended at once");
    token.cancel_query(NoTls).await.expect("send a CancelRequest");
    let (client, result) = running.finish_within(STOPS_WITHIN).await;
    assert_eq!(sqlstate(&result), Some("57014"));
    assert_eq!(message(&result), "canceling statement due to user request");
    client.run("SET statement_timeout = '200ms'").await;
    client.expect_error("SELECT pg_sleep(600)", "57014", "canceling statement due to statement timeout").await;
}
