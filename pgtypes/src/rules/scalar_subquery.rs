//! Correlated scalar subqueries that are not aggregated (`(SELECT b FROM u WHERE u.a = t.a)`),
//! which PostgreSQL runs and DataFusion refuses ("must be aggregated"): an analyzer rule
//! makes the subquery collect its rows (`array_agg`), which DataFusion decorrelates into a
//! join, and takes the one value out for each outer row with [`OnlyElement`]: NULL for no
//! row, and 21000 "more than one row returned by a subquery used as an expression" for
//! more than one, as in PostgreSQL.
//!
//! DataFusion cannot run a subquery whose select list uses the outer row either
//! (`(SELECT json_build_object('a', t.a, 'b', u.b) FROM u WHERE ...)`, as SQLAlchemy reads
//! identity columns). Such a subquery collects the inner columns its select list uses, and
//! the select list is computed outside it, over the outer row and that one inner row (NULL
//! when there is none).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, Result, ScalarValue};
use datafusion::functions_aggregate::array_agg::array_agg;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, LogicalPlanBuilder, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Subquery, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
use crate::error::PgError;

/// Lets correlated scalar subqueries return their one row without an aggregate.
#[derive(Debug, Default)]
pub struct ScalarSubqueries;

impl AnalyzerRule for ScalarSubqueries {
    fn name(&self) -> &str {
        "shale_scalar_subqueries"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, _| {
            e.transform_up(|e| match e {
                Expr::ScalarSubquery(subquery) if !subquery.outer_ref_columns.is_empty() => match outer_select_list(&subquery)? {
                    Some(split) => Ok(Transformed::yes(split)),
                    None if needs_aggregate(&subquery) => Ok(Transformed::yes(only_row(&subquery, subquery.subquery.as_ref().clone())?)),
                    None => Ok(Transformed::no(Expr::ScalarSubquery(subquery))),
                },
                other => Ok(Transformed::no(other)),
            })
        })
    }
}

/// `plan` (one column) run as `subquery` is, its rows collected and their one value taken
/// out: NULL for none, 21000 for more than one.
fn only_row(subquery: &Subquery, plan: LogicalPlan) -> Result<Expr> {
    let only = Expr::Column(Column::from(plan.schema().qualified_field(0)));
    let collected = LogicalPlanBuilder::from(plan).aggregate(Vec::<Expr>::new(), vec![array_agg(only)])?.build()?;
    let subquery = Subquery { subquery: Arc::new(collected), ..subquery.clone() };
    let udf = ScalarUDF::new_from_impl(OnlyElement { signature: Signature::any(1, Volatility::Immutable) });
    Ok(Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![Expr::ScalarSubquery(subquery)])))
}

/// For a subquery whose select list uses the outer row: the select list computed outside,
/// over a subquery of the inner columns it uses (as one struct), run as the rule runs every
/// unaggregated subquery, and NULL when it returns no row.
fn outer_select_list(subquery: &Subquery) -> Result<Option<Expr>> {
    use datafusion::functions::core::expr_fn::{get_field, named_struct};
    use datafusion::logical_expr::{lit, when};
    let LogicalPlan::Projection(projection) = subquery.subquery.as_ref() else { return Ok(None) };
    let [selected] = projection.expr.as_slice() else { return Ok(None) };
    let mut selected = match selected {
        Expr::Alias(alias) => alias.expr.as_ref(),
        other => other,
    };
    let mut input = projection.input.as_ref();
    // `first_value(e)` over the subquery's rows (as the server asks of subqueries over the
    // system catalogs): `e` of its one row.
    if let LogicalPlan::Aggregate(aggregate) = input
        && aggregate.group_expr.is_empty()
        && let [Expr::AggregateFunction(first)] = aggregate.aggr_expr.as_slice()
        && first.func.name() == "first_value"
        && let [e] = first.params.args.as_slice()
    {
        selected = e;
        input = aggregate.input.as_ref();
    }
    let mut outer = false;
    let mut inner_columns: Vec<Column> = Vec::new();
    selected.apply(|e| {
        match e {
            Expr::OuterReferenceColumn(..) => outer = true,
            Expr::Column(c) if !inner_columns.contains(c) => inner_columns.push(c.clone()),
            _ => {}
        }
        Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
    })?;
    if !outer {
        return Ok(None);
    }
    // The inner row as a struct `c0, c1, ...` (one marker field when the list uses none).
    let mut fields = Vec::new();
    for (i, c) in inner_columns.iter().enumerate() {
        fields.extend([lit(format!("c{i}")), Expr::Column(c.clone())]);
    }
    if fields.is_empty() {
        fields.extend([lit("c0"), lit(true)]);
    }
    let row = LogicalPlanBuilder::from(input.clone())
        .project(vec![named_struct(fields).alias("shale_inner_row")])?
        .build()?;
    let inner_row = only_row(subquery, row)?;
    let outside = selected
        .clone()
        .transform_up(|e| {
            Ok(match e {
                Expr::OuterReferenceColumn(_, c) => Transformed::yes(Expr::Column(c)),
                Expr::Column(c) => match inner_columns.iter().position(|i| *i == c) {
                    Some(i) => Transformed::yes(get_field(inner_row.clone(), format!("c{i}"))),
                    None => Transformed::no(Expr::Column(c)),
                },
                other => Transformed::no(other),
            })
        })?
        .data;
    let none = Expr::Literal(ScalarValue::try_from(projection.schema.field(0).data_type())?, None);
    Ok(Some(when(inner_row.is_null(), none).otherwise(outside)?))
}

/// Whether DataFusion would refuse `subquery` as not aggregated: it is correlated, has one
/// column, and may return more than one row.
fn needs_aggregate(subquery: &Subquery) -> bool {
    let plan = subquery.subquery.as_ref();
    let mut inner = plan;
    while let LogicalPlan::Projection(p) = inner {
        inner = p.input.as_ref();
    }
    let aggregated = match inner {
        LogicalPlan::Aggregate(_) => true,
        LogicalPlan::Filter(f) => matches!(f.input.as_ref(), LogicalPlan::Aggregate(_)),
        _ => false,
    };
    !subquery.outer_ref_columns.is_empty()
        && plan.schema().fields().len() == 1
        && !aggregated
        && plan.max_rows().is_none_or(|n| n > 1)
}

/// `shale_only_element(list)`: the one element of a subquery's collected rows.
#[derive(Debug, PartialEq, Eq, Hash)]
struct OnlyElement {
    signature: Signature,
}

impl ScalarUDFImpl for OnlyElement {
    fn name(&self) -> &str {
        "shale_only_element"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args.first() {
            Some(DataType::List(item)) => Ok(item.data_type().clone()),
            _ => Err(PgError::internal("shale_only_element takes a list").into_datafusion()),
        }
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields.first().map(|f| f.data_type()) {
            Some(DataType::List(item)) => Ok(Arc::new(item.as_ref().clone().with_name(self.name()).with_nullable(true))),
            _ => Err(PgError::internal("shale_only_element takes a list").into_datafusion()),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let lists = args.args[0].to_array(args.number_rows)?;
        let lists = lists.as_list::<i32>();
        let values = (0..lists.len())
            .map(|row| {
                let item = args.return_field.data_type();
                if lists.is_null(row) || lists.value_length(row) == 0 {
                    return ScalarValue::try_from(item);
                }
                if lists.value_length(row) > 1 {
                    return Err(PgError::new("21000", "more than one row returned by a subquery used as an expression")
                        .into_datafusion());
                }
                ScalarValue::try_from_array(&lists.value(row), 0)
            })
            .collect::<Result<Vec<_>>>()?;
        let array = match values.is_empty() {
            true => datafusion::arrow::array::new_empty_array(args.return_field.data_type()),
            false => ScalarValue::iter_to_array(values)?,
        };
        Ok(ColumnarValue::Array(array))
    }
}
