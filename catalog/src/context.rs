//! A DataFusion session state wired to one Shale session: its catalog reads storage through
//! the session's [`SessionHandle`], unqualified names go through the search path, and SQL is
//! parsed as PostgreSQL.

use std::sync::Arc;

use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::prelude::SessionConfig;

use crate::SEARCH_PATH_SCHEMA;
use datafusion::optimizer::{Analyzer, AnalyzerRule, Optimizer, OptimizerRule};

use shale_pgtypes::arith::{CheckedArithmetic, DateDifferences, IntegerLiterals};
use shale_pgtypes::datetime::interval_scaling::IntervalScaling;
use shale_pgtypes::casts::{ByteaText, CastSemantics, LimitRounding};
use shale_pgtypes::rules::boolean_operands::BooleanOperands;
use shale_pgtypes::rules::recursive_fields::RecursiveFields;
use shale_pgtypes::rules::scalar_subquery::ScalarSubqueries;
use shale_pgtypes::rules::window_frames::WindowFrames;
use shale_pgtypes::text::bpchar::BpcharSemantics;
use crate::functions::{SessionInfo, register_functions};
use crate::session::handle::SessionHandle;
use shale_pgtypes::numeric::quotients::NumericQuotients;
use shale_pgtypes::numeric::rule::NumericSpecials;
use shale_pgtypes::untyped_literals::UntypedLiterals;
use shale_pgtypes::bytea::SubstringPosition;
use shale_pgtypes::json_ops::JsonOperators;
use shale_pgtypes::cast_pairs::ExistingCasts;
use crate::provider::SessionCatalogs;
use crate::type_planner::ShaleTypes;
use crate::enum_values::EnumValues;
use crate::session::yielding::YieldingJoins;
use crate::access::scan::SortsThroughFilters;
use crate::session::interruptible::{InterruptCheck, with_checks};

/// A session state whose catalog is storage, seen through `handle`.
pub fn new_session_state(handle: &SessionHandle, info: SessionInfo) -> SessionState {
    let mut config = SessionConfig::new()
        .with_default_catalog_and_schema(&handle.identity().database, SEARCH_PATH_SCHEMA)
        .with_create_default_catalog_and_schema(false)
        .with_information_schema(false)
        .with_target_partitions(1)
        // Writers find the session's queue of deferred foreign-key checks here.
        .with_extension(Arc::new(handle.clone()));
    let options = config.options_mut();
    options.sql_parser.dialect = datafusion::config::Dialect::PostgreSQL;
    // `1.5` is numeric in PostgreSQL, not double precision.
    options.sql_parser.parse_float_as_decimal = true;
    options.execution.time_zone = Some("+00:00".to_string());
    // DataFusion's top-k aggregation (DISTINCT or GROUP BY under ORDER BY ... LIMIT n)
    // reserves room for `n` groups before reading a row (`LIMIT 100000000` aborted the
    // process) and panics on NaN keys; the plain aggregation under a sort that keeps `n`
    // rows answers the same, in memory that grows with the rows it holds.
    options.optimizer.enable_topk_aggregation = false;
    let catalogs = Arc::new(SessionCatalogs::new(handle));
    // PostgreSQL's integer literals, untyped literals, casts, boolean operands,
    // character(n) comparisons, rounded
    // LIMITs, scalar subqueries, window frame checks, interval scaling and numeric division before
    // DataFusion's type coercion, PostgreSQL's casts, checked arithmetic, numeric NaN and
    // infinities and recursive CTEs' fields after it.
    let mut analyzer_rules: Vec<Arc<dyn AnalyzerRule + Send + Sync>> =
        vec![
        Arc::new(IntegerLiterals),
        // Later rules see enum values where the statement has text.
        Arc::new(EnumValues { handle: handle.clone() }),
        Arc::new(DateDifferences),
        Arc::new(UntypedLiterals),
        // Once literals have their types: every cast here is one the statement wrote.
        Arc::new(ExistingCasts),
        Arc::new(BooleanOperands),
        Arc::new(BpcharSemantics),
        Arc::new(LimitRounding),
        Arc::new(ByteaText),
        Arc::new(ScalarSubqueries),
        Arc::new(WindowFrames),
        Arc::new(IntervalScaling),
        Arc::new(NumericQuotients),
    ];
    analyzer_rules.extend(Analyzer::new().rules);
    analyzer_rules.push(Arc::new(CastSemantics));
    analyzer_rules.push(Arc::new(CheckedArithmetic));
    analyzer_rules.push(Arc::new(NumericSpecials));
    analyzer_rules.push(Arc::new(RecursiveFields));
    let check = Arc::new(InterruptCheck(handle.interrupt().clone()));
    let analyzer_check: Arc<dyn AnalyzerRule + Send + Sync> = check.clone();
    let optimizer_check: Arc<dyn OptimizerRule + Send + Sync> = check;
    let mut builder = SessionStateBuilder::new()
        .with_config(config)
        .with_catalog_list(catalogs)
        .with_default_features()
        .with_analyzer_rules(with_checks(analyzer_rules, &analyzer_check))
        .with_optimizer_rules(with_checks(Optimizer::new().rules, &optimizer_check))
        .with_physical_optimizer_rule(Arc::new(SortsThroughFilters))
        .with_physical_optimizer_rule(Arc::new(YieldingJoins))
        .with_type_planner(Arc::new(ShaleTypes { handle: handle.clone() }));
    let planners = builder.expr_planners().get_or_insert_default();
    planners.push(Arc::new(UntypedLiterals));
    // Before DataFusion's, which plans these with its own functions (`@>` of arrays too).
    planners.insert(0, Arc::new(SubstringPosition));
    planners.insert(0, Arc::new(JsonOperators));
    let mut state = builder.build();
    register_functions(&mut state, handle, info);
    state
}
