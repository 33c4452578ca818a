//! The end-to-end harness: everything a test needs to drive the real `shale` binary over
//! TCP, the way users do (design invariant 3).
//!
//! - [`TestServer`] starts `shale` on a fresh data directory and a free port, kills it on
//!   drop, and can SIGKILL and restart it on the same data.
//! - [`ClientExt`] adds assertion-friendly calls to a `tokio_postgres::Client` (text rows,
//!   expected SQLSTATEs, a check that the session goes on after an error).
//! - [`Wire`] speaks the protocol byte by byte, simple and extended, for what client
//!   libraries hide: exact command tags, NOTICEs, ParameterStatus, EmptyQueryResponse,
//!   message order, PortalSuspended, ParameterDescription.
//! - [`TestServer::psql`] runs the real `psql`; [`golden`] compares output with files taken
//!   from PostgreSQL.
//!
//! # Reference mode
//!
//! With `SHALE_TEST_PG_PORT=5432` every [`TestServer`] is a fresh database on the
//! PostgreSQL listening on that port (user `postgres`, trust authentication) instead of a
//! shale process. The whole suite must pass there: that is how every expected value in it is
//! known to be PostgreSQL's own behaviour. Tests of shale-only behaviour (SIGKILL, restart,
//! command-line options, 0A000) start through [`TestServer::start_shale`], which returns
//! `None` in that mode.

mod client;
mod extended;
pub mod golden;
mod psql;
mod server;
mod wire;

pub use client::{Background, ClientExt, QueryResult, render_rows, sqlstate, within};
pub use psql::PsqlOutput;
pub use server::{ShaleConfig, TestServer, Via};
pub use wire::{Column, Fields, Message, Wire};
