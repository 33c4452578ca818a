//! Text literals compared with arrays are array literals, as PostgreSQL reads an untyped
//! literal as the type of the other operand: `a = '{1,2}'` on an `integer[]` column compares
//! with `{1,2}`. An analyzer rule, run before DataFusion's type coercion (which cannot cast
//! text to a list), replaces such a literal by the list it spells.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::{is_comparison, rewrite_operands};
use crate::error::CatalogError;
use crate::input::convert_array;

/// Reads text literals compared with arrays as array literals.
#[derive(Debug, Default)]
pub struct ArrayLiterals;

impl AnalyzerRule for ArrayLiterals {
    fn name(&self) -> &str {
        "shale_array_literals"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let applies = |op| is_comparison(op) || matches!(op, Operator::AtArrow | Operator::ArrowAt);
        rewrite_operands(plan, applies, &|left, _, right, schema| {
            let (new_left, new_right) = (as_array_of(left, right, schema)?, as_array_of(right, left, schema)?);
            if new_left.is_none() && new_right.is_none() {
                return Ok(None);
            }
            Ok(Some((new_left.unwrap_or_else(|| left.clone()), new_right.unwrap_or_else(|| right.clone()))))
        })
    }
}

/// `literal` read as a value of `other`'s array type, if it is a text literal and `other`
/// an array.
fn as_array_of(literal: &Expr, other: &Expr, schema: &DFSchema) -> Result<Option<Expr>> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = literal else { return Ok(None) };
    let Ok(DataType::List(item)) = other.get_type(schema) else { return Ok(None) };
    let input: ArrayRef = Arc::new(StringArray::from(vec![text.as_str()]));
    let list = convert_array(&item, &input).map_err(CatalogError::into_datafusion)?;
    Ok(Some(Expr::Literal(ScalarValue::List(Arc::new(list.as_list::<i32>().clone())), None)))
}
