//! `character(n)` and `character varying(n)` (issue 3, point 4): explicit casts cut (and
//! pad) to the length, storing a value too long fails, and `character` values compare and
//! concatenate without their trailing spaces, as in PostgreSQL.

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn character_types_cast_compare_and_concatenate_as_in_postgres() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines("SELECT 'ab'::char(5), 'ab'::char(5) || '|', 'abcdef'::varchar(3), 'abcdef'::char(2)").await,
        ["ab   |ab||abc|ab"]
    );
    client.run("CREATE TABLE cc (id int PRIMARY KEY, c char(3), v varchar(3))").await;
    client.run("INSERT INTO cc VALUES (1, 'ab', 'ab'), (2, 'a', 'a  ')").await;
    client.expect_sqlstate("INSERT INTO cc VALUES (3, 'abcd', 'a')", "22001").await;
    assert_eq!(client.lines("SELECT c, c || '|', v || '|' FROM cc ORDER BY id").await, ["ab |ab||ab|", "a  |a||a  |"]);
    assert_eq!(client.lines("SELECT id FROM cc WHERE c = 'ab'").await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM cc WHERE c = 'ab  '").await, ["1"]);
    assert_eq!(client.lines("SELECT id FROM cc WHERE c = v ORDER BY id").await, ["1", "2"]);
    assert_eq!(client.lines("SELECT 'ab '::char(3) = 'ab'::char(5)").await, ["t"]);
}

#[tokio::test]
async fn the_name_type_keeps_63_bytes() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE nt (n name, t text)").await;
    client.run("INSERT INTO nt VALUES ('abc', 'x'), (repeat('z', 70), 'long')").await;
    assert_eq!(client.lines("SELECT length(n), pg_typeof(n) FROM nt ORDER BY n").await, ["3|name", "63|name"]);
    assert_eq!(client.value("SELECT t FROM nt WHERE n = 'abc'").await, "x");
    assert_eq!(
        client.value("SELECT format_type(atttypid, atttypmod) || ' ' || attlen FROM pg_attribute WHERE attrelid = 'nt'::regclass AND attname = 'n'").await,
        "name 64"
    );
    assert_eq!(client.value("SELECT pg_typeof('hello'::name)").await, "name");
}
