//! The original system's acceptance scenarios (issue 2, point 9), as a user would run them
//! from tokio-postgres.

use shale_tests::{ClientExt, TestServer};

const NONE: [&str; 0] = [];

#[tokio::test]
async fn create_insert_select_update_delete() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, email varchar(64), active boolean DEFAULT true)")
        .await;
    assert_eq!(
        client
            .counts(
                "INSERT INTO users (id, name, email) VALUES (1, 'ann', 'ann@example.com'), (2, 'bob', NULL), \
                 (3, 'cat', 'cat@example.com')"
            )
            .await,
        [3]
    );
    assert_eq!(
        client
            .lines("SELECT id, name, email, active FROM users ORDER BY id")
            .await,
        [
            "1|ann|ann@example.com|t",
            "2|bob|NULL|t",
            "3|cat|cat@example.com|t"
        ]
    );
    assert_eq!(
        client
            .counts("UPDATE users SET active = false, email = 'bob@example.com' WHERE id = 2")
            .await,
        [1]
    );
    assert_eq!(
        client
            .lines("SELECT name, email FROM users WHERE NOT active")
            .await,
        ["bob|bob@example.com"]
    );
    assert_eq!(client.counts("DELETE FROM users WHERE id <> 2").await, [2]);
    assert_eq!(
        client
            .lines("SELECT id, name, email, active FROM users")
            .await,
        ["2|bob|bob@example.com|f"]
    );
    assert_eq!(client.counts("DELETE FROM users").await, [1]);
    assert_eq!(client.lines("SELECT * FROM users").await, NONE);
}

#[tokio::test]
async fn several_tables_side_by_side() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run(
            "CREATE TABLE customers (id int PRIMARY KEY, name text);
             CREATE TABLE products (sku text PRIMARY KEY, price numeric(8,2));
             CREATE TABLE orders (id int PRIMARY KEY, customer int, sku text, qty int);
             INSERT INTO customers VALUES (1, 'ann'), (2, 'bob');
             INSERT INTO products VALUES ('pen', 1.25), ('ink', 4.00);
             INSERT INTO orders VALUES (1, 1, 'pen', 4), (2, 2, 'ink', 1), (3, 1, 'ink', 2);",
        )
        .await;
    client.run("DELETE FROM products WHERE sku = 'nothing'; UPDATE customers SET name = 'Ann' WHERE id = 1").await;
    assert_eq!(client.lines("SELECT count(*) FROM customers").await, ["2"]);
    assert_eq!(client.lines("SELECT count(*) FROM products").await, ["2"]);
    assert_eq!(client.lines("SELECT count(*) FROM orders").await, ["3"]);
    assert_eq!(
        client
            .lines(
                "SELECT c.name, sum(o.qty * p.price) FROM orders o JOIN customers c ON c.id = o.customer \
                 JOIN products p ON p.sku = o.sku GROUP BY c.name ORDER BY c.name"
            )
            .await,
        ["Ann|13.00", "bob|4.00"]
    );
    client.run("DROP TABLE orders").await;
    assert_eq!(
        client.lines("SELECT name FROM customers ORDER BY id").await,
        ["Ann", "bob"]
    );
    assert_eq!(
        client.lines("SELECT sku FROM products ORDER BY sku").await,
        ["ink", "pen"]
    );
}

#[tokio::test]
async fn restart_keeps_tables_and_rows() {
    let Some(mut server) = TestServer::start_shale("needs a restart").await else {
        return;
    };
    let client = server.client().await;
    client
        .run(
            "CREATE TABLE notes (id int PRIMARY KEY, body text);
             CREATE TABLE tags (name text);
             INSERT INTO notes VALUES (1, 'first'), (2, 'second');
             INSERT INTO tags VALUES ('a'), ('b');
             UPDATE notes SET body = 'edited' WHERE id = 2;",
        )
        .await;
    drop(client);
    server.restart().await;
    let client = server.client().await;
    assert_eq!(
        client.lines("SELECT * FROM notes ORDER BY id").await,
        ["1|first", "2|edited"]
    );
    assert_eq!(
        client.lines("SELECT name FROM tags ORDER BY name").await,
        ["a", "b"]
    );
    client.run("INSERT INTO notes VALUES (3, 'after')").await;
    assert_eq!(client.value("SELECT count(*) FROM notes").await, "3");
}

#[tokio::test]
async fn drop_table_then_select_fails_with_42p01() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE TABLE temp_data (x int); INSERT INTO temp_data VALUES (1)")
        .await;
    client.run("DROP TABLE temp_data").await;
    client
        .expect_sqlstate("SELECT * FROM temp_data", "42P01")
        .await;
}

#[tokio::test]
async fn if_not_exists_and_if_exists_are_idempotent() {
    let (_server, client) = TestServer::start_with_client().await;
    for _ in 0..3 {
        client.run("CREATE SCHEMA IF NOT EXISTS app").await;
        client
            .run("CREATE TABLE IF NOT EXISTS app.items (id int PRIMARY KEY)")
            .await;
    }
    client.run("INSERT INTO app.items VALUES (1)").await;
    client
        .run("CREATE TABLE IF NOT EXISTS app.items (id int PRIMARY KEY)")
        .await;
    assert_eq!(
        client.lines("SELECT id FROM app.items").await,
        ["1"],
        "IF NOT EXISTS leaves the rows alone"
    );
    for _ in 0..3 {
        client.run("DROP TABLE IF EXISTS app.items").await;
        client.run("DROP SCHEMA IF EXISTS app").await;
    }
    client
        .expect_sqlstate("SELECT * FROM app.items", "42P01")
        .await;
}

#[tokio::test]
async fn a_table_in_a_non_default_schema_by_qualified_name_and_search_path() {
    let (_server, client) = TestServer::start_with_client().await;
    client
        .run("CREATE SCHEMA sales; CREATE TABLE sales.deals (id int PRIMARY KEY, amount int); INSERT INTO sales.deals VALUES (1, 500)")
        .await;
    assert_eq!(
        client.lines("SELECT amount FROM sales.deals").await,
        ["500"]
    );
    client
        .expect_sqlstate("SELECT amount FROM deals", "42P01")
        .await;
    client.run("SET search_path = sales, public").await;
    assert_eq!(client.lines("SELECT amount FROM deals").await, ["500"]);
    client
        .run("UPDATE deals SET amount = 600; INSERT INTO deals VALUES (2, 1)")
        .await;
    client.run("SET search_path = public").await;
    assert_eq!(
        client.lines("SELECT * FROM sales.deals ORDER BY id").await,
        ["1|600", "2|1"]
    );
}
