//! What the system tables are made from: storage's descriptors read through the session's
//! transaction, and the session's own state.

use crate::session::activity::Identity;
use crate::descriptor::{SchemaDesc, SequenceDesc, TableDesc};
use crate::error::Result;
use crate::session::handle::SessionHandle;
use crate::meta;
use crate::oid;

/// The schemas and tables one scan of a system table sees, and the session scanning.
pub(crate) struct Snapshot {
    pub schemas: Vec<SchemaDesc>,
    /// Every table, with its schema's name and OID.
    pub tables: Vec<SchemaTable>,
    /// Every sequence, with its schema's name and OID.
    pub sequences: Vec<SchemaSequence>,
    pub handle: Option<SessionHandle>,
    pub identity: Identity,
    /// The session's settings (name, value), in name order.
    pub settings: Vec<(String, String)>,
    /// The schemas unqualified names are looked up in.
    pub search_path: Vec<String>,
}

/// A table with its schema.
pub(crate) struct SchemaTable {
    pub schema: String,
    pub namespace: u32,
    pub table: TableDesc,
}

/// A sequence with its schema.
pub(crate) struct SchemaSequence {
    pub schema: String,
    pub namespace: u32,
    pub sequence: SequenceDesc,
}

impl SchemaTable {
    /// `pg_class.oid` of the table.
    pub fn oid(&self) -> u32 {
        oid::table_oid(self.table.id)
    }

    /// The name of its primary key (index and constraint).
    pub fn pkey_name(&self) -> String {
        self.table.pkey_name.clone().unwrap_or_else(|| format!("{}_pkey", self.table.name))
    }

    /// The names of its primary-key columns, in key order.
    pub fn key_columns(&self) -> Vec<&str> {
        self.table.primary_key.iter().filter_map(|slot| self.table.columns.get(*slot)).map(|c| c.name.as_str()).collect()
    }
}

impl Snapshot {
    /// The catalog as `handle`'s transaction sees it (outside one, as committed now).
    pub fn load(handle: &SessionHandle) -> Result<Snapshot> {
        let txn = handle.txn().unwrap_or_else(|_| std::sync::Arc::new(handle.store().begin()));
        let schemas = meta::list_schemas(&txn)?;
        let mut tables = Vec::new();
        let mut sequences = Vec::new();
        for schema in &schemas {
            let namespace = oid::namespace_oid(schema.id, &schema.name);
            for table in meta::list_tables(&txn, schema.id)? {
                tables.push(SchemaTable { schema: schema.name.clone(), namespace, table });
            }
            for sequence in meta::list_sequences(&txn, schema.id)? {
                sequences.push(SchemaSequence { schema: schema.name.clone(), namespace, sequence });
            }
        }
        let (settings, search_path) = handle.with_settings(|s| (s.all(), s.search_path().to_vec()));
        Ok(Snapshot {
            schemas,
            tables,
            sequences,
            identity: handle.identity().clone(),
            handle: Some(handle.clone()),
            settings,
            search_path,
        })
    }

    /// The last value the sequence `q` handed out (`nextval` or `setval`), if any: read only
    /// for `pg_sequences`, not with every snapshot.
    pub fn last_value(&self, q: &SequenceDesc) -> Result<Option<i64>> {
        let Some(handle) = &self.handle else { return Ok(None) };
        let txn = handle.txn().unwrap_or_else(|_| std::sync::Arc::new(handle.store().begin()));
        let position = meta::sequence_position(&txn, q)?;
        Ok(position.called.then_some(position.last))
    }

    /// The session user, owner of everything (OID 10).
    pub fn user(&self) -> &str {
        &self.identity.user
    }

    /// `pg_namespace.oid` of the schema `name`.
    pub fn namespace_oid(&self, name: &str) -> Option<u32> {
        self.schemas.iter().find(|s| s.name == name).map(|s| oid::namespace_oid(s.id, &s.name))
    }

    /// Every relation (table, primary-key index or sequence): its schema, name and OID.
    pub fn relations(&self) -> Vec<(&str, String, u32)> {
        let mut all = Vec::new();
        for t in &self.tables {
            all.push((t.schema.as_str(), t.table.name.clone(), t.oid()));
            if t.table.has_primary_key() {
                all.push((t.schema.as_str(), t.pkey_name(), oid::pkey_index_oid(t.table.id)));
            }
        }
        for q in &self.sequences {
            all.push((q.schema.as_str(), q.sequence.name.clone(), oid::table_oid(q.sequence.id)));
        }
        all
    }

    /// The table with OID `oid`, or whose primary-key index or constraint has it.
    pub fn table_of(&self, oid: u32) -> Option<&SchemaTable> {
        self.tables.iter().find(|t| {
            let id = t.table.id;
            [oid::table_oid(id), oid::pkey_index_oid(id), oid::pkey_constraint_oid(id)].contains(&oid)
        })
    }

    /// A snapshot of one schema `public` with one table, for unit tests.
    #[cfg(test)]
    pub fn sample() -> Snapshot {
        use crate::descriptor::ColumnDesc;
        use shale_pgtypes::types::SqlType;
        let column = |name: &str, ty: SqlType, default: Option<&str>| ColumnDesc {
            name: name.into(),
            ty,
            not_null: false,
            default: default.map(str::to_string),
            missing: None,
            dropped: false,
            identity: None,
        };
        let table = TableDesc {
            id: 1,
            schema_id: 1,
            name: "t".into(),
            columns: vec![column("id", SqlType::Int4, None), column("v", SqlType::Varchar(Some(3)), Some("'x'"))],
            primary_key: vec![0],
            pkey_name: None,
            indexes: Vec::new(),
        };
        Snapshot {
            schemas: vec![SchemaDesc { id: 1, name: "public".into() }],
            tables: vec![SchemaTable { schema: "public".into(), namespace: 2200, table }],
            sequences: Vec::new(),
            handle: None,
            identity: Identity::sample(),
            settings: vec![("search_path".into(), "public".into())],
            search_path: vec!["public".into()],
        }
    }
}
