//! Classifies DataFusion's and Arrow's error texts into PostgreSQL SQLSTATEs and messages.
//!
//! DataFusion reports casts, overflows and unknown names as plain strings; this module is
//! the one place that knows their wording.

use crate::error::{PgError, sqlstate};

/// Maps a DataFusion or Arrow error message to a [`PgError`].
pub fn classify(message: &str) -> PgError {
    let m = message;
    if m.contains("Divide by zero") || m.contains("division by zero") {
        return PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero");
    }
    if m.contains("start bound cannot be UNBOUNDED FOLLOWING") {
        return PgError::new("42P20", "frame start cannot be UNBOUNDED FOLLOWING");
    }
    if m.contains("end bound cannot be UNBOUNDED PRECEDING") {
        return PgError::new("42P20", "frame end cannot be UNBOUNDED PRECEDING");
    }
    if m.contains("frame offsets for ROWS / GROUPS must be non negative integers") {
        return PgError::new("22013", "frame offsets of ROWS and GROUPS must be non-negative integers");
    }
    if m.contains("cannot be larger than end bound") {
        // PostgreSQL runs such a frame (`1 PRECEDING AND 2 PRECEDING`) as an empty one.
        return PgError::unsupported("a window frame that starts after it ends");
    }
    if let Some(at) = m.find("\" must appear in the GROUP BY clause") {
        // `column "t.a" must appear ...`, with or without a wildcard being expanded.
        let column = m[..at].rsplit_once('"').map_or("", |(_, name)| name);
        return PgError::new(
            "42803",
            format!("column \"{column}\" must appear in the GROUP BY clause or be used in an aggregate function"),
        );
    }
    if let Some(arrow) = m.split("Unary operator 'NOT' requires a boolean expression, got ").nth(1) {
        let arrow = arrow.lines().next().unwrap_or(arrow);
        return PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("argument of NOT must be type boolean, not type {}", type_name(arrow)),
        );
    }
    if m.contains("Too many columns! The subquery should only return one column") {
        return PgError::new(sqlstate::SYNTAX_ERROR, "subquery must return only one column");
    }
    if m.contains("Scalar subquery returned more than one row") {
        return PgError::new("21000", "more than one row returned by a subquery used as an expression");
    }
    if m.contains("Window function calls cannot be nested") {
        return PgError::new("42P20", "window function calls cannot be nested");
    }
    if m.contains("negative count not allowed") {
        // DataFusion's `substr` with a negative length.
        return PgError::new("22011", "negative substring length not allowed");
    }
    if m.contains("field position must not be zero") {
        // `split_part(..., 0)`.
        return PgError::new(sqlstate::INVALID_PARAMETER, "field position must not be zero");
    }
    if m.contains("cannot take square root of a negative number") {
        return PgError::new("2201F", "cannot take square root of a negative number");
    }
    if let Some(e) = regex_error(m) {
        return e;
    }
    if let Some(number) = between(m, "Placeholder '$", "' was not provided") {
        // A `$n` in a simple query, which has no parameters.
        return PgError::new("42P02", format!("there is no parameter ${number}"));
    }
    if m.contains("LIMIT must be >= 0") {
        return PgError::new("2201W", "LIMIT must not be negative");
    }
    if m.contains("OFFSET must be >=0") {
        return PgError::new("2201X", "OFFSET must not be negative");
    }
    if let Some(array) = between(m, "Compute error: ", "Array overflow on abs") {
        // DataFusion's `abs` of an integer type's minimum.
        return PgError::new(sqlstate::OUT_OF_RANGE, format!("{} out of range", pg_type_name(array)));
    }
    if let Some(e) = cast_error(m) {
        return e;
    }
    if m.contains("Overflow happened") || m.contains("overflow") && m.contains("Arithmetic") {
        return PgError::new(sqlstate::OUT_OF_RANGE, "integer out of range");
    }
    if m.contains("too large to store") || m.contains("too small to store") {
        return PgError::new(sqlstate::OUT_OF_RANGE, "numeric field overflow");
    }
    if let Some(table) = between(m, "table '", "' not found") {
        // `catalog.schema.table`: PostgreSQL names the relation as it was written, so the
        // search-path schema DataFusion resolved a bare name in is left out.
        let parts: Vec<&str> = table.split('.').collect();
        let shown = match parts.as_slice() {
            [.., schema, name] if *schema != crate::SEARCH_PATH_SCHEMA => format!("{schema}.{name}"),
            [.., name] => name.to_string(),
            [] => table.to_string(),
        };
        return PgError::undefined_table(&shown);
    }
    if let Some(rest) = m.split("Ambiguous reference to unqualified field ").nth(1) {
        let name = unquote_identifier(rest.lines().next().unwrap_or(rest).trim());
        return PgError::new("42702", format!("column reference \"{name}\" is ambiguous"));
    }
    if let Some(rest) = m.split("No field named ").nth(1) {
        // The list of valid fields follows after ". " or ".\n".
        let first = rest.lines().next().unwrap_or(rest);
        let name = first.split(". ").next().unwrap_or(first).trim_end_matches('.').replace('"', "");
        let message = match name.rsplit_once('.') {
            Some(_) => format!("column {name} does not exist"),
            None => format!("column \"{name}\" does not exist"),
        };
        return PgError::new(sqlstate::UNDEFINED_COLUMN, message);
    }
    if let Some(from) = between(m, "no valid cast exists, received data of type ", " for field of type ") {
        // A parameter declared with a type the column cannot take (PostgreSQL refuses it at
        // Parse, naming the column).
        let to = m.split(" for field of type ").nth(1).unwrap_or("");
        return PgError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("column is of type {} but expression is of type {}", type_name(to), type_name(from)),
        );
    }
    if let Some(e) = no_such_function(m) {
        return e;
    }
    if m.contains("Cannot cast to Interval(MonthDayNano). Overflowing") {
        // A date plus a number of days, which Arrow counts in nanoseconds.
        return PgError::new("22008", "date out of range");
    }
    if let Some(rest) = m.split("Unable to parse date from ").nth(1) {
        // make_date(y, m, d) of a date that does not exist.
        let fields: Vec<i64> = rest.split(", ").map_while(|f| f.trim().parse().ok()).collect();
        if let [y, mo, d] = fields[..] {
            let beyond = !(-4713..=5_874_897).contains(&y);
            let what = if beyond { "date out of range" } else { "date field value out of range" };
            return PgError::new("22008", format!("{what}: {y}-{mo:02}-{d:02}"));
        }
    }
    if let Some(f) = between(m, "Invalid function '", "'") {
        return PgError::new(
            sqlstate::UNDEFINED_FUNCTION,
            format!("function {f}() does not exist"),
        );
    }
    if m.contains("ParserError") || m.contains("sql parser error") {
        return PgError::new(sqlstate::SYNTAX_ERROR, m.to_string());
    }
    if m.contains("This feature is not implemented") || m.contains("not implemented") {
        return PgError::new(sqlstate::FEATURE_NOT_SUPPORTED, m.to_string());
    }
    if m.contains("Cannot infer common argument type") || m.contains("Cannot coerce") {
        return PgError::new(sqlstate::UNDEFINED_FUNCTION, m.to_string());
    }
    PgError::internal(m.to_string())
}

/// A regular expression the regex crate refused: 2201B, with PostgreSQL's words for the
/// mistakes it names (the regex crate's for the others).
fn regex_error(m: &str) -> Option<PgError> {
    if !m.contains("regex parse error") {
        return None;
    }
    let reason = m.rsplit("error: ").next().unwrap_or(m).trim();
    let reason = match reason {
        "unclosed group" | "unopened group" => "parentheses () not balanced",
        "unclosed character class" => "brackets [] not balanced",
        "repetition operator missing expression" => "quantifier operand invalid",
        other => other,
    };
    Some(PgError::new("2201B", format!("invalid regular expression: {reason}")))
}

/// A function called with arguments of types it does not take: 42883, naming the types as
/// PostgreSQL does where DataFusion's message gives them.
fn no_such_function(m: &str) -> Option<PgError> {
    let call = if let Some(call) = between(m, "No function matches the given name and argument types '", "'") {
        // `make_date(Int32, Decimal128(20, 0), Int64)`
        let (name, args) = call.split_once('(')?;
        let args = split_types(args.strip_suffix(')')?);
        signature(name, &args)
    } else if let Some(name) = between(m, "Failed to coerce arguments to satisfy a call to '", "' function") {
        // `coercion from List(Int32), UInt64 to the signature ...`
        let args = between(m, "coercion from ", " to the signature")?;
        signature(name, &split_types(args))
    } else if let Some(name) = between(m, "Function '", "' failed to match any signature") {
        // `... requires Decimal, but received Date (DataType: Date32).`, once a signature:
        // the argument's type when every signature names the same one.
        let mut received: Vec<&str> = m.split("(DataType: ").skip(1).filter_map(|r| r.split(')').next()).collect();
        received.dedup();
        match received.as_slice() {
            [one] => format!("{name}({})", type_name(one)),
            _ => format!("{name}(...)"),
        }
    } else {
        return None;
    };
    Some(
        PgError::new(sqlstate::UNDEFINED_FUNCTION, format!("function {call} does not exist"))
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
    )
}

/// `name(type, ...)` with PostgreSQL's names of the Arrow types `args`.
fn signature(name: &str, args: &[&str]) -> String {
    format!("{name}({})", args.iter().map(|a| type_name(a)).collect::<Vec<_>>().join(", "))
}

/// The types of a comma-separated list of Arrow types, some of which have commas inside
/// their parentheses (`Decimal128(20, 0)`).
fn split_types(list: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in list.char_indices() {
        match c {
            '(' | '<' => depth += 1,
            ')' | '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if !list[start..].trim().is_empty() {
        out.push(list[start..].trim());
    }
    out
}

/// PostgreSQL's name of an Arrow type written as DataFusion writes it in messages; the
/// Arrow name itself when PostgreSQL has no such type.
pub(crate) fn type_name(arrow: &str) -> String {
    let arrow = arrow.trim();
    if let Some(inner) = arrow.strip_prefix("List(").and_then(|r| r.strip_suffix(')')) {
        // `List(Int32)`, or `List(non-null Int32)` and `List(Field { data_type: Int32, .. })`
        let element = inner.split("data_type: ").nth(1).unwrap_or(inner).trim_start_matches("non-null ");
        let element = element.split([',', ' ']).next().unwrap_or(element);
        return format!("{}[]", type_name(element));
    }
    if ["Utf8", "LargeUtf8", "Utf8View"].contains(&arrow) {
        return "text".into();
    }
    if ["Binary", "LargeBinary", "BinaryView"].contains(&arrow) {
        return "bytea".into();
    }
    pg_name(arrow).map_or_else(|| arrow.to_string(), str::to_string)
}

/// Whether `text` starts with a `YYYY-MM-DD` date whose fields are digits, so that a
/// failure to read it is a field out of range rather than bad syntax.
pub(crate) fn well_formed_date(text: &str) -> bool {
    let date = text.trim().split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = date.split('-').collect();
    parts.len() == 3
        && [4, 2, 2].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Recognises Arrow cast failures: bad text is 22P02 (22007 for dates and times), a value
/// that does not fit its type is 22003.
fn cast_error(m: &str) -> Option<PgError> {
    if let Some(value) = between(m, "Cannot cast string '", "' to value of ") {
        let target = m.split("to value of ").nth(1).unwrap_or("");
        let ty = pg_type_name(target);
        if ["Int16", "Int32", "Int64"].iter().any(|t| target.starts_with(t)) && value.trim().parse::<i128>().is_ok() {
            return Some(PgError::new(
                sqlstate::OUT_OF_RANGE,
                format!("value \"{value}\" is out of range for type {ty}"),
            ));
        }
        let datetime = ty == "date" || ty.starts_with("timestamp") || ty == "time";
        if datetime && well_formed_date(value) {
            // PostgreSQL reads the fields, then finds one out of range (February 30th).
            return Some(PgError::new(
                "22008",
                format!("date/time field value out of range: \"{value}\""),
            ));
        }
        let code = if datetime {
            sqlstate::INVALID_DATETIME
        } else {
            sqlstate::INVALID_TEXT
        };
        return Some(PgError::new(
            code,
            format!("invalid input syntax for type {ty}: \"{value}\""),
        ));
    }
    if m.contains("Can't cast value") || m.contains("out of range") || m.contains("overflow") {
        // "Can't cast value 300000 to type Int16", "value of 32768 is out of range Int16"
        let target = m.split("to type ").nth(1).or_else(|| m.split("is out of range ").nth(1)).unwrap_or("");
        let ty = pg_type_name(target);
        let message = match ty {
            "numeric" => "numeric field overflow".to_string(),
            "double precision" | "real" => format!("value out of range: overflow for {ty}"),
            _ => format!("{ty} out of range"),
        };
        return Some(PgError::new(sqlstate::OUT_OF_RANGE, message));
    }
    if m.contains("Cast error") || m.contains("Parser error") {
        let ty = pg_type_name(m.rsplit(' ').next().unwrap_or(""));
        return Some(PgError::new(
            sqlstate::INVALID_TEXT,
            format!("invalid input syntax for type {ty}: {m}"),
        ));
    }
    None
}

/// PostgreSQL's name for the Arrow type named at the start of `s` (integer for a name it
/// does not know).
fn pg_type_name(s: &str) -> &'static str {
    pg_name(s).unwrap_or("integer")
}

/// PostgreSQL's name for the Arrow number, date or time type named at the start of `s`.
fn pg_name(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let table: [(&str, &str); 13] = [
        ("Int16", "smallint"),
        ("Int32", "integer"),
        ("Int64", "bigint"),
        ("UInt", "bigint"),
        ("Float32", "real"),
        ("Float64", "double precision"),
        ("Decimal", "numeric"),
        ("Date", "date"),
        ("Timestamp", "timestamp"),
        ("Time", "time"),
        ("Interval", "interval"),
        ("Boolean", "boolean"),
        ("Int8", "smallint"),
    ];
    table.iter().find(|(arrow, _)| s.starts_with(arrow)).map(|(_, pg)| *pg)
}

/// An identifier as DataFusion quotes it in messages (`"Id"`, `"a""b"`), as written.
fn unquote_identifier(quoted: &str) -> String {
    match quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => quoted.to_string(),
    }
}

/// The text between `start` and the next `end` in `s`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_common_datafusion_errors() {
        assert_eq!(classify("Arrow error: Divide by zero error").code, "22012");
        let e = classify("Cast error: Cannot cast string 'abc' to value of Int32 type");
        assert_eq!((e.code, e.message.as_str()), ("22P02", "invalid input syntax for type integer: \"abc\""));
        let e = classify("Cast error: Cannot cast string '99999999999' to value of Int32 type");
        assert_eq!((e.code, e.message.as_str()), ("22003", "value \"99999999999\" is out of range for type integer"));
        let e = classify("Cast error: Can't cast value 300000 to type Int16");
        assert_eq!((e.code, e.message.as_str()), ("22003", "smallint out of range"));
        let e = classify("Cast error: value of 32768 is out of range Int16");
        assert_eq!((e.code, e.message.as_str()), ("22003", "smallint out of range"));
        let e = classify("Arrow error: Compute error: Int64Array overflow on abs(-9223372036854775808)");
        assert_eq!((e.code, e.message.as_str()), ("22003", "bigint out of range"));
        let e = classify("External error: regex parse error:\n    (\n    ^\nerror: unclosed group");
        assert_eq!((e.code, e.message.as_str()), ("2201B", "invalid regular expression: parentheses () not balanced"));
        let e = classify("Error during planning: table 'postgres.$search_path.nope' not found");
        assert_eq!((e.code, e.message.as_str()), ("42P01", "relation \"nope\" does not exist"));
        let e = classify("Error during planning: table 'postgres.s1.nope' not found");
        assert_eq!(e.message, "relation \"s1.nope\" does not exist");
        let e = classify("Schema error: No field named zz. Valid fields are t.a.");
        assert_eq!((e.code, e.message.as_str()), ("42703", "column \"zz\" does not exist"));
        let e = classify("Schema error: No field named v.t.\nValid fields are v.column1.");
        assert_eq!((e.code, e.message.as_str()), ("42703", "column v.t does not exist"));
        let e = classify("Schema error: Ambiguous reference to unqualified field id");
        assert_eq!((e.code, e.message.as_str()), ("42702", "column reference \"id\" is ambiguous"));
        let e = classify("Schema error: Ambiguous reference to unqualified field \"Id\"");
        assert_eq!(e.message, "column reference \"Id\" is ambiguous");
        let e = classify("Error during planning: Function 'make_date' requires Int32, but received Decimal(20, 0) (DataType: Decimal128(20, 0)).. No function matches the given name and argument types 'make_date(Int32, Decimal128(20, 0), Int64)'. You might need to add explicit type casts.");
        assert_eq!((e.code, e.message.as_str()), ("42883", "function make_date(integer, numeric, bigint) does not exist"));
        let e = classify("Error during planning: Failed to coerce arguments to satisfy a call to 'array_append' function: coercion from List(Int32), UInt64 to the signature ArraySignature(array, element) failed");
        assert_eq!(e.message, "function array_append(integer[], bigint) does not exist");
        let e = classify("Error during planning: Internal error: Function 'avg' failed to match any signature, errors: Error during planning: Function 'avg' requires Decimal, but received Date (DataType: Date32).,Error during planning: Function 'avg' requires Duration, but received Date (DataType: Date32).");
        assert_eq!(e.message, "function avg(date) does not exist");
        let e = classify("Execution error: Types don't match and no valid cast exists, received data of type Binary for field of type Int32");
        assert_eq!((e.code, e.message.as_str()), ("42804", "column is of type integer but expression is of type bytea"));
        let e = classify("Execution error: Unable to parse date from 600000000, 1, 2");
        assert_eq!((e.code, e.message.as_str()), ("22008", "date out of range: 600000000-01-02"));
    }
}
