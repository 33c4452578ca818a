//! Name resolution against storage: schema-qualified names, and unqualified names through
//! the session's search path, exactly as PostgreSQL looks them up.

use datafusion::sql::sqlparser::ast::{self, Ident, ObjectName, ObjectNamePart};
use shale_pgtypes::types::SqlType;
use shale_storage::Txn;

use crate::descriptor::{SchemaDesc, SequenceDesc, TableDesc, TypeDesc, ViewDesc};
use crate::error::{CatalogError, Result, sqlstate};
use crate::meta;
use crate::session::temp_slots::TEMP_ALIAS;

/// Where a session looks names up: its database and its search path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The id of the session's database, under which its schemas are stored.
    pub database_id: u64,
    /// The database's name: a three-part name must name it.
    pub database: String,
    /// The schemas of `search_path`, in order (`pg_temp` there is the session's temporary
    /// schema once it has one).
    pub search_path: Vec<String>,
    /// The session's temporary schema (`pg_temp_N`), once it was given one: searched first
    /// for relations and types unless `search_path` places it.
    pub temp_schema: Option<String>,
}

impl Scope {
    /// Splits `[database.][schema.]name` like [`split_name`]; a database other than this
    /// scope's is 0A000, as in PostgreSQL.
    pub fn split(&self, name: &ObjectName) -> Result<(Option<String>, String)> {
        if let [ObjectNamePart::Identifier(database), _, _] = name.0.as_slice()
            && normalize(database) != self.database
        {
            return Err(CatalogError::new(sqlstate::FEATURE_NOT_SUPPORTED, format!(
                "cross-database references are not implemented: \"{name}\""
            )));
        }
        split_name(name)
    }

    /// The name of the schema `id` of this scope's database.
    pub fn schema_name(&self, txn: &Txn, id: u64) -> Result<String> {
        let schemas = meta::list_schemas(txn, self.database_id)?;
        schemas.into_iter().find(|s| s.id == id).map(|s| s.name).ok_or_else(|| CatalogError::internal(format!("no schema has id {id}")))
    }

    /// The schema named `name` of this scope's database, if it exists (`pg_temp` is the
    /// session's temporary schema).
    pub fn get_schema(&self, txn: &Txn, name: &str) -> Result<Option<SchemaDesc>> {
        match (name, &self.temp_schema) {
            (TEMP_ALIAS, Some(temp)) => meta::get_schema(txn, self.database_id, temp),
            (TEMP_ALIAS, None) => Ok(None),
            _ => meta::get_schema(txn, self.database_id, name),
        }
    }

    /// The schemas unqualified names of relations and types are looked up in, in order:
    /// the temporary schema first unless `search_path` places it, as in PostgreSQL.
    pub fn lookup_path(&self) -> impl Iterator<Item = &String> {
        let implicit = self.temp_schema.as_ref().filter(|t| !self.search_path.contains(t));
        implicit.into_iter().chain(&self.search_path)
    }

    /// The schemas an object is looked for in: the one named, else those of
    /// [`Scope::lookup_path`].
    pub fn candidates(&self, schema: Option<&str>) -> Vec<String> {
        match schema {
            Some(s) => vec![s.to_string()],
            None => self.lookup_path().cloned().collect(),
        }
    }

    /// Whether `schema` names the session's own temporary schema (`pg_temp` or its
    /// `pg_temp_N`).
    pub fn is_own_temp(&self, schema: &str) -> bool {
        schema == TEMP_ALIAS || self.temp_schema.as_deref() == Some(schema)
    }
}

/// A table found by name, with the schema it was found in.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The owning schema.
    pub schema: SchemaDesc,
    /// The table.
    pub table: TableDesc,
}

/// An identifier as PostgreSQL folds it: unquoted names are lower-cased.
pub fn normalize(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// Splits `[database.][schema.]name` into the optional schema and the name.
pub fn split_name(name: &ObjectName) -> Result<(Option<String>, String)> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(ident) => Ok(normalize(ident)),
            other => Err(CatalogError::unsupported(format!("name part {other}"))),
        })
        .collect::<Result<_>>()?;
    match parts.as_slice() {
        [name] => Ok((None, name.clone())),
        [schema, name] | [_, schema, name] => Ok((Some(schema.clone()), name.clone())),
        _ => Err(CatalogError::new(
            sqlstate::SYNTAX_ERROR,
            format!("improper qualified name (too many dotted names): {name}"),
        )),
    }
}

/// The schema named `name`, or 3F000.
pub fn schema(txn: &Txn, scope: &Scope, name: &str) -> Result<SchemaDesc> {
    scope.get_schema(txn, name)?.ok_or_else(|| CatalogError::undefined_schema(name))
}

/// Finds a table: in the named schema, or else in the first schema of the search path that
/// has it. `Ok(None)` when there is none.
pub fn find_table(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<Option<Resolved>> {
    Ok(find_object(txn, scope, name, meta::get_table)?.map(|(schema, table)| Resolved { schema, table }))
}

/// Finds a view, as [`find_table`] finds a table.
pub fn find_view(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<Option<(SchemaDesc, ViewDesc)>> {
    find_object(txn, scope, name, meta::get_view)
}

/// Finds a type made with CREATE TYPE, read with `get` (plain, share-locked or locked for
/// update), as [`find_table`] finds a table.
pub fn find_type(
    txn: &Txn,
    scope: &Scope,
    name: &ObjectName,
    get: impl Fn(&Txn, u64, &str) -> Result<Option<TypeDesc>>,
) -> Result<Option<TypeDesc>> {
    Ok(find_object(txn, scope, name, get)?.map(|(_, desc)| desc))
}

/// The type of a column declared `data_type`: a built-in type, or an enum type made with
/// CREATE TYPE, share-locked so that it is not dropped while the column is being made.
pub fn column_type(txn: &Txn, scope: &Scope, data_type: &ast::DataType) -> Result<SqlType> {
    value_type(txn, scope, data_type, meta::get_type_shared)
}

/// The type named `data_type`: a built-in type, or an enum type made with CREATE TYPE (read
/// with `get`).
pub fn value_type(
    txn: &Txn,
    scope: &Scope,
    data_type: &ast::DataType,
    get: impl Fn(&Txn, u64, &str) -> Result<Option<TypeDesc>>,
) -> Result<SqlType> {
    let missing = match SqlType::from_ast(data_type) {
        Err(e) if e.code == sqlstate::UNDEFINED_OBJECT => e,
        other => return Ok(other?),
    };
    let (name, array) = match data_type {
        ast::DataType::Custom(name, modifiers) if modifiers.is_empty() => (name, false),
        ast::DataType::Array(
            ast::ArrayElemTypeDef::SquareBracket(element, _) | ast::ArrayElemTypeDef::AngleBracket(element),
        ) => match element.as_ref() {
            ast::DataType::Custom(name, modifiers) if modifiers.is_empty() => (name, true),
            _ => return Err(missing.into()),
        },
        _ => return Err(missing.into()),
    };
    let found = find_type(txn, scope, name, get)?.ok_or(missing)?;
    if array {
        return Err(CatalogError::unsupported(format!("arrays of enum types ({}[])", found.name)));
    }
    Ok(SqlType::Enum(found.enum_type()))
}

/// Finds an unqualified table name through the search path.
pub fn find_in_path(txn: &Txn, scope: &Scope, name: &str) -> Result<Option<Resolved>> {
    Ok(in_path(txn, scope, name, meta::get_table)?.map(|(schema, table)| Resolved { schema, table }))
}

/// Finds an object that `get` reads by schema and name: in the named schema (3F000 when it
/// does not exist), or else through the search path.
fn find_object<T>(
    txn: &Txn,
    scope: &Scope,
    name: &ObjectName,
    get: impl Fn(&Txn, u64, &str) -> Result<Option<T>>,
) -> Result<Option<(SchemaDesc, T)>> {
    let (schema_name, object) = scope.split(name)?;
    match schema_name {
        Some(s) if s == TEMP_ALIAS && scope.temp_schema.is_none() => Ok(None),
        Some(s) => {
            let schema = schema(txn, scope, &s)?;
            Ok(get(txn, schema.id, &object)?.map(|o| (schema, o)))
        }
        None => in_path(txn, scope, &object, get),
    }
}

/// The first object named `name` that `get` finds in the schemas of the search path.
pub fn in_path<T>(
    txn: &Txn,
    scope: &Scope,
    name: &str,
    get: impl Fn(&Txn, u64, &str) -> Result<Option<T>>,
) -> Result<Option<(SchemaDesc, T)>> {
    for s in scope.lookup_path() {
        if let Some(schema) = scope.get_schema(txn, s)?
            && let Some(found) = get(txn, schema.id, name)?
        {
            return Ok(Some((schema, found)));
        }
    }
    Ok(None)
}

/// Finds a sequence: in the named schema, or else in the first schema of the search path
/// that has it. `Ok(None)` when there is none (or no such schema).
pub fn sequence(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<Option<SequenceDesc>> {
    let (schema_name, sequence_name) = scope.split(name)?;
    for s in scope.candidates(schema_name.as_deref()) {
        if let Some(schema) = scope.get_schema(txn, &s)?
            && let Some(sequence) = meta::get_sequence(txn, schema.id, &sequence_name)?
        {
            return Ok(Some(sequence));
        }
    }
    Ok(None)
}

/// Like [`find_table`], but 42P01 when the table does not exist.
pub fn table(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<Resolved> {
    find_table(txn, scope, name)?.ok_or_else(|| CatalogError::undefined_table(&display(name)))
}

/// The schema a new object named `name` is created in: the named one, or the first schema
/// of the search path that exists (3F000 when none does).
pub fn creation_schema(txn: &Txn, scope: &Scope, name: &ObjectName) -> Result<(SchemaDesc, String)> {
    let (schema_name, object) = scope.split(name)?;
    if let Some(s) = schema_name {
        return Ok((schema(txn, scope, &s)?, object));
    }
    for s in &scope.search_path {
        if let Some(schema) = scope.get_schema(txn, s)? {
            return Ok((schema, object));
        }
    }
    Err(CatalogError::new(sqlstate::UNDEFINED_SCHEMA, "no schema has been selected to create in"))
}

/// The first schema of the search path that exists (what `current_schema()` returns).
pub fn current_schema(txn: &Txn, scope: &Scope) -> Result<Option<String>> {
    for s in &scope.search_path {
        if scope.get_schema(txn, s)?.is_some() {
            return Ok(Some(s.clone()));
        }
    }
    Ok(None)
}

/// A name as PostgreSQL prints it in messages (`schema.table` or `table`).
pub fn display(name: &ObjectName) -> String {
    match split_name(name) {
        Ok((Some(s), n)) => format!("{s}.{n}"),
        Ok((None, n)) => n,
        Err(_) => name.to_string(),
    }
}
