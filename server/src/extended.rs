//! The extended query protocol: Parse describes the statement (parameter types, result
//! columns); Execute runs it with the parameter values bound, from a plan made once
//! (`plan_cache`).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, stream};
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{FieldInfo, QueryResponse, Response, Tag};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use datafusion::arrow::datatypes::{Field, SchemaRef};
use datafusion::sql::sqlparser::ast::Statement;
use shale_catalog::{CatalogError, sqlstate};

use crate::encode::pg_type_of;
use crate::rows::encode_batch;
use crate::handler::{Handler, SharedSession};
use crate::outcome::StatementResult;
use crate::params::literal;
use crate::plan_cache::{PlanCache, PreparedRef};
use crate::parse::parse_statements;
use crate::wire::{error_info, feed_notices, feed_parameters, row_fields};

/// A statement prepared by Parse.
#[derive(Debug, Clone)]
pub struct Prepared {
    stmt: Statement,
    params: Vec<Type>,
    rows: Option<(SchemaRef, Vec<String>)>,
    cache: PlanCache,
}

/// Parses and describes statements for the extended protocol.
#[derive(Debug, Default)]
pub struct ShaleParser;

fn user_error(e: CatalogError) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&e)))
}

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
        let mut statements = parse_statements(sql).map_err(user_error)?;
        let stmt = match statements.len() {
            0 => return Ok(None),
            1 => statements.remove(0),
            _ => {
                return Err(user_error(CatalogError::new(
                    sqlstate::SYNTAX_ERROR,
                    "cannot insert multiple commands into a prepared statement",
                )));
            }
        };
        let shared = session_of(client)?;
        let description = shared.lock().await.describe(&stmt).await.map_err(user_error)?;
        let count = description.params.len().max(types.len());
        let params = (0..count)
            .map(|i| match types.get(i).cloned().flatten() {
                Some(declared) => declared,
                None => match description.params.get(i).cloned().flatten() {
                    Some(dt) => pg_type_of(&Field::new("", dt, true)).ty,
                    None => Type::TEXT,
                },
            })
            .collect();
        Ok(Some(Prepared { stmt, params, rows: description.rows, cache: PlanCache::new(description.key) }))
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

#[async_trait]
impl ExtendedQueryHandler for Handler {
    type Statement = Prepared;
    type QueryParser = ShaleParser;

    fn query_parser(&self) -> Arc<ShaleParser> {
        Arc::new(ShaleParser)
    }

    async fn do_query<C>(&self, client: &mut C, portal: &Portal<Prepared>, _max_rows: usize) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = Prepared>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let prepared = &portal.statement.statement;
        let values = prepared
            .params
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                let value = portal.parameters.get(i).and_then(|v| v.as_ref());
                literal(value, ty, portal.parameter_format.format_for(i))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(user_error)?;
        let shared = self.session(client);
        let mut session = shared.lock().await;
        let prepared = PreparedRef {
            stmt: &prepared.stmt,
            params: &prepared.params,
            rows: prepared.rows.as_ref(),
            cache: &prepared.cache,
        };
        let outcome = session.execute_prepared(&prepared, values).await.map_err(user_error)?;
        feed_notices(client, &outcome.notices, session.settings.notices_enabled()).await?;
        // The extended protocol's CommandComplete is sent by pgwire after this returns, so a
        // changed setting is reported just before it.
        feed_parameters(client, outcome.parameters.clone()).await?;
        Ok(match outcome.result {
            StatementResult::Command(tag) => match tag.as_str() {
                "BEGIN" => Response::TransactionStart(Tag::new(&tag)),
                "COMMIT" | "ROLLBACK" => Response::TransactionEnd(Tag::new(&tag)),
                _ => Response::Execution(Tag::new(&tag)),
            },
            StatementResult::Rows(rows) => {
                let (fields, types) = row_fields(&rows.schema, &rows.names, Some(&portal.result_column_format));
                let formats: Vec<_> = fields.iter().map(|f| f.format()).collect();
                let mut data = Vec::new();
                for batch in &rows.batches {
                    data.extend(encode_batch(batch, &types, &formats).map_err(user_error)?);
                }
                let mut response = QueryResponse::new(fields, stream::iter(data.into_iter().map(Ok)));
                response.set_command_tag(&rows.command);
                Response::Query(response)
            }
        })
    }
}
