//! Malformed protocol input (issue 11, point 3) and the numbers a client controls in the
//! extended protocol (point 1: Execute's row limit), sent byte by byte with the raw client.
//! Each gets PostgreSQL 15's answer: a malformed body is an ERROR (08P01, or 22021 for text
//! that is not UTF-8) and the session goes on, skipping to Sync in the extended protocol; a
//! length that cannot be framed closes the connection without a word; an unknown message
//! type is FATAL. Every other session goes on in every case.

use shale_tests::{TestServer, Wire, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SYNC: &[u8] = b"S\0\0\0\x04";
const SELECT_ONE: [&str; 4] = ["T ?column?:int4", "D 1", "C SELECT 1", "Z I"];

/// One message with its type, its length as it should be, and `body`.
fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![tag];
    bytes.extend(((body.len() + 4) as i32).to_be_bytes());
    bytes.extend_from_slice(body);
    bytes
}

/// Bytes written in hex, as the issue gives them.
fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// `bytes` followed by Sync.
fn synced(bytes: &[u8]) -> Vec<u8> {
    [bytes, SYNC].concat()
}

/// A server, a session to check it still serves at the end, and a session for the test.
async fn sessions() -> (TestServer, Wire, Wire) {
    let server = TestServer::start().await;
    let other = server.wire().await;
    let wire = server.wire().await;
    (server, other, wire)
}

/// A connection opened before the malformed input and used after it: the server is
/// still serving.
async fn assert_still_serving(other: &mut Wire) {
    assert_eq!(other.transcript("SELECT 1").await, SELECT_ONE);
}

/// The answer to a message that failed: ERROR 08P01 with `message`, after `before`.
fn protocol_violation(before: &[&str], message: &str) -> Vec<String> {
    let error = format!("E ERROR 08P01 {message}");
    before.iter().map(|line| line.to_string()).chain([error, "Z I".into()]).collect()
}

/// Sends each case's bytes in turn on one session, which must answer as given; then that
/// session and one opened before it still work.
async fn assert_answers(cases: Vec<(Vec<u8>, Vec<String>)>) {
    let (_server, mut other, mut wire) = sessions().await;
    for (bytes, expected) in cases {
        assert_eq!(wire.raw(&bytes).await, expected, "{bytes:02x?}");
    }
    assert_eq!(wire.transcript("SELECT 1").await, SELECT_ONE);
    assert_still_serving(&mut other).await;
}

/// Parse of `sql` as the unnamed statement, with no parameter types.
fn parse(sql: &str) -> Vec<u8> {
    message(b'P', &[b"\0", sql.as_bytes(), b"\0\0\0"].concat())
}

#[tokio::test]
async fn short_and_truncated_bodies_are_08p01_and_the_session_goes_on() {
    let invalid_string = protocol_violation(&[], "invalid string in message");
    let insufficient = protocol_violation(&[], "insufficient data left in message");
    let no_data = protocol_violation(&[], "no data left in message");
    // The truncated Bind names the unnamed statement, which PostgreSQL looks up
    // before reading the rest; with the statement there, the missing parameter is what is
    // wrong.
    let truncated_bind = hex("420000000c0000000100000001");
    assert_answers(vec![
        // Bind with an empty body, as the issue gives it.
        (hex("42000000045300000004"), invalid_string.clone()),
        (synced(&truncated_bind), vec!["E ERROR 26000 unnamed prepared statement does not exist".into(), "Z I".into()]),
        (synced(&[parse("SELECT $1::int"), truncated_bind].concat()), protocol_violation(&["1"], "insufficient data left in message")),
        // A parameter length past the end, and a negative one other than -1 (NULL).
        (synced(&message(b'B', b"\0\0\0\0\0\x01\0\0\0\x05ab\0\0")), insufficient.clone()),
        (synced(&message(b'B', b"\0\0\0\0\0\x01\xff\xff\xff\xfb\0\0")), insufficient.clone()),
        // 65535 parameter formats announced, none sent.
        (synced(&message(b'B', b"\0\0\xff\xff")), insufficient.clone()),
        // Parse, Execute, Describe and Close with empty or short bodies.
        (synced(&message(b'P', b"")), invalid_string.clone()),
        (synced(&message(b'E', b"")), invalid_string),
        (synced(&message(b'D', b"")), no_data.clone()),
        (synced(&message(b'C', b"")), no_data),
        (synced(&message(b'P', b"\0SELECT 1\0")), insufficient.clone()),
        (synced(&message(b'E', b"\0\0\0")), insufficient.clone()),
        // 65535 parameter types announced, none sent.
        (synced(&message(b'P', b"\0SELECT 1\0\xff\xff")), insufficient),
    ])
    .await;
}

#[tokio::test]
async fn nul_bytes_and_leftovers_are_08p01() {
    let invalid_format = protocol_violation(&[], "invalid message format");
    assert_answers(vec![
        // The NUL ends the query string at "SELECT"; " 1" then reads as a count of 8241
        // parameter types, which are not there.
        (synced(&message(b'P', b"\0SELECT\0 1\0\0\0")), protocol_violation(&[], "insufficient data left in message")),
        (message(b'Q', b"SELECT 1\0x\0"), invalid_format.clone()),
        // A Query without its terminator.
        (message(b'Q', b"SELECT 1"), protocol_violation(&[], "invalid string in message")),
        // Bytes after the last field: Execute, Bind and Flush skip to Sync; a Sync with a
        // body fails and is still a Sync.
        (synced(&message(b'E', b"\0\0\0\0\0\0")), invalid_format.clone()),
        (synced(&[parse("SELECT 1"), message(b'B', b"\0\0\0\0\0\0\0\0x")].concat()), protocol_violation(&["1"], "invalid message format")),
        (synced(&message(b'H', b"\0")), invalid_format.clone()),
        (message(b'S', b"\0"), invalid_format),
        // Close and Describe of something that is neither a statement nor a portal.
        (synced(&message(b'D', b"X\0")), protocol_violation(&[], "invalid DESCRIBE message subtype 88")),
        (synced(&message(b'C', b"X\0")), protocol_violation(&[], "invalid CLOSE message subtype 88")),
    ])
    .await;
}

#[tokio::test]
async fn a_malformed_message_fails_the_transaction_block() {
    let (_server, mut other, mut wire) = sessions().await;
    wire.query("CREATE TABLE kept (id int PRIMARY KEY)").await;
    assert_eq!(wire.transcript("BEGIN; INSERT INTO kept VALUES (1)").await, ["C BEGIN", "C INSERT 0 1", "Z T"]);
    assert_eq!(wire.raw(&hex("42000000045300000004")).await, ["E ERROR 08P01 invalid string in message", "Z E"]);
    let (error, status) = wire.error("SELECT 1").await;
    assert_eq!((error.code(), status), ("25P02", 'E'));
    assert_eq!(wire.transcript("ROLLBACK").await, ["C ROLLBACK", "Z I"]);
    assert_eq!(wire.transcript("SELECT count(*) FROM kept").await, ["T count:int8", "D 0", "C SELECT 1", "Z I"]);
    assert_still_serving(&mut other).await;
}

#[tokio::test]
async fn a_length_that_cannot_be_framed_closes_the_connection() {
    let server = TestServer::start().await;
    let mut other = server.wire().await;
    // Below 4 (the length counts itself), negative, and longer than a Describe may be.
    for bytes in [hex("42000000025300000004"), hex("42000000005300000004"), hex("42ffffffff"), hex("447fffffff")] {
        let mut wire = server.wire().await;
        assert_eq!(wire.raw(&bytes).await, ["closed"], "{bytes:02x?}");
    }
    assert_still_serving(&mut other).await;
}

#[tokio::test]
async fn an_unknown_message_type_is_fatal() {
    let (server, mut other, mut wire) = sessions().await;
    assert_eq!(wire.raw(&hex("7a000000045300000004")).await, ["E FATAL 08P01 invalid frontend message type 122", "closed"]);
    // The type byte alone decides, before any length arrives (after a CopyFail outside a
    // COPY, which is ignored).
    let mut wire = server.wire().await;
    assert_eq!(wire.raw(&hex("6600000009007031000000")).await, ["E FATAL 08P01 invalid frontend message type 0", "closed"]);
    assert_still_serving(&mut other).await;
}

#[tokio::test]
async fn execute_row_limits_a_client_sends() {
    let (_server, mut other, mut wire) = sessions().await;
    // The largest limit: PostgreSQL sends the one row; nothing is reserved for the rest.
    let lines = wire.parse("", "SELECT 1", &[]).bind("", "", &[]).execute("", i32::MAX).sync().await;
    assert_eq!(lines, ["1", "2", "D 1", "C SELECT 1", "Z I"]);
    // A negative limit means all rows, as zero does.
    wire.query("CREATE TABLE limits (id int PRIMARY KEY); INSERT INTO limits VALUES (1), (2), (3)").await;
    let lines = wire
        .parse("", "SELECT id FROM limits ORDER BY id", &[])
        .bind("", "", &[])
        .execute("", 2)
        .execute("", -1)
        .sync()
        .await;
    assert_eq!(lines, ["1", "2", "D 1", "D 2", "s", "D 3", "C SELECT 1", "Z I"]);
    let lines = wire.bind("", "", &[]).execute("", i32::MIN).sync().await;
    assert_eq!(lines, ["2", "D 1", "D 2", "D 3", "C SELECT 3", "Z I"]);
    assert_still_serving(&mut other).await;
}

#[tokio::test]
async fn text_that_is_not_utf8_is_22021() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let query = |sql: &[u8]| message(b'Q', &[sql, b"\0"].concat());
    assert_eq!(
        wire.raw(&query(b"SELECT '\xff'")).await,
        ["E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xff", "Z I"]
    );
    // The bytes of the character its first byte announces.
    assert_eq!(
        wire.raw(&query(b"SELECT '\xe2\x28\xa1'")).await,
        ["E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xe2 0x28 0xa1", "Z I"]
    );
    let parse = message(b'P', b"\0SELECT '\xc3'\0\0\0");
    assert_eq!(
        wire.raw(&synced(&parse)).await,
        ["E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xc3 0x27", "Z I"]
    );
    let named = message(b'P', b"n\xff\0SELECT 1\0\0\0");
    assert_eq!(wire.raw(&synced(&named)).await, ["E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xff", "Z I"]);
    // A text parameter, and one holding a NUL.
    let answer = run(&mut wire, "SELECT $1::text", &[], &[], &[Some(b"\xff")], &[]).await;
    assert_eq!(answer, ["1", "E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xff", "Z I"]);
    let answer = run(&mut wire, "SELECT $1::text", &[], &[], &[Some(b"a\0b")], &[]).await;
    assert_eq!(answer, ["1", "E ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0x00", "Z I"]);
    assert_eq!(wire.transcript("SELECT 1").await, SELECT_ONE);
}

/// Parse of `sql` with parameter `types`, Bind of `params` in `formats` with results in
/// `results`, Execute and Sync: the answer.
async fn run(wire: &mut Wire, sql: &str, types: &[u32], formats: &[i16], params: &[Option<&[u8]>], results: &[i16]) -> Vec<String> {
    wire.parse("", sql, types).bind_with("", "", formats, params, results).execute("", 0);
    wire.raw(SYNC).await
}

#[tokio::test]
async fn format_codes_are_checked_as_postgresql_checks_them() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let unsupported = "E ERROR 22023 unsupported format code: 7";
    // A parameter's code, at Bind, even for NULL.
    for value in [Some(&b"1"[..]), None] {
        assert_eq!(run(&mut wire, "SELECT $1::int", &[], &[7], &[value], &[]).await, ["1", unsupported, "Z I"]);
    }
    // A result column's code, when Execute sends a row in it.
    assert_eq!(run(&mut wire, "SELECT 1", &[], &[], &[], &[7]).await, ["1", "2", unsupported, "Z I"]);
    assert_eq!(run(&mut wire, "SELECT 1, 2", &[], &[], &[], &[0, 7]).await, ["1", "2", unsupported, "Z I"]);
    assert_eq!(run(&mut wire, "SELECT 1 WHERE false", &[], &[], &[], &[7]).await, ["1", "2", "C SELECT 0", "Z I"]);
    // Counts that match neither one code for all nor one per field.
    assert_eq!(
        run(&mut wire, "SELECT 1, 2, 3", &[], &[], &[], &[0, 1]).await,
        ["1", "E ERROR 08P01 bind message has 2 result formats but query has 3 columns", "Z I"]
    );
    assert_eq!(
        run(&mut wire, "SELECT $1::int", &[], &[0, 0], &[Some(b"1")], &[]).await,
        ["1", "E ERROR 08P01 bind message has 2 parameter formats but 1 parameters", "Z I"]
    );
    assert_eq!(wire.transcript("SELECT 1").await, SELECT_ONE);
}

#[tokio::test]
async fn a_parameter_declared_with_a_type_its_column_cannot_take_is_42804() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    assert_eq!(wire.transcript("CREATE TABLE typed (a int PRIMARY KEY)").await.last().map(String::as_str), Some("Z I"));
    // PostgreSQL refuses it at Parse, shale when the statement runs: either way 42804.
    let answer = run(&mut wire, "INSERT INTO typed VALUES ($1)", &[17], &[1], &[Some(&[0x12, 0x34][..])], &[]).await;
    assert!(answer.iter().any(|line| line.starts_with("E ERROR 42804 column")), "{answer:?}");
    assert_eq!(answer.last().map(String::as_str), Some("Z I"));
    assert_eq!(wire.transcript("SELECT 1").await, SELECT_ONE);
}

/// PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits.
fn numeric(words: &[u16]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

#[tokio::test]
async fn binary_parameters_are_read_as_postgresql_reads_them() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let cases: [(&str, u32, Vec<u8>, &str); 5] = [
        ("SELECT $1::numeric", 1700, numeric(&[1, 0, 0, 0, 42]), "D 42"),
        ("SELECT $1::numeric", 1700, numeric(&[1, 0, 0, 0, 10000]), "E ERROR 22P03 invalid digit in external \"numeric\" value"),
        ("SELECT $1::numeric", 1700, numeric(&[1, 0, 0x1234, 0, 1]), "E ERROR 22P03 invalid sign in external \"numeric\" value"),
        // Shorter than the type: the read falls short; longer: bytes are left.
        ("SELECT $1::int4", 23, vec![0, 1], "E ERROR 08P01 insufficient data left in message"),
        ("SELECT $1::int4", 23, vec![0, 0, 0, 0, 1], "E ERROR 22P03 incorrect binary data format in bind parameter 1"),
    ];
    for (sql, oid, value, expected) in cases {
        let answer = run(&mut wire, sql, &[oid], &[1], &[Some(&value)], &[]).await;
        let expected: Vec<&str> = match expected.starts_with('E') {
            true => vec!["1", expected, "Z I"],
            false => vec!["1", "2", expected, "C SELECT 1", "Z I"],
        };
        assert_eq!(answer, expected, "{sql} {value:?}");
    }
    assert_eq!(wire.transcript("SELECT 1").await, SELECT_ONE);
}

#[tokio::test]
async fn a_binary_bytea_parameter_is_its_bytes() {
    let server = TestServer::start().await;
    let mut wire = server.wire().await;
    let bytes = Some(&b"\xff\x00"[..]);
    // Declared bytea, and inferred from the cast: two bytes, not text.
    let answer = run(&mut wire, "SELECT encode($1::bytea, 'hex'), $1::bytea", &[17], &[1], &[bytes], &[]).await;
    assert_eq!(answer, ["1", "2", "D ff00|\\xff00", "C SELECT 1", "Z I"]);
    let answer = run(&mut wire, "SELECT $1::bytea = '\\xff00'::bytea", &[], &[1], &[bytes], &[]).await;
    assert_eq!(answer, ["1", "2", "D t", "C SELECT 1", "Z I"]);
    // Stored and read back.
    wire.query("CREATE TABLE blobs (id int PRIMARY KEY, v bytea)").await;
    let answer = run(&mut wire, "INSERT INTO blobs VALUES (1, $1)", &[], &[1], &[bytes], &[]).await;
    assert_eq!(answer, ["1", "2", "C INSERT 0 1", "Z I"]);
    assert_eq!(
        wire.transcript("SELECT v, encode(v, 'hex') FROM blobs").await,
        ["T v:bytea,encode:text", "D \\xff00|ff00", "C SELECT 1", "Z I"]
    );
}

/// What the server sends to `bytes` written before any startup, up to its close.
async fn before_startup(server: &TestServer, bytes: &[u8]) -> Vec<u8> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port())).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    let mut answer = Vec::new();
    within(stream.read_to_end(&mut answer), "the answer and the close").await.expect("read");
    answer
}

#[tokio::test]
async fn ssl_requests_are_read_as_postgresql_reads_them() {
    // Shale only: the reference PostgreSQL here has TLS on, so it accepts the first request.
    let Some(server) = TestServer::start_shale("this server has no TLS; the reference's accepts it").await else { return };
    // A second SSLRequest after the refusal is a startup packet of an unknown version.
    let answer = before_startup(&server, &hex("0000000804d2162f0000000804d2162f")).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with(b"NE"), "{text}");
    assert!(text.contains("08P01") && text.contains("unsupported frontend protocol 1234.5679"), "{text}");
    // The magic number under another length is no SSLRequest: no `N`.
    let answer = before_startup(&server, &hex("0000000404d2162f")).await;
    assert!(!answer.starts_with(b"N"), "{answer:02x?}");
    assert_still_serving(&mut server.wire().await).await;
}

#[tokio::test]
async fn a_startup_packet_ends_with_its_terminator() {
    let server = TestServer::start().await;
    // Protocol 3.0 and `user postgres` with no empty name after it: PostgreSQL refuses the
    // layout with a FATAL error before it looks the user up.
    // Nor with no parameters at all (only the length and the version).
    for body in [&b"\x00\x03\x00\x00user\x00postgres\x00"[..], b"\x00\x03\x00\x00"] {
        let mut packet = (body.len() as i32 + 4).to_be_bytes().to_vec();
        packet.extend_from_slice(body);
        let answer = before_startup(&server, &packet).await;
        let text = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with(b"E"), "{text}");
        assert!(text.contains("08P01") && text.contains("invalid startup packet layout: expected terminator as last byte"), "{text}");
    }
    assert_still_serving(&mut server.wire().await).await;
}
