//! An application's schema under load, beside PostgreSQL (issue 13, point 7): `users
//! (id bigserial primary key, email text unique)` with ROWS rows (default 1,000,000) and
//! `posts (id bigserial primary key, slug text unique, user_id bigint references users)`.
//! `pgbench -M prepared` from 4 connections runs single-row INSERTs into `posts` (a
//! sequence, two unique checks and a foreign-key check each) and point SELECTs of `users`
//! by email (through the unique index: with this many rows a scan per query would show),
//! against shale (release build, fresh data directory) and the local PostgreSQL (port 5432,
//! user postgres, trust, a scratch database dropped afterwards); it reports the
//! throughputs and their ratio.
//! Run: `target/release/app_schema [SECONDS]` (default 10 s a run; `ROWS`, `PG_PORT`,
//! `PGBENCH`).

use std::time::Instant;

use shale_bench::pgbench;
use shale_bench::{Scratch, start_shale};
use tokio_postgres::Client;

const SCRATCH_DB: &str = "shale_bench_app_schema";

/// Users inserted per statement while filling.
const CHUNK: u64 = 50_000;

/// Creates the schema and fills `users` with `rows` rows (`u<n>@example.com`).
async fn fill(client: &Client, rows: u64) {
    client
        .batch_execute(
            "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE);
             CREATE TABLE posts (id bigserial PRIMARY KEY, slug text NOT NULL UNIQUE, user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE);
             CREATE SEQUENCE slugs",
        )
        .await
        .expect("create the schema");
    for start in (1..=rows).step_by(CHUNK as usize) {
        let end = (start + CHUNK - 1).min(rows);
        let sql = format!("INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series({start}, {end}) g");
        client.batch_execute(&sql).await.expect("fill users");
    }
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let rows: u64 = std::env::var("ROWS").ok().and_then(|r| r.parse().ok()).unwrap_or(1_000_000);
    let pg_port: u16 = std::env::var("PG_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(5432);
    let workloads = [
        (
            "INSERT (serial, 2 unique, FK)",
            format!("\\set u random(1, {rows})\nINSERT INTO posts (slug, user_id) VALUES ('s' || nextval('slugs'), :u);\n"),
        ),
        ("SELECT by unique email", format!("\\set u random(1, {rows})\nSELECT id FROM users WHERE email = 'u' || :u || '@example.com';\n")),
    ];
    let scripts = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("temp dir");

    let (shale, _, shale_client) = start_shale(data.path()).await;
    let started = Instant::now();
    fill(&shale_client, rows).await;
    let shale_fill = started.elapsed();
    let scratch = Scratch::create(pg_port, SCRATCH_DB).await;
    let started = Instant::now();
    fill(&scratch.client, rows).await;
    let pg_fill = started.elapsed();
    scratch.client.batch_execute("VACUUM ANALYZE users").await.expect("vacuum");

    println!("app_schema: pgbench -n -M prepared -c 4 -j 2 -T {seconds}, {rows} users");
    println!("filling users: shale {:.1} s, PostgreSQL {:.1} s", shale_fill.as_secs_f64(), pg_fill.as_secs_f64());
    println!("{:<30} {:>12} {:>16} {:>8}", "workload", "shale tps", "PostgreSQL tps", "ratio");
    for (i, (name, script)) in workloads.iter().enumerate() {
        let path = scripts.path().join(format!("workload{i}.sql"));
        std::fs::write(&path, script).expect("write script");
        let ours = pgbench::prepared_tps(shale.port, "postgres", &path, seconds);
        let theirs = pgbench::prepared_tps(pg_port, SCRATCH_DB, &path, seconds);
        println!("{name:<30} {ours:>12.0} {theirs:>16.0} {:>8.2}", ours / theirs);
    }
    drop(shale);
    scratch.drop_database().await;
}
