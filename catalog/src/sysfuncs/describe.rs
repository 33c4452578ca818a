//! The functions that describe catalog objects as SQL: `format_type`, `pg_get_expr`,
//! `pg_get_indexdef`, `pg_get_viewdef`, `pg_get_constraintdef`, `pg_get_userbyid`, and the visibility
//! tests `pg_table_is_visible` / `pg_type_is_visible` / `pg_function_is_visible`.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::error::CatalogError;
use crate::session::handle::SessionHandle;
use crate::ident::{qualified, quote_ident};
use crate::oid;
use crate::system::column as v;
use crate::system::{DATABASE_OWNER, DATABASE_OWNER_OID, SUPERUSER_OID, Snapshot, builtin_proc, builtin_type, constraint_def, foreign_key_def, index_column_def, index_def};
use shale_pgtypes::types::{SqlType, TYPE_KEY};

use super::reg::{RegKind, reg_lookup, reg_out};
use super::row_function::{bool_arg, int_arg, oid_arg, row_function, text_arg};

/// `format_type(oid, typmod)`: the SQL name of a type with its modifier, as PostgreSQL
/// prints it; `None` for no such type.
pub(crate) fn format_type(s: &Snapshot, oid: u32, typmod: Option<i32>) -> Option<String> {
    // bpchar: `character` when the modifier is unknown (NULL), its internal name when
    // there is none (-1).
    match typmod {
        None if oid == SqlType::Char(1).type_oid() => return Some("character".to_string()),
        Some(m) if m < 0 && oid == SqlType::Char(1).type_oid() => return Some("bpchar".to_string()),
        _ => {}
    }
    let typmod = typmod.unwrap_or(-1);
    if let Some(ty) = SqlType::from_oid(oid, typmod) {
        return Some(ty.pg_name());
    }
    if let Some(t) = builtin_type(|t| t.oid == oid) {
        return Some(match (t.category, t.element) {
            ('A', element) if element != 0 && t.name.starts_with('_') => format!("{}[]", format_type(s, element, Some(typmod))?),
            _ if t.name == "char" => "\"char\"".to_string(),
            _ => t.name.to_string(),
        });
    }
    if let Some(t) = s.types.iter().find(|t| t.desc.oid() == oid || t.desc.array_oid() == oid) {
        // Qualified unless the search path finds it first by its name.
        let name = match s.type_is_visible(t) {
            true => quote_ident(&t.desc.name),
            false => qualified(&t.schema, &t.desc.name),
        };
        return Some(if t.desc.oid() == oid { name } else { format!("{name}[]") });
    }
    s.tables.iter().find_map(|t| {
        let name = || match s.search_path.first() == Some(&t.schema) {
            true => quote_ident(&t.table.name),
            false => qualified(&t.schema, &t.table.name),
        };
        if oid::row_type_oid(t.table.id) == oid {
            Some(name())
        } else if oid::row_array_type_oid(t.table.id) == oid {
            Some(format!("{}[]", name()))
        } else {
            None
        }
    })
}

fn text_field() -> Field {
    Field::new("", DataType::Utf8, true)
}

fn bool_field() -> Field {
    Field::new("", DataType::Boolean, true)
}

/// Whether the table `oid` is found first by its name on the search path.
fn table_is_visible(s: &Snapshot, oid: u32) -> Option<bool> {
    let relations = s.relations();
    let (_, name, _) = relations.iter().find(|r| r.2 == oid)?;
    let first = s.search_path.iter().find_map(|p| relations.iter().find(|(nsp, n, _)| nsp == p && n == name));
    Some(first.is_some_and(|r| r.2 == oid))
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let stable = Volatility::Stable;
    vec![
        row_function(handle, "format_type", &[2], text_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            let typmod = int_arg(&args[1]).map(|m| m as i32);
            Ok(v::text(&format_type(cx.snapshot()?, oid, typmod).unwrap_or_else(|| "???".to_string())))
        }),
        // Shale keeps expressions (`adbin`, ...) as their SQL text.
        row_function(handle, "pg_get_expr", &[2, 3], text_field(), stable, |_, args| Ok(v::opt_text(text_arg(&args[0]).as_deref()))),
        row_function(handle, "pg_get_indexdef", &[1, 3], text_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            let s = cx.snapshot()?;
            let Some(index) = s.index_of(oid).filter(|i| i.oid == oid) else { return Ok(v::null()) };
            let pretty = args.get(2).and_then(bool_arg) == Some(true);
            // With a column number: that column's name (key or INCLUDE), empty past the last.
            if let Some(n) = args.get(1).and_then(int_arg).filter(|n| *n > 0) {
                let n = usize::try_from(n - 1).unwrap_or(usize::MAX);
                let def = match (index.columns.get(n), index.include.get(n.wrapping_sub(index.columns.len()))) {
                    (Some(column), _) => index_column_def(&index, column, pretty),
                    (None, Some(&slot)) => quote_ident(index.table.column_name(slot)),
                    (None, None) => String::new(),
                };
                return Ok(v::text(&def));
            }
            // Pretty: the table named as the search path finds it.
            let table = match pretty {
                true => reg_out(s, RegKind::Class, index.table.oid()),
                false => qualified(&index.table.schema, &index.table.table.name),
            };
            Ok(v::text(&index_def(&index, &table, pretty)))
        }),
        // By OID, or by name (the older form).
        row_function(handle, "pg_get_viewdef", &[1, 2], text_field(), stable, |cx, args| {
            let s = cx.snapshot()?;
            let oid = match &args[0] {
                ScalarValue::Utf8(Some(name)) | ScalarValue::LargeUtf8(Some(name)) | ScalarValue::Utf8View(Some(name)) => {
                    reg_lookup(s, RegKind::Class, name)?
                        .ok_or_else(|| CatalogError::undefined_table(name))?
                }
                other => match oid_arg(other)? {
                    Some(oid) => oid,
                    None => return Ok(v::null()),
                },
            };
            let view = s.views.iter().find(|w| w.oid() == oid).map(|w| w.definition());
            let materialized = || s.tables.iter().find(|t| t.oid() == oid).and_then(|t| t.definition());
            Ok(v::opt_text(view.or_else(materialized).as_deref()))
        }),
        row_function(handle, "pg_get_constraintdef", &[1, 2], text_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            let s = cx.snapshot()?;
            // A foreign key names its referenced table as the search path finds it.
            if let Some(key) = s.foreign_key(oid) {
                return Ok(v::text(&foreign_key_def(&key, &reg_out(s, RegKind::Class, key.parent_oid()))));
            }
            if let Some((table, check)) = s.check(oid) {
                let pretty = args.get(1).and_then(bool_arg).unwrap_or(false);
                return Ok(v::text(&check.definition(&table.table, pretty)));
            }
            let index = s.index_of(oid).filter(|i| i.constraint.is_some_and(|(_, c)| c == oid));
            Ok(v::opt_text(index.and_then(|i| constraint_def(&i)).as_deref()))
        }),
        row_function(handle, "pg_get_userbyid", &[1], name_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            Ok(match oid {
                SUPERUSER_OID => v::text(&cx.handle.identity().user),
                DATABASE_OWNER_OID => v::text(DATABASE_OWNER),
                other => v::text(&format!("unknown (OID={other})")),
            })
        }),
        row_function(handle, "pg_table_is_visible", &[1], bool_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            Ok(table_is_visible(cx.snapshot()?, oid).map_or(v::null(), v::boolean))
        }),
        row_function(handle, "pg_type_is_visible", &[1], bool_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            if builtin_type(|t| t.oid == oid).is_some() {
                return Ok(v::boolean(true));
            }
            let s = cx.snapshot()?;
            if let Some(t) = s.types.iter().find(|t| [t.desc.oid(), t.desc.array_oid()].contains(&oid)) {
                return Ok(v::boolean(s.type_is_visible(t)));
            }
            let table = s.tables.iter().find(|t| [oid::row_type_oid(t.table.id), oid::row_array_type_oid(t.table.id)].contains(&oid));
            Ok(table.map_or(v::null(), |t| table_is_visible(s, t.oid()).map_or(v::null(), v::boolean)))
        }),
        row_function(handle, "pg_function_is_visible", &[1], bool_field(), stable, |_, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            Ok(crate::system::builtin_proc_name(oid).map_or(v::null(), |_| v::boolean(true)))
        }),
        // Shale has no extended statistics, publications or partitions; these answer
        // for the (empty) catalogs psql's \d joins them with.
        row_function(handle, "pg_get_statisticsobjdef_columns", &[1], text_field(), stable, |_, _| Ok(v::null())),
        row_function(handle, "pg_relation_is_publishable", &[1], bool_field(), stable, |_, _| Ok(v::boolean(false))),
        row_function(handle, "pg_get_triggerdef", &[1, 2], text_field(), stable, |_, _| Ok(v::null())),
        row_function(handle, "pg_get_function_arguments", &[1], text_field(), stable, function_arguments),
        row_function(handle, "pg_get_function_identity_arguments", &[1], text_field(), stable, function_arguments),
        row_function(handle, "pg_get_function_result", &[1], text_field(), stable, |cx, args| {
            let Some(proc) = oid_arg(&args[0])?.and_then(builtin_proc) else { return Ok(v::null()) };
            Ok(v::opt_text(format_type(cx.snapshot()?, proc.result, Some(-1)).as_deref()))
        }),
        row_function(handle, UNSUPPORTED, &[1], text_list_field(), stable, |_, args| {
            Err(CatalogError::unsupported(text_arg(&args[0]).unwrap_or_default()))
        }),
        row_function(handle, "pg_is_other_temp_schema", &[1], bool_field(), stable, |cx, args| {
            let s = cx.snapshot()?;
            let Some(namespace) = oid_arg(&args[0])? else { return Ok(v::null()) };
            Ok(v::boolean(s.persistence(namespace) == 't' && s.temp_namespace() != Some(namespace)))
        }),
        row_function(handle, "pg_my_temp_schema", &[0], crate::system::Column::Oid.field(""), stable, |cx, _| {
            Ok(v::oid(cx.snapshot()?.temp_namespace().unwrap_or(0)))
        }),
    ]
}

/// `pg_get_function_arguments`: a function's argument types, as SQL.
fn function_arguments(cx: &super::row_function::Context<'_>, args: &[datafusion::common::ScalarValue]) -> crate::error::Result<datafusion::common::ScalarValue> {
    let Some(proc) = oid_arg(&args[0])?.and_then(builtin_proc) else { return Ok(v::null()) };
    let s = cx.snapshot()?;
    let types: Vec<String> = proc.args.iter().map(|a| format_type(s, *a, Some(-1)).unwrap_or_else(|| "???".into())).collect();
    Ok(v::text(&types.join(", ")))
}

/// The function failing with 0A000 that rewritten queries call where Shale cannot
/// compute what they ask (it returns `text[]` in their types).
pub const UNSUPPORTED: &str = "shale_unsupported";

fn text_list_field() -> Field {
    Field::new("", DataType::List(std::sync::Arc::new(Field::new_list_field(DataType::Utf8, true))), true)
}

/// A `name` field.
pub(super) fn name_field() -> Field {
    Field::new("", DataType::Utf8, true).with_metadata([(TYPE_KEY.to_string(), "name".to_string())].into_iter().collect())
}
