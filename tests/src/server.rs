//! [`TestServer`]: one shale process (or one reference PostgreSQL database) per test.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio_postgres::{Client, NoTls};

use crate::client::within;

/// How long a starting server may take before the test fails with its log.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a server may take to exit after SIGTERM.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Set to the port of a PostgreSQL 15 to run the suite against it instead of shale.
const REFERENCE_PORT_ENV: &str = "SHALE_TEST_PG_PORT";

/// How a setting reaches the shale process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A command-line flag (`--data-dir`, `--listen`).
    Flag,
    /// An environment variable (`SHALE_DATA_DIR`, `SHALE_LISTEN`).
    Env,
    /// Not given at all: the server's default (for the data directory, `./data` in the
    /// working directory, which the harness sets to a fresh temporary directory).
    Default,
}

/// How to launch shale; [`ShaleConfig::default`] is what [`TestServer::start`] uses.
#[derive(Clone, Debug)]
pub struct ShaleConfig {
    pub data_dir: Via,
    /// `Flag` or `Env`: the default port 5432 may belong to a real PostgreSQL.
    pub listen: Via,
    pub rust_log: &'static str,
}

impl Default for ShaleConfig {
    fn default() -> Self {
        ShaleConfig {
            data_dir: Via::Flag,
            listen: Via::Flag,
            rust_log: "warn",
        }
    }
}

/// A running server for one test: a `shale` process on a fresh data directory, or in
/// reference mode a fresh database on a real PostgreSQL. Dropping it stops the process
/// (or drops the database).
pub struct TestServer {
    port: u16,
    dbname: String,
    backend: Backend,
}

enum Backend {
    Shale(ShaleProcess),
    Reference,
}

struct ShaleProcess {
    bin: PathBuf,
    config: ShaleConfig,
    /// Holds `data/` (the data directory) and `server.log` (stdout and stderr).
    root: TempDir,
    child: Option<Child>,
}

impl TestServer {
    /// Starts shale with the default configuration, or in reference mode creates a fresh
    /// database on the reference PostgreSQL.
    pub async fn start() -> TestServer {
        match reference_port() {
            Some(port) => TestServer::reference(port).await,
            None => TestServer::spawn(ShaleConfig::default()).await,
        }
    }

    /// [`TestServer::start`] and a [`TestServer::client`] of it.
    pub async fn start_with_client() -> (TestServer, Client) {
        let server = TestServer::start().await;
        let client = server.client().await;
        (server, client)
    }

    /// [`TestServer::start`] and two clients of it, for tests of concurrent sessions.
    pub async fn start_with_two_clients() -> (TestServer, Client, Client) {
        let server = TestServer::start().await;
        let a = server.client().await;
        let b = server.client().await;
        (server, a, b)
    }

    /// Starts shale for a test of shale-only behaviour (SIGKILL and restart, command-line
    /// options, what shale does not support). In reference mode prints why the test is
    /// skipped and returns `None`.
    pub async fn start_shale(why: &str) -> Option<TestServer> {
        TestServer::start_shale_with(ShaleConfig::default(), why).await
    }

    /// [`TestServer::start_shale`] with a custom launch configuration.
    pub async fn start_shale_with(config: ShaleConfig, why: &str) -> Option<TestServer> {
        if reference_port().is_some() {
            eprintln!("skipped in reference mode ({REFERENCE_PORT_ENV} is set): {why}");
            return None;
        }
        Some(TestServer::spawn(config).await)
    }

    pub fn is_reference(&self) -> bool {
        matches!(self.backend, Backend::Reference)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The database tests connect to: `postgres` on shale, a fresh one in reference mode.
    pub fn dbname(&self) -> &str {
        &self.dbname
    }

    /// A libpq connection URL for the test database as user `postgres`.
    pub fn url(&self) -> String {
        format!(
            "postgresql://postgres@127.0.0.1:{}/{}",
            self.port, self.dbname
        )
    }

    /// The data directory of a shale server.
    pub fn data_dir(&self) -> PathBuf {
        self.shale().root.path().join("data")
    }

    /// Everything the shale process wrote to stdout and stderr so far.
    pub fn log(&self) -> String {
        match &self.backend {
            Backend::Shale(shale) => std::fs::read_to_string(shale.log_path()).unwrap_or_default(),
            Backend::Reference => String::new(),
        }
    }

    /// A new connection as user `postgres` to the test database, its connection task
    /// spawned on the current runtime.
    pub async fn client(&self) -> Client {
        self.client_as("postgres", &self.dbname.clone())
            .await
            .unwrap_or_else(|e| panic!("connecting to port {}: {e}\n{}", self.port, self.log()))
    }

    /// A new connection with the given user and database names.
    pub async fn client_as(
        &self,
        user: &str,
        dbname: &str,
    ) -> Result<Client, tokio_postgres::Error> {
        connect(self.port, user, dbname).await
    }

    /// Kills the shale process with SIGKILL: no shutdown code runs.
    pub fn kill9(&mut self) {
        let shale = self.shale_mut();
        let mut child = shale.child.take().expect("the server is not running");
        child.kill().expect("SIGKILL the server");
        child.wait().expect("reap the server");
    }

    /// Stops the shale process the way a service manager does: SIGTERM, then waits for it
    /// to exit (failing the test after [`STOP_TIMEOUT`]).
    pub async fn stop(&mut self) {
        let shale = self.shale_mut();
        let mut child = shale.child.take().expect("the server is not running");
        // SAFETY: kill(2) on the pid of a child we have not reaped yet.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + STOP_TIMEOUT;
        while child.try_wait().expect("poll child").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "shale did not exit within {STOP_TIMEOUT:?} of SIGTERM:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts shale again on the same data directory, on the same port if it can be had
    /// again, else on a new one. Stops the running process first (SIGTERM) if there is one;
    /// call [`TestServer::kill9`] before to simulate a crash instead.
    pub async fn restart(&mut self) {
        if self.shale().child.is_some() {
            self.stop().await;
        }
        let port = self.port;
        let port = if port_is_free(port) {
            port
        } else {
            free_port()
        };
        self.port = port;
        self.launch().await;
    }

    async fn reference(admin_port: u16) -> TestServer {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dbname = format!(
            "t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = connect(admin_port, "postgres", "postgres")
            .await
            .unwrap_or_else(|e| {
                panic!("connecting to the reference PostgreSQL on port {admin_port}: {e}")
            });
        within(
            admin.batch_execute(&format!("CREATE DATABASE {dbname}")),
            "CREATE DATABASE",
        )
        .await
        .expect("create the test database");
        TestServer {
            port: admin_port,
            dbname,
            backend: Backend::Reference,
        }
    }

    async fn spawn(config: ShaleConfig) -> TestServer {
        let root = tempfile::Builder::new()
            .prefix("shale-e2e-")
            .tempdir()
            .expect("temp dir");
        if config.data_dir != Via::Default {
            std::fs::create_dir(root.path().join("data")).expect("create the data dir");
        }
        let shale = ShaleProcess {
            bin: shale_binary(),
            config,
            root,
            child: None,
        };
        let mut server = TestServer {
            port: free_port(),
            dbname: "postgres".into(),
            backend: Backend::Shale(shale),
        };
        server.launch().await;
        server
    }

    /// Spawns the shale process and waits until it accepts a connection.
    async fn launch(&mut self) {
        let port = self.port;
        let shale = self.shale_mut();
        shale.child = Some(shale.spawn(port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if connect(port, "postgres", "postgres").await.is_ok() {
                return;
            }
            let shale = self.shale_mut();
            if let Some(status) = shale
                .child
                .as_mut()
                .and_then(|c| c.try_wait().expect("poll child"))
            {
                shale.child = None;
                panic!(
                    "shale exited with {status} while starting on port {port}:\n{}",
                    self.log()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "shale did not accept connections on port {port} within {START_TIMEOUT:?}:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn shale(&self) -> &ShaleProcess {
        match &self.backend {
            Backend::Shale(shale) => shale,
            Backend::Reference => panic!("only a shale server has a process and a data directory"),
        }
    }

    fn shale_mut(&mut self) -> &mut ShaleProcess {
        match &mut self.backend {
            Backend::Shale(shale) => shale,
            Backend::Reference => panic!("only a shale server has a process and a data directory"),
        }
    }
}

impl ShaleProcess {
    fn log_path(&self) -> PathBuf {
        self.root.path().join("server.log")
    }

    fn spawn(&self, port: u16) -> Child {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("open server.log");
        let data_dir = self.root.path().join("data");
        let listen = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(&self.bin);
        cmd.current_dir(self.root.path())
            .env_remove("SHALE_DATA_DIR")
            .env_remove("SHALE_LISTEN")
            .env("RUST_LOG", self.config.rust_log)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log);
        match self.config.data_dir {
            Via::Flag => cmd.arg("--data-dir").arg(&data_dir),
            Via::Env => cmd.env("SHALE_DATA_DIR", &data_dir),
            Via::Default => &mut cmd,
        };
        match self.config.listen {
            Via::Flag => cmd.arg("--listen").arg(&listen),
            Via::Env => cmd.env("SHALE_LISTEN", &listen),
            Via::Default => panic!("the default listen address 127.0.0.1:5432 is not for tests"),
        };
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                // The server dies with the thread that started it: the test's thread,
                // which outlives the TestServer unless the test process itself is killed.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        cmd.spawn()
            .unwrap_or_else(|e| panic!("spawning {}: {e}", self.bin.display()))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let port = self.port;
        match &mut self.backend {
            Backend::Shale(shale) => {
                if let Some(mut child) = shale.child.take() {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                if std::thread::panicking() {
                    let log = std::fs::read_to_string(shale.log_path()).unwrap_or_default();
                    eprintln!("--- shale log (port {port}) ---\n{log}--- end of shale log ---");
                }
            }
            Backend::Reference => {
                // Synchronous: Drop cannot await. FORCE ends the test's own connections.
                let _ = Command::new("psql")
                    .args([
                        "-X",
                        "-q",
                        "-h",
                        "127.0.0.1",
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                    ])
                    .arg("-p")
                    .arg(port.to_string())
                    .arg("-c")
                    .arg(format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.dbname
                    ))
                    .stdout(Stdio::null())
                    .status();
            }
        }
    }
}

async fn connect(port: u16, user: &str, dbname: &str) -> Result<Client, tokio_postgres::Error> {
    let config =
        format!("host=127.0.0.1 port={port} user={user} dbname={dbname} connect_timeout=10");
    let (client, connection) = tokio_postgres::connect(&config, NoTls).await?;
    tokio::spawn(async move {
        // Ends with an error when the server is killed: that is what some tests do.
        let _ = connection.await;
    });
    Ok(client)
}

fn reference_port() -> Option<u16> {
    let value = std::env::var(REFERENCE_PORT_ENV).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|_| panic!("{REFERENCE_PORT_ENV}={value} is not a port")),
    )
}

/// `SHALE_BIN`, else `<target>/debug/shale` beside `<target>/debug/deps/<this test>`.
fn shale_binary() -> PathBuf {
    let bin = match std::env::var_os("SHALE_BIN") {
        Some(bin) => PathBuf::from(bin),
        None => {
            let exe = std::env::current_exe().expect("current_exe");
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("<target>/<profile>/deps/<test>");
            profile_dir.join("shale")
        }
    };
    assert!(
        bin.is_file(),
        "shale binary not found at {}: build it first (`cargo build --workspace --all-targets`) or set SHALE_BIN",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}
