//! CREATE DATABASE / DROP DATABASE: each database has its own schemas and tables (issue
//! 14, point 1).

use std::time::{Duration, Instant};

use shale_tests::{ClientExt, TestServer, Wire};

/// A database name of this test's own: on the reference PostgreSQL tests run side by side
/// in one cluster, each in a database of its own.
fn own_name(server: &TestServer, suffix: &str) -> String {
    format!("{}_{suffix}", server.dbname())
}

#[tokio::test]
async fn each_database_has_its_own_schemas_and_tables() {
    let (server, client) = TestServer::start_with_client().await;
    let app = own_name(&server, "app");
    client.run(&format!("CREATE DATABASE {app}")).await;
    client.run("CREATE TABLE items (id int PRIMARY KEY, name text)").await;
    client.run("INSERT INTO items VALUES (1, 'here')").await;

    let other = server.client_as("postgres", &app).await.expect("connect to the new database");
    assert_eq!(other.value("SELECT current_database()").await, app);
    // A new database starts with an empty `public` schema.
    assert_eq!(other.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'public'").await, "1");
    other.expect_error("SELECT * FROM items", "42P01", "relation \"items\" does not exist").await;
    other.run("CREATE TABLE items (id int PRIMARY KEY, name text, extra int)").await;
    other.run("INSERT INTO items VALUES (1, 'there', 7), (2, 'also', 8)").await;
    other.run("CREATE SCHEMA shop").await;
    assert_eq!(other.lines("SELECT name FROM items ORDER BY id").await, ["there", "also"]);
    assert_eq!(
        other.lines("SELECT table_catalog || '.' || table_schema || '.' || table_name FROM information_schema.tables WHERE table_name = 'items'").await,
        [format!("{app}.public.items")]
    );
    assert_eq!(other.value(&format!("SELECT count(*) FROM {app}.public.items")).await, "2");

    assert_eq!(client.lines("SELECT name FROM items").await, ["here"]);
    assert_eq!(client.value("SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'").await, "0");
    assert_eq!(client.value("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items'").await, "2");
    assert_eq!(client.value(&format!("SELECT count(*) FROM pg_database WHERE datname = '{app}'")).await, "1");
    client
        .expect_error(
            &format!("SELECT * FROM {app}.public.items"),
            "0A000",
            &format!("cross-database references are not implemented: \"{app}.public.items\""),
        )
        .await;
    client.expect_sqlstate(&format!("DROP TABLE {app}.public.items"), "0A000").await;
    assert_eq!(client.lines("SELECT name FROM items").await, ["here"], "the other database's table is not dropped");

    // The server may not have ended the session yet: DROP DATABASE waits for it.
    drop(other);
    client.run(&format!("DROP DATABASE {app}")).await;
    let gone = server.client_as("postgres", &app).await.err().expect("the database is gone");
    assert_eq!(gone.as_db_error().map(|e| e.code().code()), Some("3D000"), "{gone}");
    assert_eq!(client.value(&format!("SELECT count(*) FROM pg_database WHERE datname = '{app}'")).await, "0");
    assert_eq!(client.lines("SELECT name FROM items").await, ["here"]);
}

#[tokio::test]
async fn connecting_to_a_database_that_does_not_exist_is_fatal_3d000() {
    let server = TestServer::start().await;
    let missing = own_name(&server, "missing");
    let params = [("user", "postgres"), ("database", missing.as_str())];
    let error = Wire::connect(server.port(), &params).await.err().expect("no such database");
    assert_eq!(
        (error.severity(), error.code(), error.message()),
        ("FATAL", "3D000", format!("database \"{missing}\" does not exist").as_str())
    );
    let error = Wire::connect(server.port(), &[("user", "postgres"), ("database", "template0")]).await.err().expect("template0");
    assert_eq!(
        (error.severity(), error.code(), error.message()),
        ("FATAL", "55000", "database \"template0\" is not currently accepting connections")
    );
    let template1 = server.client_as("postgres", "template1").await.expect("template1 takes connections");
    assert_eq!(template1.value("SELECT current_database()").await, "template1");
}

#[tokio::test]
async fn create_and_drop_database_errors_are_postgresql_s() {
    let (server, client) = TestServer::start_with_client().await;
    let db = own_name(&server, "opts");
    client
        .run(&format!("CREATE DATABASE {db} WITH OWNER = postgres TEMPLATE template0 ENCODING 'UTF8' CONNECTION LIMIT 3 IS_TEMPLATE false"))
        .await;
    assert_eq!(
        client.lines(&format!("SELECT datconnlimit, datistemplate, datallowconn FROM pg_database WHERE datname = '{db}'")).await,
        ["3|f|t"]
    );
    client.expect_error(&format!("CREATE DATABASE {db}"), "42P04", &format!("database \"{db}\" already exists")).await;
    let other = own_name(&server, "other");
    client.expect_error(&format!("CREATE DATABASE {other} foo 1"), "42601", "option \"foo\" not recognized").await;
    client.expect_error(&format!("CREATE DATABASE {other} CONNECTION LIMIT -2"), "22023", "invalid connection limit: -2").await;
    client.expect_error(&format!("CREATE DATABASE {other} OWNER nosuch_role"), "42704", "role \"nosuch_role\" does not exist").await;
    client
        .expect_error(&format!("CREATE DATABASE {other} TEMPLATE nosuch_db"), "3D000", "template database \"nosuch_db\" does not exist")
        .await;
    client.expect_error(&format!("CREATE DATABASE {other} STRATEGY foo"), "22023", "invalid create database strategy \"foo\"").await;
    for (sql, message) in [
        (format!("CREATE DATABASE {other}"), "CREATE DATABASE cannot run inside a transaction block"),
        (format!("DROP DATABASE {db}"), "DROP DATABASE cannot run inside a transaction block"),
    ] {
        client.run("BEGIN").await;
        client.expect_error_in_block(&sql, "25001", message).await;
        client.run("ROLLBACK").await;
    }
    client.expect_error(&format!("DROP DATABASE {other}"), "3D000", &format!("database \"{other}\" does not exist")).await;
    client.expect_error(&format!("DROP DATABASE {}", server.dbname()), "55006", "cannot drop the currently open database").await;
    client.expect_error("DROP DATABASE template1", "42809", "cannot drop a template database").await;
    assert_eq!(client.value(&format!("SELECT count(*) FROM pg_database WHERE datname = '{other}'")).await, "0");

    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript(&format!("DROP DATABASE IF EXISTS {other}")).await,
        [format!("N 00000 database \"{other}\" does not exist, skipping"), "C DROP DATABASE".into(), "Z I".into()]
    );
    assert_eq!(wire.transcript(&format!("DROP DATABASE {db}")).await, ["C DROP DATABASE", "Z I"]);
}

#[tokio::test]
async fn drop_database_waits_for_its_sessions_then_fails_55006() {
    let (server, client) = TestServer::start_with_client().await;
    let db = own_name(&server, "busy");
    client.run(&format!("CREATE DATABASE {db}")).await;
    let user = server.client_as("postgres", &db).await.expect("connect");
    let started = Instant::now();
    let error = client.error(&format!("DROP DATABASE {db}")).await;
    assert!(started.elapsed() >= Duration::from_secs(4), "gave up after {:?}", started.elapsed());
    assert_eq!(
        (error.code().code(), error.message(), error.detail()),
        ("55006", format!("database \"{db}\" is being accessed by other users").as_str(), Some("There is 1 other session using the database."))
    );
    assert_eq!(user.value("SELECT 1").await, "1");
    // A session that leaves while DROP DATABASE waits lets it go on.
    let dropping = tokio::spawn({
        let client = server.client().await;
        let db = db.clone();
        async move { client.batch_execute(&format!("DROP DATABASE {db}")).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(user);
    dropping.await.expect("join").expect("DROP DATABASE once the session left");
}

#[tokio::test]
async fn databases_and_their_tables_survive_a_restart() {
    let Some(mut server) = TestServer::start_shale("restarts the server; CREATE DATABASE IF NOT EXISTS is Shale's").await else {
        return;
    };
    let client = server.client().await;
    client.run("CREATE DATABASE kept").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("CREATE DATABASE IF NOT EXISTS kept").await,
        ["N 42P04 database \"kept\" already exists, skipping", "C CREATE DATABASE", "Z I"]
    );
    drop(wire);
    let kept = server.client_as("postgres", "kept").await.expect("connect");
    kept.run("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'kept')").await;
    drop((client, kept));
    server.restart().await;
    let kept = server.client_as("postgres", "kept").await.expect("connect after the restart");
    assert_eq!(kept.lines("SELECT body FROM notes").await, ["kept"]);
    let client = server.client().await;
    client.expect_sqlstate("SELECT * FROM notes", "42P01").await;
    assert_eq!(
        client.lines("SELECT datname FROM pg_database ORDER BY datname").await,
        ["kept", "postgres", "template0", "template1"]
    );
}

/// psql's `\l` lists the databases and `\c` moves to another one.
#[tokio::test]
async fn psql_lists_databases_and_connects_to_another() {
    let (server, client) = TestServer::start_with_client().await;
    let db = own_name(&server, "psql");
    client.run(&format!("CREATE DATABASE {db}")).await;
    let out = server.psql(&format!("\\l {db}\n\\c {db}\nSELECT current_database();\nCREATE TABLE t (a int);\n\\dt\n")).await;
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with(&format!("{db}|postgres|UTF8|")), "{}", out.stdout);
    let connected = format!("You are now connected to database \"{db}\" as user \"postgres\".");
    assert_eq!(&lines[1..], [connected.as_str(), db.as_str(), "CREATE TABLE", "public|t|table|postgres"], "{}", out.stdout);
    client.run(&format!("DROP DATABASE {db}")).await;
}
