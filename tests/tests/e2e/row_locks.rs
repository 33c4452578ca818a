//! `SELECT ... FOR UPDATE | FOR SHARE [OF t] [NOWAIT | SKIP LOCKED]` (issue 13, point 5):
//! the job-queue pattern with concurrent workers (also in one statement, the locking SELECT
//! a subquery of UPDATE's or DELETE's WHERE clause), waiting for and blocking writers,
//! NOWAIT, a row changed while waiting (read committed), parameters, and PostgreSQL's
//! errors.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use shale_tests::{Background, ClientExt, TestServer, render_rows, sqlstate, within};
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

/// Takes the first free job and marks it done in one statement.
const TAKE_ONE: &str = "UPDATE jobs SET done = true, payload = payload || '!' \
    WHERE id = (SELECT id FROM jobs WHERE NOT done ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id";

/// Takes up to `$1` free jobs and marks them done in one statement.
const TAKE_SOME: &str = "UPDATE jobs SET done = true, payload = payload || '!' \
    WHERE id IN (SELECT id FROM jobs WHERE NOT done ORDER BY id FOR UPDATE SKIP LOCKED LIMIT $1) RETURNING id";

#[tokio::test]
async fn skip_locked_passes_rows_others_hold_and_keeps_its_own() {
    let server = TestServer::start().await;
    let (holder, taker) = (server.client().await, server.client().await);
    holder.run("CREATE TABLE q (id int PRIMARY KEY); INSERT INTO q SELECT g FROM generate_series(1, 200) g").await;
    holder.run("BEGIN").await;
    assert_eq!(holder.lines("SELECT id FROM q ORDER BY id LIMIT 100 FOR UPDATE").await.len(), 100);
    // A hundred rows another transaction holds are passed over.
    assert_eq!(taker.lines("SELECT id FROM q ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED").await, ["101"]);
    // A row this transaction holds is its own to take again, also after a write to it.
    taker.run("BEGIN").await;
    taker.run("UPDATE q SET id = id WHERE id = 150").await;
    taker.run("SELECT id FROM q WHERE id = 160 FOR SHARE").await;
    assert_eq!(taker.lines("SELECT id FROM q ORDER BY id LIMIT 1 OFFSET 49 FOR UPDATE SKIP LOCKED").await, ["150"]);
    assert_eq!(taker.lines("SELECT id FROM q WHERE id IN (5, 160) FOR UPDATE SKIP LOCKED").await, ["160"]);
    taker.run("COMMIT").await;
    holder.run("ROLLBACK").await;
    assert_eq!(taker.lines("SELECT id FROM q WHERE id < 10 FOR UPDATE SKIP LOCKED").await.len(), 9);
}

#[tokio::test]
async fn four_workers_take_distinct_jobs_in_one_statement() {
    let server = TestServer::start().await;
    server.client().await.run(JOBS).await;
    // Each worker holds the job it took until all four have one: a worker that waited for
    // another's row instead of skipping it would never arrive.
    let barrier = Arc::new(Barrier::new(4));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        let barrier = barrier.clone();
        workers.push(tokio::spawn(async move {
            client.run("BEGIN").await;
            let taken = client.lines(TAKE_ONE).await;
            within(barrier.wait(), "the other workers' jobs").await;
            client.run("COMMIT").await;
            taken
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        let taken = worker.await.expect("worker");
        assert_eq!(taken.len(), 1, "{taken:?}");
        all.extend(taken);
    }
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 4, "{all:?}");
    // Then they drain the queue, two a job at a time and two up to three at a time, each
    // statement its own transaction: every job is taken once.
    let mut workers = Vec::new();
    for w in 0..4 {
        let client = server.client().await;
        workers.push(tokio::spawn(async move {
            let (sql, limit) = if w % 2 == 0 { (TAKE_ONE, None) } else { (TAKE_SOME, Some(3i64)) };
            let take = client.prepare(sql).await.expect("prepare");
            let mut mine = Vec::new();
            loop {
                let rows = match &limit {
                    Some(limit) => client.query(&take, &[limit]).await,
                    None => client.query(&take, &[]).await,
                }
                .expect("take");
                if rows.is_empty() {
                    return mine;
                }
                assert!(rows.len() <= limit.unwrap_or(1) as usize);
                mine.extend(rows.iter().map(|r| r.get::<_, i64>(0).to_string()));
            }
        }));
    }
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    assert_eq!(all.len(), 20, "{all:?}");
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 20, "{all:?}");
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FILTER (WHERE done), count(*) FILTER (WHERE payload LIKE '%!!') FROM jobs").await, ["20|0"]);
}

#[tokio::test]
async fn a_locking_subquery_skips_and_waits_for_rows_another_holds() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run(JOBS).await;
    a.run("BEGIN").await;
    assert_eq!(a.lines("SELECT id FROM jobs WHERE id <= 2 FOR UPDATE").await, ["1", "2"]);
    // SKIP LOCKED passes the held rows by; the DELETE form removes what it took.
    let pop = "DELETE FROM jobs WHERE id = ANY (SELECT id FROM jobs ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 2) RETURNING id, payload";
    let mut popped = b.lines(pop).await;
    popped.sort();
    assert_eq!(popped, ["3|p3", "4|p4"]);
    // NOWAIT fails on them.
    b.expect_error(
        "UPDATE jobs SET done = true WHERE id IN (SELECT id FROM jobs ORDER BY id FOR UPDATE NOWAIT LIMIT 1)",
        "55P03",
        "could not obtain lock on row in relation \"jobs\"",
    )
    .await;
    // Without either, the subquery waits; read committed, the row changed meanwhile is
    // checked again, and the next one taken when it no longer matches.
    let take = Background::start(
        b,
        "UPDATE jobs SET payload = 'b' WHERE id = (SELECT id FROM jobs WHERE NOT done ORDER BY id FOR UPDATE LIMIT 1) RETURNING id, payload",
    );
    assert!(take.still_running_after(Duration::from_millis(300)).await);
    a.run("UPDATE jobs SET done = true WHERE id = 1; COMMIT").await;
    let (b, result) = take.finish().await;
    assert_eq!(sqlstate(&result), None);
    assert_eq!(render_rows(&result.expect("rows")), ["2|b"]);
    // The subquery's row locks, also on rows the statement does not change, are held until
    // the transaction ends.
    b.run("BEGIN").await;
    let update = "UPDATE jobs SET payload = 'c' WHERE id = 5 AND EXISTS (SELECT 1 FROM jobs WHERE id = 6 FOR SHARE) RETURNING id";
    assert_eq!(b.lines(update).await, ["5"]);
    a.expect_error("SELECT id FROM jobs WHERE id = 6 FOR UPDATE NOWAIT", "55P03", "could not obtain lock on row in relation \"jobs\"").await;
    assert_eq!(a.lines("SELECT id FROM jobs WHERE id = 6 FOR SHARE NOWAIT").await, ["6"]);
    b.run("COMMIT").await;
    assert_eq!(a.lines("SELECT id, payload FROM jobs WHERE id <= 6 ORDER BY id").await, ["1|p1", "2|b", "5|c", "6|p6"]);
}

#[tokio::test]
async fn locking_subqueries_of_update_and_delete_as_postgres_takes_them() {
    let (server, client) = TestServer::start_with_client().await;
    client.run(JOBS).await;
    // EXISTS, ALL, NOT IN, and no row found: a scalar subquery is NULL, IN matches nothing.
    // (RETURNING gives the rows in the order they are found, which differs.)
    let sorted = |mut lines: Vec<String>| {
        lines.sort_by_key(|l| l.parse::<i64>().unwrap_or_default());
        lines
    };
    let update = "UPDATE jobs SET done = true WHERE EXISTS (SELECT 1 FROM jobs WHERE id = 1 FOR UPDATE) AND id <= 2 RETURNING id";
    assert_eq!(sorted(client.lines(update).await), ["1", "2"]);
    let delete = "DELETE FROM jobs WHERE id > ALL (SELECT id FROM jobs WHERE id < 18 FOR SHARE) RETURNING id";
    assert_eq!(sorted(client.lines(delete).await), ["18", "19", "20"]);
    let delete = "DELETE FROM jobs WHERE id NOT IN (SELECT id FROM jobs WHERE id > 3 FOR KEY SHARE) RETURNING id";
    assert_eq!(sorted(client.lines(delete).await), ["1", "2", "3"]);
    assert_eq!(client.lines("UPDATE jobs SET done = true WHERE id = (SELECT id FROM jobs WHERE id > 100 FOR UPDATE) RETURNING id").await, Vec::<String>::new());
    // The subquery's own aliases and ORDER BY.
    let update = "UPDATE jobs SET payload = 'last' WHERE id IN (SELECT id AS n FROM jobs ORDER BY n DESC LIMIT 2 FOR UPDATE) RETURNING id";
    assert_eq!(sorted(client.lines(update).await), ["16", "17"]);
    let update = "UPDATE jobs SET payload = 'p16' WHERE id = (SELECT max(id) - 1 FROM jobs) AND id IN (SELECT id FROM jobs WHERE payload = 'last' FOR UPDATE) RETURNING id";
    assert_eq!(client.lines(update).await, ["16"]);
    assert_eq!(client.lines("UPDATE jobs SET done = true WHERE id IN (SELECT id FROM jobs WHERE id > 100 FOR UPDATE) RETURNING id").await, Vec::<String>::new());
    // Parameters in the subquery and outside it, prepared and executed again.
    let take = client
        .prepare("UPDATE jobs SET payload = $2 WHERE id = (SELECT id FROM jobs WHERE queue = $1 AND payload <> $2 ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id, payload")
        .await
        .expect("prepare");
    for expected in [4i64, 5] {
        let row = client.query_one(&take, &[&"q", &"x"]).await.expect("take");
        assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1)), (expected, "x".to_string()));
    }
    client.expect_error(
        "UPDATE jobs SET done = true WHERE id = (SELECT id FROM jobs FOR UPDATE)",
        "21000",
        "more than one row returned by a subquery used as an expression",
    )
    .await;
    client.expect_error(
        "UPDATE jobs SET done = true WHERE id IN (SELECT count(*) FROM jobs FOR UPDATE)",
        "0A000",
        "FOR UPDATE is not allowed with aggregate functions",
    )
    .await;
    // Shale does not run a correlated locking subquery, nor one elsewhere than in the WHERE
    // clause.
    if !server.is_reference() {
        for sql in [
            "UPDATE jobs j SET done = true WHERE EXISTS (SELECT 1 FROM jobs k WHERE k.id = j.id FOR UPDATE)",
            "UPDATE jobs SET payload = (SELECT payload FROM jobs WHERE id = 7 FOR UPDATE)",
            "DELETE FROM jobs WHERE id IN (SELECT id FROM (SELECT id FROM jobs FOR UPDATE) s)",
        ] {
            let error = client.batch_execute(sql).await.expect_err(sql);
            assert_eq!(error.code().map(|c| c.code()), Some("0A000"), "{sql}: {error}");
        }
    }
    assert_eq!(client.value("SELECT count(*) FILTER (WHERE done) || ' ' || count(*) || ' ' || count(*) FILTER (WHERE payload = 'last') FROM jobs").await, "0 14 1");
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
