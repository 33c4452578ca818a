//! Enum types (`CREATE TYPE mood AS ENUM (...)`) on Arrow.
//!
//! A value of an enum type is an Arrow struct of its label's sort order (`float4`, as
//! `pg_enum.enumsortorder`), its label and its label's number. Comparing, sorting, grouping, `min` and `max`
//! then follow the order of declaration, as PostgreSQL's enums do, wherever DataFusion
//! takes the value, with no rule to rewrite them; and the label travels with the value, so
//! a value printed anywhere prints its label. The sort-order field carries the type's OID
//! as metadata ([`ENUM_KEY`]), so the Arrow type names the enum type: values of two enum
//! types are not the same type.
//!
//! Rows store the label's number (as PostgreSQL's store its `pg_enum` OID), never reused in
//! the type; its sort order and text are the type's, read when rows are read (the catalog
//! keeps the labels), so `ALTER TYPE ... ADD VALUE ... BEFORE` and `RENAME VALUE` rewrite no
//! row.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float32Array, StringArray, StringBuilder, StructArray, UInt32Array,
};
use datafusion::arrow::datatypes::UInt32Type;
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{PgError, Result, sqlstate};

/// Metadata key on the sort-order field of an enum value: the enum type's OID.
pub const ENUM_KEY: &str = "shale.enum";
/// The longest label PostgreSQL accepts, in bytes (`NAMEDATALEN - 1`).
pub const MAX_LABEL_BYTES: usize = 63;

/// One label of an enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumLabel {
    /// The label.
    pub label: String,
    /// Where it sorts (`pg_enum.enumsortorder`).
    pub sortorder: f32,
    /// Its number in the type, in the order labels were added: what rows store.
    pub number: u32,
}

/// An enum type as a column or an expression has it: its OID, and (once the catalog has
/// read the type) its name and labels in sort order. A column descriptor stores only the
/// OID; the catalog fills in the rest from the type when it reads the descriptor.
#[derive(Debug, Clone, Default)]
pub struct EnumType {
    /// The type's OID.
    pub oid: u32,
    /// The type's name, as `format_type` prints it.
    pub name: String,
    /// The labels, in sort order.
    pub labels: Arc<[EnumLabel]>,
}

impl PartialEq for EnumType {
    fn eq(&self, other: &Self) -> bool {
        self.oid == other.oid
    }
}

impl Eq for EnumType {}

impl std::hash::Hash for EnumType {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.oid.hash(state);
    }
}

impl Serialize for EnumType {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.oid)
    }
}

impl<'de> Deserialize<'de> for EnumType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Ok(EnumType { oid: u32::deserialize(deserializer)?, ..EnumType::default() })
    }
}

impl EnumType {
    /// The Arrow type of this type's values.
    pub fn data_type(&self) -> DataType {
        data_type(self.oid)
    }

    /// The label numbered `number`, if the type has it.
    pub fn numbered(&self, number: u32) -> Option<&EnumLabel> {
        self.labels.iter().find(|l| l.number == number)
    }

    /// PostgreSQL's 22P02 for `label`, which the type does not have.
    fn invalid(&self, label: &str) -> PgError {
        PgError::new(sqlstate::INVALID_TEXT, format!("invalid input value for enum {}: \"{label}\"", self.name))
    }

    /// The values spelled by `labels` (NULL stays NULL), or 22P02.
    pub fn array<'a>(&self, labels: impl IntoIterator<Item = Option<&'a str>>) -> Result<ArrayRef> {
        let index: HashMap<&str, usize> = self.labels.iter().enumerate().map(|(i, l)| (l.label.as_str(), i)).collect();
        let mut builder = EnumBuilder::new(self.clone(), 0);
        for label in labels {
            match label {
                Some(label) => match index.get(label) {
                    Some(&i) => builder.push_at(i),
                    None => return Err(self.invalid(label)),
                },
                None => builder.append_null(),
            }
        }
        Ok(builder.finish())
    }
}

/// The OID of the array type of the enum type `oid`: the next one (the catalog gives each
/// type a block of OIDs).
pub fn array_oid(oid: u32) -> u32 {
    oid.saturating_add(1)
}

/// The Arrow type of the values of the enum type `oid`.
pub fn data_type(oid: u32) -> DataType {
    DataType::Struct(fields(oid))
}

fn fields(oid: u32) -> Fields {
    let order = Field::new("sortorder", DataType::Float32, false)
        .with_metadata(HashMap::from([(ENUM_KEY.to_string(), oid.to_string())]));
    Fields::from(vec![order, Field::new("label", DataType::Utf8, false), Field::new("number", DataType::UInt32, false)])
}

/// The OID of the enum type whose values have the Arrow type `data_type`, if it is one.
pub fn enum_oid(data_type: &DataType) -> Option<u32> {
    let DataType::Struct(fields) = data_type else { return None };
    match fields.iter().as_slice() {
        [order, _, _] => order.metadata().get(ENUM_KEY)?.parse().ok(),
        _ => None,
    }
}

/// The label numbers of an array of enum values (what rows store), if it is one.
pub fn numbers(array: &dyn Array) -> Option<&UInt32Array> {
    enum_oid(array.data_type())?;
    Some(array.as_struct().column(2).as_primitive::<UInt32Type>())
}

/// The labels of an array of enum values (its nulls are the array's), if it is one.
pub fn labels(array: &dyn Array) -> Option<StringArray> {
    enum_oid(array.data_type())?;
    let values = array.as_struct();
    let labels = values.column(1).as_string::<i32>();
    Some(StringArray::new(labels.offsets().clone(), labels.values().clone(), values.nulls().cloned()))
}

/// `text::mood`: the values of the enum type spelled by text (22P02 for a label the type
/// does not have). Made for each cast, with the type's labels as the statement sees them.
pub fn input_function(ty: EnumType) -> ScalarUDF {
    ScalarUDF::new_from_impl(EnumInput { ty, signature: Signature::exact(vec![DataType::Utf8], Volatility::Immutable) })
}

/// `mood::text`: an enum value's label.
pub fn output_function() -> ScalarUDF {
    ScalarUDF::new_from_impl(EnumOutput { signature: Signature::any(1, Volatility::Immutable) })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct EnumInput {
    ty: EnumType,
    signature: Signature,
}

impl ScalarUDFImpl for EnumInput {
    fn name(&self) -> &str {
        "enum_in"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(self.ty.data_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let [text] = args.args.as_slice() else { return Err(PgError::internal("enum_in takes one argument").into_datafusion()) };
        let text = text.to_array(rows)?;
        let values = self.ty.array(text.as_string::<i32>().iter()).map_err(PgError::into_datafusion)?;
        Ok(ColumnarValue::Array(values))
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct EnumOutput {
    signature: Signature,
}

impl ScalarUDFImpl for EnumOutput {
    fn name(&self) -> &str {
        "enum_out"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DFResult<ColumnarValue> {
        let rows = args.number_rows;
        let [value] = args.args.as_slice() else { return Err(PgError::internal("enum_out takes one argument").into_datafusion()) };
        let value = value.to_array(rows)?;
        let labels = labels(&value).ok_or_else(|| PgError::internal("enum_out of a value that is not an enum's").into_datafusion())?;
        Ok(ColumnarValue::Array(Arc::new(labels)))
    }
}

/// Builds an array of enum values from stored label numbers read one at a time.
pub struct EnumBuilder {
    ty: EnumType,
    /// Where each label number's label is in `ty.labels`.
    by_number: HashMap<u32, usize>,
    orders: Vec<f32>,
    labels: StringBuilder,
    numbers: Vec<u32>,
    valid: Vec<bool>,
}

impl EnumBuilder {
    /// A builder of values of `ty`, whose labels must be known.
    pub fn new(ty: EnumType, capacity: usize) -> Self {
        let by_number = ty.labels.iter().enumerate().map(|(i, l)| (l.number, i)).collect();
        EnumBuilder {
            ty,
            by_number,
            orders: Vec::with_capacity(capacity),
            labels: StringBuilder::with_capacity(capacity, capacity * 8),
            numbers: Vec::with_capacity(capacity),
            valid: Vec::with_capacity(capacity),
        }
    }

    /// Appends the value whose label is numbered `number` (stored, so one of the type's:
    /// anything else is corrupt data, XX001).
    pub fn append(&mut self, number: u32) -> Result<()> {
        let Some(&i) = self.by_number.get(&number) else {
            return Err(PgError::new(
                sqlstate::DATA_CORRUPTED,
                format!("stored label number {number} is not one of enum type {}", self.ty.name),
            ));
        };
        self.push_at(i);
        Ok(())
    }

    /// Appends the value of the type's label at `i`.
    fn push_at(&mut self, i: usize) {
        let label = &self.ty.labels[i];
        self.orders.push(label.sortorder);
        self.labels.append_value(&label.label);
        self.numbers.push(label.number);
        self.valid.push(true);
    }

    /// Appends NULL.
    pub fn append_null(&mut self) {
        self.orders.push(0.0);
        self.labels.append_value("");
        self.numbers.push(0);
        self.valid.push(false);
    }

    /// The values appended since the last call.
    pub fn finish(&mut self) -> ArrayRef {
        let nulls = Some(NullBuffer::from(std::mem::take(&mut self.valid))).filter(|n| n.null_count() > 0);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Float32Array::from(std::mem::take(&mut self.orders))),
            Arc::new(self.labels.finish()),
            Arc::new(UInt32Array::from(std::mem::take(&mut self.numbers))),
        ];
        Arc::new(StructArray::new(fields(self.ty.oid), columns, nulls))
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::Array;

    use super::*;

    fn mood() -> EnumType {
        let labels = [("sad", 1.0, 0), ("ok", 2.0, 1), ("happy", 3.0, 2)]
            .map(|(label, sortorder, number)| EnumLabel { label: label.into(), sortorder, number });
        EnumType { oid: 16390, name: "mood".into(), labels: Arc::new(labels) }
    }

    #[test]
    fn values_name_their_type_and_keep_labels_and_nulls() {
        let array = mood().array([Some("happy"), None, Some("sad")]).expect("labels");
        assert_eq!(enum_oid(array.data_type()), Some(16390));
        let labels = labels(&array).expect("enum");
        assert_eq!(labels.iter().collect::<Vec<_>>(), [Some("happy"), None, Some("sad")]);
        assert_eq!(numbers(&array).expect("enum").values()[..], [2, 0, 0]);
        let err = mood().array([Some("angry")]).expect_err("not a label");
        assert_eq!((err.code, err.message.as_str()), ("22P02", "invalid input value for enum mood: \"angry\""));
        assert_eq!(enum_oid(&DataType::Utf8), None);
    }

    #[test]
    fn a_builder_makes_the_same_values_as_input() {
        let mut builder = EnumBuilder::new(mood(), 2);
        builder.append(1).expect("label");
        builder.append_null();
        let built = builder.finish();
        assert_eq!(built.as_ref(), mood().array([Some("ok"), None]).expect("labels").as_ref());
        assert_eq!(builder.append(7).expect_err("corrupt").code, "XX001");
    }

    #[test]
    fn only_the_oid_is_stored() {
        let json = serde_json::to_string(&mood()).expect("serialize");
        assert_eq!(json, "16390");
        let back: EnumType = serde_json::from_str(&json).expect("deserialize");
        assert_eq!((back.oid, back.labels.len()), (16390, 0));
    }
}
