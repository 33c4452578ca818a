//! SET, RESET and SHOW.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::sql::sqlparser::ast::{Expr, Ident, Reset, Set, Value};
use shale_catalog::CatalogError;
use shale_catalog::session::settings::Settings;

use crate::session::outcome::{Outcome, RowSet};
use crate::session::Session;

impl Session {
    /// `SET name = value` / `SET name TO DEFAULT` / `SET TIME ZONE value`.
    pub(crate) fn set(&mut self, set: Set) -> Result<Outcome, CatalogError> {
        let (name, value) = match set {
            Set::SingleAssignment { variable, values, .. } => (variable.to_string(), setting_value(&values)?),
            Set::SetTimeZone { value, .. } => ("TimeZone".to_string(), setting_value(&[value])?),
            Set::SetNames { charset_name, .. } => ("client_encoding".to_string(), Some(charset_name.value)),
            other => return Err(CatalogError::unsupported(format!("SET form {other}"))),
        };
        self.handle.with_settings(|s| s.set(&name, value))?;
        Ok(Outcome::command("SET"))
    }

    /// `RESET name` / `RESET ALL`: back to the default.
    pub(crate) fn reset(&mut self, reset: Reset) -> Result<Outcome, CatalogError> {
        match reset {
            Reset::ConfigurationParameter(name) => self.handle.with_settings(|s| s.set(&name.to_string(), None))?,
            Reset::ALL => self.handle.with_settings(|s| s.reset_all()),
        }
        Ok(Outcome::command("RESET"))
    }

    /// `SHOW name`; `transaction_isolation` and `transaction_read_only` are the open
    /// transaction's (or the next one's).
    pub(crate) fn show(&self, variable: &[Ident]) -> Result<Outcome, CatalogError> {
        let (column, key) = show_target(variable)?;
        let mode = self.mode();
        let value = match column.as_str() {
            "transaction_isolation" => mode.level.name().to_string(),
            "transaction_read_only" => if mode.read_only { "on" } else { "off" }.to_string(),
            _ => self.handle.with_settings(|s| s.get(&key).map(str::to_string))?,
        };
        let schema = Arc::new(Schema::new(vec![Field::new(&column, DataType::Utf8, false)]));
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(vec![value]))])
            .map_err(|e| CatalogError::internal(e.to_string()))?;
        Ok(Outcome::rows(RowSet { schema, names: vec![column], batches: vec![batch], command: "SHOW".into() }))
    }
}

/// The column SHOW names its result after, and the setting it reads.
pub(crate) fn show_target(variable: &[Ident]) -> Result<(String, String), CatalogError> {
    let name = variable.iter().map(|i| i.value.as_str()).collect::<Vec<_>>().join(" ");
    Ok(match name.to_lowercase().as_str() {
        "time zone" => ("TimeZone".to_string(), "TimeZone".to_string()),
        "transaction isolation level" => ("transaction_isolation".to_string(), "transaction_isolation".to_string()),
        "all" => return Err(CatalogError::unsupported("SHOW ALL")),
        lower => (Settings::spelling(lower).map_or_else(|| lower.to_string(), str::to_string), name.clone()),
    })
}

/// The value of a SET: identifiers and literals joined with ", " (as PostgreSQL shows a
/// list), `None` for DEFAULT.
fn setting_value(values: &[Expr]) -> Result<Option<String>, CatalogError> {
    let mut parts = Vec::new();
    for v in values {
        let part = match v {
            Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") => {
                return Ok(None);
            }
            Expr::Identifier(i) if i.quote_style == Some('"') => format!("\"{}\"", i.value),
            Expr::Identifier(i) => i.value.clone(),
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
                Value::Number(n, _) => n.clone(),
                Value::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
                other => other.to_string(),
            },
            Expr::UnaryOp { .. } => v.to_string(),
            other => return Err(CatalogError::unsupported(format!("SET value {other}"))),
        };
        parts.push(part);
    }
    Ok(Some(parts.join(", ")))
}
