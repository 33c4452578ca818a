//! The json and jsonb aggregates: `json_agg` / `jsonb_agg` (the values as an array) and
//! `json_object_agg` / `jsonb_object_agg` (keys and values as an object), as PostgreSQL 15
//! writes them: `[1, 2, null]`, `{ "a" : 1, "b" : 2 }`, jsonb in its canonical text (the
//! last of duplicate keys kept); NULL over no rows. Values are written by
//! `crate::json_value`; an `ORDER BY` in the call orders the input: DataFusion sorts it for
//! an aggregate that does not say its order does not matter, or, when the input comes
//! ordered the other way, runs the aggregate reversed (each value goes first).
//!
//! The state is the list of the values' texts (NULL for a NULL value of `json_agg`),
//! merged by appending.

use std::collections::VecDeque;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDF, AggregateUDFImpl, ReversedUDAF, Signature, Volatility};

use crate::error::{PgError, Result, sqlstate};
use crate::json_value::{is_array, is_null, key_text, value_text};
use crate::types::{LIST_ITEM, SqlType};

/// One aggregate, building json or jsonb.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonAggregate {
    name: &'static str,
    /// Of keys and values (`json_object_agg`), or of values (`json_agg`).
    object: bool,
    jsonb: bool,
    signature: Signature,
}

/// The aggregates, to register in a session.
pub fn aggregates() -> Vec<AggregateUDF> {
    [("json_agg", false, false), ("jsonb_agg", false, true), ("json_object_agg", true, false), ("jsonb_object_agg", true, true)]
        .into_iter()
        .map(|(name, object, jsonb)| {
            let signature = Signature::any(if object { 2 } else { 1 }, Volatility::Stable);
            AggregateUDF::new_from_impl(JsonAggregate { name, object, jsonb, signature })
        })
        .collect()
}

impl AggregateUDFImpl for JsonAggregate {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field(&self, _arg_fields: &[FieldRef]) -> DFResult<FieldRef> {
        let ty = if self.jsonb { SqlType::Jsonb } else { SqlType::Json };
        Ok(Arc::new(ty.tagged_field(self.name, true)))
    }

    fn accumulator(&self, args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        Ok(Box::new(JsonAccumulator {
            object: self.object,
            jsonb: self.jsonb,
            distinct: args.is_distinct,
            reversed: args.is_reversed,
            fields: args.expr_fields.to_vec(),
            items: VecDeque::new(),
        }))
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Reversed(Arc::new(AggregateUDF::new_from_impl(JsonAggregate {
            name: self.name,
            object: self.object,
            jsonb: self.jsonb,
            signature: self.signature.clone(),
        })))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        let items = DataType::List(Arc::new(Field::new(LIST_ITEM, DataType::Utf8, true)));
        Ok(vec![Arc::new(Field::new(format!("{}[items]", args.name), items, true))])
    }
}

/// The texts of the values aggregated so far.
#[derive(Debug)]
struct JsonAccumulator {
    object: bool,
    jsonb: bool,
    /// Whether each value is taken once (`json_agg(DISTINCT x)`).
    distinct: bool,
    /// Whether the input comes in the reverse of the order asked for.
    reversed: bool,
    /// The arguments' fields: their types, for writing their values.
    fields: Vec<FieldRef>,
    /// Each value's json text (an object's member: `"key" : value`), in the order asked
    /// for; `None`: NULL.
    items: VecDeque<Option<String>>,
}

impl JsonAccumulator {
    /// The text of the value at `row` of the arguments `values`.
    fn item(&self, values: &[ArrayRef], row: usize) -> Result<Option<String>> {
        if !self.object {
            return match is_null(values[0].as_ref(), row) {
                true => Ok(None),
                false => value_text(values[0].as_ref(), &self.fields[0], row).map(Some),
            };
        }
        if is_null(values[0].as_ref(), row) {
            return Err(PgError::new(sqlstate::INVALID_PARAMETER, "field name must not be null"));
        }
        let key = key_text(values[0].as_ref(), &self.fields[0], row)?;
        Ok(Some(format!("{key} : {}", value_text(values[1].as_ref(), &self.fields[1], row)?)))
    }

    /// Takes a value of the input (`first`: before those taken, for a reversed input).
    fn push(&mut self, item: Option<String>, first: bool) {
        match (self.distinct && self.items.contains(&item), first) {
            (true, _) => {}
            (false, true) => self.items.push_front(item),
            (false, false) => self.items.push_back(item),
        }
    }

    /// The aggregate's json text, before jsonb makes it canonical.
    fn text(&self) -> String {
        if self.object {
            let members: Vec<&str> = self.items.iter().flatten().map(String::as_str).collect();
            return format!("{{ {} }}", members.join(", "));
        }
        // PostgreSQL starts each array after the first on a line of its own.
        let arrays = self.fields.first().is_some_and(|f| is_array(f.data_type()));
        let mut out = String::from("[");
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match item {
                Some(text) if i > 0 && arrays => {
                    out.push_str("\n ");
                    out.push_str(text);
                }
                Some(text) => out.push_str(text),
                None => out.push_str("null"),
            }
        }
        out.push(']');
        out
    }
}

impl Accumulator for JsonAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let rows = values.first().map_or(0, |v| v.len());
        for row in 0..rows {
            let item = self.item(values, row).map_err(PgError::into_datafusion)?;
            self.push(item, self.reversed);
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        if self.items.is_empty() {
            return Ok(ScalarValue::Utf8(None));
        }
        let text = self.text();
        let text = if self.jsonb { crate::jsonb::canonical(&text).map_err(PgError::into_datafusion)? } else { text };
        Ok(ScalarValue::Utf8(Some(text)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.items.iter().map(|i| std::mem::size_of_val(i) + i.as_ref().map_or(0, String::capacity)).sum::<usize>()
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        let items: Vec<ScalarValue> = self.items.iter().cloned().map(ScalarValue::Utf8).collect();
        Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(&items, &DataType::Utf8))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let Some(lists) = states.first() else { return Ok(()) };
        for list in lists.as_list::<i32>().iter().flatten() {
            for item in list.as_string::<i32>() {
                self.push(item.map(str::to_string), false);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Int32Array, ListArray, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;

    fn accumulator(object: bool, jsonb: bool, fields: Vec<Field>) -> JsonAccumulator {
        let fields = fields.into_iter().map(Arc::new).collect();
        JsonAccumulator { object, jsonb, distinct: false, reversed: false, fields, items: VecDeque::new() }
    }

    fn evaluated(acc: &mut JsonAccumulator) -> String {
        match acc.evaluate().unwrap() {
            ScalarValue::Utf8(Some(text)) => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn aggregates_are_written_as_postgresql_writes_them() {
        // SELECT json_agg(x), json_object_agg(k, x), jsonb_object_agg(k, x)
        // FROM (VALUES ('b', 1), ('a', 2), ('b', NULL)) t(k, x) in PostgreSQL 15.
        let keys: ArrayRef = Arc::new(StringArray::from(vec!["b", "a", "b"]));
        let values: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(2), None]));
        let (key, value) = (Field::new("k", DataType::Utf8, true), Field::new("x", DataType::Int32, true));
        let mut array = accumulator(false, false, vec![value.clone()]);
        array.update_batch(std::slice::from_ref(&values)).unwrap();
        assert_eq!(evaluated(&mut array), "[1, 2, null]");
        let mut object = accumulator(true, false, vec![key.clone(), value.clone()]);
        object.update_batch(&[keys.clone(), values.clone()]).unwrap();
        assert_eq!(evaluated(&mut object), r#"{ "b" : 1, "a" : 2, "b" : null }"#);
        let mut jsonb = accumulator(true, true, vec![key, value.clone()]);
        jsonb.update_batch(&[keys, values]).unwrap();
        assert_eq!(evaluated(&mut jsonb), r#"{"a": 2, "b": null}"#);
        assert_eq!(accumulator(false, false, vec![value]).evaluate().unwrap(), ScalarValue::Utf8(None));
    }

    #[test]
    fn arrays_after_the_first_start_a_line() {
        let lists = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(1), Some(2)]), Some(vec![Some(3)])]);
        let mut acc = accumulator(false, false, vec![Field::new("a", lists.data_type().clone(), true)]);
        acc.update_batch(&[Arc::new(lists)]).unwrap();
        assert_eq!(evaluated(&mut acc), "[[1,2], \n [3]]");
    }

    #[test]
    fn states_merge_in_order() {
        let value = Field::new("x", DataType::Int32, true);
        let mut first = accumulator(false, false, vec![value.clone()]);
        first.update_batch(&[Arc::new(Int32Array::from(vec![Some(1), None]))]).unwrap();
        let mut second = accumulator(false, false, vec![value]);
        second.update_batch(&[Arc::new(Int32Array::from(vec![3]))]).unwrap();
        let states: Vec<ArrayRef> = second.state().unwrap().iter().map(|s| s.to_array().unwrap()).collect();
        first.merge_batch(&states).unwrap();
        assert_eq!(evaluated(&mut first), "[1, null, 3]");
    }

    #[test]
    fn a_reversed_input_is_put_back_in_order() {
        let mut acc = accumulator(false, false, vec![Field::new("x", DataType::Int32, true)]);
        acc.reversed = true;
        acc.update_batch(&[Arc::new(Int32Array::from(vec![3, 2, 1]))]).unwrap();
        assert_eq!(evaluated(&mut acc), "[1, 2, 3]");
    }
}
