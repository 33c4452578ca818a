//! The catalogs of types, functions, access methods and collations: PostgreSQL 15's rows
//! for Shale's built-in ones (see `builtin.rs`), and each table's row type.

use crate::descriptor::TypeDesc;
use crate::error::Result;
use crate::oid;

use super::Column::*;
use super::builtin::{BTREE_OPCLASSES, PROCS, TYPES};
use super::builtin_rows::{BuiltinType, proc_values, type_values};
use super::column as v;
use super::relations::{BTREE_OID, DEFAULT_COLLATION_OID, HEAP_OID};
use super::{PG_CATALOG_OID, Row, Rows, SUPERUSER_OID, Snapshot, TableDef};

pub(super) const PG_TYPE: TableDef = TableDef {
    name: "pg_type",
    columns: &[
        ("oid", Oid),
        ("typname", Name),
        ("typnamespace", Oid),
        ("typowner", Oid),
        ("typlen", Int2),
        ("typbyval", Bool),
        ("typtype", Char),
        ("typcategory", Char),
        ("typispreferred", Bool),
        ("typisdefined", Bool),
        ("typdelim", Char),
        ("typrelid", Oid),
        ("typsubscript", RegProc),
        ("typelem", Oid),
        ("typarray", Oid),
        ("typinput", RegProc),
        ("typoutput", RegProc),
        ("typreceive", RegProc),
        ("typsend", RegProc),
        ("typmodin", RegProc),
        ("typmodout", RegProc),
        ("typanalyze", RegProc),
        ("typalign", Char),
        ("typstorage", Char),
        ("typnotnull", Bool),
        ("typbasetype", Oid),
        ("typtypmod", Int4),
        ("typndims", Int4),
        ("typcollation", Oid),
        ("typdefaultbin", NodeTree),
        ("typdefault", Text),
        ("typacl", Acl),
    ],
    rows: Rows::Of(types),
};

/// `record_in` and the other functions of composite types.
const RECORD_IO: (u32, u32, u32, u32) = (2290, 2291, 2402, 2403);
/// `array_in` and the other functions of array types.
const ARRAY_IO: (u32, u32, u32, u32) = (750, 751, 2400, 2401);

fn types(s: &Snapshot) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = TYPES.iter().map(|t| type_values(t, PG_CATALOG_OID, 0)).collect();
    // Every table and view has a composite row type, and an array type of it, named after it.
    let relations = s.tables.iter().map(|t| (t.table.name.as_str(), t.table.id, t.namespace));
    for (name, id, namespace) in relations.chain(s.views.iter().map(|v| (v.view.name.as_str(), v.view.id, v.namespace))) {
        rows.extend(row_types(name, id, namespace));
    }
    for t in &s.types {
        rows.extend(enum_types(&t.desc, t.namespace));
    }
    Ok(rows)
}

/// `enum_in` and the other functions of enum types.
const ENUM_IO: (u32, u32, u32, u32) = (3504, 3505, 3532, 3533);

/// The `pg_type` rows of an enum type and of its array type.
fn enum_types(desc: &TypeDesc, namespace: u32) -> [Row; 2] {
    let array_type = desc.array_oid();
    let enum_type = BuiltinType {
        oid: desc.oid(),
        name: &desc.name,
        len: 4,
        by_val: true,
        kind: 'e',
        category: 'E',
        preferred: false,
        delim: ',',
        element: 0,
        array: array_type,
        input: ENUM_IO.0,
        output: ENUM_IO.1,
        receive: ENUM_IO.2,
        send: ENUM_IO.3,
        align: 'i',
        storage: 'p',
        collation: 0,
    };
    let array_name = format!("_{}", desc.name);
    let array = BuiltinType {
        oid: array_type,
        name: &array_name,
        len: -1,
        by_val: false,
        kind: 'b',
        category: 'A',
        element: desc.oid(),
        array: 0,
        input: ARRAY_IO.0,
        output: ARRAY_IO.1,
        receive: ARRAY_IO.2,
        send: ARRAY_IO.3,
        storage: 'x',
        ..enum_type
    };
    [type_values(&enum_type, namespace, 0), type_values(&array, namespace, 0)]
}

/// The `pg_type` rows of the row type of the relation `id` named `name`, and of its array
/// type.
fn row_types(name: &str, id: u64, namespace: u32) -> [Row; 2] {
    let row_type = oid::row_type_oid(id);
    let array_type = oid::row_array_type_oid(id);
    let composite = BuiltinType {
        oid: row_type,
        name,
        len: -1,
        by_val: false,
        kind: 'c',
        category: 'C',
        preferred: false,
        delim: ',',
        element: 0,
        array: array_type,
        input: RECORD_IO.0,
        output: RECORD_IO.1,
        receive: RECORD_IO.2,
        send: RECORD_IO.3,
        align: 'd',
        storage: 'x',
        collation: 0,
    };
    let array_name = format!("_{name}");
    let array = BuiltinType {
        oid: array_type,
        name: &array_name,
        kind: 'b',
        category: 'A',
        element: row_type,
        array: 0,
        input: ARRAY_IO.0,
        output: ARRAY_IO.1,
        receive: ARRAY_IO.2,
        send: ARRAY_IO.3,
        ..composite
    };
    [type_values(&composite, namespace, oid::table_oid(id)), type_values(&array, namespace, 0)]
}

pub(super) const PG_PROC: TableDef = TableDef {
    name: "pg_proc",
    columns: &[
        ("oid", Oid),
        ("proname", Name),
        ("pronamespace", Oid),
        ("proowner", Oid),
        ("prolang", Oid),
        ("procost", Float4),
        ("prorows", Float4),
        ("provariadic", Oid),
        ("prosupport", RegProc),
        ("prokind", Char),
        ("prosecdef", Bool),
        ("proleakproof", Bool),
        ("proisstrict", Bool),
        ("proretset", Bool),
        ("provolatile", Char),
        ("proparallel", Char),
        ("pronargs", Int2),
        ("pronargdefaults", Int2),
        ("prorettype", Oid),
        ("proargtypes", OidVector),
        ("proallargtypes", OidList),
        ("proargmodes", CharList),
        ("proargnames", TextList),
        ("proargdefaults", NodeTree),
        ("protrftypes", OidList),
        ("prosrc", Text),
        ("probin", Text),
        ("prosqlbody", NodeTree),
        ("proconfig", TextList),
        ("proacl", Acl),
    ],
    rows: Rows::Of(|_| Ok(PROCS.iter().map(proc_values).collect())),
};

pub(super) const PG_AM: TableDef = TableDef {
    name: "pg_am",
    columns: &[("oid", Oid), ("amname", Name), ("amhandler", RegProc), ("amtype", Char)],
    rows: Rows::Of(|_| {
        // heap_tableam_handler and bthandler.
        Ok(vec![
            vec![v::oid(HEAP_OID), v::text("heap"), v::oid(3), v::letter('t')],
            vec![v::oid(BTREE_OID), v::text("btree"), v::oid(330), v::letter('i')],
        ])
    }),
};

pub(super) const PG_COLLATION: TableDef = TableDef {
    name: "pg_collation",
    columns: &[
        ("oid", Oid),
        ("collname", Name),
        ("collnamespace", Oid),
        ("collowner", Oid),
        ("collprovider", Char),
        ("collisdeterministic", Bool),
        ("collencoding", Int4),
        ("collcollate", Text),
        ("collctype", Text),
        ("colliculocale", Text),
        ("collversion", Text),
    ],
    rows: Rows::Of(|_| {
        // Text compares byte by byte in Shale: every collation is "C".
        let row = |oid: u32, name: &str, provider: char, locale: Option<&str>| {
            vec![
                v::oid(oid),
                v::text(name),
                v::oid(PG_CATALOG_OID),
                v::oid(SUPERUSER_OID),
                v::letter(provider),
                v::boolean(true),
                v::int4(-1),
                v::opt_text(locale),
                v::opt_text(locale),
                v::null(),
                v::null(),
            ]
        };
        Ok(vec![
            row(DEFAULT_COLLATION_OID, "default", 'd', None),
            row(950, "C", 'c', Some("C")),
            row(951, "POSIX", 'c', Some("POSIX")),
        ])
    }),
};

/// The labels of the enum types made with CREATE TYPE.
pub(super) const PG_ENUM: TableDef = TableDef {
    name: "pg_enum",
    columns: &[("oid", Oid), ("enumtypid", Oid), ("enumsortorder", Float4), ("enumlabel", Name)],
    rows: Rows::Of(|s| {
        let rows = s.types.iter().flat_map(|t| {
            t.desc.labels.iter().map(|l| {
                vec![v::oid(oid::enum_label_oid(t.desc.id, l.number)), v::oid(t.desc.oid()), v::float4(l.sortorder), v::text(&l.label)]
            })
        });
        Ok(rows.collect())
    }),
};

/// Empty: Shale has no range types.
pub(super) const PG_RANGE: TableDef = TableDef {
    name: "pg_range",
    columns: &[
        ("rngtypid", Oid),
        ("rngsubtype", Oid),
        ("rngmultitypid", Oid),
        ("rngcollation", Oid),
        ("rngsubopc", Oid),
        ("rngcanonical", RegProc),
        ("rngsubdiff", RegProc),
    ],
    rows: Rows::Never,
};

/// The extensions CREATE EXTENSION made in the session's database (PostgreSQL always has
/// plpgsql too; Shale has no procedural language).
pub(super) const PG_EXTENSION: TableDef = TableDef {
    name: "pg_extension",
    columns: &[
        ("oid", Oid),
        ("extname", Name),
        ("extowner", Oid),
        ("extnamespace", Oid),
        ("extrelocatable", Bool),
        ("extversion", Text),
        ("extconfig", OidList),
        ("extcondition", TextList),
    ],
    rows: Rows::Of(|s| {
        let rows = s.extensions.iter().map(|e| {
            let schema = s.schemas.iter().find(|schema| schema.id == e.schema_id);
            vec![
                v::oid(oid::table_oid(e.id)),
                v::text(&e.name),
                v::oid(SUPERUSER_OID),
                v::oid(schema.map_or(0, |schema| oid::namespace_oid(schema.id, &schema.name))),
                v::boolean(true),
                v::text(&e.version),
                v::null(),
                v::null(),
            ]
        });
        Ok(rows.collect())
    }),
};

/// The default btree operator classes of Shale's types.
pub(super) const PG_OPCLASS: TableDef = TableDef {
    name: "pg_opclass",
    columns: &[
        ("oid", Oid),
        ("opcmethod", Oid),
        ("opcname", Name),
        ("opcnamespace", Oid),
        ("opcowner", Oid),
        ("opcfamily", Oid),
        ("opcintype", Oid),
        ("opcdefault", Bool),
        ("opckeytype", Oid),
    ],
    rows: Rows::Of(|_| {
        let rows = BTREE_OPCLASSES.iter().map(|(intype, oid, name, family)| {
            vec![
                v::oid(*oid),
                v::oid(BTREE_OID),
                v::text(name),
                v::oid(PG_CATALOG_OID),
                v::oid(SUPERUSER_OID),
                v::oid(*family),
                v::oid(*intype),
                v::boolean(true),
                v::oid(0),
            ]
        });
        Ok(rows.collect())
    }),
};
