//! PostgreSQL's json and jsonb operators: `->` and `->>` (a member or element), `#>` and
//! `#>>` (a path), and jsonb's `?`, `?|`, `?&` (keys) and `@>`, `<@` (containment).
//! DataFusion plans none of them on text; an expression planner turns each, when its left
//! operand is json or jsonb, into a call of one function here (`@>` and `<@` when either
//! operand is jsonb: arrays keep DataFusion's). An untyped literal on the right reads as the
//! operator's right type: a path or a key list as `text[]` (`'{a,1}'`), a containment
//! operand as jsonb. The values are read by `crate::json_scan`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::logical_expr::planner::{ExprPlanner, PlannerResult, RawBinaryExpr};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::sql::sqlparser::ast::BinaryOperator;

use crate::error::PgError;
use crate::input::convert_array;
use crate::json_scan::{self, Key};
use crate::types::{LIST_ITEM, SqlType, TYPE_KEY};

/// What an operator computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    /// `->`: the member or element, json or jsonb like the operand.
    Field,
    /// `->>`: the member or element as text.
    FieldText,
    /// `#>`: the value at a path.
    Path,
    /// `#>>`: the value at a path as text.
    PathText,
    /// `?`: a top-level key (or string element).
    HasKey,
    /// `?|`: any of the keys.
    HasAnyKey,
    /// `?&`: all of the keys.
    HasAllKeys,
    /// `@>`: the left contains the right.
    Contains,
    /// `<@`: the right contains the left.
    ContainedBy,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Field => "shale_json_field",
            Op::FieldText => "shale_json_field_text",
            Op::Path => "shale_json_path",
            Op::PathText => "shale_json_path_text",
            Op::HasKey => "shale_jsonb_has_key",
            Op::HasAnyKey => "shale_jsonb_has_any_key",
            Op::HasAllKeys => "shale_jsonb_has_all_keys",
            Op::Contains => "shale_jsonb_contains",
            Op::ContainedBy => "shale_jsonb_contained_by",
        }
    }

    /// Whether the right operand is a list of keys (`text[]`).
    fn takes_keys(self) -> bool {
        matches!(self, Op::Path | Op::PathText | Op::HasAnyKey | Op::HasAllKeys)
    }
}

/// The expression planner of the operators.
#[derive(Debug, Default)]
pub struct JsonOperators;

impl ExprPlanner for JsonOperators {
    fn plan_binary_op(&self, expr: RawBinaryExpr, schema: &DFSchema) -> Result<PlannerResult<RawBinaryExpr>> {
        use BinaryOperator::*;
        let (left, right) = (json_type(&expr.left, schema), json_type(&expr.right, schema));
        let op = match (&expr.op, &left) {
            (Arrow, Some(_)) => Op::Field,
            (LongArrow, Some(_)) => Op::FieldText,
            (HashArrow, Some(_)) => Op::Path,
            (HashLongArrow, Some(_)) => Op::PathText,
            (Question, Some(SqlType::Jsonb)) => Op::HasKey,
            (QuestionPipe, Some(SqlType::Jsonb)) => Op::HasAnyKey,
            (QuestionAnd, Some(SqlType::Jsonb)) => Op::HasAllKeys,
            (AtArrow, _) if is_jsonb_pair(left.as_ref(), right.as_ref(), &expr) => Op::Contains,
            (ArrowAt, _) if is_jsonb_pair(left.as_ref(), right.as_ref(), &expr) => Op::ContainedBy,
            _ => return Ok(PlannerResult::Original(expr)),
        };
        let RawBinaryExpr { left: mut left_expr, right: mut right_expr, .. } = expr;
        if op.takes_keys() {
            right_expr = keys_literal(right_expr)?;
        } else if matches!(op, Op::Contains | Op::ContainedBy) {
            left_expr = jsonb_literal(left_expr)?;
            right_expr = jsonb_literal(right_expr)?;
        }
        Ok(PlannerResult::Planned(function(op).call(vec![left_expr, right_expr])))
    }
}

/// json or jsonb, when `expr` is of one of them.
fn json_type(expr: &Expr, schema: &DFSchema) -> Option<SqlType> {
    let (_, field) = expr.to_field(schema).ok()?;
    match field.metadata().get(TYPE_KEY).map(String::as_str) {
        Some("json") => Some(SqlType::Json),
        Some("jsonb") => Some(SqlType::Jsonb),
        _ => None,
    }
}

/// `@>` and `<@` of jsonb: both operands jsonb, or one jsonb and a text literal.
fn is_jsonb_pair(left: Option<&SqlType>, right: Option<&SqlType>, expr: &RawBinaryExpr) -> bool {
    let literal = |e: &Expr| matches!(e, Expr::Literal(ScalarValue::Utf8(_), _));
    match (left, right) {
        (Some(SqlType::Jsonb), Some(SqlType::Jsonb)) => true,
        (Some(SqlType::Jsonb), None) => literal(&expr.right),
        (None, Some(SqlType::Jsonb)) => literal(&expr.left),
        _ => false,
    }
}

/// A text literal read as `text[]` (`'{a,b}'`); anything else as it is.
fn keys_literal(expr: Expr) -> Result<Expr> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = &expr else { return Ok(expr) };
    let item: FieldRef = Arc::new(Field::new(LIST_ITEM, DataType::Utf8, true));
    let input: ArrayRef = Arc::new(StringArray::from(vec![text.as_str()]));
    let list = convert_array(&item, &input).map_err(PgError::into_datafusion)?;
    Ok(Expr::Literal(ScalarValue::List(Arc::new(list.as_list::<i32>().clone())), None))
}

/// A text literal read as jsonb (22P02 when it is not JSON); anything else as it is.
fn jsonb_literal(expr: Expr) -> Result<Expr> {
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = &expr else { return Ok(expr) };
    let canonical = crate::jsonb::canonical(text).map_err(PgError::into_datafusion)?;
    Ok(Expr::Literal(ScalarValue::Utf8(Some(canonical)), None))
}

/// The function computing `op`.
fn function(op: Op) -> ScalarUDF {
    ScalarUDF::new_from_impl(JsonOperator { op, signature: Signature::any(2, Volatility::Immutable) })
}

/// One operator as a function of two arguments.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonOperator {
    op: Op,
    signature: Signature,
}

impl ScalarUDFImpl for JsonOperator {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(match self.op {
            Op::Field | Op::FieldText | Op::Path | Op::PathText => DataType::Utf8,
            _ => DataType::Boolean,
        })
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = match self.op {
            // `->` and `#>` give the operand's type.
            Op::Field | Op::Path => {
                let tag = args.arg_fields.first().and_then(|f| f.metadata().get(TYPE_KEY).cloned());
                let ty = if tag.as_deref() == Some("jsonb") { SqlType::Jsonb } else { SqlType::Json };
                ty.tagged_field(self.name(), true)
            }
            Op::FieldText | Op::PathText => Field::new(self.name(), DataType::Utf8, true),
            _ => Field::new(self.name(), DataType::Boolean, true),
        };
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalars = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalars { 1 } else { args.number_rows };
        let (docs, keys) = (args.args[0].to_array(rows)?, args.args[1].to_array(rows)?);
        let values = (0..rows)
            .map(|row| {
                let doc = ScalarValue::try_from_array(&docs, row)?;
                let key = ScalarValue::try_from_array(&keys, row)?;
                Ok(self.compute(&doc, &key))
            })
            .collect::<Result<Vec<ScalarValue>>>()?;
        let array = ScalarValue::iter_to_array(values)?;
        match scalars && args.number_rows != 1 {
            true => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?)),
            false => Ok(ColumnarValue::Array(array)),
        }
    }
}

impl JsonOperator {
    /// The operator on one row (NULL when either operand is).
    fn compute(&self, doc: &ScalarValue, right: &ScalarValue) -> ScalarValue {
        let text = |value: String| ScalarValue::Utf8(Some(value));
        let boolean = |value: bool| ScalarValue::Boolean(Some(value));
        let null = match self.op {
            Op::Field | Op::FieldText | Op::Path | Op::PathText => ScalarValue::Utf8(None),
            _ => ScalarValue::Boolean(None),
        };
        let Some(doc) = string_of(doc) else { return null };
        if right.is_null() {
            return null;
        }
        let found = match self.op {
            Op::Field | Op::FieldText => {
                let name = string_of(right);
                let key = match (right, &name) {
                    (ScalarValue::Int64(Some(i)), _) => Key::Index(*i),
                    (ScalarValue::Int32(Some(i)), _) => Key::Index(i64::from(*i)),
                    (ScalarValue::Int16(Some(i)), _) => Key::Index(i64::from(*i)),
                    (_, Some(name)) => Key::Name(name),
                    (_, None) => return null,
                };
                json_scan::get(&doc, &key).map(str::to_string)
            }
            Op::Path | Op::PathText => match list_of(right) {
                Some(path) => walk(&doc, &path),
                None => return null,
            },
            Op::HasKey => return string_of(right).map_or(null, |key| boolean(json_scan::has_key(&doc, &key))),
            Op::HasAnyKey | Op::HasAllKeys => {
                let Some(keys) = list_of(right) else { return null };
                let mut keys = keys.into_iter().flatten();
                let has = |key: String| json_scan::has_key(&doc, &key);
                return boolean(match self.op {
                    Op::HasAnyKey => keys.any(has),
                    _ => keys.all(has),
                });
            }
            Op::Contains => return string_of(right).map_or(null, |inner| boolean(json_scan::contains(&doc, &inner))),
            Op::ContainedBy => return string_of(right).map_or(null, |outer| boolean(json_scan::contains(&outer, &doc))),
        };
        match (self.op, found) {
            (_, None) => null,
            (Op::FieldText | Op::PathText, Some(value)) => json_scan::as_text(&value).map_or(null, text),
            (_, Some(value)) => text(value.trim().to_string()),
        }
    }
}

/// The value at `path` (a step reads as a member name, or as an index into an array).
fn walk(doc: &str, path: &[Option<String>]) -> Option<String> {
    let mut current = doc;
    for step in path {
        let step = step.as_deref()?;
        current = match json_scan::get(current, &Key::Name(step)) {
            Some(found) => found,
            None => json_scan::get(current, &Key::Index(step.trim().parse().ok()?))?,
        };
    }
    Some(current.to_string())
}

/// A text value.
fn string_of(value: &ScalarValue) -> Option<String> {
    match value {
        ScalarValue::Utf8(v) | ScalarValue::LargeUtf8(v) | ScalarValue::Utf8View(v) => v.clone(),
        _ => None,
    }
}

/// The elements of a `text[]` value (NULL elements as `None`).
fn list_of(value: &ScalarValue) -> Option<Vec<Option<String>>> {
    let ScalarValue::List(list) = value else { return None };
    if list.is_null(0) {
        return None;
    }
    let items = list.value(0);
    (0..items.len()).map(|i| ScalarValue::try_from_array(&items, i).ok().map(|v| string_of(&v))).collect()
}
