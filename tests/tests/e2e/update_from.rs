//! `UPDATE ... FROM` and `DELETE ... USING` (issue 13, point 5): joins to other tables,
//! subqueries and VALUES lists, RETURNING over both sides, a row matched twice changing
//! once, PostgreSQL's errors, parameters, and concurrent updates through a join.

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;

/// The rows of a statement whose order SQL leaves open (RETURNING of a join), sorted.
async fn sorted(client: &Client, sql: &str) -> Vec<String> {
    let mut lines = client.lines(sql).await;
    lines.sort();
    lines
}

const SCHEMA: &str = "CREATE TABLE acct (id int PRIMARY KEY, owner text, balance int);
    CREATE TABLE moves (acct_id int, amount int, note text);
    INSERT INTO acct VALUES (1, 'a', 100), (2, 'b', 200), (3, 'c', 300);
    INSERT INTO moves VALUES (1, 10, 'x'), (2, -20, 'y'), (4, 5, 'z')";

#[tokio::test]
async fn update_from_joins_and_returns_both_sides() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    assert_eq!(
        sorted(&client, "UPDATE acct SET balance = balance + m.amount FROM moves m WHERE m.acct_id = acct.id RETURNING *").await,
        ["1|a|110|1|10|x", "2|b|180|2|-20|y"]
    );
    assert_eq!(
        sorted(&client, "UPDATE acct a SET balance = a.balance + moves.amount FROM moves WHERE moves.acct_id = a.id RETURNING a.id, moves.note, a.*")
            .await,
        ["1|x|1|a|120", "2|y|2|b|160"]
    );
    // A VALUES list, a join inside FROM (the target itself under another name).
    assert_eq!(
        sorted(&client, "UPDATE acct SET balance = v.b FROM (VALUES (1, 7), (3, 9)) AS v(id, b) WHERE v.id = acct.id RETURNING acct.id, balance").await,
        ["1|7", "3|9"]
    );
    assert_eq!(
        client
            .lines("UPDATE acct SET balance = -1 FROM moves m JOIN acct x ON x.id = m.acct_id WHERE x.id = acct.id AND m.note = 'y' RETURNING acct.*")
            .await,
        ["2|b|-1"]
    );
    // A subquery, without RETURNING; rows that match nothing stay.
    assert_eq!(
        client.counts("UPDATE acct SET owner = upper(s.owner) FROM (SELECT id, owner FROM acct WHERE id > 1) s WHERE s.id = acct.id").await,
        [2]
    );
    assert_eq!(client.lines("SELECT id, owner, balance FROM acct ORDER BY id").await, ["1|a|7", "2|B|-1", "3|C|9"]);
}

#[tokio::test]
async fn delete_using_removes_each_row_once() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    assert_eq!(
        client.lines("DELETE FROM acct USING moves WHERE moves.acct_id = acct.id AND moves.amount > 0 RETURNING *").await,
        ["1|a|100|1|10|x"]
    );
    assert_eq!(client.lines("DELETE FROM acct a USING moves m WHERE a.id = m.acct_id RETURNING m.note").await, ["y"]);
    // A row found with two rows of the other table goes once.
    client.run("INSERT INTO acct VALUES (5, 'e', 0); INSERT INTO moves VALUES (5, 1, 'p'), (5, 2, 'q')").await;
    assert_eq!(client.counts("DELETE FROM acct USING moves WHERE moves.acct_id = acct.id").await, [1]);
    assert_eq!(client.lines("SELECT id FROM acct ORDER BY id").await, ["3"]);
}

#[tokio::test]
async fn a_row_matched_twice_changes_once() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    client.run("INSERT INTO moves VALUES (1, 1000, 'again')").await;
    assert_eq!(client.counts("UPDATE acct SET balance = balance + m.amount FROM moves m WHERE m.acct_id = acct.id").await, [2]);
    // One of the two moves of account 1 was applied, not both.
    let balance = client.lines("SELECT balance FROM acct WHERE id = 1").await;
    assert!(balance == ["110"] || balance == ["1100"], "{balance:?}");
}

#[tokio::test]
async fn errors_are_postgresql_s() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    client.expect_error("UPDATE acct SET balance = 0 FROM acct WHERE true", "42712", "table name \"acct\" specified more than once").await;
    client.expect_error("DELETE FROM acct USING acct WHERE true", "42712", "table name \"acct\" specified more than once").await;
    client.expect_error("UPDATE acct SET balance = 1 FROM nope WHERE true", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("UPDATE acct SET balance = 1 FROM moves m WHERE m.nope = 1", "42703", "column m.nope does not exist").await;
    // Nothing changed.
    assert_eq!(client.lines("SELECT sum(balance) FROM acct").await, ["600"]);
}

#[tokio::test]
async fn prepared_with_parameters() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    let update = client
        .prepare("UPDATE acct SET balance = balance + m.amount * $1 FROM moves m WHERE m.acct_id = acct.id AND m.note = $2 RETURNING acct.balance")
        .await
        .expect("prepare");
    for (times, note, expected) in [(2, "x", 120), (3, "x", 150), (1, "y", 180)] {
        let rows = client.query(&update, &[&times, &note]).await.expect("update");
        assert_eq!(rows.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>(), [expected]);
    }
    let delete = client.prepare("DELETE FROM acct USING moves m WHERE m.acct_id = acct.id AND m.note = $1").await.expect("prepare");
    assert_eq!(client.execute(&delete, &[&"y"]).await.expect("delete"), 1);
    assert_eq!(client.lines("SELECT id FROM acct ORDER BY id").await, ["1", "3"]);
}

#[tokio::test]
async fn concurrent_updates_through_a_join_lose_nothing() {
    let server = TestServer::start().await;
    server
        .client()
        .await
        .run("CREATE TABLE counters (id int PRIMARY KEY, hits int NOT NULL); INSERT INTO counters VALUES (1, 0), (2, 0);
              CREATE TABLE bumps (id int, by int); INSERT INTO bumps VALUES (1, 1), (2, 10)")
        .await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                client.run("UPDATE counters SET hits = hits + b.by FROM bumps b WHERE b.id = counters.id").await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let client = server.client().await;
    assert_eq!(client.lines("SELECT id, hits FROM counters ORDER BY id").await, ["1|80", "2|800"]);
}

#[tokio::test]
async fn subqueries_in_where() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    assert_eq!(client.counts("UPDATE acct SET balance = 0 WHERE id IN (SELECT acct_id FROM moves WHERE amount > 0)").await, [1]);
    assert_eq!(
        client.counts("UPDATE acct a SET balance = balance + 1 WHERE EXISTS (SELECT 1 FROM moves m WHERE m.acct_id = a.id AND m.note = 'y')").await,
        [1]
    );
    assert_eq!(client.counts("DELETE FROM acct WHERE id = (SELECT max(acct_id) FROM moves WHERE acct_id < 4)").await, [1]);
    assert_eq!(
        sorted(&client, "DELETE FROM acct USING moves m WHERE m.acct_id = acct.id OR acct.balance > (SELECT avg(balance) FROM acct) RETURNING acct.id").await,
        ["1", "3"]
    );
    assert_eq!(client.lines("SELECT count(*) FROM acct").await, ["0"]);
}

#[tokio::test]
async fn subqueries_in_set() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    assert_eq!(
        client.lines("UPDATE acct SET balance = (SELECT sum(amount) FROM moves m WHERE m.acct_id = acct.id), owner = 'z' WHERE id < 3 RETURNING id, owner, balance").await,
        ["1|z|10", "2|z|-20"]
    );
    assert_eq!(
        client.counts("UPDATE acct SET balance = (SELECT max(amount) FROM moves) WHERE id = (SELECT min(acct_id) FROM moves)").await,
        [1]
    );
    assert_eq!(client.lines("SELECT id, balance FROM acct ORDER BY id").await, ["1|10", "2|-20", "3|300"]);
}
