//! CREATE DATABASE and DROP DATABASE. A database is a name in storage under which its
//! schemas are kept (`meta`): creating one writes it and its `public` schema; dropping one
//! removes its schemas with everything in them. Every database lives in the same store.

use std::time::{Duration, Instant};

use datafusion::sql::sqlparser::ast::{Expr, ObjectName, SqlOption, Value};
use shale_storage::Store;

use super::{DdlContext, DdlOutcome};
use crate::descriptor::DatabaseDesc;
use crate::error::{CatalogError, Result, sqlstate};
use crate::session::activity;
use crate::{meta, resolve};

/// How long DROP DATABASE waits for the other sessions of the database to leave, as
/// PostgreSQL does, before it gives up with 55006.
const DROP_WAIT: Duration = Duration::from_secs(5);

/// The database a session named at startup: 3D000 when there is none, 55000 when it takes
/// no connections (`template0`).
pub fn database_for_connection(store: &Store, name: &str) -> Result<DatabaseDesc> {
    let txn = store.begin();
    let desc = meta::get_database(&txn, name)?
        .ok_or_else(|| CatalogError::new(sqlstate::UNDEFINED_DATABASE, format!("database \"{name}\" does not exist")))?;
    if !desc.allow_connections {
        return Err(CatalogError::new("55000", format!("database \"{name}\" is not currently accepting connections")));
    }
    Ok(desc)
}

/// `CREATE DATABASE name [WITH] option ...`; `in_block`: whether it runs in a transaction
/// block (25001, as in PostgreSQL). `IF NOT EXISTS` is Shale's (PostgreSQL has none): a
/// NOTICE when the database exists.
pub fn create_database(
    ctx: &DdlContext<'_>,
    name: &ObjectName,
    if_not_exists: bool,
    options: &[SqlOption],
    in_block: bool,
) -> Result<DdlOutcome> {
    if in_block {
        return Err(CatalogError::new("25001", "CREATE DATABASE cannot run inside a transaction block"));
    }
    let name = database_name(name)?;
    let txn = ctx.handle.txn()?;
    let options = CreateOptions::read(ctx, &txn, options)?;
    let mut outcome = DdlOutcome::new("CREATE DATABASE");
    if meta::get_database_for_update(&txn, &name)?.is_some() {
        let message = format!("database \"{name}\" already exists");
        if if_not_exists {
            outcome.notice(sqlstate::DUPLICATE_DATABASE, format!("{message}, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::DUPLICATE_DATABASE, message));
    }
    let id = meta::allocate(&txn, meta::DATABASE_IDS, 1)?;
    let desc = DatabaseDesc {
        connection_limit: options.connection_limit,
        ..DatabaseDesc::new(id, &name, options.allow_connections, options.is_template)
    };
    meta::put_database(&txn, &desc)?;
    meta::create_public_schema(&txn, id)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// `DROP DATABASE [IF EXISTS] name`: not the session's own, not a template, and only once
/// its other sessions have left (waiting for them up to [`DROP_WAIT`]), each 55006 or
/// 42809 as in PostgreSQL.
pub fn drop_database(ctx: &DdlContext<'_>, names: &[ObjectName], if_exists: bool, in_block: bool) -> Result<DdlOutcome> {
    let [name] = names else {
        return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "syntax error at or near \",\""));
    };
    if in_block {
        return Err(CatalogError::new("25001", "DROP DATABASE cannot run inside a transaction block"));
    }
    let name = database_name(name)?;
    let txn = ctx.handle.txn()?;
    let mut outcome = DdlOutcome::new("DROP DATABASE");
    let Some(desc) = meta::get_database_for_update(&txn, &name)? else {
        let message = format!("database \"{name}\" does not exist");
        if if_exists {
            outcome.notice("00000", format!("{message}, skipping"));
            return Ok(outcome);
        }
        return Err(CatalogError::new(sqlstate::UNDEFINED_DATABASE, message));
    };
    if desc.id == ctx.handle.identity().database_id {
        return Err(CatalogError::new(sqlstate::OBJECT_IN_USE, "cannot drop the currently open database"));
    }
    if desc.is_template {
        return Err(CatalogError::new(sqlstate::WRONG_OBJECT_TYPE, "cannot drop a template database"));
    }
    wait_for_sessions_to_leave(ctx, &desc)?;
    for schema in meta::list_schemas(&txn, desc.id)? {
        let tables = meta::list_tables(&txn, schema.id)?;
        let sequences = meta::list_sequences(&txn, schema.id)?;
        super::drop::remove_schema(&txn, desc.id, &schema, &tables, &sequences)?;
    }
    for extension in meta::list_extensions(&txn, desc.id)? {
        meta::delete_extension(&txn, desc.id, &extension.name)?;
    }
    meta::delete_database(&txn, &name)?;
    meta::bump_version(&txn)?;
    Ok(outcome)
}

/// Waits until no other session is connected to `desc`, up to [`DROP_WAIT`]; 55006 then.
fn wait_for_sessions_to_leave(ctx: &DdlContext<'_>, desc: &DatabaseDesc) -> Result<()> {
    let deadline = Instant::now() + DROP_WAIT;
    loop {
        let others = activity::all().iter().filter(|s| s.identity().database_id == desc.id).count();
        if others == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let detail = match others {
                1 => "There is 1 other session using the database.".to_string(),
                n => format!("There are {n} other sessions using the database."),
            };
            return Err(CatalogError::new(sqlstate::OBJECT_IN_USE, format!("database \"{}\" is being accessed by other users", desc.name))
                .with_detail(detail));
        }
        ctx.handle.interrupt().check()?;
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A database's name: one identifier, folded as PostgreSQL folds it.
fn database_name(name: &ObjectName) -> Result<String> {
    match resolve::split_name(name)? {
        (None, name) => Ok(name),
        (Some(_), _) => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("syntax error at or near \".\" in database name {name}"))),
    }
}

/// What CREATE DATABASE's options ask for.
struct CreateOptions {
    connection_limit: i32,
    allow_connections: bool,
    is_template: bool,
}

impl CreateOptions {
    /// Reads and checks `options` as PostgreSQL's `createdb` does (42601 for an unknown or
    /// repeated one); what Shale cannot give (another encoding or collation, copying a
    /// database other than the empty templates) is 0A000.
    fn read(ctx: &DdlContext<'_>, txn: &shale_storage::Txn, options: &[SqlOption]) -> Result<Self> {
        let mut read = CreateOptions { connection_limit: -1, allow_connections: true, is_template: false };
        let mut seen = Vec::new();
        for option in options {
            let SqlOption::KeyValue { key, value } = option else {
                return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("syntax error at or near \"{option}\"")));
            };
            let name = key.value.as_str();
            if seen.contains(&name) {
                return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, "conflicting or redundant options"));
            }
            seen.push(name);
            let value = OptionValue::of(value);
            if value == OptionValue::Default {
                continue;
            }
            match name {
                "OWNER" => owner(ctx, &value.text())?,
                "TEMPLATE" => template(txn, &value.text())?,
                "ENCODING" => encoding(&value.text())?,
                "LOCALE" | "LC_COLLATE" | "LC_CTYPE" => locale(&value.text())?,
                "LOCALE_PROVIDER" if value.text().eq_ignore_ascii_case("libc") => {}
                "LOCALE_PROVIDER" | "ICU_LOCALE" | "COLLATION_VERSION" | "OID" => {
                    return Err(CatalogError::unsupported(format!("CREATE DATABASE ... {name} {}", value.text())));
                }
                "STRATEGY" => strategy(&value.text())?,
                "TABLESPACE" if value.text() == "pg_default" => {}
                "TABLESPACE" => {
                    return Err(CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("tablespace \"{}\" does not exist", value.text())));
                }
                "CONNECTION LIMIT" => read.connection_limit = connection_limit(&value)?,
                "ALLOW_CONNECTIONS" => read.allow_connections = boolean(name, &value)?,
                "IS_TEMPLATE" => read.is_template = boolean(name, &value)?,
                other => {
                    return Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("option \"{}\" not recognized", other.to_lowercase())));
                }
            }
        }
        Ok(read)
    }
}

/// An option's value as written.
#[derive(Debug, PartialEq)]
enum OptionValue {
    /// `DEFAULT`.
    Default,
    /// A name or a string.
    Text(String),
    /// A number, with its sign.
    Number(String),
    /// `true` or `false`.
    Boolean(bool),
}

impl OptionValue {
    fn of(expr: &Expr) -> Self {
        match expr {
            Expr::Identifier(ident) if ident.quote_style.is_none() && ident.value == "DEFAULT" => OptionValue::Default,
            Expr::Identifier(ident) => OptionValue::Text(resolve::normalize(ident)),
            Expr::Value(v) => match &v.value {
                Value::Boolean(b) => OptionValue::Boolean(*b),
                Value::Number(n, _) => OptionValue::Number(n.clone()),
                other => OptionValue::Text(other.clone().into_string().unwrap_or_else(|| other.to_string())),
            },
            other => OptionValue::Number(other.to_string().replace(' ', "")),
        }
    }

    /// The value as PostgreSQL's `defGetString` reads it.
    fn text(&self) -> String {
        match self {
            OptionValue::Default => "default".to_string(),
            OptionValue::Text(s) | OptionValue::Number(s) => s.clone(),
            OptionValue::Boolean(b) => b.to_string(),
        }
    }
}

/// OWNER: Shale has no roles yet besides the session's user, who owns what it creates.
fn owner(ctx: &DdlContext<'_>, role: &str) -> Result<()> {
    match role == ctx.handle.identity().user {
        true => Ok(()),
        false => Err(CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("role \"{role}\" does not exist"))),
    }
}

/// TEMPLATE: `template1` and `template0` (whose schemas are empty `public` ones); copying
/// another database is 0A000.
fn template(txn: &shale_storage::Txn, name: &str) -> Result<()> {
    match meta::get_database(txn, name)? {
        None => Err(CatalogError::new(sqlstate::UNDEFINED_DATABASE, format!("template database \"{name}\" does not exist"))),
        Some(_) if name == "template1" || name == "template0" => Ok(()),
        Some(_) => Err(CatalogError::unsupported(format!("CREATE DATABASE ... TEMPLATE {name} (copying a database other than template0 or template1)"))),
    }
}

/// ENCODING: UTF8 under any of PostgreSQL's spellings.
fn encoding(name: &str) -> Result<()> {
    let folded: String = name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    match folded.as_str() {
        "utf8" | "unicode" | "6" => Ok(()),
        _ => Err(CatalogError::unsupported(format!("encoding \"{name}\" (Shale stores text as UTF8)"))),
    }
}

/// LOCALE, LC_COLLATE, LC_CTYPE: Shale compares text by code point, as the C locales do.
fn locale(name: &str) -> Result<()> {
    match name {
        "C" | "POSIX" | "C.UTF-8" | "C.utf8" => Ok(()),
        _ => Err(CatalogError::unsupported(format!("locale \"{name}\" (Shale compares text as the C locale does)"))),
    }
}

/// STRATEGY: both of PostgreSQL's are accepted; an empty database is written either way.
fn strategy(name: &str) -> Result<()> {
    match name.to_lowercase().as_str() {
        "wal_log" | "file_copy" => Ok(()),
        _ => Err(CatalogError::new(sqlstate::INVALID_PARAMETER, format!("invalid create database strategy \"{name}\""))
            .with_hint("Valid strategies are \"wal_log\" and \"file_copy\".")),
    }
}

/// CONNECTION LIMIT: -1 (no limit) or more. Like PostgreSQL, the limit does not apply to
/// superusers, and every Shale session is one until roles exist.
fn connection_limit(value: &OptionValue) -> Result<i32> {
    let limit = match value {
        OptionValue::Number(n) => n.parse::<i32>().ok(),
        _ => None,
    };
    match limit {
        Some(n) if n >= -1 => Ok(n),
        Some(n) => Err(CatalogError::new(sqlstate::INVALID_PARAMETER, format!("invalid connection limit: {n}"))),
        None => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("connection limit requires an integer value: {}", value.text()))),
    }
}

/// A boolean option, as PostgreSQL's `defGetBoolean` reads it.
fn boolean(name: &str, value: &OptionValue) -> Result<bool> {
    match value {
        OptionValue::Boolean(b) => Ok(*b),
        other => match other.text().to_lowercase().as_str() {
            "true" | "on" | "1" => Ok(true),
            "false" | "off" | "0" => Ok(false),
            _ => Err(CatalogError::new(sqlstate::SYNTAX_ERROR, format!("{} requires a Boolean value", name.to_lowercase()))),
        },
    }
}
