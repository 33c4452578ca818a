//! PostgreSQL's casts where Arrow's differ, as an analyzer rule after type coercion:
//!
//! - To an integer type, numbers round instead of truncating: numeric half away from zero
//!   (`2.5::numeric::int` is 3, `(-2.5)::int` is -3), `real` and `double precision` to the
//!   nearest even integer, as C's `rint` (`2.5::float8::int` is 2). The value is rounded by
//!   [`IntegerRound`] and then cast, which fails with 22003 when it does not fit.
//! - To text, dates and timestamps are written as PostgreSQL writes them
//!   ([`crate::datetime::output`]): `2024-01-01 10:00:00`, `infinity`. An explicit cast of
//!   bytea to text is its output form (`'abc'::bytea::text` is `\x616263`, [`ByteaText`],
//!   before coercion).
//! - An interval cast to `time` is its time of day ([`IntervalTime`]); Arrow has no such
//!   cast.
//! - To a float type, text that does not fit (`'10e70'::real`) and double precision values
//!   too large or small for `real` are 22003 (see [`crate::arith::float`]).
//!
//! A second rule, [`LimitRounding`], before type coercion, reads a `LIMIT` or `OFFSET` that
//! is not an integer as PostgreSQL does, as a bigint rounded the same way (`LIMIT 1.5` is
//! `LIMIT 2`); DataFusion refuses it.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Decimal256Type, FieldRef, Float32Type, Float64Type, i256};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Cast, ScalarFunction, TryCast};
use datafusion::functions::expr_fn::encode;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, LogicalPlan, Operator, binary_expr, lit, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::rewrite_plan;
use crate::datetime::interval_time::IntervalTime;
use crate::datetime::output::DatetimeText;
use crate::error::PgError;
use crate::numeric::Special;
use crate::numeric::special::map_rows;

/// Rounds before casts to integers and checks casts to floats.
#[derive(Debug, Default)]
pub struct CastSemantics;

impl AnalyzerRule for CastSemantics {
    fn name(&self) -> &str {
        "shale_cast_semantics"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| rewrite(e, schema)))
    }
}

/// Explicit casts of bytea to text, before type coercion (so that the casts coercion adds,
/// as for `bytea LIKE text`, keep the bytes): the text is bytea's output form, `\\x` and
/// hex digits, not its bytes read as UTF-8; NULL stays NULL (`||`, unlike `concat`).
#[derive(Debug, Default)]
pub struct ByteaText;

impl AnalyzerRule for ByteaText {
    fn name(&self) -> &str {
        "shale_bytea_text"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| bytea_text(e, schema)))
    }
}

fn bytea_text(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let (Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field })) = &e else {
        return Ok(Transformed::no(e));
    };
    let to_text = matches!(field.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    // Before coercion an operand's type may not be known yet: such a cast is left as is.
    let from_bytea = matches!(
        expr.get_type(schema),
        Ok(DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_))
    );
    if !(to_text && from_bytea) {
        return Ok(Transformed::no(e));
    }
    // The cast stays, now from text: it keeps the target's type and metadata (`varchar(n)`).
    let text = Box::new(binary_expr(lit("\\x"), Operator::StringConcat, encode(expr.as_ref().clone(), lit("hex"))));
    let field = field.clone();
    Ok(Transformed::yes(match e {
        Expr::TryCast(_) => Expr::TryCast(TryCast { expr: text, field }),
        _ => Expr::Cast(Cast { expr: text, field }),
    }))
}

/// Rounds `LIMIT` and `OFFSET` values that are not integers.
#[derive(Debug, Default)]
pub struct LimitRounding;

impl AnalyzerRule for LimitRounding {
    fn name(&self) -> &str {
        "shale_limit_rounding"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let empty = DFSchema::empty();
        let rounded = |e: Option<Box<Expr>>| -> Result<Option<Box<Expr>>> {
            let Some(e) = e else { return Ok(None) };
            let t = e.get_type(&empty)?;
            if !matches!(t, DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..)) {
                return Ok(Some(e));
            }
            Ok(Some(Box::new(Expr::Cast(Cast::new(Box::new(IntegerRound::call(*e)), DataType::Int64)))))
        };
        Ok(plan
            .transform_up_with_subqueries(|node| match node {
                LogicalPlan::Limit(mut limit) => {
                    limit.skip = rounded(limit.skip)?;
                    limit.fetch = rounded(limit.fetch)?;
                    Ok(Transformed::yes(LogicalPlan::Limit(limit)))
                }
                other => Ok(Transformed::no(other)),
            })?
            .data)
    }
}

fn rewrite(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let (expr, field, try_cast) = match e {
        Expr::Cast(Cast { expr, field }) => (expr, field, false),
        Expr::TryCast(TryCast { expr, field }) => (expr, field, true),
        other => return Ok(Transformed::no(other)),
    };
    let source = expr.get_type(schema)?;
    let make = |expr: Expr| match try_cast {
        false => Expr::Cast(Cast { expr: Box::new(expr), field: field.clone() }),
        true => Expr::TryCast(TryCast { expr: Box::new(expr), field: field.clone() }),
    };
    let target = field.data_type();
    let rounds = matches!(source, DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..));
    Ok(match target {
        DataType::Int16 | DataType::Int32 | DataType::Int64 if rounds => Transformed::yes(make(IntegerRound::call(*expr))),
        DataType::Float32 | DataType::Float64
            if matches!(source, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
                || (source == DataType::Float64 && *target == DataType::Float32) =>
        {
            let source = expr.as_ref().clone();
            Transformed::yes(crate::arith::float::checked_cast(make(*expr), source))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            if matches!(source, DataType::Date32 | DataType::Timestamp(..)) =>
        {
            Transformed::yes(make(DatetimeText::call(*expr)))
        }
        DataType::Time32(_) | DataType::Time64(_) if matches!(source, DataType::Interval(_)) => {
            Transformed::yes(make(IntervalTime::call(*expr)))
        }
        _ => Transformed::no(make(*expr)),
    })
}

/// `shale_integer_round(x)`: a float or numeric rounded to an integral value of its own
/// type, as PostgreSQL rounds it when casting to an integer. Numeric specials stay as they
/// are (the cast reports them).
#[derive(Debug, PartialEq, Eq, Hash)]
struct IntegerRound {
    signature: Signature,
}

impl IntegerRound {
    fn call(expr: Expr) -> Expr {
        let udf = ScalarUDF::new_from_impl(IntegerRound { signature: Signature::any(1, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![expr]))
    }
}

impl ScalarUDFImpl for IntegerRound {
    fn name(&self) -> &str {
        "shale_integer_round"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        args.first().cloned().ok_or_else(|| PgError::internal("shale_integer_round takes one argument").into_datafusion())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        args.arg_fields.first().cloned().ok_or_else(|| PgError::internal("shale_integer_round takes one argument").into_datafusion())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let input = args.args[0].to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(rounded(&input)))
    }
}

/// `input` rounded as PostgreSQL rounds values cast to an integer.
pub(crate) fn rounded(input: &ArrayRef) -> ArrayRef {
    match input.data_type() {
        DataType::Float64 => Arc::new(input.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::round_ties_even)),
        DataType::Float32 => Arc::new(input.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::round_ties_even)),
        DataType::Decimal128(_, scale) if *scale > 0 => {
            let unit = 10_i128.pow(u32::from(scale.unsigned_abs()));
            map_rows::<Decimal128Type>(input, |_, v| {
                v.map(|v| if Special::of128(v).is_some() { v } else { round_half_away(v, unit, 0, 1, -1) })
            })
        }
        DataType::Decimal256(_, scale) if *scale > 0 => {
            let unit = i256::from_i128(10).wrapping_pow(u32::from(scale.unsigned_abs()));
            map_rows::<Decimal256Type>(input, |_, v| {
                v.map(|v| if Special::of256(v).is_some() { v } else { round_half_away(v, unit, i256::ZERO, i256::ONE, i256::MINUS_ONE) })
            })
        }
        _ => input.clone(),
    }
}

/// `raw` rounded half away from zero to a multiple of `unit`.
fn round_half_away<T>(raw: T, unit: T, zero: T, one: T, minus_one: T) -> T
where
    T: Copy + PartialOrd + std::ops::Div<Output = T> + std::ops::Rem<Output = T> + std::ops::Mul<Output = T>
        + std::ops::Add<Output = T> + std::ops::Neg<Output = T>,
{
    let (quotient, remainder) = (raw / unit, raw % unit);
    let magnitude = if remainder < zero { -remainder } else { remainder };
    let away = if magnitude + magnitude >= unit { if raw < zero { minus_one } else { one } } else { zero };
    (quotient + away) * unit
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Decimal128Array, Float64Array};

    #[test]
    fn rounds_as_postgres() {
        // SELECT 2.5::float8::int, 3.5::float8::int, (-2.5)::float8::int, 0.5::float8::int8
        let floats: ArrayRef = Arc::new(Float64Array::from(vec![2.5, 3.5, -2.5, 0.5, 1.4]));
        let out = rounded(&floats);
        assert_eq!(out.as_primitive::<Float64Type>().values().to_vec(), vec![2.0, 4.0, -2.0, 0.0, 1.0]);
        // SELECT 1.5::int, 2.5::int, (-2.5)::int, (-0.5)::int, 1.49::int
        let decimals: ArrayRef =
            Arc::new(Decimal128Array::from(vec![150, 250, -250, -50, 149]).with_precision_and_scale(5, 2).unwrap());
        let out = rounded(&decimals);
        assert_eq!(out.as_primitive::<Decimal128Type>().values().to_vec(), vec![200, 300, -300, -100, 100]);
    }
}
