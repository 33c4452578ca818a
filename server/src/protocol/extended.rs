//! The extended query protocol: Parse describes the statement (parameter types, result
//! columns); Execute runs it with the parameter values bound, from a plan made once
//! (`plan_cache`).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, SinkExt, stream};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::{Entry, PortalStore};
use pgwire::api::{ClientInfo, ClientPortalStore, DEFAULT_NAME, PgWireConnectionState, Type};
use pgwire::messages::data::{NoData, ParameterDescription};
use pgwire::messages::extendedquery::{Bind, BindComplete, Describe, Sync as PgSync, TARGET_TYPE_BYTE_STATEMENT};
use pgwire::messages::response::{ReadyForQuery, TransactionStatus};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::sql::sqlparser::ast::Statement;
use shale_catalog::{CatalogError, SessionHandle, sqlstate};

use crate::encode::pg_type_of;
use crate::protocol::rows::encode_batch;
use crate::protocol::handler::{Handler, SharedSession, end_implicit, on_thread, user_error};
use crate::session::outcome::StatementResult;
use crate::protocol::formats;
use crate::protocol::params::parameter;
use crate::plan::plan_cache::{PlanCache, PreparedRef};
use crate::sql::parse::parse_statements;
use crate::protocol::wire::{feed_notices, feed_parameters, row_fields, send_error};

/// A statement prepared by Parse.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The statement's text, as `pg_stat_activity` shows it while it runs.
    text: Arc<str>,
    stmt: Statement,
    params: Vec<Type>,
    rows: Option<(SchemaRef, Vec<String>)>,
    cache: PlanCache,
}

/// Parses and describes statements for the extended protocol.
#[derive(Debug, Default)]
pub struct ShaleParser;

fn session_of<C: ClientInfo>(client: &C) -> PgWireResult<Arc<SharedSession>> {
    client
        .session_extensions()
        .get::<SharedSession>()
        .ok_or_else(|| user_error(CatalogError::internal("no session for this connection")))
}

#[async_trait]
impl QueryParser for ShaleParser {
    type Statement = Prepared;

    async fn parse_sql<C>(&self, client: &C, sql: &str, types: &[Option<Type>]) -> PgWireResult<Option<Prepared>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        let session = session_of(client)?.lock_owned().await;
        let text = sql.to_string();
        let (_, parsed) = on_thread(session, move |session| {
            Box::pin(async move {
                let mut statements = parse_statements(&text)?;
                let stmt = match statements.len() {
                    0 => return Ok(None),
                    1 => statements.remove(0),
                    _ => {
                        return Err(CatalogError::new(
                            sqlstate::SYNTAX_ERROR,
                            "cannot insert multiple commands into a prepared statement",
                        ));
                    }
                };
                let description = session.describe(&stmt).await?;
                Ok(Some((stmt, description)))
            })
        })
        .await?;
        let Some((stmt, description)) = parsed.map_err(user_error)? else { return Ok(None) };
        let count = description.params.len().max(types.len());
        let params = (0..count)
            .map(|i| match types.get(i).cloned().flatten() {
                Some(declared) => declared,
                None => match description.params.get(i).cloned().flatten() {
                    Some(field) => pg_type_of(&field).ty,
                    None => Type::TEXT,
                },
            })
            .collect();
        Ok(Some(Prepared { text: Arc::from(sql), stmt, params, rows: description.rows, cache: PlanCache::new(description.key) }))
    }

    fn get_parameter_types(&self, stmt: &Prepared) -> PgWireResult<Vec<Type>> {
        Ok(stmt.params.clone())
    }

    fn get_result_schema(&self, stmt: &Prepared, format: Option<&Format>) -> PgWireResult<Vec<FieldInfo>> {
        let Some((schema, names)) = &stmt.rows else { return Ok(vec![]) };
        let (fields, _) = row_fields(schema, names, format);
        Ok(fields.as_ref().clone())
    }
}

/// The portal's parameter values as typed SQL literals.
fn literals(portal: &Portal<Prepared>) -> Result<Vec<datafusion::sql::sqlparser::ast::Expr>, CatalogError> {
    let prepared = &portal.statement.statement;
    prepared
        .params
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let value = portal.parameters.get(i).and_then(|v| v.as_ref());
            parameter(value, ty, portal.parameter_format.code_for(i), i + 1)
        })
        .collect()
}

#[async_trait]
impl ExtendedQueryHandler for Handler {
    type Statement = Prepared;
    type QueryParser = ShaleParser;

    fn query_parser(&self) -> Arc<ShaleParser> {
        Arc::new(ShaleParser)
    }

    /// As pgwire's, except that a statement returning no rows is described by NoData even
    /// when it has parameters (pgwire sends an empty RowDescription then).
    async fn on_describe<C>(&self, client: &mut C, message: Describe) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if message.target_type == TARGET_TYPE_BYTE_STATEMENT {
            let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
            if let Some(Entry::Value(stmt)) = client.portal_store().get_statement(name) {
                if stmt.statement.rows.is_none() {
                    let response = self.do_describe_statement(client, &stmt).await?;
                    let types = response.parameters.iter().map(|t| t.oid()).collect();
                    client.feed(PgWireBackendMessage::ParameterDescription(ParameterDescription::new(types))).await?;
                    client.send(PgWireBackendMessage::NoData(NoData::new())).await?;
                    return Ok(());
                }
            }
        }
        self._on_describe(client, message).await
    }

    /// As pgwire's, except that the parameter count and values and the format codes are
    /// checked here, in PostgreSQL's order, so that a bad value fails Bind (before
    /// BindComplete) as in PostgreSQL.
    async fn on_bind<C>(&self, client: &mut C, message: Bind) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let name = message.statement_name.as_deref().unwrap_or(DEFAULT_NAME);
        let portal_name = message.portal_name.as_deref().unwrap_or(DEFAULT_NAME);
        let (required, statement) = match client.portal_store().get_statement(name) {
            Some(Entry::Value(statement)) => (statement.statement.params.len(), Some(statement)),
            Some(Entry::Empty) => (0, None),
            None => return Err(PgWireError::StatementNotFound(name.to_owned())),
        };
        formats::check_parameter_count(&message).map_err(user_error)?;
        if message.parameters.len() != required {
            let shown = message.statement_name.as_deref().unwrap_or("");
            return Err(user_error(CatalogError::new(
                sqlstate::PROTOCOL_VIOLATION,
                format!(
                    "bind message supplies {} parameters, but prepared statement \"{shown}\" requires {required}",
                    message.parameters.len()
                ),
            )));
        }
        match statement {
            Some(statement) => {
                let portal = Portal::try_new(&message, statement)?;
                let values = literals(&portal).map_err(user_error)?;
                let columns = portal.statement.statement.rows.as_ref().map(|(schema, _)| schema.fields().len());
                formats::check_result_count(&message, columns).map_err(user_error)?;
                // Parameter values are flat: computing them needs no thread of its own.
                let shared = self.session(client)?;
                shared.lock().await.check_bind(&portal.statement.statement.stmt, &values).map_err(user_error)?;
                client.portal_store().put_portal(Arc::new(portal));
            }
            None => client.portal_store().put_empty_portal(portal_name),
        }
        client.send(PgWireBackendMessage::BindComplete(BindComplete::new())).await?;
        Ok(())
    }

    /// Sync ends the implicit transaction of the messages before it, as in PostgreSQL:
    /// it commits, or rolls back when one of them failed (the connection then waits for
    /// this Sync, skipping the rest).
    async fn on_sync<C>(&self, client: &mut C, _message: PgSync) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let failed = matches!(client.state(), PgWireConnectionState::AwaitingSync);
        let session = self.session(client)?.lock_owned().await;
        let (session, ended) = end_implicit(session, !failed).await?;
        if let Err(e) = ended {
            send_error(client, &e).await?;
        }
        let status = session.transaction_status();
        // Portals belong to their transaction: all of them end with it, as in PostgreSQL
        // (so a client that never closes them keeps none); in a block, only the unnamed one.
        match status {
            TransactionStatus::Idle => client.portal_store().clear_portals(),
            _ => client.portal_store().rm_portal(DEFAULT_NAME),
        }
        client.set_transaction_status(status);
        client.send(PgWireBackendMessage::ReadyForQuery(ReadyForQuery::new(status))).await?;
        Ok(())
    }

    async fn do_query<C>(&self, client: &mut C, portal: &Portal<Prepared>, _max_rows: usize) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = &portal.statement.statement;
        let values = literals(portal).map_err(user_error)?;
        let session = self.session(client)?.lock_owned().await;
        // DEALLOCATE acts on the connection's statements (psycopg sends DEALLOCATE ALL).
        if let Statement::Deallocate { name, .. } = &prepared.stmt {
            let outcome = crate::protocol::handler::deallocate(client, name).map_err(user_error)?;
            return response(outcome.result, &portal.result_column_format, &session.handle);
        }
        // EXPLAIN ... EXECUTE name(args) explains a statement a Parse prepared (sqlx).
        if let Some((name, args)) = crate::plan::explain::executed(&prepared.stmt) {
            let target = client.portal_store().get_statement(&name).and_then(|entry| entry.value().map(|s| s.statement.stmt.clone())).ok_or_else(|| {
                user_error(CatalogError::new("26000", format!("prepared statement \"{name}\" does not exist")))
            })?;
            let explain = crate::plan::explain::of_prepared(&prepared.stmt, target, &args).map_err(user_error)?;
            let (session, outcome) = on_thread(session, move |s| Box::pin(async move { s.execute(explain).await })).await?;
            return response(outcome.map_err(user_error)?.result, &portal.result_column_format, &session.handle);
        }
        let statement = portal.statement.clone();
        let (session, outcome) = on_thread(session, move |session| {
            Box::pin(async move {
                let prepared = &statement.statement;
                // Every statement up to the next Sync runs in one implicit transaction.
                session.begin_implicit();
                session.handle.start_query(prepared.text.clone());
                let prepared = PreparedRef {
                    stmt: &prepared.stmt,
                    params: &prepared.params,
                    rows: prepared.rows.as_ref(),
                    cache: &prepared.cache,
                };
                let outcome = session.execute_prepared(&prepared, values).await;
                session.finish_query();
                outcome
            })
        })
        .await?;
        let outcome = outcome.map_err(user_error)?;
        feed_notices(client, &outcome.notices, session.handle.with_settings(|s| s.notices_enabled())).await?;
        // The extended protocol's CommandComplete is sent by pgwire after this returns, so a
        // changed setting is reported just before it.
        feed_parameters(client, outcome.parameters.clone()).await?;
        response(outcome.result, &portal.result_column_format, &session.handle)
    }
}

/// The extended protocol's response to a statement's result: its command tag, or its rows
/// in the formats Bind asked for.
fn response(result: StatementResult, format: &Format, handle: &SessionHandle) -> PgWireResult<Response> {
    Ok(match result {
        StatementResult::Command(tag) => match tag.as_str() {
            "BEGIN" => Response::TransactionStart(Tag::new(&tag)),
            "COMMIT" | "ROLLBACK" => Response::TransactionEnd(Tag::new(&tag)),
            _ => Response::Execution(Tag::new(&tag)),
        },
        StatementResult::Rows(rows) => {
            if rows.batches.iter().any(|batch| batch.num_rows() > 0) {
                formats::check_result_codes(format).map_err(user_error)?;
            }
            let (fields, types) = row_fields(&rows.schema, &rows.names, Some(format));
            let formats: Vec<_> = fields.iter().map(|f| f.format()).collect();
            let mut data = Vec::new();
            for batch in &rows.batches {
                data.extend(encode_batch(handle, batch, &types, &formats).map_err(user_error)?);
            }
            let mut response = QueryResponse::new(fields, stream::iter(data.into_iter().map(Ok)));
            response.set_command_tag(&rows.command);
            Response::Query(response)
        }
    })
}
