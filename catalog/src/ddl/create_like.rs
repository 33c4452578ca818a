//! `CREATE TABLE t (..., LIKE source [{ INCLUDING | EXCLUDING } option ...], ...)`: the
//! source's columns (names, types, NOT NULL) where the element stands, and as the options
//! say its defaults, CHECK constraints, primary key and indexes (named for the new table),
//! identity and comments, as PostgreSQL copies them. Foreign keys are never copied.

use datafusion::sql::sqlparser::ast::{CreateTableLike, CreateTableLikeOptionKind};
use shale_storage::Txn;

use crate::descriptor::{Check, ColumnDesc, IndexDesc, TableDesc};
use crate::error::{CatalogError, Result};
use crate::resolve::{self, Scope};
use crate::meta;

/// What one `LIKE` element copies.
pub(super) struct Like {
    /// The source table.
    source: TableDesc,
    options: Options,
}

/// Which of the source's parts are copied.
#[derive(Default, Clone, Copy)]
struct Options {
    defaults: bool,
    constraints: bool,
    indexes: bool,
    identity: bool,
    comments: bool,
}

impl Like {
    /// Reads the source of `like` (share-locked: it may not change until the new table is
    /// made): 42P01 when there is none.
    pub(super) fn read(txn: &Txn, scope: &Scope, like: &CreateTableLike) -> Result<Like> {
        let found = resolve::table(txn, scope, &like.name)?;
        let source = meta::get_table_shared(txn, found.schema.id, &found.table.name)?.unwrap_or(found.table);
        let mut options = Options::default();
        for option in like.all_options() {
            let on = option.including;
            match option.kind {
                CreateTableLikeOptionKind::All => {
                    options = Options { defaults: on, constraints: on, indexes: on, identity: on, comments: on };
                }
                CreateTableLikeOptionKind::Defaults => options.defaults = on,
                CreateTableLikeOptionKind::Constraints => options.constraints = on,
                CreateTableLikeOptionKind::Indexes => options.indexes = on,
                CreateTableLikeOptionKind::Identity => options.identity = on,
                CreateTableLikeOptionKind::Comments => options.comments = on,
                // Shale has no generated columns, compression, storage settings or extended
                // statistics: a table has none of them to copy.
                CreateTableLikeOptionKind::Generated
                | CreateTableLikeOptionKind::Compression
                | CreateTableLikeOptionKind::Statistics
                | CreateTableLikeOptionKind::Storage => {}
            }
        }
        if options.identity && source.columns.iter().any(|c| !c.dropped && c.identity.is_some()) {
            return Err(CatalogError::unsupported("LIKE ... INCLUDING IDENTITY of a table with an identity column"));
        }
        Ok(Like { source, options })
    }

    /// The source's columns, as the new table has them.
    pub(super) fn columns(&self) -> Vec<ColumnDesc> {
        self.source
            .visible()
            .map(|(_, c)| ColumnDesc {
                default: c.default.clone().filter(|_| self.options.defaults),
                comment: c.comment.clone().filter(|_| self.options.comments),
                identity: None,
                missing: None,
                ..c.clone()
            })
            .collect()
    }

    /// The slot in the new table of each of the source's slots, its columns starting at
    /// `first`.
    fn slot_map(&self, first: usize) -> impl Fn(usize) -> Option<usize> + '_ {
        let visible = self.source.visible_slots();
        move |slot| visible.iter().position(|&s| s == slot).map(|i| first + i)
    }

    /// The source's primary key (as slots of the new table whose copied columns start at
    /// `first`), when indexes are copied.
    pub(super) fn primary_key(&self, first: usize) -> Option<Vec<usize>> {
        if !self.options.indexes || !self.source.has_primary_key() {
            return None;
        }
        let map = self.slot_map(first);
        self.source.primary_key.iter().map(|&s| map(s)).collect()
    }

    /// The source's CHECK constraints, named as they are, when constraints are copied.
    pub(super) fn checks(&self, txn: &Txn, first: usize) -> Result<Vec<Check>> {
        if !self.options.constraints {
            return Ok(Vec::new());
        }
        let map = self.slot_map(first);
        self.source
            .checks
            .iter()
            .map(|c| {
                let columns = c.columns.iter().filter_map(|&s| map(s)).collect();
                Ok(Check { id: meta::allocate(txn, meta::TABLE_IDS, 1)?, columns, ..c.clone() })
            })
            .collect()
    }

    /// The source's indexes (UNIQUE constraints too) on `table` (made, without them yet),
    /// its copied columns starting at `first`, named as CREATE INDEX would name them.
    pub(super) fn indexes(&self, txn: &Txn, table: &TableDesc, first: usize) -> Result<Vec<IndexDesc>> {
        if !self.options.indexes {
            return Ok(Vec::new());
        }
        let map = self.slot_map(first);
        let mut made: Vec<IndexDesc> = Vec::new();
        for source in &self.source.indexes {
            let mut index = source.clone();
            for column in &mut index.columns {
                column.slot = column.slot.and_then(&map);
            }
            index.include = index.include.iter().filter_map(|&s| map(s)).collect();
            let names: Vec<String> = index
                .columns
                .iter()
                .map(|c| match (&c.slot, &c.expr) {
                    (Some(slot), _) => table.columns[*slot].name.clone(),
                    (None, Some(expr)) => expr.name.clone(),
                    (None, None) => "expr".to_string(),
                })
                .collect();
            let taken: Vec<String> = made.iter().map(|i| i.name.clone()).chain(table.pkey_name.clone()).collect();
            let label = if index.constraint { "key" } else { "idx" };
            index.name = super::index::choose_name(txn, table, &names, label, &taken)?;
            index.id = meta::allocate(txn, meta::TABLE_IDS, 1)?;
            index.comment = index.comment.filter(|_| self.options.comments);
            made.push(index);
        }
        Ok(made)
    }
}
