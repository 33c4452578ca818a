//! Which casts exist. Arrow casts between most of its types (an integer to a timestamp, a
//! timestamp to a float, a float to a boolean), and DataFusion plans an explicit cast
//! whenever Arrow can do it; PostgreSQL has a cast only where `pg_cast` (or text input and
//! output) gives one, and refuses the others with 42846 "cannot cast type smallint to
//! timestamp with time zone". [`ExistingCasts`], an analyzer rule before type coercion
//! (where every cast is one the statement wrote), refuses a cast between two types that
//! PostgreSQL does not cast between, whether DataFusion's or one of Shale's input functions
//! ([`crate::input`]) makes it.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr::{Cast, TryCast};
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan};
use datafusion::optimizer::AnalyzerRule;

use crate::error::PgError;
use crate::input::InputType;
use crate::types::SqlType;

/// Refuses the casts PostgreSQL does not have.
#[derive(Debug, Default)]
pub struct ExistingCasts;

impl AnalyzerRule for ExistingCasts {
    fn name(&self) -> &str {
        "shale_existing_casts"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.apply_with_subqueries(|node| {
            let schema = merge_schema(&node.inputs());
            node.apply_expressions(|e| check(e, &schema).map(|()| TreeNodeRecursion::Continue))
        })?;
        Ok(plan)
    }
}

/// Every cast in `e` checked, innermost first (the first PostgreSQL reports).
fn check(e: &Expr, schema: &DFSchema) -> Result<()> {
    e.apply_children(|child| check(child, schema).map(|()| TreeNodeRecursion::Continue))?;
    let (value, target) = match e {
        Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field }) => (expr.as_ref(), field.data_type().clone()),
        Expr::ScalarFunction(f) if InputType::of_function(f.name()).is_some() && !f.args.is_empty() => match e.get_type(schema) {
            Ok(target) => (&f.args[0], target),
            Err(_) => return Ok(()),
        },
        _ => return Ok(()),
    };
    // A source whose type needs coercion first is not judged.
    match value.get_type(schema) {
        Ok(source) if !exists(&source, &target) => Err(PgError::new(
            "42846",
            format!("cannot cast type {} to {}", type_name(&source), type_name(&target)),
        )
        .into_datafusion()),
        _ => Ok(()),
    }
}

/// The kinds of value a cast is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    /// `integer` itself, the one integer type with a cast to and from `boolean`.
    Int4,
    Float,
    Numeric,
    Bool,
    Text,
    Bytea,
    Date,
    Timestamp,
    Time,
    Interval,
    /// Whatever the rule does not judge (NULL, lists of other kinds, Shale's own types).
    Other,
}

fn kind(t: &DataType) -> Kind {
    match t {
        DataType::Int32 => Kind::Int4,
        DataType::Int8 | DataType::Int16 | DataType::Int64 => Kind::Integer,
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => Kind::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Kind::Float,
        DataType::Decimal128(..) | DataType::Decimal256(..) => Kind::Numeric,
        DataType::Boolean => Kind::Bool,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Kind::Text,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Kind::Bytea,
        DataType::Date32 | DataType::Date64 => Kind::Date,
        DataType::Timestamp(..) => Kind::Timestamp,
        DataType::Time32(_) | DataType::Time64(_) => Kind::Time,
        DataType::Interval(_) => Kind::Interval,
        _ => Kind::Other,
    }
}

/// Whether PostgreSQL casts a `source` value to `target`.
fn exists(source: &DataType, target: &DataType) -> bool {
    use Kind::*;
    if let (DataType::List(from), DataType::List(to)) = (source, target) {
        return exists(from.data_type(), to.data_type());
    }
    let number = |k: Kind| matches!(k, Integer | Int4 | Float | Numeric);
    match (kind(source), kind(target)) {
        (Other, _) | (_, Other) | (Text, _) | (_, Text) => true,
        (a, b) if a == b => true,
        (a, b) if number(a) && number(b) => true,
        (Int4, Bool) | (Bool, Int4) => true,
        (Date | Timestamp, Date | Timestamp) => true,
        (Timestamp, Time) | (Time, Interval) | (Interval, Time) => true,
        _ => false,
    }
}

/// PostgreSQL's name of the type an Arrow type stands for.
pub fn type_name(t: &DataType) -> String {
    let sql = match t {
        DataType::Int8 | DataType::Int16 => SqlType::Int2,
        DataType::Int32 => SqlType::Int4,
        DataType::Int64 | DataType::UInt64 => SqlType::Int8,
        DataType::Float16 | DataType::Float32 => SqlType::Float4,
        DataType::Float64 => SqlType::Float8,
        DataType::Decimal128(..) | DataType::Decimal256(..) => SqlType::Numeric(None),
        DataType::Boolean => SqlType::Bool,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => SqlType::Bytea,
        DataType::Date32 | DataType::Date64 => SqlType::Date,
        DataType::Timestamp(_, None) => SqlType::Timestamp(None),
        DataType::Timestamp(_, Some(_)) => SqlType::Timestamptz(None),
        DataType::Time32(_) | DataType::Time64(_) => SqlType::Time(None),
        DataType::Interval(_) => SqlType::Interval,
        DataType::List(item) => return format!("{}[]", type_name(item.data_type())),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => SqlType::Text,
        other => return other.to_string(),
    };
    sql.pg_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::TimeUnit;

    #[test]
    fn postgresqls_casts_and_only_those() {
        let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
        let tstz = DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into()));
        let time = DataType::Time64(TimeUnit::Microsecond);
        let yes = [
            (DataType::Int16, DataType::Float64),
            (DataType::Int32, DataType::Boolean),
            (DataType::Boolean, DataType::Int32),
            (DataType::Date32, tstz.clone()),
            (tstz.clone(), DataType::Date32),
            (ts.clone(), time.clone()),
            (DataType::Binary, DataType::Utf8),
            (DataType::Utf8, ts.clone()),
            (DataType::Null, DataType::Binary),
            (DataType::new_list(DataType::Int32, true), DataType::new_list(DataType::Float64, true)),
        ];
        for (a, b) in yes {
            assert!(exists(&a, &b), "{a} to {b}");
        }
        let no = [
            (DataType::Int16, tstz.clone()),
            (tstz.clone(), DataType::Float32),
            (DataType::Int64, DataType::Boolean),
            (DataType::Boolean, DataType::Decimal128(10, 0)),
            (DataType::Float64, DataType::Boolean),
            (DataType::Int64, DataType::Binary),
            (DataType::Binary, DataType::Int32),
            (DataType::Date32, time.clone()),
            (DataType::Interval(datafusion::arrow::datatypes::IntervalUnit::MonthDayNano), DataType::Float64),
            (DataType::new_list(DataType::Int32, true), DataType::new_list(DataType::Date32, true)),
        ];
        for (a, b) in no {
            assert!(!exists(&a, &b), "{a} to {b}");
        }
        assert_eq!(type_name(&DataType::Int16), "smallint");
        assert_eq!(type_name(&tstz), "timestamp with time zone");
    }
}
