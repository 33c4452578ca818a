//! Snapshot-isolated transactions over a [`Store`](crate::Store).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rocksdb::{ColumnFamily, ReadOptions, SnapshotWithThreadMode, Transaction, TransactionDB};

use crate::keys::{COUNTER_PREFIX, prefix_successor};
use crate::store::Shared;
use crate::{Error, Result, Space};

/// A RocksDB transaction whose borrow of the database is erased; see [`Txn`] for why that
/// is sound.
type RawTxn = Transaction<'static, TransactionDB>;

/// The keys `lower <= key < upper`; no `upper` means no end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRange {
    /// Inclusive lower bound.
    pub lower: Vec<u8>,
    /// Exclusive upper bound, if any.
    pub upper: Option<Vec<u8>>,
}

impl KeyRange {
    /// Every key that starts with `prefix`.
    pub fn prefix(prefix: &[u8]) -> KeyRange {
        KeyRange {
            lower: prefix.to_vec(),
            upper: prefix_successor(prefix),
        }
    }
}

/// A transaction. Its reads see the snapshot taken at [`Store::begin`](crate::Store::begin)
/// plus its own writes; its writes lock their keys, and writing a key that another
/// transaction wrote after the snapshot fails with [`Error::Conflict`], as does waiting
/// longer than [`LOCK_TIMEOUT_MS`](crate::LOCK_TIMEOUT_MS) for a lock.
///
/// `Send + Sync`: calls lock internally, so the handle can be shared through an `Arc`.
/// After [`commit`](Txn::commit) or [`rollback`](Txn::rollback) every call fails; dropping
/// an unfinished transaction rolls it back.
pub struct Txn {
    // Safety: the transaction borrows `shared.db` but is stored with an erased ('static)
    // lifetime. That is sound because (1) `shared` is an `Arc` owned by this struct, so the
    // database is alive and does not move for as long as the `Txn` exists; (2) struct fields
    // drop in declaration order, so `inner` (the transaction) is destroyed before `shared`
    // releases the database; (3) the erased reference never leaves this module except
    // through borrows of `self`.
    inner: Mutex<Option<RawTxn>>,
    /// Whether the transaction has written: committing one that has not only releases its
    /// locks, with no write-ahead-log write (and no sync) for a read-only statement.
    wrote: AtomicBool,
    shared: Arc<Shared>,
}

impl Txn {
    /// Begins a transaction on `shared.db` with the store's options.
    pub(crate) fn begin(shared: Arc<Shared>) -> Txn {
        let txn = shared
            .db
            .transaction_opt(&shared.write_opts, &shared.txn_opts);
        // SAFETY: only the lifetime changes; see the comment on `Txn::inner`.
        let txn = unsafe { std::mem::transmute::<Transaction<'_, TransactionDB>, RawTxn>(txn) };
        Txn {
            inner: Mutex::new(Some(txn)),
            wrote: AtomicBool::new(false),
            shared,
        }
    }

    /// The value of `key`, if any.
    pub fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        self.with(|txn| {
            let snapshot = txn.snapshot();
            Ok(txn.get_cf_opt(cf, key, &snapshot_read_opts(&snapshot))?)
        })
    }

    /// The value of `key`, if any, locking the key until the transaction ends. Fails with
    /// [`Error::Conflict`] if another transaction wrote the key after our snapshot.
    pub fn get_for_update(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        self.with(|txn| locked_get(txn, cf, key))
    }

    /// Sets `key` to `value`.
    pub fn put(&self, space: Space, key: &[u8], value: &[u8]) -> Result<()> {
        let cf = self.shared.cf(space)?;
        self.with_write(|txn| Ok(txn.put_cf(cf, key, value)?))
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn delete(&self, space: Space, key: &[u8]) -> Result<()> {
        let cf = self.shared.cf(space)?;
        self.with_write(|txn| Ok(txn.delete_cf(cf, key)?))
    }

    /// Up to `limit` pairs with `range.lower <= key < range.upper`, ascending. With `after`,
    /// only keys strictly greater than `after` (to resume a scan where the last batch
    /// ended).
    pub fn scan(
        &self,
        space: Space,
        range: &KeyRange,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let start = match after {
            // after + [0] is the smallest key greater than `after`.
            Some(after) if after >= range.lower.as_slice() => [after, &[0]].concat(),
            _ => range.lower.clone(),
        };
        let upper = range.upper.as_deref();
        let cf = self.shared.cf(space)?;
        self.with(|txn| {
            if limit == 0 || upper.is_some_and(|upper| upper <= start.as_slice()) {
                return Ok(Vec::new());
            }
            let snapshot = txn.snapshot();
            let mut opts = snapshot_read_opts(&snapshot);
            opts.set_iterate_lower_bound(start.as_slice());
            if let Some(upper) = upper {
                opts.set_iterate_upper_bound(upper);
            }
            let mut iter = txn.raw_iterator_cf_opt(cf, opts);
            iter.seek(&start);
            let mut out = Vec::new();
            // The bound is checked here too, for the transaction's own uncommitted writes.
            while let Some((key, value)) = iter
                .item()
                .filter(|(key, _)| upper.is_none_or(|upper| *key < upper))
            {
                out.push((key.to_vec(), value.to_vec()));
                if out.len() == limit {
                    break;
                }
                iter.next();
            }
            iter.status()?;
            Ok(out)
        })
    }

    /// The next value of the named counter: 1, 2, 3, ... The counter's key is locked until
    /// the transaction ends, so concurrent transactions never get the same value (one of
    /// them fails with [`Error::Conflict`]); a rolled-back value is handed out again.
    pub fn next_id(&self, counter: &[u8]) -> Result<u64> {
        let key = [COUNTER_PREFIX, counter].concat();
        let cf = self.shared.cf(Space::Meta)?;
        self.with_write(|txn| {
            let current = match locked_get(txn, cf, &key)? {
                None => 0,
                Some(bytes) => u64::from_be_bytes(bytes.as_slice().try_into().map_err(|_| {
                    Error::Corrupt(format!(
                        "bad counter value: counter={counter:?} len={}",
                        bytes.len()
                    ))
                })?),
            };
            let next = current
                .checked_add(1)
                .ok_or_else(|| Error::Io(format!("counter is exhausted: counter={counter:?}")))?;
            txn.put_cf(cf, &key, next.to_be_bytes())?;
            Ok(next)
        })
    }

    /// Marks a point that [`rollback_to_savepoint`](Txn::rollback_to_savepoint) returns to.
    /// Savepoints nest. Does nothing on a finished transaction.
    pub fn set_savepoint(&self) {
        if let Some(txn) = self.lock().as_ref() {
            txn.set_savepoint();
        }
    }

    /// Undoes the writes since the latest savepoint and removes that savepoint. Locks taken
    /// since are kept until the transaction ends.
    pub fn rollback_to_savepoint(&self) -> Result<()> {
        self.with(|txn| Ok(txn.rollback_to_savepoint()?))
    }

    /// Makes the transaction's writes durable and visible to later transactions.
    pub fn commit(&self) -> Result<()> {
        let txn = self.lock().take().ok_or_else(Error::finished)?;
        match self.wrote.load(Ordering::Relaxed) {
            true => Ok(txn.commit()?),
            false => Ok(txn.rollback()?),
        }
    }

    /// Discards the transaction's writes.
    pub fn rollback(&self) -> Result<()> {
        let txn = self.lock().take().ok_or_else(Error::finished)?;
        Ok(txn.rollback()?)
    }

    fn lock(&self) -> MutexGuard<'_, Option<RawTxn>> {
        // A panic while the lock was held cannot leave the transaction half-updated: every
        // RocksDB call is atomic. So a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// [`Txn::with`] for a write: the transaction then has something to commit.
    fn with_write<R>(&self, f: impl FnOnce(&RawTxn) -> Result<R>) -> Result<R> {
        self.wrote.store(true, Ordering::Relaxed);
        self.with(f)
    }

    /// Runs `f` on the open transaction, or fails if it is finished.
    fn with<R>(&self, f: impl FnOnce(&RawTxn) -> Result<R>) -> Result<R> {
        f(self.lock().as_ref().ok_or_else(Error::finished)?)
    }
}

/// Read options that read at the transaction's snapshot.
fn snapshot_read_opts(snapshot: &SnapshotWithThreadMode<'_, RawTxn>) -> ReadOptions {
    let mut opts = ReadOptions::default();
    opts.set_snapshot(snapshot);
    opts
}

/// Reads `key` at the snapshot and locks it exclusively.
fn locked_get(txn: &RawTxn, cf: &ColumnFamily, key: &[u8]) -> Result<Option<Vec<u8>>> {
    let snapshot = txn.snapshot();
    Ok(txn.get_for_update_cf_opt(cf, key, true, &snapshot_read_opts(&snapshot))?)
}

impl fmt::Debug for Txn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Txn")
            .field("finished", &self.lock().is_none())
            .finish()
    }
}

#[cfg(test)]
mod tests;
