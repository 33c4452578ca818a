//! The server's sessions, as `pg_stat_activity` shows them: each session registers its
//! handle when it starts and leaves when it ends; the handle holds what it is doing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex};

use crate::session::handle::SessionHandle;

/// Who a session is: fixed for its life.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The process id sent in BackendKeyData (`pg_backend_pid()`).
    pub pid: i32,
    /// The user named at connection.
    pub user: String,
    /// The database named at connection.
    pub database: String,
    /// That database's id.
    pub database_id: u64,
    /// When the session started, in microseconds since the Unix epoch.
    pub started: i64,
    /// The client's address, when it connected over TCP.
    pub client: Option<SocketAddr>,
    /// The secret key sent in BackendKeyData, which a CancelRequest must repeat.
    pub cancel_key: Vec<u8>,
}

/// What a session is doing (`pg_stat_activity.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Running a statement.
    Active,
    /// Waiting for a command, outside a transaction block.
    Idle,
    /// Waiting for a command, in a transaction block.
    IdleInTransaction,
    /// Waiting for a command, in a failed transaction block.
    IdleInFailedTransaction,
}

impl State {
    /// The name `pg_stat_activity.state` shows.
    pub fn name(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Idle => "idle",
            State::IdleInTransaction => "idle in transaction",
            State::IdleInFailedTransaction => "idle in transaction (aborted)",
        }
    }
}

/// A session's current (or last) statement.
#[derive(Debug, Clone)]
pub struct Activity {
    pub state: State,
    /// The statement's text.
    pub query: Arc<str>,
    /// When it started, in microseconds since the Unix epoch.
    pub query_start: Option<i64>,
    /// When the state last changed.
    pub state_change: Option<i64>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity { state: State::Idle, query: Arc::from(""), query_start: None, state_change: None }
    }
}

/// The sessions of this server, by pid.
static SESSIONS: LazyLock<Mutex<BTreeMap<i32, SessionHandle>>> = LazyLock::new(Default::default);

fn sessions() -> std::sync::MutexGuard<'static, BTreeMap<i32, SessionHandle>> {
    SESSIONS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Adds a session (`handle`, with its identity) to the registry.
pub fn register(handle: &SessionHandle) {
    sessions().insert(handle.identity().pid, handle.clone());
}

/// Removes the session `pid` from the registry.
pub fn unregister(pid: i32) {
    sessions().remove(&pid);
}

/// The registered session `pid`.
pub fn get(pid: i32) -> Option<SessionHandle> {
    sessions().get(&pid).cloned()
}

/// Every registered session, by pid.
pub fn all() -> Vec<SessionHandle> {
    sessions().values().cloned().collect()
}

/// Microseconds since the Unix epoch, now.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
impl Identity {
    /// An identity for unit tests.
    pub(crate) fn sample() -> Self {
        Identity { pid: 1, user: "postgres".into(), database: "postgres".into(), database_id: 3, started: 0, client: None, cancel_key: Vec::new() }
    }
}
