//! Crash loop: concurrent writers run multi-statement transactions against shale (a
//! transfer between two of [`ACCOUNTS`] accounts, two UPDATEs and an INSERT of the
//! transfer under a unique id, committed with COMMIT) and record every commit the server
//! acknowledged; the server is SIGKILLed at a random moment and restarted on the same data
//! directory, and then every acknowledged transfer must be there and every transaction
//! all-or-nothing: the balances add up to the same total, and each account's balance is its
//! opening balance plus the transfers present (a transfer row without its two updates, or
//! updates without their row, breaks that). Repeats `--iterations` times and reports; the
//! exit status is 1 when any check failed.
//!
//! Run: `target/debug/crash_loop [--iterations 1000] [--writers 4] [--max-run-ms 1000]
//! [--seed S]` (`SHALE_BIN` is the server; the release build gives more transactions per run).

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use shale_bench::rng::Rng;
use shale_bench::{Server, connect, start_shale_logging};
use tokio_postgres::{Client, SimpleQueryMessage};

/// Accounts, each opened with [`OPENING`].
const ACCOUNTS: i64 = 16;
const OPENING: i64 = 1000;

#[derive(Parser)]
#[command(about = "SIGKILL shale under concurrent writers, restart, check every acknowledged commit")]
struct Cli {
    /// Kill-and-restart rounds.
    #[arg(long, default_value_t = 1000)]
    iterations: u64,
    /// Concurrent writer connections.
    #[arg(long, default_value_t = 4)]
    writers: u64,
    /// The kill comes at a random moment up to this many milliseconds after the writers start.
    #[arg(long, default_value_t = 1000)]
    max_run_ms: u64,
    /// The seed (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
}

/// The commits the server acknowledged: transfer ids.
type Acknowledged = Arc<Mutex<BTreeSet<i64>>>;

async fn create(client: &Client) -> Result<(), tokio_postgres::Error> {
    client
        .batch_execute(
            "CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL);
             CREATE TABLE transfers (id bigint PRIMARY KEY, src integer NOT NULL, dst integer NOT NULL, amount bigint NOT NULL)",
        )
        .await?;
    let rows: Vec<String> = (0..ACCOUNTS).map(|id| format!("({id}, {OPENING})")).collect();
    client.batch_execute(&format!("INSERT INTO accounts VALUES {}", rows.join(", "))).await
}

/// One transfer in its own transaction: Ok(true) once COMMIT is acknowledged, Ok(false) when
/// it failed with an SQL error (a conflict; rolled back), Err when the connection is gone.
async fn transfer(client: &Client, id: i64, src: i64, dst: i64, amount: i64) -> Result<bool, tokio_postgres::Error> {
    // Updates in id order, so that two opposite transfers never deadlock.
    let (first, second) = if src < dst { ((src, -amount), (dst, amount)) } else { ((dst, amount), (src, -amount)) };
    let statements = [
        "BEGIN".to_string(),
        format!("UPDATE accounts SET balance = balance + {} WHERE id = {}", first.1, first.0),
        format!("UPDATE accounts SET balance = balance + {} WHERE id = {}", second.1, second.0),
        format!("INSERT INTO transfers VALUES ({id}, {src}, {dst}, {amount})"),
        "COMMIT".to_string(),
    ];
    for statement in &statements {
        if let Err(e) = client.simple_query(statement).await {
            if e.as_db_error().is_none() {
                return Err(e);
            }
            client.simple_query("ROLLBACK").await?;
            return Ok(false);
        }
    }
    Ok(true)
}

/// A writer: transfers until its connection is gone.
async fn writer(port: u16, mut rng: Rng, first_id: i64, acknowledged: Acknowledged) {
    let Ok(client) = connect(port).await else { return };
    for id in first_id.. {
        let src = rng.below(ACCOUNTS as usize) as i64;
        let dst = (src + 1 + rng.below(ACCOUNTS as usize - 1) as i64) % ACCOUNTS;
        match transfer(&client, id, src, dst, 1 + rng.below(100) as i64).await {
            Ok(true) => {
                acknowledged.lock().expect("lock").insert(id);
            }
            Ok(false) => {}
            Err(_) => return,
        }
    }
}

async fn ints(client: &Client, sql: &str) -> Result<Vec<Vec<i64>>, String> {
    let messages = client.simple_query(sql).await.map_err(|e| format!("{sql}: {e}"))?;
    let rows = messages.iter().filter_map(|m| match m {
        SimpleQueryMessage::Row(row) => Some(row),
        _ => None,
    });
    rows.map(|row| {
        (0..row.len()).map(|i| row.get(i).unwrap_or("0").parse().map_err(|e| format!("{sql}: {e}"))).collect()
    })
    .collect()
}

/// Checks the data after a restart; the number of transfers present that were never
/// acknowledged (in flight at the kill), or what is wrong.
async fn verify(client: &Client, acknowledged: &BTreeSet<i64>) -> Result<usize, String> {
    let present: BTreeSet<i64> = ints(client, "SELECT id FROM transfers").await?.into_iter().map(|r| r[0]).collect();
    let lost: Vec<&i64> = acknowledged.difference(&present).collect();
    if !lost.is_empty() {
        return Err(format!("{} acknowledged transfers are missing, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]));
    }
    let total = ints(client, "SELECT count(*), sum(balance) FROM accounts").await?;
    if total != [vec![ACCOUNTS, ACCOUNTS * OPENING]] {
        return Err(format!("accounts (count, total) are {total:?}, not ({ACCOUNTS}, {})", ACCOUNTS * OPENING));
    }
    let expected = format!(
        "SELECT a.id, a.balance, \
                    {OPENING} + COALESCE((SELECT sum(amount) FROM transfers t WHERE t.dst = a.id), 0) \
                         - COALESCE((SELECT sum(amount) FROM transfers t WHERE t.src = a.id), 0) \
                    FROM accounts a ORDER BY a.id"
    );
    for row in ints(client, &expected).await? {
        if row[1] != row[2] {
            return Err(format!("account {} holds {} but its transfers make {}: a partial transaction", row[0], row[1], row[2]));
        }
    }
    Ok(present.len() - acknowledged.len())
}

/// Starts shale on `data`, its log appended to `log`.
async fn start(data: &Path, log: &Path) -> (Server, Client) {
    let log = File::options().create(true).append(true).open(log).expect("log file");
    let (server, _, client) = start_shale_logging(data, log).await;
    (server, client)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let seed = cli.seed.unwrap_or_else(Rng::clock_seed);
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, log) = (dir.path().join("data"), dir.path().join("shale.log"));
    println!("crash_loop: seed {seed}, {} iterations, {} writers, kill within {} ms", cli.iterations, cli.writers, cli.max_run_ms);
    let (mut server, client) = start(&data, &log).await;
    create(&client).await.expect("create the tables");
    drop(client);
    let acknowledged: Acknowledged = Arc::default();
    let (mut failures, mut in_doubt, mut iterations, started) = (0, 0, 0, Instant::now());
    for iteration in 0..cli.iterations {
        iterations += 1;
        let writers: Vec<_> = (0..cli.writers)
            .map(|w| {
                let first_id = ((iteration as i64) << 32) | ((w as i64) << 24);
                let writer_rng = Rng::new(rng.next_u64());
                tokio::spawn(writer(server.port, writer_rng, first_id, acknowledged.clone()))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.between(10, cli.max_run_ms as usize) as u64)).await;
        server.kill();
        for writer in writers {
            let _ = writer.await;
        }
        let client;
        (server, client) = start(&data, &log).await;
        let acknowledged_now = acknowledged.lock().expect("lock").clone();
        match verify(&client, &acknowledged_now).await {
            Ok(extra) => in_doubt = extra,
            Err(e) => {
                failures += 1;
                println!("crash_loop: iteration {iteration}: {e}; stopping");
                break;
            }
        }
        if (iteration + 1) % 10 == 0 {
            println!(
                "crash_loop: {} iterations, {} commits acknowledged, {failures} failed, {:.0} s",
                iteration + 1,
                acknowledged_now.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let commits = acknowledged.lock().expect("lock").len();
    println!(
        "crash_loop: {iterations} iterations, {commits} commits acknowledged; {in_doubt} unacknowledged commits present (in flight at a kill); {failures} failed checks"
    );
    drop(server);
    if failures == 0 { ExitCode::SUCCESS } else {
        println!("crash_loop: server log kept in {}", dir.keep().display());
        ExitCode::FAILURE
    }
}
