//! The functions that build json and jsonb values from SQL values (PostgreSQL 15's
//! "JSON Creation Functions"): `to_json[b]`, `array_to_json`, `json[b]_build_array`,
//! `json[b]_build_object` and `json[b]_object`, with PostgreSQL's spacing (json:
//! `{"a" : 1}`, `[1, 2]`; jsonb its canonical text, `crate::jsonb`), NULLs and errors.
//! Values are written by `crate::json_value`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::error::{PgError, Result, sqlstate};
use crate::json_value::{is_null, key_text, quoted, value_text, write_value};
use crate::types::{LIST_ITEM, SqlType};

/// What a function builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `to_json(value)`.
    ToJson,
    /// `array_to_json(array [, pretty])`.
    ArrayToJson,
    /// `json_build_array(VARIADIC values)`.
    BuildArray,
    /// `json_build_object(VARIADIC keys and values)`.
    BuildObject,
    /// `json_object(text[])` / `json_object(keys text[], values text[])`.
    Object,
}

/// One function, building json or jsonb.
#[derive(Debug, PartialEq, Eq, Hash)]
struct BuildFunction {
    name: &'static str,
    kind: Kind,
    jsonb: bool,
    signature: Signature,
}

/// The functions, to register in a session.
pub fn functions() -> Vec<ScalarUDF> {
    [
        ("to_json", Kind::ToJson, false),
        ("to_jsonb", Kind::ToJson, true),
        ("array_to_json", Kind::ArrayToJson, false),
        ("json_build_array", Kind::BuildArray, false),
        ("jsonb_build_array", Kind::BuildArray, true),
        ("json_build_object", Kind::BuildObject, false),
        ("jsonb_build_object", Kind::BuildObject, true),
        ("json_object", Kind::Object, false),
        ("jsonb_object", Kind::Object, true),
    ]
    .into_iter()
    .map(|(name, kind, jsonb)| {
        let arities = match kind {
            Kind::ToJson => vec![TypeSignature::Any(1)],
            Kind::ArrayToJson | Kind::Object => vec![TypeSignature::Any(1), TypeSignature::Any(2)],
            Kind::BuildArray | Kind::BuildObject => vec![TypeSignature::Nullary, TypeSignature::VariadicAny],
        };
        let volatility = match kind {
            // As PostgreSQL's: what a timestamptz prints as depends on the session.
            Kind::ToJson | Kind::BuildArray | Kind::BuildObject => Volatility::Stable,
            Kind::ArrayToJson | Kind::Object => Volatility::Immutable,
        };
        ScalarUDF::new_from_impl(BuildFunction { name, kind, jsonb, signature: Signature::one_of(arities, volatility) })
    })
    .collect()
}

impl ScalarUDFImpl for BuildFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> DFResult<FieldRef> {
        let ty = if self.jsonb { SqlType::Jsonb } else { SqlType::Json };
        Ok(Arc::new(ty.tagged_field(self.name, true)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let scalars = args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalars { 1 } else { args.number_rows };
        let mut arrays = args.args.iter().map(|a| a.to_array(rows)).collect::<DFResult<Vec<_>>>()?;
        let mut fields: Vec<Field> = args.arg_fields.iter().map(|f| f.as_ref().clone()).collect();
        if self.kind == Kind::Object {
            for (array, field) in arrays.iter_mut().zip(&mut fields) {
                (*array, *field) = text_arrays(array).map_err(PgError::into_datafusion)?;
            }
        }
        let texts = (0..rows)
            .map(|row| {
                let text = self.build(&arrays, &fields, row)?;
                match (text, self.jsonb) {
                    (Some(text), true) => crate::jsonb::canonical(&text).map(Some),
                    (text, _) => Ok(text),
                }
            })
            .collect::<Result<StringArray>>()
            .map_err(PgError::into_datafusion)?;
        match scalars {
            true => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&texts, 0)?)),
            false => Ok(ColumnarValue::Array(Arc::new(texts))),
        }
    }
}

impl BuildFunction {
    /// The json text of one row (NULL: `None`), before jsonb makes it canonical.
    fn build(&self, args: &[ArrayRef], fields: &[Field], row: usize) -> Result<Option<String>> {
        match self.kind {
            Kind::ToJson if is_null(args[0].as_ref(), row) => Ok(None),
            Kind::ToJson => value_text(args[0].as_ref(), &fields[0], row).map(Some),
            Kind::ArrayToJson => {
                let pretty = match args.get(1) {
                    None => false,
                    Some(flag) if is_null(flag.as_ref(), row) => return Ok(None),
                    Some(flag) => match flag.data_type() {
                        DataType::Boolean => flag.as_boolean().value(row),
                        other => return Err(undefined(self.name, &format!("anyarray, {other}"))),
                    },
                };
                if is_null(args[0].as_ref(), row) {
                    return Ok(None);
                }
                if !crate::json_value::is_array(args[0].data_type()) {
                    return Err(undefined(self.name, &args[0].data_type().to_string()));
                }
                let mut out = String::new();
                write_value(args[0].as_ref(), &fields[0], row, if pretty { ",\n " } else { "," }, &mut out)?;
                Ok(Some(out))
            }
            Kind::BuildArray => {
                let values = (0..args.len()).map(|i| value_text(args[i].as_ref(), &fields[i], row)).collect::<Result<Vec<_>>>()?;
                Ok(Some(format!("[{}]", values.join(", "))))
            }
            Kind::BuildObject => {
                if !args.len().is_multiple_of(2) {
                    return Err(PgError::new(sqlstate::INVALID_PARAMETER, "argument list must have even number of elements")
                        .with_hint(format!("The arguments of {}() must consist of alternating keys and values.", self.name)));
                }
                let mut members = Vec::with_capacity(args.len() / 2);
                for i in (0..args.len()).step_by(2) {
                    if is_null(args[i].as_ref(), row) {
                        return Err(match self.jsonb {
                            true => PgError::new(sqlstate::INVALID_PARAMETER, format!("argument {}: key must not be null", i + 1)),
                            false => PgError::new(sqlstate::INVALID_PARAMETER, format!("argument {} cannot be null", i + 1))
                                .with_hint("Object keys should be text."),
                        });
                    }
                    let key = key_text(args[i].as_ref(), &fields[i], row)?;
                    members.push(format!("{key} : {}", value_text(args[i + 1].as_ref(), &fields[i + 1], row)?));
                }
                Ok(Some(format!("{{{}}}", members.join(", "))))
            }
            Kind::Object => {
                let mut elements = Vec::with_capacity(args.len());
                for array in args {
                    match text_elements(array, row)? {
                        Some(list) => elements.push(list),
                        None => return Ok(None),
                    }
                }
                object_text(elements).map(Some)
            }
        }
    }
}

/// An array argument of `json_object`: its elements, or the elements of each of its
/// rows for a two-dimensional one.
enum TextArray {
    Flat(Vec<Option<String>>),
    Rows(Vec<Vec<Option<String>>>),
}

/// `json_object`'s text: pairs from one array (flat, or of rows of two), or keys and values
/// from two; 2202E when they do not pair, 22004 for a NULL key.
fn object_text(mut arrays: Vec<TextArray>) -> Result<String> {
    let subscript_error = |message: &str| PgError::new("2202E", message.to_string());
    let pairs: Vec<(Option<String>, Option<String>)> = match (arrays.pop(), arrays.pop()) {
        (Some(TextArray::Flat(values)), Some(TextArray::Flat(keys))) => {
            if keys.len() != values.len() {
                return Err(subscript_error("mismatched array dimensions"));
            }
            keys.into_iter().zip(values).collect()
        }
        (Some(_), Some(_)) => return Err(subscript_error("wrong number of array subscripts")),
        (Some(TextArray::Flat(flat)), None) => {
            if !flat.len().is_multiple_of(2) {
                return Err(subscript_error("array must have even number of elements"));
            }
            let mut items = flat.into_iter();
            std::iter::from_fn(|| Some((items.next()?, items.next()?))).collect()
        }
        (Some(TextArray::Rows(rows)), None) => rows
            .into_iter()
            .map(|row| match <[Option<String>; 2]>::try_from(row) {
                Ok([key, value]) => Ok((key, value)),
                Err(_) => Err(subscript_error("array must have two columns")),
            })
            .collect::<Result<_>>()?,
        (None, _) => return Err(PgError::internal("json_object without arguments")),
    };
    let members = pairs
        .into_iter()
        .map(|(key, value)| {
            let key = key.ok_or_else(|| PgError::new("22004", "null value not allowed for object key"))?;
            Ok(format!("{} : {}", quoted(&key), value.as_deref().map_or_else(|| "null".to_string(), quoted)))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(format!("{{{}}}", members.join(", ")))
}

/// A `text[]` argument as arrays of text: an untyped literal read as `text[]` (`'{a,1}'`),
/// the elements of other arrays cast to text.
fn text_arrays(array: &ArrayRef) -> Result<(ArrayRef, Field)> {
    if array.data_type() == &DataType::Null {
        return Ok((array.clone(), Field::new("", DataType::Null, true)));
    }
    let item: FieldRef = Arc::new(Field::new(LIST_ITEM, DataType::Utf8, true));
    let lists = crate::input::convert_array(&item, &SqlType::Text, true, array)?;
    let field = Field::new("", lists.data_type().clone(), true);
    Ok((lists, field))
}

/// The text elements of the array at `row` (NULL: `None`).
fn text_elements(array: &ArrayRef, row: usize) -> Result<Option<TextArray>> {
    if is_null(array.as_ref(), row) {
        return Ok(None);
    }
    let texts = |values: &ArrayRef| -> Vec<Option<String>> { values.as_string::<i32>().iter().map(|v| v.map(str::to_string)).collect() };
    let elements = array.as_list::<i32>().value(row);
    Ok(Some(match elements.data_type() {
        DataType::List(_) => {
            let rows = elements.as_list::<i32>();
            TextArray::Rows((0..rows.len()).map(|i| texts(&rows.value(i))).collect())
        }
        _ => TextArray::Flat(texts(&elements)),
    }))
}

/// 42883 for a call with arguments of types the function does not take.
fn undefined(name: &str, types: &str) -> PgError {
    PgError::new(sqlstate::UNDEFINED_FUNCTION, format!("function {name}({types}) does not exist"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(items: &[Option<&str>]) -> TextArray {
        TextArray::Flat(items.iter().map(|i| i.map(str::to_string)).collect())
    }

    #[test]
    fn objects_pair_their_arrays_as_postgresql() {
        // SELECT json_object(...) in PostgreSQL 15.
        let one = object_text(vec![flat(&[Some("a"), Some("1"), Some("b"), None])]).unwrap();
        assert_eq!(one, r#"{"a" : "1", "b" : null}"#);
        let two = object_text(vec![flat(&[Some("a"), Some("b")]), flat(&[Some("1"), Some("2")])]).unwrap();
        assert_eq!(two, r#"{"a" : "1", "b" : "2"}"#);
        assert_eq!(object_text(vec![flat(&[])]).unwrap(), "{}");
        let rows = TextArray::Rows(vec![vec![Some("a".into()), Some("1".into())]]);
        assert_eq!(object_text(vec![rows]).unwrap(), r#"{"a" : "1"}"#);
        let code = |arrays| object_text(arrays).unwrap_err().code;
        assert_eq!(code(vec![flat(&[Some("a")])]), "2202E");
        assert_eq!(code(vec![flat(&[None, Some("1")])]), "22004");
        assert_eq!(code(vec![flat(&[Some("a")]), flat(&[])]), "2202E");
    }
}
