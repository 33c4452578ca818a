//! `nextval`, `currval`, `setval` and `lastval`, with PostgreSQL's semantics: `nextval` and
//! `setval` move the sequence outside the transaction (a value handed out is never handed
//! out again, even when the transaction rolls back), in turn with every other session;
//! `currval` and `lastval` are what `nextval` last gave this session. A sequence is named
//! by text (`'s'`, `'public.s'`) or by its OID (`'s'::regclass`). And
//! `pg_get_serial_sequence`, the sequence a column owns.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use super::reg::name_parts;
use super::row_function::{Context, int_arg, row_function, text_arg};
use crate::ident::qualified;
use crate::descriptor::SequenceDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta::{self, SequencePosition};
use crate::session::handle::SessionHandle;
use crate::system::column as v;

/// The sequence `arg` names: text through the search path, or an OID. Resolved once per
/// call, whatever its number of rows (a column default names the same sequence in each).
fn sequence(ctx: &Context<'_>, arg: &ScalarValue) -> Result<Option<SequenceDesc>> {
    if arg.is_null() {
        return Ok(None);
    }
    if let Some((named, q)) = ctx.sequence.borrow().as_ref()
        && named == arg
    {
        return Ok(Some(q.clone()));
    }
    let q = resolve(ctx, arg)?;
    *ctx.sequence.borrow_mut() = Some((arg.clone(), q.clone()));
    Ok(Some(q))
}

fn resolve(ctx: &Context<'_>, arg: &ScalarValue) -> Result<SequenceDesc> {
    let txn = ctx.handle.txn()?;
    if let Some(text) = text_arg(arg).filter(|_| matches!(arg, ScalarValue::Utf8(_) | ScalarValue::LargeUtf8(_) | ScalarValue::Utf8View(_))) {
        let parts = name_parts(&text);
        let (schema, name) = match parts.as_slice() {
            [name] if name.is_empty() => return Err(CatalogError::new("42602", "invalid name syntax")),
            [name] => (None, name.as_str()),
            [schema, name] | [_, schema, name] => (Some(schema.as_str()), name.as_str()),
            _ => {
                return Err(CatalogError::new(
                    sqlstate::SYNTAX_ERROR,
                    format!("improper relation name (too many dotted names): {text}"),
                ));
            }
        };
        let scope = ctx.handle.scope();
        for s in scope.candidates(schema) {
            if let Some(schema) = scope.get_schema(&txn, &s)?
                && let Some(q) = meta::get_sequence(&txn, schema.id, name)?
            {
                return Ok(q);
            }
        }
        return Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{text}\" does not exist")));
    }
    let oid = super::row_function::oid_arg(arg)?.unwrap_or(0);
    for schema in meta::list_schemas(&txn, ctx.handle.identity().database_id)? {
        if let Some(q) = meta::list_sequences(&txn, schema.id)?.into_iter().find(|q| crate::oid::table_oid(q.id) == oid) {
            return Ok(q);
        }
    }
    Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("could not open relation with OID {oid}")))
}

/// The value after `last` in `q`, or 2200H at its end (the start again when it cycles).
fn after(q: &SequenceDesc, position: SequencePosition) -> Result<SequencePosition> {
    if !position.called {
        return Ok(SequencePosition { last: position.last, called: true });
    }
    let next = position.last.checked_add(q.increment).filter(|n| (q.min..=q.max).contains(n));
    match (next, q.cycle) {
        (Some(next), _) => Ok(SequencePosition { last: next, called: true }),
        (None, true) => Ok(SequencePosition { last: if q.increment > 0 { q.min } else { q.max }, called: true }),
        (None, false) => {
            let (end, bound) = if q.increment > 0 { ("maximum", q.max) } else { ("minimum", q.min) };
            Err(CatalogError::new("2200H", format!("nextval: reached {end} value of sequence \"{}\" ({bound})", q.name)))
        }
    }
}

fn nextval(ctx: &Context<'_>, args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(q) = sequence(ctx, &args[0])? else { return Ok(v::null()) };
    let txn = ctx.handle.txn()?;
    let position = meta::advance_sequence(&txn, &q, |p| after(&q, p))?;
    ctx.handle.set_sequence_value(q.id, position.last);
    Ok(ScalarValue::Int64(Some(position.last)))
}

fn currval(ctx: &Context<'_>, args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(q) = sequence(ctx, &args[0])? else { return Ok(v::null()) };
    match ctx.handle.sequence_value(q.id) {
        Some(value) => Ok(ScalarValue::Int64(Some(value))),
        None => Err(CatalogError::new("55000", format!("currval of sequence \"{}\" is not yet defined in this session", q.name))),
    }
}

fn lastval(ctx: &Context<'_>) -> Result<ScalarValue> {
    match ctx.handle.last_sequence_value() {
        Some(value) => Ok(ScalarValue::Int64(Some(value))),
        None => Err(CatalogError::new("55000", "lastval is not yet defined in this session")),
    }
}

/// `setval(sequence, value [, is_called])`: the sequence stands at `value`, which the next
/// `nextval` follows (or returns, when not `is_called`).
fn setval(ctx: &Context<'_>, args: &[ScalarValue]) -> Result<ScalarValue> {
    let called = match args.get(2) {
        Some(ScalarValue::Boolean(b)) => *b,
        Some(other) if other.is_null() => None,
        Some(_) => return Err(CatalogError::new(sqlstate::DATATYPE_MISMATCH, "setval's third argument must be a boolean")),
        None => Some(true),
    };
    let (Some(q), Some(value), Some(called)) = (sequence(ctx, &args[0])?, int_arg(&args[1]), called) else {
        return Ok(v::null());
    };
    if !(q.min..=q.max).contains(&value) {
        return Err(CatalogError::new(
            sqlstate::OUT_OF_RANGE,
            format!("setval: value {value} is out of bounds for sequence \"{}\" ({}..{})", q.name, q.min, q.max),
        ));
    }
    let txn = ctx.handle.txn()?;
    meta::advance_sequence(&txn, &q, |_| Ok(SequencePosition { last: value, called }))?;
    if called {
        ctx.handle.set_sequence_value(q.id, value);
    }
    Ok(ScalarValue::Int64(Some(value)))
}

/// `pg_get_serial_sequence(table, column)`: the sequence the column owns, qualified, or
/// NULL.
fn serial_sequence(ctx: &Context<'_>, args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(table), Some(column)) = (text_arg(&args[0]), text_arg(&args[1])) else { return Ok(v::null()) };
    let s = ctx.snapshot()?;
    let parts = name_parts(&table);
    let (schema, name) = match parts.as_slice() {
        [name] => (None, name.as_str()),
        [schema, name] | [_, schema, name] => (Some(schema.as_str()), name.as_str()),
        _ => return Err(CatalogError::new(sqlstate::INVALID_TEXT, format!("invalid name syntax: \"{table}\""))),
    };
    let schemas = schema.map_or_else(|| s.search_path.clone(), |schema| vec![schema.to_string()]);
    let found = schemas.iter().find_map(|schema| s.tables.iter().find(|t| &t.schema == schema && t.table.name == name));
    let Some(t) = found else {
        return Err(CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{table}\" does not exist")));
    };
    let Some((slot, _)) = t.table.column(&column) else {
        return Err(CatalogError::new(
            sqlstate::UNDEFINED_COLUMN,
            format!("column \"{column}\" of relation \"{}\" does not exist", t.table.name),
        ));
    };
    let owned = s.sequences.iter().find(|q| q.sequence.owned_by == Some((t.table.id, slot)));
    Ok(owned.map_or_else(v::null, |q| v::text(&qualified(&q.schema, &q.sequence.name))))
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let bigint = || Field::new("", DataType::Int64, true);
    let volatile = Volatility::Volatile;
    vec![
        row_function(handle, "nextval", &[1], bigint(), volatile, nextval),
        row_function(handle, "currval", &[1], bigint(), volatile, currval),
        row_function(handle, "setval", &[2, 3], bigint(), volatile, setval),
        row_function(handle, "lastval", &[0], bigint(), volatile, |ctx, _| lastval(ctx)),
        row_function(handle, "pg_get_serial_sequence", &[2], Field::new("", DataType::Utf8, true), Volatility::Stable, serial_sequence),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use shale_pgtypes::types::SqlType;

    fn q(increment: i64, min: i64, max: i64, cycle: bool) -> SequenceDesc {
        SequenceDesc { id: 1, schema_id: 1, name: "s".into(), ty: SqlType::Int8, increment, min, max, start: min, cache: 1, cycle, owned_by: None, storage: None, restart: None, comment: None }
    }

    #[test]
    fn steps_end_and_cycle_as_postgresql() {
        let at = |last, called| SequencePosition { last, called };
        assert_eq!(after(&q(1, 1, 3, false), at(1, false)).unwrap(), at(1, true));
        assert_eq!(after(&q(1, 1, 3, false), at(2, true)).unwrap(), at(3, true));
        let end = after(&q(1, 1, 3, false), at(3, true)).unwrap_err();
        assert_eq!((end.code, end.message.as_str()), ("2200H", "nextval: reached maximum value of sequence \"s\" (3)"));
        assert_eq!(after(&q(1, 1, 3, true), at(3, true)).unwrap(), at(1, true));
        assert_eq!(after(&q(-2, -5, -1, true), at(-5, true)).unwrap(), at(-1, true));
        assert_eq!(after(&q(1, 1, i64::MAX, false), at(i64::MAX, true)).unwrap_err().code, "2200H");
    }
}
