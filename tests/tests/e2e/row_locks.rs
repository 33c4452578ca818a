//! `SELECT ... FOR UPDATE | FOR SHARE [OF t] [NOWAIT | SKIP LOCKED]` (issue 13, point 5):
//! the job-queue pattern with concurrent workers, waiting for and blocking writers, NOWAIT,
//! a row changed while waiting (read committed), parameters, and PostgreSQL's errors.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use shale_tests::{Background, ClientExt, TestServer, render_rows, sqlstate};
use tokio::sync::Barrier;

const JOBS: &str = "CREATE TABLE jobs (id bigserial PRIMARY KEY, queue text NOT NULL, payload text, done boolean NOT NULL DEFAULT false);
    INSERT INTO jobs (queue, payload) SELECT 'q', 'p' || g FROM generate_series(1, 20) g";

const TAKE: &str = "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";

#[tokio::test]
async fn four_workers_each_take_a_different_job() {
    let server = TestServer::start().await;
    server.client().await.run(JOBS).await;
    // Each worker holds its job until all four have one: the four are distinct.
    let barrier = Arc::new(Barrier::new(4));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        let barrier = barrier.clone();
        workers.push(tokio::spawn(async move {
            client.run("BEGIN").await;
            let id = client.value(TAKE).await;
            barrier.wait().await;
            client.run(&format!("UPDATE jobs SET done = true WHERE id = {id}")).await;
            client.run("COMMIT").await;
            id
        }));
    }
    let mut taken = HashSet::new();
    for worker in workers {
        taken.insert(worker.await.expect("worker"));
    }
    assert_eq!(taken.len(), 4, "{taken:?}");
    // Then they drain the queue: every job is done once.
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                client.run("BEGIN").await;
                let rows = client.lines(TAKE).await;
                let Some(id) = rows.first() else {
                    client.run("COMMIT").await;
                    return mine;
                };
                client.run(&format!("UPDATE jobs SET done = true, payload = payload || '!' WHERE id = {id}")).await;
                client.run("COMMIT").await;
                mine.push(id.clone());
            }
        }));
    }
    let mut all: Vec<String> = taken.into_iter().collect();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    assert_eq!(all.len(), 20);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 20);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FILTER (WHERE done), count(*) FILTER (WHERE payload LIKE '%!!') FROM jobs").await, ["20|0"]);
}

#[tokio::test]
async fn a_locked_row_makes_writers_and_lockers_wait() {
    let (server, a, b) = TestServer::start_with_two_clients().await;
    a.run(JOBS).await;
    a.run("BEGIN").await;
    assert_eq!(a.lines("SELECT id, payload FROM jobs WHERE id = 1 FOR UPDATE").await, ["1|p1"]);
    // A writer waits for the lock.
    let update = Background::start(b, "UPDATE jobs SET payload = 'b' WHERE id = 1");
    assert!(update.still_running_after(Duration::from_millis(300)).await);
    // NOWAIT does not.
    let c = server.client().await;
    c.expect_error("SELECT id FROM jobs WHERE id = 1 FOR UPDATE NOWAIT", "55P03", "could not obtain lock on row in relation \"jobs\"").await;
    c.expect_error("SELECT id FROM jobs WHERE id = 1 FOR SHARE NOWAIT", "55P03", "could not obtain lock on row in relation \"jobs\"").await;
    // Other rows are free.
    assert_eq!(c.lines("SELECT id FROM jobs WHERE id = 2 FOR UPDATE NOWAIT").await, ["2"]);
    a.run("UPDATE jobs SET payload = 'a' WHERE id = 1; COMMIT").await;
    let (b, result) = update.finish().await;
    assert_eq!(sqlstate(&result), None);
    assert_eq!(b.lines("SELECT payload FROM jobs WHERE id = 1").await, ["b"]);
}

#[tokio::test]
async fn a_row_changed_while_waiting_is_checked_again() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run(JOBS).await;
    a.run("BEGIN; UPDATE jobs SET done = true WHERE id = 1").await;
    // Read committed: the first job no longer matches once the lock is granted, so the
    // statement goes on to the next one.
    let take = Background::start(b, "SELECT id, done FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE");
    assert!(take.still_running_after(Duration::from_millis(300)).await);
    a.run("COMMIT").await;
    let (_b, result) = take.finish().await;
    assert_eq!(sqlstate(&result), None);
    assert_eq!(render_rows(&result.expect("rows")), ["2|f"]);
}

#[tokio::test]
async fn shapes_parameters_and_errors() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(JOBS).await;
    assert_eq!(
        client.lines("SELECT id, upper(payload) AS p FROM jobs j WHERE id <= 6 ORDER BY p DESC LIMIT 2 OFFSET 1 FOR UPDATE OF j NOWAIT").await,
        ["5|P5", "4|P4"]
    );
    assert_eq!(client.lines("SELECT * FROM jobs WHERE id = 3 FOR SHARE").await, ["3|q|p3|f"]);
    // The clause before LIMIT, and the weaker and stronger strengths.
    assert_eq!(client.lines("SELECT id FROM jobs ORDER BY id FOR NO KEY UPDATE SKIP LOCKED LIMIT 2").await, ["1", "2"]);
    assert_eq!(client.lines("SELECT id FROM jobs WHERE id = 4 FOR KEY SHARE OF jobs").await, ["4"]);
    assert_eq!(client.lines("SELECT id FROM jobs ORDER BY 1 LIMIT ALL OFFSET 18 FOR UPDATE SKIP LOCKED").await.len(), 2);
    let take = client.prepare("SELECT id, payload FROM jobs WHERE queue = $1 AND NOT done ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED").await.expect("prepare");
    let rows = client.query(&take, &[&"q", &3i64]).await.expect("take");
    assert_eq!(rows.iter().map(|r| r.get::<_, i64>(0)).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(rows[0].get::<_, String>(1), "p1");
    for (sql, code, message) in [
        ("SELECT count(*) FROM jobs FOR UPDATE", "0A000", "FOR UPDATE is not allowed with aggregate functions"),
        ("SELECT DISTINCT queue FROM jobs FOR UPDATE", "0A000", "FOR UPDATE is not allowed with DISTINCT clause"),
        ("SELECT queue FROM jobs GROUP BY queue FOR SHARE", "0A000", "FOR SHARE is not allowed with GROUP BY clause"),
        ("SELECT row_number() OVER () FROM jobs FOR UPDATE", "0A000", "FOR UPDATE is not allowed with window functions"),
        ("SELECT id FROM jobs FOR UPDATE OF nope", "42P01", "relation \"nope\" in FOR UPDATE clause not found in FROM clause"),
        ("SELECT id FROM jobs ORDER BY id LIMIT -1 FOR UPDATE", "2201W", "LIMIT must not be negative"),
    ] {
        client.expect_error(sql, code, message).await;
    }
}

#[tokio::test]
async fn a_wait_for_a_row_lock_can_be_cancelled() {
    let (server, a, b) = TestServer::start_with_two_clients().await;
    a.run(JOBS).await;
    a.run("BEGIN; SELECT id FROM jobs WHERE id = 1 FOR UPDATE").await;
    // A CancelRequest stops a writer waiting for the row.
    let token = b.cancel_token();
    let update = Background::start(b, "UPDATE jobs SET payload = 'b' WHERE id = 1");
    assert!(update.still_running_after(Duration::from_millis(300)).await);
    token.cancel_query(tokio_postgres::NoTls).await.expect("send a CancelRequest");
    let (b, result) = update.finish_within(Duration::from_secs(5)).await;
    assert_eq!(sqlstate(&result), Some("57014"));
    // So does statement_timeout, for a locking SELECT; lock_timeout ends the wait with 55P03.
    b.run("SET statement_timeout = '200ms'").await;
    b.expect_error("SELECT id FROM jobs WHERE id = 1 FOR UPDATE", "57014", "canceling statement due to statement timeout").await;
    b.run("SET statement_timeout = 0; SET lock_timeout = '200ms'").await;
    b.expect_error("SELECT id FROM jobs WHERE id = 1 FOR SHARE", "55P03", "canceling statement due to lock timeout").await;
    a.run("COMMIT").await;
    assert_eq!(b.lines("SELECT payload FROM jobs WHERE id = 1 FOR UPDATE").await, ["p1"]);
    drop(server);
}
