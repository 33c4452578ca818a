//! [`Wire`]: the PostgreSQL v3 protocol spoken by hand, for what client libraries hide
//! (exact command tags, NOTICEs, ParameterStatus, EmptyQueryResponse, message order).
//!
//! A query's answer is a [`Message`] list, or a transcript: one line per message, so that a
//! test states the whole conversation PostgreSQL has:
//!
//! | message              | line                          |
//! |----------------------|-------------------------------|
//! | RowDescription       | `T name:type,name:type`       |
//! | DataRow              | `D 1|NULL|x`                  |
//! | CommandComplete      | `C INSERT 0 2`                |
//! | EmptyQueryResponse   | `I`                           |
//! | ErrorResponse        | `E 22012`                     |
//! | NoticeResponse       | `N 42P07 relation "t" already exists, skipping` |
//! | NoticeResponse, not a NOTICE | `N WARNING 25001 there is already a transaction in progress` |
//! | ParameterStatus      | `S application_name=x`        |
//! | ReadyForQuery        | `Z I`                         |
//! | ParseComplete, BindComplete, CloseComplete | `1`, `2`, `3` |
//! | ParameterDescription | `t int8,text`                 |
//! | NoData               | `n`                           |
//! | PortalSuspended      | `s`                           |
//!
//! The extended protocol's frontend messages are in [`crate::extended`].

use std::collections::BTreeMap;
use std::io::ErrorKind;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::within;
use crate::server::TestServer;

const PROTOCOL_3_0: i32 = 196_608;

/// One backend message, decoded as far as the tests need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    ParameterStatus(String, String),
    RowDescription(Vec<Column>),
    ParameterDescription(Vec<u32>),
    ParseComplete,
    BindComplete,
    CloseComplete,
    NoData,
    PortalSuspended,
    /// Text-format values; `None` is SQL NULL.
    DataRow(Vec<Option<String>>),
    CommandComplete(String),
    EmptyQueryResponse,
    Error(Fields),
    Notice(Fields),
    /// Transaction status: `I` idle, `T` in a transaction, `E` in a failed transaction.
    ReadyForQuery(char),
    BackendKeyData,
    /// Any other message, by its type byte.
    Other(u8),
}

/// One column of a RowDescription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// OID of the table the column is read from, 0 if computed.
    pub table_oid: u32,
    /// Attribute number in that table, 0 if computed.
    pub attnum: i16,
    pub type_oid: u32,
    pub typlen: i16,
    pub typmod: i32,
    /// 0 text, 1 binary.
    pub format: i16,
}

/// The fields of an ErrorResponse or NoticeResponse, by their one-letter codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields(pub BTreeMap<char, String>);

impl Fields {
    fn get(&self, code: char) -> &str {
        self.0.get(&code).map(String::as_str).unwrap_or("")
    }

    /// `V`: ERROR, NOTICE, ... never localized.
    pub fn severity(&self) -> &str {
        self.get('V')
    }

    /// `C`: the SQLSTATE.
    pub fn code(&self) -> &str {
        self.get('C')
    }

    /// `M`: the primary message.
    pub fn message(&self) -> &str {
        self.get('M')
    }

    /// `D`: the detail, or "".
    pub fn detail(&self) -> &str {
        self.get('D')
    }
}

impl Message {
    /// The transcript line for this message (see the module docs).
    pub fn render(&self) -> String {
        match self {
            Message::ParameterStatus(name, value) => format!("S {name}={value}"),
            Message::RowDescription(columns) => {
                let columns: Vec<_> = columns
                    .iter()
                    .map(|c| format!("{}:{}", c.name, type_name(c.type_oid)))
                    .collect();
                format!("T {}", columns.join(","))
            }
            Message::ParameterDescription(types) => {
                let types: Vec<_> = types.iter().map(|oid| type_name(*oid)).collect();
                format!("t {}", types.join(","))
            }
            Message::ParseComplete => "1".into(),
            Message::BindComplete => "2".into(),
            Message::CloseComplete => "3".into(),
            Message::NoData => "n".into(),
            Message::PortalSuspended => "s".into(),
            Message::DataRow(values) => {
                let values: Vec<_> = values
                    .iter()
                    .map(|v| v.as_deref().unwrap_or("NULL"))
                    .collect();
                format!("D {}", values.join("|"))
            }
            Message::CommandComplete(tag) => format!("C {tag}"),
            Message::EmptyQueryResponse => "I".into(),
            Message::Error(fields) => format!("E {}", fields.code()),
            Message::Notice(fields) if fields.severity() == "NOTICE" => {
                format!("N {} {}", fields.code(), fields.message())
            }
            Message::Notice(fields) => format!(
                "N {} {} {}",
                fields.severity(),
                fields.code(),
                fields.message()
            ),
            Message::ReadyForQuery(status) => format!("Z {status}"),
            Message::BackendKeyData => "K".into(),
            Message::Other(tag) => format!("? {}", *tag as char),
        }
    }
}

/// The names of the built-in types the tests meet, by OID (as in pg_type).
pub(crate) fn type_name(oid: u32) -> String {
    let name = match oid {
        16 => "bool",
        17 => "bytea",
        18 => "char",
        19 => "name",
        20 => "int8",
        21 => "int2",
        23 => "int4",
        25 => "text",
        26 => "oid",
        114 => "json",
        700 => "float4",
        701 => "float8",
        1042 => "bpchar",
        1043 => "varchar",
        1082 => "date",
        1083 => "time",
        1114 => "timestamp",
        1184 => "timestamptz",
        1186 => "interval",
        1700 => "numeric",
        2950 => "uuid",
        3802 => "jsonb",
        _ => return oid.to_string(),
    };
    name.to_string()
}

/// A raw protocol connection, past startup.
pub struct Wire {
    stream: TcpStream,
    /// Extended-protocol messages not sent yet (see [`crate::extended`]).
    pub(crate) pending: Vec<u8>,
    /// The ParameterStatus values sent during startup.
    pub parameters: BTreeMap<String, String>,
}

impl TestServer {
    /// A raw connection as `postgres` to the test database, `application_name` set to
    /// `shale-e2e`.
    pub async fn wire(&self) -> Wire {
        let params = [
            ("user", "postgres"),
            ("database", self.dbname()),
            ("application_name", "shale-e2e"),
        ];
        match Wire::connect(self.port(), &params).await {
            Ok(wire) => wire,
            Err(e) => panic!(
                "startup refused: {} {}\n{}",
                e.code(),
                e.message(),
                self.log()
            ),
        }
    }
}

impl Wire {
    /// Opens a connection with the given startup parameters (`user`, `database`, ...).
    /// Only trust authentication is supported; an ErrorResponse during startup is returned.
    pub async fn connect(port: u16, params: &[(&str, &str)]) -> Result<Wire, Fields> {
        let stream = within(TcpStream::connect(("127.0.0.1", port)), "TCP connect")
            .await
            .expect("TCP connect");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let mut wire = Wire {
            stream,
            pending: Vec::new(),
            parameters: BTreeMap::new(),
        };
        let mut body = PROTOCOL_3_0.to_be_bytes().to_vec();
        for (name, value) in params {
            put_cstr(&mut body, name);
            put_cstr(&mut body, value);
        }
        body.push(0);
        let mut packet = ((body.len() + 4) as i32).to_be_bytes().to_vec();
        packet.extend(body);
        wire.send(&packet).await;
        loop {
            let (tag, body) = wire.read_raw().await;
            if tag == b'R' {
                let code = i32::from_be_bytes(body[..4].try_into().unwrap());
                assert_eq!(
                    code, 0,
                    "the server asked for authentication method {code}; tests use trust"
                );
                continue;
            }
            match decode(tag, &body) {
                Message::ParameterStatus(name, value) => {
                    wire.parameters.insert(name, value);
                }
                Message::ReadyForQuery(_) => return Ok(wire),
                Message::Error(fields) => return Err(fields),
                Message::BackendKeyData | Message::Notice(_) => {}
                other => panic!("unexpected message during startup: {other:?}"),
            }
        }
    }

    /// Sends one Query message without reading the answer.
    pub async fn send_query(&mut self, sql: &str) {
        let mut body = Vec::new();
        put_cstr(&mut body, sql);
        let mut packet = vec![b'Q'];
        packet.extend(((body.len() + 4) as i32).to_be_bytes());
        packet.extend(body);
        self.send(&packet).await;
    }

    /// Sends one Query message and returns every message up to and including ReadyForQuery.
    pub async fn query(&mut self, sql: &str) -> Vec<Message> {
        self.send_query(sql).await;
        let mut messages = Vec::new();
        loop {
            let (tag, body) = self.read_raw().await;
            let message = decode(tag, &body);
            let done = matches!(message, Message::ReadyForQuery(_));
            messages.push(message);
            if done {
                return messages;
            }
        }
    }

    /// [`Wire::query`] rendered as transcript lines.
    pub async fn transcript(&mut self, sql: &str) -> Vec<String> {
        self.query(sql).await.iter().map(Message::render).collect()
    }

    /// The CommandComplete tags of a query, in order.
    pub async fn tags(&mut self, sql: &str) -> Vec<String> {
        self.query(sql)
            .await
            .into_iter()
            .filter_map(|m| match m {
                Message::CommandComplete(tag) => Some(tag),
                _ => None,
            })
            .collect()
    }

    /// Runs each statement of `script` in turn, checking its transcript.
    pub async fn replay(&mut self, script: &[(&str, &[&str])]) {
        for (sql, expected) in script {
            assert_eq!(self.transcript(sql).await, *expected, "{sql}");
        }
    }

    /// Sends `sql`, which must fail at once: its ErrorResponse and the status of the
    /// ReadyForQuery that follows.
    pub async fn error(&mut self, sql: &str) -> (Fields, char) {
        match self.query(sql).await.as_slice() {
            [Message::Error(fields), Message::ReadyForQuery(status)] => (fields.clone(), *status),
            other => panic!("{sql}\nexpected an error and ReadyForQuery, got {other:?}"),
        }
    }

    pub(crate) async fn send(&mut self, bytes: &[u8]) {
        within(self.stream.write_all(bytes), "send to the server")
            .await
            .expect("send to the server");
    }

    /// Sends the queued messages, then `bytes` exactly as given, however malformed, and
    /// returns the answer as transcript lines up to ReadyForQuery. Errors show their
    /// severity and message (`E ERROR 08P01 invalid string in message`), and the line
    /// `closed` ends the answer when the server closes the connection instead.
    pub async fn raw(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(bytes);
        self.send(&pending).await;
        let mut lines = Vec::new();
        while let Some((tag, body)) = self.try_read_raw().await {
            let message = decode(tag, &body);
            lines.push(match &message {
                Message::Error(e) => format!("E {} {} {}", e.severity(), e.code(), e.message()),
                other => other.render(),
            });
            if matches!(message, Message::ReadyForQuery(_)) {
                return lines;
            }
        }
        lines.push("closed".into());
        lines
    }

    pub(crate) async fn read_raw(&mut self) -> (u8, Vec<u8>) {
        self.try_read_raw().await.expect("the server closed the connection")
    }

    /// The next message, or `None` when the server has closed the connection.
    async fn try_read_raw(&mut self) -> Option<(u8, Vec<u8>)> {
        let mut header = [0u8; 5];
        match within(self.stream.read_exact(&mut header), "read a message header").await {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset) => {
                return None;
            }
            Err(e) => panic!("reading from the server: {e}"),
        }
        let len = i32::from_be_bytes(header[1..].try_into().unwrap());
        assert!(
            (4..1 << 30).contains(&len),
            "bad message length {len} for type {:?}",
            header[0] as char
        );
        let mut body = vec![0u8; len as usize - 4];
        within(self.stream.read_exact(&mut body), "read a message body")
            .await
            .expect("the server closed the connection");
        Some((header[0], body))
    }
}

pub(crate) fn put_cstr(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(s.as_bytes());
    buf.push(0);
}

/// Reads the protocol's primitive types from a message body.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn u8(&mut self) -> u8 {
        self.bytes(1)[0]
    }

    fn i16(&mut self) -> i16 {
        i16::from_be_bytes(self.bytes(2).try_into().unwrap())
    }

    fn i32(&mut self) -> i32 {
        i32::from_be_bytes(self.bytes(4).try_into().unwrap())
    }

    fn cstr(&mut self) -> String {
        let end = self
            .0
            .iter()
            .position(|&b| b == 0)
            .expect("unterminated string");
        let s = String::from_utf8(self.bytes(end).to_vec()).expect("UTF-8 string");
        self.bytes(1);
        s
    }

    fn fields(&mut self) -> Fields {
        let mut fields = BTreeMap::new();
        loop {
            match self.u8() {
                0 => return Fields(fields),
                code => {
                    fields.insert(code as char, self.cstr());
                }
            }
        }
    }
}

pub(crate) fn decode(tag: u8, body: &[u8]) -> Message {
    let mut r = Reader(body);
    match tag {
        b'S' => Message::ParameterStatus(r.cstr(), r.cstr()),
        b'T' => {
            let n = r.i16();
            let columns = (0..n)
                .map(|_| Column {
                    name: r.cstr(),
                    table_oid: r.i32() as u32,
                    attnum: r.i16(),
                    type_oid: r.i32() as u32,
                    typlen: r.i16(),
                    typmod: r.i32(),
                    format: r.i16(),
                })
                .collect();
            Message::RowDescription(columns)
        }
        b'D' => {
            let n = r.i16();
            let values = (0..n)
                .map(|_| match r.i32() {
                    -1 => None,
                    len => Some(
                        String::from_utf8(r.bytes(len as usize).to_vec())
                            .expect("UTF-8 text value"),
                    ),
                })
                .collect();
            Message::DataRow(values)
        }
        b'C' => Message::CommandComplete(r.cstr()),
        b'I' => Message::EmptyQueryResponse,
        b'E' => Message::Error(r.fields()),
        b'N' => Message::Notice(r.fields()),
        b'Z' => Message::ReadyForQuery(r.u8() as char),
        b'K' => Message::BackendKeyData,
        b't' => {
            let n = r.i16();
            Message::ParameterDescription((0..n).map(|_| r.i32() as u32).collect())
        }
        b'1' => Message::ParseComplete,
        b'2' => Message::BindComplete,
        b'3' => Message::CloseComplete,
        b'n' => Message::NoData,
        b's' => Message::PortalSuspended,
        other => Message::Other(other),
    }
}
