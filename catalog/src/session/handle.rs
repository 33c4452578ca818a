//! The per-session handle that every provider of one session shares: the store, the
//! session's current transaction and its search path.
//!
//! The server puts the transaction of the running statement here before planning and takes
//! it out after commit or rollback, so a table provider always reads and writes through the
//! statement's transaction and sees its own writes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use datafusion::common::ScalarValue;
use datafusion::execution::session_state::SessionState;
use shale_storage::{Store, Txn};

use crate::access::deferred::Deferred;
use crate::session::activity::{Activity, Identity, State, now_micros};
use crate::error::{CatalogError, Result};
use crate::resolve::Scope;
use crate::session::interrupt::Interrupt;
use crate::session::settings::Settings;
use crate::session::temp_slots::{self, TEMP_ALIAS};

/// Shared, cheaply cloned handle to one session's storage state.
#[derive(Clone)]
pub struct SessionHandle {
    store: Store,
    identity: Arc<Identity>,
    state: Arc<Mutex<HandleState>>,
    txn_start: Arc<AtomicI64>,
    interrupt: Arc<Interrupt>,
}

struct HandleState {
    txn: Option<Arc<Txn>>,
    settings: Settings,
    params: Vec<ScalarValue>,
    activity: Activity,
    /// The last value `nextval` gave this session, by sequence id (`currval`), and the
    /// very last one (`lastval`).
    sequence_values: HashMap<u64, i64>,
    last_sequence_value: Option<i64>,
    /// The transaction's foreign-key checks deferred to COMMIT.
    deferred: Deferred,
    /// The session's DataFusion state, which plans the queries of the views statements
    /// name (weak: the state holds this handle through its catalogs).
    planner: Weak<SessionState>,
    /// The ids of the views being planned, one inside the other (outermost first).
    planned_views: Vec<u64>,
    /// The number of the session's temporary schema (`pg_temp_N`), once it needed one.
    temp_slot: Option<u32>,
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("SessionHandle")
            .field("in_transaction", &state.txn.is_some())
            .field("search_path", &state.settings.search_path())
            .finish()
    }
}

impl SessionHandle {
    /// A handle of the session `identity`, with no transaction and `settings`.
    pub fn new(store: Store, identity: Identity, settings: Settings) -> Self {
        SessionHandle {
            store,
            identity: Arc::new(identity),
            state: Arc::new(Mutex::new(HandleState {
                txn: None,
                settings,
                params: Vec::new(),
                activity: Activity::default(),
                sequence_values: HashMap::new(),
                last_sequence_value: None,
                deferred: Deferred::default(),
                planner: Weak::new(),
                planned_views: Vec::new(),
                temp_slot: None,
            })),
            txn_start: Arc::new(AtomicI64::new(0)),
            interrupt: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HandleState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Who the session is.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The request to stop the session's running statement (see `interrupt`).
    pub fn interrupt(&self) -> &Arc<Interrupt> {
        &self.interrupt
    }

    /// What the session is doing.
    pub fn activity(&self) -> Activity {
        self.lock().activity.clone()
    }

    /// The session starts running `query`.
    pub fn start_query(&self, query: Arc<str>) {
        let now = now_micros();
        let mut state = self.lock();
        state.activity = Activity { state: State::Active, query, query_start: Some(now), state_change: Some(now) };
    }

    /// The session waits for a command, in `state`.
    pub fn finish_query(&self, idle: State) {
        let mut state = self.lock();
        state.activity.state = idle;
        state.activity.state_change = Some(now_micros());
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current transaction; an internal error outside of one (every statement runs in
    /// a transaction, so that is a bug).
    pub fn txn(&self) -> Result<Arc<Txn>> {
        self.lock()
            .txn
            .clone()
            .ok_or_else(|| CatalogError::internal("no transaction is active in this session"))
    }

    /// Makes `txn` the session's current transaction (`None`: no transaction). A new
    /// transaction's start time is what `now()` returns until it ends.
    pub fn set_txn(&self, txn: Option<Arc<Txn>>) {
        let mut state = self.lock();
        let is_new = match (&state.txn, &txn) {
            (Some(old), Some(new)) => !Arc::ptr_eq(old, new),
            (None, Some(_)) => true,
            _ => false,
        };
        if is_new {
            let micros = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_micros() as i64)
                .unwrap_or(0);
            self.txn_start.store(micros, Ordering::Relaxed);
        }
        state.txn = txn;
    }

    /// The start of the current transaction, in microseconds since the Unix epoch.
    pub fn transaction_start(&self) -> i64 {
        self.txn_start.load(Ordering::Relaxed)
    }

    /// Whether `other` is a handle of the same session.
    pub fn same_session(&self, other: &SessionHandle) -> bool {
        Arc::ptr_eq(&self.state, &other.state)
    }

    /// The value the sequence `id` last gave this session (`currval`).
    pub fn sequence_value(&self, id: u64) -> Option<i64> {
        self.lock().sequence_values.get(&id).copied()
    }

    /// The value any sequence last gave this session (`lastval`).
    pub fn last_sequence_value(&self) -> Option<i64> {
        self.lock().last_sequence_value
    }

    /// Records that the sequence `id` gave this session `value`.
    pub fn set_sequence_value(&self, id: u64, value: i64) {
        let mut state = self.lock();
        state.sequence_values.insert(id, value);
        state.last_sequence_value = Some(value);
    }

    /// Forgets the values sequences gave this session (`DISCARD SEQUENCES`).
    pub fn forget_sequence_values(&self) {
        let mut state = self.lock();
        state.sequence_values.clear();
        state.last_sequence_value = None;
    }

    /// Runs `f` on the transaction's deferred foreign-key checks; the session takes them
    /// (`std::mem::take`) when the transaction ends.
    pub fn with_deferred<R>(&self, f: impl FnOnce(&mut Deferred) -> R) -> R {
        f(&mut self.lock().deferred)
    }

    /// The schemas searched for unqualified names of relations and types, in order: the
    /// session's temporary schema first (unless `search_path` places it), then
    /// `search_path`'s (see [`Scope::lookup_path`]).
    pub fn search_path(&self) -> Vec<String> {
        self.scope().lookup_path().cloned().collect()
    }

    /// Where the session looks names up: its database, its search path and its temporary
    /// schema.
    pub fn scope(&self) -> Scope {
        let state = self.lock();
        let temp_schema = state.temp_slot.map(temp_slots::schema_name);
        let search_path = state
            .settings
            .search_path()
            .iter()
            .map(|s| match (s.as_str(), &temp_schema) {
                (TEMP_ALIAS, Some(temp)) => temp.clone(),
                _ => s.clone(),
            })
            .collect();
        Scope { database_id: self.identity.database_id, database: self.identity.database.clone(), search_path, temp_schema }
    }

    /// The name of the session's temporary schema, given a number now if it has none (the
    /// schema itself is made by `ddl::temp`).
    pub fn assign_temp_schema(&self) -> String {
        let mut state = self.lock();
        temp_slots::schema_name(*state.temp_slot.get_or_insert_with(temp_slots::take))
    }

    /// The number of the session's temporary schema, if it was given one.
    pub fn temp_slot(&self) -> Option<u32> {
        self.lock().temp_slot
    }

    /// Runs `f` on the session's settings (SET, SHOW, `current_setting()`, ...).
    pub fn with_settings<R>(&self, f: impl FnOnce(&mut Settings) -> R) -> R {
        f(&mut self.lock().settings)
    }

    /// Makes `state` the DataFusion state that plans the queries of views.
    pub fn set_planner(&self, state: Weak<SessionState>) {
        self.lock().planner = state;
    }

    /// The DataFusion state that plans the queries of views; an internal error when the
    /// session has none.
    pub fn planner(&self) -> Result<Arc<SessionState>> {
        self.lock().planner.upgrade().ok_or_else(|| CatalogError::internal("the session has no planner for views"))
    }

    /// Runs `f` on the ids of the views being planned, one inside the other (outermost
    /// first).
    pub fn with_planned_views<R>(&self, f: impl FnOnce(&mut Vec<u64>) -> R) -> R {
        f(&mut self.lock().planned_views)
    }

    /// Sets the parameter values a plan made once reads (see [`crate::session::param`]).
    pub fn set_params(&self, params: Vec<ScalarValue>) {
        self.lock().params = params;
    }

    /// The value of parameter `$index+1` of the executing statement.
    pub fn param(&self, index: usize) -> Option<ScalarValue> {
        self.lock().params.get(index).cloned()
    }
}
