//! Rewrites applied to every statement before it runs: casts to (and typed literals of)
//! bytea, interval, uuid, json and jsonb call Shale's input functions, which read text the
//! way PostgreSQL does (DataFusion's casts do not know these types' text forms); numbers
//! written with an exponent are read as double precision.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, Expr, Query, SelectItem, SetExpr, Statement, Value, visit_expressions_mut,
};
use shale_catalog::CatalogError;
use shale_catalog::input::{InputType, call};
use shale_catalog::types::SqlType;

/// Rewrites the casts in `stmt`.
pub fn rewrite_input_casts(stmt: &mut Statement) -> Result<(), CatalogError> {
    let mut failure = None;
    let _ = visit_expressions_mut(stmt, |e| {
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

/// Types a select-list item that is a bare integer literal as PostgreSQL does: `integer`
/// when it fits in 32 bits (DataFusion would make it a bigint). Only bare items: integer
/// arithmetic in DataFusion wraps on overflow, so literals inside expressions stay bigint.
pub fn integer_items(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else { return };
    for item in select.projection.iter_mut() {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { continue };
        let fits = match e {
            Expr::Value(v) => matches!(&v.value, Value::Number(n, _) if n.parse::<i32>().is_ok()),
            _ => false,
        };
        if fits {
            *e = Expr::Cast { kind: CastKind::Cast, expr: Box::new(e.clone()), data_type: DataType::Int(None), array: false, format: None };
        }
    }
}

fn input_type(dt: &DataType) -> Option<InputType> {
    SqlType::from_ast(dt).ok().as_ref().and_then(InputType::of)
}
