//! `ALTER TABLE ... ALTER [COLUMN] c [SET DATA] TYPE t [USING expr]`: every row is
//! rewritten in the statement's transaction with the column's new value (the old one cast,
//! or `expr` over the row's columns), checked as an INSERT checks it; the table's keys and
//! indexes are built anew and its CHECK constraints on the column verified again.

use datafusion::sql::sqlparser::ast::{DataType, Expr, Ident};
use shale_pgtypes::types::SqlType;
use shale_storage::Datum;

use super::DdlContext;
use crate::access::cascaded::RowExpr;
use crate::access::values;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::ident::quote_ident;
use crate::resolve;

/// Changes the type of `column` of `table` (locked by the caller, who stores it).
pub(super) async fn alter_type(ctx: &DdlContext<'_>, table: &mut TableDesc, column: &Ident, data_type: &DataType, using: Option<&Expr>) -> Result<()> {
    let name = resolve::normalize(column);
    let Some((slot, col)) = table.column(&name) else {
        return Err(CatalogError::new(sqlstate::UNDEFINED_COLUMN, format!("column \"{name}\" of relation \"{}\" does not exist", table.name)));
    };
    let txn = ctx.handle.txn()?;
    let ty = resolve::column_type(&txn, &ctx.handle.scope(), data_type)?;
    refuse_dependents(&txn, table, slot)?;
    if col.identity.is_some() {
        return Err(CatalogError::unsupported("ALTER COLUMN ... TYPE of an identity column"));
    }
    if table.primary_key.contains(&slot) && ty.element().is_some() {
        return Err(CatalogError::unsupported("an array column in a primary key"));
    }
    let sql = match using {
        Some(expr) => expr.to_string(),
        None if assignable(&col.ty, &ty) => quote_ident(&name),
        None => {
            return Err(CatalogError::new(
                sqlstate::DATATYPE_MISMATCH,
                format!("column \"{name}\" cannot be cast automatically to type {}", ty.pg_name()),
            )
            .with_hint(format!("You might need to specify \"USING {}::{}\".", quote_ident(&name), ty.pg_name())));
        }
    };
    let mut changed = table.clone();
    changed.columns[slot].ty = ty.clone();
    if let Some(default) = &col.default
        && super::create_table::check_default(ctx, default, &ty).is_err()
    {
        return Err(CatalogError::new(
            sqlstate::DATATYPE_MISMATCH,
            format!("default for column \"{name}\" cannot be cast automatically to type {}", ty.pg_name()),
        ));
    }
    let value = RowExpr::new(ctx.state, table, &sql, &ty.arrow_type())?;
    let convert = |mut rows: Vec<Vec<Datum>>| -> Result<Vec<Vec<Datum>>> {
        let refs: Vec<&[Datum]> = rows.iter().map(Vec::as_slice).collect();
        let values = value.values(&refs)?;
        for (row, v) in rows.iter_mut().zip(values) {
            row[slot] = values::check(&changed, &changed.columns[slot], v)?;
        }
        Ok(rows)
    };
    let mut rewritten = changed.clone();
    super::constraints::rewrite(ctx.state, &txn, table, &mut rewritten, Some(&convert))?;
    for check in rewritten.checks.iter().filter(|c| c.columns.contains(&slot) && !c.not_valid) {
        super::check::verify_rows(ctx, &rewritten, check).await?;
    }
    *table = rewritten;
    Ok(())
}

/// 0A000 for a column a view reads or a foreign key uses (PostgreSQL re-plans those; Shale
/// does not yet).
fn refuse_dependents(txn: &shale_storage::Txn, table: &TableDesc, slot: usize) -> Result<()> {
    let name = &table.columns[slot].name;
    if let Some(d) = super::view::column_dependents(txn, table, name)?.first() {
        return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, "cannot alter type of a column used by a view or rule")
            .with_detail(format!("rule _RETURN on {} depends on column \"{name}\"", d.view.described())));
    }
    let keyed = table.primary_key.contains(&slot) || table.indexes.iter().any(|i| i.unique && i.columns.iter().any(|c| c.slot == Some(slot)));
    if table.foreign_keys.iter().any(|k| k.columns.contains(&slot)) || (keyed && !table.referenced_by.is_empty()) {
        return Err(CatalogError::unsupported("ALTER COLUMN ... TYPE of a column in a foreign key"));
    }
    Ok(())
}

/// Whether PostgreSQL converts a value of `from` to `to` without USING: an assignment
/// cast exists (between numbers, to text of any type, between date and timestamps, json
/// and jsonb), or the types are the same but for their modifiers.
fn assignable(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    let number = |t: &SqlType| matches!(t, Int2 | Int4 | Int8 | Float4 | Float8 | Numeric(_));
    let string = |t: &SqlType| matches!(t, Text | Varchar(_) | Char(_) | Name);
    let moment = |t: &SqlType| matches!(t, Date | Timestamp(_) | Timestamptz(_));
    std::mem::discriminant(from) == std::mem::discriminant(to) && !matches!(from, Array(_) | Enum(_))
        || from == to
        || (number(from) && number(to))
        || string(to)
        || (moment(from) && moment(to))
        || matches!((from, to), (Time(_), Interval) | (Json, Jsonb) | (Jsonb, Json))
}
