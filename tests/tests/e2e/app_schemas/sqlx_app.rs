//! A blog in sqlx's style (tests/apps/sqlx_blog): reversible migrations applied the way
//! `sqlx migrate run` / `sqlx migrate revert` do, then the queries a handler would send.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::{app_dir, constraint_count, db_error, described, file_names, key_constraints, read, relations, tables};

/// One reversible sqlx migration: `<version>_<description>.up.sql` and `.down.sql`.
pub(super) struct Migration {
    version: i64,
    description: String,
    up: String,
    down: String,
}

/// The migrations of `dir`, in version order.
pub(super) fn migrations(dir: &Path) -> Vec<Migration> {
    file_names(dir)
        .iter()
        .filter_map(|name| name.strip_suffix(".up.sql"))
        .map(|stem| {
            let (version, description) = stem.split_once('_').expect("<version>_<description>");
            Migration {
                version: version.parse().expect("a numeric version"),
                description: description.replace('_', " "),
                up: read(&dir.join(format!("{stem}.up.sql"))),
                down: read(&dir.join(format!("{stem}.down.sql"))),
            }
        })
        .collect()
}

/// sqlx's lock key: one migrator at a time per database.
const LOCK_KEY: i64 = 0x5a1e_0000_0013;

/// The checksum sqlx records: SHA-384 of the migration's text (computed by the server).
async fn checksum(client: &Client, sql: &str) -> Vec<u8> {
    let row = client.query_one("SELECT sha384($1::bytea)", &[&sql.as_bytes()]).await.expect("sha384");
    row.get(0)
}

/// What `sqlx migrate run` does: under an advisory lock, creates `_sqlx_migrations` if
/// needed, checks that the applied migrations are unchanged (checksums), and applies each
/// pending one in a transaction with its bookkeeping row.
pub(super) async fn run(client: &Client, migrations: &[Migration]) {
    // sqlx names the type of every parameter in its Parse message.
    let lock = client.prepare_typed("SELECT pg_advisory_lock($1)", &[Type::INT8]).await.expect("prepare the lock");
    client.execute(&lock, &[&LOCK_KEY]).await.expect("lock");
    client
        .run(
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
                version BIGINT PRIMARY KEY,
                description TEXT NOT NULL,
                installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
                success BOOLEAN NOT NULL,
                checksum BYTEA NOT NULL,
                execution_time BIGINT NOT NULL
            )",
        )
        .await;
    let dirty = client
        .query("SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1", &[])
        .await
        .expect("dirty");
    assert!(dirty.is_empty(), "a migration failed before");
    let applied = client
        .query("SELECT version, checksum FROM _sqlx_migrations ORDER BY version", &[])
        .await
        .expect("applied");
    let applied: Vec<(i64, Vec<u8>)> = applied.iter().map(|row| (row.get(0), row.get(1))).collect();
    for migration in migrations {
        if let Some((_, sum)) = applied.iter().find(|(version, _)| *version == migration.version) {
            assert_eq!(*sum, checksum(client, &migration.up).await, "migration {} was changed", migration.version);
            continue;
        }
        let sum = checksum(client, &migration.up).await;
        let started = Instant::now();
        client.run("BEGIN").await;
        client.run(&migration.up).await;
        client
            .execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, -1)",
                &[&migration.version, &migration.description, &sum],
            )
            .await
            .expect("record the migration");
        client.run("COMMIT").await;
        let elapsed = started.elapsed().as_nanos() as i64;
        client
            .execute("UPDATE _sqlx_migrations SET execution_time = $1 WHERE version = $2", &[&elapsed, &migration.version])
            .await
            .expect("record the time");
    }
    let unlock = client.prepare_typed("SELECT pg_advisory_unlock($1)", &[Type::INT8]).await.expect("prepare the unlock");
    client.execute(&unlock, &[&LOCK_KEY]).await.expect("unlock");
}

/// What `sqlx migrate revert` does until nothing is left: the latest applied migration's
/// down script and the removal of its row, in one transaction, newest first.
pub(super) async fn revert_all(client: &Client, migrations: &[Migration]) {
    loop {
        let latest = client
            .query_opt("SELECT version FROM _sqlx_migrations WHERE success = true ORDER BY version DESC LIMIT 1", &[])
            .await
            .expect("latest");
        let Some(latest) = latest else { break };
        let version: i64 = latest.get(0);
        let migration = migrations.iter().find(|m| m.version == version).expect("a known migration");
        client.run("BEGIN").await;
        client.run(&migration.down).await;
        client.execute("DELETE FROM _sqlx_migrations WHERE version = $1", &[&version]).await.expect("forget it");
        client.run("COMMIT").await;
    }
}

/// What the blog's migrations create.
const SCHEMA: [&str; 19] = [
    "_sqlx_migrations r",
    "_sqlx_migrations_pkey i",
    "comments r",
    "comments_id_seq S",
    "comments_pkey i",
    "comments_post_id_created_at_idx i",
    "posts r",
    "posts_author_id_idx i",
    "posts_id_seq S",
    "posts_pkey i",
    "posts_slug_key i",
    "sessions r",
    "sessions_expires_at_idx i",
    "sessions_pkey i",
    "sessions_user_id_idx i",
    "users r",
    "users_email_key i",
    "users_id_seq S",
    "users_pkey i",
];

/// A time `secs` seconds after the epoch, as a TIMESTAMPTZ parameter.
fn utc(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

async fn register(client: &Client, email: &str, name: &str) -> i64 {
    let row = client
        .query_one("INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id", &[&email, &name])
        .await
        .unwrap_or_else(|e| panic!("register {email}: {e}"));
    row.get(0)
}

/// The blog's queries, each as its handler sends it, on freshly migrated tables.
async fn blog_queries(client: &Client) {
    // Sign-ups; an address may sign up once.
    assert_eq!(register(client, "ann@example.com", "Ann").await, 1);
    assert_eq!(register(client, "bob@example.com", "Bob").await, 2);
    assert_eq!(register(client, "cy@example.com", "Cy").await, 3);
    let taken = client
        .query_one("INSERT INTO users (email, display_name) VALUES ($1, $2) RETURNING id", &[&"bob@example.com", &"Robert"])
        .await;
    let e = db_error(taken, "a second sign-up");
    assert_eq!(
        described(&e),
        (
            "23505",
            "duplicate key value violates unique constraint \"users_email_key\"",
            Some("Key (email)=(bob@example.com) already exists.")
        )
    );
    // Profile sync: insert or update by e-mail address. The conflicting row keeps its id;
    // the sequence value drawn for the proposed row is spent, as in PostgreSQL.
    let upsert = client
        .prepare(
            "INSERT INTO users (email, display_name) VALUES ($1, $2) \
             ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, updated_at = now() \
             RETURNING id, display_name",
        )
        .await
        .expect("prepare the upsert");
    let row = client.query_one(&upsert, &[&"ann@example.com", &"Ann B."]).await.expect("upsert");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1)), (1, "Ann B.".to_string()));
    let row = client.query_one(&upsert, &[&"dee@example.com", &"Dee"]).await.expect("upsert");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1)), (6, "Dee".to_string()));
    assert_eq!(
        client.lines("SELECT id, created_at <= now(), updated_at >= created_at FROM users ORDER BY id").await,
        ["1|t|t", "2|t|t", "3|t|t", "6|t|t"]
    );

    // Posts: a slug is unique; a post needs an author.
    let new_post = client
        .prepare(
            "INSERT INTO posts (author_id, slug, title, body, published_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .await
        .expect("prepare");
    // Published 2024-03-01, 03-02, 02-01 and 03-03 at 10:00 UTC.
    let posts: [(i64, &str, Option<SystemTime>); 5] = [
        (1, "hello", Some(utc(1_709_287_200))),
        (1, "again", Some(utc(1_709_373_600))),
        (2, "draft", None),
        (2, "bobs-news", Some(utc(1_706_781_600))),
        (3, "cy-writes", Some(utc(1_709_460_000))),
    ];
    for (i, (author, slug, published)) in posts.iter().enumerate() {
        let title = slug.replace('-', " ");
        let row = client.query_one(&new_post, &[author, slug, &title, &"...", published]).await.expect("post");
        assert_eq!(row.get::<_, i64>(0), i as i64 + 1);
    }
    let again = client.query_opt(&new_post, &[&2i64, &"hello", &"Hello", &"", &None::<SystemTime>]).await.expect("post");
    assert!(again.is_none(), "a taken slug inserts nothing and returns nothing");
    let orphan = client.query_one(&new_post, &[&99i64, &"orphan", &"Orphan", &"", &None::<SystemTime>]).await;
    let e = db_error(orphan, "a post without an author");
    assert_eq!(
        described(&e),
        (
            "23503",
            "insert or update on table \"posts\" violates foreign key constraint \"posts_author_id_fkey\"",
            Some("Key (author_id)=(99) is not present in table \"users\".")
        )
    );

    // Comments, one by Cy, who will delete their account.
    let comment = client
        .prepare("INSERT INTO comments (post_id, author_id, body) VALUES ($1, $2, $3) RETURNING id")
        .await
        .expect("prepare");
    for (post, author, body) in [(1i64, 2i64, "nice"), (1, 3, "meh"), (4, 1, "welcome"), (5, 1, "first")] {
        client.query_one(&comment, &[&post, &author, &body]).await.expect("comment");
    }

    // The front page: published posts, newest first, with their author and comment count.
    let front_page = client
        .prepare(
            "SELECT p.slug, u.display_name, count(c.id) AS comments \
             FROM posts p JOIN users u ON u.id = p.author_id \
             LEFT JOIN comments c ON c.post_id = p.id \
             WHERE p.published_at IS NOT NULL \
             GROUP BY p.id, u.display_name ORDER BY p.published_at DESC LIMIT $1",
        )
        .await
        .expect("prepare the front page");
    let page = |rows: Vec<tokio_postgres::Row>| -> Vec<String> {
        rows.iter()
            .map(|r| format!("{} by {}: {}", r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, i64>(2)))
            .collect()
    };
    assert_eq!(
        page(client.query(&front_page, &[&3i64]).await.expect("front page")),
        ["cy-writes by Cy: 1", "again by Ann B.: 0", "hello by Ann B.: 2"]
    );
    // One author's posts, by e-mail address.
    let rows = client
        .query(
            "SELECT p.slug, p.published_at IS NULL AS draft FROM posts p \
             JOIN users u ON u.id = p.author_id WHERE u.email = $1 ORDER BY p.id",
            &[&"bob@example.com"],
        )
        .await
        .expect("by author");
    let by_bob: Vec<(String, bool)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(by_bob, [("draft".to_string(), true), ("bobs-news".to_string(), false)]);

    // Sessions: one live, one expired; a request finds its user by token.
    client
        .execute(
            "INSERT INTO sessions (token, user_id, expires_at) VALUES ($1, $2, now() + interval '30 days'), \
             ($3, $2, now() - interval '1 hour')",
            &[&"tok-live", &2i64, &"tok-old"],
        )
        .await
        .expect("log in");
    client
        .execute("INSERT INTO sessions (token, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')", &[&"tok-cy", &3i64])
        .await
        .expect("log in");
    let who = "SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token = $1 AND s.expires_at > now()";
    let row = client.query_opt(who, &[&"tok-live"]).await.expect("session").expect("a live session");
    assert_eq!((row.get::<_, i64>(0), row.get::<_, String>(1)), (2, "bob@example.com".to_string()));
    assert!(client.query_opt(who, &[&"tok-old"]).await.expect("session").is_none());
    assert_eq!(client.execute("DELETE FROM sessions WHERE expires_at < now()", &[]).await.expect("clean up"), 1);

    // Cy deletes their account: their post and its comments go, their comment elsewhere
    // stays without an author, their session goes.
    assert_eq!(client.execute("DELETE FROM users WHERE id = $1", &[&3i64]).await.expect("delete Cy"), 1);
    assert_eq!(
        client.lines("SELECT id, post_id, author_id, body FROM comments ORDER BY id").await,
        ["1|1|2|nice", "2|1|NULL|meh", "3|4|1|welcome"]
    );
    assert_eq!(client.lines("SELECT slug FROM posts ORDER BY id").await, ["hello", "again", "draft", "bobs-news"]);
    assert_eq!(client.lines("SELECT token FROM sessions").await, ["tok-live"]);
    // Bob deletes his: everything of his goes, down two levels.
    client.run("DELETE FROM users WHERE email = 'bob@example.com'").await;
    assert_eq!(client.lines("SELECT id, post_id, author_id FROM comments ORDER BY id").await, ["1|1|NULL", "2|1|NULL"]);
    assert_eq!(client.lines("SELECT slug FROM posts ORDER BY id").await, ["hello", "again"]);
    assert_eq!(client.lines("SELECT count(*) FROM sessions").await, ["0"]);
}

#[tokio::test]
async fn sqlx_blog_up_queries_down_and_up_again() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("sqlx_blog").join("migrations"));
    run(&client, &migrations).await;
    // A second run applies nothing, the checksums being unchanged.
    run(&client, &migrations).await;
    assert_eq!(
        client.lines("SELECT version, description, success, length(checksum), execution_time >= 0 FROM _sqlx_migrations ORDER BY version").await,
        [
            "20240105093000|create users|t|48|t",
            "20240112170500|create posts|t|48|t",
            "20240120080000|create sessions|t|48|t"
        ]
    );
    assert_eq!(relations(&client).await, SCHEMA);
    assert_eq!(
        key_constraints(&client).await,
        [
            "_sqlx_migrations _sqlx_migrations_pkey PRIMARY KEY",
            "comments comments_author_id_fkey FOREIGN KEY",
            "comments comments_pkey PRIMARY KEY",
            "comments comments_post_id_fkey FOREIGN KEY",
            "posts posts_author_id_fkey FOREIGN KEY",
            "posts posts_pkey PRIMARY KEY",
            "posts posts_slug_key UNIQUE",
            "sessions sessions_pkey PRIMARY KEY",
            "sessions sessions_user_id_fkey FOREIGN KEY",
            "users users_email_key UNIQUE",
            "users users_pkey PRIMARY KEY"
        ]
    );
    assert_eq!(
        client.lines("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position").await,
        ["id|nextval('users_id_seq'::regclass)", "email|NULL", "display_name|NULL", "created_at|now()", "updated_at|now()"]
    );
    blog_queries(&client).await;

    revert_all(&client, &migrations).await;
    assert_eq!(relations(&client).await, ["_sqlx_migrations r", "_sqlx_migrations_pkey i"]);
    assert_eq!(tables(&client).await, ["_sqlx_migrations BASE TABLE"]);
    assert_eq!(constraint_count(&client).await, "1");
    assert_eq!(client.value("SELECT count(*) FROM _sqlx_migrations").await, "0");
    client.expect_error("SELECT * FROM users", "42P01", "relation \"users\" does not exist").await;

    // Up again: new tables and sequences, empty and counting from 1.
    run(&client, &migrations).await;
    assert_eq!(relations(&client).await, SCHEMA);
    assert_eq!(client.value("SELECT count(*) FROM posts").await, "0");
    blog_queries(&client).await;
}

/// A migration that needs expression and partial indexes: soft deletes, after which an
/// address (in any case) may sign up again.
const SOFT_DELETE_UP: &str = "
    ALTER TABLE users ADD COLUMN deleted_at TIMESTAMPTZ;
    ALTER TABLE users DROP CONSTRAINT users_email_key;
    CREATE UNIQUE INDEX users_live_email_key ON users (lower(email)) WHERE deleted_at IS NULL;
";
const SOFT_DELETE_DOWN: &str = "
    DROP INDEX users_live_email_key;
    DELETE FROM users WHERE deleted_at IS NOT NULL;
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
    ALTER TABLE users DROP COLUMN deleted_at;
";

#[tokio::test]
async fn sqlx_blog_soft_deletes_with_an_expression_and_partial_unique_index() {
    let (_server, client) = TestServer::start_with_client().await;
    let mut all = migrations(&app_dir("sqlx_blog").join("migrations"));
    all.truncate(1);
    all.push(Migration {
        version: 20240201100000,
        description: "soft delete users".into(),
        up: SOFT_DELETE_UP.into(),
        down: SOFT_DELETE_DOWN.into(),
    });
    run(&client, &all).await;
    let sign_up = "INSERT INTO users (email, display_name) VALUES ($1, $2) \
                   ON CONFLICT (lower(email)) WHERE deleted_at IS NULL DO UPDATE SET display_name = EXCLUDED.display_name \
                   RETURNING id";
    let id = |row: tokio_postgres::Row| row.get::<_, i64>(0);
    assert_eq!(id(client.query_one(sign_up, &[&"Ann@Example.com", &"Ann"]).await.expect("sign up")), 1);
    assert_eq!(id(client.query_one(sign_up, &[&"ann@example.COM", &"Annie"]).await.expect("sign up")), 1);
    let e = db_error(
        client.execute("INSERT INTO users (email, display_name) VALUES ($1, $2)", &[&"ANN@example.com", &"A"]).await,
        "a live address in other case",
    );
    assert_eq!(
        described(&e),
        (
            "23505",
            "duplicate key value violates unique constraint \"users_live_email_key\"",
            Some("Key (lower(email))=(ann@example.com) already exists.")
        )
    );
    client.execute("UPDATE users SET deleted_at = now() WHERE id = $1", &[&1i64]).await.expect("soft delete");
    assert_eq!(id(client.query_one(sign_up, &[&"ann@example.com", &"Ann again"]).await.expect("sign up")), 4);
    assert_eq!(
        client.lines("SELECT id, email, deleted_at IS NOT NULL FROM users ORDER BY id").await,
        ["1|Ann@Example.com|t", "4|ann@example.com|f"]
    );
    assert_eq!(
        client.lines("SELECT indexdef FROM pg_indexes WHERE indexname = 'users_live_email_key'").await,
        ["CREATE UNIQUE INDEX users_live_email_key ON public.users USING btree (lower(email)) WHERE (deleted_at IS NULL)"]
    );
    revert_all(&client, &all).await;
    assert_eq!(relations(&client).await, ["_sqlx_migrations r", "_sqlx_migrations_pkey i"]);
    run(&client, &all).await;
    assert_eq!(id(client.query_one(sign_up, &[&"ann@example.com", &"Ann"]).await.expect("sign up")), 1);
}

#[tokio::test]
async fn sqlx_blog_publishes_and_logs_out_through_joins() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("sqlx_blog").join("migrations"));
    run(&client, &migrations).await;
    client
        .run(
            "INSERT INTO users (email, display_name) VALUES ('ann@example.com', 'Ann'), ('bob@corp.example', 'Bob'), ('cy@corp.example', 'Cy');
             INSERT INTO posts (author_id, slug, title) VALUES (1, 'a', 'A'), (2, 'b', 'B'), (3, 'c', 'C'), (2, 'd', 'D');
             UPDATE posts SET published_at = '2024-01-01 00:00:00+00' WHERE slug = 'd';
             INSERT INTO sessions (token, user_id, expires_at) VALUES ('t1', 1, now() + interval '1 day'), ('t2', 2, now() + interval '1 day'), ('t3', 2, now() + interval '1 day')",
        )
        .await;
    // Publish every draft of the authors of a domain.
    let rows = client
        .query(
            "UPDATE posts SET published_at = now() FROM users \
             WHERE posts.author_id = users.id AND users.email LIKE $1 AND posts.published_at IS NULL \
             RETURNING posts.slug, users.display_name",
            &[&"%@corp.example"],
        )
        .await
        .expect("publish");
    let mut published: Vec<String> = rows.iter().map(|r| format!("{} {}", r.get::<_, String>(0), r.get::<_, String>(1))).collect();
    published.sort();
    assert_eq!(published, ["b Bob", "c Cy"]);
    assert_eq!(client.lines("SELECT slug FROM posts WHERE published_at IS NULL").await, ["a"]);
    // Log a user out everywhere, by address.
    assert_eq!(
        client
            .execute("DELETE FROM sessions USING users WHERE sessions.user_id = users.id AND users.email = $1", &[&"bob@corp.example"])
            .await
            .expect("log out"),
        2
    );
    assert_eq!(client.lines("SELECT token FROM sessions").await, ["t1"]);
}
