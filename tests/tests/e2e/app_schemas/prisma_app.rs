//! A blog as Prisma Migrate writes its SQL (tests/apps/prisma_blog): quoted mixed-case
//! identifiers, `CONSTRAINT "User_pkey" PRIMARY KEY`, unique indexes named `*_key`, foreign
//! keys added afterwards by `ALTER TABLE ... ADD CONSTRAINT ... ON DELETE RESTRICT ON UPDATE
//! CASCADE`, an implicit many-to-many table `_PostToTag`; applied as `prisma migrate deploy`
//! does (`_prisma_migrations`), removed by the script `prisma migrate diff --to-empty`
//! writes and by `prisma migrate reset` (the schema dropped and created again); queried in
//! the shapes Prisma Client's query engine sends.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::{app_dir, constraint_count, db_error, described, file_names, key_constraints, read, relations, tables};

/// `prisma migrate deploy`: creates `_prisma_migrations` if needed, then for each migration
/// folder not recorded there: a row marking it started, its `migration.sql` (one script,
/// outside a transaction, as Prisma sends it), the row marked finished.
async fn deploy(client: &Client, dir: &Path) {
    client
        .run(
            r#"CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
                "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
                "checksum"              VARCHAR(64) NOT NULL,
                "finished_at"           TIMESTAMPTZ,
                "migration_name"        VARCHAR(255) NOT NULL,
                "logs"                  TEXT,
                "rolled_back_at"        TIMESTAMPTZ,
                "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
                "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
            )"#,
        )
        .await;
    let rows = client
        .query(
            r#"SELECT "id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count"
               FROM "_prisma_migrations" ORDER BY "started_at" ASC"#,
            &[],
        )
        .await
        .expect("applied migrations");
    let applied: Vec<String> = rows.iter().map(|row| row.get("migration_name")).collect();
    for (n, name) in file_names(dir).iter().enumerate() {
        let script = dir.join(name).join("migration.sql");
        if !script.exists() || applied.contains(name) {
            continue;
        }
        let sql = read(&script);
        let checksum: String = client
            .query_one("SELECT encode(sha256($1::bytea), 'hex')", &[&sql.as_bytes()])
            .await
            .expect("sha256")
            .get(0);
        let id = migration_id(n);
        client
            .execute(
                r#"INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count")
                   VALUES ($1, $2, $3, now(), 0)"#,
                &[&id, &checksum, name],
            )
            .await
            .expect("start the migration");
        client.run(&sql).await;
        client
            .execute(
                r#"UPDATE "_prisma_migrations" SET "finished_at" = now(), "applied_steps_count" = "applied_steps_count" + 1 WHERE "id" = $1"#,
                &[&id],
            )
            .await
            .expect("finish the migration");
    }
}

/// A v4-shaped UUID for a migration row (Prisma draws a random one).
fn migration_id(n: usize) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").subsec_nanos();
    format!("{nanos:08x}-{n:04x}-4000-8000-{:012x}", n * 7919)
}

/// `prisma migrate reset`'s way back to nothing: the schema dropped with everything in it.
async fn reset(client: &Client) {
    client.run(r#"DROP SCHEMA "public" CASCADE; CREATE SCHEMA "public""#).await;
}

const SCHEMA: [&str; 20] = [
    "Post r",
    "Post_authorId_idx i",
    "Post_id_seq S",
    "Post_pkey i",
    "Profile r",
    "Profile_id_seq S",
    "Profile_pkey i",
    "Profile_userId_key i",
    "Tag r",
    "Tag_label_key i",
    "Tag_pkey i",
    "User r",
    "User_email_key i",
    "User_id_seq S",
    "User_pkey i",
    "_PostToTag r",
    "_PostToTag_AB_unique i",
    "_PostToTag_B_index i",
    "_prisma_migrations r",
    "_prisma_migrations_pkey i",
];

/// What the migrations declare, as the catalogs show it.
async fn assert_schema(client: &Client) {
    assert_eq!(relations(client).await, SCHEMA);
    assert_eq!(
        key_constraints(client).await,
        [
            "Post Post_authorId_fkey FOREIGN KEY",
            "Post Post_pkey PRIMARY KEY",
            "Profile Profile_pkey PRIMARY KEY",
            "Profile Profile_userId_fkey FOREIGN KEY",
            "Tag Tag_pkey PRIMARY KEY",
            "User User_pkey PRIMARY KEY",
            "_PostToTag _PostToTag_A_fkey FOREIGN KEY",
            "_PostToTag _PostToTag_B_fkey FOREIGN KEY",
            "_prisma_migrations _prisma_migrations_pkey PRIMARY KEY"
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT constraint_name, unique_constraint_name, update_rule, delete_rule \
                 FROM information_schema.referential_constraints WHERE constraint_schema = 'public' ORDER BY constraint_name"
            )
            .await,
        [
            "Post_authorId_fkey|User_pkey|CASCADE|RESTRICT",
            "Profile_userId_fkey|User_pkey|CASCADE|CASCADE",
            "_PostToTag_A_fkey|Post_pkey|CASCADE|CASCADE",
            "_PostToTag_B_fkey|Tag_pkey|CASCADE|CASCADE"
        ]
    );
    assert_eq!(
        client.lines(r#"SELECT migration_name, finished_at >= started_at, applied_steps_count, length(checksum) FROM "_prisma_migrations" ORDER BY started_at, migration_name"#).await,
        ["20240301120000_init|t|1|64", "20240308153000_tags|t|1|64"]
    );
}

/// How the writes name columns: as Prisma Client does, qualified by schema and table
/// (`"public"."User"."id"`), or by their bare names.
#[derive(Clone, Copy)]
enum Writes {
    Qualified,
    Bare,
}

impl Writes {
    fn col(self, table: &str, column: &str) -> String {
        match self {
            Writes::Qualified => format!(r#""public"."{table}"."{column}""#),
            Writes::Bare => format!(r#""{column}""#),
        }
    }
}

/// 2024-03-01 00:00:00 UTC and later, as a TIMESTAMP(3) parameter.
fn at(minutes: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_709_251_200 + minutes * 60)
}

/// `prisma.user.create({ data: { ..., profile: { create: { bio } } } })`: a transaction of
/// two inserts and the read of the result.
async fn create_user(client: &Client, w: Writes, email: &str, name: Option<&str>, bio: Option<&str>) -> i32 {
    client.run("BEGIN").await;
    let id: i32 = client
        .query_one(
            &format!(
                r#"INSERT INTO "public"."User" ("email","name","updatedAt") VALUES ($1,$2,$3) RETURNING {}"#,
                w.col("User", "id")
            ),
            &[&email, &name, &at(1)],
        )
        .await
        .unwrap_or_else(|e| panic!("create {email}: {e}"))
        .get(0);
    if let Some(bio) = bio {
        client
            .query_one(
                &format!(r#"INSERT INTO "public"."Profile" ("bio","userId") VALUES ($1,$2) RETURNING {}"#, w.col("Profile", "id")),
                &[&bio, &id],
            )
            .await
            .expect("create the profile");
    }
    let row = client
        .query_one(
            r#"SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name" FROM "public"."User"
               WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3"#,
            &[&id, &1i64, &0i64],
        )
        .await
        .expect("read the user back");
    assert_eq!(row.get::<_, String>(1), email);
    client.run("COMMIT").await;
    id
}

/// The blog's reads and writes, on freshly migrated tables.
async fn blog_queries(client: &Client, w: Writes) {
    assert_eq!(create_user(client, w, "alice@prisma.io", Some("Alice"), Some("I write")).await, 1);
    assert_eq!(create_user(client, w, "bob@prisma.io", Some("Bob"), Some("I read")).await, 2);
    assert_eq!(create_user(client, w, "carol@prisma.io", None, None).await, 3);
    let e = db_error(
        client
            .execute(r#"INSERT INTO "public"."User" ("email","updatedAt") VALUES ($1,$2)"#, &[&"bob@prisma.io", &at(2)])
            .await,
        "an address twice",
    );
    assert_eq!(
        described(&e),
        ("23505", "duplicate key value violates unique constraint \"User_email_key\"", Some("Key (email)=(bob@prisma.io) already exists."))
    );
    // (Its DETAIL: `prisma_blog_key_details_quote_mixed_case_columns`.)
    let e = db_error(
        client.execute(r#"INSERT INTO "public"."Profile" ("bio","userId") VALUES ($1,$2)"#, &[&"again", &1i32]).await,
        "a second profile",
    );
    assert_eq!((e.code().code(), e.message()), ("23505", "duplicate key value violates unique constraint \"Profile_userId_key\""));

    // prisma.post.createMany(...) and the tags, connected twice (the second time a no-op).
    let created = client
        .execute(
            r#"INSERT INTO "public"."Post" ("title","content","published","authorId") VALUES ($1,$2,$3,$4),($5,$6,$7,$8),($9,$10,$11,$12),($13,$14,$15,$16)"#,
            &[
                &"Hello", &Some("first"), &true, &1i32,
                &"Draft", &None::<&str>, &false, &1i32,
                &"Bob's", &Some("hi"), &true, &2i32,
                &"Again", &Some("second"), &true, &1i32,
            ],
        )
        .await
        .expect("create posts");
    assert_eq!(created, 4);
    client
        .execute(r#"INSERT INTO "public"."Tag" ("id","label") VALUES ($1,$2),($3,$4)"#, &[&"t-news", &"news", &"t-rust", &"rust"])
        .await
        .expect("create tags");
    let connect = r#"INSERT INTO "public"."_PostToTag" ("A","B") VALUES ($1,$2),($3,$4),($5,$6) ON CONFLICT DO NOTHING"#;
    let pairs: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [&1i32, &"t-news", &1i32, &"t-rust", &3i32, &"t-rust"];
    assert_eq!(client.execute(connect, &pairs).await.expect("connect"), 3);
    assert_eq!(client.execute(connect, &pairs).await.expect("connect again"), 0);
    let e = db_error(
        client.execute(r#"INSERT INTO "public"."_PostToTag" ("A","B") VALUES ($1,$2)"#, &[&9i32, &"t-news"]).await,
        "a tag on no post",
    );
    assert_eq!(
        described(&e),
        (
            "23503",
            "insert or update on table \"_PostToTag\" violates foreign key constraint \"_PostToTag_A_fkey\"",
            // Unquoted, unlike a unique violation's key.
            Some("Key (A)=(9) is not present in table \"Post\".")
        )
    );

    // prisma.post.findMany({ where: { published: true }, include: { author: true } }):
    // the posts, then their authors by id.
    let rows = client
        .query(
            r#"SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."authorId" FROM "public"."Post"
               WHERE "public"."Post"."published" = $1 ORDER BY "public"."Post"."id" ASC OFFSET $2"#,
            &[&true, &0i64],
        )
        .await
        .expect("published posts");
    let posts: Vec<(i32, String, i32)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(posts, [(1, "Hello".into(), 1), (3, "Bob's".into(), 2), (4, "Again".into(), 1)]);
    let rows = client
        .query(
            r#"SELECT "public"."User"."id", "public"."User"."name" FROM "public"."User" WHERE "public"."User"."id" IN ($1,$2) OFFSET $3"#,
            &[&1i32, &2i32, &0i64],
        )
        .await
        .expect("their authors");
    let mut authors: Vec<(i32, Option<String>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    authors.sort();
    assert_eq!(authors, [(1, Some("Alice".into())), (2, Some("Bob".into()))]);

    // prisma.user.findMany({ include: { _count: { select: { posts: true } } } })
    let rows = client
        .query(
            r#"SELECT "public"."User"."id", COALESCE("aggr_selection_0_Post"."_aggr_count_posts", 0) AS "_aggr_count_posts"
               FROM "public"."User" LEFT JOIN (SELECT "public"."Post"."authorId", COUNT(*) AS "_aggr_count_posts"
               FROM "public"."Post" WHERE 1=1 GROUP BY "public"."Post"."authorId") AS "aggr_selection_0_Post"
               ON ("public"."User"."id" = "aggr_selection_0_Post"."authorId") WHERE 1=1 ORDER BY "public"."User"."id" ASC OFFSET $1"#,
            &[&0i64],
        )
        .await
        .expect("post counts");
    let counts: Vec<(i32, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(counts, [(1, 3), (2, 1), (3, 0)]);

    // The tags of posts 1 and 3, through the implicit relation table.
    let rows = client
        .query(
            r#"SELECT "public"."Tag"."id", "public"."Tag"."label", "t1"."A" FROM "public"."Tag"
               INNER JOIN "public"."_PostToTag" AS "t1" ON ("t1"."B" = "public"."Tag"."id")
               WHERE "t1"."A" IN ($1,$2) ORDER BY "t1"."A", "public"."Tag"."label""#,
            &[&1i32, &3i32],
        )
        .await
        .expect("tags");
    let tags: Vec<(i32, String)> = rows.iter().map(|r| (r.get(2), r.get(1))).collect();
    assert_eq!(tags, [(1, "news".into()), (1, "rust".into()), (3, "rust".into())]);

    // prisma.post.update({ where: { id }, data: { viewCount: { increment: 1 } } })
    let increment = format!(
        r#"UPDATE "public"."Post" SET "viewCount" = ("viewCount" + $1) WHERE ({} = $2 AND 1=1) RETURNING {}, {}"#,
        w.col("Post", "id"),
        w.col("Post", "id"),
        w.col("Post", "viewCount")
    );
    for views in 1..=3 {
        let row = client.query_one(&increment, &[&1i32, &1i32]).await.expect("increment");
        assert_eq!((row.get::<_, i32>(0), row.get::<_, i32>(1)), (1, views));
    }

    // prisma.user.upsert({ where: { email }, create: ..., update: { name } }). The
    // conflict's WHERE needs the qualified name (a bare "email" is ambiguous with
    // EXCLUDED's), so the bare variant has none.
    let returning = format!("RETURNING {}, {}", w.col("User", "id"), w.col("User", "name"));
    let insert = r#"INSERT INTO "public"."User" ("email","name","updatedAt") VALUES ($1,$2,$3)
                    ON CONFLICT ("email") DO UPDATE SET "name" = $4, "updatedAt" = $5"#;
    // Prisma's engine names each parameter's type in Parse (left to the server, see
    // `super::parameter_types_are_inferred_as_postgresql_does`).
    let when = at(3);
    let row = match w {
        Writes::Qualified => {
            let sql = format!(r#"{insert} WHERE ({} = $6 AND 1=1) {returning}"#, w.col("User", "email"));
            let types = [Type::TEXT, Type::TEXT, Type::TIMESTAMP, Type::TEXT, Type::TIMESTAMP, Type::TEXT];
            let upsert = client.prepare_typed(&sql, &types).await.expect("prepare the upsert");
            client.query_one(&upsert, &[&"carol@prisma.io", &"Carol", &when, &"Carol", &when, &"carol@prisma.io"]).await
        }
        Writes::Bare => {
            let sql = format!("{insert} {returning}");
            let types = [Type::TEXT, Type::TEXT, Type::TIMESTAMP, Type::TEXT, Type::TIMESTAMP];
            let upsert = client.prepare_typed(&sql, &types).await.expect("prepare the upsert");
            client.query_one(&upsert, &[&"carol@prisma.io", &"Carol", &when, &"Carol", &when]).await
        }
    }
    .expect("upsert");
    assert_eq!((row.get::<_, i32>(0), row.get::<_, Option<String>>(1)), (3, Some("Carol".into())));

    // ON DELETE RESTRICT: an author stays while they have posts.
    let delete_user = format!(r#"DELETE FROM "public"."User" WHERE ({} = $1 AND 1=1)"#, w.col("User", "id"));
    let e = db_error(client.execute(&delete_user, &[&2i32]).await, "an author with posts");
    assert_eq!(
        described(&e),
        (
            "23503",
            "update or delete on table \"User\" violates foreign key constraint \"Post_authorId_fkey\" on table \"Post\"",
            Some("Key (id)=(2) is still referenced from table \"Post\".")
        )
    );
    // ON UPDATE CASCADE: a new id reaches the posts and the profile.
    let renumber = format!(r#"UPDATE "public"."User" SET "id" = $1 WHERE ({} = $2 AND 1=1)"#, w.col("User", "id"));
    assert_eq!(client.execute(&renumber, &[&20i32, &2i32]).await.expect("renumber"), 1);
    assert_eq!(client.lines(r#"SELECT "id", "authorId" FROM "Post" WHERE "title" = 'Bob''s'"#).await, ["3|20"]);
    assert_eq!(client.lines(r#"SELECT "bio" FROM "Profile" WHERE "userId" = 20"#).await, ["I read"]);
    // Deleting a post takes its tag links (ON DELETE CASCADE); then its author may go, and
    // their profile with them.
    let delete_post = format!(r#"DELETE FROM "public"."Post" WHERE ({} = $1 AND 1=1)"#, w.col("Post", "id"));
    assert_eq!(client.execute(&delete_post, &[&3i32]).await.expect("delete a post"), 1);
    assert_eq!(client.lines(r#"SELECT "A", "B" FROM "_PostToTag" ORDER BY 1, 2"#).await, ["1|t-news", "1|t-rust"]);
    assert_eq!(client.execute(&delete_user, &[&20i32]).await.expect("delete Bob"), 1);
    assert_eq!(client.lines(r#"SELECT "userId" FROM "Profile" ORDER BY 1"#).await, ["1"]);
    // A tag removed leaves the posts.
    client.run(r#"DELETE FROM "Tag" WHERE "label" = 'news'"#).await;
    assert_eq!(client.lines(r#"SELECT "A", "B" FROM "_PostToTag""#).await, ["1|t-rust"]);
    assert_eq!(client.value(r#"SELECT count(*) FROM "Post""#).await, "3");
}

#[tokio::test]
async fn prisma_blog_deploy_queries_down_reset_and_deploy_again() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = app_dir("prisma_blog").join("migrations");
    deploy(&client, &migrations).await;
    deploy(&client, &migrations).await;
    assert_schema(&client).await;
    blog_queries(&client, Writes::Bare).await;

    // Down: the diff-to-empty script, and the history forgotten.
    client.run(&read(&app_dir("prisma_blog").join("down.sql"))).await;
    client.run(r#"DELETE FROM "_prisma_migrations""#).await;
    assert_eq!(relations(&client).await, ["_prisma_migrations r", "_prisma_migrations_pkey i"]);
    assert_eq!(tables(&client).await, ["_prisma_migrations BASE TABLE"]);
    assert_eq!(constraint_count(&client).await, "1");
    client.expect_error(r#"SELECT * FROM "User""#, "42P01", "relation \"User\" does not exist").await;

    deploy(&client, &migrations).await;
    assert_schema(&client).await;
    blog_queries(&client, Writes::Bare).await;

    // `prisma migrate reset`: nothing left, not even the history; then deploy again.
    reset(&client).await;
    assert_eq!(relations(&client).await, Vec::<String>::new());
    assert_eq!(tables(&client).await, Vec::<String>::new());
    deploy(&client, &migrations).await;
    assert_schema(&client).await;
    blog_queries(&client, Writes::Bare).await;
}

#[tokio::test]
async fn prisma_blog_writes_name_columns_by_schema_and_table() {
    let (_server, client) = TestServer::start_with_client().await;
    deploy(&client, &app_dir("prisma_blog").join("migrations")).await;
    blog_queries(&client, Writes::Qualified).await;
}

#[tokio::test]
async fn prisma_blog_key_details_quote_mixed_case_columns() {
    let (_server, client) = TestServer::start_with_client().await;
    deploy(&client, &app_dir("prisma_blog").join("migrations")).await;
    create_user(&client, Writes::Bare, "alice@prisma.io", None, Some("bio")).await;
    let e = db_error(
        client.execute(r#"INSERT INTO "public"."Profile" ("bio","userId") VALUES ($1,$2)"#, &[&"again", &1i32]).await,
        "a second profile",
    );
    assert_eq!(
        described(&e),
        ("23505", "duplicate key value violates unique constraint \"Profile_userId_key\"", Some("Key (\"userId\")=(1) already exists."))
    );
    // A foreign key's DETAIL does not quote it.
    let e = db_error(
        client.execute(r#"INSERT INTO "public"."Profile" ("bio","userId") VALUES ($1,$2)"#, &[&"none", &9i32]).await,
        "a profile of nobody",
    );
    assert_eq!(e.detail(), Some("Key (userId)=(9) is not present in table \"User\"."));
}
