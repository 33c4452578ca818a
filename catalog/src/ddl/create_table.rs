//! CREATE TABLE: columns, types, NOT NULL, DEFAULT, PRIMARY KEY and UNIQUE, and `serial`
//! and identity columns (integer columns whose default is the next value of a sequence
//! they own).

use datafusion::common::DFSchema;
use datafusion::logical_expr::ExprSchemable;
use datafusion::sql::sqlparser::ast::{
    ColumnDef, ColumnOption, CreateTable, CreateTableLikeKind, DataType, GeneratedAs, IndexColumn, OnCommit, SequenceOptions, TableConstraint,
    Expr as SqlExpr, ForeignKeyConstraint, UniqueConstraint,
};
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome};
use crate::descriptor::{ColumnDesc, Identity, MAX_COLUMNS, SchemaDesc, TableDesc};
use crate::ident::{qualified, quote_ident};
use crate::error::{CatalogError, Result, sqlstate};
use shale_pgtypes::types::SqlType;
use crate::{meta, resolve};

/// `CREATE TABLE [IF NOT EXISTS] name (columns, constraints)`.
pub fn create_table(ctx: &DdlContext<'_>, stmt: &CreateTable) -> Result<DdlOutcome> {
    reject_unsupported(stmt)?;
    let txn = ctx.handle.txn()?;
    let (schema, name) = super::temp::creation_schema(&txn, ctx.handle, &stmt.name, stmt.temporary)?;
    let on_commit = on_commit(stmt.on_commit, &schema)?;
    let mut outcome = DdlOutcome::new("CREATE TABLE");
    if super::sequence::relation_exists(&txn, schema.id, &name)? {
        if stmt.if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")));
    }
    let mut columns: Vec<ColumnDesc> = Vec::with_capacity(stmt.columns.len());
    // The primary key's slots, and the name its CONSTRAINT clause gave it.
    let mut primary_key: Option<(Vec<usize>, Option<String>)> = None;
    // UNIQUE constraints, column ones first, as PostgreSQL names them.
    let mut uniques: Vec<(Option<String>, &UniqueConstraint, Option<usize>)> = Vec::new();
    // FOREIGN KEYs and CHECKs, column ones first.
    let mut references: Vec<(Option<String>, &ForeignKeyConstraint, Option<usize>)> = Vec::new();
    let mut checks: Vec<(Option<String>, &SqlExpr)> = Vec::new();
    // The columns that own a sequence, with its options.
    let mut serials = Vec::new();
    // `LIKE` elements, with the slot their columns start at.
    let mut likes: Vec<(usize, super::create_like::Like)> = Vec::new();
    let mut positions = stmt.parenthesized_likes().into_iter().peekable();
    for (i, def) in stmt.columns.iter().map(Some).chain([None]).enumerate() {
        while let Some((_, like)) = positions.next_if(|(position, _)| *position == i) {
            let like = super::create_like::Like::read(&txn, &ctx.handle.scope(), like)?;
            let first = columns.len();
            for column in like.columns() {
                push_column(&mut columns, column)?;
            }
            if let Some(key) = like.primary_key(first) {
                set_primary_key(&mut primary_key, key, None, &name)?;
            }
            likes.push((first, like));
        }
        let Some(def) = def else { break };
        let (column, is_pk) = match serial_type(&def.data_type) {
            Some(ty) => {
                serials.push((columns.len(), Vec::new()));
                serial_column(def, ty, &name)?
            }
            None => column(ctx, def, &name)?,
        };
        if column.identity.is_some() {
            serials.push((columns.len(), identity_options(def)));
        }
        if is_pk {
            set_primary_key(&mut primary_key, vec![columns.len()], column_pk_name(def), &name)?;
        }
        for option in &def.options {
            let name = option.name.as_ref().map(resolve::normalize);
            match &option.option {
                ColumnOption::Unique(unique) => uniques.push((name, unique, Some(columns.len()))),
                ColumnOption::ForeignKey(fk) => references.push((name, fk, Some(columns.len()))),
                ColumnOption::Check(check) => checks.push((name.or_else(|| check.name.as_ref().map(resolve::normalize)), &check.expr)),
                _ => {}
            }
        }
        push_column(&mut columns, column)?;
    }
    for constraint in &stmt.constraints {
        match constraint {
            TableConstraint::PrimaryKey(pk) => {
                let slots = pk.columns.iter().map(|c| key_column(&columns, c)).collect::<Result<Vec<_>>>()?;
                set_primary_key(&mut primary_key, slots, pk.name.as_ref().map(resolve::normalize), &name)?;
            }
            TableConstraint::Unique(unique) => uniques.push((unique.name.as_ref().map(resolve::normalize), unique, None)),
            TableConstraint::ForeignKey(fk) => references.push((None, fk, None)),
            TableConstraint::Check(check) if check.enforced == Some(false) => return Err(CatalogError::unsupported("NOT ENFORCED")),
            TableConstraint::Check(check) => checks.push((check.name.as_ref().map(resolve::normalize), &check.expr)),
            other => return Err(CatalogError::unsupported(format!("table constraint {other}"))),
        }
    }
    check_column_count(columns.len())?;
    let (primary_key, pkey_name) = match primary_key {
        Some((slots, given)) => (slots, Some(pkey_name(&txn, schema.id, &name, given)?)),
        None => (Vec::new(), None),
    };
    for &slot in &primary_key {
        if columns[slot].ty.element().is_some() {
            return Err(CatalogError::unsupported("an array column in a primary key"));
        }
        columns[slot].not_null = true;
    }
    let id = meta::allocate(&txn, meta::TABLE_IDS, 1)?;
    let mut desc = TableDesc { id, schema_id: schema.id, name, columns, primary_key, pkey_name, indexes: Vec::new(), storage: None, foreign_keys: Vec::new(), referenced_by: Vec::new(), checks: Vec::new(), materialized: None, comment: None, on_commit };
    for (slot, options) in serials {
        let sequence = owned_sequence(ctx, &txn, &schema, &desc, (&desc.columns[slot], slot), &options)?;
        desc.columns[slot].default = Some(sequence);
    }
    for (name, unique, slot) in uniques {
        let index = super::index::unique_constraint(&txn, &desc, name, unique, slot)?;
        desc.indexes.push(index);
    }
    for (first, like) in &likes {
        let copied = like.indexes(&txn, &desc, *first)?;
        desc.indexes.extend(copied);
        desc.checks.extend(like.checks(&txn, *first)?);
    }
    for index in &desc.indexes {
        meta::put_index_name(&txn, desc.schema_id, &index.name, desc.id)?;
    }
    for (name, expr) in checks {
        let taken: Vec<String> = desc.checks.iter().map(|c| c.name.clone()).collect();
        let check = super::check::check(ctx, &txn, &desc, name, expr, &taken)?;
        desc.checks.push(check);
    }
    for (name, fk, slot) in references {
        let taken: Vec<String> = desc.foreign_keys.iter().map(|k| k.name.clone()).collect();
        let (key, parent) = super::foreign_key::foreign_key(&txn, &ctx.handle.scope(), &desc, name, fk, slot, &taken)?;
        match parent {
            Some(parent) => meta::put_table(&txn, &parent)?,
            None => desc.referenced_by.push(key.parent.clone()),
        }
        desc.foreign_keys.push(key);
    }
    meta::put_table(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// The integer type of `smallserial`, `serial` and `bigserial` (and `serial2`, `serial4`,
/// `serial8`).
pub(super) fn serial_type(data_type: &DataType) -> Option<SqlType> {
    let DataType::Custom(name, modifiers) = data_type else { return None };
    if !modifiers.is_empty() {
        return None;
    }
    match name.to_string().to_lowercase().as_str() {
        "smallserial" | "serial2" => Some(SqlType::Int2),
        "serial" | "serial4" => Some(SqlType::Int4),
        "bigserial" | "serial8" => Some(SqlType::Int8),
        _ => None,
    }
}

/// A `serial` column: NOT NULL, its default set once its sequence exists; no DEFAULT of
/// its own (42601, as PostgreSQL's "multiple default values").
pub(super) fn serial_column(def: &ColumnDef, ty: SqlType, table: &str) -> Result<(ColumnDesc, bool)> {
    let name = resolve::normalize(&def.name);
    let mut column = ColumnDesc { not_null: true, ..ColumnDesc::new(name, ty) };
    let mut is_pk = false;
    for option in &def.options {
        match &option.option {
            ColumnOption::NotNull => {}
            ColumnOption::Null => {
                return Err(CatalogError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("conflicting NULL/NOT NULL declarations for column \"{}\" of table \"{table}\"", column.name),
                ));
            }
            ColumnOption::Default(_) => {
                return Err(CatalogError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("multiple default values specified for column \"{}\" of table \"{table}\"", column.name),
                ));
            }
            ColumnOption::PrimaryKey(_) => is_pk = true,
            // Made an index or a foreign key once the table's columns are known.
            ColumnOption::Unique(_) | ColumnOption::ForeignKey(_) | ColumnOption::Check(_) => {}
            other => return Err(CatalogError::unsupported(format!("column option {other}"))),
        }
    }
    column.not_null = true;
    Ok((column, is_pk))
}

/// Creates the sequence the `serial` (or identity) `column` in `slot` of `table` owns,
/// named as PostgreSQL names it (`<table>_<column>_seq`, with a number after it when that
/// is taken), and returns the column's default.
pub(super) fn owned_sequence(
    ctx: &DdlContext<'_>,
    txn: &Txn,
    schema: &SchemaDesc,
    table: &TableDesc,
    (column, slot): (&ColumnDesc, usize),
    options: &[SequenceOptions],
) -> Result<String> {
    let base = format!("{}_{}_seq", table.name, column.name);
    let mut name = base.clone();
    let mut n = 0;
    while super::sequence::relation_exists(txn, schema.id, &name)? {
        n += 1;
        name = format!("{base}{n}");
    }
    let sequence = super::sequence::sequence(txn, schema.id, name, column.ty.clone(), options, Some((table.id, slot)))?;
    meta::put_sequence(txn, &sequence)?;
    // Qualified when the search path would not find it, as `regclass` prints it.
    let first = resolve::current_schema(txn, &ctx.handle.scope())?;
    let shown = match first.as_deref() == Some(schema.name.as_str()) {
        true => quote_ident(&sequence.name),
        false => qualified(&schema.name, &sequence.name),
    };
    // As the server writes a cast to regclass (shown as one, see `default_expr`).
    Ok(format!("nextval(shale_regclass_in('{}'))", shown.replace('\'', "''")))
}

/// The sequence options of `GENERATED ... AS IDENTITY (options)`.
pub(super) fn identity_options(def: &ColumnDef) -> Vec<SequenceOptions> {
    def.options
        .iter()
        .find_map(|o| match &o.option {
            ColumnOption::Generated { generation_expr: None, sequence_options, .. } => Some(sequence_options.clone().unwrap_or_default()),
            _ => None,
        })
        .unwrap_or_default()
}

fn reject_unsupported(stmt: &CreateTable) -> Result<()> {
    let unsupported = [
        (stmt.or_replace, "CREATE OR REPLACE TABLE"),
        (stmt.query.is_some(), "CREATE TABLE ... AS"),
        (matches!(stmt.like, Some(CreateTableLikeKind::Plain(_))), "CREATE TABLE ... LIKE without parentheses"),
        (stmt.inherits.is_some(), "table inheritance"),
        (stmt.partition_of.is_some() || stmt.partition_by.is_some(), "partitioned tables"),
    ];
    match unsupported.iter().find(|(present, _)| *present) {
        Some((_, what)) => Err(CatalogError::unsupported(what)),
        None => Ok(()),
    }
}

/// What commits do to a table made `ON COMMIT ...` in `schema`: 42P16 unless the table is
/// temporary, as in PostgreSQL.
pub(super) fn on_commit(clause: Option<OnCommit>, schema: &SchemaDesc) -> Result<Option<crate::descriptor::OnCommit>> {
    if clause.is_some() && !crate::session::temp_slots::is_temp_schema(&schema.name) {
        return Err(CatalogError::new(sqlstate::INVALID_TABLE_DEFINITION, "ON COMMIT can only be used on temporary tables"));
    }
    Ok(match clause {
        Some(OnCommit::DeleteRows) => Some(crate::descriptor::OnCommit::DeleteRows),
        Some(OnCommit::Drop) => Some(crate::descriptor::OnCommit::Drop),
        Some(OnCommit::PreserveRows) | None => None,
    })
}

/// Adds `column` to `columns`: 42701 when one has its name.
fn push_column(columns: &mut Vec<ColumnDesc>, column: ColumnDesc) -> Result<()> {
    if columns.iter().any(|c| c.name == column.name) {
        return Err(CatalogError::new(sqlstate::DUPLICATE_COLUMN, format!("column \"{}\" specified more than once", column.name)));
    }
    columns.push(column);
    Ok(())
}

/// 54011 past PostgreSQL's limit of [`MAX_COLUMNS`] columns (dropped ones count).
pub(super) fn check_column_count(count: usize) -> Result<()> {
    if count > MAX_COLUMNS {
        return Err(CatalogError::new(
            sqlstate::TOO_MANY_COLUMNS,
            format!("tables can have at most {MAX_COLUMNS} columns"),
        ));
    }
    Ok(())
}

/// Records the table's primary key (its slots and the name its CONSTRAINT clause gave it);
/// 42P16 when it has one already.
fn set_primary_key(pk: &mut Option<(Vec<usize>, Option<String>)>, slots: Vec<usize>, name: Option<String>, table: &str) -> Result<()> {
    if pk.is_some() {
        return Err(CatalogError::new(
            sqlstate::INVALID_TABLE_DEFINITION,
            format!("multiple primary keys for table \"{table}\" are not allowed"),
        ));
    }
    *pk = Some((slots, name));
    Ok(())
}

/// The name a column's `CONSTRAINT name PRIMARY KEY` gives its primary key.
fn column_pk_name(def: &ColumnDef) -> Option<String> {
    def.options.iter().find_map(|option| match &option.option {
        ColumnOption::PrimaryKey(pk) => option.name.as_ref().or(pk.name.as_ref()).map(resolve::normalize),
        _ => None,
    })
}

/// The name of the primary key of the new table `table`: the one given (42P07 when a
/// relation of the schema has it), else `<table>_pkey`.
fn pkey_name(txn: &Txn, schema_id: u64, table: &str, given: Option<String>) -> Result<String> {
    match given {
        Some(name) if name == table || super::sequence::relation_exists(txn, schema_id, &name)? => {
            Err(CatalogError::new(sqlstate::DUPLICATE_TABLE, format!("relation \"{name}\" already exists")))
        }
        Some(name) => Ok(name),
        None => Ok(TableDesc::default_pkey_name(table)),
    }
}

fn key_column(columns: &[ColumnDesc], c: &IndexColumn) -> Result<usize> {
    let name = match &c.column.expr {
        datafusion::sql::sqlparser::ast::Expr::Identifier(ident) => resolve::normalize(ident),
        other => return Err(CatalogError::unsupported(format!("primary key on expression {other}"))),
    };
    columns.iter().position(|col| col.name == name).ok_or_else(|| {
        CatalogError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{name}\" named in key does not exist"),
        )
    })
}

/// A column definition, and whether it declares PRIMARY KEY.
pub(super) fn column(ctx: &DdlContext<'_>, def: &ColumnDef, table: &str) -> Result<(ColumnDesc, bool)> {
    let ty = resolve::column_type(&*ctx.handle.txn()?, &ctx.handle.scope(), &def.data_type)?;
    let mut column = ColumnDesc::new(resolve::normalize(&def.name), ty);
    let mut is_pk = false;
    for option in &def.options {
        match &option.option {
            ColumnOption::Null => column.not_null = false,
            ColumnOption::NotNull => column.not_null = true,
            ColumnOption::Default(expr) => {
                let sql = expr.to_string();
                check_default(ctx, &sql, &column.ty)?;
                column.default = Some(sql);
            }
            ColumnOption::PrimaryKey(_) => is_pk = true,
            // Made an index or a foreign key once the table's columns are known (the
            // caller's part).
            ColumnOption::Unique(_) | ColumnOption::ForeignKey(_) | ColumnOption::Check(_) => {}
            ColumnOption::Generated { generated_as, generation_expr: None, .. } => {
                if !matches!(column.ty, SqlType::Int2 | SqlType::Int4 | SqlType::Int8) {
                    return Err(CatalogError::new(
                        sqlstate::INVALID_PARAMETER,
                        "identity column type must be smallint, integer, or bigint",
                    ));
                }
                column.identity = Some(match generated_as {
                    GeneratedAs::Always => Identity::Always,
                    GeneratedAs::ByDefault => Identity::ByDefault,
                    GeneratedAs::ExpStored => return Err(CatalogError::unsupported("generated columns")),
                });
                column.not_null = true;
            }
            other => return Err(CatalogError::unsupported(format!("column option {other}"))),
        }
    }
    if column.identity.is_some() && column.default.is_some() {
        return Err(CatalogError::new(
            sqlstate::SYNTAX_ERROR,
            format!("both default and identity specified for column \"{}\" of table \"{table}\"", column.name),
        ));
    }
    Ok((column, is_pk))
}

/// Plans a default expression and its cast to the column type, so that a default that can
/// never work is rejected when the table is created.
pub(super) fn check_default(ctx: &DdlContext<'_>, sql: &str, ty: &SqlType) -> Result<()> {
    let empty = DFSchema::empty();
    let expr = ctx.state.create_logical_expr(sql, &empty)?;
    expr.cast_to(&ty.arrow_type(), &empty)?;
    Ok(())
}
