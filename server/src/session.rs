//! One client session: its settings, its DataFusion state wired to storage, and its
//! transaction. Every statement runs in a transaction: the open block's, or one of its own
//! that commits when the statement succeeds and rolls back when it fails.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use datafusion::common::ParamValues;
use datafusion::execution::TaskContext;
use datafusion::execution::session_state::SessionState;
use datafusion::sql::sqlparser::ast::{Expr, Statement, TransactionIsolationLevel, TransactionMode};
use futures::FutureExt;
use pgwire::messages::response::TransactionStatus;
use shale_catalog::functions::SessionInfo;
use shale_catalog::{CatalogError, SessionHandle, new_session_state, sqlstate};
use shale_storage::{Store, Txn};

use crate::outcome::{Notice, Outcome};
use crate::params::bind;
use crate::plan_cache::{PreparedRef, is_cacheable};
use crate::settings::{SERVER_VERSION, Settings};

/// Where the session is with respect to transactions.
enum TxnState {
    /// No transaction block: each statement commits on its own.
    Idle,
    /// The implicit block of a Query message with several statements: they commit together
    /// at the end of the message, and an error rolls all of them back.
    Implicit(Arc<Txn>),
    /// Inside BEGIN ... COMMIT.
    Block(Arc<Txn>),
    /// Inside a block in which a statement failed: only ROLLBACK (or COMMIT) is accepted.
    Failed(Arc<Txn>),
}

/// What runs in a transaction: a statement, or a prepared one with its parameters.
enum Work<'p, 'a> {
    Statement(Statement),
    Prepared(&'p PreparedRef<'a>, Vec<Expr>),
}

/// A connected session.
pub struct Session {
    pub(crate) handle: SessionHandle,
    pub(crate) state: SessionState,
    /// The state's task context, made once: making it copies the function registry.
    pub(crate) task_ctx: Arc<TaskContext>,
    pub(crate) settings: Settings,
    user: String,
    txn: TxnState,
    /// The parameter values Bind last computed, with the literals they came from, so that
    /// the Execute that follows does not compute them again.
    bound: Option<(Vec<Expr>, ParamValues)>,
}

impl Session {
    /// A new session of `user` on `store`.
    pub fn new(store: Store, user: &str, database: &str, application_name: Option<&str>) -> Self {
        let handle = SessionHandle::new(store);
        let info = SessionInfo {
            user: user.to_string(),
            database: database.to_string(),
            version: format!(
                "PostgreSQL {SERVER_VERSION} {} on {}-linux, 64-bit",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::ARCH
            ),
        };
        let state = new_session_state(&handle, info);
        let settings = Settings::new(user, application_name);
        let task_ctx = state.task_ctx();
        let mut session =
            Session { handle, state, task_ctx, settings, user: user.to_string(), txn: TxnState::Idle, bound: None };
        session.apply_search_path();
        session
    }

    /// The status reported in ReadyForQuery.
    pub fn transaction_status(&self) -> TransactionStatus {
        match self.txn {
            TxnState::Idle | TxnState::Implicit(_) => TransactionStatus::Idle,
            TxnState::Block(_) => TransactionStatus::Transaction,
            TxnState::Failed(_) => TransactionStatus::Error,
        }
    }

    /// Executes one statement.
    pub async fn execute(&mut self, mut stmt: Statement) -> Result<Outcome, CatalogError> {
        crate::rewrite::rewrite_statement(&mut stmt)?;
        match &stmt {
            Statement::StartTransaction { modes, .. } => return self.begin(modes),
            Statement::Commit { chain: false, .. } => return self.commit(),
            Statement::Rollback { chain: false, savepoint: None } => return self.rollback(),
            Statement::Commit { .. } | Statement::Rollback { .. } => {
                return Err(CatalogError::unsupported("AND CHAIN and ROLLBACK TO SAVEPOINT"));
            }
            Statement::Savepoint { .. } | Statement::ReleaseSavepoint { .. } => {
                return Err(CatalogError::unsupported("SAVEPOINT"));
            }
            _ => {}
        }
        self.check_not_failed()?;
        match stmt {
            Statement::Set(set) => self.set(set),
            Statement::ShowVariable { variable } => self.show(&variable),
            stmt => self.in_transaction(Work::Statement(stmt)).await,
        }
    }

    /// Executes a prepared statement with its parameters' `literals`: from its cached plan
    /// when it has one (see `plan_cache`), else with the literals bound into it.
    pub async fn execute_prepared(&mut self, prepared: &PreparedRef<'_>, literals: Vec<Expr>) -> Result<Outcome, CatalogError> {
        if !is_cacheable(prepared.stmt) {
            let mut stmt = prepared.stmt.clone();
            bind(&mut stmt, &literals)?;
            return self.execute(stmt).await;
        }
        self.check_not_failed()?;
        self.in_transaction(Work::Prepared(prepared, literals)).await
    }

    /// What Bind checks before it creates a portal, as PostgreSQL does: 25P02 in a failed
    /// transaction block (except for ending it), and each parameter value must be one of
    /// its type (22P02, 22003, ...).
    /// A bad value fails the open transaction block, like any error in it.
    pub fn check_bind(&mut self, stmt: &Statement, literals: &[Expr]) -> Result<(), CatalogError> {
        if !matches!(stmt, Statement::Commit { .. } | Statement::Rollback { .. }) {
            self.check_not_failed()?;
        }
        let checked = self.param_values(literals).map(|_| ());
        if checked.is_err() {
            if let TxnState::Block(txn) = &self.txn {
                self.txn = TxnState::Failed(txn.clone());
            }
        }
        checked
    }

    /// The values of the parameters' `literals` (see `scalars`), computed once for a Bind
    /// and the Execute after it.
    pub(crate) fn param_values(&mut self, literals: &[Expr]) -> Result<ParamValues, CatalogError> {
        if let Some((bound, values)) = &self.bound {
            if bound.as_slice() == literals {
                return Ok(values.clone());
            }
        }
        let values = crate::scalars::param_values(&self.state, literals)?;
        self.bound = Some((literals.to_vec(), values.clone()));
        Ok(values)
    }

    /// 25P02 in a failed transaction block.
    fn check_not_failed(&self) -> Result<(), CatalogError> {
        match self.txn {
            TxnState::Failed(_) => Err(CatalogError::new(
                sqlstate::IN_FAILED_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            )),
            _ => Ok(()),
        }
    }

    /// Runs `work` in the open block's transaction, or in its own.
    async fn in_transaction(&mut self, work: Work<'_, '_>) -> Result<Outcome, CatalogError> {
        let (txn, autocommit) = match &self.txn {
            TxnState::Block(txn) | TxnState::Implicit(txn) => (txn.clone(), false),
            _ => (Arc::new(self.handle.store().begin()), true),
        };
        self.handle.set_txn(Some(txn.clone()));
        let run = async {
            match work {
                Work::Statement(stmt) => self.run(stmt).await,
                Work::Prepared(prepared, literals) => self.run_prepared(prepared, literals).await,
            }
        };
        // A panic in the engine fails the statement (and its transaction), not the session.
        let result = AssertUnwindSafe(run).catch_unwind().await.unwrap_or_else(|panic| Err(panicked(&*panic)));
        if !autocommit {
            if result.is_err() {
                match self.txn {
                    TxnState::Implicit(_) => self.end_implicit(false)?,
                    _ => self.txn = TxnState::Failed(txn),
                }
            }
            return result;
        }
        self.handle.set_txn(None);
        match result {
            Ok(outcome) => {
                txn.commit()?;
                Ok(outcome)
            }
            Err(e) => {
                txn.rollback()?;
                Err(e)
            }
        }
    }

    fn begin(&mut self, modes: &[TransactionMode]) -> Result<Outcome, CatalogError> {
        for mode in modes {
            match mode {
                TransactionMode::IsolationLevel(
                    TransactionIsolationLevel::RepeatableRead | TransactionIsolationLevel::Snapshot,
                ) => {}
                TransactionMode::AccessMode(datafusion::sql::sqlparser::ast::TransactionAccessMode::ReadWrite) => {}
                other => return Err(CatalogError::unsupported(format!("transaction mode {other}"))),
            }
        }
        let mut outcome = Outcome::command("BEGIN");
        match &self.txn {
            TxnState::Idle => {
                let txn = Arc::new(self.handle.store().begin());
                self.handle.set_txn(Some(txn.clone()));
                self.txn = TxnState::Block(txn);
            }
            TxnState::Implicit(txn) => self.txn = TxnState::Block(txn.clone()),
            _ => outcome.notices.push(Notice::warning("25001", "there is already a transaction in progress")),
        }
        Ok(outcome)
    }

    /// COMMIT (of a failed block: a rollback, tagged ROLLBACK as PostgreSQL does).
    fn commit(&mut self) -> Result<Outcome, CatalogError> {
        self.end_block(true)
    }

    /// ROLLBACK.
    fn rollback(&mut self) -> Result<Outcome, CatalogError> {
        self.end_block(false)
    }

    /// Ends the open block: commits it when `commit` and it has not failed, else rolls back.
    /// Without a block, a warning (25P01) and the statement's own tag.
    fn end_block(&mut self, commit: bool) -> Result<Outcome, CatalogError> {
        let state = std::mem::replace(&mut self.txn, TxnState::Idle);
        self.handle.set_txn(None);
        let tag = if commit { "COMMIT" } else { "ROLLBACK" };
        match state {
            TxnState::Idle => {
                let mut outcome = Outcome::command(tag);
                outcome.notices.push(Notice::warning("25P01", "there is no transaction in progress"));
                Ok(outcome)
            }
            TxnState::Block(txn) | TxnState::Implicit(txn) if commit => {
                txn.commit()?;
                Ok(Outcome::command("COMMIT"))
            }
            TxnState::Block(txn) | TxnState::Implicit(txn) | TxnState::Failed(txn) => {
                txn.rollback()?;
                Ok(Outcome::command("ROLLBACK"))
            }
        }
    }

    /// Starts the implicit transaction of a multi-statement Query message (when no block is
    /// open).
    pub fn begin_implicit(&mut self) {
        if let TxnState::Idle = self.txn {
            let txn = Arc::new(self.handle.store().begin());
            self.handle.set_txn(Some(txn.clone()));
            self.txn = TxnState::Implicit(txn);
        }
    }

    /// Ends the implicit transaction, if one is open: commits it when `success`, else rolls
    /// it back.
    pub fn end_implicit(&mut self, success: bool) -> Result<(), CatalogError> {
        let TxnState::Implicit(txn) = &self.txn else { return Ok(()) };
        let txn = txn.clone();
        self.txn = TxnState::Idle;
        self.handle.set_txn(None);
        match success {
            true => Ok(txn.commit()?),
            false => Ok(txn.rollback()?),
        }
    }

    /// Makes sure planning has a transaction to read the catalog through: the open block's,
    /// or a new one that [`Session::end_planning_txn`] rolls back.
    pub(crate) fn planning_txn(&mut self) -> Option<Arc<Txn>> {
        match self.txn {
            TxnState::Idle => {
                let txn = Arc::new(self.handle.store().begin());
                self.handle.set_txn(Some(txn.clone()));
                Some(txn)
            }
            _ => None,
        }
    }

    /// Ends a transaction started by [`Session::planning_txn`].
    pub(crate) fn end_planning_txn(&mut self, txn: Option<Arc<Txn>>) {
        if let Some(txn) = txn {
            self.handle.set_txn(None);
            if let Err(e) = txn.rollback() {
                tracing::warn!(error = %e, "rolling back a planning transaction failed");
            }
        }
    }

    /// Resolves the `search_path` setting (`"$user"` is the session user's schema) into the
    /// schemas name lookups walk.
    pub(crate) fn apply_search_path(&mut self) {
        let setting = self.settings.get("search_path").unwrap_or("public").to_string();
        let path = setting
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| match s.trim_matches('"') {
                "$user" => self.user.clone(),
                name if s.starts_with('"') => name.to_string(),
                name => name.to_lowercase(),
            })
            .collect();
        self.handle.set_search_path(path);
    }
}

/// The error a statement that panicked answers with: XX000 and the panic's message.
fn panicked(panic: &(dyn std::any::Any + Send)) -> CatalogError {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown cause".into());
    CatalogError::internal(format!("internal error: {message}"))
}
