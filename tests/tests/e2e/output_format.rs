//! Values print the way PostgreSQL prints them (issue 2, point 4): `psql -At` output for each
//! type of the issue, compared with PostgreSQL 15's, boundary values included.
//!
//! The timestamptz expectations assume the session TimeZone is UTC (PostgreSQL's default
//! here is `Etc/UTC`).

use shale_tests::{ClientExt, TestServer};

/// Stores `(literal, printed)` values in a column of type `sql_type`, with a NULL after
/// them, and checks what `psql -At` prints when it reads them back.
async fn assert_prints(sql_type: &str, values: &[(&str, &str)]) {
    let (server, client) = TestServer::start_with_client().await;
    let rows: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, (literal, _))| format!("({i}, {literal})"))
        .collect();
    client
        .run(&format!(
            "CREATE TABLE v (id int PRIMARY KEY, v {sql_type})"
        ))
        .await;
    client
        .run(&format!(
            "INSERT INTO v VALUES {}, ({}, NULL)",
            rows.join(", "),
            values.len()
        ))
        .await;
    let out = server.psql("SELECT v FROM v ORDER BY id;\n").await;
    assert_eq!(out.stderr, "", "{sql_type}");
    let expected: String = values
        .iter()
        .map(|(_, printed)| format!("{printed}\n"))
        .collect::<String>()
        + "\n";
    assert_eq!(
        out.stdout, expected,
        "{sql_type}: psql -At output (the last, empty line is the NULL)"
    );
}

#[tokio::test]
async fn smallint() {
    assert_prints(
        "smallint",
        &[
            ("0", "0"),
            ("-1", "-1"),
            ("32767", "32767"),
            ("-32768", "-32768"),
        ],
    )
    .await;
}

#[tokio::test]
async fn integer() {
    assert_prints(
        "integer",
        &[
            ("42", "42"),
            ("2147483647", "2147483647"),
            ("-2147483648", "-2147483648"),
        ],
    )
    .await;
}

#[tokio::test]
async fn bigint() {
    assert_prints(
        "bigint",
        &[
            ("0", "0"),
            ("9223372036854775807", "9223372036854775807"),
            ("-9223372036854775808", "-9223372036854775808"),
        ],
    )
    .await;
}

#[tokio::test]
async fn real() {
    assert_prints(
        "real",
        &[
            ("0", "0"),
            ("1.5", "1.5"),
            ("0.1", "0.1"),
            ("-2.25", "-2.25"),
            ("100", "100"),
            ("123456789", "1.2345679e+08"),
            ("1e15", "1e+15"),
            ("1e-10", "1e-10"),
            ("3.4028235e38", "3.4028235e+38"),
            ("1.1754944e-38", "1.1754944e-38"),
            ("'-0'", "-0"),
            ("'NaN'", "NaN"),
            ("'Infinity'", "Infinity"),
            ("'-Infinity'", "-Infinity"),
        ],
    )
    .await;
}

#[tokio::test]
async fn double_precision() {
    assert_prints(
        "double precision",
        &[
            ("0", "0"),
            ("0.1", "0.1"),
            ("0.3333333333333333", "0.3333333333333333"),
            ("123456789012", "123456789012"),
            ("1e15", "1e+15"),
            ("1e16", "1e+16"),
            ("1e-5", "1e-05"),
            ("0.0001", "0.0001"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("2.2250738585072014e-308", "2.2250738585072014e-308"),
            ("'-0'", "-0"),
            ("'NaN'", "NaN"),
            ("'-Infinity'", "-Infinity"),
        ],
    )
    .await;
}

#[tokio::test]
async fn numeric_with_precision_and_scale() {
    assert_prints(
        "numeric(10,2)",
        &[
            ("0", "0.00"),
            ("1", "1.00"),
            ("12345678.9", "12345678.90"),
            ("-0.5", "-0.50"),
            ("99999999.99", "99999999.99"),
            ("-99999999.99", "-99999999.99"),
            ("1.005", "1.01"),
            ("1.004", "1.00"),
            ("-1.005", "-1.01"),
            ("'0.001'", "0.00"),
        ],
    )
    .await;
}

#[tokio::test]
async fn text() {
    assert_prints(
        "text",
        &[
            ("''", ""),
            ("'hello'", "hello"),
            ("' padded '", " padded "),
            ("'héllo ✓'", "héllo ✓"),
            ("'it''s'", "it's"),
        ],
    )
    .await;
}

#[tokio::test]
async fn varchar() {
    assert_prints(
        "varchar(5)",
        &[
            ("''", ""),
            ("'ab'", "ab"),
            ("'abcde'", "abcde"),
            ("'ab '", "ab "),
        ],
    )
    .await;
}

#[tokio::test]
async fn char_is_blank_padded() {
    assert_prints(
        "char(5)",
        &[
            ("''", "     "),
            ("'ab'", "ab   "),
            ("'abcde'", "abcde"),
            ("'é'", "é    "),
        ],
    )
    .await;
}

#[tokio::test]
async fn boolean() {
    assert_prints(
        "boolean",
        &[
            ("true", "t"),
            ("false", "f"),
            ("'yes'", "t"),
            ("'off'", "f"),
        ],
    )
    .await;
}

#[tokio::test]
async fn date() {
    assert_prints(
        "date",
        &[
            ("'2024-02-29'", "2024-02-29"),
            ("'1970-01-01'", "1970-01-01"),
            ("'0001-01-01'", "0001-01-01"),
            ("'9999-12-31'", "9999-12-31"),
        ],
    )
    .await;
}

#[tokio::test]
async fn time() {
    assert_prints(
        "time",
        &[
            ("'00:00:00'", "00:00:00"),
            ("'12:34:56.5'", "12:34:56.5"),
            ("'01:02:03.000100'", "01:02:03.0001"),
            ("'23:59:59.999999'", "23:59:59.999999"),
        ],
    )
    .await;
}

#[tokio::test]
async fn timestamp() {
    assert_prints(
        "timestamp",
        &[
            ("'2024-02-29 12:34:56.123456'", "2024-02-29 12:34:56.123456"),
            ("'1970-01-01 00:00:00'", "1970-01-01 00:00:00"),
            ("'2000-01-01 00:00:00.5'", "2000-01-01 00:00:00.5"),
            ("'0001-01-01 00:00:00'", "0001-01-01 00:00:00"),
            ("'9999-12-31 23:59:59.999999'", "9999-12-31 23:59:59.999999"),
        ],
    )
    .await;
}

#[tokio::test]
async fn timestamptz_prints_in_the_session_time_zone() {
    assert_prints(
        "timestamptz",
        &[
            ("'2024-02-29 12:34:56+02'", "2024-02-29 10:34:56+00"),
            ("'1970-01-01 00:00:00+00'", "1970-01-01 00:00:00+00"),
            ("'2000-06-30 23:59:59.5-07:30'", "2000-07-01 07:29:59.5+00"),
            ("'2024-01-01 00:00:00'", "2024-01-01 00:00:00+00"),
        ],
    )
    .await;
}

#[tokio::test]
async fn interval() {
    assert_prints(
        "interval",
        &[
            (
                "'1 year 2 mons 3 days 04:05:06.5'",
                "1 year 2 mons 3 days 04:05:06.5",
            ),
            ("'0'", "00:00:00"),
            ("'-1 day'", "-1 days"),
            ("'36 hours'", "36:00:00"),
            ("'1 day -1 hour'", "1 day -01:00:00"),
            ("'1.5 seconds'", "00:00:01.5"),
            ("'-00:00:01'", "-00:00:01"),
            ("'1 month'", "1 mon"),
            ("'100 years'", "100 years"),
            ("'P1Y2M3DT4H5M6S'", "1 year 2 mons 3 days 04:05:06"),
        ],
    )
    .await;
}

#[tokio::test]
async fn bytea_prints_as_hex() {
    assert_prints(
        "bytea",
        &[
            ("'\\x00ff'", "\\x00ff"),
            ("''", "\\x"),
            ("'abc'", "\\x616263"),
            ("'\\xDEADBEEF'", "\\xdeadbeef"),
        ],
    )
    .await;
}

#[tokio::test]
async fn uuid_prints_in_lower_case() {
    assert_prints(
        "uuid",
        &[
            (
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            ),
            (
                "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'",
                "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12",
            ),
            (
                "'00000000-0000-0000-0000-000000000000'",
                "00000000-0000-0000-0000-000000000000",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn json_keeps_the_input_text() {
    assert_prints(
        "json",
        &[
            ("'{\"b\": 1, \"a\": [1,2]}'", "{\"b\": 1, \"a\": [1,2]}"),
            ("'[]'", "[]"),
            ("'null'", "null"),
            ("'\"x\"'", "\"x\""),
            ("'{\"a\":1,\"a\":2}'", "{\"a\":1,\"a\":2}"),
        ],
    )
    .await;
}

#[tokio::test]
async fn jsonb_prints_normalized() {
    assert_prints(
        "jsonb",
        &[
            ("'{\"b\": 1, \"a\": [1,2]}'", "{\"a\": [1, 2], \"b\": 1}"),
            ("'{\"aa\":1,\"b\":2}'", "{\"b\": 2, \"aa\": 1}"),
            (
                "'[1, \"x\", null, true, 1.50]'",
                "[1, \"x\", null, true, 1.50]",
            ),
            ("'{\"a\":1,\"a\":2}'", "{\"a\": 2}"),
            ("'\"x\"'", "\"x\""),
            ("'{}'", "{}"),
        ],
    )
    .await;
}

#[tokio::test]
async fn one_row_of_every_type_side_by_side() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE wide (c_smallint smallint, c_integer integer, c_bigint bigint, c_real real, \
             c_double double precision, c_numeric numeric(10,2), c_text text, c_varchar varchar(10), \
             c_char char(4), c_boolean boolean, c_date date, c_time time, c_timestamp timestamp, \
             c_timestamptz timestamptz, c_interval interval, c_bytea bytea, c_uuid uuid, c_json json, c_jsonb jsonb);
             INSERT INTO wide VALUES (1, 2, 3, 4.5, 6.25, 7.8, 'text', 'varchar', 'ch', true, '2024-05-06', \
             '07:08:09', '2024-05-06 07:08:09', '2024-05-06 07:08:09+00', '1 day 02:00:00', '\\x0a0b', \
             'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1]}', '{\"k\": [1]}');
             INSERT INTO wide DEFAULT VALUES;",
        )
        .await;
    let out = server.psql("SELECT * FROM wide;\n").await;
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        "1|2|3|4.5|6.25|7.80|text|varchar|ch  |t|2024-05-06|07:08:09|2024-05-06 07:08:09|2024-05-06 07:08:09+00|\
         1 day 02:00:00|\\x0a0b|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|{\"k\": [1]}|{\"k\": [1]}\n\
         ||||||||||||||||||\n"
    );
}

#[tokio::test]
async fn casts_to_text_print_as_the_output_does() {
    let (_server, client) = TestServer::start_with_client().await;
    // A value cast to text reads as PostgreSQL prints it: arrays in braces, floats in their
    // shortest form with an exponent from 1e+16 on, intervals in the postgres style,
    // numerics at their scale.
    assert_eq!(
        client
            .lines(
                "SELECT ARRAY[1,2]::text, ARRAY['a', 'b c', NULL]::text, ARRAY[[1.5,2.5],[3.5,4.5]]::text, \
                 ARRAY[true, false]::text, ARRAY[1e20::float8]::text, ARRAY[interval '1 day']::text, \
                 ARRAY['2024-01-01'::date]::text"
            )
            .await,
        [r#"{1,2}|{a,"b c",NULL}|{{1.5,2.5},{3.5,4.5}}|{t,f}|{1e+20}|{"1 day"}|{2024-01-01}"#]
    );
    assert_eq!(
        client
            .lines(
                "SELECT 1e20::float8::text, 'infinity'::float8::text, 'nan'::float8::text, 0.1::real::text, \
                 1.5e-7::float8::text, 'x' || 1e20::float8, interval '1 day 2 hours'::text, \
                 'x' || interval '1 mon 3 days 04:05:06.5', 12.5::numeric(10,3)::text, (1.0/3)::text"
            )
            .await,
        ["1e+20|Infinity|NaN|0.1|1.5e-07|x1e+20|1 day 02:00:00|x1 mon 3 days 04:05:06.5|12.500|0.33333333333333333333"]
    );
    // format prints its arguments with their output functions.
    assert_eq!(
        client.lines("SELECT format('%s|%s|%L|%s|%s', true, 1e20::float8, ARRAY[1], 2.50::numeric(5,2), NULL::int)").await,
        ["t|1e+20|'{1}'|2.50|"]
    );
    // So do concat and concat_ws (a cast to text is not the output function: `true::text`
    // is `true`).
    assert_eq!(
        client
            .lines("SELECT concat(true, 1.5, ARRAY[1,2], NULL, 1e20::float8), concat_ws(',', false, 2.5::real), true::text")
            .await,
        ["t1.5{1,2}1e+20|f,2.5|true"]
    );
    // A text literal concatenated with a bytea is a bytea.
    assert_eq!(
        client.lines(r"SELECT 'x' || 'abc'::bytea, 'abc'::bytea || '\x01', 'abc'::bytea || 'abc'::bytea").await,
        [r"\x78616263|\x61626301|\x616263616263"]
    );
    // An array type has any number of dimensions: a cast keeps them and converts the elements.
    assert_eq!(
        client
            .lines(
                "SELECT ARRAY[ARRAY['a']]::text[], ARRAY[ARRAY[1,2],ARRAY[3,4]]::text[],                  ARRAY[ARRAY[1.5,2.5]]::int[], ARRAY[ARRAY['1']]::int[] = ARRAY[ARRAY[1]]"
            )
            .await,
        ["{{a}}|{{1,2},{3,4}}|{{2,3}}|t"]
    );
    // Through a column, a function and a comparison.
    client.run("CREATE TABLE t (id int PRIMARY KEY, a int[], f float8)").await;
    client.run("INSERT INTO t VALUES (1, '{3,4}', 2.5e30), (2, NULL, NULL)").await;
    assert_eq!(
        client
            .lines(
                "SELECT a::text, format('%s', a), a::varchar, a::text = '{3,4}', f::text, upper(f::text) \
                 FROM t ORDER BY id"
            )
            .await,
        ["{3,4}|{3,4}|{3,4}|t|2.5e+30|2.5E+30", "NULL||NULL|NULL|NULL|NULL"]
    );
}
