//! The extended query protocol spoken by hand on a [`Wire`]: messages are queued with
//! [`Wire::parse`], [`Wire::bind`], ... and sent together by [`Wire::sync`] (which appends
//! Sync and reads up to ReadyForQuery) or [`Wire::flush`] (which appends Flush and reads a
//! given number of messages), so a test states exactly what a driver would pipeline.

use crate::wire::{Message, Wire, decode, put_cstr};

impl Wire {
    fn queue(&mut self, tag: u8, body: &[u8]) -> &mut Self {
        self.pending.push(tag);
        self.pending.extend(((body.len() + 4) as i32).to_be_bytes());
        self.pending.extend_from_slice(body);
        self
    }

    /// Queues Parse of `sql` as statement `name` ("" unnamed) with the given parameter
    /// type OIDs (0: let the server infer).
    pub fn parse(&mut self, name: &str, sql: &str, types: &[u32]) -> &mut Self {
        let mut body = Vec::new();
        put_cstr(&mut body, name);
        put_cstr(&mut body, sql);
        body.extend((types.len() as i16).to_be_bytes());
        for oid in types {
            body.extend(oid.to_be_bytes());
        }
        self.queue(b'P', &body)
    }

    /// Queues Bind of statement `statement` to portal `portal` with text parameters
    /// (`None`: NULL) and text results.
    pub fn bind(&mut self, portal: &str, statement: &str, params: &[Option<&str>]) -> &mut Self {
        let params: Vec<_> = params.iter().map(|p| p.map(str::as_bytes)).collect();
        self.bind_with(portal, statement, &[], &params, &[])
    }

    /// Queues Bind with parameters in the format codes `formats` (none: all text, one: all
    /// in that format, else one per parameter; 0 text, 1 binary, anything else to see it
    /// refused), their values as bytes, and results in the format codes `results`.
    pub fn bind_with(
        &mut self,
        portal: &str,
        statement: &str,
        formats: &[i16],
        params: &[Option<&[u8]>],
        results: &[i16],
    ) -> &mut Self {
        let mut body = Vec::new();
        put_cstr(&mut body, portal);
        put_cstr(&mut body, statement);
        put_codes(&mut body, formats);
        body.extend((params.len() as i16).to_be_bytes());
        for param in params {
            match param {
                Some(value) => {
                    body.extend((value.len() as i32).to_be_bytes());
                    body.extend_from_slice(value);
                }
                None => body.extend((-1i32).to_be_bytes()),
            }
        }
        put_codes(&mut body, results);
        self.queue(b'B', &body)
    }

    /// Queues Describe of a statement (`S`) or portal (`P`).
    pub fn describe(&mut self, kind: char, name: &str) -> &mut Self {
        let mut body = vec![kind as u8];
        put_cstr(&mut body, name);
        self.queue(b'D', &body)
    }

    /// Queues Execute of `portal`, returning at most `max_rows` rows (0: all).
    pub fn execute(&mut self, portal: &str, max_rows: i32) -> &mut Self {
        let mut body = Vec::new();
        put_cstr(&mut body, portal);
        body.extend(max_rows.to_be_bytes());
        self.queue(b'E', &body)
    }

    /// Queues Close of a statement (`S`) or portal (`P`).
    pub fn close(&mut self, kind: char, name: &str) -> &mut Self {
        let mut body = vec![kind as u8];
        put_cstr(&mut body, name);
        self.queue(b'C', &body)
    }

    /// Sends the queued messages and Sync; returns every message up to ReadyForQuery, as
    /// transcript lines.
    pub async fn sync(&mut self) -> Vec<String> {
        self.sync_messages().await.iter().map(Message::render).collect()
    }

    /// The RowDescription of `sql`, parsed and described (unnamed statement) with the
    /// extended protocol.
    pub async fn row_description(&mut self, sql: &str) -> Vec<crate::wire::Column> {
        let messages = self.parse("", sql, &[]).describe('S', "").sync_messages().await;
        match messages.into_iter().find(|m| matches!(m, Message::RowDescription(_))) {
            Some(Message::RowDescription(columns)) => columns,
            other => panic!("no RowDescription for {sql}: {other:?}"),
        }
    }

    /// [`Wire::sync`], the messages themselves.
    pub async fn sync_messages(&mut self) -> Vec<Message> {
        self.queue(b'S', &[]);
        self.send_pending().await;
        let mut messages = Vec::new();
        loop {
            let message = self.next_message().await;
            let done = matches!(message, Message::ReadyForQuery(_));
            messages.push(message);
            if done {
                return messages;
            }
        }
    }

    /// Sends the queued messages and Flush; returns the next `count` messages as
    /// transcript lines (the server sends them without waiting for Sync).
    pub async fn flush(&mut self, count: usize) -> Vec<String> {
        self.queue(b'H', &[]);
        self.send_pending().await;
        let mut lines = Vec::new();
        for _ in 0..count {
            lines.push(self.next_message().await.render());
        }
        lines
    }

    async fn send_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.send(&pending).await;
    }

    async fn next_message(&mut self) -> Message {
        let (tag, body) = self.read_raw().await;
        decode(tag, &body)
    }
}

/// A count of format codes and the codes.
fn put_codes(body: &mut Vec<u8>, codes: &[i16]) {
    body.extend((codes.len() as i16).to_be_bytes());
    for code in codes {
        body.extend(code.to_be_bytes());
    }
}
