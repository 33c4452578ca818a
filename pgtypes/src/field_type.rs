//! The PostgreSQL type a column of an Arrow field is: its OID, type modifier and length, as
//! RowDescription announces it and `pg_attribute` describes a view's column.
//!
//! Metadata on the field ([`TYPE_KEY`], [`TYPMOD_KEY`]) overrides what the Arrow type
//! implies; an enum value's struct names its type (`crate::enums`); Arrow types without a
//! PostgreSQL counterpart (other structs, maps, unions) are `text`.

use datafusion::arrow::datatypes::{DataType, Field};

use crate::types::{TYPE_KEY, TYPMOD_KEY};

/// A column's PostgreSQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldType {
    /// The type's OID.
    pub oid: u32,
    /// The type modifier, -1 when there is none.
    pub typmod: i32,
    /// `pg_type.typlen`: the fixed size in bytes, -1 for variable length.
    pub typlen: i16,
}

/// The OIDs of the types fields map to (PostgreSQL 15's `pg_type`).
mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT2_VECTOR: u32 = 22;
    pub const INT4: u32 = 23;
    pub const REGPROC: u32 = 24;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const XID: u32 = 28;
    pub const OID_VECTOR: u32 = 30;
    pub const JSON: u32 = 114;
    pub const PG_NODE_TREE: u32 = 194;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const ACLITEM_ARRAY: u32 = 1034;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const NUMERIC: u32 = 1700;
    pub const REGCLASS: u32 = 2205;
    pub const REGTYPE: u32 = 2206;
    pub const ANYARRAY: u32 = 2277;
    pub const UUID: u32 = 2950;
    pub const JSONB: u32 = 3802;
    pub const REGNAMESPACE: u32 = 4089;
    pub const REGROLE: u32 = 4096;
    pub const TEXT_ARRAY: u32 = 1009;
}

/// The PostgreSQL type of the values of `field`.
pub fn field_type(field: &Field) -> FieldType {
    if let Some(ty) = crate::enums::enum_oid(field.data_type()) {
        return FieldType { oid: ty, typmod: -1, typlen: 4 };
    }
    // int2vector and oidvector: lists that name their own type.
    if let (DataType::List(_), Some(ty)) = (field.data_type(), metadata_type(field)) {
        return FieldType { oid: ty, typmod: -1, typlen: -1 };
    }
    let (ty, implied_typmod) = match field.data_type() {
        DataType::List(item) | DataType::LargeList(item) => {
            let element = field_type(item);
            // PostgreSQL has no arrays of arrays: a multidimensional array has the array
            // type of its innermost element.
            let ty = match crate::enums::enum_oid(item.data_type()) {
                Some(oid) => crate::enums::array_oid(oid),
                None if is_list(item.data_type()) => element.oid,
                None => array_of(element.oid),
            };
            (ty, element.typmod)
        }
        // A computed value has no type modifier, as in PostgreSQL (`numeric_column * 2` is
        // plain numeric); columns and casts carry theirs as metadata.
        data_type => (metadata_type(field).unwrap_or_else(|| scalar_type(data_type)), -1),
    };
    let typmod = field.metadata().get(TYPMOD_KEY).and_then(|typmod| typmod.parse().ok()).unwrap_or(implied_typmod);
    FieldType { oid: ty, typmod, typlen: typlen(ty) }
}

/// The type named by the field's [`TYPE_KEY`] metadata, if it names one.
fn metadata_type(field: &Field) -> Option<u32> {
    Some(match field.metadata().get(TYPE_KEY)?.as_str() {
        "uuid" => oid::UUID,
        "json" => oid::JSON,
        "jsonb" => oid::JSONB,
        "varchar" => oid::VARCHAR,
        "bpchar" => oid::BPCHAR,
        "oid" => oid::OID,
        "name" => oid::NAME,
        "char" => oid::CHAR,
        "xid" => oid::XID,
        "int2vector" => oid::INT2_VECTOR,
        "aclitem[]" => oid::ACLITEM_ARRAY,
        "anyarray" => oid::ANYARRAY,
        "pg_node_tree" => oid::PG_NODE_TREE,
        "oidvector" => oid::OID_VECTOR,
        "regproc" => oid::REGPROC,
        "regclass" => oid::REGCLASS,
        "regtype" => oid::REGTYPE,
        "regnamespace" => oid::REGNAMESPACE,
        "regrole" => oid::REGROLE,
        _ => return None,
    })
}

/// The type implied by a non-list Arrow type.
fn scalar_type(data_type: &DataType) -> u32 {
    match data_type {
        DataType::Boolean => oid::BOOL,
        DataType::Int8 | DataType::Int16 => oid::INT2,
        DataType::Int32 | DataType::UInt8 | DataType::UInt16 => oid::INT4,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => oid::INT8,
        DataType::Float16 | DataType::Float32 => oid::FLOAT4,
        DataType::Float64 => oid::FLOAT8,
        DataType::Decimal128(..) | DataType::Decimal256(..) => oid::NUMERIC,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_) => oid::BYTEA,
        DataType::Date32 | DataType::Date64 => oid::DATE,
        DataType::Time32(_) | DataType::Time64(_) => oid::TIME,
        DataType::Timestamp(_, None) => oid::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => oid::TIMESTAMPTZ,
        DataType::Interval(_) | DataType::Duration(_) => oid::INTERVAL,
        _ => oid::TEXT,
    }
}

/// Whether an Arrow type is a list (a PostgreSQL array).
pub fn is_list(data_type: &DataType) -> bool {
    matches!(data_type, DataType::List(_) | DataType::LargeList(_))
}

/// The array type whose elements are of the type `element`.
fn array_of(element: u32) -> u32 {
    match element {
        oid::BOOL => 1000,
        oid::INT2 => 1005,
        oid::INT4 => 1007,
        oid::INT8 => 1016,
        oid::FLOAT4 => 1021,
        oid::FLOAT8 => 1022,
        oid::NUMERIC => 1231,
        oid::VARCHAR => 1015,
        oid::BPCHAR => 1014,
        oid::BYTEA => 1001,
        oid::DATE => 1182,
        oid::TIME => 1183,
        oid::TIMESTAMP => 1115,
        oid::TIMESTAMPTZ => 1185,
        oid::INTERVAL => 1187,
        oid::UUID => 2951,
        oid::JSON => 199,
        oid::JSONB => 3807,
        oid::OID => 1028,
        oid::NAME => 1003,
        oid::CHAR => 1002,
        _ => oid::TEXT_ARRAY,
    }
}

/// `pg_type.typlen` of the types fields map to.
fn typlen(ty: u32) -> i16 {
    match ty {
        oid::BOOL | oid::CHAR => 1,
        oid::INT2 => 2,
        oid::NAME => 64,
        oid::OID | oid::XID | oid::REGPROC | oid::REGCLASS | oid::REGTYPE | oid::REGNAMESPACE | oid::REGROLE => 4,
        oid::INT4 | oid::FLOAT4 | oid::DATE => 4,
        oid::INT8 | oid::FLOAT8 | oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ => 8,
        oid::INTERVAL | oid::UUID => 16,
        _ => -1,
    }
}
