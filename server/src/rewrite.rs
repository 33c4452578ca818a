//! Rewrites applied to every statement before it runs: casts to (and typed literals of)
//! bytea, interval, uuid, json and jsonb call Shale's input functions, which read text the
//! way PostgreSQL does (DataFusion's casts do not know these types' text forms); numbers
//! written with an exponent are read as double precision.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{CastKind, DataType, Expr, Value, VisitMut, visit_expressions_mut};
use shale_catalog::CatalogError;
use shale_catalog::input::{InputType, call};
use shale_catalog::types::SqlType;

/// Rewrites the casts in `node` (a statement or an expression).
pub fn rewrite_input_casts<V: VisitMut>(node: &mut V) -> Result<(), CatalogError> {
    let mut failure = None;
    let _ = visit_expressions_mut(node, |e| {
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
            Expr::Cast { expr, data_type, .. } => input_type(data_type).map(|t| call(t, expr)),
            Expr::TypedString(ts) => input_type(&ts.data_type).map(|t| call(t, &Expr::Value(ts.value.clone()))),
            Expr::Interval(iv) if iv.leading_field.is_none() && iv.last_field.is_none() => {
                Some(call(InputType::Interval, &iv.value))
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

fn input_type(dt: &DataType) -> Option<InputType> {
    SqlType::from_ast(dt).ok().as_ref().and_then(InputType::of)
}
