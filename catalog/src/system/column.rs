//! The PostgreSQL types of system table columns, as Arrow fields, and the values rows are
//! made of.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, new_empty_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result as DFResult, ScalarValue};

use shale_pgtypes::types::TYPE_KEY;

/// The type of a system table column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Column {
    Oid,
    Name,
    /// `"char"`: one byte.
    Char,
    Text,
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Timestamptz,
    Bytea,
    /// `xid`: a transaction id.
    Xid,
    /// `regproc`: a function's OID, shown as its name.
    RegProc,
    /// `oid[]`.
    OidList,
    /// `int2[]`.
    Int2List,
    /// `int2vector`: a list of int2, printed space-separated, subscripts from 0.
    Int2Vector,
    /// `oidvector`: a list of oids, printed space-separated, subscripts from 0.
    OidVector,
    /// `text[]`.
    TextList,
    /// `"char"[]`.
    CharList,
    /// `aclitem[]`: always NULL in Shale (no grants).
    Acl,
    /// `anyarray` (`attmissingval`): always NULL in Shale.
    AnyArray,
    /// `pg_node_tree`: an expression, kept as its SQL text.
    NodeTree,
    /// `regtype`: a type's OID, shown as its name.
    RegType,
    /// `character varying` (information_schema's character_data and yes_or_no).
    Varchar,
}

/// A field whose PostgreSQL type is `tag` (see [`TYPE_KEY`]).
fn tagged(name: &str, data_type: DataType, tag: &str) -> Field {
    Field::new(name, data_type, true).with_metadata(HashMap::from([(TYPE_KEY.to_string(), tag.to_string())]))
}

/// A list field of `item`s.
fn list(item: Field) -> DataType {
    DataType::List(Arc::new(item))
}

impl Column {
    /// The column `name` of this type.
    pub(crate) fn field(self, name: &str) -> Field {
        match self {
            Column::Oid => tagged(name, DataType::UInt32, "oid"),
            Column::Name => tagged(name, DataType::Utf8, "name"),
            Column::Char => tagged(name, DataType::Utf8, "char"),
            Column::RegProc => tagged(name, DataType::UInt32, "regproc"),
            Column::Xid => tagged(name, DataType::UInt32, "xid"),
            Column::RegType => tagged(name, DataType::UInt32, "regtype"),
            Column::NodeTree => tagged(name, DataType::Utf8, "pg_node_tree"),
            Column::Varchar => tagged(name, DataType::Utf8, "varchar"),
            Column::Acl => tagged(name, list(Column::Text.field("item")), "aclitem[]"),
            Column::AnyArray => tagged(name, list(Column::Text.field("item")), "anyarray"),
            Column::Bytea => Field::new(name, DataType::Binary, true),
            Column::Text => Field::new(name, DataType::Utf8, true),
            Column::Bool => Field::new(name, DataType::Boolean, true),
            Column::Int2 => Field::new(name, DataType::Int16, true),
            Column::Int4 => Field::new(name, DataType::Int32, true),
            Column::Int8 => Field::new(name, DataType::Int64, true),
            Column::Float4 => Field::new(name, DataType::Float32, true),
            Column::Timestamptz => Field::new(
                name,
                DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, Some(shale_pgtypes::types::UTC.into())),
                true,
            ),
            Column::OidList => Field::new(name, list(Column::Oid.field("item")), true),
            Column::Int2List => Field::new(name, list(Column::Int2.field("item")), true),
            Column::Int2Vector => tagged(name, list(Column::Int2.field("item")), "int2vector"),
            Column::OidVector => tagged(name, list(Column::Oid.field("item")), "oidvector"),
            Column::TextList => Field::new(name, list(Column::Text.field("item")), true),
            Column::CharList => Field::new(name, list(Column::Char.field("item")), true),
        }
    }
}

/// An `oid` (or `regproc`) value.
pub(crate) fn oid(oid: u32) -> ScalarValue {
    ScalarValue::UInt32(Some(oid))
}

/// An `xid` value.
pub(crate) fn xid(xid: u32) -> ScalarValue {
    ScalarValue::UInt32(Some(xid))
}

/// A `text`, `name` or `"char"` value.
pub(crate) fn text(s: &str) -> ScalarValue {
    ScalarValue::Utf8(Some(s.to_string()))
}

/// A `"char"` value.
pub(crate) fn letter(c: char) -> ScalarValue {
    ScalarValue::Utf8(Some(c.to_string()))
}

/// NULL, of whatever type the column has.
pub(crate) fn null() -> ScalarValue {
    ScalarValue::Null
}

/// A `text` value, or NULL.
pub(crate) fn opt_text(s: Option<&str>) -> ScalarValue {
    s.map_or(ScalarValue::Null, text)
}

pub(crate) fn boolean(b: bool) -> ScalarValue {
    ScalarValue::Boolean(Some(b))
}

pub(crate) fn int2(n: i16) -> ScalarValue {
    ScalarValue::Int16(Some(n))
}

pub(crate) fn int4(n: i32) -> ScalarValue {
    ScalarValue::Int32(Some(n))
}

pub(crate) fn int8(n: i64) -> ScalarValue {
    ScalarValue::Int64(Some(n))
}

pub(crate) fn float4(n: f32) -> ScalarValue {
    ScalarValue::Float32(Some(n))
}

/// A `timestamptz` value from microseconds since the Unix epoch (NULL for `None`).
pub(crate) fn timestamptz(micros: Option<i64>) -> ScalarValue {
    ScalarValue::TimestampMicrosecond(micros, Some(shale_pgtypes::types::UTC.into()))
}

/// An `oid[]` / `oidvector` value.
pub(crate) fn oid_list(oids: &[u32]) -> ScalarValue {
    let values: Vec<ScalarValue> = oids.iter().map(|o| oid(*o)).collect();
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::UInt32))
}

/// An `int2[]` / `int2vector` value.
pub(crate) fn int2_list(numbers: &[i16]) -> ScalarValue {
    let values: Vec<ScalarValue> = numbers.iter().map(|n| int2(*n)).collect();
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &DataType::Int16))
}

/// The column of `field`'s type holding `values` in order; a [`null`] becomes a NULL of
/// the column's type.
pub(crate) fn column(field: &Field, values: impl Iterator<Item = ScalarValue>) -> DFResult<ArrayRef> {
    let data_type = field.data_type();
    let typed_null = match data_type {
        // Lists are built with plain item fields, then cast to the field's (tagged) items.
        DataType::List(item) => ScalarValue::new_null_list(item.data_type().clone(), true, 1),
        other => ScalarValue::try_from(other)?,
    };
    let values: Vec<ScalarValue> = values.map(|v| if matches!(v, ScalarValue::Null) { typed_null.clone() } else { v }).collect();
    let array = match values.is_empty() {
        true => new_empty_array(data_type),
        false => ScalarValue::iter_to_array(values)?,
    };
    match array.data_type() == data_type {
        true => Ok(array),
        false => Ok(cast(&array, data_type)?),
    }
}
