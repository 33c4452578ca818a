//! Bind parameters: each value, in text or binary format, becomes a typed SQL literal that
//! replaces its `$n` in the statement.

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use datafusion::sql::sqlparser::ast::{
    ArrayElemTypeDef, CastKind, DataType as SqlDataType, ExactNumberInfo, Expr, Statement, TimezoneInfo, UnaryOperator, Value, VisitMut,
    VisitorMut,
};
use pgwire::api::Type;
use pgwire::api::results::FieldFormat;
use shale_catalog::numeric::Special;
use shale_catalog::sql::placeholder_index;
use shale_catalog::{CatalogError, sqlstate};

use crate::encode::infinity;

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
    if text.contains('\0') {
        return Err(CatalogError::new("22021", "invalid byte sequence for encoding \"UTF8\": 0x00"));
    }
    if *ty == Type::NUMERIC {
        if let Some((number, _, _)) = decimal_number(&text) {
            return Ok(number);
        }
    }
    Ok(cast(Expr::value(Value::SingleQuotedString(text)), ty))
}

/// A numeric value written as plain digits with an optional sign and decimal point, as a
/// number literal with its precision and scale: the digits' own, as PostgreSQL keeps them,
/// where a cast to unconstrained `numeric` would not.
pub fn decimal_number(text: &str) -> Option<(Expr, u64, u64)> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if int.len() + frac.len() == 0 || !plain(int) || !plain(frac) {
        return None;
    }
    let int = if int.is_empty() { "0" } else { int };
    let precision = (int.trim_start_matches('0').len().max(1) + frac.len()) as u64;
    let digits = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
    let number = Expr::value(Value::Number(digits, false));
    let number = if negative { Expr::UnaryOp { op: UnaryOperator::Minus, expr: Box::new(number) } } else { number };
    Some((number, precision, frac.len() as u64))
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

/// The SQL type a parameter of type `ty` is cast to (`None` for text-like and unknown types).
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
        Type::OID | Type::REGCLASS | Type::REGTYPE | Type::REGPROC => {
            SqlDataType::Custom(datafusion::sql::sqlparser::ast::ObjectName::from(vec![datafusion::sql::sqlparser::ast::Ident::new("oid")]), vec![])
        }
        _ => {
            let element = match array_element(ty)? {
                Type::TEXT => SqlDataType::Text,
                Type::UUID => SqlDataType::Uuid,
                other => sql_type(&other)?,
            };
            SqlDataType::Array(ArrayElemTypeDef::SquareBracket(Box::new(element), None))
        }
    })
}

/// The element type of the array types Shale has.
fn array_element(ty: &Type) -> Option<Type> {
    Some(match *ty {
        Type::INT4_ARRAY => Type::INT4,
        Type::INT8_ARRAY => Type::INT8,
        Type::TEXT_ARRAY => Type::TEXT,
        Type::FLOAT8_ARRAY => Type::FLOAT8,
        Type::NUMERIC_ARRAY => Type::NUMERIC,
        Type::UUID_ARRAY => Type::UUID,
        _ => return None,
    })
}

fn invalid(message: &str) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_TEXT, message.to_string())
}

fn out_of_range(what: &str) -> CatalogError {
    CatalogError::new("22008", format!("{what} out of range"))
}

fn fixed<const N: usize>(bytes: &[u8], ty: &Type) -> Result<[u8; N], CatalogError> {
    bytes.try_into().map_err(|_| malformed_binary(ty))
}

/// 22P03 for a binary parameter value that is not one of its type.
fn malformed_binary(ty: &Type) -> CatalogError {
    CatalogError::new("22P03", format!("incorrect binary data format in bind parameter of type {}", ty.name()))
}

/// PostgreSQL's binary format of a value, as the text its literal is made from.
fn binary_to_text(bytes: &[u8], ty: &Type) -> Result<String, CatalogError> {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(match *ty {
        Type::BOOL => if fixed::<1>(bytes, ty)?[0] != 0 { "true" } else { "false" }.to_string(),
        Type::INT2 => i16::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::INT4 => i32::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::INT8 => i64::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::OID | Type::REGCLASS | Type::REGTYPE | Type::REGPROC | Type::XID => u32::from_be_bytes(fixed(bytes, ty)?).to_string(),
        Type::FLOAT4 => float_text(f32::from_be_bytes(fixed(bytes, ty)?) as f64),
        Type::FLOAT8 => float_text(f64::from_be_bytes(fixed(bytes, ty)?)),
        Type::DATE => {
            let days = i32::from_be_bytes(fixed(bytes, ty)?);
            if let Some(infinity) = infinity(days.into(), i32::MIN.into(), i32::MAX.into()) {
                return Ok(infinity.to_string());
            }
            let date = epoch.date().checked_add_signed(Duration::days(days as i64)).ok_or_else(|| out_of_range("date"))?;
            date.format("%Y-%m-%d").to_string()
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(fixed(bytes, ty)?);
            if let Some(infinity) = infinity(micros.into(), i64::MIN.into(), i64::MAX.into()) {
                return Ok(infinity.to_string());
            }
            let ts = epoch.checked_add_signed(Duration::microseconds(micros)).ok_or_else(|| out_of_range("timestamp"))?;
            let suffix = if *ty == Type::TIMESTAMPTZ { "+00" } else { "" };
            format!("{}{suffix}", ts.format("%Y-%m-%d %H:%M:%S%.6f"))
        }
        Type::TIME => {
            let micros = i64::from_be_bytes(fixed(bytes, ty)?);
            if !(0..86_400_000_000).contains(&micros) {
                return Err(out_of_range("time"));
            }
            (epoch + Duration::microseconds(micros)).format("%H:%M:%S%.6f").to_string()
        }
        Type::INTERVAL => {
            let micros = i64::from_be_bytes(fixed(bytes.get(..8).unwrap_or_default(), ty)?);
            let days = i32::from_be_bytes(fixed(bytes.get(8..12).unwrap_or_default(), ty)?);
            let months = i32::from_be_bytes(fixed(bytes.get(12..).unwrap_or_default(), ty)?);
            let sign = if micros < 0 { "-" } else { "" };
            let micros = micros.unsigned_abs();
            let (seconds, fraction) = (micros / 1_000_000, micros % 1_000_000);
            let clock = format!("{}:{:02}:{:02}.{fraction:06}", seconds / 3600, seconds / 60 % 60, seconds % 60);
            format!("{months} mons {days} days {sign}{clock}")
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
        _ => match array_element(ty) {
            Some(element) => array_text(bytes, ty, &element)?,
            None => std::str::from_utf8(bytes).map_err(|_| invalid("parameter is not valid UTF-8"))?.to_string(),
        },
    })
}

/// PostgreSQL's binary array (`array_recv`): dimensions, has-null flag, element type, each
/// dimension's length and lower bound, then each element as its length (-1 for NULL) and
/// its binary value; as an array literal. Only one dimension is supported.
fn array_text(bytes: &[u8], ty: &Type, element: &Type) -> Result<String, CatalogError> {
    let mut input = Reader { rest: bytes, ty };
    let ndim = input.word()?;
    let _has_null = input.word()?;
    let _element_oid = input.word()?;
    let len = match ndim {
        0 => 0,
        1 => {
            let len = input.word()?;
            let _lower_bound = input.word()?;
            usize::try_from(len).map_err(|_| malformed_binary(ty))?
        }
        _ => return Err(CatalogError::unsupported("multidimensional arrays")),
    };
    let mut elements = Vec::with_capacity(len.min(bytes.len() / 4));
    for _ in 0..len {
        let Ok(size) = usize::try_from(input.word()?) else {
            elements.push("NULL".to_string());
            continue;
        };
        let text = binary_to_text(input.take(size)?, element)?;
        elements.push(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")));
    }
    if !input.rest.is_empty() {
        return Err(malformed_binary(ty));
    }
    Ok(format!("{{{}}}", elements.join(",")))
}

/// Reads a binary parameter value front to back.
struct Reader<'a> {
    rest: &'a [u8],
    ty: &'a Type,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CatalogError> {
        let (head, rest) = self.rest.split_at_checked(n).ok_or_else(|| malformed_binary(self.ty))?;
        self.rest = rest;
        Ok(head)
    }

    fn word(&mut self) -> Result<i32, CatalogError> {
        Ok(i32::from_be_bytes(fixed(self.take(4)?, self.ty)?))
    }
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
    if let Some(special) = [Special::NaN, Special::Infinity, Special::NegativeInfinity].into_iter().find(|s| s.binary_sign() == sign) {
        return Ok(special.text().into());
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
        assert_eq!(binary_to_text(&16392u32.to_be_bytes(), &Type::OID).unwrap(), "16392");
        assert_eq!(binary_to_text(&0i32.to_be_bytes(), &Type::DATE).unwrap(), "2000-01-01");
        // 1234.5 = digits [1234, 5000], weight 0, dscale 1
        let n = [0u16, 2, 0, 0, 0, 0, 0, 1, 4, 210, 19, 136];
        let bytes: Vec<u8> = n.iter().map(|b| *b as u8).collect();
        assert_eq!(numeric_text(&bytes).unwrap(), "1234.5");
        assert_eq!(binary_to_text(&[0], &Type::BOOL).unwrap(), "false");
        assert_eq!(binary_to_text(&[1, 2], &Type::INT4).unwrap_err().code, "22P03");
    }

    #[test]
    fn binary_intervals_and_out_of_range_values() {
        // interval '14 mons -3 days -05:06:07.890123': microseconds, days, months.
        let bytes = [(-18_367_890_123i64).to_be_bytes().as_slice(), &(-3i32).to_be_bytes(), &14i32.to_be_bytes()].concat();
        assert_eq!(binary_to_text(&bytes, &Type::INTERVAL).unwrap(), "14 mons -3 days -5:06:07.890123");
        assert_eq!(binary_to_text(&bytes[..12], &Type::INTERVAL).unwrap_err().code, "22P03");
        // Infinity is i64::MAX / i32::MAX in binary; other values beyond chrono's range are errors.
        assert_eq!(binary_to_text(&i64::MAX.to_be_bytes(), &Type::TIMESTAMP).unwrap(), "infinity");
        assert_eq!(binary_to_text(&i32::MIN.to_be_bytes(), &Type::DATE).unwrap(), "-infinity");
        assert_eq!(binary_to_text(&(i32::MAX - 1).to_be_bytes(), &Type::DATE).unwrap_err().code, "22008");
        assert_eq!(binary_to_text(&(-1i64).to_be_bytes(), &Type::TIME).unwrap_err().code, "22008");
        let year_one = binary_to_text(&(-63_082_281_600_000_000i64 + 1).to_be_bytes(), &Type::TIMESTAMP).unwrap();
        assert_eq!(year_one, "0001-01-01 00:00:00.000001");
    }

    #[test]
    fn numeric_parameters_keep_their_digits() {
        let text = |s: &str| literal(Some(&Bytes::from(s.to_string())), &Type::NUMERIC, FieldFormat::Text).unwrap().to_string();
        assert_eq!(text("12345678901234567890123456789012.123456"), "12345678901234567890123456789012.123456");
        assert_eq!(text(" -0.50"), "-0.50");
        assert_eq!(text("+.5"), "0.5");
        assert_eq!(text("7."), "7");
        assert_eq!(text("1e3"), "CAST('1e3' AS NUMERIC)");
        assert_eq!(text("NaN"), "CAST('NaN' AS NUMERIC)");
    }

    #[test]
    fn a_nul_in_a_parameter_is_an_encoding_error() {
        let nul = Bytes::from_static(b"a\0b");
        assert_eq!(literal(Some(&nul), &Type::TEXT, FieldFormat::Text).unwrap_err().code, "22021");
        assert_eq!(literal(Some(&nul), &Type::VARCHAR, FieldFormat::Binary).unwrap_err().code, "22021");
    }

    #[test]
    fn binary_arrays_become_array_literals() {
        let words = |w: &[i32]| -> Vec<u8> { w.iter().flat_map(|v| v.to_be_bytes()).collect() };
        // array_send('{7,NULL}'::int4[])
        let ints = words(&[1, 1, 23, 2, 1, 4, 7, -1]);
        assert_eq!(binary_to_text(&ints, &Type::INT4_ARRAY).unwrap(), r#"{"7",NULL}"#);
        assert_eq!(binary_to_text(&words(&[0, 0, 25]), &Type::TEXT_ARRAY).unwrap(), "{}");
        let mut texts = words(&[1, 0, 25, 1, 1, 3]);
        texts.extend(br#"a"\"#);
        assert_eq!(binary_to_text(&texts, &Type::TEXT_ARRAY).unwrap(), r#"{"a\"\\"}"#);
        assert_eq!(binary_to_text(&ints[..ints.len() - 1], &Type::INT4_ARRAY).unwrap_err().code, "22P03");
        assert_eq!(binary_to_text(&words(&[2, 0, 23, 1, 1, 1, 1]), &Type::INT4_ARRAY).unwrap_err().code, "0A000");
    }
}
