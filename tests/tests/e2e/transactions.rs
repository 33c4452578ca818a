//! Transaction blocks: BEGIN / START TRANSACTION with their isolation level and access mode,
//! COMMIT / END, ROLLBACK / ABORT, savepoints, SET TRANSACTION and the SHOW settings, the
//! warnings PostgreSQL gives for a block statement out of place, atomicity (a block appears
//! at once or not at all, a rollback undoes DML and DDL, a failed block refuses work, a
//! closed connection rolls back), and autocommit with its implicit transaction for a whole
//! multi-statement Query message. Concurrency between sessions is in `isolation`; crashes
//! in `durability`.

use shale_tests::{ClientExt, Message, TestServer};

#[tokio::test]
async fn rollback_undoes_and_commit_publishes() {
    let server = TestServer::start().await;
    let a = server.client().await;
    let b = server.client().await;
    a.run("CREATE TABLE acct (id int PRIMARY KEY, n int); INSERT INTO acct VALUES (1, 10)").await;

    a.run("BEGIN; UPDATE acct SET n = 0 WHERE id = 1; INSERT INTO acct VALUES (2, 20)").await;
    assert_eq!(a.lines("SELECT n FROM acct ORDER BY id").await, ["0", "20"]);
    assert_eq!(b.lines("SELECT n FROM acct ORDER BY id").await, ["10"]);
    a.run("ROLLBACK").await;
    assert_eq!(a.lines("SELECT n FROM acct ORDER BY id").await, ["10"]);

    a.run("BEGIN; INSERT INTO acct VALUES (3, 30)").await;
    assert_eq!(b.value("SELECT count(*) FROM acct").await, "1");
    a.run("COMMIT").await;
    assert_eq!(b.lines("SELECT n FROM acct ORDER BY id").await, ["10", "30"]);
}

#[tokio::test]
async fn a_failed_block_refuses_statements_until_it_ends() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(wire.tags("CREATE TABLE f (id int PRIMARY KEY)").await, ["CREATE TABLE"]);
    assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
    assert_eq!(wire.transcript("INSERT INTO f VALUES (1)").await, ["C INSERT 0 1", "Z T"]);
    assert_eq!(wire.transcript("SELECT 1 / 0").await, ["E 22012", "Z E"]);
    assert_eq!(wire.transcript("SELECT 1").await, ["E 25P02", "Z E"]);
    // COMMIT of a failed block rolls back, and says so.
    assert_eq!(wire.transcript("COMMIT").await, ["C ROLLBACK", "Z I"]);
    let client = server.client().await;
    assert_eq!(client.value("SELECT count(*) FROM f").await, "0");
}

#[tokio::test]
async fn transaction_statements_answer_with_their_tags() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client.run("CREATE TABLE tg (id int PRIMARY KEY)").await;
    let mut wire = server.wire().await;
    let script: [(&str, &[&str]); 20] = [
        ("BEGIN", &["C BEGIN", "Z T"]),
        ("INSERT INTO tg VALUES (1)", &["C INSERT 0 1", "Z T"]),
        ("COMMIT", &["C COMMIT", "Z I"]),
        ("START TRANSACTION", &["C START TRANSACTION", "Z T"]),
        ("INSERT INTO tg VALUES (2)", &["C INSERT 0 1", "Z T"]),
        ("END", &["C COMMIT", "Z I"]),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", &["C BEGIN", "Z T"]),
        ("INSERT INTO tg VALUES (3)", &["C INSERT 0 1", "Z T"]),
        ("ROLLBACK", &["C ROLLBACK", "Z I"]),
        (
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE",
            &["C START TRANSACTION", "Z T"],
        ),
        ("INSERT INTO tg VALUES (4)", &["C INSERT 0 1", "Z T"]),
        ("ABORT", &["C ROLLBACK", "Z I"]),
        ("BEGIN READ ONLY", &["C BEGIN", "Z T"]),
        (
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
            &["C SET", "Z T"],
        ),
        ("SAVEPOINT a", &["C SAVEPOINT", "Z T"]),
        ("ROLLBACK TO SAVEPOINT a", &["C ROLLBACK", "Z T"]),
        ("ROLLBACK TO a", &["C ROLLBACK", "Z T"]),
        ("RELEASE SAVEPOINT a", &["C RELEASE", "Z T"]),
        (
            "SAVEPOINT b; RELEASE b",
            &["C SAVEPOINT", "C RELEASE", "Z T"],
        ),
        ("COMMIT", &["C COMMIT", "Z I"]),
    ];
    wire.replay(&script).await;
    // END commits and ABORT rolls back.
    assert_eq!(
        client.lines("SELECT id FROM tg ORDER BY id").await,
        ["1", "2"]
    );
}

#[tokio::test]
async fn begin_inside_a_block_and_commit_outside_one_only_warn() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client.run("CREATE TABLE w (id int PRIMARY KEY)").await;
    let mut wire = server.wire().await;
    const NO_TXN: &str = "N WARNING 25P01 there is no transaction in progress";
    const IN_TXN: &str = "N WARNING 25001 there is already a transaction in progress";
    assert_eq!(wire.transcript("COMMIT").await, [NO_TXN, "C COMMIT", "Z I"]);
    assert_eq!(wire.transcript("END").await, [NO_TXN, "C COMMIT", "Z I"]);
    assert_eq!(
        wire.transcript("ROLLBACK").await,
        [NO_TXN, "C ROLLBACK", "Z I"]
    );
    assert_eq!(
        wire.transcript("ABORT").await,
        [NO_TXN, "C ROLLBACK", "Z I"]
    );

    assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
    assert_eq!(wire.tags("INSERT INTO w VALUES (1)").await, ["INSERT 0 1"]);
    assert_eq!(wire.transcript("BEGIN").await, [IN_TXN, "C BEGIN", "Z T"]);
    assert_eq!(
        wire.transcript("START TRANSACTION READ WRITE").await,
        [IN_TXN, "C START TRANSACTION", "Z T"]
    );
    assert_eq!(wire.tags("INSERT INTO w VALUES (2)").await, ["INSERT 0 1"]);
    // Blocks do not nest: one ROLLBACK ends the block the first BEGIN opened.
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
    assert_eq!(client.value("SELECT count(*) FROM w").await, "0");

    // An isolation level given to a BEGIN inside a block that has run a query is a late
    // SET TRANSACTION: the warning, then the error, which fails the block.
    assert_eq!(
        wire.transcript("BEGIN; SELECT 1 AS one").await,
        ["C BEGIN", "T one:int4", "D 1", "C SELECT 1", "Z T"]
    );
    let messages = wire
        .query("START TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        .await;
    assert_eq!(messages[0].render(), IN_TXN);
    let Message::Error(error) = &messages[1] else {
        panic!("expected an error after the warning: {messages:?}")
    };
    assert_eq!(error.code(), "25001");
    assert_eq!(
        error.message(),
        "SET TRANSACTION ISOLATION LEVEL must be called before any query"
    );
    assert_eq!(messages[2..], [Message::ReadyForQuery('E')]);
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);

    // The warning's severity and SQLSTATE, field by field.
    let messages = wire.query("COMMIT").await;
    let Message::Notice(warning) = &messages[0] else {
        panic!("expected a WARNING first: {messages:?}")
    };
    assert_eq!(warning.severity(), "WARNING");
    assert_eq!(warning.code(), "25P01");
}

#[tokio::test]
async fn isolation_level_and_access_mode_are_shown() {
    let server = TestServer::start().await;
    let client = server.client().await;
    let show = async |expected_level: &str, expected_read_only: &str| {
        assert_eq!(
            [
                client.value("SHOW transaction_isolation").await,
                client.value("SHOW transaction_read_only").await
            ],
            [expected_level, expected_read_only]
        );
    };
    show("read committed", "off").await;
    assert_eq!(
        client.value("SHOW default_transaction_isolation").await,
        "read committed"
    );
    client.run("BEGIN ISOLATION LEVEL REPEATABLE READ").await;
    show("repeatable read", "off").await;
    client.run("COMMIT").await;
    show("read committed", "off").await;

    client
        .run("START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY")
        .await;
    show("serializable", "on").await;
    client.run("ROLLBACK").await;
    show("read committed", "off").await;

    client
        .run("BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE")
        .await;
    show("read committed", "off").await;
    client.run("COMMIT").await;
    client.run("BEGIN READ ONLY").await;
    show("read committed", "on").await;
    client.run("COMMIT").await;

    // SET TRANSACTION before the block's first query.
    client.run("BEGIN").await;
    client
        .run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await;
    show("repeatable read", "off").await;
    client.run("SET TRANSACTION READ ONLY").await;
    show("repeatable read", "on").await;
    client.run("COMMIT").await;
    show("read committed", "off").await;

    // The session's default, for blocks and for single statements.
    client
        .run("SET default_transaction_isolation = 'serializable'")
        .await;
    assert_eq!(
        client.value("SHOW default_transaction_isolation").await,
        "serializable"
    );
    show("serializable", "off").await;
    client.run("BEGIN").await;
    show("serializable", "off").await;
    client.run("COMMIT").await;
    client
        .run("SET default_transaction_isolation TO 'repeatable read'")
        .await;
    client.run("BEGIN ISOLATION LEVEL READ COMMITTED").await;
    show("read committed", "off").await;
    client.run("COMMIT").await;
    show("repeatable read", "off").await;
    // Another session keeps the server's default.
    let other = server.client().await;
    assert_eq!(
        other.value("SHOW transaction_isolation").await,
        "read committed"
    );
    client.run("RESET default_transaction_isolation").await;
    show("read committed", "off").await;
}

#[tokio::test]
async fn set_transaction_comes_before_any_query_and_inside_a_block() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
    assert_eq!(
        wire.transcript("SELECT 1 AS one").await,
        ["T one:int4", "D 1", "C SELECT 1", "Z T"]
    );
    let (error, status) = wire
        .error("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
        .await;
    assert_eq!(
        (error.code(), error.message(), status),
        (
            "25001",
            "SET TRANSACTION ISOLATION LEVEL must be called before any query",
            'E'
        )
    );
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);

    // Outside a block it only warns, and changes nothing.
    assert_eq!(
        wire.transcript("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            .await,
        [
            "N WARNING 25P01 SET TRANSACTION can only be used in transaction blocks",
            "C SET",
            "Z I"
        ]
    );
    assert_eq!(
        wire.transcript("SHOW transaction_isolation").await,
        [
            "T transaction_isolation:text",
            "D read committed",
            "C SHOW",
            "Z I"
        ]
    );
}

#[tokio::test]
async fn a_read_only_transaction_refuses_writes() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE ro (id int PRIMARY KEY); INSERT INTO ro VALUES (1)")
        .await;
    let writes = [
        ("INSERT INTO ro VALUES (2)", "INSERT"),
        ("UPDATE ro SET id = 3", "UPDATE"),
        ("DELETE FROM ro", "DELETE"),
        ("CREATE TABLE ro2 (a int)", "CREATE TABLE"),
    ];
    for (begin, (sql, command)) in ["BEGIN READ ONLY", "BEGIN; SET TRANSACTION READ ONLY"]
        .into_iter()
        .cycle()
        .zip(writes)
    {
        client.run(begin).await;
        assert_eq!(client.value("SELECT count(*) FROM ro").await, "1");
        let error = client.error(sql).await;
        assert_eq!(error.code().code(), "25006", "{sql}");
        assert_eq!(
            error.message(),
            format!("cannot execute {command} in a read-only transaction")
        );
        // The error fails the block like any other.
        assert_eq!(client.error("SELECT 1").await.code().code(), "25P02");
        client.run("ROLLBACK").await;
    }
    // The next block is read-write again.
    client.run("BEGIN; INSERT INTO ro VALUES (2); COMMIT").await;
    assert_eq!(
        client.lines("SELECT id FROM ro ORDER BY id").await,
        ["1", "2"]
    );
}

#[tokio::test]
async fn savepoints_nest_and_rollback_to_undoes_only_later_work() {
    let server = TestServer::start().await;
    let client = server.client().await;
    let other = server.client().await;
    client
        .run("CREATE TABLE sp (id int PRIMARY KEY, n int)")
        .await;
    let rows = "SELECT id, n FROM sp ORDER BY id";
    client.run("BEGIN; INSERT INTO sp VALUES (1, 0)").await;
    client.run("SAVEPOINT a").await;
    client
        .run("INSERT INTO sp VALUES (2, 0); UPDATE sp SET n = 1 WHERE id = 1")
        .await;
    client.run("SAVEPOINT b").await;
    client
        .run("INSERT INTO sp VALUES (3, 0); DELETE FROM sp WHERE id = 2")
        .await;
    assert_eq!(client.lines(rows).await, ["1|1", "3|0"]);
    client.run("ROLLBACK TO SAVEPOINT b").await;
    assert_eq!(client.lines(rows).await, ["1|1", "2|0"]);
    client.run("ROLLBACK TO SAVEPOINT a").await;
    assert_eq!(client.lines(rows).await, ["1|0"]);
    // The savepoint outlives ROLLBACK TO: the block can go back to it again.
    client.run("INSERT INTO sp VALUES (4, 0)").await;
    client.run("ROLLBACK TO SAVEPOINT a").await;
    assert_eq!(client.lines(rows).await, ["1|0"]);
    // RELEASE keeps the work done since the savepoint.
    client.run("INSERT INTO sp VALUES (5, 0)").await;
    client.run("RELEASE SAVEPOINT a").await;
    assert_eq!(client.lines(rows).await, ["1|0", "5|0"]);
    assert_eq!(other.lines(rows).await, Vec::<String>::new());
    client.run("COMMIT").await;
    assert_eq!(other.lines(rows).await, ["1|0", "5|0"]);
}

#[tokio::test]
async fn rollback_to_savepoint_recovers_a_failed_block() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client.run("CREATE TABLE rs (id int PRIMARY KEY)").await;
    let mut wire = server.wire().await;
    let script: [(&str, &[&str]); 12] = [
        ("BEGIN", &["C BEGIN", "Z T"]),
        ("INSERT INTO rs VALUES (1)", &["C INSERT 0 1", "Z T"]),
        ("SAVEPOINT s", &["C SAVEPOINT", "Z T"]),
        ("INSERT INTO rs VALUES (1)", &["E 23505", "Z E"]),
        ("SELECT 1", &["E 25P02", "Z E"]),
        // An unknown savepoint leaves the block failed.
        ("ROLLBACK TO SAVEPOINT nope", &["E 3B001", "Z E"]),
        ("ROLLBACK TO SAVEPOINT s", &["C ROLLBACK", "Z T"]),
        ("INSERT INTO rs VALUES (2)", &["C INSERT 0 1", "Z T"]),
        ("SELECT 1 / 0", &["E 22012", "Z E"]),
        // The same savepoint again: that undoes (2) too.
        ("ROLLBACK TO s", &["C ROLLBACK", "Z T"]),
        ("INSERT INTO rs VALUES (3)", &["C INSERT 0 1", "Z T"]),
        ("COMMIT", &["C COMMIT", "Z I"]),
    ];
    wire.replay(&script).await;
    assert_eq!(
        client.lines("SELECT id FROM rs ORDER BY id").await,
        ["1", "3"]
    );
}

#[tokio::test]
async fn release_and_reused_savepoint_names() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE rn (id int PRIMARY KEY)").await;
    let rows = "SELECT id FROM rn ORDER BY id";
    // A name used twice: ROLLBACK TO and RELEASE find the newer savepoint first.
    client
        .run(
            "BEGIN; SAVEPOINT a; INSERT INTO rn VALUES (1); SAVEPOINT a; INSERT INTO rn VALUES (2)",
        )
        .await;
    client.run("ROLLBACK TO SAVEPOINT a").await;
    assert_eq!(client.lines(rows).await, ["1"]);
    client.run("RELEASE SAVEPOINT a").await;
    client.run("ROLLBACK TO SAVEPOINT a").await;
    assert_eq!(client.lines(rows).await, Vec::<String>::new());
    client.run("RELEASE SAVEPOINT a").await;
    let error = client.error("ROLLBACK TO SAVEPOINT a").await;
    assert_eq!(error.code().code(), "3B001");
    assert_eq!(error.message(), "savepoint \"a\" does not exist");
    client.run("ROLLBACK").await;

    // RELEASE also removes every savepoint set after the released one.
    client
        .run("BEGIN; SAVEPOINT outer_sp; SAVEPOINT inner_sp")
        .await;
    client.run("RELEASE outer_sp").await;
    let error = client.error("ROLLBACK TO inner_sp").await;
    assert_eq!(error.code().code(), "3B001");
    assert_eq!(error.message(), "savepoint \"inner_sp\" does not exist");
    client.run("ROLLBACK").await;

    client.run("BEGIN").await;
    let error = client.error("RELEASE SAVEPOINT nope").await;
    assert_eq!(error.code().code(), "3B001");
    assert_eq!(error.message(), "savepoint \"nope\" does not exist");
    client.run("ROLLBACK").await;
}

#[tokio::test]
async fn savepoint_statements_outside_a_block_are_errors() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    for (sql, command) in [
        ("SAVEPOINT a", "SAVEPOINT"),
        ("RELEASE SAVEPOINT a", "RELEASE SAVEPOINT"),
        ("ROLLBACK TO SAVEPOINT a", "ROLLBACK TO SAVEPOINT"),
    ] {
        let (error, status) = wire.error(sql).await;
        let message = format!("{command} can only be used in transaction blocks");
        assert_eq!(
            (error.code(), error.message(), status),
            ("25P01", message.as_str(), 'I'),
            "{sql}"
        );
    }
}

#[tokio::test]
async fn rollback_undoes_inserts_updates_and_deletes() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run(
        "CREATE TABLE ud (id int PRIMARY KEY, n int); INSERT INTO ud VALUES (1, 1), (2, 2), (3, 3)",
    )
    .await;
    let rows = "SELECT id, n FROM ud ORDER BY id";
    for end in ["ROLLBACK", "ABORT"] {
        a.run("BEGIN; INSERT INTO ud VALUES (4, 4); UPDATE ud SET n = 10 WHERE id = 1; DELETE FROM ud WHERE id = 2")
            .await;
        assert_eq!(a.lines(rows).await, ["1|10", "3|3", "4|4"]);
        assert_eq!(b.lines(rows).await, ["1|1", "2|2", "3|3"]);
        a.run(end).await;
        assert_eq!(a.lines(rows).await, ["1|1", "2|2", "3|3"], "{end}");
    }
    // The same key can be written again after the rollback.
    a.run("BEGIN; INSERT INTO ud VALUES (4, 40); DELETE FROM ud WHERE id = 3; COMMIT")
        .await;
    assert_eq!(b.lines(rows).await, ["1|1", "2|2", "4|40"]);
}

#[tokio::test]
async fn rollback_undoes_ddl() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE keep (id int); INSERT INTO keep VALUES (1)")
        .await;

    a.run("BEGIN; CREATE TABLE fresh (id int); INSERT INTO fresh VALUES (1)")
        .await;
    assert_eq!(a.value("SELECT count(*) FROM fresh").await, "1");
    // Another session does not see the table before COMMIT.
    b.expect_sqlstate("SELECT * FROM fresh", "42P01").await;
    a.run("ALTER TABLE keep ADD COLUMN extra int DEFAULT 7")
        .await;
    assert_eq!(a.lines("SELECT id, extra FROM keep").await, ["1|7"]);
    a.run("ROLLBACK").await;
    a.expect_sqlstate("SELECT * FROM fresh", "42P01").await;
    a.expect_sqlstate("SELECT extra FROM keep", "42703").await;
    assert_eq!(a.lines("SELECT * FROM keep").await, ["1"]);

    a.run("BEGIN; DROP TABLE keep").await;
    assert_eq!(a.error("SELECT * FROM keep").await.code().code(), "42P01");
    a.run("ROLLBACK").await;
    assert_eq!(b.lines("SELECT * FROM keep").await, ["1"]);

    // Nothing is left of the rolled-back table: the name is free, and a committed
    // CREATE TABLE appears with its rows.
    a.run("BEGIN; CREATE TABLE fresh (id int, name text); INSERT INTO fresh VALUES (2, 'two'); COMMIT")
        .await;
    assert_eq!(b.lines("SELECT * FROM fresh").await, ["2|two"]);
}

#[tokio::test]
async fn every_statement_of_a_failed_block_gets_25p02() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client
        .run("CREATE TABLE fb (id int PRIMARY KEY); INSERT INTO fb VALUES (1)")
        .await;
    let mut wire = server.wire().await;
    for end in ["ROLLBACK", "COMMIT", "END", "ABORT"] {
        assert_eq!(wire.transcript("BEGIN").await, ["C BEGIN", "Z T"]);
        assert_eq!(
            wire.transcript("INSERT INTO fb VALUES (2)").await,
            ["C INSERT 0 1", "Z T"]
        );
        assert_eq!(
            wire.transcript("INSERT INTO fb VALUES (1)").await,
            ["E 23505", "Z E"]
        );
        for sql in [
            "SELECT 1",
            "INSERT INTO fb VALUES (3)",
            "UPDATE fb SET id = 4",
            "DELETE FROM fb",
            "CREATE TABLE fb2 (a int)",
            "SHOW transaction_isolation",
            "SET lock_timeout = '1s'",
            "SAVEPOINT s",
            "RELEASE SAVEPOINT s",
            "BEGIN",
        ] {
            let (error, status) = wire.error(sql).await;
            assert_eq!(
                (error.code(), error.message(), status),
                (
                    "25P02",
                    "current transaction is aborted, commands ignored until end of transaction block",
                    'E'
                ),
                "{sql}"
            );
        }
        // Whatever ends the block, it is rolled back and says so.
        assert_eq!(wire.transcript(end).await, ["C ROLLBACK", "Z I"], "{end}");
        assert_eq!(client.lines("SELECT id FROM fb").await, ["1"], "{end}");
    }
}

#[tokio::test]
async fn a_committed_block_appears_all_at_once() {
    // A writer moves one unit at a time between two accounts and logs each move; a reader
    // runs one statement after another meanwhile: each must see whole transactions only.
    const MOVES: i64 = 100;
    let server = TestServer::start().await;
    let writer = server.client().await;
    let reader = server.client().await;
    writer
        .run("CREATE TABLE acct (id int PRIMARY KEY, n int); CREATE TABLE moves (i int)")
        .await;
    writer
        .run("INSERT INTO acct VALUES (1, 1000), (2, 0)")
        .await;
    let writing = async {
        for i in 0..MOVES {
            writer.run("BEGIN").await;
            writer.run("UPDATE acct SET n = n - 1 WHERE id = 1").await;
            writer.run("UPDATE acct SET n = n + 1 WHERE id = 2").await;
            writer.run(&format!("INSERT INTO moves VALUES ({i})")).await;
            writer.run("COMMIT").await;
        }
    };
    let reading = async {
        let mut seen = std::collections::BTreeSet::new();
        let sql = "SELECT (SELECT sum(n) FROM acct), (SELECT n FROM acct WHERE id = 2), \
                   (SELECT count(*) FROM moves)";
        loop {
            let line = reader.lines(sql).await.remove(0);
            let fields: Vec<i64> = line.split('|').map(|f| f.parse().unwrap()).collect();
            assert_eq!(fields[0], 1000, "money appeared or vanished: {line}");
            assert_eq!(fields[1], fields[2], "a move is half seen: {line}");
            seen.insert(fields[2]);
            if fields[2] == MOVES {
                return seen;
            }
        }
    };
    let ((), seen) = tokio::join!(writing, reading);
    assert!(
        seen.len() > 2,
        "the reader should have seen the moves go by, saw only {seen:?}"
    );
}

#[tokio::test]
async fn a_connection_closed_in_a_block_is_rolled_back() {
    let server = TestServer::start().await;
    let b = server.client().await;
    b.run("CREATE TABLE cc (id int PRIMARY KEY, n int); INSERT INTO cc VALUES (1, 0)")
        .await;

    // A client that says goodbye (Terminate) in the middle of a block.
    let a = server.client().await;
    a.run("BEGIN; UPDATE cc SET n = 1 WHERE id = 1; INSERT INTO cc VALUES (2, 0)")
        .await;
    drop(a);
    // One whose connection just breaks.
    let mut wire = server.wire().await;
    assert_eq!(
        wire.tags("BEGIN; INSERT INTO cc VALUES (3, 0)").await,
        ["BEGIN", "INSERT 0 1"]
    );
    drop(wire);

    // Their locks go with them: the row can be updated (lock_timeout guards the wait
    // for the server to notice the closed connections).
    b.run("SET lock_timeout = '5s'").await;
    assert_eq!(b.counts("UPDATE cc SET n = n + 10 WHERE id = 1").await, [1]);
    b.run("INSERT INTO cc VALUES (2, 2), (3, 3)").await;
    assert_eq!(
        b.lines("SELECT id, n FROM cc ORDER BY id").await,
        ["1|10", "2|2", "3|3"]
    );
}

#[tokio::test]
async fn an_autocommit_statement_commits_whole_or_not_at_all() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE ac (id int PRIMARY KEY, n int)").await;
    let rows = "SELECT id, n FROM ac ORDER BY id";
    a.run("INSERT INTO ac VALUES (1, 1), (2, 2)").await;
    assert_eq!(b.lines(rows).await, ["1|1", "2|2"]);
    a.expect_sqlstate("INSERT INTO ac VALUES (3, 3), (1, 1)", "23505")
        .await;
    a.expect_sqlstate("UPDATE ac SET n = 10 / (id - 2)", "22012")
        .await;
    a.expect_sqlstate("DELETE FROM ac WHERE 1 / (id - 2) = 0", "22012")
        .await;
    assert_eq!(b.lines(rows).await, ["1|1", "2|2"]);
}

#[tokio::test]
async fn a_multi_statement_query_is_one_implicit_transaction() {
    let server = TestServer::start().await;
    let client = server.client().await;
    client.run("CREATE TABLE m (id int)").await;
    let rows = "SELECT id FROM m ORDER BY id";
    let mut wire = server.wire().await;
    const NO_TXN: &str = "N WARNING 25P01 there is no transaction in progress";

    // An error anywhere undoes the statements before it.
    assert_eq!(
        wire.transcript("INSERT INTO m VALUES (1); SELECT 1 / 0")
            .await,
        ["C INSERT 0 1", "E 22012", "Z I"]
    );
    assert_eq!(client.lines(rows).await, Vec::<String>::new());

    // COMMIT ends the implicit transaction (warning that there is no block): what came
    // before it stays.
    assert_eq!(
        wire.transcript("INSERT INTO m VALUES (2); COMMIT; SELECT 1 / 0")
            .await,
        ["C INSERT 0 1", NO_TXN, "C COMMIT", "E 22012", "Z I"]
    );
    assert_eq!(client.lines(rows).await, ["2"]);

    // ROLLBACK undoes it, and the statements after it run on their own.
    assert_eq!(
        wire.transcript("INSERT INTO m VALUES (3); ROLLBACK; INSERT INTO m VALUES (4)")
            .await,
        ["C INSERT 0 1", NO_TXN, "C ROLLBACK", "C INSERT 0 1", "Z I"]
    );
    assert_eq!(client.lines(rows).await, ["2", "4"]);

    // BEGIN turns the implicit transaction into a block that outlives the message, and
    // takes the statements before it along.
    assert_eq!(
        wire.transcript("INSERT INTO m VALUES (5); BEGIN; INSERT INTO m VALUES (6)")
            .await,
        ["C INSERT 0 1", "C BEGIN", "C INSERT 0 1", "Z T"]
    );
    assert_eq!(client.lines(rows).await, ["2", "4"]);
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
    assert_eq!(client.lines(rows).await, ["2", "4"]);

    // A block committed inside the message stays; the error after it undoes only what
    // follows the COMMIT.
    assert_eq!(
        wire.transcript(
            "BEGIN; INSERT INTO m VALUES (7); COMMIT; INSERT INTO m VALUES (8); SELECT 1 / 0"
        )
        .await,
        [
            "C BEGIN",
            "C INSERT 0 1",
            "C COMMIT",
            "C INSERT 0 1",
            "E 22012",
            "Z I"
        ]
    );
    assert_eq!(client.lines(rows).await, ["2", "4", "7"]);

    // A block that fails inside the message stays open, failed.
    assert_eq!(
        wire.transcript("INSERT INTO m VALUES (9); BEGIN; SELECT 1 / 0")
            .await,
        ["C INSERT 0 1", "C BEGIN", "E 22012", "Z E"]
    );
    assert_eq!(wire.transcript("SELECT 1").await, ["E 25P02", "Z E"]);
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
    assert_eq!(client.lines(rows).await, ["2", "4", "7"]);

    // A savepoint needs a real block.
    assert_eq!(
        wire.transcript("SELECT 1 AS one; SAVEPOINT s").await,
        ["T one:int4", "D 1", "C SELECT 1", "E 25P01", "Z I"]
    );
}
