//! Bind parameters: each value, in text or binary format, becomes a typed SQL literal that
//! replaces its `$n` in the statement.

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use datafusion::sql::sqlparser::ast::{
    CastKind, DataType as SqlDataType, ExactNumberInfo, Expr, Statement, TimezoneInfo, Value, VisitMut, VisitorMut,
};
use pgwire::api::Type;
use pgwire::api::results::FieldFormat;
use shale_catalog::sql::placeholder_index;
use shale_catalog::{CatalogError, sqlstate};

/// Replaces every `$n` in `stmt` by the literal for parameter n.
pub fn bind(stmt: &mut Statement, values: &[Expr]) -> Result<(), CatalogError> {
    struct Binder<'a>(&'a [Expr], Option<CatalogError>);
    impl VisitorMut for Binder<'_> {
        type Break = ();
        fn post_visit_expr(&mut self, e: &mut Expr) -> std::ops::ControlFlow<()> {
            if let Expr::Value(v) = e {
                if let Value::Placeholder(p) = &v.value {
                    let p = p.clone();
                    match placeholder_index(e).and_then(|i| self.0.get(i)) {
                        Some(value) => *e = value.clone(),
                        None => {
                            self.1 = Some(CatalogError::new("08P01", format!("there is no parameter {p}")));
                            return std::ops::ControlFlow::Break(());
                        }
                    }
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut binder = Binder(values, None);
    let _ = stmt.visit(&mut binder);
    binder.1.map_or(Ok(()), Err)
}

/// The SQL literal for one parameter value of type `ty`.
pub fn literal(value: Option<&Bytes>, ty: &Type, format: FieldFormat) -> Result<Expr, CatalogError> {
    let Some(bytes) = value else {
        return Ok(cast(Expr::value(Value::Null), ty));
    };
    let text = match format {
        FieldFormat::Text => std::str::from_utf8(bytes).map_err(|_| invalid("parameter is not valid UTF-8"))?.to_string(),
        FieldFormat::Binary => binary_to_text(bytes, ty)?,
    };
    Ok(cast(Expr::value(Value::SingleQuotedString(text)), ty))
}

/// Whether a value of type `ty` binds as a text literal (no cast): text-like, unknown and
/// the types whose input functions read text (uuid, json, jsonb).
pub fn binds_as_text(ty: &Type) -> bool {
    sql_type(ty).is_none()
}

/// Wraps a literal in a cast to the parameter's type (none for text-like and unknown types).
fn cast(e: Expr, ty: &Type) -> Expr {
    match sql_type(ty) {
        Some(data_type) => Expr::Cast { kind: CastKind::Cast, expr: Box::new(e), data_type, array: false, format: None },
        None => e,
    }
}

/// The SQL type a parameter's literal is cast to.
fn sql_type(ty: &Type) -> Option<SqlDataType> {
    Some(match *ty {
        Type::BOOL => SqlDataType::Boolean,
        Type::INT2 => SqlDataType::SmallInt(None),
        Type::INT4 => SqlDataType::Int(None),
        Type::INT8 => SqlDataType::BigInt(None),
        Type::FLOAT4 => SqlDataType::Real,
        Type::FLOAT8 => SqlDataType::DoublePrecision,
        Type::NUMERIC => SqlDataType::Numeric(ExactNumberInfo::None),
        Type::DATE => SqlDataType::Date,
        Type::TIME => SqlDataType::Time(None, TimezoneInfo::None),
        Type::TIMESTAMP => SqlDataType::Timestamp(None, TimezoneInfo::None),
        Type::TIMESTAMPTZ => SqlDataType::Timestamp(None, TimezoneInfo::WithTimeZone),
        // Rewritten into Shale's input functions before planning.
        Type::INTERVAL => SqlDataType::Interval { fields: None, precision: None },
        Type::BYTEA => SqlDataType::Bytea,
        _ => return None,
    })
}

fn invalid(message: &str) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_TEXT, message.to_string())
}

fn fixed<const N: usize>(bytes: &[u8], ty: &Type) -> Result<[u8; N], CatalogError> {
    bytes.try_into().map_err(|_| {
        CatalogError::new("22P03", format!("incorrect binary data format in bind parameter of type {}", ty.name()))
    })
}

/// PostgreSQL's binary format of a value, as the text its literal is made from.
fn binary_to_text(bytes: &[u8], ty: &Type) -> Result<String, CatalogError> {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(match *ty {
        Type::BOOL => if fixed::<1>(bytes, ty)?[0] != 0 { "true" } else { "false" }.to_string(),
        Type::INT2 => i16::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::INT4 => i32::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::INT8 => i64::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::FLOAT4 => float_text(f32::from_be_bytes(fixed(bytes, ty)?) as f64),
        Type::FLOAT8 => float_text(f64::from_be_bytes(fixed(bytes, ty)?)),
        Type::DATE => {
            let days = i32::from_be_bytes(fixed(bytes, ty)?);
            (epoch.date() + Duration::days(days as i64)).format("%Y-%m-%d").to_string()
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(fixed(bytes, ty)?);
            let ts = epoch + Duration::microseconds(micros);
            let suffix = if *ty == Type::TIMESTAMPTZ { "+00" } else { "" };
            format!("{}{suffix}", ts.format("%Y-%m-%d %H:%M:%S%.6f"))
        }
        Type::TIME => {
            let micros = i64::from_be_bytes(fixed(bytes, ty)?);
            (epoch + Duration::microseconds(micros)).format("%H:%M:%S%.6f").to_string()
        }
        Type::UUID => {
            let b: [u8; 16] = fixed(bytes, ty)?;
            uuid_text(&b)
        }
        Type::BYTEA => format!("\\x{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        Type::JSONB => std::str::from_utf8(bytes.get(1..).unwrap_or_default())
            .map_err(|_| invalid("jsonb parameter is not valid UTF-8"))?
            .to_string(),
        Type::NUMERIC => numeric_text(bytes)?,
        _ => std::str::from_utf8(bytes).map_err(|_| invalid("parameter is not valid UTF-8"))?.to_string(),
    })
}

fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        format!("{v:e}")
    }
}

fn uuid_text(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits.
fn numeric_text(bytes: &[u8]) -> Result<String, CatalogError> {
    let word = |i: usize| -> Result<u16, CatalogError> {
        bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(|| invalid("truncated numeric"))
    };
    let (ndigits, weight, sign, dscale) = (word(0)? as usize, word(2)? as i16, word(4)?, word(6)? as usize);
    if sign == 0xC000 {
        return Ok("NaN".into());
    }
    let digits: Vec<u16> = (0..ndigits).map(|i| word(8 + 2 * i)).collect::<Result<_, _>>()?;
    let mut int_part = String::new();
    for w in 0..=weight.max(-1) {
        let d = digits.get(w as usize).copied().unwrap_or(0);
        if int_part.is_empty() { int_part = d.to_string() } else { int_part.push_str(&format!("{d:04}")) }
    }
    if int_part.is_empty() {
        int_part.push('0');
    }
    let mut frac = String::new();
    let mut position = weight as i32 + 1;
    while frac.len() < dscale {
        let d = if position < 0 { 0 } else { digits.get(position as usize).copied().unwrap_or(0) };
        frac.push_str(&format!("{d:04}"));
        position += 1;
    }
    frac.truncate(dscale);
    let sign = if sign == 0x4000 { "-" } else { "" };
    Ok(if dscale > 0 { format!("{sign}{int_part}.{frac}") } else { format!("{sign}{int_part}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_become_text() {
        assert_eq!(binary_to_text(&(-5i64).to_be_bytes(), &Type::INT8).unwrap(), "-5");
        assert_eq!(binary_to_text(&0i32.to_be_bytes(), &Type::DATE).unwrap(), "2000-01-01");
        // 1234.5 = digits [1234, 5000], weight 0, dscale 1
        let n = [0u16, 2, 0, 0, 0, 0, 0, 1, 4, 210, 19, 136];
        let bytes: Vec<u8> = n.iter().map(|b| *b as u8).collect();
        assert_eq!(numeric_text(&bytes).unwrap(), "1234.5");
        assert_eq!(binary_to_text(&[0], &Type::BOOL).unwrap(), "false");
        assert_eq!(binary_to_text(&[1, 2], &Type::INT4).unwrap_err().code, "22P03");
    }
}
