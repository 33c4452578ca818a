//! Sizes the client controls (issue 11, points 1 and 2, the functions' part): a string
//! function asked for more than PostgreSQL's 1 GB limit on a value answers 54000 at once,
//! before allocating; json and jsonb input nested deeper than PostgreSQL's stack allows
//! answer 54001; arrays of more than six dimensions answer 54000. Every expected value and
//! SQLSTATE is PostgreSQL 15's.

use std::time::{Duration, Instant};

use shale_tests::{ClientExt, TestServer};

#[tokio::test]
async fn string_lengths_beyond_a_gigabyte_are_refused_at_once() {
    let (_server, client) = TestServer::start_with_client().await;
    let started = Instant::now();
    for sql in [
        "SELECT length(lpad('ab', 2147483647))",
        "SELECT length(rpad('ab', 2147483647))",
        "SELECT length(lpad('ab', 300000000, 'xy'))",
        "SELECT length(repeat('abc', 600000000))",
        "SELECT length(repeat('abc', 400000000))",
    ] {
        client.expect_error(sql, "54000", "requested length too large").await;
    }
    assert!(started.elapsed() < Duration::from_secs(5), "refused before building anything: {:?}", started.elapsed());
    // What fits, or has nothing to repeat, is computed.
    assert_eq!(
        client
            .lines("SELECT length(lpad('ab', 268435455, '')), length(repeat('', 600000000)), length(rpad('ab', 1000, 'xyz'))")
            .await,
        ["2|0|1000"]
    );
}

#[tokio::test]
async fn deep_json_is_54001_not_a_crash() {
    let (_server, client) = TestServer::start_with_client().await;
    // 10,000 levels are within PostgreSQL's stack: an unterminated array is bad input, a
    // whole one is read.
    client.expect_error("SELECT repeat('[', 10000)::json", "22P02", "invalid input syntax for type json").await;
    client.expect_error("SELECT repeat('[', 10000)::jsonb", "22P02", "invalid input syntax for type json").await;
    assert_eq!(
        client
            .lines(
                "SELECT length((repeat('[', 10000) || repeat(']', 10000))::json::text), \
                 length((repeat('[', 10000) || repeat(']', 10000))::jsonb::text)",
            )
            .await,
        ["20000|20000"]
    );
    // 100,000 are beyond it.
    for sql in [
        "SELECT repeat('[', 100000)::json",
        "SELECT repeat('[', 100000)::jsonb",
        "SELECT repeat('{\"a\":', 100000)::json",
        "SELECT (repeat('[', 100000) || repeat(']', 100000))::jsonb",
    ] {
        client.expect_error(sql, "54001", "stack depth limit exceeded").await;
    }
}

#[tokio::test]
async fn arrays_have_at_most_six_dimensions() {
    let (_server, client) = TestServer::start_with_client().await;
    let too_many = "number of array dimensions (7) exceeds the maximum allowed (6)";
    client.expect_error("SELECT '{{{{{{{1}}}}}}}'::int[]", "54000", too_many).await;
    for depth in [7, 40] {
        let sql = format!("SELECT {}1{}", "ARRAY[".repeat(depth), "]".repeat(depth));
        client.expect_error(&sql, "54000", too_many).await;
    }
}

#[tokio::test]
async fn array_fill_is_bounded() {
    let (_server, client) = TestServer::start_with_client().await;
    assert_eq!(
        client.lines("SELECT array_fill(7, ARRAY[3]), array_fill('x'::text, ARRAY[2]), array_fill(1, ARRAY[0])").await,
        ["{7,7,7}|{x,x}|{}"]
    );
    let too_large = "array size exceeds the maximum allowed (134217727)";
    client.expect_error("SELECT array_fill(1, ARRAY[1000000000])", "54000", too_large).await;
    client.expect_error("SELECT array_fill(1, ARRAY[-1])", "54000", too_large).await;
    client.expect_error("SELECT array_fill(1, NULL)", "22004", "dimension array or low bound array cannot be null").await;
}

#[tokio::test]
async fn datafusion_array_builders_are_bounded() {
    let why = "array_repeat, array_resize and range are DataFusion's functions; PostgreSQL has none of them";
    let Some(server) = TestServer::start_shale(why).await else { return };
    let client = server.client().await;
    for sql in [
        "SELECT array_repeat(1, 2000000000)",
        "SELECT array_resize(ARRAY[1], 2000000000)",
        "SELECT range(0, 3000000000)",
        "SELECT range(-3000000000, 3000000000, 40)",
    ] {
        client.expect_error(sql, "54000", "array size exceeds the maximum allowed (134217727)").await;
    }
    assert_eq!(
        client.lines("SELECT cardinality(array_repeat(1, 3)), cardinality(range(0, 10, 3)), cardinality(range(5))").await,
        ["3|4|5"]
    );
}
