//! FOREIGN KEY constraints (issue 13, point 3, in part): REFERENCES on columns and tables,
//! composite keys, ON DELETE / ON UPDATE NO ACTION, RESTRICT, CASCADE, SET NULL and SET
//! DEFAULT, checked at the end of the statement, with PostgreSQL's messages; keys added
//! with a new column (ADD COLUMN ... REFERENCES), also while other sessions write; DROP
//! TABLE's and DROP COLUMN's dependencies; and a referencing insert racing the delete of
//! its parent.

use std::time::Duration;

use shale_tests::{Background, ClientExt, Message, TestServer, sqlstate};

/// 23503 with `message` and `detail`.
async fn expect_violation(client: &tokio_postgres::Client, sql: &str, message: &str, detail: &str) {
    let e = client.error(sql).await;
    assert_eq!((e.code().code(), e.message(), e.detail()), ("23503", message, Some(detail)), "{sql}");
}

#[tokio::test]
async fn references_are_checked_both_ways() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE)").await;
    client.run("CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p)").await;
    client.run("INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (10, 1)").await;
    expect_violation(
        &client,
        "INSERT INTO c VALUES (11, 3)",
        "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"",
        "Key (pid)=(3) is not present in table \"p\".",
    )
    .await;
    // MATCH SIMPLE: a NULL references nothing.
    client.run("INSERT INTO c VALUES (12, NULL)").await;
    expect_violation(
        &client,
        "DELETE FROM p WHERE id = 1",
        "update or delete on table \"p\" violates foreign key constraint \"c_pid_fkey\" on table \"c\"",
        "Key (id)=(1) is still referenced from table \"c\".",
    )
    .await;
    expect_violation(
        &client,
        "UPDATE c SET pid = 5 WHERE id = 12",
        "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"",
        "Key (pid)=(5) is not present in table \"p\".",
    )
    .await;
    // Changes that keep the references, and a statement that removes them itself.
    client.run("UPDATE p SET code = 'aa' WHERE id = 1; UPDATE c SET pid = 2 WHERE id = 12").await;
    client.run("DELETE FROM c WHERE pid = 1; DELETE FROM p WHERE id = 1").await;
    // Within a transaction, undone by its rollback.
    client.run("BEGIN; DELETE FROM c; DELETE FROM p; ROLLBACK").await;
    assert_eq!(client.lines("SELECT id, pid FROM c ORDER BY id").await, ["12|2"]);
    client.expect_error("CREATE TABLE bad (x text REFERENCES p)", "42804", "foreign key constraint \"bad_x_fkey\" cannot be implemented").await;
    client.expect_error("CREATE TABLE bad (x int REFERENCES c (pid))", "42830", "there is no unique constraint matching given keys for referenced table \"c\"").await;
    client.expect_error("CREATE TABLE bad (x int REFERENCES nope)", "42P01", "relation \"nope\" does not exist").await;
    client.expect_error("CREATE TABLE bad (x int, FOREIGN KEY (x, x) REFERENCES p)", "42830", "number of referencing and referenced columns for foreign key disagree").await;
}

#[tokio::test]
async fn cascades_and_set_null() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE)").await;
    client.run("CREATE TABLE cc (id int PRIMARY KEY, code text REFERENCES p (code) ON DELETE CASCADE ON UPDATE CASCADE)").await;
    client.run("CREATE TABLE sn (id int PRIMARY KEY, pid int, CONSTRAINT to_p FOREIGN KEY (pid) REFERENCES p (id) ON DELETE SET NULL)").await;
    client.run("INSERT INTO p VALUES (5, 'e'), (7, 'g'); INSERT INTO cc VALUES (1, 'e'), (2, 'e'), (3, NULL); INSERT INTO sn VALUES (1, 7)").await;
    client.run("UPDATE p SET code = 'ee' WHERE id = 5").await;
    assert_eq!(client.lines("SELECT id, code FROM cc ORDER BY id").await, ["1|ee", "2|ee", "3|NULL"]);
    assert_eq!(client.counts("DELETE FROM p WHERE id = 5").await, [1]);
    assert_eq!(client.lines("SELECT id FROM cc ORDER BY id").await, ["3"]);
    client.run("DELETE FROM p WHERE id = 7").await;
    assert_eq!(client.lines("SELECT id, pid FROM sn").await, ["1|NULL"]);
    // A tree: cascades go down every level; rows of one statement may reference each other.
    client.run("CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree ON DELETE CASCADE)").await;
    client.run("INSERT INTO tree VALUES (2, 1), (1, NULL), (3, 2), (4, 1), (5, NULL)").await;
    client.run("DELETE FROM tree WHERE id = 1").await;
    assert_eq!(client.lines("SELECT id FROM tree ORDER BY id").await, ["5"]);
    // Composite keys.
    client.run("CREATE TABLE pair (a int, b int, PRIMARY KEY (a, b))").await;
    client.run("CREATE TABLE uses (id int PRIMARY KEY, a int, b int, FOREIGN KEY (a, b) REFERENCES pair ON DELETE CASCADE)").await;
    client.run("INSERT INTO pair VALUES (1, 1), (1, 2); INSERT INTO uses VALUES (1, 1, 2), (2, 1, NULL)").await;
    client.expect_sqlstate("INSERT INTO uses VALUES (3, 2, 1)", "23503").await;
    client.run("DELETE FROM pair WHERE b = 2").await;
    assert_eq!(client.lines("SELECT id FROM uses").await, ["2"]);
}

#[tokio::test]
async fn dropping_a_referenced_table() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p); CREATE TABLE d (pid int REFERENCES p)").await;
    let e = client.error("DROP TABLE p").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop table p because other objects depend on it"));
    assert_eq!(e.detail(), Some("constraint c_pid_fkey on table c depends on table p\nconstraint d_pid_fkey on table d depends on table p"));
    client.run("DROP TABLE p, c CASCADE").await;
    // d lost its foreign key with p.
    client.run("INSERT INTO d VALUES (42)").await;
    client.expect_error("TRUNCATE nothing", "42P01", "relation \"nothing\" does not exist").await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p)").await;
    client.expect_error("TRUNCATE p", "0A000", "cannot truncate a table referenced in a foreign key constraint").await;
    client.run("TRUNCATE p, c").await;
}

#[tokio::test]
async fn a_referencing_insert_and_the_delete_of_its_parent_take_turns() {
    let server = TestServer::start().await;
    let (first, second) = (server.client().await, server.client().await);
    first.run("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p); INSERT INTO p VALUES (1), (2)").await;
    // The insert holds its parent: the delete waits, then finds the reference.
    first.run("BEGIN; INSERT INTO c VALUES (1)").await;
    let delete = Background::start(second, "DELETE FROM p WHERE id = 1");
    assert!(delete.still_running_after(Duration::from_millis(300)).await, "the delete did not wait");
    first.run("COMMIT").await;
    let (second, result) = delete.finish().await;
    assert_eq!(sqlstate(&result), Some("23503"));
    // The delete goes first: the insert waits, then finds no parent.
    second.run("BEGIN; DELETE FROM p WHERE id = 2").await;
    let insert = Background::start(first, "INSERT INTO c VALUES (2)");
    assert!(insert.still_running_after(Duration::from_millis(300)).await, "the insert did not wait");
    second.run("COMMIT").await;
    let (first, result) = insert.finish().await;
    assert_eq!(sqlstate(&result), Some("23503"));
    assert_eq!(first.lines("SELECT pid FROM c").await, ["1"]);
}

#[tokio::test]
async fn foreign_keys_added_to_existing_rows_and_dropped() {
    let (_server, client) = TestServer::start_with_client().await;
    // As pgbench -i's foreign-key step does.
    client.run("CREATE TABLE branches (bid int PRIMARY KEY); CREATE TABLE tellers (tid int PRIMARY KEY, bid int)").await;
    client.run("INSERT INTO branches VALUES (1), (2); INSERT INTO tellers VALUES (1, 1), (2, 3)").await;
    expect_violation(
        &client,
        "ALTER TABLE tellers ADD CONSTRAINT tellers_bid_fkey FOREIGN KEY (bid) REFERENCES branches",
        "insert or update on table \"tellers\" violates foreign key constraint \"tellers_bid_fkey\"",
        "Key (bid)=(3) is not present in table \"branches\".",
    )
    .await;
    client.run("UPDATE tellers SET bid = 2 WHERE tid = 2").await;
    client.run("ALTER TABLE tellers ADD FOREIGN KEY (bid) REFERENCES branches").await;
    client.expect_sqlstate("INSERT INTO tellers VALUES (3, 9)", "23503").await;
    client.expect_sqlstate("DELETE FROM branches WHERE bid = 2", "23503").await;
    client.run("ALTER TABLE tellers DROP CONSTRAINT tellers_bid_fkey").await;
    client.run("INSERT INTO tellers VALUES (3, 9); DELETE FROM branches WHERE bid = 2").await;
    // No foreign key left: the referenced table drops alone.
    client.run("DROP TABLE branches").await;
}

#[tokio::test]
async fn integer_keys_of_other_widths_reference_each_other() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE users (id bigserial PRIMARY KEY, name text)").await;
    client.run("CREATE TABLE posts (id serial PRIMARY KEY, user_id integer REFERENCES users ON DELETE CASCADE)").await;
    client.run("INSERT INTO users (name) VALUES ('a'), ('b'); INSERT INTO posts (user_id) VALUES (1), (2), (2)").await;
    expect_violation(
        &client,
        "INSERT INTO posts (user_id) VALUES (3)",
        "insert or update on table \"posts\" violates foreign key constraint \"posts_user_id_fkey\"",
        "Key (user_id)=(3) is not present in table \"users\".",
    )
    .await;
    client.run("DELETE FROM users WHERE id = 2").await;
    assert_eq!(client.lines("SELECT user_id FROM posts").await, ["1"]);
    // And the other way round.
    client.run("CREATE TABLE small (id smallint PRIMARY KEY); CREATE TABLE big (v bigint REFERENCES small)").await;
    client.run("INSERT INTO small VALUES (7); INSERT INTO big VALUES (7)").await;
    client.expect_sqlstate("INSERT INTO big VALUES (100000)", "23503").await;
    client.expect_sqlstate("DELETE FROM small", "23503").await;
}

#[tokio::test]
async fn eight_sessions_hammering_the_same_keys_leave_no_duplicate_and_no_orphan() {
    let server = TestServer::start().await;
    server
        .client()
        .await
        .run("CREATE TABLE parents (id int PRIMARY KEY, email text UNIQUE); CREATE TABLE children (id serial PRIMARY KEY, pid int REFERENCES parents)")
        .await;
    let mut tasks = Vec::new();
    for session in 0..8u32 {
        let client = server.client().await;
        tasks.push(tokio::spawn(async move {
            for step in 0..30u32 {
                let key = (session * 7 + step * 3) % 5;
                // Each statement may lose a race; none may break a constraint.
                for sql in [
                    format!("INSERT INTO parents VALUES ({key}, 'p{key}@x') ON CONFLICT DO NOTHING"),
                    format!("INSERT INTO children (pid) VALUES ({key})"),
                    format!("DELETE FROM children WHERE pid = {key} AND id % 3 = {}", step % 3),
                    format!("DELETE FROM parents WHERE id = {}", (key + 1) % 5),
                ] {
                    let result = client.simple_query(&sql).await;
                    assert!(matches!(sqlstate(&result), None | Some("23503" | "23505" | "40001" | "40P01")), "{sql}: {result:?}");
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    let client = server.client().await;
    assert_eq!(client.lines("SELECT count(*) FROM children c WHERE NOT EXISTS (SELECT 1 FROM parents p WHERE p.id = c.pid)").await, ["0"]);
    assert_eq!(client.lines("SELECT count(*) - count(DISTINCT email) FROM parents").await, ["0"]);
}

#[tokio::test]
async fn dropping_the_unique_index_a_key_needs() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (a int, b int); CREATE UNIQUE INDEX p_a ON p (a); CREATE INDEX p_b ON p (b);
                CREATE TABLE c (x int REFERENCES p (a))").await;
    let e = client.error("DROP INDEX p_a").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop index p_a because other objects depend on it"));
    assert_eq!(e.detail(), Some("constraint c_x_fkey on table c depends on index p_a"));
    client.run("DROP INDEX p_b CASCADE").await;
    client.run("DROP INDEX p_a CASCADE").await;
    // The key went with it: any value goes in now.
    client.run("INSERT INTO c VALUES (42)").await;
    assert_eq!(client.lines("SELECT count(*) FROM pg_constraint WHERE conname = 'c_x_fkey'").await, ["0"]);
}

/// A reference locks the parent's key, not its row: other columns of the parent change
/// while the referencing transaction is open (PostgreSQL's FOR KEY SHARE against FOR NO KEY
/// UPDATE); deleting the parent waits for it.
#[tokio::test]
async fn a_reference_locks_the_key_not_the_row() {
    let (server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE acct (id int PRIMARY KEY, code text UNIQUE, balance int);
           CREATE TABLE entry (acct int REFERENCES acct, code text REFERENCES acct (code), amount int);
           INSERT INTO acct VALUES (1, 'a', 0), (2, 'b', 0)").await;
    a.run("BEGIN; INSERT INTO entry VALUES (1, 'a', 5)").await;
    // Not blocked: the balance is not a referenced key.
    let update = Background::start(b, "UPDATE acct SET balance = balance + 5 WHERE id = 1");
    let (b, result) = update.finish_within(Duration::from_secs(5)).await;
    assert_eq!(sqlstate(&result), None);
    // Changing a referenced key, or deleting the row, waits for the reference.
    let delete = Background::start(b, "DELETE FROM acct WHERE id = 1");
    assert!(delete.still_running_after(Duration::from_millis(300)).await);
    a.run("COMMIT").await;
    let (b, result) = delete.finish().await;
    assert_eq!(sqlstate(&result), Some("23503"));
    let c = server.client().await;
    c.run("BEGIN; INSERT INTO entry VALUES (2, 'b', 1)").await;
    let rename = Background::start(b, "UPDATE acct SET code = 'bb' WHERE id = 2");
    assert!(rename.still_running_after(Duration::from_millis(300)).await);
    c.run("ROLLBACK").await;
    let (b, result) = rename.finish().await;
    assert_eq!(sqlstate(&result), None);
    assert_eq!(b.lines("SELECT id, code, balance FROM acct ORDER BY id").await, ["1|a|5", "2|bb|0"]);
}

/// The foreign keys of `table` as pg_constraint and pg_get_constraintdef show them.
async fn foreign_keys_of(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client
        .lines(&format!(
            "SELECT conname, confupdtype, confdeltype, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE contype = 'f' AND conrelid = '{table}'::regclass ORDER BY conname"
        ))
        .await
}

#[tokio::test]
async fn add_column_references_checks_the_rows_the_table_has() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1), (2)").await;
    client.run("CREATE TABLE c (id int PRIMARY KEY); INSERT INTO c VALUES (10), (11)").await;
    // Every row takes the default, which must have its parent.
    expect_violation(
        &client,
        "ALTER TABLE c ADD COLUMN pid int DEFAULT 3 REFERENCES p",
        "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"",
        "Key (pid)=(3) is not present in table \"p\".",
    )
    .await;
    client.expect_sqlstate("SELECT pid FROM c", "42703").await;
    client.run("ALTER TABLE c ADD COLUMN pid int DEFAULT 1 REFERENCES p ON DELETE CASCADE").await;
    client.run("ALTER TABLE c ADD COLUMN other int CONSTRAINT c_to_p REFERENCES p (id) ON UPDATE SET NULL").await;
    assert_eq!(
        foreign_keys_of(&client, "c").await,
        [
            "c_pid_fkey|a|c|FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE",
            "c_to_p|n|a|FOREIGN KEY (other) REFERENCES p(id) ON UPDATE SET NULL"
        ]
    );
    expect_violation(
        &client,
        "INSERT INTO c VALUES (12, 5)",
        "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"",
        "Key (pid)=(5) is not present in table \"p\".",
    )
    .await;
    client.run("INSERT INTO p VALUES (3); INSERT INTO c VALUES (12, 3, 2)").await;
    client.run("UPDATE p SET id = 20 WHERE id = 2").await;
    assert_eq!(client.lines("SELECT id, pid, other FROM c ORDER BY id").await, ["10|1|NULL", "11|1|NULL", "12|3|NULL"]);
    // The rows that took the default go with their parent.
    client.run("DELETE FROM p WHERE id = 1").await;
    assert_eq!(client.lines("SELECT id FROM c").await, ["12"]);
    let out = server.psql_with(&[], "\\d c\n").await;
    assert_eq!(
        out.stdout,
        concat!(
            "                 Table \"public.c\"\n",
            " Column |  Type   | Collation | Nullable | Default \n",
            "--------+---------+-----------+----------+---------\n",
            " id     | integer |           | not null | \n",
            " pid    | integer |           |          | 1\n",
            " other  | integer |           |          | \n",
            "Indexes:\n",
            "    \"c_pkey\" PRIMARY KEY, btree (id)\n",
            "Foreign-key constraints:\n",
            "    \"c_pid_fkey\" FOREIGN KEY (pid) REFERENCES p(id) ON DELETE CASCADE\n",
            "    \"c_to_p\" FOREIGN KEY (other) REFERENCES p(id) ON UPDATE SET NULL\n",
            "\n",
        ),
        "{}",
        out.stderr
    );
    client.expect_error("ALTER TABLE c ADD COLUMN x int CONSTRAINT c_to_p REFERENCES p", "42710", "constraint \"c_to_p\" for relation \"c\" already exists").await;
    // A reference to the table itself, and one undone with its transaction.
    client.run("ALTER TABLE c ADD COLUMN parent int REFERENCES c").await;
    client.expect_sqlstate("UPDATE c SET parent = 99", "23503").await;
    client.run("BEGIN; ALTER TABLE p ADD COLUMN up int REFERENCES c; ROLLBACK").await;
    client.expect_sqlstate("SELECT up FROM p", "42703").await;
    assert_eq!(client.lines("SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'p'::regclass").await, Vec::<String>::new());
}

/// ADD COLUMN ... REFERENCES waits for the writers of the table and of its parent, then
/// checks what they committed.
#[tokio::test]
async fn add_column_references_waits_for_concurrent_writers() {
    let (_server, a, b) = TestServer::start_with_two_clients().await;
    a.run("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1), (2); CREATE TABLE c (id int)").await;
    // A row another session inserts while the column is added takes the default too.
    a.run("BEGIN; INSERT INTO c VALUES (1)").await;
    let alter = Background::start(b, "ALTER TABLE c ADD COLUMN pid int DEFAULT 7 REFERENCES p");
    assert!(alter.still_running_after(Duration::from_millis(300)).await, "the ALTER did not wait for the insert");
    a.run("COMMIT").await;
    let (b, result) = alter.finish().await;
    assert_eq!(sqlstate(&result), Some("23503"));
    // When that insert rolls back, the table is still empty.
    a.run("DELETE FROM c").await;
    a.run("BEGIN; INSERT INTO c VALUES (2)").await;
    let alter = Background::start(b, "ALTER TABLE c ADD COLUMN pid int DEFAULT 7 REFERENCES p");
    assert!(alter.still_running_after(Duration::from_millis(300)).await, "the ALTER did not wait for the insert");
    a.run("ROLLBACK").await;
    let (b, result) = alter.finish().await;
    assert_eq!(sqlstate(&result), None);
    b.run("ALTER TABLE c DROP COLUMN pid").await;
    // The parent's key deleted by a transaction still open: the ALTER waits and finds it gone.
    b.run("INSERT INTO c VALUES (3)").await;
    a.run("BEGIN; DELETE FROM p WHERE id = 2").await;
    let alter = Background::start(b, "ALTER TABLE c ADD COLUMN pid int DEFAULT 2 REFERENCES p");
    assert!(alter.still_running_after(Duration::from_millis(300)).await, "the ALTER did not wait for the delete");
    a.run("COMMIT").await;
    let (b, result) = alter.finish().await;
    assert_eq!(sqlstate(&result), Some("23503"));
    // Once it is added, a child row inserted by another session must have its parent.
    b.run("ALTER TABLE c ADD COLUMN pid int REFERENCES p").await;
    a.expect_sqlstate("INSERT INTO c VALUES (4, 2)", "23503").await;
    a.run("INSERT INTO c VALUES (4, 1)").await;
    assert_eq!(b.lines("SELECT id, pid FROM c ORDER BY id").await, ["3|NULL", "4|1"]);
}

#[tokio::test]
async fn drop_column_drops_the_foreign_keys_that_use_it() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, v int, w int, UNIQUE (v, w))").await;
    client.run("CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, code text REFERENCES p (code), v int, w int, FOREIGN KEY (v, w) REFERENCES p (v, w), parent int REFERENCES c)").await;
    client.run("CREATE TABLE d (pid int REFERENCES p ON DELETE CASCADE)").await;
    // A key of the table on the dropped column goes with it, composite ones too.
    client.run("ALTER TABLE c DROP COLUMN pid; ALTER TABLE c DROP COLUMN w").await;
    assert_eq!(
        foreign_keys_of(&client, "c").await,
        ["c_code_fkey|a|a|FOREIGN KEY (code) REFERENCES p(code)", "c_parent_fkey|a|a|FOREIGN KEY (parent) REFERENCES c(id)"]
    );
    client.run("INSERT INTO c (id, v) VALUES (1, 42)").await;
    // Nothing references p (v, w) any more: its columns drop freely, with their UNIQUE.
    client.run("ALTER TABLE p DROP COLUMN v").await;
    // The keys of other tables that reference a column depend on it.
    let e = client.error("ALTER TABLE p DROP COLUMN id").await;
    assert_eq!((e.code().code(), e.message()), ("2BP01", "cannot drop column id of table p because other objects depend on it"));
    assert_eq!(e.detail(), Some("constraint d_pid_fkey on table d depends on column id of table p"));
    assert_eq!(e.hint(), Some("Use DROP ... CASCADE to drop the dependent objects too."));
    client.run("ALTER TABLE d ADD CONSTRAINT d_again FOREIGN KEY (pid) REFERENCES p").await;
    let e = client.error("ALTER TABLE p DROP COLUMN id RESTRICT").await;
    assert_eq!(
        e.detail(),
        Some("constraint d_pid_fkey on table d depends on column id of table p\nconstraint d_again on table d depends on column id of table p")
    );
    // Its own key on another column depends on it too.
    let e = client.error("ALTER TABLE c DROP COLUMN id").await;
    assert_eq!(e.detail(), Some("constraint c_parent_fkey on table c depends on column id of table c"));
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER TABLE p DROP COLUMN code CASCADE").await,
        ["N 00000 drop cascades to constraint c_code_fkey on table c", "C ALTER TABLE", "Z I"]
    );
    let messages = wire.query("ALTER TABLE p DROP COLUMN id CASCADE").await;
    let Message::Notice(notice) = &messages[0] else { panic!("a NOTICE first: {messages:?}") };
    assert_eq!(notice.message(), "drop cascades to 2 other objects");
    assert_eq!(notice.detail(), "drop cascades to constraint d_pid_fkey on table d\ndrop cascades to constraint d_again on table d");
    // The keys are gone: any value goes in, and p is no longer referenced.
    client.run("INSERT INTO d VALUES (99); INSERT INTO c (id, code) VALUES (2, 'none')").await;
    assert_eq!(foreign_keys_of(&client, "d").await, Vec::<String>::new());
    assert_eq!(foreign_keys_of(&client, "c").await, ["c_parent_fkey|a|a|FOREIGN KEY (parent) REFERENCES c(id)"]);
    client.run("DROP TABLE p").await;
    // A key that references the table itself goes with its own column.
    client.run("ALTER TABLE c DROP COLUMN parent; ALTER TABLE c DROP COLUMN id").await;
    assert_eq!(client.lines("SELECT count(*) FROM pg_constraint WHERE conrelid = 'c'::regclass").await, ["0"]);
    assert_eq!(client.lines("SELECT code, v FROM c ORDER BY v").await, ["NULL|42", "none|NULL"]);
}

#[tokio::test]
async fn drop_column_names_quoted_tables_as_postgresql_does() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE \"Parent\" (id int PRIMARY KEY, \"Code\" int UNIQUE); CREATE TABLE \"Kid\" (x int REFERENCES \"Parent\" (\"Code\"))").await;
    let e = client.error("ALTER TABLE \"Parent\" DROP COLUMN \"Code\"").await;
    assert_eq!(e.message(), "cannot drop column Code of table \"Parent\" because other objects depend on it");
    assert_eq!(e.detail(), Some("constraint Kid_x_fkey on table \"Kid\" depends on column Code of table \"Parent\""));
}

#[tokio::test]
async fn set_default_gives_the_referencing_rows_their_defaults() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (0), (1), (2), (3), (4)").await;
    client.run("CREATE TABLE c (id int PRIMARY KEY, pid int DEFAULT 0 REFERENCES p ON DELETE SET DEFAULT ON UPDATE SET DEFAULT)").await;
    client.run("INSERT INTO c VALUES (1, 1), (2, 2), (3, 0), (4, 3), (5, 4)").await;
    assert_eq!(foreign_keys_of(&client, "c").await, ["c_pid_fkey|d|d|FOREIGN KEY (pid) REFERENCES p(id) ON UPDATE SET DEFAULT ON DELETE SET DEFAULT"]);
    client.run("DELETE FROM p WHERE id = 1; UPDATE p SET id = 20 WHERE id = 2").await;
    assert_eq!(client.lines("SELECT id, pid FROM c ORDER BY id").await, ["1|0", "2|0", "3|0", "4|3", "5|4"]);
    // The rows that took the default still reference the key being deleted.
    expect_violation(
        &client,
        "DELETE FROM p WHERE id = 0",
        "update or delete on table \"p\" violates foreign key constraint \"c_pid_fkey\" on table \"c\"",
        "Key (id)=(0) is still referenced from table \"c\".",
    )
    .await;
    // A default must reference a parent in turn.
    client.run("ALTER TABLE c ALTER COLUMN pid SET DEFAULT 9").await;
    expect_violation(
        &client,
        "DELETE FROM p WHERE id = 3",
        "insert or update on table \"c\" violates foreign key constraint \"c_pid_fkey\"",
        "Key (pid)=(9) is not present in table \"p\".",
    )
    .await;
    // Without a default: NULL.
    client.run("ALTER TABLE c ALTER COLUMN pid DROP DEFAULT; DELETE FROM p WHERE id = 3").await;
    assert_eq!(client.lines("SELECT id, pid FROM c ORDER BY id").await, ["1|0", "2|0", "3|0", "4|NULL", "5|4"]);
    // A default is evaluated for each row, as UPDATE ... SET pid = DEFAULT does.
    client.run("CREATE SEQUENCE next_parent START 10; INSERT INTO p VALUES (10), (11), (12); INSERT INTO c VALUES (6, 4)").await;
    client.run("ALTER TABLE c ALTER COLUMN pid SET DEFAULT nextval('next_parent'); DELETE FROM p WHERE id = 4").await;
    assert_eq!(client.lines("SELECT id, pid FROM c WHERE id >= 5 ORDER BY id").await, ["5|10", "6|11"]);
    // Composite keys take the default of each column.
    client.run("CREATE TABLE pair (a int, b text, PRIMARY KEY (a, b)); INSERT INTO pair VALUES (1, 'x'), (0, 'none')").await;
    client.run("CREATE TABLE uses (id int, a int DEFAULT 0, b text DEFAULT 'none', FOREIGN KEY (a, b) REFERENCES pair ON DELETE SET DEFAULT)").await;
    client.run("INSERT INTO uses VALUES (1, 1, 'x'); DELETE FROM pair WHERE a = 1").await;
    assert_eq!(client.lines("SELECT id, a, b FROM uses").await, ["1|0|none"]);
}

/// The rows a cascade changes satisfy the CHECK constraints of their table, as an UPDATE's
/// do (23514 before the foreign key's own check).
#[tokio::test]
async fn cascaded_changes_satisfy_the_checks_of_the_referencing_table() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (0), (1), (2), (3)").await;
    client
        .run(
            "CREATE TABLE c (id int PRIMARY KEY, pid int DEFAULT 0 REFERENCES p ON DELETE SET DEFAULT ON UPDATE CASCADE, \
             q int REFERENCES p ON DELETE SET NULL, CHECK (pid <> 0 OR q IS NOT NULL), CHECK (pid < 50))",
        )
        .await;
    client.run("INSERT INTO c VALUES (1, 1, 1), (2, 2, 3)").await;
    let e = client.error("DELETE FROM p WHERE id = 1").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23514", "new row for relation \"c\" violates check constraint \"c_check\"", Some("Failing row contains (1, 0, null)."))
    );
    let e = client.error("UPDATE p SET id = 100 WHERE id = 2").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23514", "new row for relation \"c\" violates check constraint \"c_pid_check\"", Some("Failing row contains (2, 100, 3)."))
    );
    client.run("UPDATE p SET id = 20 WHERE id = 2; DELETE FROM p WHERE id = 3").await;
    assert_eq!(client.lines("SELECT id, pid, q FROM c ORDER BY id").await, ["1|1|1", "2|20|NULL"]);
}

/// PostgreSQL 15's column list of a SET NULL or SET DEFAULT action: deleting the parent
/// sets only those columns (a tenant's rows keep their tenant); the list is in the
/// catalogs; its columns must be the key's, and ON UPDATE takes none.
#[tokio::test]
async fn on_delete_set_null_of_some_columns() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE folders (tenant int, id int, PRIMARY KEY (tenant, id))").await;
    client
        .run(
            "CREATE TABLE files (tenant int NOT NULL, id int, folder int, \
             FOREIGN KEY (tenant, folder) REFERENCES folders ON DELETE SET NULL (folder))",
        )
        .await;
    client
        .run(
            "CREATE TABLE links (tenant int DEFAULT 7, folder int DEFAULT 0, \
             CONSTRAINT links_to FOREIGN KEY (tenant, folder) REFERENCES folders ON DELETE SET DEFAULT (folder))",
        )
        .await;
    client.run("INSERT INTO folders VALUES (1, 0), (1, 10), (2, 10)").await;
    client.run("INSERT INTO files VALUES (1, 1, 10), (2, 2, 10), (1, 3, NULL)").await;
    client.run("INSERT INTO links VALUES (1, 10), (2, 10)").await;
    client.run("DELETE FROM folders WHERE tenant = 1 AND id = 10").await;
    assert_eq!(client.lines("SELECT tenant, id, folder FROM files ORDER BY id").await, ["1|1|NULL", "2|2|10", "1|3|NULL"]);
    assert_eq!(client.lines("SELECT tenant, folder FROM links ORDER BY tenant").await, ["1|0", "2|10"]);
    // The default must reference a parent of the same tenant.
    expect_violation(
        &client,
        "DELETE FROM folders WHERE tenant = 2",
        "insert or update on table \"links\" violates foreign key constraint \"links_to\"",
        "Key (tenant, folder)=(2, 0) is not present in table \"folders\".",
    )
    .await;
    assert_eq!(
        client
            .lines(
                "SELECT conname, confdeltype, confdelsetcols::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE contype = 'f' ORDER BY conname"
            )
            .await,
        [
            "files_tenant_folder_fkey|n|{3}|FOREIGN KEY (tenant, folder) REFERENCES folders(tenant, id) ON DELETE SET NULL (folder)",
            "links_to|d|{2}|FOREIGN KEY (tenant, folder) REFERENCES folders(tenant, id) ON DELETE SET DEFAULT (folder)",
        ]
    );
    let outside = client.error("CREATE TABLE bad (x int, a int, b int, FOREIGN KEY (a, b) REFERENCES folders ON DELETE SET NULL (x))").await;
    assert_eq!(
        (outside.code().code(), outside.message()),
        ("42P10", "column \"x\" referenced in ON DELETE SET action must be part of foreign key")
    );
    let unknown = client.error("CREATE TABLE bad (a int, b int, FOREIGN KEY (a, b) REFERENCES folders ON DELETE SET NULL (zz))").await;
    assert_eq!(
        (unknown.code().code(), unknown.message()),
        ("42703", "column \"zz\" referenced in foreign key constraint does not exist")
    );
    let on_update = client.error("CREATE TABLE bad (a int, b int, FOREIGN KEY (a, b) REFERENCES folders ON UPDATE SET NULL (b))").await;
    assert_eq!(
        (on_update.code().code(), on_update.message()),
        ("0A000", "a column list with SET NULL is only supported for ON DELETE actions")
    );
}
