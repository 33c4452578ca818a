//! TPC-B beside PostgreSQL: pgbench's `tpcb-like` transaction (three single-row UPDATEs, a
//! SELECT and an INSERT in one BEGIN ... END block) from `pgbench -n -c 4 -j 2` against
//! shale (release build, fresh data directory) and against the local PostgreSQL (port 5432,
//! user postgres, trust authentication, a scratch database dropped afterwards). Both get
//! the same scale-1 tables, made with CREATE TABLE and multi-row INSERTs; after each run the
//! balances must add up and no transaction may have failed. Reports the throughputs and
//! their ratio.
//! Run: `target/release/tpcb [SECONDS]` (default 30 s a run; `PG_PORT`, `PGBENCH`).

use std::path::Path;
use std::process::ExitCode;

use shale_bench::pgbench::{self, Report};
use shale_bench::tpcb::{self, Balances};
use shale_bench::{Scratch, start_shale};
use tokio_postgres::Client;

const SCRATCH_DB: &str = "shale_bench_tpcb";

/// Runs the script for `seconds` against `dbname` on `port` and checks the balances after
/// it; the report, or what went wrong with everything pgbench printed.
async fn run(client: &Client, port: u16, dbname: &str, script: &Path, seconds: u64) -> Result<Report, String> {
    let options = ["-c", "4", "-j", "2", "-T", &seconds.to_string(), "-s", &tpcb::SCALE.to_string()];
    let output = pgbench::command(port, dbname, &options, script).output().expect("run pgbench");
    let report = Report::of_clean_run(&output)?;
    let balances = Balances::read(client).await.map_err(|e| format!("reading the balances: {e}"))?;
    if !balances.consistent() {
        return Err(format!("the balances do not add up after {} transactions: {balances:?}", report.processed));
    }
    Ok(report)
}

#[tokio::main]
async fn main() -> ExitCode {
    let seconds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(30);
    let pg_port: u16 = std::env::var("PG_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(5432);
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("tpcb.sql");
    std::fs::write(&script, tpcb::SCRIPT).expect("write script");
    let data = tempfile::tempdir().expect("temp dir");

    let (shale, _, shale_client) = start_shale(data.path()).await;
    let ours = match tpcb::create_and_load(&shale_client).await {
        Ok(()) => run(&shale_client, shale.port, "postgres", &script, seconds).await,
        Err(e) => Err(format!("loading the tables: {e}")),
    };
    drop(shale);
    let scratch = Scratch::create(pg_port, SCRATCH_DB).await;
    tpcb::create_and_load(&scratch.client).await.expect("load PostgreSQL");
    scratch.client.batch_execute("VACUUM ANALYZE").await.expect("vacuum");
    let theirs = run(&scratch.client, pg_port, SCRATCH_DB, &script, seconds).await;
    scratch.drop_database().await;

    println!("tpcb: pgbench -n -c 4 -j 2 -T {seconds} -s {}, tpcb-like script", tpcb::SCALE);
    println!("{:<12} {:>12} {:>10}", "server", "transactions", "tps");
    for (name, result) in [("shale", &ours), ("PostgreSQL", &theirs)] {
        match result {
            Ok(report) => println!("{name:<12} {:>12} {:>10.0}", report.processed, report.tps),
            Err(e) => println!("{name:<12} failed: {e}"),
        }
    }
    match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => {
            println!("ratio (shale / PostgreSQL): {:.2}", ours.tps / theirs.tps);
            ExitCode::SUCCESS
        }
        _ => ExitCode::FAILURE,
    }
}
