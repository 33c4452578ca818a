//! Waiting for row locks in slices. RocksDB waits for a lock at most the transaction's lock
//! timeout, fixed when it begins; a transaction here waits [`WAIT_SLICE`] at a time and
//! asks again until its own deadline (the session's `lock_timeout`), so that between two
//! slices the wait can stop: when the statement is cancelled ([`Stop`]), or after one slice for a
//! caller that does not wait ([`Txn::try_lock`]: `NOWAIT` and `SKIP LOCKED`, which first
//! ask a transaction that waits for nothing, so that a key held elsewhere costs no slice).
//! A lock released during a slice wakes the waiter at once, and RocksDB's deadlock
//! detection runs every time a slice starts waiting.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rocksdb::{ColumnFamily, ReadOptions, TransactionOptions};

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

    /// [`Txn::get_for_update`] (`exclusive`) or [`Txn::get_shared`] that does not wait:
    /// `None` when another transaction holds the lock. A key this transaction has not
    /// locked is first tried by a transaction of its own that does not wait at all, so a
    /// key held elsewhere costs no wait; otherwise (or when the key was taken between the
    /// two) the transaction waits one [`WAIT_SLICE`] at most.
    pub fn try_lock(&self, space: Space, key: &[u8], exclusive: bool) -> Result<Option<Option<Vec<u8>>>> {
        let cf = self.shared.cf(space)?;
        if !self.may_hold(space, key) && self.locked_elsewhere(cf, key, exclusive)? {
            return Ok(None);
        }
        match self.with(|txn| locked_get(txn, cf, key, exclusive)) {
            Err(Error::LockTimeout(_)) => Ok(None),
            Ok(value) => {
                self.holds(space, key);
                Ok(Some(value))
            }
            Err(e) => Err(e),
        }
    }

    /// Whether another transaction holds a lock on `key` that an `exclusive` (or shared)
    /// one would wait for: a transaction that waits for no lock tries to take it, and lets
    /// it go.
    fn locked_elsewhere(&self, cf: &ColumnFamily, key: &[u8], exclusive: bool) -> Result<bool> {
        let mut opts = TransactionOptions::default();
        opts.set_lock_timeout(0);
        let probe = self.shared.db.transaction_opt(&self.shared.async_write_opts, &opts);
        let taken = probe.get_for_update_cf_opt(cf, key, exclusive, &ReadOptions::default());
        probe.rollback()?;
        match taken.map_err(Error::from) {
            Ok(_) => Ok(false),
            Err(Error::LockTimeout(_)) => Ok(true),
            Err(e) => Err(e),
        }
    }
}
