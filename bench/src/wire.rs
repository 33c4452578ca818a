//! The PostgreSQL v3 protocol at the byte level, for the protocol fuzzer: frontend messages
//! built field by field (so that a mutation can break any one of them), and a conversation
//! that sends raw bytes, half-closes, and reads every backend message until the server
//! closes the connection.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// The protocol version of a StartupMessage, 3.0.
pub const PROTOCOL_3_0: i32 = 196_608;
/// The "protocol version" of an SSLRequest.
pub const SSL_REQUEST: i32 = 80_877_103;
/// The "protocol version" of a GSSENCRequest.
pub const GSSENC_REQUEST: i32 = 80_877_104;
/// The "protocol version" of a CancelRequest.
pub const CANCEL_REQUEST: i32 = 80_877_102;

/// One field of a frontend message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    I16(i16),
    I32(i32),
    /// A string, written with its NUL terminator.
    Str(Vec<u8>),
    /// Bytes as they are (a parameter value, CopyData's payload).
    Bytes(Vec<u8>),
}

/// A frontend message: its type byte (none for the untyped startup-phase packets), its
/// fields, and its length word, which is computed unless `length` sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontend {
    pub tag: Option<u8>,
    pub fields: Vec<Field>,
    pub length: Option<i32>,
}

fn str_field(s: &str) -> Field {
    Field::Str(s.as_bytes().to_vec())
}

impl Frontend {
    fn typed(tag: u8, fields: Vec<Field>) -> Frontend {
        Frontend { tag: Some(tag), fields, length: None }
    }

    /// A StartupMessage, protocol 3.0, with these parameters.
    pub fn startup(params: &[(&str, &str)]) -> Frontend {
        let mut fields = vec![Field::I32(PROTOCOL_3_0)];
        for (name, value) in params {
            fields.extend([str_field(name), str_field(value)]);
        }
        fields.push(Field::Bytes(vec![0]));
        Frontend { tag: None, fields, length: None }
    }

    /// An untyped packet of one code: SSLRequest, or CancelRequest with a process id and key.
    pub fn request(code: i32, extra: &[i32]) -> Frontend {
        let fields = std::iter::once(code).chain(extra.iter().copied()).map(Field::I32).collect();
        Frontend { tag: None, fields, length: None }
    }

    /// Query (simple protocol).
    pub fn query(sql: &str) -> Frontend {
        Frontend::typed(b'Q', vec![str_field(sql)])
    }

    /// Parse `sql` as statement `name` with these parameter type OIDs.
    pub fn parse(name: &str, sql: &str, types: &[i32]) -> Frontend {
        let mut fields = vec![str_field(name), str_field(sql), Field::I16(types.len() as i16)];
        fields.extend(types.iter().copied().map(Field::I32));
        Frontend::typed(b'P', fields)
    }

    /// Bind `statement` to `portal` with parameter format codes, values (`None` is NULL) and
    /// result format codes.
    pub fn bind(portal: &str, statement: &str, formats: &[i16], values: &[Option<&[u8]>], results: &[i16]) -> Frontend {
        let mut fields = vec![str_field(portal), str_field(statement), Field::I16(formats.len() as i16)];
        fields.extend(formats.iter().copied().map(Field::I16));
        fields.push(Field::I16(values.len() as i16));
        for value in values {
            match value {
                Some(bytes) => fields.extend([Field::I32(bytes.len() as i32), Field::Bytes(bytes.to_vec())]),
                None => fields.push(Field::I32(-1)),
            }
        }
        fields.push(Field::I16(results.len() as i16));
        fields.extend(results.iter().copied().map(Field::I16));
        Frontend::typed(b'B', fields)
    }

    /// Describe (`kind` b'S' statement, b'P' portal).
    pub fn describe(kind: u8, name: &str) -> Frontend {
        Frontend::typed(b'D', vec![Field::Bytes(vec![kind]), str_field(name)])
    }

    /// Close (`kind` b'S' statement, b'P' portal).
    pub fn close(kind: u8, name: &str) -> Frontend {
        Frontend::typed(b'C', vec![Field::Bytes(vec![kind]), str_field(name)])
    }

    /// Execute `portal`, at most `max_rows` rows (0: all).
    pub fn execute(portal: &str, max_rows: i32) -> Frontend {
        Frontend::typed(b'E', vec![str_field(portal), Field::I32(max_rows)])
    }

    /// Sync, Flush or Terminate, CopyDone: messages with no body.
    pub fn bare(tag: u8) -> Frontend {
        Frontend::typed(tag, Vec::new())
    }

    /// CopyData with this payload.
    pub fn copy_data(payload: &[u8]) -> Frontend {
        Frontend::typed(b'd', vec![Field::Bytes(payload.to_vec())])
    }

    /// CopyFail with this message.
    pub fn copy_fail(message: &str) -> Frontend {
        Frontend::typed(b'f', vec![str_field(message)])
    }

    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for field in &self.fields {
            match field {
                Field::I16(v) => body.extend(v.to_be_bytes()),
                Field::I32(v) => body.extend(v.to_be_bytes()),
                Field::Str(s) => {
                    body.extend(s);
                    body.push(0);
                }
                Field::Bytes(b) => body.extend(b),
            }
        }
        let length = self.length.unwrap_or(body.len() as i32 + 4);
        let mut out: Vec<u8> = self.tag.into_iter().collect();
        out.extend(length.to_be_bytes());
        out.extend(body);
        out
    }
}

/// One backend message: its type byte and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub tag: u8,
    pub body: Vec<u8>,
}

impl Backend {
    /// For an ErrorResponse, its SQLSTATE (field `C`) and message (field `M`).
    pub fn error(&self) -> Option<(String, String)> {
        if self.tag != b'E' {
            return None;
        }
        let mut fields = self.body.split(|&b| b == 0).filter(|f| !f.is_empty());
        let (mut code, mut message) = (String::new(), String::new());
        for field in fields.by_ref() {
            let text = String::from_utf8_lossy(&field[1..]).into_owned();
            match field[0] {
                b'C' => code = text,
                b'M' => message = text,
                _ => {}
            }
        }
        Some((code, message))
    }
}

/// How a conversation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The server closed the connection (after our half-close, or on its own).
    Closed,
    /// The connection was reset.
    Reset,
    /// Nothing more came within the time limit and the connection stayed open.
    Timeout,
    /// The server sent bytes that are not a backend message.
    Garbled,
}

/// What the server answered to a conversation.
#[derive(Clone, Debug)]
pub struct Transcript {
    pub messages: Vec<Backend>,
    pub end: End,
}

/// Connects to `port`, sends `bytes`, half-closes (so that the server sees end of input
/// and must close the connection once it has answered) and reads every message until the
/// connection closes or `limit` passes.
pub async fn converse(port: u16, bytes: &[u8], limit: Duration) -> std::io::Result<Transcript> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (mut reader, mut writer) = stream.split();
    let mut one_byte_answer = opens_with_encryption_request(bytes);
    let send = async {
        // The server may close before it has read everything: not an error of ours.
        let _ = writer.write_all(bytes).await;
        let _ = writer.shutdown().await;
    };
    let mut messages = Vec::new();
    let read = async {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            if one_byte_answer && !buffer.is_empty() {
                buffer.remove(0);
                one_byte_answer = false;
            }
            while let Some(message) = take_message(&mut buffer) {
                match message {
                    Some(message) => messages.push(message),
                    None => return End::Garbled,
                }
            }
            match reader.read(&mut chunk).await {
                Ok(0) => return End::Closed,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                Err(_) => return End::Reset,
            }
        }
    };
    let (_, end) = tokio::join!(send, async { timeout(limit, read).await.unwrap_or(End::Timeout) });
    Ok(Transcript { messages, end })
}

/// Whether `bytes` open with an SSLRequest or GSSENCRequest, which the server answers with
/// one byte (`N` or `S`) before any message.
fn opens_with_encryption_request(bytes: &[u8]) -> bool {
    let word = |at: usize| bytes.get(at..at + 4).map(|w| i32::from_be_bytes(w.try_into().expect("four bytes")));
    word(0) == Some(8) && matches!(word(4), Some(SSL_REQUEST | GSSENC_REQUEST))
}

/// Takes one complete backend message off the front of `buffer`: `None` when it holds no
/// whole message yet, `Some(None)` when its length word is impossible.
fn take_message(buffer: &mut Vec<u8>) -> Option<Option<Backend>> {
    if buffer.len() < 5 {
        return None;
    }
    let length = i32::from_be_bytes(buffer[1..5].try_into().expect("four bytes"));
    if !(4..=1 << 30).contains(&length) {
        // PostgreSQL answers a startup packet of protocol 2 or older in that protocol: `E`
        // and a NUL-terminated message, with no length word.
        if buffer[0] == b'E' {
            let end = buffer[1..].iter().position(|&b| b == 0)? + 1;
            let body = buffer[1..end].to_vec();
            buffer.drain(..=end);
            return Some(Some(Backend { tag: b'E', body }));
        }
        return Some(None);
    }
    let total = length as usize + 1;
    if buffer.len() < total {
        return None;
    }
    let message = Backend { tag: buffer[0], body: buffer[5..total].to_vec() };
    buffer.drain(..total);
    Some(Some(message))
}
