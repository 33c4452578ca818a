//! Does the number of tables affect start-up or the first query? Starts shale on an empty
//! database and on one with 10,000 tables, and reports for each the time from process start
//! to an accepted connection and the time of the first query on one table, plus the ratio.
//! Run: `cargo run --release -p shale-bench --bin catalog_scale [-- TABLES]`.

use std::time::{Duration, Instant};

use shale_bench::{median, start_shale};

const ROUNDS: usize = 9;

/// Median start-up and first-query times over [`ROUNDS`] restarts on `dir`, after one
/// restart that is not counted (it replays the log of the loading session).
async fn measure(dir: &std::path::Path) -> (Duration, Duration) {
    drop(start_shale(dir).await);
    let mut startups = Vec::new();
    let mut queries = Vec::new();
    for _ in 0..ROUNDS {
        let (server, startup, client) = start_shale(dir).await;
        let t = Instant::now();
        let rows = client.simple_query("SELECT count(*) FROM t1").await.expect("first query");
        queries.push(t.elapsed());
        assert!(!rows.is_empty());
        startups.push(startup);
        drop(client);
        drop(server);
    }
    (median(startups), median(queries))
}

#[tokio::main]
async fn main() {
    let tables: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let empty = tempfile::tempdir().expect("temp dir");
    let full = tempfile::tempdir().expect("temp dir");
    for (dir, count) in [(empty.path(), 1), (full.path(), tables)] {
        let (_server, _, client) = start_shale(dir).await;
        let mut sql = String::new();
        for i in 1..=count {
            sql.push_str(&format!("CREATE TABLE t{i} (id bigint PRIMARY KEY, v text);"));
            if i % 500 == 0 || i == count {
                client.batch_execute(&sql).await.expect("create tables");
                sql.clear();
            }
        }
        client.batch_execute("INSERT INTO t1 VALUES (1, 'a'), (2, 'b')").await.expect("insert");
    }
    let (empty_start, empty_query) = measure(empty.path()).await;
    let (full_start, full_query) = measure(full.path()).await;
    println!("catalog_scale: median of {ROUNDS} restarts");
    println!("{:<28} {:>14} {:>14} {:>8}", "", "1 table", format!("{tables} tables"), "ratio");
    for (what, a, b) in [("start-up to first connection", empty_start, full_start), ("first query on one table", empty_query, full_query)] {
        println!("{what:<28} {:>12.2?} {:>14.2?} {:>8.2}", a, b, b.as_secs_f64() / a.as_secs_f64());
    }
}
