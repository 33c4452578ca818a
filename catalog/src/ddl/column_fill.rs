//! A column added with a default that differs from row to row (`serial`, identity,
//! `random()`, `gen_random_uuid()`, ...): PostgreSQL evaluates it for each row the table
//! has and rewrites the table, and so does Shale, in the statement's transaction, the
//! table's descriptor locked (ALTER TABLE holds it).

use datafusion::execution::session_state::SessionState;
use shale_storage::{DatumRef, Space, Txn, encode_row};

use crate::access::cascaded::Defaults;
use crate::access::index;
use crate::descriptor::TableDesc;
use crate::error::Result;

/// Gives the column in `slot` of `table` (just added, so no stored row has it) its
/// default in every row, evaluated once per row in key order.
pub(super) fn fill(state: &SessionState, txn: &Txn, table: &TableDesc, slot: usize) -> Result<()> {
    let defaults = Defaults::new(state, table, &[slot])?;
    index::for_each_latest(txn, &shale_storage::KeyRange::prefix(&table.row_prefix()), |key, value| {
        let mut slots = index::stored_slots(table, value)?;
        slots[slot] = defaults.values()?.remove(0);
        let refs: Vec<DatumRef> = slots.iter().map(|d| d.as_ref()).collect();
        let mut bytes = Vec::with_capacity(value.len() + 16);
        encode_row(&refs, &mut bytes)?;
        txn.put(Space::Data, key, &bytes)?;
        Ok(std::ops::ControlFlow::Continue(()))
    })
}
