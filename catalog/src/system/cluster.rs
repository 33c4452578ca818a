//! The catalogs of the cluster: the database, roles, settings, sessions and tablespaces.

use crate::session::activity::{self, State};
use crate::error::Result;
use crate::oid::database_oid;

use super::Column::*;
use super::column as v;
use super::{DATABASE_OWNER, DATABASE_OWNER_OID, Row, Rows, SUPERUSER_OID, Snapshot, TableDef};

/// `pg_default`, the tablespace of everything.
const DEFAULT_TABLESPACE_OID: u32 = 1663;

pub(super) const PG_DATABASE: TableDef = TableDef {
    name: "pg_database",
    columns: &[
        ("oid", Oid),
        ("datname", Name),
        ("datdba", Oid),
        ("encoding", Int4),
        ("datlocprovider", Char),
        ("datistemplate", Bool),
        ("datallowconn", Bool),
        ("datconnlimit", Int4),
        ("datfrozenxid", Xid),
        ("datminmxid", Xid),
        ("dattablespace", Oid),
        ("datcollate", Text),
        ("datctype", Text),
        ("daticulocale", Text),
        ("datcollversion", Text),
        ("datacl", Acl),
    ],
    rows: Rows::Of(|s| {
        Ok(s.databases.iter().map(|d| vec![
            v::oid(database_oid(d.id)),
            v::text(&d.name),
            v::oid(SUPERUSER_OID),
            v::int4(6),
            v::letter('c'),
            v::boolean(d.is_template),
            v::boolean(d.allow_connections),
            v::int4(d.connection_limit),
            v::xid(1),
            v::xid(1),
            v::oid(DEFAULT_TABLESPACE_OID),
            v::text("C"),
            v::text("C"),
            v::null(),
            v::null(),
            v::null(),
        ]).collect())
    }),
};


/// The session's user is a superuser with OID 10 (Shale has no roles of its own and lets
/// any user name connect); `pg_database_owner` stands for the owner of the database.
pub(super) const PG_ROLES: TableDef = TableDef {
    name: "pg_roles",
    columns: &[
        ("rolname", Name),
        ("rolsuper", Bool),
        ("rolinherit", Bool),
        ("rolcreaterole", Bool),
        ("rolcreatedb", Bool),
        ("rolcanlogin", Bool),
        ("rolreplication", Bool),
        ("rolconnlimit", Int4),
        ("rolpassword", Text),
        ("rolvaliduntil", Timestamptz),
        ("rolbypassrls", Bool),
        ("rolconfig", TextList),
        ("oid", Oid),
    ],
    rows: Rows::Of(|s| {
        let row = |name: &str, oid: u32, superuser: bool| {
            let mut row = vec![v::text(name), v::boolean(superuser), v::boolean(true)];
            row.extend((0..4).map(|_| v::boolean(superuser)));
            row.extend([v::int4(-1), v::text("********"), v::null(), v::boolean(superuser), v::null(), v::oid(oid)]);
            row
        };
        Ok(vec![row(s.user(), SUPERUSER_OID, true), row(DATABASE_OWNER, DATABASE_OWNER_OID, false)])
    }),
};

pub(super) const PG_USER: TableDef = TableDef {
    name: "pg_user",
    columns: &[
        ("usename", Name),
        ("usesysid", Oid),
        ("usecreatedb", Bool),
        ("usesuper", Bool),
        ("userepl", Bool),
        ("usebypassrls", Bool),
        ("passwd", Text),
        ("valuntil", Timestamptz),
        ("useconfig", TextList),
    ],
    rows: Rows::Of(|s| {
        let yes = || v::boolean(true);
        Ok(vec![vec![
            v::text(s.user()),
            v::oid(SUPERUSER_OID),
            yes(),
            yes(),
            yes(),
            yes(),
            v::text("********"),
            v::null(),
            v::null(),
        ]])
    }),
};

pub(super) const PG_AUTHID: TableDef = TableDef {
    name: "pg_authid",
    columns: &[
        ("oid", Oid),
        ("rolname", Name),
        ("rolsuper", Bool),
        ("rolinherit", Bool),
        ("rolcreaterole", Bool),
        ("rolcreatedb", Bool),
        ("rolcanlogin", Bool),
        ("rolreplication", Bool),
        ("rolbypassrls", Bool),
        ("rolconnlimit", Int4),
        ("rolpassword", Text),
        ("rolvaliduntil", Timestamptz),
    ],
    rows: Rows::Of(|s| {
        let row = |name: &str, oid: u32, superuser: bool| {
            let mut row = vec![v::oid(oid), v::text(name), v::boolean(superuser), v::boolean(true)];
            row.extend((0..5).map(|_| v::boolean(superuser)));
            row.extend([v::int4(-1), v::null(), v::null()]);
            row
        };
        Ok(vec![row(s.user(), SUPERUSER_OID, true), row(DATABASE_OWNER, DATABASE_OWNER_OID, false)])
    }),
};

/// Empty: the one role is a member of no other.
pub(super) const PG_AUTH_MEMBERS: TableDef = TableDef {
    name: "pg_auth_members",
    columns: &[("roleid", Oid), ("member", Oid), ("grantor", Oid), ("admin_option", Bool)],
    rows: Rows::Never,
};

pub(super) const PG_SETTINGS: TableDef = TableDef {
    name: "pg_settings",
    columns: &[
        ("name", Text),
        ("setting", Text),
        ("unit", Text),
        ("category", Text),
        ("short_desc", Text),
        ("extra_desc", Text),
        ("context", Text),
        ("vartype", Text),
        ("source", Text),
        ("min_val", Text),
        ("max_val", Text),
        ("enumvals", TextList),
        ("boot_val", Text),
        ("reset_val", Text),
        ("sourcefile", Text),
        ("sourceline", Int4),
        ("pending_restart", Bool),
    ],
    rows: Rows::Of(|s| {
        let rows = s.settings.iter().map(|(name, value)| {
            let mut row = vec![v::text(name), v::text(value)];
            row.extend((0..15).map(|_| v::null()));
            row[6] = v::text(crate::session::settings::Settings::context(name));
            row[16] = v::boolean(false);
            row
        });
        Ok(rows.collect())
    }),
};

pub(super) const PG_STAT_ACTIVITY: TableDef = TableDef {
    name: "pg_stat_activity",
    columns: &[
        ("datid", Oid),
        ("datname", Name),
        ("pid", Int4),
        ("leader_pid", Int4),
        ("usesysid", Oid),
        ("usename", Name),
        ("application_name", Text),
        ("client_addr", Text),
        ("client_hostname", Text),
        ("client_port", Int4),
        ("backend_start", Timestamptz),
        ("xact_start", Timestamptz),
        ("query_start", Timestamptz),
        ("state_change", Timestamptz),
        ("wait_event_type", Text),
        ("wait_event", Text),
        ("state", Text),
        ("backend_xid", Xid),
        ("backend_xmin", Xid),
        ("query_id", Int8),
        ("query", Text),
        ("backend_type", Text),
    ],
    rows: Rows::Of(stat_activity),
};

fn stat_activity(s: &Snapshot) -> Result<Vec<Row>> {
    // The scanning session is running this query; the others report what they last did.
    let sessions = match &s.handle {
        Some(_) => activity::all(),
        None => Vec::new(),
    };
    let rows = sessions.iter().map(|handle| {
        let id = handle.identity();
        let act = handle.activity();
        let application = handle.with_settings(|settings| settings.get("application_name").map(str::to_string).ok());
        let in_transaction = matches!(act.state, State::IdleInTransaction | State::IdleInFailedTransaction);
        vec![
            v::oid(database_oid(id.database_id)),
            v::text(&id.database),
            v::int4(id.pid),
            v::null(),
            v::oid(SUPERUSER_OID),
            v::text(&id.user),
            v::opt_text(application.as_deref()),
            v::opt_text(id.client.map(|a| a.ip().to_string()).as_deref()),
            v::null(),
            id.client.map_or(v::int4(-1), |a| v::int4(i32::from(a.port()))),
            v::timestamptz(Some(id.started)),
            v::timestamptz(if act.state == State::Active || in_transaction { act.query_start } else { None }),
            v::timestamptz(act.query_start),
            v::timestamptz(act.state_change),
            v::null(),
            v::null(),
            v::text(act.state.name()),
            v::null(),
            v::null(),
            v::null(),
            v::text(&act.query),
            v::text("client backend"),
        ]
    });
    Ok(rows.collect())
}

pub(super) const PG_TABLESPACE: TableDef = TableDef {
    name: "pg_tablespace",
    columns: &[("oid", Oid), ("spcname", Name), ("spcowner", Oid), ("spcacl", Acl), ("spcoptions", TextList)],
    rows: Rows::Of(|_| {
        let row = |oid: u32, name: &str| vec![v::oid(oid), v::text(name), v::oid(SUPERUSER_OID), v::null(), v::null()];
        Ok(vec![row(DEFAULT_TABLESPACE_OID, "pg_default"), row(1664, "pg_global")])
    }),
};

/// Empty: COMMENT ON DATABASE (and on roles, tablespaces) is not supported.
pub(super) const PG_SHDESCRIPTION: TableDef = TableDef {
    name: "pg_shdescription",
    columns: &[("objoid", Oid), ("classoid", Oid), ("description", Text)],
    rows: Rows::Never,
};

/// GSSAPI is not used on any connection: one row per session, unauthenticated.
pub(super) const PG_STAT_GSSAPI: TableDef = TableDef {
    name: "pg_stat_gssapi",
    columns: &[("pid", Int4), ("gss_authenticated", Bool), ("principal", Text), ("encrypted", Bool)],
    rows: Rows::Of(|s| {
        let sessions = if s.handle.is_some() { activity::all() } else { Vec::new() };
        let rows = sessions.iter().map(|h| vec![v::int4(h.identity().pid), v::boolean(false), v::null(), v::boolean(false)]);
        Ok(rows.collect())
    }),
};

/// The memory the sessions share: RocksDB's memtables and block cache, and what the cache
/// could still take (the row without a name, as PostgreSQL reports unused shared memory).
pub(super) const PG_SHMEM_ALLOCATIONS: TableDef = TableDef {
    name: "pg_shmem_allocations",
    columns: &[("name", Text), ("off", Int8), ("size", Int8), ("allocated_size", Int8)],
    rows: Rows::Of(|s| {
        let Some(handle) = &s.handle else { return Ok(Vec::new()) };
        let usage = handle.store().memory_usage();
        let unused = usage.cache_capacity.saturating_sub(usage.memtables + usage.block_cache);
        let row = |name: Option<&str>, bytes: usize| {
            let bytes = v::int8(i64::try_from(bytes).unwrap_or(i64::MAX));
            vec![v::opt_text(name), v::null(), bytes.clone(), bytes]
        };
        Ok(vec![
            row(Some("RocksDB memtables"), usage.memtables),
            row(Some("RocksDB block cache"), usage.block_cache),
            row(None, unused),
        ])
    }),
};

/// Empty: Shale has no security labels.
pub(super) const PG_SECLABELS: TableDef = TableDef {
    name: "pg_seclabels",
    columns: &[
        ("objoid", Oid),
        ("classoid", Oid),
        ("objsubid", Int4),
        ("objtype", Text),
        ("objnamespace", Oid),
        ("objname", Text),
        ("provider", Text),
        ("label", Text),
    ],
    rows: Rows::Never,
};
