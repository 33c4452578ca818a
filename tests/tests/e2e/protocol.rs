//! The extended query protocol message by message (issue 3, points 1, 2 and 5), with the
//! raw client: what a driver pipelines and exactly what comes back.

use shale_tests::{TestServer, Wire};

async fn with_rows(server: &TestServer) -> Wire {
    let mut wire = server.wire().await;
    wire.query(
        "CREATE TABLE letters (id bigint PRIMARY KEY, name text);\
         INSERT INTO letters VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')",
    )
    .await;
    wire
}

#[tokio::test]
async fn describe_bind_and_execute_with_a_row_limit() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire
        .parse("after", "SELECT id, name FROM letters WHERE id > $1 ORDER BY id", &[])
        .describe('S', "after")
        .bind("p", "after", &[Some("1")])
        .describe('P', "p")
        .execute("p", 2)
        .execute("p", 1)
        .execute("p", 0)
        .sync()
        .await;
    assert_eq!(
        lines,
        [
            "1", "t int8", "T id:int8,name:text", "2", "T id:int8,name:text",
            "D 2|b", "D 3|c", "s", "D 4|d", "s", "D 5|e", "C SELECT 1", "Z I",
        ]
    );
}

#[tokio::test]
async fn several_portals_are_open_at_once() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire
        .parse("from", "SELECT name FROM letters WHERE id >= $1 ORDER BY id", &[])
        .bind("low", "from", &[Some("1")])
        .bind("high", "from", &[Some("4")])
        .execute("low", 1)
        .execute("high", 1)
        .execute("low", 1)
        .execute("high", 0)
        .close('P', "low")
        .sync()
        .await;
    assert_eq!(
        lines,
        ["1", "2", "2", "D a", "s", "D d", "s", "D b", "s", "D e", "C SELECT 1", "3", "Z I"]
    );
    // The unnamed statement and portal are replaced by the next Parse and Bind.
    let lines = wire
        .parse("", "SELECT $1::int + 1", &[])
        .bind("", "", &[Some("1")])
        .execute("", 0)
        .parse("", "SELECT $1::text || '!'", &[])
        .bind("", "", &[Some("x")])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["1", "2", "D 2", "C SELECT 1", "1", "2", "D x!", "C SELECT 1", "Z I"]);
}

#[tokio::test]
async fn statements_without_rows_describe_as_no_data() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire
        .parse("ins", "INSERT INTO letters VALUES ($1, $2)", &[])
        .describe('S', "ins")
        .bind("", "ins", &[Some("6"), Some("f")])
        .describe('P', "")
        .execute("", 0)
        .parse("", "UPDATE letters SET name = upper(name) WHERE id = $1", &[])
        .bind("", "", &[Some("6")])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(
        lines,
        ["1", "t int8,text", "n", "2", "n", "C INSERT 0 1", "1", "2", "C UPDATE 1", "Z I"]
    );
}

#[tokio::test]
async fn empty_statements_answer_empty_query_response() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    for sql in ["", ";;;", "  ;  "] {
        let lines = wire
            .parse("", sql, &[])
            .describe('S', "")
            .bind("", "", &[])
            .describe('P', "")
            .execute("", 0)
            .sync()
            .await;
        assert_eq!(lines, ["1", "t ", "n", "2", "n", "I", "Z I"], "{sql:?}");
    }
}

#[tokio::test]
async fn flush_sends_what_is_ready_without_sync() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire
        .parse("one", "SELECT name FROM letters WHERE id = $1", &[])
        .describe('S', "one")
        .flush(3)
        .await;
    assert_eq!(lines, ["1", "t int8", "T name:text"]);
    let lines = wire.bind("", "one", &[Some("2")]).execute("", 0).flush(3).await;
    assert_eq!(lines, ["2", "D b", "C SELECT 1"]);
    assert_eq!(wire.sync().await, ["Z I"]);
}

#[tokio::test]
async fn closed_and_unknown_statements_are_26000() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire
        .parse("gone", "SELECT 1", &[])
        .close('S', "gone")
        .bind("", "gone", &[])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["1", "3", "E 26000", "Z I"]);
    let lines = wire.bind("", "never", &[]).sync().await;
    assert_eq!(lines, ["E 26000", "Z I"]);
    let lines = wire.describe('S', "never").sync().await;
    assert_eq!(lines, ["E 26000", "Z I"]);
    // Closing what does not exist is not an error.
    let lines = wire.close('S', "never").close('P', "never").sync().await;
    assert_eq!(lines, ["3", "3", "Z I"]);
}

#[tokio::test]
async fn after_an_error_messages_are_skipped_until_sync() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    let lines = wire.parse("keep", "SELECT name FROM letters WHERE id = $1", &[]).sync().await;
    assert_eq!(lines, ["1", "Z I"]);
    let lines = wire
        .parse("bad", "SELEC 1", &[])
        .bind("", "keep", &[Some("1")])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["E 42601", "Z I"]);
    let lines = wire
        .bind("", "keep", &[Some("1")])
        .execute("", 0)
        .parse("", "SELECT 10 / (id - id) FROM letters WHERE id = $1", &[])
        .bind("", "", &[Some("1")])
        .execute("", 0)
        .bind("", "keep", &[Some("2")])
        .execute("", 0)
        .sync()
        .await;
    assert_eq!(lines, ["2", "D a", "C SELECT 1", "1", "2", "E 22012", "Z I"]);
    // The session and its prepared statement go on.
    let lines = wire.bind("", "keep", &[Some("3")]).execute("", 0).sync().await;
    assert_eq!(lines, ["2", "D c", "C SELECT 1", "Z I"]);
    // Inside a transaction block the error fails the block.
    wire.query("BEGIN").await;
    let lines = wire.bind("", "keep", &[Some("x")]).execute("", 0).sync().await;
    assert_eq!(lines, ["E 22P02", "Z E"]);
    let lines = wire.bind("", "keep", &[Some("1")]).execute("", 0).sync().await;
    assert_eq!(lines, ["E 25P02", "Z E"]);
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
}

#[tokio::test]
async fn parameter_types_are_inferred_or_taken_as_declared() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    wire.query("CREATE TABLE typed (n int, d date, ts timestamptz, v varchar(5), x numeric(6,2))")
        .await;
    let cases: [(&str, &[u32], &str); 8] = [
        ("SELECT name FROM letters WHERE id = $1", &[], "t int8"),
        ("SELECT name FROM letters ORDER BY id LIMIT $1", &[], "t int8"),
        ("SELECT name FROM letters LIMIT $1 OFFSET $2", &[], "t int8,int8"),
        ("SELECT $1::date", &[], "t date"),
        ("INSERT INTO typed VALUES ($1, $2, $3, $4, $5)", &[], "t int4,date,timestamptz,varchar,numeric"),
        ("INSERT INTO typed (x, n) VALUES ($1, $2)", &[], "t numeric,int4"),
        ("UPDATE typed SET d = $1 WHERE n = $2", &[], "t date,int4"),
        // Declared types win: int2 and text where the column would say int8.
        ("SELECT name FROM letters WHERE id = $1 AND name = $2", &[21, 25], "t int2,text"),
    ];
    for (sql, types, expected) in cases {
        let lines = wire.parse("", sql, types).describe('S', "").sync().await;
        assert_eq!(lines[..2], ["1".to_string(), expected.to_string()], "{sql}");
    }
}

#[tokio::test]
async fn parameter_values_that_do_not_fit_their_type_are_errors() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    wire.query("CREATE TABLE small (n int, s smallint, d date)").await;
    let cases: [(&str, &str, &str); 6] = [
        ("SELECT name FROM letters WHERE id = $1", "abc", "22P02"),
        ("SELECT name FROM letters WHERE id = $1", "99999999999999999999", "22003"),
        ("INSERT INTO small (n) VALUES ($1)", "3000000000", "22003"),
        ("INSERT INTO small (s) VALUES ($1)", "40000", "22003"),
        ("INSERT INTO small (d) VALUES ($1)", "2024-02-30", "22008"),
        ("SELECT $1::int", "1.5", "22P02"),
    ];
    for (sql, value, code) in cases {
        let lines = wire.parse("", sql, &[]).bind("", "", &[Some(value)]).execute("", 0).sync().await;
        assert_eq!(lines, ["1", format!("E {code}").as_str(), "Z I"], "{sql} with {value}");
    }
    assert_eq!(wire.transcript("SELECT count(*) FROM small").await[1], "D 0");
}

#[tokio::test]
async fn row_descriptions_carry_typmods_and_the_columns_table_and_number() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    wire.query(
        "CREATE TABLE described (id int PRIMARY KEY, dropped int, v varchar(10), c char(3),\
         x numeric(10,2), ts timestamp(3), tz timestamptz, t text);\
         ALTER TABLE described DROP COLUMN dropped;\
         CREATE TABLE other (id int PRIMARY KEY)",
    )
    .await;
    let columns = wire.row_description("SELECT * FROM described").await;
    let typmods: Vec<_> = columns.iter().map(|c| (c.name.as_str(), c.typmod)).collect();
    assert_eq!(
        typmods,
        [("id", -1), ("v", 14), ("c", 7), ("x", 655366), ("ts", 3), ("tz", -1), ("t", -1)]
    );
    let attnums: Vec<_> = columns.iter().map(|c| c.attnum).collect();
    assert_eq!(attnums, [1, 3, 4, 5, 6, 7, 8], "a dropped column keeps its number");
    let table = columns[0].table_oid;
    assert!(table >= 16384, "a user table's OID: {table}");
    assert!(columns.iter().all(|c| c.table_oid == table));

    let columns = wire.row_description("SELECT o.id, d.t, d.id + 1 AS next, 'k' AS k FROM other o, described d").await;
    let origins: Vec<_> = columns.iter().map(|c| (c.attnum, c.table_oid == table)).collect();
    assert_eq!(origins, [(1, false), (8, true), (0, false), (0, false)]);
    assert_ne!(columns[0].table_oid, 0);
    assert_eq!((columns[2].table_oid, columns[3].table_oid), (0, 0), "computed columns");

    // A cast has its own type and typmod, and is not read straight from the table.
    let columns = wire.row_description("SELECT v::text, x::numeric(7,3), x::numeric, x * 2, 12345::numeric(2,-3), id::varchar(20), 1.50 FROM described",
    )
    .await;
    let described: Vec<_> = columns.iter().map(|c| (c.name.as_str(), c.type_oid, c.typmod, c.table_oid)).collect();
    assert_eq!(
        described,
        [
            ("v", 25, -1, 0),
            ("x", 1700, 458_759, 0),
            ("x", 1700, -1, 0),
            ("?column?", 1700, -1, 0),
            ("numeric", 1700, 133_121, 0),
            ("id", 1043, 24, 0),
            ("?column?", 1700, -1, 0),
        ]
    );
}

#[tokio::test]
async fn table_oids_survive_a_restart() {
    let Some(mut server) = TestServer::start_shale("restarts the server").await else { return };
    let mut wire = server.wire().await;
    wire.query("CREATE TABLE kept (id int PRIMARY KEY, n int)").await;
    let before = wire.row_description("SELECT n FROM kept").await;
    drop(wire);
    server.restart().await;
    let mut wire = server.wire().await;
    let after = wire.row_description("SELECT n FROM kept").await;
    assert_eq!((after[0].table_oid, after[0].attnum), (before[0].table_oid, before[0].attnum));
    assert_eq!(after[0].attnum, 2);
}

/// `DEALLOCATE name` forgets a statement a Parse message prepared (psqlODBC sends it before
/// reusing a name); an unknown name is 26000.
#[tokio::test]
async fn deallocate_forgets_a_parsed_statement() {
    let server = TestServer::start().await;
    let mut wire = with_rows(&server).await;
    assert_eq!(wire.parse("plan1", "SELECT 1", &[]).sync().await, ["1", "Z I"]);
    assert_eq!(wire.tags("DEALLOCATE plan1").await, ["DEALLOCATE"]);
    assert_eq!(wire.bind("", "plan1", &[]).sync().await, ["E 26000", "Z I"]);
    let (fields, _) = wire.error("DEALLOCATE plan1").await;
    assert_eq!(fields.code(), "26000");
    assert_eq!(wire.parse("plan1", "SELECT 2", &[]).sync().await, ["1", "Z I"]);
}
