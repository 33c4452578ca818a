//! SELECT over stored tables: joins, grouping, ordering, subqueries, CTEs, windows (issue 2,
//! point 4).

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

/// A server holding `dept` and `emp`:
///
/// ```text
/// dept: 1 eng, 2 sales, 3 empty
/// emp:  id name dept salary manager
///       1  ann  1    300    -
///       2  bob  1    200    1
///       3  cat  2    150    1
///       4  dan  2    150    3
///       5  eve  -    100    1
/// ```
async fn company() -> (TestServer, Client) {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE dept (id int PRIMARY KEY, name text NOT NULL);
             CREATE TABLE emp (id int PRIMARY KEY, name text NOT NULL, dept_id int, salary int, manager_id int);
             INSERT INTO dept VALUES (1, 'eng'), (2, 'sales'), (3, 'empty');
             INSERT INTO emp VALUES (1, 'ann', 1, 300, NULL), (2, 'bob', 1, 200, 1), (3, 'cat', 2, 150, 1),
                                    (4, 'dan', 2, 150, 3), (5, 'eve', NULL, 100, 1);",
        )
        .await;
    (server, client)
}

#[tokio::test]
async fn joins() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines("SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY e.id")
            .await,
        ["ann|eng", "bob|eng", "cat|sales", "dan|sales"]
    );
    assert_eq!(
        client
            .lines("SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id ORDER BY d.id, e.id")
            .await,
        ["eng|ann", "eng|bob", "sales|cat", "sales|dan", "empty|NULL"]
    );
    assert_eq!(
        client
            .lines("SELECT e.name, m.name FROM emp e LEFT JOIN emp m ON e.manager_id = m.id ORDER BY e.id")
            .await,
        ["ann|NULL", "bob|ann", "cat|ann", "dan|cat", "eve|ann"]
    );
    assert_eq!(
        client
            .lines("SELECT e.name, d.name FROM emp e FULL JOIN dept d ON e.dept_id = d.id WHERE e.id IS NULL OR d.id IS NULL ORDER BY 1, 2")
            .await,
        ["eve|NULL", "NULL|empty"]
    );
    assert_eq!(
        client
            .value("SELECT count(*) FROM emp CROSS JOIN dept")
            .await,
        "15"
    );
    assert_eq!(
        client.lines("SELECT e.name FROM emp e, dept d WHERE e.dept_id = d.id AND d.name = 'sales' ORDER BY 1").await,
        ["cat", "dan"]
    );
}

#[tokio::test]
async fn group_by_and_having() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines(
                "SELECT dept_id, count(*), sum(salary), min(salary), max(salary) FROM emp \
                 GROUP BY dept_id HAVING count(*) > 1 ORDER BY dept_id"
            )
            .await,
        ["1|2|500|200|300", "2|2|300|150|150"]
    );
    assert_eq!(
        client
            .lines("SELECT dept_id, count(*) FROM emp GROUP BY dept_id ORDER BY dept_id")
            .await,
        ["1|2", "2|2", "NULL|1"],
        "NULLs form one group"
    );
    assert_eq!(
        client
            .lines(
                "SELECT d.name, count(e.id) AS n FROM dept d LEFT JOIN emp e ON e.dept_id = d.id \
                 GROUP BY d.name HAVING sum(e.salary) > 400 OR count(e.id) = 0 ORDER BY n DESC, d.name"
            )
            .await,
        ["eng|2", "empty|0"]
    );
    assert_eq!(
        client
            .lines("SELECT count(DISTINCT dept_id), count(dept_id), count(*) FROM emp")
            .await,
        ["2|4|5"]
    );
}

#[tokio::test]
async fn order_by() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines("SELECT name, salary FROM emp ORDER BY salary DESC, name")
            .await,
        ["ann|300", "bob|200", "cat|150", "dan|150", "eve|100"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY dept_id, id")
            .await,
        ["ann", "bob", "cat", "dan", "eve"],
        "NULLS LAST by default when ascending"
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY dept_id DESC, id")
            .await,
        ["eve", "cat", "dan", "ann", "bob"],
        "NULLS FIRST by default when descending"
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY dept_id NULLS FIRST, id DESC")
            .await,
        ["eve", "bob", "ann", "dan", "cat"]
    );
    assert_eq!(
        client
            .lines("SELECT name, salary FROM emp ORDER BY 2, 1 LIMIT 2")
            .await,
        ["eve|100", "cat|150"]
    );
}

#[tokio::test]
async fn limit_and_offset() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id LIMIT 2")
            .await,
        ["ann", "bob"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id LIMIT 2 OFFSET 1")
            .await,
        ["bob", "cat"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id OFFSET 3")
            .await,
        ["dan", "eve"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id LIMIT 0")
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id OFFSET 10")
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp ORDER BY id DESC LIMIT 1")
            .await,
        ["eve"]
    );
}

#[tokio::test]
async fn subqueries() {
    let (_server, client) = company().await;
    assert_eq!(
        client.lines("SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE name = 'sales') ORDER BY id").await,
        ["cat", "dan"]
    );
    assert_eq!(
        client.lines("SELECT name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id AND e.salary > 250)").await,
        ["eng"]
    );
    assert_eq!(
        client.lines("SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id)").await,
        ["empty"]
    );
    assert_eq!(
        client
            .lines("SELECT d.name, (SELECT count(*) FROM emp e WHERE e.dept_id = d.id) FROM dept d ORDER BY d.id")
            .await,
        ["eng|2", "sales|2", "empty|0"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM emp WHERE salary > (SELECT avg(salary) FROM emp) ORDER BY id")
            .await,
        ["ann", "bob"]
    );
    assert_eq!(
        client
            .value("SELECT max(total) FROM (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id) AS t")
            .await,
        "500"
    );
    assert_eq!(
        client.lines("SELECT id FROM emp WHERE id NOT IN (SELECT manager_id FROM emp WHERE manager_id IS NOT NULL) ORDER BY id").await,
        ["2", "4", "5"]
    );
}

#[tokio::test]
async fn common_table_expressions() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .value("WITH big AS (SELECT * FROM emp WHERE salary >= 150) SELECT count(*) FROM big")
            .await,
        "4"
    );
    assert_eq!(
        client
            .lines(
                "WITH totals AS (SELECT dept_id, sum(salary) AS total FROM emp GROUP BY dept_id), \
                      named AS (SELECT d.name, t.total FROM totals t JOIN dept d ON d.id = t.dept_id) \
                 SELECT name, total FROM named ORDER BY total DESC"
            )
            .await,
        ["eng|500", "sales|300"]
    );
    assert_eq!(
        client.value("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) SELECT sum(i) FROM n").await,
        "15"
    );
    assert_eq!(
        client
            .lines(
                "WITH RECURSIVE chain(id, name, manager_id, depth) AS ( \
                   SELECT id, name, manager_id, 0 FROM emp WHERE name = 'dan' \
                   UNION ALL \
                   SELECT e.id, e.name, e.manager_id, c.depth + 1 FROM emp e JOIN chain c ON e.id = c.manager_id) \
                 SELECT name, depth FROM chain ORDER BY depth"
            )
            .await,
        ["dan|0", "cat|1", "ann|2"]
    );
}

#[tokio::test]
async fn window_functions() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines(
                "SELECT name, row_number() OVER (PARTITION BY dept_id ORDER BY salary DESC, id) \
                 FROM emp ORDER BY id"
            )
            .await,
        ["ann|1", "bob|2", "cat|1", "dan|2", "eve|1"]
    );
    assert_eq!(
        client
            .lines("SELECT name, rank() OVER w, dense_rank() OVER w FROM emp WINDOW w AS (ORDER BY salary DESC) ORDER BY id")
            .await,
        ["ann|1|1", "bob|2|2", "cat|3|3", "dan|3|3", "eve|5|4"]
    );
    assert_eq!(
        client
            .lines("SELECT id, sum(salary) OVER (ORDER BY id) FROM emp ORDER BY id")
            .await,
        ["1|300", "2|500", "3|650", "4|800", "5|900"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT name, lag(name) OVER (ORDER BY id), lead(salary, 1, 0) OVER (ORDER BY id), \
                 count(*) OVER (PARTITION BY dept_id) FROM emp ORDER BY id"
            )
            .await,
        [
            "ann|NULL|200|2",
            "bob|ann|150|2",
            "cat|bob|150|2",
            "dan|cat|100|2",
            "eve|dan|0|1"
        ]
    );
}

#[tokio::test]
async fn distinct_union_and_expressions() {
    let (_server, client) = company().await;
    assert_eq!(
        client
            .lines("SELECT DISTINCT salary FROM emp ORDER BY salary DESC")
            .await,
        ["300", "200", "150", "100"]
    );
    assert_eq!(
        client
            .lines("SELECT name FROM dept UNION SELECT name FROM emp WHERE id < 3 ORDER BY 1")
            .await,
        ["ann", "bob", "empty", "eng", "sales"]
    );
    assert_eq!(
        client
            .value("SELECT count(*) FROM (SELECT dept_id FROM emp UNION ALL SELECT id FROM dept) u")
            .await,
        "8"
    );
    assert_eq!(
        client
            .lines(
                "SELECT name, CASE WHEN salary >= 200 THEN 'high' ELSE 'low' END, coalesce(dept_id, 0), \
                 upper(name) || '-' || length(name) FROM emp WHERE name LIKE '%a%' OR dept_id IS NULL ORDER BY id"
            )
            .await,
        ["ann|high|1|ANN-3", "cat|low|2|CAT-3", "dan|low|2|DAN-3", "eve|low|0|EVE-3"]
    );
}

#[tokio::test]
async fn repeated_output_columns_are_allowed_and_named_as_in_postgres() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    wire.query("CREATE TABLE dd (id int PRIMARY KEY, a text); INSERT INTO dd VALUES (1, 'x')").await;
    assert_eq!(
        wire.transcript("SELECT id, id, dd.id, a FROM dd").await,
        ["T id:int4,id:int4,id:int4,a:text", "D 1|1|1|x", "C SELECT 1", "Z I"]
    );
    assert_eq!(
        wire.transcript("SELECT 1, 1, 'ab'::char(5), 'a'::varchar(3)").await,
        ["T ?column?:int4,?column?:int4,bpchar:bpchar,varchar:varchar", "D 1|1|ab   |a", "C SELECT 1", "Z I"]
    );
    assert_eq!(
        wire.transcript("SELECT id::text, id::int8, a, a::varchar(3) FROM dd").await,
        ["T id:text,id:int8,a:text,a:varchar", "D 1|1|x|x", "C SELECT 1", "Z I"]
    );
    let lines = wire.parse("", "SELECT id, id FROM dd WHERE id = $1", &[]).describe('S', "").bind("", "", &[Some("1")]).execute("", 0).sync().await;
    assert_eq!(lines, ["1", "t int4", "T id:int4,id:int4", "2", "D 1|1", "C SELECT 1", "Z I"]);
}

/// Statements that differ only in their constants share a plan in shale; the results must
/// be each statement's own, whatever the constants.
#[tokio::test]
async fn statements_with_other_constants_answer_for_themselves() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE sh (id int PRIMARY KEY, s smallint, n bigint, t text)").await;
    for i in 1..=3 {
        client.run(&format!("INSERT INTO sh VALUES ({i}, {i}, {}, 'v{i}')", i * 10)).await;
    }
    assert_eq!(client.lines("SELECT n FROM sh WHERE id = 2").await, ["20"]);
    assert_eq!(client.lines("SELECT n FROM sh WHERE id = 3").await, ["30"]);
    // Constants their column's type cannot hold compare as PostgreSQL compares them.
    assert_eq!(client.lines("SELECT n FROM sh WHERE id = 3000000000").await, Vec::<String>::new());
    assert_eq!(client.lines("SELECT n FROM sh WHERE s = 40000").await, Vec::<String>::new());
    assert_eq!(client.lines("SELECT n FROM sh WHERE id = '1'").await, ["10"]);
    client.expect_sqlstate("SELECT n FROM sh WHERE id = 'one'", "22P02").await;
    assert_eq!(client.lines("SELECT id FROM sh WHERE t = 'v2'").await, ["2"]);
    // Assignments and one-row inserts.
    assert_eq!(client.counts("UPDATE sh SET n = n + -5 WHERE id = 1").await, [1]);
    assert_eq!(client.counts("UPDATE sh SET n = n + 7 WHERE id = 2").await, [1]);
    client.expect_sqlstate("UPDATE sh SET s = 40000 WHERE id = 1", "22003").await;
    client.expect_sqlstate("INSERT INTO sh VALUES (2, 2, 2, 'dup')", "23505").await;
    client.run("INSERT INTO sh VALUES (4, -4, 40, 'v4')").await;
    assert_eq!(client.lines("SELECT id, s, n FROM sh ORDER BY id").await, ["1|1|5", "2|2|27", "3|3|30", "4|-4|40"]);
    // A changed table is planned again, not refused.
    assert_eq!(client.lines("SELECT * FROM sh WHERE id = 4").await, ["4|-4|40|v4"]);
    client.run("ALTER TABLE sh ADD COLUMN extra int DEFAULT 9").await;
    assert_eq!(client.lines("SELECT * FROM sh WHERE id = 3").await, ["3|3|30|v3|9"]);
    // In a failed block, the same shapes answer 25P02.
    client.run("BEGIN").await;
    assert_eq!(client.error("SELECT 1 / 0").await.code().code(), "22012");
    assert_eq!(client.error("SELECT n FROM sh WHERE id = 2").await.code().code(), "25P02");
    client.run("ROLLBACK").await;
}

#[tokio::test]
async fn mod_null_counts_quoting_and_sizes_answer_as_postgresql() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client
            .lines(
                "SELECT mod(7, 3), mod(-7, 3), mod(7.5, 2), num_nulls(1, NULL, NULL), num_nonnulls(1, NULL, 'x'), \
                 quote_literal('it''s'), quote_nullable(NULL::text), pg_size_pretty(20971520::bigint), pg_size_pretty(10239::bigint)"
            )
            .await,
        ["1|-1|1.5|2|2|'it''s'|NULL|20 MB|10239 bytes"]
    );
    client.expect_sqlstate("SELECT mod(1, 0)", "22012").await;
}

#[tokio::test]
async fn pg_typeof_names_the_type_a_value_is_computed_in() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE typed (v varchar(3), n numeric(5,2), t timestamptz, a int[])").await;
    assert_eq!(
        client
            .lines(
                "SELECT pg_typeof(1), pg_typeof(1 + 1), pg_typeof(3000000000), pg_typeof(1.5), pg_typeof('a'::text), \
                 pg_typeof(true), pg_typeof(current_date), pg_typeof('{}'::jsonb), pg_typeof(gen_random_uuid())"
            )
            .await,
        ["integer|integer|bigint|numeric|text|boolean|date|jsonb|uuid"]
    );
    assert_eq!(
        client.lines("SELECT pg_typeof(v), pg_typeof(n), pg_typeof(t), pg_typeof(a) FROM (SELECT * FROM typed UNION ALL SELECT NULL, NULL, NULL, NULL) q").await,
        ["character varying|numeric|timestamp with time zone|integer[]"]
    );
    assert_eq!(client.value("SELECT pg_typeof(2::bigint)::text || '!'").await, "bigint!");
    assert_eq!(client.value("SELECT pg_typeof(2.0::float8) = 'double precision'::regtype").await, "t");
}

#[tokio::test]
async fn a_recursive_query_refuses_what_postgresql_refuses_instead_of_running_forever() {
    let (_server, client) = TestServer::start_with_client().await;
    let refused = [
        ("SELECT count(*) FROM x", "42P19", "aggregate functions are not allowed in a recursive query's recursive term"),
        ("SELECT n + 1 FROM x ORDER BY 1", "0A000", "ORDER BY in a recursive query is not implemented"),
        ("SELECT n + 1 FROM x LIMIT 10 OFFSET 1", "0A000", "OFFSET in a recursive query is not implemented"),
        ("SELECT n + 1 FROM x LIMIT 10", "0A000", "LIMIT in a recursive query is not implemented"),
    ];
    for (term, code, message) in refused {
        client.expect_error(&format!("WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL {term}) SELECT * FROM x"), code, message).await;
    }
    // An aggregate in a subquery of the recursive term, and ORDER BY or LIMIT of a WITH
    // query that does not read itself, are fine (DataFusion dropped such a LIMIT).
    assert_eq!(
        client
            .lines(
                "WITH RECURSIVE x(n) AS (SELECT 1::bigint UNION ALL SELECT n + s.c FROM x, \
                 (SELECT count(*) AS c FROM (VALUES (1)) v) s WHERE n < 3) SELECT * FROM x"
            )
            .await,
        ["1", "2", "3"]
    );
    assert_eq!(client.lines("WITH RECURSIVE x(n) AS (SELECT 2 UNION ALL SELECT 1 LIMIT 1) SELECT * FROM x").await, ["2"]);
    assert_eq!(client.lines("WITH RECURSIVE x(n) AS (SELECT 2 UNION ALL SELECT 1 ORDER BY 1 LIMIT 1) SELECT * FROM x").await, ["1"]);
}
