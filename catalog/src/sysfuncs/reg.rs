//! The object identifier types `regclass`, `regtype`, `regproc`, `regnamespace` and
//! `regrole`: an OID that reads and prints as the object's name. A cast to one of them
//! calls `shale_reg_in(kind, value)`; the server prints their values in text with
//! [`reg_out`].

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{ScalarUDF, Volatility};

use crate::error::{CatalogError, Result, sqlstate};
use crate::session::handle::SessionHandle;
use crate::ident::{qualified, quote_ident};
use crate::system::column as v;
use crate::system::{Snapshot, builtin_type, builtin_proc_by_name, builtin_proc_name, system_relation_oid, INFORMATION_SCHEMA, PG_CATALOG, SUPERUSER_OID, PG_CATALOG_OID, INFORMATION_SCHEMA_OID};
use shale_pgtypes::types::{SqlType, TYPE_KEY};

use super::row_function::{oid_arg, row_function, text_arg};

/// An object identifier type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegKind {
    Class,
    Type,
    Proc,
    Namespace,
    Role,
}

impl RegKind {
    /// The kind named `name` (`regclass`, ...).
    pub fn named(name: &str) -> Option<RegKind> {
        Some(match name {
            "regclass" => RegKind::Class,
            "regtype" => RegKind::Type,
            "regproc" | "regprocedure" => RegKind::Proc,
            "regnamespace" => RegKind::Namespace,
            "regrole" => RegKind::Role,
            _ => return None,
        })
    }

    /// The type's name, also the [`TYPE_KEY`] tag of its values.
    pub fn name(self) -> &'static str {
        match self {
            RegKind::Class => "regclass",
            RegKind::Type => "regtype",
            RegKind::Proc => "regproc",
            RegKind::Namespace => "regnamespace",
            RegKind::Role => "regrole",
        }
    }

    /// Every kind.
    pub const ALL: [RegKind; 5] = [RegKind::Class, RegKind::Type, RegKind::Proc, RegKind::Namespace, RegKind::Role];

    /// The function a cast to this type calls.
    pub fn input_function(self) -> &'static str {
        match self {
            RegKind::Class => "shale_regclass_in",
            RegKind::Type => "shale_regtype_in",
            RegKind::Proc => "shale_regproc_in",
            RegKind::Namespace => "shale_regnamespace_in",
            RegKind::Role => "shale_regrole_in",
        }
    }

    /// `to_regclass` and its kin: the name's OID, or NULL.
    fn lookup_function(self) -> &'static str {
        match self {
            RegKind::Class => "to_regclass",
            RegKind::Type => "to_regtype",
            RegKind::Proc => "to_regproc",
            RegKind::Namespace => "to_regnamespace",
            RegKind::Role => "to_regrole",
        }
    }

    /// A field of this type.
    pub fn field(self, name: &str) -> Field {
        Field::new(name, DataType::UInt32, true)
            .with_metadata([(TYPE_KEY.to_string(), self.name().to_string())].into_iter().collect())
    }
}

/// The parts of a possibly qualified, possibly quoted name (`public."My Table"`), folded
/// as PostgreSQL folds unquoted identifiers.
pub(crate) fn name_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.trim().chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                current.push('"');
            }
            ('"', true) => quoted = false,
            ('.', false) => parts.push(std::mem::take(&mut current)),
            (c, true) => current.push(c),
            (c, false) => current.extend(c.to_lowercase()),
        }
    }
    parts.push(current);
    parts
}

fn undefined(kind: RegKind, text: &str) -> CatalogError {
    match kind {
        RegKind::Class => CatalogError::new(sqlstate::UNDEFINED_TABLE, format!("relation \"{text}\" does not exist")),
        RegKind::Type => CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("type \"{text}\" does not exist")),
        RegKind::Proc => CatalogError::new(sqlstate::UNDEFINED_FUNCTION, format!("function \"{text}\" does not exist")),
        RegKind::Namespace => CatalogError::new(sqlstate::UNDEFINED_SCHEMA, format!("schema \"{text}\" does not exist")),
        RegKind::Role => CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("role \"{text}\" does not exist")),
    }
}

/// The OID `text` names as a `kind` (a number is taken as the OID itself); `None` when
/// nothing has that name.
pub(crate) fn reg_lookup(s: &Snapshot, kind: RegKind, text: &str) -> Result<Option<u32>> {
    if let Ok(oid) = text.trim().parse::<u32>() {
        return Ok(Some(oid));
    }
    let parts = name_parts(text);
    let (schema, name) = match parts.as_slice() {
        [name] => (None, name.as_str()),
        [schema, name] => (Some(schema.as_str()), name.as_str()),
        [_, schema, name] => (Some(schema.as_str()), name.as_str()),
        _ => return Ok(None),
    };
    Ok(match kind {
        RegKind::Class => {
            let relations = s.relations();
            let in_schema = |schema: &str| relations.iter().find(|(nsp, relname, _)| *nsp == schema && relname == name).map(|r| r.2);
            match schema {
                Some(schema) if schema == PG_CATALOG => system_relation_oid(name),
                Some(schema) => in_schema(schema),
                None => system_relation_oid(name).or_else(|| s.search_path.iter().find_map(|p| in_schema(p))),
            }
        }
        RegKind::Type => type_oid(s, schema, name, text),
        RegKind::Proc => builtin_proc_by_name(name),
        RegKind::Namespace => match name {
            PG_CATALOG => Some(PG_CATALOG_OID),
            INFORMATION_SCHEMA => Some(INFORMATION_SCHEMA_OID),
            name => s.namespace_oid(name),
        },
        RegKind::Role => (name == s.user()).then_some(SUPERUSER_OID),
    })
}

/// The OID of the type `text` names: a built-in type by its SQL or internal name, a type
/// made with CREATE TYPE, or a table's row type.
fn type_oid(s: &Snapshot, schema: Option<&str>, name: &str, text: &str) -> Option<u32> {
    let sql = text.trim().strip_prefix("pg_catalog.").unwrap_or(text.trim());
    let parsed = shale_pgtypes::sql::parse_data_type(sql).ok().and_then(|t| SqlType::from_ast(&t).ok());
    if let Some(ty) = parsed {
        return Some(ty.type_oid());
    }
    if schema.is_none_or(|s| s == PG_CATALOG) {
        if let Some(t) = builtin_type(|t| t.name == name) {
            return Some(t.oid);
        }
    }
    let in_scope = |type_schema: &str| match schema {
        Some(sc) => sc == type_schema,
        None => s.search_path.iter().any(|p| p == type_schema),
    };
    if let Some(t) = s.types.iter().find(|t| t.desc.name == name && in_scope(&t.schema)) {
        return Some(t.desc.oid());
    }
    s.tables
        .iter()
        .find(|t| t.table.name == name && schema.is_none_or(|sc| sc == t.schema))
        .map(|t| crate::oid::row_type_oid(t.table.id))
}

/// How `oid` prints as a `kind`: the object's name, qualified when the search path would
/// not find it; the number itself when there is no such object.
pub(crate) fn reg_out(s: &Snapshot, kind: RegKind, oid: u32) -> String {
    let name = match kind {
        RegKind::Class => {
            let relations = s.relations();
            relations.iter().find(|r| r.2 == oid).map(|(schema, name, _)| {
                let first = s.search_path.iter().find_map(|p| relations.iter().find(|(nsp, n, _)| nsp == p && n == name));
                match first.is_some_and(|r| r.2 == oid) {
                    true => quote_ident(name),
                    false => qualified(schema, name),
                }
            })
        }
        RegKind::Type => super::describe::format_type(s, oid, None),
        RegKind::Proc => builtin_proc_name(oid).map(str::to_string),
        RegKind::Namespace => match oid {
            PG_CATALOG_OID => Some(PG_CATALOG.to_string()),
            INFORMATION_SCHEMA_OID => Some(INFORMATION_SCHEMA.to_string()),
            oid => s.schemas.iter().find(|sc| crate::oid::namespace_oid(sc.id, &sc.name) == oid).map(|sc| quote_ident(&sc.name)),
        },
        RegKind::Role => (oid == SUPERUSER_OID).then(|| s.user().to_string()),
    };
    match (name, oid) {
        (Some(name), _) => name,
        (None, 0) if kind == RegKind::Class || kind == RegKind::Type || kind == RegKind::Proc => "-".to_string(),
        (None, oid) => oid.to_string(),
    }
}

/// How the OIDs in `oids` print as `kind`s, as the session sees the catalog (`None`
/// stays NULL).
pub fn reg_names(handle: &SessionHandle, kind: RegKind, oids: &[Option<u32>]) -> Result<Vec<Option<String>>> {
    let snapshot = Snapshot::load(handle)?;
    Ok(oids.iter().map(|oid| oid.map(|oid| reg_out(&snapshot, kind, oid))).collect())
}

/// The functions behind the casts and `to_regclass`/`to_regtype`.
pub(super) fn functions(handle: &SessionHandle) -> Vec<ScalarUDF> {
    let mut functions = Vec::new();
    for kind in RegKind::ALL {
        // shale_regclass_in(value): the cast; an unknown name is an error.
        functions.push(row_function(handle, kind.input_function(), &[1], kind.field(""), Volatility::Stable, move |cx, args| {
            let value = match &args[0] {
                ScalarValue::Utf8(Some(text)) | ScalarValue::Utf8View(Some(text)) | ScalarValue::LargeUtf8(Some(text)) => text.clone(),
                other => return Ok(oid_arg(other)?.map_or(v::null(), v::oid)),
            };
            let oid = reg_lookup(cx.snapshot()?, kind, &value)?.ok_or_else(|| undefined(kind, &value))?;
            Ok(v::oid(oid))
        }));
        // to_regclass(text): NULL for an unknown name.
        functions.push(row_function(handle, kind.lookup_function(), &[1], kind.field(""), Volatility::Stable, move |cx, args| {
            let Some(text) = text_arg(&args[0]) else { return Ok(v::null()) };
            // Only names: to_regclass('123') is NULL unless a relation is named "123".
            if text.trim().parse::<u32>().is_ok() {
                return Ok(v::null());
            }
            Ok(reg_lookup(cx.snapshot()?, kind, &text)?.map_or(v::null(), v::oid))
        }));
    }
    // shale_reg_text('regclass', oid): a reg value cast to text prints its name.
    functions.push(row_function(handle, REG_TEXT, &[2], Field::new("", DataType::Utf8, true), Volatility::Stable, |cx, args| {
        let kind = text_arg(&args[0])
            .and_then(|k| RegKind::named(&k))
            .ok_or_else(|| CatalogError::internal(format!("{REG_TEXT} without a kind")))?;
        Ok(match oid_arg(&args[1])? {
            Some(oid) => v::text(&reg_out(cx.snapshot()?, kind, oid)),
            None => v::null(),
        })
    }));
    functions
}

/// The function printing a reg value as text: `shale_reg_text('regclass', oid)`.
pub const REG_TEXT: &str = "shale_reg_text";
