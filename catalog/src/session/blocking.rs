//! Storage calls that can wait: for a row lock another transaction holds (up to
//! `lock_timeout`, or until it ends) or for the disk (a commit's log sync). On the server's
//! multi-threaded runtime they run through `block_in_place`, which hands the worker's other
//! tasks (other sessions, among them the one holding the lock) to another thread while this
//! one waits.

use tokio::runtime::{Handle, RuntimeFlavor};

/// Runs `f`, which may wait on a lock or the disk, without stalling other sessions.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}
