//! Waiting for row locks in slices. RocksDB waits for a lock at most the transaction's lock
//! timeout, fixed when it begins; a transaction here waits [`WAIT_SLICE`] at a time and
//! asks again until its own deadline (the session's `lock_timeout`), so that between two
//! slices the wait can stop: when the statement is cancelled ([`Stop`]), or after one slice for a
//! caller that does not wait ([`Txn::try_lock`]: `NOWAIT` and `SKIP LOCKED`).
//! A lock released during a slice wakes the waiter at once, and RocksDB's deadlock
//! detection runs every time a slice starts waiting.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Txn, locked_get};
use crate::{Error, Result, Space};

/// How long one wait for a lock lasts before the transaction checks whether to go on.
pub(super) const WAIT_SLICE: Duration = Duration::from_millis(25);

/// Tells a transaction waiting for a lock to give up: the statement was cancelled.
pub trait Stop: Send + Sync {
    /// Why the wait stops (the message of [`Error::Interrupted`]), or `None` to go on.
    fn stopped(&self) -> Option<String>;
}

impl Txn {
    /// Makes the transaction's lock waits end with [`Error::Interrupted`] once `stop` says
    /// so (checked every [`WAIT_SLICE`]).
    pub fn set_stop(&self, stop: Arc<dyn Stop>) {
        let _ = self.stop.set(stop);
    }

    /// Runs `attempt`, which may wait for a lock, until it gets the lock, fails otherwise,
    /// the lock timeout passes ([`Error::LockTimeout`]) or the wait is stopped.
    pub(super) fn waiting<R>(&self, mut attempt: impl FnMut() -> Result<R>) -> Result<R> {
        let deadline = self.lock_timeout.map(|t| Instant::now() + t);
        loop {
            match attempt() {
                Err(Error::LockTimeout(message)) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(Error::LockTimeout(message));
                    }
                    if let Some(why) = self.stop.get().and_then(|s| s.stopped()) {
                        return Err(Error::Interrupted(why));
                    }
                }
                other => return other,
            }
        }
    }

    /// [`Txn::get_for_update`] (`exclusive`) or [`Txn::get_shared`] that does not wait
    /// beyond one [`WAIT_SLICE`]: `None` when another transaction holds the lock.
    pub fn try_lock(&self, space: Space, key: &[u8], exclusive: bool) -> Result<Option<Option<Vec<u8>>>> {
        let cf = self.shared.cf(space)?;
        match self.with(|txn| locked_get(txn, cf, key, exclusive)) {
            Err(Error::LockTimeout(_)) => Ok(None),
            other => other.map(Some),
        }
    }
}
