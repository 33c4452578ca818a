//! `avg(numeric)` as PostgreSQL computes it: the sum divided by the count as numeric
//! division divides ([`super::divide`]), so the average of 1.0, 2.0 and 2.0 is
//! 1.6666666666666667, where DataFusion's (four more digits than the input's scale,
//! truncated) is 1.66666; the result is unconstrained numeric. DataFusion's `avg` still
//! does the accumulating (groups, merges, sliding window frames, DISTINCT): only its final
//! division is replaced, computed from the state it keeps (count and sum, or the distinct
//! values). The numeric quotients rule ([`super::quotients`]) puts this function in place
//! of DataFusion's `avg` wherever its argument is a numeric or an integer.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Decimal256Array, UInt64Array};
use datafusion::arrow::compute::kernels::cmp::eq;
use datafusion::arrow::compute::{cast, nullif};
use datafusion::arrow::datatypes::{DataType, Decimal256Type, Field, FieldRef, i256};
use datafusion::common::{Result, ScalarValue};
use datafusion::functions_aggregate::average::avg_udaf;
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, ReversedUDAF, Signature,
};

use super::divide::divide;
use super::special::is_decimal;
use crate::error::{PgError, sqlstate};
use crate::types::{SqlType, UNCONSTRAINED_NUMERIC_PRECISION};

/// Shale's `avg` of a numeric argument, in place of DataFusion's `avg`.
pub fn numeric_avg() -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(NumericAvg { inner: avg_udaf() }))
}

/// Whether `function` is `avg`, which a numeric argument takes [`numeric_avg`] for.
pub fn is_avg(function: &AggregateUDF) -> bool {
    function.name() == avg_udaf().name()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct NumericAvg {
    inner: Arc<AggregateUDF>,
}

impl NumericAvg {
    /// `args` as DataFusion's `avg` is called with them: with its own result type.
    fn inner_args<'a>(&self, args: &AccumulatorArgs<'a>) -> Result<AccumulatorArgs<'a>> {
        Ok(AccumulatorArgs { return_field: self.inner.return_field(args.expr_fields)?, ..args.clone() })
    }

    fn averages_numerics(args: &AccumulatorArgs) -> bool {
        args.expr_fields.first().is_some_and(|f| is_decimal(f.data_type()))
    }
}

impl AggregateUDFImpl for NumericAvg {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn aliases(&self) -> &[String] {
        self.inner.aliases()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args.first() {
            Some(t) if is_decimal(t) => Ok(SqlType::Numeric(None).arrow_type()),
            _ => self.inner.return_type(args),
        }
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let inner = self.inner.accumulator(self.inner_args(&args)?)?;
        Ok(match Self::averages_numerics(&args) {
            true => Box::new(Averaging { inner, distinct: args.is_distinct }),
            false => inner,
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        self.inner.state_fields(args)
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        self.inner_args(&args).is_ok_and(|inner| self.inner.groups_accumulator_supported(inner))
    }

    fn create_groups_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn GroupsAccumulator>> {
        let inner = self.inner.create_groups_accumulator(self.inner_args(&args)?)?;
        Ok(match Self::averages_numerics(&args) {
            true => Box::new(GroupsAveraging { inner }),
            false => inner,
        })
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }
}

/// DataFusion's accumulator, evaluated by dividing what it has summed.
#[derive(Debug)]
struct Averaging {
    inner: Box<dyn Accumulator>,
    distinct: bool,
}

impl Accumulator for Averaging {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.inner.update_batch(values)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let state = self.inner.state()?;
        let averages = match (self.distinct, state.as_slice()) {
            (true, [ScalarValue::List(values)]) => {
                let (sum, count) = sum_and_count(&values.value(0))?;
                average(&sum, &count)?
            }
            (false, [count, sum]) => average(&sum.to_array()?, &count.to_array()?)?,
            _ => return Err(PgError::internal("avg's state is not a count and a sum").into_datafusion()),
        };
        ScalarValue::try_from_array(&averages, 0)
    }

    fn size(&self) -> usize {
        self.inner.size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.inner.state()
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.inner.merge_batch(states)
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.inner.retract_batch(values)
    }

    fn supports_retract_batch(&self) -> bool {
        self.inner.supports_retract_batch()
    }
}

/// DataFusion's groups accumulator, evaluated by dividing what it has summed.
struct GroupsAveraging {
    inner: Box<dyn GroupsAccumulator>,
}

impl GroupsAccumulator for GroupsAveraging {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.inner.update_batch(values, group_indices, opt_filter, total_num_groups)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        match self.inner.state(emit_to)?.as_slice() {
            [counts, sums] => average(sums, counts),
            _ => Err(PgError::internal("avg's state is not counts and sums").into_datafusion()),
        }
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        self.inner.state(emit_to)
    }

    fn merge_batch(&mut self, values: &[ArrayRef], group_indices: &[usize], total_num_groups: usize) -> Result<()> {
        self.inner.merge_batch(values, group_indices, total_num_groups)
    }

    fn convert_to_state(&self, values: &[ArrayRef], opt_filter: Option<&BooleanArray>) -> Result<Vec<ArrayRef>> {
        self.inner.convert_to_state(values, opt_filter)
    }

    fn size(&self) -> usize {
        self.inner.size()
    }
}

/// Each sum divided by its count (decimals by a UInt64 count); NULL where the count is 0.
fn average(sums: &ArrayRef, counts: &ArrayRef) -> Result<ArrayRef> {
    let zero = UInt64Array::new_scalar(0);
    let counted = nullif(counts, &eq(counts, &zero)?)?;
    let sum_field = Field::new("sum", sums.data_type().clone(), true);
    let count_field = Field::new("count", counts.data_type().clone(), true);
    divide((sums, &sum_field), (&counted, &count_field)).map_err(PgError::into_datafusion)
}

/// The sum (a Decimal256 of the values' scale) and the count of distinct `values`.
fn sum_and_count(values: &ArrayRef) -> Result<(ArrayRef, ArrayRef)> {
    let scale = match values.data_type() {
        DataType::Decimal128(_, s) | DataType::Decimal256(_, s) => *s,
        _ => 0,
    };
    let wide = cast(values, &DataType::Decimal256(UNCONSTRAINED_NUMERIC_PRECISION, scale))?;
    let overflow = || PgError::new(sqlstate::OUT_OF_RANGE, "value overflows numeric format").into_datafusion();
    let add = |sum: i256, v: i256| sum.checked_add(v).ok_or_else(overflow);
    let sum = wide.as_primitive::<Decimal256Type>().iter().flatten().try_fold(i256::ZERO, add)?;
    let count = (wide.len() - wide.null_count()) as u64;
    let sum = Decimal256Array::from(vec![sum]).with_precision_and_scale(UNCONSTRAINED_NUMERIC_PRECISION, scale)?;
    Ok((Arc::new(sum), Arc::new(UInt64Array::from(vec![count]))))
}
