//! `DISCARD TEMP | SEQUENCES | PLANS | ALL`: what a connection pool sends before it hands a
//! connection to another client.

use datafusion::sql::sqlparser::ast::DiscardObject;
use shale_catalog::session::blocking::blocking;
use shale_catalog::{CatalogError, ddl, sqlstate};

use crate::session::Session;
use crate::session::outcome::Outcome;
use crate::sql::constants::Shapes;

impl Session {
    /// Drops the session's temporary objects (TEMP), forgets what its sequences gave it
    /// (SEQUENCES) or the plans of the statements it ran (PLANS); ALL does these, resets
    /// every setting and releases its advisory locks, outside a transaction block only
    /// (the connection's prepared statements are the protocol's: see `handler`).
    pub(crate) fn discard(&mut self, what: DiscardObject) -> Result<Outcome, CatalogError> {
        match what {
            DiscardObject::TEMP => blocking(|| ddl::discard_temp(&self.handle))?,
            DiscardObject::SEQUENCES => self.handle.forget_sequence_values(),
            DiscardObject::PLANS => self.shapes = Shapes::default(),
            DiscardObject::ALL => {
                if self.open.is_some() {
                    return Err(CatalogError::new(sqlstate::ACTIVE_SQL_TRANSACTION, "DISCARD ALL cannot run inside a transaction block"));
                }
                self.handle.with_settings(|s| s.reset_all());
                shale_catalog::sysfuncs::advisory::unlock_all(self.handle.identity().pid);
                self.shapes = Shapes::default();
                self.handle.forget_sequence_values();
                blocking(|| ddl::discard_temp(&self.handle))?;
            }
        }
        Ok(Outcome::command(format!("DISCARD {what}")))
    }
}
