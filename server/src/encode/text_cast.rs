//! Casts to text that print a value as PostgreSQL's output function does, where Arrow's
//! cast prints it otherwise: arrays (`ARRAY[1,2]::text` is `{1,2}`, Arrow's `[1, 2]`),
//! floats (`1e20::float8::text` is `1e+20`, `Infinity`) and intervals (`1 day 02:00:00`);
//! numerics are cast by `shale_pgtypes::numeric::cast`. The arguments of `format`,
//! `concat` and `concat_ws` are printed the same way (`concat(true)` is `t`). The text is the one the wire's text format
//! sends ([`super::text`]), so a value cast to text reads as it reads in a result.
//!
//! [`TextCasts`] is an analyzer rule after type coercion, so the casts coercion adds
//! (`'x' || 1e20::float8`) are rewritten too; the cast stays, now from text, to keep its
//! target type and metadata (`varchar(n)`).

use std::sync::Arc;

use bytes::BytesMut;
use datafusion::arrow::array::{ArrayRef, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, exec_err};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr::{Cast, ScalarFunction, TryCast};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, LogicalPlan, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;
use pgwire::api::results::FieldFormat;
use shale_pgtypes::arith::rewrite_plan;
use shale_pgtypes::error::PgError;

use super::{EncodeError, pg_type_of};
use super::text::ColumnWriter;

/// Rewrites casts to text of the types whose Arrow text differs from PostgreSQL's.
#[derive(Debug, Default)]
pub struct TextCasts;

impl AnalyzerRule for TextCasts {
    fn name(&self) -> &str {
        "shale_text_casts"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| rewrite(e, schema)))
    }
}

fn rewrite(e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    if let Expr::ScalarFunction(f) = e {
        return formatted(f, schema);
    }
    let (Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field })) = &e else {
        return Ok(Transformed::no(e));
    };
    if !is_text(field.data_type())
        || !printed_otherwise(&expr.get_type(schema)?)
    {
        return Ok(Transformed::no(e));
    }
    let text = Box::new(TextOutput::call(expr.as_ref().clone()));
    let field = field.clone();
    Ok(Transformed::yes(match e {
        Expr::TryCast(_) => Expr::TryCast(TryCast { expr: text, field }),
        _ => Expr::Cast(Cast { expr: text, field }),
    }))
}

/// The arguments of `format(fmt, args...)`, `concat(args...)` and `concat_ws(sep,
/// args...)` that are not text, in their output form, as PostgreSQL prints them
/// (`format('%s', true)` and `concat(true)` are `t`, an array `{1,2}`): also where type
/// coercion cast them to text already, since a cast to text is not the output function
/// (`true::text` is `true`).
fn formatted(mut f: ScalarFunction, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let printed = match f.name() {
        "format" | "concat_ws" => 1,
        "concat" => 0,
        _ => return Ok(Transformed::no(Expr::ScalarFunction(f))),
    };
    let mut changed = false;
    for arg in f.args.iter_mut().skip(printed) {
        let value = match &*arg {
            Expr::Cast(Cast { expr, field }) if is_text(field.data_type()) => expr.as_ref(),
            other => other,
        };
        let ty = value.get_type(schema)?;
        if !is_text(&ty) && ty != DataType::Null {
            let printed = TextOutput::call(value.clone());
            *arg = printed;
            changed = true;
        }
    }
    let e = Expr::ScalarFunction(f);
    Ok(if changed { Transformed::yes(e) } else { Transformed::no(e) })
}

fn is_text(ty: &DataType) -> bool {
    matches!(ty, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Whether Arrow's cast to text prints values of `source` otherwise than PostgreSQL.
fn printed_otherwise(source: &DataType) -> bool {
    matches!(
        source,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::Float16
            | DataType::Float32
            | DataType::Float64
            | DataType::Interval(_)
            | DataType::Duration(_)
    )
}

/// `shale_text_out(value)`: a value in PostgreSQL's text output format, as the type its
/// field announces (`numeric(p, s)` at its scale, an unconstrained numeric at its
/// smallest exact scale).
#[derive(Debug, PartialEq, Eq, Hash)]
struct TextOutput {
    signature: Signature,
}

impl TextOutput {
    fn call(value: Expr) -> Expr {
        let udf = ScalarUDF::new_from_impl(TextOutput { signature: Signature::any(1, Volatility::Immutable) });
        Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![value]))
    }
}

impl ScalarUDFImpl for TextOutput {
    fn name(&self) -> &str {
        "shale_text_out"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let nullable = args.arg_fields.first().is_none_or(|f| f.is_nullable());
        Ok(Arc::new(Field::new(self.name(), DataType::Utf8, nullable)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ([value], [field]) = (args.args.as_slice(), args.arg_fields.as_slice()) else {
            return exec_err!("shale_text_out takes one argument");
        };
        let values = value.to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(texts(&values, field)?))
    }
}

/// The text of each of `values`, typed as `field` announces; NULL stays NULL.
fn texts(values: &ArrayRef, field: &Field) -> Result<ArrayRef> {
    let writer = ColumnWriter::new(values.as_ref(), &pg_type_of(field), FieldFormat::Text).map_err(failed)?;
    let mut out = StringBuilder::with_capacity(values.len(), 0);
    let mut buf = BytesMut::new();
    for row in 0..values.len() {
        buf.clear();
        match writer.write(row, &mut buf).map_err(failed)? {
            // The writers write PostgreSQL's text of Arrow values: UTF-8.
            true => out.append_value(String::from_utf8_lossy(&buf)),
            false => out.append_null(),
        }
    }
    Ok(Arc::new(out.finish()))
}

fn failed(e: EncodeError) -> DataFusionError {
    PgError::new(e.sqlstate(), e.to_string()).into_datafusion()
}
