//! COMMENT ON tables, columns, views, indexes, sequences and schemas: the descriptions
//! `pg_description`, `obj_description`, `col_description` and psql's `\d+` show (issue 14,
//! point 5).

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn comments_describe_objects_until_removed_or_dropped() {
    let (server, client) = TestServer::start_with_client().await;
    client.run("CREATE TABLE accounts (id int PRIMARY KEY, owner text)").await;
    client.run("CREATE INDEX accounts_owner ON accounts (owner)").await;
    client.run("CREATE SEQUENCE invoice_numbers").await;
    client.run("CREATE VIEW owners AS SELECT owner FROM accounts").await;
    client.run("CREATE SCHEMA billing").await;
    for statement in [
        "COMMENT ON TABLE accounts IS 'Customer accounts'",
        "COMMENT ON COLUMN accounts.owner IS 'Who owns it'",
        "COMMENT ON INDEX accounts_owner IS 'Lookups by owner'",
        "COMMENT ON SEQUENCE invoice_numbers IS 'Next invoice'",
        "COMMENT ON VIEW owners IS 'Every owner'",
        "COMMENT ON COLUMN owners.owner IS 'The owner, again'",
        "COMMENT ON SCHEMA billing IS 'Money'",
    ] {
        client.run(statement).await;
    }
    assert_eq!(client.value("SELECT obj_description('accounts'::regclass, 'pg_class')").await, "Customer accounts");
    assert_eq!(client.value("SELECT obj_description('accounts'::regclass)").await, "Customer accounts");
    assert_eq!(client.value("SELECT col_description('accounts'::regclass, 2)").await, "Who owns it");
    assert_eq!(client.value("SELECT col_description('accounts'::regclass, 1)").await, "NULL");
    assert_eq!(client.value("SELECT obj_description('accounts_owner'::regclass, 'pg_class')").await, "Lookups by owner");
    assert_eq!(client.value("SELECT obj_description('invoice_numbers'::regclass, 'pg_class')").await, "Next invoice");
    assert_eq!(client.value("SELECT obj_description('owners'::regclass, 'pg_class')").await, "Every owner");
    assert_eq!(client.value("SELECT col_description('owners'::regclass, 1)").await, "The owner, again");
    assert_eq!(
        client.value("SELECT d.description FROM pg_description d JOIN pg_namespace n ON n.oid = d.objoid WHERE n.nspname = 'billing'").await,
        "Money"
    );
    assert_eq!(
        client
            .lines(
                "SELECT d.objsubid, d.description FROM pg_description d \
                 WHERE d.objoid = 'accounts'::regclass AND d.classoid = 'pg_class'::regclass ORDER BY 1"
            )
            .await,
        ["0|Customer accounts", "2|Who owns it"]
    );
    // psql's \d+ shows them.
    let out = server.psql_with(&["-A"], "\\d+ accounts\n").await;
    let owner = out.stdout.lines().find(|l| l.starts_with("owner|text|")).unwrap_or_default();
    assert!(owner.ends_with("|Who owns it"), "{}", out.stdout);

    // NULL or '' removes a comment; the object's going removes its comments.
    client.run("COMMENT ON TABLE accounts IS NULL").await;
    client.run("COMMENT ON COLUMN accounts.owner IS ''").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_description WHERE objoid = 'accounts'::regclass").await, "0");
    client.run("DROP VIEW owners").await;
    client.run("DROP SEQUENCE invoice_numbers").await;
    assert_eq!(client.value("SELECT count(*) FROM pg_description WHERE description IN ('Every owner', 'Next invoice')").await, "0");

    client.expect_error("COMMENT ON TABLE nosuch IS 'x'", "42P01", "relation \"nosuch\" does not exist").await;
    client
        .expect_error("COMMENT ON COLUMN accounts.nosuch IS 'x'", "42703", "column \"nosuch\" of relation \"accounts\" does not exist")
        .await;
    // A comment is written in the statement's transaction.
    client.run("BEGIN").await;
    client.run("COMMENT ON TABLE accounts IS 'for a moment'").await;
    client.run("ROLLBACK").await;
    assert_eq!(client.value("SELECT obj_description('accounts'::regclass, 'pg_class')").await, "NULL");
}
