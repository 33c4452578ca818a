//! CREATE [OR REPLACE] VIEW and DROP VIEW; CREATE, REFRESH and DROP MATERIALIZED VIEW; and
//! the views that depend on a relation (what DROP TABLE, DROP COLUMN, RENAME and DROP SCHEMA
//! must look at).
//!
//! A view is stored as its query's text, every relation it names qualified by the schema
//! it was found in when the view was made (PostgreSQL binds names then too), with the
//! relations it reads and the columns it uses of each; statements plan the query when they
//! name the view (`provider/view.rs`). A materialized view is a table that keeps such a
//! query ([`Materialized`]) and holds its rows as of the last REFRESH.

use std::collections::{HashSet, VecDeque};
use std::ops::ControlFlow;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::source_as_provider;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    AlterTable, AlterTableOperation, AlterTableType, Ident, ObjectName, ObjectNamePart, Query, RenameTableNameKind, Statement,
    TableFactor, VisitMut, VisitorMut,
};
use shale_pgtypes::field_type::field_type;
use shale_pgtypes::types::SqlType;
use shale_storage::Txn;

use datafusion::execution::session_state::SessionState;

use super::drop::cascade_notice;
use super::{DdlContext, DdlOutcome};
use crate::access::dml::{self, DmlContext};
use crate::descriptor::{ColumnDesc, Dependency, Materialized, TableDesc, ViewColumn, ViewDesc, ViewRef};
use crate::error::{CatalogError, Result, sqlstate};
use crate::ident::quote_ident;
use crate::provider::ShaleTable;
use crate::resolve::{self, Scope};
use crate::session::handle::SessionHandle;
use crate::system::SystemSchema;
use crate::meta;

/// A `CREATE [OR REPLACE] VIEW`, as the server hands it over.
pub struct CreateView<'a> {
    /// The view's name.
    pub name: &'a ObjectName,
    /// `OR REPLACE`.
    pub or_replace: bool,
    /// `TEMPORARY` (a view of a temporary relation is temporary anyway).
    pub temporary: bool,
    /// `ON COMMIT` of a temporary table made by CREATE TABLE AS.
    pub on_commit: Option<datafusion::sql::sqlparser::ast::OnCommit>,
    /// The column names the statement lists (maybe fewer than the query's columns).
    pub columns: Vec<String>,
    /// The query, rewritten by the server's front end as every statement is.
    pub query: &'a Query,
    /// The query as the client wrote it.
    pub written: &'a Query,
    /// The names PostgreSQL gives the query's columns, when the server could tell.
    pub output_names: Option<Vec<String>>,
    /// The name a column DataFusion names `name` is shown with (else).
    pub shown_name: fn(&str) -> &str,
}

/// A view's query bound and planned, with what it reads.
struct Prepared {
    schema: crate::descriptor::SchemaDesc,
    name: String,
    query: Query,
    written: Query,
    columns: Vec<ViewColumn>,
    depends_on: Vec<Dependency>,
    /// Whether it reads a temporary relation.
    reads_temporary: bool,
}

/// Binds the names of the view's query, plans it (which checks it) and types its columns.
/// A view (`is_view`) of a temporary relation goes in the temporary schema.
async fn prepare(state: &SessionState, handle: &SessionHandle, view: &CreateView<'_>, is_view: bool) -> Result<Prepared> {
    let txn = handle.txn()?;
    let scope = handle.scope();
    let mut query = view.query.clone();
    let relations = bind(handle, &txn, &scope, &mut query)?;
    let reads_temporary = relations.iter().any(|b| b.temporary);
    let (schema, name) = super::temp::creation_schema(&txn, handle, view.name, view.temporary || (is_view && reads_temporary))?;
    let mut written = view.written.clone();
    bind(handle, &txn, &scope, &mut written)?;
    let plan = state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(query.clone()))))).await?;
    // Analysed, a column has the type it is computed with (`1` is an integer).
    let plan = state.optimize(&plan)?;
    let columns = view_columns(&plan, view)?;
    let depends_on = dependencies(&plan, &relations)?;
    Ok(Prepared { schema, name, query, written, columns, depends_on, reads_temporary })
}

/// `CREATE [OR REPLACE] VIEW name [(columns)] AS query`.
pub async fn create_view(ctx: &DdlContext<'_>, view: &CreateView<'_>) -> Result<DdlOutcome> {
    let Prepared { schema, name, query, written, columns, depends_on, reads_temporary } = prepare(ctx.state, ctx.handle, view, true).await?;
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("CREATE VIEW");
    if reads_temporary && !view.temporary {
        outcome.notice("00000", format!("view \"{name}\" will be a temporary view"));
    }
    let id = match meta::get_view_for_update(&txn, schema.id, &name)? {
        Some(old) if view.or_replace => {
            check_replacement(&old, &columns)?;
            meta::delete_view(&txn, &old)?;
            old.id
        }
        _ if view.or_replace && meta::get_table_for_update(&txn, schema.id, &name)?.is_some() => {
            return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{name}\" is not a view")));
        }
        _ if super::sequence::relation_exists(&txn, schema.id, &name)? => {
            return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
        }
        _ => meta::allocate(&txn, meta::TABLE_IDS, 1)?,
    };
    let desc = ViewDesc {
        id,
        schema_id: schema.id,
        name,
        columns,
        query: query.to_string(),
        definition: written.to_string(),
        depends_on,
        comment: None,
    };
    meta::put_view(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// What [`create_filled_table`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filled {
    /// `CREATE MATERIALIZED VIEW`: the table keeps its query.
    MaterializedView,
    /// `CREATE TABLE ... AS`, `SELECT ... INTO`: a plain table.
    Table,
}

/// `CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] AS query [WITH [NO] DATA]`,
/// and `CREATE TABLE [IF NOT EXISTS] name [(columns)] AS query [WITH [NO] DATA]` (and
/// `SELECT ... INTO name`): a table with the query's columns, filled with its rows unless
/// WITH NO DATA. The command tag is `SELECT n` when it is filled, as PostgreSQL's.
pub async fn create_filled_table(
    ctx: &DmlContext<'_>,
    view: &CreateView<'_>,
    if_not_exists: bool,
    with_data: bool,
    kind: Filled,
) -> Result<DdlOutcome> {
    let Prepared { schema, name, query, written, columns, depends_on, reads_temporary } = prepare(ctx.state, ctx.handle, view, false).await?;
    if reads_temporary && kind == Filled::MaterializedView {
        return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "materialized views must not use temporary tables or views"));
    }
    let txn = ctx.handle.txn()?;
    let on_commit = super::create_table::on_commit(view.on_commit, &schema)?;
    let mut outcome = DdlOutcome::new(match kind {
        Filled::MaterializedView => "CREATE MATERIALIZED VIEW",
        Filled::Table => "CREATE TABLE AS",
    });
    if super::sequence::relation_exists(&txn, schema.id, &name)? {
        if if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let columns = columns
        .into_iter()
        .map(|c| {
            let enum_type = || meta::type_by_oid(&txn, c.type_oid).map(|t| t.map(|t| SqlType::Enum(t.enum_type())));
            match SqlType::from_oid(c.type_oid, c.typmod).map_or_else(enum_type, |ty| Ok(Some(ty)))? {
                Some(ty) => Ok(ColumnDesc::new(c.name, ty)),
                None => Err(CatalogError::unsupported(format!("a stored column of type {}", type_name(&c)))),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    super::create_table::check_column_count(columns.len())?;
    let materialized = (kind == Filled::MaterializedView)
        .then(|| Materialized { query: query.to_string(), definition: written.to_string(), depends_on, populated: with_data });
    let table = TableDesc {
        id: meta::allocate(&txn, meta::TABLE_IDS, 1)?,
        schema_id: schema.id,
        name,
        columns,
        primary_key: Vec::new(),
        pkey_name: None,
        indexes: Vec::new(),
        storage: None,
        foreign_keys: Vec::new(),
        referenced_by: Vec::new(),
        checks: Vec::new(),
        materialized,
        comment: None,
        on_commit,
    };
    meta::put_table(&txn, &table)?;
    if let Some(m) = &table.materialized {
        meta::put_dependent(&txn, &matview_ref(&table), &m.depends_on)?;
    }
    meta::bump_version(&txn)?;
    if with_data {
        let rows = dml::fill(ctx, std::sync::Arc::new(table), query).await?;
        outcome.tag = "SELECT";
        outcome.rows = Some(rows);
    }
    Ok(outcome)
}

/// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`: its rows replaced by
/// its query's in the statement's transaction (CONCURRENTLY checks what PostgreSQL requires
/// of it; readers never wait here either way), or emptied and unreadable WITH NO DATA.
pub async fn refresh_materialized_view(ctx: &DmlContext<'_>, name: &ObjectName, concurrently: bool, with_data: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let Some(found) = resolve::find_table(&txn, &scope, name)? else {
        return Err(CatalogError::undefined_table(&resolve::display(name)));
    };
    let Some(mut table) = meta::get_table_for_update(&txn, found.schema.id, &found.table.name)? else {
        return Err(CatalogError::undefined_table(&resolve::display(name)));
    };
    let Some(materialized) = table.materialized.clone() else {
        return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!("\"{}\" is not a materialized view", table.name)));
    };
    if concurrently {
        if !with_data {
            return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "CONCURRENTLY and WITH NO DATA options cannot be used together"));
        }
        if !materialized.populated {
            return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "CONCURRENTLY cannot be used when the materialized view is not populated"));
        }
        if !table.indexes.iter().any(|i| i.unique && i.predicate.is_none()) {
            return Err(CatalogError::new(
                "55000",
                format!("cannot refresh materialized view \"{}.{}\" concurrently", found.schema.name, table.name),
            )
            .with_hint("Create a unique index with no WHERE clause on one or more columns of the materialized view."));
        }
    }
    table = super::truncate::empty(&txn, table, false)?;
    if let Some(m) = table.materialized.as_mut() {
        m.populated = with_data;
    }
    meta::put_table(&txn, &table)?;
    meta::bump_version(&txn)?;
    if with_data {
        let query = shale_pgtypes::sql::parse_query(&materialized.query)?;
        dml::fill(ctx, std::sync::Arc::new(table), query).await?;
    }
    Ok(DdlOutcome::new("REFRESH MATERIALIZED VIEW"))
}

/// How the relations a materialized view reads name it.
fn matview_ref(table: &TableDesc) -> ViewRef {
    ViewRef { schema_id: table.schema_id, name: table.name.clone(), id: table.id, materialized: true }
}

/// The view's columns: named by the statement's list, then as PostgreSQL names the query's
/// columns; typed as the plan computes them. 42601 for more names than columns, 42701 for
/// a name given twice.
fn view_columns(plan: &LogicalPlan, view: &CreateView<'_>) -> Result<Vec<ViewColumn>> {
    let fields = plan.schema().fields();
    if view.columns.len() > fields.len() {
        return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "CREATE VIEW specifies more column names than columns"));
    }
    let query_names = view.output_names.clone().filter(|n| n.len() == fields.len());
    let mut columns: Vec<ViewColumn> = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        let name = match (view.columns.get(i), &query_names) {
            (Some(listed), _) => listed.clone(),
            (None, Some(names)) => names[i].clone(),
            (None, None) => (view.shown_name)(field.name()).to_string(),
        };
        if columns.iter().any(|c| c.name == name) {
            return Err(CatalogError::new(sqlstate::DUPLICATE_COLUMN, format!("column \"{name}\" specified more than once")));
        }
        let ty = field_type(field);
        columns.push(ViewColumn { name, type_oid: ty.oid, typmod: ty.typmod, comment: None });
    }
    Ok(columns)
}

/// 42P16 when the new columns of `CREATE OR REPLACE VIEW` drop, rename or retype one of
/// the view's columns (PostgreSQL lets it add columns only at the end).
fn check_replacement(old: &ViewDesc, new: &[ViewColumn]) -> Result<()> {
    if new.len() < old.columns.len() {
        return Err(CatalogError::new(sqlstate::INVALID_TABLE_DEFINITION, "cannot drop columns from view"));
    }
    for (before, after) in old.columns.iter().zip(new) {
        if before.name != after.name {
            return Err(CatalogError::new(
                sqlstate::INVALID_TABLE_DEFINITION,
                format!("cannot change name of view column \"{}\" to \"{}\"", before.name, after.name),
            )
            .with_hint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead."));
        }
        if (before.type_oid, before.typmod) != (after.type_oid, after.typmod) {
            return Err(CatalogError::new(
                sqlstate::INVALID_TABLE_DEFINITION,
                format!(
                    "cannot change data type of view column \"{}\" from {} to {}",
                    before.name,
                    type_name(before),
                    type_name(after),
                ),
            ));
        }
    }
    Ok(())
}

/// The SQL name of a view column's type, as PostgreSQL's messages print it.
fn type_name(column: &ViewColumn) -> String {
    match SqlType::from_oid(column.type_oid, column.typmod) {
        Some(ty) => ty.pg_name(),
        None => crate::system::builtin_type(|t| t.oid == column.type_oid).map_or_else(|| column.type_oid.to_string(), |t| t.name.to_string()),
    }
}

/// A relation a view's query names.
struct Bound {
    id: u64,
    /// Whether it is a table (else a view).
    table: bool,
    /// Whether it is in a temporary schema.
    temporary: bool,
}

/// Qualifies every relation `query` names (outside its own WITH queries) with the schema it
/// is found in now, share-locking the tables and views found against a concurrent DROP;
/// returns them.
fn bind(handle: &SessionHandle, txn: &Txn, scope: &Scope, query: &mut Query) -> Result<Vec<Bound>> {
    let mut binder = Binder { handle, txn, scope, ctes: Vec::new(), bound: Vec::new() };
    match query.visit(&mut binder) {
        ControlFlow::Continue(()) => Ok(binder.bound),
        ControlFlow::Break(e) => Err(e),
    }
}

struct Binder<'a> {
    handle: &'a SessionHandle,
    txn: &'a Txn,
    scope: &'a Scope,
    /// The names of the WITH queries in scope, innermost last.
    ctes: Vec<Vec<String>>,
    bound: Vec<Bound>,
}

impl VisitorMut for Binder<'_> {
    type Break = CatalogError;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<CatalogError> {
        let names = query.with.iter().flat_map(|w| &w.cte_tables).map(|c| resolve::normalize(&c.alias.name)).collect();
        self.ctes.push(names);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<CatalogError> {
        self.ctes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<CatalogError> {
        match factor {
            TableFactor::Table { name, args: None, .. } => match self.bind(name) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => ControlFlow::Break(e),
            },
            _ => ControlFlow::Continue(()),
        }
    }
}

impl Binder<'_> {
    fn bind(&mut self, name: &mut ObjectName) -> Result<()> {
        let (schema_name, relation) = self.scope.split(name)?;
        let schema = match schema_name {
            Some(s) => self.scope.get_schema(self.txn, &s)?,
            None if self.ctes.iter().flatten().any(|c| *c == relation) => return Ok(()),
            None if SystemSchema::pg_catalog(self.handle.clone()).lookup(&relation).is_some() => {
                *name = qualified_name(crate::system::PG_CATALOG, &relation);
                return Ok(());
            }
            None => {
                let found = resolve::in_path(self.txn, self.scope, &relation, |txn, schema_id, n| {
                    Ok((meta::get_table(txn, schema_id, n)?.is_some() || meta::get_view(txn, schema_id, n)?.is_some()).then_some(()))
                })?;
                found.map(|(schema, ())| schema)
            }
        };
        // A system schema, or a name that planning will find does not exist.
        let Some(schema) = schema else { return Ok(()) };
        let temporary = crate::session::temp_slots::is_temp_schema(&schema.name);
        if let Some(table) = meta::get_table_shared(self.txn, schema.id, &relation)? {
            self.bound.push(Bound { id: table.id, table: true, temporary });
        } else if let Some(view) = meta::get_view_shared(self.txn, schema.id, &relation)? {
            self.bound.push(Bound { id: view.id, table: false, temporary });
        } else {
            return Ok(());
        }
        *name = qualified_name(&schema.name, &relation);
        Ok(())
    }
}

/// `schema.name` as an object name, each part quoted only when it must be.
fn qualified_name(schema: &str, name: &str) -> ObjectName {
    let ident = |s: &str| match quote_ident(s) == s {
        true => Ident::new(s),
        false => Ident::with_quote('"', s),
    };
    ObjectName(vec![ObjectNamePart::Identifier(ident(schema)), ObjectNamePart::Identifier(ident(name))])
}

/// What the view depends on: each relation its query names, with the columns the
/// (optimized) plan reads of each table.
fn dependencies(plan: &LogicalPlan, bound: &[Bound]) -> Result<Vec<Dependency>> {
    let mut out: Vec<Dependency> = Vec::new();
    for b in bound {
        if !out.iter().any(|d| d.id == b.id) {
            out.push(Dependency { id: b.id, columns: Vec::new() });
        }
    }
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && let Ok(provider) = source_as_provider(&scan.source)
            && let Some(table) = provider.downcast_ref::<ShaleTable>()
            && let Some(d) = out.iter_mut().find(|d| d.id == table.desc().id && bound.iter().any(|b| b.id == d.id && b.table))
        {
            for field in scan.projected_schema.fields() {
                if !d.columns.contains(field.name()) {
                    d.columns.push(field.name().clone());
                }
            }
        }
        Ok(TreeNodeRecursion::Continue)
    })?;
    Ok(out)
}

/// A view (or materialized view) that depends on a relation that goes, and what it
/// depends on (`table t`, `view v`, `column a of table t`), as PostgreSQL's DETAIL names
/// them.
pub(super) struct Dependent {
    pub view: ViewRef,
    pub on: String,
}

/// The views that depend on the relations `roots` (id, and how messages name it), directly
/// or through one another, in the order PostgreSQL lists them; `going` (ids) are left out
/// (they go anyway).
pub(super) fn dependents(txn: &Txn, roots: Vec<(u64, String)>, going: &[u64]) -> Result<Vec<Dependent>> {
    let mut seen: HashSet<u64> = going.iter().copied().collect();
    let mut queue: VecDeque<(u64, String)> = roots.into();
    let mut out = Vec::new();
    while let Some((id, what)) = queue.pop_front() {
        for view in meta::dependent_views(txn, id)? {
            if seen.insert(view.id) {
                queue.push_back((view.id, view.described()));
                out.push(Dependent { view, on: what.clone() });
            }
        }
    }
    Ok(out)
}

/// The views that use the column `column` of `table`, and the views that depend on them.
pub(super) fn column_dependents(txn: &Txn, table: &crate::descriptor::TableDesc, column: &str) -> Result<Vec<Dependent>> {
    let mut direct = Vec::new();
    for view in meta::dependent_views(txn, table.id)? {
        let depends_on = match view.materialized {
            true => meta::get_table(txn, view.schema_id, &view.name)?.and_then(|t| t.materialized).map(|m| m.depends_on),
            false => meta::get_view(txn, view.schema_id, &view.name)?.map(|v| v.depends_on),
        };
        if depends_on.unwrap_or_default().iter().any(|d| d.id == table.id && d.columns.iter().any(|c| c == column)) {
            direct.push(Dependent { view, on: format!("column {column} of table {}", table.name) });
        }
    }
    let roots = direct.iter().map(|d| (d.view.id, d.view.described())).collect();
    let through = dependents(txn, roots, &direct.iter().map(|d| d.view.id).collect::<Vec<_>>())?;
    direct.extend(through);
    Ok(direct)
}

/// 2BP01 for `what` (`table t`) when views depend on it, unless `cascade`, which drops
/// them (with PostgreSQL's NOTICE).
pub(super) fn refuse_or_drop(txn: &Txn, outcome: &mut DdlOutcome, what: &str, dependents: &[Dependent], cascade: bool) -> Result<()> {
    if dependents.is_empty() {
        return Ok(());
    }
    if !cascade {
        let detail: Vec<String> = dependents.iter().map(|d| format!("{} depends on {}", d.view.described(), d.on)).collect();
        return Err(dependent_objects(what, detail));
    }
    cascade_notice(outcome, dependents.iter().map(|d| format!("drop cascades to {}", d.view.described())).collect());
    drop_all(txn, dependents.iter().map(|d| &d.view))
}

/// PostgreSQL's 2BP01 for `what`, with the dependencies in DETAIL.
pub(super) fn dependent_objects(what: &str, detail: Vec<String>) -> CatalogError {
    CatalogError::new(sqlstate::DEPENDENT_OBJECTS, format!("cannot drop {what} because other objects depend on it"))
        .with_detail(detail.join("\n"))
        .with_hint("Use DROP ... CASCADE to drop the dependent objects too.")
}

/// Removes the views (and materialized views) `views`.
pub(super) fn drop_all<'a>(txn: &Txn, views: impl IntoIterator<Item = &'a ViewRef>) -> Result<()> {
    for view in views {
        if view.materialized {
            if let Some(table) = meta::get_table_for_update(txn, view.schema_id, &view.name)? {
                remove_materialized(txn, &table)?;
            }
        } else if let Some(desc) = meta::get_view_for_update(txn, view.schema_id, &view.name)? {
            meta::delete_view(txn, &desc)?;
        }
    }
    Ok(())
}

/// Removes the materialized view `table`: its rows become unreachable, its indexes and its
/// records as a dependent go.
pub(super) fn remove_materialized(txn: &Txn, table: &TableDesc) -> Result<()> {
    if let Some(m) = &table.materialized {
        meta::delete_dependent(txn, table.id, &m.depends_on)?;
    }
    meta::delete_table(txn, table.schema_id, &table.name)?;
    super::index::forget_indexes(txn, table)
}

/// `DROP VIEW [IF EXISTS] a, b [CASCADE | RESTRICT]`.
pub fn drop_views(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("DROP VIEW");
    let mut dropped: Vec<ViewRef> = Vec::new();
    for name in names {
        let found = match resolve::find_view(&txn, &scope, name) {
            Err(e) if e.code == sqlstate::UNDEFINED_SCHEMA && if_exists => None,
            other => other?,
        };
        match found {
            Some((_, view)) => dropped.push(ViewRef { schema_id: view.schema_id, name: view.name, id: view.id, materialized: false }),
            None if let Some(found) = resolve::find_table(&txn, &scope, name).ok().flatten() => {
                let hint = match found.table.materialized {
                    Some(_) => "Use DROP MATERIALIZED VIEW to remove a materialized view.",
                    None => "Use DROP TABLE to remove a table.",
                };
                return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a view", found.table.name)).with_hint(hint));
            }
            None if if_exists => outcome.notice("00000", format!("view \"{}\" does not exist, skipping", resolve::display(name))),
            None => {
                return Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("view \"{}\" does not exist", resolve::display(name))));
            }
        }
    }
    drop_with_dependents(&txn, &mut outcome, &dropped, cascade)?;
    Ok(outcome)
}

/// Drops the views (or materialized views) `dropped`, with what depends on them when
/// `cascade` (else 2BP01 when anything does).
fn drop_with_dependents(txn: &Txn, outcome: &mut DdlOutcome, dropped: &[ViewRef], cascade: bool) -> Result<()> {
    // Locked first, then what depends on them read as committed now (see `drop_tables`).
    for view in dropped {
        match view.materialized {
            true => meta::get_table_for_update(txn, view.schema_id, &view.name)?.map(|_| ()),
            false => meta::get_view_for_update(txn, view.schema_id, &view.name)?.map(|_| ()),
        };
    }
    txn.new_statement()?;
    let going: Vec<u64> = dropped.iter().map(|v| v.id).collect();
    for view in dropped {
        let found = dependents(txn, vec![(view.id, view.described())], &going)?;
        refuse_or_drop(txn, outcome, &view.described(), &found, cascade)?;
    }
    drop_all(txn, dropped)?;
    meta::bump_version(txn)?;
    Ok(())
}

/// `DROP MATERIALIZED VIEW [IF EXISTS] a, b [CASCADE | RESTRICT]`.
pub fn drop_materialized_views(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("DROP MATERIALIZED VIEW");
    let mut dropped: Vec<ViewRef> = Vec::new();
    for name in names {
        let found = match resolve::find_table(&txn, &scope, name) {
            Err(e) if e.code == sqlstate::UNDEFINED_SCHEMA && if_exists => None,
            other => other?,
        };
        match found {
            Some(found) if found.table.materialized.is_some() => dropped.push(matview_ref(&found.table)),
            Some(found) => {
                return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a materialized view", found.table.name))
                    .with_hint("Use DROP TABLE to remove a table."));
            }
            None if if_exists => {
                outcome.notice("00000", format!("materialized view \"{}\" does not exist, skipping", resolve::display(name)));
            }
            None => {
                return Err(CatalogError::new(
                    sqlstate::UNDEFINED_TABLE,
                    format!("materialized view \"{}\" does not exist", resolve::display(name)),
                ));
            }
        }
    }
    drop_with_dependents(&txn, &mut outcome, &dropped, cascade)?;
    Ok(outcome)
}

/// `ALTER [MATERIALIZED] VIEW [IF EXISTS] name RENAME TO new`, and `ALTER VIEW name RENAME
/// [COLUMN] a TO b` of a view no other view reads.
pub fn alter_view(ctx: &DdlContext<'_>, stmt: &AlterTable) -> Result<DdlOutcome> {
    let materialized = matches!(stmt.table_type, Some(AlterTableType::MaterializedView));
    let mut outcome = DdlOutcome::new(if materialized { "ALTER MATERIALIZED VIEW" } else { "ALTER VIEW" });
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let [operation] = stmt.operations.as_slice() else {
        return Err(CatalogError::unsupported(format!("{} with several actions", outcome.tag)));
    };
    let found = match materialized {
        true => resolve::find_table(&txn, &scope, &stmt.name)?.map(|r| (r.schema, Err(r.table))),
        false => resolve::find_view(&txn, &scope, &stmt.name)?.map(|(schema, view)| (schema, Ok(view))),
    };
    let Some((schema, relation)) = found else {
        if stmt.if_exists {
            outcome.notice("00000", format!("relation \"{}\" does not exist, skipping", resolve::display(&stmt.name)));
            return Ok(outcome);
        }
        return Err(CatalogError::undefined_table(&resolve::display(&stmt.name)));
    };
    match (operation, relation) {
        (AlterTableOperation::RenameTable { table_name: RenameTableNameKind::To(new) | RenameTableNameKind::As(new) }, relation) => {
            let (_, new) = resolve::split_name(new)?;
            if super::sequence::relation_exists(&txn, schema.id, &new)? {
                return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{new}\" already exists")));
            }
            let (id, old) = match relation {
                Ok(view) => {
                    let mut view = meta::get_view_for_update(&txn, schema.id, &view.name)?.unwrap_or(view);
                    meta::delete_view(&txn, &view)?;
                    let old = std::mem::replace(&mut view.name, new.clone());
                    meta::put_view(&txn, &view)?;
                    (view.id, old)
                }
                Err(table) if table.materialized.is_some() => {
                    let mut table = meta::get_table_for_update(&txn, schema.id, &table.name)?.unwrap_or(table);
                    let depends_on = table.materialized.as_ref().map(|m| m.depends_on.clone()).unwrap_or_default();
                    meta::delete_dependent(&txn, table.id, &depends_on)?;
                    meta::delete_table(&txn, schema.id, &table.name)?;
                    let old = std::mem::replace(&mut table.name, new.clone());
                    meta::put_table(&txn, &table)?;
                    meta::put_dependent(&txn, &matview_ref(&table), &depends_on)?;
                    (table.id, old)
                }
                Err(table) => {
                    return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, format!("\"{}\" is not a materialized view", table.name)));
                }
            };
            rename_relation(&txn, id, &schema.name, &old, &new)?;
        }
        (AlterTableOperation::RenameColumn { old_column_name, new_column_name }, Ok(view)) => {
            let (old, new) = (resolve::normalize(old_column_name), resolve::normalize(new_column_name));
            let mut view = meta::get_view_for_update(&txn, schema.id, &view.name)?.unwrap_or(view);
            if view.columns.iter().any(|c| c.name == new) {
                return Err(CatalogError::new(sqlstate::DUPLICATE_COLUMN, format!("column \"{new}\" of relation \"{}\" already exists", view.name)));
            }
            let Some(column) = view.columns.iter_mut().find(|c| c.name == old) else {
                return Err(CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{old}\" does not exist")));
            };
            if let Some(d) = meta::dependent_views(&txn, view.id)?.first() {
                return Err(CatalogError::unsupported(format!("RENAME COLUMN of a view that {} reads", d.described())));
            }
            column.name = new;
            meta::put_view(&txn, &view)?;
        }
        (other, _) => return Err(CatalogError::unsupported(format!("{} ... {other}", outcome.tag))),
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// After `ALTER TABLE old RENAME TO new` of the relation `id` in `schema`: the queries of
/// the views that name it name it anew.
pub(super) fn rename_relation(txn: &Txn, id: u64, schema: &str, old: &str, new: &str) -> Result<()> {
    let from = qualified_name(schema, old);
    let to = qualified_name(schema, new);
    for view in meta::dependent_views(txn, id)? {
        if view.materialized {
            let Some(mut table) = meta::get_table_for_update(txn, view.schema_id, &view.name)? else { continue };
            if let Some(m) = table.materialized.as_mut() {
                m.query = renamed(&m.query, &from, &to)?;
                m.definition = renamed(&m.definition, &from, &to)?;
            }
            meta::put_table(txn, &table)?;
        } else if let Some(mut desc) = meta::get_view_for_update(txn, view.schema_id, &view.name)? {
            desc.query = renamed(&desc.query, &from, &to)?;
            desc.definition = renamed(&desc.definition, &from, &to)?;
            meta::put_view(txn, &desc)?;
        }
    }
    Ok(())
}

/// `sql`, a stored query, with the relation `from` named `to`.
fn renamed(sql: &str, from: &ObjectName, to: &ObjectName) -> Result<String> {
    let mut query = shale_pgtypes::sql::parse_query(sql)?;
    let _ = datafusion::sql::sqlparser::ast::visit_relations_mut(&mut query, |name| {
        if name == from {
            *name = to.clone();
        }
        ControlFlow::<()>::Continue(())
    });
    Ok(query.to_string())
}
