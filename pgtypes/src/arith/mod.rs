//! PostgreSQL's integer semantics on DataFusion plans, as two analyzer rules:
//!
//! - [`IntegerLiterals`] (before type coercion): a literal that fits in 32 bits is an
//!   `integer`, as in PostgreSQL, not DataFusion's bigint; so `int_col * 10` stays int4.
//!   Function arguments (but those of `abs`, `gcd` and `lcm`), VALUES, LIMIT and recursive
//!   CTEs keep DataFusion's types.
//! - [`CheckedArithmetic`] (after type coercion): `+`, `-`, `*` and unary minus on
//!   integers fail with 22003 on overflow instead of wrapping, through `shale_checked_*`
//!   functions that use Arrow's checked kernels; on floats `+`, `-`, `*` and `/` fail as
//!   PostgreSQL's do (22003 on overflow and underflow, 22012 on division by zero, see
//!   [`crate::arith::float`]) instead of giving an infinity or zero. `date - date`, which
//!   DataFusion types bigint, is an `integer` count of days, as in PostgreSQL.
//!
//! - [`DateDifferences`] (before type coercion): `date - date` is an `integer`.
//!
//! They keep every expression's name, as DataFusion's own type coercion does, so plans that
//! refer to columns by name are unaffected.

pub mod float;
pub mod float_functions;
pub mod gcd;

use std::sync::Arc;

use datafusion::arrow::compute::kernels::numeric;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::expr::{Cast, ScalarFunction};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, ExprSchemable, LogicalPlan, Operator, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::error::{PgError, sqlstate};

/// Rewrites every expression of every node with `rewrite`, keeping expression names, and
/// recomputes each node's schema (its inputs' types may have changed).
pub fn rewrite_plan(
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
pub fn is_comparison(op: Operator) -> bool {
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

/// Functions whose integer literal arguments are narrowed like other literals (`pg_typeof(1)`
/// is integer).
const SAME_TYPE_FUNCTIONS: &[&str] = &["abs", "gcd", "lcm", "pg_typeof"];

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
                    // Functions whose integer result has their arguments' type, as in
                    // PostgreSQL: `abs(-2147483648)` is an integer overflow.
                    Expr::ScalarFunction(ref f) if SAME_TYPE_FUNCTIONS.contains(&f.name()) => Transformed::no(e),
                    Expr::ScalarFunction(_) | Expr::AggregateFunction(_) | Expr::WindowFunction(_) => {
                        Transformed::new(e, false, TreeNodeRecursion::Jump)
                    }
                    other => Transformed::no(other),
                })
            })
        })
    }
}

/// Replaces integer `+`, `-`, `*` and unary minus, and float `+`, `-`, `*`, `/`, by checked
/// functions; casts `date - date` to `integer`.
#[derive(Debug, Default)]
pub struct CheckedArithmetic;

impl AnalyzerRule for CheckedArithmetic {
    fn name(&self) -> &str {
        "shale_checked_arithmetic"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| {
                let kind = |x: &Expr| x.get_type(schema).ok().and_then(|t| Kind::of(&t));
                if is_date_difference(&e, schema) {
                    return Ok(Transformed::yes(Expr::Cast(Cast::new(Box::new(e), DataType::Int32))));
                }
                let (op, args) = match &e {
                    Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
                        let checked = match (kind(left), kind(right)) {
                            (Some(Kind::Integer), Some(Kind::Integer)) => Checked::integer(*op),
                            (Some(Kind::Float), Some(Kind::Float)) => Checked::float(*op),
                            _ => None,
                        };
                        let Some(checked) = checked else { return Ok(Transformed::no(e)) };
                        (checked, vec![left.as_ref().clone(), right.as_ref().clone()])
                    }
                    Expr::Negative(operand) if kind(operand) == Some(Kind::Integer) => {
                        (Checked::Negate, vec![operand.as_ref().clone()])
                    }
                    _ => return Ok(Transformed::no(e)),
                };
                let udf = ScalarUDF::new_from_impl(CheckedOp { op, signature: Signature::any(args.len(), Volatility::Immutable) });
                Ok(Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), args))))
            })
        })
    }
}

/// `date - date` as an `integer` count of days before type coercion, so that a function or
/// operator taking it is typed for an integer (`left(s, d1 - d2)`: DataFusion types the
/// difference bigint, and a cast added after coercion left `left` expecting a bigint).
/// [`CheckedArithmetic`] casts the differences this rule cannot type yet (an operand that
/// is an untyped literal).
#[derive(Debug, Default)]
pub struct DateDifferences;

impl AnalyzerRule for DateDifferences {
    fn name(&self) -> &str {
        "shale_date_differences"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| match is_date_difference(&e, schema) {
                true => Ok(Transformed::yes(Expr::Cast(Cast::new(Box::new(e), DataType::Int32)))),
                false => Ok(Transformed::no(e)),
            })
        })
    }
}

/// Whether `e` is `date - date`.
fn is_date_difference(e: &Expr, schema: &DFSchema) -> bool {
    let is_date = |x: &Expr| matches!(x.get_type(schema), Ok(DataType::Date32));
    matches!(e, Expr::BinaryExpr(BinaryExpr { left, op: Operator::Minus, right }) if is_date(left) && is_date(right))
}

/// The number types whose arithmetic is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Float,
}

impl Kind {
    fn of(t: &DataType) -> Option<Kind> {
        match t {
            DataType::Int16 | DataType::Int32 | DataType::Int64 => Some(Kind::Integer),
            DataType::Float32 | DataType::Float64 => Some(Kind::Float),
            _ => None,
        }
    }
}

/// A checked operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Checked {
    Add,
    Subtract,
    Multiply,
    /// Float division (integer division is DataFusion's, which checks it).
    Divide,
    /// Integer negation.
    Negate,
}

impl Checked {
    fn integer(op: Operator) -> Option<Checked> {
        match op {
            Operator::Plus => Some(Checked::Add),
            Operator::Minus => Some(Checked::Subtract),
            Operator::Multiply => Some(Checked::Multiply),
            _ => None,
        }
    }

    fn float(op: Operator) -> Option<Checked> {
        match op {
            Operator::Divide => Some(Checked::Divide),
            other => Checked::integer(other),
        }
    }

    /// The operator this checks (unary minus for negation).
    fn operator(self) -> Operator {
        match self {
            Checked::Add => Operator::Plus,
            Checked::Subtract | Checked::Negate => Operator::Minus,
            Checked::Multiply => Operator::Multiply,
            Checked::Divide => Operator::Divide,
        }
    }
}

/// One checked operation.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CheckedOp {
    op: Checked,
    signature: Signature,
}

impl ScalarUDFImpl for CheckedOp {
    fn name(&self) -> &str {
        match self.op {
            Checked::Add => "shale_checked_add",
            Checked::Subtract => "shale_checked_sub",
            Checked::Multiply => "shale_checked_mul",
            Checked::Divide => "shale_checked_div",
            Checked::Negate => "shale_checked_neg",
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
        let arrays = args.args.iter().map(|a| a.to_array(args.number_rows)).collect::<Result<Vec<_>>>()?;
        let out_of_range = || {
            let name = match ty {
                DataType::Int16 => "smallint",
                DataType::Int32 => "integer",
                _ => "bigint",
            };
            PgError::new(sqlstate::OUT_OF_RANGE, format!("{name} out of range")).into_datafusion()
        };
        let (l, r) = match arrays.as_slice() {
            [operand] => return numeric::neg(operand).map(ColumnarValue::Array).map_err(|_| out_of_range()),
            [l, r] => (l, r),
            _ => return Err(PgError::internal("a checked operation takes one or two operands").into_datafusion()),
        };
        let result = match self.op {
            Checked::Add => numeric::add(l, r),
            Checked::Subtract => numeric::sub(l, r),
            Checked::Multiply => numeric::mul(l, r),
            _ => numeric::div(l, r),
        };
        if Kind::of(&ty) == Some(Kind::Float) {
            let result = result?;
            crate::arith::float::check_result(self.op.operator(), l, r, &result).map_err(PgError::into_datafusion)?;
            return Ok(ColumnarValue::Array(result));
        }
        result.map(ColumnarValue::Array).map_err(|_| out_of_range())
    }
}
