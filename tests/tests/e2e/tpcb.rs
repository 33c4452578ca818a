//! pgbench's TPC-B-like transaction from 4 connections at once: no transaction fails, and
//! afterwards the balances of accounts, tellers and branches and the history's deltas all
//! add up to the same sum. The tables and the script are the `tpcb` benchmark's
//! (`shale_bench::tpcb`).

use std::time::Duration;

use shale_bench::pgbench::{self, Report};
use shale_bench::tpcb::{self, Balances};
use shale_tests::{TestServer, within};

/// How long pgbench runs.
const SECONDS: u64 = 10;

/// How long after [`SECONDS`] pgbench may take to stop: its clients stop at the end of a
/// transaction, so one stuck on a lock keeps it running.
const GRACE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn pgbench_tpcb_commits_every_transaction_and_the_balances_add_up() {
    let (server, client) = TestServer::start_with_client().await;
    within(tpcb::create_and_load(&client), "loading the pgbench tables")
        .await
        .unwrap_or_else(|e| panic!("loading the pgbench tables: {e}\n{}", server.log()));
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("tpcb.sql");
    std::fs::write(&script, tpcb::SCRIPT).expect("write the script");
    let options = [
        "-c",
        "4",
        "-j",
        "2",
        "-T",
        &SECONDS.to_string(),
        "-s",
        &tpcb::SCALE.to_string(),
    ];
    let mut command = tokio::process::Command::from(pgbench::command(
        server.port(),
        server.dbname(),
        &options,
        &script,
    ));
    command.kill_on_drop(true);
    let limit = Duration::from_secs(SECONDS) + GRACE;
    let output = tokio::time::timeout(limit, command.output())
        .await
        .unwrap_or_else(|_| panic!("pgbench still running after {limit:?}\n{}", server.log()))
        .unwrap_or_else(|e| panic!("running {}: {e}", pgbench::binary().display()));
    let report = Report::of_clean_run(&output).unwrap_or_else(|e| panic!("{e}\n{}", server.log()));
    eprintln!(
        "pgbench: {} transactions, {:.0} tps",
        report.processed, report.tps
    );

    let balances = within(Balances::read(&client), "reading the balances")
        .await
        .expect("read the balances");
    assert!(
        balances.consistent(),
        "the balances do not add up: {balances:?}"
    );
    assert_eq!(
        balances.history_rows as u64, report.processed,
        "one history row per committed transaction"
    );
}
