//! SQL column types: how each PostgreSQL type is declared, stored and seen by DataFusion.
//!
//! One [`SqlType`] per column decides its representations: the Arrow [`DataType`]
//! DataFusion computes with, and the PostgreSQL name and type modifier clients see (carried
//! on the Arrow field as metadata, see [`TYPE_KEY`]); how its values are stored is the
//! catalog's (`StorageKind` in `shale-catalog`).

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit, TimeUnit};
use datafusion::sql::sqlparser::ast;
use serde::{Deserialize, Serialize};

use crate::enums::EnumType;
use crate::error::{PgError, Result, sqlstate};

/// Arrow field metadata key naming a PostgreSQL type that Arrow cannot tell apart
/// (`uuid`, `json`, `jsonb`, `varchar`, `bpchar`).
pub const TYPE_KEY: &str = "shale.type";
/// Arrow field metadata key holding the PostgreSQL type modifier (`atttypmod`).
pub const TYPMOD_KEY: &str = "shale.typmod";
/// Arrow field metadata key holding the OID of the table a column is read from; DataFusion
/// keeps it on plain column references, so RowDescription can report it.
pub const TABLE_OID_KEY: &str = "shale.table_oid";
/// Arrow field metadata key holding a table column's attribute number (with
/// [`TABLE_OID_KEY`]).
pub const ATTNUM_KEY: &str = "shale.attnum";
/// Name of the item field of a list (an array's elements), as Arrow names it.
pub const LIST_ITEM: &str = "item";
/// Time zone of every `timestamptz` value: stored as UTC instants.
pub const UTC: &str = "+00:00";
/// The largest precision of `numeric(p, s)` kept as a 128-bit decimal; larger ones are
/// 256-bit.
pub const MAX_DECIMAL128_PRECISION: u8 = 38;
/// Precision of `numeric` declared without one: a 256-bit decimal's (also the largest
/// precision Shale accepts).
pub const UNCONSTRAINED_NUMERIC_PRECISION: u8 = 76;
/// Scale of `numeric` declared without one: values keep 20 fractional digits (PostgreSQL
/// keeps any number), which leaves 56 integer digits. Such values print without trailing
/// zeros (see the server's encoders).
pub const UNCONSTRAINED_NUMERIC_SCALE: i8 = 20;

/// A column type as declared in CREATE TABLE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SqlType {
    /// smallint
    Int2,
    /// integer
    Int4,
    /// bigint
    Int8,
    /// real
    Float4,
    /// double precision
    Float8,
    /// numeric(p, s); `None` when declared without precision.
    Numeric(Option<(u8, i8)>),
    /// text
    Text,
    /// character varying(n)
    Varchar(Option<u32>),
    /// character(n)
    Char(u32),
    /// name: an identifier, at most 63 bytes (longer text is cut), compared bytewise.
    Name,
    /// boolean
    Bool,
    /// date
    Date,
    /// time(p) without time zone; `None`: full (microsecond) precision.
    Time(Option<u8>),
    /// timestamp(p) without time zone.
    Timestamp(Option<u8>),
    /// timestamp(p) with time zone.
    Timestamptz(Option<u8>),
    /// interval
    Interval,
    /// bytea
    Bytea,
    /// uuid
    Uuid,
    /// json
    Json,
    /// jsonb
    Jsonb,
    /// A one-dimensional array of any scalar type but an enum (see [`SqlType::array_of`]).
    Array(Box<SqlType>),
    /// An enum type (`CREATE TYPE ... AS ENUM`); stored as its OID.
    Enum(EnumType),
}

impl SqlType {
    /// The type named by a parsed SQL data type, or 0A000 / 42704.
    pub fn from_ast(dt: &ast::DataType) -> Result<SqlType> {
        use ast::DataType as D;
        Ok(match dt {
            D::SmallInt(_) | D::Int2(_) => SqlType::Int2,
            D::Int(_) | D::Integer(_) | D::Int4(_) => SqlType::Int4,
            D::BigInt(_) | D::Int8(_) => SqlType::Int8,
            D::Real | D::Float4 => SqlType::Float4,
            D::Float(info) => match float_precision(info) {
                Some(p) if p <= 24 => SqlType::Float4,
                _ => SqlType::Float8,
            },
            D::DoublePrecision | D::Double(_) | D::Float8 | D::Float64 => SqlType::Float8,
            D::Numeric(info) | D::Decimal(info) | D::Dec(info) => numeric(info)?,
            D::Text | D::String(_) => SqlType::Text,
            D::Varchar(len) | D::CharacterVarying(len) | D::CharVarying(len) => {
                SqlType::Varchar(char_length(len.as_ref())?)
            }
            D::Char(len) | D::Character(len) => SqlType::Char(char_length(len.as_ref())?.unwrap_or(1)),
            D::Bool | D::Boolean => SqlType::Bool,
            D::Date => SqlType::Date,
            D::Time(p, tz) => match tz {
                ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => {
                    return Err(PgError::unsupported("type time with time zone"));
                }
                _ => SqlType::Time(seconds_precision("time", *p)?),
            },
            D::Timestamp(p, tz) => match tz {
                ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => {
                    SqlType::Timestamptz(seconds_precision("timestamp with time zone", *p)?)
                }
                _ => SqlType::Timestamp(seconds_precision("timestamp", *p)?),
            },
            D::Interval { .. } => SqlType::Interval,
            D::Bytea => SqlType::Bytea,
            D::Uuid => SqlType::Uuid,
            D::JSON => SqlType::Json,
            D::JSONB => SqlType::Jsonb,
            D::Array(
                ast::ArrayElemTypeDef::SquareBracket(element, _)
                | ast::ArrayElemTypeDef::AngleBracket(element)
                | ast::ArrayElemTypeDef::Parenthesis(element),
            ) => Self::array_of(Self::from_ast(element)?)?,
            D::Custom(name, _) => Self::from_name(&name.to_string().to_lowercase())?,
            other => return Err(PgError::unsupported(format!("type {other}"))),
        })
    }

    fn from_name(name: &str) -> Result<SqlType> {
        Ok(match name {
            "timestamptz" => SqlType::Timestamptz(None),
            "int2" => SqlType::Int2,
            "int4" => SqlType::Int4,
            "int8" => SqlType::Int8,
            "float4" => SqlType::Float4,
            "float8" => SqlType::Float8,
            "bpchar" => SqlType::Char(1),
            "name" => SqlType::Name,
            "_int4" => SqlType::Array(Box::new(SqlType::Int4)),
            "_int8" => SqlType::Array(Box::new(SqlType::Int8)),
            "_text" => SqlType::Array(Box::new(SqlType::Text)),
            "_float8" => SqlType::Array(Box::new(SqlType::Float8)),
            "_numeric" => SqlType::Array(Box::new(SqlType::Numeric(None))),
            "_uuid" => SqlType::Array(Box::new(SqlType::Uuid)),
            "_bool" => SqlType::Array(Box::new(SqlType::Bool)),
            "_int2" => SqlType::Array(Box::new(SqlType::Int2)),
            "_float4" => SqlType::Array(Box::new(SqlType::Float4)),
            "_varchar" => SqlType::Array(Box::new(SqlType::Varchar(None))),
            "_bpchar" => SqlType::Array(Box::new(SqlType::Char(1))),
            "_date" => SqlType::Array(Box::new(SqlType::Date)),
            "_timestamp" => SqlType::Array(Box::new(SqlType::Timestamp(None))),
            "_timestamptz" => SqlType::Array(Box::new(SqlType::Timestamptz(None))),
            "_jsonb" => SqlType::Array(Box::new(SqlType::Jsonb)),
            "serial" | "bigserial" | "smallserial" => {
                return Err(PgError::unsupported(format!("type {name}")));
            }
            _ => {
                return Err(PgError::new(
                    sqlstate::UNDEFINED_OBJECT,
                    format!("type \"{name}\" does not exist"),
                ));
            }
        })
    }

    /// The array type whose elements are `element`: 0A000 for a multidimensional array
    /// (an array of arrays) or an array of an enum type.
    pub fn array_of(element: SqlType) -> Result<SqlType> {
        match element {
            SqlType::Array(_) => Err(PgError::unsupported("multidimensional arrays")),
            SqlType::Enum(ty) => Err(PgError::unsupported(format!("arrays of enum types ({}[])", ty.name))),
            element => Ok(SqlType::Array(Box::new(element))),
        }
    }

    /// The element type of an array type.
    pub fn element(&self) -> Option<&SqlType> {
        match self {
            SqlType::Array(element) => Some(element),
            _ => None,
        }
    }

    /// The Arrow type DataFusion computes with.
    pub fn arrow_type(&self) -> DataType {
        match self {
            SqlType::Int2 => DataType::Int16,
            SqlType::Int4 => DataType::Int32,
            SqlType::Int8 => DataType::Int64,
            SqlType::Float4 => DataType::Float32,
            SqlType::Float8 => DataType::Float64,
            SqlType::Numeric(Some((p, s))) if *p > MAX_DECIMAL128_PRECISION && *s >= 0 => DataType::Decimal256(*p, *s),
            SqlType::Numeric(Some((p, s))) if *s >= 0 => DataType::Decimal128(*p, *s),
            // A negative scale: the unconstrained decimal, holding rounded values
            // (`crate::numeric`).
            SqlType::Numeric(_) => {
                DataType::Decimal256(UNCONSTRAINED_NUMERIC_PRECISION, UNCONSTRAINED_NUMERIC_SCALE)
            }
            SqlType::Text
            | SqlType::Varchar(_)
            | SqlType::Char(_)
            | SqlType::Name
            | SqlType::Uuid
            | SqlType::Json
            | SqlType::Jsonb => DataType::Utf8,
            SqlType::Bool => DataType::Boolean,
            SqlType::Date => DataType::Date32,
            SqlType::Time(_) => DataType::Time64(TimeUnit::Microsecond),
            SqlType::Timestamp(_) => DataType::Timestamp(TimeUnit::Microsecond, None),
            SqlType::Timestamptz(_) => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            SqlType::Interval => DataType::Interval(IntervalUnit::MonthDayNano),
            SqlType::Bytea => DataType::Binary,
            SqlType::Array(element) => {
                DataType::List(Arc::new(element.tagged_field(LIST_ITEM, true)))
            }
            SqlType::Enum(ty) => ty.data_type(),
        }
    }

    /// PostgreSQL's `atttypmod` for this type (-1 when none).
    pub fn typmod(&self) -> i32 {
        match self {
            SqlType::Varchar(Some(n)) | SqlType::Char(n) => *n as i32 + 4,
            SqlType::Numeric(Some((p, s))) => ((*p as i32) << 16 | (*s as i32 & 0x7ff)) + 4,
            SqlType::Time(Some(p)) | SqlType::Timestamp(Some(p)) | SqlType::Timestamptz(Some(p)) => *p as i32,
            SqlType::Array(element) => element.typmod(),
            _ => -1,
        }
    }

    /// The Arrow field for a column of this type, with the metadata clients need.
    pub fn field(&self, name: &str, nullable: bool) -> Field {
        let field = self.tagged_field(name, nullable);
        let mut meta = field.metadata().clone();
        meta.insert(TYPMOD_KEY.to_string(), self.typmod().to_string());
        field.with_metadata(meta)
    }

    /// The Arrow field for a value of this type, with [`TYPE_KEY`] when the Arrow type does
    /// not tell the PostgreSQL type, but no type modifier.
    pub fn tagged_field(&self, name: &str, nullable: bool) -> Field {
        let tag = match self {
            SqlType::Uuid => "uuid",
            SqlType::Json => "json",
            SqlType::Jsonb => "jsonb",
            SqlType::Varchar(_) => "varchar",
            SqlType::Char(_) => "bpchar",
            SqlType::Name => "name",
            _ => return Field::new(name, self.arrow_type(), nullable),
        };
        let meta = HashMap::from([(TYPE_KEY.to_string(), tag.to_string())]);
        Field::new(name, self.arrow_type(), nullable).with_metadata(meta)
    }

    /// PostgreSQL's `format_type` name, as used in error messages.
    pub fn pg_name(&self) -> String {
        match self {
            SqlType::Int2 => "smallint".into(),
            SqlType::Int4 => "integer".into(),
            SqlType::Int8 => "bigint".into(),
            SqlType::Float4 => "real".into(),
            SqlType::Float8 => "double precision".into(),
            SqlType::Numeric(Some((p, s))) => format!("numeric({p},{s})"),
            SqlType::Numeric(None) => "numeric".into(),
            SqlType::Text => "text".into(),
            SqlType::Varchar(Some(n)) => format!("character varying({n})"),
            SqlType::Varchar(None) => "character varying".into(),
            SqlType::Char(n) => format!("character({n})"),
            SqlType::Name => "name".into(),
            SqlType::Bool => "boolean".into(),
            SqlType::Date => "date".into(),
            SqlType::Time(p) => with_precision("time", *p, " without time zone"),
            SqlType::Timestamp(p) => with_precision("timestamp", *p, " without time zone"),
            SqlType::Timestamptz(p) => with_precision("timestamp", *p, " with time zone"),
            SqlType::Interval => "interval".into(),
            SqlType::Bytea => "bytea".into(),
            SqlType::Uuid => "uuid".into(),
            SqlType::Json => "json".into(),
            SqlType::Jsonb => "jsonb".into(),
            SqlType::Array(element) => format!("{}[]", element.pg_name()),
            SqlType::Enum(ty) => ty.name.clone(),
        }
    }
}

/// `name(p)suffix`, or `namesuffix` without a precision.
fn with_precision(name: &str, p: Option<u8>, suffix: &str) -> String {
    match p {
        Some(p) => format!("{name}({p}){suffix}"),
        None => format!("{name}{suffix}"),
    }
}

/// The fractional-seconds precision of a time or timestamp type: 0 to 6 (PostgreSQL
/// reduces larger ones to 6 with a warning; Shale answers 22023 instead of a warning).
fn seconds_precision(type_name: &str, p: Option<u64>) -> Result<Option<u8>> {
    match p {
        None => Ok(None),
        Some(p) if p <= 6 => Ok(Some(p as u8)),
        Some(p) => Err(PgError::new(
            sqlstate::INVALID_PARAMETER,
            format!("{type_name}({p}) precision must be between 0 and 6 in Shale"),
        )),
    }
}

/// Rounds microseconds `v` to `p` fractional digits, half away from zero, as PostgreSQL's
/// `AdjustTimestampForTypmod` does; infinities (the extreme values) stay.
pub fn round_micros(v: i64, p: u8) -> i64 {
    if p >= 6 || v == i64::MIN || v == i64::MAX {
        return v;
    }
    let scale = 10i64.pow(6 - u32::from(p));
    let half = scale / 2;
    if v >= 0 {
        v.saturating_add(half) / scale * scale
    } else {
        -((-v).saturating_add(half) / scale * scale)
    }
}

/// The precision and scale packed in a `numeric` type modifier (`atttypmod`), or `None`
/// for -1 (unconstrained).
pub fn numeric_typmod(typmod: i32) -> Option<(i32, i32)> {
    let packed = typmod.checked_sub(4).filter(|p| *p >= 0)?;
    // The scale is the low 11 bits, signed (PostgreSQL 15's negative scales).
    Some((packed >> 16, ((packed & 0x7ff) << 21) >> 21))
}

fn float_precision(info: &ast::ExactNumberInfo) -> Option<u64> {
    match info {
        ast::ExactNumberInfo::Precision(p) | ast::ExactNumberInfo::PrecisionAndScale(p, _) => {
            Some(*p)
        }
        ast::ExactNumberInfo::None => None,
    }
}

fn numeric(info: &ast::ExactNumberInfo) -> Result<SqlType> {
    let (p, s) = match info {
        ast::ExactNumberInfo::None => return Ok(SqlType::Numeric(None)),
        ast::ExactNumberInfo::Precision(p) => (*p, 0),
        ast::ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    if !(1..=u64::from(UNCONSTRAINED_NUMERIC_PRECISION)).contains(&p) {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER,
            format!("NUMERIC precision {p} must be between 1 and {UNCONSTRAINED_NUMERIC_PRECISION} in Shale"),
        ));
    }
    // A negative scale rounds to tens, hundreds, ... (PostgreSQL 15); such a column holds
    // its values in the unconstrained decimal (`crate::numeric`).
    let lowest = (p as i64 - i64::from(crate::numeric::MAX_INTEGER_DIGITS)).min(0);
    if s < lowest || s > p as i64 {
        return Err(PgError::new(
            sqlstate::INVALID_PARAMETER,
            format!("NUMERIC scale {s} must be between {lowest} and precision {p} in Shale"),
        ));
    }
    Ok(SqlType::Numeric(Some((p as u8, s as i8))))
}

fn char_length(len: Option<&ast::CharacterLength>) -> Result<Option<u32>> {
    match len {
        None | Some(ast::CharacterLength::Max) => Ok(None),
        Some(ast::CharacterLength::IntegerLength { length, .. }) => {
            if *length == 0 || *length > 10_485_760 {
                return Err(PgError::new(
                    sqlstate::INVALID_PARAMETER,
                    format!("length for type varchar must be between 1 and 10485760, not {length}"),
                ));
            }
            Ok(Some(*length as u32))
        }
    }
}
