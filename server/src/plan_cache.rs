//! Plans of prepared statements: made once, executed many times.
//!
//! A prepared SELECT keeps DataFusion's logical plan with its `$n` placeholders, before
//! optimization (the optimizer folds `now()`, which is the transaction's start, into a
//! constant); an INSERT, UPDATE or DELETE without RETURNING keeps its [`DmlPlan`]. Execute
//! binds the parameter values as scalars and runs the plan: no parsing, rewriting, name
//! resolution or SQL planning, only optimization and physical planning, which is where the
//! bound key reaches the scan's key-range pushdown.
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

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::ParamValues;
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{Expr, SelectItem, Statement};
use pgwire::api::Type;
use shale_catalog::dml::{self, DmlPlan};
use shale_catalog::{CatalogError, meta};

use crate::encode::pg_type_of;
use crate::describe::placeholder_count;
use crate::names;
use crate::reusable::reusable_physical_plan;
use crate::outcome::Outcome;
use crate::params::{bind, binds_as_text};
use crate::rewrite::rewrite_statement;
use crate::scalars::param_values;
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
    /// A query, its column names as PostgreSQL gives them, and the physical plan that
    /// reads the parameters at execution, when it can be kept (see `reusable`).
    Query(LogicalPlan, Option<Vec<String>>, Option<Arc<dyn ExecutionPlan>>),
    /// INSERT, UPDATE or DELETE, its command tag before the row count, the physical plan
    /// of its rows that reads the parameters at execution (when it can be kept), and the
    /// names of its RETURNING columns.
    Dml(DmlPlan, &'static str, Option<Arc<dyn ExecutionPlan>>, Option<Vec<String>>),
    /// Planning with placeholders failed: bind literals and run the statement.
    Literal,
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
            Plan::Query(plan, names, physical) => {
                let values = param_values(&self.state, &literals)?;
                if fits(&plan, &values) {
                    if let Some(physical) = physical {
                        self.set_params(&values);
                        let outcome = self.run_physical_plan(physical, names).await;
                        self.handle.set_params(Vec::new());
                        return outcome;
                    }
                    let plan = plan.with_param_values(values)?;
                    return self.run_query_plan(&plan, names).await;
                }
                self.run_with_literals(prepared, literals).await
            }
            Plan::Dml(plan, command, physical, names) => {
                let values = param_values(&self.state, &literals)?;
                if fits(plan.logical_plan(), &values) {
                    let outcome = match physical {
                        Some(physical) => {
                            self.set_params(&values);
                            let outcome = plan.execute_physical(&self.dml(), physical).await;
                            self.handle.set_params(Vec::new());
                            outcome?
                        }
                        None => plan.execute(&self.dml(), Some(values)).await?,
                    };
                    return Ok(crate::execute::dml_outcome(command, outcome, names));
                }
                self.run_with_literals(prepared, literals).await
            }
            Plan::Literal => self.run_with_literals(prepared, literals).await,
        }
    }

    /// Makes `values` the parameters a kept physical plan reads.
    fn set_params(&self, values: &ParamValues) {
        if let ParamValues::List(list) = values {
            self.handle.set_params(list.iter().map(|v| v.value.clone()).collect());
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
            Statement::Query(q) => {
                let names = names::output_names(&q);
                let plan = self.state.statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(q)))).await?;
                let physical = reusable_physical_plan(&self.state, &plan).await;
                Plan::Query(plan, names, physical)
            }
            stmt => {
                let command = crate::execute::dml_command(&stmt)
                    .ok_or_else(|| CatalogError::internal("a cached plan of a statement that is not DML"))?;
                let text_params: Vec<bool> = prepared.params.iter().map(binds_as_text).collect();
                let names = returning(&stmt).and_then(names::item_names);
                let plan = dml::plan(&self.dml(), stmt, &text_params).await?;
                let physical = reusable_physical_plan(&self.state, plan.logical_plan()).await;
                Plan::Dml(plan, command, physical, names)
            }
        })
    }
}

/// Whether every parameter value has exactly the type the plan inferred for its
/// placeholder. Otherwise (a NULL, a numeric of another scale, a list whose elements carry
/// a PostgreSQL type) the statement is planned with the values spelled in, so that results
/// and stored values have the types the statement was described with.
fn fits(plan: &LogicalPlan, values: &ParamValues) -> bool {
    let (Ok(types), ParamValues::List(list)) = (plan.get_parameter_types(), values) else { return false };
    types.iter().all(|(name, ty)| {
        let value = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()).and_then(|n| list.get(n.checked_sub(1)?));
        match (value, ty) {
            (Some(v), Some(ty)) => !v.value.is_null() && v.value.data_type() == *ty,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use datafusion::physical_plan::displayable;
    use pgwire::api::results::FieldFormat;
    use shale_storage::{Store, StoreOptions};

    use super::*;
    use crate::outcome::StatementResult;
    use crate::params::literal;
    use crate::parse::parse_statements;

    /// A session on a fresh store (kept alive by the returned directory).
    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("store");
        meta::bootstrap(&store).expect("bootstrap");
        (dir, Session::new(store, "postgres", "postgres", None))
    }

    #[tokio::test]
    async fn a_bound_key_reaches_the_scan_as_a_point_get() {
        let (_dir, mut session) = session();
        for sql in ["CREATE TABLE kv (id bigint PRIMARY KEY, v text)", "INSERT INTO kv VALUES (1, 'a'), (2, 'b')"] {
            session.execute(parse_statements(sql).unwrap().remove(0)).await.unwrap();
        }
        let stmt = parse_statements("SELECT v FROM kv WHERE id = $1").unwrap().remove(0);
        let description = session.describe(&stmt).await.unwrap();
        let cache = PlanCache::new(description.key);
        let prepared = PreparedRef { stmt: &stmt, params: &[Type::INT8], rows: description.rows.as_ref(), cache: &cache };
        let two = bytes::Bytes::from_static(b"2");
        let literals = vec![literal(Some(&two), &Type::INT8, FieldFormat::Text).unwrap()];

        let outcome = session.execute_prepared(&prepared, literals.clone()).await.unwrap();
        let StatementResult::Rows(rows) = outcome.result else { panic!("no rows") };
        assert_eq!(rows.batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
        let Some(Plan::Query(plan, _, _)) = cache.lock().plan.clone() else { panic!("the query plan was not kept") };

        let txn = session.planning_txn();
        let bound = plan.with_param_values(param_values(&session.state, &literals).unwrap()).unwrap();
        let physical = session.state.create_physical_plan(&bound).await.unwrap();
        session.end_planning_txn(txn);
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=point get, key_predicates=[id = Int64(2)]"), "{text}");

        // The physical plan is kept too: its scan reads the key from the parameters.
        let Some(Plan::Query(_, _, Some(physical))) = cache.lock().plan.clone() else { panic!("no physical plan kept") };
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=by parameters"), "{text}");
        let one = bytes::Bytes::from_static(b"1");
        let literals = vec![literal(Some(&one), &Type::INT8, FieldFormat::Text).unwrap()];
        let outcome = session.execute_prepared(&prepared, literals).await.unwrap();
        let StatementResult::Rows(rows) = outcome.result else { panic!("no rows") };
        let values: Vec<String> = rows
            .batches
            .iter()
            .flat_map(|b| datafusion::arrow::util::display::array_value_to_string(b.column(0), 0).ok())
            .collect();
        assert_eq!(values, ["a"], "the kept plan ran with the new value");
    }

    #[tokio::test]
    async fn a_prepared_update_keeps_its_physical_plan() {
        let (_dir, mut session) = session();
        for sql in ["CREATE TABLE kv (id bigint PRIMARY KEY, n bigint)", "INSERT INTO kv VALUES (1, 10), (2, 20)"] {
            session.execute(parse_statements(sql).unwrap().remove(0)).await.unwrap();
        }
        let stmt = parse_statements("UPDATE kv SET n = n + 1 WHERE id = $1").unwrap().remove(0);
        let description = session.describe(&stmt).await.unwrap();
        let cache = PlanCache::new(description.key);
        let prepared = PreparedRef { stmt: &stmt, params: &[Type::INT8], rows: None, cache: &cache };
        for (id, _) in [(b"1", 0), (b"2", 1), (b"2", 2)] {
            let literals = vec![literal(Some(&bytes::Bytes::from_static(id)), &Type::INT8, FieldFormat::Text).unwrap()];
            session.execute_prepared(&prepared, literals).await.unwrap();
        }
        let Some(Plan::Dml(_, _, Some(physical), _)) = cache.lock().plan.clone() else { panic!("no physical plan kept") };
        let text = displayable(physical.as_ref()).indent(true).to_string();
        assert!(text.contains("access=by parameters"), "{text}");
        let outcome = session.execute(parse_statements("SELECT n FROM kv ORDER BY id").unwrap().remove(0)).await.unwrap();
        let StatementResult::Rows(rows) = outcome.result else { panic!("no rows") };
        let column = datafusion::arrow::util::pretty::pretty_format_batches(&rows.batches).unwrap().to_string();
        assert!(column.contains("| 11 |") && column.contains("| 22 |"), "{column}");
    }

    #[tokio::test]
    async fn plans_with_state_or_the_clock_are_not_kept_physically() {
        let (_dir, mut session) = session();
        session.execute(parse_statements("CREATE TABLE kv (id bigint PRIMARY KEY, v text)").unwrap().remove(0)).await.unwrap();
        for sql in ["SELECT now(), v FROM kv WHERE id = $1", "SELECT a.v FROM kv a JOIN kv b ON a.v = b.v WHERE a.id = $1", "SELECT count(*) FROM kv WHERE id > $1"] {
            let stmt = parse_statements(sql).unwrap().remove(0);
            let description = session.describe(&stmt).await.unwrap();
            let cache = PlanCache::new(description.key);
            let prepared = PreparedRef { stmt: &stmt, params: &[Type::INT8], rows: description.rows.as_ref(), cache: &cache };
            let one = bytes::Bytes::from_static(b"1");
            let literals = vec![literal(Some(&one), &Type::INT8, FieldFormat::Text).unwrap()];
            session.execute_prepared(&prepared, literals).await.unwrap();
            assert!(matches!(cache.lock().plan.clone(), Some(Plan::Query(_, _, None))), "{sql}");
        }
    }
}
