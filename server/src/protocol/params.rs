//! Bind parameters: each value, in text or binary format, becomes a typed SQL literal that
//! replaces its `$n` in the statement.

use bytes::Bytes;
use chrono::{Duration, NaiveDate};
use datafusion::sql::sqlparser::ast::{
    ArrayElemTypeDef, CastKind, DataType as SqlDataType, ExactNumberInfo, Expr, Statement, TimezoneInfo, UnaryOperator, Value, VisitMut,
    VisitorMut,
};
use pgwire::api::Type;
use postgres_types::Kind;
use shale_pgtypes::numeric::Special;
use shale_pgtypes::sql::placeholder_index;
use pgwire::messages::utf8::{INVALID_BYTE_SEQUENCE, from_utf8};
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

/// The SQL literal for Bind's parameter `number` (from 1) of type `ty`, sent in format
/// `code`: 0 text, 1 binary (PostgreSQL's `*_recv` format), anything else 22023.
pub fn parameter(value: Option<&Bytes>, ty: &Type, code: i16, number: usize) -> Result<Expr, CatalogError> {
    match (code, value) {
        (0, value) => literal(value, ty),
        (1, None) => Ok(null(ty)),
        (1, Some(bytes)) => {
            let text = binary_to_text(bytes, ty).map_err(|e| e.in_parameter(number))?;
            Ok(text_literal(text, ty))
        }
        (code, _) => Err(crate::protocol::formats::unsupported(code)),
    }
}

/// The SQL literal for one parameter value of type `ty` in text format.
pub fn literal(value: Option<&Bytes>, ty: &Type) -> Result<Expr, CatalogError> {
    match value {
        None => Ok(null(ty)),
        Some(bytes) => Ok(text_literal(utf8(bytes)?.to_string(), ty)),
    }
}

fn null(ty: &Type) -> Expr {
    cast(Expr::value(Value::Null), ty)
}

/// The literal of a value of type `ty` written as `text`.
fn text_literal(text: String, ty: &Type) -> Expr {
    if *ty == Type::NUMERIC {
        if let Some((number, _, _)) = decimal_number(&text) {
            return number;
        }
    }
    cast(Expr::value(Value::SingleQuotedString(text)), ty)
}

/// Text from the client, which must be UTF-8 without NUL (22021, in PostgreSQL's words).
fn utf8(bytes: &[u8]) -> Result<&str, CatalogError> {
    from_utf8(bytes).map_err(|message| CatalogError::new(INVALID_BYTE_SEQUENCE, message))
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
                Type::VARCHAR => SqlDataType::Varchar(None),
                Type::BPCHAR => SqlDataType::Text,
                Type::UUID => SqlDataType::Uuid,
                Type::JSON => SqlDataType::JSON,
                Type::JSONB => SqlDataType::JSONB,
                other => sql_type(&other)?,
            };
            SqlDataType::Array(ArrayElemTypeDef::SquareBracket(Box::new(element), None))
        }
    })
}

/// The element type of an array type of a scalar type (an array of arrays, int2vector and
/// oidvector have none).
fn array_element(ty: &Type) -> Option<Type> {
    if matches!(*ty, Type::INT2_VECTOR | Type::OID_VECTOR) {
        return None;
    }
    match ty.kind() {
        Kind::Array(element) if !matches!(element.kind(), Kind::Array(_)) => Some(element.clone()),
        _ => None,
    }
}

fn out_of_range(what: &str) -> CatalogError {
    CatalogError::new("22008", format!("{what} out of range"))
}

/// SQLSTATE of a binary value that is not one of its type.
const INVALID_BINARY_REPRESENTATION: &str = "22P03";

/// Why a binary parameter value does not read as its type, as PostgreSQL's receive
/// functions and Bind say it.
#[derive(Debug)]
enum BinaryError {
    /// The value ends before its type's bytes do: 08P01, with the message of the
    /// `pq_getmsg*` read that fell short.
    Short(&'static str),
    /// Bytes are left after the value.
    Trailing,
    /// Anything else, in PostgreSQL's words.
    Invalid(CatalogError),
}

impl From<CatalogError> for BinaryError {
    fn from(e: CatalogError) -> Self {
        BinaryError::Invalid(e)
    }
}

impl BinaryError {
    /// The error of Bind's parameter `number`.
    fn in_parameter(self, number: usize) -> CatalogError {
        match self {
            BinaryError::Short(message) => CatalogError::new(sqlstate::PROTOCOL_VIOLATION, message),
            BinaryError::Trailing => CatalogError::new(
                INVALID_BINARY_REPRESENTATION,
                format!("incorrect binary data format in bind parameter {number}"),
            ),
            BinaryError::Invalid(e) => e,
        }
    }
}

/// 22P03 with `message`.
fn invalid_binary(message: impl Into<String>) -> BinaryError {
    BinaryError::Invalid(CatalogError::new(INVALID_BINARY_REPRESENTATION, message.into()))
}

/// PostgreSQL's binary format of a value, as the text its literal is made from. The value
/// must be all of `bytes`.
fn binary_to_text(bytes: &[u8], ty: &Type) -> Result<String, BinaryError> {
    let mut input = Reader(bytes);
    let text = value_text(&mut input, ty)?;
    if !input.0.is_empty() {
        return Err(BinaryError::Trailing);
    }
    Ok(text)
}

/// Reads one value of type `ty` off `input` (see [`binary_to_text`]).
fn value_text(input: &mut Reader, ty: &Type) -> Result<String, BinaryError> {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default().and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(match *ty {
        Type::BOOL => if input.byte()? != 0 { "true" } else { "false" }.to_string(),
        Type::INT2 => i16::from_be_bytes(input.array()?).to_string(),
        Type::INT4 => input.word()?.to_string(),
        Type::INT8 => i64::from_be_bytes(input.array()?).to_string(),
        Type::OID | Type::REGCLASS | Type::REGTYPE | Type::REGPROC | Type::XID => u32::from_be_bytes(input.array()?).to_string(),
        Type::FLOAT4 => float_text(f32::from_be_bytes(input.array()?) as f64),
        Type::FLOAT8 => float_text(f64::from_be_bytes(input.array()?)),
        Type::DATE => {
            let days = input.word()?;
            if let Some(infinity) = infinity(days.into(), i32::MIN.into(), i32::MAX.into()) {
                return Ok(infinity.to_string());
            }
            let date = epoch.date().checked_add_signed(Duration::days(days as i64)).ok_or_else(|| out_of_range("date"))?;
            date.format("%Y-%m-%d").to_string()
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(input.array()?);
            if let Some(infinity) = infinity(micros.into(), i64::MIN.into(), i64::MAX.into()) {
                return Ok(infinity.to_string());
            }
            let ts = epoch.checked_add_signed(Duration::microseconds(micros)).ok_or_else(|| out_of_range("timestamp"))?;
            let suffix = if *ty == Type::TIMESTAMPTZ { "+00" } else { "" };
            format!("{}{suffix}", ts.format("%Y-%m-%d %H:%M:%S%.6f"))
        }
        Type::TIME => {
            let micros = i64::from_be_bytes(input.array()?);
            if !(0..86_400_000_000).contains(&micros) {
                return Err(out_of_range("time").into());
            }
            (epoch + Duration::microseconds(micros)).format("%H:%M:%S%.6f").to_string()
        }
        Type::INTERVAL => {
            let micros = i64::from_be_bytes(input.array()?);
            let days = input.word()?;
            let months = input.word()?;
            let sign = if micros < 0 { "-" } else { "" };
            let micros = micros.unsigned_abs();
            let (seconds, fraction) = (micros / 1_000_000, micros % 1_000_000);
            let clock = format!("{}:{:02}:{:02}.{fraction:06}", seconds / 3600, seconds / 60 % 60, seconds % 60);
            format!("{months} mons {days} days {sign}{clock}")
        }
        Type::UUID => uuid_text(&input.array()?),
        // The bytes themselves, however many, as a bytea literal spells them.
        Type::BYTEA => format!("\\x{}", input.rest().iter().map(|b| format!("{b:02x}")).collect::<String>()),
        Type::JSONB => match input.byte()? {
            1 => utf8(input.rest())?.to_string(),
            version => return Err(CatalogError::internal(format!("unsupported jsonb version number {version}")).into()),
        },
        Type::NUMERIC => numeric_text(input)?,
        _ => match array_element(ty) {
            Some(element) => array_text(input, &element)?,
            None => utf8(input.rest())?.to_string(),
        },
    })
}

/// PostgreSQL's binary array (`array_recv`): dimensions, has-null flag, element type, each
/// dimension's length and lower bound, then each element as its length (-1 for NULL) and
/// its binary value; as an array literal. Only one dimension is supported.
fn array_text(input: &mut Reader, element: &Type) -> Result<String, BinaryError> {
    let ndim = input.word()?;
    let _has_null = input.word()?;
    let _element_oid = input.word()?;
    let len = match ndim {
        0 => 0,
        1 => {
            let len = input.word()?;
            let _lower_bound = input.word()?;
            usize::try_from(len).map_err(|_| invalid_binary(format!("invalid array length {len}")))?
        }
        _ => return Err(CatalogError::unsupported("multidimensional arrays").into()),
    };
    let mut elements = Vec::with_capacity(len.min(input.0.len() / 4));
    for number in 1..=len {
        let size = input.word()?;
        if size == -1 {
            elements.push("NULL".to_string());
            continue;
        }
        let bytes = usize::try_from(size).ok().and_then(|size| input.take(size).ok());
        let bytes = bytes.ok_or_else(|| invalid_binary("insufficient data left in message"))?;
        let text = binary_to_text(bytes, element).map_err(|e| match e {
            BinaryError::Trailing => invalid_binary(format!("improper binary format in array element {number}")),
            e => e,
        })?;
        elements.push(format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")));
    }
    Ok(format!("{{{}}}", elements.join(",")))
}

/// Reads a binary parameter value front to back, as `pq_getmsg*` read a message.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BinaryError> {
        let (head, rest) = self.0.split_at_checked(n).ok_or(BinaryError::Short("insufficient data left in message"))?;
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BinaryError> {
        let bytes = self.take(N)?;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    fn byte(&mut self) -> Result<u8, BinaryError> {
        let [byte] = self.array().map_err(|_| BinaryError::Short("no data left in message"))?;
        Ok(byte)
    }

    fn word(&mut self) -> Result<i32, BinaryError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    fn half(&mut self) -> Result<u16, BinaryError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// All that is left.
    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
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

/// PostgreSQL's binary numeric (`numeric_recv`): ndigits, weight, sign, dscale, then
/// base-10000 digits, each checked as PostgreSQL checks them.
fn numeric_text(input: &mut Reader) -> Result<String, BinaryError> {
    let ndigits = input.half()? as usize;
    let weight = input.half()? as i16;
    let sign = input.half()?;
    let special = [Special::NaN, Special::Infinity, Special::NegativeInfinity].into_iter().find(|s| s.binary_sign() == sign);
    if special.is_none() && sign != 0 && sign != NUMERIC_NEGATIVE {
        return Err(invalid_binary("invalid sign in external \"numeric\" value"));
    }
    let dscale = input.half()?;
    if dscale & NUMERIC_DSCALE_MASK != dscale {
        return Err(invalid_binary("invalid scale in external \"numeric\" value"));
    }
    let dscale = dscale as usize;
    let mut digits = Vec::with_capacity(ndigits.min(input.0.len() / 2));
    for _ in 0..ndigits {
        let digit = input.half()?;
        if digit >= 10_000 {
            return Err(invalid_binary("invalid digit in external \"numeric\" value"));
        }
        digits.push(digit);
    }
    if let Some(special) = special {
        return Ok(special.text().into());
    }
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
    let sign = if sign == NUMERIC_NEGATIVE { "-" } else { "" };
    Ok(if dscale > 0 { format!("{sign}{int_part}.{frac}") } else { format!("{sign}{int_part}") })
}

/// The sign word of a negative numeric.
const NUMERIC_NEGATIVE: u16 = 0x4000;
/// The bits a numeric's display scale may use.
const NUMERIC_DSCALE_MASK: u16 = 0x3fff;

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of a binary parameter 1 of type `ty`.
    fn binary_error(bytes: &[u8], ty: &Type) -> CatalogError {
        parameter(Some(&Bytes::copy_from_slice(bytes)), ty, 1, 1).unwrap_err()
    }

    #[test]
    fn binary_values_become_text() {
        assert_eq!(binary_to_text(&(-5i64).to_be_bytes(), &Type::INT8).unwrap(), "-5");
        assert_eq!(binary_to_text(&16392u32.to_be_bytes(), &Type::OID).unwrap(), "16392");
        assert_eq!(binary_to_text(&0i32.to_be_bytes(), &Type::DATE).unwrap(), "2000-01-01");
        assert_eq!(binary_to_text(&[0], &Type::BOOL).unwrap(), "false");
        assert_eq!(binary_to_text(&[0xff, 0], &Type::BYTEA).unwrap(), "\\xff00");
        assert_eq!(binary_to_text(&[], &Type::BYTEA).unwrap(), "\\x");
    }

    #[test]
    fn binary_values_of_the_wrong_size_fail_as_in_postgresql() {
        let short = binary_error(&[1, 2], &Type::INT4);
        assert_eq!((short.code, short.message.as_str()), ("08P01", "insufficient data left in message"));
        let empty = binary_error(&[], &Type::BOOL);
        assert_eq!((empty.code, empty.message.as_str()), ("08P01", "no data left in message"));
        let long = parameter(Some(&Bytes::from_static(&[0, 0, 0, 0, 1])), &Type::INT4, 1, 3).unwrap_err();
        assert_eq!((long.code, long.message.as_str()), ("22P03", "incorrect binary data format in bind parameter 3"));
    }

    #[test]
    fn binary_numerics_are_checked_as_numeric_recv_checks_them() {
        let numeric = |words: &[u16]| -> Vec<u8> { words.iter().flat_map(|w| w.to_be_bytes()).collect() };
        // 1234.5 = digits [1234, 5000], weight 0, dscale 1
        assert_eq!(binary_to_text(&numeric(&[2, 0, 0, 1, 1234, 5000]), &Type::NUMERIC).unwrap(), "1234.5");
        assert_eq!(binary_to_text(&numeric(&[1, 0, 0x4000, 0, 42]), &Type::NUMERIC).unwrap(), "-42");
        assert_eq!(binary_to_text(&numeric(&[0, 0, 0xc000, 0]), &Type::NUMERIC).unwrap(), "NaN");
        let message = |words: &[u16]| binary_error(&numeric(words), &Type::NUMERIC).message.clone();
        assert_eq!(message(&[1, 0, 0, 0, 10000]), "invalid digit in external \"numeric\" value");
        assert_eq!(message(&[1, 0, 0x1234, 0, 1]), "invalid sign in external \"numeric\" value");
        assert_eq!(message(&[1, 0, 0, 0x4000, 1]), "invalid scale in external \"numeric\" value");
        assert_eq!(binary_error(&numeric(&[1, 0, 0, 0, 10000]), &Type::NUMERIC).code, "22P03");
        // Two digits announced, one sent.
        assert_eq!(message(&[2, 0, 0, 0, 1]), "insufficient data left in message");
    }

    #[test]
    fn binary_intervals_and_out_of_range_values() {
        // interval '14 mons -3 days -05:06:07.890123': microseconds, days, months.
        let bytes = [(-18_367_890_123i64).to_be_bytes().as_slice(), &(-3i32).to_be_bytes(), &14i32.to_be_bytes()].concat();
        assert_eq!(binary_to_text(&bytes, &Type::INTERVAL).unwrap(), "14 mons -3 days -5:06:07.890123");
        assert_eq!(binary_error(&bytes[..12], &Type::INTERVAL).code, "08P01");
        // Infinity is i64::MAX / i32::MAX in binary; other values beyond chrono's range are errors.
        assert_eq!(binary_to_text(&i64::MAX.to_be_bytes(), &Type::TIMESTAMP).unwrap(), "infinity");
        assert_eq!(binary_to_text(&i32::MIN.to_be_bytes(), &Type::DATE).unwrap(), "-infinity");
        assert_eq!(binary_error(&(i32::MAX - 1).to_be_bytes(), &Type::DATE).code, "22008");
        assert_eq!(binary_error(&(-1i64).to_be_bytes(), &Type::TIME).code, "22008");
        let year_one = binary_to_text(&(-63_082_281_600_000_000i64 + 1).to_be_bytes(), &Type::TIMESTAMP).unwrap();
        assert_eq!(year_one, "0001-01-01 00:00:00.000001");
    }

    #[test]
    fn numeric_parameters_keep_their_digits() {
        let text = |s: &str| literal(Some(&Bytes::from(s.to_string())), &Type::NUMERIC).unwrap().to_string();
        assert_eq!(text("12345678901234567890123456789012.123456"), "12345678901234567890123456789012.123456");
        assert_eq!(text(" -0.50"), "-0.50");
        assert_eq!(text("+.5"), "0.5");
        assert_eq!(text("7."), "7");
        assert_eq!(text("1e3"), "CAST('1e3' AS NUMERIC)");
        assert_eq!(text("NaN"), "CAST('NaN' AS NUMERIC)");
    }

    #[test]
    fn text_must_be_utf8_without_nul() {
        let nul = Bytes::from_static(b"a\0b");
        let e = literal(Some(&nul), &Type::TEXT).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22021", "invalid byte sequence for encoding \"UTF8\": 0x00"));
        assert_eq!(binary_error(b"a\0b", &Type::VARCHAR).code, "22021");
        let e = literal(Some(&Bytes::from_static(b"\xff")), &Type::TEXT).unwrap_err();
        assert_eq!((e.code, e.message.as_str()), ("22021", "invalid byte sequence for encoding \"UTF8\": 0xff"));
    }

    #[test]
    fn unsupported_format_codes_are_22023() {
        for value in [None, Some(&Bytes::from_static(b"1"))] {
            let e = parameter(value, &Type::INT4, 7, 1).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), ("22023", "unsupported format code: 7"));
        }
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
        assert_eq!(binary_error(&ints[..ints.len() - 1], &Type::INT4_ARRAY).code, "08P01");
        // An element longer than its type.
        let long = words(&[1, 0, 23, 1, 1, 5, 0, 0]);
        assert_eq!(binary_error(&long[..long.len() - 3], &Type::INT4_ARRAY).message, "improper binary format in array element 1");
        assert_eq!(binary_error(&words(&[2, 0, 23, 1, 1, 1, 1]), &Type::INT4_ARRAY).code, "0A000");
    }
}
