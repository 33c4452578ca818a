//! The system catalogs and the introspection functions clients use (issue 5), checked
//! against PostgreSQL 15's own answers.
//!
//! - `catalog_columns_are_postgres_columns`: every catalog relation Shale has describes
//!   (extended protocol, `SELECT * FROM <rel> LIMIT 0`) to the column names, order and
//!   types PostgreSQL 15 gives, recorded in [`PG15_CATALOG_COLUMNS`]. The only differences
//!   allowed on Shale are the documented ones in [`SHALE_TYPE_STAND_INS`] and
//!   [`SHALE_EXTRA_COLUMNS`].
//! - `introspection_functions_answer_as_postgres`: one session over a small schema asks what
//!   psql, PgJDBC, psqlODBC, sqlx and the BI tools ask (format_type, pg_get_indexdef,
//!   pg_get_constraintdef, pg_get_expr, visibility and privilege functions, regclass casts,
//!   SHOW/SET, pg_tables, pg_indexes, information_schema) and compares each answer with
//!   PostgreSQL's. No OID is printed: OIDs are only compared with each other.
//! - `type_names_vectors_and_show_columns_answer_as_postgres`: format_type of bpchar
//!   without a modifier, int2vector values, the names of reg casts' and SHOW's columns.
//! - `indexes_and_unique_constraints_answer_as_postgres`: secondary indexes (DESC, NULLS
//!   FIRST, INCLUDE, UNIQUE, NULLS NOT DISTINCT) and UNIQUE constraints in `pg_class`,
//!   `pg_index`, `pg_constraint`, `pg_indexes`, `pg_get_indexdef` / `pg_get_constraintdef`,
//!   the size functions and `information_schema`.
//! - `foreign_keys_answer_as_postgres`: FOREIGN KEY constraints (inline, table-level,
//!   composite in another order than the key, onto a UNIQUE constraint or a unique index,
//!   self-referencing, across schemas) in `pg_constraint`, `pg_get_constraintdef`,
//!   `pg_class.relhastriggers`, psql's "Referenced by:" query and `information_schema`.

use shale_tests::{ClientExt, TestServer, within};
use tokio_postgres::Client;

/// Where Shale's catalog column has another type than PostgreSQL's: (PostgreSQL 15's type
/// name, Shale's type name, why). Applies to every column of [`PG15_CATALOG_COLUMNS`] on
/// Shale only; each entry must still be needed (the test fails on an unused one, so the list
/// shrinks as types are fixed).
#[rustfmt::skip]
const SHALE_TYPE_STAND_INS: &[(&str, &str, &str)] = &[
    ("inet", "text", "no inet type: pg_stat_activity.client_addr is text"),
];

/// Columns Shale has beyond PostgreSQL 15's, after them: (relation, column, type).
const SHALE_EXTRA_COLUMNS: &[(&str, &str, &str)] = &[
    // Gone from PostgreSQL since 12, but psqlODBC still selects it.
    ("pg_catalog.pg_class", "relhasoids", "bool"),
];

#[tokio::test]
async fn catalog_columns_are_postgres_columns() {
    let (server, client) = TestServer::start_with_client().await;
    let shale = !server.is_reference();
    let mut wrong = Vec::new();
    let mut stand_ins_used = vec![false; SHALE_TYPE_STAND_INS.len()];
    for &(relation, pg_columns) in PG15_CATALOG_COLUMNS {
        let sql = format!("SELECT * FROM {relation} LIMIT 0");
        let statement = match within(client.prepare(&sql), &sql).await {
            Ok(statement) => statement,
            Err(e) => {
                wrong.push(format!("{sql}: {e}"));
                continue;
            }
        };
        let got: Vec<(&str, &str)> = statement
            .columns()
            .iter()
            .map(|c| (c.name(), c.type_().name()))
            .collect();
        let mut expected: Vec<(&str, &str)> = pg_columns.to_vec();
        if shale {
            expected.extend(
                SHALE_EXTRA_COLUMNS
                    .iter()
                    .filter(|(r, _, _)| *r == relation)
                    .map(|&(_, name, type_name)| (name, type_name)),
            );
        }
        let same = got.len() == expected.len()
            && got
                .iter()
                .zip(&expected)
                .all(|(&(name, type_name), &(pg_name, pg_type))| {
                    if name != pg_name {
                        return false;
                    }
                    if type_name == pg_type {
                        return true;
                    }
                    match SHALE_TYPE_STAND_INS
                        .iter()
                        .position(|&(pg, ours, _)| shale && pg == pg_type && ours == type_name)
                    {
                        Some(i) => {
                            stand_ins_used[i] = true;
                            true
                        }
                        None => false,
                    }
                });
        if !same {
            wrong.push(format!(
                "{relation}:\n  got      {got:?}\n  expected {expected:?}"
            ));
        }
    }
    if shale {
        for (&(pg, ours, why), used) in SHALE_TYPE_STAND_INS.iter().zip(stand_ins_used) {
            if !used {
                wrong.push(format!(
                    "no column needs the stand-in {ours} for {pg} ({why}) any more: remove it"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "catalog columns differ from PostgreSQL 15's:\n{}",
        wrong.join("\n")
    );
}

/// A session on a fresh server holding `app.t (id int PRIMARY KEY, name varchar(20) NOT
/// NULL DEFAULT 'x', price numeric(10,2))` and `public.u (a int, b text, PRIMARY KEY (b, a))`.
async fn with_schema() -> (TestServer, Client) {
    let (server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE SCHEMA app;
             CREATE TABLE app.t (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', \
             price numeric(10,2));
             CREATE TABLE u (a int, b text, PRIMARY KEY (b, a));",
        )
        .await;
    (server, client)
}

#[tokio::test]
async fn introspection_functions_answer_as_postgres() {
    let (_server, client) = with_schema().await;

    // format_type, from the table's columns and for given (type, typmod) pairs.
    assert_eq!(
        client
            .lines(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute \
                 WHERE attrelid = 'app.t'::regclass AND attnum > 0 ORDER BY attnum"
            )
            .await,
        [
            "id|integer",
            "name|character varying(20)",
            "price|numeric(10,2)"
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT format_type('varchar'::regtype, 24), format_type(1700, 655366), \
                 format_type('bpchar'::regtype, 5), format_type('int4[]'::regtype, NULL), \
                 format_type('timestamptz'::regtype, 3), format_type(23, -1)"
            )
            .await,
        [
            "character varying(20)|numeric(10,2)|character(1)|integer[]|timestamp(3) with time zone|integer"
        ]
    );

    // The primary keys: their indexes, constraints; the default of app.t.name.
    assert_eq!(
        client
            .lines(
                "SELECT relname, pg_get_indexdef(oid) FROM pg_class \
                 WHERE relname IN ('t_pkey', 'u_pkey') ORDER BY relname"
            )
            .await,
        [
            "t_pkey|CREATE UNIQUE INDEX t_pkey ON app.t USING btree (id)",
            "u_pkey|CREATE UNIQUE INDEX u_pkey ON public.u USING btree (b, a)",
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conname IN ('t_pkey', 'u_pkey') ORDER BY conname"
            )
            .await,
        ["t_pkey|p|PRIMARY KEY (id)", "u_pkey|p|PRIMARY KEY (b, a)"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d \
                 JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum \
                 WHERE d.adrelid = 'app.t'::regclass"
            )
            .await,
        ["name|'x'::character varying"]
    );
    assert_eq!(
        client
            .value(
                "SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = 'u'"
            )
            .await,
        "t"
    );

    // Visibility on the default search_path (again after SET search_path, below).
    const VISIBLE: &str = "SELECT n.nspname, c.relname, pg_table_is_visible(c.oid) \
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
        WHERE c.relname IN ('t', 'u') ORDER BY n.nspname";
    assert_eq!(client.lines(VISIBLE).await, ["app|t|f", "public|u|t"]);
    assert_eq!(
        client
            .value("SELECT pg_type_is_visible('int4'::regtype) AND pg_type_is_visible('varchar'::regtype)")
            .await,
        "t"
    );

    // Privileges: the superuser has them all; bad arguments are errors.
    assert_eq!(
        client
            .lines(
                "SELECT has_table_privilege('u', 'SELECT'), has_schema_privilege('app', 'USAGE'), \
                 has_database_privilege(current_database(), 'CONNECT'), \
                 has_column_privilege('u', 'a', 'SELECT')"
            )
            .await,
        ["t|t|t|t"]
    );
    client
        .expect_sqlstate("SELECT has_table_privilege('u', 'FLY')", "22023")
        .await;
    client
        .expect_sqlstate("SELECT has_table_privilege('nope', 'SELECT')", "42P01")
        .await;

    // Comments, encodings, quoting, keywords.
    assert_eq!(
        client
            .lines("SELECT obj_description('int4'::regtype, 'pg_type'), col_description('u'::regclass, 1)")
            .await,
        ["-2 billion to 2 billion integer, 4-byte storage|NULL"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT pg_encoding_to_char(6), quote_ident('Foo'), quote_ident('select'), \
                 quote_ident('foo')"
            )
            .await,
        [r#"UTF8|"Foo"|"select"|foo"#]
    );
    assert_eq!(
        client
            .lines("SELECT catcode, catdesc FROM pg_get_keywords() WHERE word = 'select'")
            .await,
        ["R|reserved"]
    );

    // Settings through functions; this session in pg_stat_activity.
    assert_eq!(
        client
            .lines(
                "SELECT current_schemas(true), current_schemas(false), \
                 current_setting('search_path'), current_setting('nope', true) IS NULL"
            )
            .await,
        [r#"{pg_catalog,public}|{public}|"$user", public|t"#]
    );
    assert_eq!(
        client
            .value("SELECT set_config('application_name', 'x', false)")
            .await,
        "x"
    );
    assert_eq!(client.value("SHOW application_name").await, "x");
    assert_eq!(
        client
            .value(
                "SELECT pid = pg_backend_pid() FROM pg_stat_activity \
                 WHERE datname = current_database() AND application_name = 'x'"
            )
            .await,
        "t"
    );

    // regclass and regtype.
    assert_eq!(
        client
            .lines("SELECT 'u'::regclass::text, 'int4'::regtype::text, 'app.t'::regclass::text")
            .await,
        ["u|integer|app.t"]
    );
    assert_eq!(
        client
            .value(
                "SELECT 'app.t'::regclass = (SELECT c.oid FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relname = 't' AND n.nspname = 'app')"
            )
            .await,
        "t"
    );
    client
        .expect_sqlstate("SELECT 'nope'::regclass", "42P01")
        .await;

    // psql's name patterns; arrays of names.
    assert_eq!(
        client
            .lines(
                "SELECT c.relname FROM pg_catalog.pg_class c \
                 WHERE c.relname OPERATOR(pg_catalog.~) '^(u)$' COLLATE pg_catalog.default"
            )
            .await,
        ["u"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT relname FROM pg_class WHERE relname = ANY(ARRAY['t', 'u']) ORDER BY relname"
            )
            .await,
        ["t", "u"]
    );

    // SHOW and SET of what drivers set at connect time.
    for (set, show, value) in [
        ("SET extra_float_digits = 3", "SHOW extra_float_digits", "3"),
        (
            "SET application_name = 'catalogs'",
            "SHOW application_name",
            "catalogs",
        ),
        ("SET DateStyle = 'ISO'", "SHOW DateStyle", "ISO, MDY"),
        (
            "SET client_min_messages = warning",
            "SHOW client_min_messages",
            "warning",
        ),
        ("SET TimeZone = 'UTC'", "SHOW TimeZone", "UTC"),
        (
            "SET statement_timeout = '5s'",
            "SHOW statement_timeout",
            "5s",
        ),
        ("SET statement_timeout = 0", "SHOW statement_timeout", "0"),
    ] {
        client.run(set).await;
        assert_eq!(client.value(show).await, value, "{set}; {show}");
    }
    assert_eq!(client.value("SHOW max_identifier_length").await, "63");
    assert_eq!(
        client.value("SHOW transaction_isolation").await,
        "read committed"
    );
    client
        .run("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await;
    assert_eq!(
        client.value("SHOW default_transaction_isolation").await,
        "repeatable read"
    );

    // The views over the catalogs.
    assert_eq!(
        client
            .lines("SELECT schemaname, relname FROM pg_stat_user_tables WHERE relname = 'u'")
            .await,
        ["public|u"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT schemaname, tablename, tableowner = current_user, hasindexes \
                 FROM pg_tables WHERE tablename IN ('t', 'u') ORDER BY schemaname"
            )
            .await,
        ["app|t|t|t", "public|u|t|t"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT i.schemaname, i.tablename, i.indexname, i.indexdef, \
                 i.indexdef = pg_get_indexdef(c.oid) \
                 FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname \
                 WHERE i.tablename = 'u'"
            )
            .await,
        ["public|u|u_pkey|CREATE UNIQUE INDEX u_pkey ON public.u USING btree (b, a)|t"]
    );
    assert_eq!(
        client
            .lines(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, \
                 numeric_scale, is_nullable, column_default FROM information_schema.columns \
                 WHERE table_schema = 'app' AND table_name = 't' ORDER BY ordinal_position"
            )
            .await,
        [
            "id|integer|NULL|32|0|NO|NULL",
            "name|character varying|20|NULL|NULL|NO|'x'::character varying",
            "price|numeric|NULL|10|2|YES|NULL",
        ]
    );
    assert_eq!(
        client
            .lines(
                "SELECT constraint_name, column_name, ordinal_position \
                 FROM information_schema.key_column_usage \
                 WHERE table_schema = 'public' AND table_name = 'u' ORDER BY ordinal_position"
            )
            .await,
        ["u_pkey|b|1", "u_pkey|a|2"]
    );
    // The NOT NULL columns are CHECK constraints named <schema oid>_<table oid>_<attnum>_not_null.
    assert_eq!(
        client
            .lines(
                "SELECT regexp_replace(constraint_name, '^[0-9]+_[0-9]+_', 'N_N_'), \
                 constraint_type, is_deferrable, initially_deferred \
                 FROM information_schema.table_constraints \
                 WHERE table_schema = 'public' AND table_name = 'u' ORDER BY constraint_name"
            )
            .await,
        [
            "N_N_1_not_null|CHECK|NO|NO",
            "N_N_2_not_null|CHECK|NO|NO",
            "u_pkey|PRIMARY KEY|NO|NO",
        ]
    );
    assert_eq!(
        client
            .value("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            .await,
        "t"
    );

    // With app on the search_path, app.t is visible and named without its schema.
    client.run("SET search_path = app, public").await;
    assert_eq!(client.value("SHOW search_path").await, "app, public");
    assert_eq!(
        client
            .lines("SELECT current_schemas(false), current_setting('search_path'), 'app.t'::regclass::text")
            .await,
        ["{app,public}|app, public|t"]
    );
    assert_eq!(client.lines(VISIBLE).await, ["app|t|t", "public|u|t"]);
}

/// format_type of bpchar without a modifier, int2vector values, the names of reg casts'
/// and SHOW's columns. Every check runs; the test fails with all the differences.
#[tokio::test]
async fn type_names_vectors_and_show_columns_answer_as_postgres() {
    let (_server, client) = with_schema().await;
    let mut wrong = Vec::new();
    let mut check = |what: &str, got: Vec<String>, expected: &[&str]| {
        if got != expected {
            wrong.push(format!(
                "{what}\n  got      {got:?}\n  expected {expected:?}"
            ));
        }
    };

    // bpchar without a typmod is `character`; with typmod -1 it is `bpchar` (not char(1)).
    let sql = "SELECT format_type('bpchar'::regtype, NULL), format_type('bpchar'::regtype, -1)";
    check(sql, client.lines(sql).await, &["character|bpchar"]);
    // int2vector prints as a space-separated list, not as an array.
    let sql = "SELECT indkey, indoption FROM pg_index WHERE indrelid = 'u'::regclass";
    check(sql, client.lines(sql).await, &["2 1|0 0"]);
    // Result column names: a cast is named after its type, SHOW after the setting.
    for (sql, names) in [
        (
            "SELECT 'u'::regclass::text, 'int4'::regtype::text",
            &["text", "text"][..],
        ),
        ("SHOW DateStyle", &["DateStyle"]),
        ("SHOW TimeZone", &["TimeZone"]),
    ] {
        check(sql, client.column_names(sql).await, names);
    }

    assert!(
        wrong.is_empty(),
        "not as on PostgreSQL 15:\n{}",
        wrong.join("\n")
    );
}

/// Secondary indexes and UNIQUE constraints in every catalog that shows the primary key's:
/// `pg_class`, `pg_index` (key and INCLUDE columns, DESC / NULLS FIRST options),
/// `pg_attribute`, `pg_constraint`, `pg_indexes`, `pg_tables`, `pg_get_indexdef`,
/// `pg_get_constraintdef`, regclass, the size functions and `information_schema`. Every
/// check runs; the test fails with all the differences.
#[tokio::test]
async fn indexes_and_unique_constraints_answer_as_postgres() {
    let (_server, client) = with_schema().await;
    client
        .run(
            "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, name text, \
             org int, UNIQUE NULLS NOT DISTINCT (org, name));
             CREATE INDEX ON users (name DESC);
             CREATE INDEX users_org_idx ON users (org) INCLUDE (name);
             CREATE UNIQUE INDEX by_email_name ON users (email ASC NULLS FIRST, name);
             CREATE INDEX orders ON users (org DESC NULLS LAST, name NULLS FIRST, email DESC, id);
             CREATE INDEX \"T idx\" ON app.t (\"name\") INCLUDE (price);
             ALTER TABLE app.t ADD CONSTRAINT \"T name\" UNIQUE (name, price);
             CREATE TABLE nokey (a int, b int);
             CREATE INDEX ON nokey (a);
             INSERT INTO users (email, name, org) VALUES ('a@x', 'a', 1), ('b@x', 'b', NULL);",
        )
        .await;
    let mut wrong = Vec::new();
    let mut check = |sql: &str, got: Vec<String>, expected: &[&str]| {
        if got != expected {
            wrong.push(format!("{sql}\n  got      {got:?}\n  expected {expected:?}"));
        }
    };

    let sql = "SELECT indexrelid::regclass::text, indrelid::regclass::text, indnatts, indnkeyatts, \
               indisunique, indnullsnotdistinct, indisprimary, indkey, indoption, indcollation, \
               indclass FROM pg_index WHERE indrelid IN ('users'::regclass, 'app.t'::regclass) \
               ORDER BY 1";
    check(
        sql,
        client.lines(sql).await,
        &[
            "app.\"T idx\"|app.t|2|1|f|f|f|2 3|0|100|3126",
            "app.\"T name\"|app.t|2|2|t|f|f|2 3|0 0|100 0|3126 3125",
            "app.t_pkey|app.t|1|1|t|f|t|1|0|0|1978",
            "by_email_name|users|2|2|t|f|f|2 3|2 0|100 100|3126 3126",
            "orders|users|4|4|f|f|f|4 3 2 1|1 2 3 0|0 100 100 0|1978 3126 3126 1978",
            "users_email_key|users|1|1|t|f|f|2|0|100|3126",
            "users_name_idx|users|1|1|f|f|f|3|3|100|3126",
            "users_org_idx|users|2|1|f|f|f|4 3|0|0|1978",
            "users_org_name_key|users|2|2|t|t|f|4 3|0 0|0 100|1978 3126",
            "users_pkey|users|1|1|t|f|t|1|0|0|1978",
        ],
    );
    let sql = "SELECT conname, contype, conkey, conindid::regclass::text, pg_get_constraintdef(oid), \
               pg_get_constraintdef(oid, true) FROM pg_constraint \
               WHERE conrelid IN ('users'::regclass, 'app.t'::regclass) ORDER BY 1";
    check(
        sql,
        client.lines(sql).await,
        &[
            "T name|u|{2,3}|app.\"T name\"|UNIQUE (name, price)|UNIQUE (name, price)",
            "t_pkey|p|{1}|app.t_pkey|PRIMARY KEY (id)|PRIMARY KEY (id)",
            "users_email_key|u|{2}|users_email_key|UNIQUE (email)|UNIQUE (email)",
            "users_org_name_key|u|{4,3}|users_org_name_key|UNIQUE NULLS NOT DISTINCT (org, name)|UNIQUE NULLS NOT DISTINCT (org, name)",
            "users_pkey|p|{1}|users_pkey|PRIMARY KEY (id)|PRIMARY KEY (id)",
        ],
    );
    let sql = "SELECT schemaname, indexname, indexdef FROM pg_indexes \
               WHERE tablename IN ('users', 't', 'nokey') ORDER BY 1, 2";
    check(
        sql,
        client.lines(sql).await,
        &[
            "app|T idx|CREATE INDEX \"T idx\" ON app.t USING btree (name) INCLUDE (price)",
            "app|T name|CREATE UNIQUE INDEX \"T name\" ON app.t USING btree (name, price)",
            "app|t_pkey|CREATE UNIQUE INDEX t_pkey ON app.t USING btree (id)",
            "public|by_email_name|CREATE UNIQUE INDEX by_email_name ON public.users USING btree (email NULLS FIRST, name)",
            "public|nokey_a_idx|CREATE INDEX nokey_a_idx ON public.nokey USING btree (a)",
            "public|orders|CREATE INDEX orders ON public.users USING btree (org DESC NULLS LAST, name NULLS FIRST, email DESC, id)",
            "public|users_email_key|CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
            "public|users_name_idx|CREATE INDEX users_name_idx ON public.users USING btree (name DESC)",
            "public|users_org_idx|CREATE INDEX users_org_idx ON public.users USING btree (org) INCLUDE (name)",
            "public|users_org_name_key|CREATE UNIQUE INDEX users_org_name_key ON public.users USING btree (org, name) NULLS NOT DISTINCT",
            "public|users_pkey|CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
        ],
    );
    // pg_get_indexdef: pretty names the table as the search path finds it; a column number
    // names that column (key or INCLUDE), empty past the last; not for a constraint's OID.
    let sql = "SELECT pg_get_indexdef('app.\"T idx\"'::regclass, 0, true), \
               pg_get_indexdef('users_org_idx'::regclass, 0, true), \
               pg_get_indexdef('users_org_idx'::regclass, 1, true), \
               pg_get_indexdef('users_org_idx'::regclass, 2, false), \
               pg_get_indexdef('users_org_idx'::regclass, 3, true), \
               pg_get_indexdef('users'::regclass), \
               (SELECT pg_get_indexdef(oid) FROM pg_constraint WHERE conname = 'users_email_key'), \
               pg_get_constraintdef('users_email_key'::regclass)";
    check(
        sql,
        client.lines(sql).await,
        &["CREATE INDEX \"T idx\" ON app.t USING btree (name) INCLUDE (price)|\
           CREATE INDEX users_org_idx ON users USING btree (org) INCLUDE (name)|org|name||NULL|NULL|NULL"],
    );
    let sql = "SELECT relname, relkind, relnatts, relam = (SELECT oid FROM pg_am WHERE amname = 'btree'), \
               relhasindex, pg_table_is_visible(oid) FROM pg_class \
               WHERE relname IN ('users_org_idx', 'users_email_key', 'orders', 'T idx', 'nokey', 'users') \
               ORDER BY 1";
    check(
        sql,
        client.lines(sql).await,
        &[
            "T idx|i|2|t|f|f",
            "nokey|r|2|f|t|t",
            "orders|i|4|t|f|t",
            "users|r|4|f|t|t",
            "users_email_key|i|1|t|f|t",
            "users_org_idx|i|2|t|f|t",
        ],
    );
    let sql = "SELECT tablename, hasindexes FROM pg_tables WHERE tablename IN ('nokey', 'users') ORDER BY 1";
    check(sql, client.lines(sql).await, &["nokey|t", "users|t"]);
    // An index's attributes: its key columns, then its INCLUDE columns.
    let sql = "SELECT attname, attnum, format_type(atttypid, atttypmod) FROM pg_attribute \
               WHERE attrelid = 'app.\"T idx\"'::regclass ORDER BY attnum";
    check(sql, client.lines(sql).await, &["name|1|character varying(20)", "price|2|numeric(10,2)"]);
    // An index's size is its own; a table's indexes' is theirs together.
    let sql = "SELECT pg_relation_size('users_name_idx') > 0, \
               pg_indexes_size('users') = (SELECT sum(pg_relation_size(indexrelid)) FROM pg_index \
               WHERE indrelid = 'users'::regclass), \
               pg_total_relation_size('users') = pg_table_size('users') + pg_indexes_size('users'), \
               pg_indexes_size('nokey') = pg_relation_size('nokey_a_idx')";
    check(sql, client.lines(sql).await, &["t|t|t|t"]);

    let sql = "SELECT constraint_schema, constraint_name, table_name, constraint_type, nulls_distinct \
               FROM information_schema.table_constraints \
               WHERE table_name IN ('users', 't') AND constraint_type <> 'CHECK' ORDER BY 1, 2";
    check(
        sql,
        client.lines(sql).await,
        &[
            "app|T name|t|UNIQUE|YES",
            "app|t_pkey|t|PRIMARY KEY|NULL",
            "public|users_email_key|users|UNIQUE|YES",
            "public|users_org_name_key|users|UNIQUE|NO",
            "public|users_pkey|users|PRIMARY KEY|NULL",
        ],
    );
    // Each key column in key_column_usage, and the same in constraint_column_usage.
    let sql = "SELECT k.constraint_name, k.column_name, k.ordinal_position, count(u.column_name) \
               FROM information_schema.key_column_usage k \
               LEFT JOIN information_schema.constraint_column_usage u ON u.table_name = k.table_name \
               AND u.constraint_name = k.constraint_name AND u.column_name = k.column_name \
               WHERE k.table_name IN ('users', 't') GROUP BY 1, 2, 3 ORDER BY 1, 3";
    check(
        sql,
        client.lines(sql).await,
        &[
            "T name|name|1|1",
            "T name|price|2|1",
            "t_pkey|id|1|1",
            "users_email_key|email|1|1",
            "users_org_name_key|org|1|1",
            "users_org_name_key|name|2|1",
            "users_pkey|id|1|1",
        ],
    );
    let sql = "SELECT count(*) FROM information_schema.constraint_column_usage WHERE table_name IN ('users', 't')";
    check(sql, client.lines(sql).await, &["7"]);

    // A dropped index leaves every catalog.
    client.run("DROP INDEX users_name_idx").await;
    let sql = "SELECT (SELECT count(*) FROM pg_class WHERE relname = 'users_name_idx'), \
               (SELECT count(*) FROM pg_index WHERE indrelid = 'users'::regclass), \
               (SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name_idx')";
    check(sql, client.lines(sql).await, &["0|6|0"]);

    assert!(wrong.is_empty(), "not as on PostgreSQL 15:\n{}", wrong.join("\n"));
}

/// Foreign keys as PostgreSQL 15 shows them: a `pg_constraint` row each (`contype` f, the
/// parent's unique index the referenced columns match in `conindid`, the actions' letters,
/// the equality operators), `pg_get_constraintdef` naming the parent as the search path
/// finds it, `relhastriggers` on both tables, psql's "Referenced by:" query, and the
/// `information_schema` views. Every check runs; the test fails with all the differences.
#[tokio::test]
async fn foreign_keys_answer_as_postgres() {
    let (_server, client) = with_schema().await;
    client
        .run(
            "CREATE TABLE app.parent (a int, b text, code varchar(10) UNIQUE, n bigint, PRIMARY KEY (a, b));
             CREATE UNIQUE INDEX parent_n ON app.parent (n);
             CREATE TABLE child (id int PRIMARY KEY, tid int REFERENCES app.t ON DELETE CASCADE, x int, \
             y text, code varchar(10) REFERENCES app.parent (code) ON UPDATE RESTRICT, n bigint, \
             FOREIGN KEY (y, x) REFERENCES app.parent (b, a) ON UPDATE CASCADE ON DELETE SET NULL, \
             CONSTRAINT \"Child n\" FOREIGN KEY (n) REFERENCES app.parent (n));
             CREATE TABLE app.tree (id bigint PRIMARY KEY, up bigint REFERENCES app.tree);",
        )
        .await;
    let mut wrong = Vec::new();
    let mut check = |sql: &str, got: Vec<String>, expected: &[&str]| {
        if got != expected {
            wrong.push(format!("{sql}\n  got      {got:?}\n  expected {expected:?}"));
        }
    };

    let sql = "SELECT conname, connamespace::regnamespace::text, conrelid::regclass::text, \
               confrelid::regclass::text, conindid::regclass::text, conkey, confkey, confupdtype, \
               confdeltype, confmatchtype, condeferrable, condeferred, convalidated, conpfeqop, \
               conppeqop, conffeqop, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) = \
               pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1";
    check(
        sql,
        client.lines(sql).await,
        &[
            "Child n|public|child|app.parent|app.parent_n|{6}|{4}|a|a|s|f|f|t|{410}|{410}|{410}|\
             FOREIGN KEY (n) REFERENCES app.parent(n)|t",
            "child_code_fkey|public|child|app.parent|app.parent_code_key|{5}|{3}|r|a|s|f|f|t|{98}|{98}|{98}|\
             FOREIGN KEY (code) REFERENCES app.parent(code) ON UPDATE RESTRICT|t",
            "child_tid_fkey|public|child|app.t|app.t_pkey|{2}|{1}|a|c|s|f|f|t|{96}|{96}|{96}|\
             FOREIGN KEY (tid) REFERENCES app.t(id) ON DELETE CASCADE|t",
            "child_y_x_fkey|public|child|app.parent|app.parent_pkey|{4,3}|{2,1}|c|n|s|f|f|t|{98,96}|{98,96}|{98,96}|\
             FOREIGN KEY (y, x) REFERENCES app.parent(b, a) ON UPDATE CASCADE ON DELETE SET NULL|t",
            "tree_up_fkey|app|app.tree|app.tree|app.tree_pkey|{2}|{1}|a|a|s|f|f|t|{410}|{410}|{410}|\
             FOREIGN KEY (up) REFERENCES app.tree(id)|t",
        ],
    );
    // The parent is named as the search path finds it.
    client.run("SET search_path = app").await;
    let sql = "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1";
    check(
        sql,
        client.lines(sql).await,
        &[
            "Child n|FOREIGN KEY (n) REFERENCES parent(n)",
            "child_code_fkey|FOREIGN KEY (code) REFERENCES parent(code) ON UPDATE RESTRICT",
            "child_tid_fkey|FOREIGN KEY (tid) REFERENCES t(id) ON DELETE CASCADE",
            "child_y_x_fkey|FOREIGN KEY (y, x) REFERENCES parent(b, a) ON UPDATE CASCADE ON DELETE SET NULL",
            "tree_up_fkey|FOREIGN KEY (up) REFERENCES tree(id)",
        ],
    );
    client.run("RESET search_path").await;
    // A foreign key is triggers on both its tables in PostgreSQL, which psql asks before
    // it lists "Foreign-key constraints:" and "Referenced by:".
    let sql = "SELECT c.relname, c.relhastriggers, t.hastriggers FROM pg_class c \
               JOIN pg_tables t ON t.tablename = c.relname \
               WHERE c.relname IN ('parent', 'child', 'tree', 't', 'u') ORDER BY 1";
    check(sql, client.lines(sql).await, &["child|t|t", "parent|t|t", "t|t|t", "tree|t|t", "u|f|f"]);
    // psql's "Referenced by:" query.
    let sql = "SELECT conname, conrelid::pg_catalog.regclass AS ontable, \
               pg_catalog.pg_get_constraintdef(oid, true) AS condef FROM pg_catalog.pg_constraint c \
               WHERE confrelid IN (SELECT pg_catalog.pg_partition_ancestors('app.parent'::regclass) \
               UNION ALL VALUES ('app.parent'::pg_catalog.regclass)) \
               AND contype = 'f' AND conparentid = 0 ORDER BY conname";
    check(
        sql,
        client.lines(sql).await,
        &[
            "Child n|child|FOREIGN KEY (n) REFERENCES app.parent(n)",
            "child_code_fkey|child|FOREIGN KEY (code) REFERENCES app.parent(code) ON UPDATE RESTRICT",
            "child_y_x_fkey|child|FOREIGN KEY (y, x) REFERENCES app.parent(b, a) ON UPDATE CASCADE ON DELETE SET NULL",
        ],
    );

    let sql = "SELECT constraint_schema, constraint_name, table_schema, table_name, constraint_type, \
               is_deferrable, initially_deferred, enforced, nulls_distinct \
               FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' ORDER BY 2";
    check(
        sql,
        client.lines(sql).await,
        &[
            "public|Child n|public|child|FOREIGN KEY|NO|NO|YES|NULL",
            "public|child_code_fkey|public|child|FOREIGN KEY|NO|NO|YES|NULL",
            "public|child_tid_fkey|public|child|FOREIGN KEY|NO|NO|YES|NULL",
            "public|child_y_x_fkey|public|child|FOREIGN KEY|NO|NO|YES|NULL",
            "app|tree_up_fkey|app|tree|FOREIGN KEY|NO|NO|YES|NULL",
        ],
    );
    // A foreign key's columns, each with the position in the unique key of the column it
    // references.
    let sql = "SELECT constraint_name, table_name, column_name, ordinal_position, position_in_unique_constraint \
               FROM information_schema.key_column_usage WHERE table_name IN ('child', 'tree') ORDER BY 1, 4";
    check(
        sql,
        client.lines(sql).await,
        &[
            "Child n|child|n|1|1",
            "child_code_fkey|child|code|1|1",
            "child_pkey|child|id|1|NULL",
            "child_tid_fkey|child|tid|1|1",
            "child_y_x_fkey|child|y|1|2",
            "child_y_x_fkey|child|x|2|1",
            "tree_pkey|tree|id|1|NULL",
            "tree_up_fkey|tree|up|1|1",
        ],
    );
    // The unique constraint referenced: none for a unique index that no constraint owns.
    let sql = "SELECT constraint_schema, constraint_name, unique_constraint_catalog = constraint_catalog, \
               unique_constraint_schema, unique_constraint_name, match_option, update_rule, delete_rule \
               FROM information_schema.referential_constraints ORDER BY 2";
    check(
        sql,
        client.lines(sql).await,
        &[
            "public|Child n|NULL|NULL|NULL|NONE|NO ACTION|NO ACTION",
            "public|child_code_fkey|t|app|parent_code_key|NONE|RESTRICT|NO ACTION",
            "public|child_tid_fkey|t|app|t_pkey|NONE|NO ACTION|CASCADE",
            "public|child_y_x_fkey|t|app|parent_pkey|NONE|CASCADE|SET NULL",
            "app|tree_up_fkey|t|app|tree_pkey|NONE|NO ACTION|NO ACTION",
        ],
    );
    // A foreign key uses the columns it references.
    let sql = "SELECT constraint_name, table_schema, table_name, column_name \
               FROM information_schema.constraint_column_usage \
               WHERE constraint_name IN (SELECT conname FROM pg_constraint WHERE contype = 'f') ORDER BY 1, 4";
    check(
        sql,
        client.lines(sql).await,
        &[
            "Child n|app|parent|n",
            "child_code_fkey|app|parent|code",
            "child_tid_fkey|app|t|id",
            "child_y_x_fkey|app|parent|a",
            "child_y_x_fkey|app|parent|b",
            "tree_up_fkey|app|tree|id",
        ],
    );

    // A dropped table's foreign keys leave every catalog.
    client.run("DROP TABLE child").await;
    let sql = "SELECT (SELECT string_agg(conname, ',') FROM pg_constraint WHERE contype = 'f'), \
               (SELECT count(*) FROM information_schema.referential_constraints), \
               (SELECT count(*) FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY')";
    check(sql, client.lines(sql).await, &["tree_up_fkey|1|1"]);

    assert!(wrong.is_empty(), "not as on PostgreSQL 15:\n{}", wrong.join("\n"));
}

/// The result columns of each catalog relation on PostgreSQL 15.18, as tokio-postgres
/// describes `SELECT * FROM <relation> LIMIT 0` (a domain column has its base type, as
/// PostgreSQL sends it). Recorded with a script reading `cursor.description` of psycopg.
const PG15_CATALOG_COLUMNS: &[(&str, &[(&str, &str)])] = &[
    (
        "pg_catalog.pg_namespace",
        &[
            ("oid", "oid"),
            ("nspname", "name"),
            ("nspowner", "oid"),
            ("nspacl", "_aclitem"),
        ],
    ),
    (
        "pg_catalog.pg_class",
        &[
            ("oid", "oid"),
            ("relname", "name"),
            ("relnamespace", "oid"),
            ("reltype", "oid"),
            ("reloftype", "oid"),
            ("relowner", "oid"),
            ("relam", "oid"),
            ("relfilenode", "oid"),
            ("reltablespace", "oid"),
            ("relpages", "int4"),
            ("reltuples", "float4"),
            ("relallvisible", "int4"),
            ("reltoastrelid", "oid"),
            ("relhasindex", "bool"),
            ("relisshared", "bool"),
            ("relpersistence", "char"),
            ("relkind", "char"),
            ("relnatts", "int2"),
            ("relchecks", "int2"),
            ("relhasrules", "bool"),
            ("relhastriggers", "bool"),
            ("relhassubclass", "bool"),
            ("relrowsecurity", "bool"),
            ("relforcerowsecurity", "bool"),
            ("relispopulated", "bool"),
            ("relreplident", "char"),
            ("relispartition", "bool"),
            ("relrewrite", "oid"),
            ("relfrozenxid", "xid"),
            ("relminmxid", "xid"),
            ("relacl", "_aclitem"),
            ("reloptions", "_text"),
            ("relpartbound", "pg_node_tree"),
        ],
    ),
    (
        "pg_catalog.pg_attribute",
        &[
            ("attrelid", "oid"),
            ("attname", "name"),
            ("atttypid", "oid"),
            ("attstattarget", "int4"),
            ("attlen", "int2"),
            ("attnum", "int2"),
            ("attndims", "int4"),
            ("attcacheoff", "int4"),
            ("atttypmod", "int4"),
            ("attbyval", "bool"),
            ("attalign", "char"),
            ("attstorage", "char"),
            ("attcompression", "char"),
            ("attnotnull", "bool"),
            ("atthasdef", "bool"),
            ("atthasmissing", "bool"),
            ("attidentity", "char"),
            ("attgenerated", "char"),
            ("attisdropped", "bool"),
            ("attislocal", "bool"),
            ("attinhcount", "int4"),
            ("attcollation", "oid"),
            ("attacl", "_aclitem"),
            ("attoptions", "_text"),
            ("attfdwoptions", "_text"),
            ("attmissingval", "anyarray"),
        ],
    ),
    (
        "pg_catalog.pg_type",
        &[
            ("oid", "oid"),
            ("typname", "name"),
            ("typnamespace", "oid"),
            ("typowner", "oid"),
            ("typlen", "int2"),
            ("typbyval", "bool"),
            ("typtype", "char"),
            ("typcategory", "char"),
            ("typispreferred", "bool"),
            ("typisdefined", "bool"),
            ("typdelim", "char"),
            ("typrelid", "oid"),
            ("typsubscript", "regproc"),
            ("typelem", "oid"),
            ("typarray", "oid"),
            ("typinput", "regproc"),
            ("typoutput", "regproc"),
            ("typreceive", "regproc"),
            ("typsend", "regproc"),
            ("typmodin", "regproc"),
            ("typmodout", "regproc"),
            ("typanalyze", "regproc"),
            ("typalign", "char"),
            ("typstorage", "char"),
            ("typnotnull", "bool"),
            ("typbasetype", "oid"),
            ("typtypmod", "int4"),
            ("typndims", "int4"),
            ("typcollation", "oid"),
            ("typdefaultbin", "pg_node_tree"),
            ("typdefault", "text"),
            ("typacl", "_aclitem"),
        ],
    ),
    (
        "pg_catalog.pg_index",
        &[
            ("indexrelid", "oid"),
            ("indrelid", "oid"),
            ("indnatts", "int2"),
            ("indnkeyatts", "int2"),
            ("indisunique", "bool"),
            ("indnullsnotdistinct", "bool"),
            ("indisprimary", "bool"),
            ("indisexclusion", "bool"),
            ("indimmediate", "bool"),
            ("indisclustered", "bool"),
            ("indisvalid", "bool"),
            ("indcheckxmin", "bool"),
            ("indisready", "bool"),
            ("indislive", "bool"),
            ("indisreplident", "bool"),
            ("indkey", "int2vector"),
            ("indcollation", "oidvector"),
            ("indclass", "oidvector"),
            ("indoption", "int2vector"),
            ("indexprs", "pg_node_tree"),
            ("indpred", "pg_node_tree"),
        ],
    ),
    (
        "pg_catalog.pg_constraint",
        &[
            ("oid", "oid"),
            ("conname", "name"),
            ("connamespace", "oid"),
            ("contype", "char"),
            ("condeferrable", "bool"),
            ("condeferred", "bool"),
            ("convalidated", "bool"),
            ("conrelid", "oid"),
            ("contypid", "oid"),
            ("conindid", "oid"),
            ("conparentid", "oid"),
            ("confrelid", "oid"),
            ("confupdtype", "char"),
            ("confdeltype", "char"),
            ("confmatchtype", "char"),
            ("conislocal", "bool"),
            ("coninhcount", "int4"),
            ("connoinherit", "bool"),
            ("conkey", "_int2"),
            ("confkey", "_int2"),
            ("conpfeqop", "_oid"),
            ("conppeqop", "_oid"),
            ("conffeqop", "_oid"),
            ("confdelsetcols", "_int2"),
            ("conexclop", "_oid"),
            ("conbin", "pg_node_tree"),
        ],
    ),
    (
        "pg_catalog.pg_attrdef",
        &[
            ("oid", "oid"),
            ("adrelid", "oid"),
            ("adnum", "int2"),
            ("adbin", "pg_node_tree"),
        ],
    ),
    (
        "pg_catalog.pg_description",
        &[
            ("objoid", "oid"),
            ("classoid", "oid"),
            ("objsubid", "int4"),
            ("description", "text"),
        ],
    ),
    (
        "pg_catalog.pg_database",
        &[
            ("oid", "oid"),
            ("datname", "name"),
            ("datdba", "oid"),
            ("encoding", "int4"),
            ("datlocprovider", "char"),
            ("datistemplate", "bool"),
            ("datallowconn", "bool"),
            ("datconnlimit", "int4"),
            ("datfrozenxid", "xid"),
            ("datminmxid", "xid"),
            ("dattablespace", "oid"),
            ("datcollate", "text"),
            ("datctype", "text"),
            ("daticulocale", "text"),
            ("datcollversion", "text"),
            ("datacl", "_aclitem"),
        ],
    ),
    (
        "pg_catalog.pg_roles",
        &[
            ("rolname", "name"),
            ("rolsuper", "bool"),
            ("rolinherit", "bool"),
            ("rolcreaterole", "bool"),
            ("rolcreatedb", "bool"),
            ("rolcanlogin", "bool"),
            ("rolreplication", "bool"),
            ("rolconnlimit", "int4"),
            ("rolpassword", "text"),
            ("rolvaliduntil", "timestamptz"),
            ("rolbypassrls", "bool"),
            ("rolconfig", "_text"),
            ("oid", "oid"),
        ],
    ),
    (
        "pg_catalog.pg_user",
        &[
            ("usename", "name"),
            ("usesysid", "oid"),
            ("usecreatedb", "bool"),
            ("usesuper", "bool"),
            ("userepl", "bool"),
            ("usebypassrls", "bool"),
            ("passwd", "text"),
            ("valuntil", "timestamptz"),
            ("useconfig", "_text"),
        ],
    ),
    (
        "pg_catalog.pg_authid",
        &[
            ("oid", "oid"),
            ("rolname", "name"),
            ("rolsuper", "bool"),
            ("rolinherit", "bool"),
            ("rolcreaterole", "bool"),
            ("rolcreatedb", "bool"),
            ("rolcanlogin", "bool"),
            ("rolreplication", "bool"),
            ("rolbypassrls", "bool"),
            ("rolconnlimit", "int4"),
            ("rolpassword", "text"),
            ("rolvaliduntil", "timestamptz"),
        ],
    ),
    (
        "pg_catalog.pg_settings",
        &[
            ("name", "text"),
            ("setting", "text"),
            ("unit", "text"),
            ("category", "text"),
            ("short_desc", "text"),
            ("extra_desc", "text"),
            ("context", "text"),
            ("vartype", "text"),
            ("source", "text"),
            ("min_val", "text"),
            ("max_val", "text"),
            ("enumvals", "_text"),
            ("boot_val", "text"),
            ("reset_val", "text"),
            ("sourcefile", "text"),
            ("sourceline", "int4"),
            ("pending_restart", "bool"),
        ],
    ),
    (
        "pg_catalog.pg_proc",
        &[
            ("oid", "oid"),
            ("proname", "name"),
            ("pronamespace", "oid"),
            ("proowner", "oid"),
            ("prolang", "oid"),
            ("procost", "float4"),
            ("prorows", "float4"),
            ("provariadic", "oid"),
            ("prosupport", "regproc"),
            ("prokind", "char"),
            ("prosecdef", "bool"),
            ("proleakproof", "bool"),
            ("proisstrict", "bool"),
            ("proretset", "bool"),
            ("provolatile", "char"),
            ("proparallel", "char"),
            ("pronargs", "int2"),
            ("pronargdefaults", "int2"),
            ("prorettype", "oid"),
            ("proargtypes", "oidvector"),
            ("proallargtypes", "_oid"),
            ("proargmodes", "_char"),
            ("proargnames", "_text"),
            ("proargdefaults", "pg_node_tree"),
            ("protrftypes", "_oid"),
            ("prosrc", "text"),
            ("probin", "text"),
            ("prosqlbody", "pg_node_tree"),
            ("proconfig", "_text"),
            ("proacl", "_aclitem"),
        ],
    ),
    (
        "pg_catalog.pg_am",
        &[
            ("oid", "oid"),
            ("amname", "name"),
            ("amhandler", "regproc"),
            ("amtype", "char"),
        ],
    ),
    (
        "pg_catalog.pg_tables",
        &[
            ("schemaname", "name"),
            ("tablename", "name"),
            ("tableowner", "name"),
            ("tablespace", "name"),
            ("hasindexes", "bool"),
            ("hasrules", "bool"),
            ("hastriggers", "bool"),
            ("rowsecurity", "bool"),
        ],
    ),
    (
        "pg_catalog.pg_views",
        &[
            ("schemaname", "name"),
            ("viewname", "name"),
            ("viewowner", "name"),
            ("definition", "text"),
        ],
    ),
    (
        "pg_catalog.pg_indexes",
        &[
            ("schemaname", "name"),
            ("tablename", "name"),
            ("indexname", "name"),
            ("tablespace", "name"),
            ("indexdef", "text"),
        ],
    ),
    (
        "pg_catalog.pg_sequences",
        &[
            ("schemaname", "name"),
            ("sequencename", "name"),
            ("sequenceowner", "name"),
            ("data_type", "regtype"),
            ("start_value", "int8"),
            ("min_value", "int8"),
            ("max_value", "int8"),
            ("increment_by", "int8"),
            ("cycle", "bool"),
            ("cache_size", "int8"),
            ("last_value", "int8"),
        ],
    ),
    (
        "pg_catalog.pg_stat_activity",
        &[
            ("datid", "oid"),
            ("datname", "name"),
            ("pid", "int4"),
            ("leader_pid", "int4"),
            ("usesysid", "oid"),
            ("usename", "name"),
            ("application_name", "text"),
            ("client_addr", "inet"),
            ("client_hostname", "text"),
            ("client_port", "int4"),
            ("backend_start", "timestamptz"),
            ("xact_start", "timestamptz"),
            ("query_start", "timestamptz"),
            ("state_change", "timestamptz"),
            ("wait_event_type", "text"),
            ("wait_event", "text"),
            ("state", "text"),
            ("backend_xid", "xid"),
            ("backend_xmin", "xid"),
            ("query_id", "int8"),
            ("query", "text"),
            ("backend_type", "text"),
        ],
    ),
    (
        "pg_catalog.pg_stat_user_tables",
        &[
            ("relid", "oid"),
            ("schemaname", "name"),
            ("relname", "name"),
            ("seq_scan", "int8"),
            ("seq_tup_read", "int8"),
            ("idx_scan", "int8"),
            ("idx_tup_fetch", "int8"),
            ("n_tup_ins", "int8"),
            ("n_tup_upd", "int8"),
            ("n_tup_del", "int8"),
            ("n_tup_hot_upd", "int8"),
            ("n_live_tup", "int8"),
            ("n_dead_tup", "int8"),
            ("n_mod_since_analyze", "int8"),
            ("n_ins_since_vacuum", "int8"),
            ("last_vacuum", "timestamptz"),
            ("last_autovacuum", "timestamptz"),
            ("last_analyze", "timestamptz"),
            ("last_autoanalyze", "timestamptz"),
            ("vacuum_count", "int8"),
            ("autovacuum_count", "int8"),
            ("analyze_count", "int8"),
            ("autoanalyze_count", "int8"),
        ],
    ),
    (
        "information_schema.schemata",
        &[
            ("catalog_name", "name"),
            ("schema_name", "name"),
            ("schema_owner", "name"),
            ("default_character_set_catalog", "name"),
            ("default_character_set_schema", "name"),
            ("default_character_set_name", "name"),
            ("sql_path", "varchar"),
        ],
    ),
    (
        "information_schema.tables",
        &[
            ("table_catalog", "name"),
            ("table_schema", "name"),
            ("table_name", "name"),
            ("table_type", "varchar"),
            ("self_referencing_column_name", "name"),
            ("reference_generation", "varchar"),
            ("user_defined_type_catalog", "name"),
            ("user_defined_type_schema", "name"),
            ("user_defined_type_name", "name"),
            ("is_insertable_into", "varchar"),
            ("is_typed", "varchar"),
            ("commit_action", "varchar"),
        ],
    ),
    (
        "information_schema.columns",
        &[
            ("table_catalog", "name"),
            ("table_schema", "name"),
            ("table_name", "name"),
            ("column_name", "name"),
            ("ordinal_position", "int4"),
            ("column_default", "varchar"),
            ("is_nullable", "varchar"),
            ("data_type", "varchar"),
            ("character_maximum_length", "int4"),
            ("character_octet_length", "int4"),
            ("numeric_precision", "int4"),
            ("numeric_precision_radix", "int4"),
            ("numeric_scale", "int4"),
            ("datetime_precision", "int4"),
            ("interval_type", "varchar"),
            ("interval_precision", "int4"),
            ("character_set_catalog", "name"),
            ("character_set_schema", "name"),
            ("character_set_name", "name"),
            ("collation_catalog", "name"),
            ("collation_schema", "name"),
            ("collation_name", "name"),
            ("domain_catalog", "name"),
            ("domain_schema", "name"),
            ("domain_name", "name"),
            ("udt_catalog", "name"),
            ("udt_schema", "name"),
            ("udt_name", "name"),
            ("scope_catalog", "name"),
            ("scope_schema", "name"),
            ("scope_name", "name"),
            ("maximum_cardinality", "int4"),
            ("dtd_identifier", "name"),
            ("is_self_referencing", "varchar"),
            ("is_identity", "varchar"),
            ("identity_generation", "varchar"),
            ("identity_start", "varchar"),
            ("identity_increment", "varchar"),
            ("identity_maximum", "varchar"),
            ("identity_minimum", "varchar"),
            ("identity_cycle", "varchar"),
            ("is_generated", "varchar"),
            ("generation_expression", "varchar"),
            ("is_updatable", "varchar"),
        ],
    ),
    (
        "information_schema.key_column_usage",
        &[
            ("constraint_catalog", "name"),
            ("constraint_schema", "name"),
            ("constraint_name", "name"),
            ("table_catalog", "name"),
            ("table_schema", "name"),
            ("table_name", "name"),
            ("column_name", "name"),
            ("ordinal_position", "int4"),
            ("position_in_unique_constraint", "int4"),
        ],
    ),
    (
        "information_schema.table_constraints",
        &[
            ("constraint_catalog", "name"),
            ("constraint_schema", "name"),
            ("constraint_name", "name"),
            ("table_catalog", "name"),
            ("table_schema", "name"),
            ("table_name", "name"),
            ("constraint_type", "varchar"),
            ("is_deferrable", "varchar"),
            ("initially_deferred", "varchar"),
            ("enforced", "varchar"),
            ("nulls_distinct", "varchar"),
        ],
    ),
    (
        "information_schema.views",
        &[
            ("table_catalog", "name"),
            ("table_schema", "name"),
            ("table_name", "name"),
            ("view_definition", "varchar"),
            ("check_option", "varchar"),
            ("is_updatable", "varchar"),
            ("is_insertable_into", "varchar"),
            ("is_trigger_updatable", "varchar"),
            ("is_trigger_deletable", "varchar"),
            ("is_trigger_insertable_into", "varchar"),
        ],
    ),
];
