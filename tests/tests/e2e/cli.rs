//! Layout and commands (issue 2, point 1): how shale is started, configured and found.

use std::path::Path;

use shale_tests::{ClientExt, ShaleConfig, TestServer, Via};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace root")
}

#[test]
fn the_workspace_has_the_promised_layout() {
    for path in [
        "server/Cargo.toml",
        "catalog/Cargo.toml",
        "storage/Cargo.toml",
        "README.md",
        "ARCHITECTURE.md",
        ".ci/run",
    ] {
        assert!(repo_root().join(path).is_file(), "{path} is missing");
    }
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    for word in ["--data-dir", "--listen"] {
        assert!(
            readme.contains(word),
            "README.md does not show `shale {word}`"
        );
    }
}

/// Starts shale with `config`, creates a table and checks that it lives in `data/`.
async fn assert_starts_and_stores(config: ShaleConfig) {
    let Some(server) = TestServer::start_shale_with(config, "starts the shale binary itself").await
    else {
        return;
    };
    let client = server.client().await;
    client
        .run("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .await;
    assert_eq!(client.lines("SELECT x FROM t").await, ["1"]);
    let data_dir = server.data_dir();
    let entries = std::fs::read_dir(&data_dir)
        .unwrap_or_else(|e| panic!("{}: {e}", data_dir.display()))
        .count();
    assert!(entries > 0, "nothing was written to {}", data_dir.display());
}

#[tokio::test]
async fn data_dir_and_listen_as_flags() {
    assert_starts_and_stores(ShaleConfig::default()).await;
}

#[tokio::test]
async fn data_dir_and_listen_from_the_environment() {
    assert_starts_and_stores(ShaleConfig {
        data_dir: Via::Env,
        listen: Via::Env,
        ..ShaleConfig::default()
    })
    .await;
}

#[tokio::test]
async fn the_default_data_dir_is_data_in_the_working_directory() {
    assert_starts_and_stores(ShaleConfig {
        data_dir: Via::Default,
        ..ShaleConfig::default()
    })
    .await;
}

#[tokio::test]
async fn logging_follows_rust_log() {
    let quiet = ShaleConfig {
        rust_log: "off",
        ..ShaleConfig::default()
    };
    let Some(server) = TestServer::start_shale_with(quiet, "reads shale's log").await else {
        return;
    };
    server.client().await.run("CREATE TABLE t (x int)").await;
    assert_eq!(server.log(), "", "RUST_LOG=off: nothing may bypass tracing");

    let chatty = ShaleConfig {
        rust_log: "info",
        ..ShaleConfig::default()
    };
    let Some(server) = TestServer::start_shale_with(chatty, "reads shale's log").await else {
        return;
    };
    server.client().await.run("CREATE TABLE t (x int)").await;
    let log = server.log();
    assert!(
        log.contains(&server.port().to_string()),
        "RUST_LOG=info: the log names the listen address:\n{log}"
    );
}
