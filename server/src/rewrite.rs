//! Rewrites applied to every statement before it runs: casts to (and typed literals of)
//! bytea, interval, uuid, json, jsonb and arrays call Shale's input functions, which read
//! text the way PostgreSQL does (DataFusion's casts do not know these types' text forms);
//! casts to timestamp are to microseconds; numbers written with an exponent are read as
//! double precision.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, TypedString, Value, VisitMut, visit_expressions_mut,
};
use shale_catalog::CatalogError;
use shale_catalog::input::call;
use shale_catalog::types::SqlType;

/// Rewrites the casts in `node` (a statement or an expression).
pub fn rewrite_input_casts<V: VisitMut>(node: &mut V) -> Result<(), CatalogError> {
    let mut failure = None;
    let _ = visit_expressions_mut(node, |e| {
        // PostgreSQL's timestamps are microseconds; DataFusion's default, nanoseconds, does
        // not reach years before 1677 or after 2262.
        if let Expr::Cast { data_type, .. } | Expr::TypedString(TypedString { data_type, .. }) = e {
            if let DataType::Timestamp(precision @ None, _) = data_type {
                *precision = Some(6);
            }
        }
        let rewritten = match e {
            // A number with an exponent is read as double precision: as a DataFusion decimal
            // its scale could exceed what Decimal128 holds (1e-308).
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.contains(['e', 'E']) => Some(Ok(Expr::Cast {
                    kind: CastKind::Cast,
                    expr: Box::new(Expr::value(Value::SingleQuotedString(n.clone()))),
                    data_type: DataType::DoublePrecision,
                    array: false,
                    format: None,
                })),
                _ => None,
            },
            Expr::Cast { expr, data_type, .. } => input_call(data_type, expr),
            Expr::TypedString(ts) => input_call(&ts.data_type, &Expr::Value(ts.value.clone())),
            Expr::Interval(iv) if iv.leading_field.is_none() && iv.last_field.is_none() => {
                call(&SqlType::Interval, &iv.value)
            }
            _ => None,
        };
        match rewritten {
            Some(Ok(new)) => *e = new,
            Some(Err(err)) => {
                failure = Some(err);
                return ControlFlow::Break(());
            }
            None => {}
        }
        ControlFlow::Continue(())
    });
    failure.map_or(Ok(()), Err)
}

/// The input-function call that reads `arg` as a `dt`, if `dt` has an input function; an
/// array type Shale does not have is an error rather than DataFusion's cast.
fn input_call(dt: &DataType, arg: &Expr) -> Option<Result<Expr, CatalogError>> {
    match SqlType::from_ast(dt) {
        Ok(ty) => call(&ty, arg),
        Err(e) if matches!(dt, DataType::Array(_)) => Some(Err(e)),
        Err(_) => None,
    }
}
