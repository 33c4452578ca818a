//! The numbers of the sessions' temporary schemas (`pg_temp_N`): the lowest number no
//! live session holds, as PostgreSQL numbers them by backend slot. A session takes one when
//! it first needs a temporary schema and gives it back once that schema is dropped.

use std::collections::BTreeSet;
use std::sync::{LazyLock, Mutex, MutexGuard};

/// The name that stands for the session's own temporary schema, in names and in
/// `search_path`.
pub const TEMP_ALIAS: &str = "pg_temp";

static TAKEN: LazyLock<Mutex<BTreeSet<u32>>> = LazyLock::new(Default::default);

fn taken() -> MutexGuard<'static, BTreeSet<u32>> {
    TAKEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Takes the lowest free number (from 1).
pub fn take() -> u32 {
    let mut taken = taken();
    let n = (1..).find(|n| !taken.contains(n)).unwrap_or(u32::MAX);
    taken.insert(n);
    n
}

/// Gives the number `n` back.
pub fn release(n: u32) {
    taken().remove(&n);
}

/// The name of the temporary schema numbered `n`.
pub fn schema_name(n: u32) -> String {
    format!("pg_temp_{n}")
}

/// Whether `name` is a session's temporary schema (`pg_temp_` and a number).
pub fn is_temp_schema(name: &str) -> bool {
    name.strip_prefix("pg_temp_").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_reused_lowest_first() {
        let a = take();
        let b = take();
        assert_ne!(a, b);
        release(a);
        assert_eq!(take(), a);
        release(a);
        release(b);
    }

    #[test]
    fn temp_schema_names() {
        assert!(is_temp_schema("pg_temp_3"));
        assert!(!is_temp_schema("pg_temp"));
        assert!(!is_temp_schema("pg_temp_x"));
        assert!(!is_temp_schema("pg_toast_temp_3"));
    }
}
