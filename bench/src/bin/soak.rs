//! Memory under load: 50 connections each run a prepared point SELECT, a prepared INSERT
//! and a prepared single-row UPDATE in a loop against shale (fresh data directory) for
//! `--seconds` (default 600), while the server's resident set size (`VmRSS` of
//! `/proc/<pid>/status`) is sampled every 10 s and printed. It passes when the RSS at the
//! end is within 10% of the RSS after the first minute, and when the RSS falls once the
//! clients have disconnected. Also printed: the idle RSS at start, with one connection, and
//! beside each sample the server's thread count (a thread keeps the stack pages it touched)
//! and what RocksDB's memtables and block cache hold (from `pg_shmem_allocations`, read
//! through a monitoring connection that stays open until the clients have left).
//! `--protocol simple` runs the same statements through the simple query protocol with
//! their constants spelled in, each a new text sharing its shape's plan.
//! Run: `target/release/soak [--seconds N] [--clients N] [--protocol extended|simple]`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use shale_bench::rss::{self, mib};
use shale_bench::{connect, start_shale};
use tokio_postgres::Client;

/// Rows of the table the SELECTs and UPDATEs address by key.
const ROWS: i64 = 10_000;
/// How often the RSS is sampled under load.
const SAMPLE_EVERY: Duration = Duration::from_secs(10);
/// The RSS the end is compared with is the one sampled this long after the start.
const WARM_UP: Duration = Duration::from_secs(60);
/// How far the RSS at the end may be from the warmed-up RSS.
const TOLERANCE: f64 = 0.10;
/// How long to wait for the RSS to settle after the clients disconnect.
const SETTLE: Duration = Duration::from_secs(10);

/// The command-line options.
struct Options {
    seconds: u64,
    clients: u32,
    simple: bool,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let mut options = Options { seconds: 600, clients: 50, simple: false };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--seconds" => options.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
                "--clients" => options.clients = value()?.parse().map_err(|e| format!("--clients: {e}"))?,
                "--protocol" => {
                    options.simple = match value()?.as_str() {
                        "extended" => false,
                        "simple" => true,
                        other => return Err(format!("--protocol is extended or simple, not {other}")),
                    }
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        if options.seconds <= WARM_UP.as_secs() {
            return Err(format!("--seconds must be more than the {} s warm-up", WARM_UP.as_secs()));
        }
        Ok(options)
    }
}

/// Creates `t (id, n)` with [`ROWS`] rows and the empty `h`, which the INSERTs fill.
async fn create_tables(client: &Client) -> Result<(), tokio_postgres::Error> {
    client.batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, n bigint)").await?;
    client.batch_execute("CREATE TABLE h (client integer, seq bigint, n bigint, PRIMARY KEY (client, seq))").await?;
    for start in (1..=ROWS).step_by(1000) {
        let values: Vec<String> = (start..start + 1000).map(|i| format!("({i}, {i})")).collect();
        client.batch_execute(&format!("INSERT INTO t VALUES {}", values.join(", "))).await?;
    }
    Ok(())
}

/// A xorshift generator of keys, one per client: no two clients follow the same keys.
struct Keys(u64);

impl Keys {
    fn next(&mut self) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % ROWS as u64) as i64 + 1
    }
}

/// One client's loop until `stop`: a point SELECT, an INSERT and an UPDATE of random keys,
/// counting the statements in `done`.
async fn run_client(port: u16, number: u32, simple: bool, stop: Arc<AtomicBool>, done: Arc<AtomicU64>) -> Result<(), tokio_postgres::Error> {
    let client = connect(port).await?;
    let mut keys = Keys(0x9E37_79B9_7F4A_7C15 ^ u64::from(number + 1) << 20);
    let select = client.prepare("SELECT n FROM t WHERE id = $1").await?;
    let insert = client.prepare("INSERT INTO h (client, seq, n) VALUES ($1, $2, $3)").await?;
    let update = client.prepare("UPDATE t SET n = n + 1 WHERE id = $1").await?;
    let client_id = number as i32;
    let mut seq: i64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let (id, n) = (keys.next(), keys.next());
        seq += 1;
        if simple {
            client.simple_query(&format!("SELECT n FROM t WHERE id = {id}")).await?;
            client.simple_query(&format!("INSERT INTO h (client, seq, n) VALUES ({client_id}, {seq}, {n})")).await?;
            client.simple_query(&format!("UPDATE t SET n = n + 1 WHERE id = {id}")).await?;
        } else {
            client.query_one(&select, &[&id]).await?;
            client.execute(&insert, &[&client_id, &seq, &n]).await?;
            client.execute(&update, &[&id]).await?;
        }
        done.fetch_add(3, Ordering::Relaxed);
    }
    Ok(())
}

/// RocksDB's memtables and block cache, in KiB, as `pg_shmem_allocations` reports them.
async fn shared_memory(client: &Client) -> Result<(u64, u64), tokio_postgres::Error> {
    let kib = |name: &str| format!("(SELECT size / 1024 FROM pg_shmem_allocations WHERE name = 'RocksDB {name}')");
    let row = client.query_one(&format!("SELECT {}, {}", kib("memtables"), kib("block cache")), &[]).await?;
    let value = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
    Ok((value(0), value(1)))
}

/// One RSS sample under load.
struct Sample {
    at: Duration,
    kib: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::FAILURE;
        }
    };
    let data = tempfile::tempdir().expect("temp dir");
    let (shale, _, setup) = start_shale(data.path()).await;
    let pid = shale.pid();
    let status = || rss::status(pid).expect("shale is running");
    let rss = || status().rss_kib;
    // Let start-up's allocations settle before reading the idle figure.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss();
    create_tables(&setup).await.expect("create the tables");
    let loaded = rss();

    let protocol = if options.simple { "simple query protocol, constants spelled in" } else { "prepared statements" };
    println!("soak: {} connections, {} s, {protocol}; {ROWS} rows", options.clients, options.seconds);
    println!("idle RSS at start (one connection): {:.1} MiB; after loading the table: {:.1} MiB", mib(idle), mib(loaded));
    println!("{:>6} {:>10} {:>14} {:>10} {:>8} {:>14}", "s", "RSS MiB", "memtables MiB", "cache MiB", "threads", "statements/s");

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let clients: Vec<_> = (0..options.clients)
        .map(|number| tokio::spawn(run_client(shale.port, number, options.simple, stop.clone(), done.clone())))
        .collect();
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut counted = 0;
    while started.elapsed() < Duration::from_secs(options.seconds) {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let now = status();
        let sample = Sample { at: started.elapsed(), kib: now.rss_kib };
        let total = done.load(Ordering::Relaxed);
        let rate = (total - counted) as f64 / SAMPLE_EVERY.as_secs_f64();
        counted = total;
        let (memtables, cache) = shared_memory(&setup).await.expect("pg_shmem_allocations");
        println!(
            "{:>6} {:>10.1} {:>14.1} {:>10.1} {:>8} {rate:>14.0}",
            sample.at.as_secs(),
            mib(sample.kib),
            mib(memtables),
            mib(cache),
            now.threads
        );
        samples.push(sample);
    }
    stop.store(true, Ordering::Relaxed);
    let mut failures = Vec::new();
    for client in clients {
        if let Err(e) = client.await.expect("client task") {
            failures.push(e.to_string());
        }
    }
    drop(setup);
    let mut after = rss();
    let left = Instant::now();
    while left.elapsed() < SETTLE {
        tokio::time::sleep(Duration::from_secs(1)).await;
        after = rss();
    }
    drop(shale);

    let warm = samples.iter().find(|s| s.at >= WARM_UP).expect("a sample after the warm-up");
    let end = samples.last().expect("a sample");
    let drift = (end.kib as f64 - warm.kib as f64) / warm.kib as f64;
    println!("statements: {}, failed clients: {}", done.load(Ordering::Relaxed), failures.len());
    println!(
        "RSS after {} s: {:.1} MiB; at the end: {:.1} MiB ({:+.1}%); {} s after the clients left: {:.1} MiB",
        warm.at.as_secs(),
        mib(warm.kib),
        mib(end.kib),
        drift * 100.0,
        SETTLE.as_secs(),
        mib(after)
    );
    let mut verdict = Vec::new();
    if let Some(first) = failures.first() {
        verdict.push(format!("{} clients failed, the first with: {first}", failures.len()));
    }
    if drift.abs() > TOLERANCE {
        verdict.push(format!("the RSS moved {:+.1}% after the warm-up (at most {:.0}%)", drift * 100.0, TOLERANCE * 100.0));
    }
    if after >= end.kib {
        verdict.push("the RSS did not fall after the clients left".to_string());
    }
    if verdict.is_empty() {
        println!("PASS");
        ExitCode::SUCCESS
    } else {
        println!("FAIL: {}", verdict.join("; "));
        ExitCode::FAILURE
    }
}
