//! Where descriptors live in storage's `meta` space, and reading and writing them through
//! a transaction.
//!
//! Key layout (all in [`Space::Meta`]):
//! - `d/<database name>` -> [`DatabaseDesc`]
//! - `s/<database id: u64 BE>/<schema name>` -> [`SchemaDesc`] (a store written before
//!   databases had `s/<schema name>`: [`bootstrap`] moves those under `postgres`)
//! - `t/<schema id: u64 BE>/<table name>` -> [`TableDesc`]
//! - `q/<schema id: u64 BE>/<sequence name>` -> [`SequenceDesc`]
//! - `n/<sequence storage id: u64 BE>` -> where the sequence stands: its last value (i64 BE)
//!   and whether that value was handed out (one byte); written outside transactions. The
//!   storage id is the sequence's id until a RESTART gives it another
//!   ([`SequenceDesc::storage_id`])
//! - `x/<schema id: u64 BE>/<index name>` -> the id (u64 BE) of the table that has the
//!   index: index names are relation names, unique in their schema
//! - `w/<schema id: u64 BE>/<view name>` -> [`ViewDesc`]
//! - `r/<relation id: u64 BE>/<view id: u64 BE>` -> [`ViewRef`] of a view (or materialized
//!   view) that reads the relation: what DROP and ALTER of the relation must look at
//! - `e/<database id: u64 BE>/<extension name>` -> [`ExtensionDesc`]
//! - `y/<schema id: u64 BE>/<type name>` -> [`TypeDesc`]
//! - `Y/<type id: u64 BE>` -> the type's schema id (u64 BE) and name: how a column's type
//!   (stored as its OID) finds the type
//! - `c/<counter>` -> u64 BE, the last id handed out by [`allocate`]
//! - `v` -> u64 BE catalog version, bumped by every DDL in the DDL's transaction

use serde::Serialize;
use serde::de::DeserializeOwned;
use shale_storage::{KeyRange, Space, Store, Txn, prefix_successor};

use crate::descriptor::{
    DatabaseDesc, Dependency, ExtensionDesc, SchemaDesc, SequenceDesc, TableDesc, TypeDesc, ViewDesc, ViewRef,
};
use shale_pgtypes::types::SqlType;
use crate::error::{CatalogError, Result};

const DATABASE_PREFIX: &[u8] = b"d/";
const SCHEMA_PREFIX: &[u8] = b"s/";
const TABLE_PREFIX: &[u8] = b"t/";
const SEQUENCE_PREFIX: &[u8] = b"q/";
const SEQUENCE_STATE_PREFIX: &[u8] = b"n/";
const INDEX_PREFIX: &[u8] = b"x/";
const COUNTER_PREFIX: &[u8] = b"c/";
const VIEW_PREFIX: &[u8] = b"w/";
const EXTENSION_PREFIX: &[u8] = b"e/";
const DEPENDENT_PREFIX: &[u8] = b"r/";
const TYPE_PREFIX: &[u8] = b"y/";
const TYPE_ID_PREFIX: &[u8] = b"Y/";
const VERSION_KEY: &[u8] = b"v";
/// Counter of database ids.
pub const DATABASE_IDS: &str = "database";
/// Counter of schema ids.
pub const SCHEMA_IDS: &str = "schema";
/// Counter of table ids.
pub const TABLE_IDS: &str = "table";
/// Name of the schema every database starts with.
pub const PUBLIC: &str = "public";
/// The databases a new store starts with, in the order their ids are handed out:
/// `template1`, `template0` (no connections) and `postgres`, as `initdb` makes them.
pub const BOOTSTRAP_DATABASES: [&str; 3] = ["template1", "template0", "postgres"];
const SCAN_CHUNK: usize = 1024;

fn database_key(name: &str) -> Vec<u8> {
    [DATABASE_PREFIX, name.as_bytes()].concat()
}

fn schema_key(database_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(SCHEMA_PREFIX, database_id), name.as_bytes().to_vec()].concat()
}

fn tables_prefix(schema_id: u64) -> Vec<u8> {
    schema_prefix(TABLE_PREFIX, schema_id)
}

fn table_key(schema_id: u64, name: &str) -> Vec<u8> {
    [tables_prefix(schema_id), name.as_bytes().to_vec()].concat()
}

/// `<kind prefix><id BE>/`: where the objects of one kind of a schema (or the schemas of a
/// database) start.
fn schema_prefix(kind: &[u8], id: u64) -> Vec<u8> {
    [kind, &id.to_be_bytes(), b"/"].concat()
}

fn sequence_key(schema_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(SEQUENCE_PREFIX, schema_id), name.as_bytes().to_vec()].concat()
}

fn index_key(schema_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(INDEX_PREFIX, schema_id), name.as_bytes().to_vec()].concat()
}

fn view_key(schema_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(VIEW_PREFIX, schema_id), name.as_bytes().to_vec()].concat()
}

fn dependent_key(relation_id: u64, view_id: u64) -> Vec<u8> {
    [schema_prefix(DEPENDENT_PREFIX, relation_id), view_id.to_be_bytes().to_vec()].concat()
}

fn type_key(schema_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(TYPE_PREFIX, schema_id), name.as_bytes().to_vec()].concat()
}

fn type_id_key(id: u64) -> Vec<u8> {
    [TYPE_ID_PREFIX, &id.to_be_bytes()].concat()
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| CatalogError::new("XX001", format!("corrupt descriptor: {e}")))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| CatalogError::internal(e.to_string()))
}

fn scan_prefix<T: DeserializeOwned>(txn: &Txn, prefix: Vec<u8>) -> Result<Vec<T>> {
    scan_values(txn, prefix)?.iter().map(|v| decode(v)).collect()
}

/// The values of the keys that start with `prefix`, in key order.
fn scan_values(txn: &Txn, prefix: Vec<u8>) -> Result<Vec<Vec<u8>>> {
    let range = KeyRange { upper: prefix_successor(&prefix), lower: prefix };
    let mut out = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let chunk = txn.scan(Space::Meta, &range, after.as_deref(), SCAN_CHUNK)?;
        let done = chunk.len() < SCAN_CHUNK;
        let last = if done { None } else { chunk.last().map(|(key, _)| key.clone()) };
        out.extend(chunk.into_iter().map(|(_, value)| value));
        match last {
            Some(key) => after = Some(key),
            None => return Ok(out),
        }
    }
}

/// The database named `name`.
pub fn get_database(txn: &Txn, name: &str) -> Result<Option<DatabaseDesc>> {
    txn.get(Space::Meta, &database_key(name))?.map(|v| decode(&v)).transpose()
}

/// The database named `name`, locked against concurrent CREATE and DROP DATABASE.
pub fn get_database_for_update(txn: &Txn, name: &str) -> Result<Option<DatabaseDesc>> {
    txn.get_for_update(Space::Meta, &database_key(name))?.map(|v| decode(&v)).transpose()
}

/// Every database, by name.
pub fn list_databases(txn: &Txn) -> Result<Vec<DatabaseDesc>> {
    scan_prefix(txn, DATABASE_PREFIX.to_vec())
}

/// Writes a database descriptor.
pub fn put_database(txn: &Txn, desc: &DatabaseDesc) -> Result<()> {
    Ok(txn.put(Space::Meta, &database_key(&desc.name), &encode(desc)?)?)
}

/// Removes the database named `name` (its schemas are the caller's to remove first).
pub fn delete_database(txn: &Txn, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &database_key(name))?)
}

/// The schema named `name` of the database `database_id`.
pub fn get_schema(txn: &Txn, database_id: u64, name: &str) -> Result<Option<SchemaDesc>> {
    txn.get(Space::Meta, &schema_key(database_id, name))?.map(|v| decode(&v)).transpose()
}

/// Every schema of the database `database_id`, by name.
pub fn list_schemas(txn: &Txn, database_id: u64) -> Result<Vec<SchemaDesc>> {
    scan_prefix(txn, schema_prefix(SCHEMA_PREFIX, database_id))
}

/// Writes a schema descriptor of the database `database_id`.
pub fn put_schema(txn: &Txn, database_id: u64, desc: &SchemaDesc) -> Result<()> {
    Ok(txn.put(Space::Meta, &schema_key(database_id, &desc.name), &encode(desc)?)?)
}

/// Removes the schema named `name` of the database `database_id`.
pub fn delete_schema(txn: &Txn, database_id: u64, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &schema_key(database_id, name))?)
}

/// The table `name` in schema `schema_id`.
pub fn get_table(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TableDesc>> {
    txn.get(Space::Meta, &table_key(schema_id, name))?.map(|v| decode_table(txn, &v)).transpose()
}

/// A stored table descriptor, its columns of enum types given their types' names and
/// labels as `txn` sees them (a column stores only the type's OID).
fn decode_table(txn: &Txn, bytes: &[u8]) -> Result<TableDesc> {
    let mut desc: TableDesc = decode(bytes)?;
    for column in desc.columns.iter_mut().filter(|c| !c.dropped) {
        if let SqlType::Enum(ty) = &mut column.ty {
            *ty = type_by_oid(txn, ty.oid)?
                .ok_or_else(|| CatalogError::new("XX001", format!("column {} has a type that does not exist", column.name)))?
                .enum_type();
        }
    }
    Ok(desc)
}

/// The table `name` in schema `schema_id`, locked against concurrent DDL.
pub fn get_table_for_update(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TableDesc>> {
    txn.get_for_update(Space::Meta, &table_key(schema_id, name))?.map(|v| decode_table(txn, &v)).transpose()
}

/// The table `name` in schema `schema_id`, share-locked: concurrent writers of the table go
/// on, DDL that locks it for update waits for them (and they for it).
pub fn get_table_shared(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TableDesc>> {
    txn.get_shared(Space::Meta, &table_key(schema_id, name))?.map(|v| decode_table(txn, &v)).transpose()
}

/// Every table of a schema, by name.
pub fn list_tables(txn: &Txn, schema_id: u64) -> Result<Vec<TableDesc>> {
    scan_values(txn, tables_prefix(schema_id))?.iter().map(|v| decode_table(txn, v)).collect()
}

/// Writes a table descriptor under its schema and name.
pub fn put_table(txn: &Txn, desc: &TableDesc) -> Result<()> {
    Ok(txn.put(Space::Meta, &table_key(desc.schema_id, &desc.name), &encode(desc)?)?)
}

/// Removes the table `name` of schema `schema_id`.
pub fn delete_table(txn: &Txn, schema_id: u64, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &table_key(schema_id, name))?)
}

/// The id of the table that has the index `name` of schema `schema_id`, locking the name
/// against a concurrent CREATE.
pub fn index_table_for_update(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<u64>> {
    txn.get_for_update(Space::Meta, &index_key(schema_id, name))?
        .map(|v| v.try_into().map(u64::from_be_bytes).map_err(|_| CatalogError::new("XX001", "corrupt index name entry")))
        .transpose()
}

/// Records that the index `name` of schema `schema_id` belongs to the table `table_id`.
pub fn put_index_name(txn: &Txn, schema_id: u64, name: &str, table_id: u64) -> Result<()> {
    Ok(txn.put(Space::Meta, &index_key(schema_id, name), &table_id.to_be_bytes())?)
}

/// Forgets the index name `name` of schema `schema_id`.
pub fn delete_index_name(txn: &Txn, schema_id: u64, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &index_key(schema_id, name))?)
}

/// The view `name` in schema `schema_id`.
pub fn get_view(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<ViewDesc>> {
    txn.get(Space::Meta, &view_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The view `name` in schema `schema_id`, locked against concurrent DDL.
pub fn get_view_for_update(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<ViewDesc>> {
    txn.get_for_update(Space::Meta, &view_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The view `name` in schema `schema_id`, share-locked: a view being made on it holds it
/// against a concurrent DROP or REPLACE.
pub fn get_view_shared(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<ViewDesc>> {
    txn.get_shared(Space::Meta, &view_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// Every view of a schema, by name.
pub fn list_views(txn: &Txn, schema_id: u64) -> Result<Vec<ViewDesc>> {
    scan_prefix(txn, schema_prefix(VIEW_PREFIX, schema_id))
}

/// Writes a view descriptor under its schema and name, and records it as a dependent of
/// each relation it reads.
pub fn put_view(txn: &Txn, desc: &ViewDesc) -> Result<()> {
    let view = ViewRef { schema_id: desc.schema_id, name: desc.name.clone(), id: desc.id, materialized: false };
    put_dependent(txn, &view, &desc.depends_on)?;
    Ok(txn.put(Space::Meta, &view_key(desc.schema_id, &desc.name), &encode(desc)?)?)
}

/// Removes the view `desc` and its records as a dependent.
pub fn delete_view(txn: &Txn, desc: &ViewDesc) -> Result<()> {
    delete_dependent(txn, desc.id, &desc.depends_on)?;
    Ok(txn.delete(Space::Meta, &view_key(desc.schema_id, &desc.name))?)
}

/// Records `view` as a dependent of each relation of `depends_on`.
pub fn put_dependent(txn: &Txn, view: &ViewRef, depends_on: &[Dependency]) -> Result<()> {
    let value = encode(view)?;
    for dependency in depends_on {
        txn.put(Space::Meta, &dependent_key(dependency.id, view.id), &value)?;
    }
    Ok(())
}

/// Forgets the view `view_id` as a dependent of the relations of `depends_on`.
pub fn delete_dependent(txn: &Txn, view_id: u64, depends_on: &[Dependency]) -> Result<()> {
    for dependency in depends_on {
        txn.delete(Space::Meta, &dependent_key(dependency.id, view_id))?;
    }
    Ok(())
}

/// The views (and materialized views) that read the relation `relation_id`.
pub fn dependent_views(txn: &Txn, relation_id: u64) -> Result<Vec<ViewRef>> {
    scan_prefix(txn, schema_prefix(DEPENDENT_PREFIX, relation_id))
}

fn extension_key(database_id: u64, name: &str) -> Vec<u8> {
    [schema_prefix(EXTENSION_PREFIX, database_id), name.as_bytes().to_vec()].concat()
}

/// The extension `name` of the database `database_id`, locked against concurrent DDL.
pub fn get_extension_for_update(txn: &Txn, database_id: u64, name: &str) -> Result<Option<ExtensionDesc>> {
    txn.get_for_update(Space::Meta, &extension_key(database_id, name))?.map(|v| decode(&v)).transpose()
}

/// Every extension of the database `database_id`, by name.
pub fn list_extensions(txn: &Txn, database_id: u64) -> Result<Vec<ExtensionDesc>> {
    scan_prefix(txn, schema_prefix(EXTENSION_PREFIX, database_id))
}

/// Writes an extension of the database `database_id`.
pub fn put_extension(txn: &Txn, database_id: u64, desc: &ExtensionDesc) -> Result<()> {
    Ok(txn.put(Space::Meta, &extension_key(database_id, &desc.name), &encode(desc)?)?)
}

/// Removes the extension `name` of the database `database_id`.
pub fn delete_extension(txn: &Txn, database_id: u64, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &extension_key(database_id, name))?)
}

/// The type `name` in schema `schema_id`.
pub fn get_type(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TypeDesc>> {
    txn.get(Space::Meta, &type_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The type `name` in schema `schema_id`, locked against concurrent DDL.
pub fn get_type_for_update(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TypeDesc>> {
    txn.get_for_update(Space::Meta, &type_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The type `name` in schema `schema_id`, share-locked: a column being given the type holds
/// it against a concurrent DROP TYPE.
pub fn get_type_shared(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<TypeDesc>> {
    txn.get_shared(Space::Meta, &type_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The type whose OID is `oid`, if there is one.
pub fn type_by_oid(txn: &Txn, oid: u32) -> Result<Option<TypeDesc>> {
    let Some(id) = crate::oid::id_of(oid) else { return Ok(None) };
    let Some(location) = txn.get(Space::Meta, &type_id_key(id))? else { return Ok(None) };
    let (schema_id, name) = location.split_at_checked(8).ok_or_else(|| CatalogError::new("XX001", "corrupt type entry"))?;
    let schema_id = u64::from_be_bytes(schema_id.try_into().map_err(|_| CatalogError::new("XX001", "corrupt type entry"))?);
    get_type(txn, schema_id, &String::from_utf8_lossy(name))
}

/// Every type of a schema, by name.
pub fn list_types(txn: &Txn, schema_id: u64) -> Result<Vec<TypeDesc>> {
    scan_prefix(txn, schema_prefix(TYPE_PREFIX, schema_id))
}

/// Writes a type descriptor under its schema and name, and where its id finds it.
pub fn put_type(txn: &Txn, desc: &TypeDesc) -> Result<()> {
    let location = [&desc.schema_id.to_be_bytes()[..], desc.name.as_bytes()].concat();
    txn.put(Space::Meta, &type_id_key(desc.id), &location)?;
    Ok(txn.put(Space::Meta, &type_key(desc.schema_id, &desc.name), &encode(desc)?)?)
}

/// Removes the type `desc` (both its keys).
pub fn delete_type(txn: &Txn, desc: &TypeDesc) -> Result<()> {
    txn.delete(Space::Meta, &type_id_key(desc.id))?;
    Ok(txn.delete(Space::Meta, &type_key(desc.schema_id, &desc.name))?)
}

/// The sequence `name` in schema `schema_id`.
pub fn get_sequence(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<SequenceDesc>> {
    txn.get(Space::Meta, &sequence_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// The sequence `name` in schema `schema_id`, locked against concurrent DDL.
pub fn get_sequence_for_update(txn: &Txn, schema_id: u64, name: &str) -> Result<Option<SequenceDesc>> {
    txn.get_for_update(Space::Meta, &sequence_key(schema_id, name))?.map(|v| decode(&v)).transpose()
}

/// Every sequence of a schema, by name.
pub fn list_sequences(txn: &Txn, schema_id: u64) -> Result<Vec<SequenceDesc>> {
    scan_prefix(txn, schema_prefix(SEQUENCE_PREFIX, schema_id))
}

/// Writes a sequence descriptor under its schema and name.
pub fn put_sequence(txn: &Txn, desc: &SequenceDesc) -> Result<()> {
    Ok(txn.put(Space::Meta, &sequence_key(desc.schema_id, &desc.name), &encode(desc)?)?)
}

/// Removes the sequence `name` of schema `schema_id`.
pub fn delete_sequence(txn: &Txn, schema_id: u64, name: &str) -> Result<()> {
    Ok(txn.delete(Space::Meta, &sequence_key(schema_id, name))?)
}

/// Where a sequence stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequencePosition {
    /// The last value handed out, or the first to hand out when not `called`.
    pub last: i64,
    /// Whether `last` was handed out.
    pub called: bool,
}

impl SequencePosition {
    fn encode(self) -> Vec<u8> {
        [&self.last.to_be_bytes()[..], &[u8::from(self.called)]].concat()
    }

    fn decode(bytes: &[u8]) -> Result<Self> {
        match bytes {
            [last @ .., called] if last.len() == 8 => Ok(SequencePosition {
                last: i64::from_be_bytes(last.try_into().map_err(|_| CatalogError::new("XX001", "corrupt sequence"))?),
                called: *called != 0,
            }),
            _ => Err(CatalogError::new("XX001", "corrupt sequence")),
        }
    }
}

fn sequence_state_key(desc: &SequenceDesc) -> Vec<u8> {
    [SEQUENCE_STATE_PREFIX, &desc.storage_id().to_be_bytes()].concat()
}

/// Where a sequence stands before its first `nextval`.
fn first_position(desc: &SequenceDesc) -> SequencePosition {
    SequencePosition { last: desc.first_value(), called: false }
}

/// Where the sequence `desc` stands, as `txn` reads it (its first value, not yet called,
/// when new or restarted).
pub fn sequence_position(txn: &Txn, desc: &SequenceDesc) -> Result<SequencePosition> {
    match txn.get(Space::Meta, &sequence_state_key(desc))? {
        None => Ok(first_position(desc)),
        Some(bytes) => SequencePosition::decode(&bytes),
    }
}

/// Moves the sequence `desc` from where it stands (its first value, not yet called, when new) to
/// `next(position)`, outside the transaction and in turn with every other session;
/// returns the new position. An error from `next` (the end of the sequence) moves nothing.
pub fn advance_sequence(
    txn: &Txn,
    desc: &SequenceDesc,
    next: impl FnOnce(SequencePosition) -> Result<SequencePosition>,
) -> Result<SequencePosition> {
    let mut failure = None;
    let written = txn.update_outside(&sequence_state_key(desc), |bytes| {
        let current = match bytes {
            None => Ok(first_position(desc)),
            Some(bytes) => SequencePosition::decode(bytes),
        };
        match current.and_then(next) {
            Ok(position) => Ok(position.encode()),
            Err(e) => {
                let message = e.message.clone();
                failure = Some(e);
                Err(shale_storage::Error::Io(message))
            }
        }
    });
    match (written, failure) {
        (_, Some(e)) => Err(e),
        (Ok(bytes), None) => SequencePosition::decode(&bytes),
        (Err(e), None) => Err(e.into()),
    }
}

/// Reserves `n` consecutive ids from `counter` and returns the first; never handed out
/// twice, even when the transaction rolls back (see [`Txn::allocate`]).
pub fn allocate(txn: &Txn, counter: &str, n: u64) -> Result<u64> {
    Ok(txn.allocate(&[COUNTER_PREFIX, counter.as_bytes()].concat(), n)?)
}

fn read_u64(bytes: Option<Vec<u8>>) -> Result<u64> {
    match bytes {
        None => Ok(0),
        Some(b) => b
            .try_into()
            .map(u64::from_be_bytes)
            .map_err(|_| CatalogError::new("XX001", "corrupt counter")),
    }
}

/// The catalog version as `txn` sees it.
pub fn version(txn: &Txn) -> Result<u64> {
    read_u64(txn.get(Space::Meta, VERSION_KEY)?)
}

/// Bumps the catalog version; every DDL does this in its own transaction, so a cache keyed
/// by the version can never serve a stale descriptor.
pub fn bump_version(txn: &Txn) -> Result<u64> {
    let next = read_u64(txn.get_for_update(Space::Meta, VERSION_KEY)?)? + 1;
    txn.put(Space::Meta, VERSION_KEY, &next.to_be_bytes())?;
    Ok(next)
}

/// Creates the databases of a new store ([`BOOTSTRAP_DATABASES`], each with its `public`
/// schema); a single read when they exist. The schemas of a store written before databases
/// existed become `postgres`'s.
pub fn bootstrap(store: &Store) -> Result<()> {
    let txn = store.begin();
    if !list_databases(&txn)?.is_empty() {
        return Ok(());
    }
    let old_schemas = {
        let range = KeyRange { upper: prefix_successor(SCHEMA_PREFIX), lower: SCHEMA_PREFIX.to_vec() };
        txn.scan(Space::Meta, &range, None, usize::MAX)?
    };
    for name in BOOTSTRAP_DATABASES {
        let id = allocate(&txn, DATABASE_IDS, 1)?;
        let connectable = name != "template0";
        put_database(&txn, &DatabaseDesc::new(id, name, connectable, name != "postgres"))?;
        if name != "postgres" || old_schemas.is_empty() {
            create_public_schema(&txn, id)?;
            continue;
        }
        for (key, value) in &old_schemas {
            let schema: SchemaDesc = decode(value)?;
            txn.delete(Space::Meta, key)?;
            put_schema(&txn, id, &schema)?;
        }
    }
    bump_version(&txn)?;
    Ok(txn.commit()?)
}

/// Creates the `public` schema of the database `database_id`.
pub fn create_public_schema(txn: &Txn, database_id: u64) -> Result<()> {
    let id = allocate(txn, SCHEMA_IDS, 1)?;
    put_schema(txn, database_id, &SchemaDesc { id, name: PUBLIC.to_string(), comment: None })
}

#[cfg(test)]
mod tests {
    use shale_storage::StoreOptions;

    use super::*;

    #[test]
    fn bootstrap_makes_the_databases_once_and_moves_older_schemas_under_postgres() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path(), StoreOptions::default()).expect("store");
        // A store written before databases: `s/<name>` keys.
        let txn = store.begin();
        let app = SchemaDesc { id: 7, name: "app".into(), comment: None };
        txn.put(Space::Meta, &[SCHEMA_PREFIX, b"app"].concat(), &encode(&app).expect("encode")).expect("put");
        txn.commit().expect("commit");

        bootstrap(&store).expect("bootstrap");
        bootstrap(&store).expect("bootstrap again");
        let txn = store.begin();
        let names: Vec<String> = list_databases(&txn).expect("list").into_iter().map(|d| d.name).collect();
        assert_eq!(names, ["postgres", "template0", "template1"]);
        let postgres = get_database(&txn, "postgres").expect("get").expect("postgres");
        assert_eq!(list_schemas(&txn, postgres.id).expect("schemas"), [app]);
        let template1 = get_database(&txn, "template1").expect("get").expect("template1");
        let public: Vec<String> = list_schemas(&txn, template1.id).expect("schemas").into_iter().map(|s| s.name).collect();
        assert_eq!(public, [PUBLIC]);
        assert!(!get_database(&txn, "template0").expect("get").expect("template0").allow_connections);
    }
}
