//! `numeric` beyond a 128-bit decimal (issue 3, point 4): unconstrained values with more
//! digits, printed as PostgreSQL prints values written without trailing fractional zeros;
//! `numeric(p, s)` with p above 38 at its scale; negative scales; NaN and the infinities;
//! quotients and averages with PostgreSQL's digits (issue 11).

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn unconstrained_numeric_keeps_wide_values() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE wide (id int PRIMARY KEY, n numeric)").await;
    client
        .run(
            "INSERT INTO wide VALUES (1, 123456789012345678901234567890123456789012345.12345678901234567891),\
             (2, -0.00000000000000000001), (3, 1e20), (4, '-2.5'), (5, 0), (6, NULL), (7, 7)",
        )
        .await;
    assert_eq!(
        client.lines("SELECT id, n FROM wide ORDER BY id").await,
        [
            "1|123456789012345678901234567890123456789012345.12345678901234567891",
            "2|-0.00000000000000000001",
            "3|100000000000000000000",
            "4|-2.5",
            "5|0",
            "6|NULL",
            "7|7",
        ]
    );
    assert_eq!(
        client.lines("SELECT sum(n), max(n), min(n) FROM wide WHERE id IN (3, 4, 7)").await,
        ["100000000000000000004.5|100000000000000000000|-2.5"]
    );
    assert_eq!(client.lines("SELECT id FROM wide WHERE n > 1e19 ORDER BY id").await, ["1", "3"]);
    assert_eq!(client.lines("SELECT '12345678901234567890123456789012345'::numeric + 1").await, ["12345678901234567890123456789012346"]);
    // A literal cast to numeric keeps its own digits.
    assert_eq!(
        client.lines("SELECT '1.50'::numeric, '-0.050'::numeric, ' 2.0 '::numeric, '1e3'::numeric, '1.50'::numeric * 2").await,
        ["1.50|-0.050|2.0|1000|3.00"]
    );
}

#[tokio::test]
async fn numeric_with_a_precision_above_38_keeps_its_scale() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE big (id int PRIMARY KEY, n numeric(60,5))").await;
    client
        .run("INSERT INTO big VALUES (1, 1234567890123456789012345678901234567890.5), (2, -1.25), (3, 0.000004)")
        .await;
    assert_eq!(
        client.lines("SELECT n FROM big ORDER BY id").await,
        ["1234567890123456789012345678901234567890.50000", "-1.25000", "0.00000"]
    );
    client.expect_sqlstate("INSERT INTO big VALUES (4, 1e60)", "22003").await;
}

#[tokio::test]
async fn nan_and_infinities_are_stored_compared_and_computed_as_in_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE special (id int PRIMARY KEY, n numeric, c numeric(6,2), r numeric(3,-1))").await;
    client
        .run(
            "INSERT INTO special VALUES (1, 'NaN', 'NaN', 'nan'), (2, 'inf', 1.5, 12), (3, '-Infinity', -2, NULL),\
             (4, 2.5, NULL, 5), (5, NULL, 0, 'NaN')",
        )
        .await;
    assert_eq!(
        client.lines("SELECT id, n, c, r FROM special ORDER BY n, id").await,
        ["3|-Infinity|-2.00|NULL", "4|2.5|NULL|10", "2|Infinity|1.50|10", "1|NaN|NaN|NaN", "5|NULL|0.00|NaN"]
    );
    assert_eq!(client.lines("SELECT id FROM special WHERE n = 'NaN' OR n > 1e50 ORDER BY id").await, ["1", "2"]);
    assert_eq!(client.lines("SELECT min(n), max(n), count(DISTINCT n) FROM special").await, ["-Infinity|NaN|4"]);
    assert_eq!(
        client.lines("SELECT n + 1, -n, n * c, n - 1, n::float8, n::text FROM special ORDER BY id").await,
        [
            "NaN|NaN|NaN|NaN|NaN|NaN",
            "Infinity|-Infinity|Infinity|Infinity|Infinity|Infinity",
            "-Infinity|Infinity|Infinity|-Infinity|-Infinity|-Infinity",
            "3.5|-2.5|NULL|1.5|2.5|2.5",
            "NULL|NULL|NULL|NULL|NULL|NULL",
        ]
    );
    assert_eq!(
        client.lines("SELECT 'inf'::numeric - 'inf', 'inf'::numeric * 0, 1 / 'inf'::numeric, 'inf'::numeric % 2, 5 % 'inf'::numeric, 'NaN'::numeric / 0, float8 '-inf'::numeric").await,
        ["NaN|NaN|0|NaN|5|NaN|-Infinity"]
    );
    client.expect_sqlstate("SELECT 'inf'::numeric / 0", "22012").await;
    client.expect_sqlstate("SELECT 'NaN'::numeric::int", "0A000").await;
    client.expect_sqlstate("SELECT 'Infinity'::numeric(5,2)", "22003").await;
    client.expect_sqlstate("INSERT INTO special (id, c) VALUES (6, 'inf')", "22003").await;
    client.expect_sqlstate("SELECT 'infinit'::numeric", "22P02").await;
}

#[tokio::test]
async fn division_gives_postgresqls_quotients() {
    let (_server, client) = TestServer::start_with_client().await;
    // Quotients are cast to numeric(38,20), which shows their digits alike on both servers:
    // Shale shows a quotient without trailing zeros (2.5 where PostgreSQL shows
    // 2.5000000000000000) and keeps 20 fractional digits (PostgreSQL: 0.000000333333333333333333).
    assert_eq!(
        client
            .lines(
                "SELECT (1.0/3)::numeric(38,20), (100/3.0)::numeric(38,20), (10.0/4)::numeric(38,20), \
                 (2/3::numeric(10,2))::numeric(38,20), (0.000001/3)::numeric(38,20), 1e20/3.00, 10.0/4 = 2.5",
            )
            .await,
        ["0.33333333333333333333|33.33333333333333330000|2.50000000000000000000|0.66666666666666666667|0.00000033333333333333|33333333333333333333.33|t"]
    );
    // What uses a quotient takes it as the numeric it is.
    assert_eq!(
        client.lines("SELECT coalesce(1.0/3, 0) > 0.3333333333333333333, greatest(2/3.0, 0.5), x::numeric(38,20) FROM (VALUES (1.0/3), (2)) v(x)").await,
        ["t|0.66666666666666666667|0.33333333333333333333", "t|0.66666666666666666667|2.00000000000000000000"]
    );
    client.run("CREATE TABLE q (id int PRIMARY KEY, a numeric, b numeric(10,2), i int)").await;
    client
        .run("INSERT INTO q VALUES (1, 1, 3.00, 7), (2, 10.5, 4.00, 3), (3, -2.5, 1.50, -6), (4, 0, 0.07, 1), (5, 123456789.123, 0.01, NULL)")
        .await;
    assert_eq!(
        client
            .lines("SELECT (a / b)::numeric(38,20), (i / b)::numeric(38,20), (a / i)::numeric(38,20), (b / i)::numeric(38,20) FROM q ORDER BY id")
            .await,
        [
            "0.33333333333333333333|2.33333333333333330000|0.14285714285714285714|0.42857142857142857143",
            "2.62500000000000000000|0.75000000000000000000|3.50000000000000000000|1.33333333333333330000",
            "-1.66666666666666670000|-4.00000000000000000000|0.41666666666666666667|-0.25000000000000000000",
            "0.00000000000000000000|14.28571428571428570000|0.00000000000000000000|0.07000000000000000000",
            "12345678912.30000000000000000000|NULL|NULL|NULL",
        ]
    );
    client.expect_sqlstate("SELECT a / (b - b) FROM q", "22012").await;
    assert_eq!(client.lines("SELECT NULL::numeric / 0, 1 / NULL::numeric").await, ["NULL|NULL"]);
}

#[tokio::test]
async fn numeric_averages_divide_as_postgresql_divides() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(client.lines("SELECT avg(x) FROM (VALUES (1.0), (2.0), (2.0)) v(x)").await, ["1.6666666666666667"]);
    // An integer's average is a numeric too.
    assert_eq!(
        client.lines("SELECT avg(x)::numeric(38,20), avg(x) > 0.3333333333333333333 FROM (VALUES (1), (0), (0)) v(x)").await,
        ["0.33333333333333333333|t"]
    );
    client.run("CREATE TABLE q (id int PRIMARY KEY, a numeric, b numeric(10,2))").await;
    client
        .run("INSERT INTO q VALUES (1, 1, 3.00), (2, 10.5, 4.00), (3, -2.5, 1.50), (4, 0, 0.07), (5, 123456789.123, 0.01)")
        .await;
    assert_eq!(
        client.lines("SELECT avg(b)::numeric(38,20), avg(a)::numeric(38,20), avg(DISTINCT b)::numeric(38,20) FROM q").await,
        ["1.71600000000000000000|24691359.62460000000000000000|1.71600000000000000000"]
    );
    assert_eq!(
        client.lines("SELECT id % 2, avg(b)::numeric(38,20) FROM q GROUP BY id % 2 ORDER BY 1").await,
        ["0|2.03500000000000000000", "1|1.50333333333333330000"]
    );
    assert_eq!(
        client
            .lines("SELECT (avg(b) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW))::numeric(38,20) FROM q ORDER BY id")
            .await,
        ["3.00000000000000000000", "3.50000000000000000000", "2.75000000000000000000", "0.78500000000000000000", "0.04000000000000000000"]
    );
    assert_eq!(client.lines("SELECT avg(b) FROM q WHERE false").await, ["NULL"]);
}

#[tokio::test]
async fn computing_with_numeric_nan_is_not_supported_in_aggregates_and_functions() {
    let Some(server) = TestServer::start_shale("PostgreSQL sums and takes abs() of NaN").await else { return };
    let client = server.client().await;
    client.run("CREATE TABLE special (id int PRIMARY KEY, n numeric); INSERT INTO special VALUES (1, 'NaN'), (2, 1)").await;
    client.expect_sqlstate("SELECT sum(n) FROM special", "0A000").await;
    client.expect_sqlstate("SELECT abs(n) FROM special", "0A000").await;
    assert_eq!(client.lines("SELECT sum(n) FROM special WHERE id = 2").await, ["1"]);
    assert_eq!(client.lines("SELECT abs(n) FROM special WHERE id = 2").await, ["1"]);
}

#[tokio::test]
async fn negative_scales_round_to_tens_hundreds_and_thousands() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE rounded (id int PRIMARY KEY, a numeric(2,-3), b numeric(5,-1))").await;
    client.run("INSERT INTO rounded VALUES (1, 12345, 123456), (2, -1500, 5), (3, 499, -15), (4, 12499.6, 0.5)").await;
    assert_eq!(
        client.lines("SELECT a, b, a + b, a * 2 FROM rounded ORDER BY id").await,
        ["12000|123460|135460|24000", "-2000|10|-1990|-4000", "0|-20|-20|0", "12000|0|12000|24000"]
    );
    let overflow = client.error("INSERT INTO rounded VALUES (5, 99500, 0)").await;
    assert_eq!(
        (overflow.code().code(), overflow.detail()),
        ("22003", Some("A field with precision 2, scale -3 must round to an absolute value less than 10^5."))
    );
    client.run("UPDATE rounded SET b = b + 4.9 WHERE id = 2").await;
    assert_eq!(client.lines("SELECT b, sum(a) OVER () FROM rounded WHERE a = -2000").await, ["10|-2000"]);
    assert_eq!(
        client.lines("SELECT 12345::numeric(2,-3), 0.5::numeric(1,-1), '12499.6'::numeric(2,-3), -15::numeric(3,-1)").await,
        ["12000|0|12000|-20"]
    );
    client.expect_sqlstate("SELECT 99999::numeric(2,-3)", "22003").await;
}

#[tokio::test]
async fn numbers_with_an_exponent_are_numeric() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(client.column_names("SELECT 3e6, 2.5e-1").await, ["?column?", "?column?"]);
    assert_eq!(client.lines("SELECT 3e6, 2.5e-1, -1e3, 12.5e1").await, ["3000000|0.25|-1000|125"]);
    // Numeric arithmetic, not integer division.
    assert_eq!(client.lines("SELECT round(1 / 3e6, 20), 3e6 / 7, 1e3 / 8 = 125, 7e0 / 2 = 3.5").await, ["0.00000033333333333333|428571.428571428571|t|t"]);
}

#[tokio::test]
async fn numeric_with_a_float_is_the_float() {
    let (_server, client) = TestServer::start_with_client().await;
    // PostgreSQL resolves numeric with double precision or real to the float, in VALUES,
    // comparisons, COALESCE, CASE, ARRAY and UNION: 1e-20 stays 1e-20, 1e20 does not
    // overflow a decimal.
    assert_eq!(client.lines("SELECT x FROM (VALUES (1.5::float8), (1e20), (1e-20)) v(x)").await, ["1.5", "1e+20", "1e-20"]);
    assert_eq!(
        client
            .lines(
                "SELECT 1e-20::float8 = 0, 1e-20::float8 > 0, coalesce(2.5e30::float8, 1.5), \
                 CASE WHEN false THEN 1.5 ELSE 1e-30::float8 END, ARRAY[0.5::float8, 1.25]::text, 0.1::float8 IN (0.1, 0.2)"
            )
            .await,
        ["f|t|2.5e+30|1e-30|{0.5,1.25}|t"]
    );
    assert_eq!(client.lines("SELECT 1.5::real UNION ALL SELECT 2.25 ORDER BY 1").await, ["1.5", "2.25"]);
    // A number too long for a decimal literal is still named as a number.
    assert_eq!(client.column_names("SELECT 1.5e300, 2e-300").await, ["?column?", "?column?"]);
}

#[tokio::test]
async fn a_values_statement_keeps_its_quotients_digits() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(client.lines("VALUES (1.0/3), (2)").await, ["0.33333333333333333333", "2"]);
    assert_eq!(client.lines("VALUES (2/3.0, 'b'), (1.0/3, 'a') ORDER BY 2 LIMIT 1").await, ["0.33333333333333333333|a"]);
}

#[tokio::test]
async fn a_quotient_typed_by_coercion_keeps_its_digits_in_the_select_list() {
    let (_server, client) = TestServer::start_with_client().await;
    // The operands are numeric only once coercion has typed the CASE.
    assert_eq!(client.lines("SELECT CASE WHEN true THEN 1 ELSE 2.0 END / 3").await, ["0.33333333333333333333"]);
    assert_eq!(
        client.lines("SELECT x, CASE WHEN x > 1 THEN x ELSE 2.0 END / 3 AS q FROM (VALUES (1), (2)) v(x) ORDER BY q DESC, x LIMIT 2").await,
        ["1|0.66666666666666666667", "2|0.66666666666666666667"]
    );
}
