//! An interval times or divided by a number, as PostgreSQL's `interval_mul` and
//! `interval_div` compute it: months and days are scaled and truncated, and the fractions
//! cascade down (a month's fraction into days of 30, a day's into seconds), so that
//! `interval '1 mon 1 day' * 2.5` is `2 mons 17 days 12:00:00`. Arrow has no such kernel;
//! the patched datafusion-expr types the expression as an interval, and the analyzer rule
//! here, before DataFusion's type coercion, makes it a call of `shale_interval_mul` or
//! `shale_interval_div` with the number as a double precision, as in PostgreSQL.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, IntervalMonthDayNanoArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, IntervalMonthDayNano, IntervalMonthDayNanoType, IntervalUnit};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::Result;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, ExprSchemable, LogicalPlan, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility, cast,
};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
use crate::error::{PgError, sqlstate};

const DAYS_PER_MONTH: f64 = 30.0;
const SECONDS_PER_DAY: f64 = 86_400.0;

/// Plans `interval * number`, `number * interval` and `interval / number`.
#[derive(Debug, Default)]
pub struct IntervalScaling;

impl AnalyzerRule for IntervalScaling {
    fn name(&self) -> &str {
        "shale_interval_scaling"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| {
            e.transform_up(|e| {
                let Expr::BinaryExpr(BinaryExpr { left, op: op @ (Operator::Multiply | Operator::Divide), right }) = &e else {
                    return Ok(Transformed::no(e));
                };
                let interval = DataType::Interval(IntervalUnit::MonthDayNano);
                // Operands whose types are not known yet are left to type coercion.
                let (Ok(l), Ok(r)) = (left.get_type(schema), right.get_type(schema)) else { return Ok(Transformed::no(e)) };
                let number = |t: &DataType| t.is_numeric() || t.is_null();
                let (span, factor, divide) = match op {
                    Operator::Multiply if l == interval && number(&r) => (left, right, false),
                    Operator::Multiply if number(&l) && r == interval => (right, left, false),
                    Operator::Divide if l == interval && number(&r) => (left, right, true),
                    _ => return Ok(Transformed::no(e)),
                };
                let udf = ScalarUDF::new_from_impl(Scale { divide, signature: Signature::any(2, Volatility::Immutable) });
                let args = vec![span.as_ref().clone(), cast(factor.as_ref().clone(), DataType::Float64)];
                Ok(Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), args))))
            })
        })
    }
}

/// `shale_interval_mul(interval, factor)` or `shale_interval_div(interval, divisor)`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Scale {
    divide: bool,
    signature: Signature,
}

impl ScalarUDFImpl for Scale {
    fn name(&self) -> &str {
        if self.divide { "shale_interval_div" } else { "shale_interval_mul" }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Interval(IntervalUnit::MonthDayNano))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let spans = args.args[0].to_array(args.number_rows)?;
        let factors = args.args[1].to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(scale_all(&spans, &factors, self.divide)?))
    }
}

/// Each interval of `spans` scaled by the factor beside it.
fn scale_all(spans: &ArrayRef, factors: &ArrayRef, divide: bool) -> Result<ArrayRef> {
    let spans = spans.as_primitive::<IntervalMonthDayNanoType>();
    let factors = factors.as_primitive::<Float64Type>();
    let out: IntervalMonthDayNanoArray = spans
        .iter()
        .zip(factors.iter())
        .map(|(span, factor)| match (span, factor) {
            (Some(span), Some(factor)) => scale(span, factor, divide).map(Some),
            _ => Ok(None),
        })
        .collect::<std::result::Result<_, PgError>>()
        .map_err(PgError::into_datafusion)?;
    Ok(Arc::new(out))
}

/// PostgreSQL's `interval_mul` (`span * factor`) or `interval_div` (`span / factor`).
fn scale(span: IntervalMonthDayNano, factor: f64, divide: bool) -> std::result::Result<IntervalMonthDayNano, PgError> {
    if divide && factor == 0.0 {
        return Err(PgError::new(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let apply = |x: f64| if divide { x / factor } else { x * factor };
    let out_of_range = || PgError::new("22008", "interval out of range");
    let fits_i32 = |x: f64| !x.is_nan() && x >= f64::from(i32::MIN) && x < -f64::from(i32::MIN);
    let (months, days) = (apply(f64::from(span.months)), apply(f64::from(span.days)));
    if !fits_i32(months) || !fits_i32(days) {
        return Err(out_of_range());
    }
    let (whole_months, whole_days) = (months as i32, days as i32);
    let month_remainder_days = round_to_micros((months - f64::from(whole_months)) * DAYS_PER_MONTH);
    let mut second_remainder =
        round_to_micros((days - f64::from(whole_days) + month_remainder_days - month_remainder_days.trunc()) * SECONDS_PER_DAY);
    let mut day = i64::from(whole_days);
    // 24:00:00 from rounding, or more from the cascade, carries into days.
    if second_remainder.abs() >= SECONDS_PER_DAY {
        let carried = (second_remainder / SECONDS_PER_DAY).trunc();
        day += carried as i64;
        second_remainder -= carried * SECONDS_PER_DAY;
    }
    day += month_remainder_days as i64;
    let micros = (apply(span.nanoseconds as f64 / 1_000.0) + second_remainder * 1e6).round_ties_even();
    let nanos = (!micros.is_nan() && micros.abs() < i64::MAX as f64 / 1_000.0).then(|| micros as i64 * 1_000);
    match (i32::try_from(day), nanos) {
        (Ok(day), Some(nanos)) => Ok(IntervalMonthDayNano::new(whole_months, day, nanos)),
        _ => Err(out_of_range()),
    }
}

/// `x` rounded to six decimals, PostgreSQL's `TSROUND`.
fn round_to_micros(x: f64) -> f64 {
    (x * 1e6).round_ties_even() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(months: i32, days: i32, seconds: f64) -> IntervalMonthDayNano {
        IntervalMonthDayNano::new(months, days, (seconds * 1e9) as i64)
    }

    #[test]
    fn scales_as_postgres() {
        // psql: SELECT interval '1 mon 1 day' * 2.5, ... / 2.5, interval '1 mon -1 day' * 2.5
        assert_eq!(scale(interval(1, 1, 0.0), 2.5, false).unwrap(), interval(2, 17, 43_200.0));
        assert_eq!(scale(interval(1, 1, 0.0), 2.5, true).unwrap(), interval(0, 12, 34_560.0));
        assert_eq!(scale(interval(1, -1, 0.0), 2.5, false).unwrap(), interval(2, 13, -43_200.0));
        assert_eq!(scale(interval(0, 1, 0.0), 1.5, false).unwrap(), interval(0, 1, 43_200.0));
        assert_eq!(scale(interval(0, 0, 3_600.0), -2.0, false).unwrap(), interval(0, 0, -7_200.0));
    }

    #[test]
    fn refuses_what_postgres_refuses() {
        assert_eq!(scale(interval(1, 0, 0.0), 0.0, true).unwrap_err().code, "22012");
        assert_eq!(scale(interval(1_000_000, 0, 0.0), 1e10, false).unwrap_err().code, "22008");
        assert_eq!(scale(interval(0, 0, 1.0), f64::NAN, false).unwrap_err().code, "22008");
    }
}
