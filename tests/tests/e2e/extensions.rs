//! CREATE EXTENSION / DROP EXTENSION for the extensions whose functions Shale has built in
//! (pgcrypto, uuid-ossp), and those functions (issue 14, point 4).

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn extensions_are_made_listed_and_dropped() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE EXTENSION pgcrypto").await;
    client.run("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA public").await;
    client.run("CREATE EXTENSION IF NOT EXISTS pgcrypto").await;
    client.expect_error("CREATE EXTENSION pgcrypto", "42710", "extension \"pgcrypto\" already exists").await;
    assert_eq!(
        client
            .lines(
                "SELECT e.extname, e.extversion, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
                 WHERE e.extname <> 'plpgsql' ORDER BY 1"
            )
            .await,
        ["pgcrypto|1.3|public", "uuid-ossp|1.1|public"]
    );
    let out = server.psql("\\dx pgcrypto\n").await;
    assert!(out.stdout.contains("pgcrypto|1.3|public|cryptographic functions"), "{}", out.stdout);
    client.run("DROP EXTENSION \"uuid-ossp\", pgcrypto").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'").await, "0");
    client.expect_error("DROP EXTENSION pgcrypto", "42704", "extension \"pgcrypto\" does not exist").await;
    client.run("DROP EXTENSION IF EXISTS pgcrypto").await;
    // The statement is part of its transaction.
    client.run("BEGIN").await;
    client.run("CREATE EXTENSION pgcrypto").await;
    client.run("ROLLBACK").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'").await, "0");
}

#[tokio::test]
async fn an_extension_shale_does_not_provide_is_refused_with_the_list() {
    // Shale-only: PostgreSQL's answer depends on the extensions installed on its machine.
    let Some(server) = TestServer::start_shale("which extensions exist is Shale's").await else { return };
    let client = server.client().await;
    let e = client.error("CREATE EXTENSION postgis").await;
    assert_eq!((e.code().code(), e.message()), ("0A000", "extension \"postgis\" is not available"));
    assert_eq!(e.hint(), Some("The extensions Shale provides are: pgcrypto, uuid-ossp."));
}

#[tokio::test]
async fn the_functions_of_pgcrypto_and_uuid_ossp_answer_as_postgresql() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE EXTENSION IF NOT EXISTS pgcrypto").await;
    client.run("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"").await;
    assert_eq!(
        client.value("SELECT encode(digest('abc', 'sha256'), 'hex')").await,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(client.value("SELECT encode(digest('abc'::bytea, 'md5'), 'hex')").await, "900150983cd24fb0d6963f7d28e17f72");
    assert_eq!(client.value("SELECT encode(hmac('abc', 'key', 'sha1'), 'hex')").await, "4fd0b215276ef12f2b3e4c8ecac2811498b656fc");
    assert_eq!(client.value("SELECT length(gen_random_bytes(16))").await, "16");
    client.expect_error("SELECT gen_random_bytes(0)", "39000", "Length not in range").await;
    // A random UUID per row: version 4, all different.
    client.run("CREATE TABLE ids (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n int)").await;
    client.run("INSERT INTO ids (n) SELECT g FROM generate_series(1, 50) g").await;
    assert_eq!(client.value("SELECT count(DISTINCT id) FROM ids").await, "50");
    assert_eq!(client.value("SELECT count(*) FROM ids WHERE substr(id::text, 15, 1) = '4'").await, "50");
    assert_eq!(client.value("SELECT count(DISTINCT u) FROM (SELECT uuid_generate_v4() AS u FROM generate_series(1, 20)) q").await, "20");
}
