//! The PostgreSQL wire protocol on pgwire: startup and the simple query protocol
//! (`handler`), the extended protocol's messages (`extended`: Parse, Bind, Execute,
//! Describe, Sync), Bind's parameters and format codes, putting outcomes and rows on the
//! wire, and the clients' sockets watched while a statement runs.

pub mod connections;
pub mod extended;
pub mod failed_messages;
pub mod formats;
pub mod handler;
pub mod params;
pub mod rows;
pub mod wire;
