//! Putting outcomes on the wire: notices, ParameterStatus, RowDescription, DataRows,
//! CommandComplete and ErrorResponse.

use std::fmt::Debug;
use std::sync::Arc;

use futures::{Sink, SinkExt};
use pgwire::api::results::{FieldFormat, FieldInfo};
use pgwire::messages::data::RowDescription;
use pgwire::messages::response::CommandComplete;
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::startup::ParameterStatus;
use shale_catalog::{CatalogError, SessionHandle};
use shale_pgtypes::types::{ATTNUM_KEY, TABLE_OID_KEY};

use datafusion::arrow::datatypes::{Field, SchemaRef};
use pgwire::api::portal::Format;

use crate::encode::{PgColumnType, pg_type_of};
use crate::protocol::rows::encode_batch;
use crate::session::outcome::{Notice, Outcome, StatementResult};

/// A PostgreSQL ErrorResponse for `e`.
pub fn error_info(e: &CatalogError) -> ErrorInfo {
    let mut info = ErrorInfo::new(e.severity.to_string(), e.code.to_string(), e.message.clone());
    info.severity_nonlocalized = Some(e.severity.to_string());
    info.detail = e.detail.clone();
    info.hint = e.hint.clone();
    info
}

fn notice_response(n: &Notice) -> NoticeResponse {
    let mut info = ErrorInfo::new(n.severity.to_string(), n.code.to_string(), n.message.clone());
    info.severity_nonlocalized = Some(n.severity.to_string());
    info.detail = n.detail.clone();
    NoticeResponse::from(info)
}

/// The RowDescription fields of rows with `schema` and `names`, in the formats the client
/// asked for (text when `format` is `None`), and each column's PostgreSQL type.
pub fn row_fields(schema: &SchemaRef, names: &[String], format: Option<&Format>) -> (Arc<Vec<FieldInfo>>, Vec<PgColumnType>) {
    let types: Vec<PgColumnType> = schema.fields().iter().map(|f| pg_type_of(f)).collect();
    let fields = names
        .iter()
        .zip(&types)
        .zip(schema.fields())
        .enumerate()
        .map(|(i, ((name, t), field))| {
            let format = format.map_or(FieldFormat::Text, |f| f.format_for(i));
            let (table, attnum) = origin(field);
            FieldInfo::new(name.clone(), table, attnum, t.ty.clone(), format)
                .with_type_modifier(t.typmod)
                .with_type_size(t.typlen)
        })
        .collect();
    (Arc::new(fields), types)
}

/// The table OID and attribute number of a column read straight from a table (as the
/// table provider marks its fields); `None` for computed columns.
fn origin(field: &Field) -> (Option<i32>, Option<i16>) {
    let meta = field.metadata();
    let table = meta.get(TABLE_OID_KEY).and_then(|v| v.parse::<u32>().ok());
    let attnum = meta.get(ATTNUM_KEY).and_then(|v| v.parse::<i16>().ok());
    match (table, attnum) {
        // The wire field is an int32 holding the unsigned OID.
        (Some(table), Some(attnum)) => (Some(table as i32), Some(attnum)),
        _ => (None, None),
    }
}

/// Sends the notices of an outcome (all of them, or only warnings).
pub async fn feed_notices<C>(client: &mut C, list: &[Notice], notices: bool) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    for n in list.iter().filter(|n| notices || n.severity != "NOTICE") {
        client.feed(PgWireBackendMessage::NoticeResponse(notice_response(n))).await?;
    }
    Ok(())
}

/// Sends ParameterStatus for the reported settings a statement changed (PostgreSQL sends
/// them after the statement's CommandComplete).
pub async fn feed_parameters<C>(client: &mut C, parameters: Vec<(String, String)>) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    for (name, value) in parameters {
        client.feed(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(name, value))).await?;
    }
    Ok(())
}

/// Sends one statement's outcome in the simple protocol: side messages, RowDescription and
/// DataRows (text format), CommandComplete. Rows are encoded before anything is sent, so a
/// value that cannot be encoded fails the statement (the inner error) with nothing sent.
pub async fn send_outcome<C>(client: &mut C, outcome: Outcome, handle: &SessionHandle) -> PgWireResult<Result<(), CatalogError>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let notices = handle.with_settings(|s| s.notices_enabled());
    let Outcome { notices: list, parameters, result } = outcome;
    let (tag, messages) = match result {
        StatementResult::Command(tag) => (tag, Vec::new()),
        StatementResult::Rows(rows) => {
            let (fields, types) = row_fields(&rows.schema, &rows.names, None);
            let formats = vec![FieldFormat::Text; types.len()];
            let mut messages = vec![PgWireBackendMessage::RowDescription(RowDescription::new(
                fields.iter().map(Into::into).collect(),
            ))];
            for batch in &rows.batches {
                match encode_batch(handle, batch, &types, &formats) {
                    Ok(data) => messages.extend(data.into_iter().map(PgWireBackendMessage::DataRow)),
                    Err(e) => return Ok(Err(e)),
                }
            }
            let count = messages.len() - 1;
            let tag = match rows.command.as_str() {
                // PostgreSQL's SHOW and EXPLAIN tags carry no row count.
                "SHOW" | "EXPLAIN" => rows.command,
                command => format!("{command} {count}"),
            };
            (tag, messages)
        }
    };
    feed_notices(client, &list, notices).await?;
    for message in messages {
        client.feed(message).await?;
    }
    client.feed(PgWireBackendMessage::CommandComplete(CommandComplete::new(tag))).await?;
    feed_parameters(client, parameters).await?;
    Ok(Ok(()))
}

/// Sends an ErrorResponse.
pub async fn send_error<C>(client: &mut C, e: &CatalogError) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    client.feed(PgWireBackendMessage::ErrorResponse(error_info(e).into())).await?;
    Ok(())
}
