//! A session's state as the catalog sees it: the handle every provider of one session
//! shares (store, transaction, search path), its settings, the parameters of a plan made
//! once, the registry of sessions (`pg_stat_activity`), and stopping a running statement
//! (cancel, timeouts, waiting for locks).

pub mod activity;
pub mod blocking;
pub mod handle;
pub mod interrupt;
pub mod interruptible;
pub mod param;
pub mod settings;
pub mod temp_slots;
pub mod yielding;
