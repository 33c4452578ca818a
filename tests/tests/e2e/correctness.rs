//! No wrong answers (issue 11, point 6): `character(n)` compared in IN lists, ANY, CASE and
//! joins; casts to integers that round; overflow and division by zero as errors; `format`
//! widths and `rpad` with NULL; values too long for their column on every path that stores
//! them; scalar subqueries that return no rows; output columns that share a name. Every
//! expected value and SQLSTATE is PostgreSQL 15's.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

/// A small TPC-H: `orders.o_orderpriority` and `lineitem.l_shipmode` are `char(n)`.
async fn tpch(client: &Client) {
    client
        .run(
            "CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_orderpriority char(15) NOT NULL);
             CREATE TABLE lineitem (l_orderkey int, l_linenumber int, l_shipmode char(10), l_quantity int,
                                    PRIMARY KEY (l_orderkey, l_linenumber));
             INSERT INTO orders VALUES (1, '1-URGENT'), (2, '2-HIGH'), (3, '3-MEDIUM'), (4, '5-LOW');
             INSERT INTO lineitem VALUES (1, 1, 'MAIL', 5), (2, 1, 'SHIP', 7), (3, 1, 'MAIL', 11), (4, 1, 'AIR', 13),
                                         (4, 2, 'AIR REG', 17);",
        )
        .await;
}

#[tokio::test]
async fn character_compares_in_in_lists_any_case_and_joins() {
    let (_server, client) = TestServer::start_with_client().await;
    tpch(&client).await;
    // TPC-H Q12's shape.
    assert_eq!(
        client
            .lines(
                "SELECT l_shipmode,
                        sum(CASE WHEN o_orderpriority = '1-URGENT' OR o_orderpriority = '2-HIGH' THEN 1 ELSE 0 END),
                        sum(CASE WHEN o_orderpriority <> '1-URGENT' AND o_orderpriority <> '2-HIGH' THEN 1 ELSE 0 END)
                 FROM orders, lineitem
                 WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP')
                 GROUP BY l_shipmode ORDER BY l_shipmode",
            )
            .await,
        ["MAIL      |1|1", "SHIP      |1|0"]
    );
    // TPC-H Q19's shape: IN lists of char(10) in an OR of conjunctions.
    assert_eq!(
        client
            .value(
                "SELECT sum(l_quantity) FROM lineitem, orders
                 WHERE o_orderkey = l_orderkey
                   AND ((l_shipmode IN ('AIR', 'AIR REG') AND l_quantity > 10)
                     OR (o_orderpriority IN ('1-URGENT', '2-HIGH') AND l_shipmode IN ('MAIL ', 'SHIP')))",
            )
            .await,
        "42"
    );
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.value(sql).await }
    };
    assert_eq!(count("SELECT count(*) FROM orders WHERE o_orderpriority IN ('1-URGENT', '2-HIGH')").await, "2");
    assert_eq!(count("SELECT count(*) FROM orders WHERE o_orderpriority NOT IN ('1-URGENT', '2-HIGH')").await, "2");
    assert_eq!(count("SELECT count(*) FROM orders WHERE o_orderpriority = ANY (ARRAY['1-URGENT', '5-LOW'])").await, "2");
    assert_eq!(
        client
            .lines(
                "SELECT o_orderkey, CASE o_orderpriority WHEN '1-URGENT' THEN 'u' WHEN '5-LOW' THEN 'l' ELSE '-' END
                 FROM orders ORDER BY 1",
            )
            .await,
        ["1|u", "2|-", "3|-", "4|l"]
    );

    // Against text and varchar, as PostgreSQL: varchar is compared as character (trailing
    // spaces ignored on both sides), text as text (only the character side loses them).
    client
        .run(
            "CREATE TABLE c1 (id int PRIMARY KEY, c char(5), v varchar(5), t text);
             INSERT INTO c1 VALUES (1, 'ab', 'ab', 'ab'), (2, 'ab', 'ab ', 'ab '), (3, 'x', 'y', 'z');",
        )
        .await;
    assert_eq!(
        client.lines("SELECT id, c = v, c = t, c IN (v, t), c IN ('ab', 'zz') FROM c1 ORDER BY id").await,
        ["1|t|t|t|t", "2|t|f|t|t", "3|f|f|f|f"]
    );
    assert_eq!(count("SELECT count(*) FROM c1 a JOIN c1 b ON a.c = b.t").await, "2");
    assert_eq!(count("SELECT count(*) FROM c1 a JOIN c1 b ON a.c = b.v").await, "4");
    assert_eq!(
        client.lines("SELECT a.c || '|' FROM c1 a JOIN (VALUES ('ab'::text)) AS b(t) ON a.c = b.t ORDER BY a.id").await,
        ["ab|", "ab|"]
    );
    assert_eq!(client.lines("SELECT c, count(*) FROM c1 GROUP BY c ORDER BY c").await, ["ab   |2", "x    |1"]);
    // Joins on keys of different lengths.
    client
        .run(
            "CREATE TABLE a5 (id int PRIMARY KEY, k char(5), x int); CREATE TABLE b3 (id int PRIMARY KEY, k char(3), y int);
             INSERT INTO a5 VALUES (1, 'ab', 1), (2, 'cd', 2); INSERT INTO b3 VALUES (1, 'ab', 10), (2, 'zz', 20);",
        )
        .await;
    assert_eq!(count("SELECT count(*) FROM a5 JOIN b3 USING (k)").await, "1");
    assert_eq!(client.lines("SELECT a5.x, b3.y FROM a5 JOIN b3 ON a5.k = b3.k").await, ["1|10"]);
}

#[tokio::test]
async fn casts_to_integers_round() {
    let (_server, client) = TestServer::start_with_client().await;
    // numeric rounds half away from zero; double precision and real to the nearest even.
    assert_eq!(
        client
            .lines(
                "SELECT 1.5::int4, 2.5::numeric::int, (-2.5)::int, (-0.5)::numeric::int, 1.5::int2, (-1.5)::int8, \
                 2.5::float8::int, 3.5::float8::int, (-2.5)::float8::int, 2.5::float4::int2, 0.5::float8::int8",
            )
            .await,
        ["2|3|-3|-1|2|-2|2|4|-2|2|0"]
    );
    client.run("CREATE TABLE n (id int PRIMARY KEY, i int, d numeric(5,2), f float8)").await;
    client.run("INSERT INTO n VALUES (1, 2.5, 2.5, 2.5), (2, -7.5, -7.5, -7.5)").await;
    assert_eq!(client.lines("SELECT i, d::int, f::int, f::int8 FROM n ORDER BY id").await, ["3|3|2|2", "-8|-8|-8|-8"]);
    client.expect_error("SELECT 32767.5::int2", "22003", "smallint out of range").await;
    client.expect_error("SELECT 2147483647.5::int4", "22003", "integer out of range").await;
    client.expect_error("SELECT 3e9::float8::int", "22003", "integer out of range").await;
    client.expect_error("SELECT '1e19'::float8::int8", "22003", "bigint out of range").await;
    client.expect_error("SELECT 'NaN'::float8::int", "22003", "integer out of range").await;
}

#[tokio::test]
async fn overflow_is_an_error() {
    let (_server, client) = TestServer::start_with_client().await;
    for (sql, message) in [
        ("SELECT abs(-2147483648)", "integer out of range"),
        ("SELECT @(-2147483648)", "integer out of range"),
        ("SELECT abs((-32768)::int2)", "smallint out of range"),
        ("SELECT abs((-9223372036854775808)::int8)", "bigint out of range"),
        ("SELECT gcd((-2147483648)::int4, 0)", "integer out of range"),
        ("SELECT gcd((-9223372036854775808)::int8, 0)", "bigint out of range"),
        ("SELECT lcm(2147483647, 2147483646)", "integer out of range"),
        ("SELECT -((-2147483648)::int4)", "integer out of range"),
        ("SELECT -((-32768)::int2)", "smallint out of range"),
        ("SELECT -((-9223372036854775808)::int8)", "bigint out of range"),
        ("SELECT '10e70'::float4", "\"10e70\" is out of range for type real"),
        ("SELECT 1e300::float8 * 1e300::float8", "value out of range: overflow"),
        ("SELECT 1e38::float4 * 10::float4", "value out of range: overflow"),
    ] {
        client.expect_error(sql, "22003", message).await;
    }
    client.expect_error("SELECT 1.0::float8 / 0.0", "22012", "division by zero").await;
    client.expect_error("SELECT 1::float4 / 0::float4", "22012", "division by zero").await;
    // What fits stays a number of the arguments' type.
    assert_eq!(
        client.lines("SELECT abs(-2147483647), gcd(12, -18), lcm(4, 6), -(-2147483647), gcd(9223372036854775807, 3)").await,
        ["2147483647|6|12|2147483647|1"]
    );
    assert_eq!(client.lines("SELECT 'Infinity'::float8 * 2, 'NaN'::float8 / 0::float8").await, ["Infinity|NaN"]);
}

#[tokio::test]
async fn format_widths_and_pad_with_null() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines(
                "SELECT format('>>%10s<<', 'Hello'), format('>>%-10s<<', 'Hello'), format('>>%*s<<', 10, 'Hello'), \
                 format('%1$s %1$s', 'a'), format('>>%-*s<<', 10, 'x'), format('>>%*s<<', -10, 'x')",
            )
            .await,
        [">>     Hello<<|>>Hello     <<|>>     Hello<<|a a|>>x         <<|>>x         <<"]
    );
    assert_eq!(client.lines("SELECT rpad('x', -3, NULL) IS NULL, lpad('x', -3), rpad('x', 3, ''), lpad('hi', 5, 'xy')").await, ["t||x|xyxhi"]);
    client.expect_error("SELECT format('%s %s', 1)", "22023", "too few arguments for format()").await;
    client.expect_error("SELECT format('%z', 1)", "22023", "unrecognized format() type specifier \"z\"").await;
    client.expect_error("SELECT format('%0$s', 1)", "22023", "format specifies argument 0, but arguments are numbered from 1").await;
}

#[tokio::test]
async fn too_long_values_are_22001_on_every_path() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE d (id int, c char(1) DEFAULT 'ab', v varchar(1) DEFAULT 'xy')").await;
    let char1 = "value too long for type character(1)";
    let varchar1 = "value too long for type character varying(1)";
    client.expect_error("INSERT INTO d (id) VALUES (1)", "22001", char1).await;
    client.expect_error("INSERT INTO d (id, c) VALUES (1, 'a')", "22001", varchar1).await;
    client.expect_error("INSERT INTO d VALUES (1, 'ab', 'a')", "22001", char1).await;
    client.expect_error("INSERT INTO d VALUES (1, 'a', 'ab')", "22001", varchar1).await;
    client.expect_error("INSERT INTO d SELECT 1, 'ab', 'a'", "22001", char1).await;
    client.expect_error("INSERT INTO d SELECT 1, 'a', 'abc' FROM generate_series(1, 2)", "22001", varchar1).await;
    client.run("INSERT INTO d VALUES (2, 'a', 'a')").await;
    client.expect_error("UPDATE d SET c = 'zz'", "22001", char1).await;
    client.expect_error("UPDATE d SET v = 'zz'", "22001", varchar1).await;
    let e = client.execute("INSERT INTO d VALUES (4, $1, 'a')", &[&"long"]).await.expect_err("too long");
    assert_eq!(e.code().map(|c| c.code()), Some("22001"), "{e:?}");
    // Trailing spaces are cut, and explicit casts cut silently.
    client.run("INSERT INTO d VALUES (3, 'a  ', 'b  '), (5, 'abc'::char(1), 'abc'::varchar(1))").await;
    assert_eq!(
        client.lines("SELECT id, c, v, length(c), length(v) FROM d ORDER BY id").await,
        ["2|a|a|1|1", "3|a|b|1|1", "5|a|a|1|1"]
    );
}

#[tokio::test]
async fn empty_scalar_subqueries_are_null() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE s (id int PRIMARY KEY, name text NOT NULL)").await;
    assert_eq!(
        client
            .lines(
                "SELECT (SELECT 1 WHERE false) IS NULL, (SELECT name FROM s) IS NULL, (SELECT count(*) FROM s), \
                 coalesce((SELECT id FROM s WHERE id = 7), -1)",
            )
            .await,
        ["t|t|0|-1"]
    );
    assert_eq!(client.lines("SELECT (SELECT 1 WHERE false) AS x, 2").await, ["NULL|2"]);
    // Filtered on, not simplified away.
    assert_eq!(client.lines("SELECT 'kept' WHERE (SELECT name FROM s WHERE id = 1) IS NULL").await, ["kept"]);
}

#[tokio::test]
async fn output_columns_may_share_a_name() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE n (id int PRIMARY KEY, a int); INSERT INTO n VALUES (1, 10)").await;
    for (sql, names, rows) in [
        ("SELECT 1 AS a, 2 AS a", &["a", "a"][..], "1|2"),
        ("SELECT id AS x, a AS x, a FROM n", &["x", "x", "a"], "1|10|10"),
        ("SELECT (SELECT a FROM n), (SELECT id FROM n)", &["a", "id"], "10|1"),
        ("SELECT (SELECT a FROM n), (SELECT a FROM n)", &["a", "a"], "10|10"),
        ("SELECT abs(a), abs(a), abs(id) AS abs FROM n", &["abs", "abs", "abs"], "10|10|1"),
    ] {
        assert_eq!(client.column_names(sql).await, names, "{sql}");
        assert_eq!(client.lines(sql).await, [rows], "{sql}");
    }
    client.expect_error("SELECT id AS x, a AS x FROM n ORDER BY x", "42702", "ORDER BY \"x\" is ambiguous").await;
    assert_eq!(client.lines("SELECT a AS x, a AS x FROM n ORDER BY x").await, ["10|10"]);
}

#[tokio::test]
async fn logarithms_exponentials_and_powers_fail_as_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    let zero = "cannot take logarithm of zero";
    let negative = "cannot take logarithm of a negative number";
    for (sql, code, message) in [
        ("SELECT ln(0::float8)", "2201E", zero),
        ("SELECT ln(-1::float8)", "2201E", negative),
        ("SELECT log(0::float8)", "2201E", zero),
        ("SELECT log10(-1::float8)", "2201E", negative),
        ("SELECT ln(0::numeric)", "2201E", zero),
        ("SELECT log(2, 0)", "2201E", zero),
        ("SELECT log(1, 5)", "22012", "division by zero"),
        ("SELECT exp(1000::float8)", "22003", "value out of range: overflow"),
        ("SELECT exp(-1000::float8)", "22003", "value out of range: underflow"),
        ("SELECT power(10::float8, 400)", "22003", "value out of range: overflow"),
        ("SELECT power(10::float8, -400)", "22003", "value out of range: underflow"),
        ("SELECT power(0::float8, -1)", "2201F", "zero raised to a negative power is undefined"),
        ("SELECT power(-8::float8, 1.0 / 3)", "2201F", "a negative number raised to a non-integer power yields a complex result"),
    ] {
        client.expect_error(sql, code, message).await;
    }
    assert_eq!(
        client
            .lines(
                "SELECT ln('NaN'::float8), ln('Infinity'::float8), power(-2::float8, 3), power('NaN'::float8, 0), \
                 exp('-Infinity'::float8), log(100::float8), pow(2::float8, 10)",
            )
            .await,
        ["NaN|Infinity|-8|1|0|2|1024"]
    );
}
