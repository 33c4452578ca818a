//! `CREATE TABLE t (LIKE source [INCLUDING | EXCLUDING ...])` (issue 14, point 5).

use shale_tests::{ClientExt, TestServer};

async fn with_source() -> (TestServer, tokio_postgres::Client) {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE src (id serial PRIMARY KEY, code text UNIQUE, n int DEFAULT 7 NOT NULL CHECK (n > 0), note text, CONSTRAINT two UNIQUE (code, n))")
        .await;
    client.run("CREATE INDEX ON src (lower(note))").await;
    client.run("CREATE INDEX src_n ON src (n) WHERE n > 5").await;
    client.run("COMMENT ON COLUMN src.note IS 'a note'").await;
    (server, client)
}

const COLUMNS: &str = "SELECT attname, format_type(atttypid, atttypmod), attnotnull, pg_get_expr(adbin, adrelid) \
                       FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum \
                       WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum";

async fn columns(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client.lines(&COLUMNS.replace("$1", &format!("'{table}'"))).await
}

async fn indexes(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client.lines(&format!("SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE tablename = '{table}' ORDER BY 1")).await
}

#[tokio::test]
async fn like_copies_columns_and_only_what_the_options_say() {
    let (_server, client) = with_source().await;
    client.run("CREATE TABLE plain (LIKE src)").await;
    assert_eq!(columns(&client, "plain").await, ["id|integer|t|NULL", "code|text|f|NULL", "n|integer|t|NULL", "note|text|f|NULL"]);
    assert_eq!(indexes(&client, "plain").await, Vec::<String>::new());
    client.run("INSERT INTO plain VALUES (1, 'a', -1, NULL), (1, 'a', -1, NULL)").await;

    client.run("CREATE TABLE everything (LIKE src INCLUDING ALL)").await;
    assert_eq!(
        columns(&client, "everything").await,
        ["id|integer|t|nextval('src_id_seq'::regclass)", "code|text|f|NULL", "n|integer|t|7", "note|text|f|NULL"]
    );
    assert_eq!(
        indexes(&client, "everything").await,
        [
            "everything_code_key CREATE UNIQUE INDEX everything_code_key ON public.everything USING btree (code)",
            "everything_code_n_key CREATE UNIQUE INDEX everything_code_n_key ON public.everything USING btree (code, n)",
            "everything_lower_idx CREATE INDEX everything_lower_idx ON public.everything USING btree (lower(note))",
            "everything_n_idx CREATE INDEX everything_n_idx ON public.everything USING btree (n) WHERE (n > 5)",
            "everything_pkey CREATE UNIQUE INDEX everything_pkey ON public.everything USING btree (id)",
        ]
    );
    assert_eq!(client.value("SELECT col_description('everything'::regclass, 4)").await, "a note");
    client.run("INSERT INTO everything (code) VALUES ('x')").await;
    assert_eq!(client.lines("SELECT id, code, n FROM everything").await, ["1|x|7"]);
    client.expect_sqlstate("INSERT INTO everything (id, code) VALUES (1, 'y')", "23505").await;
    client.expect_sqlstate("INSERT INTO everything (id, code) VALUES (2, 'x')", "23505").await;
    client.expect_error("INSERT INTO everything (id, n) VALUES (3, 0)", "23514", "new row for relation \"everything\" violates check constraint \"src_n_check\"").await;

    client.run("CREATE TABLE around (extra int, LIKE src INCLUDING DEFAULTS INCLUDING CONSTRAINTS, more text)").await;
    assert_eq!(
        columns(&client, "around").await,
        ["extra|integer|f|NULL", "id|integer|t|nextval('src_id_seq'::regclass)", "code|text|f|NULL", "n|integer|t|7", "note|text|f|NULL", "more|text|f|NULL"]
    );
    assert_eq!(client.value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'around'::regclass AND contype = 'c'").await, "1");
    client.run("CREATE TABLE no_indexes (LIKE src INCLUDING ALL EXCLUDING INDEXES)").await;
    assert_eq!(indexes(&client, "no_indexes").await, Vec::<String>::new());
    client.expect_error("CREATE TABLE l5 (LIKE nosuch)", "42P01", "relation \"nosuch\" does not exist").await;
    client.expect_error("CREATE TABLE l6 (id int, LIKE src)", "42701", "column \"id\" specified more than once").await;
    client.expect_sqlstate("CREATE TABLE l7 (id int PRIMARY KEY, x int, LIKE src INCLUDING INDEXES)", "42701").await;
    client.expect_sqlstate("CREATE TABLE l8 (x int PRIMARY KEY, LIKE src INCLUDING INDEXES)", "42P16").await;
}
