//! One client session: its settings, its DataFusion state wired to storage, and its
//! transaction. Every statement runs in a transaction: the open block's (or the implicit one
//! of a multi-statement message), or one of its own that commits when the statement
//! succeeds and rolls back when it fails. Block statements (BEGIN, COMMIT, savepoints, SET
//! TRANSACTION) answer as PostgreSQL's do, warnings included; see `transaction`.

pub mod discard;
pub mod execute;
pub mod modifying_with;
pub mod outcome;
pub mod set_constraints;
pub mod set_show;
pub mod transaction;
pub mod worker;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use datafusion::common::ParamValues;
use datafusion::execution::TaskContext;
use datafusion::execution::session_state::SessionState;
use datafusion::sql::sqlparser::ast::{AlterTableType, Expr, Set, Statement, TransactionMode};
use futures::FutureExt;
use pgwire::messages::response::TransactionStatus;
use shale_catalog::functions::SessionInfo;
use shale_catalog::session::blocking::blocking;
use shale_catalog::session::interrupt::Reason;
use shale_catalog::{CatalogError, SessionHandle, new_session_state, sqlstate};
use shale_catalog::{Store, Txn, TxnOptions};

use crate::session::outcome::{Notice, Outcome};
use crate::protocol::params::bind;
use crate::plan::plan_cache::{PreparedRef, is_cacheable};
use crate::sql::constants::Shapes;
use shale_catalog::session::activity::{self, Identity, State};
use shale_catalog::session::settings::{SERVER_VERSION, Settings};
use crate::session::transaction::{Level, Mode, Open};
use crate::session::worker::{Worker, panicked};

/// What runs in a transaction: a statement, or a prepared one with its parameters.
enum Work<'p, 'a> {
    Statement(Statement),
    Prepared(&'p PreparedRef<'a>, Vec<Expr>),
}

/// A connected session.
pub struct Session {
    pub(crate) handle: SessionHandle,
    pub(crate) state: Arc<SessionState>,
    /// The state's task context, made once: making it copies the function registry.
    pub(crate) task_ctx: Arc<TaskContext>,
    /// The open transaction (a block, or a message's implicit one), if any.
    open: Option<Open>,
    /// Whether a multi-statement Query message is running: a statement outside a block
    /// then joins (or opens) the message's implicit transaction.
    in_message: bool,
    /// Warnings to send before the error a statement ends with.
    pending: Vec<Notice>,
    /// The thread the session's statements run on.
    pub(crate) worker: Worker,
    /// The client's socket, watched while a statement runs (see `connections`).
    socket: Option<Arc<tokio::net::TcpStream>>,
    /// The shapes of simple-query statements run, with their plans (see `constants`).
    pub(crate) shapes: Shapes,
    /// The parameter values Bind last computed, with the literals they came from, so that
    /// the Execute that follows does not compute them again.
    bound: Option<(Vec<Expr>, ParamValues)>,
}

impl Session {
    /// A new session on `store` (registered in `pg_stat_activity` until it is dropped),
    /// with its thread.
    pub fn new(store: Store, identity: Identity, application_name: Option<&str>) -> Result<Self, CatalogError> {
        let worker = Worker::start(identity.pid)?;
        let socket = identity.client.and_then(crate::protocol::connections::take);
        let settings = Settings::new(&identity.user, application_name);
        let info = SessionInfo {
            user: identity.user.clone(),
            database: identity.database.clone(),
            version: format!(
                "PostgreSQL {SERVER_VERSION} {} on {}-linux, 64-bit",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::ARCH
            ),
        };
        let handle = SessionHandle::new(store, identity, settings);
        activity::register(&handle);
        let mut state = new_session_state(&handle, info);
        // Casts to text print values as the wire's text format does.
        state.add_analyzer_rule(Arc::new(crate::encode::TextCasts));
        let task_ctx = state.task_ctx();
        let state = Arc::new(state);
        handle.set_planner(Arc::downgrade(&state));
        Ok(Session {
            handle,
            state,
            task_ctx,
            open: None,
            in_message: false,
            pending: Vec::new(),
            worker,
            socket,
            shapes: Shapes::default(),
            bound: None,
        })
    }

    /// The session waits for the next command (`pg_stat_activity.state`).
    pub fn finish_query(&self) {
        let state = match &self.open {
            Some(open) if open.block && open.failed => State::IdleInFailedTransaction,
            Some(open) if open.block => State::IdleInTransaction,
            _ => State::Idle,
        };
        self.handle.finish_query(state);
    }

    /// The status reported in ReadyForQuery.
    pub fn transaction_status(&self) -> TransactionStatus {
        match &self.open {
            Some(open) if open.block && open.failed => TransactionStatus::Error,
            Some(open) if open.block => TransactionStatus::Transaction,
            _ => TransactionStatus::Idle,
        }
    }

    /// Executes one statement. An error fails the open block.
    pub async fn execute(&mut self, mut stmt: Statement) -> Result<Outcome, CatalogError> {
        crate::sql::rewrite::rewrite_statement(&mut stmt)?;
        let result = self.dispatch(stmt).await;
        if result.is_err() {
            self.fail();
        }
        self.with_reports(result)
    }

    /// `result` with the ParameterStatus messages of reported settings the statement
    /// changed (by SET, RESET or `set_config()`).
    fn with_reports(&self, result: Result<Outcome, CatalogError>) -> Result<Outcome, CatalogError> {
        let reports = self.handle.with_settings(Settings::take_reports);
        result.map(|mut outcome| {
            outcome.parameters.extend(reports);
            outcome
        })
    }

    /// The warnings to send before the error the last statement ended with.
    pub fn take_pending_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.pending)
    }

    async fn dispatch(&mut self, stmt: Statement) -> Result<Outcome, CatalogError> {
        match stmt {
            Statement::Commit { chain: false, .. } => return self.end(true),
            Statement::Rollback { chain: false, savepoint: None } => return self.end(false),
            Statement::Rollback { chain: false, savepoint: Some(name) } => return self.rollback_to(&name.value),
            Statement::Commit { .. } | Statement::Rollback { .. } => {
                return Err(CatalogError::unsupported("AND CHAIN"));
            }
            _ => {}
        }
        self.check_not_failed()?;
        match stmt {
            Statement::StartTransaction { modes, begin, .. } => {
                self.begin(&modes, if begin { "BEGIN" } else { "START TRANSACTION" })
            }
            Statement::Savepoint { name } => self.savepoint(&name.value),
            Statement::ReleaseSavepoint { name } => self.release(&name.value),
            Statement::Set(Set::SetTransaction { modes, snapshot: None, session }) => self.set_transaction(&modes, session),
            Statement::SetConstraints { constraints, deferred } => self.set_constraints(constraints.as_deref(), deferred),
            Statement::Set(set) => self.set(set),
            Statement::Reset(reset) => self.reset(reset.reset),
            Statement::ShowVariable { variable } => self.show(&variable),
            stmt => {
                self.check_writable(&stmt)?;
                self.in_transaction(Work::Statement(stmt)).await
            }
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
        let result = match self.check_not_failed().and_then(|()| self.check_writable(prepared.stmt)) {
            Ok(()) => self.in_transaction(Work::Prepared(prepared, literals)).await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.fail();
        }
        self.with_reports(result)
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
            self.fail();
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
        let values = crate::plan::scalars::param_values(&self.state, literals)?;
        self.bound = Some((literals.to_vec(), values.clone()));
        Ok(values)
    }

    /// 25P02 in a failed transaction block.
    fn check_not_failed(&self) -> Result<(), CatalogError> {
        match &self.open {
            Some(open) if open.failed => Err(CatalogError::new(
                sqlstate::IN_FAILED_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            )),
            _ => Ok(()),
        }
    }

    /// Whether the open block has failed.
    pub(crate) fn in_failed_block(&self) -> bool {
        self.open.as_ref().is_some_and(|o| o.failed)
    }

    /// Fails the open block (see [`Open::fail`]; a message's implicit transaction is ended
    /// by [`Session::end_implicit`]).
    pub(crate) fn fail(&mut self) {
        let Some(open) = self.open.as_mut() else { return };
        let txn = open.begun().cloned();
        if let Err(e) = open.fail() {
            tracing::warn!(error = %e, "undoing a failed statement failed");
        }
        if txn.is_some() && open.begun().is_none() {
            self.handle.set_txn(None);
        }
    }

    /// 25006 for a statement that writes, in a READ ONLY transaction.
    fn check_writable(&self, stmt: &Statement) -> Result<(), CatalogError> {
        if !self.mode().read_only {
            return Ok(());
        }
        let command = match stmt {
            Statement::Insert(_) => "INSERT",
            Statement::Update(_) => "UPDATE",
            Statement::Delete(_) => "DELETE",
            Statement::CreateTable(_) => "CREATE TABLE",
            Statement::CreateDatabase { .. } => "CREATE DATABASE",
            Statement::CreateSchema { .. } => "CREATE SCHEMA",
            Statement::CreateSequence { .. } => "CREATE SEQUENCE",
            Statement::CreateIndex(_) => "CREATE INDEX",
            Statement::CreateView(create) if create.materialized => "CREATE MATERIALIZED VIEW",
            Statement::CreateView(_) => "CREATE VIEW",
            Statement::RefreshMaterializedView { .. } => "REFRESH MATERIALIZED VIEW",
            Statement::Comment { .. } => "COMMENT",
            Statement::CreateExtension(_) => "CREATE EXTENSION",
            Statement::DropExtension(_) => "DROP EXTENSION",
            Statement::CreateType { .. } => "CREATE TYPE",
            Statement::AlterType(_) => "ALTER TYPE",
            Statement::Reindex(_) => "REINDEX",
            Statement::AlterTable(_) => "ALTER TABLE",
            Statement::AlterViewOperations(alter) if alter.table_type == Some(AlterTableType::MaterializedView) => "ALTER MATERIALIZED VIEW",
            Statement::AlterViewOperations(_) => "ALTER VIEW",
            Statement::AlterSequence(_) => "ALTER SEQUENCE",
            Statement::Drop { object_type, .. } => return Err(read_only(&format!("DROP {object_type}"))),
            Statement::Truncate(_) => "TRUNCATE TABLE",
            Statement::Query(q) if crate::session::execute::select_into(q).is_some() => "SELECT INTO",
            // A statement whose WITH queries change data is its main statement's command.
            Statement::Query(q) if shale_catalog::access::dml::changes_data(q) => modifying_with::main_command(q),
            _ => return Ok(()),
        };
        Err(read_only(command))
    }

    /// The mode of the open transaction, or of the next one.
    pub(crate) fn mode(&self) -> Mode {
        match &self.open {
            Some(open) => open.mode,
            None => self.default_mode(),
        }
    }

    /// `default_transaction_isolation` and `default_transaction_read_only`.
    fn default_mode(&self) -> Mode {
        Mode {
            level: self.handle.with_settings(|s| Level::from_setting(s.get("default_transaction_isolation").unwrap_or("read committed"))),
            read_only: self.handle.with_settings(|s| s.get("default_transaction_read_only") == Ok("on")),
        }
    }

    /// A storage transaction with `mode` and the session's lock timeout and commit sync.
    fn begin_txn(&self, mode: Mode) -> Txn {
        let (sync, lock_timeout) = self.handle.with_settings(|s| (s.synchronous_commit(), s.lock_timeout()));
        let txn = self.handle.store().begin_with(&TxnOptions { isolation: mode.level.isolation(), sync, lock_timeout });
        txn.set_stop(self.handle.interrupt().clone());
        // What an earlier transaction deferred or set is gone with it (one a failed
        // statement rolled back did not reach `finish`).
        self.handle.with_deferred(|d| *d = Default::default());
        txn
    }

    /// The open transaction's storage transaction, begun now if needed, and made the one
    /// the session's providers read through.
    fn open_txn(&mut self) -> Option<Arc<Txn>> {
        let mut open = self.open.take()?;
        let txn = open.txn(|mode| self.begin_txn(mode));
        self.open = Some(open);
        self.handle.set_txn(Some(txn.clone()));
        Some(txn)
    }

    /// Runs `work` in the open transaction, or in its own (autocommit), as one statement:
    /// under READ COMMITTED it reads what is committed when it starts.
    async fn in_transaction(&mut self, work: Work<'_, '_>) -> Result<Outcome, CatalogError> {
        self.open_implicit();
        let (txn, autocommit) = match self.open_txn() {
            Some(txn) => (txn, false),
            None => (Arc::new(self.begin_txn(self.default_mode())), true),
        };
        if let Some(open) = self.open.as_mut() {
            open.queried = true;
        }
        txn.new_statement()?;
        self.handle.set_txn(Some(txn.clone()));
        let limit = self.handle.with_settings(|s| s.statement_timeout());
        let interrupt = self.handle.interrupt().clone();
        interrupt.clear();
        let _alarm = limit.map(|limit| {
            let interrupt = interrupt.clone();
            self.worker.alarm(limit, move || interrupt.request(Reason::StatementTimeout))
        });
        let _watch = self.socket.clone().map(|socket| {
            let interrupt = interrupt.clone();
            self.worker.beside(async move {
                crate::protocol::connections::closed(&socket).await;
                interrupt.request(Reason::ConnectionLost);
            })
        });
        let run = async {
            match work {
                Work::Statement(stmt) => self.run(stmt).await,
                Work::Prepared(prepared, literals) => self.run_prepared(prepared, literals).await,
            }
        };
        // A panic in the engine fails the statement (and its transaction), not the session.
        let run = AssertUnwindSafe(run).catch_unwind();
        let result = tokio::select! {
            result = run => result.unwrap_or_else(|panic| Err(panicked(&*panic))),
            canceled = interrupt.requested() => Err(canceled),
        };
        if !autocommit {
            return result;
        }
        self.handle.set_txn(None);
        match result {
            Ok(outcome) => {
                finish(&self.handle, &txn, true)?;
                Ok(outcome)
            }
            Err(e) => {
                finish(&self.handle, &txn, false)?;
                Err(e)
            }
        }
    }

    /// BEGIN / START TRANSACTION: opens a block (the message's implicit transaction becomes
    /// one); inside a block, a warning, and its modes are a SET TRANSACTION.
    fn begin(&mut self, modes: &[TransactionMode], tag: &str) -> Result<Outcome, CatalogError> {
        let mut outcome = Outcome::command(tag);
        match self.open.as_mut() {
            None => {
                let (mode, _) = self.default_mode().with(modes);
                self.open = Some(Open::new(true, mode));
            }
            Some(open) if !open.block => {
                open.block = true;
                open.set_modes(modes)?;
            }
            Some(open) => {
                let warning = Notice::warning(sqlstate::ACTIVE_SQL_TRANSACTION, "there is already a transaction in progress");
                if let Err(e) = open.set_modes(modes) {
                    self.pending.push(warning);
                    return Err(e);
                }
                outcome.notices.push(warning);
            }
        }
        Ok(outcome)
    }

    /// COMMIT (`commit`) or ROLLBACK: ends the open transaction; a failed block rolls back
    /// and says ROLLBACK. Without a block, a warning (25P01), and a message's implicit
    /// transaction ends here.
    fn end(&mut self, commit: bool) -> Result<Outcome, CatalogError> {
        let open = self.open.take();
        self.handle.set_txn(None);
        let committed = commit && open.as_ref().is_none_or(|o| !o.failed);
        let mut outcome = Outcome::command(if committed { "COMMIT" } else { "ROLLBACK" });
        if open.as_ref().is_none_or(|o| !o.block) {
            outcome.notices.push(Notice::warning(sqlstate::NO_ACTIVE_SQL_TRANSACTION, "there is no transaction in progress"));
        }
        if let Some(txn) = open.as_ref().and_then(Open::begun) {
            finish(&self.handle, txn, committed)?;
        }
        Ok(outcome)
    }

    /// SAVEPOINT.
    fn savepoint(&mut self, name: &str) -> Result<Outcome, CatalogError> {
        self.check_in_block("SAVEPOINT")?;
        let txn = self.open_txn().ok_or_else(|| CatalogError::internal("no transaction for SAVEPOINT"))?;
        if let Some(open) = self.open.as_mut() {
            open.savepoint(&txn, name);
        }
        Ok(Outcome::command("SAVEPOINT"))
    }

    /// RELEASE SAVEPOINT.
    fn release(&mut self, name: &str) -> Result<Outcome, CatalogError> {
        self.check_in_block("RELEASE SAVEPOINT")?;
        self.open.as_mut().map_or(Ok(()), |open| open.release(name))?;
        Ok(Outcome::command("RELEASE"))
    }

    /// ROLLBACK TO SAVEPOINT (also in a failed block, which it repairs).
    fn rollback_to(&mut self, name: &str) -> Result<Outcome, CatalogError> {
        self.check_in_block("ROLLBACK TO SAVEPOINT")?;
        self.open.as_mut().map_or(Ok(()), |open| open.rollback_to(name))?;
        Ok(Outcome::command("ROLLBACK"))
    }

    /// In a message of several statements, opens its implicit transaction if none is
    /// open.
    pub(crate) fn open_implicit(&mut self) {
        if self.open.is_none() && self.in_message {
            self.open = Some(Open::new(false, self.default_mode()));
        }
    }

    /// 25P01 for a savepoint statement outside a block.
    fn check_in_block(&self, command: &str) -> Result<(), CatalogError> {
        match &self.open {
            Some(open) if open.block => Ok(()),
            _ => Err(CatalogError::new(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                format!("{command} can only be used in transaction blocks"),
            )),
        }
    }

    /// SET TRANSACTION (in a block, before its first query for the isolation level) and
    /// SET SESSION CHARACTERISTICS AS TRANSACTION (the session's defaults).
    fn set_transaction(&mut self, modes: &[TransactionMode], session: bool) -> Result<Outcome, CatalogError> {
        let mut outcome = Outcome::command("SET");
        if session {
            let (mode, level_given) = self.default_mode().with(modes);
            if level_given {
                self.handle.with_settings(|s| s.set("default_transaction_isolation", Some(mode.level.name().to_string())))?;
            }
            let read_only = if mode.read_only { "on" } else { "off" };
            self.handle.with_settings(|s| s.set("default_transaction_read_only", Some(read_only.to_string())))?;
            return Ok(outcome);
        }
        match self.open.as_mut().filter(|o| o.block) {
            Some(open) => open.set_modes(modes)?,
            None => outcome.notices.push(Notice::warning(
                sqlstate::NO_ACTIVE_SQL_TRANSACTION,
                "SET TRANSACTION can only be used in transaction blocks",
            )),
        }
        Ok(outcome)
    }

    /// Starts a multi-statement Query message: statements outside a block run in one
    /// implicit transaction.
    pub fn begin_implicit(&mut self) {
        self.in_message = true;
    }

    /// Ends the message: its implicit transaction, if one is open, commits when `success`,
    /// else rolls back.
    pub fn end_implicit(&mut self, success: bool) -> Result<(), CatalogError> {
        self.in_message = false;
        if self.open.as_ref().is_some_and(|o| !o.block) {
            let open = self.open.take();
            self.handle.set_txn(None);
            if let Some(txn) = open.as_ref().and_then(Open::begun) {
                finish(&self.handle, txn, success)?;
            }
        }
        Ok(())
    }

    /// Whether ending the message's implicit transaction commits writes, which waits for
    /// the disk.
    pub fn implicit_commit_waits(&self) -> bool {
        self.open.as_ref().is_some_and(|o| !o.block && o.begun().is_some_and(|txn| txn.has_written()))
    }

    /// Makes sure planning has a transaction to read the catalog through: the open one's,
    /// or a new one that [`Session::end_planning_txn`] rolls back.
    pub(crate) fn planning_txn(&mut self) -> Option<Arc<Txn>> {
        if self.open_txn().is_some() {
            return None;
        }
        let txn = Arc::new(self.begin_txn(self.default_mode()));
        self.handle.set_txn(Some(txn.clone()));
        Some(txn)
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
}

/// Commits (`commit`) or rolls back `txn`, the transaction of the session `handle`. A
/// commit first runs the foreign-key checks deferred to it (and rolls back when one
/// fails); one that wrote may wait for the disk, so it runs where blocking does not stall
/// other sessions.
fn finish(handle: &SessionHandle, txn: &Txn, commit: bool) -> Result<(), CatalogError> {
    if commit && handle.temp_slot().is_some() {
        if let Err(e) = blocking(|| shale_catalog::ddl::on_commit(handle, txn)) {
            txn.rollback()?;
            return Err(e);
        }
    }
    let deferred = handle.with_deferred(std::mem::take);
    if commit && !deferred.is_empty() {
        if let Err(e) = blocking(|| shale_catalog::access::deferred::settle(txn, deferred)) {
            txn.rollback()?;
            return Err(e);
        }
    }
    match commit {
        true if txn.has_written() => Ok(blocking(|| txn.commit())?),
        true => Ok(txn.commit()?),
        false => Ok(txn.rollback()?),
    }
}

/// 25006 for `command` in a read-only transaction.
fn read_only(command: &str) -> CatalogError {
    CatalogError::new(sqlstate::READ_ONLY_SQL_TRANSACTION, format!("cannot execute {command} in a read-only transaction"))
}

impl Drop for Session {
    /// Unregisters the session, releases its advisory locks and rolls back its open
    /// transaction; then drops its temporary schema, if it made one, on a thread of its
    /// own.
    fn drop(&mut self) {
        let pid = self.handle.identity().pid;
        activity::unregister(pid);
        shale_catalog::sysfuncs::advisory::unlock_all(pid);
        self.handle.set_txn(None);
        drop(self.open.take());
        if let Some(slot) = self.handle.temp_slot() {
            let store = self.handle.store().clone();
            let database_id = self.handle.identity().database_id;
            std::thread::spawn(move || {
                // A schema that could not be dropped keeps its number, so that no later
                // session finds its tables; the next start drops it.
                match shale_catalog::ddl::drop_session_schema(&store, database_id, slot) {
                    Ok(()) => shale_catalog::session::temp_slots::release(slot),
                    Err(e) => tracing::warn!(error = %e, "dropping a session's temporary schema failed"),
                }
            });
        }
    }
}
