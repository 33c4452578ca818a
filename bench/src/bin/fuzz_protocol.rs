//! Protocol fuzzer: a seeded random client that sends shale valid message sequences
//! (Startup, SSLRequest, Query, Parse/Bind/Describe/Execute/Sync/Close, Flush, CopyData,
//! CopyDone, CopyFail, Terminate) with mutations: wrong lengths, counts and format codes,
//! extreme numbers, NULs inside strings, missing terminators, truncated, duplicated,
//! dropped and reordered messages, stray bytes. Each input is one connection: the bytes are
//! sent, the connection half-closed, and every answer read until the server closes it. A
//! dead or stuck server, a panic in its log, no close within `--timeout`, a garbled answer,
//! an XX000 error and (with `--reference-port`) a close without the ErrorResponse 08P01
//! PostgreSQL sends for the same bytes are findings, written as hex (the whole byte stream,
//! startup included) to `fuzz_protocol-findings.txt`; the exit status is 1 when there are
//! any.
//!
//! Run: `target/debug/fuzz_protocol --seconds 300 [--seed S] [--port P] [--replay FILE]`
//! (`SHALE_BIN` is the server to start; see `shale_bench::fuzz` for every option, and
//! `scripts/fuzz` for both fuzzers at once).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use shale_bench::fuzz::{self, FuzzArgs, Fuzzer, Verdict};
use shale_bench::rng::Rng;
use shale_bench::wire::{self, CANCEL_REQUEST, End, Field, Frontend, SSL_REQUEST, Transcript};

/// Statements for Query and Parse messages.
const STATEMENTS: &[&str] = &[
    "SELECT 1",
    "SELECT $1",
    "SELECT $1::int4",
    "SELECT $1::int8, $2::text",
    "SELECT $1::numeric",
    "SELECT $1::bytea",
    "SELECT $1::date",
    "SELECT $1::timestamptz",
    "SELECT $1::uuid",
    "SELECT $1::jsonb",
    "SELECT $1::int4[]",
    "SELECT generate_series(1, 100)",
    "SELECT 1/0",
    "CREATE TABLE IF NOT EXISTS fz (a int, b text)",
    "INSERT INTO fz VALUES ($1, $2)",
    "SELECT * FROM fz",
    "COPY fz FROM STDIN",
    "BEGIN",
    "COMMIT",
    "",
    ";",
];

/// Parameter type OIDs: unspecified, bool, bytea, int8, int2, int4, text, json, float4,
/// float8, int4[], date, timestamp, timestamptz, numeric, uuid, jsonb, and two that do not exist.
const TYPES: &[i32] = &[0, 16, 17, 20, 21, 23, 25, 114, 700, 701, 1007, 1082, 1114, 1184, 1700, 2950, 3802, 99_999, -1];

/// Extreme values for 32-bit fields (lengths, counts, row limits, OIDs, process ids).
const I32_EDGES: &[i32] = &[0, 1, -1, -2, 3, 4, 5, 8, 0xffff, 0x1_0000, 0x7fff_ffff, i32::MIN, 0x4000_0000, 100_000_000];

/// Extreme values for 16-bit fields (counts, format codes).
const I16_EDGES: &[i16] = &[0, 1, 2, 3, -1, 100, i16::MAX, i16::MIN];

/// Parameter values: binary integers of every width and wrong widths, text, invalid UTF-8,
/// NUL bytes, a binary numeric with a digit out of range, a binary array header with huge
/// dimensions, a uuid.
fn value(rng: &mut Rng) -> Option<Vec<u8>> {
    let values: [&[u8]; 12] = [
        &[0, 0, 0, 42],
        &[0, 0, 0, 0, 0, 0, 0, 42],
        &[0, 42],
        &[0, 0, 42],
        b"42",
        b"abc",
        b"",
        &[0xff, 0xfe, 0x00, 0xc3],
        &[0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10],
        &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1],
        &[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0],
        b"{1,2,NULL}",
    ];
    (!rng.one_in(8)).then(|| rng.pick(&values).to_vec())
}

/// Up to `most` format codes, now and then an invalid one.
fn formats(rng: &mut Rng, most: usize) -> Vec<i16> {
    (0..rng.below(most + 1)).map(|_| if rng.one_in(5) { *rng.pick(I16_EDGES) } else { rng.below(2) as i16 }).collect()
}

/// One step of a valid conversation after startup.
fn step(rng: &mut Rng, out: &mut Vec<Frontend>) {
    let sql = *rng.pick(STATEMENTS);
    match rng.below(6) {
        0 => out.push(Frontend::query(sql)),
        1 | 2 => {
            let name = if rng.one_in(2) { "" } else { "s1" };
            let portal = if rng.one_in(2) { "" } else { "p1" };
            let params = sql.matches('$').count();
            let types: Vec<i32> = (0..rng.below(params + 1)).map(|_| *rng.pick(TYPES)).collect();
            out.push(Frontend::parse(name, sql, &types));
            if rng.one_in(3) {
                out.push(Frontend::describe(b'S', name));
            }
            let values: Vec<Option<Vec<u8>>> = (0..params).map(|_| value(rng)).collect();
            let refs: Vec<Option<&[u8]>> = values.iter().map(Option::as_deref).collect();
            let param_formats = formats(rng, params);
            let result_formats = formats(rng, 1);
            out.push(Frontend::bind(portal, name, &param_formats, &refs, &result_formats));
            if rng.one_in(2) {
                out.push(Frontend::describe(b'P', portal));
            }
            let limit = if rng.one_in(3) { *rng.pick(I32_EDGES) } else { 0 };
            out.push(Frontend::execute(portal, limit));
            if rng.one_in(3) {
                out.push(Frontend::close(*rng.pick(b"SP"), if rng.one_in(2) { name } else { portal }));
            }
            if !rng.one_in(5) {
                out.push(Frontend::bare(b'S'));
            }
        }
        3 => out.push(Frontend::bare(*rng.pick(b"HSc"))),
        4 => out.push(if rng.one_in(2) { Frontend::copy_data(b"1\tx\n") } else { Frontend::copy_fail("stop") }),
        _ => out.push(Frontend::query("SELECT 1")),
    }
}

/// A valid conversation: an optional SSLRequest, the startup packet, a few steps and often a
/// Terminate; or a lone CancelRequest.
fn conversation(rng: &mut Rng) -> Vec<Frontend> {
    if rng.one_in(20) {
        return vec![Frontend::request(CANCEL_REQUEST, &[rng.below(1 << 20) as i32, rng.next_u64() as i32])];
    }
    let mut out = Vec::new();
    if rng.one_in(10) {
        out.push(Frontend::request(SSL_REQUEST, &[]));
    }
    out.push(Frontend::startup(&[("user", "postgres"), ("database", fuzz::DATABASE)]));
    for _ in 0..rng.between(1, 5) {
        step(rng, &mut out);
    }
    if rng.one_in(2) {
        out.push(Frontend::bare(b'X'));
    }
    out
}

/// Breaks one field of `message`.
fn mutate_field(rng: &mut Rng, message: &mut Frontend) {
    if message.fields.is_empty() {
        message.fields.push(Field::I32(*rng.pick(I32_EDGES)));
        return;
    }
    let at = rng.below(message.fields.len());
    let field = &mut message.fields[at];
    *field = match field.clone() {
        Field::I16(_) => Field::I16(*rng.pick(I16_EDGES)),
        Field::I32(_) => Field::I32(*rng.pick(I32_EDGES)),
        Field::Str(mut s) => match rng.below(4) {
            0 => {
                s.insert(rng.below(s.len() + 1), 0);
                Field::Str(s)
            }
            1 => Field::Bytes(s),
            2 => Field::Str(vec![b'a'; 100_000]),
            _ => Field::Str(vec![0xff, 0xfe, b'x']),
        },
        Field::Bytes(mut b) => {
            b.truncate(rng.below(b.len() + 1));
            b.extend((0..rng.below(4)).map(|_| rng.next_u64() as u8));
            Field::Bytes(b)
        }
    };
}

/// Applies one to four mutations to the conversation.
fn mutate(rng: &mut Rng, messages: &mut Vec<Frontend>) {
    for _ in 0..rng.between(1, 4) {
        let at = rng.below(messages.len());
        match rng.below(8) {
            0..=2 => mutate_field(rng, &mut messages[at]),
            3 => {
                let true_length = messages[at].encode().len() as i32 - messages[at].tag.map_or(0, |_| 1);
                let lengths = [0, 3, 4, true_length - 1, true_length + 1, 0x7fff_ffff, -1, 0x4000_0000];
                messages[at].length = Some(*rng.pick(&lengths));
            }
            4 => {
                let keep = rng.below(messages[at].fields.len() + 1);
                messages[at].fields.truncate(keep);
            }
            5 => {
                let copy = messages[at].clone();
                messages.insert(rng.below(messages.len() + 1), copy);
            }
            6 if messages.len() > 1 => {
                let other = rng.below(messages.len());
                messages.swap(at, other);
            }
            _ => messages[at].tag = Some(rng.next_u64() as u8),
        }
    }
}

/// Splits a byte stream into its first packet (untyped) and the typed messages after it, as
/// far as the length words allow; the rest is one piece.
fn split_messages(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut rest = bytes;
    let mut typed = false;
    loop {
        let header = usize::from(typed);
        let length = rest.get(header..header + 4).map(|w| i32::from_be_bytes(w.try_into().expect("four bytes")));
        let total = match length {
            Some(n) if n >= 4 && header + n as usize <= rest.len() => header + n as usize,
            _ => {
                if !rest.is_empty() {
                    pieces.push(rest.to_vec());
                }
                return pieces;
            }
        };
        pieces.push(rest[..total].to_vec());
        rest = &rest[total..];
        // After an SSLRequest or CancelRequest another untyped packet may follow.
        typed = typed || !matches!(length, Some(8 | 16));
    }
}

/// The protocol fuzzer; with a reference PostgreSQL, a conversation shale closes without
/// any ErrorResponse is sent there too, and is a finding when PostgreSQL answers it with an
/// ErrorResponse 08P01 (a protocol violation it reports before closing).
struct ProtocolFuzzer {
    reference: Option<u16>,
}

impl ProtocolFuzzer {
    /// The 08P01 message PostgreSQL answers `bytes` with, if shale (on `port`) sent no
    /// ErrorResponse at all.
    async fn unreported_violation(&self, port: u16, bytes: &[u8], transcript: &Transcript, limit: Duration) -> Option<String> {
        let reference = self.reference.filter(|&r| r != port)?;
        if transcript.messages.iter().any(|m| m.error().is_some()) {
            return None;
        }
        let theirs = wire::converse(reference, bytes, limit).await.ok()?;
        theirs.messages.iter().filter_map(|m| m.error()).find(|(code, _)| code == "08P01").map(|(_, message)| message)
    }
}

impl Fuzzer for ProtocolFuzzer {
    const NAME: &'static str = "fuzz_protocol";
    const COMMENT: &'static str = "#";
    type Piece = Vec<u8>;

    async fn prepare(&mut self, _port: u16) -> Result<(), String> {
        Ok(())
    }

    fn generate(&mut self, rng: &mut Rng) -> Vec<Vec<u8>> {
        let mut messages = conversation(rng);
        if !rng.one_in(10) {
            mutate(rng, &mut messages);
        }
        let mut pieces: Vec<Vec<u8>> = messages.iter().map(Frontend::encode).collect();
        if rng.one_in(4) {
            let at = rng.below(pieces.len());
            let cut = rng.below(pieces[at].len() + 1);
            pieces[at].truncate(cut);
        }
        pieces
    }

    async fn run(&mut self, port: u16, input: &[Vec<u8>], limit: Duration) -> Verdict {
        let transcript = match wire::converse(port, &input.concat(), limit).await {
            Ok(transcript) => transcript,
            Err(e) => return Verdict::Broken(format!("connection refused: {e}")),
        };
        let internal = transcript.messages.iter().filter_map(|m| m.error()).find(|(code, _)| code == "XX000");
        match (transcript.end, internal) {
            (End::Timeout, _) => Verdict::Hang,
            (End::Garbled, _) => Verdict::Broken("an answer that is not a backend message".into()),
            (_, Some((_, message))) => Verdict::Internal(message),
            (End::Closed | End::Reset, None) => match self.unreported_violation(port, &input.concat(), &transcript, limit).await {
                Some(message) => Verdict::Broken(format!("closed without the ErrorResponse 08P01 PostgreSQL sends: {message}")),
                None => Verdict::Fine,
            },
        }
    }

    /// Single bytes, but the first packet (the startup packet, mostly) stays whole: bytes
    /// taken out of it would shift its end into the messages after it, a reproducer no one
    /// could read.
    fn refine(&self, input: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
        let (first, rest) = input.split_first()?;
        Some(std::iter::once(first.clone()).chain(rest.concat().into_iter().map(|b| vec![b])).collect())
    }

    fn render(&self, input: &[Vec<u8>]) -> String {
        input.concat().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn read(&self, line: &str) -> Option<Vec<Vec<u8>>> {
        let line = line.trim();
        let bytes: Option<Vec<u8>> = (0..line.len())
            .step_by(2)
            .map(|i| line.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect();
        Some(split_messages(&bytes?))
    }
}

#[derive(Parser)]
#[command(about = "Seeded random PostgreSQL-protocol client against shale")]
struct Cli {
    #[command(flatten)]
    fuzz: FuzzArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Cli::parse().fuzz;
    fuzz::run(ProtocolFuzzer { reference: args.reference_port }, args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_splits_back_into_its_messages() {
        let messages = [
            Frontend::request(SSL_REQUEST, &[]),
            Frontend::startup(&[("user", "postgres")]),
            Frontend::query("SELECT 1"),
            Frontend::bare(b'X'),
        ];
        let encoded: Vec<Vec<u8>> = messages.iter().map(Frontend::encode).collect();
        assert_eq!(split_messages(&encoded.concat()), encoded);
        let mut truncated = encoded.concat();
        truncated.truncate(truncated.len() - 3);
        assert_eq!(split_messages(&truncated).len(), 4);
    }

    #[test]
    fn a_reproducer_line_reads_back() {
        let fuzzer = ProtocolFuzzer { reference: None };
        let input = vec![Frontend::startup(&[("user", "postgres")]).encode(), vec![b'S', 0, 0, 0, 4]];
        assert_eq!(fuzzer.read(&fuzzer.render(&input)), Some(input));
    }
}
