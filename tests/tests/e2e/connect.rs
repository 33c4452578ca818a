//! Connecting (issue 2, point 2): startup, ParameterStatus, the first queries.

use std::time::{SystemTime, UNIX_EPOCH};

use shale_tests::{ClientExt, TestServer, Wire};

/// The major version in a `server_version` such as `15.18 (Debian 15.18-0+deb12u1)`.
fn major_version(server_version: &str) -> u32 {
    let digits: String = server_version
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or_else(|_| {
        panic!("server_version {server_version:?} does not start with a number")
    })
}

#[tokio::test]
async fn startup_sends_the_parameter_status_values_clients_rely_on() {
    let server = TestServer::start().await;
    let wire = server.wire().await;
    let status = |name: &str| -> String {
        wire.parameters
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no ParameterStatus {name}: {:?}", wire.parameters))
    };
    assert_eq!(status("server_encoding"), "UTF8");
    assert_eq!(status("client_encoding"), "UTF8");
    assert_eq!(status("DateStyle"), "ISO, MDY");
    assert_eq!(status("integer_datetimes"), "on");
    assert_eq!(status("standard_conforming_strings"), "on");
    assert_eq!(
        status("application_name"),
        "shale-e2e",
        "the value sent in the startup packet"
    );
    assert_eq!(status("is_superuser"), "on");
    assert_eq!(status("session_authorization"), "postgres");
    assert!(!status("TimeZone").is_empty());
    assert!(
        major_version(&status("server_version")) >= 14,
        "server_version {}",
        status("server_version")
    );
}

#[tokio::test]
async fn show_agrees_with_parameter_status() {
    let server = TestServer::start().await;
    let wire = server.wire().await;
    let client = server.client().await;
    for name in [
        "server_version",
        "TimeZone",
        "DateStyle",
        "server_encoding",
        "client_encoding",
    ] {
        assert_eq!(
            client.value(&format!("SHOW {name}")).await,
            wire.parameters[name],
            "SHOW {name}"
        );
    }
}

#[tokio::test]
async fn psql_sees_the_emulated_server_version() {
    let server = TestServer::start().await;
    let out = server
        .psql("\\echo :SERVER_VERSION_NUM\nSHOW server_version_num;\nSHOW server_version;\n")
        .await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let num: u32 = lines[0].parse().expect("SERVER_VERSION_NUM is a number");
    assert!(num >= 140_000, "SERVER_VERSION_NUM {num}");
    assert_eq!(
        lines[1], lines[0],
        "SHOW server_version_num agrees with the ParameterStatus psql read"
    );
    assert_eq!(
        num / 10_000,
        major_version(lines[2]),
        "server_version {}",
        lines[2]
    );
}

#[tokio::test]
async fn select_1_is_an_int4_named_question_column() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("SELECT 1").await,
        ["T ?column?:int4", "D 1", "C SELECT 1", "Z I"]
    );
    let client = server.client().await;
    assert_eq!(client.value("SELECT 1").await, "1");
}

#[tokio::test]
async fn version_names_postgresql_and_the_emulated_version() {
    let (_server, client) = TestServer::start_with_client().await;
    let major = major_version(&client.value("SHOW server_version").await);
    let version = client.value("SELECT version()").await;
    assert!(
        version.starts_with(&format!("PostgreSQL {major}.")),
        "version() = {version:?}"
    );
}

#[tokio::test]
async fn now_is_the_current_time_as_timestamptz() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let messages = wire.transcript("SELECT now()").await;
    assert_eq!(messages[0], "T now:timestamptz");
    // 2024-05-06 07:08:09.123456+00: digits aside, the shape of ISO output in UTC.
    let shape: String = messages[1]
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    let shape = shape.split('.').next().unwrap().trim_end_matches("+99");
    assert_eq!(shape, "D 9999-99-99 99:99:99", "{}", messages[1]);

    let client = server.client().await;
    let epoch: f64 = client
        .value("SELECT extract(epoch FROM now())")
        .await
        .parse()
        .expect("a number");
    let local = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        (epoch - local).abs() < 60.0,
        "now() is {epoch}, the clock says {local}"
    );
}

#[tokio::test]
async fn psql_connects_and_queries() {
    let server = TestServer::start().await;
    let out = server.psql("SELECT 1;\nSELECT 'psql works';\n").await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "1\npsql works\n");
}

#[tokio::test]
async fn any_user_name_is_accepted_in_a_database_that_exists() {
    let Some(server) =
        TestServer::start_shale("PostgreSQL only accepts roles that exist (Shale has no roles yet)").await
    else {
        return;
    };
    let client = server
        .client_as("alice", "postgres")
        .await
        .expect("connect as alice to postgres");
    assert_eq!(client.value("SELECT current_user").await, "alice");
    let params = [("user", "alice"), ("database", "postgres")];
    let wire = Wire::connect(server.port(), &params)
        .await
        .expect("startup as alice");
    assert_eq!(wire.parameters["session_authorization"], "alice");
    // Without a database name the user's is meant, as with PostgreSQL: there is none.
    let error = Wire::connect(server.port(), &[("user", "alice")]).await.err().expect("no database alice");
    assert_eq!((error.severity(), error.code()), ("FATAL", "3D000"));
}
