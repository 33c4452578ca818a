//! What `pg_type` and `pg_attribute` say of Shale's types: OIDs, names, lengths, alignment,
//! category, as PostgreSQL 15's catalogs have them.

use crate::types::SqlType;

impl SqlType {
    /// The built-in types, one of each kind, with their array types (`pg_type`'s rows).
    pub const BUILTIN: &'static [SqlType] = &[
        SqlType::Bool,
        SqlType::Bytea,
        SqlType::Int8,
        SqlType::Int2,
        SqlType::Int4,
        SqlType::Text,
        SqlType::Json,
        SqlType::Float4,
        SqlType::Float8,
        SqlType::Char(1),
        SqlType::Name,
        SqlType::Varchar(None),
        SqlType::Date,
        SqlType::Time(None),
        SqlType::Timestamp(None),
        SqlType::Timestamptz(None),
        SqlType::Interval,
        SqlType::Numeric(None),
        SqlType::Uuid,
        SqlType::Jsonb,
    ];

    /// The type's OID (`pg_type.oid`, `pg_attribute.atttypid`).
    pub fn type_oid(&self) -> u32 {
        match self {
            SqlType::Bool => 16,
            SqlType::Bytea => 17,
            SqlType::Int8 => 20,
            SqlType::Int2 => 21,
            SqlType::Int4 => 23,
            SqlType::Text => 25,
            SqlType::Json => 114,
            SqlType::Float4 => 700,
            SqlType::Float8 => 701,
            SqlType::Char(_) => 1042,
            SqlType::Name => 19,
            SqlType::Varchar(_) => 1043,
            SqlType::Date => 1082,
            SqlType::Time(_) => 1083,
            SqlType::Timestamp(_) => 1114,
            SqlType::Timestamptz(_) => 1184,
            SqlType::Interval => 1186,
            SqlType::Numeric(_) => 1700,
            SqlType::Uuid => 2950,
            SqlType::Jsonb => 3802,
            SqlType::Array(element) => match element.as_ref() {
                SqlType::Bool => 1000,
                SqlType::Bytea => 1001,
                SqlType::Int2 => 1005,
                SqlType::Int4 => 1007,
                SqlType::Text => 1009,
                SqlType::Char(_) => 1014,
                SqlType::Name => 1003,
                SqlType::Varchar(_) => 1015,
                SqlType::Int8 => 1016,
                SqlType::Float4 => 1021,
                SqlType::Float8 => 1022,
                SqlType::Timestamp(_) => 1115,
                SqlType::Date => 1182,
                SqlType::Time(_) => 1183,
                SqlType::Timestamptz(_) => 1185,
                SqlType::Interval => 1187,
                SqlType::Numeric(_) => 1231,
                SqlType::Uuid => 2951,
                SqlType::Json => 199,
                SqlType::Jsonb => 3807,
                SqlType::Array(_) | SqlType::Enum(_) => 0,
            },
            SqlType::Enum(ty) => ty.oid,
        }
    }

    /// `pg_type.typname`.
    pub fn type_name(&self) -> String {
        match self {
            SqlType::Bool => "bool".into(),
            SqlType::Bytea => "bytea".into(),
            SqlType::Int8 => "int8".into(),
            SqlType::Int2 => "int2".into(),
            SqlType::Int4 => "int4".into(),
            SqlType::Text => "text".into(),
            SqlType::Json => "json".into(),
            SqlType::Float4 => "float4".into(),
            SqlType::Float8 => "float8".into(),
            SqlType::Char(_) => "bpchar".into(),
            SqlType::Name => "name".into(),
            SqlType::Varchar(_) => "varchar".into(),
            SqlType::Date => "date".into(),
            SqlType::Time(_) => "time".into(),
            SqlType::Timestamp(_) => "timestamp".into(),
            SqlType::Timestamptz(_) => "timestamptz".into(),
            SqlType::Interval => "interval".into(),
            SqlType::Numeric(_) => "numeric".into(),
            SqlType::Uuid => "uuid".into(),
            SqlType::Jsonb => "jsonb".into(),
            SqlType::Array(element) => format!("_{}", element.type_name()),
            SqlType::Enum(ty) => ty.name.clone(),
        }
    }

    /// `pg_type.typlen`: the fixed size in bytes, -1 for variable-length types.
    pub fn typlen(&self) -> i16 {
        match self {
            SqlType::Bool => 1,
            SqlType::Int2 => 2,
            SqlType::Name => 64,
            SqlType::Int4 | SqlType::Float4 | SqlType::Date | SqlType::Enum(_) => 4,
            SqlType::Int8 | SqlType::Float8 | SqlType::Time(_) | SqlType::Timestamp(_) | SqlType::Timestamptz(_) => 8,
            SqlType::Interval | SqlType::Uuid => 16,
            _ => -1,
        }
    }

    /// `pg_type.typalign`.
    pub fn typalign(&self) -> &'static str {
        match self {
            SqlType::Bool | SqlType::Uuid | SqlType::Name => "c",
            SqlType::Int2 => "s",
            SqlType::Int8 | SqlType::Float8 | SqlType::Time(_) | SqlType::Timestamp(_) | SqlType::Timestamptz(_)
            | SqlType::Interval => "d",
            SqlType::Array(element) if matches!(element.typalign(), "d") => "d",
            _ => "i",
        }
    }

    /// `pg_type.typcategory`.
    pub fn typcategory(&self) -> &'static str {
        match self {
            SqlType::Bool => "B",
            SqlType::Int2 | SqlType::Int4 | SqlType::Int8 | SqlType::Float4 | SqlType::Float8 | SqlType::Numeric(_) => "N",
            SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Name => "S",
            SqlType::Date | SqlType::Time(_) | SqlType::Timestamp(_) | SqlType::Timestamptz(_) => "D",
            SqlType::Interval => "T",
            SqlType::Array(_) => "A",
            SqlType::Enum(_) => "E",
            _ => "U",
        }
    }

    /// Whether values of the type have a collation (`attcollation` 100, "default").
    pub fn collatable(&self) -> bool {
        match self {
            SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) => true,
            SqlType::Array(element) => element.collatable(),
            _ => false,
        }
    }
}

impl SqlType {
    /// The type with OID `oid` and type modifier `typmod`, if Shale stores it.
    pub fn from_oid(oid: u32, typmod: i32) -> Option<SqlType> {
        let modifier = (typmod >= 4).then(|| typmod - 4);
        let base = SqlType::BUILTIN.iter().find(|t| t.type_oid() == oid);
        let ty = match base {
            Some(base) => base.clone(),
            None => {
                let element = SqlType::BUILTIN.iter().find(|t| SqlType::Array(Box::new((*t).clone())).type_oid() == oid)?;
                return Some(SqlType::Array(Box::new(Self::from_oid(element.type_oid(), typmod)?)));
            }
        };
        Some(match ty {
            SqlType::Varchar(_) => SqlType::Varchar(modifier.map(|n| n as u32)),
            SqlType::Char(_) => SqlType::Char(modifier.map_or(1, |n| n as u32)),
            SqlType::Numeric(_) => SqlType::Numeric(modifier.map(|m| ((m >> 16) as u8, ((m & 0x7ff) << 21 >> 21) as i8))),
            SqlType::Time(_) => SqlType::Time((0..=6).contains(&typmod).then_some(typmod as u8)),
            SqlType::Timestamp(_) => SqlType::Timestamp((0..=6).contains(&typmod).then_some(typmod as u8)),
            SqlType::Timestamptz(_) => SqlType::Timestamptz((0..=6).contains(&typmod).then_some(typmod as u8)),
            other => other,
        })
    }
}
