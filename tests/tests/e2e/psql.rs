//! Scripted psql sessions compared with the output PostgreSQL 15 gives for them (issue 2).
//!
//! Each script `tests/sql/<name>.sql` runs through `psql -X -a` (echoing every line, default
//! aligned output, stdout and stderr interleaved as on a terminal); its expected output is
//! `tests/expected/<name>.out`. Errors print as SQLSTATEs (`\set VERBOSITY sqlstate`).

use shale_tests::{TestServer, golden};

async fn assert_session(name: &str) {
    let server = TestServer::start().await;
    let output = server
        .psql_session(&["-a"], &golden::script(&format!("{name}.sql")))
        .await;
    golden::check(&server, &format!("{name}.out"), &output);
}

#[tokio::test]
async fn basics() {
    assert_session("basics").await;
}

#[tokio::test]
async fn schemas() {
    assert_session("schemas").await;
}
#[tokio::test]
async fn describe() {
    assert_session("describe").await;
}

/// `\timing on` prints the time each query took after its result; `\timing off` stops it.
#[tokio::test]
async fn timing_prints_the_time_of_each_query() {
    let server = TestServer::start().await;
    let out = server
        .psql("\\timing on\nSELECT 1;\n\\timing off\nSELECT 2;\n")
        .await;
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    assert_eq!(lines[..2], ["Timing is on.", "1"]);
    let ms = lines[2]
        .strip_prefix("Time: ")
        .and_then(|rest| rest.split_once(" ms"))
        .and_then(|(ms, _)| ms.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("not a timing line: {}", lines[2]));
    assert!(ms >= 0.0, "{}", lines[2]);
    assert_eq!(lines[3..], ["Timing is off.", "2"]);
}

/// `\conninfo` says which database, user, host and port the session is connected to.
#[tokio::test]
async fn conninfo_names_the_connection() {
    let server = TestServer::start().await;
    let out = server.psql("\\conninfo\n").await;
    assert_eq!(out.stderr, "");
    let expected = format!(
        "You are connected to database \"{}\" as user \"postgres\" on host \"127.0.0.1\" at port \"{}\".",
        server.dbname(),
        server.port()
    );
    assert_eq!(out.stdout.lines().next(), Some(expected.as_str()));
}

/// `\l` lists the current database and `postgres`; `\l postgres` lists just that one.
#[tokio::test]
async fn list_databases() {
    let server = TestServer::start().await;
    let out = server.psql("\\l\n").await;
    assert_eq!(out.stderr, "");
    for db in [server.dbname(), "postgres"] {
        let prefix = format!("{db}|postgres|UTF8|");
        assert!(
            out.stdout.lines().any(|line| line.starts_with(&prefix)),
            "no line starting with {prefix} in:\n{}",
            out.stdout
        );
    }
    let out = server.psql("\\l postgres\n").await;
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(lines[0].starts_with("postgres|postgres|UTF8|"), "{}", lines[0]);
}
