//! Durability: every COMMIT a client saw acknowledged survives SIGKILL, and nothing of a
//! transaction that had not committed does, with writers running at the moment of the kill
//! and with transactional DDL. The checks run without a crash too (clients vanishing
//! instead), so that PostgreSQL confirms them. `synchronous_commit = off` is accepted.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use shale_tests::{ClientExt, TestServer};
use tokio::task::JoinSet;
use tokio_postgres::Client;

/// Connections inserting at once.
const WRITERS: i64 = 4;

/// How long the writers run before the crash.
const RUN_FOR: Duration = Duration::from_secs(1);

/// How long writers may take to notice that their server is gone.
const NOTICE_LIMIT: Duration = Duration::from_secs(30);

/// What the writers know of their inserts.
#[derive(Default)]
struct Ledger {
    /// Ids whose COMMIT (or autocommit INSERT) the server acknowledged.
    acked: BTreeSet<i64>,
    /// Ids whose COMMIT was sent without an answer yet: they may or may not be there.
    in_flight: BTreeSet<i64>,
}

impl Ledger {
    fn sent(ledger: &Mutex<Ledger>, ids: &[i64]) {
        ledger.lock().unwrap().in_flight.extend(ids);
    }

    fn acknowledged(ledger: &Mutex<Ledger>, ids: &[i64]) {
        let mut ledger = ledger.lock().unwrap();
        for id in ids {
            ledger.in_flight.remove(id);
            ledger.acked.insert(*id);
        }
    }
}

/// Creates `d`, starts [`WRITERS`] connections inserting into it until their connection
/// fails, alternating autocommit INSERTs of one row and BEGIN ... COMMIT blocks of two, and
/// leaves one more connection in an open block that inserted rows (negative ids) and
/// updated the committed row 0. Returns the ledger, the writers (each ends with the error
/// that stopped it) and the open block's connection.
async fn start_writers(
    server: &TestServer,
) -> (Arc<Mutex<Ledger>>, JoinSet<tokio_postgres::Error>, Client) {
    let setup = server.client().await;
    setup
        .run("CREATE TABLE d (id bigint PRIMARY KEY, writer bigint); INSERT INTO d VALUES (0, 0)")
        .await;
    let open = server.client().await;
    open.run(
        "BEGIN; INSERT INTO d VALUES (-1, -1), (-2, -1); UPDATE d SET writer = -1 WHERE id = 0",
    )
    .await;
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut writers = JoinSet::new();
    for writer in 1..=WRITERS {
        let client = server.client().await;
        let ledger = ledger.clone();
        writers.spawn(async move {
            for seq in 0.. {
                let id = writer * 1_000_000 + 2 * seq;
                let insert = |id: i64| format!("INSERT INTO d VALUES ({id}, {writer})");
                let ids = if seq % 2 == 0 {
                    Ledger::sent(&ledger, &[id]);
                    if let Err(e) = client.batch_execute(&insert(id)).await {
                        return e;
                    }
                    vec![id]
                } else {
                    for sql in ["BEGIN".to_string(), insert(id), insert(id + 1)] {
                        if let Err(e) = client.batch_execute(&sql).await {
                            return e;
                        }
                    }
                    Ledger::sent(&ledger, &[id, id + 1]);
                    if let Err(e) = client.batch_execute("COMMIT").await {
                        return e;
                    }
                    vec![id, id + 1]
                };
                Ledger::acknowledged(&ledger, &ids);
            }
            unreachable!()
        });
    }
    (ledger, writers, open)
}

/// Every acknowledged id is in `d`, every id in it was acknowledged or in flight, and
/// nothing of the open block is.
async fn check_writes(client: &Client, ledger: &Mutex<Ledger>) {
    let present: BTreeSet<i64> = client
        .lines("SELECT id FROM d WHERE id > 0")
        .await
        .iter()
        .map(|id| id.parse().unwrap())
        .collect();
    let ledger = ledger.lock().unwrap();
    assert!(
        ledger.acked.len() >= 20,
        "the writers got only {} commits acknowledged: too few to test anything",
        ledger.acked.len()
    );
    let lost: Vec<_> = ledger.acked.difference(&present).collect();
    assert!(lost.is_empty(), "acknowledged commits lost: {lost:?}");
    let unexpected: Vec<_> = present
        .iter()
        .filter(|id| !ledger.acked.contains(id) && !ledger.in_flight.contains(id))
        .collect();
    assert!(
        unexpected.is_empty(),
        "rows whose COMMIT was never sent: {unexpected:?}"
    );
    assert_eq!(
        client.lines("SELECT id, writer FROM d WHERE id <= 0").await,
        ["0|0"],
        "the open block's work"
    );
    eprintln!(
        "{} ids acknowledged, {} in flight, {} present",
        ledger.acked.len(),
        ledger.in_flight.len(),
        present.len()
    );
}

#[tokio::test]
async fn acknowledged_commits_survive_sigkill_and_open_transactions_do_not() {
    let Some(mut server) = TestServer::start_shale("SIGKILL and restart").await else {
        return;
    };
    let (ledger, mut writers, _open) = start_writers(&server).await;
    tokio::time::sleep(RUN_FOR).await;
    server.kill9();
    tokio::time::timeout(NOTICE_LIMIT, async {
        while let Some(joined) = writers.join_next().await {
            let error = joined.expect("a writer panicked");
            assert!(
                error.as_db_error().is_none(),
                "a writer stopped on an error from the server, not the crash: {error:?}"
            );
        }
    })
    .await
    .expect("the writers should notice the crash");
    server.restart().await;
    check_writes(&server.client().await, &ledger).await;
}

#[tokio::test]
async fn the_crash_checks_hold_when_the_clients_vanish_instead() {
    // In every mode: the writers' connections close wherever they are, the open block's
    // too, and the checks of the crash test hold (PostgreSQL confirms them).
    let server = TestServer::start().await;
    let (ledger, mut writers, open) = start_writers(&server).await;
    tokio::time::sleep(RUN_FOR / 2).await;
    writers.abort_all();
    while let Some(joined) = writers.join_next().await {
        if let Ok(error) = joined {
            panic!("a writer stopped on an error: {error:?}");
        }
    }
    drop(open);
    check_writes(&server.client().await, &ledger).await;
}

/// Committed, rolled-back and still open transactional DDL; returns the connection that
/// holds the open block.
async fn ddl_state(server: &TestServer) -> Client {
    let client = server.client().await;
    client.run("CREATE TABLE kept (id int)").await;
    client
        .run("BEGIN; CREATE TABLE made (id int); INSERT INTO made VALUES (1)")
        .await;
    client
        .run("ALTER TABLE kept ADD COLUMN note text; INSERT INTO kept VALUES (1, 'one'); COMMIT")
        .await;
    client
        .run("BEGIN; CREATE TABLE undone (id int); DROP TABLE made; ROLLBACK")
        .await;
    let open = server.client().await;
    open.run("BEGIN; CREATE TABLE never (id int); INSERT INTO kept VALUES (2, 'two')")
        .await;
    open.run("ALTER TABLE made ADD COLUMN extra int; INSERT INTO made VALUES (2, 2)")
        .await;
    open
}

async fn assert_ddl_state(client: &Client) {
    assert_eq!(client.lines("SELECT id, note FROM kept").await, ["1|one"]);
    assert_eq!(client.lines("SELECT * FROM made").await, ["1"]);
    client
        .expect_sqlstate("SELECT extra FROM made", "42703")
        .await;
    client
        .expect_sqlstate("SELECT * FROM undone", "42P01")
        .await;
    client.expect_sqlstate("SELECT * FROM never", "42P01").await;
}

#[tokio::test]
async fn committed_ddl_survives_sigkill_and_uncommitted_ddl_does_not() {
    let Some(mut server) = TestServer::start_shale("SIGKILL and restart").await else {
        return;
    };
    let _open = ddl_state(&server).await;
    server.kill9();
    server.restart().await;
    assert_ddl_state(&server.client().await).await;
}

#[tokio::test]
async fn the_ddl_state_reads_the_same_without_a_crash() {
    let server = TestServer::start().await;
    let open = ddl_state(&server).await;
    drop(open);
    assert_ddl_state(&server.client().await).await;
}

#[tokio::test]
async fn synchronous_commit_off_is_accepted() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE sc (id int)").await;
    assert_eq!(a.value("SHOW synchronous_commit").await, "on");
    a.run("SET synchronous_commit = off").await;
    assert_eq!(a.value("SHOW synchronous_commit").await, "off");
    a.run("BEGIN; INSERT INTO sc VALUES (1); COMMIT").await;
    a.run("INSERT INTO sc VALUES (2)").await;
    assert_eq!(b.lines("SELECT id FROM sc ORDER BY id").await, ["1", "2"]);
    assert_eq!(b.value("SHOW synchronous_commit").await, "on");
    a.run("SET synchronous_commit TO on").await;
    assert_eq!(a.value("SHOW synchronous_commit").await, "on");
}
