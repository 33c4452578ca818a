//! Prepared statements under load, beside PostgreSQL: `pgbench -M prepared` from 4
//! connections runs a point SELECT by random primary key and a single-row UPDATE by random
//! key against shale (release build, fresh data directory) and against the local
//! PostgreSQL (port 5432, user postgres, trust authentication, a scratch database dropped
//! afterwards), and reports the throughputs and their ratio.
//! Run: `target/release/prepared [SECONDS]` (default 10 s a run; `PG_PORT`, `PGBENCH`).

use shale_bench::pgbench;
use shale_bench::{Scratch, start_shale};
use tokio_postgres::Client;

const ROWS: u64 = 10_000;
const SCRATCH_DB: &str = "shale_bench_prepared";

/// The workloads: a name and a pgbench script.
const WORKLOADS: [(&str, &str); 2] = [
    ("point SELECT by key", "\\set id random(1, 10000)\nSELECT n FROM t WHERE id = :id;\n"),
    ("single-row UPDATE by key", "\\set id random(1, 10000)\nUPDATE t SET n = n + 1 WHERE id = :id;\n"),
];

/// Creates and fills `t (id bigint primary key, n bigint)`.
async fn fill(client: &Client) {
    client.batch_execute("CREATE TABLE t (id bigint PRIMARY KEY, n bigint)").await.expect("create t");
    for start in (1..=ROWS).step_by(1000) {
        let values: Vec<String> = (start..start + 1000).map(|i| format!("({i}, {i})")).collect();
        client.batch_execute(&format!("INSERT INTO t VALUES {}", values.join(", "))).await.expect("fill t");
    }
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let pg_port: u16 = std::env::var("PG_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(5432);
    let scripts = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");

    let (shale, _, shale_client) = start_shale(data.path()).await;
    fill(&shale_client).await;
    let scratch = Scratch::create(pg_port, SCRATCH_DB).await;
    fill(&scratch.client).await;
    scratch.client.batch_execute("VACUUM ANALYZE t").await.expect("vacuum");

    println!("prepared: pgbench -n -M prepared -c 4 -j 2 -T {seconds}, {ROWS} rows");
    println!("{:<26} {:>12} {:>16} {:>8}", "workload", "shale tps", "PostgreSQL tps", "ratio");
    for (i, (name, script)) in WORKLOADS.iter().enumerate() {
        let path = scripts.path().join(format!("workload{i}.sql"));
        std::fs::write(&path, script).expect("write script");
        let ours = pgbench::prepared_tps(shale.port, "postgres", &path, seconds);
        let theirs = pgbench::prepared_tps(pg_port, SCRATCH_DB, &path, seconds);
        println!("{name:<26} {ours:>12.0} {theirs:>16.0} {:>8.2}", ours / theirs);
    }
    drop(shale);
    scratch.drop_database().await;
}
