//! Each session's statements run on an OS thread of its own, as each PostgreSQL session
//! runs in a process of its own: the operating system shares the CPU between sessions, so
//! a statement that computes for seconds never stalls another session's, nor the
//! connections' I/O, which stays on the server's async runtime. The thread has a stack
//! large enough for the recursion of parsing, planning and executing deep expressions
//! (`SELECT 1+1+...` with thousands of terms); deeper input is refused by the parser's
//! depth limit (`parse.rs`) before it reaches the rest.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::thread;
use std::time::Duration;

use futures::FutureExt;

use shale_catalog::CatalogError;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Stack size of a session's thread. Only the pages a statement touches are committed.
pub const STACK_SIZE: usize = 256 * 1024 * 1024;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A handle on a session's thread; the thread ends when every handle is dropped.
#[derive(Debug, Clone)]
pub struct Worker {
    jobs: mpsc::UnboundedSender<Job>,
    /// The server's runtime, where alarms run (they must fire while the session's thread
    /// is busy).
    server: Handle,
}

/// Work started by [`Worker::alarm`] or [`Worker::beside`]; dropping it stops the work.
#[derive(Debug)]
pub struct Alarm(JoinHandle<()>);

impl Drop for Alarm {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Worker {
    /// Starts the thread of the session `pid`: a single-threaded async runtime running
    /// one job at a time, in order.
    pub fn start(pid: i32) -> Result<Worker, CatalogError> {
        let server = Handle::try_current().map_err(|e| CatalogError::internal(format!("no server runtime: {e}")))?;
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CatalogError::new("53000", format!("could not start the session's runtime: {e}")))?;
        thread::Builder::new()
            .name(format!("session-{pid}"))
            .stack_size(STACK_SIZE)
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        job.await;
                    }
                })
            })
            .map_err(|e| CatalogError::new("53000", format!("could not start the session's thread: {e}")))?;
        Ok(Worker { jobs, server })
    }

    /// Runs `f` after `delay` on the server's runtime, unless the returned alarm is
    /// dropped first.
    pub fn alarm(&self, delay: Duration, f: impl FnOnce() + Send + 'static) -> Alarm {
        self.beside(async move {
            tokio::time::sleep(delay).await;
            f();
        })
    }

    /// Runs `work` on the server's runtime until it ends or the returned alarm is dropped.
    pub fn beside(&self, work: impl Future<Output = ()> + Send + 'static) -> Alarm {
        Alarm(self.server.spawn(work))
    }

    /// Runs `job` on the session's thread and waits for its result. A panic fails the
    /// job (XX000), not the thread.
    pub async fn run<T: Send + 'static>(&self, job: impl Future<Output = T> + Send + 'static) -> Result<T, CatalogError> {
        let (done, result) = oneshot::channel();
        let job = Box::pin(async move {
            let _ = done.send(AssertUnwindSafe(job).catch_unwind().await);
        });
        self.jobs.send(job).map_err(|_| gone())?;
        result.await.map_err(|_| gone())?.map_err(|panic| panicked(&*panic))
    }
}

/// The session's thread has ended.
fn gone() -> CatalogError {
    CatalogError::internal("the session's thread has ended")
}

/// The error a job that panicked answers with: XX000 and the panic's message.
pub fn panicked(panic: &(dyn std::any::Any + Send)) -> CatalogError {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    CatalogError::internal(format!("internal error: {message}"))
}
