//! `shale`: a PostgreSQL-compatible server on DataFusion and RocksDB.
//!
//! This crate owns the wire protocol (`protocol/`), sessions and their transactions
//! (`session/`), the SQL front end (`sql/`: parsing and rewriting), plans made once and
//! EXPLAIN (`plan/`) and the encoding of Arrow results for the wire (`encode/`). It reaches
//! storage only through `shale-catalog` (tables, DDL, DML, and the store and transactions
//! the catalog re-exports) and uses PostgreSQL's types from `shale-pgtypes`; it depends on
//! neither storage nor RocksDB (`tests/tests/layout.rs` checks).

mod encode;
mod plan;
mod protocol;
mod session;
mod sql;

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use shale_catalog::{Store, StoreOptions};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Command-line options.
#[derive(Parser, Debug)]
#[command(name = "shale", version, about = "A PostgreSQL-compatible server on DataFusion and RocksDB")]
struct Args {
    /// Directory of the RocksDB database (created if missing).
    #[arg(long, env = "SHALE_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "SHALE_LISTEN", default_value = "127.0.0.1:5432")]
    listen: String,
}

/// jemalloc rather than glibc's malloc: with a thread per session, glibc's per-thread
/// arenas kept what each thread had freed, and the server's memory grew for minutes under a
/// steady load (README, "Memory"). RocksDB's C++ allocates through the same jemalloc (the
/// `jemalloc` feature of the rocksdb crate makes it the process's `malloc`): in glibc's
/// arenas its memtable and block allocations grew by 30 MiB in five minutes.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Stack size of the runtime's threads, which serve the connections' I/O and drop the
/// statements sessions keep (deep expression trees are dropped recursively).
const IO_STACK_SIZE: usize = 32 * 1024 * 1024;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(IO_STACK_SIZE).build()?.block_on(serve())
}

async fn serve() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let store = Store::open(&args.data_dir, StoreOptions::default())?;
    shale_catalog::meta::bootstrap(&store)?;
    // Sessions' temporary schemas left by a server that stopped without dropping them.
    shale_catalog::ddl::drop_orphans(&store)?;
    let listener = TcpListener::bind(&args.listen).await?;
    tracing::info!(listen = %listener.local_addr()?, data_dir = %args.data_dir.display(), "shale is ready");
    let handlers = Arc::new(protocol::handler::Handlers::new(store));
    loop {
        let (socket, peer) = listener.accept().await?;
        if let Err(e) = socket.set_nodelay(true) {
            tracing::warn!(%peer, error = %e, "could not set TCP_NODELAY");
        }
        let handlers = handlers.clone();
        let registration = protocol::connections::register(&socket, peer);
        tokio::spawn(async move {
            let _registration = registration;
            if let Err(e) = pgwire::tokio::process_socket(socket, None, handlers).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}
