//! Expression and partial indexes (issue 13, point 2): `CREATE [UNIQUE] INDEX ... ((expr))`
//! and `... WHERE predicate`, enforced on every write and in the writing transaction,
//! arbiters of `ON CONFLICT (expr) WHERE predicate`, checked as PostgreSQL checks them, and
//! shown by the catalogs as PostgreSQL shows them.

use shale_tests::{Background, ClientExt, TestServer, sqlstate};

const VIOLATES: &str = "duplicate key value violates unique constraint";

/// 23505 for `sql` with `message` and `detail`.
async fn expect_duplicate(client: &tokio_postgres::Client, sql: &str, message: &str, detail: &str) {
    let e = client.error(sql).await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", message, Some(detail)), "{sql}");
}

const USERS: &str = "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text, deleted_at timestamptz);
     CREATE UNIQUE INDEX users_live_email ON users (lower(email)) WHERE deleted_at IS NULL";

#[tokio::test]
async fn a_unique_expression_index_on_live_rows_is_enforced() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(USERS).await;
    client.run("INSERT INTO users (email) VALUES ('Ann@Example.com'), ('bob@example.com')").await;
    let taken = format!("{VIOLATES} \"users_live_email\"");
    expect_duplicate(&client, "INSERT INTO users (email) VALUES ('ANN@example.COM')", &taken, "Key (lower(email))=(ann@example.com) already exists.").await;
    expect_duplicate(&client, "UPDATE users SET email = 'BOB@example.com' WHERE id = 1", &taken, "Key (lower(email))=(bob@example.com) already exists.").await;
    // Two rows of one statement.
    expect_duplicate(&client, "INSERT INTO users (email) VALUES ('c@x'), ('C@X')", &taken, "Key (lower(email))=(c@x) already exists.").await;
    // A soft-deleted row leaves the index: its address can be taken again, and it can be
    // deleted softly a second time, since deleted rows are not in the index.
    client.run("UPDATE users SET deleted_at = now() WHERE id = 1").await;
    client.run("INSERT INTO users (email) VALUES ('ann@example.com')").await;
    client.run("UPDATE users SET deleted_at = now() WHERE lower(email) = 'ann@example.com' AND deleted_at IS NULL").await;
    client.run("INSERT INTO users (email) VALUES ('ANN@example.com')").await;
    // Bringing a deleted row back into the index conflicts with the live one.
    expect_duplicate(&client, "UPDATE users SET deleted_at = NULL WHERE id = 1", &taken, "Key (lower(email))=(ann@example.com) already exists.").await;
    // A changed case keeps the key; changing the key frees the old one.
    client.run("UPDATE users SET email = 'BOB@EXAMPLE.COM' WHERE email = 'bob@example.com'").await;
    client.run("UPDATE users SET email = 'robert@example.com' WHERE email = 'BOB@EXAMPLE.COM'").await;
    client.run("INSERT INTO users (email) VALUES ('bob@example.com')").await;
    // Deleting a row removes its entry; a rollback puts it back.
    client.run("BEGIN; DELETE FROM users WHERE email = 'bob@example.com'; INSERT INTO users (email) VALUES ('Bob@example.com'); ROLLBACK").await;
    expect_duplicate(&client, "INSERT INTO users (email) VALUES ('BOB@example.com')", &taken, "Key (lower(email))=(bob@example.com) already exists.").await;
    client.run("DELETE FROM users WHERE email = 'bob@example.com'").await;
    client.run("INSERT INTO users (email) VALUES ('BOB@example.com')").await;
    assert_eq!(
        client.lines("SELECT lower(email), count(*) FILTER (WHERE deleted_at IS NULL), count(*) FROM users GROUP BY 1 ORDER BY 1").await,
        ["ann@example.com|1|3", "bob@example.com|1|1", "robert@example.com|1|1"]
    );
}

#[tokio::test]
async fn on_conflict_infers_expression_and_partial_indexes() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run(USERS).await;
    let sign_up = "INSERT INTO users (email, name) VALUES ($1, $2) \
                   ON CONFLICT (lower(email)) WHERE deleted_at IS NULL DO UPDATE SET name = EXCLUDED.name \
                   RETURNING id, email, name";
    let row = |r: tokio_postgres::Row| format!("{}|{}|{}", r.get::<_, i32>(0), r.get::<_, String>(1), r.get::<_, String>(2));
    assert_eq!(row(client.query_one(sign_up, &[&"Ann@Example.com", &"Ann"]).await.expect("sign up")), "1|Ann@Example.com|Ann");
    assert_eq!(row(client.query_one(sign_up, &[&"ann@EXAMPLE.com", &"Annie"]).await.expect("sign up")), "1|Ann@Example.com|Annie");
    client.run("UPDATE users SET deleted_at = now() WHERE id = 1").await;
    assert_eq!(row(client.query_one(sign_up, &[&"ann@example.com", &"Ann again"]).await.expect("sign up")), "3|ann@example.com|Ann again");
    // A predicate with more conjuncts implies the index's; the elements in another case
    // and parenthesized are the same expression.
    client
        .run("INSERT INTO users (email) VALUES ('ANN@example.com') ON CONFLICT ((LOWER(email))) WHERE deleted_at IS NULL AND name IS NOT NULL DO NOTHING")
        .await;
    // Without the predicate, or with another one, the partial index is no arbiter.
    let no_arbiter = "there is no unique or exclusion constraint matching the ON CONFLICT specification";
    for sql in [
        "INSERT INTO users (email) VALUES ('x') ON CONFLICT (lower(email)) DO NOTHING",
        "INSERT INTO users (email) VALUES ('x') ON CONFLICT (lower(email)) WHERE name IS NULL DO NOTHING",
        "INSERT INTO users (email) VALUES ('x') ON CONFLICT (email) WHERE deleted_at IS NULL DO NOTHING",
        "INSERT INTO users (email) VALUES ('x') ON CONFLICT (upper(email)) WHERE deleted_at IS NULL DO NOTHING",
    ] {
        client.expect_error(sql, "42P10", no_arbiter).await;
    }
    // A bare DO NOTHING has every unique index as arbiter.
    assert_eq!(client.execute("INSERT INTO users (email) VALUES ('ANN@EXAMPLE.COM') ON CONFLICT DO NOTHING", &[]).await.expect("insert"), 0);
    // A non-partial index is inferred whatever the predicate.
    client.run("CREATE UNIQUE INDEX users_name ON users (upper(name))").await;
    client.run("INSERT INTO users (email, name) VALUES ('z@z', 'annie') ON CONFLICT (upper(name)) WHERE email <> '' DO UPDATE SET name = 'Annie 2'").await;
    assert_eq!(
        client.lines("SELECT id, email, name, deleted_at IS NOT NULL FROM users ORDER BY id").await,
        ["1|Ann@Example.com|Annie 2|t", "3|ann@example.com|Ann again|f"]
    );
}

#[tokio::test]
async fn indexes_are_built_over_existing_rows() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (id int PRIMARY KEY, a int, b int, tag text)").await;
    client.run("INSERT INTO t VALUES (1, 1, 2, 'x'), (2, 2, 1, 'X'), (3, 0, 3, NULL), (4, 5, 5, NULL)").await;
    let e = client.error("CREATE UNIQUE INDEX t_sum ON t ((a + b))").await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", "could not create unique index \"t_sum\"", Some("Key ((a + b))=(3) is duplicated.")));
    let e = client.error("CREATE UNIQUE INDEX t_tag ON t (lower(tag))").await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23505", "could not create unique index \"t_tag\"", Some("Key (lower(tag))=(x) is duplicated.")));
    // Only the rows the predicate holds for are in a partial index; NULLs are distinct.
    client.run("CREATE UNIQUE INDEX t_sum ON t ((a + b)) WHERE a > 1 AND b > 0").await;
    client.run("CREATE UNIQUE INDEX t_tag ON t (lower(tag)) WHERE id > 1").await;
    expect_duplicate(&client, "INSERT INTO t VALUES (5, 2, 8, 'y')", &format!("{VIOLATES} \"t_sum\""), "Key ((a + b))=(10) already exists.").await;
    client.run("INSERT INTO t VALUES (5, 0, 10, 'y'), (6, 7, 4, NULL), (7, 1, 3, NULL)").await;
    expect_duplicate(&client, "UPDATE t SET a = 2, b = 9 WHERE id = 5", &format!("{VIOLATES} \"t_sum\""), "Key ((a + b))=(11) already exists.").await;
    expect_duplicate(&client, "UPDATE t SET tag = 'Y' WHERE id = 4", &format!("{VIOLATES} \"t_tag\""), "Key (lower(tag))=(y) already exists.").await;
    client.run("UPDATE t SET tag = 'X' WHERE id = 1").await;
    assert_eq!(client.lines("SELECT id FROM t WHERE lower(tag) = 'x' ORDER BY id").await, ["1", "2"]);
}

#[tokio::test]
async fn index_expressions_are_checked_as_postgresql_checks_them() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE u (id int PRIMARY KEY, a int, b int, at timestamptz)").await;
    client.expect_error("CREATE INDEX ON u (now())", "42P17", "functions in index expression must be marked IMMUTABLE").await;
    client.expect_error("CREATE INDEX ON u (a) WHERE now() > at", "42P17", "functions in index predicate must be marked IMMUTABLE").await;
    client.expect_error("CREATE INDEX ON u (count(a))", "42803", "aggregate functions are not allowed in index expressions").await;
    client.expect_error("CREATE INDEX ON u (a) WHERE a", "42804", "argument of WHERE must be type boolean, not type integer").await;
    client.expect_error("CREATE INDEX ON u (a) WHERE a + 1", "42804", "argument of WHERE must be type boolean, not type integer").await;
    client.expect_sqlstate("CREATE INDEX ON u (nope(a))", "42883").await;
    client.expect_sqlstate("CREATE INDEX ON u ((nope + 1))", "42703").await;
    // None of them left an index behind.
    assert_eq!(client.lines("SELECT count(*) FROM pg_indexes WHERE tablename = 'u'").await, ["1"]);
}

#[tokio::test]
async fn catalogs_show_expressions_and_predicates_as_postgresql_does() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE u (id int PRIMARY KEY, email text, name text, deleted_at timestamptz, a int, b int);
             CREATE UNIQUE INDEX u_live_email ON u (lower(email)) WHERE deleted_at IS NULL;
             CREATE INDEX ON u (lower(email));
             CREATE INDEX ON u ((a + b));
             CREATE INDEX ON u (a) WHERE b > 0;
             CREATE INDEX ON u (upper(name), a DESC)",
        )
        .await;
    assert_eq!(
        client.lines("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'u' ORDER BY indexname").await,
        [
            "u_a_idx|CREATE INDEX u_a_idx ON public.u USING btree (a) WHERE (b > 0)",
            "u_expr_idx|CREATE INDEX u_expr_idx ON public.u USING btree (((a + b)))",
            "u_live_email|CREATE UNIQUE INDEX u_live_email ON public.u USING btree (lower(email)) WHERE (deleted_at IS NULL)",
            "u_lower_idx|CREATE INDEX u_lower_idx ON public.u USING btree (lower(email))",
            "u_pkey|CREATE UNIQUE INDEX u_pkey ON public.u USING btree (id)",
            "u_upper_a_idx|CREATE INDEX u_upper_a_idx ON public.u USING btree (upper(name), a DESC)",
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT i.indexrelid::regclass, indkey, indnatts, indexprs IS NOT NULL, pg_get_expr(indpred, indrelid) \
                 FROM pg_index i WHERE indrelid = 'u'::regclass ORDER BY 1"
            )
            .await,
        [
            "u_pkey|1|1|f|NULL",
            "u_live_email|0|1|t|(deleted_at IS NULL)",
            "u_lower_idx|0|1|t|NULL",
            "u_expr_idx|0|1|t|NULL",
            "u_a_idx|5|1|f|(b > 0)",
            "u_upper_a_idx|0 5|2|t|NULL",
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT attrelid::regclass, attnum, attname, atttypid::regtype FROM pg_attribute \
                 WHERE attrelid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'u'::regclass) ORDER BY 1, 2"
            )
            .await,
        [
            "u_pkey|1|id|integer",
            "u_live_email|1|lower|text",
            "u_lower_idx|1|lower|text",
            "u_expr_idx|1|expr|integer",
            "u_a_idx|1|a|integer",
            "u_upper_a_idx|1|upper|text",
            "u_upper_a_idx|2|a|integer",
        ]
    );
    assert_eq!(
        client.lines("SELECT pg_get_indexdef('u_live_email'::regclass, 1, true), pg_get_indexdef('u_expr_idx'::regclass, 1, true)").await,
        ["lower(email)|(a + b)"]
    );
    // Pretty (psql's \d) and not; casts PostgreSQL's analysis adds; generated names of
    // several expressions.
    client
        .run(
            "CREATE TABLE w (id int PRIMARY KEY, v varchar(10), a int, b int, t text);
             CREATE INDEX ON w (upper(v)) WHERE a > 0 AND (b < 5 OR t = 'x');
             CREATE INDEX ON w ((a + b), (a * 2 + 1))",
        )
        .await;
    assert_eq!(
        client.lines("SELECT pg_get_indexdef(indexrelid, 0, true), pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'w'::regclass ORDER BY indexrelid").await,
        [
            "CREATE UNIQUE INDEX w_pkey ON w USING btree (id)|CREATE UNIQUE INDEX w_pkey ON public.w USING btree (id)",
            "CREATE INDEX w_upper_idx ON w USING btree (upper(v::text)) WHERE a > 0 AND (b < 5 OR t = 'x'::text)|\
             CREATE INDEX w_upper_idx ON public.w USING btree (upper((v)::text)) WHERE ((a > 0) AND ((b < 5) OR (t = 'x'::text)))",
            "CREATE INDEX w_expr_expr1_idx ON w USING btree ((a + b), (a * 2 + 1))|\
             CREATE INDEX w_expr_expr1_idx ON public.w USING btree (((a + b)), (((a * 2) + 1)))",
        ]
    );
}

#[tokio::test]
async fn concurrent_inserts_of_one_expression_value_let_exactly_one_in() {
    let server = TestServer::start().await;
    server.client().await.run(USERS).await;
    let (first, second) = (server.client().await, server.client().await);
    first.run("BEGIN; INSERT INTO users (email) VALUES ('Same@x')").await;
    let waiting = Background::start(second, "INSERT INTO users (email) VALUES ('SAME@X')");
    assert!(waiting.still_running_after(std::time::Duration::from_millis(300)).await, "the second insert did not wait");
    first.run("COMMIT").await;
    let (second, result) = waiting.finish().await;
    assert_eq!(sqlstate(&result), Some("23505"));
    // Four sessions each signing up the same 10 addresses in other cases: one row each.
    let mut tasks = Vec::new();
    for worker in 0..4 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let email = if worker % 2 == 0 { format!("user{i}@x") } else { format!("USER{i}@X") };
                client
                    .execute(
                        "INSERT INTO users (email, name) VALUES ($1, 'w') ON CONFLICT (lower(email)) WHERE deleted_at IS NULL \
                         DO UPDATE SET name = users.name || 'w'",
                        &[&email],
                    )
                    .await
                    .expect("upsert");
            }
        }));
    }
    for task in tasks {
        task.await.expect("worker");
    }
    assert_eq!(
        second.lines("SELECT count(*), count(DISTINCT lower(email)), sum(length(name)) FROM users WHERE email ILIKE 'user%'").await,
        ["10|10|40"]
    );
}

#[tokio::test]
async fn queries_read_through_expression_and_partial_indexes() {
    let (server, client) = TestServer::start_with_client().await;
    client.run(USERS).await;
    client.run("CREATE INDEX users_name_len ON users (length(name)) WHERE name IS NOT NULL").await;
    client
        .run(
            "INSERT INTO users (email, name, deleted_at) \
             SELECT 'User' || g || '@X', CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('n', g % 5) END, \
                    CASE WHEN g % 4 = 0 THEN '2024-01-01 00:00:00+00'::timestamptz END \
             FROM generate_series(1, 2000) g",
        )
        .await;
    for (sql, expected) in [
        ("SELECT id FROM users WHERE lower(email) = 'user7@x' AND deleted_at IS NULL", vec!["7"]),
        ("SELECT id FROM users WHERE lower(email) = 'user8@x' AND deleted_at IS NULL", vec![]),
        ("SELECT id FROM users WHERE lower(email) = 'user8@x'", vec!["8"]),
        ("SELECT count(*) FROM users WHERE lower(email) IN ('user1@x', 'user2@x', 'user4@x') AND deleted_at IS NULL", vec!["2"]),
        ("SELECT count(*) FROM users WHERE length(name) = 2 AND name IS NOT NULL", vec!["267"]),
        ("SELECT count(*) FROM users WHERE length(name) >= 3 AND name IS NOT NULL", vec!["533"]),
    ] {
        assert_eq!(client.lines(sql).await, expected, "{sql}");
    }
    // Entries follow the rows' changes.
    client.run("UPDATE users SET deleted_at = now() WHERE id = 7; UPDATE users SET deleted_at = NULL WHERE id = 8").await;
    assert_eq!(client.lines("SELECT id FROM users WHERE lower(email) = 'user7@x' AND deleted_at IS NULL").await, Vec::<String>::new());
    assert_eq!(client.lines("SELECT id FROM users WHERE lower(email) = 'user8@x' AND deleted_at IS NULL").await, ["8"]);
    // With a parameter, planned once.
    let by_email = client.prepare("SELECT id FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL").await.expect("prepare");
    for (email, id) in [("USER11@x", 11), ("user13@X", 13)] {
        assert_eq!(client.query_one(&by_email, &[&email]).await.expect("query").get::<_, i32>(0), id);
    }
    // Shale only: EXPLAIN names the index; a partial index is used only where the query
    // says its predicate.
    if !server.is_reference() {
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE lower(email) = 'user5@x' AND deleted_at IS NULL").await.join("\n");
        assert!(plan.contains("access=index point get, index=users_live_email"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE lower(email) = 'user5@x'").await.join("\n");
        assert!(!plan.contains("index=users_live_email"), "{plan}");
        let plan = client.lines("EXPLAIN SELECT * FROM users WHERE length(name) > 3 AND name IS NOT NULL").await.join("\n");
        assert!(plan.contains("access=index range, index=users_name_len"), "{plan}");
    }
}
