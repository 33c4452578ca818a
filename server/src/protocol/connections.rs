//! The clients' sockets, watched while their session runs a statement: a client that has
//! gone (closed its end of the connection) stops the statement it was waiting for, which
//! would otherwise run to its end for nobody. Each accepted connection registers a duplicate
//! of its socket under the client's address; the session made at its startup takes it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::Interest;
use tokio::net::TcpStream;

/// How often a socket with unread data (a pipelining client) is looked at again.
const CHECK_INTERVAL: Duration = Duration::from_millis(100);

static SOCKETS: LazyLock<Mutex<HashMap<SocketAddr, Arc<TcpStream>>>> = LazyLock::new(Default::default);

fn sockets() -> MutexGuard<'static, HashMap<SocketAddr, Arc<TcpStream>>> {
    SOCKETS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A connection's registration, removed when dropped (when the connection ends).
pub struct Registration(SocketAddr);

impl Drop for Registration {
    fn drop(&mut self) {
        sockets().remove(&self.0);
    }
}

/// Registers a duplicate of `socket`, the connection from `peer`. A socket that cannot be
/// duplicated is not watched (its statements run to their end).
pub fn register(socket: &TcpStream, peer: SocketAddr) -> Registration {
    let duplicate = socket
        .as_fd()
        .try_clone_to_owned()
        .map(std::net::TcpStream::from)
        .and_then(TcpStream::from_std);
    match duplicate {
        Ok(watch) => {
            sockets().insert(peer, Arc::new(watch));
        }
        Err(e) => tracing::warn!(%peer, error = %e, "could not watch the connection"),
    }
    Registration(peer)
}

/// The socket of the connection from `peer`, for its session.
pub fn take(peer: SocketAddr) -> Option<Arc<TcpStream>> {
    sockets().remove(&peer)
}

/// Resolves when the client has closed its end of `socket` (or the socket failed).
pub async fn closed(socket: &TcpStream) {
    loop {
        match socket.ready(Interest::READABLE).await {
            Ok(ready) if !ready.is_read_closed() => tokio::time::sleep(CHECK_INTERVAL).await,
            _ => return,
        }
    }
}
