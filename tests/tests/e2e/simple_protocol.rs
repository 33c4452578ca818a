//! The simple query protocol in full (issue 2, point 8): one Query message holding several
//! statements, the empty query, NOTICEs, ParameterStatus after SET.

use shale_tests::{ClientExt, Message, TestServer};

#[tokio::test]
async fn several_statements_in_one_query_each_with_its_result_and_tag() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript(
            "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x'), (2, NULL); \
             SELECT a, b FROM t ORDER BY a; UPDATE t SET a = a + 10; SELECT b FROM t WHERE a = 12; \
             DELETE FROM t WHERE a = 11; SELECT count(*) AS n FROM t"
        )
        .await,
        [
            "C CREATE TABLE",
            "C INSERT 0 2",
            "T a:int4,b:text",
            "D 1|x",
            "D 2|NULL",
            "C SELECT 2",
            "C UPDATE 2",
            "T b:text",
            "D NULL",
            "C SELECT 1",
            "C DELETE 1",
            "T n:int8",
            "D 1",
            "C SELECT 1",
            "Z I",
        ]
    );
}

#[tokio::test]
async fn execution_stops_at_the_first_error_and_the_whole_message_is_undone() {
    // Statements of one Query message form one implicit transaction: the error rolls back
    // the INSERT before it, and the one after it never runs.
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    wire.query("CREATE TABLE t (a int)").await;
    assert_eq!(
        wire.transcript("INSERT INTO t VALUES (1); SELECT 1 / 0; INSERT INTO t VALUES (2)")
            .await,
        ["C INSERT 0 1", "E 22012", "Z I"]
    );
    assert_eq!(
        wire.transcript("SELECT count(*) FROM t").await,
        ["T count:int8", "D 0", "C SELECT 1", "Z I"]
    );
}

#[tokio::test]
async fn a_table_created_earlier_in_a_failing_message_does_not_exist() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("CREATE TABLE m (a int); INSERT INTO m VALUES (1); SELECT * FROM missing")
            .await,
        ["C CREATE TABLE", "C INSERT 0 1", "E 42P01", "Z I"]
    );
    assert_eq!(wire.transcript("SELECT * FROM m").await, ["E 42P01", "Z I"]);
    assert_eq!(
        wire.transcript("CREATE TABLE m (a int)").await,
        ["C CREATE TABLE", "Z I"]
    );
}

#[tokio::test]
async fn a_syntax_error_anywhere_in_the_message_runs_nothing() {
    // The whole string is parsed before anything runs.
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("CREATE TABLE p (a int); SELEC 1").await,
        ["E 42601", "Z I"]
    );
    assert_eq!(wire.transcript("SELECT * FROM p").await, ["E 42P01", "Z I"]);
}

#[tokio::test]
async fn the_empty_query() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(wire.transcript("").await, ["I", "Z I"]);
    assert_eq!(wire.transcript("   \n\t ").await, ["I", "Z I"]);
    assert_eq!(wire.transcript(";").await, ["I", "Z I"]);
    assert_eq!(wire.transcript("-- only a comment").await, ["I", "Z I"]);
    assert_eq!(
        wire.transcript("SELECT 1 AS one;;").await,
        ["T one:int4", "D 1", "C SELECT 1", "Z I"]
    );
}

#[tokio::test]
async fn create_table_if_not_exists_on_an_existing_table_sends_a_notice() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("CREATE TABLE IF NOT EXISTS t (a int)")
            .await,
        ["C CREATE TABLE", "Z I"]
    );
    let messages = wire.query("CREATE TABLE IF NOT EXISTS t (a int)").await;
    let Message::Notice(notice) = &messages[0] else {
        panic!("expected a NOTICE first: {messages:?}")
    };
    assert_eq!(notice.severity(), "NOTICE");
    assert_eq!(notice.code(), "42P07");
    assert_eq!(notice.message(), "relation \"t\" already exists, skipping");
    assert_eq!(
        messages[1..],
        [
            Message::CommandComplete("CREATE TABLE".into()),
            Message::ReadyForQuery('I')
        ]
    );
}

#[tokio::test]
async fn notices_of_several_statements_come_in_order() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript(
            "CREATE TABLE t (a int); CREATE TABLE IF NOT EXISTS t (a int); DROP TABLE IF EXISTS u; \
             CREATE SCHEMA IF NOT EXISTS public"
        )
        .await,
        [
            "C CREATE TABLE",
            "N 42P07 relation \"t\" already exists, skipping",
            "C CREATE TABLE",
            "N 00000 table \"u\" does not exist, skipping",
            "C DROP TABLE",
            "N 42P06 schema \"public\" already exists, skipping",
            "C CREATE SCHEMA",
            "Z I",
        ]
    );
}

#[tokio::test]
async fn set_reports_changed_parameters_and_show_reads_them() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("SET application_name = 'renamed'").await,
        ["C SET", "S application_name=renamed", "Z I"],
        "PostgreSQL reports the new value after the CommandComplete"
    );
    assert_eq!(
        wire.transcript("SHOW application_name").await,
        ["T application_name:text", "D renamed", "C SHOW", "Z I"]
    );
    assert_eq!(
        wire.transcript("SET search_path = public").await,
        ["C SET", "Z I"],
        "search_path is not reported"
    );
}

#[tokio::test]
async fn the_session_answers_after_every_kind_of_error() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    for sql in [
        "SELEC 1",
        "SELECT * FROM missing",
        "SELECT 1 / 0",
        "SELECT 'x'::int",
    ] {
        let messages = wire.query(sql).await;
        assert!(
            matches!(
                messages[..],
                [Message::Error(_), Message::ReadyForQuery('I')]
            ),
            "{sql}: {messages:?}"
        );
        assert_eq!(
            wire.transcript("SELECT 2 AS two").await,
            ["T two:int4", "D 2", "C SELECT 1", "Z I"]
        );
    }
    let client = server.client().await;
    assert_eq!(client.value("SELECT 'still here'").await, "still here");
}
