//! The pgwire handlers: startup (no authentication yet) and the simple query protocol.
//! One handler serves every connection; each connection's [`Session`] lives in its
//! session extensions.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, SinkExt};
use pgwire::api::auth::{
    ServerParameterProvider, StartupHandler, finish_authentication, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::query::{SimpleQueryHandler, send_ready_for_query};
use pgwire::api::results::Response;
use pgwire::api::store::PortalStore;
use pgwire::api::{
    ClientInfo, ClientPortalStore, METADATA_APPLICATION_NAME, METADATA_DATABASE, METADATA_USER,
    PgWireConnectionState, PgWireServerHandlers, PidSecretKeyGenerator, RandomPidSecretKeyGenerator,
};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::response::EmptyQueryResponse;
use pgwire::messages::simplequery::Query;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use shale_storage::Store;
use tokio::sync::Mutex;

use crate::parse::parse_statements;
use crate::outcome::Outcome;
use crate::session::Session;
use datafusion::sql::sqlparser::ast::Statement;
use shale_catalog::CatalogError;
use shale_catalog::activity::{self, Identity};
use shale_catalog::settings::Settings;
use crate::wire::{feed_notices, send_error, send_outcome};

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

    pub(crate) fn session<C: ClientInfo>(&self, client: &C) -> Arc<SharedSession> {
        client.session_extensions().get_or_insert_with(|| {
            let meta = client.metadata();
            let user = meta.get(METADATA_USER).map(String::as_str).unwrap_or("postgres");
            let database = meta.get(METADATA_DATABASE).map(String::as_str).unwrap_or(user);
            let app = meta.get(METADATA_APPLICATION_NAME).map(String::as_str);
            let identity = Identity {
                pid: client.pid_and_secret_key().0,
                user: user.to_string(),
                database: database.to_string(),
                started: activity::now_micros(),
                client: Some(client.socket_addr()),
            };
            Mutex::new(Session::new(self.store.clone(), identity, app))
        })
    }
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
            finish_authentication(client, &StartupParameters).await?;
            self.session(client);
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
        let shared = self.session(client);
        let mut session = shared.lock().await;
        session.handle.start_query(Arc::from(query.query.as_str()));
        match parse_statements(&query.query) {
            Ok(statements) if statements.is_empty() => {
                client.feed(PgWireBackendMessage::EmptyQueryResponse(EmptyQueryResponse::new())).await?;
            }
            Ok(statements) => {
                if statements.len() > 1 {
                    session.begin_implicit();
                }
                let mut failed = false;
                for stmt in statements {
                    let notices = session.handle.with_settings(|s| s.notices_enabled());
                    let executed = match stmt {
                        Statement::Deallocate { name, .. } => deallocate(client, &name.value),
                        stmt => session.execute_simple(stmt).await,
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
                if let Err(e) = session.end_implicit(!failed) {
                    send_error(client, &e).await?;
                }
            }
            Err(e) => send_error(client, &e).await?,
        }
        session.finish_query();
        let status = session.transaction_status();
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

    /// Fails the transaction block on the errors pgwire answers by itself
    /// (`failed_messages`).
    fn error_handler(&self) -> Arc<impl pgwire::api::ErrorHandler> {
        self.handler.clone()
    }
}

/// `DEALLOCATE name`: forgets the prepared statement `name` (one a Parse message made:
/// Shale has no SQL-level PREPARE).
fn deallocate<C>(client: &C, name: &str) -> Result<Outcome, CatalogError>
where
    C: ClientPortalStore,
    C::PortalStore: PortalStore,
{
    if name.eq_ignore_ascii_case("all") {
        return Err(CatalogError::unsupported("DEALLOCATE ALL"));
    }
    let store = client.portal_store();
    if store.get_statement(name).is_none_or(|entry| entry.is_empty()) {
        return Err(CatalogError::new("26000", format!("prepared statement \"{name}\" does not exist")));
    }
    store.rm_statement(name);
    Ok(Outcome::command("DEALLOCATE"))
}
