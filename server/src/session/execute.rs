//! Routing of a statement inside its transaction: queries to DataFusion, DDL and DML to the
//! catalog, EXPLAIN to DataFusion's planner.

use std::sync::Arc;

use datafusion::arrow::array::StringArray;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::{ExecutionPlan, collect, displayable};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    CreateTable, CreateTableOptions, CreateView, DataType, ObjectType, Query, SelectInto, SetExpr, Statement,
};
use shale_catalog::session::blocking::blocking;
use shale_catalog::ddl::{self, DdlContext, DdlOutcome};
use shale_catalog::access::dml::{self, DmlContext, DmlOutcome};
use shale_catalog::CatalogError;

use crate::sql::names;
use crate::session::outcome::{Notice, Outcome, RowSet};
use crate::session::Session;

impl Session {
    /// Executes a statement in the current transaction.
    pub(crate) async fn run(&mut self, stmt: Statement) -> Result<Outcome, CatalogError> {
        match stmt {
            // Boxed, as a large future that other statements would carry on the stack.
            Statement::Query(q) if select_into(&q).is_some() => Box::pin(self.select_into(*q)).await,
            Statement::Query(q) if dml::changes_data(&q) => Box::pin(self.with_changes(*q)).await,
            // SELECT ... FOR UPDATE locks its rows as DML writes its own.
            Statement::Query(_) if dml::is_locking_select(&stmt) => self.dml_statement(stmt).await,
            Statement::Query(_) => self.query(stmt).await,
            Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => self.dml_statement(stmt).await,
            // DDL writes catalog keys, and may wait for another transaction's locks on them.
            Statement::CreateTable(create) if create.query.is_some() => Box::pin(self.create_table_as(create)).await,
            Statement::CreateTable(create) => Ok(ddl_outcome(blocking(|| ddl::create_table(&self.ddl(), &create))?)),
            Statement::CreateSequence { temporary, if_not_exists, name, data_type, sequence_options, owned_by } => {
                let create = ddl::CreateSequence {
                    name: &name,
                    if_not_exists,
                    temporary,
                    data_type: data_type.as_ref(),
                    options: &sequence_options,
                    owned_by: owned_by.as_ref(),
                };
                Ok(ddl_outcome(blocking(|| ddl::create_sequence(&self.ddl(), &create))?))
            }
            Statement::Vacuum(vacuum) => {
                let in_block = self.open.is_some();
                Ok(ddl_outcome(ddl::vacuum(&self.ddl(), &vacuum, in_block)?))
            }
            Statement::Discard { object_type } => self.discard(object_type),
            Statement::Truncate(truncate) => Ok(ddl_outcome(blocking(|| ddl::truncate(&self.ddl(), &truncate))?)),
            Statement::CreateIndex(create) => Ok(ddl_outcome(blocking(|| ddl::create_index(&self.ddl(), &create))?)),
            Statement::Reindex(reindex) => {
                // A block, or the implicit transaction of several statements.
                let in_block = self.open.is_some();
                Ok(ddl_outcome(blocking(|| ddl::reindex(&self.ddl(), &reindex, in_block))?))
            }
            Statement::AlterIndex { name, operation } => {
                Ok(ddl_outcome(blocking(|| ddl::alter_index(&self.ddl(), &name, &operation))?))
            }
            Statement::CreateDatabase { db_name, if_not_exists, options, .. } => {
                let in_block = self.open.is_some();
                Ok(ddl_outcome(blocking(|| ddl::create_database(&self.ddl(), &db_name, if_not_exists, &options, in_block))?))
            }
            Statement::CreateView(create) => self.create_view(create).await,
            Statement::RefreshMaterializedView { concurrently, name, with_data } => {
                Ok(ddl_outcome(ddl::refresh_materialized_view(&self.dml(), &name, concurrently, with_data).await?))
            }
            Statement::CreateSchema { schema_name, if_not_exists, .. } => {
                Ok(ddl_outcome(blocking(|| ddl::create_schema(&self.ddl(), &schema_name, if_not_exists))?))
            }
            Statement::Drop { object_type: ObjectType::Database, force: true, .. } => {
                Err(CatalogError::unsupported("DROP DATABASE ... WITH (FORCE)"))
            }
            Statement::Drop { object_type, if_exists, names, cascade, .. } => match object_type {
                ObjectType::Table => Ok(ddl_outcome(blocking(|| ddl::drop_tables(&self.ddl(), &names, if_exists, cascade))?)),
                ObjectType::Sequence => Ok(ddl_outcome(blocking(|| ddl::drop_sequences(&self.ddl(), &names, if_exists))?)),
                ObjectType::View => Ok(ddl_outcome(blocking(|| ddl::drop_views(&self.ddl(), &names, if_exists, cascade))?)),
                ObjectType::MaterializedView => {
                    Ok(ddl_outcome(blocking(|| ddl::drop_materialized_views(&self.ddl(), &names, if_exists, cascade))?))
                }
                ObjectType::Index => Ok(ddl_outcome(blocking(|| ddl::drop_indexes(&self.ddl(), &names, if_exists, cascade))?)),
                ObjectType::Type => Ok(ddl_outcome(blocking(|| ddl::drop_types(&self.ddl(), &names, if_exists, cascade))?)),
                ObjectType::Schema => {
                    Ok(ddl_outcome(blocking(|| ddl::drop_schemas(&self.ddl(), &names, if_exists, cascade))?))
                }
                ObjectType::Database => {
                    let in_block = self.open.is_some();
                    Ok(ddl_outcome(blocking(|| ddl::drop_database(&self.ddl(), &names, if_exists, in_block))?))
                }
                other => Err(CatalogError::unsupported(format!("DROP {other}"))),
            },
            Statement::Comment { object_type, object_name, comment, if_exists: false, arguments: None, constraint_on: None } => {
                Ok(ddl_outcome(blocking(|| ddl::comment_on(&self.ddl(), &object_type, &object_name, comment.as_deref()))?))
            }
            Statement::CreateType { name, representation } => {
                Ok(ddl_outcome(blocking(|| ddl::create_type(&self.ddl(), &name, representation.as_ref()))?))
            }
            Statement::AlterType(alter) => Ok(ddl_outcome(blocking(|| ddl::alter_type(&self.ddl(), &alter))?)),
            Statement::CreateExtension(create) => Ok(ddl_outcome(blocking(|| ddl::create_extension(&self.ddl(), &create))?)),
            Statement::DropExtension(drop) => Ok(ddl_outcome(blocking(|| ddl::drop_extension(&self.ddl(), &drop))?)),
            Statement::AlterViewOperations(alter) => Ok(ddl_outcome(blocking(|| ddl::alter_view(&self.ddl(), &alter))?)),
            Statement::AlterTable(alter) => Ok(ddl_outcome(ddl::alter_table(&self.ddl(), &alter).await?)),
            Statement::AlterSequence(alter) => Ok(ddl_outcome(blocking(|| ddl::alter_sequence(&self.ddl(), &alter))?)),
            explain @ Statement::Explain { analyze: false, .. } => {
                let json = crate::plan::explain::wants_json(&explain);
                let Statement::Explain { statement, .. } = explain else { unreachable!("matched above") };
                self.explain(*statement, json).await
            }
            other => Err(CatalogError::unsupported(format!("statement \"{}\"", first_words(&other)))),
        }
    }

    /// `CREATE [OR REPLACE] VIEW` and `CREATE MATERIALIZED VIEW`: the catalog keeps the
    /// query as written and as rewritten for planning.
    async fn create_view(&mut self, create: CreateView) -> Result<Outcome, CatalogError> {
        let unsupported = [
            (create.materialized && create.or_replace, "CREATE OR REPLACE MATERIALIZED VIEW"),
            (create.or_alter, "CREATE OR ALTER VIEW"),
            (create.secure, "CREATE SECURE VIEW"),
            (create.if_not_exists && !create.materialized, "CREATE VIEW IF NOT EXISTS"),
            (create.recursive, "CREATE RECURSIVE VIEW"),
            (create.check_option.is_some(), "WITH CHECK OPTION"),
            (create.with_data.is_some() && !create.materialized, "CREATE VIEW ... WITH [NO] DATA"),
            (!matches!(create.options, CreateTableOptions::None), "CREATE VIEW ... WITH (options)"),
            (create.columns.iter().any(|c| c.data_type.is_some() || c.options.is_some()), "types or options in a view's column list"),
            (
                !create.cluster_by.is_empty() || create.comment.is_some() || create.to.is_some() || create.params.is_some()
                    || create.with_no_schema_binding || create.copy_grants,
                "this form of CREATE VIEW",
            ),
        ];
        if let Some((_, what)) = unsupported.iter().find(|(set, _)| *set) {
            return Err(CatalogError::unsupported(what));
        }
        let mut rewritten = Statement::Query(create.query.clone());
        crate::sql::rewrite::rewrite_statement(&mut rewritten)?;
        let Statement::Query(query) = rewritten else { return Err(CatalogError::internal("a query rewritten is not a query")) };
        let view = ddl::CreateView {
            name: &create.name,
            or_replace: create.or_replace,
            temporary: create.temporary,
            on_commit: None,
            columns: create.columns.iter().map(|c| shale_catalog::resolve::normalize(&c.name)).collect(),
            query: &query,
            written: &create.query,
            output_names: names::output_names(&create.query),
            shown_name: crate::sql::rewrite::shown_name,
        };
        if create.materialized {
            let with_data = create.with_data.unwrap_or(true);
            let kind = ddl::Filled::MaterializedView;
            return Ok(ddl_outcome(ddl::create_filled_table(&self.dml(), &view, create.if_not_exists, with_data, kind).await?));
        }
        Ok(ddl_outcome(ddl::create_view(&self.ddl(), &view).await?))
    }

    /// `CREATE TABLE [IF NOT EXISTS] name [(column names)] AS query [WITH [NO] DATA]`.
    async fn create_table_as(&mut self, create: CreateTable) -> Result<Outcome, CatalogError> {
        let Some(query) = create.query.as_deref() else { return Err(CatalogError::internal("CREATE TABLE AS without a query")) };
        let unsupported = [
            (create.or_replace, "CREATE OR REPLACE TABLE"),
            (create.like.is_some(), "CREATE TABLE ... LIKE"),
        ];
        if let Some((_, what)) = unsupported.iter().find(|(set, _)| *set) {
            return Err(CatalogError::unsupported(what));
        }
        // PostgreSQL's grammar takes column names only before AS.
        let typed = create.columns.iter().any(|c| !matches!(c.data_type, DataType::Unspecified) || !c.options.is_empty());
        if typed || !create.constraints.is_empty() {
            return Err(CatalogError::new(shale_catalog::sqlstate::SYNTAX_ERROR, "syntax error at or near \"as\""));
        }
        let view = ddl::CreateView {
            name: &create.name,
            or_replace: false,
            temporary: create.temporary,
            on_commit: create.on_commit,
            columns: create.columns.iter().map(|c| shale_catalog::resolve::normalize(&c.name)).collect(),
            query,
            written: query,
            output_names: names::output_names(query),
            shown_name: crate::sql::rewrite::shown_name,
        };
        let with_data = create.with_data.unwrap_or(true);
        Ok(ddl_outcome(ddl::create_filled_table(&self.dml(), &view, create.if_not_exists, with_data, ddl::Filled::Table).await?))
    }

    /// `SELECT ... INTO [TABLE] name FROM ...`: CREATE TABLE name AS the query.
    async fn select_into(&mut self, mut query: Query) -> Result<Outcome, CatalogError> {
        let SetExpr::Select(select) = query.body.as_mut() else { return Err(CatalogError::internal("SELECT INTO without a SELECT")) };
        let Some(into) = select.into.take() else { return Err(CatalogError::internal("SELECT INTO without INTO")) };
        if into.unlogged {
            return Err(CatalogError::unsupported("SELECT INTO UNLOGGED"));
        }
        let view = ddl::CreateView {
            name: &into.name,
            or_replace: false,
            temporary: into.temporary,
            on_commit: None,
            columns: Vec::new(),
            query: &query,
            written: &query,
            output_names: names::output_names(&query),
            shown_name: crate::sql::rewrite::shown_name,
        };
        Ok(ddl_outcome(ddl::create_filled_table(&self.dml(), &view, false, true, ddl::Filled::Table).await?))
    }

    /// INSERT, UPDATE or DELETE, planned and executed by `catalog::dml`.
    async fn dml_statement(&mut self, stmt: Statement) -> Result<Outcome, CatalogError> {
        let command = dml_command(&stmt).ok_or_else(|| CatalogError::internal("not an INSERT, UPDATE or DELETE"))?;
        let names = dml_names(&stmt);
        let plan = dml::plan(&self.dml(), stmt, &[]).await?;
        let outcome = plan.execute(&self.dml(), None).await?;
        Ok(dml_outcome(command, outcome, names))
    }

    pub(crate) fn dml(&self) -> DmlContext<'_> {
        DmlContext { state: &self.state, handle: &self.handle, task_ctx: &self.task_ctx }
    }

    fn ddl(&self) -> DdlContext<'_> {
        DdlContext { state: &self.state, handle: &self.handle }
    }

    /// A query, planned and executed by DataFusion.
    async fn query(&mut self, stmt: Statement) -> Result<Outcome, CatalogError> {
        let pg_names = match &stmt {
            Statement::Query(q) => names::output_names(q),
            _ => None,
        };
        let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(stmt))).await?;
        self.run_query_plan(&plan, pg_names).await
    }

    /// Executes the logical plan of a query whose columns PostgreSQL names `pg_names`.
    pub(crate) async fn run_query_plan(&mut self, plan: &LogicalPlan, pg_names: Option<Vec<String>>) -> Result<Outcome, CatalogError> {
        let physical = self.state.create_physical_plan(plan).await?;
        self.run_physical_plan(physical, pg_names).await
    }

    /// Runs a physical plan of a query.
    pub(crate) async fn run_physical_plan(&mut self, physical: Arc<dyn ExecutionPlan>, pg_names: Option<Vec<String>>) -> Result<Outcome, CatalogError> {
        // The physical schema has the types analysis settled on (e.g. int4 literals).
        let schema = physical.schema();
        let batches = collect(physical, self.task_ctx.clone()).await?;
        let names = pg_names
            .filter(|n| n.len() == schema.fields().len())
            .unwrap_or_else(|| schema.fields().iter().map(|f| crate::sql::rewrite::shown_name(f.name()).to_string()).collect());
        Ok(Outcome::rows(RowSet { schema, names, batches, command: "SELECT".into() }))
    }

    /// EXPLAIN of a query: DataFusion's physical plan, one line a row, under "QUERY PLAN".
    /// EXPLAIN of `stmt`: the physical plan's lines, or with `json` PostgreSQL's JSON
    /// shape of its logical plan (a statement other than a query: one ModifyTable node).
    pub(crate) async fn explain(&mut self, stmt: Statement, json: bool) -> Result<Outcome, CatalogError> {
        if crate::session::modifying_with::changes_data(&stmt) {
            return Err(CatalogError::unsupported("EXPLAIN of a statement with data-modifying WITH queries"));
        }
        let lines = match (&stmt, json) {
            (Statement::Query(_), true) => {
                let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(stmt))).await?;
                vec![crate::plan::explain::json_plan(&plan)]
            }
            (Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_), true) => vec![crate::plan::explain::json_modify()],
            (Statement::Query(_), false) => {
                let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(stmt))).await?;
                let physical = self.state.create_physical_plan(&plan).await?;
                displayable(physical.as_ref()).indent(true).to_string().lines().map(str::to_string).collect()
            }
            _ => return Err(CatalogError::unsupported("EXPLAIN of a statement other than a query")),
        };
        let (schema, names) = crate::plan::describe::explain_column(json);
        let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(lines))])
            .map_err(|e| CatalogError::internal(e.to_string()))?;
        Ok(Outcome::rows(RowSet { schema, names, batches: vec![batch], command: "EXPLAIN".into() }))
    }
}

fn ddl_outcome(outcome: DdlOutcome) -> Outcome {
    let mut out = match outcome.rows {
        Some(rows) => Outcome::command(format!("{} {rows}", outcome.tag)),
        None => Outcome::command(outcome.tag),
    };
    out.notices = outcome.notices.into_iter().map(|n| Notice { severity: n.severity, code: n.code, message: n.message, detail: n.detail }).collect();
    out
}

/// The INTO clause of `SELECT ... INTO name`.
pub(crate) fn select_into(query: &Query) -> Option<&SelectInto> {
    match query.body.as_ref() {
        SetExpr::Select(select) => select.into.as_ref(),
        _ => None,
    }
}

/// The names of the columns a DML statement returns: its RETURNING list's, or a locking
/// SELECT's select list's.
pub(crate) fn dml_names(stmt: &Statement) -> Option<Vec<String>> {
    match stmt {
        Statement::Insert(s) => s.returning.as_deref().and_then(names::item_names),
        Statement::Update(s) => s.returning.as_deref().and_then(names::item_names),
        Statement::Delete(s) => s.returning.as_deref().and_then(names::item_names),
        Statement::Query(q) => names::output_names(q),
        _ => None,
    }
}

/// The command tag of a DML statement (or a locking SELECT), before its row count.
pub(crate) fn dml_command(stmt: &Statement) -> Option<&'static str> {
    match stmt {
        Statement::Query(_) if dml::is_locking_select(stmt) => Some("SELECT"),
        Statement::Insert(_) => Some("INSERT 0"),
        Statement::Update(_) => Some("UPDATE"),
        Statement::Delete(_) => Some("DELETE"),
        _ => None,
    }
}

/// The outcome of a DML statement; `names` are its RETURNING columns' names.
pub(crate) fn dml_outcome(command: &str, outcome: DmlOutcome, names: Option<Vec<String>>) -> Outcome {
    match outcome.returning {
        None => Outcome::command(format!("{command} {}", outcome.count)),
        Some(rows) => {
            let names = names
                .filter(|n| n.len() == rows.schema.fields().len())
                .unwrap_or_else(|| rows.schema.fields().iter().map(|f| f.name().clone()).collect());
            Outcome::rows(RowSet { schema: rows.schema, names, batches: rows.batches, command: command.into() })
        }
    }
}

/// The leading keywords of a statement, for "not supported" messages.
fn first_words(stmt: &Statement) -> String {
    let text = stmt.to_string();
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}
