//! Transactions as PostgreSQL runs them: the isolation level and access mode of a
//! transaction ([`Mode`]), and an open transaction ([`Open`]): a block (BEGIN ... COMMIT)
//! or the implicit transaction of a multi-statement Query message, with its savepoints.
//! The storage transaction is begun at the first statement that needs one, so that SET
//! TRANSACTION can still choose how it reads, and a REPEATABLE READ snapshot is taken at
//! the first statement, not at BEGIN, as in PostgreSQL.

use std::sync::Arc;

use datafusion::sql::sqlparser::ast::{TransactionAccessMode, TransactionIsolationLevel, TransactionMode};
use shale_catalog::{CatalogError, sqlstate};
use shale_catalog::{Isolation, Txn};

/// PostgreSQL's isolation levels. READ UNCOMMITTED is READ COMMITTED, as in PostgreSQL;
/// REPEATABLE READ and SERIALIZABLE are both snapshot isolation in Shale (one snapshot for
/// the transaction, 40001 for a write to a row changed since; SERIALIZABLE does not detect
/// write skew).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// READ COMMITTED: a snapshot per statement.
    ReadCommitted,
    /// REPEATABLE READ: one snapshot.
    RepeatableRead,
    /// SERIALIZABLE: one snapshot.
    Serializable,
}

impl Level {
    /// The level a `default_transaction_isolation` value names.
    pub fn from_setting(value: &str) -> Level {
        match value {
            "repeatable read" => Level::RepeatableRead,
            "serializable" => Level::Serializable,
            _ => Level::ReadCommitted,
        }
    }

    /// How SHOW transaction_isolation names it.
    pub fn name(self) -> &'static str {
        match self {
            Level::ReadCommitted => "read committed",
            Level::RepeatableRead => "repeatable read",
            Level::Serializable => "serializable",
        }
    }

    /// How the storage transaction reads.
    pub fn isolation(self) -> Isolation {
        match self {
            Level::ReadCommitted => Isolation::ReadCommitted,
            Level::RepeatableRead | Level::Serializable => Isolation::Snapshot,
        }
    }
}

/// What a transaction sees and may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Its isolation level.
    pub level: Level,
    /// READ ONLY: writes are 25006.
    pub read_only: bool,
}

impl Mode {
    /// This mode changed by the modes of a BEGIN or SET TRANSACTION; also whether they name
    /// an isolation level.
    pub fn with(self, modes: &[TransactionMode]) -> (Mode, bool) {
        let mut mode = self;
        let mut level_given = false;
        for m in modes {
            match m {
                TransactionMode::IsolationLevel(level) => {
                    level_given = true;
                    mode.level = match level {
                        TransactionIsolationLevel::RepeatableRead | TransactionIsolationLevel::Snapshot => {
                            Level::RepeatableRead
                        }
                        TransactionIsolationLevel::Serializable => Level::Serializable,
                        TransactionIsolationLevel::ReadCommitted | TransactionIsolationLevel::ReadUncommitted => {
                            Level::ReadCommitted
                        }
                    };
                }
                TransactionMode::AccessMode(access) => mode.read_only = *access == TransactionAccessMode::ReadOnly,
            }
        }
        (mode, level_given)
    }
}

/// An open transaction.
pub struct Open {
    /// A block (BEGIN); else the implicit transaction of a multi-statement message.
    pub block: bool,
    /// Its mode.
    pub mode: Mode,
    /// The storage transaction, once a statement has needed it.
    txn: Option<Arc<Txn>>,
    /// Whether a statement has run in it (SET TRANSACTION ISOLATION LEVEL must come first).
    pub queried: bool,
    /// Whether a statement failed in the block: only ROLLBACK (TO SAVEPOINT) ends that.
    pub failed: bool,
    /// One entry per storage savepoint, newest last; a released savepoint loses its name
    /// (storage savepoints cannot be dropped, only rolled back to).
    savepoints: Vec<Option<String>>,
}

impl Open {
    /// A transaction with `mode` that has not begun in storage yet.
    pub fn new(block: bool, mode: Mode) -> Open {
        Open { block, mode, txn: None, queried: false, failed: false, savepoints: Vec::new() }
    }

    /// The storage transaction, begun by `begin` if it has not been.
    pub fn txn(&mut self, begin: impl FnOnce(Mode) -> Txn) -> Arc<Txn> {
        let mode = self.mode;
        self.txn.get_or_insert_with(|| Arc::new(begin(mode))).clone()
    }

    /// The storage transaction, if it has begun.
    pub fn begun(&self) -> Option<&Arc<Txn>> {
        self.txn.as_ref()
    }

    /// SET TRANSACTION (or BEGIN inside the block) with `modes`.
    pub fn set_modes(&mut self, modes: &[TransactionMode]) -> Result<(), CatalogError> {
        let (mode, level_given) = self.mode.with(modes);
        if self.queried && level_given && mode.level != self.mode.level {
            return Err(CatalogError::new(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                "SET TRANSACTION ISOLATION LEVEL must be called before any query",
            ));
        }
        if self.queried && self.mode.read_only && !mode.read_only {
            return Err(CatalogError::new(
                sqlstate::ACTIVE_SQL_TRANSACTION,
                "transaction read-write mode must be set before any query",
            ));
        }
        self.mode = mode;
        Ok(())
    }

    /// Fails the block after an error, undoing at once what PostgreSQL's abort undoes, and
    /// releasing its locks: the work since the latest savepoint (which stays, for ROLLBACK
    /// TO), or without one the whole storage transaction. Once failed, nothing more.
    pub fn fail(&mut self) -> Result<(), CatalogError> {
        if !self.block || std::mem::replace(&mut self.failed, true) {
            return Ok(());
        }
        match (&self.txn, self.savepoints.is_empty()) {
            (Some(txn), false) => {
                txn.rollback_to_savepoint()?;
                txn.set_savepoint();
            }
            (Some(txn), true) => {
                txn.rollback()?;
                self.txn = None;
            }
            (None, _) => {}
        }
        Ok(())
    }

    /// SAVEPOINT `name`, on the storage transaction `txn`.
    pub fn savepoint(&mut self, txn: &Txn, name: &str) {
        txn.set_savepoint();
        self.savepoints.push(Some(name.to_string()));
    }

    /// RELEASE SAVEPOINT `name`: it and every later one are gone; their work stays.
    pub fn release(&mut self, name: &str) -> Result<(), CatalogError> {
        let at = self.find(name)?;
        self.savepoints[at..].iter_mut().for_each(|s| *s = None);
        Ok(())
    }

    /// ROLLBACK TO SAVEPOINT `name`: undoes the work since, and keeps the savepoint; the
    /// block is no longer failed.
    pub fn rollback_to(&mut self, name: &str) -> Result<(), CatalogError> {
        let at = self.find(name)?;
        let txn = self.txn.clone().ok_or_else(|| CatalogError::internal("a savepoint without a transaction"))?;
        for _ in at..self.savepoints.len() {
            txn.rollback_to_savepoint()?;
        }
        self.savepoints.truncate(at);
        self.savepoint(&txn, name);
        self.failed = false;
        Ok(())
    }

    /// The newest savepoint called `name`, or 3B001.
    fn find(&self, name: &str) -> Result<usize, CatalogError> {
        self.savepoints.iter().rposition(|s| s.as_deref() == Some(name)).ok_or_else(|| {
            CatalogError::new(sqlstate::INVALID_SAVEPOINT, format!("savepoint \"{name}\" does not exist"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_follow_begin_and_set_transaction() {
        let default = Mode { level: Level::ReadCommitted, read_only: false };
        let modes = [
            TransactionMode::IsolationLevel(TransactionIsolationLevel::Serializable),
            TransactionMode::AccessMode(TransactionAccessMode::ReadOnly),
        ];
        assert_eq!(default.with(&modes), (Mode { level: Level::Serializable, read_only: true }, true));
        assert_eq!(default.with(&modes[1..]).1, false);
        assert_eq!(Level::from_setting("read uncommitted"), Level::ReadCommitted);
    }

    #[test]
    fn an_isolation_level_comes_before_any_query() {
        let mut open = Open::new(true, Mode { level: Level::ReadCommitted, read_only: false });
        let serializable = [TransactionMode::IsolationLevel(TransactionIsolationLevel::Serializable)];
        open.set_modes(&serializable).expect("before any query");
        open.queried = true;
        open.set_modes(&serializable).expect("the same level again");
        let late = open.set_modes(&[TransactionMode::IsolationLevel(TransactionIsolationLevel::ReadCommitted)]);
        assert_eq!(late.unwrap_err().code, sqlstate::ACTIVE_SQL_TRANSACTION);
    }

    #[test]
    fn unknown_savepoints_are_3b001() {
        let mut open = Open::new(true, Mode { level: Level::ReadCommitted, read_only: false });
        assert_eq!(open.release("a").unwrap_err().code, sqlstate::INVALID_SAVEPOINT);
        assert_eq!(open.rollback_to("a").unwrap_err().code, sqlstate::INVALID_SAVEPOINT);
    }
}
