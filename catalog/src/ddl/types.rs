//! CREATE TYPE ... AS ENUM, ALTER TYPE (ADD VALUE, RENAME VALUE, RENAME TO) and DROP TYPE.
//!
//! A type lives in storage like a table (`y/` keys, `crate::meta`); a column of the type
//! stores its OID, and reads its labels from the type when its table is read, so a new or
//! renamed label reaches every column at once, with no row rewritten.

use datafusion::sql::sqlparser::ast::{
    AlterType, AlterTypeAddValue, AlterTypeAddValuePosition, AlterTypeOperation, AlterTypeRenameValue, Ident,
    ObjectName, UserDefinedTypeRepresentation,
};
use shale_pgtypes::enums::{EnumLabel, MAX_LABEL_BYTES};
use shale_pgtypes::types::SqlType;
use shale_storage::Txn;

use super::{DdlContext, DdlOutcome};
use crate::descriptor::{TableDesc, TypeDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::oid::LABELS_PER_TYPE;
use crate::resolve::{self, Scope};
use crate::meta;

/// `CREATE TYPE name AS ENUM ('label', ...)`; other kinds of type are 0A000.
pub fn create_type(
    ctx: &DdlContext<'_>,
    name: &ObjectName,
    representation: Option<&UserDefinedTypeRepresentation>,
) -> Result<DdlOutcome> {
    let labels = match representation {
        Some(UserDefinedTypeRepresentation::Enum { labels }) => labels,
        Some(UserDefinedTypeRepresentation::Composite { .. }) => return Err(CatalogError::unsupported("composite types")),
        Some(UserDefinedTypeRepresentation::Range { .. }) => return Err(CatalogError::unsupported("range types")),
        Some(UserDefinedTypeRepresentation::SqlDefinition { .. }) | None => {
            return Err(CatalogError::unsupported("base types and shell types"));
        }
    };
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let (schema, type_name) = resolve::creation_schema(&txn, &scope, name)?;
    if meta::get_type_for_update(&txn, schema.id, &type_name)?.is_some()
        || meta::get_table(&txn, schema.id, &type_name)?.is_some()
        || meta::get_view(&txn, schema.id, &type_name)?.is_some()
    {
        // A table or view has a row type of its name.
        return Err(type_exists(&type_name));
    }
    let id = meta::allocate(&txn, meta::TABLE_IDS, 1)?;
    let mut desc = TypeDesc { id, schema_id: schema.id, name: type_name, labels: Vec::new(), next_label: 0, comment: None };
    for label in labels {
        let label = checked_label(&label.value)?;
        if desc.labels.iter().any(|l| l.label == label) {
            // What PostgreSQL's unique index on pg_enum answers.
            return Err(CatalogError::new(
                sqlstate::UNIQUE_VIOLATION,
                "duplicate key value violates unique constraint \"pg_enum_typid_label_index\"",
            )
            .with_detail(format!("Key (enumtypid, enumlabel)=({}, {label}) already exists.", desc.oid())));
        }
        let sortorder = desc.labels.len() as f32 + 1.0;
        push_label(&mut desc, label, sortorder)?;
    }
    meta::put_type(&txn, &desc)?;
    meta::bump_version(&txn)?;
    Ok(DdlOutcome::new("CREATE TYPE"))
}

/// `ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' [BEFORE | AFTER 'label']`,
/// `RENAME VALUE 'a' TO 'b'` and `RENAME TO new_name`.
pub fn alter_type(ctx: &DdlContext<'_>, stmt: &AlterType) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("ALTER TYPE");
    let mut desc = find_for_update(&txn, &scope, &stmt.name)?.ok_or_else(|| no_type(&stmt.name))?;
    match &stmt.operation {
        AlterTypeOperation::AddValue(add) => {
            if !add_value(&mut desc, add, &mut outcome)? {
                return Ok(outcome);
            }
            meta::put_type(&txn, &desc)?;
        }
        AlterTypeOperation::RenameValue(AlterTypeRenameValue { from, to }) => {
            let to = checked_label(&to.value)?;
            if !desc.labels.iter().any(|l| l.label == from.value) {
                return Err(not_a_label(&from.value));
            }
            if desc.labels.iter().any(|l| l.label == to) {
                return Err(label_exists(&to));
            }
            for label in desc.labels.iter_mut().filter(|l| l.label == from.value) {
                label.label = to.clone();
            }
            meta::put_type(&txn, &desc)?;
        }
        AlterTypeOperation::Rename(rename) => {
            let new_name = resolve::normalize(&rename.new_name);
            if meta::get_type_for_update(&txn, desc.schema_id, &new_name)?.is_some()
                || meta::get_table(&txn, desc.schema_id, &new_name)?.is_some()
                || meta::get_view(&txn, desc.schema_id, &new_name)?.is_some()
            {
                return Err(type_exists(&new_name));
            }
            meta::delete_type(&txn, &desc)?;
            desc.name = new_name;
            meta::put_type(&txn, &desc)?;
        }
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Adds the label of `add` where it says, as PostgreSQL places it: last, or halfway between
/// the neighbour named and the label beside it (one less or one more at the ends); when
/// `float4` has no value left between them, the labels are numbered again 1, 2, 3, ...
/// False when the label exists and IF NOT EXISTS skipped it.
fn add_value(desc: &mut TypeDesc, add: &AlterTypeAddValue, outcome: &mut DdlOutcome) -> Result<bool> {
    let label = checked_label(&add.value.value)?;
    if desc.labels.iter().any(|l| l.label == label) {
        if add.if_not_exists {
            outcome.notice("42710", format!("enum label \"{label}\" already exists, skipping"));
            return Ok(false);
        }
        return Err(label_exists(&label));
    }
    let position = |neighbour: &Ident| {
        desc.labels.iter().position(|l| l.label == neighbour.value).ok_or_else(|| not_a_label(&neighbour.value))
    };
    let at = match &add.position {
        None => desc.labels.len(),
        Some(AlterTypeAddValuePosition::Before(neighbour)) => position(neighbour)?,
        Some(AlterTypeAddValuePosition::After(neighbour)) => position(neighbour)? + 1,
    };
    let sortorder = loop {
        // The sort orders of the labels on either side.
        let before = at.checked_sub(1).map(|i| desc.labels[i].sortorder);
        let after = desc.labels.get(at).map(|l| l.sortorder);
        let sortorder = match (before, after) {
            (None, None) => 1.0,
            (Some(b), None) => b + 1.0,
            (None, Some(a)) => a - 1.0,
            (Some(b), Some(a)) => (b + a) / 2.0,
        };
        if before != Some(sortorder) && after != Some(sortorder) {
            break sortorder;
        }
        for (i, l) in desc.labels.iter_mut().enumerate() {
            l.sortorder = i as f32 + 1.0;
        }
    };
    push_label(desc, label, sortorder)?;
    desc.labels.sort_by(|a, b| a.sortorder.total_cmp(&b.sortorder));
    Ok(true)
}

/// Gives `label` the type's next number.
fn push_label(desc: &mut TypeDesc, label: String, sortorder: f32) -> Result<()> {
    if desc.next_label >= LABELS_PER_TYPE {
        return Err(CatalogError::new(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            format!("an enum type has at most {LABELS_PER_TYPE} labels in Shale"),
        ));
    }
    desc.labels.push(EnumLabel { label, sortorder, number: desc.next_label });
    desc.next_label += 1;
    Ok(())
}

/// `DROP TYPE [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`: 2BP01 while a column has
/// the type, unless CASCADE, which drops those columns.
pub fn drop_types(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, cascade: bool) -> Result<DdlOutcome> {
    let txn = ctx.handle.txn()?;
    let scope = ctx.handle.scope();
    let mut outcome = DdlOutcome::new("DROP TYPE");
    let mut dropped = Vec::new();
    for name in names {
        match find_for_update(&txn, &scope, name)? {
            Some(desc) => dropped.push(desc),
            None if if_exists => {
                outcome.notice("00000", format!("type \"{}\" does not exist, skipping", resolve::display(name)));
            }
            None => return Err(no_type(name)),
        }
    }
    // Locked: a column being given one of the types has committed, or waits for this.
    txn.new_statement()?;
    let oids: Vec<u32> = dropped.iter().map(TypeDesc::oid).collect();
    let users = columns_of_types(&txn, &scope, &oids)?;
    for desc in &dropped {
        let mine: Vec<&(TableDesc, usize)> = users.iter().filter(|(t, slot)| is_of(t, *slot, desc.oid())).collect();
        if mine.is_empty() {
            continue;
        }
        let described: Vec<String> =
            mine.iter().map(|(t, slot)| format!("column {} of table {}", t.columns[*slot].name, t.name)).collect();
        if !cascade {
            let detail = described.iter().map(|d| format!("{d} depends on type {}", desc.name)).collect::<Vec<_>>();
            return Err(CatalogError::new(
                sqlstate::DEPENDENT_OBJECTS,
                format!("cannot drop type {} because other objects depend on it", desc.name),
            )
            .with_detail(detail.join("\n"))
            .with_hint("Use DROP ... CASCADE to drop the dependent objects too."));
        }
        super::drop::cascade_notice(&mut outcome, described.into_iter().map(|d| format!("drop cascades to {d}")).collect());
    }
    if cascade {
        super::alter::drop_columns_of_types(ctx, &oids, &mut outcome)?;
    }
    for desc in &dropped {
        meta::delete_type(&txn, desc)?;
    }
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// The live columns of the tables of the session's database whose type is one of `oids`,
/// with their tables.
pub(super) fn columns_of_types(txn: &Txn, scope: &Scope, oids: &[u32]) -> Result<Vec<(TableDesc, usize)>> {
    let mut out = Vec::new();
    for schema in meta::list_schemas(txn, scope.database_id)? {
        for table in meta::list_tables(txn, schema.id)? {
            let slots: Vec<usize> = table.visible().filter(|(_, c)| oids.contains(&c.ty.type_oid())).map(|(slot, _)| slot).collect();
            out.extend(slots.into_iter().map(|slot| (table.clone(), slot)));
        }
    }
    Ok(out)
}

fn is_of(table: &TableDesc, slot: usize, type_oid: u32) -> bool {
    matches!(&table.columns[slot].ty, SqlType::Enum(ty) if ty.oid == type_oid)
}

/// The type `name` (in the named schema, or the first of the search path that has it),
/// locked against concurrent DDL.
fn find_for_update(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<Option<TypeDesc>> {
    resolve::find_type(txn, scope, name, meta::get_type_for_update)
}

/// `label`, or 42602 when it is longer than PostgreSQL's 63 bytes.
fn checked_label(label: &str) -> Result<String> {
    if label.len() > MAX_LABEL_BYTES {
        return Err(CatalogError::new("42602", format!("invalid enum label \"{label}\""))
            .with_detail(format!("Labels must be {MAX_LABEL_BYTES} bytes or less.")));
    }
    Ok(label.to_string())
}

fn type_exists(name: &str) -> CatalogError {
    CatalogError::new("42710", format!("type \"{name}\" already exists"))
}

fn no_type(name: &ObjectName) -> CatalogError {
    CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("type \"{}\" does not exist", resolve::display(name)))
}

fn not_a_label(label: &str) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, format!("\"{label}\" is not an existing enum label"))
}

fn label_exists(label: &str) -> CatalogError {
    CatalogError::new("42710", format!("enum label \"{label}\" already exists"))
}
