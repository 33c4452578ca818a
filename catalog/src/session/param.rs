//! Parameters in a plan that is planned once and executed many times.
//!
//! DataFusion plans `$n` as a placeholder that must be replaced by a value before physical
//! planning. For a prepared statement executed many times, each placeholder is replaced
//! instead by a call `shale_param(n - 1, <typed NULL>)`: a function that planning cannot
//! fold into a constant (it has no value then) and whose value is read, at execution, from the parameter values the
//! server puts into the session's [`SessionHandle`]. The physical plan made from that can
//! be executed again with other values. A scan whose key filters use parameters computes
//! its key access when it executes (see [`resolve`]).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result as DFResult, ScalarValue};
use datafusion::execution::context::ExecutionProps;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::physical_expr::create_physical_expr;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;

/// The SQL name of the parameter function.
pub use shale_pgtypes::PARAM_FUNCTION;

/// `shale_param(index, typed NULL)`: parameter `index` (zero-based) of the executing
/// statement, of the NULL's type.
#[derive(Debug)]
struct ParamFunction {
    handle: SessionHandle,
    signature: Signature,
}

impl PartialEq for ParamFunction {
    fn eq(&self, other: &Self) -> bool {
        self.handle.same_session(&other.handle)
    }
}

impl Eq for ParamFunction {}

impl std::hash::Hash for ParamFunction {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        PARAM_FUNCTION.hash(state);
    }
}

/// The parameter function of the session of `handle`, to register in its state.
pub fn param_function(handle: &SessionHandle) -> ScalarUDF {
    // Stable, not volatile: DataFusion pushes stable filters into scans. Planning tries to
    // fold it, finds no value and keeps the call (the executing statement sets the values).
    ScalarUDF::new_from_impl(ParamFunction { handle: handle.clone(), signature: Signature::any(2, Volatility::Stable) })
}

impl ScalarUDFImpl for ParamFunction {
    fn name(&self) -> &str {
        PARAM_FUNCTION
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> DFResult<DataType> {
        Ok(args.get(1).cloned().unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let index = match args.args.first() {
            Some(ColumnarValue::Scalar(ScalarValue::Int64(Some(i)))) => *i as usize,
            _ => return Err(CatalogError::internal("shale_param needs a constant index").into_datafusion()),
        };
        let value = self.handle.param(index).ok_or_else(|| {
            CatalogError::internal(format!("no value for parameter ${}", index + 1)).into_datafusion()
        })?;
        if &value.data_type() != args.return_field.data_type() {
            return Err(CatalogError::internal(format!("parameter ${} has the wrong type", index + 1)).into_datafusion());
        }
        Ok(ColumnarValue::Scalar(value))
    }
}

/// `plan` with each `$n` replaced by a call of `function` (the session's
/// [`PARAM_FUNCTION`]); `None` when a placeholder has no inferred type.
pub fn with_param_calls(plan: LogicalPlan, function: Arc<ScalarUDF>) -> Result<Option<LogicalPlan>> {
    let mut untyped = false;
    let transformed = plan.transform_up_with_subqueries(|node| {
        node.map_expressions(|e| {
            e.transform_up(|e| match e {
                Expr::Placeholder(p) => {
                    let index = p.id.strip_prefix('$').and_then(|n| n.parse::<i64>().ok()).and_then(|n| n.checked_sub(1));
                    let ty = p.field.as_ref().map(|f| f.data_type().clone());
                    match (index, ty) {
                        (Some(index), Some(ty)) => {
                            let args = vec![Expr::Literal(ScalarValue::Int64(Some(index)), None), Expr::Literal(ScalarValue::try_from(&ty)?, None)];
                            Ok(Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(function.clone(), args))))
                        }
                        _ => {
                            untyped = true;
                            Ok(Transformed::no(Expr::Placeholder(p)))
                        }
                    }
                }
                e => Ok(Transformed::no(e)),
            })
        })
    })?;
    Ok((!untyped).then_some(transformed.data))
}

/// Whether `expr` reads a parameter.
pub fn has_params(expr: &Expr) -> bool {
    let mut found = false;
    let _ = expr.apply(|e| {
        if is_param_call(e) {
            found = true;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

fn is_param_call(e: &Expr) -> bool {
    matches!(e, Expr::ScalarFunction(f) if f.func.name() == PARAM_FUNCTION)
}

/// `expr` with its parameter calls replaced by the executing statement's values.
pub fn resolve(expr: &Expr, handle: &SessionHandle) -> Result<Expr> {
    let resolved = expr.clone().transform_up(|e| {
        let Expr::ScalarFunction(f) = &e else { return Ok(Transformed::no(e)) };
        if f.func.name() != PARAM_FUNCTION {
            return Ok(Transformed::no(e));
        }
        let value = match f.args.first() {
            Some(Expr::Literal(ScalarValue::Int64(Some(i)), _)) => handle.param(*i as usize),
            _ => None,
        };
        match value {
            Some(v) => Ok(Transformed::yes(Expr::Literal(v, None))),
            None => Err(CatalogError::internal("a parameter without a value").into_datafusion()),
        }
    })?;
    fold_constants(resolved.data)
}

/// `expr` with the parts that read no column and call nothing volatile computed
/// (`'u' || $1 || '@x'` once `$1` has its value), so that a key filter compares a column
/// with a literal; a part that fails to compute is left as it is.
pub(crate) fn fold_constants(expr: Expr) -> Result<Expr> {
    let folded = expr.transform_up(|e| {
        let constant = !matches!(e, Expr::Literal(..) | Expr::Column(_) | Expr::Placeholder(_))
            && !e.is_volatile()
            && e.column_refs().is_empty()
            && e.apply_children(|c| Ok(if matches!(c, Expr::Literal(..)) { TreeNodeRecursion::Continue } else { TreeNodeRecursion::Stop }))?
                == TreeNodeRecursion::Continue;
        if !constant {
            return Ok(Transformed::no(e));
        }
        Ok(match evaluate(&e) {
            Some(value) => Transformed::yes(Expr::Literal(value, None)),
            None => Transformed::no(e),
        })
    })?;
    Ok(folded.data)
}

/// The value of an expression of literals, if it computes.
fn evaluate(expr: &Expr) -> Option<ScalarValue> {
    let empty = DFSchema::empty();
    let physical = create_physical_expr(expr, &empty, &ExecutionProps::new(), &PhysicalPlanningContext::default()).ok()?;
    let one_row = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &RecordBatchOptions::new().with_row_count(Some(1))).ok()?;
    match physical.evaluate(&one_row).ok()? {
        ColumnarValue::Scalar(value) => Some(value),
        ColumnarValue::Array(array) => ScalarValue::try_from_array(&array, 0).ok(),
    }
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::{col, lit};
    use shale_storage::{Store, StoreOptions};

    use super::*;

    #[test]
    fn parameter_calls_resolve_to_the_values_of_the_execution() {
        let dir = tempfile::tempdir().expect("temp dir");
        let handle = SessionHandle::new(Store::open(dir.path(), StoreOptions::default()).expect("store"), crate::session::activity::Identity::sample(), crate::session::settings::Settings::new("postgres", None));
        let function = Arc::new(param_function(&handle));
        let call = |i: i64| {
            Expr::ScalarFunction(ScalarFunction::new_udf(function.clone(), vec![lit(i), Expr::Literal(ScalarValue::Int64(None), None)]))
        };
        let filter = col("id").eq(call(1));
        assert!(has_params(&filter));
        assert!(!has_params(&col("id").eq(lit(2i64))));
        assert!(resolve(&filter, &handle).is_err(), "no values yet");
        handle.set_params(vec![ScalarValue::Int64(Some(7)), ScalarValue::Int64(Some(9))]);
        assert_eq!(resolve(&filter, &handle).expect("resolves"), col("id").eq(lit(9i64)));
        // What reads only values is computed, so that the key filter compares with a literal.
        handle.set_params(vec![ScalarValue::Utf8(Some("7".into()))]);
        let built = datafusion::logical_expr::binary_expr(lit("u"), datafusion::logical_expr::Operator::StringConcat, call(0));
        let filter = col("email").eq(datafusion::logical_expr::binary_expr(built, datafusion::logical_expr::Operator::StringConcat, lit("@x")));
        assert_eq!(resolve(&filter, &handle).expect("resolves"), col("email").eq(lit("u7@x")));
        // Volatile calls stay.
        let random = datafusion::functions::math::random();
        let volatile = col("n").eq(Expr::ScalarFunction(ScalarFunction::new_udf(random, vec![])));
        assert_eq!(resolve(&volatile, &handle).expect("resolves"), volatile);
    }
}
