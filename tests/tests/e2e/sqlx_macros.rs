//! sqlx's compile-time checked queries and its migrations (issue 5, point 6). Against a
//! fresh server: `sqlx migrate run` (sqlx-cli) applies tests/sqlx-fixture/migrations; the
//! fixture crate is compiled with DATABASE_URL naming the server, so every `query!` /
//! `query_as!` in it is prepared and described there and the nullability of its columns
//! inferred (pg_attribute.attnotnull, EXPLAIN (VERBOSE, FORMAT JSON)), the compile failing
//! when a column's type differs from PostgreSQL's; the program runs `sqlx::migrate!()` (a
//! no-op that reads `_sqlx_migrations` back, checksums compared, under pg_advisory_lock)
//! and its queries, printing what PostgreSQL 15 gives; `sqlx migrate run` and
//! `sqlx migrate info` then find everything applied. Skipped when the sqlx CLI is missing.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shale_tests::TestServer;
use tokio::process::Command;

/// A cold build of the fixture compiles sqlx and its macros (about a minute and a half on
/// one core); with other tests running at the same time it can take much longer.
const BUILD_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What `sqlx migrate run` prints on a fresh database, durations removed.
const MIGRATE_RUN: &str = "\
Applied 20240101000000/migrate authors
Applied 20240102000000/migrate books
";

/// What `sqlx migrate info` prints once both migrations are applied.
const MIGRATE_INFO: &str = "\
20240101000000/installed authors
20240102000000/installed books
";

/// What the fixture program prints against PostgreSQL 15.
const EXPECTED: &str = r#"migration 20240101000000 authors: success=true checksum matches=true
migration 20240102000000 books: success=true checksum matches=true
inserted authors: 2
returning: 10 "Notes" 12.5000 2024-02-03 04:05:06 UTC a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11
returning: 11 "Sketches" NULL NULL b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12
returning: 12 "Anonymous" 3 NULL c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13
author 1: "Ada" Some("ada@example.com") joined 2024-01-01
author 2: "Brian" None joined 2024-01-01
author 3: "Cleo" None joined 2023-05-06
book 10: "Notes" by Some("Ada")
book 11: "Sketches" by Some("Ada")
book 12: "Anonymous" by None
author 1: 2 books, last Some("Sketches")
author 2: 0 books, last None
shout: Some("BRIAN")
done
"#;

/// tests/sqlx-fixture: its own workspace, not a member of this one.
fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sqlx-fixture")
}

/// `<target>/sqlx-fixture`, `<target>` being this run's CARGO_TARGET_DIR or else the
/// workspace's target directory: kept between runs, so only the first build is cold.
fn fixture_target_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target"),
    };
    target.join("sqlx-fixture")
}

/// Runs `command`, failing the test (with what it printed and the server's log) unless it
/// exits 0 within `limit`; returns its stdout.
async fn run(command: &mut Command, what: &str, limit: Duration, server: &TestServer) -> String {
    let output: Output = tokio::time::timeout(limit, command.kill_on_drop(true).output())
        .await
        .unwrap_or_else(|_| panic!("{what}: not done within {limit:?}"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what}: {}\n{stdout}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    stdout
}

/// The sqlx CLI (`cargo install sqlx-cli --no-default-features --features postgres,rustls`).
fn sqlx(args: &[&str], url: &str) -> Command {
    let mut command = Command::new("sqlx");
    command
        .args(args)
        .args([
            "--source",
            &fixture_dir().join("migrations").to_string_lossy(),
        ])
        .args(["--database-url", url]);
    command
}

#[tokio::test]
async fn sqlx_macros_and_migrations() {
    let probe = Command::new("sqlx").arg("--version").output().await;
    if !matches!(probe, Ok(out) if out.status.success()) {
        eprintln!(
            "skipped: the sqlx CLI is not installed \
             (cargo install sqlx-cli --no-default-features --features postgres,rustls)"
        );
        return;
    }
    let server = TestServer::start().await;
    // Neither the fixture (built without TLS) nor the CLI negotiates TLS.
    let url = format!("{}?sslmode=disable", server.url());
    let minute = Duration::from_secs(60);

    let applied = run(
        &mut sqlx(&["migrate", "run"], &url),
        "sqlx migrate run",
        minute,
        &server,
    )
    .await;
    let applied: String = applied
        .lines()
        .map(|line| {
            format!(
                "{}\n",
                line.rsplit_once(" (")
                    .map_or(line, |(head, _duration)| head)
            )
        })
        .collect();
    assert_eq!(applied, MIGRATE_RUN);

    // The macros read DATABASE_URL when the crate is compiled, which cargo does not track:
    // the fixture's build script makes cargo recompile it when DATABASE_URL or
    // SQLX_FIXTURE_BUILD change, and the latter is new on every run.
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let target_dir = fixture_target_dir();
    let mut build = Command::new("cargo");
    build
        .args(["build", "--locked", "-j", "1", "--manifest-path"])
        .arg(fixture_dir().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_TERM_COLOR", "never")
        .env("DATABASE_URL", &url)
        .env(
            "SQLX_FIXTURE_BUILD",
            format!("{}-{nonce}", std::process::id()),
        )
        .env_remove("SQLX_OFFLINE")
        .env_remove("SQLX_OFFLINE_DIR");
    let output = tokio::time::timeout(BUILD_TIMEOUT, build.kill_on_drop(true).output())
        .await
        .unwrap_or_else(|_| panic!("building the sqlx fixture: not done within {BUILD_TIMEOUT:?}"))
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "building the sqlx fixture (its queries checked against the server): {}\n{stderr}\n{}",
        output.status,
        server.log()
    );
    // Compiled now, so its macros asked this server (a stale binary would prove nothing).
    assert!(
        stderr.contains("Compiling sqlx-fixture"),
        "the fixture was not recompiled:\n{stderr}"
    );

    let binary = target_dir.join("debug").join("sqlx-fixture");
    let stdout = run(
        Command::new(&binary).arg(&url),
        "sqlx-fixture",
        minute,
        &server,
    )
    .await;
    assert_eq!(stdout, EXPECTED);

    // The CLI reads the migrations table back too: nothing left to apply.
    let again = run(
        &mut sqlx(&["migrate", "run"], &url),
        "sqlx migrate run (again)",
        minute,
        &server,
    )
    .await;
    assert_eq!(again, "");
    let info = run(
        &mut sqlx(&["migrate", "info"], &url),
        "sqlx migrate info",
        minute,
        &server,
    )
    .await;
    assert_eq!(info, MIGRATE_INFO);
}
