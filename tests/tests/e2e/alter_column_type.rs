//! `ALTER TABLE ... ALTER COLUMN ... TYPE ... [USING expr]` (issue 14, point 5): every row
//! rewritten in the statement's transaction, checked as an INSERT is, keys and indexes
//! built anew, with PostgreSQL's errors.

use std::time::Duration;

use shale_tests::{Background, ClientExt, TestServer, sqlstate};
use tokio_postgres::types::Type;

async fn with_table() -> (TestServer, tokio_postgres::Client) {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE ct (id int PRIMARY KEY, code text, amount int DEFAULT 5, flag text, note varchar(10), CHECK (amount >= 0))")
        .await;
    client.run("INSERT INTO ct VALUES (1, '10', 100, 'true', 'hello'), (2, '20', 200, 'false', 'hi')").await;
    (server, client)
}

async fn column_types(client: &tokio_postgres::Client, sql: &str) -> Vec<Type> {
    let statement = client.prepare(sql).await.expect("prepare");
    statement.columns().iter().map(|c| c.type_().clone()).collect()
}

#[tokio::test]
async fn a_column_changes_type_with_its_values() {
    let (_server, client) = with_table().await;
    client.run("ALTER TABLE ct ALTER COLUMN amount TYPE bigint").await;
    client.run("ALTER TABLE ct ALTER COLUMN code TYPE int USING code::int").await;
    client.run("ALTER TABLE ct ALTER COLUMN flag TYPE boolean USING flag::boolean, ALTER COLUMN note TYPE varchar(5)").await;
    assert_eq!(
        column_types(&client, "SELECT id, code, amount, flag, note FROM ct").await,
        [Type::INT4, Type::INT4, Type::INT8, Type::BOOL, Type::VARCHAR]
    );
    assert_eq!(client.lines("SELECT * FROM ct ORDER BY id").await, ["1|10|100|t|hello", "2|20|200|f|hi"]);
    client.run("INSERT INTO ct (id, code, amount, flag) VALUES (3, 30, 5000000000, true)").await;
    client.run("ALTER TABLE ct ALTER amount SET DATA TYPE numeric(12,2)").await;
    assert_eq!(client.lines("SELECT id, amount FROM ct ORDER BY id").await, ["1|100.00", "2|200.00", "3|5000000000.00"]);
    assert_eq!(client.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'ct'::regclass AND attname = 'amount'").await, "numeric(12,2)");
    // The default is cast with the column.
    client.run("INSERT INTO ct (id) VALUES (4)").await;
    assert_eq!(client.value("SELECT amount FROM ct WHERE id = 4").await, "5.00");
    // A key column: rows are keyed and found by the new type's values.
    client.run("ALTER TABLE ct ALTER COLUMN id TYPE bigint").await;
    client.run("INSERT INTO ct (id) VALUES (9000000000)").await;
    assert_eq!(client.lines("SELECT id FROM ct WHERE id >= 3 ORDER BY id").await, ["3", "4", "9000000000"]);
    client.expect_sqlstate("INSERT INTO ct (id) VALUES (9000000000)", "23505").await;
    client.run("ALTER TABLE ct ALTER COLUMN id TYPE text").await;
    assert_eq!(client.lines("SELECT id FROM ct ORDER BY id").await, ["1", "2", "3", "4", "9000000000"]);
    assert_eq!(client.value("SELECT code FROM ct WHERE id = '2'").await, "20");
}

#[tokio::test]
async fn an_index_on_the_column_is_built_anew() {
    let (_server, client) = with_table().await;
    client.run("CREATE INDEX ct_code ON ct (code)").await;
    client.run("CREATE UNIQUE INDEX ct_code_note ON ct ((code || note), id)").await;
    client.run("ALTER TABLE ct ALTER COLUMN code TYPE int USING code::int * 2").await;
    assert_eq!(client.lines("SELECT id FROM ct WHERE code = 40").await, ["2"]);
    assert_eq!(client.lines("SELECT id FROM ct WHERE code > 15 ORDER BY code DESC").await, ["2", "1"]);
    client
        .expect_error(
            "CREATE UNIQUE INDEX ct_code_mod10 ON ct ((code % 10))",
            "23505",
            "could not create unique index \"ct_code_mod10\"",
        )
        .await;
    client.run("CREATE UNIQUE INDEX ct_code_unique ON ct (code)").await;
    client.expect_error("ALTER TABLE ct ALTER COLUMN code TYPE int USING 7", "23505", "could not create unique index \"ct_code_unique\"").await;
    assert_eq!(client.lines("SELECT code FROM ct ORDER BY id").await, ["20", "40"]);
}

#[tokio::test]
async fn what_the_new_type_refuses_fails_the_whole_statement() {
    let (_server, client) = with_table().await;
    client
        .expect_error("ALTER TABLE ct ALTER COLUMN code TYPE int", "42804", "column \"code\" cannot be cast automatically to type integer")
        .await;
    let hint = client.error("ALTER TABLE ct ALTER COLUMN flag TYPE int").await;
    assert_eq!(hint.hint(), Some("You might need to specify \"USING flag::integer\"."));
    client.expect_error("ALTER TABLE ct ALTER COLUMN code TYPE int USING code::int + 1, ALTER COLUMN note TYPE varchar(3)", "22001", "value too long for type character varying(3)").await;
    client.expect_sqlstate("ALTER TABLE ct ALTER COLUMN code TYPE int USING code::int / 0", "22012").await;
    client
        .expect_error(
            "ALTER TABLE ct ALTER COLUMN amount TYPE int USING amount - 150",
            "23514",
            "check constraint \"ct_amount_check\" of relation \"ct\" is violated by some row",
        )
        .await;
    client.expect_error("ALTER TABLE ct ALTER COLUMN nope TYPE int", "42703", "column \"nope\" of relation \"ct\" does not exist").await;
    client.expect_sqlstate("ALTER TABLE ct ALTER COLUMN code TYPE nosuchtype", "42704").await;
    client.run("CREATE VIEW cv AS SELECT code FROM ct").await;
    let error = client.error("ALTER TABLE ct ALTER COLUMN code TYPE varchar(20)").await;
    assert_eq!((error.code().code(), error.message()), ("0A000", "cannot alter type of a column used by a view or rule"));
    assert_eq!(error.detail(), Some("rule _RETURN on view cv depends on column \"code\""));
    // Nothing changed.
    assert_eq!(client.lines("SELECT * FROM ct ORDER BY id").await, ["1|10|100|true|hello", "2|20|200|false|hi"]);
    assert_eq!(column_types(&client, "SELECT code, amount FROM ct").await, [Type::TEXT, Type::INT4]);
}

#[tokio::test]
async fn a_rolled_back_type_change_leaves_the_old_type_and_writers_wait_for_it() {
    let (server, client) = with_table().await;
    client.run("BEGIN").await;
    client.run("ALTER TABLE ct ALTER COLUMN amount TYPE bigint").await;
    client.run("UPDATE ct SET amount = 6000000000 WHERE id = 1").await;
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT amount FROM ct ORDER BY id").await, ["100", "200"]);
    client.expect_sqlstate("UPDATE ct SET amount = 6000000000 WHERE id = 1", "22003").await;

    client.run("BEGIN").await;
    client.run("ALTER TABLE ct ALTER COLUMN amount TYPE bigint").await;
    let writer = Background::start(server.client().await, "INSERT INTO ct (id, amount) VALUES (3, 7)");
    assert!(writer.still_running_after(Duration::from_millis(300)).await, "the INSERT waits for the ALTER");
    client.run("COMMIT").await;
    let (writer, result) = writer.finish().await;
    assert_eq!(sqlstate(&result), None, "{result:?}");
    writer.run("INSERT INTO ct (id, amount) VALUES (4, 7000000000)").await;
    assert_eq!(client.lines("SELECT amount FROM ct ORDER BY id").await, ["100", "200", "7", "7000000000"]);
}

#[tokio::test]
async fn enum_and_text_columns_convert_both_ways() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").await;
    client.run("CREATE TABLE feelings (id int PRIMARY KEY, m text)").await;
    client.run("INSERT INTO feelings VALUES (1, 'happy'), (2, 'sad')").await;
    client.run("ALTER TABLE feelings ALTER COLUMN m TYPE mood USING m::mood").await;
    assert_eq!(client.lines("SELECT id FROM feelings ORDER BY m").await, ["2", "1"]);
    client.expect_sqlstate("INSERT INTO feelings VALUES (3, 'angry')", "22P02").await;
    client.run("ALTER TABLE feelings ALTER COLUMN m TYPE varchar(10)").await;
    assert_eq!(client.lines("SELECT m FROM feelings ORDER BY m").await, ["happy", "sad"]);
    client.expect_sqlstate("ALTER TABLE feelings ALTER COLUMN m TYPE mood USING 'angry'", "22P02").await;
}
