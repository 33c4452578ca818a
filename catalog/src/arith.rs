//! PostgreSQL's integer semantics on DataFusion plans, as two analyzer rules:
//!
//! - [`IntegerLiterals`] (before type coercion): a literal that fits in 32 bits is an
//!   `integer`, as in PostgreSQL, not DataFusion's bigint; so `int_col * 10` stays int4.
//!   Function arguments, VALUES, LIMIT and recursive CTEs keep DataFusion's types.
//! - [`CheckedArithmetic`] (after type coercion): `+`, `-` and `*` on integers fail with
//!   22003 on overflow instead of wrapping, through `shale_int_*` functions that use
//!   Arrow's checked kernels.
//!
//! Both keep every expression's name, as DataFusion's own type coercion does, so plans that
//! refer to columns by name are unaffected.

use std::sync::Arc;

use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, ExprSchemable, LogicalPlan, Operator, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::error::{CatalogError, sqlstate};

/// Rewrites every expression of every node with `rewrite`, keeping expression names, and
/// recomputes each node's schema (its inputs' types may have changed).
pub(crate) fn rewrite_plan(
    plan: LogicalPlan,
    skip: fn(&LogicalPlan) -> bool,
    rewrite: &dyn Fn(Expr, &DFSchema) -> Result<Transformed<Expr>>,
) -> Result<LogicalPlan> {
    let rewritten = plan.transform_up_with_subqueries(|node| {
        if skip(&node) {
            return Ok(Transformed::no(node));
        }
        let schema = merge_schema(&node.inputs());
        let names = NamePreserver::new(&node);
        node.map_expressions(|e| {
            let saved = names.save(&e);
            Ok(rewrite(e, &schema)?.update_data(|e| saved.restore(e)))
        })?
        .map_data(|node| node.recompute_schema())
    })?;
    Ok(rewritten.data)
}

/// The comparison operators.
pub(crate) fn is_comparison(op: Operator) -> bool {
    use Operator::*;
    matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq | IsDistinctFrom | IsNotDistinctFrom)
}

/// Rewrites the operands of every binary expression whose operator `applies`: `rewrite`
/// gets the left operand, the operator, the right operand and the input schema, and
/// returns new operands (or `None` to keep them).
pub(crate) fn rewrite_operands(
    plan: LogicalPlan,
    applies: fn(Operator) -> bool,
    rewrite: &dyn Fn(&Expr, Operator, &Expr, &DFSchema) -> Result<Option<(Expr, Expr)>>,
) -> Result<LogicalPlan> {
    rewrite_plan(plan, |_| false, &|e, schema| {
        e.transform_up(|e| {
            let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else { return Ok(Transformed::no(e)) };
            if !applies(*op) {
                return Ok(Transformed::no(e));
            }
            Ok(match rewrite(left, *op, right, schema)? {
                Some((left, right)) => {
                    Transformed::yes(Expr::BinaryExpr(BinaryExpr { left: Box::new(left), op: *op, right: Box::new(right) }))
                }
                None => Transformed::no(e),
            })
        })
    })
}

/// Narrows 32-bit integer literals to Int32.
#[derive(Debug, Default)]
pub struct IntegerLiterals;

impl AnalyzerRule for IntegerLiterals {
    fn name(&self) -> &str {
        "shale_integer_literals"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        // A recursive CTE's work table has its types fixed at planning: leave such plans be.
        if plan.exists(|p| Ok(matches!(p, LogicalPlan::RecursiveQuery(_))))? {
            return Ok(plan);
        }
        let skip = |p: &LogicalPlan| matches!(p, LogicalPlan::Limit(_) | LogicalPlan::Values(_));
        rewrite_plan(plan, skip, &|e, _| {
            e.transform_down(|e| {
                Ok(match e {
                    Expr::Literal(ScalarValue::Int64(Some(v)), meta) if i32::try_from(v).is_ok() => {
                        Transformed::yes(Expr::Literal(ScalarValue::Int32(Some(v as i32)), meta))
                    }
                    Expr::ScalarFunction(_) | Expr::AggregateFunction(_) | Expr::WindowFunction(_) => {
                        Transformed::new(e, false, TreeNodeRecursion::Jump)
                    }
                    other => Transformed::no(other),
                })
            })
        })
    }
}

/// Replaces integer `+`, `-`, `*` by overflow-checked functions.
#[derive(Debug)]
pub struct CheckedArithmetic {
    functions: [Arc<ScalarUDF>; 3],
}

impl Default for CheckedArithmetic {
    fn default() -> Self {
        let f = |op| Arc::new(ScalarUDF::new_from_impl(CheckedOp { op, signature: Signature::any(2, Volatility::Immutable) }));
        CheckedArithmetic { functions: [f(Operator::Plus), f(Operator::Minus), f(Operator::Multiply)] }
    }
}

impl AnalyzerRule for CheckedArithmetic {
    fn name(&self) -> &str {
        "shale_checked_arithmetic"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| {
                let Expr::BinaryExpr(BinaryExpr { left, op, right }) = &e else { return Ok(Transformed::no(e)) };
                let index = match op {
                    Operator::Plus => 0,
                    Operator::Minus => 1,
                    Operator::Multiply => 2,
                    _ => return Ok(Transformed::no(e)),
                };
                let integer = |x: &Expr| {
                    x.get_type(schema).is_ok_and(|t| matches!(t, DataType::Int16 | DataType::Int32 | DataType::Int64))
                };
                if !(integer(left) && integer(right)) {
                    return Ok(Transformed::no(e));
                }
                let args = vec![left.as_ref().clone(), right.as_ref().clone()];
                let call = ScalarFunction::new_udf(self.functions[index].clone(), args);
                Ok(Transformed::yes(Expr::ScalarFunction(call)))
            })
        })
    }
}

/// One checked integer operation.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CheckedOp {
    op: Operator,
    signature: Signature,
}

impl ScalarUDFImpl for CheckedOp {
    fn name(&self) -> &str {
        match self.op {
            Operator::Plus => "shale_int_add",
            Operator::Minus => "shale_int_sub",
            _ => "shale_int_mul",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(args.first().cloned().unwrap_or(DataType::Int64))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ty = args.return_field.data_type().clone();
        let [l, r] = [&args.args[0], &args.args[1]].map(|a| a.to_array(args.number_rows));
        let (l, r) = (l?, r?);
        let result = match self.op {
            Operator::Plus => numeric::add(&l, &r),
            Operator::Minus => numeric::sub(&l, &r),
            _ => numeric::mul(&l, &r),
        };
        result.map(ColumnarValue::Array).map_err(|_| {
            let name = match ty {
                DataType::Int16 => "smallint",
                DataType::Int32 => "integer",
                _ => "bigint",
            };
            CatalogError::new(sqlstate::OUT_OF_RANGE, format!("{name} out of range")).into_datafusion()
        })
    }
}
