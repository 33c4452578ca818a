//! `to_char(value, template)` with PostgreSQL's template patterns, in place of
//! DataFusion's (which reads chrono's `%Y` patterns and refuses numbers):
//!
//! - timestamps, timestamptz and dates: `YYYY`, `MM`, `DD`, `HH24`, `MI`, `SS`, `Month`,
//!   `Day`, `BC`, ... with the `FM` prefix, the `TH` suffix and `"quoted text"`; an
//!   infinite timestamp gives NULL, as in PostgreSQL;
//! - numbers: `9`, `0`, `.`/`D`, `,`/`G`, `S`, `MI`, `SG`, `PL` and `FM`; a value with
//!   more integer digits than the template has is shown as `#`s (`to_char(3000000000,
//!   '999D99')` is ` ###.##`).
//!
//! Other argument types go to DataFusion's function.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};


/// Shale's `to_char`, wrapping DataFusion's.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToChar {
    inner: Arc<ScalarUDF>,
    signature: Signature,
}

/// The function, to register in a session.
pub fn function() -> ScalarUDF {
    let inner = datafusion::functions::datetime::to_char();
    ScalarUDF::new_from_impl(ToChar { inner, signature: Signature::user_defined(Volatility::Stable) })
}

/// Whether Shale formats values of this type itself.
fn own(t: &DataType) -> bool {
    t.is_numeric() || matches!(t, DataType::Timestamp(..) | DataType::Date32 | DataType::Null)
}

impl ScalarUDFImpl for ToChar {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [value, _] if own(value) => Ok(vec![value.clone(), DataType::Utf8]),
            _ => crate::guarded::coerced_by(&self.inner, args),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if !args.arg_fields.first().is_some_and(|f| own(f.data_type())) {
            return self.inner.invoke_with_args(args);
        }
        let rows = if args.args.iter().all(|a| matches!(a, ColumnarValue::Scalar(_))) { 1 } else { args.number_rows };
        let (values, templates) = (args.args[0].to_array(rows)?, args.args[1].to_array(rows)?);
        let texts = (0..rows)
            .map(|row| {
                let value = ScalarValue::try_from_array(&values, row)?;
                let template = ScalarValue::try_from_array(&templates, row)?;
                let (ScalarValue::Utf8(Some(template)) | ScalarValue::Utf8View(Some(template)) | ScalarValue::LargeUtf8(Some(template))) =
                    template
                else {
                    return Ok(None);
                };
                Ok(format_value(&value, &template))
            })
            .collect::<Result<Vec<Option<String>>>>()?;
        let array = ScalarValue::iter_to_array(texts.into_iter().map(ScalarValue::Utf8))?;
        if rows == 1 && args.number_rows != 1 {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&array, 0)?));
        }
        Ok(ColumnarValue::Array(array))
    }
}

/// `value` formatted by `template` (`None`: NULL).
fn format_value(value: &ScalarValue, template: &str) -> Option<String> {
    let micros = match value {
        _ if value.is_null() => return None,
        ScalarValue::TimestampMicrosecond(Some(v), tz) => Some((*v, tz.is_some())),
        ScalarValue::TimestampMillisecond(Some(v), tz) => Some((v.saturating_mul(1000), tz.is_some())),
        ScalarValue::TimestampSecond(Some(v), tz) => Some((v.saturating_mul(1_000_000), tz.is_some())),
        ScalarValue::TimestampNanosecond(Some(v), tz) => Some((v / 1000, tz.is_some())),
        ScalarValue::Date32(Some(days)) => Some((i64::from(*days) * 86_400_000_000, false)),
        _ => None,
    };
    match micros {
        // Shale's infinities are the extreme values.
        Some((v, _)) if v == i64::MAX || v == i64::MIN => None,
        Some((v, zoned)) => DateTime::from_timestamp_micros(v).map(|t| format_timestamp(&t.naive_utc(), zoned, template)),
        None => Some(format_number(&value.to_string(), matches!(value, ScalarValue::Float32(_) | ScalarValue::Float64(_)), template)),
    }
}

/// The patterns of a timestamp template, longest first among those sharing a prefix.
const DATE_PATTERNS: &[&str] = &[
    "HH24", "HH12", "HH", "MI", "MS", "US", "SS", "A.M.", "P.M.", "AM", "PM", "Y,YYY", "YYYY", "YYY", "YY", "Y",
    "B.C.", "A.D.", "BC", "AD", "MONTH", "MON", "MM", "DAY", "DDD", "DD", "DY", "D", "IYYY", "IW", "ID", "Q", "CC",
    "J", "WW", "W", "TZ",
];

fn format_timestamp(t: &NaiveDateTime, zoned: bool, template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '"' {
            // Quoted text, with \" for a quote.
            let mut chars = rest[1..].char_indices();
            let mut end = rest.len();
            while let Some((i, q)) = chars.next() {
                match q {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 2;
                        break;
                    }
                    other => out.push(other),
                }
            }
            rest = &rest[end.min(rest.len())..];
            continue;
        }
        let fill_mode = rest.len() >= 2 && rest[..2].eq_ignore_ascii_case("FM");
        let body = if fill_mode { &rest[2..] } else { rest };
        let Some(pattern) = DATE_PATTERNS.iter().find(|p| body.len() >= p.len() && body.is_char_boundary(p.len()) && body[..p.len()].eq_ignore_ascii_case(p)) else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let written = &body[..pattern.len()];
        let mut after = &body[pattern.len()..];
        let field = date_field(t, zoned, pattern, written, fill_mode);
        out.push_str(&field.text);
        if let Some(n) = field.ordinal {
            if after.len() >= 2 && after[..2].eq_ignore_ascii_case("TH") {
                let suffix = ordinal_suffix(n);
                match after.starts_with("th") {
                    true => out.push_str(suffix),
                    false => out.push_str(&suffix.to_uppercase()),
                }
                after = &after[2..];
            }
        }
        rest = after;
    }
    out
}

/// One field of a timestamp, and its number when `TH` may follow it.
struct Field {
    text: String,
    ordinal: Option<i64>,
}

fn date_field(t: &NaiveDateTime, zoned: bool, pattern: &str, written: &str, fill_mode: bool) -> Field {
    let number = |n: i64, width: usize| Field {
        text: match (fill_mode, n < 0) {
            (true, _) => n.to_string(),
            (false, true) => format!("-{:0width$}", n.unsigned_abs()),
            (false, false) => format!("{n:0width$}"),
        },
        ordinal: Some(n),
    };
    let word = |w: &str, width: usize| {
        let cased = match (written.chars().next(), written.chars().nth(1)) {
            (Some(a), Some(b)) if a.is_uppercase() && b.is_uppercase() => w.to_uppercase(),
            (Some(a), _) if a.is_uppercase() => w.to_string(),
            _ => w.to_lowercase(),
        };
        let text = if fill_mode { cased } else { format!("{cased:width$}") };
        Field { text, ordinal: None }
    };
    let upper = written.chars().next().is_some_and(char::is_uppercase);
    let (ce_year, bc) = match t.year() {
        y if y <= 0 => (i64::from(1 - y), true),
        y => (i64::from(y), false),
    };
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => i64::from(h),
    };
    let pm = t.hour() >= 12;
    let marker = |plain: &str, dotted: &str| {
        let text = if pattern.contains('.') { dotted } else { plain };
        Field { text: if upper { text.to_uppercase() } else { text.to_lowercase() }, ordinal: None }
    };
    match pattern {
        "HH24" => number(i64::from(t.hour()), 2),
        "HH12" | "HH" => number(hour12, 2),
        "MI" => number(i64::from(t.minute()), 2),
        "SS" => number(i64::from(t.second()), 2),
        "MS" => number(i64::from(t.nanosecond() / 1_000_000), 3),
        "US" => number(i64::from(t.nanosecond() / 1000), 6),
        "AM" | "PM" => marker(if pm { "pm" } else { "am" }, ""),
        "A.M." | "P.M." => marker("", if pm { "p.m." } else { "a.m." }),
        "Y,YYY" => {
            let text = format!("{},{:03}", ce_year / 1000, ce_year % 1000);
            let text = if fill_mode { text } else { format!("{:0>5}", text) };
            Field { text, ordinal: None }
        }
        "YYYY" => number(ce_year, 4),
        "YYY" => number(ce_year % 1000, 3),
        "YY" => number(ce_year % 100, 2),
        "Y" => number(ce_year % 10, 1),
        "BC" | "AD" => marker(if bc { "bc" } else { "ad" }, ""),
        "B.C." | "A.D." => marker("", if bc { "b.c." } else { "a.d." }),
        "MONTH" => word(MONTHS[t.month0() as usize], 9),
        "MON" => word(&MONTHS[t.month0() as usize][..3], 3),
        "MM" => number(i64::from(t.month()), 2),
        "DAY" => word(DAYS[t.weekday().num_days_from_sunday() as usize], 9),
        "DY" => word(&DAYS[t.weekday().num_days_from_sunday() as usize][..3], 3),
        "DDD" => number(i64::from(t.ordinal()), 3),
        "DD" => number(i64::from(t.day()), 2),
        "D" => number(i64::from(t.weekday().num_days_from_sunday() + 1), 1),
        "ID" => number(i64::from(t.weekday().number_from_monday()), 1),
        "IW" => number(i64::from(t.iso_week().week()), 2),
        "IYYY" => number(i64::from(t.iso_week().year()), 4),
        "Q" => number(i64::from(t.month0() / 3 + 1), 1),
        "CC" => {
            let century = if bc { -((ce_year - 1) / 100 + 1) } else { (ce_year - 1) / 100 + 1 };
            number(century, 2)
        }
        "J" => number(i64::from(t.num_days_from_ce()) + 1_721_425, 1),
        "WW" => number(i64::from((t.ordinal() - 1) / 7 + 1), 2),
        "W" => number(i64::from((t.day() - 1) / 7 + 1), 1),
        _ => Field { text: if zoned { "UTC".into() } else { String::new() }, ordinal: None },
    }
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

fn ordinal_suffix(n: i64) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// A piece of a number template.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    /// `9` (`false`) or `0` (`true`).
    Digit(bool),
    Point,
    Group,
    /// `S`, `SG`, `PL`: a sign shown for positive numbers too.
    Sign,
    /// `MI`: a minus, or a space.
    Minus,
    Text(char),
}

/// `number` (its text as Arrow prints it) formatted by a number template.
fn format_number(number: &str, float: bool, template: &str) -> String {
    let upper = template.to_uppercase();
    let fill_mode = upper.contains("FM");
    let mut parts = Vec::new();
    let mut chars = upper.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = upper[i + c.len_utf8()..].chars().next();
        parts.push(match (c, next) {
            ('F', Some('M')) | ('S', Some('G')) | ('P', Some('L')) | ('M', Some('I')) => {
                chars.next();
                match c {
                    'F' => continue,
                    'M' => Part::Minus,
                    _ => Part::Sign,
                }
            }
            ('9', _) => Part::Digit(false),
            ('0', _) => Part::Digit(true),
            ('.' | 'D', _) => Part::Point,
            (',' | 'G', _) => Part::Group,
            ('S', _) => Part::Sign,
            _ => Part::Text(template[i..].chars().next().unwrap_or(c)),
        });
    }
    // A leading `S` is the sign anchored to the number, shown for positive numbers too.
    let anchored_plus = parts.first() == Some(&Part::Sign);
    if anchored_plus {
        parts.remove(0);
    }
    let point = parts.iter().position(|p| *p == Part::Point);
    let digits_in = |parts: &[Part]| parts.iter().filter(|p| matches!(p, Part::Digit(_))).count();
    let int_positions = digits_in(&parts[..point.unwrap_or(parts.len())]);
    let frac_positions = point.map_or(0, |p| digits_in(&parts[p + 1..]));
    let (negative, int_digits, frac_digits) = rounded_digits(number, float, frac_positions);
    let int_digits = if int_digits == "0" && point.is_some() { String::new() } else { int_digits };
    let overflow = int_digits.len() > int_positions;
    let explicit_sign = parts.iter().any(|p| matches!(p, Part::Sign | Part::Minus));

    let mut out = String::new();
    let mut int_index = 0;
    let mut frac_index = 0;
    let mut started = false;
    let mut sign_done = explicit_sign;
    let default_sign = match (negative, anchored_plus) {
        (true, _) => '-',
        (false, true) => '+',
        (false, false) => ' ',
    };
    let mut in_fraction = false;
    let mut zero_fill = false;
    for part in &parts {
        match part {
            Part::Digit(zero) if !in_fraction => {
                let first_digit = int_positions.saturating_sub(int_digits.len());
                zero_fill |= *zero;
                let c = if overflow {
                    Some('#')
                } else if int_index >= first_digit {
                    int_digits[..].chars().nth(int_index - first_digit)
                } else if zero_fill {
                    Some('0')
                } else {
                    None
                };
                int_index += 1;
                match c {
                    Some(c) => {
                        if !sign_done && !(fill_mode && default_sign == ' ') {
                            out.push(default_sign);
                        }
                        sign_done = true;
                        started = true;
                        out.push(c);
                    }
                    None if !fill_mode => out.push(' '),
                    None => {}
                }
            }
            Part::Digit(_) => {
                let c = if overflow { '#' } else { frac_digits.chars().nth(frac_index).unwrap_or('0') };
                frac_index += 1;
                out.push(c);
            }
            Part::Point => {
                if !sign_done && !(fill_mode && default_sign == ' ') && !overflow {
                    out.push(default_sign);
                }
                if overflow && !sign_done && !fill_mode {
                    out.push(default_sign);
                }
                sign_done = true;
                in_fraction = true;
                out.push('.');
            }
            Part::Group if started => out.push(','),
            Part::Group if !fill_mode => out.push(' '),
            Part::Group => {}
            Part::Sign => out.push(if negative { '-' } else { '+' }),
            Part::Minus => out.push(if negative { '-' } else { ' ' }),
            Part::Text(c) => out.push(*c),
        }
    }
    if !sign_done && !(fill_mode && default_sign == ' ') {
        out.insert(0, default_sign);
    }
    if fill_mode {
        // Fill mode drops the fraction's trailing zeros that came from `9`s.
        let nines_after = point.map_or(0, |p| parts[p + 1..].iter().rev().take_while(|p| **p == Part::Digit(false)).count());
        let mut trimmed = 0;
        while trimmed < nines_after && !overflow && out.ends_with('0') {
            out.pop();
            trimmed += 1;
        }
    }
    out
}

/// Sign, integer digits and `scale` fraction digits of `number`, rounded: floats to the
/// nearest even (as `printf`), numeric half away from zero.
fn rounded_digits(number: &str, float: bool, scale: usize) -> (bool, String, String) {
    let text = match number.parse::<f64>() {
        Ok(f) if float => format!("{f:.scale$}"),
        _ => round_decimal_text(number, scale),
    };
    let negative = text.starts_with('-');
    let unsigned = text.trim_start_matches('-');
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let negative = negative && (int != "0" || frac.bytes().any(|b| b != b'0'));
    (negative, int.to_string(), frac.to_string())
}

/// A decimal number's text rounded half away from zero to `scale` fraction digits.
fn round_decimal_text(number: &str, scale: usize) -> String {
    let negative = number.starts_with('-');
    let unsigned = number.trim_start_matches(['-', '+']);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut digits: Vec<u8> = format!("0{int}{frac:0<scale$}").into_bytes();
    let keep = 1 + int.len() + scale;
    let round_up = digits.get(keep).is_some_and(|d| *d >= b'5');
    digits.truncate(keep);
    if round_up {
        for d in digits.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                break;
            }
        }
    }
    let text = String::from_utf8(digits).unwrap_or_default();
    let (int, frac) = text.split_at(1 + int.len());
    let sign = if negative { "-" } else { "" };
    if scale == 0 { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn numbers_as_postgres() {
        // Each expected value is PostgreSQL 15's.
        let n = |v: &str, t: &str| format_number(v, false, t);
        assert_eq!(n("12.5", "999D99"), "  12.50");
        assert_eq!(n("-12.5", "999D99"), " -12.50");
        assert_eq!(n("0.5", "999D99"), "    .50");
        assert_eq!(n("0.5", "990D99"), "   0.50");
        assert_eq!(n("3000000000", "999D99"), " ###.##");
        assert_eq!(n("-3000000000", "999D99"), "-###.##");
        assert_eq!(n("1234567", "9,999,999"), " 1,234,567");
        assert_eq!(n("1234567", "FM9,999,999.99"), "1,234,567.");
        assert_eq!(n("12", "FM999"), "12");
        assert_eq!(n("-12", "FM999"), "-12");
        assert_eq!(n("12", "0000"), " 0012");
        assert_eq!(n("-12", "S999"), " -12");
        assert_eq!(n("12", "S999"), " +12");
        assert_eq!(n("-12", "999MI"), " 12-");
        assert_eq!(n("2.5", "9"), " 3");
        assert_eq!(format_number("2.5", true, "9"), " 2");
        assert_eq!(n("123.456", "999.9"), " 123.5");
        assert_eq!(n("12", "FM9.99"), "#.##");
        assert_eq!(n("0", "999"), "   0");
        assert_eq!(n("0", "FM999"), "0");
        assert_eq!(n("0.1", "FM9.9"), ".1");
        assert_eq!(n("0.1", "9.9"), "  .1");
    }

    #[test]
    fn timestamps_as_postgres() {
        let t = NaiveDate::from_ymd_opt(2020, 3, 5).unwrap().and_hms_micro_opt(14, 7, 9, 123_456).unwrap();
        assert_eq!(
            format_timestamp(&t, false, "YYYY-MM-DD HH24:MI:SS.MS.US HH12 HH am PM Month Mon MONTH month mon DAY Day dy DDD D Q CC J WW IW IYYY W YYY YY Y Y,YYY FMDD FMMonth BC a.d."),
            "2020-03-05 14:07:09.123.123456 02 02 pm PM March     Mar MARCH     march     mar THURSDAY  Thursday  thu 065 5 1 21 2458914 10 10 2020 1 020 20 0 2,020 5 March AD a.d."
        );
        let t = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
        assert_eq!(
            format_timestamp(&t, false, "DDth Dth \"quoted YYYY\" yyyy-mm-dd hh24:mi fmdd"),
            "01st 1st quoted YYYY 2020-03-01 00:00 1"
        );
        let t = NaiveDate::from_ymd_opt(-43, 3, 15).unwrap().and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(format_timestamp(&t, false, "YYYY BC yyyy ad Y,YYY CC"), "0044 BC 0044 bc 0,044 -01");
        let t = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap().and_hms_opt(10, 0, 0).unwrap();
        assert_eq!(format_timestamp(&t, true, "YYYY-MM-DD DDD IW HH24 TZ"), "2020-12-31 366 53 10 UTC");
        assert_eq!(format_value(&ScalarValue::TimestampMicrosecond(Some(i64::MAX), None), "YYYY"), None);
    }
}
