//! Long and deep statements (issue 11, point 1): operator chains PostgreSQL answers are
//! answered, deeper ones fail with 54001 as PostgreSQL's stack depth limit does, and
//! numbers the client writes (LIMIT, OFFSET) never size an allocation. The session and the
//! server go on after each.

use shale_tests::{ClientExt, TestServer};

fn chain(term: &str, operator: &str, count: usize) -> String {
    vec![term; count].join(operator)
}

#[tokio::test]
async fn long_operator_chains_are_answered() {
    let (server, client) = TestServer::start_with_client().await;
    let sum = format!("SELECT {}", chain("1", "+", 1000));
    assert_eq!(client.lines(&sum).await, ["1000"]);
    let concat = format!("SELECT length({})", chain("'a'", "||", 1000));
    assert_eq!(client.lines(&concat).await, ["1000"]);
    client.run("CREATE TABLE t (x int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (2999), (4000)").await;
    let terms: Vec<String> = (1..=3000).map(|i| format!("x = {i}")).collect();
    let any = format!("SELECT x FROM t WHERE {} ORDER BY x", terms.join(" OR "));
    assert_eq!(client.lines(&any).await, ["1", "2", "2999"]);
    // The same through the extended protocol (planned at Parse, run from the kept plan).
    let row = client.query_one(sum.as_str(), &[]).await.expect("the chain, prepared");
    assert_eq!(row.get::<_, i32>(0), 1000);
    let other = server.client().await;
    assert_eq!(other.lines("SELECT 1").await, ["1"]);
}

#[tokio::test]
async fn chains_deeper_than_the_stack_limit_are_54001() {
    let (server, client) = TestServer::start_with_client().await;
    for count in [10_000, 100_000] {
        let sum = format!("SELECT {}", chain("1", "+", count));
        let error = client.error(&sum).await;
        assert_eq!(error.code().code(), "54001", "{count} terms");
        assert_eq!(error.message(), "stack depth limit exceeded");
        let prepared = client.prepare(sum.as_str()).await.expect_err("too deep to prepare");
        assert_eq!(prepared.code().map(|c| c.code()), Some("54001"));
    }
    assert_eq!(client.lines("SELECT 2").await, ["2"]);
    let other = server.client().await;
    assert_eq!(other.lines("SELECT 1").await, ["1"]);
}

#[tokio::test]
async fn limits_and_offsets_never_size_an_allocation() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'b'), (2, 'a'), (3, 'b')").await;
    assert_eq!(client.lines("SELECT DISTINCT v FROM t ORDER BY 1 LIMIT 100000000").await, ["a", "b"]);
    assert_eq!(client.lines("SELECT v FROM t ORDER BY id LIMIT 2147483648 OFFSET 2147483648").await, Vec::<String>::new());
    assert_eq!(client.lines("SELECT v FROM t ORDER BY v, id LIMIT 9223372036854775807 OFFSET 1").await, ["b", "b"]);
    assert_eq!(client.lines("SELECT count(*) FROM (SELECT v FROM t LIMIT 4000000000) s").await, ["3"]);
    assert_eq!(client.lines("SELECT id FROM t ORDER BY id DESC OFFSET 9223372036854775807").await, Vec::<String>::new());
}
