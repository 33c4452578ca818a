//! Secondary indexes and UNIQUE constraints (issue 13, points 2 and 3, in part): CREATE /
//! DROP / ALTER INDEX, UNIQUE column and table constraints, enforced on every write, in the
//! writing transaction, against concurrent writers, with PostgreSQL's names, messages and
//! DETAILs.

use shale_tests::{ClientExt, TestServer, sqlstate};

/// 23505 with `message` and `detail`.
async fn expect_duplicate(client: &tokio_postgres::Client, sql: &str, message: &str, detail: &str) {
    let e = client.error(sql).await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", message, Some(detail)), "{sql}");
}

#[tokio::test]
async fn unique_constraints_are_enforced_on_insert_update_and_delete() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, org int, UNIQUE (org, name))")
        .await;
    client.run("INSERT INTO users (email, name, org) VALUES ('a@b.c', 'a', 1), ('b@b.c', 'b', 1)").await;
    let violates = "duplicate key value violates unique constraint";
    expect_duplicate(
        &client,
        "INSERT INTO users (email, name, org) VALUES ('a@b.c', 'x', 2)",
        &format!("{violates} \"users_email_key\""),
        "Key (email)=(a@b.c) already exists.",
    )
    .await;
    expect_duplicate(
        &client,
        "INSERT INTO users (email, name, org) VALUES ('c@b.c', 'a', 1)",
        &format!("{violates} \"users_org_name_key\""),
        "Key (org, name)=(1, a) already exists.",
    )
    .await;
    // NULLs are distinct by default.
    client.run("INSERT INTO users (email, name, org) VALUES ('c@b.c', NULL, 1), ('d@b.c', NULL, 1)").await;
    // Two rows of one statement.
    expect_duplicate(
        &client,
        "INSERT INTO users (email) VALUES ('e@b.c'), ('e@b.c')",
        &format!("{violates} \"users_email_key\""),
        "Key (email)=(e@b.c) already exists.",
    )
    .await;
    expect_duplicate(
        &client,
        "UPDATE users SET email = 'b@b.c' WHERE email = 'a@b.c'",
        &format!("{violates} \"users_email_key\""),
        "Key (email)=(b@b.c) already exists.",
    )
    .await;
    // An update that keeps its own value, a value freed by an update, and by a delete.
    client.run("UPDATE users SET name = name, email = email").await;
    client.run("UPDATE users SET email = 'z@b.c' WHERE email = 'a@b.c'").await;
    client.run("INSERT INTO users (email) VALUES ('a@b.c')").await;
    client.run("DELETE FROM users WHERE email = 'a@b.c'").await;
    client.run("INSERT INTO users (email, name, org) VALUES ('a@b.c', 'q', 9)").await;
    // Within a transaction, and undone by its rollback.
    client.run("BEGIN; DELETE FROM users WHERE email = 'b@b.c'; INSERT INTO users (email) VALUES ('b@b.c'); ROLLBACK").await;
    client.run("BEGIN; INSERT INTO users (email) VALUES ('f@b.c'); ROLLBACK").await;
    client.run("INSERT INTO users (email) VALUES ('f@b.c')").await;
    assert_eq!(
        client.lines("SELECT email FROM users ORDER BY email").await,
        ["a@b.c", "b@b.c", "c@b.c", "d@b.c", "f@b.c", "z@b.c"]
    );
    // A changed primary key keeps its unique values.
    client.run("UPDATE users SET id = id + 100 WHERE email = 'z@b.c'").await;
    client.run("DELETE FROM users WHERE email = 'z@b.c'").await;
    client.run("INSERT INTO users (email) VALUES ('z@b.c')").await;
}

#[tokio::test]
async fn key_details_write_values_and_quote_names_as_postgresql_does() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "SET TimeZone = 'UTC'; \
             CREATE TABLE fx (\"Cur\" char(3), \"select\" date, rate numeric(6, 3), at timestamptz, UNIQUE (\"Cur\", \"select\")); \
             INSERT INTO fx VALUES ('EUR', '2024-03-01', 1.5, '2024-03-01 10:00+00'), ('USD', '2024-03-01', 1.5, '2024-03-01 10:00+00'); \
             CREATE TABLE days (d date, n numeric(6, 3), t timestamp, PRIMARY KEY (d, n, t)); \
             INSERT INTO days VALUES ('2024-03-01', 1.5, '2024-03-01 10:00')",
        )
        .await;
    expect_duplicate(
        &client,
        "INSERT INTO fx VALUES ('EUR', '2024-03-01', 2, '2024-03-01 11:00+00')",
        "duplicate key value violates unique constraint \"fx_Cur_select_key\"",
        "Key (\"Cur\", \"select\")=(EUR, 2024-03-01) already exists.",
    )
    .await;
    expect_duplicate(
        &client,
        "INSERT INTO days VALUES ('2024-03-01', 1.5, '2024-03-01 10:00')",
        "duplicate key value violates unique constraint \"days_pkey\"",
        "Key (d, n, t)=(2024-03-01, 1.500, 2024-03-01 10:00:00) already exists.",
    )
    .await;
    expect_duplicate(
        &client,
        "CREATE UNIQUE INDEX fx_rate_at ON fx (rate, at)",
        "could not create unique index \"fx_rate_at\"",
        "Key (rate, at)=(1.500, 2024-03-01 10:00:00+00) is duplicated.",
    )
    .await;
    expect_duplicate(
        &client,
        "ALTER TABLE fx ADD PRIMARY KEY (\"select\")",
        "could not create unique index \"fx_pkey\"",
        "Key (\"select\")=(2024-03-01) is duplicated.",
    )
    .await;
}

#[tokio::test]
async fn constraint_names_options_and_added_constraints() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int CONSTRAINT a_once UNIQUE, b int UNIQUE, c int, UNIQUE NULLS NOT DISTINCT (c))").await;
    client.run("INSERT INTO t VALUES (1, 1, NULL)").await;
    expect_duplicate(&client, "INSERT INTO t VALUES (1, 2, 2)", "duplicate key value violates unique constraint \"a_once\"", "Key (a)=(1) already exists.").await;
    expect_duplicate(&client, "INSERT INTO t VALUES (2, 1, 2)", "duplicate key value violates unique constraint \"t_b_key\"", "Key (b)=(1) already exists.").await;
    expect_duplicate(&client, "INSERT INTO t VALUES (2, 2, NULL)", "duplicate key value violates unique constraint \"t_c_key\"", "Key (c)=(null) already exists.").await;
    // A second constraint on the same column gets the next name.
    client.run("ALTER TABLE t ADD UNIQUE (b)").await;
    client.expect_error("DROP INDEX t_b_key1", "2BP01", "cannot drop index t_b_key1 because constraint t_b_key1 on table t requires it").await;
    // Added over existing rows: built, and checked.
    client.run("INSERT INTO t VALUES (5, 5, 5), (6, 6, 6)").await;
    client.run("ALTER TABLE t ADD COLUMN d int UNIQUE").await;
    client.run("UPDATE t SET d = a").await;
    expect_duplicate(&client, "UPDATE t SET d = 1 WHERE a = 5", "duplicate key value violates unique constraint \"t_d_key\"", "Key (d)=(1) already exists.").await;
    client.run("ALTER TABLE t ADD COLUMN e int DEFAULT 7").await;
    let e = client.error("ALTER TABLE t ADD CONSTRAINT e_once UNIQUE (e)").await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", "could not create unique index \"e_once\"", Some("Key (e)=(7) is duplicated.")));
    client.expect_error("CREATE TABLE bad (a int, UNIQUE (nope))", "42703", "column \"nope\" named in key does not exist").await;
    client.expect_error("CREATE TABLE a_once (x int)", "42P07", "relation \"a_once\" already exists").await;
    // Dropping a column drops its indexes.
    client.run("ALTER TABLE t DROP COLUMN b").await;
    client.run("INSERT INTO t (a, c) VALUES (10, 10), (11, 11)").await;
    client.run("CREATE TABLE t_b_key (x int)").await;
}

#[tokio::test]
async fn create_drop_and_rename_indexes() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE items (id int PRIMARY KEY, name text, kind int)").await;
    client.run("INSERT INTO items VALUES (1, 'a', 1), (2, 'b', 1), (3, 'a', 2)").await;
    client.run("CREATE INDEX ON items (name)").await;
    client.run("CREATE INDEX ON items (name)").await;
    client.run("CREATE INDEX IF NOT EXISTS items_name_idx ON items (kind)").await;
    client.expect_error("CREATE INDEX items_name_idx ON items (kind)", "42P07", "relation \"items_name_idx\" already exists").await;
    client.expect_error("CREATE INDEX items (kind)", "42601", "syntax error at or near \"(\"").await;
    let e = client.error("CREATE UNIQUE INDEX one_name ON items (name)").await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", "could not create unique index \"one_name\"", Some("Key (name)=(a) is duplicated.")));
    client.run("CREATE UNIQUE INDEX CONCURRENTLY kind_name ON items USING btree (kind DESC, name NULLS FIRST)").await;
    expect_duplicate(&client, "INSERT INTO items VALUES (4, 'a', 1)", "duplicate key value violates unique constraint \"kind_name\"", "Key (kind, name)=(1, a) already exists.").await;
    client.run("ALTER INDEX kind_name RENAME TO by_kind").await;
    expect_duplicate(&client, "INSERT INTO items VALUES (4, 'a', 1)", "duplicate key value violates unique constraint \"by_kind\"", "Key (kind, name)=(1, a) already exists.").await;
    client.expect_error("ALTER INDEX items_name_idx RENAME TO by_kind", "42P07", "relation \"by_kind\" already exists").await;
    client.run("DROP INDEX by_kind, items_name_idx1").await;
    client.run("INSERT INTO items VALUES (4, 'a', 1)").await;
    client.expect_error("DROP INDEX by_kind", "42704", "index \"by_kind\" does not exist").await;
    client.run("DROP INDEX IF EXISTS by_kind").await;
    client.run("DROP INDEX public.items_name_idx").await;
    // Shale only: what it does not build yet answers 0A000.
    if !server.is_reference() {
        client.expect_sqlstate("CREATE INDEX ON items USING hash (name)", "0A000").await;
    }
    // The table's indexes go with it, names included.
    client.run("CREATE INDEX kept_name ON items (name); DROP TABLE items; CREATE TABLE kept_name (x int)").await;
}

#[tokio::test]
async fn concurrent_inserts_of_one_value_let_exactly_one_in() {
    let server = TestServer::start().await;
    server.client().await.run("CREATE TABLE accounts (id serial PRIMARY KEY, email text UNIQUE)").await;
    // Each of four sessions inserts the same 20 emails, each in a transaction that also
    // holds its row a moment, so that the inserts overlap.
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            let mut inserted = 0;
            for i in 0..20 {
                client.run("BEGIN").await;
                let result = client.simple_query(&format!("INSERT INTO accounts (email) VALUES ('user{i}@x')")).await;
                match sqlstate(&result) {
                    None => {
                        inserted += 1;
                        client.run("COMMIT").await;
                    }
                    Some("23505") => client.run("ROLLBACK").await,
                    other => panic!("unexpected {other:?}"),
                }
            }
            inserted
        }));
    }
    let mut inserted = 0;
    for task in tasks {
        inserted += task.await.expect("task");
    }
    assert_eq!(inserted, 20);
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*), count(DISTINCT email) FROM accounts").await, ["20|20"]);
}

#[tokio::test]
async fn a_waiting_insert_goes_in_when_the_other_rolls_back() {
    let server = TestServer::start().await;
    let (first, second) = (server.client().await, server.client().await);
    first.run("CREATE TABLE names (n text UNIQUE)").await;
    first.run("BEGIN; INSERT INTO names VALUES ('x')").await;
    let waiting = shale_tests::Background::start(second, "INSERT INTO names VALUES ('x')");
    assert!(waiting.still_running_after(std::time::Duration::from_millis(300)).await, "the second insert did not wait");
    first.run("ROLLBACK").await;
    let (second, result) = waiting.finish().await;
    assert!(result.is_ok(), "{result:?}");
    // And fails once the first commits.
    first.run("BEGIN; DELETE FROM names; INSERT INTO names VALUES ('y')").await;
    let waiting = shale_tests::Background::start(second, "INSERT INTO names VALUES ('y')");
    assert!(waiting.still_running_after(std::time::Duration::from_millis(300)).await, "the second insert did not wait");
    first.run("COMMIT").await;
    let (second, result) = waiting.finish().await;
    assert_eq!(sqlstate(&result), Some("23505"));
    assert_eq!(second.lines("SELECT n FROM names").await, ["y"]);
}

#[tokio::test]
async fn queries_read_through_indexes_and_answer_alike() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, org int, name text)").await;
    client.run("CREATE INDEX by_org_name ON users (org, name)").await;
    client.run("INSERT INTO users SELECT g, 'u' || g || '@x', g % 10, 'n' || (g % 7) FROM generate_series(1, 2000) g").await;
    for (sql, expected) in [
        ("SELECT id, org FROM users WHERE email = 'u5@x'", vec!["5|5"]),
        ("SELECT count(*) FROM users WHERE org = 3", vec!["200"]),
        ("SELECT count(*) FROM users WHERE org = 3 AND name > 'n4'", vec!["58"]),
        ("SELECT count(*) FROM users WHERE org = 3 AND name >= 'n4' AND name < 'n6'", vec!["57"]),
        ("SELECT count(*) FROM users WHERE org = 3 AND name = 'n3'", vec!["29"]),
        ("SELECT id FROM users WHERE email = 'nobody'", vec![]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    // Entries follow the rows' changes.
    client.run("UPDATE users SET name = 'zz', email = 'seven@x' WHERE email = 'u7@x'").await;
    assert_eq!(client.lines("SELECT id FROM users WHERE org = 7 AND name = 'zz'").await, ["7"]);
    assert_eq!(client.lines("SELECT id FROM users WHERE email = 'seven@x'").await, ["7"]);
    assert_eq!(client.lines("SELECT id FROM users WHERE email = 'u7@x'").await, Vec::<String>::new());
    client.run("DELETE FROM users WHERE org = 9").await;
    assert_eq!(client.lines("SELECT count(*) FROM users WHERE org = 9").await, ["0"]);
    // With parameters, planned once.
    let by_email = client.prepare("SELECT id FROM users WHERE email = $1").await.expect("prepare");
    for (email, id) in [("u11@x", 11), ("u12@x", 12)] {
        assert_eq!(client.query_one(&by_email, &[&email]).await.expect("query").get::<_, i32>(0), id);
    }
    // Shale only: EXPLAIN names the index and its bounds.
    if !server.is_reference() {
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE email = 'u5@x'").await.join("\n");
        assert!(plan.contains("access=index point get, index=users_email_key"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE org = 3 AND name > 'n4'").await.join("\n");
        assert!(plan.contains("access=index range, index=by_org_name, key_predicates=[org = Int32(3), name > Utf8(\"n4\")]"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE id = 5 AND email = 'u5@x'").await.join("\n");
        assert!(plan.contains("access=point get"), "{plan}");
    }
}

#[tokio::test]
async fn primary_keys_added_and_dropped_later_rekey_the_rows() {
    let (_server, client) = TestServer::start_with_client().await;
    // As pgbench -i does: rows first, then the key.
    client.run("CREATE TABLE acc (aid int, bid int, abalance int, filler text)").await;
    client.run("INSERT INTO acc SELECT g, g % 3, 0, 'x' FROM generate_series(1, 1000) g").await;
    client.run("CREATE INDEX ON acc (bid)").await;
    client.run("ALTER TABLE acc ADD PRIMARY KEY (aid)").await;
    assert_eq!(client.lines("SELECT count(*) FROM acc WHERE aid BETWEEN 10 AND 19").await, ["10"]);
    assert_eq!(client.lines("SELECT count(*) FROM acc WHERE bid = 1").await, ["334"]);
    client.expect_error("INSERT INTO acc VALUES (5, 1, 0, 'y')", "23505", "duplicate key value violates unique constraint \"acc_pkey\"").await;
    client.expect_error("ALTER TABLE acc ADD PRIMARY KEY (bid)", "42P16", "multiple primary keys for table \"acc\" are not allowed").await;
    assert_eq!(client.lines("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'acc'::regclass AND attname = 'aid'").await, ["t"]);
    // Dropped: the rows are keyed by row ids again and take duplicates.
    client.run("ALTER TABLE acc DROP CONSTRAINT acc_pkey").await;
    client.run("INSERT INTO acc VALUES (5, 1, 0, 'y')").await;
    assert_eq!(client.lines("SELECT count(*) FROM acc WHERE aid = 5").await, ["2"]);
    let e = client.error("ALTER TABLE acc ADD CONSTRAINT acc_pk PRIMARY KEY (aid)").await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", "could not create unique index \"acc_pk\"", Some("Key (aid)=(5) is duplicated.")));
    client.run("DELETE FROM acc WHERE aid = 5 AND filler = 'y'").await;
    client.run("ALTER TABLE acc ADD CONSTRAINT acc_pk PRIMARY KEY (aid)").await;
    assert_eq!(client.lines("SELECT conname, contype FROM pg_constraint WHERE conrelid = 'acc'::regclass ORDER BY 1").await, ["acc_pk|p"]);
    assert_eq!(client.lines("SELECT sum(aid), count(*) FROM acc WHERE bid = 2").await, ["166500|333"]);
    client.run("CREATE TABLE nulls (a int)").await;
    client.run("INSERT INTO nulls VALUES (1), (NULL)").await;
    client.expect_error("ALTER TABLE nulls ADD PRIMARY KEY (a)", "23502", "column \"a\" of relation \"nulls\" contains null values").await;
}

#[tokio::test]
async fn columns_set_and_drop_not_null_and_defaults() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE n (a int, b int DEFAULT 3)").await;
    client.run("INSERT INTO n VALUES (NULL, 1)").await;
    client.expect_error("ALTER TABLE n ALTER COLUMN a SET NOT NULL", "23502", "column \"a\" of relation \"n\" contains null values").await;
    client.run("UPDATE n SET a = 1; ALTER TABLE n ALTER COLUMN a SET NOT NULL").await;
    client.expect_sqlstate("INSERT INTO n (b) VALUES (2)", "23502").await;
    client.run("ALTER TABLE n ALTER COLUMN a DROP NOT NULL; INSERT INTO n (b) VALUES (2)").await;
    client.run("ALTER TABLE n ALTER COLUMN b SET DEFAULT 7; INSERT INTO n (a) VALUES (9)").await;
    client.run("ALTER TABLE n ALTER b DROP DEFAULT; INSERT INTO n (a) VALUES (10)").await;
    assert_eq!(client.lines("SELECT a, b FROM n ORDER BY a NULLS FIRST").await, ["NULL|2", "1|1", "9|7", "10|NULL"]);
    client.expect_error("ALTER TABLE n ALTER COLUMN nope SET NOT NULL", "42703", "column \"nope\" of relation \"n\" does not exist").await;
    client.expect_error("ALTER TABLE n DROP CONSTRAINT nope", "42704", "constraint \"nope\" of relation \"n\" does not exist").await;
    client.run("ALTER TABLE n DROP CONSTRAINT IF EXISTS nope").await;
    client.run("ALTER TABLE n ADD CONSTRAINT n_uq UNIQUE (a)").await;
    client.expect_sqlstate("INSERT INTO n (a) VALUES (9)", "23505").await;
    client.run("ALTER TABLE n DROP CONSTRAINT n_uq; INSERT INTO n (a) VALUES (9)").await;
    client.run("CREATE TABLE idt (id int GENERATED ALWAYS AS IDENTITY, pk int PRIMARY KEY)").await;
    client.expect_error("ALTER TABLE idt ALTER COLUMN id SET DEFAULT 1", "42601", "column \"id\" of relation \"idt\" is an identity column").await;
    client.expect_error("ALTER TABLE idt ALTER COLUMN pk DROP NOT NULL", "42P16", "column \"pk\" is in a primary key").await;
}

#[tokio::test]
async fn truncate_empties_tables_and_their_indexes_in_the_transaction() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE a (id int PRIMARY KEY, email text UNIQUE); CREATE TABLE b (x int)").await;
    client.run("INSERT INTO a VALUES (1, 'x'), (2, 'y'); INSERT INTO b VALUES (1)").await;
    client.run("BEGIN; TRUNCATE a, b").await;
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").await, ["0|0"]);
    client.run("ROLLBACK").await;
    assert_eq!(client.lines("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").await, ["2|1"]);
    client.run("TRUNCATE TABLE a").await;
    // The unique value and the key are free again.
    client.run("INSERT INTO a VALUES (1, 'x')").await;
    assert_eq!(client.lines("SELECT id FROM a WHERE email = 'x'").await, ["1"]);
    client.expect_error("TRUNCATE nope", "42P01", "relation \"nope\" does not exist").await;
}

#[tokio::test]
async fn in_lists_read_the_keys_they_name() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE, org int, k int)").await;
    client.run("CREATE INDEX ON u (org, k); CREATE TABLE pk2 (a int, b int, PRIMARY KEY (a, b))").await;
    // A source repeating a column, as PostgreSQL allows.
    client.run("INSERT INTO u SELECT g, 'e' || g, g % 10, g % 7 FROM generate_series(1, 3000) g").await;
    client.run("INSERT INTO pk2 SELECT g % 10, g FROM generate_series(1, 1000) g").await;
    for (sql, expected) in [
        ("SELECT id FROM u WHERE id IN (5, 3, 5, 99999) ORDER BY id", vec!["3", "5"]),
        ("SELECT id FROM u WHERE email IN ('e7', 'e8') ORDER BY 1", vec!["7", "8"]),
        ("SELECT count(*) FROM u WHERE org IN (1, 2) AND k = 3", vec!["86"]),
        ("SELECT count(*) FROM u WHERE org IN (1, 2) AND k > 3", vec!["256"]),
        ("SELECT count(*) FROM pk2 WHERE a IN (1, 2) AND b > 500", vec!["100"]),
        ("SELECT count(*) FROM u WHERE id IN (1, 2, NULL)", vec!["2"]),
        ("SELECT count(*) FROM u WHERE id = 1 OR id = 2 OR org = 3", vec!["302"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    if !server.is_reference() {
        let plan = client.lines("EXPLAIN SELECT * FROM u WHERE id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)").await.join("\n");
        assert!(plan.contains("access=point gets (12)"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT * FROM u WHERE org IN (1, 2) AND k = 3").await.join("\n");
        assert!(plan.contains("access=index range, index=u_org_k_idx"), "{plan}");
    }
    assert_eq!(client.lines("SELECT g, g FROM generate_series(1, 2) g ORDER BY 1").await, ["1|1", "2|2"]);
}

/// Creates `ev`: 5,000 events, ids 1 to 5000, of users `id % 10`, the later ids the
/// earlier in time (`at`), every seventh `note` NULL; indexed by (user_id, at), at, note
/// and score.
async fn create_events(client: &tokio_postgres::Client) {
    client
        .run(
            "CREATE TABLE ev (id int PRIMARY KEY, user_id int NOT NULL, at timestamptz NOT NULL, note text, score numeric(6, 2));
             CREATE INDEX ev_user_at ON ev (user_id, at);
             CREATE INDEX ev_at ON ev (at);
             CREATE INDEX ev_note ON ev (note);
             CREATE INDEX ev_score ON ev (score);
             INSERT INTO ev SELECT g, g % 10, '2024-01-01 00:00:00+00'::timestamptz + (5001 - g) * interval '1 minute',
                    CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || (g % 13) END, (g % 100) - 50.5
             FROM generate_series(1, 5000) g",
        )
        .await;
}

#[tokio::test]
async fn order_by_with_limit_reads_in_key_or_index_order() {
    let (server, client) = TestServer::start_with_client().await;
    create_events(&client).await;
    for (sql, expected) in [
        ("SELECT id FROM ev ORDER BY id LIMIT 3", vec!["1", "2", "3"]),
        ("SELECT id FROM ev ORDER BY id LIMIT 2 OFFSET 4998", vec!["4999", "5000"]),
        ("SELECT id FROM ev WHERE id > 10 ORDER BY id LIMIT 2 OFFSET 1", vec!["12", "13"]),
        ("SELECT id FROM ev WHERE id IN (40, 3, 17) ORDER BY id", vec!["3", "17", "40"]),
        ("SELECT id FROM ev ORDER BY at LIMIT 3", vec!["5000", "4999", "4998"]),
        ("SELECT id FROM ev ORDER BY at LIMIT 3 OFFSET 2", vec!["4998", "4997", "4996"]),
        ("SELECT id FROM ev ORDER BY at DESC LIMIT 2", vec!["1", "2"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at LIMIT 3", vec!["4993", "4983", "4973"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY user_id, at LIMIT 2", vec!["4993", "4983"]),
        ("SELECT id FROM ev WHERE user_id IN (3, 4) ORDER BY at LIMIT 3", vec!["4994", "4993", "4984"]),
        ("SELECT id FROM ev WHERE user_id = 3 AND at > '2024-01-04 00:00:00+00' ORDER BY at LIMIT 2", vec!["673", "663"]),
        ("SELECT count(*) FROM (SELECT id FROM ev ORDER BY at LIMIT 100) s", vec!["100"]),
        // Nullable columns: NULLs sort last (ascending), first with NULLS FIRST.
        ("SELECT id, note FROM ev ORDER BY note, id LIMIT 2", vec!["13|n0", "26|n0"]),
        ("SELECT count(*) FROM (SELECT note FROM ev ORDER BY note NULLS FIRST LIMIT 714) s WHERE note IS NULL", vec!["714"]),
        ("SELECT note FROM ev ORDER BY note DESC NULLS LAST LIMIT 1", vec!["n9"]),
        ("SELECT id, score FROM ev ORDER BY score, id LIMIT 2", vec!["100|-50.50", "200|-50.50"]),
        ("SELECT score FROM ev ORDER BY score DESC LIMIT 1", vec!["48.50"]),
        // Through a join and a subquery.
        ("SELECT a.id FROM ev a JOIN ev b ON b.id = a.id + 1 ORDER BY a.id LIMIT 2", vec!["1", "2"]),
        ("SELECT max(id) FROM (SELECT id FROM ev ORDER BY id LIMIT 10) s", vec!["10"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    // With parameters, planned once.
    let page = client.prepare("SELECT id FROM ev WHERE user_id = $1 ORDER BY at LIMIT $2").await.expect("prepare");
    let ids: Vec<i32> = client.query(&page, &[&5i32, &2i64]).await.expect("page").iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, [4995, 4985]);
    // Shale only: EXPLAIN shows the scan in key or index order, no sort, and the limit.
    if !server.is_reference() {
        let plan = client.lines("EXPLAIN SELECT id FROM ev ORDER BY at LIMIT 3").await.join("\n");
        assert!(plan.contains("access=index range, index=ev_at, limit=3") && !plan.contains("SortExec"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT id FROM ev ORDER BY id LIMIT 3").await.join("\n");
        assert!(plan.contains("access=full range, limit=3") && !plan.contains("SortExec"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT id FROM ev WHERE user_id = 3 ORDER BY at LIMIT 3").await.join("\n");
        assert!(plan.contains("index=ev_user_at") && !plan.contains("SortExec"), "{plan}");
        // NULLs come first in an index: ascending NULLS LAST reads its values, then its NULLs.
        let plan = client.lines("EXPLAIN SELECT id FROM ev ORDER BY note LIMIT 3").await.join("\n");
        assert!(plan.contains("index=ev_note, nulls last") && !plan.contains("SortExec"), "{plan}");
    }
}

#[tokio::test]
async fn descending_orders_read_keys_and_indexes_backward() {
    let (server, client) = TestServer::start_with_client().await;
    create_events(&client).await;
    for (sql, expected) in [
        // The primary key, whole or in ranges.
        ("SELECT id FROM ev ORDER BY id DESC LIMIT 3", vec!["5000", "4999", "4998"]),
        ("SELECT id FROM ev ORDER BY id DESC LIMIT 2 OFFSET 3", vec!["4997", "4996"]),
        ("SELECT id FROM ev WHERE id < 100 ORDER BY id DESC LIMIT 2", vec!["99", "98"]),
        ("SELECT id FROM ev WHERE id BETWEEN 10 AND 14 ORDER BY id DESC", vec!["14", "13", "12", "11", "10"]),
        ("SELECT id FROM ev WHERE id IN (40, 3, 17) ORDER BY id DESC", vec!["40", "17", "3"]),
        ("SELECT max(id) FROM (SELECT id FROM ev ORDER BY id DESC LIMIT 10) s", vec!["5000"]),
        ("SELECT a.id FROM ev a JOIN ev b ON b.id = a.id - 1 ORDER BY a.id DESC LIMIT 2", vec!["5000", "4999"]),
        // A secondary index, whole, after an equality prefix, with a range.
        ("SELECT id FROM ev ORDER BY at DESC LIMIT 3", vec!["1", "2", "3"]),
        ("SELECT id FROM ev ORDER BY at DESC LIMIT 3 OFFSET 2", vec!["3", "4", "5"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at DESC LIMIT 2", vec!["3", "13"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at DESC LIMIT 2 OFFSET 3", vec!["33", "43"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY user_id DESC, at DESC LIMIT 2", vec!["3", "13"]),
        ("SELECT id FROM ev WHERE user_id = 3 AND at < '2024-01-04 00:00:00+00' ORDER BY at DESC LIMIT 2", vec!["683", "693"]),
        ("SELECT id, note FROM ev WHERE user_id = 3 AND note IS NOT NULL ORDER BY at DESC LIMIT 2", vec!["3|n3", "13|n0"]),
        ("SELECT id FROM ev WHERE user_id IN (3, 4) ORDER BY user_id DESC, at DESC LIMIT 3", vec!["4", "14", "24"]),
        // Orders no reading gives: sorted.
        ("SELECT id FROM ev WHERE user_id IN (3, 4) ORDER BY at DESC LIMIT 3", vec!["3", "4", "13"]),
        ("SELECT id FROM ev WHERE user_id IN (3, 4) ORDER BY user_id DESC, at LIMIT 2", vec!["4994", "4984"]),
        ("SELECT id FROM ev WHERE user_id IN (3, 4) ORDER BY user_id, at DESC LIMIT 2", vec!["3", "13"]),
        // A nullable column: its index has NULLs first, so read backward they come last.
        ("SELECT id, note FROM ev ORDER BY note DESC, id LIMIT 2", vec!["7|NULL", "14|NULL"]),
        ("SELECT note FROM ev ORDER BY note DESC LIMIT 2", vec!["NULL", "NULL"]),
        ("SELECT note FROM ev ORDER BY note DESC NULLS FIRST LIMIT 2", vec!["NULL", "NULL"]),
        ("SELECT note FROM ev ORDER BY note DESC NULLS LAST LIMIT 2", vec!["n9", "n9"]),
        ("SELECT note FROM ev ORDER BY note NULLS FIRST LIMIT 2", vec!["NULL", "NULL"]),
        ("SELECT note FROM ev ORDER BY note LIMIT 2", vec!["n0", "n0"]),
        ("SELECT score FROM ev ORDER BY score DESC NULLS LAST LIMIT 2", vec!["48.50", "48.50"]),
        // A limit below a sort chose its rows in its own order: they stay the same rows.
        ("SELECT id FROM (SELECT id FROM ev ORDER BY id LIMIT 3) s ORDER BY id DESC", vec!["3", "2", "1"]),
        ("SELECT id FROM (SELECT id, at FROM ev ORDER BY id LIMIT 3) s ORDER BY at", vec!["3", "2", "1"]),
        ("SELECT id FROM (SELECT id, at FROM ev WHERE user_id = 3 ORDER BY at LIMIT 3) s ORDER BY at DESC", vec!["4973", "4983", "4993"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    // Keys without rows, more than a batch of them, on both sides of those with rows.
    let missing: Vec<String> = (-100..0).chain(5001..5101).map(|id| id.to_string()).collect();
    let listed = format!("SELECT id FROM ev WHERE id IN ({}, 6, 5) ORDER BY id", missing.join(", "));
    assert_eq!(client.lines(&listed).await, ["5", "6"]);
    assert_eq!(client.lines(&format!("{listed} DESC")).await, ["6", "5"]);
    // With parameters, planned once.
    let latest = client.prepare("SELECT id FROM ev WHERE user_id = $1 ORDER BY at DESC LIMIT $2").await.expect("prepare");
    for (user, ids) in [(3i32, [3, 13]), (5, [5, 15]), (3, [3, 13])] {
        let rows: Vec<i32> = client.query(&latest, &[&user, &2i64]).await.expect("latest").iter().map(|r| r.get(0)).collect();
        assert_eq!(rows, ids, "user {user}");
    }
    let below = client.prepare("SELECT id FROM ev WHERE id < $1 ORDER BY id DESC LIMIT 2 OFFSET $2").await.expect("prepare");
    let rows: Vec<i32> = client.query(&below, &[&100i32, &1i64]).await.expect("below").iter().map(|r| r.get(0)).collect();
    assert_eq!(rows, [98, 97]);
    // Shale only: EXPLAIN shows the scans read backward, and no sort.
    if !server.is_reference() {
        for (sql, access) in [
            ("SELECT id FROM ev ORDER BY id DESC LIMIT 3", "access=full range, backward, limit=3"),
            ("SELECT id FROM ev ORDER BY at DESC LIMIT 3", "access=index range, index=ev_at, backward, limit=3"),
            ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at DESC LIMIT 2", "index=ev_user_at, backward, key_predicates=[user_id = Int32(3)]"),
            ("SELECT id FROM ev WHERE id < 100 ORDER BY id DESC LIMIT 2", "access=key range, backward, key_predicates=[id < Int32(100)]"),
            ("SELECT note FROM ev ORDER BY note DESC NULLS LAST LIMIT 2", "index=ev_note, backward, limit=2"),
        ] {
            let plan = client.lines(&format!("EXPLAIN {sql}")).await.join("\n");
            assert!(plan.contains(access) && !plan.contains("SortExec"), "{sql}: {plan}");
        }
        // A limit below a sort keeps its rows.
        for sql in ["SELECT id FROM (SELECT id FROM ev ORDER BY id LIMIT 3) s ORDER BY id DESC"] {
            let plan = client.lines(&format!("EXPLAIN {sql}")).await.join("\n");
            assert!(plan.contains("SortExec") && !plan.contains("backward"), "{sql}: {plan}");
        }
    }
}

#[tokio::test]
async fn desc_index_columns_and_composite_keys_sort_as_postgresql_does() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE posts (id int PRIMARY KEY, created int, title text NOT NULL);
             CREATE INDEX posts_created ON posts (created DESC);
             CREATE INDEX posts_title ON posts (title DESC NULLS LAST, id);
             INSERT INTO posts SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g * 10 END, 't' || (g % 4) FROM generate_series(1, 100) g;
             CREATE TABLE pairs (a int, b int, c text, PRIMARY KEY (a, b));
             INSERT INTO pairs SELECT a, b, a || '-' || b FROM generate_series(1, 3) a, generate_series(1, 3) b",
        )
        .await;
    for (sql, expected) in [
        ("SELECT created FROM posts ORDER BY created DESC LIMIT 3", vec!["NULL", "NULL", "NULL"]),
        ("SELECT created FROM posts ORDER BY created DESC NULLS LAST LIMIT 3", vec!["990", "980", "970"]),
        ("SELECT created FROM posts ORDER BY created LIMIT 3", vec!["10", "20", "30"]),
        ("SELECT created FROM posts ORDER BY created NULLS FIRST LIMIT 3", vec!["NULL", "NULL", "NULL"]),
        ("SELECT created FROM posts ORDER BY created LIMIT 3 OFFSET 78", vec!["980", "990", "NULL"]),
        ("SELECT id FROM posts WHERE created > 500 ORDER BY created DESC LIMIT 2", vec!["99", "98"]),
        ("SELECT id FROM posts WHERE created < 500 ORDER BY created DESC LIMIT 2", vec!["49", "48"]),
        ("SELECT title, id FROM posts ORDER BY title DESC, id LIMIT 3", vec!["t3|3", "t3|7", "t3|11"]),
        ("SELECT title, id FROM posts ORDER BY title DESC, id DESC LIMIT 3", vec!["t3|99", "t3|95", "t3|91"]),
        ("SELECT title, id FROM posts ORDER BY title, id LIMIT 3", vec!["t0|4", "t0|8", "t0|12"]),
        ("SELECT title, id FROM posts WHERE title = 't2' ORDER BY id DESC LIMIT 2", vec!["t2|98", "t2|94"]),
        // A composite primary key, in mixed directions too.
        ("SELECT c FROM pairs ORDER BY a DESC, b DESC LIMIT 4", vec!["3-3", "3-2", "3-1", "2-3"]),
        ("SELECT c FROM pairs ORDER BY a DESC, b LIMIT 4", vec!["3-1", "3-2", "3-3", "2-1"]),
        ("SELECT c FROM pairs ORDER BY a, b DESC LIMIT 4", vec!["1-3", "1-2", "1-1", "2-3"]),
        ("SELECT c FROM pairs WHERE a = 2 ORDER BY b DESC", vec!["2-3", "2-2", "2-1"]),
        ("SELECT c FROM pairs WHERE a >= 2 ORDER BY a DESC, b DESC LIMIT 4 OFFSET 1", vec!["3-2", "3-1", "2-3", "2-2"]),
        ("SELECT c FROM pairs WHERE (a, b) IN ((1, 2), (3, 1), (2, 3)) ORDER BY a DESC, b DESC", vec!["3-1", "2-3", "1-2"]),
        ("SELECT c FROM pairs WHERE a IN (1, 3) AND b IN (1, 3) ORDER BY a DESC, b DESC", vec!["3-3", "3-1", "1-3", "1-1"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
}

#[tokio::test]
async fn a_backward_scan_sees_the_transactions_own_writes() {
    let (_server, client) = TestServer::start_with_client().await;
    create_events(&client).await;
    let latest = client.prepare("SELECT id FROM ev WHERE user_id = $1 ORDER BY at DESC LIMIT 4").await.expect("prepare");
    let latest_of = |user: i32| {
        let (client, latest) = (&client, &latest);
        async move { client.query(latest, &[&user]).await.expect("latest").iter().map(|r| r.get(0)).collect::<Vec<i32>>() }
    };
    assert_eq!(latest_of(3).await, [3, 13, 23, 33]);
    client.run("BEGIN").await;
    client
        .run(
            "INSERT INTO ev VALUES (5001, 3, '2023-12-01 00:00:00+00', 'own', 1), (5002, 3, '2024-06-01 00:00:00+00', NULL, 2),
                                   (0, 4, '2024-03-01 00:00:00+00', 'zz', 3);
             DELETE FROM ev WHERE id IN (3, 4999, 4998);
             UPDATE ev SET at = '2025-01-01 00:00:00+00' WHERE id = 23",
        )
        .await;
    for (sql, expected) in [
        ("SELECT id FROM ev ORDER BY id DESC LIMIT 3", vec!["5002", "5001", "5000"]),
        ("SELECT id FROM ev WHERE id < 5 ORDER BY id DESC", vec!["4", "2", "1", "0"]),
        ("SELECT id FROM ev ORDER BY at DESC LIMIT 4", vec!["23", "5002", "0", "1"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at DESC LIMIT 4", vec!["23", "5002", "13", "33"]),
        ("SELECT id FROM ev WHERE user_id = 3 ORDER BY at LIMIT 2", vec!["5001", "4993"]),
        ("SELECT id, note FROM ev ORDER BY note DESC NULLS LAST LIMIT 2", vec!["0|zz", "5001|own"]),
        ("SELECT count(*) FROM (SELECT id FROM ev ORDER BY at DESC LIMIT 6000) s", vec!["5000"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    assert_eq!(latest_of(3).await, [23, 5002, 13, 33], "a prepared statement reads through the transaction");
    client.run("ROLLBACK").await;
    assert_eq!(latest_of(3).await, [3, 13, 23, 33]);
    assert_eq!(client.lines("SELECT id FROM ev ORDER BY id DESC LIMIT 3").await, ["5000", "4999", "4998"]);
}

#[tokio::test]
async fn nullable_key_columns_read_with_postgresqls_null_placement() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE posts (id int PRIMARY KEY, author int, created_at timestamp, title text);
             CREATE INDEX posts_created ON posts (created_at);
             CREATE INDEX posts_author_created ON posts (author, created_at);
             INSERT INTO posts SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END,
                    CASE WHEN g % 4 = 0 THEN NULL ELSE '2024-01-01'::timestamp + g * interval '1 hour' END, 't' || g
             FROM generate_series(1, 300) g",
        )
        .await;
    // Ascending is NULLS LAST and descending NULLS FIRST by default, as in PostgreSQL's
    // indexes; storage keeps NULLs first, so these read each range's values and its NULLs
    // apart.
    let window = |order: &str, filter: &str, limit: u32| {
        format!(
            "SELECT count(*) FILTER (WHERE created_at IS NULL), min(created_at), max(created_at), count(*) \
             FROM (SELECT created_at FROM posts {filter} ORDER BY created_at {order} LIMIT {limit}) s"
        )
    };
    for (sql, expected) in [
        ("SELECT id FROM posts ORDER BY created_at LIMIT 3".to_string(), "1,2,3"),
        (window("", "", 230), "5|2024-01-01 01:00:00|2024-01-13 11:00:00|230"),
        (window("DESC", "", 3), "3|NULL|NULL|3"),
        (window("DESC", "", 77), "75|2024-01-13 10:00:00|2024-01-13 11:00:00|77"),
        (window("", "WHERE author = 1", 60), "0|2024-01-01 01:00:00|2024-01-13 10:00:00|60"),
        (window("", "WHERE author = 1", 75), "15|2024-01-01 01:00:00|2024-01-13 10:00:00|75"),
        (window("DESC", "WHERE author = 1", 20), "20|NULL|NULL|20"),
        (window("DESC", "WHERE author = 1", 22), "20|2024-01-13 01:00:00|2024-01-13 10:00:00|22"),
        (window("DESC", "WHERE author IN (1, 2)", 45), "40|2024-01-12 23:00:00|2024-01-13 11:00:00|45"),
        (window("DESC", "WHERE created_at < '2024-01-05'", 3), "0|2024-01-04 21:00:00|2024-01-04 23:00:00|3"),
        (window("NULLS FIRST", "", 76), "75|2024-01-01 01:00:00|2024-01-01 01:00:00|76"),
        (window("DESC NULLS LAST", "", 1), "0|2024-01-13 11:00:00|2024-01-13 11:00:00|1"),
    ] {
        assert_eq!(client.lines(&sql).await.join(","), expected, "{sql}");
    }
    // Whole orders agree with a sort of an expression no index has.
    for filter in ["", "WHERE author = 2", "WHERE author IN (0, 2)"] {
        for order in ["", "DESC"] {
            let read = client.lines(&format!("SELECT created_at FROM posts {filter} ORDER BY created_at {order}")).await;
            let sorted = client.lines(&format!("SELECT created_at FROM posts {filter} ORDER BY created_at + interval '0 s' {order}")).await;
            assert_eq!(read, sorted, "{filter} {order}");
        }
    }
    // With parameters, planned once.
    let latest = client
        .prepare("SELECT count(*) FILTER (WHERE created_at IS NULL), max(created_at)::text FROM (SELECT created_at FROM posts WHERE author = $1 ORDER BY created_at DESC LIMIT $2) s")
        .await
        .expect("prepare");
    for (author, limit, nulls, max) in [(1i32, 22i64, 20i64, "2024-01-13 10:00:00"), (2, 21, 20, "2024-01-13 11:00:00"), (1, 5, 5, "")] {
        let row = client.query_one(&latest, &[&author, &limit]).await.expect("latest");
        assert_eq!((row.get::<_, i64>(0), row.get::<_, Option<String>>(1).unwrap_or_default()), (nulls, max.to_string()));
    }
    // Shale only: no sort, and EXPLAIN says where the NULLs are read.
    if !server.is_reference() {
        for (sql, access) in [
            ("SELECT id FROM posts ORDER BY created_at LIMIT 3", "index=posts_created, nulls last, limit=3"),
            ("SELECT id FROM posts ORDER BY created_at DESC LIMIT 3", "index=posts_created, backward, nulls first, limit=3"),
            ("SELECT id FROM posts WHERE author = 1 ORDER BY created_at DESC LIMIT 3", "index=posts_author_created, backward, nulls first"),
        ] {
            let plan = client.lines(&format!("EXPLAIN {sql}")).await.join("\n");
            assert!(plan.contains(access) && !plan.contains("SortExec"), "{sql}: {plan}");
        }
    }
}

/// An ORDER BY whose leading columns an index gives and the rest in another direction
/// (`ORDER BY a, b DESC` over an index on `(a, b DESC)`, whose entries are stored
/// ascending): with a LIMIT, the index is read in order and only the rows of the first
/// values of `a` are sorted, where the whole table was read. The rows are PostgreSQL's.
#[tokio::test]
async fn mixed_directions_read_the_index_for_the_leading_columns() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE m (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL)").await;
    client.run("INSERT INTO m SELECT g, g % 10, g FROM generate_series(1, 3000) g").await;
    client.run("CREATE INDEX m_a_b ON m (a, b DESC)").await;
    let queries = [
        ("SELECT id FROM m ORDER BY a, b DESC LIMIT 3", ["3000", "2990", "2980"]),
        ("SELECT id FROM m ORDER BY a DESC, b LIMIT 3", ["9", "19", "29"]),
        ("SELECT id FROM m WHERE b > 100 ORDER BY a, b DESC LIMIT 3", ["3000", "2990", "2980"]),
        ("SELECT id FROM m ORDER BY a, b DESC LIMIT 3 OFFSET 299", ["10", "2991", "2981"]),
    ];
    for (sql, rows) in queries {
        assert_eq!(client.lines(sql).await, rows, "{sql}");
    }
    // Shale only: the sort keeps the leading column's order from the index.
    if !server.is_reference() {
        for (sql, _) in &queries[..2] {
            let plan = client.lines(&format!("EXPLAIN {sql}")).await.join("\n");
            assert!(plan.contains("index=m_a_b") && plan.contains("sort_prefix=[a@"), "{sql}: {plan}");
        }
    }
}
