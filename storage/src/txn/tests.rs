use std::sync::Arc;

use super::*;
use crate::{Store, StoreOptions};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), StoreOptions { sync_commit: false }).expect("opens");
    (dir, store)
}

fn keys(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<Vec<u8>> {
    pairs.into_iter().map(|(k, _)| k).collect()
}

#[test]
fn txn_and_store_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Txn>();
    assert_send_sync::<Store>();
}

#[test]
fn reads_its_own_writes() {
    let (_dir, store) = open();
    let txn = store.begin();
    txn.put(Space::Data, b"k", b"v").expect("put");
    assert_eq!(
        txn.get(Space::Data, b"k").expect("get"),
        Some(b"v".to_vec())
    );
    assert_eq!(
        txn.get(Space::Meta, b"k").expect("get"),
        None,
        "spaces are separate"
    );
    assert_eq!(
        keys(
            txn.scan(Space::Data, &KeyRange::default(), None, 10)
                .expect("scan")
        ),
        [b"k"]
    );
    txn.delete(Space::Data, b"k").expect("delete");
    assert_eq!(txn.get(Space::Data, b"k").expect("get"), None);
}

#[test]
fn sees_its_snapshot_not_later_commits() {
    let (_dir, store) = open();
    let reader = store.begin();
    let writer = store.begin();
    writer.put(Space::Data, b"k", b"v").expect("put");
    writer.commit().expect("commit");
    assert_eq!(reader.get(Space::Data, b"k").expect("get"), None);
    assert!(
        reader
            .scan(Space::Data, &KeyRange::default(), None, 10)
            .expect("scan")
            .is_empty()
    );
    assert_eq!(
        store.begin().get(Space::Data, b"k").expect("get"),
        Some(b"v".to_vec())
    );
}

#[test]
fn write_write_conflict_is_conflict() {
    let (_dir, store) = open();
    let (first, second) = (store.begin(), store.begin());
    first.put(Space::Data, b"k", b"1").expect("put");
    first.commit().expect("commit");
    assert!(matches!(
        second.put(Space::Data, b"k", b"2"),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(
        second.get_for_update(Space::Data, b"k"),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn rollback_undoes_and_finishes() {
    let (_dir, store) = open();
    let txn = store.begin();
    txn.put(Space::Data, b"k", b"v").expect("put");
    txn.rollback().expect("rollback");
    assert_eq!(store.begin().get(Space::Data, b"k").expect("get"), None);
    assert_eq!(txn.get(Space::Data, b"k"), Err(Error::finished()));
    assert_eq!(txn.commit(), Err(Error::finished()));
    assert_eq!(txn.rollback(), Err(Error::finished()));
    let committed = store.begin();
    committed.commit().expect("commit");
    assert_eq!(
        committed.put(Space::Data, b"k", b"v"),
        Err(Error::finished())
    );
}

#[test]
fn rollback_to_savepoint_undoes_later_writes() {
    let (_dir, store) = open();
    let txn = store.begin();
    txn.put(Space::Data, b"a", b"1").expect("put");
    txn.set_savepoint();
    txn.put(Space::Data, b"b", b"2").expect("put");
    txn.delete(Space::Data, b"a").expect("delete");
    txn.rollback_to_savepoint().expect("rollback to savepoint");
    assert_eq!(
        keys(
            txn.scan(Space::Data, &KeyRange::default(), None, 10)
                .expect("scan")
        ),
        [b"a"]
    );
    assert!(txn.rollback_to_savepoint().is_err(), "no savepoint left");
    txn.commit().expect("commit");
}

#[test]
fn scan_honours_bounds_after_and_limit() {
    let (_dir, store) = open();
    let setup = store.begin();
    for k in [b"a1", b"b1", b"b2", b"b3", b"c1"] {
        setup.put(Space::Data, k, b"committed").expect("put");
    }
    setup.commit().expect("commit");
    let txn = store.begin();
    txn.put(Space::Data, b"b4", b"own").expect("put");
    txn.put(Space::Data, b"c0", b"own, beyond the bound")
        .expect("put");
    txn.delete(Space::Data, b"b2").expect("delete");
    let b = KeyRange::prefix(b"b");
    let scan =
        |after: Option<&[u8]>, limit| keys(txn.scan(Space::Data, &b, after, limit).expect("scan"));
    assert_eq!(scan(None, 10), [b"b1", b"b3", b"b4"]);
    assert_eq!(scan(None, 2), [b"b1", b"b3"]);
    assert_eq!(scan(Some(b"b3"), 10), [b"b4"]);
    assert_eq!(
        scan(Some(b"a"), 1),
        [b"b1"],
        "after below the range is ignored"
    );
    assert!(scan(Some(b"b4"), 10).is_empty());
    assert!(scan(None, 0).is_empty());
    let pairs = txn
        .scan(
            Space::Data,
            &KeyRange {
                lower: b"b4".to_vec(),
                upper: None,
            },
            None,
            10,
        )
        .expect("scan");
    assert_eq!(
        pairs,
        [
            (b"b4".to_vec(), b"own".to_vec()),
            (b"c0".to_vec(), b"own, beyond the bound".to_vec()),
            (b"c1".to_vec(), b"committed".to_vec())
        ]
    );
}

#[test]
fn a_backward_scan_reads_the_forward_pairs_in_reverse() {
    let (_dir, store) = open();
    let setup = store.begin();
    for k in [&b"a1"[..], b"b1", b"b2", b"b3", b"c", b"c1"] {
        setup.put(Space::Data, k, b"committed").expect("put");
    }
    setup.commit().expect("commit");
    let txn = store.begin();
    let later = store.begin();
    later.put(Space::Data, b"b5", b"committed after the snapshot").expect("put");
    later.commit().expect("commit");
    // Own writes: on the lower bound, inside, on the (exclusive) upper bound, beyond both.
    for k in [&b"b"[..], b"b4", b"c", b"c0", b"a9"] {
        txn.put(Space::Data, k, b"own").expect("put");
    }
    txn.delete(Space::Data, b"b2").expect("delete");
    let b = KeyRange::prefix(b"b");
    let scan = |range: &KeyRange, direction, past: Option<&[u8]>, limit| {
        keys(txn.scan_directed(Space::Data, range, direction, past, limit).expect("scan"))
    };
    let forward = scan(&b, Direction::Forward, None, 10);
    assert_eq!(forward, [&b"b"[..], b"b1", b"b3", b"b4"]);
    let backward = scan(&b, Direction::Backward, None, 10);
    assert_eq!(backward, forward.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(scan(&b, Direction::Backward, None, 2), [b"b4", b"b3"]);
    assert_eq!(scan(&b, Direction::Backward, Some(b"b3"), 10), [&b"b1"[..], b"b"]);
    assert_eq!(scan(&b, Direction::Backward, Some(b"z"), 1), [b"b4"], "past above the range is ignored");
    assert!(scan(&b, Direction::Backward, Some(b"b"), 10).is_empty());
    assert!(scan(&b, Direction::Backward, Some(b"a"), 10).is_empty());
    assert!(scan(&b, Direction::Backward, None, 0).is_empty());
    // Resuming one key at a time gives the same pairs.
    let mut resumed: Vec<Vec<u8>> = Vec::new();
    while let [key] = scan(&b, Direction::Backward, resumed.last().map(Vec::as_slice), 1).as_slice() {
        resumed.push(key.clone());
    }
    assert_eq!(resumed, backward);
    // No upper bound: from the last key, own writes included.
    let open_ended = KeyRange { lower: b"b4".to_vec(), upper: None };
    assert_eq!(
        txn.scan_directed(Space::Data, &open_ended, Direction::Backward, None, 10).expect("scan"),
        [
            (b"c1".to_vec(), b"committed".to_vec()),
            (b"c0".to_vec(), b"own".to_vec()),
            (b"c".to_vec(), b"own".to_vec()),
            (b"b4".to_vec(), b"own".to_vec()),
        ]
    );
    assert_eq!(scan(&open_ended, Direction::Backward, Some(b"c0"), 10), [&b"c"[..], b"b4"]);
}

#[test]
fn allocate_counts_per_counter_and_is_not_rolled_back() {
    let (_dir, store) = open();
    let txn = store.begin();
    assert_eq!(
        [txn.allocate(b"t", 1), txn.allocate(b"t", 3), txn.allocate(b"s", 1)],
        [Ok(1), Ok(2), Ok(1)]
    );
    txn.rollback().expect("rollback");
    assert_eq!(store.begin().allocate(b"t", 1), Ok(5), "values are never handed out twice");
}

#[test]
fn concurrent_transactions_allocate_without_waiting_or_conflicting() {
    let (_dir, store) = open();
    let (first, second) = (store.begin(), store.begin());
    assert_eq!(first.allocate(b"t", 1), Ok(1));
    assert_eq!(second.allocate(b"t", 1), Ok(2), "the first transaction holds no lock");
    first.commit().expect("commit");
    second.commit().expect("commit");
}

fn read_committed(store: &Store, lock_timeout: Option<std::time::Duration>) -> Txn {
    store.begin_with(&TxnOptions { isolation: Isolation::ReadCommitted, sync: false, lock_timeout })
}

#[test]
fn read_committed_sees_commits_from_its_next_statement_and_locks_read_the_latest() {
    let (_dir, store) = open();
    let reader = read_committed(&store, None);
    reader.new_statement().expect("statement");
    let writer = store.begin();
    writer.put(Space::Data, b"k", b"1").expect("put");
    writer.commit().expect("commit");
    assert_eq!(reader.get(Space::Data, b"k"), Ok(None), "the statement's snapshot");
    assert_eq!(reader.get_for_update(Space::Data, b"k"), Ok(Some(b"1".to_vec())), "a locking read");
    reader.new_statement().expect("statement");
    assert_eq!(reader.get(Space::Data, b"k"), Ok(Some(b"1".to_vec())), "the next statement");
    reader.put(Space::Data, b"k", b"2").expect("no conflict under read committed");
    reader.commit().expect("commit");
}

#[test]
fn a_lock_wait_times_out_and_a_deadlock_is_detected() {
    let (_dir, store) = open();
    let short = std::time::Duration::from_millis(50);
    let (a, b) = (read_committed(&store, Some(short)), read_committed(&store, None));
    a.put(Space::Data, b"x", b"a").expect("put");
    b.put(Space::Data, b"y", b"b").expect("put");
    assert!(matches!(a.put(Space::Data, b"y", b"a"), Err(Error::LockTimeout(_))));
    let b = Arc::new(b);
    let waiter = {
        let b = Arc::clone(&b);
        std::thread::spawn(move || b.put(Space::Data, b"x", b"b"))
    };
    std::thread::sleep(std::time::Duration::from_millis(100));
    let a = read_committed_retry_deadlock(a);
    a.rollback().expect("rollback");
    waiter.join().expect("thread").expect("b gets the lock once a ends");
    b.commit().expect("commit");
}

/// `a` asks for the lock `b` holds while `b` waits for `a`'s: a deadlock.
fn read_committed_retry_deadlock(a: Txn) -> Txn {
    let result = a.get_for_update(Space::Data, b"y");
    assert!(matches!(result, Err(Error::Deadlock(_))), "{result:?}");
    a
}

#[test]
fn a_shared_txn_is_usable_from_threads_and_outlives_the_store() {
    let (_dir, store) = open();
    let txn = Arc::new(store.begin());
    drop(store);
    let handles: Vec<_> = (0..4u8)
        .map(|i| {
            let txn = Arc::clone(&txn);
            std::thread::spawn(move || txn.put(Space::Data, &[i], b"v"))
        })
        .collect();
    for h in handles {
        h.join().expect("thread").expect("put");
    }
    assert_eq!(
        txn.scan(Space::Data, &KeyRange::default(), None, 10)
            .expect("scan")
            .len(),
        4
    );
    txn.commit().expect("commit");
}

#[test]
fn a_read_only_commit_only_releases_locks() {
    let (_dir, store) = open();
    let reader = store.begin();
    assert_eq!(reader.get_for_update(Space::Data, b"k").expect("locks"), None);
    assert!(!reader.wrote.load(Ordering::Relaxed), "a locking read is not a write");
    reader.commit().expect("commit");
    let writer = store.begin();
    writer.put(Space::Data, b"k", b"v").expect("the lock was released");
    writer.commit().expect("commit");
    assert_eq!(store.begin().get(Space::Data, b"k").expect("get"), Some(b"v".to_vec()));
}
