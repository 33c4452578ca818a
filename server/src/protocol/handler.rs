//! The pgwire handlers: startup (no authentication yet) and the simple query protocol.
//! One handler serves every connection; each connection's [`Session`] lives in its
//! session extensions.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::{Sink, SinkExt};
use pgwire::api::auth::{
    ServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::cancel::CancelHandler;
use pgwire::api::query::{SimpleQueryHandler, send_ready_for_query};
use pgwire::api::results::Response;
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, METADATA_APPLICATION_NAME, METADATA_DATABASE, METADATA_USER,
    PgWireConnectionState, PgWireServerHandlers, PidSecretKeyGenerator, RandomPidSecretKeyGenerator,
};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::cancel::CancelRequest;
use pgwire::messages::response::{EmptyQueryResponse, TransactionStatus};
use pgwire::messages::simplequery::Query;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use shale_catalog::Store;
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::sql::parse::parse_statements;
use crate::session::outcome::Outcome;
use crate::session::Session;
use datafusion::sql::sqlparser::ast::{DiscardObject, Ident, Statement};
use shale_catalog::{CatalogError, ddl};
use shale_catalog::session::activity::{self, Identity};
use shale_catalog::session::interrupt::Reason;
use shale_catalog::session::settings::Settings;
use crate::protocol::wire::{error_info, feed_notices, send_error, send_outcome};

/// Serves every connection of one server.
pub struct Handler {
    store: Store,
    pids: RandomPidSecretKeyGenerator,
}

/// The per-connection session, kept in the connection's session extensions.
pub(crate) type SharedSession = Mutex<Session>;

impl Handler {
    /// A handler over `store`.
    pub fn new(store: Store) -> Self {
        Handler { store, pids: RandomPidSecretKeyGenerator::default() }
    }

    /// The connection's session, made at its first use.
    pub(crate) fn session<C: ClientInfo>(&self, client: &C) -> PgWireResult<Arc<SharedSession>> {
        if let Some(shared) = client.session_extensions().get::<SharedSession>() {
            return Ok(shared);
        }
        let meta = client.metadata();
        let user = meta.get(METADATA_USER).map(String::as_str).unwrap_or("postgres");
        let name = meta.get(METADATA_DATABASE).map(String::as_str).unwrap_or(user);
        let database = ddl::database_for_connection(&self.store, name).map_err(fatal_error)?;
        let app = meta.get(METADATA_APPLICATION_NAME).map(String::as_str);
        let (pid, secret) = client.pid_and_secret_key();
        let identity = Identity {
            pid,
            user: user.to_string(),
            database: database.name,
            database_id: database.id,
            started: activity::now_micros(),
            client: Some(client.socket_addr()),
            cancel_key: secret.to_bytes().to_vec(),
        };
        let session = Session::new(self.store.clone(), identity, app).map_err(user_error)?;
        Ok(client.session_extensions().get_or_insert_with(|| Mutex::new(session)))
    }
}

/// The session locked for one message, which can hand it to its thread.
pub(crate) type SessionGuard = OwnedMutexGuard<Session>;

/// Runs `work` on the session's thread (see `worker`) and gives the session back with
/// the result.
pub(crate) async fn on_thread<T, F>(mut session: SessionGuard, work: F) -> PgWireResult<(SessionGuard, T)>
where
    T: Send + 'static,
    F: for<'s> FnOnce(&'s mut Session) -> BoxFuture<'s, T> + Send + 'static,
{
    let worker = session.worker.clone();
    worker
        .run(async move {
            let result = work(&mut session).await;
            (session, result)
        })
        .await
        .map_err(user_error)
}

/// Ends the implicit transaction of a message (or of the extended protocol's messages up
/// to Sync): commits when `success`, else rolls back. A commit that waits for the disk
/// waits on the session's thread; ending anything else is quick enough for this one.
pub(crate) async fn end_implicit(mut session: SessionGuard, success: bool) -> PgWireResult<(SessionGuard, Result<(), CatalogError>)> {
    if session.implicit_commit_waits() {
        return on_thread(session, move |s| Box::pin(async move { s.end_implicit(success) })).await;
    }
    let ended = session.end_implicit(success);
    Ok((session, ended))
}

/// A CatalogError as the ErrorResponse pgwire sends.
pub(crate) fn user_error(e: CatalogError) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&e)))
}

/// A CatalogError that ends the connection (severity FATAL: pgwire closes it after
/// sending the ErrorResponse).
fn fatal_error(e: CatalogError) -> PgWireError {
    let mut info = error_info(&e);
    info.severity = "FATAL".to_string();
    info.severity_nonlocalized = Some("FATAL".to_string());
    PgWireError::UserError(Box::new(info))
}

/// The ParameterStatus values sent at startup.
struct StartupParameters;

impl ServerParameterProvider for StartupParameters {
    fn server_parameters<C: ClientInfo>(&self, client: &C) -> Option<HashMap<String, String>> {
        let meta = client.metadata();
        let user = meta.get(METADATA_USER).map(String::as_str).unwrap_or("postgres");
        let settings = Settings::new(user, meta.get(METADATA_APPLICATION_NAME).map(String::as_str));
        Some(settings.reported().into_iter().collect())
    }
}

#[async_trait]
impl StartupHandler for Handler {
    async fn on_startup<C>(&self, client: &mut C, message: PgWireFrontendMessage) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if let PgWireFrontendMessage::Startup(ref startup) = message {
            protocol_negotiation(client, startup).await?;
            save_startup_parameters_to_metadata(client, startup);
            let (pid, secret) = self.pids.generate(client);
            client.set_pid_and_secret_key(pid, secret);
            // The database named must exist (FATAL 3D000 otherwise), as in PostgreSQL.
            self.session(client)?;
            finish_authentication(client, &StartupParameters).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl SimpleQueryHandler for Handler {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        client.set_state(PgWireConnectionState::QueryInProgress);
        let mut session = self.session(client)?.lock_owned().await;
        let text: Arc<str> = Arc::from(query.query.as_str());
        session.handle.start_query(text.clone());
        let notices = session.handle.with_settings(|s| s.notices_enabled());
        let parsed;
        (session, parsed) = on_thread(session, move |s| Box::pin(parse_and_run_one(s, text))).await?;
        match parsed {
            Ok(steps) if steps.is_empty() => {
                client.feed(PgWireBackendMessage::EmptyQueryResponse(EmptyQueryResponse::new())).await?;
            }
            Ok(steps) => {
                if steps.len() > 1 {
                    session.begin_implicit();
                }
                let mut failed = false;
                for (i, step) in steps.into_iter().enumerate() {
                    let notices = if i == 0 { notices } else { session.handle.with_settings(|s| s.notices_enabled()) };
                    let executed = match step {
                        Step::Ran(outcome) => outcome,
                        Step::ToRun(Statement::Deallocate { name, .. }) => deallocate(client, &name),
                        Step::ToRun(stmt) => {
                            let discards_all = matches!(stmt, Statement::Discard { object_type: DiscardObject::ALL });
                            let executed;
                            (session, executed) =
                                on_thread(session, move |s| Box::pin(async move { s.execute_simple(stmt).await })).await?;
                            // DISCARD ALL deallocates the connection's prepared statements too.
                            if discards_all && executed.is_ok() {
                                client.portal_store().rm_named_statements();
                            }
                            executed
                        }
                    };
                    let sent = match executed {
                        Ok(outcome) => send_outcome(client, outcome, &session.handle).await?,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = sent {
                        feed_notices(client, &session.take_pending_notices(), notices).await?;
                        send_error(client, &e).await?;
                        failed = true;
                        break;
                    }
                }
                let ended;
                (session, ended) = end_implicit(session, !failed).await?;
                if let Err(e) = ended {
                    send_error(client, &e).await?;
                }
            }
            Err(e) => send_error(client, &e).await?,
        }
        session.finish_query();
        let status = session.transaction_status();
        if status == TransactionStatus::Idle {
            // The message's transaction has ended, and the portals with it.
            client.portal_store().clear_portals();
        }
        client.set_state(PgWireConnectionState::ReadyForQuery);
        client.set_transaction_status(status);
        send_ready_for_query(client, status).await
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        // `on_query` above streams each statement's result itself, so pgwire never calls
        // this; answer like PostgreSQL would to a protocol violation if it ever does.
        Err(PgWireError::UserError(Box::new(pgwire::error::ErrorInfo::new(
            "ERROR".into(),
            "08P01".into(),
            "unexpected simple query path".into(),
        ))))
    }
}

/// A statement of a simple Query message, run or still to run.
enum Step {
    /// Run already, with its outcome.
    Ran(Result<Outcome, CatalogError>),
    /// Still to run.
    ToRun(Statement),
}

/// Parses a simple Query message on the session's thread, and when it holds a single
/// statement runs it there too, so that a message of one statement (the usual kind) goes to
/// the session's thread and back once. DEALLOCATE, which acts on the connection's
/// statements, is left to run on the connection.
async fn parse_and_run_one(session: &mut Session, text: Arc<str>) -> Result<Vec<Step>, CatalogError> {
    let mut statements = parse_statements(&text)?;
    if statements.len() == 1 && !matches!(statements[0], Statement::Deallocate { .. }) {
        let stmt = statements.remove(0);
        return Ok(vec![Step::Ran(session.execute_simple(stmt).await)]);
    }
    Ok(statements.into_iter().map(Step::ToRun).collect())
}

/// The handlers pgwire asks for on each connection: all the same shared [`Handler`].
pub struct Handlers {
    handler: Arc<Handler>,
}

impl Handlers {
    /// Handlers serving `store`.
    pub fn new(store: Store) -> Self {
        Handlers { handler: Arc::new(Handler::new(store)) }
    }
}

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.handler.clone()
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.handler.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl pgwire::api::query::ExtendedQueryHandler> {
        self.handler.clone()
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.handler.clone()
    }

    /// Fails the transaction block on the errors pgwire answers by itself
    /// (`failed_messages`).
    fn error_handler(&self) -> Arc<impl pgwire::api::ErrorHandler> {
        self.handler.clone()
    }
}

#[async_trait]
impl CancelHandler for Handler {
    /// A CancelRequest stops the running statement of the session it names, when its
    /// secret key is the one that session was given; otherwise it is ignored, as in
    /// PostgreSQL.
    async fn on_cancel_request(&self, request: CancelRequest) {
        let Some(handle) = activity::get(request.pid) else { return };
        if handle.identity().cancel_key == request.secret_key.to_bytes().as_ref() {
            handle.interrupt().request(Reason::UserRequest);
        }
    }
}

/// `DEALLOCATE [PREPARE] name`: forgets the prepared statement `name` (one a Parse message
/// made: Shale has no SQL-level PREPARE); `DEALLOCATE [PREPARE] ALL` forgets every named
/// one, as in PostgreSQL (the unnamed statement stays).
pub(crate) fn deallocate<C>(client: &C, name: &Ident) -> Result<Outcome, CatalogError>
where
    C: ClientPortalStore,
    C::PortalStore: PortalStore,
{
    let store = client.portal_store();
    if name.quote_style.is_none() && name.value.eq_ignore_ascii_case("all") {
        store.rm_named_statements();
        return Ok(Outcome::command("DEALLOCATE ALL"));
    }
    let name = crate::sql::names::ident(name);
    let name = name.as_str();
    if store.get_statement(name).is_none_or(|entry| entry.is_empty()) {
        return Err(CatalogError::new("26000", format!("prepared statement \"{name}\" does not exist")));
    }
    store.rm_statement(name);
    Ok(Outcome::command("DEALLOCATE"))
}
