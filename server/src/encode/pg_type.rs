//! The PostgreSQL type a column of an Arrow field is announced as.

use datafusion::arrow::datatypes::{DataType, Field};
use pgwire::api::Type;
// The catalog puts the PostgreSQL type (for a list, on its item field) and the type
// modifier on the fields it makes.
use shale_pgtypes::types::{TYPE_KEY, TYPMOD_KEY};

/// A column's PostgreSQL type as RowDescription announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgColumnType {
    /// The type (its OID goes on the wire).
    pub ty: Type,
    /// The type modifier, -1 when there is none.
    pub typmod: i32,
    /// `pg_type.typlen`: the fixed size in bytes, -1 for variable length.
    pub typlen: i16,
}

/// Maps an Arrow field to the PostgreSQL type it is sent as. Metadata
/// ([`TYPE_KEY`], [`TYPMOD_KEY`]) overrides what the Arrow type implies. Arrow
/// types without a PostgreSQL counterpart (structs, maps, unions) map to `text`;
/// the text encoder rejects them.
pub fn pg_type_of(field: &Field) -> PgColumnType {
    // int2vector and oidvector: lists that name their own type.
    if let (DataType::List(_), Some(ty)) = (field.data_type(), metadata_type(field)) {
        return PgColumnType { typlen: -1, ty, typmod: -1 };
    }
    let (ty, implied_typmod) = match field.data_type() {
        DataType::List(item) | DataType::LargeList(item) => {
            let element = pg_type_of(item);
            // PostgreSQL has no arrays of arrays: a multidimensional array has
            // the array type of its innermost element.
            let ty = if is_list(item.data_type()) {
                element.ty
            } else {
                array_of(&element.ty)
            };
            (ty, element.typmod)
        }
        // A computed value has no type modifier, as in PostgreSQL (`numeric_column * 2`
        // is plain numeric); columns and casts carry theirs as metadata.
        data_type => (metadata_type(field).unwrap_or_else(|| scalar_type(data_type)), -1),
    };
    let typmod = field
        .metadata()
        .get(TYPMOD_KEY)
        .and_then(|typmod| typmod.parse().ok())
        .unwrap_or(implied_typmod);
    PgColumnType {
        typlen: typlen(&ty),
        ty,
        typmod,
    }
}

/// The type named by the field's [`TYPE_KEY`] metadata, if it names one.
fn metadata_type(field: &Field) -> Option<Type> {
    match field.metadata().get(TYPE_KEY)?.as_str() {
        "uuid" => Some(Type::UUID),
        "json" => Some(Type::JSON),
        "jsonb" => Some(Type::JSONB),
        "varchar" => Some(Type::VARCHAR),
        "bpchar" => Some(Type::BPCHAR),
        "oid" => Some(Type::OID),
        "name" => Some(Type::NAME),
        "char" => Some(Type::CHAR),
        "xid" => Some(Type::XID),
        "int2vector" => Some(Type::INT2_VECTOR),
        "aclitem[]" => Some(Type::ACLITEM_ARRAY),
        "anyarray" => Some(Type::ANYARRAY),
        "pg_node_tree" => Some(Type::PG_NODE_TREE),
        "oidvector" => Some(Type::OID_VECTOR),
        "regproc" => Some(Type::REGPROC),
        "regclass" => Some(Type::REGCLASS),
        "regtype" => Some(Type::REGTYPE),
        "regnamespace" => Some(Type::REGNAMESPACE),
        "regrole" => Some(Type::REGROLE),
        _ => None,
    }
}

/// The type implied by a non-list Arrow type.
fn scalar_type(data_type: &DataType) -> Type {
    match data_type {
        DataType::Boolean => Type::BOOL,
        DataType::Int8 | DataType::Int16 => Type::INT2,
        DataType::Int32 | DataType::UInt8 | DataType::UInt16 => Type::INT4,
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => Type::INT8,
        DataType::Float16 | DataType::Float32 => Type::FLOAT4,
        DataType::Float64 => Type::FLOAT8,
        DataType::Decimal128(..) | DataType::Decimal256(..) => Type::NUMERIC,
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => Type::BYTEA,
        DataType::Date32 | DataType::Date64 => Type::DATE,
        DataType::Time32(_) | DataType::Time64(_) => Type::TIME,
        DataType::Timestamp(_, None) => Type::TIMESTAMP,
        DataType::Timestamp(_, Some(_)) => Type::TIMESTAMPTZ,
        DataType::Interval(_) | DataType::Duration(_) => Type::INTERVAL,
        _ => Type::TEXT,
    }
}

/// Whether an Arrow type is a list (a PostgreSQL array).
pub(super) fn is_list(data_type: &DataType) -> bool {
    matches!(data_type, DataType::List(_) | DataType::LargeList(_))
}

/// The array type whose elements are `element`.
fn array_of(element: &Type) -> Type {
    match *element {
        Type::BOOL => Type::BOOL_ARRAY,
        Type::INT2 => Type::INT2_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        Type::INT8 => Type::INT8_ARRAY,
        Type::FLOAT4 => Type::FLOAT4_ARRAY,
        Type::FLOAT8 => Type::FLOAT8_ARRAY,
        Type::NUMERIC => Type::NUMERIC_ARRAY,
        Type::VARCHAR => Type::VARCHAR_ARRAY,
        Type::BPCHAR => Type::BPCHAR_ARRAY,
        Type::BYTEA => Type::BYTEA_ARRAY,
        Type::DATE => Type::DATE_ARRAY,
        Type::TIME => Type::TIME_ARRAY,
        Type::TIMESTAMP => Type::TIMESTAMP_ARRAY,
        Type::TIMESTAMPTZ => Type::TIMESTAMPTZ_ARRAY,
        Type::INTERVAL => Type::INTERVAL_ARRAY,
        Type::UUID => Type::UUID_ARRAY,
        Type::JSON => Type::JSON_ARRAY,
        Type::JSONB => Type::JSONB_ARRAY,
        Type::OID => Type::OID_ARRAY,
        Type::NAME => Type::NAME_ARRAY,
        Type::CHAR => Type::CHAR_ARRAY,
        _ => Type::TEXT_ARRAY,
    }
}

/// `pg_type.typlen` of the types this module announces.
fn typlen(ty: &Type) -> i16 {
    match *ty {
        Type::BOOL => 1,
        Type::INT2 => 2,
        Type::CHAR => 1,
        Type::NAME => 64,
        Type::OID | Type::XID | Type::REGPROC | Type::REGCLASS | Type::REGTYPE | Type::REGNAMESPACE | Type::REGROLE => 4,
        Type::INT4 | Type::FLOAT4 | Type::DATE => 4,
        Type::INT8 | Type::FLOAT8 | Type::TIME | Type::TIMESTAMP | Type::TIMESTAMPTZ => 8,
        Type::INTERVAL | Type::UUID => 16,
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use datafusion::arrow::datatypes::IntervalUnit::MonthDayNano;
    use datafusion::arrow::datatypes::TimeUnit::{Microsecond, Millisecond, Nanosecond, Second};

    use super::*;

    fn of(data_type: DataType) -> PgColumnType {
        pg_type_of(&Field::new("c", data_type, true))
    }

    fn with(data_type: DataType, metadata: &[(&str, &str)]) -> PgColumnType {
        let metadata: HashMap<_, _> = metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        pg_type_of(&Field::new("c", data_type, true).with_metadata(metadata))
    }

    fn list(item: Field) -> DataType {
        DataType::List(Arc::new(item))
    }

    #[test]
    fn arrow_types_map_to_postgres_types() {
        let cases = [
            (DataType::Boolean, Type::BOOL, 1),
            (DataType::Int8, Type::INT2, 2),
            (DataType::Int16, Type::INT2, 2),
            (DataType::UInt8, Type::INT4, 4),
            (DataType::UInt16, Type::INT4, 4),
            (DataType::Int32, Type::INT4, 4),
            (DataType::UInt32, Type::INT8, 8),
            (DataType::Int64, Type::INT8, 8),
            (DataType::UInt64, Type::INT8, 8),
            (DataType::Float16, Type::FLOAT4, 4),
            (DataType::Float32, Type::FLOAT4, 4),
            (DataType::Float64, Type::FLOAT8, 8),
            (DataType::Utf8, Type::TEXT, -1),
            (DataType::LargeUtf8, Type::TEXT, -1),
            (DataType::Utf8View, Type::TEXT, -1),
            (DataType::Binary, Type::BYTEA, -1),
            (DataType::BinaryView, Type::BYTEA, -1),
            (DataType::FixedSizeBinary(16), Type::BYTEA, -1),
            (DataType::Date32, Type::DATE, 4),
            (DataType::Date64, Type::DATE, 4),
            (DataType::Time32(Second), Type::TIME, 8),
            (DataType::Time64(Nanosecond), Type::TIME, 8),
            (DataType::Timestamp(Microsecond, None), Type::TIMESTAMP, 8),
            (
                DataType::Timestamp(Second, Some("+02:00".into())),
                Type::TIMESTAMPTZ,
                8,
            ),
            (DataType::Interval(MonthDayNano), Type::INTERVAL, 16),
            (DataType::Duration(Millisecond), Type::INTERVAL, 16),
            (DataType::Null, Type::TEXT, -1),
        ];
        for (data_type, ty, typlen) in cases {
            let expected = PgColumnType {
                ty,
                typmod: -1,
                typlen,
            };
            assert_eq!(of(data_type.clone()), expected, "{data_type}");
        }
    }

    #[test]
    fn decimals_are_numeric_without_a_typmod_of_their_own() {
        // SELECT 1.50: numeric, typmod -1; a column's or cast's typmod is metadata.
        assert_eq!(of(DataType::Decimal128(10, 2)).typmod, -1);
        assert_eq!(of(DataType::Decimal256(76, 0)).ty, Type::NUMERIC);
        assert_eq!(of(DataType::Decimal256(76, 20)).typmod, -1);
    }

    #[test]
    fn metadata_overrides_type_and_typmod() {
        let uuid = with(DataType::FixedSizeBinary(16), &[(TYPE_KEY, "uuid")]);
        assert_eq!((uuid.ty, uuid.typlen), (Type::UUID, 16));
        assert_eq!(with(DataType::Utf8, &[(TYPE_KEY, "json")]).ty, Type::JSON);
        assert_eq!(with(DataType::Utf8, &[(TYPE_KEY, "jsonb")]).ty, Type::JSONB);
        assert_eq!(
            with(DataType::Utf8, &[(TYPE_KEY, "bpchar")]).ty,
            Type::BPCHAR
        );
        // CREATE TABLE t (v varchar(10)): atttypmod 14
        let varchar = with(DataType::Utf8, &[(TYPE_KEY, "varchar"), (TYPMOD_KEY, "14")]);
        assert_eq!(
            varchar,
            PgColumnType {
                ty: Type::VARCHAR,
                typmod: 14,
                typlen: -1
            }
        );
        let timestamp = with(DataType::Timestamp(Millisecond, None), &[(TYPMOD_KEY, "3")]);
        assert_eq!(timestamp.typmod, 3);
        assert_eq!(
            with(DataType::Utf8, &[(TYPE_KEY, "nonsense")]).ty,
            Type::TEXT
        );
        assert_eq!(with(DataType::Utf8, &[(TYPMOD_KEY, "x")]).typmod, -1);
    }

    #[test]
    fn lists_are_arrays_of_their_item_type() {
        let int4s = of(list(Field::new_list_field(DataType::Int32, true)));
        assert_eq!(
            int4s,
            PgColumnType {
                ty: Type::INT4_ARRAY,
                typmod: -1,
                typlen: -1
            }
        );
        let large = of(DataType::LargeList(Arc::new(Field::new_list_field(
            DataType::Utf8,
            true,
        ))));
        assert_eq!(large.ty, Type::TEXT_ARRAY);
        let metadata = HashMap::from([
            (TYPE_KEY.to_string(), "varchar".to_string()),
            (TYPMOD_KEY.to_string(), "14".to_string()),
        ]);
        let item = Field::new_list_field(DataType::Utf8, true).with_metadata(metadata);
        assert_eq!(
            of(list(item)),
            PgColumnType {
                ty: Type::VARCHAR_ARRAY,
                typmod: 14,
                typlen: -1
            }
        );
        let nested = list(Field::new_list_field(
            list(Field::new_list_field(DataType::Float64, true)),
            true,
        ));
        assert_eq!(of(nested).ty, Type::FLOAT8_ARRAY);
    }
}
