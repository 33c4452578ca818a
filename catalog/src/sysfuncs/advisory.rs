//! Session-level advisory locks: `pg_advisory_lock`, `pg_try_advisory_lock`,
//! `pg_advisory_unlock`, `pg_advisory_unlock_all`. A lock is held by a session (its pid),
//! re-entrantly, until it unlocks it as many times or the session ends.

use std::collections::HashMap;
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::session::blocking::blocking;
use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
use crate::system::column as v;

use super::row_function::{int_arg, row_function};

/// Held locks: key to (holder pid, times taken).
struct Locks {
    held: Mutex<HashMap<i64, (i32, u32)>>,
    released: Condvar,
}

static LOCKS: LazyLock<Locks> = LazyLock::new(|| Locks { held: Mutex::new(HashMap::new()), released: Condvar::new() });

fn held() -> MutexGuard<'static, HashMap<i64, (i32, u32)>> {
    LOCKS.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Takes `key` for `pid` if it is free or already `pid`'s; whether it did.
fn try_take(locks: &mut HashMap<i64, (i32, u32)>, key: i64, pid: i32) -> bool {
    match locks.get_mut(&key) {
        Some((holder, count)) if *holder == pid => {
            *count += 1;
            true
        }
        Some(_) => false,
        None => {
            locks.insert(key, (pid, 1));
            true
        }
    }
}

/// Waits until `pid` holds `key`.
fn lock(key: i64, pid: i32) {
    blocking(|| {
        let mut locks = held();
        while !try_take(&mut locks, key, pid) {
            locks = LOCKS.released.wait(locks).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    });
}

/// Releases one hold of `key` by `pid`; whether `pid` held it.
fn unlock(key: i64, pid: i32) -> bool {
    let mut locks = held();
    let released = match locks.get_mut(&key) {
        Some((holder, count)) if *holder == pid => {
            *count -= 1;
            if *count == 0 {
                locks.remove(&key);
            }
            true
        }
        _ => false,
    };
    LOCKS.released.notify_all();
    released
}

/// Releases every advisory lock of the session `pid` (at `pg_advisory_unlock_all()` and
/// when the session ends).
pub fn unlock_all(pid: i32) {
    held().retain(|_, (holder, _)| *holder != pid);
    LOCKS.released.notify_all();
}

/// The lock key of the arguments: one bigint, or two integers.
fn key(args: &[ScalarValue]) -> Result<Option<i64>> {
    let parts: Option<Vec<i64>> = args.iter().map(int_arg).collect();
    Ok(match parts.as_deref() {
        Some([key]) => Some(*key),
        Some([high, low]) => Some((*high << 32) | (*low & 0xffff_ffff)),
        Some(_) => return Err(CatalogError::internal("an advisory lock key of more than two parts")),
        None => None,
    })
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let void = Field::new("", DataType::Utf8, true);
    let boolean = Field::new("", DataType::Boolean, true);
    let volatile = Volatility::Volatile;
    vec![
        row_function(handle, "pg_advisory_lock", &[1, 2], void, volatile, |cx, args| {
            if let Some(key) = key(args)? {
                lock(key, cx.handle.identity().pid);
            }
            Ok(v::text(""))
        }),
        row_function(handle, "pg_try_advisory_lock", &[1, 2], boolean.clone(), volatile, |cx, args| {
            Ok(key(args)?.map_or(v::null(), |key| v::boolean(try_take(&mut held(), key, cx.handle.identity().pid))))
        }),
        row_function(handle, "pg_advisory_unlock", &[1, 2], boolean, volatile, |cx, args| {
            Ok(key(args)?.map_or(v::null(), |key| v::boolean(unlock(key, cx.handle.identity().pid))))
        }),
        row_function(handle, "pg_advisory_unlock_all", &[0], Field::new("", DataType::Utf8, true), volatile, |cx, _| {
            unlock_all(cx.handle.identity().pid);
            Ok(v::text(""))
        }),
    ]
}
