//! Real application schemas (issue 13, point 6): the migrations and queries of five small
//! applications, each written the way its framework writes them, run up, queried, run
//! down and up again over the wire, against shale and (with `SHALE_TEST_PG_PORT=5432`)
//! PostgreSQL 15 alike. The migration files are under `tests/apps/<app>/`; each module
//! here applies them with the bookkeeping its tool keeps, then runs the queries the
//! application would, with parameters (the extended protocol), and checks their results:
//!
//! - [`sqlx_app`]: a blog in sqlx's style: `BIGSERIAL PRIMARY KEY`, `email TEXT NOT NULL
//!   UNIQUE`, `REFERENCES users(id) ON DELETE CASCADE`, `TIMESTAMPTZ NOT NULL DEFAULT
//!   now()`; `INSERT ... RETURNING id`, `ON CONFLICT (email) DO UPDATE SET ... =
//!   EXCLUDED...`, joins; reversible migrations and `_sqlx_migrations`.
//! - [`diesel_app`]: a library in diesel's style: `SERIAL PRIMARY KEY` tables, separate
//!   `CREATE [UNIQUE] INDEX` statements, `__diesel_schema_migrations`, down migrations that
//!   drop the indexes and then the tables, `diesel migration redo`.
//! - [`prisma_app`]: Prisma Migrate's SQL: quoted mixed-case identifiers, `CONSTRAINT
//!   "User_pkey" PRIMARY KEY`, `CREATE UNIQUE INDEX "User_email_key"`, foreign keys added by
//!   `ALTER TABLE ... ADD CONSTRAINT ... ON DELETE RESTRICT ON UPDATE CASCADE`, an implicit
//!   many-to-many table, `_prisma_migrations`.
//! - [`golang_migrate_app`]: golang-migrate's numbered `.up.sql` / `.down.sql` files and its
//!   `schema_migrations (version, dirty)`, a failed migration leaving the database dirty.
//! - [`job_queue`]: a job queue taken with `SELECT ... FOR UPDATE SKIP LOCKED` by
//!   concurrent workers, then `UPDATE` / `DELETE` by id.
//!
//! After the down migrations, pg_class, information_schema and pg_constraint must show
//! nothing of the application's (only the tool's own bookkeeping table, which the tools
//! never drop). The tests at the end of this file each pin down one statement the
//! applications send that shale answers differently from PostgreSQL. A test that needs
//! what shale does not do yet, or that shows a shale bug, is `#[ignore]`d with the reason.

mod diesel_app;
mod golang_migrate_app;
mod job_queue;
mod prisma_app;
mod sqlx_app;

use std::path::{Path, PathBuf};

use shale_tests::ClientExt;
use tokio_postgres::Client;
use tokio_postgres::error::DbError;

/// `tests/apps/<app>`: an application's migration files.
fn app_dir(app: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("apps").join(app)
}

/// The text of a migration file.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The names of the entries of `dir`, sorted (migration tools apply files in name order).
fn file_names(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .map(|entry| entry.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every relation in schema `public`, as `name kind` (`r` table, `i` index, `S`
/// sequence): what up migrations create and down migrations must remove.
async fn relations(client: &Client) -> Vec<String> {
    client
        .lines(
            "SELECT c.relname || ' ' || c.relkind::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' ORDER BY c.relname",
        )
        .await
}

/// The tables of schema `public` in information_schema.
async fn tables(client: &Client) -> Vec<String> {
    client
        .lines(
            "SELECT table_name || ' ' || table_type FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name",
        )
        .await
}

/// The primary keys, unique constraints and foreign keys of schema `public`, as
/// `table constraint type` (information_schema.table_constraints; PostgreSQL also lists
/// NOT NULL there as CHECK constraints with generated names, left out).
async fn key_constraints(client: &Client) -> Vec<String> {
    client
        .lines(
            "SELECT table_name || ' ' || constraint_name || ' ' || constraint_type \
             FROM information_schema.table_constraints \
             WHERE table_schema = 'public' AND constraint_type <> 'CHECK' \
             ORDER BY table_name, constraint_name",
        )
        .await
}

/// The number of constraints (of any kind) in pg_constraint on tables of schema `public`.
async fn constraint_count(client: &Client) -> String {
    client
        .value(
            "SELECT count(*) FROM pg_catalog.pg_constraint con \
             JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public'",
        )
        .await
}

/// The server's error for a statement (sent with the extended protocol) that must fail.
fn db_error<T: std::fmt::Debug>(result: Result<T, tokio_postgres::Error>, what: &str) -> DbError {
    match result {
        Ok(value) => panic!("{what}: succeeded with {value:?}, expected an error"),
        Err(e) => match e.as_db_error() {
            Some(db) => db.clone(),
            None => panic!("{what}: failed without an ErrorResponse: {e:?}"),
        },
    }
}

/// SQLSTATE, message and DETAIL of an error, for one assertion.
fn described(e: &DbError) -> (&str, &str, Option<&str>) {
    (e.code().code(), e.message(), e.detail())
}

/// The parameter types the server describes for statements of the applications above when
/// the client leaves them to it (pgx and tokio-postgres do; sqlx and diesel name them).
#[tokio::test]
async fn parameter_types_are_inferred_as_postgresql_does() {
    use tokio_postgres::types::Type;
    let (_server, client) = shale_tests::TestServer::start_with_client().await;
    client.run("CREATE TABLE books (id int PRIMARY KEY, title text, added timestamp)").await;
    let mut wrong = Vec::new();
    for (sql, types) in [
        ("SELECT pg_advisory_lock($1)", vec![Type::INT8]),
        ("SELECT pg_advisory_unlock($1)", vec![Type::INT8]),
        ("SELECT id FROM books WHERE id = ANY($1)", vec![Type::INT4_ARRAY]),
        ("SELECT sha384($1)", vec![Type::BYTEA]),
        (
            "INSERT INTO books (id, added) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = $3, added = $4",
            vec![Type::INT4, Type::TIMESTAMP, Type::TEXT, Type::TIMESTAMP],
        ),
        ("INSERT INTO books (id, added) SELECT $1, $2 WHERE $3", vec![Type::INT4, Type::TIMESTAMP, Type::BOOL]),
        ("INSERT INTO books (id) SELECT $1 FROM books WHERE title = $2", vec![Type::INT4, Type::TEXT]),
    ] {
        let statement = client.prepare(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        if statement.params() != types {
            wrong.push(format!("{sql}: {:?}, PostgreSQL {types:?}", statement.params()));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    client.execute("INSERT INTO books (id, added) SELECT $1, $2 WHERE $3", &[&9i32, &std::time::UNIX_EPOCH, &true]).await.expect("INSERT ... SELECT $1");
    let lock = client.prepare("SELECT pg_advisory_lock($1)").await.expect("prepare");
    client.execute(&lock, &[&7i64]).await.expect("lock");
    let rows = client.query("SELECT id FROM books WHERE id = ANY($1)", &[&vec![1i32, 2]]).await.expect("= ANY");
    assert!(rows.is_empty());
    let digest: Vec<u8> = client.query_one("SELECT sha384($1)", &[&b"abc".as_slice()]).await.expect("sha384").get(0);
    assert_eq!(digest.len(), 48);
    let upsert = "INSERT INTO books (id, added) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET title = $3, added = $4";
    // 2024-03-01 10:00:00 and 2024-03-02 11:30:00.
    let at = |seconds: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
    let (first, second) = (at(1_709_287_200), at(1_709_379_000));
    for title in ["unused", "Dune"] {
        client.execute(upsert, &[&1i32, &first, &title, &second]).await.expect("upsert");
    }
    assert_eq!(client.lines("SELECT id, title, added FROM books WHERE id = ANY(ARRAY[1])").await, ["1|Dune|2024-03-02 11:30:00"]);
}

/// `SELECT x::text ... ORDER BY x`: the output column is named `x` like the column it is
/// ordered by (golang_migrate_app's latest exchange rate, without an alias). As in
/// PostgreSQL, ORDER BY's bare name is the output column (sorted as text), a qualified one
/// the table's, and a derived table's cast column is found by its name.
#[tokio::test]
async fn a_cast_column_can_be_ordered_by_its_source() {
    let (_server, client) = shale_tests::TestServer::start_with_client().await;
    client.run("CREATE TABLE rates (as_of date PRIMARY KEY, rate numeric(18, 8)); INSERT INTO rates VALUES ('2024-03-04', 1.5), ('2024-03-01', 1.25)").await;
    assert_eq!(client.lines("SELECT rate::text, as_of::text FROM rates ORDER BY as_of DESC").await, ["1.50000000|2024-03-04", "1.25000000|2024-03-01"]);
    assert_eq!(client.column_names("SELECT as_of::text FROM rates ORDER BY as_of").await, ["as_of"]);
    assert_eq!(client.lines("SELECT as_of::text FROM rates ORDER BY rates.as_of DESC").await, ["2024-03-04", "2024-03-01"]);
    assert_eq!(client.lines("SELECT n::text FROM generate_series(8, 10) n ORDER BY n").await, ["10", "8", "9"]);
    assert_eq!(client.lines("SELECT s.as_of FROM (SELECT as_of::text FROM rates) s WHERE s.as_of < '2024-03-02'").await, ["2024-03-01"]);
    client.expect_error("SELECT as_of::text, as_of FROM rates ORDER BY as_of", "42702", "ORDER BY \"as_of\" is ambiguous").await;
}

/// `UPDATE ... SET a = NULL, b = NULL` sent with Parse/Bind/Execute (a worker putting a
/// job back in its queue, job_queue's natural shape).
#[tokio::test]
async fn an_update_sets_two_columns_to_null_through_the_extended_protocol() {
    let (_server, client) = shale_tests::TestServer::start_with_client().await;
    client.run("CREATE TABLE jobs (id bigint PRIMARY KEY, locked_at timestamptz, locked_by text, last_error text); INSERT INTO jobs VALUES (1, now(), 'w', NULL)").await;
    let n = client
        .execute("UPDATE jobs SET locked_at = NULL, locked_by = NULL, last_error = $2 WHERE id = $1", &[&1i64, &"boom"])
        .await
        .expect("put the job back");
    assert_eq!(n, 1);
    assert_eq!(client.lines("SELECT id, locked_at, locked_by, last_error FROM jobs").await, ["1|NULL|NULL|boom"]);
}

/// A primary key named in CREATE TABLE, as schema tools that name every constraint write
/// it (found through SQLAlchemy's get_pk_constraint).
#[tokio::test]
async fn a_named_primary_key_keeps_its_name() {
    let (_server, client) = shale_tests::TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE accounts (id bigint NOT NULL, CONSTRAINT accounts_pk PRIMARY KEY (id));
             CREATE TABLE tags (id int CONSTRAINT tags_primary PRIMARY KEY)",
        )
        .await;
    assert_eq!(
        client.lines("SELECT conname, contype FROM pg_constraint WHERE conrelid IN ('accounts'::regclass, 'tags'::regclass) ORDER BY conname").await,
        ["accounts_pk|p", "tags_primary|p"]
    );
    assert_eq!(
        client.lines("SELECT indexname FROM pg_indexes WHERE tablename IN ('accounts', 'tags') ORDER BY indexname").await,
        ["accounts_pk", "tags_primary"]
    );
    client.run("INSERT INTO accounts VALUES (1)").await;
    client.expect_error("INSERT INTO accounts VALUES (1)", "23505", "duplicate key value violates unique constraint \"accounts_pk\"").await;
    assert_eq!(client.counts("INSERT INTO accounts VALUES (1) ON CONFLICT ON CONSTRAINT accounts_pk DO NOTHING").await, [0]);
    client.run("ALTER TABLE accounts DROP CONSTRAINT accounts_pk").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'accounts'::regclass").await, "0");
}
