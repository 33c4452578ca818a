//! The storage error model: a few public kinds, so that callers can map them onto SQLSTATEs
//! in one place (a [`Error::Conflict`] is a serialization failure, 40001; a
//! [`Error::Deadlock`] 40P01; a [`Error::LockTimeout`] 55P03).

/// What went wrong in storage.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The transaction lost a race with another one: it wrote (or locked) a key that
    /// another transaction wrote after its snapshot. Retrying the whole transaction may
    /// succeed.
    #[error("transaction conflict: {0}")]
    Conflict(String),
    /// Waiting for the lock would have closed a cycle of transactions waiting for each
    /// other.
    #[error("deadlock: {0}")]
    Deadlock(String),
    /// The lock was not granted within the transaction's lock timeout.
    #[error("lock timeout: {0}")]
    LockTimeout(String),
    /// A wait for a lock was stopped (the statement was cancelled); the message says why.
    #[error("{0}")]
    Interrupted(String),
    /// Stored bytes do not decode (a damaged key or row, or one read with the wrong kinds).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// A row does not fit the row format: more than [`crate::MAX_SLOTS`] values, or a
    /// value of 4 GiB or more.
    #[error("row too large: {0}")]
    TooLarge(String),
    /// Anything else, from RocksDB or from misuse of a finished transaction.
    #[error("storage error: {0}")]
    Io(String),
}

/// Result with the storage [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error returned by a [`Txn`](crate::Txn) used after commit or rollback.
    pub(crate) fn finished() -> Error {
        Error::Io("transaction is finished".into())
    }
}

impl From<rocksdb::Error> for Error {
    fn from(e: rocksdb::Error) -> Error {
        use rocksdb::ErrorKind;
        let kind = e.kind();
        let message = e.into_string();
        match kind {
            _ if message.contains("Deadlock") => Error::Deadlock(message),
            ErrorKind::TimedOut => Error::LockTimeout(message),
            ErrorKind::Busy | ErrorKind::TryAgain => Error::Conflict(message),
            ErrorKind::Corruption => Error::Corrupt(message),
            _ => Error::Io(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_with_detail() {
        assert_eq!(
            Error::finished().to_string(),
            "storage error: transaction is finished"
        );
        assert_eq!(
            Error::Corrupt("key ends early".into()).to_string(),
            "corrupt data: key ends early"
        );
    }
}
