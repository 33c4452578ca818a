//! CREATE INDEX, DROP INDEX, ALTER INDEX ... RENAME, and the indexes behind UNIQUE
//! constraints. An index is part of its table's descriptor; its name is a relation name of
//! the table's schema (`meta::put_index_name`). Creating or dropping one locks the table's
//! descriptor, so that it waits for the transactions writing the table, and they for it
//! (see `DmlPlan::current_table`).

use datafusion::sql::sqlparser::ast::{self, AlterIndexOperation, CreateIndex, Expr, NullsDistinctOption, ObjectName, UniqueConstraint};
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome};
use crate::access::index;
use crate::access::index_keys::{self, IndexKey, Part};
use crate::descriptor::{IndexColumn, IndexDesc, IndexExpr, TableDesc, TableRef};
use shale_pgtypes::types::SqlType;
use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};

/// PostgreSQL's longest identifier (NAMEDATALEN - 1).
const MAX_NAME: usize = 63;

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON t [USING btree]
/// (column | (expression), ...) [INCLUDE (columns)] [NULLS [NOT] DISTINCT] [WHERE
/// predicate]`, built over the rows the table has.
pub fn create_index(ctx: &DdlContext<'_>, stmt: &CreateIndex) -> Result<DdlOutcome> {
    reject_unsupported(stmt)?;
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("CREATE INDEX");
    let found = resolve::table(&txn, &ctx.handle.scope(), &stmt.table_name)?;
    let mut table = locked_table(&txn, found.schema.id, &found.table.name)?;
    let (columns, names) = index_columns(ctx, &table, &stmt.columns)?;
    let predicate = stmt.predicate.as_ref().map(|p| index_expr(ctx, &table, p, Part::Predicate)).transpose()?;
    if let Some(predicate) = &predicate
        && predicate.ty != SqlType::Bool
    {
        return Err(CatalogError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("argument of WHERE must be type boolean, not type {}", predicate.ty.pg_name()),
        ));
    }
    let include = stmt.include.iter().map(|c| column_slot(&table, &resolve::normalize(c), false)).collect::<Result<Vec<_>>>()?;
    let name = match &stmt.name {
        Some(name) => {
            let (schema, name) = resolve::split_name(name)?;
            if schema.is_some() {
                return Err(CatalogError::new(
                    sqlstate::SYNTAX_ERROR,
                    "index name cannot be schema-qualified; the index goes in its table's schema",
                ));
            }
            if super::sequence::relation_exists(&txn, table.schema_id, &name)? {
                if stmt.if_not_exists {
                    outcome.notice(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists, skipping"));
                    return Ok(outcome);
                }
                return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
            }
            name
        }
        None => choose_name(&txn, &table, &names, "idx", &[])?,
    };
    let index = IndexDesc {
        id: meta::allocate(&txn, meta::TABLE_IDS, 1)?,
        name,
        columns,
        include,
        unique: stmt.unique,
        nulls_not_distinct: stmt.nulls_distinct == Some(false),
        constraint: false,
        predicate,
        comment: None,
    };
    index::build(&txn, &table, &index, &IndexKey::new(ctx.state, &table, &index)?)?;
    meta::put_index_name(&txn, table.schema_id, &index.name, table.id)?;
    table.indexes.push(index);
    meta::put_table(&txn, &table)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

fn reject_unsupported(stmt: &CreateIndex) -> Result<()> {
    if let Some(using) = &stmt.using {
        let method = using.to_string().to_lowercase();
        if method != "btree" {
            return Err(CatalogError::unsupported(format!("index access method \"{method}\"")));
        }
    }
    let unsupported = [
        (!stmt.with.is_empty(), "index storage parameters (WITH (...))"),
        (!stmt.index_options.is_empty() || !stmt.alter_options.is_empty(), "these index options"),
    ];
    match unsupported.iter().find(|(present, _)| *present) {
        Some((_, what)) => Err(CatalogError::unsupported(what)),
        None => Ok(()),
    }
}

/// The index of a UNIQUE constraint `name` (else named `<table>_<columns>_key`) of `table`,
/// on its columns or, a column's constraint, on the column in `slot`; names the table's
/// other indexes took are taken.
pub(super) fn unique_constraint(
    txn: &Txn,
    table: &TableDesc,
    name: Option<String>,
    unique: &UniqueConstraint,
    slot: Option<usize>,
) -> Result<IndexDesc> {
    if unique.characteristics.is_some() {
        return Err(CatalogError::unsupported("DEFERRABLE unique constraints"));
    }
    if unique.index_type.is_some() || !unique.index_options.is_empty() {
        return Err(CatalogError::unsupported("index options of a UNIQUE constraint"));
    }
    let columns = match slot {
        Some(slot) if unique.columns.is_empty() => vec![IndexColumn::of_slot(slot)],
        _ => key_columns(table, &unique.columns, true)?,
    };
    let taken: Vec<String> = table.indexes.iter().map(|i| i.name.clone()).chain(table.pkey_name.clone()).collect();
    let name = match name {
        Some(name) if taken.contains(&name) || super::sequence::relation_exists(txn, table.schema_id, &name)? => {
            return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
        }
        Some(name) => name,
        None => {
            let names: Vec<String> = columns.iter().filter_map(|c| c.slot).map(|s| table.columns[s].name.clone()).collect();
            choose_name(txn, table, &names, "key", &taken)?
        }
    };
    Ok(IndexDesc {
        id: meta::allocate(txn, meta::TABLE_IDS, 1)?,
        name,
        columns,
        include: Vec::new(),
        unique: true,
        nulls_not_distinct: unique.nulls_distinct == NullsDistinctOption::NotDistinct,
        constraint: true,
        predicate: None,
        comment: None,
    })
}

/// ALTER TABLE ... ADD [CONSTRAINT name] UNIQUE (columns), and ADD COLUMN ... UNIQUE: the
/// constraint's index, built over the rows `table` has (the caller holds its lock and
/// writes the descriptor).
pub(super) fn add_unique_constraint(
    txn: &Txn,
    table: &mut TableDesc,
    name: Option<String>,
    unique: &UniqueConstraint,
    slot: Option<usize>,
) -> Result<()> {
    let index = unique_constraint(txn, table, name, unique, slot)?;
    // A constraint's index has no expressions: its key is the row's columns.
    index::build(txn, table, &index, &IndexKey::plain(&index))?;
    meta::put_index_name(txn, table.schema_id, &index.name, table.id)?;
    table.indexes.push(index);
    Ok(())
}

/// The table `name`, locked for update: writers of the table finish first.
pub(super) fn locked_table(txn: &Txn, schema_id: u64, name: &str) -> Result<TableDesc> {
    meta::get_table_for_update(txn, schema_id, name)?.ok_or_else(|| CatalogError::undefined_table(name))
}

/// The key columns of a constraint's index on `table`: columns only. `in_key` words an
/// unknown column as a constraint's ("named in key") rather than CREATE INDEX's.
pub(super) fn key_columns(table: &TableDesc, columns: &[ast::IndexColumn], in_key: bool) -> Result<Vec<IndexColumn>> {
    columns
        .iter()
        .map(|c| {
            let Expr::Identifier(ident) = &c.column.expr else {
                return Err(CatalogError::unsupported(format!("an index on the expression {}", c.column.expr)));
            };
            ordered(IndexColumn::of_slot(column_slot(table, &resolve::normalize(ident), in_key)?), c)
        })
        .collect()
}

/// The key columns of CREATE INDEX on `table`, columns or expressions, and the name of each
/// as a generated index name has it (an expression's: its function's name, else `expr`).
fn index_columns(ctx: &DdlContext<'_>, table: &TableDesc, columns: &[ast::IndexColumn]) -> Result<(Vec<IndexColumn>, Vec<String>)> {
    let mut keys = Vec::with_capacity(columns.len());
    let mut names = Vec::with_capacity(columns.len());
    for c in columns {
        let mut expr = &c.column.expr;
        while let Expr::Nested(inner) = expr {
            expr = inner;
        }
        let (mut key, name) = match expr {
            Expr::Identifier(ident) => {
                let slot = column_slot(table, &resolve::normalize(ident), false)?;
                (IndexColumn::of_slot(slot), table.columns[slot].name.clone())
            }
            expr => {
                let name = match expr {
                    Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map_or("expr".into(), resolve::normalize),
                    _ => "expr".into(),
                };
                let expr = index_expr(ctx, table, expr, Part::Key)?;
                (IndexColumn { slot: None, expr: Some(expr), descending: false, nulls_first: false }, name)
            }
        };
        // A name already taken gets a number, as PostgreSQL's ChooseIndexColumnNames does.
        let name = (0..).map(|n| if n == 0 { name.clone() } else { format!("{name}{n}") }).find(|n| !names.contains(n)).unwrap_or(name);
        if let Some(expr) = &mut key.expr {
            expr.name = name.clone();
        }
        keys.push(ordered(key, c)?);
        names.push(name);
    }
    Ok((keys, names))
}

/// `key` with the order `c` gives it (ASC / DESC, NULLS FIRST / LAST); 0A000 for an
/// operator class.
fn ordered(key: IndexColumn, c: &ast::IndexColumn) -> Result<IndexColumn> {
    if let Some(class) = &c.operator_class {
        return Err(CatalogError::unsupported(format!("the operator class {class}")));
    }
    let descending = c.column.options.asc == Some(false);
    Ok(IndexColumn { descending, nulls_first: c.column.options.nulls_first.unwrap_or(descending), ..key })
}

/// An expression of an index on `table`, checked as PostgreSQL checks it
/// (`index_keys::check`).
fn index_expr(ctx: &DdlContext<'_>, table: &TableDesc, expr: &Expr, part: Part) -> Result<IndexExpr> {
    let sql = expr.to_string();
    let checked = index_keys::check(ctx.state, table, &sql, part)?;
    Ok(IndexExpr { sql, name: String::new(), ty: checked.ty, planned: checked.planned, slots: super::check::columns_read(table, expr)? })
}

fn column_slot(table: &TableDesc, name: &str, in_key: bool) -> Result<usize> {
    let message = match in_key {
        true => format!("column \"{name}\" named in key does not exist"),
        false => format!("column \"{name}\" does not exist"),
    };
    table.column(name).map(|(slot, _)| slot).ok_or_else(|| CatalogError::new(sqlstate::UNDEFINED_COLUMN, message))
}

/// A name for a new index of `table` as PostgreSQL chooses one: the table's name, its key
/// columns' `names` and `label` (`idx`, or `key` for a UNIQUE constraint), shortened to
/// fit, with a number after the label while the name is taken (in the schema, or by
/// `taken`).
pub(super) fn choose_name(txn: &Txn, table: &TableDesc, names: &[String], label: &str, taken: &[String]) -> Result<String> {
    let mut joined = String::new();
    for name in names {
        if !joined.is_empty() {
            joined.push('_');
        }
        joined.push_str(name);
        if joined.len() >= MAX_NAME {
            break;
        }
    }
    let mut pass = 0;
    loop {
        let label = match pass {
            0 => label.to_string(),
            n => format!("{label}{n}"),
        };
        let name = object_name(&table.name, &joined, &label);
        if !taken.contains(&name) && !super::sequence::relation_exists(txn, table.schema_id, &name)? {
            return Ok(name);
        }
        pass += 1;
    }
}

/// A name for a new constraint of the table `table` on the columns `names` (joined by
/// `_`): `label` with a number after it while the name is `taken`.
pub(super) fn constraint_name(table: &str, names: &str, label: &str, taken: &[String]) -> String {
    let mut pass = 0;
    loop {
        let label = match pass {
            0 => label.to_string(),
            n => format!("{label}{n}"),
        };
        let name = object_name(table, names, &label);
        if !taken.contains(&name) {
            return name;
        }
        pass += 1;
    }
}

/// `name1_name2_label`, the longer of the two names shortened until it fits in
/// [`MAX_NAME`] bytes (PostgreSQL's `makeObjectName`).
fn object_name(name1: &str, name2: &str, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(!name2.is_empty());
    let available = MAX_NAME.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.len());
    while n1 + n2 > available {
        if n1 > n2 { n1 -= 1 } else { n2 -= 1 }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut name = clip(name1, n1);
    if !name2.is_empty() {
        name.push('_');
        name.push_str(&clip(name2, n2));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// `DROP INDEX [CONCURRENTLY] [IF EXISTS] a, b [CASCADE | RESTRICT]`. A foreign key whose
/// referenced columns only this unique index makes unique depends on it: 2BP01, or with
/// CASCADE the key goes too.
pub fn drop_indexes(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("DROP INDEX");
    for name in names {
        let Some((table, position)) = find_index(ctx, &txn, name)? else {
            if if_exists {
                outcome.notice("00000", format!("index \"{}\" does not exist, skipping", resolve::display(name)));
                continue;
            }
            return Err(CatalogError::new(
                sqlstate::UNDEFINED_OBJECT,
                format!("index \"{}\" does not exist", resolve::display(name)),
            ));
        };
        let dropped = &table.indexes[position];
        if dropped.constraint {
            let (index, table) = (&dropped.name, &table.name);
            return Err(CatalogError::new(
                sqlstate::DEPENDENT_OBJECTS,
                format!("cannot drop index {index} because constraint {index} on table {table} requires it"),
            )
            .with_hint(format!("You can drop constraint {index} on table {table} instead.")));
        }
        let dependents = dependent_keys(&txn, &table, position)?;
        if !dependents.is_empty() && !cascade {
            let detail: Vec<String> =
                dependents.iter().map(|(k, child)| format!("constraint {k} on table {} depends on index {}", child.name, dropped.name)).collect();
            return Err(CatalogError::new(
                sqlstate::DEPENDENT_OBJECTS,
                format!("cannot drop index {} because other objects depend on it", dropped.name),
            )
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        super::drop::cascade_notice(
            &mut outcome,
            dependents.iter().map(|(k, child)| format!("drop cascades to constraint {k} on table {}", child.name)).collect(),
        );
        for (key, child) in &dependents {
            let Some(mut referencing) = meta::get_table_for_update(&txn, child.schema_id, &child.name)? else { continue };
            if let Some(at) = referencing.foreign_keys.iter().position(|k| &k.name == key) {
                super::foreign_key::drop_foreign_key(&txn, &mut referencing, at)?;
                meta::put_table(&txn, &referencing)?;
            }
        }
        // Read again: dropping the keys may have changed it.
        let id = dropped.id;
        let mut table = meta::get_table_for_update(&txn, table.schema_id, &table.name)?.unwrap_or(table);
        let Some(position) = table.indexes.iter().position(|i| i.id == id) else { continue };
        let dropped = table.indexes.remove(position);
        index::clear(&txn, &dropped)?;
        meta::delete_index_name(&txn, table.schema_id, &dropped.name)?;
        meta::put_table(&txn, &table)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// The foreign keys (name, referencing table) whose referenced columns are unique only by
/// the unique index at `position` of `table`.
fn dependent_keys(txn: &Txn, table: &TableDesc, position: usize) -> Result<Vec<(String, TableRef)>> {
    let index = &table.indexes[position];
    let Some(slots) = index.plain_slots() else { return Ok(Vec::new()) };
    let unique_otherwise = table.primary_key == slots
        || table.indexes.iter().enumerate().any(|(i, other)| i != position && other.unique && other.plain_slots().as_ref() == Some(&slots));
    if !index.unique || unique_otherwise {
        return Ok(Vec::new());
    }
    let mut dependents = Vec::new();
    for child in &table.referenced_by {
        let referencing = match child.id == table.id {
            true => Some(table.clone()),
            false => meta::get_table(txn, child.schema_id, &child.name)?,
        };
        for k in referencing.iter().flat_map(|t| &t.foreign_keys) {
            if k.parent.id == table.id && k.parent_columns == slots {
                dependents.push((k.name.clone(), child.clone()));
            }
        }
    }
    Ok(dependents)
}

/// `ALTER INDEX [IF EXISTS] name RENAME TO new`.
pub fn alter_index(ctx: &DdlContext<'_>, name: &ObjectName, operation: &AlterIndexOperation) -> Result<DdlOutcome> {
    let AlterIndexOperation::RenameIndex { index_name } = operation;
    let txn = ctx.handle.txn()?;
    let Some((mut table, position)) = find_index(ctx, &txn, name)? else {
        return Err(CatalogError::new(
            sqlstate::UNDEFINED_TABLE,
            format!("relation \"{}\" does not exist", resolve::display(name)),
        ));
    };
    let (_, new_name) = resolve::split_name(index_name)?;
    if super::sequence::relation_exists(&txn, table.schema_id, &new_name)? {
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{new_name}\" already exists")));
    }
    let index = &mut table.indexes[position];
    meta::delete_index_name(&txn, table.schema_id, &index.name)?;
    meta::put_index_name(&txn, table.schema_id, &new_name, table.id)?;
    index.name = new_name;
    meta::put_table(&txn, &table)?;
    meta::bump_version(&txn)?;
    Ok(DdlOutcome::new("ALTER INDEX"))
}

/// The table that has the index `name` (in the named schema, or the first schema of the
/// search path that has one so named), locked, and the index's position in it.
pub(super) fn find_index(ctx: &DdlContext<'_>, txn: &Txn, name: &ObjectName) -> Result<Option<(TableDesc, usize)>> {
    let scope = ctx.handle.scope();
    let (schema_name, index_name) = scope.split(name)?;
    for s in scope.candidates(schema_name.as_deref()) {
        let Some(schema) = scope.get_schema(txn, &s)? else { continue };
        let Some(table_id) = meta::index_table_for_update(txn, schema.id, &index_name)? else { continue };
        let Some(owner) = meta::list_tables(txn, schema.id)?.into_iter().find(|t| t.id == table_id) else {
            return Err(CatalogError::internal(format!("the table of index \"{index_name}\" is gone")));
        };
        let table = locked_table(txn, schema.id, &owner.name)?;
        let position = table.indexes.iter().position(|i| i.name == index_name);
        return Ok(position.map(|p| (table, p)));
    }
    Ok(None)
}

/// Forgets the names of the indexes of a dropped table (their entries, like its rows, are
/// unreachable).
pub(super) fn forget_indexes(txn: &Txn, table: &TableDesc) -> Result<()> {
    for index in &table.indexes {
        meta::delete_index_name(txn, table.schema_id, &index.name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_as_postgresql_shortens_them() {
        assert_eq!(object_name("t", "a_b", "idx"), "t_a_b_idx");
        assert_eq!(object_name("t", "", "pkey"), "t_pkey");
        let long = "x".repeat(70);
        let name = object_name(&long, "email", "key");
        assert_eq!(name.len(), MAX_NAME);
        assert!(name.ends_with("_email_key"), "{name}");
        let name = object_name(&long, &"y".repeat(70), "idx1");
        assert_eq!(name, format!("{}_{}_idx1", "x".repeat(29), "y".repeat(28)));
    }
}
