//! Helpers shared by Shale's benchmarks: starting the release `shale` binary on a data
//! directory and timing how long it takes to accept a connection, scratch databases on the
//! local PostgreSQL, running [`pgbench`], the [`tpcb`] workload (which the end-to-end
//! tests run too), and a process's resident set size ([`rss`]). The robustness tools share
//! [`rng`], [`wire`] and [`fuzz`] (the fuzzers' harness), [`sqlgen`] (the SQL fuzzer's
//! grammar) and [`psql_split`] (the differential runner's statement splitter).

pub mod fuzz;
pub mod pgbench;
pub mod psql_split;
pub mod rng;
pub mod rss;
pub mod sqlgen;
pub mod tpcb;
pub mod wire;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, NoTls};

/// The `shale` binary next to the running benchmark (`target/release/shale`), or `SHALE_BIN`.
pub fn shale_binary() -> PathBuf {
    if let Ok(path) = std::env::var("SHALE_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current executable");
    exe.parent().expect("binary directory").join("shale")
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// A running server process, killed on drop.
pub struct Server {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl Server {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILLs the process and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether the process has exited (crashed, or killed).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts shale on `data_dir`; returns it once a connection succeeds, with the time that took.
pub async fn start_shale(data_dir: &Path) -> (Server, Duration, Client) {
    start_shale_logging(data_dir, Stdio::inherit()).await
}

/// [`start_shale`] with the server's stderr (its log, `RUST_LOG=warn`: panics, stack
/// overflows, failed allocations) sent to `stderr`, e.g. a file.
pub async fn start_shale_logging(data_dir: &Path, stderr: impl Into<Stdio>) -> (Server, Duration, Client) {
    let port = free_port();
    let started = Instant::now();
    let child = Command::new(shale_binary())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start shale (build it with `cargo build --release --bin shale`)");
    let server = Server { child, port };
    loop {
        if let Ok(client) = connect(port).await {
            return (server, started.elapsed(), client);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "shale did not start within 60 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Connects as postgres/postgres to a server on `port`.
pub async fn connect(port: u16) -> Result<Client, tokio_postgres::Error> {
    connect_to(port, "postgres").await
}

/// Connects as postgres to database `dbname` on `port`.
pub async fn connect_to(port: u16, dbname: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) =
        tokio_postgres::connect(&format!("host=127.0.0.1 port={port} user=postgres dbname={dbname}"), NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// A database of the local PostgreSQL for one benchmark run: created fresh (a previous
/// run's is dropped first) and dropped by [`Scratch::drop_database`].
pub struct Scratch {
    admin: Client,
    /// Its name.
    pub name: &'static str,
    /// A connection to it.
    pub client: Client,
}

impl Scratch {
    /// Creates database `name` on the PostgreSQL at `port` and connects to it.
    pub async fn create(port: u16, name: &'static str) -> Scratch {
        let admin = connect(port).await.expect("connect to PostgreSQL");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.expect("drop scratch");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create scratch");
        let client = connect_to(port, name).await.expect("connect to the scratch database");
        Scratch { admin, name, client }
    }

    /// Drops the database, ending any connection to it.
    pub async fn drop_database(self) {
        drop(self.client);
        self.admin.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name)).await.expect("drop scratch");
    }
}

/// The median of `samples`.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
