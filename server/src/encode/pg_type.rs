//! The PostgreSQL type a column of an Arrow field is announced as.

use datafusion::arrow::datatypes::{DataType, Field};
use pgwire::api::Type;
use postgres_types::Kind;
use shale_pgtypes::enums;
use shale_pgtypes::field_type::{FieldType, field_type};

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

/// Maps an Arrow field to the PostgreSQL type it is sent as (`shale_pgtypes::field_type`).
pub fn pg_type_of(field: &Field) -> PgColumnType {
    let FieldType { oid, typmod, typlen } = field_type(field);
    // An enum type (or an array of one) is the one kind of user-made type a value can
    // have; its OID is what goes on the wire.
    let enum_valued = match field.data_type() {
        DataType::List(item) => enums::enum_oid(item.data_type()).is_some(),
        other => enums::enum_oid(other).is_some(),
    };
    let ty = Type::from_oid(oid).unwrap_or_else(|| match enum_valued {
        true => Type::new(String::new(), oid, Kind::Simple, String::new()),
        false => Type::TEXT,
    });
    PgColumnType { ty, typmod, typlen }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use datafusion::arrow::datatypes::IntervalUnit::MonthDayNano;
    use datafusion::arrow::datatypes::TimeUnit::{Microsecond, Millisecond, Nanosecond, Second};

    use shale_pgtypes::types::{TYPE_KEY, TYPMOD_KEY};

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
