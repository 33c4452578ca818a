//! Shale's storage layer: RocksDB with an order-preserving key codec, a compact row codec
//! and read-committed or snapshot-isolated transactions. It knows nothing of SQL, DataFusion or pgwire.
//!
//! # The API in brief
//!
//! - Values ([`datum`]): [`Kind`] is a column's physical type; [`Datum`] an owned value or
//!   NULL; [`DatumRef`] a borrowed one (`Datum::as_ref`, `DatumRef::to_owned`, `kind()`).
//! - Keys ([`keys`]): [`encode_key_datum`] appends one memcomparable column (byte order is
//!   value order, NULL first); [`decode_key_datums`] decodes a whole key and
//!   [`decode_key_datum`] one column. A row key is [`table_prefix`]`(table_id)` followed by
//!   the key columns; [`prefix_successor`] (or [`KeyRange::prefix`]) bounds a prefix scan.
//! - Rows ([`row`]): [`encode_row`] writes slot count, null bitmap and values;
//!   [`decode_row`] calls back once per stored slot with values borrowed from the input
//!   (rows may have fewer slots than the reader's kinds); [`row_slot_count`];
//!   [`encode_array`] / [`decode_array`] for the value of a [`Kind::Array`] column.
//! - Storage ([`store`], [`txn`]): [`Store::open`] opens RocksDB with one column family per
//!   [`Space`] (`meta`, `data`); [`Store::begin_with`] starts a [`Txn`] ([`TxnOptions`]:
//!   [`Isolation`], sync, lock timeout) that reads a snapshot (per statement, or for the
//!   whole transaction) plus its own writes: `get`, `get_for_update` (locks), `put`,
//!   `delete`, `scan` over a [`KeyRange`] in batches (`scan_directed`: in either
//!   [`Direction`]), `allocate` (per-name counters 1, 2, 3, ..., outside the transaction),
//!   savepoints, `commit` and `rollback`.
//! - Errors ([`error`]): [`Error::Conflict`] (retry the transaction: SQLSTATE 40001),
//!   [`Error::Deadlock`], [`Error::LockTimeout`], [`Error::Corrupt`], [`Error::Io`].
//!
//! ```no_run
//! use shale_storage::{encode_key_datum, table_prefix, DatumRef, KeyRange, Space, Store, StoreOptions};
//!
//! let store = Store::open("/tmp/shale".as_ref(), StoreOptions::default())?;
//! let txn = store.begin();
//! let mut key = table_prefix(txn.allocate(b"c/table", 1)?).to_vec();
//! encode_key_datum(DatumRef::Int64(42), &mut key);
//! txn.put(Space::Data, &key, b"row")?;
//! let rows = txn.scan(Space::Data, &KeyRange::prefix(&key[..8]), None, 100)?;
//! assert_eq!(rows.len(), 1);
//! txn.commit()?;
//! # Ok::<(), shale_storage::Error>(())
//! ```

#![warn(missing_docs)]

mod cursor;
pub mod datum;
pub mod error;
pub mod keys;
pub mod row;
pub mod store;
pub mod txn;

#[cfg(test)]
mod testgen;

pub use datum::{Datum, DatumRef, Kind};
pub use error::{Error, Result};
pub use keys::{
    NULL_FLAG, VALUE_FLAG, decode_key_datum, decode_key_datums, encode_key_datum,
    prefix_successor, table_prefix,
};
pub use row::{MAX_SLOTS, decode_array, decode_row, encode_array, encode_row, row_slot_count};
pub use store::{MemoryUsage, Space, Store, StoreOptions};
pub use txn::{Direction, Isolation, KeyRange, Stop, Txn, TxnOptions};
