//! A library in diesel's style (tests/apps/diesel_library): `SERIAL PRIMARY KEY` tables with
//! separate `CREATE [UNIQUE] INDEX` statements, applied, redone and reverted the way diesel's
//! migration harness does (`__diesel_schema_migrations`), then queried with the SQL diesel's
//! query builder generates (quoted, table-qualified columns, `= ANY($1)`, savepoints).

use std::path::Path;

use shale_tests::{ClientExt, TestServer};
use tokio_postgres::Client;
use tokio_postgres::types::Type;

use super::{app_dir, constraint_count, db_error, described, file_names, key_constraints, read, relations, tables};

/// One diesel migration: a folder `<yyyy-mm-dd-hhmmss>_<name>` with `up.sql` and `down.sql`.
struct Migration {
    /// The folder name's leading digits: `20240201101500`.
    version: String,
    up: String,
    down: String,
}

fn migrations(dir: &Path) -> Vec<Migration> {
    file_names(dir)
        .iter()
        .map(|name| {
            let (stamp, _) = name.split_once('_').expect("<timestamp>_<name>");
            Migration {
                version: stamp.replace('-', ""),
                up: read(&dir.join(name).join("up.sql")),
                down: read(&dir.join(name).join("down.sql")),
            }
        })
        .collect()
}

async fn setup(client: &Client) {
    client
        .run(
            "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
               version VARCHAR(50) PRIMARY KEY NOT NULL,
               run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
             )",
        )
        .await;
}

/// The versions diesel finds applied, newest first.
async fn applied(client: &Client) -> Vec<String> {
    let rows = client
        .query(
            "SELECT \"__diesel_schema_migrations\".\"version\" FROM \"__diesel_schema_migrations\" \
             ORDER BY \"__diesel_schema_migrations\".\"version\" DESC",
            &[],
        )
        .await
        .expect("applied migrations");
    rows.iter().map(|row| row.get(0)).collect()
}

/// `diesel migration run`: each pending migration and its bookkeeping row in a transaction.
async fn run_pending(client: &Client, migrations: &[Migration]) {
    setup(client).await;
    let done = applied(client).await;
    for migration in migrations.iter().filter(|m| !done.contains(&m.version)) {
        client.run("BEGIN").await;
        client.run(&migration.up).await;
        client
            .execute("INSERT INTO \"__diesel_schema_migrations\" (\"version\") VALUES ($1)", &[&migration.version])
            .await
            .expect("record the migration");
        client.run("COMMIT").await;
    }
}

/// `diesel migration revert`: the latest migration's down.sql, in a transaction.
async fn revert_latest(client: &Client, migrations: &[Migration]) {
    let latest = applied(client).await.into_iter().next().expect("a migration to revert");
    let migration = migrations.iter().find(|m| m.version == latest).expect("a known migration");
    client.run("BEGIN").await;
    client.run(&migration.down).await;
    client
        .execute(
            "DELETE FROM \"__diesel_schema_migrations\" WHERE (\"__diesel_schema_migrations\".\"version\" = $1)",
            &[&latest],
        )
        .await
        .expect("forget the migration");
    client.run("COMMIT").await;
}

/// The indexes of the library (and of diesel's table), as pg_indexes defines them.
const INDEXES: [&str; 14] = [
    "__diesel_schema_migrations_pkey|CREATE UNIQUE INDEX __diesel_schema_migrations_pkey ON public.__diesel_schema_migrations USING btree (version)",
    "authors_email_idx|CREATE UNIQUE INDEX authors_email_idx ON public.authors USING btree (email)",
    "authors_name_idx|CREATE INDEX authors_name_idx ON public.authors USING btree (name)",
    "authors_pkey|CREATE UNIQUE INDEX authors_pkey ON public.authors USING btree (id)",
    "books_author_id_idx|CREATE INDEX books_author_id_idx ON public.books USING btree (author_id)",
    "books_isbn_idx|CREATE UNIQUE INDEX books_isbn_idx ON public.books USING btree (isbn)",
    "books_pkey|CREATE UNIQUE INDEX books_pkey ON public.books USING btree (id)",
    "books_published_year_title_idx|CREATE INDEX books_published_year_title_idx ON public.books USING btree (published_year DESC, title)",
    "loans_book_id_borrowed_on_idx|CREATE INDEX loans_book_id_borrowed_on_idx ON public.loans USING btree (book_id, borrowed_on)",
    "loans_member_id_idx|CREATE INDEX loans_member_id_idx ON public.loans USING btree (member_id)",
    "loans_pkey|CREATE UNIQUE INDEX loans_pkey ON public.loans USING btree (id)",
    "members_card_number_idx|CREATE UNIQUE INDEX members_card_number_idx ON public.members USING btree (card_number)",
    "members_pkey|CREATE UNIQUE INDEX members_pkey ON public.members USING btree (id)",
    "returned_loans_pkey|CREATE UNIQUE INDEX returned_loans_pkey ON public.returned_loans USING btree (loan_id)",
];

async fn indexes(client: &Client) -> Vec<String> {
    client.lines("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname").await
}

/// What is left once every migration is reverted: diesel's own table.
const BOOKKEEPING_ONLY: [&str; 2] = ["__diesel_schema_migrations r", "__diesel_schema_migrations_pkey i"];

/// Authors and books through diesel's generated SQL.
async fn catalogue(client: &Client) {
    let rows = client
        .query(
            "INSERT INTO \"authors\" (\"name\", \"email\", \"born\") VALUES ($1, $2, $3), ($4, $5, $6) \
             RETURNING \"authors\".\"id\", \"authors\".\"name\", \"authors\".\"email\", \"authors\".\"born\"",
            &[&"Ursula", &"ursula@example.org", &Some(1929i32), &"Iain", &"iain@example.org", &None::<i32>],
        )
        .await
        .expect("insert authors");
    let authors: Vec<(i32, String, Option<i32>)> = rows.iter().map(|r| (r.get(0), r.get(1), r.get(3))).collect();
    assert_eq!(authors, [(1, "Ursula".to_string(), Some(1929)), (2, "Iain".to_string(), None)]);
    let e = db_error(
        client
            .execute("INSERT INTO \"authors\" (\"name\", \"email\") VALUES ($1, $2)", &[&"U. K.", &"ursula@example.org"])
            .await,
        "an author's address twice",
    );
    assert_eq!(
        described(&e),
        (
            "23505",
            "duplicate key value violates unique constraint \"authors_email_idx\"",
            Some("Key (email)=(ursula@example.org) already exists.")
        )
    );

    let new_book = client
        .prepare(
            "INSERT INTO \"books\" (\"author_id\", \"title\", \"isbn\", \"published_year\", \"copies\") \
             VALUES ($1, $2, $3, $4, $5) RETURNING \"books\".\"id\"",
        )
        .await
        .expect("prepare");
    let books: [(i32, &str, &str, Option<i32>, i32); 5] = [
        (1, "The Dispossessed", "9780060512750", Some(1974), 2),
        (1, "The Lathe of Heaven", "9780060512743", Some(1971), 1),
        (2, "Consider Phlebas", "9780316005388", Some(1987), 1),
        (2, "Excession", "9780553575378", Some(1996), 0),
        (1, "Unpublished Notes", "0000000000001", None, 1),
    ];
    for (i, (author, title, isbn, year, copies)) in books.iter().enumerate() {
        let row = client.query_one(&new_book, &[author, title, isbn, year, copies]).await.expect("insert a book");
        assert_eq!(row.get::<_, i32>(0), i as i32 + 1);
    }
    let e = db_error(client.query_one(&new_book, &[&2i32, &"Copy", &"9780553575378", &None::<i32>, &1i32]).await, "an ISBN twice");
    assert_eq!(
        described(&e),
        (
            "23505",
            "duplicate key value violates unique constraint \"books_isbn_idx\"",
            Some("Key (isbn)=(9780553575378) already exists.")
        )
    );
    let e = db_error(client.query_one(&new_book, &[&9i32, &"Nobody's", &"1", &None::<i32>, &1i32]).await, "a book without an author");
    assert_eq!(
        described(&e),
        (
            "23503",
            "insert or update on table \"books\" violates foreign key constraint \"books_author_id_fkey\"",
            Some("Key (author_id)=(9) is not present in table \"authors\".")
        )
    );

    // books.filter(author email).order((published_year.desc().nulls_last(), title))
    let rows = client
        .query(
            "SELECT \"books\".\"title\", \"books\".\"published_year\" FROM (\"books\" INNER JOIN \"authors\" \
             ON (\"books\".\"author_id\" = \"authors\".\"id\")) WHERE (\"authors\".\"email\" = $1) \
             ORDER BY \"books\".\"published_year\" DESC NULLS LAST, \"books\".\"title\" LIMIT $2 OFFSET $3",
            &[&"ursula@example.org", &10i64, &0i64],
        )
        .await
        .expect("books of an author");
    let titles: Vec<(String, Option<i32>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        titles,
        [
            ("The Dispossessed".to_string(), Some(1974)),
            ("The Lathe of Heaven".to_string(), Some(1971)),
            ("Unpublished Notes".to_string(), None)
        ]
    );
    // books.filter(id.eq_any(ids)); diesel names its parameters' types in Parse.
    let by_ids = client
        .prepare_typed(
            "SELECT \"books\".\"id\", \"books\".\"title\" FROM \"books\" WHERE (\"books\".\"id\" = ANY($1)) ORDER BY \"books\".\"id\"",
            &[Type::INT4_ARRAY],
        )
        .await
        .expect("prepare");
    let rows = client.query(&by_ids, &[&vec![2i32, 4, 40]]).await.expect("books by ids");
    let found: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(found, [2, 4]);
    // authors.left_join(books).group_by(authors.id).select((name, count(books.id)))
    assert_eq!(
        client
            .lines(
                "SELECT \"authors\".\"name\", COUNT(\"books\".\"id\") FROM (\"authors\" LEFT OUTER JOIN \"books\" \
                 ON (\"books\".\"author_id\" = \"authors\".\"id\")) GROUP BY \"authors\".\"id\" ORDER BY \"authors\".\"name\""
            )
            .await,
        ["Iain|2", "Ursula|3"]
    );
    // An author with books cannot go (NO ACTION).
    let e = db_error(client.execute("DELETE FROM \"authors\" WHERE (\"authors\".\"id\" = $1)", &[&1i32]).await, "an author with books");
    assert_eq!(
        described(&e),
        (
            "23503",
            "update or delete on table \"authors\" violates foreign key constraint \"books_author_id_fkey\" on table \"books\"",
            Some("Key (id)=(1) is still referenced from table \"books\".")
        )
    );
}

/// Borrows `book` for `member` as a diesel transaction would: the last copy taken with a
/// conditional UPDATE ... RETURNING, the loan inserted, all or nothing. `false` when no
/// copy is left (the transaction rolled back).
async fn borrow(client: &Client, book: i32, member: i32, on: &str) -> bool {
    client.run("BEGIN").await;
    let left = client
        .query_opt(
            "UPDATE \"books\" SET \"copies\" = (\"books\".\"copies\" - $1) \
             WHERE ((\"books\".\"id\" = $2) AND (\"books\".\"copies\" > $3)) RETURNING \"books\".\"copies\"",
            &[&1i32, &book, &0i32],
        )
        .await
        .expect("take a copy");
    if left.is_none() {
        client.run("ROLLBACK").await;
        return false;
    }
    // The loan in a nested transaction (a savepoint), as `conn.transaction` inside another.
    client.run("SAVEPOINT diesel_savepoint_1").await;
    client
        .run(&format!(
            "INSERT INTO \"loans\" (\"book_id\", \"member_id\", \"borrowed_on\", \"due_on\") \
             VALUES ({book}, {member}, '{on}', DATE '{on}' + 14)"
        ))
        .await;
    client.run("RELEASE SAVEPOINT diesel_savepoint_1").await;
    client.run("COMMIT").await;
    true
}

/// Members and loans.
async fn lending(client: &Client) {
    // Members come from a card system: upsert by card number (a unique index, no constraint).
    let upsert = "INSERT INTO \"members\" (\"card_number\", \"name\") VALUES ($1, $2) \
                  ON CONFLICT (\"card_number\") DO UPDATE SET \"name\" = excluded.\"name\" RETURNING \"members\".\"id\"";
    for (card, name, id) in [("C-100", "Ada", 1i32), ("C-200", "Brian", 2), ("C-100", "Ada L.", 1)] {
        let row = client.query_one(upsert, &[&card, &name]).await.expect("upsert a member");
        assert_eq!(row.get::<_, i32>(0), id);
    }
    assert_eq!(client.lines("SELECT id, card_number, name FROM members ORDER BY id").await, ["1|C-100|Ada L.", "2|C-200|Brian"]);

    assert!(borrow(client, 2, 1, "2024-03-01").await);
    assert!(!borrow(client, 2, 2, "2024-03-02").await, "the only copy is out");
    assert!(!borrow(client, 4, 2, "2024-03-02").await, "no copy at all");
    assert!(borrow(client, 1, 2, "2024-03-03").await);
    assert!(borrow(client, 1, 1, "2024-03-04").await);
    assert_eq!(client.lines("SELECT id, copies FROM books ORDER BY id").await, ["1|0", "2|0", "3|1", "4|0", "5|1"]);
    assert_eq!(
        client.lines("SELECT id, book_id, member_id, borrowed_on, due_on FROM loans ORDER BY id").await,
        ["1|2|1|2024-03-01|2024-03-15", "2|1|2|2024-03-03|2024-03-17", "3|1|1|2024-03-04|2024-03-18"]
    );
    let open = "SELECT COUNT(*) FROM \"loans\" WHERE ((\"loans\".\"member_id\" = $1) AND (\"loans\".\"returned_on\" IS NULL))";
    assert_eq!(client.query_one(open, &[&1i32]).await.expect("open loans").get::<_, i64>(0), 2);
    // A member with loans cannot go.
    client.expect_sqlstate("DELETE FROM members WHERE id = 1", "23503").await;
    // Returning a book.
    client.run("BEGIN; UPDATE loans SET returned_on = '2024-03-10' WHERE id = 1; UPDATE books SET copies = copies + 1 WHERE id = 2; COMMIT").await;
    assert_eq!(client.query_one(open, &[&1i32]).await.expect("open loans").get::<_, i64>(0), 1);
    // Overdue on 2024-03-18: due before it and not returned.
    assert_eq!(
        client
            .lines(
                "SELECT m.name, b.title, l.due_on FROM loans l JOIN members m ON m.id = l.member_id \
                 JOIN books b ON b.id = l.book_id WHERE l.returned_on IS NULL AND l.due_on < '2024-03-18' ORDER BY l.id"
            )
            .await,
        ["Brian|The Dispossessed|2024-03-17"]
    );
    // A book withdrawn takes its loans with it.
    assert_eq!(client.execute("DELETE FROM \"books\" WHERE (\"books\".\"id\" = $1)", &[&1i32]).await.expect("withdraw"), 1);
    assert_eq!(client.lines("SELECT id FROM loans ORDER BY id").await, ["1"]);
}

#[tokio::test]
async fn diesel_library_up_queries_redo_down_and_up_again() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("diesel_library").join("migrations"));
    run_pending(&client, &migrations).await;
    assert_eq!(applied(&client).await, ["20240210120000", "20240203081000", "20240201101500"]);
    assert_eq!(
        client.lines("SELECT count(*), bool_and(run_on <= CURRENT_TIMESTAMP) FROM __diesel_schema_migrations").await,
        ["3|t"]
    );
    assert_eq!(indexes(&client).await, INDEXES);
    assert_eq!(
        key_constraints(&client).await,
        [
            "__diesel_schema_migrations __diesel_schema_migrations_pkey PRIMARY KEY",
            "authors authors_pkey PRIMARY KEY",
            "books books_author_id_fkey FOREIGN KEY",
            "books books_pkey PRIMARY KEY",
            "loans loans_book_id_fkey FOREIGN KEY",
            "loans loans_member_id_fkey FOREIGN KEY",
            "loans loans_pkey PRIMARY KEY",
            "members members_pkey PRIMARY KEY",
            "returned_loans returned_loans_pkey PRIMARY KEY"
        ]
    );
    catalogue(&client).await;
    lending(&client).await;

    // `diesel migration redo`: the latest migration down and up again, its tables empty
    // and their sequences new.
    revert_latest(&client, &migrations).await;
    assert_eq!(applied(&client).await, ["20240203081000", "20240201101500"]);
    client.expect_error("SELECT * FROM loans", "42P01", "relation \"loans\" does not exist").await;
    run_pending(&client, &migrations).await;
    assert_eq!(client.value("SELECT count(*) FROM loans").await, "0");
    lending_after_redo(&client).await;

    while !applied(&client).await.is_empty() {
        revert_latest(&client, &migrations).await;
    }
    assert_eq!(relations(&client).await, BOOKKEEPING_ONLY);
    assert_eq!(tables(&client).await, ["__diesel_schema_migrations BASE TABLE"]);
    assert_eq!(constraint_count(&client).await, "1");
    assert_eq!(
        client.lines("SELECT count(*) FROM information_schema.sequences WHERE sequence_schema = 'public'").await,
        ["0"]
    );

    run_pending(&client, &migrations).await;
    assert_eq!(indexes(&client).await, INDEXES);
    catalogue(&client).await;
    lending(&client).await;
}

/// After a redo of the loans migration the members start again from id 1.
async fn lending_after_redo(client: &Client) {
    let row = client
        .query_one("INSERT INTO \"members\" (\"card_number\", \"name\") VALUES ($1, $2) RETURNING \"members\".\"id\"", &[&"C-300", &"Cleo"])
        .await
        .expect("a member");
    assert_eq!(row.get::<_, i32>(0), 1);
}

#[tokio::test]
async fn diesel_library_loans_default_to_today() {
    let (_server, client) = TestServer::start_with_client().await;
    run_pending(&client, &migrations(&app_dir("diesel_library").join("migrations"))).await;
    client
        .run(
            "INSERT INTO authors (name, email) VALUES ('A', 'a@example.org');
             INSERT INTO books (author_id, title, isbn) VALUES (1, 'B', '1');
             INSERT INTO members (card_number, name) VALUES ('C-1', 'M')",
        )
        .await;
    let row = client
        .query_one(
            "INSERT INTO \"loans\" (\"book_id\", \"member_id\", \"due_on\") VALUES ($1, $2, CURRENT_DATE + 14) \
             RETURNING \"loans\".\"borrowed_on\" = CURRENT_DATE, \"loans\".\"due_on\" - \"loans\".\"borrowed_on\"",
            &[&1i32, &1i32],
        )
        .await
        .expect("borrow today");
    assert_eq!((row.get::<_, bool>(0), row.get::<_, i32>(1)), (true, 14));
}

#[tokio::test]
async fn diesel_library_archives_returned_loans_with_a_data_modifying_cte() {
    let (_server, client) = TestServer::start_with_client().await;
    let migrations = migrations(&app_dir("diesel_library").join("migrations"));
    run_pending(&client, &migrations).await;
    client
        .run(
            "INSERT INTO authors (name, email) VALUES ('A', 'a@example.org');
             INSERT INTO books (author_id, title, isbn, copies) VALUES (1, 'B', '1', 3);
             INSERT INTO members (card_number, name) VALUES ('C-1', 'M');
             INSERT INTO loans (book_id, member_id, borrowed_on, due_on, returned_on) VALUES
               (1, 1, '2024-01-01', '2024-01-15', '2024-01-10'),
               (1, 1, '2024-02-01', '2024-02-15', NULL),
               (1, 1, '2024-03-01', '2024-03-15', '2024-03-02')",
        )
        .await;
    let archived = client
        .execute(
            "WITH archived AS (DELETE FROM loans WHERE returned_on IS NOT NULL \
               RETURNING id, book_id, member_id, borrowed_on, returned_on) \
             INSERT INTO returned_loans (loan_id, book_id, member_id, borrowed_on, returned_on) \
             SELECT id, book_id, member_id, borrowed_on, returned_on FROM archived",
            &[],
        )
        .await
        .expect("archive");
    assert_eq!(archived, 2);
    assert_eq!(client.lines("SELECT id FROM loans").await, ["2"]);
    assert_eq!(client.lines("SELECT loan_id, returned_on FROM returned_loans ORDER BY loan_id").await, ["1|2024-01-10", "3|2024-03-02"]);
}

#[tokio::test]
async fn diesel_library_test_fixture_truncates_and_restarts_identities() {
    let (_server, client) = TestServer::start_with_client().await;
    run_pending(&client, &migrations(&app_dir("diesel_library").join("migrations"))).await;
    catalogue(&client).await;
    lending(&client).await;
    // What a test suite's fixture runs between tests.
    client.run("TRUNCATE loans, members, books, authors RESTART IDENTITY CASCADE").await;
    for table in ["authors", "books", "members", "loans"] {
        assert_eq!(client.value(&format!("SELECT count(*) FROM {table}")).await, "0", "{table}");
    }
    catalogue(&client).await;
    lending(&client).await;
}
