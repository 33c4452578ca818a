//! General PostgreSQL functions clients' catalog queries call that DataFusion lacks:
//! `array_lower`, `array_upper`, `parse_ident`, `format` (see [`super::format`]),
//! `pg_get_serial_sequence`, `pg_collation_is_visible`, `pg_get_partkeydef`, and the
//! helpers Shale's rewrites call (`shale_like_escape`, `shale_expand_keys`).

use std::sync::Arc;

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::error::{CatalogError, Result};
use crate::session::handle::SessionHandle;
use crate::system::column as v;

use super::reg::{RegKind, name_parts, reg_lookup};
use super::row_function::{int_arg, row_function, text_arg};

fn text_field() -> Field {
    Field::new("", DataType::Utf8, true)
}

fn int_field() -> Field {
    Field::new("", DataType::Int32, true)
}

/// The number of elements of a one-dimensional array value (`None`: NULL).
fn array_len(value: &ScalarValue) -> Option<usize> {
    match value {
        ScalarValue::List(list) if !list.is_null(0) => Some(list.value(0).len()),
        ScalarValue::LargeList(list) if !list.is_null(0) => Some(list.value(0).len()),
        ScalarValue::FixedSizeList(list) if !list.is_null(0) => Some(list.value(0).len()),
        _ => None,
    }
}

/// `array_lower(a, 1)` / `array_upper(a, 1)`: Shale's arrays are one-dimensional and
/// start at 1; NULL for an empty array or another dimension.
fn bound(args: &[ScalarValue], upper: bool) -> ScalarValue {
    match (array_len(&args[0]), int_arg(&args[1])) {
        (Some(n), Some(1)) if n > 0 => v::int4(if upper { i32::try_from(n).unwrap_or(i32::MAX) } else { 1 }),
        _ => v::null(),
    }
}

/// `shale_like_escape(pattern, escape)`: a LIKE pattern written with another escape
/// character, rewritten with backslash, the one DataFusion knows.
fn like_escape(args: &[ScalarValue]) -> Result<ScalarValue> {
    let (Some(pattern), Some(escape)) = (text_arg(&args[0]), text_arg(&args[1])) else { return Ok(v::null()) };
    let mut escape_chars = escape.chars();
    let (Some(escape), None) = (escape_chars.next(), escape_chars.next()) else {
        return Err(CatalogError::new("22025", "invalid escape string"));
    };
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c == escape => match chars.next() {
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => return Err(CatalogError::new("22025", "LIKE pattern must not end with escape character")),
            },
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    Ok(v::text(&out))
}

/// The struct `information_schema._pg_expandarray` returns: the element and its position.
pub fn expanded_key_fields() -> Fields {
    Fields::from(vec![Field::new("x", DataType::Int32, true), Field::new("n", DataType::Int32, true)])
}

/// `shale_expand_keys(a)`: the elements of an integer array with their positions, as a
/// list of `(x, n)` structs, for `unnest` (see the server's rewrite of
/// `information_schema._pg_expandarray`).
fn expand_keys(args: &[ScalarValue]) -> Result<ScalarValue> {
    let fields = expanded_key_fields();
    let item = DataType::Struct(fields.clone());
    let values: Vec<ScalarValue> = match &args[0] {
        ScalarValue::List(list) if !list.is_null(0) => {
            let elements = list.value(0);
            (0..elements.len())
                .map(|i| {
                    let x = ScalarValue::try_from_array(&elements, i)
                        .and_then(|x| x.cast_to(&DataType::Int32))
                        .map_err(|e| CatalogError::internal(e.to_string()))?;
                    let n = v::int4(i32::try_from(i + 1).unwrap_or(i32::MAX));
                    let array = datafusion::arrow::array::StructArray::try_new(
                        fields.clone(),
                        vec![x.to_array().map_err(|e| CatalogError::internal(e.to_string()))?, n.to_array().map_err(|e| CatalogError::internal(e.to_string()))?],
                        None,
                    )
                    .map_err(|e| CatalogError::internal(e.to_string()))?;
                    Ok(ScalarValue::Struct(Arc::new(array)))
                })
                .collect::<Result<_>>()?
        }
        _ => Vec::new(),
    };
    Ok(ScalarValue::List(ScalarValue::new_list_nullable(&values, &item)))
}

fn int8_field() -> Field {
    Field::new("", DataType::Int64, true)
}

/// What a size function measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    /// A table, or an index.
    Relation,
    /// A table with its indexes: everything stored for it.
    Total,
    /// A table's indexes.
    Indexes,
}

/// The bytes Shale stores for a relation, each counted once, so that a table's total is its
/// size and its indexes' (as in PostgreSQL): a primary key's index is the keys of the
/// rows (stored in its order), and its table the rest of the rows (their values; the keys
/// too, hidden row ids, without a primary key); a secondary index its entries. Read from
/// the statement's snapshot, so it takes a scan of the table or index.
fn relation_size(cx: &super::row_function::Context<'_>, args: &[ScalarValue], size: Size) -> Result<ScalarValue> {
    let Some(oid) = class_arg(cx, &args[0])? else { return Ok(v::null()) };
    let s = cx.snapshot()?;
    let Some(t) = s.table_of(oid) else { return Ok(v::null()) };
    let table = &t.table;
    let txn = cx.handle.txn().unwrap_or_else(|_| Arc::new(cx.handle.store().begin()));
    let rows = || stored_bytes(&txn, table.storage_id());
    let entries = |id: u64| stored_bytes(&txn, id).map(|(keys, values)| keys + values);
    let secondary = || table.indexes.iter().map(|index| entries(index.id)).sum::<Result<usize>>();
    let keyed = table.has_primary_key();
    let total = match size {
        Size::Relation if oid == t.oid() => rows().map(|(keys, values)| if keyed { values } else { keys + values })?,
        Size::Relation if oid == crate::oid::pkey_index_oid(table.id) => rows()?.0,
        Size::Relation => match table.indexes.iter().find(|index| crate::oid::table_oid(index.id) == oid) {
            Some(index) => entries(index.id)?,
            None => return Ok(v::null()),
        },
        Size::Total => entries(table.storage_id())? + secondary()?,
        Size::Indexes if keyed => rows()?.0 + secondary()?,
        Size::Indexes => secondary()?,
    };
    Ok(v::int8(i64::try_from(total).unwrap_or(i64::MAX)))
}

/// The bytes of the keys and of the values stored under the prefix of the table or index
/// `id`.
fn stored_bytes(txn: &shale_storage::Txn, id: u64) -> Result<(usize, usize)> {
    let range = shale_storage::KeyRange::prefix(&shale_storage::table_prefix(id));
    let (mut keys, mut values, mut after) = (0usize, 0usize, None::<Vec<u8>>);
    loop {
        let batch = txn.scan(shale_storage::Space::Data, &range, after.as_deref(), 1024)?;
        let Some((last, _)) = batch.last() else { break };
        keys += batch.iter().map(|(k, _)| k.len()).sum::<usize>();
        values += batch.iter().map(|(_, value)| value.len()).sum::<usize>();
        after = Some(last.clone());
    }
    Ok((keys, values))
}

/// A `regclass` argument: an OID, or the name of a relation (a literal such as
/// `pg_relation_size('t')` arrives as text); 42P01 for no relation of that name.
fn class_arg(cx: &super::row_function::Context<'_>, value: &ScalarValue) -> Result<Option<u32>> {
    let name = match value {
        ScalarValue::Utf8(Some(text)) | ScalarValue::LargeUtf8(Some(text)) | ScalarValue::Utf8View(Some(text)) => text,
        other => return super::row_function::oid_arg(other),
    };
    match reg_lookup(cx.snapshot()?, RegKind::Class, name)? {
        Some(oid) => Ok(Some(oid)),
        None => Err(CatalogError::undefined_table(name)),
    }
}

/// The functions of this module.
/// `pg_size_pretty(bytes)` as PostgreSQL 15 writes it: bytes below 10 kB, then the largest
/// unit that keeps the number below 20,480, rounded half away from zero.
fn size_pretty(mut size: i64) -> String {
    // (name, limit, rounds, bits)
    const UNITS: [(&str, i64, bool, u32); 6] = [
        ("bytes", 10 * 1024, false, 0),
        ("kB", 20 * 1024 - 1, true, 10),
        ("MB", 20 * 1024 - 1, true, 20),
        ("GB", 20 * 1024 - 1, true, 30),
        ("TB", 20 * 1024 - 1, true, 40),
        ("PB", 20 * 1024 - 1, true, 50),
    ];
    for (i, &(name, limit, round, bits)) in UNITS.iter().enumerate() {
        let Some(&(_, _, next_round, next_bits)) = UNITS.get(i + 1).filter(|_| size.unsigned_abs() >= limit as u64) else {
            if round {
                size = (size + if size < 0 { -1 } else { 1 }) / 2;
            }
            return format!("{size} {name}");
        };
        let shift = next_bits - bits - u32::from(next_round) + u32::from(round);
        size /= 1i64 << shift;
    }
    unreachable!("the last unit always answers")
}

pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let immutable = Volatility::Immutable;
    let stable = Volatility::Stable;
    let list_of = |item: DataType| Field::new("", DataType::List(Arc::new(Field::new_list_field(item, true))), true);
    vec![
        row_function(handle, "array_lower", &[2], int_field(), immutable, |_, args| Ok(bound(args, false))),
        row_function(handle, "array_upper", &[2], int_field(), immutable, |_, args| Ok(bound(args, true))),
        row_function(handle, "parse_ident", &[1, 2], list_of(DataType::Utf8), immutable, |_, args| {
            let Some(text) = text_arg(&args[0]) else { return Ok(v::null()) };
            let parts: Vec<ScalarValue> = name_parts(&text).iter().map(|p| v::text(p)).collect();
            Ok(ScalarValue::List(ScalarValue::new_list_nullable(&parts, &DataType::Utf8)))
        }),
        row_function(handle, "format", &[1, 2, 3, 4, 5, 6], text_field(), stable, |_, args| super::format::format(args)),
        row_function(handle, "quote_literal", &[1], text_field(), immutable, |_, args| {
            Ok(text_arg(&args[0]).map_or(v::null(), |t| v::text(&super::format::quote_literal(&t))))
        }),
        row_function(handle, "quote_nullable", &[1], text_field(), immutable, |_, args| {
            Ok(v::text(&text_arg(&args[0]).map_or_else(|| "NULL".to_string(), |t| super::format::quote_literal(&t))))
        }),
        row_function(handle, "num_nulls", &[1, 2, 3, 4, 5, 6, 7, 8], int_field(), immutable, |_, args| {
            Ok(v::int4(args.iter().filter(|a| a.is_null()).count() as i32))
        }),
        row_function(handle, "num_nonnulls", &[1, 2, 3, 4, 5, 6, 7, 8], int_field(), immutable, |_, args| {
            Ok(v::int4(args.iter().filter(|a| !a.is_null()).count() as i32))
        }),
        row_function(handle, "pg_size_pretty", &[1], text_field(), immutable, |_, args| {
            Ok(int_arg(&args[0]).map_or(v::null(), |size| v::text(&size_pretty(size))))
        }),
        row_function(handle, "pg_get_serial_sequence", &[2], text_field(), stable, |cx, args| {
            // Shale has no sequences: a column never owns one. The table must exist.
            let Some(table) = text_arg(&args[0]) else { return Ok(v::null()) };
            match reg_lookup(cx.snapshot()?, RegKind::Class, &table)? {
                Some(_) => Ok(v::null()),
                None => Err(CatalogError::undefined_table(&table)),
            }
        }),
        row_function(handle, "pg_collation_is_visible", &[1], Field::new("", DataType::Boolean, true), stable, |_, args| {
            Ok(match super::row_function::oid_arg(&args[0])? {
                Some(100 | 950 | 951) => v::boolean(true),
                _ => v::null(),
            })
        }),
        row_function(handle, "pg_relation_size", &[1, 2], int8_field(), Volatility::Volatile, |cx, args| relation_size(cx, args, Size::Relation)),
        row_function(handle, "pg_table_size", &[1], int8_field(), Volatility::Volatile, |cx, args| relation_size(cx, args, Size::Relation)),
        row_function(handle, "pg_total_relation_size", &[1], int8_field(), Volatility::Volatile, |cx, args| relation_size(cx, args, Size::Total)),
        row_function(handle, "pg_indexes_size", &[1], int8_field(), Volatility::Volatile, |cx, args| relation_size(cx, args, Size::Indexes)),
        // Shale keeps no statistics (see pg_stat_user_tables).
        row_function(handle, "pg_stat_get_numscans", &[1], int8_field(), stable, |_, _| Ok(v::int8(0))),
        // Shale has no partitioned tables.
        row_function(handle, "pg_get_partkeydef", &[1], text_field(), stable, |_, _| Ok(v::null())),
        row_function(handle, "shale_like_escape", &[2], text_field(), immutable, |_, args| like_escape(args)),
        row_function(handle, "shale_subscripts", &[2], list_of(DataType::Int32), immutable, |_, args| {
            // The subscripts of an array, from `base`: 0 for int2vector and oidvector.
            let (Some(n), Some(base)) = (array_len(&args[0]), int_arg(&args[1])) else { return Ok(v::null()) };
            let subscripts: Vec<ScalarValue> = (0..n).map(|i| v::int4((base + i as i64) as i32)).collect();
            Ok(ScalarValue::List(ScalarValue::new_list_nullable(&subscripts, &DataType::Int32)))
        }),
        row_function(handle, "shale_expand_keys", &[1], list_of(DataType::Struct(expanded_key_fields())), immutable, |_, args| expand_keys(args)),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_are_written_as_postgresql_writes_them() {
        // SELECT pg_size_pretty(n) in PostgreSQL 15.
        let cases = [
            (0, "0 bytes"),
            (10239, "10239 bytes"),
            (10240, "10 kB"),
            (-10240, "-10 kB"),
            (20971007, "20 MB"),
            (20971520, "20 MB"),
            (1_000_000_000_000, "931 GB"),
            (i64::MAX, "8192 PB"),
        ];
        for (n, text) in cases {
            assert_eq!(super::size_pretty(n), text, "{n}");
        }
    }

    use super::*;

    #[test]
    fn like_escape_as_postgres() {
        let t = |s: &str| v::text(s);
        assert_eq!(like_escape(&[t("a/%b\\c%"), t("/")]).unwrap(), t("a\\%b\\\\c%"));
    }
}
