//! CREATE / DROP / ALTER TABLE, the column types, keys, defaults, search_path (issue 2,
//! point 3).

use shale_tests::{ClientExt, TestServer};

const NONE: [&str; 0] = [];

#[tokio::test]
async fn every_type_of_the_issue_has_its_postgresql_type_oid() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let create = "CREATE TABLE all_types (c_smallint smallint, c_integer integer, c_bigint bigint, \
                  c_real real, c_double double precision, c_numeric numeric(10,2), c_text text, \
                  c_varchar varchar(10), c_char char(4), c_boolean boolean, c_date date, c_time time, \
                  c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval, c_bytea bytea, \
                  c_uuid uuid, c_json json, c_jsonb jsonb)";
    assert_eq!(wire.transcript(create).await, ["C CREATE TABLE", "Z I"]);
    assert_eq!(
        wire.transcript("SELECT * FROM all_types").await,
        [
            "T c_smallint:int2,c_integer:int4,c_bigint:int8,c_real:float4,c_double:float8,\
             c_numeric:numeric,c_text:text,c_varchar:varchar,c_char:bpchar,c_boolean:bool,c_date:date,\
             c_time:time,c_timestamp:timestamp,c_timestamptz:timestamptz,c_interval:interval,\
             c_bytea:bytea,c_uuid:uuid,c_json:json,c_jsonb:jsonb",
            "C SELECT 0",
            "Z I"
        ]
    );
}

#[tokio::test]
async fn type_aliases_name_the_same_types() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let create = "CREATE TABLE aliases (a int2, b int, c int4, d int8, e float4, f float8, g decimal(8,3), \
                  h character varying(5), i character(2), j bool, k timestamp without time zone, \
                  l timestamp with time zone, m time without time zone, n float, o char)";
    assert_eq!(wire.transcript(create).await, ["C CREATE TABLE", "Z I"]);
    assert_eq!(
        wire.transcript("SELECT * FROM aliases").await,
        [
            "T a:int2,b:int4,c:int4,d:int8,e:float4,f:float8,g:numeric,h:varchar,i:bpchar,j:bool,\
             k:timestamp,l:timestamptz,m:time,n:float8,o:bpchar",
            "C SELECT 0",
            "Z I"
        ]
    );
}

#[tokio::test]
async fn single_column_primary_key_rejects_duplicates_and_nulls() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE users (id int PRIMARY KEY, name text)")
        .await;
    client.run("INSERT INTO users VALUES (1, 'ann')").await;
    client
        .expect_sqlstate("INSERT INTO users VALUES (1, 'bob')", "23505")
        .await;
    client
        .expect_sqlstate("INSERT INTO users VALUES (NULL, 'bob')", "23502")
        .await;
    client
        .expect_sqlstate("INSERT INTO users (name) VALUES ('bob')", "23502")
        .await;
    client.run("INSERT INTO users VALUES (2, 'bob')").await;
    assert_eq!(
        client.lines("SELECT id, name FROM users ORDER BY id").await,
        ["1|ann", "2|bob"]
    );
}

#[tokio::test]
async fn composite_primary_key_as_a_table_constraint() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE stock (shop int, sku text, qty int, PRIMARY KEY (shop, sku))")
        .await;
    client
        .run("INSERT INTO stock VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30)")
        .await;
    client
        .expect_sqlstate("INSERT INTO stock VALUES (1, 'x', 99)", "23505")
        .await;
    client
        .expect_sqlstate("INSERT INTO stock VALUES (1, NULL, 99)", "23502")
        .await;
    assert_eq!(
        client.lines("SELECT * FROM stock ORDER BY shop, sku").await,
        ["1|x|10", "1|y|20", "2|x|30"]
    );
    assert_eq!(
        client
            .lines("SELECT qty FROM stock WHERE shop = 2 AND sku = 'x'")
            .await,
        ["30"]
    );
}

#[tokio::test]
async fn named_primary_key_constraint_and_primary_key_on_a_text_column() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE pairs (a bigint, b bigint, CONSTRAINT pairs_pk PRIMARY KEY (b, a))")
        .await;
    client
        .run("CREATE TABLE codes (code varchar(8) PRIMARY KEY, label text NOT NULL)")
        .await;
    client.run("INSERT INTO pairs VALUES (1, 2), (2, 1)").await;
    client
        .expect_sqlstate("INSERT INTO pairs VALUES (1, 2)", "23505")
        .await;
    client
        .run("INSERT INTO codes VALUES ('b', 'bee'), ('a', 'ay')")
        .await;
    client
        .expect_sqlstate("INSERT INTO codes VALUES ('a', 'again')", "23505")
        .await;
    assert_eq!(
        client
            .lines("SELECT code, label FROM codes ORDER BY code")
            .await,
        ["a|ay", "b|bee"]
    );
}

#[tokio::test]
async fn named_primary_keys_keep_their_names() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE acc (id int, CONSTRAINT acc_pk PRIMARY KEY (id)); \
             CREATE TABLE col (id int CONSTRAINT col_pk PRIMARY KEY, v int); \
             CREATE TABLE alt (id int NOT NULL); ALTER TABLE alt ADD CONSTRAINT alt_pk PRIMARY KEY (id); \
             CREATE TABLE plain (id int PRIMARY KEY)",
        )
        .await;
    let tables = "('acc', 'col', 'alt', 'plain')";
    assert_eq!(
        client.lines(&format!("SELECT conname, contype FROM pg_constraint WHERE conrelid::regclass::text IN {tables} ORDER BY 1")).await,
        ["acc_pk|p", "alt_pk|p", "col_pk|p", "plain_pkey|p"]
    );
    assert_eq!(
        client.lines(&format!("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN {tables} ORDER BY 1")).await,
        [
            "acc_pk|CREATE UNIQUE INDEX acc_pk ON public.acc USING btree (id)",
            "alt_pk|CREATE UNIQUE INDEX alt_pk ON public.alt USING btree (id)",
            "col_pk|CREATE UNIQUE INDEX col_pk ON public.col USING btree (id)",
            "plain_pkey|CREATE UNIQUE INDEX plain_pkey ON public.plain USING btree (id)",
        ]
    );
    assert_eq!(
        client.lines("SELECT relname FROM pg_class WHERE relkind = 'i' AND relname IN ('acc_pk', 'acc_pkey', 'col_pk', 'col_pkey') ORDER BY 1").await,
        ["acc_pk", "col_pk"]
    );
    client.run("INSERT INTO acc VALUES (1); INSERT INTO col VALUES (1, 1)").await;
    let e = client.error("INSERT INTO acc VALUES (1)").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23505", "duplicate key value violates unique constraint \"acc_pk\"", Some("Key (id)=(1) already exists."))
    );
    assert_eq!(client.counts("INSERT INTO acc VALUES (1) ON CONFLICT ON CONSTRAINT acc_pk DO NOTHING").await, [0]);
    client.run("INSERT INTO col VALUES (1, 5) ON CONFLICT ON CONSTRAINT col_pk DO UPDATE SET v = excluded.v").await;
    assert_eq!(client.lines("SELECT id, v FROM col").await, ["1|5"]);
    client.expect_error("ALTER TABLE acc DROP CONSTRAINT acc_pkey", "42704", "constraint \"acc_pkey\" of relation \"acc\" does not exist").await;
    client.run("ALTER TABLE acc DROP CONSTRAINT acc_pk; ALTER TABLE col DROP CONSTRAINT col_pk; ALTER TABLE alt DROP CONSTRAINT alt_pk").await;
    assert_eq!(client.lines(&format!("SELECT conname FROM pg_constraint WHERE conrelid::regclass::text IN {tables}")).await, ["plain_pkey"]);
    // The name is a relation's: one the schema has already is refused.
    client.expect_error("CREATE TABLE taken (id int CONSTRAINT plain PRIMARY KEY)", "42P07", "relation \"plain\" already exists").await;
    client.expect_error("CREATE TABLE same (id int, CONSTRAINT same PRIMARY KEY (id))", "42P07", "relation \"same\" already exists").await;
}

#[tokio::test]
async fn not_null_rejects_null_in_insert_and_update() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE notes (id int, body text NOT NULL)")
        .await;
    client.run("INSERT INTO notes VALUES (1, 'x')").await;
    client
        .expect_sqlstate("INSERT INTO notes VALUES (2, NULL)", "23502")
        .await;
    client
        .expect_sqlstate("INSERT INTO notes (id) VALUES (2)", "23502")
        .await;
    client
        .expect_sqlstate("UPDATE notes SET body = NULL", "23502")
        .await;
    assert_eq!(client.lines("SELECT id, body FROM notes").await, ["1|x"]);
}

#[tokio::test]
async fn defaults_fill_omitted_columns() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE events (id int, n int DEFAULT 42, neg int DEFAULT -1, label text DEFAULT 'none', \
             flag boolean DEFAULT true, price numeric(6,2) DEFAULT 9.5, \
             created timestamptz DEFAULT now(), stamped timestamptz DEFAULT current_timestamp)",
        )
        .await;
    client.run("INSERT INTO events (id) VALUES (1)").await;
    client
        .run("INSERT INTO events (id, n, label) VALUES (2, 7, NULL)")
        .await;
    assert_eq!(
        client
            .lines("SELECT id, n, neg, label, flag, price FROM events ORDER BY id")
            .await,
        ["1|42|-1|none|t|9.50", "2|7|-1|NULL|t|9.50"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT created <= now(), created > now() - interval '1 minute', created = stamped \
                 FROM events ORDER BY id"
            )
            .await,
        ["t|t|t", "t|t|t"],
        "now() and current_timestamp are the same instant: the start of the transaction"
    );
}

#[tokio::test]
async fn now_default_is_one_instant_for_all_rows_of_a_statement() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE log (id int, at timestamptz DEFAULT now())")
        .await;
    client
        .run("INSERT INTO log (id) VALUES (1), (2), (3)")
        .await;
    assert_eq!(
        client.value("SELECT count(DISTINCT at) FROM log").await,
        "1"
    );
}

#[tokio::test]
async fn current_date_and_time_are_written_as_the_transaction_start() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE loans (id int PRIMARY KEY, borrowed date DEFAULT CURRENT_DATE, due date, \
             at timestamp DEFAULT LOCALTIMESTAMP, clock time DEFAULT LOCALTIME, stamped timestamptz DEFAULT CURRENT_TIMESTAMP)",
        )
        .await;
    client
        .run(
            "BEGIN; \
             INSERT INTO loans (id, due) VALUES (1, CURRENT_DATE + 14); \
             INSERT INTO loans VALUES (2, CURRENT_DATE - 1, CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME, now()); \
             INSERT INTO loans (id) VALUES (3); \
             UPDATE loans SET borrowed = CURRENT_DATE, due = CURRENT_DATE + 7 WHERE id = 3; \
             INSERT INTO loans (id, due) VALUES (1, CURRENT_DATE) ON CONFLICT (id) DO UPDATE SET due = CURRENT_DATE + 1, at = LOCALTIMESTAMP; \
             CREATE TABLE now_is (d date, at timestamp, clock time, stamped timestamptz); \
             INSERT INTO now_is VALUES (CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME, CURRENT_TIMESTAMP); \
             COMMIT",
        )
        .await;
    assert_eq!(
        client
            .lines(
                "SELECT l.id, l.borrowed = n.d, l.due - n.d, l.at = n.at, l.clock = n.clock, l.stamped = n.stamped \
                 FROM loans l, now_is n ORDER BY l.id"
            )
            .await,
        ["1|t|1|t|t|t", "2|f|0|t|t|t", "3|t|7|t|t|t"],
        "every value of the transaction is its start"
    );
    // The extended protocol, with a parameter beside it.
    let row = client
        .query_one("INSERT INTO loans (id, due) VALUES ($1, CURRENT_DATE + 14) RETURNING borrowed = CURRENT_DATE, due - borrowed", &[&4i32])
        .await
        .expect("an insert with CURRENT_DATE");
    assert_eq!((row.get::<_, bool>(0), row.get::<_, i32>(1)), (true, 14));
    assert_eq!(client.value("SELECT CURRENT_DATE = now()::date AND LOCALTIMESTAMP = now()::timestamp").await, "t");
}

#[tokio::test]
async fn drop_table_drops_every_table_listed() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE TABLE c (x int)")
        .await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("DROP TABLE a, b").await,
        ["C DROP TABLE", "Z I"]
    );
    client.expect_sqlstate("SELECT * FROM a", "42P01").await;
    client.expect_sqlstate("SELECT * FROM b", "42P01").await;
    assert_eq!(client.lines("SELECT * FROM c").await, NONE);
    client.expect_sqlstate("DROP TABLE c, a", "42P01").await;
    assert_eq!(
        client.lines("SELECT * FROM c").await,
        NONE,
        "a failed DROP drops nothing"
    );
}

#[tokio::test]
async fn drop_table_if_exists_skips_missing_tables_with_a_notice() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE present (x int)").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("DROP TABLE IF EXISTS missing, present")
            .await,
        [
            "N 00000 table \"missing\" does not exist, skipping",
            "C DROP TABLE",
            "Z I"
        ]
    );
    client
        .expect_sqlstate("SELECT * FROM present", "42P01")
        .await;
    assert_eq!(
        wire.transcript("DROP TABLE IF EXISTS present").await,
        [
            "N 00000 table \"present\" does not exist, skipping",
            "C DROP TABLE",
            "Z I"
        ]
    );
}

#[tokio::test]
async fn create_table_if_not_exists_keeps_the_existing_table() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE kept (a int); INSERT INTO kept VALUES (1)")
        .await;
    client.run("CREATE TABLE IF NOT EXISTS kept (b text)").await;
    assert_eq!(client.lines("SELECT a FROM kept").await, ["1"]);
    client.expect_sqlstate("SELECT b FROM kept", "42703").await;
}

#[tokio::test]
async fn alter_table_add_column_with_and_without_default() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2)")
        .await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER TABLE items ADD COLUMN qty int DEFAULT 7")
            .await,
        ["C ALTER TABLE", "Z I"]
    );
    client.run("ALTER TABLE items ADD COLUMN note text").await;
    client
        .run("ALTER TABLE items ADD COLUMN active boolean NOT NULL DEFAULT false")
        .await;
    client
        .run("INSERT INTO items (id, note) VALUES (3, 'new')")
        .await;
    assert_eq!(
        client.lines("SELECT * FROM items ORDER BY id").await,
        ["1|7|NULL|f", "2|7|NULL|f", "3|7|new|f"]
    );
}

#[tokio::test]
async fn alter_table_drop_column_forgets_its_values() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE items (id int PRIMARY KEY, a text, b int)")
        .await;
    client
        .run("INSERT INTO items VALUES (1, 'one', 10), (2, 'two', 20)")
        .await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER TABLE items DROP COLUMN a").await,
        ["C ALTER TABLE", "Z I"]
    );
    assert_eq!(
        wire.transcript("SELECT * FROM items ORDER BY id").await,
        ["T id:int4,b:int4", "D 1|10", "D 2|20", "C SELECT 2", "Z I"]
    );
    client.expect_sqlstate("SELECT a FROM items", "42703").await;
    client.run("ALTER TABLE items ADD COLUMN a text").await;
    assert_eq!(
        client.lines("SELECT id, b, a FROM items ORDER BY id").await,
        ["1|10|NULL", "2|20|NULL"],
        "a new column of the same name does not see the dropped values"
    );
}

#[tokio::test]
async fn alter_table_rename_column() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'x')",
        )
        .await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER TABLE items RENAME COLUMN name TO title")
            .await,
        ["C ALTER TABLE", "Z I"]
    );
    assert_eq!(client.lines("SELECT id, title FROM items").await, ["1|x"]);
    client
        .expect_sqlstate("SELECT name FROM items", "42703")
        .await;
    client
        .run("INSERT INTO items (id, title) VALUES (2, 'y')")
        .await;
    assert_eq!(
        client.lines("SELECT title FROM items ORDER BY id").await,
        ["x", "y"]
    );
}

#[tokio::test]
async fn alter_table_rename_to() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE old_name (id int PRIMARY KEY); INSERT INTO old_name VALUES (1)")
        .await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("ALTER TABLE old_name RENAME TO new_name")
            .await,
        ["C ALTER TABLE", "Z I"]
    );
    assert_eq!(client.lines("SELECT id FROM new_name").await, ["1"]);
    client
        .expect_sqlstate("SELECT id FROM old_name", "42P01")
        .await;
    client.run("CREATE TABLE old_name (other text)").await;
    assert_eq!(
        client.lines("SELECT * FROM old_name").await,
        NONE,
        "the old name is free for a new table"
    );
}

#[tokio::test]
async fn search_path_defaults_to_public() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(client.value("SHOW search_path").await, "\"$user\", public");
    assert_eq!(client.value("SELECT current_schema()").await, "public");
    client
        .run("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .await;
    assert_eq!(client.lines("SELECT x FROM public.t").await, ["1"]);
}

#[tokio::test]
async fn set_search_path_resolves_and_creates_unqualified_names() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE SCHEMA app; CREATE TABLE public.shared (x int); INSERT INTO public.shared VALUES (1)").await;
    let mut wire = server.wire().await;
    assert_eq!(
        wire.transcript("SET search_path TO app").await,
        ["C SET", "Z I"]
    );
    client.run("SET search_path TO app").await;
    assert_eq!(client.value("SHOW search_path").await, "app");
    assert_eq!(client.value("SELECT current_schema()").await, "app");
    client
        .run("CREATE TABLE items (id int); INSERT INTO items VALUES (5)")
        .await;
    assert_eq!(
        client.lines("SELECT id FROM app.items").await,
        ["5"],
        "created in the first schema of the path"
    );
    client
        .expect_sqlstate("SELECT * FROM shared", "42P01")
        .await;
    client.run("SET search_path = app, public").await;
    assert_eq!(client.value("SHOW search_path").await, "app, public");
    assert_eq!(
        client
            .lines("SELECT i.id, s.x FROM items i, shared s")
            .await,
        ["5|1"]
    );
    client.run("SET search_path = public").await;
    client.expect_sqlstate("SELECT * FROM items", "42P01").await;
    assert_eq!(client.lines("SELECT id FROM app.items").await, ["5"]);
}

#[tokio::test]
async fn search_path_is_per_session() {
    let server = TestServer::start().await;
    let a = server.client().await;
    let b = server.client().await;
    a.run("CREATE SCHEMA app; CREATE TABLE app.t (x int); CREATE TABLE public.t (x int)")
        .await;
    a.run("INSERT INTO app.t VALUES (1); INSERT INTO public.t VALUES (2); SET search_path = app")
        .await;
    assert_eq!(a.lines("SELECT x FROM t").await, ["1"]);
    assert_eq!(b.lines("SELECT x FROM t").await, ["2"]);
}

#[tokio::test]
async fn two_schemas_with_a_table_of_the_same_name_never_mix() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE SCHEMA s1; CREATE SCHEMA s2").await;
    client.run("CREATE TABLE s1.t (id int PRIMARY KEY, v text); CREATE TABLE s2.t (id int PRIMARY KEY, w int)").await;
    client
        .run("INSERT INTO s1.t VALUES (1, 'one'), (2, 'two'); INSERT INTO s2.t VALUES (1, 100)")
        .await;
    client
        .run("UPDATE s1.t SET v = 'uno' WHERE id = 1; DELETE FROM s2.t WHERE id = 2")
        .await;
    assert_eq!(
        client.lines("SELECT * FROM s1.t ORDER BY id").await,
        ["1|uno", "2|two"]
    );
    assert_eq!(
        client.lines("SELECT * FROM s2.t ORDER BY id").await,
        ["1|100"]
    );
    client.run("SET search_path = s2").await;
    assert_eq!(client.lines("SELECT w FROM t").await, ["100"]);
    client.run("DROP TABLE s1.t").await;
    client.expect_sqlstate("SELECT * FROM s1.t", "42P01").await;
    assert_eq!(client.lines("SELECT * FROM s2.t").await, ["1|100"]);
}

/// The constraints of `table`: name, type and definition.
async fn constraints_of(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client
        .lines(&format!("SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass ORDER BY conname"))
        .await
}

#[tokio::test]
async fn alter_table_add_column_unique_and_primary_key() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE items (name text); INSERT INTO items VALUES ('a'), ('b')").await;
    // Built over the rows the table has, which all take the default.
    let e = client.error("ALTER TABLE items ADD COLUMN code int DEFAULT 1 UNIQUE").await;
    assert_eq!(
        (e.code().code(), e.message(), e.detail()),
        ("23505", "could not create unique index \"items_code_key\"", Some("Key (code)=(1) is duplicated."))
    );
    client.expect_error("ALTER TABLE items ADD COLUMN id int PRIMARY KEY", "23502", "column \"id\" of relation \"items\" contains null values").await;
    let e = client.error("ALTER TABLE items ADD COLUMN id int DEFAULT 7 CONSTRAINT items_key PRIMARY KEY").await;
    assert_eq!((e.code().code(), e.message()), ("23505", "could not create unique index \"items_key\""));
    client.run("ALTER TABLE items ADD COLUMN code int UNIQUE; ALTER TABLE items ADD COLUMN tag text CONSTRAINT items_tag_unique UNIQUE").await;
    client.run("DELETE FROM items WHERE name = 'b'").await;
    client.run("ALTER TABLE items ADD COLUMN id int DEFAULT 7 CONSTRAINT items_key PRIMARY KEY").await;
    client.expect_error("ALTER TABLE items ADD COLUMN other int PRIMARY KEY", "42P16", "multiple primary keys for table \"items\" are not allowed").await;
    client.expect_error("ALTER TABLE items ADD COLUMN other int CONSTRAINT items_tag_unique UNIQUE", "42P07", "relation \"items_tag_unique\" already exists").await;
    // Enforced from now on.
    client.run("UPDATE items SET code = 1, tag = 'x'").await;
    client.expect_error("INSERT INTO items VALUES ('c', 1, 'y', 8)", "23505", "duplicate key value violates unique constraint \"items_code_key\"").await;
    client.expect_error("INSERT INTO items VALUES ('c', 2, 'x', 8)", "23505", "duplicate key value violates unique constraint \"items_tag_unique\"").await;
    client.expect_error("INSERT INTO items VALUES ('c', 2, 'y', 7)", "23505", "duplicate key value violates unique constraint \"items_key\"").await;
    client.run("INSERT INTO items VALUES ('c', 2, 'y', 8)").await;
    assert_eq!(client.lines("SELECT * FROM items WHERE id = 8").await, ["c|2|y|8"]);
    assert_eq!(
        constraints_of(&client, "items").await,
        ["items_code_key|u|UNIQUE (code)", "items_key|p|PRIMARY KEY (id)", "items_tag_unique|u|UNIQUE (tag)"]
    );
    let out = server.psql_with(&[], "\\d items\n").await;
    assert_eq!(
        out.stdout,
        concat!(
            "               Table \"public.items\"\n",
            " Column |  Type   | Collation | Nullable | Default \n",
            "--------+---------+-----------+----------+---------\n",
            " name   | text    |           |          | \n",
            " code   | integer |           |          | \n",
            " tag    | text    |           |          | \n",
            " id     | integer |           | not null | 7\n",
            "Indexes:\n",
            "    \"items_key\" PRIMARY KEY, btree (id)\n",
            "    \"items_code_key\" UNIQUE CONSTRAINT, btree (code)\n",
            "    \"items_tag_unique\" UNIQUE CONSTRAINT, btree (tag)\n",
            "\n",
        ),
        "{}",
        out.stderr
    );
    // One index per key: the primary key takes the name of a UNIQUE like it.
    client.run("CREATE TABLE pairs (a int); ALTER TABLE pairs ADD COLUMN b int PRIMARY KEY CONSTRAINT pairs_b UNIQUE UNIQUE").await;
    assert_eq!(constraints_of(&client, "pairs").await, ["pairs_b|p|PRIMARY KEY (b)"]);
    // NOT NULL without a default on an empty table, and all of it undone by a rollback.
    client.run("CREATE TABLE empty (a int); ALTER TABLE empty ADD COLUMN b int NOT NULL").await;
    client.run("BEGIN; ALTER TABLE empty ADD COLUMN id int PRIMARY KEY; ALTER TABLE empty ADD COLUMN c int UNIQUE; ROLLBACK").await;
    assert_eq!(constraints_of(&client, "empty").await, Vec::<String>::new());
    client.run("INSERT INTO empty VALUES (1, 1), (1, 1)").await;
}

/// A table with foreign keys both ways takes a primary key on a new column: its rows are
/// keyed anew and the keys keep working.
#[tokio::test]
async fn alter_table_add_column_primary_key_to_a_table_with_foreign_keys() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1)").await;
    client.run("CREATE TABLE mid (code int UNIQUE, pid int REFERENCES p); INSERT INTO mid VALUES (10, 1)").await;
    client.run("CREATE TABLE leaf (code int REFERENCES mid (code)); INSERT INTO leaf VALUES (10)").await;
    client.run("ALTER TABLE mid ADD COLUMN id int DEFAULT 1 PRIMARY KEY").await;
    assert_eq!(client.lines("SELECT id, code, pid FROM mid").await, ["1|10|1"]);
    client.expect_sqlstate("INSERT INTO mid VALUES (11, 2, 2)", "23503").await;
    client.expect_sqlstate("INSERT INTO mid VALUES (11, 1, 1)", "23505").await;
    client.expect_sqlstate("DELETE FROM mid WHERE code = 10", "23503").await;
    client.expect_sqlstate("INSERT INTO leaf VALUES (11)", "23503").await;
    client.run("INSERT INTO mid VALUES (11, 1, 2); INSERT INTO leaf VALUES (11)").await;
    assert_eq!(client.lines("SELECT l.code, m.id FROM leaf l JOIN mid m USING (code) ORDER BY 1").await, ["10|1", "11|2"]);
}

#[tokio::test]
async fn alter_table_drop_column_drops_its_indexes_constraints_and_primary_key() {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE items (id int PRIMARY KEY, code text UNIQUE, qty int CHECK (qty > 0), note text, \
             CHECK (qty < 100 OR note IS NOT NULL)); \
             CREATE INDEX items_note_idx ON items (note); CREATE INDEX items_code_note_idx ON items (note, code); \
             INSERT INTO items VALUES (1, 'a', 5, 'x'), (2, 'b', 500, 'y')",
        )
        .await;
    client.run("ALTER TABLE items DROP COLUMN note").await;
    assert_eq!(
        client.lines("SELECT relname FROM pg_class WHERE relname LIKE 'items%' ORDER BY 1").await,
        ["items", "items_code_key", "items_pkey"]
    );
    assert_eq!(constraints_of(&client, "items").await, ["items_code_key|u|UNIQUE (code)", "items_pkey|p|PRIMARY KEY (id)", "items_qty_check|c|CHECK ((qty > 0))"]);
    // The primary key goes with its column; the rows stay, keyed by hidden row ids.
    client.run("ALTER TABLE items DROP COLUMN id").await;
    assert_eq!(constraints_of(&client, "items").await, ["items_code_key|u|UNIQUE (code)", "items_qty_check|c|CHECK ((qty > 0))"]);
    client.run("INSERT INTO items VALUES ('c', 5)").await;
    client.expect_sqlstate("INSERT INTO items VALUES ('c', 6)", "23505").await;
    client.expect_sqlstate("INSERT INTO items VALUES ('d', 0)", "23514").await;
    assert_eq!(client.lines("SELECT code, qty FROM items WHERE code > 'a' ORDER BY code").await, ["b|500", "c|5"]);
    client.run("ALTER TABLE items DROP COLUMN code; INSERT INTO items VALUES (5)").await;
    assert_eq!(constraints_of(&client, "items").await, ["items_qty_check|c|CHECK ((qty > 0))"]);
    let out = server.psql_with(&[], "\\d items\n").await;
    assert_eq!(
        out.stdout,
        concat!(
            "               Table \"public.items\"\n",
            " Column |  Type   | Collation | Nullable | Default \n",
            "--------+---------+-----------+----------+---------\n",
            " qty    | integer |           |          | \n",
            "Check constraints:\n",
            "    \"items_qty_check\" CHECK (qty > 0)\n",
            "\n",
        ),
        "{}",
        out.stderr
    );
    assert_eq!(client.lines("SELECT qty FROM items ORDER BY qty").await, ["5", "5", "5", "500"]);
}

#[tokio::test]
async fn create_table_as_and_select_into_make_tables_of_a_query() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int, b text, c numeric(5,2))").await;
    client.run("INSERT INTO t VALUES (1, 'x', 1.5), (2, 'y', 2.25)").await;
    let tags = client.simple_query("CREATE TABLE t2 AS SELECT a, b || '!' AS bb, c FROM t").await.expect("create");
    assert!(tags.iter().any(|m| matches!(m, tokio_postgres::SimpleQueryMessage::CommandComplete(2))), "SELECT 2");
    assert_eq!(client.lines("SELECT * FROM t2 ORDER BY a").await, ["1|x!|1.50", "2|y!|2.25"]);
    assert_eq!(
        client
            .lines("SELECT column_name, data_type, numeric_precision FROM information_schema.columns WHERE table_name = 't2' ORDER BY ordinal_position")
            .await,
        ["a|integer|32", "bb|text|NULL", "c|numeric|5"]
    );
    // A table like any other: its rows change, it is independent of t.
    client.run("INSERT INTO t2 VALUES (3, 'z', 0)").await;
    client.run("DROP TABLE t").await;
    assert_eq!(client.value("SELECT count(*) FROM t2").await, "3");

    client.run("CREATE TABLE t3 (x, y) AS SELECT a, c FROM t2 WITH NO DATA").await;
    assert_eq!(client.value("SELECT count(*) FROM t3").await, "0");
    assert_eq!(client.column_names("SELECT * FROM t3").await, ["x", "y"]);
    client.run("CREATE TABLE IF NOT EXISTS t2 AS SELECT 1").await;
    client.expect_error("CREATE TABLE t2 AS SELECT 1", "42P07", "relation \"t2\" already exists").await;
    client.expect_error("CREATE TABLE t7 AS SELECT 1 AS a, 2 AS a", "42701", "column \"a\" specified more than once").await;

    client.run("SELECT a * 10 AS ten INTO t4 FROM t2 WHERE a > 1").await;
    assert_eq!(client.lines("SELECT ten FROM t4 ORDER BY ten").await, ["20", "30"]);
    client.expect_error("SELECT 1 INTO t4", "42P07", "relation \"t4\" already exists").await;
    // Both are part of their transaction, and write.
    client.run("BEGIN").await;
    client.run("CREATE TABLE t5 AS SELECT 1 AS one").await;
    client.run("ROLLBACK").await;
    client.expect_sqlstate("SELECT * FROM t5", "42P01").await;
    client.run("BEGIN READ ONLY").await;
    client.expect_error_in_block("SELECT 1 AS q INTO t6", "25006", "cannot execute SELECT INTO in a read-only transaction").await;
    client.run("ROLLBACK").await;
}

#[tokio::test]
async fn vacuum_is_checked_like_postgresqls() {
    let (_server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE t (a int)").await;
    client.run("INSERT INTO t VALUES (1)").await;
    for statement in ["VACUUM", "VACUUM t", "VACUUM FULL t", "VACUUM FREEZE VERBOSE t", "VACUUM (VERBOSE, SKIP_LOCKED) t, t"] {
        client.run(statement).await;
    }
    assert_eq!(client.value("SELECT count(*) FROM t").await, "1");
    client.expect_error("VACUUM nosuch", "42P01", "relation \"nosuch\" does not exist").await;
    client.expect_error("VACUUM (NONSENSE) t", "42601", "unrecognized VACUUM option \"nonsense\"").await;
    client.expect_error("VACUUM t (a)", "0A000", "ANALYZE option must be specified when a column list is provided").await;
    client.run("BEGIN").await;
    client.expect_error_in_block("VACUUM t", "25001", "VACUUM cannot run inside a transaction block").await;
    client.run("ROLLBACK").await;
}
