//! Data-modifying WITH queries (issue 13, point 5): `WITH moved AS (DELETE ... RETURNING *)
//! INSERT INTO ... SELECT * FROM moved`, INSERT and UPDATE ... RETURNING in WITH queries,
//! with a SELECT, INSERT, UPDATE or DELETE as the main statement; each WITH query runs once,
//! read or not; the statement is atomic, in a transaction block too; prepared with
//! parameters; concurrent sessions moving rows; PostgreSQL's errors; and the statements
//! Shale refuses (0A000) rather than answering differently from PostgreSQL's one snapshot.

use std::collections::HashSet;
use std::time::Duration;

use shale_tests::{Background, ClientExt, TestServer};
use tokio_postgres::{Client, SimpleQueryMessage};

const SCHEMA: &str = "CREATE TABLE loans (id int PRIMARY KEY, book text NOT NULL, returned_at date);
    CREATE TABLE loan_archive (id int PRIMARY KEY, book text NOT NULL, returned_at date NOT NULL);
    INSERT INTO loans VALUES (1, 'a', '2024-01-10'), (2, 'b', NULL), (3, 'c', '2024-03-02'), (4, 'd', NULL)";

/// The ids in `table`, in order.
async fn ids(client: &Client, table: &str) -> Vec<String> {
    client.lines(&format!("SELECT id FROM {table} ORDER BY id")).await
}

#[tokio::test]
async fn a_delete_returning_feeds_an_insert() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    let moved = client
        .execute(
            "WITH moved AS (DELETE FROM loans WHERE returned_at IS NOT NULL RETURNING *) \
             INSERT INTO loan_archive SELECT * FROM moved",
            &[],
        )
        .await
        .expect("archive");
    assert_eq!(moved, 2);
    assert_eq!(ids(&client, "loans").await, ["2", "4"]);
    assert_eq!(client.lines("SELECT * FROM loan_archive ORDER BY id").await, ["1|a|2024-01-10", "3|c|2024-03-02"]);
    // Nothing left to move: both parts change no row.
    let again = client
        .execute("WITH moved AS (DELETE FROM loans WHERE returned_at IS NOT NULL RETURNING *) INSERT INTO loan_archive SELECT * FROM moved", &[])
        .await
        .expect("archive again");
    assert_eq!(again, 0);
}

/// The SQLSTATE `sql` fails with (in a transaction block that it aborts).
async fn error_code(client: &Client, sql: &str) -> String {
    let error = client.batch_execute(sql).await.expect_err(sql);
    error.code().map(|c| c.code().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn the_main_statement_reads_the_returning_rows_and_returns_its_own() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    // A SELECT over an INSERT's and an UPDATE's RETURNING rows, named by column aliases.
    assert_eq!(
        client
            .lines(
                "WITH added(n, what) AS (INSERT INTO loan_archive VALUES (5, 'e', '2024-05-05'), (6, 'f', '2024-06-06') RETURNING id, upper(book)), \
                      back AS (UPDATE loans SET returned_at = '2024-05-01' WHERE id = 2 RETURNING id, book) \
                 SELECT what, n FROM added UNION ALL SELECT book, id FROM back ORDER BY 2"
            )
            .await,
        ["b|2", "E|5", "F|6"]
    );
    // The main statement's RETURNING.
    assert_eq!(
        client
            .lines(
                "WITH moved AS (DELETE FROM loans WHERE returned_at IS NOT NULL RETURNING id, book, returned_at) \
                 INSERT INTO loan_archive SELECT * FROM moved RETURNING id, book || '!'"
            )
            .await
            .into_iter()
            .collect::<HashSet<_>>(),
        HashSet::from(["1|a!".to_string(), "2|b!".to_string(), "3|c!".to_string()])
    );
    // An UPDATE ... FROM and a DELETE ... USING the rows of WITH queries.
    assert_eq!(
        client
            .lines(
                "WITH due AS (INSERT INTO loan_archive VALUES (4, 'd', '2024-06-01') RETURNING id, returned_at) \
                 UPDATE loans SET returned_at = due.returned_at FROM due WHERE loans.id = due.id RETURNING loans.id, loans.returned_at"
            )
            .await,
        ["4|2024-06-01"]
    );
    assert_eq!(
        client
            .lines("WITH gone AS (DELETE FROM loan_archive WHERE id = 4 RETURNING id) DELETE FROM loans USING gone WHERE loans.id = gone.id RETURNING loans.book")
            .await,
        ["d"]
    );
    assert_eq!(ids(&client, "loans").await, Vec::<String>::new());
    assert_eq!(ids(&client, "loan_archive").await, ["1", "2", "3", "5", "6"]);
}

#[tokio::test]
async fn every_data_modifying_with_query_runs_once_read_or_not() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    client.run("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)").await;
    // Neither WITH query is read; each runs once.
    assert_eq!(
        client
            .lines(
                "WITH a AS (UPDATE counter SET n = n + 1 RETURNING n), b AS (DELETE FROM loans WHERE id = 1) \
                 SELECT 'main'"
            )
            .await,
        ["main"]
    );
    // Read twice, it still runs once.
    assert_eq!(client.lines("WITH a AS (UPDATE counter SET n = n + 1 RETURNING n) SELECT x.n, y.n FROM a x, a y").await, ["2|2"]);
    assert_eq!(client.value("SELECT n FROM counter").await, "2");
    assert_eq!(ids(&client, "loans").await, ["2", "3", "4"]);
    // A WITH query that is a query runs when read, over what the statement began with.
    assert_eq!(
        client
            .lines(
                "WITH pending AS (SELECT id FROM loans WHERE returned_at IS NULL), \
                      closed AS (UPDATE counter SET n = (SELECT count(*) FROM pending) RETURNING n) \
                 SELECT n FROM closed"
            )
            .await,
        ["2"]
    );
}

#[tokio::test]
async fn a_parent_and_its_children_in_one_statement() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL);
             CREATE TABLE books (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES authors ON DELETE CASCADE, title text)",
        )
        .await;
    let mut added = client
        .lines(
            "WITH a AS (INSERT INTO authors (name) VALUES ('Ann') RETURNING id) \
             INSERT INTO books (author_id, title) SELECT id, 'x' FROM a UNION ALL SELECT id, 'y' FROM a RETURNING author_id, title",
        )
        .await;
    added.sort();
    assert_eq!(added, ["1|x", "1|y"]);
    // Children first, then their parent.
    assert_eq!(
        client.lines("WITH gone AS (DELETE FROM books WHERE author_id = 1 RETURNING title) DELETE FROM authors WHERE id = 1 RETURNING name").await,
        ["Ann"]
    );
    assert_eq!(client.value("SELECT count(*) FROM authors").await, "0");
    assert_eq!(client.value("SELECT count(*) FROM books").await, "0");
}

#[tokio::test]
async fn a_job_taken_and_logged_in_one_statement() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL);
             CREATE TABLE job_log (job int, note text);
             INSERT INTO jobs SELECT g, 'queued' FROM generate_series(1, 3) g",
        )
        .await;
    let take = "WITH taken AS (UPDATE jobs SET state = 'running' \
                  WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id) \
                INSERT INTO job_log SELECT id, 'taken' FROM taken RETURNING job";
    assert_eq!(client.lines(take).await, ["1"]);
    // Another session holds the next job: it is skipped.
    let other = server.client().await;
    other.run("BEGIN").await;
    assert_eq!(other.lines("SELECT id FROM jobs WHERE id = 2 FOR UPDATE").await, ["2"]);
    assert_eq!(client.lines(take).await, ["3"]);
    assert_eq!(client.lines(take).await, Vec::<String>::new());
    other.run("COMMIT").await;
    assert_eq!(client.lines(take).await, ["2"]);
    assert_eq!(client.lines("SELECT job, note FROM job_log ORDER BY job").await, ["1|taken", "2|taken", "3|taken"]);
}

#[tokio::test]
async fn a_failing_part_undoes_the_whole_statement() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    // The main INSERT fails (NULL into a NOT NULL column): the DELETE is undone.
    client
        .expect_error(
            "WITH moved AS (DELETE FROM loans RETURNING *) INSERT INTO loan_archive SELECT * FROM moved",
            "23502",
            "null value in column \"returned_at\" of relation \"loan_archive\" violates not-null constraint",
        )
        .await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    // So does a main SELECT that fails.
    client
        .expect_error("WITH moved AS (DELETE FROM loans RETURNING id) SELECT 1 / (id - 1) FROM moved", "22012", "division by zero")
        .await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    // And a second WITH query that fails after the first changed rows.
    client
        .expect_error(
            "WITH a AS (DELETE FROM loans WHERE id = 1 RETURNING id), b AS (INSERT INTO loan_archive VALUES (9, 'z', NULL) RETURNING id) SELECT 1",
            "23502",
            "null value in column \"returned_at\" of relation \"loan_archive\" violates not-null constraint",
        )
        .await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    assert_eq!(ids(&client, "loan_archive").await, Vec::<String>::new());
}

#[tokio::test]
async fn in_a_transaction_block() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    client.run("BEGIN").await;
    client.run("WITH moved AS (DELETE FROM loans WHERE id <= 2 AND returned_at IS NOT NULL RETURNING *) INSERT INTO loan_archive SELECT * FROM moved").await;
    // The block sees the statement's changes; ROLLBACK undoes them.
    assert_eq!(ids(&client, "loan_archive").await, ["1"]);
    client.run("ROLLBACK").await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    assert_eq!(ids(&client, "loan_archive").await, Vec::<String>::new());
    // A failed statement aborts the block; COMMIT then rolls back.
    client.run("BEGIN").await;
    client.run("WITH moved AS (DELETE FROM loans WHERE id = 1 RETURNING *) INSERT INTO loan_archive SELECT * FROM moved").await;
    let failing = "WITH moved AS (DELETE FROM loans WHERE id = 2 RETURNING *) INSERT INTO loan_archive SELECT * FROM moved";
    assert_eq!(error_code(&client, failing).await, "23502");
    client.run("COMMIT").await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    // Committed, both changes stay.
    client.run("BEGIN").await;
    client.run("WITH moved AS (DELETE FROM loans WHERE id = 3 RETURNING *) INSERT INTO loan_archive SELECT * FROM moved").await;
    client.run("COMMIT").await;
    assert_eq!(ids(&client, "loans").await, ["1", "2", "4"]);
    assert_eq!(ids(&client, "loan_archive").await, ["3"]);
}

#[tokio::test]
async fn prepared_with_parameters() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    let archive = client
        .prepare("WITH moved AS (DELETE FROM loans WHERE id = $1 AND returned_at IS NOT NULL RETURNING *) INSERT INTO loan_archive SELECT * FROM moved")
        .await
        .expect("prepare");
    assert_eq!(client.execute(&archive, &[&1i32]).await.expect("archive 1"), 1);
    assert_eq!(client.execute(&archive, &[&2i32]).await.expect("archive 2"), 0);
    assert_eq!(client.execute(&archive, &[&3i32]).await.expect("archive 3"), 1);
    assert_eq!(ids(&client, "loan_archive").await, ["1", "3"]);
    // Parameters in the WITH query and in the main SELECT, which returns rows.
    let add = client
        .prepare("WITH added AS (INSERT INTO loans (id, book) VALUES ($1, $2) RETURNING id, book) SELECT id, book || $3::text FROM added")
        .await
        .expect("prepare");
    for (id, book) in [(10i32, "x"), (11, "y")] {
        let row = client.query_one(&add, &[&id, &book, &"!"]).await.expect("add");
        assert_eq!((row.get::<_, i32>(0), row.get::<_, String>(1)), (id, format!("{book}!")));
    }
    assert_eq!(ids(&client, "loans").await, ["2", "4", "10", "11"]);
}

#[tokio::test]
async fn concurrent_sessions_move_every_row_once() {
    let server = TestServer::start().await;
    server
        .client()
        .await
        .run(
            "CREATE TABLE queue (id int PRIMARY KEY, payload text);
             CREATE TABLE done (id int PRIMARY KEY, payload text, by int);
             INSERT INTO queue SELECT g, 'p' || g FROM generate_series(1, 40) g",
        )
        .await;
    let mut workers = Vec::new();
    for w in 0..4i32 {
        let client = server.client().await;
        workers.push(tokio::spawn(async move {
            let step = client
                .prepare(
                    "WITH moved AS (DELETE FROM queue WHERE id IN (SELECT id FROM queue ORDER BY id LIMIT 3) RETURNING *) \
                     INSERT INTO done SELECT id, payload, $1::int FROM moved",
                )
                .await
                .expect("prepare");
            let mut moved = 0;
            // A step may find its rows taken by another session meanwhile: it moves fewer.
            while client.query_one("SELECT count(*) FROM queue", &[]).await.expect("count").get::<_, i64>(0) > 0 {
                moved += client.execute(&step, &[&w]).await.expect("move");
            }
            moved
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker");
    }
    assert_eq!(total, 40);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM done").await, ["40|40|1|40"]);
    assert_eq!(client.value("SELECT count(*) FROM done d JOIN generate_series(1, 40) g ON d.payload = 'p' || g AND d.id = g").await, "40");
    assert_eq!(client.value("SELECT count(*) FROM queue").await, "0");
}

#[tokio::test]
async fn postgres_errors() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(SCHEMA).await;
    for (sql, code, message) in [
        ("WITH d AS (DELETE FROM loans WHERE id = 1) SELECT * FROM d", "0A000", "WITH query \"d\" does not have a RETURNING clause"),
        (
            "WITH d(a, b, c) AS (DELETE FROM loans WHERE id = 1 RETURNING id) SELECT * FROM d",
            "42P10",
            "WITH query \"d\" has 1 columns available but 3 columns specified",
        ),
        (
            "SELECT * FROM (WITH d AS (DELETE FROM loans WHERE id = 1 RETURNING *) SELECT * FROM d) s",
            "0A000",
            "WITH clause containing a data-modifying statement must be at the top level",
        ),
        (
            "WITH d AS (DELETE FROM loans WHERE id = 1 RETURNING id), d AS (SELECT 1) SELECT * FROM d",
            "42712",
            "WITH query name \"d\" specified more than once",
        ),
    ] {
        client.expect_error(sql, code, message).await;
    }
    client.run("BEGIN READ ONLY").await;
    let error = client
        .batch_execute("WITH moved AS (DELETE FROM loans RETURNING *) INSERT INTO loan_archive SELECT * FROM moved")
        .await
        .expect_err("a write in a read-only transaction");
    let error = error.as_db_error().expect("a database error");
    assert_eq!((error.code().code(), error.message()), ("25006", "cannot execute INSERT in a read-only transaction"));
    client.run("ROLLBACK").await;
    // Nothing ran.
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
}

#[tokio::test]
async fn what_one_snapshot_would_answer_differently_is_refused() {
    let Some(server) = TestServer::start_shale("Shale refuses what it cannot read in PostgreSQL's one snapshot").await else { return };
    let client = server.client().await;
    client.run(SCHEMA).await;
    client
        .run(
            "CREATE TABLE authors (id int PRIMARY KEY);
             CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors)",
        )
        .await;
    for sql in [
        // The main statement reads a table a WITH query changed: PostgreSQL reads it as it was.
        "WITH d AS (DELETE FROM loans WHERE id = 1 RETURNING *) SELECT count(*) FROM loans",
        "WITH d AS (INSERT INTO loans VALUES (7, 'g', NULL) RETURNING id) UPDATE loans SET book = 'x' RETURNING id",
        // A WITH query after another that changed what it reads.
        "WITH a AS (UPDATE loans SET book = 'y' RETURNING id), b AS (DELETE FROM loans WHERE book = 'y' RETURNING id) SELECT 1",
        // Children before their parent: PostgreSQL checks the foreign key once both ran.
        "WITH b AS (INSERT INTO books VALUES (1, 1) RETURNING id) INSERT INTO authors VALUES (1)",
        // A WITH query's rows in EXPLAIN.
        "EXPLAIN WITH d AS (DELETE FROM loans RETURNING *) SELECT * FROM d",
    ] {
        let error = client.batch_execute(sql).await.expect_err(sql);
        assert_eq!(error.code().map(|c| c.code()), Some("0A000"), "{sql}: {error}");
    }
    // Nothing ran.
    assert_eq!(ids(&client, "loans").await, ["1", "2", "3", "4"]);
    assert_eq!(client.value("SELECT count(*) FROM authors").await, "0");
}

/// Under READ COMMITTED, a part that waited for a row another session changed takes that
/// row's new version, and the other parts still read the statement's snapshot, as in
/// PostgreSQL: the committed change of another table is not seen.
#[tokio::test]
async fn a_part_that_waited_leaves_the_others_the_statements_snapshot() {
    let server = TestServer::start().await;
    let (first, second) = (server.client().await, server.client().await);
    first
        .run(
            "CREATE TABLE acct (id int PRIMARY KEY, v int); CREATE TABLE other (id int PRIMARY KEY, v int);
             INSERT INTO acct VALUES (1, 1); INSERT INTO other VALUES (2, 2)",
        )
        .await;
    first.run("BEGIN; UPDATE acct SET v = v + 100 WHERE id = 1; UPDATE other SET v = v + 100 WHERE id = 2").await;
    let statement = Background::start(
        second,
        "WITH u AS (UPDATE acct SET v = v * 10 WHERE id = 1 RETURNING v) \
         SELECT (SELECT v FROM u), (SELECT v FROM other WHERE id = 2)",
    );
    assert!(statement.still_running_after(Duration::from_millis(300)).await, "the update did not wait");
    first.run("COMMIT").await;
    let (second, result) = statement.finish().await;
    let rows: Vec<String> = result
        .expect("the statement")
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(row) => Some(format!("{}|{}", row.get(0).unwrap_or("NULL"), row.get(1).unwrap_or("NULL"))),
            _ => None,
        })
        .collect();
    assert_eq!(rows, ["1010|2"]);
    assert_eq!(second.lines("SELECT v FROM acct UNION ALL SELECT v FROM other").await, ["1010", "102"]);
}
