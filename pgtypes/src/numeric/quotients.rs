//! The analyzer rule that makes `/` on numerics PostgreSQL's division ([`super::divide`])
//! before DataFusion's type coercion, so that what uses a quotient (a comparison, a
//! function, a CASE, a VALUES column) is typed for what it is: unconstrained numeric, not
//! the decimal of DataFusion's division (`1.0 / 3` is a Decimal128(6, 5) there). A division
//! whose operands are numerics, or a numeric and an integer, becomes a [`NumericOp`]; the
//! types of VALUES lists that hold one are inferred again, as DataFusion infers them.
//! `avg` of a numeric is PostgreSQL's ([`super::avg`]) the same way, and so is `avg` of an
//! integer, which PostgreSQL averages as a numeric (DataFusion's is a double precision).
//!
//! A division whose operands' types are known only after coercion (an untyped parameter
//! at Describe, a CASE of integers and numerics) is made one by the numeric specials rule
//! ([`super::rule`]) at the type coercion gave it, so that it fits the plan around it.

use std::cell::Cell;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::Cast;
use datafusion::logical_expr::{
    BinaryExpr, Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, Operator, Projection, Values,
    WindowFunctionDefinition, cast,
};
use datafusion::optimizer::AnalyzerRule;

use super::avg::{is_avg, numeric_avg};
use super::ops::{NumericOp, Operation};
use super::special::is_decimal;
use crate::arith::rewrite_plan;
use crate::error::PgError;

/// The decimal every integer fits in (20 digits: `u64::MAX` has 20).
const INTEGER_DECIMAL: DataType = DataType::Decimal128(20, 0);

/// Makes numeric division and `avg` of numerics and integers PostgreSQL's before type
/// coercion.
#[derive(Debug, Default)]
pub struct NumericQuotients;

impl AnalyzerRule for NumericQuotients {
    fn name(&self) -> &str {
        "shale_numeric_quotients"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let plan = rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| quotient(e, schema)))?;
        retype_values(statement_values(plan)?)
    }
}

/// `a / b` as a [`NumericOp`] when one operand is a numeric and the other a numeric or an
/// integer; `avg` of a numeric or an integer as [`numeric_avg`]. Integers are cast to
/// numeric, as coercion would cast them.
fn quotient(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let type_of = |e: &Expr| e.get_type(schema).ok();
    let averaged = |args: &[Expr]| matches!(args, [arg] if type_of(arg).is_some_and(|t| numeric_or_integer(&t)));
    let as_numeric = |e: Expr| match type_of(&e) {
        Some(t) if t.is_integer() => cast(e, INTEGER_DECIMAL),
        _ => e,
    };
    Ok(match e {
        Expr::AggregateFunction(mut a) if is_avg(&a.func) && averaged(&a.params.args) => {
            a.func = numeric_avg();
            a.params.args = a.params.args.into_iter().map(as_numeric).collect();
            Transformed::yes(Expr::AggregateFunction(a))
        }
        Expr::WindowFunction(mut w)
            if matches!(&w.fun, WindowFunctionDefinition::AggregateUDF(f) if is_avg(f)) && averaged(&w.params.args) =>
        {
            w.fun = WindowFunctionDefinition::AggregateUDF(numeric_avg());
            w.params.args = w.params.args.into_iter().map(as_numeric).collect();
            Transformed::yes(Expr::WindowFunction(w))
        }
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Divide, right })
            if numeric_division([type_of(&left), type_of(&right)]) =>
        {
            let operands = vec![as_numeric(*left), as_numeric(*right)];
            Transformed::yes(NumericOp::call(Operation::Binary(Operator::Divide), operands))
        }
        other => Transformed::no(other),
    })
}

fn numeric_or_integer(t: &DataType) -> bool {
    is_decimal(t) || t.is_integer()
}

/// Whether `/` on operands of these types is numeric division: a numeric by a numeric or an
/// integer, or an integer by a numeric.
fn numeric_division(types: [Option<DataType>; 2]) -> bool {
    types.iter().all(|t| t.as_ref().is_some_and(numeric_or_integer)) && types.iter().flatten().any(is_decimal)
}

/// `plan` with the VALUES lists that hold quotients typed again. DataFusion typed each list
/// when it planned it, and cast a value to its column's type where that differed:
/// - A list in FROM (`(VALUES (1.0 / 3), (2)) AS v(x)`) or in a UNION is typed by its
///   values again, as DataFusion types a list, without its casts of quotients, and the
///   nodes above it take their new schemas.
/// - Another list (an INSERT's, whose types are the table's) keeps its types: a quotient
///   of another type than its column is cast to it.
fn retype_values(plan: LogicalPlan) -> Result<LogicalPlan> {
    let retyped = Cell::new(false);
    let plan = plan.transform_down_up_with_subqueries(
        |node| match node {
            LogicalPlan::SubqueryAlias(_) | LogicalPlan::Union(_) => node.map_children(|input| {
                Ok(match typed_by_values(&input)? {
                    Some(input) => {
                        retyped.set(true);
                        Transformed::yes(input)
                    }
                    None => Transformed::no(input),
                })
            }),
            node => Ok(Transformed::no(node)),
        },
        |node| match node {
            LogicalPlan::Values(values) if mistyped(&values) => typed_as_planned(values).map(Transformed::yes),
            node if retyped.get() => node.recompute_schema().map(Transformed::yes),
            node => Ok(Transformed::no(node)),
        },
    )?;
    Ok(plan.data)
}

/// `plan` with its VALUES list typed by its values when the statement is one (`VALUES
/// (1.0 / 3)`, also sorted or limited), as a list in FROM is.
fn statement_values(plan: LogicalPlan) -> Result<LogicalPlan> {
    match plan {
        LogicalPlan::Sort(_) | LogicalPlan::Limit(_) => {
            plan.map_children(|input| statement_values(input).map(Transformed::yes))?.data.recompute_schema()
        }
        plan => Ok(typed_by_values(&plan)?.unwrap_or(plan)),
    }
}

/// `values` with each value cast to its column's type.
fn typed_as_planned(values: Values) -> Result<LogicalPlan> {
    let empty = DFSchema::empty();
    let columns = values.schema.fields().clone();
    let cast_row = |row: Vec<Expr>| -> Result<Vec<Expr>> {
        row.into_iter().zip(columns.iter()).map(|(value, column)| value.cast_to(column.data_type(), &empty)).collect()
    };
    let rows = values.values.into_iter().map(cast_row).collect::<Result<_>>()?;
    Ok(LogicalPlan::Values(Values { schema: values.schema, values: rows }))
}

/// `input`, a VALUES list or the projections that name its columns over one, with the list
/// typed by its values, when it holds quotients DataFusion typed otherwise; `None` when it
/// does not.
fn typed_by_values(input: &LogicalPlan) -> Result<Option<LogicalPlan>> {
    Ok(match input {
        LogicalPlan::Values(values) if widened(values) || mistyped(values) => Some(retyped_values(values.clone())?),
        LogicalPlan::Projection(projection) => match typed_by_values(&projection.input)? {
            Some(input) => Some(LogicalPlan::Projection(Projection::try_new(projection.expr.clone(), Arc::new(input))?)),
            None => None,
        },
        _ => None,
    })
}

/// `values` with its column types inferred from its values without DataFusion's casts of
/// quotients; the columns keep their names.
fn retyped_values(values: Values) -> Result<LogicalPlan> {
    let unwidened = |value: Expr| widened_quotient(unaliased(&value)).cloned().unwrap_or(value);
    let rows = values.values.into_iter().map(|row| row.into_iter().map(unwidened).collect()).collect();
    let LogicalPlan::Values(inferred) = LogicalPlanBuilder::values(rows)?.build()? else {
        return Err(PgError::internal("a VALUES list planned as another plan").into_datafusion());
    };
    let fields = values
        .schema
        .iter()
        .zip(inferred.schema.fields())
        .map(|((qualifier, named), typed)| {
            (qualifier.cloned(), Arc::new(typed.as_ref().clone().with_name(named.name())))
        })
        .collect();
    let schema = DFSchema::new_with_metadata(fields, values.schema.metadata().clone())?;
    Ok(LogicalPlan::Values(Values { schema: Arc::new(schema), values: inferred.values }))
}

/// Whether DataFusion cast a quotient in `values` to another decimal.
fn widened(values: &Values) -> bool {
    values.values.iter().flatten().any(|value| widened_quotient(unaliased(value)).is_some())
}

/// Whether a value of `values` has another type than its column.
fn mistyped(values: &Values) -> bool {
    let empty = DFSchema::empty();
    let differs = |value: &Expr, column: &Field| value.get_type(&empty).is_ok_and(|t| t != *column.data_type());
    values.values.iter().any(|row| row.iter().zip(values.schema.fields()).any(|(value, column)| differs(value, column)))
}

/// The quotient in `value` when `value` is a cast of it to a decimal that the statement did
/// not write (a cast it wrote has a type modifier).
fn widened_quotient(value: &Expr) -> Option<&Expr> {
    match value {
        Expr::Cast(Cast { expr, field })
            if is_decimal(field.data_type()) && field.metadata().is_empty() && NumericOp::is_quotient(expr) =>
        {
            Some(expr)
        }
        _ => None,
    }
}

fn unaliased(e: &Expr) -> &Expr {
    match e {
        Expr::Alias(alias) => unaliased(&alias.expr),
        e => e,
    }
}
