//! The functions that report on (or change) the session: `current_schemas`,
//! `current_setting`, `set_config`, `pg_backend_pid`, `pg_encoding_to_char`, `quote_ident`,
//! the `has_*_privilege` family and the comment functions.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::error::{CatalogError, Result, sqlstate};
use crate::session::handle::SessionHandle;
use crate::ident::quote_ident;
use crate::system::column as v;
use crate::system::{PG_CATALOG, Snapshot, description, system_relation_oid};

use super::describe::name_field;
use super::reg::{RegKind, reg_lookup};
use super::row_function::{Context, bool_arg, int_arg, oid_arg, row_function, text_arg};

/// `pg_class`'s OID: a column's description is of a relation.
const PG_CLASS_OID: u32 = 1259;

fn text_field() -> Field {
    Field::new("", DataType::Utf8, true)
}

/// The privileges each `has_*_privilege` function accepts.
const PRIVILEGES: &[(&str, &[&str])] = &[
    ("has_table_privilege", &["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]),
    ("has_column_privilege", &["SELECT", "INSERT", "UPDATE", "REFERENCES"]),
    ("has_any_column_privilege", &["SELECT", "INSERT", "UPDATE", "REFERENCES"]),
    ("has_schema_privilege", &["CREATE", "USAGE"]),
    ("has_database_privilege", &["CREATE", "CONNECT", "TEMPORARY", "TEMP"]),
    ("has_function_privilege", &["EXECUTE"]),
    ("has_sequence_privilege", &["USAGE", "SELECT", "UPDATE"]),
    ("has_type_privilege", &["USAGE"]),
    ("has_language_privilege", &["USAGE"]),
    ("has_tablespace_privilege", &["CREATE"]),
    ("has_foreign_data_wrapper_privilege", &["USAGE"]),
    ("has_server_privilege", &["USAGE"]),
];

/// `has_*_privilege([user,] object [, column], privilege)`: the one role is a superuser and
/// has every privilege on every object; an unknown privilege is 22023, and a table or
/// schema named by text must exist.
fn privilege(function: &'static str, allowed: &'static [&'static str], cx: &Context<'_>, args: &[ScalarValue]) -> Result<ScalarValue> {
    let Some(wanted) = args.last().and_then(text_arg) else { return Ok(v::null()) };
    for part in wanted.split(',') {
        let part = part.trim().to_uppercase();
        let name = part.strip_suffix(" WITH GRANT OPTION").unwrap_or(&part).trim();
        if !allowed.contains(&name) {
            return Err(CatalogError::new(sqlstate::INVALID_PARAMETER, format!("unrecognized privilege type: \"{part}\"")));
        }
    }
    // The object is the argument before the privilege (and the column, for columns).
    let object_index = match function {
        "has_column_privilege" => args.len().checked_sub(3),
        _ => args.len().checked_sub(2),
    };
    let Some(object) = object_index.and_then(|i| args.get(i)) else { return Ok(v::null()) };
    let kind = match function {
        "has_table_privilege" | "has_column_privilege" | "has_any_column_privilege" | "has_sequence_privilege" => Some(RegKind::Class),
        "has_schema_privilege" => Some(RegKind::Namespace),
        _ => None,
    };
    match (kind, object) {
        (Some(kind), ScalarValue::Utf8(Some(name))) => {
            let found = reg_lookup(cx.snapshot()?, kind, name)?;
            match (found, kind) {
                (Some(_), _) => Ok(v::boolean(true)),
                (None, RegKind::Namespace) => Err(CatalogError::undefined_schema(name)),
                (None, _) => Err(CatalogError::undefined_table(name)),
            }
        }
        (_, object) if object.is_null() => Ok(v::null()),
        _ => Ok(v::boolean(true)),
    }
}

/// `current_schemas(include_implicit)`: the search path's schemas that exist, with
/// `pg_catalog` first when asked for.
fn current_schemas(s: &Snapshot, implicit: bool) -> ScalarValue {
    let mut names: Vec<ScalarValue> = Vec::new();
    // The temporary schema is searched first, then pg_catalog unless the path places them.
    let mut path = s.search_path.iter().peekable();
    let temp = path.next_if(|p| s.temp_schema.as_ref() == Some(*p) && !s.search_path[1..].contains(p));
    if implicit {
        names.extend(temp.filter(|t| s.schemas.iter().any(|schema| &schema.name == *t)).map(|t| v::text(t)));
        if !s.search_path.iter().any(|p| p == PG_CATALOG) {
            names.push(v::text(PG_CATALOG));
        }
    }
    for p in path {
        if p == PG_CATALOG || s.schemas.iter().any(|schema| &schema.name == p) {
            names.push(v::text(p));
        }
    }
    ScalarValue::List(ScalarValue::new_list_nullable(&names, &DataType::Utf8))
}

/// The functions of this module.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let stable = Volatility::Stable;
    let list = Field::new("", DataType::List(std::sync::Arc::new(Field::new_list_field(DataType::Utf8, true))), true);
    let mut functions = vec![
        row_function(handle, "current_schemas", &[1], list, stable, |cx, args| {
            Ok(current_schemas(cx.snapshot()?, bool_arg(&args[0]).unwrap_or(false)))
        }),
        row_function(handle, "current_setting", &[1, 2], text_field(), stable, |cx, args| {
            let Some(name) = text_arg(&args[0]) else { return Ok(v::null()) };
            let missing_ok = args.get(1).and_then(bool_arg).unwrap_or(false);
            match cx.handle.with_settings(|s| s.get(&name).map(str::to_string)) {
                Ok(value) => Ok(v::text(&value)),
                Err(_) if missing_ok => Ok(v::null()),
                Err(e) => Err(e),
            }
        }),
        row_function(handle, "set_config", &[3], text_field(), Volatility::Volatile, |cx, args| {
            let Some(name) = text_arg(&args[0]) else {
                return Err(CatalogError::new("22004", "SET requires parameter name"));
            };
            if bool_arg(&args[2]).unwrap_or(false) {
                return Err(CatalogError::unsupported("set_config with is_local = true (SET LOCAL)"));
            }
            let value = text_arg(&args[1]);
            cx.handle.with_settings(|s| {
                s.set(&name, value)?;
                s.get(&name).map(|value| v::text(value))
            })
        }),
        row_function(handle, "pg_backend_pid", &[0], Field::new("", DataType::Int32, true), stable, |cx, _| {
            Ok(v::int4(cx.handle.identity().pid))
        }),
        row_function(handle, "pg_encoding_to_char", &[1], name_field(), Volatility::Immutable, |_, args| {
            Ok(match int_arg(&args[0]) {
                Some(0) => v::text("SQL_ASCII"),
                Some(6) => v::text("UTF8"),
                Some(_) => v::text(""),
                None => v::null(),
            })
        }),
        row_function(handle, "quote_ident", &[1], text_field(), Volatility::Immutable, |_, args| {
            Ok(text_arg(&args[0]).map_or(v::null(), |name| v::text(&quote_ident(&name))))
        }),
        // Built-in objects' descriptions, and those COMMENT ON gave.
        row_function(handle, "obj_description", &[1, 2], text_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            let class = match args.get(1).and_then(text_arg) {
                Some(catalog) => match system_relation_oid(catalog.trim_start_matches("pg_catalog.")) {
                    Some(class) => Some(class),
                    None => return Ok(v::null()),
                },
                None => None,
            };
            if let Some(text) = description(oid, class) {
                return Ok(v::text(text));
            }
            Ok(v::opt_text(cx.comment(oid, class, 0)?.as_deref()))
        }),
        row_function(handle, "col_description", &[2], text_field(), stable, |cx, args| {
            let Some(oid) = oid_arg(&args[0])? else { return Ok(v::null()) };
            let Some(attnum) = int_arg(&args[1]) else { return Ok(v::null()) };
            let Ok(attnum) = i32::try_from(attnum) else { return Ok(v::null()) };
            Ok(v::opt_text(cx.comment(oid, Some(PG_CLASS_OID), attnum)?.as_deref()))
        }),
        row_function(handle, "shobj_description", &[2], text_field(), stable, |_, args| null_unless_valid_oid(&args[0])),
    ];
    for (name, allowed) in PRIVILEGES {
        let (name, allowed): (&'static str, &'static [&'static str]) = (name, allowed);
        functions.push(row_function(handle, name, &[2, 3, 4], Field::new("", DataType::Boolean, true), stable, move |cx, args| {
            privilege(name, allowed, cx, args)
        }));
    }
    functions
}

/// NULL, after checking that `oid` is an OID (22P02 otherwise).
fn null_unless_valid_oid(oid: &ScalarValue) -> Result<ScalarValue> {
    oid_arg(oid)?;
    Ok(v::null())
}
