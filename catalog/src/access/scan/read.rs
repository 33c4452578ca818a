//! Reading a scan's rows from storage a batch at a time: the keys, ranges or index entries
//! of its key plan, in either direction, decoded into Arrow batches of its outputs.

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shale_storage::{Datum, Direction, Kind, Space, Txn, decode_row};

use super::Output;
use crate::access::convert::ColumnBuilder;
use shale_pgtypes::types::SqlType;
use crate::access::pushdown::KeyPlan;
use crate::descriptor::TableDesc;
use crate::error::{CatalogError, Result};
use crate::session::interrupt::Interrupt;

/// Decodes stored rows into batches of the scan's outputs.
pub(super) struct RowReader {
    schema: SchemaRef,
    kinds: Vec<Kind>,
    outputs: Vec<Output>,
    /// For each slot, the output column it feeds.
    slot_to_output: Vec<Option<usize>>,
    /// For each output, the value of rows stored before its column was added.
    missing: Vec<Option<Datum>>,
    /// For each output, the type of the column it reads (none for the row key).
    types: Vec<Option<SqlType>>,
}

impl RowReader {
    pub(super) fn new(desc: &TableDesc, outputs: &[Output], schema: SchemaRef) -> Result<Self> {
        let kinds = desc.kinds();
        let mut slot_to_output = vec![None; desc.columns.len()];
        let mut missing = Vec::with_capacity(outputs.len());
        for (i, out) in outputs.iter().enumerate() {
            let mut value = None;
            if let Output::Slot(slot) = out {
                slot_to_output[*slot] = Some(i);
                if let Some(bytes) = &desc.columns[*slot].missing {
                    let kind = [kinds[*slot]];
                    decode_row(bytes, &kind, |_, v| value = v.map(|v| v.to_owned()))?;
                }
            }
            missing.push(value);
        }
        let types = outputs
            .iter()
            .map(|out| match out {
                Output::Slot(slot) => Some(desc.columns[*slot].ty.clone()),
                Output::Key => None,
            })
            .collect();
        Ok(RowReader { schema, kinds, outputs: outputs.to_vec(), slot_to_output, missing, types })
    }

    fn batch(&self, rows: &[(Vec<u8>, Vec<u8>)]) -> Result<RecordBatch> {
        let mut builders = self
            .schema
            .fields()
            .iter()
            .zip(&self.types)
            .map(|(f, ty)| match ty {
                Some(ty) => ColumnBuilder::for_column(ty, rows.len()),
                None => ColumnBuilder::new(f.data_type(), rows.len()),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut filled = vec![false; self.outputs.len()];
        for (key, value) in rows {
            filled.iter_mut().for_each(|f| *f = false);
            let mut failure = None;
            decode_row(value, &self.kinds, |slot, v| {
                if let Some(out) = self.slot_to_output.get(slot).copied().flatten() {
                    filled[out] = true;
                    if let Err(e) = builders[out].append(v) {
                        failure.get_or_insert(e);
                    }
                }
            })?;
            if let Some(e) = failure {
                return Err(e);
            }
            for (out, output) in self.outputs.iter().enumerate() {
                match output {
                    Output::Key => builders[out].append(Some(shale_storage::DatumRef::Bytes(key)))?,
                    Output::Slot(_) if !filled[out] => {
                        builders[out].append(self.missing[out].as_ref().map(Datum::as_ref))?
                    }
                    Output::Slot(_) => {}
                }
            }
        }
        let columns = builders.iter_mut().map(ColumnBuilder::finish).collect::<Result<_>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
        RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| CatalogError::internal(e.to_string()))
    }
}

/// Iterates over the batches of a scan, reading storage a chunk at a time.
pub(super) struct BatchIter {
    txn: Arc<Txn>,
    /// Checked at every batch, so a canceled statement stops reading.
    interrupt: Arc<Interrupt>,
    reader: RowReader,
    /// The keys or ranges in the order they are read.
    plan: KeyPlan,
    /// Which way each range is read.
    direction: Direction,
    /// The key or range the scan is at.
    position: usize,
    /// The last key read in the current range.
    past: Option<Vec<u8>>,
    done: bool,
    remaining: usize,
    /// How many rows the next batch reads at most: [`FIRST_BATCH`] at first, doubling up
    /// to `batch_size`.
    next_batch: usize,
    batch_size: usize,
}

/// The size of a scan's first batch. A LIMIT above a filter stops the scan only between
/// batches: a small first batch keeps `WHERE ... ORDER BY ... LIMIT 20` from reading
/// thousands of rows, and doubling soon reaches the session's batch size for long scans.
const FIRST_BATCH: usize = 64;

impl BatchIter {
    /// The batches of (at most `limit`) rows `plan` selects, read in `direction`: going
    /// backward, its keys or ranges in reverse order, each range read backward.
    pub(super) fn new(
        txn: Arc<Txn>,
        interrupt: Arc<Interrupt>,
        reader: RowReader,
        plan: KeyPlan,
        direction: Direction,
        limit: Option<usize>,
        batch_size: usize,
    ) -> Self {
        let plan = match direction {
            Direction::Forward => plan,
            Direction::Backward => reversed(plan),
        };
        BatchIter {
            txn,
            interrupt,
            reader,
            plan,
            direction,
            position: 0,
            past: None,
            done: false,
            remaining: limit.unwrap_or(usize::MAX),
            next_batch: FIRST_BATCH.min(batch_size).max(1),
            batch_size: batch_size.max(1),
        }
    }

    fn next_rows(&mut self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let want = self.next_batch.min(self.remaining);
        self.next_batch = (self.next_batch * 2).min(self.batch_size);
        match &self.plan {
            KeyPlan::Points(keys) => {
                let keys: Vec<Vec<u8>> = keys.iter().skip(self.position).take(want).cloned().collect();
                self.position += keys.len();
                self.done = self.position >= self.plan_len();
                let mut rows = Vec::with_capacity(keys.len());
                for key in keys {
                    if let Some(value) = self.txn.get(Space::Data, &key)? {
                        rows.push((key, value));
                    }
                }
                Ok(rows)
            }
            KeyPlan::Ranges(_) => self.read_ranges(want),
            KeyPlan::Index { .. } => {
                let entries = self.read_ranges(want)?;
                let mut rows = Vec::with_capacity(entries.len());
                for (_, row_key) in entries {
                    // An entry is written with its row, in the same transaction.
                    let row = self.txn.get(Space::Data, &row_key)?.ok_or_else(|| CatalogError::internal("an index entry without its row"))?;
                    rows.push((row_key, row));
                }
                Ok(rows)
            }
        }
    }

    /// How many keys or ranges the plan has.
    fn plan_len(&self) -> usize {
        match &self.plan {
            KeyPlan::Points(keys) => keys.len(),
            KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. } => ranges.len(),
        }
    }

    /// Up to `want` pairs from the plan's ranges, going on from where the last call ended.
    fn read_ranges(&mut self, want: usize) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let (KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. }) = &self.plan else { return Ok(Vec::new()) };
        let ranges = ranges.clone();
        let mut out = Vec::new();
        while out.len() < want && self.position < ranges.len() {
            let range = &ranges[self.position];
            let rows = self.txn.scan_directed(Space::Data, range, self.direction, self.past.as_deref(), want - out.len())?;
            match rows.len() < want - out.len() {
                // This range is done: the next one starts afresh.
                true => {
                    self.position += 1;
                    self.past = None;
                }
                false => self.past = rows.last().map(|(k, _)| k.clone()),
            }
            out.extend(rows);
        }
        self.done = self.position >= ranges.len();
        Ok(out)
    }
}

/// `plan` with its keys or ranges in reverse order.
fn reversed(mut plan: KeyPlan) -> KeyPlan {
    match &mut plan {
        KeyPlan::Points(keys) => keys.reverse(),
        KeyPlan::Ranges(ranges) | KeyPlan::Index { ranges, .. } => ranges.reverse(),
    }
    plan
}

impl Iterator for BatchIter {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        // A batch of keys none of which has a row reads nothing: the next keys may.
        while !self.done && self.remaining > 0 {
            match self.interrupt.check().and_then(|()| self.next_rows()) {
                Ok(rows) if rows.is_empty() => {}
                Ok(rows) => {
                    self.remaining = self.remaining.saturating_sub(rows.len());
                    return Some(self.reader.batch(&rows));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}
