//! Plans of prepared statements: made once, executed many times.
//!
//! A prepared SELECT keeps DataFusion's logical plan with its `$n` placeholders; an INSERT,
//! UPDATE or DELETE keeps its [`DmlPlan`]. Both also keep their physical plan when it can
//! run again with other values (`reusable`): Execute then only sets the values. Otherwise
//! Execute binds the values into the logical plan, optimizes and plans it physically, but
//! does no parsing, rewriting, name resolution or SQL planning.
//!
//! A plan holds table descriptors, so it is valid only for the catalog it was made from:
//! it is kept with the catalog version (bumped by every DDL) and the search path it was
//! planned under, and made again when either differs in the executing transaction, as
//! PostgreSQL re-plans after DDL. A plan is kept only when its version is the committed
//! one: a version seen in a transaction that ran DDL itself may be rolled back and then
//! reused by another DDL. Re-planning that changes the result columns fails as PostgreSQL
//! does (0A000, "cached plan must not change result type").
//!
//! Other statements, and those whose plan cannot be made with placeholders (a text
//! parameter stored into a numeric column, a placeholder DataFusion cannot type), bind the
//! values as literals into the statement and run it like a simple query.

use std::sync::{Arc, Mutex, MutexGuard};

use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::common::{ParamValues, ScalarValue};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
use pgwire::api::Type;
use shale_catalog::access::dml::{self, DmlPlan};
use shale_catalog::{CatalogError, SessionHandle, meta};

use crate::encode::pg_type_of;
use crate::plan::describe::placeholder_count;
use crate::sql::names;
use crate::plan::reusable::{for_one_execution, reusable_physical_plan};
use crate::session::outcome::Outcome;
use crate::protocol::params::{bind, binds_as_text};
use crate::sql::rewrite::rewrite_statement;
use crate::session::Session;

/// What a plan was made against: the catalog version and the search path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanKey {
    version: u64,
    search_path: Vec<String>,
}

/// A plan ready to execute with parameter values.
#[derive(Debug, Clone)]
enum Plan {
    /// A query and its column names as PostgreSQL gives them.
    Query(Kept<LogicalPlan>, Option<Vec<String>>),
    /// INSERT, UPDATE or DELETE, its command tag before the row count, and the names of its
    /// RETURNING columns.
    Dml(Kept<DmlPlan>, &'static str, Option<Vec<String>>),
    /// Planning with placeholders failed: bind literals and run the statement.
    Literal,
}

/// A plan with placeholders, the types it inferred for them (by position; `None` for a
/// position no placeholder takes), and its physical plan reading the parameters at
/// execution, when that can be kept. `types` is `None` when a placeholder has no type.
#[derive(Debug, Clone)]
struct Kept<P> {
    plan: P,
    types: Option<Vec<Option<DataType>>>,
    physical: Option<Arc<dyn ExecutionPlan>>,
}

impl<P> Kept<P> {
    async fn new(state: &SessionState, plan: P, logical: impl Fn(&P) -> &LogicalPlan) -> Result<Self, CatalogError> {
        let mut types = Some(Vec::new());
        for (name, ty) in logical(&plan).get_parameter_types()? {
            let index = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()).and_then(|n| n.checked_sub(1));
            match (index, ty, types.as_mut()) {
                (Some(i), Some(ty), Some(types)) => {
                    if types.len() <= i {
                        types.resize(i + 1, None);
                    }
                    types[i] = Some(ty);
                }
                _ => types = None,
            }
        }
        let physical = reusable_physical_plan(state, logical(&plan)).await;
        Ok(Kept { plan, types, physical })
    }

    /// `values` as the plan's placeholders take them: a NULL becomes a NULL of the
    /// placeholder's type. `None` when a value has another type than its placeholder (a
    /// numeric of another scale, a list whose elements carry a PostgreSQL type): the
    /// statement is then planned with the values spelled in, so that results and stored
    /// values have the types the statement was described with.
    fn typed(&self, values: ParamValues) -> Option<ParamValues> {
        let (ParamValues::List(list), Some(types)) = (values, &self.types) else { return None };
        if list.len() < types.len() {
            return None;
        }
        let typed = list
            .into_iter()
            .enumerate()
            .map(|(i, mut v)| {
                let Some(ty) = types.get(i).cloned().flatten() else { return Some(v) };
                if v.value.is_null() {
                    v.value = ScalarValue::try_from(&ty).ok()?;
                }
                (v.value.data_type() == ty).then_some(v)
            })
            .collect::<Option<Vec<_>>>()?;
        Some(ParamValues::List(typed))
    }
}

/// The parameter values a kept physical plan reads while it runs; cleared when dropped.
struct BoundParams(SessionHandle);

impl BoundParams {
    fn new(handle: &SessionHandle, values: &ParamValues) -> Self {
        if let ParamValues::List(list) = values {
            handle.set_params(list.iter().map(|v| v.value.clone()).collect());
        }
        BoundParams(handle.clone())
    }
}

impl Drop for BoundParams {
    fn drop(&mut self) {
        self.0.set_params(Vec::new());
    }
}

#[derive(Debug, Default)]
struct Slot {
    key: PlanKey,
    plan: Option<Plan>,
}

/// The plan cache of one prepared statement: the catalog it was described against, and
/// the plan made for it, if any yet.
#[derive(Debug, Clone)]
pub struct PlanCache(Arc<Mutex<Slot>>);

impl PlanCache {
    /// An empty cache for a statement described against `key`.
    pub fn new(key: PlanKey) -> Self {
        PlanCache(Arc::new(Mutex::new(Slot { key, plan: None })))
    }

    fn lock(&self) -> MutexGuard<'_, Slot> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether an optimized physical plan is kept (for tests).
    #[cfg(test)]
    pub(crate) fn keeps_a_physical_plan(&self) -> bool {
        matches!(
            self.lock().plan,
            Some(Plan::Query(Kept { physical: Some(_), .. }, _) | Plan::Dml(Kept { physical: Some(_), .. }, _, _))
        )
    }
}

/// A statement prepared by Parse, as the executing session needs it.
pub struct PreparedRef<'a> {
    /// The parsed statement, with `$n` placeholders.
    pub stmt: &'a Statement,
    /// The parameters' types.
    pub params: &'a [Type],
    /// The result columns Describe reported.
    pub rows: Option<&'a (SchemaRef, Vec<String>)>,
    /// Its plan cache.
    pub cache: &'a PlanCache,
}

/// Whether `stmt` runs from a cached plan: queries, and DML whose RETURNING list has no
/// parameters (RETURNING is planned at each execution over the written rows, from its SQL).
pub fn is_cacheable(stmt: &Statement) -> bool {
    match stmt {
        // A locking SELECT's select list is evaluated like RETURNING.
        Statement::Query(q) if dml::is_locking_select(stmt) => match q.body.as_ref() {
            SetExpr::Select(select) => placeholder_count(&select.projection) == 0,
            _ => true,
        },
        Statement::Query(_) => true,
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
            returning(stmt).is_none_or(|items| placeholder_count(&items.to_vec()) == 0)
        }
        _ => false,
    }
}

/// The RETURNING list of an INSERT, UPDATE or DELETE.
fn returning(stmt: &Statement) -> Option<&[SelectItem]> {
    match stmt {
        Statement::Insert(insert) => insert.returning.as_deref(),
        Statement::Update(update) => update.returning.as_deref(),
        Statement::Delete(delete) => delete.returning.as_deref(),
        _ => None,
    }
}

impl Session {
    /// The catalog the current transaction sees.
    pub(crate) fn plan_key(&self) -> Result<PlanKey, CatalogError> {
        let txn = self.handle.txn()?;
        Ok(PlanKey { version: meta::version(&txn)?, search_path: self.handle.search_path() })
    }

    /// Executes a cacheable prepared statement in the current transaction, with the
    /// parameters' `literals`.
    pub(crate) async fn run_prepared(&mut self, prepared: &PreparedRef<'_>, literals: Vec<Expr>) -> Result<Outcome, CatalogError> {
        let plan = self.cached_plan(prepared).await?;
        match plan {
            Plan::Query(kept, names) => {
                let Some(values) = kept.typed(self.param_values(&literals)?) else {
                    return self.run_with_literals(prepared, literals).await;
                };
                match kept.physical {
                    Some(physical) => {
                        let _bound = BoundParams::new(&self.handle, &values);
                        self.run_physical_plan(for_one_execution(&physical)?, names).await
                    }
                    None => self.run_query_plan(&kept.plan.with_param_values(values)?, names).await,
                }
            }
            Plan::Dml(kept, command, names) => {
                let Some(values) = kept.typed(self.param_values(&literals)?) else {
                    return self.run_with_literals(prepared, literals).await;
                };
                let outcome = match kept.physical {
                    Some(physical) => {
                        let _bound = BoundParams::new(&self.handle, &values);
                        kept.plan.execute_physical(&self.dml(), for_one_execution(&physical)?).await?
                    }
                    None => kept.plan.execute(&self.dml(), Some(values)).await?,
                };
                Ok(crate::session::execute::dml_outcome(command, outcome, names))
            }
            Plan::Literal => self.run_with_literals(prepared, literals).await,
        }
    }

    /// Runs the statement with the parameter values spelled in as literals, planning it.
    async fn run_with_literals(&mut self, prepared: &PreparedRef<'_>, literals: Vec<Expr>) -> Result<Outcome, CatalogError> {
        let mut stmt = prepared.stmt.clone();
        bind(&mut stmt, &literals)?;
        rewrite_statement(&mut stmt)?;
        self.run(stmt).await
    }

    /// The statement's plan for the catalog the transaction sees: the cached one, or a new
    /// one (kept when the catalog is the committed one).
    async fn cached_plan(&mut self, prepared: &PreparedRef<'_>) -> Result<Plan, CatalogError> {
        let key = self.plan_key()?;
        let described = {
            let slot = prepared.cache.lock();
            if slot.key == key {
                if let Some(plan) = &slot.plan {
                    return Ok(plan.clone());
                }
            }
            slot.key == key
        };
        if !described {
            self.check_result_type(prepared).await?;
        }
        let plan = match self.plan(prepared).await {
            Ok(plan) => plan,
            Err(e) => {
                tracing::debug!(error = %e, "prepared statement not planned with placeholders");
                Plan::Literal
            }
        };
        let committed = meta::version(&self.handle.store().begin())?;
        if key.version == committed {
            *prepared.cache.lock() = Slot { key, plan: Some(plan.clone()) };
        }
        Ok(plan)
    }

    /// 0A000 when the catalog changed what the statement returns since it was described.
    async fn check_result_type(&mut self, prepared: &PreparedRef<'_>) -> Result<(), CatalogError> {
        let now = self.describe_in_txn(prepared.stmt).await?.rows;
        let same = match (prepared.rows, &now) {
            (None, None) => true,
            (Some((a, a_names)), Some((b, b_names))) => {
                a_names == b_names
                    && a.fields().len() == b.fields().len()
                    && a.fields().iter().zip(b.fields()).all(|(x, y)| pg_type_of(x) == pg_type_of(y))
            }
            _ => false,
        };
        match same {
            true => Ok(()),
            false => Err(CatalogError::new("0A000", "cached plan must not change result type")),
        }
    }

    /// Plans the statement with its placeholders.
    async fn plan(&mut self, prepared: &PreparedRef<'_>) -> Result<Plan, CatalogError> {
        let mut stmt = prepared.stmt.clone();
        rewrite_statement(&mut stmt)?;
        Ok(match stmt {
            Statement::Query(q) if q.locks.is_empty() => {
                let names = names::output_names(&q);
                let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(q)))).await?;
                Plan::Query(Kept::new(&self.state, plan, |p| p).await?, names)
            }
            stmt => {
                let command = crate::session::execute::dml_command(&stmt)
                    .ok_or_else(|| CatalogError::internal("a cached plan of a statement that is not DML"))?;
                let text_params: Vec<bool> = prepared.params.iter().map(binds_as_text).collect();
                let names = crate::session::execute::dml_names(&stmt);
                let plan = dml::plan(&self.dml(), stmt, &text_params).await?;
                Plan::Dml(Kept::new(&self.state, plan, DmlPlan::logical_plan).await?, command, names)
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use datafusion::arrow::util::display::array_value_to_string;
    use datafusion::physical_plan::displayable;
    use shale_catalog::{Store, StoreOptions};

    use super::*;
    use crate::session::outcome::StatementResult;
    use crate::protocol::params::literal;
    use crate::sql::parse::parse_statements;

    /// A session on a fresh store (kept alive by the returned directory) that ran `setup`.
    pub(crate) async fn session(setup: &[&str]) -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("store");
        meta::bootstrap(&store).expect("bootstrap");
        let database = shale_catalog::ddl::database_for_connection(&store, "postgres").expect("postgres");
        let identity = shale_catalog::session::activity::Identity {
            pid: 1,
            user: "postgres".into(),
            database: database.name,
            database_id: database.id,
            started: 0,
            client: None,
            cancel_key: Vec::new(),
        };
        let mut session = Session::new(store, identity, None).expect("a session");
        for sql in setup {
            session.execute(parse_statements(sql).unwrap().remove(0)).await.unwrap();
        }
        (dir, session)
    }

    /// A statement prepared with one bigint parameter, as the extended protocol keeps it.
    struct Statement1 {
        stmt: Statement,
        rows: Option<(SchemaRef, Vec<String>)>,
        cache: PlanCache,
    }

    impl Statement1 {
        async fn new(session: &mut Session, sql: &str) -> Self {
            let stmt = parse_statements(sql).unwrap().remove(0);
            let description = session.describe(&stmt).await.unwrap();
            Statement1 { stmt, rows: description.rows, cache: PlanCache::new(description.key) }
        }

        fn literals(id: i64) -> Vec<Expr> {
            vec![literal(Some(&bytes::Bytes::from(id.to_string())), &Type::INT8).unwrap()]
        }

        async fn execute(&self, session: &mut Session, id: i64) -> Outcome {
            let prepared = PreparedRef { stmt: &self.stmt, params: &[Type::INT8], rows: self.rows.as_ref(), cache: &self.cache };
            session.execute_prepared(&prepared, Self::literals(id)).await.unwrap()
        }

        fn kept(&self) -> Option<Plan> {
            self.cache.lock().plan.clone()
        }
    }

    fn texts(outcome: Outcome) -> Vec<String> {
        let StatementResult::Rows(rows) = outcome.result else { panic!("no rows") };
        rows.batches
            .iter()
            .flat_map(|b| (0..b.num_rows()).map(|i| array_value_to_string(b.column(0), i).unwrap()).collect::<Vec<_>>())
            .collect()
    }

    #[tokio::test]
    async fn a_bound_key_reaches_the_scan_as_a_point_get() {
        let (_dir, mut session) = session(&["CREATE TABLE kv (id bigint PRIMARY KEY, v text)", "INSERT INTO kv VALUES (1, 'a'), (2, 'b')"]).await;
        let select = Statement1::new(&mut session, "SELECT v FROM kv WHERE id = $1").await;
        assert_eq!(texts(select.execute(&mut session, 2).await), ["b"]);

        // Bound into the logical plan, the key reaches the scan as a point get.
        let Some(Plan::Query(Kept { plan, .. }, _)) = select.kept() else { panic!("the query plan was not kept") };
        let txn = session.planning_txn();
        let bound = plan.with_param_values(session.param_values(&Statement1::literals(2)).unwrap()).unwrap();
        let physical = session.state.create_physical_plan(&bound).await.unwrap();
        session.end_planning_txn(txn);
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=point get, key_predicates=[id = Int64(2)]"), "{text}");

        // The physical plan is kept too: its scan reads the key from the parameters.
        let Some(Plan::Query(Kept { physical: Some(physical), .. }, _)) = select.kept() else { panic!("no physical plan kept") };
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=by parameters"), "{text}");
        assert_eq!(texts(select.execute(&mut session, 1).await), ["a"], "the kept plan ran with the new value");
    }

    #[tokio::test]
    async fn a_kept_plan_reads_in_the_order_its_sort_needs() {
        let (_dir, mut session) = session(&[
            "CREATE TABLE ev (id bigint PRIMARY KEY, user_id bigint NOT NULL, at bigint NOT NULL)",
            "CREATE INDEX ev_user_at ON ev (user_id, at)",
            "INSERT INTO ev SELECT g, g % 3, g FROM generate_series(1, 30) g",
        ])
        .await;
        let latest = Statement1::new(&mut session, "SELECT id FROM ev WHERE user_id = $1 ORDER BY at DESC LIMIT 2").await;
        assert_eq!(texts(latest.execute(&mut session, 1).await), ["28", "25"]);
        // The scan reads by the index chosen at planning, backward at every execution: no sort.
        let Some(Plan::Query(Kept { physical: Some(physical), .. }, _)) = latest.kept() else { panic!("no physical plan kept") };
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=by parameters, index=ev_user_at, backward") && !text.contains("SortExec"), "{text}");
        assert_eq!(texts(latest.execute(&mut session, 2).await), ["29", "26"]);
    }

    #[test]
    fn values_take_their_placeholders_types() {
        use datafusion::common::metadata::ScalarAndMetadata;
        let kept = Kept { plan: (), types: Some(vec![Some(DataType::Int64), None]), physical: None };
        let list = |values: Vec<ScalarValue>| ParamValues::List(values.into_iter().map(|v| ScalarAndMetadata::new(v, None)).collect());
        let scalars = |values: Option<ParamValues>| match values {
            Some(ParamValues::List(list)) => Some(list.into_iter().map(|v| v.value).collect::<Vec<_>>()),
            _ => None,
        };
        let typed = scalars(kept.typed(list(vec![ScalarValue::Null, ScalarValue::Utf8(Some("x".into()))])));
        assert_eq!(typed, Some(vec![ScalarValue::Int64(None), ScalarValue::Utf8(Some("x".into()))]), "a NULL takes the type");
        assert_eq!(scalars(kept.typed(list(vec![ScalarValue::Int32(Some(1)), ScalarValue::Null]))), None, "another type");
        assert_eq!(scalars(kept.typed(list(vec![ScalarValue::Int64(Some(1))]))), None, "too few values");
        let untyped = Kept { plan: (), types: None, physical: None };
        assert_eq!(scalars(untyped.typed(list(vec![ScalarValue::Int64(Some(1))]))), None);
    }

    #[tokio::test]
    async fn a_prepared_update_keeps_its_physical_plan() {
        let (_dir, mut session) = session(&["CREATE TABLE kv (id bigint PRIMARY KEY, n bigint)", "INSERT INTO kv VALUES (1, 10), (2, 20)"]).await;
        let update = Statement1::new(&mut session, "UPDATE kv SET n = n + 1 WHERE id = $1").await;
        for id in [1, 2, 2] {
            update.execute(&mut session, id).await;
        }
        let Some(Plan::Dml(Kept { physical: Some(physical), .. }, _, _)) = update.kept() else { panic!("no physical plan kept") };
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=by parameters"), "{text}");
        let outcome = session.execute(parse_statements("SELECT n FROM kv ORDER BY id").unwrap().remove(0)).await.unwrap();
        assert_eq!(texts(outcome), ["11", "22"]);
    }

    /// How many metrics the operators of `plan` hold.
    fn metric_count(plan: &Arc<dyn ExecutionPlan>) -> usize {
        plan.metrics().map_or(0, |m| m.iter().count()) + plan.children().into_iter().map(metric_count).sum::<usize>()
    }

    #[tokio::test]
    async fn executions_leave_nothing_in_the_kept_plan() {
        let (_dir, mut session) = session(&["CREATE TABLE kv (id bigint PRIMARY KEY, n bigint)", "INSERT INTO kv VALUES (1, 10), (2, 20)"]).await;
        for sql in ["SELECT n FROM kv WHERE id = $1 AND n > 0", "UPDATE kv SET n = n + 1 WHERE id = $1"] {
            let statement = Statement1::new(&mut session, sql).await;
            statement.execute(&mut session, 1).await;
            let kept = match statement.kept() {
                Some(Plan::Query(Kept { physical: Some(physical), .. }, _) | Plan::Dml(Kept { physical: Some(physical), .. }, _, _)) => physical,
                _ => panic!("no physical plan kept for {sql}"),
            };
            let after_one = metric_count(&kept);
            for id in [1, 2].repeat(50) {
                statement.execute(&mut session, id).await;
            }
            assert_eq!(metric_count(&kept), after_one, "{sql}: each execution added to the kept plan");
        }
    }

    #[tokio::test]
    async fn plans_with_state_or_the_clock_are_not_kept_physically() {
        let (_dir, mut session) = session(&["CREATE TABLE kv (id bigint PRIMARY KEY, v text)"]).await;
        for sql in ["SELECT now(), v FROM kv WHERE id = $1", "SELECT a.v FROM kv a JOIN kv b ON a.v = b.v WHERE a.id = $1", "SELECT count(*) FROM kv WHERE id > $1"] {
            let query = Statement1::new(&mut session, sql).await;
            query.execute(&mut session, 1).await;
            assert!(matches!(query.kept(), Some(Plan::Query(Kept { physical: None, .. }, _))), "{sql}");
        }
    }
}
