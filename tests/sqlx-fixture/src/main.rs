//! sqlx's compile-time checked queries (issue 5, point 6). Compiling this program needs
//! DATABASE_URL naming a server on which `migrations/` have been applied: each `query!` /
//! `query_as!` is prepared and described there, and the nullability of every result
//! column is inferred from `pg_attribute.attnotnull` and `EXPLAIN (VERBOSE, FORMAT JSON)`.
//! The `let x: Type = ...` lines below make the compile fail when a column's inferred type
//! (in particular `Option` or not) differs from PostgreSQL's.
//!
//! Running it (`sqlx-fixture <url>`, or DATABASE_URL) applies the migrations with
//! `sqlx::migrate!()` (a no-op when `sqlx migrate run` already did: the applied versions
//! and checksums are read back from `_sqlx_migrations`), then runs the queries and prints
//! deterministic lines.

use sqlx::types::BigDecimal;
use sqlx::types::Uuid;
use sqlx::types::chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Connection, PgConnection};

type Error = Box<dyn std::error::Error>;

/// A row of `authors`, read with `query_as!`.
struct Author {
    id: i32,
    name: String,
    email: Option<String>,
    joined: NaiveDate,
}

/// A nullable value as Display shows it, or NULL.
fn show<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "NULL".to_string(), T::to_string)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let url = match std::env::args().nth(1) {
        Some(url) => url,
        None => std::env::var("DATABASE_URL").map_err(|_| "usage: sqlx-fixture <url>")?,
    };
    let mut conn = PgConnection::connect(&url).await?;

    // Applies what is missing; fails if an applied migration's checksum differs.
    let migrator = sqlx::migrate!();
    migrator.run(&mut conn).await?;
    let applied = sqlx::query!(
        "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version"
    )
    .fetch_all(&mut conn)
    .await?;
    for m in applied {
        let (version, description, success): (i64, String, bool) =
            (m.version, m.description, m.success);
        let checksum: Vec<u8> = m.checksum;
        let same = migrator
            .iter()
            .any(|known| known.version == version && *known.checksum == *checksum);
        println!("migration {version} {description}: success={success} checksum matches={same}");
    }

    // Rerunnable against the same database.
    sqlx::query!("DELETE FROM books").execute(&mut conn).await?;
    sqlx::query!("DELETE FROM authors")
        .execute(&mut conn)
        .await?;

    // Parameters; `joined` takes its default.
    let inserted = sqlx::query!(
        "INSERT INTO authors (id, name, email) VALUES ($1, $2, $3), ($4, $5, $6)",
        1,
        "Ada",
        Some("ada@example.com"),
        2,
        "Brian",
        None::<String>,
    )
    .execute(&mut conn)
    .await?;
    println!("inserted authors: {}", inserted.rows_affected());
    sqlx::query!(
        "INSERT INTO authors (id, name, email, joined) VALUES ($1, $2, NULL, $3)",
        3,
        "Cleo",
        NaiveDate::from_ymd_opt(2023, 5, 6).unwrap(),
    )
    .execute(&mut conn)
    .await?;

    // INSERT ... RETURNING: NOT NULL columns come back as plain types, nullable ones as Option.
    let books: [(i32, Option<i32>, &str, Option<&str>, Option<&str>, &str); 3] = [
        (
            10,
            Some(1),
            "Notes",
            Some("12.50"),
            Some("2024-02-03T04:05:06Z"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            11,
            Some(1),
            "Sketches",
            None,
            None,
            "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12",
        ),
        (
            12,
            None,
            "Anonymous",
            Some("3.00"),
            None,
            "c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13",
        ),
    ];
    for (id, author_id, title, price, published, isbn) in books {
        let price: Option<BigDecimal> = price.map(|p| p.parse()).transpose()?;
        let published: Option<DateTime<Utc>> = published.map(|p| p.parse()).transpose()?;
        let isbn: Uuid = isbn.parse()?;
        let row = sqlx::query!(
            "INSERT INTO books (id, author_id, title, price, published, isbn)
             VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING id, title, price, published, isbn",
            id,
            author_id,
            title,
            price,
            published,
            isbn,
        )
        .fetch_one(&mut conn)
        .await?;
        let (id, title): (i32, String) = (row.id, row.title);
        let (price, published): (Option<BigDecimal>, Option<DateTime<Utc>>) =
            (row.price, row.published);
        let isbn: Uuid = row.isbn;
        println!(
            "returning: {id} {title:?} {} {} {isbn}",
            show(&price),
            show(&published)
        );
    }

    // query_as! with a parameter: NOT NULL and nullable columns into a struct.
    let authors = sqlx::query_as!(
        Author,
        "SELECT id, name, email, joined FROM authors WHERE id >= $1 ORDER BY id",
        1
    )
    .fetch_all(&mut conn)
    .await?;
    for Author {
        id,
        name,
        email,
        joined,
    } in authors
    {
        println!("author {id}: {name:?} {email:?} joined {joined}");
    }

    // A LEFT JOIN: the column from the outer-joined side is nullable (inferred from the plan,
    // as `name` is NOT NULL in its table). No ORDER BY: sqlx only looks at the plan's top
    // node, and a Sort there would hide the join; the rows are sorted here instead.
    let mut rows = sqlx::query!(
        "SELECT b.id, b.title, a.name AS author FROM books b LEFT JOIN authors a ON a.id = b.author_id"
    )
    .fetch_all(&mut conn)
    .await?;
    rows.sort_by_key(|r| r.id);
    for row in rows {
        let (id, title, author): (i32, String, Option<String>) = (row.id, row.title, row.author);
        println!("book {id}: {title:?} by {author:?}");
    }

    // Expression columns: nullable unless overridden with `!`.
    for author_id in [1, 2] {
        let row = sqlx::query!(
            r#"SELECT count(*) AS "n!", max(title) AS last_title FROM books WHERE author_id = $1"#,
            author_id
        )
        .fetch_one(&mut conn)
        .await?;
        let (n, last_title): (i64, Option<String>) = (row.n, row.last_title);
        println!("author {author_id}: {n} books, last {last_title:?}");
    }
    let shout: Option<String> =
        sqlx::query_scalar!("SELECT upper(name) FROM authors WHERE id = $1", 2)
            .fetch_one(&mut conn)
            .await?;
    println!("shout: {shout:?}");

    conn.close().await?;
    println!("done");
    Ok(())
}
