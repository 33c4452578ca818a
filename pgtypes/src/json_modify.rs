//! The jsonb functions that build a changed document: `jsonb_set`, `jsonb_insert`,
//! `jsonb_strip_nulls` and `jsonb_pretty`, as PostgreSQL 15 computes them (its paths, its
//! errors, its pretty layout). Documents are read a level at a time (`crate::json_scan`)
//! and written in jsonb's canonical text (`crate::jsonb`).

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::error::{PgError, Result, sqlstate};
use crate::json_functions::row_by_row;
use crate::json_ops::string_of;
use crate::json_scan::{Shape, shape};
use crate::types::{SqlType, TYPE_KEY};

/// What a function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Set,
    Insert,
    StripNulls,
    Pretty,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ModifyFunction {
    kind: Kind,
    signature: Signature,
}

/// The functions, to register in a session.
pub fn functions() -> Vec<ScalarUDF> {
    [(Kind::Set, vec![3, 4]), (Kind::Insert, vec![3, 4]), (Kind::StripNulls, vec![1]), (Kind::Pretty, vec![1])]
        .into_iter()
        .map(|(kind, arities)| {
            let signature = Signature::one_of(arities.into_iter().map(TypeSignature::Any).collect(), Volatility::Immutable);
            ScalarUDF::new_from_impl(ModifyFunction { kind, signature })
        })
        .collect()
}

impl ScalarUDFImpl for ModifyFunction {
    fn name(&self) -> &str {
        match self.kind {
            Kind::Set => "jsonb_set",
            Kind::Insert => "jsonb_insert",
            Kind::StripNulls => "jsonb_strip_nulls",
            Kind::Pretty => "jsonb_pretty",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        Ok(Arc::new(match self.kind {
            Kind::Pretty => SqlType::Text.tagged_field(self.name(), true),
            _ => SqlType::Jsonb.tagged_field(self.name(), true),
        }))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        // Text arguments that are not tagged jsonb (literals) are read as jsonb.
        let tagged: Vec<bool> = args.arg_fields.iter().map(|f| f.metadata().contains_key(TYPE_KEY)).collect();
        row_by_row(&args, |row| self.compute(row, &tagged))
    }
}

impl ModifyFunction {
    fn compute(&self, args: &[ScalarValue], tagged: &[bool]) -> Result<ScalarValue> {
        let document = |i: usize| -> Result<Option<String>> {
            match args.get(i).and_then(string_of) {
                Some(text) if tagged.get(i).copied().unwrap_or(false) => Ok(Some(text)),
                Some(text) => crate::jsonb::canonical(&text).map(Some),
                None => Ok(None),
            }
        };
        let Some(target) = document(0)? else { return Ok(ScalarValue::Utf8(None)) };
        let out = match self.kind {
            Kind::StripNulls => strip_nulls(&target)?,
            Kind::Pretty => pretty(&target)?,
            Kind::Set | Kind::Insert => {
                let (Some(path), Some(value)) = (path_of(&args[1])?, document(2)?) else { return Ok(ScalarValue::Utf8(None)) };
                let flag = match args.get(3) {
                    Some(ScalarValue::Boolean(flag)) => *flag,
                    Some(other) if other.is_null() => None,
                    Some(_) => return Err(PgError::new(sqlstate::DATATYPE_MISMATCH, "the fourth argument must be boolean")),
                    None => Some(self.kind == Kind::Set),
                };
                // STRICT, as in PostgreSQL: a NULL flag is a NULL result.
                let Some(flag) = flag else { return Ok(ScalarValue::Utf8(None)) };
                if shape(&target).is_some_and(|s| !matches!(s, Shape::Object(_) | Shape::Array(_))) {
                    return Err(PgError::new(sqlstate::INVALID_PARAMETER, "cannot set path in scalar"));
                }
                let change = match self.kind {
                    Kind::Set => Change::Set { create_missing: flag },
                    _ => Change::Insert { after: flag },
                };
                set_path(&target, &path, 0, &value, change)?
            }
        };
        Ok(ScalarValue::Utf8(Some(out)))
    }
}

/// A `text[]` path (or the array literal an untyped one spells); `None` when the array is
/// NULL. 22004 for a NULL step, as PostgreSQL.
fn path_of(value: &ScalarValue) -> Result<Option<Vec<String>>> {
    let steps: Vec<Option<String>> = match value {
        _ if value.is_null() => return Ok(None),
        ScalarValue::List(list) => {
            let steps = ScalarValue::convert_array_to_scalar_vec(list.as_ref()).map_err(PgError::from_datafusion)?;
            steps.into_iter().next().flatten().unwrap_or_default().iter().map(string_of).collect()
        }
        other => match string_of(other) {
            Some(literal) => crate::array::input::parse_array(&literal)?,
            None => return Err(PgError::new(sqlstate::DATATYPE_MISMATCH, "the path must be a text array")),
        },
    };
    steps
        .into_iter()
        .enumerate()
        .map(|(i, step)| step.ok_or_else(|| PgError::new("22004", format!("path element at position {} is null", i + 1))))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// What happens at the end of the path.
#[derive(Clone, Copy)]
enum Change {
    /// `jsonb_set`: replace the value there, or add it when missing and allowed.
    Set { create_missing: bool },
    /// `jsonb_insert`: add the value before (or after) the element there, or as a new
    /// member (an existing one is 22023).
    Insert { after: bool },
}

/// `doc` with `value` put at `path[depth..]`; unchanged where the path leads nowhere.
fn set_path(doc: &str, path: &[String], depth: usize, value: &str, change: Change) -> Result<String> {
    let Some(step) = path.get(depth) else { return Ok(doc.to_string()) };
    let last = depth + 1 == path.len();
    match shape(doc).ok_or_else(invalid)? {
        Shape::Object(mut members) => {
            let found = members.iter().rposition(|(k, _)| k == step);
            let replaced;
            match (found, last, change) {
                (Some(_), true, Change::Insert { .. }) => {
                    return Err(PgError::new(sqlstate::INVALID_PARAMETER, "cannot replace existing key")
                        .with_hint("Try using the function jsonb_set to replace key value."));
                }
                (Some(i), true, Change::Set { .. }) => members[i].1 = value,
                (Some(i), false, _) => {
                    replaced = set_path(members[i].1, path, depth + 1, value, change)?;
                    members[i].1 = &replaced;
                }
                (None, true, Change::Set { create_missing: true } | Change::Insert { .. }) => members.push((step.clone(), value)),
                (None, _, _) => return Ok(doc.to_string()),
            }
            crate::json_edit::object(members.iter())
        }
        Shape::Array(mut items) => {
            let index: i64 = step.trim().parse().map_err(|_| {
                PgError::new(sqlstate::INVALID_TEXT, format!("path element at position {} is not an integer: \"{step}\"", depth + 1))
            })?;
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let position = if index < 0 { len + index } else { index };
            let replaced;
            match (last, change) {
                (true, Change::Insert { after }) => {
                    let at = match position {
                        p if p < 0 => 0,
                        p if p >= len => len,
                        p => p + i64::from(after),
                    };
                    items.insert(usize::try_from(at).unwrap_or(items.len()), value);
                }
                (true, Change::Set { .. }) if (0..len).contains(&position) => items[position as usize] = value,
                (true, Change::Set { create_missing: true }) if position < 0 => items.insert(0, value),
                (true, Change::Set { create_missing: true }) => items.push(value),
                (true, Change::Set { create_missing: false }) => return Ok(doc.to_string()),
                (false, _) if (0..len).contains(&position) => {
                    replaced = set_path(items[position as usize], path, depth + 1, value, change)?;
                    items[position as usize] = &replaced;
                }
                (false, _) => return Ok(doc.to_string()),
            }
            crate::json_edit::array(items.into_iter())
        }
        // A scalar inside the document: the path goes no further.
        _ => Ok(doc.to_string()),
    }
}

/// `jsonb_strip_nulls`: the document without the object members whose value is null, at
/// every depth (array elements stay).
fn strip_nulls(doc: &str) -> Result<String> {
    match shape(doc).ok_or_else(invalid)? {
        Shape::Object(members) => {
            let kept = members
                .into_iter()
                .filter(|(_, v)| v.trim() != "null")
                .map(|(k, v)| Ok((k, strip_nulls(v)?)))
                .collect::<Result<Vec<(String, String)>>>()?;
            let borrowed: Vec<(String, &str)> = kept.iter().map(|(k, v)| (k.clone(), v.as_str())).collect();
            crate::json_edit::object(borrowed.iter())
        }
        Shape::Array(items) => {
            let items = items.into_iter().map(strip_nulls).collect::<Result<Vec<_>>>()?;
            crate::json_edit::array(items.iter().map(String::as_str))
        }
        _ => Ok(doc.trim().to_string()),
    }
}

/// `jsonb_pretty`: one member or element a line, indented by four spaces a level, as
/// PostgreSQL lays it out (an empty object or array too spans two lines).
fn pretty(doc: &str) -> Result<String> {
    let mut out = String::new();
    write_pretty(doc, 0, &mut out)?;
    Ok(out)
}

fn write_pretty(doc: &str, level: usize, out: &mut String) -> Result<()> {
    let indent = |out: &mut String, level: usize| out.push_str(&"    ".repeat(level));
    match shape(doc).ok_or_else(invalid)? {
        Shape::Object(members) => {
            out.push_str("{\n");
            for (i, (key, value)) in members.iter().enumerate() {
                indent(out, level + 1);
                out.push_str(&serde_json::to_string(key).map_err(|e| PgError::internal(e.to_string()))?);
                out.push_str(": ");
                write_pretty(value, level + 1, out)?;
                out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
            }
            indent(out, level);
            out.push('}');
        }
        Shape::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write_pretty(item, level + 1, out)?;
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(out, level);
            out.push(']');
        }
        _ => out.push_str(doc.trim()),
    }
    Ok(())
}

fn invalid() -> PgError {
    PgError::new(sqlstate::INVALID_TEXT, "invalid input syntax for type json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(doc: &str, path: &[&str], value: &str, create: bool) -> Result<String> {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        set_path(doc, &path, 0, value, Change::Set { create_missing: create })
    }

    fn insert(doc: &str, path: &[&str], value: &str, after: bool) -> Result<String> {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        set_path(doc, &path, 0, value, Change::Insert { after })
    }

    #[test]
    fn set_and_insert_follow_postgresql() {
        assert_eq!(set(r#"{"a": 1, "b": [1, 2, 3]}"#, &["b", "1"], r#""x""#, true).as_deref(), Ok(r#"{"a": 1, "b": [1, "x", 3]}"#));
        assert_eq!(set(r#"{"a": 1}"#, &["c"], "5", true).as_deref(), Ok(r#"{"a": 1, "c": 5}"#));
        assert_eq!(set(r#"{"a": 1}"#, &["c"], "5", false).as_deref(), Ok(r#"{"a": 1}"#));
        assert_eq!(set(r#"{"a": 1}"#, &["c", "d"], "5", true).as_deref(), Ok(r#"{"a": 1}"#));
        assert_eq!(set("[1, 2, 3]", &["10"], "9", true).as_deref(), Ok("[1, 2, 3, 9]"));
        assert_eq!(set("[1, 2, 3]", &["-10"], "9", true).as_deref(), Ok("[9, 1, 2, 3]"));
        assert_eq!(set("[1, 2, 3]", &["-1"], "9", true).as_deref(), Ok("[1, 2, 9]"));
        assert_eq!(set("[1, 2, 3]", &["x"], "9", true).map_err(|e| e.message), Err("path element at position 1 is not an integer: \"x\"".into()));
        assert_eq!(insert(r#"{"a": [0, 1, 2]}"#, &["a", "1"], r#""new""#, false).as_deref(), Ok(r#"{"a": [0, "new", 1, 2]}"#));
        assert_eq!(insert(r#"{"a": [0, 1, 2]}"#, &["a", "-1"], r#""new""#, true).as_deref(), Ok(r#"{"a": [0, 1, 2, "new"]}"#));
        assert_eq!(insert(r#"{"a": {"b": 1}}"#, &["a", "b"], "2", false).map_err(|e| e.code), Err(sqlstate::INVALID_PARAMETER));
        assert_eq!(insert("[1]", &["5"], "2", false).as_deref(), Ok("[1, 2]"));
    }

    #[test]
    fn strip_nulls_and_pretty_follow_postgresql() {
        assert_eq!(strip_nulls(r#"{"a": 1, "b": null, "c": [null, {"d": null}]}"#).as_deref(), Ok(r#"{"a": 1, "c": [null, {}]}"#));
        assert_eq!(
            pretty(r#"{"a": 1, "b": [1, {"c": null}], "d": {}, "e": []}"#).as_deref(),
            Ok("{\n    \"a\": 1,\n    \"b\": [\n        1,\n        {\n            \"c\": null\n        }\n    ],\n    \"d\": {\n    },\n    \"e\": [\n    ]\n}")
        );
        assert_eq!(pretty("[]").as_deref(), Ok("[\n]"));
        assert_eq!(pretty("5").as_deref(), Ok("5"));
    }
}
