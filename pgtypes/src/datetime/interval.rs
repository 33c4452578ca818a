//! PostgreSQL's interval input: `1 year 2 mons 3 days 04:05:06.5`, `-1 day`, `36 hours`,
//! `1 day -01:00:00`, `@ 1 minute ago`, a bare number of seconds, and ISO 8601
//! (`P1Y2M3DT4H5M6S`). The result is PostgreSQL's (months, days, nanoseconds) triple.

use crate::error::{PgError, Result, sqlstate};

const NANOS_PER_SECOND: f64 = 1e9;

/// An interval's three fields, as PostgreSQL keeps them.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Months (years are 12 months).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Nanoseconds (PostgreSQL's precision is microseconds).
    pub nanos: i64,
}

impl Interval {
    /// Adds `n` of `unit`, spilling fractions into the smaller fields as PostgreSQL does.
    fn add(&mut self, n: f64, unit: &str) -> Option<()> {
        let (months, days, seconds) = match unit {
            "millennium" | "millennia" | "millenniums" => (n * 12000.0, 0.0, 0.0),
            "century" | "centuries" => (n * 1200.0, 0.0, 0.0),
            "decade" | "decades" => (n * 120.0, 0.0, 0.0),
            "y" | "yr" | "yrs" | "year" | "years" => (n * 12.0, 0.0, 0.0),
            "mon" | "mons" | "month" | "months" => (n, 0.0, 0.0),
            "w" | "week" | "weeks" => (0.0, n * 7.0, 0.0),
            "d" | "day" | "days" => (0.0, n, 0.0),
            "h" | "hr" | "hrs" | "hour" | "hours" => (0.0, 0.0, n * 3600.0),
            "m" | "min" | "mins" | "minute" | "minutes" => (0.0, 0.0, n * 60.0),
            "s" | "sec" | "secs" | "second" | "seconds" => (0.0, 0.0, n),
            "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => (0.0, 0.0, n / 1e3),
            "us" | "usec" | "usecs" | "microsecond" | "microseconds" => (0.0, 0.0, n / 1e6),
            _ => return None,
        };
        let whole_months = months.trunc();
        let days = days + (months - whole_months) * 30.0;
        let whole_days = days.trunc();
        let seconds = seconds + (days - whole_days) * 86400.0;
        self.months = self.months.checked_add(whole_months as i32)?;
        self.days = self.days.checked_add(whole_days as i32)?;
        self.nanos = self.nanos.checked_add((seconds * NANOS_PER_SECOND).round() as i64)?;
        Some(())
    }

    fn negate(self) -> Interval {
        Interval { months: -self.months, days: -self.days, nanos: -self.nanos }
    }
}

/// Parses PostgreSQL interval text; 22007 when it is not an interval.
pub fn parse_interval(text: &str) -> Result<Interval> {
    let lower = text.trim().to_lowercase();
    let parsed = if lower.starts_with('p') { iso(&lower[1..]) } else { postgres(&lower) };
    parsed.ok_or_else(|| {
        PgError::new(sqlstate::INVALID_DATETIME, format!("invalid input syntax for type interval: \"{text}\""))
    })
}

fn postgres(text: &str) -> Option<Interval> {
    let mut tokens: Vec<&str> = text.split_whitespace().collect();
    if tokens.first() == Some(&"@") {
        tokens.remove(0);
    }
    let ago = tokens.last() == Some(&"ago");
    if ago {
        tokens.pop();
    }
    if tokens.is_empty() {
        return None;
    }
    let mut out = Interval::default();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if token.contains(':') {
            out.nanos = out.nanos.checked_add(clock(token)?)?;
            i += 1;
            continue;
        }
        let (number, unit) = split_number(token)?;
        let n: f64 = number.parse().ok()?;
        match (unit, tokens.get(i + 1)) {
            ("", Some(next)) if !next.contains(':') && split_number(next).is_none() => {
                out.add(n, next.trim_end_matches(','))?;
                i += 2;
            }
            ("", _) => {
                out.add(n, "seconds")?;
                i += 1;
            }
            (unit, _) => {
                out.add(n, unit)?;
                i += 1;
            }
        }
    }
    Some(if ago { out.negate() } else { out })
}

/// Splits `12days` into ("12", "days"); `None` when it does not start with a number.
fn split_number(token: &str) -> Option<(&str, &str)> {
    let end = token
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || ((*c == '-' || *c == '+') && *i == 0)))
        .map_or(token.len(), |(i, _)| i);
    let number = &token[..end];
    number.chars().any(|c| c.is_ascii_digit()).then_some((number, &token[end..]))
}

/// `[-]H:MM[:SS[.fff]]` as nanoseconds.
fn clock(token: &str) -> Option<i64> {
    let (negative, body) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token.strip_prefix('+').unwrap_or(token)),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (h.parse::<f64>().ok()?, m.parse::<f64>().ok()?, 0.0),
        [h, m, s] => (h.parse::<f64>().ok()?, m.parse::<f64>().ok()?, s.parse::<f64>().ok()?),
        _ => return None,
    };
    let nanos = ((h * 3600.0 + m * 60.0 + s) * NANOS_PER_SECOND).round() as i64;
    Some(if negative { -nanos } else { nanos })
}

/// ISO 8601 `nYnMnWnDTnHnMnS` (after the leading `P`).
fn iso(text: &str) -> Option<Interval> {
    let mut out = Interval::default();
    let mut in_time = false;
    let mut number = String::new();
    for c in text.chars() {
        match c {
            't' => in_time = true,
            '0'..='9' | '.' | '-' | '+' => number.push(c),
            unit => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                let unit = match (unit, in_time) {
                    ('y', false) => "years",
                    ('m', false) => "months",
                    ('w', false) => "weeks",
                    ('d', false) => "days",
                    ('h', true) => "hours",
                    ('m', true) => "minutes",
                    ('s', true) => "seconds",
                    _ => return None,
                };
                out.add(n, unit)?;
            }
        }
    }
    number.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(months: i32, days: i32, seconds: f64) -> Interval {
        Interval { months, days, nanos: (seconds * 1e9) as i64 }
    }

    #[test]
    fn postgres_forms() {
        assert_eq!(parse_interval("1 year 2 mons 3 days 04:05:06.5").unwrap(), iv(14, 3, 14706.5));
        assert_eq!(parse_interval("0").unwrap(), iv(0, 0, 0.0));
        assert_eq!(parse_interval("-1 day").unwrap(), iv(0, -1, 0.0));
        assert_eq!(parse_interval("36 hours").unwrap(), iv(0, 0, 129600.0));
        assert_eq!(parse_interval("1 day -1 hour").unwrap(), iv(0, 1, -3600.0));
        assert_eq!(parse_interval("1.5 seconds").unwrap(), iv(0, 0, 1.5));
        assert_eq!(parse_interval("-00:00:01").unwrap(), iv(0, 0, -1.0));
        assert_eq!(parse_interval("@ 1 minute ago").unwrap(), iv(0, 0, -60.0));
        assert_eq!(parse_interval("1.5 years").unwrap(), iv(18, 0, 0.0));
        assert_eq!(parse_interval("P1Y2M3DT4H5M6S").unwrap(), iv(14, 3, 14706.0));
        assert_eq!(parse_interval("soon").unwrap_err().code, "22007");
    }
}
