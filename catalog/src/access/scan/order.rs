//! The order a scan's rows come in, declared to DataFusion so that an ORDER BY the rows
//! already have needs no sort (and a LIMIT above it stops the scan).

use std::sync::Arc;

use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::physical_expr::expressions::Column;
use datafusion::physical_expr::{PhysicalExpr, PhysicalSortExpr};
use shale_storage::Direction;

use super::Output;
use crate::access::convert::StorageKind;
use crate::access::pushdown::ScanKey;
use crate::descriptor::TableDesc;

/// The order the rows a scan reads by `key` come in when read in `direction`, as far as
/// the scan outputs its columns: by the columns of the primary key, or of the index, in
/// key order.
///
/// Storage sorts each key column ascending with NULL first (an index column's DESC and
/// NULLS FIRST are kept for the catalogs only: its entries are ascending too), so rows read
/// forward are ascending NULLS FIRST and rows read backward descending NULLS LAST. A NOT
/// NULL column's order is declared with PostgreSQL's default placement of NULLs instead
/// (ascending NULLS LAST, descending NULLS FIRST), which its rows satisfy as well. The
/// order ends before the first key column that is an expression, is not output, or has a
/// type whose stored order is not DataFusion's order. The key column at `nulls_last`, read
/// with its NULLs after its values ([`crate::access::pushdown::KeyAccess::nulls_last`]), is
/// in PostgreSQL's default placement too.
pub(super) fn key_ordering(
    desc: &TableDesc,
    outputs: &[Output],
    schema: &SchemaRef,
    key: &ScanKey,
    direction: Direction,
    nulls_last: Option<usize>,
) -> Vec<PhysicalSortExpr> {
    let descending = direction == Direction::Backward;
    let mut ordering = Vec::new();
    for (index, slot) in key_slots(desc, key).into_iter().enumerate() {
        let Some(slot) = slot else { break };
        let Some(position) = outputs.iter().position(|o| *o == Output::Slot(slot)) else { break };
        let column = &desc.columns[slot];
        if !column.ty.keys_sort_as_values() {
            break;
        }
        let expr: Arc<dyn PhysicalExpr> = Arc::new(Column::new(schema.field(position).name(), position));
        // Storage's NULLs come first forward, last backward; a NOT NULL column has none.
        let nulls_first = if column.not_null || nulls_last == Some(index) { descending } else { !descending };
        ordering.push(PhysicalSortExpr { expr, options: SortOptions { descending, nulls_first } });
    }
    ordering
}

/// Whether key column `position` of `key` is a column of the table that may hold NULL.
pub(super) fn nullable_at(desc: &TableDesc, key: &ScanKey, position: usize) -> bool {
    matches!(key_slots(desc, key).get(position), Some(Some(slot)) if !desc.columns[*slot].not_null)
}

/// The slots of `key`'s columns, `None` for an index's expression.
fn key_slots(desc: &TableDesc, key: &ScanKey) -> Vec<Option<usize>> {
    match key {
        ScanKey::Primary => desc.primary_key.iter().map(|&s| Some(s)).collect(),
        ScanKey::Index(name) => desc.index(name).map_or_else(Vec::new, |i| i.columns.iter().map(|c| c.slot).collect()),
    }
}
