//! Enum types: CREATE TYPE ... AS ENUM, columns of them ordered by declaration, ALTER TYPE
//! ADD VALUE / RENAME VALUE / RENAME TO, DROP TYPE, pg_type / pg_enum and psql's `\dT+`
//! (issue 14, point 3).

use std::error::Error;

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

#[tokio::test]
async fn enum_values_sort_and_compare_in_declaration_order() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").await;
    client.run("CREATE TABLE person (name text PRIMARY KEY, m mood NOT NULL DEFAULT 'ok', was mood)").await;
    client.run("INSERT INTO person VALUES ('a', 'happy', NULL), ('b', 'sad', 'happy')").await;
    client.run("INSERT INTO person (name) VALUES ('c')").await;
    // Declaration order, not the labels' alphabetical order.
    assert_eq!(client.lines("SELECT name, m FROM person ORDER BY m").await, ["b|sad", "c|ok", "a|happy"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE m > 'sad' ORDER BY m DESC").await, ["a", "c"]);
    assert_eq!(client.lines("SELECT min(m), max(m) FROM person").await, ["sad|happy"]);
    assert_eq!(client.lines("SELECT m, count(*) FROM person GROUP BY m ORDER BY m").await, ["sad|1", "ok|1", "happy|1"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE m IN ('ok', 'happy') ORDER BY name").await, ["a", "c"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE was = m ORDER BY name").await, Vec::<String>::new());
    assert_eq!(client.value("SELECT 'happy'::mood > 'ok'::mood").await, "t");
    assert_eq!(client.value("SELECT m::text || '!' FROM person WHERE name = 'a'").await, "happy!");
    assert_eq!(client.value("SELECT CASE WHEN m = 'sad' THEN 'ok' ELSE m END FROM person WHERE name = 'b'").await, "ok");
    assert_eq!(client.value("SELECT pg_typeof(m)::text FROM person LIMIT 1").await, "mood");
    // Indexed, the same answers.
    client.run("CREATE INDEX ON person (m)").await;
    assert_eq!(client.lines("SELECT name FROM person WHERE m = 'happy'").await, ["a"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE m < 'happy' ORDER BY m").await, ["b", "c"]);
    client.run("UPDATE person SET m = 'happy', was = m WHERE name = 'c'").await;
    assert_eq!(client.lines("SELECT m, was FROM person WHERE name = 'c'").await, ["happy|ok"]);
    // A label the type does not have.
    client.expect_error("INSERT INTO person VALUES ('d', 'angry')", "22P02", "invalid input value for enum mood: \"angry\"").await;
    client.expect_error("UPDATE person SET m = 'meh'", "22P02", "invalid input value for enum mood: \"meh\"").await;
    client.expect_error("SELECT 'x'::mood", "22P02", "invalid input value for enum mood: \"x\"").await;
    client.expect_error("SELECT * FROM person WHERE m = 'x'", "22P02", "invalid input value for enum mood: \"x\"").await;
    // No operator compares an enum with text, or two enum types.
    client.expect_error("SELECT m = 'ok'::text FROM person", "42883", "operator does not exist: mood = text").await;
    client.run("CREATE TYPE rainbow AS ENUM ('red', 'ok')").await;
    client.expect_error("SELECT 'ok'::rainbow = 'ok'::mood", "42883", "operator does not exist: rainbow = mood").await;
    client.expect_error("SELECT 1::mood", "42846", "cannot cast type integer to mood").await;
}

#[tokio::test]
async fn enum_first_last_and_range_read_the_type() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE rainbow AS ENUM ('red', 'orange', 'yellow', 'green', 'blue')").await;
    client.run("ALTER TYPE rainbow ADD VALUE 'purple' AFTER 'blue'").await;
    assert_eq!(client.lines("SELECT enum_first(NULL::rainbow), enum_last('green'::rainbow)").await, ["red|purple"]);
    assert_eq!(client.value("SELECT enum_range(NULL::rainbow)").await, "{red,orange,yellow,green,blue,purple}");
    assert_eq!(client.value("SELECT enum_range('orange'::rainbow, 'green'::rainbow)").await, "{orange,yellow,green}");
    assert_eq!(client.value("SELECT enum_range(NULL, 'green'::rainbow)").await, "{red,orange,yellow,green}");
    assert_eq!(client.value("SELECT enum_range('blue'::rainbow, NULL)").await, "{blue,purple}");
    client.expect_error("SELECT enum_first(NULL)", "42883", "function enum_first(unknown) does not exist").await;
    // A foreign key joins values of one enum type only.
    client.run("CREATE TABLE paint (c rainbow PRIMARY KEY)").await;
    client.run("CREATE TABLE brush (c rainbow REFERENCES paint)").await;
    client.run("CREATE TYPE other AS ENUM ('red')").await;
    let e = client.error("CREATE TABLE pen (c other REFERENCES paint)").await;
    assert_eq!((e.code().code(), e.message()), ("42804", "foreign key constraint \"pen_c_fkey\" cannot be implemented"));
    assert_eq!(e.detail(), Some("Key columns \"c\" and \"c\" are of incompatible types: other and rainbow."));
    client.expect_sqlstate("CREATE TABLE pencil (c int REFERENCES paint)", "42804").await;
    client.run("INSERT INTO paint VALUES ('green')").await;
    client.run("INSERT INTO brush VALUES ('green')").await;
    client.expect_sqlstate("INSERT INTO brush VALUES ('red')", "23503").await;
}

#[tokio::test]
async fn enum_columns_go_through_other_statements() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").await;
    client.run("CREATE TABLE p (id int PRIMARY KEY, m mood)").await;
    client.run("INSERT INTO p VALUES (1, 'happy'), (2, 'sad'), (3, 'ok'), (4, NULL)").await;
    client.run("CREATE TABLE copied AS SELECT * FROM p").await;
    assert_eq!(client.lines("SELECT id FROM copied WHERE m > 'sad' ORDER BY m").await, ["3", "1"]);
    client.run("CREATE MATERIALIZED VIEW counts AS SELECT m, count(*) AS n FROM p GROUP BY m").await;
    assert_eq!(client.lines("SELECT m, n FROM counts ORDER BY m").await, ["sad|1", "ok|1", "happy|1", "NULL|1"]);
    assert_eq!(client.lines("SELECT id, rank() OVER (ORDER BY m) FROM p ORDER BY id").await, ["1|3", "2|1", "3|2", "4|4"]);
    assert_eq!(client.lines("SELECT m::varchar(2) FROM p WHERE id = 1").await, ["ha"]);
    assert_eq!(client.lines("SELECT m FROM p UNION SELECT 'ok'::mood ORDER BY 1").await, ["sad", "ok", "happy", "NULL"]);
    client.run("ALTER TABLE p ADD COLUMN m2 mood DEFAULT 'ok'").await;
    assert_eq!(client.lines("SELECT DISTINCT m2 FROM p").await, ["ok"]);
    client.run("CREATE VIEW cheerful AS SELECT id, m FROM p WHERE m <> 'sad'").await;
    assert_eq!(client.lines("SELECT id FROM cheerful ORDER BY m").await, ["3", "1"]);
}

#[tokio::test]
async fn creating_a_type_checks_its_name_and_labels() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'happy')").await;
    client.expect_error("CREATE TYPE mood AS ENUM ('x')", "42710", "type \"mood\" already exists").await;
    client.run("CREATE TABLE t (a int)").await;
    client.expect_error("CREATE TYPE t AS ENUM ('x')", "42710", "type \"t\" already exists").await;
    let long = "x".repeat(64);
    let e = client.error(&format!("CREATE TYPE long_label AS ENUM ('{long}')")).await;
    assert_eq!((e.code().code(), e.message()), ("42602", format!("invalid enum label \"{long}\"").as_str()));
    assert_eq!(e.detail(), Some("Labels must be 63 bytes or less."));
    client.expect_sqlstate("CREATE TYPE twice AS ENUM ('a', 'a')", "23505").await;
    client.expect_error("CREATE TABLE u (m nosuch)", "42704", "type \"nosuch\" does not exist").await;
    // An empty enum is allowed; the type is in its schema.
    client.run("CREATE SCHEMA s").await;
    client.run("CREATE TYPE s.empty AS ENUM ()").await;
    client.run("CREATE TABLE s.u (m s.empty)").await;
    client.expect_error("INSERT INTO s.u VALUES ('a')", "22P02", "invalid input value for enum s.empty: \"a\"").await;
    // The statement is part of its transaction.
    client.run("BEGIN").await;
    client.run("CREATE TYPE gone AS ENUM ('a')").await;
    client.run("ROLLBACK").await;
    client.expect_error("SELECT 'a'::gone", "42704", "type \"gone\" does not exist").await;
}

#[tokio::test]
async fn alter_type_adds_values_where_told_and_renames_without_touching_rows() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").await;
    client.run("CREATE TABLE person (name text, m mood)").await;
    client.run("INSERT INTO person VALUES ('a', 'happy'), ('b', 'sad'), ('c', 'ok')").await;
    client.run("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'").await;
    client.run("ALTER TYPE mood ADD VALUE 'ecstatic' AFTER 'happy'").await;
    client.run("ALTER TYPE mood ADD VALUE 'depressed' BEFORE 'sad'").await;
    client.run("ALTER TYPE mood ADD VALUE 'content'").await;
    client.run("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'").await;
    client.expect_error("ALTER TYPE mood ADD VALUE 'meh'", "42710", "enum label \"meh\" already exists").await;
    client.expect_error("ALTER TYPE mood ADD VALUE 'x' AFTER 'zz'", "22023", "\"zz\" is not an existing enum label").await;
    assert_eq!(
        client.lines("SELECT enumlabel, enumsortorder FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY 2").await,
        ["depressed|0", "sad|1", "meh|1.5", "ok|2", "happy|3", "ecstatic|4", "content|5"]
    );
    client.run("INSERT INTO person VALUES ('d', 'meh'), ('e', 'depressed')").await;
    assert_eq!(client.lines("SELECT name FROM person ORDER BY m").await, ["e", "b", "d", "c", "a"]);
    // Indexed, ranges still follow the sort order, not the order labels were added in.
    client.run("CREATE INDEX ON person (m)").await;
    assert_eq!(client.lines("SELECT name FROM person WHERE m < 'ok' ORDER BY m").await, ["e", "b", "d"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE m BETWEEN 'meh' AND 'happy' ORDER BY m").await, ["d", "c", "a"]);
    assert_eq!(client.lines("SELECT name FROM person WHERE m = 'meh'").await, ["d"]);
    // Renaming a value renames it in every row.
    client.run("ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'").await;
    assert_eq!(client.value("SELECT m FROM person WHERE name = 'c'").await, "fine");
    assert_eq!(client.value("SELECT count(*) FROM person WHERE m = 'fine'").await, "1");
    client.expect_error("SELECT 'ok'::mood", "22P02", "invalid input value for enum mood: \"ok\"").await;
    client.expect_error("ALTER TYPE mood RENAME VALUE 'zz' TO 'y'", "22023", "\"zz\" is not an existing enum label").await;
    client.expect_error("ALTER TYPE mood RENAME VALUE 'sad' TO 'happy'", "42710", "enum label \"happy\" already exists").await;
    // Renaming the type.
    client.run("ALTER TYPE mood RENAME TO feeling").await;
    assert_eq!(client.value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'person'::regclass AND attname = 'm'").await, "feeling");
    assert_eq!(client.value("SELECT 'happy'::feeling::text").await, "happy");
    client.expect_error("ALTER TYPE mood ADD VALUE 'x'", "42704", "type \"mood\" does not exist").await;
}

#[tokio::test]
async fn a_type_in_use_is_dropped_only_with_cascade() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'happy')").await;
    client.run("CREATE TABLE person (name text, m mood)").await;
    client.run("INSERT INTO person VALUES ('a', 'happy')").await;
    let e = client.error("DROP TYPE mood").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop type mood because other objects depend on it"));
    assert_eq!(e.detail(), Some("column m of table person depends on type mood"));
    assert_eq!(e.hint(), Some("Use DROP ... CASCADE to drop the dependent objects too."));
    client.expect_error("DROP TYPE nosuch", "42704", "type \"nosuch\" does not exist").await;
    let out = server.psql("DROP TYPE IF EXISTS nosuch;\nDROP TYPE mood CASCADE;\n").await;
    assert!(out.stderr.contains("NOTICE:  type \"nosuch\" does not exist, skipping"), "{}", out.stderr);
    assert!(out.stderr.contains("NOTICE:  drop cascades to column m of table person"), "{}", out.stderr);
    assert_eq!(client.column_names("SELECT * FROM person").await, ["name"]);
    assert_eq!(client.value("SELECT count(*) FROM pg_type WHERE typname IN ('mood', '_mood')").await, "0");
    // A type no column uses goes, in its transaction.
    client.run("CREATE TYPE a AS ENUM ('x')").await;
    client.run("CREATE TYPE b AS ENUM ('y')").await;
    client.run("BEGIN").await;
    client.run("DROP TYPE a, b").await;
    client.run("ROLLBACK").await;
    assert_eq!(client.value("SELECT 'x'::a::text").await, "x");
    client.run("DROP TYPE a, b").await;
    client.expect_sqlstate("SELECT 'x'::a", "42704").await;
}

#[tokio::test]
async fn a_drop_waiting_for_a_column_being_given_the_type_sees_it() {
    // Shale-only: PostgreSQL 15's DROP TYPE does not wait for a transaction that gives a
    // column the type, and drops it under the column being made.
    let Some(server) = TestServer::start_shale("PostgreSQL 15 does not lock the type").await else { return };
    let (first, second) = (server.client().await, server.client().await);
    first.run("CREATE TYPE mood AS ENUM ('sad', 'happy')").await;
    first.run("BEGIN").await;
    first.run("CREATE TABLE person (m mood)").await;
    // The DROP waits for the transaction that gives a column the type...
    let drop = shale_tests::Background::start(second, "DROP TYPE mood");
    assert!(drop.still_running_after(std::time::Duration::from_millis(300)).await, "DROP TYPE waits");
    first.run("COMMIT").await;
    // ...and then finds the column.
    let (second, result) = drop.finish().await;
    assert_eq!(shale_tests::sqlstate(&result), Some("2BP01"), "{result:?}");
    assert_eq!(second.value("SELECT count(*) FROM person").await, "0");
}

#[tokio::test]
async fn catalogs_and_psql_describe_enum_types() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE color AS ENUM ('red', 'green', 'blue')").await;
    client.run("COMMENT ON TYPE color IS 'paint colors'").await;
    client.run("CREATE TABLE paint (id int, c color NOT NULL DEFAULT 'green')").await;
    assert_eq!(
        client
            .lines(
                "SELECT t.typname, t.typtype, t.typcategory, t.typlen, a.typname, a.typelem = t.oid \
                 FROM pg_type t JOIN pg_type a ON a.oid = t.typarray WHERE t.typname = 'color'"
            )
            .await,
        ["color|e|E|4|_color|t"]
    );
    assert_eq!(client.value("SELECT obj_description('color'::regtype, 'pg_type')").await, "paint colors");
    assert_eq!(client.value("SELECT format_type('color'::regtype, NULL)").await, "color");
    let out = server.psql_with(&["-A"], "\\dT+ color\n").await;
    assert!(out.stdout.contains("public|color|color|4|red\ngreen\nblue|"), "{}", out.stdout);
    assert!(out.stdout.contains("|paint colors"), "{}", out.stdout);
    let out = server.psql_with(&["-A"], "\\d paint\n").await;
    assert!(out.stdout.contains("c|color||not null|'green'::color"), "{}", out.stdout);
}

/// An enum value as tokio-postgres reads and sends it: its label, for any enum type.
#[derive(Debug, PartialEq)]
struct Label(String);

impl<'a> FromSql<'a> for Label {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        Ok(Label(std::str::from_utf8(raw)?.to_string()))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), Kind::Enum(_))
    }
}

impl ToSql for Label {
    fn to_sql(&self, _: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(ty.kind(), Kind::Enum(_))
    }

    to_sql_checked!();
}

#[tokio::test]
async fn clients_read_and_bind_enum_values_in_binary() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')").await;
    client.run("CREATE TABLE person (name text, m mood)").await;
    // tokio-postgres learns the type from pg_type and its labels from pg_enum.
    let insert = client.prepare("INSERT INTO person VALUES ($1, $2)").await.expect("prepare");
    assert_eq!(insert.params()[1].name(), "mood");
    assert_eq!(insert.params()[1].kind(), &Kind::Enum(vec!["sad".into(), "ok".into(), "happy".into()]));
    client.execute(&insert, &[&"a", &Label("happy".into())]).await.expect("insert");
    client.execute(&insert, &[&"b", &Label("sad".into())]).await.expect("insert");
    let e = client.execute(&insert, &[&"c", &Label("angry".into())]).await.expect_err("not a label");
    assert_eq!(e.code().map(|c| c.code()), Some("22P02"));
    let rows = client.query("SELECT m FROM person WHERE m >= $1 ORDER BY m", &[&Label("ok".into())]).await.expect("query");
    let labels: Vec<Label> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(labels, [Label("happy".into())]);
    let rows = client.query("SELECT m FROM person ORDER BY m", &[]).await.expect("query");
    assert_eq!(rows.iter().map(|r| r.get::<_, Label>(0)).collect::<Vec<_>>(), [Label("sad".into()), Label("happy".into())]);
}

#[tokio::test]
async fn values_added_at_once_by_two_sessions_are_both_kept_apart() {
    let (_server, first, second) = TestServer::start_with_two_clients().await;
    first.run("CREATE TYPE mood AS ENUM ('sad')").await;
    first.run("CREATE TABLE person (name text, m mood)").await;
    first.run("BEGIN").await;
    first.run("ALTER TYPE mood ADD VALUE 'ok'").await;
    // The second waits for the first, then adds its label after the first's, with a
    // number of its own (a shared number would make the two labels one value).
    let add = shale_tests::Background::start(second, "ALTER TYPE mood ADD VALUE 'happy'");
    assert!(add.still_running_after(std::time::Duration::from_millis(300)).await, "the second ALTER TYPE waits");
    first.run("COMMIT").await;
    let (second, result) = add.finish().await;
    assert_eq!(shale_tests::sqlstate(&result), None, "{result:?}");
    assert_eq!(
        second.lines("SELECT enumlabel, enumsortorder FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY 2").await,
        ["sad|1", "ok|2", "happy|3"]
    );
    assert_eq!(second.value("SELECT count(DISTINCT oid) FROM pg_enum WHERE enumtypid = 'mood'::regtype").await, "3");
    second.run("INSERT INTO person VALUES ('a', 'happy'), ('b', 'ok')").await;
    assert_eq!(second.lines("SELECT name, m FROM person ORDER BY m").await, ["b|ok", "a|happy"]);
}
