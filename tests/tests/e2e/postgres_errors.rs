//! Errors are PostgreSQL's, not DataFusion's internals (issue 11, point 7): statements that
//! reached clients as XX000 answer as PostgreSQL 15 does, with its result or its SQLSTATE
//! and message.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn limit_and_offset_round_and_refuse_negatives() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE g (x int PRIMARY KEY); INSERT INTO g VALUES (1), (2), (3), (4), (5)").await;
    assert_eq!(client.lines("SELECT x FROM g ORDER BY x LIMIT 1.5").await, ["1", "2"]);
    assert_eq!(client.lines("SELECT x FROM g ORDER BY x LIMIT 2.5").await, ["1", "2", "3"]);
    assert_eq!(client.lines("SELECT x FROM g ORDER BY x LIMIT 1.4").await, ["1"]);
    assert_eq!(client.lines("SELECT x FROM g ORDER BY x OFFSET 1.5").await, ["3", "4", "5"]);
    client.expect_error("SELECT x FROM g LIMIT -1", "2201W", "LIMIT must not be negative").await;
    client.expect_error("SELECT x FROM g OFFSET -1", "2201X", "OFFSET must not be negative").await;
}

#[tokio::test]
async fn bad_regular_expressions_are_2201b() {
    let (_server, client) = TestServer::start_with_client().await;
    let parentheses = "invalid regular expression: parentheses () not balanced";
    client.expect_error("SELECT 'a' ~ '('", "2201B", parentheses).await;
    client.expect_error("SELECT regexp_replace('a', '(', 'x')", "2201B", parentheses).await;
    client.expect_error("SELECT 'a' ~ '['", "2201B", "invalid regular expression: brackets [] not balanced").await;
}

#[tokio::test]
async fn invalid_window_frames_are_42p20() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE w (x int PRIMARY KEY); INSERT INTO w VALUES (1), (2), (3)").await;
    for (frame, message) in [
        ("ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW", "frame starting from following row cannot have preceding rows"),
        ("ROWS BETWEEN 2 FOLLOWING AND 1 PRECEDING", "frame starting from following row cannot have preceding rows"),
        ("ROWS BETWEEN CURRENT ROW AND 1 PRECEDING", "frame starting from current row cannot have preceding rows"),
        ("ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW", "frame start cannot be UNBOUNDED FOLLOWING"),
        ("ROWS BETWEEN CURRENT ROW AND UNBOUNDED PRECEDING", "frame end cannot be UNBOUNDED PRECEDING"),
    ] {
        client.expect_error(&format!("SELECT sum(x) OVER (ORDER BY x {frame}) FROM w"), "42P20", message).await;
    }
    // A frame that is empty for some rows is fine.
    assert_eq!(
        client.lines("SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING) FROM w ORDER BY x").await,
        ["1|NULL", "2|1", "3|3"]
    );
}

#[tokio::test]
async fn correlated_scalar_subqueries_run_without_an_aggregate() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE t (a int PRIMARY KEY); CREATE TABLE u (id int PRIMARY KEY, a int, b text);
             INSERT INTO t VALUES (1), (2), (3); INSERT INTO u VALUES (1, 1, 'one'), (2, 2, 'two');",
        )
        .await;
    assert_eq!(
        client.lines("SELECT a, (SELECT b FROM u WHERE u.a = t.a) FROM t ORDER BY a").await,
        ["1|one", "2|two", "3|NULL"]
    );
    assert_eq!(client.lines("SELECT a FROM t WHERE (SELECT b FROM u WHERE u.a = t.a) = 'two'").await, ["2"]);
    client.run("INSERT INTO u VALUES (3, 2, 'deux')").await;
    // Only a subquery that is evaluated and returns two rows fails.
    assert_eq!(client.lines("SELECT a, (SELECT b FROM u WHERE u.a = t.a) FROM t WHERE a = 1").await, ["1|one"]);
    client.expect_error(
        "SELECT a, (SELECT b FROM u WHERE u.a = t.a) FROM t ORDER BY a",
        "21000",
        "more than one row returned by a subquery used as an expression",
    )
    .await;
}

#[tokio::test]
async fn date_bin_at_infinity_and_the_edges_of_the_range() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines(
                "SELECT date_bin('15 minutes', timestamp 'infinity', timestamp '2001-01-01'), \
                 date_bin('15 minutes', timestamp '-infinity', timestamp '2001-01-01'), \
                 date_bin('15 minutes', timestamptz 'infinity', timestamptz '2001-01-01'), \
                 date_bin('15 minutes', timestamp '2020-02-11 15:44:17', timestamp '2001-01-01')",
            )
            .await,
        ["infinity|-infinity|infinity|2020-02-11 15:30:00"]
    );
    client.expect_error(
        "SELECT date_bin('15 minutes', timestamp '2020-01-01', timestamp 'infinity')",
        "22008",
        "origin out of range",
    )
    .await;
    client.expect_error(
        "SELECT date_bin('1 minute', timestamp '2020-01-01', timestamp '-infinity')",
        "22008",
        "origin out of range",
    )
    .await;
    assert_eq!(
        client
            .lines(
                "SELECT date_bin('1 day', timestamp '9999-12-31 23:59:59', timestamp '4713-01-01 BC'), \
                 date_bin('1 hour', timestamp '4713-01-01 01:30:00 BC', timestamp '2001-01-01')",
            )
            .await,
        ["9999-12-31 00:00:00|4713-01-01 01:00:00 BC"]
    );
    client.expect_error(
        "SELECT date_bin('0 minutes', timestamp '2020-01-01', timestamp '2001-01-01')",
        "22008",
        "stride must be greater than zero",
    )
    .await;
    client.expect_error(
        "SELECT date_bin('1 month', timestamp '2020-01-01', timestamp '2001-01-01')",
        "0A000",
        "timestamps cannot be binned into intervals containing months or years",
    )
    .await;
}

#[tokio::test]
async fn recursive_ctes_take_their_first_terms_types() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE rc (id int PRIMARY KEY, name varchar(10), parent int);
             INSERT INTO rc VALUES (1, 'a', NULL), (2, 'b', 1), (3, 'c', 2);",
        )
        .await;
    assert_eq!(
        client
            .lines(
                "WITH RECURSIVE r AS (SELECT 1 AS n, 'x'::text AS t \
                 UNION ALL SELECT n + 1, name FROM r, rc WHERE n < 3 AND rc.id = n) SELECT * FROM r ORDER BY n",
            )
            .await,
        ["1|x", "2|a", "3|b"]
    );
    assert_eq!(
        client.lines("WITH RECURSIVE r(n) AS (SELECT 1::numeric UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r").await,
        ["1", "2", "3"]
    );
}

#[tokio::test]
async fn to_char_formats_as_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines(
                "SELECT to_char(3000000000, '999D99'), to_char(-3000000000::int8, '999D99'), to_char(12.5, '999D99'), \
                 to_char(1234567, 'FM9,999,999.99'), to_char(-12, 'S999'), to_char(0.5, '990D99')",
            )
            .await,
        [" ###.##|-###.##|  12.50|1,234,567.| -12|   0.50"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT to_char(timestamp '2020-03-05 14:07:09.123456', 'YYYY-MM-DD HH24:MI:SS.US Month DY FMDDth'), \
                 to_char(timestamp '9999-12-31 23:59:59', 'YYYY-MM-DD HH24:MI:SS'), \
                 to_char(timestamp '4713-01-01 00:00:00 BC', 'YYYY-MM-DD BC'), \
                 to_char(timestamp 'infinity', 'YYYY') IS NULL, to_char(timestamptz '-infinity', 'YYYY') IS NULL",
            )
            .await,
        ["2020-03-05 14:07:09.123456 March     THU 5th|9999-12-31 23:59:59|4713-01-01 BC|t|t"]
    );
}

/// Found by `fuzz_protocol`: a parameter in a simple query, which has none.
#[tokio::test]
async fn a_parameter_in_a_simple_query_is_42p02() {
    let (_server, client) = TestServer::start_with_client().await;
    client.expect_error("SELECT $1::int4[]", "42P02", "there is no parameter $1").await;
    client.expect_error("SELECT 1 + $2", "42P02", "there is no parameter $2").await;
}

/// Found by `fuzz_sql`: DISTINCT over floats with NaN under ORDER BY ... LIMIT panicked in
/// DataFusion's top-k aggregation, and a large LIMIT made it reserve gigabytes.
#[tokio::test]
async fn distinct_floats_under_a_limit() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE f (id int PRIMARY KEY, x float8); INSERT INTO f VALUES (1, 'NaN'), (2, 1.5), (3, 'NaN'), (4, 0), (5, 1.5), (6, '-Infinity')").await;
    assert_eq!(client.lines("SELECT DISTINCT x FROM f ORDER BY 1 LIMIT 1.5").await, ["-Infinity", "0"]);
    assert_eq!(client.lines("SELECT DISTINCT x FROM f ORDER BY 1 DESC LIMIT 2").await, ["NaN", "1.5"]);
    assert_eq!(client.lines("SELECT DISTINCT x FROM f ORDER BY 1 LIMIT 9223372036854775807").await.len(), 4);
}

/// A name two tables of the FROM list have, unqualified, is 42702 wherever it is used.
#[tokio::test]
async fn ambiguous_column_references_are_42702() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE ab_a (id int PRIMARY KEY, x int); CREATE TABLE ab_b (id int PRIMARY KEY, aid int, \"Id\" int)").await;
    let ambiguous = "column reference \"id\" is ambiguous";
    for sql in [
        "SELECT id FROM ab_a JOIN ab_b ON ab_a.id = ab_b.aid",
        "SELECT ab_a.x FROM ab_a JOIN ab_b ON id = ab_b.aid",
        "SELECT * FROM ab_a, ab_b WHERE id = 1",
        "SELECT ab_a.x FROM ab_a JOIN ab_b ON ab_a.id = ab_b.aid ORDER BY id",
        "UPDATE ab_a SET x = 1 FROM ab_b WHERE id = 1",
    ] {
        client.expect_error(sql, "42702", ambiguous).await;
    }
    client
        .expect_error("SELECT \"Id\" FROM ab_b, (SELECT 1 AS \"Id\") q", "42702", "column reference \"Id\" is ambiguous")
        .await;
    assert_eq!(client.lines("SELECT ab_a.id FROM ab_a JOIN ab_b ON ab_a.id = ab_b.aid").await, Vec::<String>::new());
}

#[tokio::test]
async fn ungrouped_columns_and_negative_square_roots() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE ug (i int PRIMARY KEY, j int)").await;
    let ungrouped = "column \"ug.i\" must appear in the GROUP BY clause or be used in an aggregate function";
    client.expect_error("SELECT i, count(*) FROM ug", "42803", ungrouped).await;
    client.expect_error("SELECT * FROM ug HAVING count(*) > 0", "42803", ungrouped).await;
    let negative = "cannot take square root of a negative number";
    client.expect_error("SELECT sqrt('-Infinity'::float8)", "2201F", negative).await;
    client.expect_error("SELECT sqrt(-1::float8)", "2201F", negative).await;
}

#[tokio::test]
async fn subqueries_in_insert_values() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id int PRIMARY KEY, email text); CREATE TABLE posts (id int PRIMARY KEY, author int, title text)").await;
    client.run("INSERT INTO users VALUES (1, 'a@example.com'), (2, 'b@example.com')").await;
    client
        .run(
            "INSERT INTO posts VALUES (1, (SELECT id FROM users WHERE email = 'b@example.com'), 'first'); \
             INSERT INTO posts (id, author, title) VALUES (2, (SELECT max(id) FROM users), 'second'), \
             (3, (SELECT id FROM users WHERE email = 'nobody'), (SELECT 'third'))",
        )
        .await;
    assert_eq!(client.lines("SELECT id, author, title FROM posts ORDER BY id").await, ["1|2|first", "2|2|second", "3|NULL|third"]);
    client
        .expect_error("INSERT INTO posts VALUES (4, (SELECT id FROM users), 'many')", "21000", "more than one row returned by a subquery used as an expression")
        .await;
    client.expect_sqlstate("SELECT (SELECT id FROM users)", "21000").await;
    client
        .expect_error("INSERT INTO posts VALUES (5, (SELECT id, email FROM users), 'x')", "42601", "subquery must return only one column")
        .await;
}

#[tokio::test]
async fn the_sql_fuzzers_findings_answer_as_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    client.expect_error("SELECT avg(d) FROM (VALUES ('2020-01-01'::date)) t(d)", "42883", "function avg(date) does not exist").await;
    client.expect_sqlstate("SELECT make_date(2020.0, 1, 1)", "42883").await;
    client.expect_error("SELECT make_date(600000000, 1, 2)", "22008", "date out of range: 600000000-01-02").await;
    client.expect_error("SELECT '2024-02-29'::date + 2147483647", "22008", "date out of range").await;
    client.expect_error("SELECT - '2020-01-01'::date", "42883", "operator does not exist: - date").await;
    client.expect_error("SELECT CAST((-2147483648)::int AS numeric(10,2))", "22003", "numeric field overflow").await;
    client.expect_sqlstate("SELECT sum(x) OVER (ORDER BY x ROWS BETWEEN -1 PRECEDING AND 2 FOLLOWING) FROM (VALUES (1), (2)) v(x)", "22013").await;
    assert_eq!(client.lines("SELECT 'NaN'::numeric, (SELECT 32767::smallint ORDER BY 1), 32767::smallint").await, ["NaN|32767|32767"]);
    client.expect_error("SELECT substr('%', 48, (-2147483647-1)::integer)", "22011", "negative substring length not allowed").await;
    client.expect_error("SELECT split_part('a,b', ',', 0)", "22023", "field position must not be zero").await;
    client.expect_error("SELECT sum(sum(1.5::numeric(10,2)) OVER ()) OVER ()", "42P20", "window function calls cannot be nested").await;
    // bytea cast to text is its output form, not its bytes (which need not be UTF-8).
    assert_eq!(
        client.lines("SELECT 'abc'::bytea::text, CAST('\\xdeadbeef'::bytea AS varchar), CAST(NULL::bytea AS text) IS NULL").await,
        ["\\x616263|\\xdeadbeef|t"]
    );
    // The cast coercion adds for LIKE keeps the bytes.
    assert_eq!(client.lines("SELECT 'abc'::bytea LIKE 'a%'").await, ["t"]);
    // A checked float function of a subquery's one value, on every row.
    assert_eq!(client.lines("SELECT ln((SELECT 4::float8)) > 1.38 FROM generate_series(1, 3)").await, ["t", "t", "t"]);
    // A difference of dates is an integer where a function takes it (XX000 before).
    assert_eq!(
        client.lines("SELECT left('abcdef', '2024-03-02'::date - '2024-02-29'::date), left(CASE WHEN false THEN ''::text END, '4713-01-01 BC'::date - '2024-02-29'::date) IS NULL").await,
        ["ab|t"]
    );
}

#[tokio::test]
async fn casts_postgresql_does_not_have_are_42846() {
    let (_server, client) = TestServer::start_with_client().await;
    for (sql, message) in [
        ("SELECT CAST((-32768)::smallint AS timestamptz)", "cannot cast type smallint to timestamp with time zone"),
        ("SELECT CAST(now() AS real)", "cannot cast type timestamp with time zone to real"),
        ("SELECT true::int8", "cannot cast type boolean to bigint"),
        ("SELECT 1.5::numeric::bool", "cannot cast type numeric to boolean"),
        ("SELECT '1 day'::interval::float8", "cannot cast type interval to double precision"),
        ("SELECT '2020-01-01'::date::int", "cannot cast type date to integer"),
        ("SELECT '\\x01'::bytea::int", "cannot cast type bytea to integer"),
        ("SELECT 7::int::date", "cannot cast type integer to date"),
        ("SELECT 7::int::timestamp", "cannot cast type integer to timestamp without time zone"),
        ("SELECT '2020-01-01'::date::time", "cannot cast type date to time without time zone"),
        // The innermost first.
        ("SELECT CAST(CAST(1::smallint AS timestamptz) AS real)", "cannot cast type smallint to timestamp with time zone"),
    ] {
        client.expect_error(sql, "42846", message).await;
    }
    // The casts it has.
    assert_eq!(
        client.lines("SELECT true::int, 1::bool, 2.5::float8::int, '2020-01-02'::date::timestamptz, '2020-01-02 10:30'::timestamp::date, '2020-01-02 10:30'::timestamp::time, '10:30'::time::interval, ARRAY[1,2]::float8[], 'abc'::bytea::text").await,
        ["1|t|2|2020-01-02 00:00:00+00|2020-01-02|10:30:00|10:30:00|{1,2}|\\x616263"]
    );
}

#[tokio::test]
async fn and_or_and_not_take_booleans() {
    let (_server, client) = TestServer::start_with_client().await;
    for (sql, message) in [
        ("SELECT 1 AND true", "argument of AND must be type boolean, not type integer"),
        ("SELECT true OR 'abc'::text", "argument of OR must be type boolean, not type text"),
        ("SELECT NULL AND 1", "argument of AND must be type boolean, not type integer"),
        ("SELECT NOT now()::date", "argument of NOT must be type boolean, not type date"),
    ] {
        client.expect_error(sql, "42804", message).await;
    }
    // Quoted literals are read as booleans; NULL is any type.
    assert_eq!(client.lines("SELECT 'yes' AND true, 'off' OR false, NULL OR NULL, NULL AND false").await, ["t|f|NULL|f"]);
    // Casts inside output expressions do not name them apart.
    assert_eq!(client.lines("SELECT -1::smallint, -1::integer, -(2::bigint)").await, ["-1|-1|-2"]);
    // Long chains plan without walking the chain at every step.
    let chain = (0..3000).map(|i| format!("x <> {i}")).collect::<Vec<_>>().join(" AND ");
    assert_eq!(client.lines(&format!("SELECT count(*) FROM (VALUES (1), (5000)) v(x) WHERE {chain}")).await, ["1"]);
}

#[tokio::test]
async fn counts_of_arrays_are_integers() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE counted (id int PRIMARY KEY, i4 int)").await;
    // Meeting an integer in a CASE, a COALESCE, a function taking integer, an INSERT.
    client.run("INSERT INTO counted VALUES (1, CASE WHEN false THEN 2147483647 ELSE array_length('{1,NULL,3}'::integer[], 1) END)").await;
    assert_eq!(client.lines("SELECT i4 FROM counted").await, ["3"]);
    assert_eq!(
        client.lines("SELECT make_date(2020, array_length(ARRAY[1,2], 1), 1), COALESCE(cardinality(ARRAY[1]), 7), array_position(ARRAY[5,6], 6) + 1, array_positions(ARRAY[1,2,1], 1), array_ndims(ARRAY[1])").await,
        ["2020-02-01|1|3|{1,3}|1"]
    );
    assert_eq!(column_types(&client, "SELECT array_length(ARRAY[1], 1), cardinality(ARRAY[1]), array_positions(ARRAY[1], 1)").await, ["int4", "int4", "_int4"]);
}

#[tokio::test]
async fn round_of_a_numeric_is_a_numeric() {
    let (_server, client) = TestServer::start_with_client().await;
    // Its type does not depend on whether the places are a literal yet.
    assert_eq!(client.lines("SELECT COALESCE(99999999.99::numeric, round(1.5::numeric, 2))").await, ["99999999.99"]);
    client.run("CREATE TABLE rounded (id int PRIMARY KEY, n numeric)").await;
    client.run("INSERT INTO rounded VALUES (1, round(1.555::numeric, 2)), (2, round(NULL::numeric, 2))").await;
    assert_eq!(client.lines("SELECT n FROM rounded ORDER BY id").await, ["1.56", "NULL"]);
    assert_eq!(
        client.lines("SELECT round(1.555::numeric(10,3), 2), round(-2.5::numeric), round(1234.5::numeric, -2), round(CASE WHEN true THEN 2.5 END, 0)").await,
        ["1.56|-3|1200|3"]
    );
    // A float rounds half to even, as the C library's rint.
    assert_eq!(client.lines("SELECT round(2.5::float8), round(3.5::float8), round(-2.5::float8), round(2.4::float8)").await, ["2|4|-2|2"]);
}

#[tokio::test]
async fn values_lists_mix_typed_values_and_nulls() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(client.lines("VALUES ('\\x00ff'::bytea), (NULL)").await, ["\\x00ff", "NULL"]);
    assert_eq!(client.lines("VALUES (NULL), (1::int4)").await, ["NULL", "1"]);
    assert_eq!(client.lines("VALUES ('a'::varchar(3)), ('bcde'::varchar(5)), (NULL)").await, ["a", "bcde", "NULL"]);
    assert_eq!(column_types(&client, "VALUES ('a'::varchar(3)), (NULL)").await, ["varchar"]);
}

#[tokio::test]
async fn bytea_has_postgresqls_string_functions() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines("SELECT octet_length('\\x00ff'::bytea), length('\\x00ff'::bytea), substr('\\x00ff01'::bytea, 2), substr('\\x00ff01'::bytea, 2, 1), substring('\\x00ff01'::bytea from 0 for 2), position('\\x01'::bytea in '\\x0001'::bytea)").await,
        ["2|2|\\xff01|\\xff|\\x00|2"]
    );
    assert_eq!(client.lines("SELECT substr(b, 2), length(b) FROM (VALUES ('\\x00ff01'::bytea), (NULL)) t(b)").await, ["\\xff01|3", "NULL|NULL"]);
    client.expect_error("SELECT substr('\\x00ff01'::bytea, 1, -1)", "22011", "negative substring length not allowed").await;
    // Text keeps counting characters.
    assert_eq!(client.lines("SELECT length('héllo'), substring('héllo' from 2 for 2), position('l' in 'hello'), octet_length('héllo')").await, ["5|él|3|6"]);
}

#[tokio::test]
async fn dates_and_timestamps_cast_to_text_as_postgres_writes_them() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines("SELECT 'infinity'::date::text, '-infinity'::timestamp::text, 'infinity'::timestamptz::text, CAST('infinity'::timestamptz AS character)").await,
        ["infinity|-infinity|infinity|i"]
    );
    assert_eq!(
        client.lines("SELECT '2020-01-01 10:00'::timestamp::text, '0044-03-15 BC'::date::text, '2020-01-01 10:00:00.5+00'::timestamptz::text").await,
        ["2020-01-01 10:00:00|0044-03-15 BC|2020-01-01 10:00:00.5+00"]
    );
    client.run("CREATE TABLE events (id int PRIMARY KEY, at timestamp)").await;
    client.run("INSERT INTO events VALUES (1, '2024-06-01 08:30'), (2, 'infinity')").await;
    assert_eq!(client.lines("SELECT 'at ' || at::text FROM events ORDER BY id").await, ["at 2024-06-01 08:30:00", "at infinity"]);
}

#[tokio::test]
async fn intervals_times_and_divided_by_numbers() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines("SELECT interval '1 mon 1 day' * 2.5, 2 * interval '1 mon 1 day', interval '1 mon 1 day' / 2.5::float8, interval '1 mon -1 day' * 2.5::float8, interval '1 day' * 1.5::real")
            .await,
        ["2 mons 17 days 12:00:00|2 mons 2 days|12 days 09:36:00|2 mons 13 days -12:00:00|1 day 12:00:00"]
    );
    client.run("CREATE TABLE plans (id int PRIMARY KEY, every interval, times int)").await;
    client.run("INSERT INTO plans VALUES (1, '1 hour', 3), (2, '1 mon', 2)").await;
    assert_eq!(client.lines("SELECT every * times, every / times FROM plans ORDER BY id").await, ["03:00:00|00:20:00", "2 mons|15 days"]);
    client.expect_error("SELECT interval '1 day' / 0", "22012", "division by zero").await;
    client.expect_error("SELECT interval '100000000 years' * 1e10::float8", "22008", "interval out of range").await;
}

#[tokio::test]
async fn intervals_cast_to_time_keep_their_time_of_day() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines("SELECT '25:30:10'::interval::time, interval '1 day 02:03:04.5'::time, '-1 hour'::interval::time, '-25:30:10.123456'::interval::time, CAST(interval '1 mon 24:00' AS time)")
            .await,
        ["01:30:10|02:03:04.5|23:00:00|22:29:49.876544|00:00:00"]
    );
    client.run("CREATE TABLE spans (id int PRIMARY KEY, span interval)").await;
    client.run("INSERT INTO spans VALUES (1, '36 hours'), (2, '-0.5 sec'), (3, NULL)").await;
    assert_eq!(client.lines("SELECT span::time FROM spans ORDER BY id").await, ["12:00:00", "23:59:59.5", "NULL"]);
}

/// The PostgreSQL type names of the columns of `sql`, as the server describes them.
async fn column_types(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    let statement = client.prepare(sql).await.expect("prepare");
    statement.columns().iter().map(|c| c.type_().name().to_string()).collect()
}
