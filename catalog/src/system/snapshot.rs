//! What the system tables are made from: storage's descriptors read through the session's
//! transaction, and the session's own state.

use crate::session::activity::Identity;
use crate::descriptor::{Check, DatabaseDesc, ExtensionDesc, ForeignKey, IndexColumn, IndexExpr, SchemaDesc, SequenceDesc, TableDesc, TypeDesc, ViewDesc};
use crate::error::Result;
use crate::session::handle::SessionHandle;
use crate::meta;
use crate::oid;

/// The schemas and tables one scan of a system table sees, and the session scanning.
pub(crate) struct Snapshot {
    /// Every database of the store.
    pub databases: Vec<DatabaseDesc>,
    /// The schemas of the session's database.
    pub schemas: Vec<SchemaDesc>,
    /// Every table, with its schema's name and OID.
    pub tables: Vec<SchemaTable>,
    /// Every sequence, with its schema's name and OID.
    pub sequences: Vec<SchemaSequence>,
    /// Every view, with its schema's name and OID.
    pub views: Vec<SchemaView>,
    /// The extensions of the session's database.
    pub extensions: Vec<ExtensionDesc>,
    /// Every type made with CREATE TYPE, with its schema's name and OID.
    pub types: Vec<SchemaType>,
    pub handle: Option<SessionHandle>,
    pub identity: Identity,
    /// The session's settings (name, value), in name order.
    pub settings: Vec<(String, String)>,
    /// The schemas unqualified names are looked up in (the temporary schema first).
    pub search_path: Vec<String>,
    /// The session's temporary schema, once it was given one.
    pub temp_schema: Option<String>,
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

/// A type made with CREATE TYPE, with its schema.
pub(crate) struct SchemaType {
    pub schema: String,
    pub namespace: u32,
    pub desc: TypeDesc,
}

/// A view with its schema.
pub(crate) struct SchemaView {
    pub schema: String,
    pub namespace: u32,
    pub view: ViewDesc,
}

impl SchemaView {
    /// `pg_class.oid` of the view.
    pub fn oid(&self) -> u32 {
        oid::table_oid(self.view.id)
    }

    /// Its query as `pg_get_viewdef` shows it (see [`view_definition`]).
    pub fn definition(&self) -> String {
        view_definition(&self.view.definition)
    }
}

/// The `pg_description` entries of the comments of the columns of the relation `relid`,
/// in slot order.
fn column_comments<'a>(relid: u32, comments: impl Iterator<Item = Option<&'a str>>) -> impl Iterator<Item = (u32, u32, i32, &'a str)> {
    comments.enumerate().filter_map(move |(slot, c)| Some((relid, 1259, i32::from(oid::attnum(slot)), c?)))
}

/// A view's query as `pg_get_viewdef` shows it: as written, relations qualified, after a
/// space and before a semicolon as PostgreSQL's.
pub(crate) fn view_definition(written: &str) -> String {
    format!(" {written};")
}

impl SchemaTable {
    /// A materialized view's query as `pg_get_viewdef` shows it; `None` for a table.
    pub fn definition(&self) -> Option<String> {
        self.table.materialized.as_ref().map(|m| view_definition(&m.definition))
    }

    /// `pg_class.oid` of the table.
    pub fn oid(&self) -> u32 {
        oid::table_oid(self.table.id)
    }

    /// The name of its primary key (index and constraint).
    pub fn pkey_name(&self) -> String {
        self.table.pkey_constraint_name()
    }

    /// The name of the column in `slot`.
    pub fn column_name(&self, slot: usize) -> &str {
        self.table.columns.get(slot).map_or("", |c| c.name.as_str())
    }

    /// Its indexes as the catalogs show them: the primary key's first, then the secondary
    /// indexes in creation order.
    pub fn indexes(&self) -> Vec<TableIndex<'_>> {
        let table = &self.table;
        let mut all = Vec::with_capacity(table.indexes.len() + 1);
        if table.has_primary_key() {
            all.push(TableIndex {
                table: self,
                name: self.pkey_name(),
                oid: oid::pkey_index_oid(table.id),
                columns: table.primary_key.iter().map(|&slot| IndexColumn::of_slot(slot)).collect(),
                include: &[],
                predicate: None,
                unique: true,
                primary: true,
                nulls_not_distinct: false,
                constraint: Some(('p', oid::pkey_constraint_oid(table.id))),
            });
        }
        all.extend(table.indexes.iter().map(|index| TableIndex {
            table: self,
            name: index.name.clone(),
            oid: oid::table_oid(index.id),
            columns: index.columns.clone(),
            include: &index.include,
            predicate: index.predicate.as_ref(),
            unique: index.unique,
            primary: false,
            nulls_not_distinct: index.nulls_not_distinct,
            constraint: index.constraint.then(|| ('u', oid::pkey_constraint_oid(index.id))),
        }));
        all
    }

    /// Whether it has an index (`pg_class.relhasindex`).
    pub fn has_index(&self) -> bool {
        self.table.has_primary_key() || !self.table.indexes.is_empty()
    }

    /// Whether it has triggers (`pg_class.relhastriggers`): PostgreSQL's foreign keys are
    /// triggers on both tables, the referencing and the referenced.
    pub fn has_triggers(&self) -> bool {
        !self.table.foreign_keys.is_empty() || !self.table.referenced_by.is_empty()
    }
}

/// A FOREIGN KEY constraint as every catalog shows it (`pg_constraint`,
/// `information_schema`, `pg_get_constraintdef`): its table (the referencing one), its
/// descriptor, and the table it references.
pub(crate) struct TableForeignKey<'a> {
    /// The referencing table.
    pub table: &'a SchemaTable,
    pub key: &'a ForeignKey,
    /// The referenced table (`None` only for a descriptor naming a table that is gone).
    pub parent: Option<&'a SchemaTable>,
}

impl<'a> TableForeignKey<'a> {
    /// `pg_constraint.oid`.
    pub fn oid(&self) -> u32 {
        oid::pkey_constraint_oid(self.key.id)
    }

    /// `pg_class.oid` of the referenced table (`confrelid`).
    pub fn parent_oid(&self) -> u32 {
        oid::table_oid(self.key.parent.id)
    }

    /// The attribute numbers of the referencing columns (`conkey`).
    pub fn attnums(&self) -> Vec<i16> {
        self.key.columns.iter().map(|&slot| oid::attnum(slot)).collect()
    }

    /// The attribute numbers of the referenced columns (`confkey`).
    pub fn parent_attnums(&self) -> Vec<i16> {
        self.key.parent_columns.iter().map(|&slot| oid::attnum(slot)).collect()
    }

    /// The names of the referencing columns.
    pub fn column_names(&self) -> Vec<&'a str> {
        self.key.columns.iter().map(|&slot| self.table.column_name(slot)).collect()
    }

    /// The names of the referenced columns.
    pub fn parent_column_names(&self) -> Vec<&'a str> {
        let parent = self.parent;
        self.key.parent_columns.iter().map(|&slot| parent.map_or("", |p| p.column_name(slot))).collect()
    }

    /// The parent's unique index the referenced columns are the key columns of, in any
    /// order (`conindid`): the first by OID, as PostgreSQL picks it, so its primary key's
    /// when they are its columns.
    pub fn index(&self) -> Option<TableIndex<'a>> {
        let mut wanted = self.key.parent_columns.clone();
        wanted.sort_unstable();
        self.parent?.indexes().into_iter().find(|index| {
            let Some(mut slots) = index.plain_slots() else { return false };
            slots.sort_unstable();
            index.unique && slots == wanted
        })
    }
}

/// One index of a table as every catalog shows it (`pg_class`, `pg_index`, `pg_constraint`,
/// `pg_indexes`, `information_schema`, `pg_get_indexdef`): its primary key's or a secondary
/// index.
pub(crate) struct TableIndex<'a> {
    /// The table indexed.
    pub table: &'a SchemaTable,
    /// The index's name (and its constraint's).
    pub name: String,
    /// `pg_class.oid` of the index.
    pub oid: u32,
    /// The key columns, in key order, with their order options.
    pub columns: Vec<IndexColumn>,
    /// Slots of the INCLUDE columns.
    pub include: &'a [usize],
    /// The predicate of a partial index.
    pub predicate: Option<&'a IndexExpr>,
    /// UNIQUE (a primary key is).
    pub unique: bool,
    /// The primary key's index.
    pub primary: bool,
    /// NULLS NOT DISTINCT.
    pub nulls_not_distinct: bool,
    /// The constraint that owns the index: `pg_constraint.contype` (`p` or `u`) and OID.
    pub constraint: Option<(char, u32)>,
}

/// One attribute of an index (`pg_attribute` of the index, an `indkey` entry): a column
/// of its table, or a key expression.
pub(crate) enum IndexAttribute<'a> {
    /// The table's column in this slot.
    Column(usize),
    /// A key expression.
    Expr(&'a IndexExpr),
}

impl TableIndex<'_> {
    /// Its attributes as the index stores them: the key columns, then the INCLUDE columns.
    pub fn attributes(&self) -> Vec<IndexAttribute<'_>> {
        let key = self.columns.iter().filter_map(|c| match (c.slot, &c.expr) {
            (Some(slot), _) => Some(IndexAttribute::Column(slot)),
            (None, expr) => expr.as_ref().map(IndexAttribute::Expr),
        });
        key.chain(self.include.iter().map(|&slot| IndexAttribute::Column(slot))).collect()
    }

    /// The slots of its key columns when each is a column and it has every row.
    pub fn plain_slots(&self) -> Option<Vec<usize>> {
        if self.predicate.is_some() {
            return None;
        }
        self.columns.iter().map(|c| c.slot).collect()
    }

    /// The attribute numbers of the key columns (`conkey`; 0 for an expression).
    pub fn key_attnums(&self) -> Vec<i16> {
        self.columns.iter().map(|c| c.slot.map_or(0, oid::attnum)).collect()
    }

    /// The names of the key columns (an expression's SQL), in key order.
    pub fn key_names(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(|c| match (c.slot, &c.expr) {
                (Some(slot), _) => self.table.column_name(slot),
                (None, expr) => expr.as_ref().map_or("", |e| e.sql.as_str()),
            })
            .collect()
    }
}

impl Snapshot {
    /// The name of the session's database.
    pub fn database(&self) -> &str {
        &self.identity.database
    }

    /// The catalog as `handle`'s transaction sees it (outside one, as committed now).
    pub fn load(handle: &SessionHandle) -> Result<Snapshot> {
        let txn = handle.txn().unwrap_or_else(|_| std::sync::Arc::new(handle.store().begin()));
        let databases = meta::list_databases(&txn)?;
        let schemas = meta::list_schemas(&txn, handle.identity().database_id)?;
        let mut tables = Vec::new();
        let mut sequences = Vec::new();
        let mut views = Vec::new();
        let mut types = Vec::new();
        for schema in &schemas {
            let namespace = oid::namespace_oid(schema.id, &schema.name);
            for table in meta::list_tables(&txn, schema.id)? {
                tables.push(SchemaTable { schema: schema.name.clone(), namespace, table });
            }
            for sequence in meta::list_sequences(&txn, schema.id)? {
                sequences.push(SchemaSequence { schema: schema.name.clone(), namespace, sequence });
            }
            for view in meta::list_views(&txn, schema.id)? {
                views.push(SchemaView { schema: schema.name.clone(), namespace, view });
            }
            for desc in meta::list_types(&txn, schema.id)? {
                types.push(SchemaType { schema: schema.name.clone(), namespace, desc });
            }
        }
        let extensions = meta::list_extensions(&txn, handle.identity().database_id)?;
        let settings = handle.with_settings(|s| s.all());
        let scope = handle.scope();
        Ok(Snapshot {
            databases,
            schemas,
            tables,
            sequences,
            views,
            extensions,
            types,
            identity: handle.identity().clone(),
            handle: Some(handle.clone()),
            settings,
            search_path: scope.lookup_path().cloned().collect(),
            temp_schema: scope.temp_schema,
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

    /// `relpersistence` of the relations of the schema `namespace`: `t` in a temporary
    /// schema, else `p`.
    pub fn persistence(&self, namespace: u32) -> char {
        let temporary = self
            .schemas
            .iter()
            .any(|s| crate::session::temp_slots::is_temp_schema(&s.name) && oid::namespace_oid(s.id, &s.name) == namespace);
        if temporary { 't' } else { 'p' }
    }

    /// The OID of the session's temporary schema, if it has one.
    pub fn temp_namespace(&self) -> Option<u32> {
        self.namespace_oid(self.temp_schema.as_deref()?)
    }

    /// Every relation (table, index, sequence or view): its schema, name and OID.
    pub fn relations(&self) -> Vec<(&str, String, u32)> {
        let mut all = Vec::new();
        for t in &self.tables {
            all.push((t.schema.as_str(), t.table.name.clone(), t.oid()));
            all.extend(t.indexes().into_iter().map(|i| (t.schema.as_str(), i.name, i.oid)));
        }
        for q in &self.sequences {
            all.push((q.schema.as_str(), q.sequence.name.clone(), oid::table_oid(q.sequence.id)));
        }
        for v in &self.views {
            all.push((v.schema.as_str(), v.view.name.clone(), v.oid()));
        }
        all
    }

    /// The descriptions COMMENT ON gave objects: `(objoid, classoid, objsubid, text)`, as
    /// `pg_description` has them.
    pub fn comments(&self) -> Vec<(u32, u32, i32, &str)> {
        const PG_CLASS: u32 = 1259;
        const PG_NAMESPACE: u32 = 2615;
        const PG_EXTENSION: u32 = 3079;
        const PG_TYPE: u32 = 1247;
        let mut all = Vec::new();
        for t in &self.tables {
            all.extend(t.table.comment.as_deref().map(|c| (t.oid(), PG_CLASS, 0, c)));
            all.extend(column_comments(t.oid(), t.table.columns.iter().map(|c| c.comment.as_deref())));
            all.extend(t.table.indexes.iter().filter_map(|i| Some((oid::table_oid(i.id), PG_CLASS, 0, i.comment.as_deref()?))));
        }
        for v in &self.views {
            all.extend(v.view.comment.as_deref().map(|c| (v.oid(), PG_CLASS, 0, c)));
            all.extend(column_comments(v.oid(), v.view.columns.iter().map(|c| c.comment.as_deref())));
        }
        for q in &self.sequences {
            all.extend(q.sequence.comment.as_deref().map(|c| (oid::table_oid(q.sequence.id), PG_CLASS, 0, c)));
        }
        for schema in &self.schemas {
            all.extend(schema.comment.as_deref().map(|c| (oid::namespace_oid(schema.id, &schema.name), PG_NAMESPACE, 0, c)));
        }
        for t in &self.types {
            all.extend(t.desc.comment.as_deref().map(|c| (t.desc.oid(), PG_TYPE, 0, c)));
        }
        // An extension is described by its control file.
        for e in &self.extensions {
            let available = crate::ddl::AVAILABLE_EXTENSIONS.iter().find(|a| a.name == e.name);
            all.extend(available.map(|a| (oid::table_oid(e.id), PG_EXTENSION, 0, a.comment)));
        }
        all
    }

    /// Whether the search path finds the type `t` first by its name.
    pub fn type_is_visible(&self, t: &SchemaType) -> bool {
        let first = self.search_path.iter().find(|p| self.types.iter().any(|o| &o.schema == *p && o.desc.name == t.desc.name));
        first == Some(&t.schema)
    }

    /// The table with OID `oid`, or whose index or constraint has it.
    pub fn table_of(&self, oid: u32) -> Option<&SchemaTable> {
        let table = self.tables.iter().find(|t| t.oid() == oid);
        table.or_else(|| self.index_of(oid).map(|i| i.table)).or_else(|| self.foreign_key(oid).map(|k| k.table)).or_else(|| self.check(oid).map(|(t, _)| t))
    }

    /// Every table's foreign keys, table by table.
    pub fn foreign_keys(&self) -> impl Iterator<Item = TableForeignKey<'_>> {
        self.tables.iter().flat_map(|t| self.foreign_keys_of(t))
    }

    /// The foreign keys of the table `t`.
    pub fn foreign_keys_of<'a>(&'a self, t: &'a SchemaTable) -> impl Iterator<Item = TableForeignKey<'a>> {
        t.table.foreign_keys.iter().map(move |key| TableForeignKey {
            table: t,
            key,
            parent: self.tables.iter().find(|p| p.table.id == key.parent.id),
        })
    }

    /// The CHECK constraint with OID `oid`, with its table.
    pub fn check(&self, oid: u32) -> Option<(&SchemaTable, &Check)> {
        self.tables.iter().flat_map(|t| t.table.checks.iter().map(move |c| (t, c))).find(|(_, c)| oid::pkey_constraint_oid(c.id) == oid)
    }

    /// The foreign key whose constraint has OID `oid`.
    pub fn foreign_key(&self, oid: u32) -> Option<TableForeignKey<'_>> {
        self.foreign_keys().find(|k| k.oid() == oid)
    }

    /// The index with OID `oid`, or whose constraint has it.
    pub fn index_of(&self, oid: u32) -> Option<TableIndex<'_>> {
        let mut indexes = self.tables.iter().flat_map(SchemaTable::indexes);
        indexes.find(|i| i.oid == oid || i.constraint.is_some_and(|(_, c)| c == oid))
    }

    /// A snapshot of one schema `public` with one table, which references itself, for
    /// unit tests.
    #[cfg(test)]
    pub fn sample() -> Snapshot {
        use crate::descriptor::{ColumnDesc, ReferentialAction, TableRef};
        use shale_pgtypes::types::SqlType;
        let column = |name: &str, ty: SqlType, default: Option<&str>| ColumnDesc { default: default.map(str::to_string), ..ColumnDesc::new(name, ty) };
        let table = TableDesc {
            id: 1,
            schema_id: 1,
            name: "t".into(),
            columns: vec![column("id", SqlType::Int4, None), column("v", SqlType::Varchar(Some(3)), Some("'x'"))],
            primary_key: vec![0],
            pkey_name: None,
            indexes: Vec::new(),
            storage: None,
            foreign_keys: vec![ForeignKey {
                id: 2,
                name: "t_id_fkey".into(),
                columns: vec![0],
                parent: TableRef { schema_id: 1, name: "t".into(), id: 1 },
                parent_columns: vec![0],
                on_delete: ReferentialAction::Cascade,
                on_delete_columns: Vec::new(),
                on_update: ReferentialAction::NoAction,
                timing: Default::default(),
                not_valid: false,
            }],
            referenced_by: vec![TableRef { schema_id: 1, name: "t".into(), id: 1 }],
            checks: Vec::new(),
            materialized: None,
            comment: None,
            on_commit: None,
        };
        Snapshot {
            databases: vec![DatabaseDesc::new(3, "postgres", true, false)],
            schemas: vec![SchemaDesc { id: 1, name: "public".into(), comment: None }],
            tables: vec![SchemaTable { schema: "public".into(), namespace: 2200, table }],
            sequences: Vec::new(),
            views: Vec::new(),
            extensions: Vec::new(),
            types: Vec::new(),
            handle: None,
            identity: Identity::sample(),
            settings: vec![("search_path".into(), "public".into())],
            search_path: vec!["public".into()],
            temp_schema: None,
        }
    }
}
