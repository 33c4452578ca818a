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
