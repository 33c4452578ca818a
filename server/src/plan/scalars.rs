//! Parameter values as scalars, for binding into a cached plan. Each value is what its
//! typed literal (`params::literal`) evaluates to, so a cached plan sees the same value the
//! statement with the literal spelled in would: integers and text directly, anything else
//! by evaluating the literal (after the same input-function rewrite) with DataFusion.

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::metadata::{FieldMetadata, ScalarAndMetadata};
use datafusion::common::{DFSchema, ParamValues, ScalarValue};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::ColumnarValue;
use datafusion::sql::sqlparser::ast::{DataType as SqlDataType, Expr, ExprWithAlias, Value};
use shale_catalog::CatalogError;
use shale_pgtypes::numeric::rule::with_specials;

use crate::sql::rewrite::rewrite_input_casts;

/// The values of `literals`, in order, as DataFusion parameter values.
pub fn param_values(state: &SessionState, literals: &[Expr]) -> Result<ParamValues, CatalogError> {
    let values = literals
        .iter()
        .map(|e| match direct(e) {
            Some(value) => Ok(ScalarAndMetadata::new(value, None)),
            None => evaluate(state, e),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ParamValues::List(values))
}

/// The value of a literal that needs no evaluation: NULL, text, and integers written in
/// plain digits. Anything else (including integer text that would fail) is evaluated, so
/// errors read as they do for a literal.
fn direct(e: &Expr) -> Option<ScalarValue> {
    let value = |e: &Expr| match e {
        Expr::Value(v) => Some(v.value.clone()),
        _ => None,
    };
    match e {
        Expr::Value(_) => match value(e)? {
            Value::SingleQuotedString(s) => Some(ScalarValue::Utf8(Some(s))),
            Value::Null => Some(ScalarValue::Null),
            _ => None,
        },
        Expr::Cast { expr, data_type, .. } => {
            let text = match value(expr)? {
                Value::SingleQuotedString(s) => Some(s),
                Value::Null => None,
                _ => return None,
            };
            match data_type {
                SqlDataType::SmallInt(None) => integer(text.as_deref()).map(ScalarValue::Int16),
                SqlDataType::Int(None) => integer(text.as_deref()).map(ScalarValue::Int32),
                SqlDataType::BigInt(None) => integer(text.as_deref()).map(ScalarValue::Int64),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Some(None)` for NULL, `Some(Some(n))` for an optional minus sign and digits that fit.
fn integer<T: std::str::FromStr>(text: Option<&str>) -> Option<Option<T>> {
    let Some(text) = text else { return Some(None) };
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Some)
}

/// Evaluates a constant SQL expression as a statement would: input-function rewrite, then
/// DataFusion, with numeric NaN and infinities. The value keeps its field metadata (the PostgreSQL type of a uuid or json).
fn evaluate(state: &SessionState, e: &Expr) -> Result<ScalarAndMetadata, CatalogError> {
    let mut e = e.clone();
    rewrite_input_casts(&mut e)?;
    let schema = DFSchema::empty();
    let logical = state.create_logical_expr_from_sql_expr(ExprWithAlias { expr: e, alias: None }, &schema)?;
    let logical = with_specials(logical, &schema)?;
    let physical = state.create_physical_expr(logical, &schema)?;
    let options = RecordBatchOptions::new().with_row_count(Some(1));
    let batch = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)
        .map_err(|e| CatalogError::internal(e.to_string()))?;
    let field = physical.return_field(batch.schema_ref())?;
    let value = match physical.evaluate(&batch)? {
        ColumnarValue::Scalar(value) => value,
        ColumnarValue::Array(array) => ScalarValue::try_from_array(&array, 0)?,
    };
    let metadata = (!field.metadata().is_empty()).then(|| FieldMetadata::from(field.metadata()));
    Ok(ScalarAndMetadata::new(value, metadata))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::ast::CastKind;

    fn cast(text: &str, data_type: SqlDataType) -> Expr {
        let expr = Box::new(Expr::value(Value::SingleQuotedString(text.into())));
        Expr::Cast { kind: CastKind::Cast, expr, data_type, array: false, format: None }
    }

    #[test]
    fn plain_integers_and_text_need_no_evaluation() {
        assert_eq!(direct(&cast("-42", SqlDataType::BigInt(None))), Some(ScalarValue::Int64(Some(-42))));
        assert_eq!(direct(&cast("7", SqlDataType::SmallInt(None))), Some(ScalarValue::Int16(Some(7))));
        assert_eq!(direct(&Expr::value(Value::SingleQuotedString("x".into()))), Some(ScalarValue::Utf8(Some("x".into()))));
        // Out of range, spaces, signs and non-integer types go through evaluation.
        assert_eq!(direct(&cast("70000", SqlDataType::SmallInt(None))), None);
        assert_eq!(direct(&cast(" 1", SqlDataType::Int(None))), None);
        assert_eq!(direct(&cast("-", SqlDataType::Int(None))), None);
        assert_eq!(direct(&cast("1.5", SqlDataType::Real)), None);
    }
}
