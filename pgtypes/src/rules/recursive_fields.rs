//! A recursive CTE's rows come from its first term and from its recursive term, and
//! DataFusion's execution wants both to carry exactly the fields of the first, metadata
//! included. Shale's fields carry the PostgreSQL type as metadata (varchar, a column's
//! table), so `SELECT 'x'::text UNION ALL SELECT name FROM t` (name varchar) differed and
//! failed. An analyzer rule gives the recursive term's columns the first term's fields
//! where their metadata differ, as PostgreSQL types the CTE's columns by its first term.
//!
//! The rule also refuses an aggregate in the recursive term (outside its subqueries), as
//! PostgreSQL does (42P19): DataFusion ran `SELECT count(*) FROM x` there forever.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, Result};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    ColumnarValue, Expr, LogicalPlan, Projection, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::error::PgError;

/// SQLSTATE invalid_recursion.
const INVALID_RECURSION: &str = "42P19";

/// Whether `term` aggregates at its own level (not in a subquery of its FROM list).
fn aggregates(term: &LogicalPlan) -> Result<bool> {
    let mut found = false;
    term.apply(|node| {
        Ok(match node {
            LogicalPlan::Aggregate(_) => {
                found = true;
                TreeNodeRecursion::Stop
            }
            LogicalPlan::SubqueryAlias(_) => TreeNodeRecursion::Jump,
            _ => TreeNodeRecursion::Continue,
        })
    })?;
    Ok(found)
}

/// Types a recursive CTE's recursive term with its first term's fields.
#[derive(Debug, Default)]
pub struct RecursiveFields;

impl AnalyzerRule for RecursiveFields {
    fn name(&self) -> &str {
        "shale_recursive_fields"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.apply_with_subqueries(|node| {
            if let LogicalPlan::RecursiveQuery(query) = node
                && aggregates(&query.recursive_term)?
            {
                return Err(PgError::new(INVALID_RECURSION, "aggregate functions are not allowed in a recursive query's recursive term")
                    .into_datafusion());
            }
            Ok(TreeNodeRecursion::Continue)
        })?;
        Ok(plan
            .transform_up_with_subqueries(|node| {
                let LogicalPlan::RecursiveQuery(mut query) = node else { return Ok(Transformed::no(node)) };
                let (first, recursive) = (query.static_term.schema().clone(), query.recursive_term.schema().clone());
                let differs = first.fields().iter().zip(recursive.fields()).any(|(f, r)| f.metadata() != r.metadata());
                if !differs || first.fields().len() != recursive.fields().len() {
                    return Ok(Transformed::no(LogicalPlan::RecursiveQuery(query)));
                }
                let columns = first
                    .fields()
                    .iter()
                    .zip(recursive.iter())
                    .map(|(target, (qualifier, field))| {
                        let column = Expr::Column(Column::new(qualifier.cloned(), field.name()));
                        if target.metadata() == field.metadata() {
                            return column;
                        }
                        let udf = ScalarUDF::new_from_impl(AsField {
                            field: Arc::new(target.as_ref().clone().with_nullable(field.is_nullable())),
                            // Volatile: folding a constant into a literal would lose the field.
                            signature: Signature::any(1, Volatility::Volatile),
                        });
                        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![column]))
                            .alias_qualified(qualifier.cloned(), field.name())
                    })
                    .collect();
                query.recursive_term = Arc::new(LogicalPlan::Projection(Projection::try_new(columns, query.recursive_term)?));
                Ok(Transformed::yes(LogicalPlan::RecursiveQuery(query)))
            })?
            .data)
    }
}

/// `shale_as_field(x)`: `x` as a value of the given field (same type, other metadata).
#[derive(Debug, PartialEq, Eq, Hash)]
struct AsField {
    field: FieldRef,
    signature: Signature,
}

impl ScalarUDFImpl for AsField {
    fn name(&self) -> &str {
        "shale_as_field"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.field.data_type().clone())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(self.field.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        args.args.into_iter().next().ok_or_else(|| PgError::internal("shale_as_field takes one argument").into_datafusion())
    }
}
