//! `SET CONSTRAINTS { ALL | name [, ...] } { DEFERRED | IMMEDIATE }`: when the open
//! transaction checks its deferrable foreign keys (`shale_catalog::access::deferred`).
//! Outside a transaction (block, or a message's implicit one) it only warns (25P01), after
//! checking the names, as PostgreSQL does.

use datafusion::sql::sqlparser::ast::ObjectName;
use shale_catalog::access::deferred::{Deferred, set_constraints};
use shale_catalog::session::blocking::blocking;
use shale_catalog::{CatalogError, resolve, sqlstate};

use super::Session;
use crate::session::outcome::{Notice, Outcome};

impl Session {
    /// SET CONSTRAINTS: `constraints` `None` is ALL.
    pub(crate) fn set_constraints(&mut self, constraints: Option<&[ObjectName]>, deferred: bool) -> Result<Outcome, CatalogError> {
        let names = constraints.map(|c| c.iter().map(resolve::split_name).collect::<Result<Vec<_>, _>>()).transpose()?;
        self.open_implicit();
        let own_txn = self.planning_txn();
        let scope = self.handle.scope();
        let warning = own_txn.is_some().then(|| {
            Notice::warning(sqlstate::NO_ACTIVE_SQL_TRANSACTION, "SET CONSTRAINTS can only be used in transaction blocks")
        });
        let result = self.handle.txn().and_then(|txn| match own_txn.is_some() {
            true => set_constraints(&txn, &scope, &mut Deferred::default(), names.as_deref(), deferred),
            false => {
                let mut queue = self.handle.with_deferred(std::mem::take);
                let result = blocking(|| set_constraints(&txn, &scope, &mut queue, names.as_deref(), deferred));
                self.handle.with_deferred(|d| *d = queue);
                result
            }
        });
        self.end_planning_txn(own_txn);
        match result {
            Ok(()) => Ok(Outcome { notices: warning.into_iter().collect(), ..Outcome::command("SET CONSTRAINTS") }),
            Err(e) => {
                self.pending.extend(warning);
                Err(e)
            }
        }
    }
}
