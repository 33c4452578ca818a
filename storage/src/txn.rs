//! Transactions over a [`Store`](crate::Store), read-committed or snapshot-isolated.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use rocksdb::{ColumnFamily, ReadOptions, SnapshotWithThreadMode, Transaction, TransactionDB, TransactionOptions};

use crate::keys::prefix_successor;
use crate::store::Shared;
use crate::{Error, Result, Space};

/// A RocksDB transaction whose borrow of the database is erased; see [`Txn`] for why that
/// is sound.
type RawTxn = Transaction<'static, TransactionDB>;

/// A database snapshot whose borrow of the database is erased, like [`RawTxn`].
type RawSnapshot = SnapshotWithThreadMode<'static, TransactionDB>;

/// What a transaction's reads see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Isolation {
    /// Each statement reads a snapshot taken when it starts ([`Txn::new_statement`]); a
    /// locking read ([`Txn::get_for_update`]) reads the latest committed value; writes
    /// wait for row locks and never conflict (PostgreSQL's READ COMMITTED).
    #[default]
    ReadCommitted,
    /// Every read sees the snapshot taken at begin; writing or locking a key that another
    /// transaction wrote after it fails with [`Error::Conflict`] (PostgreSQL's REPEATABLE
    /// READ).
    Snapshot,
}

/// How a transaction behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxnOptions {
    /// What its reads see.
    pub isolation: Isolation,
    /// Whether commit waits for the write-ahead log to reach the disk (when the store
    /// syncs at all, see [`StoreOptions::sync_commit`](crate::StoreOptions)).
    pub sync: bool,
    /// How long to wait for a row lock before [`Error::LockTimeout`]; `None` waits until
    /// the holder ends (a deadlock is detected and fails with [`Error::Deadlock`]). Waits
    /// stop early when the transaction's [`Stop`] says so.
    pub lock_timeout: Option<Duration>,
}

impl Default for TxnOptions {
    fn default() -> Self {
        TxnOptions { isolation: Isolation::Snapshot, sync: true, lock_timeout: None }
    }
}

impl TxnOptions {
    /// RocksDB's options for such a transaction.
    fn rocksdb(&self) -> TransactionOptions {
        let mut opts = TransactionOptions::default();
        opts.set_snapshot(self.isolation == Isolation::Snapshot);
        // One slice at a time (see `waits`); a shorter lock timeout is one slice.
        let slice = self.lock_timeout.map_or(WAIT_SLICE, |t| t.min(WAIT_SLICE));
        opts.set_lock_timeout(i64::try_from(slice.as_millis()).unwrap_or(1).max(1));
        opts.set_deadlock_detect(true);
        opts
    }
}

/// The open transaction and, under [`Isolation::ReadCommitted`], the snapshot its current
/// statement reads.
struct Open {
    txn: RawTxn,
    statement: Option<RawSnapshot>,
    /// The statement's snapshot while a re-check reads in a newer one
    /// ([`Txn::begin_recheck`]).
    rechecking: Option<RawSnapshot>,
}

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

    /// The keys of the range beyond `past` in `direction` (all of them without `past`):
    /// what is left to read of a scan whose last key was `past`.
    fn beyond(&self, direction: Direction, past: Option<&[u8]>) -> KeyRange {
        let mut left = self.clone();
        match (direction, past) {
            (_, None) => {}
            // past + [0] is the smallest key greater than `past`.
            (Direction::Forward, Some(past)) => left.lower = left.lower.max([past, &[0]].concat()),
            (Direction::Backward, Some(past)) => {
                left.upper = Some(left.upper.map_or_else(|| past.to_vec(), |upper| upper.min(past.to_vec())));
            }
        }
        left
    }
}

/// Which way a scan reads its keys.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Ascending keys.
    #[default]
    Forward,
    /// Descending keys.
    Backward,
}

impl Direction {
    /// The other direction.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::Forward => Direction::Backward,
            Direction::Backward => Direction::Forward,
        }
    }
}

/// A transaction. Its reads see a snapshot (per statement or for the whole transaction, see
/// [`Isolation`]) plus its own writes; its writes lock their keys until it ends, waiting at
/// most [`TxnOptions::lock_timeout`] for a lock another transaction holds.
///
/// `Send + Sync`: calls lock internally, so the handle can be shared through an `Arc`.
/// After [`commit`](Txn::commit) or [`rollback`](Txn::rollback) every call fails; dropping
/// an unfinished transaction rolls it back.
pub struct Txn {
    // Safety: the transaction and the snapshots (the statement's, and the one kept during a
    // re-check) borrow `shared.db` but are stored with an erased ('static) lifetime. That
    // is sound because (1) `shared` is an `Arc` owned by this struct, so the database is
    // alive and does not move for as long as the `Txn` exists; (2) struct fields drop in
    // declaration order, so `inner` is destroyed before `shared` releases the database;
    // (3) the erased references never leave this module except through borrows of `self`,
    // and reads use a snapshot under the same lock that replaces it.
    inner: Mutex<Option<Open>>,
    isolation: Isolation,
    /// Whether the transaction has written: committing one that has not only releases its
    /// locks, with no write-ahead-log write (and no sync) for a read-only statement.
    wrote: AtomicBool,
    /// The session's lock timeout, see [`TxnOptions::lock_timeout`].
    lock_timeout: Option<Duration>,
    /// What stops lock waits early, see [`Txn::set_stop`].
    stop: OnceLock<Arc<dyn Stop>>,
    /// The keys it has locked, as far as [`Held`] keeps them.
    held: Mutex<Held>,
    shared: Arc<Shared>,
}

impl Txn {
    /// Begins a transaction on `shared.db`.
    pub(crate) fn begin(shared: Arc<Shared>, opts: &TxnOptions) -> Txn {
        let write_opts = if opts.sync { &shared.write_opts } else { &shared.async_write_opts };
        let txn = shared.db.transaction_opt(write_opts, &opts.rocksdb());
        // SAFETY: only the lifetime changes; see the comment on `Txn::inner`.
        let txn = unsafe { std::mem::transmute::<Transaction<'_, TransactionDB>, RawTxn>(txn) };
        Txn {
            inner: Mutex::new(Some(Open { txn, statement: None, rechecking: None })),
            isolation: opts.isolation,
            wrote: AtomicBool::new(false),
            lock_timeout: opts.lock_timeout,
            stop: OnceLock::new(),
            held: Mutex::new(Held::default()),
            shared,
        }
    }

    /// What the transaction's reads see.
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// Starts a statement: under [`Isolation::ReadCommitted`] its reads see what is
    /// committed from now on; under [`Isolation::Snapshot`] nothing changes.
    pub fn new_statement(&self) -> Result<()> {
        if self.isolation == Isolation::Snapshot {
            return Ok(());
        }
        let mut inner = self.lock();
        let open = inner.as_mut().ok_or_else(Error::finished)?;
        // Drop the old snapshots before taking the new one.
        open.statement = None;
        open.rechecking = None;
        open.statement = Some(self.snapshot_now());
        Ok(())
    }

    /// Under [`Isolation::ReadCommitted`], reads see what is committed from now on until
    /// [`Txn::end_recheck`] gives the statement its own snapshot back: a statement that
    /// waited for rows other transactions changed finds them again in their new versions,
    /// while its other reads keep its snapshot, as PostgreSQL re-checks such rows. Under
    /// [`Isolation::Snapshot`] nothing changes.
    pub fn begin_recheck(&self) -> Result<()> {
        if self.isolation == Isolation::Snapshot {
            return Ok(());
        }
        let mut inner = self.lock();
        let open = inner.as_mut().ok_or_else(Error::finished)?;
        let now = self.snapshot_now();
        let statement = open.statement.replace(now);
        if open.rechecking.is_none() {
            open.rechecking = statement;
        }
        Ok(())
    }

    /// Ends [`Txn::begin_recheck`]: reads see the statement's snapshot again.
    pub fn end_recheck(&self) -> Result<()> {
        let mut inner = self.lock();
        let open = inner.as_mut().ok_or_else(Error::finished)?;
        if let Some(statement) = open.rechecking.take() {
            open.statement = Some(statement);
        }
        Ok(())
    }

    /// A snapshot of the database as committed now.
    fn snapshot_now(&self) -> RawSnapshot {
        // SAFETY: only the lifetime changes; see the comment on `Txn::inner`.
        unsafe { std::mem::transmute::<SnapshotWithThreadMode<'_, TransactionDB>, RawSnapshot>(self.shared.db.snapshot()) }
    }

    /// The value of `key`, if any.
    pub fn get(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        self.with_open(|open| Ok(open.txn.get_cf_opt(cf, key, &open.read_opts())?))
    }

    /// The value of `key`, if any, locking the key until the transaction ends. Fails with
    /// [`Error::Conflict`] if another transaction wrote the key after our snapshot.
    pub fn get_for_update(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        let value = self.waiting(|| self.with(|txn| locked_get(txn, cf, key, true)))?;
        self.holds(space, key);
        Ok(value)
    }

    /// The value of `key`, if any, holding a shared lock on the key until the transaction
    /// ends: other shared holders go on, [`Txn::get_for_update`] waits for all of them
    /// (PostgreSQL's weaker table locks against ACCESS EXCLUSIVE).
    pub fn get_shared(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        let value = self.waiting(|| self.with(|txn| locked_get(txn, cf, key, false)))?;
        self.holds(space, key);
        Ok(value)
    }

    /// The value of `key` as committed now (and written by this transaction), whatever the
    /// transaction's snapshot, without locking it.
    pub fn get_latest(&self, space: Space, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let cf = self.shared.cf(space)?;
        self.with(|txn| Ok(txn.get_cf_opt(cf, key, &ReadOptions::default())?))
    }

    /// Sets `key` to `value`.
    pub fn put(&self, space: Space, key: &[u8], value: &[u8]) -> Result<()> {
        let cf = self.shared.cf(space)?;
        self.waiting(|| self.with_write(|txn| Ok(txn.put_cf(cf, key, value)?)))?;
        self.holds(space, key);
        Ok(())
    }

    /// Removes `key` (nothing happens if it is absent).
    pub fn delete(&self, space: Space, key: &[u8]) -> Result<()> {
        let cf = self.shared.cf(space)?;
        self.waiting(|| self.with_write(|txn| Ok(txn.delete_cf(cf, key)?)))?;
        self.holds(space, key);
        Ok(())
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
        self.scan_at(space, range, Direction::Forward, after, limit, false)
    }

    /// [`Txn::scan`] in `direction`: the same pairs (the transaction's snapshot and its own
    /// writes), up to `limit` of them, ascending or descending. With `past`, only keys
    /// beyond `past` in that direction (greater going forward, less going backward), to
    /// resume a scan where the last batch ended.
    pub fn scan_directed(
        &self,
        space: Space,
        range: &KeyRange,
        direction: Direction,
        past: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.scan_at(space, range, direction, past, limit, false)
    }

    /// [`Txn::scan`] of what is committed now (and the transaction's own writes), whatever
    /// the transaction's snapshot: what building an index reads once it holds the table's
    /// lock, as PostgreSQL's CREATE INDEX does.
    pub fn scan_latest(
        &self,
        space: Space,
        range: &KeyRange,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        self.scan_at(space, range, Direction::Forward, after, limit, true)
    }

    fn scan_at(
        &self,
        space: Space,
        range: &KeyRange,
        direction: Direction,
        past: Option<&[u8]>,
        limit: usize,
        latest: bool,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let KeyRange { lower, upper } = range.beyond(direction, past);
        let upper = upper.as_deref();
        let cf = self.shared.cf(space)?;
        self.with_open(|open| {
            if limit == 0 || upper.is_some_and(|upper| upper <= lower.as_slice()) {
                return Ok(Vec::new());
            }
            let now = latest.then(|| self.shared.db.snapshot());
            let mut opts = match &now {
                Some(snapshot) => {
                    let mut opts = ReadOptions::default();
                    opts.set_snapshot(snapshot);
                    opts
                }
                None => open.read_opts(),
            };
            opts.set_iterate_lower_bound(lower.as_slice());
            if let Some(upper) = upper {
                opts.set_iterate_upper_bound(upper);
            }
            let mut iter = open.txn.raw_iterator_cf_opt(cf, opts);
            match (direction, upper) {
                (Direction::Forward, _) => iter.seek(&lower),
                (Direction::Backward, Some(upper)) => iter.seek_for_prev(upper),
                (Direction::Backward, None) => iter.seek_to_last(),
            }
            let mut out = Vec::new();
            // The bounds are checked here too, for the transaction's own uncommitted writes.
            while let Some((key, value)) = iter.item() {
                if upper.is_some_and(|upper| key >= upper) {
                    match direction {
                        Direction::Forward => break,
                        // Seeking backward lands on the (exclusive) upper bound itself.
                        Direction::Backward => {
                            iter.prev();
                            continue;
                        }
                    }
                }
                if key < lower.as_slice() {
                    break;
                }
                out.push((key.to_vec(), value.to_vec()));
                if out.len() == limit {
                    break;
                }
                match direction {
                    Direction::Forward => iter.next(),
                    Direction::Backward => iter.prev(),
                }
            }
            iter.status()?;
            Ok(out)
        })
    }

    /// Reserves `n` consecutive values of the counter stored under `key` in
    /// [`Space::Meta`] (1, 2, 3, ...) and returns the first. Outside the transaction, like
    /// PostgreSQL's OIDs and sequences: no other transaction ever gets them, a rollback does
    /// not return them, and concurrent transactions do not wait for each other's end. (The
    /// reservation is not synced on its own; a synced commit that uses the values syncs it
    /// too, the log being sequential.)
    pub fn allocate(&self, key: &[u8], n: u64) -> Result<u64> {
        let counter = String::from_utf8_lossy(key).into_owned();
        let mut first = 0;
        self.update_outside(key, |bytes| {
            let current = match bytes {
                None => 0,
                Some(bytes) => u64::from_be_bytes(bytes.try_into().map_err(|_| {
                    Error::Corrupt(format!("bad counter value: counter={counter:?} len={}", bytes.len()))
                })?),
            };
            let last = current
                .checked_add(n)
                .ok_or_else(|| Error::Io(format!("counter is exhausted: counter={counter:?}")))?;
            first = current + 1;
            Ok(last.to_be_bytes().to_vec())
        })?;
        Ok(first)
    }

    /// Replaces the value under `key` in [`Space::Meta`] with `next(current value)`,
    /// atomically and outside the transaction, as [`allocate`](Txn::allocate) does: the new
    /// value stays whether or not this transaction commits, and concurrent callers take
    /// turns (each sees the value the one before wrote). An error from `next` writes
    /// nothing. Not synced on its own (it survives the process being killed, being in the
    /// log; a synced commit after it syncs it too).
    pub fn update_outside(&self, key: &[u8], next: impl FnOnce(Option<&[u8]>) -> Result<Vec<u8>>) -> Result<Vec<u8>> {
        let cf = self.shared.cf(Space::Meta)?;
        let opts = TxnOptions { isolation: Isolation::ReadCommitted, sync: false, lock_timeout: None };
        let txn = self.shared.db.transaction_opt(&self.shared.async_write_opts, &opts.rocksdb());
        // Callers hold the lock only for this read and write: wait as long as it takes.
        let current = loop {
            match txn.get_for_update_cf(cf, key, true).map_err(Error::from) {
                Err(Error::LockTimeout(_)) => continue,
                other => break other?,
            }
        };
        let value = next(current.as_deref())?;
        txn.put_cf(cf, key, &value)?;
        txn.commit()?;
        Ok(value)
    }

    /// Marks a point that [`rollback_to_savepoint`](Txn::rollback_to_savepoint) returns to.
    /// Savepoints nest. Does nothing on a finished transaction.
    pub fn set_savepoint(&self) {
        if let Some(open) = self.lock().as_ref() {
            open.txn.set_savepoint();
        }
    }

    /// Undoes the writes since the latest savepoint and removes that savepoint. Locks taken
    /// since are kept until the transaction ends.
    pub fn rollback_to_savepoint(&self) -> Result<()> {
        self.with(|txn| Ok(txn.rollback_to_savepoint()?))
    }

    /// Makes the transaction's writes durable and visible to later transactions.
    pub fn commit(&self) -> Result<()> {
        let Open { txn, .. } = self.lock().take().ok_or_else(Error::finished)?;
        match self.wrote.load(Ordering::Relaxed) {
            true => Ok(txn.commit()?),
            false => Ok(txn.rollback()?),
        }
    }

    /// Discards the transaction's writes.
    pub fn rollback(&self) -> Result<()> {
        let Open { txn, .. } = self.lock().take().ok_or_else(Error::finished)?;
        Ok(txn.rollback()?)
    }

    /// Whether the transaction has written anything (its commit then writes the log).
    pub fn has_written(&self) -> bool {
        self.wrote.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Open>> {
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
        self.with_open(|open| f(&open.txn))
    }

    /// Runs `f` on the open transaction and its statement snapshot.
    fn with_open<R>(&self, f: impl FnOnce(&Open) -> Result<R>) -> Result<R> {
        f(self.lock().as_ref().ok_or_else(Error::finished)?)
    }
}

/// The keys a transaction has locked, kept up to [`Held::CAPACITY`] of them; past it, any
/// key may be one. A key stays after a rollback to a savepoint releases its lock, so a key
/// here is one the transaction *may* hold.
#[derive(Default)]
struct Held {
    keys: std::collections::HashSet<(Space, Vec<u8>)>,
    overflowed: bool,
}

impl Held {
    /// Enough for the rows a transaction of an OLTP application locks; a bulk write stops
    /// counting.
    const CAPACITY: usize = 4096;
}

impl Txn {
    /// Notes that the transaction holds a lock on `key`.
    fn holds(&self, space: Space, key: &[u8]) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.overflowed {
            return;
        }
        held.keys.insert((space, key.to_vec()));
        if held.keys.len() > Held::CAPACITY {
            held.overflowed = true;
            held.keys = Default::default();
        }
    }

    /// Whether the transaction may hold a lock on `key`.
    fn may_hold(&self, space: Space, key: &[u8]) -> bool {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.overflowed || held.keys.contains(&(space, key.to_vec()))
    }
}

impl Open {
    /// Read options that read what the transaction sees: the statement's snapshot (read
    /// committed; taken now if the statement has none yet) or the transaction's.
    fn read_opts(&self) -> ReadOptions {
        let mut opts = ReadOptions::default();
        match &self.statement {
            Some(snapshot) => opts.set_snapshot(snapshot),
            None => opts.set_snapshot(&self.txn.snapshot()),
        }
        opts
    }
}

/// Locks `key` (`exclusive`ly or shared) and reads it: at the transaction's snapshot (which
/// the lock validates) under snapshot isolation, the latest committed value under read
/// committed.
fn locked_get(txn: &RawTxn, cf: &ColumnFamily, key: &[u8], exclusive: bool) -> Result<Option<Vec<u8>>> {
    let mut opts = ReadOptions::default();
    opts.set_snapshot(&txn.snapshot());
    Ok(txn.get_for_update_cf_opt(cf, key, exclusive, &opts)?)
}

impl fmt::Debug for Txn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Txn")
            .field("finished", &self.lock().is_none())
            .field("isolation", &self.isolation)
            .finish()
    }
}

mod waits;

pub use waits::Stop;
use waits::WAIT_SLICE;

#[cfg(test)]
mod tests;
