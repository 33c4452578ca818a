//! PostgreSQL's json and jsonb operators: `->` and `->>` (a member or element), `#>` and
//! `#>>` (a path), and jsonb's `?`, `?|`, `?&` (keys), `@>`, `<@` (containment), `||`
//! (concatenation) and `-` (deletion).
//! DataFusion plans none of them on text; an expression planner turns each, when its left
//! operand is json or jsonb, into a call of one function here (`@>` and `<@` when either
//! operand is jsonb: arrays keep DataFusion's; `||` too, text keeps its own; `-` when the
//! left is jsonb). An untyped literal reads as the operator's type: a path or a key list
//! as `text[]` (`'{a,1}'`), an operand of containment or `||` as jsonb, `-`'s as a key.
//! The values are read by `crate::json_scan` and built by `crate::json_edit`.

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
use crate::json_edit;
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
    /// `||`: jsonb concatenation.
    Concat,
    /// `-`: a key, keys or an element deleted.
    Delete,
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
            Op::Concat => "shale_jsonb_concat",
            Op::Delete => "shale_jsonb_delete",
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
            (StringConcat, _) if is_jsonb_pair(left.as_ref(), right.as_ref(), &expr) => Op::Concat,
            (Minus, Some(SqlType::Jsonb)) => Op::Delete,
            _ => return Ok(PlannerResult::Original(expr)),
        };
        let RawBinaryExpr { left: mut left_expr, right: mut right_expr, .. } = expr;
        if op.takes_keys() {
            right_expr = keys_literal(right_expr)?;
        } else if matches!(op, Op::Contains | Op::ContainedBy | Op::Concat) {
            left_expr = jsonb_literal(left_expr)?;
            right_expr = jsonb_literal(right_expr)?;
        }
        Ok(PlannerResult::Planned(function(op).call(vec![left_expr, right_expr])))
    }
}

/// json or jsonb, when `expr` is of one of them. An operator expression never is (the
/// json operators are planned as functions), nor a literal: neither is typed, so that
/// planning `1 - 1 - ... - 1` does not compute the type of every prefix of the chain.
fn json_type(expr: &Expr, schema: &DFSchema) -> Option<SqlType> {
    if matches!(expr, Expr::BinaryExpr(_) | Expr::Literal(..)) {
        return None;
    }
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
    let list = convert_array(&item, &crate::input::element_type(&item), true, &input).map_err(PgError::into_datafusion)?;
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
            Op::Field | Op::FieldText | Op::Path | Op::PathText | Op::Concat | Op::Delete => DataType::Utf8,
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
            Op::Concat | Op::Delete => SqlType::Jsonb.tagged_field(self.name(), true),
            Op::FieldText | Op::PathText => Field::new(self.name(), DataType::Utf8, true),
            _ => Field::new(self.name(), DataType::Boolean, true),
        };
        Ok(Arc::new(field))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        crate::json_functions::row_by_row(&args, |row| self.compute(&row[0], &row[1]))
    }
}

impl JsonOperator {
    /// The operator on one row (NULL when either operand is).
    fn compute(&self, doc: &ScalarValue, right: &ScalarValue) -> crate::error::Result<ScalarValue> {
        let text = |value: String| ScalarValue::Utf8(Some(value));
        let boolean = |value: bool| Ok(ScalarValue::Boolean(Some(value)));
        let null = match self.op {
            Op::HasKey | Op::HasAnyKey | Op::HasAllKeys | Op::Contains | Op::ContainedBy => ScalarValue::Boolean(None),
            _ => ScalarValue::Utf8(None),
        };
        let (Some(doc), false) = (string_of(doc), right.is_null()) else { return Ok(null) };
        let found = match self.op {
            Op::Field | Op::FieldText => {
                let name = string_of(right);
                let key = match (index_of(right), &name) {
                    (Some(i), _) => Key::Index(i),
                    (None, Some(name)) => Key::Name(name),
                    (None, None) => return Ok(null),
                };
                json_scan::get(&doc, &key).map(str::to_string)
            }
            Op::Path | Op::PathText => list_of(right).and_then(|path| json_scan::at_path(&doc, &path)),
            Op::HasKey => return string_of(right).map_or(Ok(null), |key| boolean(json_scan::has_key(&doc, &key))),
            Op::HasAnyKey | Op::HasAllKeys => {
                let Some(keys) = list_of(right) else { return Ok(null) };
                let mut keys = keys.into_iter().flatten();
                let has = |key: String| json_scan::has_key(&doc, &key);
                return boolean(if self.op == Op::HasAnyKey { keys.any(has) } else { keys.all(has) });
            }
            Op::Contains => return string_of(right).map_or(Ok(null), |inner| boolean(json_scan::contains(&doc, &inner))),
            Op::ContainedBy => return string_of(right).map_or(Ok(null), |outer| boolean(json_scan::contains(&outer, &doc))),
            Op::Concat => return string_of(right).map_or(Ok(null), |other| json_edit::concat(&doc, &other).map(text)),
            Op::Delete => {
                let deleted = match (index_of(right), string_of(right), list_of(right)) {
                    (Some(i), _, _) => json_edit::delete_index(&doc, i)?,
                    (_, Some(key), _) => json_edit::delete_key(&doc, &key)?,
                    (_, _, Some(keys)) => {
                        let keys: Vec<&str> = keys.iter().flatten().map(String::as_str).collect();
                        json_edit::delete_keys(&doc, &keys)?
                    }
                    _ => return Ok(null),
                };
                return Ok(text(deleted));
            }
        };
        Ok(match (self.op, found) {
            (_, None) => null,
            (Op::FieldText | Op::PathText, Some(value)) => json_scan::as_text(&value).map_or(null, text),
            (_, Some(value)) => text(value.trim().to_string()),
        })
    }
}

/// An integer operand (an array index).
fn index_of(value: &ScalarValue) -> Option<i64> {
    match value {
        ScalarValue::Int64(Some(i)) => Some(*i),
        ScalarValue::Int32(Some(i)) => Some(i64::from(*i)),
        ScalarValue::Int16(Some(i)) => Some(i64::from(*i)),
        _ => None,
    }
}

/// A text value (NULL, or not text: `None`).
pub(crate) fn string_of(value: &ScalarValue) -> Option<String> {
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
