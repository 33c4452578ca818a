//! PostgreSQL object identifiers of stored objects, derived from their never-reused ids so
//! they are stable across restarts and need no storage of their own.
//!
//! Every table id owns a block of [`OIDS_PER_TABLE`] OIDs above PostgreSQL's
//! `FirstNormalObjectId`; the first is the table's own (`pg_class`), the others are kept
//! for the objects PostgreSQL creates with a table (primary-key index, row type).
//! Attribute numbers are slots plus one: slots are never reused, like `attnum`.

/// PostgreSQL's first OID for user-created objects (`FirstNormalObjectId`).
pub const FIRST_NORMAL_OID: u32 = 16384;

/// OIDs reserved for each table: the table, its primary-key index, its row type, that
/// type's array type, its primary-key constraint, and three kept for later.
pub const OIDS_PER_TABLE: u64 = 8;

/// The OID of the table with id `table_id` (`pg_class.oid`, RowDescription's table OID).
pub fn table_oid(table_id: u64) -> u32 {
    let oid = u64::from(FIRST_NORMAL_OID) + table_id.saturating_mul(OIDS_PER_TABLE);
    u32::try_from(oid).unwrap_or(u32::MAX)
}

/// The OID of the primary-key index of the table with id `table_id`.
pub fn pkey_index_oid(table_id: u64) -> u32 {
    table_oid(table_id).saturating_add(1)
}

/// The OID of the row type of the table with id `table_id` (`pg_class.reltype`).
pub fn row_type_oid(table_id: u64) -> u32 {
    table_oid(table_id).saturating_add(2)
}

/// The OID of the array type of [`row_type_oid`].
pub fn row_array_type_oid(table_id: u64) -> u32 {
    table_oid(table_id).saturating_add(3)
}

/// The OID of the primary-key constraint of the table with id `table_id`.
pub fn pkey_constraint_oid(table_id: u64) -> u32 {
    table_oid(table_id).saturating_add(4)
}

/// First OID of column defaults (`pg_attrdef`): a block of its own, above any table's.
const FIRST_ATTRDEF_OID: u64 = 0x2000_0000;

/// The OID of the default of the column with attribute number `attnum` of the table with
/// id `table_id` (`pg_attrdef.oid`).
pub fn attrdef_oid(table_id: u64, attnum: i16) -> u32 {
    let oid = FIRST_ATTRDEF_OID + table_id.saturating_mul(crate::descriptor::MAX_COLUMNS as u64) + attnum.max(0) as u64;
    u32::try_from(oid).unwrap_or(u32::MAX)
}

/// First OID of the databases made by CREATE DATABASE: a block of its own, between the
/// columns' defaults and the schemas.
const FIRST_DATABASE_OID: u32 = 0x3000_0000;

/// The OID of the database with id `database_id` (`pg_database.oid`): the databases a new
/// store starts with (`meta::BOOTSTRAP_DATABASES`: ids 1 to 3) have PostgreSQL's,
/// `template1` 1, `template0` 4 and `postgres` 5.
pub fn database_oid(database_id: u64) -> u32 {
    match database_id {
        1 => 1,
        2 => 4,
        3 => 5,
        _ => u32::try_from(u64::from(FIRST_DATABASE_OID) + database_id).unwrap_or(u32::MAX),
    }
}

/// PostgreSQL's OID of the `public` schema.
const PUBLIC_OID: u32 = 2200;

/// First OID of the schemas other than `public`: a block of its own, above any table's.
const FIRST_SCHEMA_OID: u32 = 0x4000_0000;

/// The OID of the schema with id `schema_id` and `name` (`pg_namespace.oid`): `public` has
/// PostgreSQL's, 2200.
pub fn namespace_oid(schema_id: u64, name: &str) -> u32 {
    match name {
        "public" => PUBLIC_OID,
        _ => u32::try_from(u64::from(FIRST_SCHEMA_OID) + schema_id).unwrap_or(u32::MAX),
    }
}

/// The id of the table, view or type whose own OID is `oid` (the inverse of
/// [`table_oid`]), if `oid` is one.
pub fn id_of(oid: u32) -> Option<u64> {
    let offset = oid.checked_sub(FIRST_NORMAL_OID)?;
    (u64::from(offset) % OIDS_PER_TABLE == 0).then_some(u64::from(offset) / OIDS_PER_TABLE)
}

/// First OID of the labels of enum types (`pg_enum.oid`): a block of its own, above the
/// schemas'. Each type has [`LABELS_PER_TYPE`] of them.
const FIRST_ENUM_LABEL_OID: u64 = 0x5000_0000;

/// The labels an enum type can have over its life (its OID block in `pg_enum`).
pub const LABELS_PER_TYPE: u32 = 1024;

/// The OID of label number `number` of the enum type with id `type_id` (`pg_enum.oid`).
pub fn enum_label_oid(type_id: u64, number: u32) -> u32 {
    let oid = FIRST_ENUM_LABEL_OID + type_id.saturating_mul(u64::from(LABELS_PER_TYPE)) + u64::from(number);
    u32::try_from(oid).unwrap_or(u32::MAX)
}

/// `pg_attribute.attnum` of the column in `slot`.
pub fn attnum(slot: usize) -> i16 {
    i16::try_from(slot + 1).unwrap_or(i16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_own_disjoint_oid_blocks_above_the_system_range() {
        assert_eq!(table_oid(1), 16392);
        assert_eq!(table_oid(2), 16400);
        assert!(table_oid(0) >= FIRST_NORMAL_OID);
        assert_eq!(attnum(0), 1);
        assert_eq!(pkey_index_oid(1), 16393);
        assert!(pkey_constraint_oid(1) < table_oid(2));
        assert!(attrdef_oid(1, 1) > table_oid(100_000) && attrdef_oid(1, 1) < namespace_oid(1, "app"));
        assert_eq!(namespace_oid(1, "public"), 2200);
        assert!(namespace_oid(2, "app") > table_oid(1_000_000));
        assert_eq!([1, 2, 3].map(database_oid), [1, 4, 5]);
        assert!(database_oid(4) > attrdef_oid(100_000, 1) && database_oid(4) < namespace_oid(1, "app"));
        assert_eq!(id_of(table_oid(7)), Some(7));
        assert_eq!(id_of(pkey_index_oid(7)), None);
        assert_eq!(id_of(25), None);
        assert!(enum_label_oid(1, 0) > namespace_oid(1_000, "app"));
    }
}
