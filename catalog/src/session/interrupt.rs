//! Stopping a session's running statement from outside it: a CancelRequest (from another
//! connection), `statement_timeout`, or the client closing its connection. The request is a flag the
//! statement's own work reads (scans check it at every batch, so a statement stops even
//! while it never yields) and a wake-up for the statement's task, which ends it at its next
//! await. A request made while no statement runs is forgotten when the next one starts, as
//! in PostgreSQL.

use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::Notify;

use crate::error::{CatalogError, sqlstate};

/// Why a statement is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A CancelRequest.
    UserRequest,
    /// The statement ran longer than `statement_timeout`.
    StatementTimeout,
    /// The client closed the connection.
    ConnectionLost,
}

/// One session's interrupt: no request, or the reason of the pending one.
#[derive(Debug, Default)]
pub struct Interrupt {
    reason: AtomicU8,
    wake: Notify,
}

const NONE: u8 = 0;

impl Interrupt {
    /// Asks the running statement to stop (the first reason given wins).
    pub fn request(&self, reason: Reason) {
        let code = match reason {
            Reason::UserRequest => 1,
            Reason::StatementTimeout => 2,
            Reason::ConnectionLost => 3,
        };
        let _ = self.reason.compare_exchange(NONE, code, Ordering::SeqCst, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// Forgets any request: a statement starts.
    pub fn clear(&self) {
        self.reason.store(NONE, Ordering::SeqCst);
    }

    /// The pending request, if any.
    pub fn reason(&self) -> Option<Reason> {
        match self.reason.load(Ordering::SeqCst) {
            1 => Some(Reason::UserRequest),
            2 => Some(Reason::StatementTimeout),
            3 => Some(Reason::ConnectionLost),
            _ => None,
        }
    }

    /// 57014 when a request is pending: what work checking the flag fails with.
    pub fn check(&self) -> Result<(), CatalogError> {
        match self.reason() {
            Some(reason) => Err(canceled(reason)),
            None => Ok(()),
        }
    }

    /// Waits for a request and answers its error.
    pub async fn requested(&self) -> CatalogError {
        loop {
            let notified = self.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(reason) = self.reason() {
                return canceled(reason);
            }
            notified.await;
        }
    }
}

/// PostgreSQL's error for `reason`: 57014, or 08006 for a lost connection.
/// A transaction's lock waits stop when the session's statement is cancelled (their
/// SQLSTATE is 57014 whatever the reason; the session answers its own error once the
/// statement ends).
impl shale_storage::Stop for Interrupt {
    fn stopped(&self) -> Option<String> {
        self.reason().map(|r| canceled(r).message.clone())
    }
}

fn canceled(reason: Reason) -> CatalogError {
    match reason {
        Reason::UserRequest => CatalogError::new(sqlstate::QUERY_CANCELED, "canceling statement due to user request"),
        Reason::StatementTimeout => {
            CatalogError::new(sqlstate::QUERY_CANCELED, "canceling statement due to statement timeout")
        }
        Reason::ConnectionLost => CatalogError::new("08006", "connection to client lost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_wakes_the_waiter_and_the_first_reason_wins() {
        let interrupt = std::sync::Arc::new(Interrupt::default());
        assert!(interrupt.check().is_ok());
        let waiter = tokio::spawn({
            let interrupt = interrupt.clone();
            async move { interrupt.requested().await }
        });
        tokio::task::yield_now().await;
        interrupt.request(Reason::StatementTimeout);
        interrupt.request(Reason::UserRequest);
        let error = waiter.await.unwrap();
        assert_eq!(error.message, "canceling statement due to statement timeout");
        assert_eq!(interrupt.check().unwrap_err().message, error.message);
        interrupt.clear();
        assert!(interrupt.check().is_ok());
    }
}
