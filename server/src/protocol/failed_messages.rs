//! Errors pgwire answers by itself (a malformed message, an unknown statement or portal)
//! fail the session's transaction block, as every error in a block does in PostgreSQL.
//! Errors of Shale's handlers have failed it already; failing twice changes nothing.

use pgwire::api::{ClientInfo, ErrorHandler};
use pgwire::error::PgWireError;

use crate::protocol::handler::{Handler, SharedSession};

impl ErrorHandler for Handler {
    fn on_error<C>(&self, client: &C, _error: &mut PgWireError)
    where
        C: ClientInfo,
    {
        // Called between messages, when no handler holds the session.
        if let Some(shared) = client.session_extensions().get::<SharedSession>() {
            if let Ok(mut session) = shared.try_lock() {
                session.fail();
            }
        }
    }
}
