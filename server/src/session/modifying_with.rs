//! Statements whose WITH queries change data (`WITH moved AS (DELETE ... RETURNING *)
//! INSERT INTO archive SELECT * FROM moved`): run and described by
//! `shale_catalog::access::dml::run_with_changes` and `describe_with_changes`; here, their
//! command tag and column names, which are the main statement's.

use datafusion::sql::sqlparser::ast::{Query, SetExpr, Statement};
use shale_catalog::CatalogError;
use shale_catalog::access::dml;

use crate::plan::describe::Description;
use crate::session::Session;
use crate::session::execute::{dml_command, dml_names, dml_outcome};
use crate::session::outcome::Outcome;
use crate::sql::names;

/// The main statement's command: `INSERT`, `UPDATE`, `DELETE` or `SELECT`.
pub(crate) fn main_command(query: &Query) -> &'static str {
    match query.body.as_ref() {
        SetExpr::Insert(_) => "INSERT",
        SetExpr::Update(_) => "UPDATE",
        SetExpr::Delete(_) => "DELETE",
        _ => "SELECT",
    }
}

/// The main statement's command tag (before its row count) and the names of the columns
/// it returns.
fn tag_and_names(query: &Query) -> (&'static str, Option<Vec<String>>) {
    match query.body.as_ref() {
        SetExpr::Insert(stmt) | SetExpr::Update(stmt) | SetExpr::Delete(stmt) => {
            (dml_command(stmt).unwrap_or("SELECT"), dml_names(stmt))
        }
        _ => ("SELECT", names::output_names(query)),
    }
}

impl Session {
    /// Runs a statement with data-modifying WITH queries.
    pub(crate) async fn with_changes(&mut self, query: Query) -> Result<Outcome, CatalogError> {
        let (command, names) = tag_and_names(&query);
        let outcome = dml::run_with_changes(&self.dml(), query).await?;
        Ok(dml_outcome(command, outcome, names))
    }

    /// Describes a statement with data-modifying WITH queries.
    pub(crate) async fn describe_with_changes(&mut self, query: &Query) -> Result<Description, CatalogError> {
        let (_, names) = tag_and_names(query);
        let described = dml::describe_with_changes(&self.dml(), query.clone()).await?;
        let params = crate::plan::describe::params_from(described.params);
        let rows = described.rows.map(|schema| {
            let names = names
                .filter(|n| n.len() == schema.fields().len())
                .unwrap_or_else(|| schema.fields().iter().map(|f| crate::sql::rewrite::shown_name(f.name()).to_string()).collect());
            (schema, names)
        });
        Ok(Description { params, rows, ..Default::default() })
    }
}

/// Whether `stmt` is a statement with data-modifying WITH queries.
pub(crate) fn changes_data(stmt: &Statement) -> bool {
    matches!(stmt, Statement::Query(q) if dml::changes_data(q))
}
