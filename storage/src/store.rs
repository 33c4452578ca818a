//! The database handle: one RocksDB `TransactionDB` with a column family per [`Space`].

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, LruCacheOptions, ColumnFamilyDescriptor, DBCompressionType, Options,
    TransactionDB, TransactionDBOptions, WriteBufferManager, WriteOptions,
};

use crate::txn::TxnOptions;
use crate::{Error, Result, Txn};

/// How long a write outside a transaction waits for a row lock, in milliseconds.
const LOCK_TIMEOUT_MS: i64 = 2000;

/// The size a column family's memtable grows to before RocksDB flushes it to a table
/// file. RocksDB's default, 64 MB (and a second one filling while the first flushes), let
/// the server's memory grow by up to 256 MB under writes, for minutes, before the first
/// flush; at 16 MB the memtables still took two and a half minutes of a steady OLTP load
/// to reach their working size, and then swung by 14 MB.
const MEMTABLE_SIZE: usize = 8 << 20;

/// The memory of the memtables of all column families together: past it, RocksDB flushes
/// the largest.
const MEMTABLE_BUDGET: usize = 16 << 20;

/// The one cache every column family's table blocks, indexes and filters live in, with the
/// memtables charged to it too, so that RocksDB's memory as a whole stays below it (like
/// PostgreSQL's `shared_buffers`). Without it each column family had a 32 MB block cache
/// of its own and kept the index and filter blocks of every table file outside any cache,
/// so memory grew with the data.
const CACHE_SIZE: usize = 64 << 20;

/// The cache is split into 2^this shards, each with its own lock and a quarter of
/// [`CACHE_SIZE`]. RocksDB's default for 64 MB is 64 shards of 1 MB: a table file's index
/// block (300 KB for a 17 MB file) did not stay in a shard beside the memtables' charges
/// and the data blocks passing through, so every point read (each unique check of a bulk
/// INSERT) read, decompressed and checksummed it from the file again: filling 1,000,000
/// rows with a unique column took 68 s instead of 18 s.
const CACHE_SHARD_BITS: i32 = 2;

/// How hard RocksDB tries to erase the cached blocks of a table file that compaction made
/// obsolete (`uncache_aggressiveness`, 300: RocksDB's planned default; 0, today's default,
/// leaves them until the cache is full). Without it the cache grew by the blocks of every
/// file compacted away, about 1.2 MB a minute under the 50-connection soak, and gave its
/// memory back only at [`CACHE_SIZE`]; with it the cache holds what live files' reads
/// brought in (1 to 2 MB under that soak).
const UNCACHE_OBSOLETE_FILES: &str = "uncache_aggressiveness=300";

/// A keyspace, stored as its own RocksDB column family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Space {
    /// Metadata (schemas, tables, counters): column family `meta`.
    Meta,
    /// Table rows: column family `data`.
    Data,
}

impl Space {
    /// Every space, in the order their column families are created.
    pub const ALL: [Space; 2] = [Space::Meta, Space::Data];

    /// The name of this space's column family.
    pub fn cf_name(self) -> &'static str {
        match self {
            Space::Meta => "meta",
            Space::Data => "data",
        }
    }
}

/// How to open a [`Store`].
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Sync the write-ahead log on every commit, so that a committed transaction survives
    /// a crash of the machine (on by default).
    pub sync_commit: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions { sync_commit: true }
    }
}

/// An open database. Cheap to clone (an `Arc` inside), `Send` and `Sync`; the database
/// closes when the last clone and the last [`Txn`] are dropped.
#[derive(Clone)]
pub struct Store {
    pub(crate) shared: Arc<Shared>,
}

/// Key written at every open (in [`Space::Meta`], under the storage's own prefix).
const OPEN_MARKER: &[u8] = b"\x00open";

/// After recovery RocksDB keeps the write-ahead logs it replayed until a flush completes,
/// so without one every start replays a log that grows with the database. Writing a marker
/// and flushing it lets RocksDB delete the logs whose contents are already in tables.
fn purge_recovered_logs(db: &TransactionDB) -> Result<()> {
    let name = Space::Meta.cf_name();
    let cf = TransactionDB::<rocksdb::SingleThreaded>::cf_handle(db, name)
        .ok_or_else(|| Error::Io(format!("missing column family: cf={name}")))?;
    let io = |e: rocksdb::Error| Error::Io(format!("cannot purge recovered logs: error={e}"));
    db.put_cf(&cf, OPEN_MARKER, []).map_err(io)?;
    db.flush_cf(&cf).map_err(io)
}

/// What every clone of a [`Store`] and every [`Txn`] shares.
pub(crate) struct Shared {
    pub(crate) db: TransactionDB,
    /// Write options of a transaction that syncs its commit (when the store syncs at all).
    pub(crate) write_opts: WriteOptions,
    /// Write options of a transaction that does not sync its commit.
    pub(crate) async_write_opts: WriteOptions,
    /// The block cache of every column family ([`CACHE_SIZE`]).
    cache: Cache,
    /// What the memtables use, charged to `cache`.
    memtables: WriteBufferManager,
}

/// What the store holds in memory, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryUsage {
    /// The memtables: rows written but not yet flushed to table files.
    pub memtables: usize,
    /// Table blocks, indexes and filters in the block cache (without the memtables' charge).
    pub block_cache: usize,
    /// What the block cache may hold in all, memtables included.
    pub cache_capacity: usize,
}

impl Store {
    /// Opens the database at `path`, creating it and its column families if missing.
    pub fn open(path: &Path, opts: StoreOptions) -> Result<Store> {
        let mut db_opts = Options::default();
        db_opts.create_if_missing(true);
        db_opts.create_missing_column_families(true);
        let mut cache_opts = LruCacheOptions::default();
        cache_opts.set_capacity(CACHE_SIZE);
        cache_opts.set_num_shard_bits(CACHE_SHARD_BITS);
        let cache = Cache::new_lru_cache_opts(&cache_opts);
        let memtables = WriteBufferManager::new_write_buffer_manager_with_cache(MEMTABLE_BUDGET, false, cache.clone());
        db_opts.set_write_buffer_manager(&memtables);
        let mut tables = BlockBasedOptions::default();
        tables.set_block_cache(&cache);
        tables.set_cache_index_and_filter_blocks(true);
        tables.set_pin_l0_filter_and_index_blocks_in_cache(true);
        let mut cfs = Vec::with_capacity(Space::ALL.len());
        for space in Space::ALL {
            let mut cf_opts = Options::default();
            cf_opts.set_compression_type(DBCompressionType::Lz4);
            cf_opts.set_write_buffer_size(MEMTABLE_SIZE);
            cf_opts.set_block_based_table_factory(&tables);
            // rust-rocksdb has no setter for it; RocksDB's options string does.
            let cf_opts = cf_opts
                .get_options_from_string(UNCACHE_OBSOLETE_FILES)
                .map_err(|e| Error::Io(format!("invalid column family options: {e}")))?;
            cfs.push(ColumnFamilyDescriptor::new(space.cf_name(), cf_opts));
        }
        let mut txn_db_opts = TransactionDBOptions::default();
        txn_db_opts.set_default_lock_timeout(LOCK_TIMEOUT_MS);
        txn_db_opts.set_txn_lock_timeout(LOCK_TIMEOUT_MS);
        let db =
            TransactionDB::open_cf_descriptors(&db_opts, &txn_db_opts, path, cfs).map_err(|e| {
                Error::Io(format!(
                    "cannot open database: path={} error={e}",
                    path.display()
                ))
            })?;

        purge_recovered_logs(&db)?;

        let mut write_opts = WriteOptions::default();
        write_opts.set_sync(opts.sync_commit);
        Ok(Store {
            shared: Arc::new(Shared {
                db,
                write_opts,
                async_write_opts: WriteOptions::default(),
                cache,
                memtables,
            }),
        })
    }

    /// Begins a snapshot-isolated transaction: its reads see the database as of now plus
    /// its own writes.
    pub fn begin(&self) -> Txn {
        self.begin_with(&TxnOptions::default())
    }

    /// Begins a transaction with `opts`.
    pub fn begin_with(&self, opts: &TxnOptions) -> Txn {
        Txn::begin(self.shared.clone(), opts)
    }

    /// What the store holds in memory now.
    pub fn memory_usage(&self) -> MemoryUsage {
        let memtables = self.shared.memtables.get_usage();
        MemoryUsage {
            memtables,
            block_cache: self.shared.cache.get_usage().saturating_sub(memtables),
            cache_capacity: CACHE_SIZE,
        }
    }
}

impl Shared {
    /// The column family of `space`; every one is created by [`Store::open`].
    pub(crate) fn cf(&self, space: Space) -> Result<&ColumnFamily> {
        self.db.cf_handle(space.cf_name()).ok_or_else(|| {
            Error::Io(format!(
                "column family is missing: name={}",
                space.cf_name()
            ))
        })
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.shared.db.path())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_counters_survive_close_and_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let store = Store::open(dir.path(), StoreOptions::default()).expect("creates");
            let txn = store.begin();
            txn.put(Space::Meta, b"m", b"1").expect("put");
            txn.put(Space::Data, b"d", b"2").expect("put");
            assert_eq!(txn.allocate(b"tables", 1), Ok(1));
            txn.commit().expect("commit");
            let uncommitted = store.begin();
            uncommitted.put(Space::Data, b"lost", b"3").expect("put");
        }
        let store = Store::open(dir.path(), StoreOptions::default()).expect("reopens");
        let txn = store.begin();
        assert_eq!(txn.get(Space::Meta, b"m"), Ok(Some(b"1".to_vec())));
        assert_eq!(txn.get(Space::Data, b"d"), Ok(Some(b"2".to_vec())));
        assert_eq!(txn.get(Space::Data, b"lost"), Ok(None));
        assert_eq!(txn.allocate(b"tables", 1), Ok(2));
    }

    #[test]
    fn memory_usage_counts_the_memtables_against_the_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("creates");
        let before = store.memory_usage();
        let txn = store.begin();
        for i in 0..4096u32 {
            txn.put(Space::Data, &i.to_be_bytes(), &[7; 256]).expect("put");
        }
        txn.commit().expect("commit");
        let after = store.memory_usage();
        assert!(after.memtables >= before.memtables + (1 << 20), "{before:?} -> {after:?}");
        assert_eq!(after.cache_capacity, CACHE_SIZE);
        assert!(after.memtables + after.block_cache <= CACHE_SIZE, "{after:?}");
    }

    #[test]
    fn compaction_takes_the_blocks_of_the_files_it_replaces_out_of_the_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("creates");
        let cf = store.shared.cf(Space::Data).expect("data");
        // One table file per flush, their keys interleaved (so that compaction merges them
        // rather than moving them down as they are); the fourth starts a compaction.
        let write_file = |file: u32| {
            let txn = store.begin();
            for i in 0..2000u32 {
                txn.put(Space::Data, &(i * 4 + file).to_be_bytes(), &[7; 256]).expect("put");
            }
            txn.commit().expect("commit");
            store.shared.db.flush_cf(cf).expect("flush");
        };
        for file in 0..3 {
            write_file(file);
        }
        let reader = store.begin();
        for key in (0..3u32).flat_map(|file| (0..2000).map(move |i| i * 4 + file)) {
            assert!(reader.get(Space::Data, &key.to_be_bytes()).expect("get").is_some());
        }
        drop(reader);
        let read = store.memory_usage().block_cache;
        assert!(read > 1 << 20, "the reads cached the files' blocks: {read}");
        write_file(3);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while store.memory_usage().block_cache > read / 4 {
            assert!(std::time::Instant::now() < deadline, "still cached: {:?}", store.memory_usage());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    #[test]
    fn defaults_and_names() {
        assert!(StoreOptions::default().sync_commit);
        assert_eq!(Space::ALL.map(Space::cf_name), ["meta", "data"]);
    }

    #[test]
    fn open_fails_cleanly_on_a_bad_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("file");
        std::fs::write(&file, b"not a directory").expect("write");
        assert!(matches!(
            Store::open(&file.join("db"), StoreOptions::default()),
            Err(Error::Io(_))
        ));
    }
}
