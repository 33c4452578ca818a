//! Concurrent sessions: what a transaction sees of the others' work under READ COMMITTED
//! (each statement's own snapshot) and REPEATABLE READ / SERIALIZABLE (one snapshot from the
//! first statement on), row locks (a writer waits for the row's last writer; READ COMMITTED
//! then re-reads the row and re-checks its WHERE, REPEATABLE READ fails with 40001), no lost
//! updates from many connections, deadlock detection and lock_timeout.

use std::time::{Duration, Instant};

use shale_tests::{Background, ClientExt, QueryResult, TestServer, sqlstate};
use tokio_postgres::{Client, SimpleQueryMessage};

/// How long a statement that should be waiting for a lock is watched before the test
/// ends the wait: long enough to see that it does wait.
const WAIT: Duration = Duration::from_millis(300);

/// How long a statement may take to finish once its wait is over (or to be cancelled or
/// chosen as a deadlock victim): a server that leaves it waiting fails the test.
const LIMIT: Duration = Duration::from_secs(10);

/// The affected-row count of a statement that must have succeeded.
fn affected(sql: &str, result: &QueryResult) -> u64 {
    match result {
        Ok(messages) => messages
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::CommandComplete(n) => Some(*n),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{sql}: no CommandComplete")),
        Err(e) => panic!("{sql}\nfailed: {e:?}"),
    }
}

/// Starts `sql` on `client`, which must wait for a lock, and checks that it does.
async fn blocked(client: Client, sql: &str) -> Background {
    let running = Background::start(client, sql);
    assert!(
        running.still_running_after(WAIT).await,
        "{sql}\nshould wait for the row lock another transaction holds"
    );
    running
}

#[tokio::test]
async fn a_transaction_sees_its_own_writes_and_no_one_else_does() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE ow (id int PRIMARY KEY, n int); INSERT INTO ow VALUES (1, 1), (2, 2)")
        .await;
    let rows = "SELECT id, n FROM ow ORDER BY id";
    a.run("BEGIN; INSERT INTO ow VALUES (3, 3); UPDATE ow SET n = 10 WHERE id = 1")
        .await;
    a.run("DELETE FROM ow WHERE id = 2").await;
    a.run("UPDATE ow SET n = n + 1 WHERE id = 3").await;
    assert_eq!(a.lines(rows).await, ["1|10", "3|4"]);
    assert_eq!(b.lines(rows).await, ["1|1", "2|2"]);
    assert_eq!(b.value("SELECT count(*) FROM ow WHERE id = 3").await, "0");
    a.run("COMMIT").await;
    assert_eq!(b.lines(rows).await, ["1|10", "3|4"]);
}

#[tokio::test]
async fn read_committed_sees_what_was_committed_before_each_statement() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE rc (id int PRIMARY KEY, n int); INSERT INTO rc VALUES (1, 0)")
        .await;
    let n = "SELECT n FROM rc WHERE id = 1";
    a.run("BEGIN").await;
    assert_eq!(a.value(n).await, "0");
    b.run("UPDATE rc SET n = 1 WHERE id = 1").await;
    assert_eq!(a.value(n).await, "1", "a committed update");
    b.run("BEGIN; UPDATE rc SET n = 2 WHERE id = 1; INSERT INTO rc VALUES (2, 0)")
        .await;
    assert_eq!(a.value(n).await, "1", "an uncommitted update");
    assert_eq!(a.value("SELECT count(*) FROM rc").await, "1");
    b.run("COMMIT").await;
    assert_eq!(a.value(n).await, "2");
    assert_eq!(a.value("SELECT count(*) FROM rc").await, "2");
    a.run("COMMIT").await;
}

#[tokio::test]
async fn repeatable_read_and_serializable_keep_the_first_statements_snapshot() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE snap (id int PRIMARY KEY, n int)").await;
    let ways: [&[&str]; 4] = [
        &["BEGIN ISOLATION LEVEL REPEATABLE READ"],
        &["START TRANSACTION ISOLATION LEVEL SERIALIZABLE"],
        &["BEGIN", "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"],
        &[
            "SET default_transaction_isolation = 'serializable'",
            "BEGIN",
        ],
    ];
    for statements in ways {
        let begin = statements.join("; ");
        b.run("DELETE FROM snap; INSERT INTO snap VALUES (1, 0)")
            .await;
        for sql in statements {
            a.run(sql).await;
        }
        // The snapshot is taken by the block's first statement, not by BEGIN.
        b.run("UPDATE snap SET n = 1 WHERE id = 1").await;
        assert_eq!(
            a.value("SELECT n FROM snap WHERE id = 1").await,
            "1",
            "{begin}"
        );
        b.run("UPDATE snap SET n = 2 WHERE id = 1; INSERT INTO snap VALUES (2, 0)")
            .await;
        assert_eq!(
            a.value("SELECT n FROM snap WHERE id = 1").await,
            "1",
            "{begin}"
        );
        assert_eq!(a.value("SELECT count(*) FROM snap").await, "1", "{begin}");
        // Its own writes it sees, on top of the snapshot.
        a.run("INSERT INTO snap VALUES (3, 0)").await;
        assert_eq!(
            a.lines("SELECT id, n FROM snap ORDER BY id").await,
            ["1|1", "3|0"],
            "{begin}"
        );
        a.run("COMMIT").await;
        assert_eq!(
            a.lines("SELECT id, n FROM snap ORDER BY id").await,
            ["1|2", "2|0", "3|0"],
            "{begin}"
        );
        a.run("RESET default_transaction_isolation").await;
    }
}

#[tokio::test]
async fn repeatable_read_refuses_to_update_a_row_changed_since_its_snapshot() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    b.run("CREATE TABLE wc (id int PRIMARY KEY, n int); INSERT INTO wc VALUES (1, 0)")
        .await;
    let n = "SELECT n FROM wc WHERE id = 1";

    // A change committed before the first statement is in the snapshot: no conflict.
    a.run("BEGIN ISOLATION LEVEL REPEATABLE READ").await;
    b.run("UPDATE wc SET n = n + 1 WHERE id = 1").await;
    assert_eq!(a.counts("UPDATE wc SET n = n + 10 WHERE id = 1").await, [1]);
    a.run("COMMIT").await;
    assert_eq!(b.value(n).await, "11");

    // One committed after it is a conflict, at either level.
    for begin in [
        "BEGIN ISOLATION LEVEL REPEATABLE READ",
        "BEGIN ISOLATION LEVEL SERIALIZABLE",
    ] {
        a.run(begin).await;
        let before = a.value(n).await;
        b.run("UPDATE wc SET n = n + 1 WHERE id = 1").await;
        let error = a.error("UPDATE wc SET n = n + 10 WHERE id = 1").await;
        assert_eq!(error.code().code(), "40001", "{begin}");
        assert_eq!(
            error.message(),
            "could not serialize access due to concurrent update"
        );
        assert_eq!(a.error("SELECT 1").await.code().code(), "25P02");
        a.run("ROLLBACK").await;
        assert_eq!(
            b.value(n).await,
            (before.parse::<i64>().unwrap() + 1).to_string()
        );
    }

    // A writer that waits for an uncommitted change fails when that commits ...
    a.run("BEGIN ISOLATION LEVEL REPEATABLE READ").await;
    assert_eq!(a.value(n).await, "13");
    b.run("BEGIN; UPDATE wc SET n = 20 WHERE id = 1").await;
    let update = "UPDATE wc SET n = n + 10 WHERE id = 1";
    let waiting = blocked(a, update).await;
    b.run("COMMIT").await;
    let (a, result) = waiting.finish_within(LIMIT).await;
    assert_eq!(sqlstate(&result), Some("40001"));
    a.run("ROLLBACK").await;
    assert_eq!(b.value(n).await, "20");

    // ... and goes ahead when it rolls back.
    a.run("BEGIN ISOLATION LEVEL REPEATABLE READ").await;
    assert_eq!(a.value(n).await, "20");
    b.run("BEGIN; UPDATE wc SET n = 30 WHERE id = 1").await;
    let waiting = blocked(a, update).await;
    b.run("ROLLBACK").await;
    let (a, result) = waiting.finish_within(LIMIT).await;
    assert_eq!(affected(update, &result), 1);
    a.run("COMMIT").await;
    assert_eq!(b.value(n).await, "30");
}

#[tokio::test]
async fn a_read_committed_update_waits_then_rechecks_the_new_row_version() {
    let (_server, a, mut b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE re (id int PRIMARY KEY, n int); INSERT INTO re VALUES (1, 0), (2, 1)")
        .await;
    let rows = "SELECT id, n FROM re ORDER BY id";
    // (first writer's block, the waiting statement, rows it updates, the rows after)
    let cases: [(&str, &str, u64, &[&str]); 4] = [
        // The committed version no longer matches the WHERE: nothing is updated.
        (
            "UPDATE re SET n = 5 WHERE id = 1",
            "UPDATE re SET n = n + 1 WHERE id = 1 AND n = 0",
            0,
            &["1|5", "2|1"],
        ),
        // The update applies to the committed version, not to the one it first read.
        (
            "UPDATE re SET n = n + 1 WHERE id = 1",
            "UPDATE re SET n = n * 10 WHERE id = 1",
            1,
            &["1|60", "2|1"],
        ),
        // A committed delete leaves nothing to update.
        (
            "DELETE FROM re WHERE id = 1",
            "UPDATE re SET n = 0 WHERE id = 1",
            0,
            &["2|1"],
        ),
        // A rolled-back change leaves the row as it was, and it still matches.
        (
            "UPDATE re SET n = 100 WHERE id = 2",
            "UPDATE re SET n = n + 1 WHERE id = 2 AND n = 1",
            1,
            &["2|2"],
        ),
    ];
    for (i, (first, waiter, count, after)) in cases.into_iter().enumerate() {
        a.run("BEGIN").await;
        a.run(first).await;
        let waiting = blocked(b, waiter).await;
        a.run(if i == 3 { "ROLLBACK" } else { "COMMIT" }).await;
        let (client, result) = waiting.finish_within(LIMIT).await;
        b = client;
        assert_eq!(affected(waiter, &result), count, "{waiter}");
        assert_eq!(a.lines(rows).await, after, "{waiter}");
    }
}

/// Connections and transactions each of the lost-update tests.
const WRITERS: usize = 8;
const INCREMENTS: usize = 500;

/// How long all the increments of a lost-update test may take.
const INCREMENTS_LIMIT: Duration = Duration::from_secs(120);

const INCREMENT: &str = "UPDATE counters SET n = n + 1 WHERE id = 1";

/// Runs `increment` on [`WRITERS`] connections at once, [`INCREMENTS`] times each, and
/// checks the counter ends at their number; returns what the runs returned, summed.
async fn increment_concurrently<F>(server: &TestServer, increment: fn(Client) -> F) -> u64
where
    F: Future<Output = (Client, u64)> + Send + 'static,
{
    let client = server.client().await;
    client
        .run(
            "CREATE TABLE counters (id int PRIMARY KEY, n int); INSERT INTO counters VALUES (1, 0)",
        )
        .await;
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..WRITERS {
        let mut writer = server.client().await;
        writers.spawn(async move {
            let mut total = 0;
            for _ in 0..INCREMENTS {
                let (back, n) = increment(writer).await;
                writer = back;
                total += n;
            }
            total
        });
    }
    let total = tokio::time::timeout(INCREMENTS_LIMIT, async {
        let mut total = 0;
        while let Some(joined) = writers.join_next().await {
            total += joined.expect("a writer failed");
        }
        total
    })
    .await
    .unwrap_or_else(|_| panic!("the increments took longer than {INCREMENTS_LIMIT:?}"));
    assert_eq!(
        client.value("SELECT n FROM counters WHERE id = 1").await,
        (WRITERS * INCREMENTS).to_string()
    );
    total
}

#[tokio::test]
async fn no_lost_updates_under_read_committed() {
    let server = TestServer::start().await;
    // Each writer waits for the row's lock and re-reads the row: no error, no retry.
    increment_concurrently(&server, |client| async move {
        client.run("BEGIN").await;
        assert_eq!(client.counts(INCREMENT).await, [1]);
        client.run("COMMIT").await;
        (client, 0)
    })
    .await;
}

#[tokio::test]
async fn no_lost_updates_under_repeatable_read_with_retries() {
    let server = TestServer::start().await;
    // A writer whose snapshot is older than the row's last committed change fails with
    // 40001 and runs the whole transaction again.
    let retries = increment_concurrently(&server, |client| async move {
        let mut retries = 0;
        loop {
            let attempt = async {
                client
                    .simple_query("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .await?;
                let updated = affected(INCREMENT, &Ok(client.simple_query(INCREMENT).await?));
                client.simple_query("COMMIT").await?;
                Ok::<u64, tokio_postgres::Error>(updated)
            };
            let result = tokio::time::timeout(LIMIT, attempt)
                .await
                .unwrap_or_else(|_| panic!("an increment took longer than {LIMIT:?}"));
            match result {
                Ok(updated) => {
                    assert_eq!(updated, 1);
                    return (client, retries);
                }
                Err(e) if e.as_db_error().map(|db| db.code().code()) == Some("40001") => {
                    client.run("ROLLBACK").await;
                    retries += 1;
                    assert!(retries < 10_000, "an increment never gets through");
                }
                Err(e) => panic!("{INCREMENT}\nfailed: {e:?}"),
            }
        }
    })
    .await;
    eprintln!(
        "{} increments needed {retries} retries",
        WRITERS * INCREMENTS
    );
}

#[tokio::test]
async fn a_deadlock_is_detected_and_one_side_goes_on() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE dl (id int PRIMARY KEY, n int); INSERT INTO dl VALUES (1, 0), (2, 0)")
        .await;
    a.run("BEGIN; UPDATE dl SET n = 1 WHERE id = 1").await;
    b.run("BEGIN; UPDATE dl SET n = 2 WHERE id = 2").await;
    let started = Instant::now();
    let a_waits = blocked(a, "UPDATE dl SET n = 1 WHERE id = 2").await;
    let b_waits = Background::start(b, "UPDATE dl SET n = 2 WHERE id = 1");
    let ((a, a_result), (b, b_result)) =
        tokio::join!(a_waits.finish_within(LIMIT), b_waits.finish_within(LIMIT));
    eprintln!("deadlock resolved after {:?}", started.elapsed());
    let (victim, survivor, survivor_n) = match (sqlstate(&a_result), sqlstate(&b_result)) {
        (Some("40P01"), None) => (a, b, "2"),
        (None, Some("40P01")) => (b, a, "1"),
        other => panic!("expected one deadlock victim (40P01) and one success, got {other:?}"),
    };
    let (error, success) = match (a_result, b_result) {
        (Err(error), success) | (success, Err(error)) => (error, success),
        _ => unreachable!(),
    };
    assert_eq!(affected("the survivor's UPDATE", &success), 1);
    assert_eq!(error.as_db_error().unwrap().message(), "deadlock detected");
    // The victim's block is failed; the survivor's update went through and commits.
    assert_eq!(victim.error("SELECT 1").await.code().code(), "25P02");
    victim.run("ROLLBACK").await;
    survivor.run("COMMIT").await;
    assert_eq!(
        victim.lines("SELECT n FROM dl ORDER BY id").await,
        [survivor_n, survivor_n]
    );
}

#[tokio::test]
async fn lock_timeout_cancels_a_lock_wait() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE lt (id int PRIMARY KEY, n int); INSERT INTO lt VALUES (1, 0), (2, 0)")
        .await;
    a.run("BEGIN; UPDATE lt SET n = 1 WHERE id = 1").await;
    b.run("SET lock_timeout = '200ms'").await;
    assert_eq!(b.value("SHOW lock_timeout").await, "200ms");
    // Locks are per row: another row of the table is free.
    assert_eq!(b.counts("UPDATE lt SET n = 2 WHERE id = 2").await, [1]);

    let update = "UPDATE lt SET n = 2 WHERE id = 1";
    let started = Instant::now();
    let (b, result) = Background::start(b, update).finish_within(LIMIT).await;
    let waited = started.elapsed();
    let error = result.expect_err("the update should time out waiting for the lock");
    let error = error.as_db_error().expect("an ErrorResponse");
    assert_eq!(error.code().code(), "55P03");
    assert_eq!(error.message(), "canceling statement due to lock timeout");
    assert!(
        waited >= Duration::from_millis(190),
        "gave up after {waited:?}, before lock_timeout"
    );
    assert_eq!(b.value("SELECT n FROM lt WHERE id = 1").await, "0");

    // Inside a block the timeout fails the block.
    b.run("BEGIN").await;
    assert_eq!(b.error(update).await.code().code(), "55P03");
    assert_eq!(b.error("SELECT 1").await.code().code(), "25P02");
    b.run("ROLLBACK").await;

    a.run("COMMIT").await;
    assert_eq!(b.counts(update).await, [1]);
    assert_eq!(
        b.lines("SELECT id, n FROM lt ORDER BY id").await,
        ["1|2", "2|2"]
    );
}
