//! Rewrites applied to every statement before it runs: casts to (and typed literals of)
//! bytea, interval, uuid, json, jsonb and arrays call Shale's input functions, which read
//! text the way PostgreSQL does (DataFusion's casts do not know these types' text forms);
//! casts to timestamp are to microseconds; numbers written with an exponent are read as
//! double precision.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    CastKind, DataType, ExactNumberInfo, Expr, Ident, OrderByKind, Query, SelectItem, SetExpr, Statement, TypedString,
    UnaryOperator, Value, VisitMut, visit_expressions_mut,
};
use shale_catalog::CatalogError;
use shale_pgtypes::PgError;
use shale_pgtypes::input::call;
use shale_pgtypes::types::SqlType;

/// Prefix of the aliases [`rewrite_statement`] gives repeated output columns;
/// `names::output_names` sees through them.
pub const DISTINCT_ALIAS: &str = "__shale_column_";

/// Rewrites a statement before planning: PostgreSQL's syntax (`crate::sql::pg_syntax`), the
/// casts ([`rewrite_input_casts`]), the names of cast output columns
/// (`crate::sql::cast_columns`), and repeated output columns of a query (`SELECT a, a`,
/// `SELECT 1 AS x, 2 AS x`), which PostgreSQL allows and DataFusion does not, get distinct
/// aliases.
pub fn rewrite_statement(stmt: &mut Statement) -> Result<(), CatalogError> {
    // A view keeps its query as written too: the session rewrites a copy to plan
    // (`Session::create_view`).
    if matches!(stmt, Statement::CreateView(_)) {
        return Ok(());
    }
    crate::sql::recursive::check(stmt)?;
    crate::sql::pg_syntax::rewrite(stmt)?;
    rewrite_input_casts(stmt)?;
    crate::sql::cast_columns::name_cast_columns(stmt)?;
    match stmt {
        Statement::Query(q) => distinct_output_names(q)?,
        // CREATE TABLE AS names its columns after the query's.
        Statement::CreateTable(create) => {
            if let Some(q) = create.query.as_mut() {
                distinct_output_names(q)?;
            }
        }
        // INSERT takes its source's columns by position.
        Statement::Insert(insert) => {
            if let Some(q) = insert.source.as_mut() {
                distinct_output_names(q)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Gives repeated output columns of `q` distinct aliases; an ORDER BY naming an alias given
/// to two different expressions is 42702, as in PostgreSQL.
fn distinct_output_names(q: &mut Query) -> Result<(), CatalogError> {
    let SetExpr::Select(select) = q.body.as_mut() else { return Ok(()) };
    // Beside a wildcard, a column reference may repeat one of its columns
    // (`SELECT n.oid, n.*`).
    let wildcard = select.projection.iter().any(|i| matches!(i, SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)));
    let mut seen = std::collections::HashSet::new();
    let mut aliased: Vec<(String, String)> = Vec::new();
    let mut ambiguous = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        match item {
            SelectItem::UnnamedExpr(e) => {
                let column = matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
                if !seen.insert(datafusion_name(e)) || (wildcard && column) {
                    let alias = Ident::with_quote('"', distinct_alias(i, &crate::sql::names::name_of(e)));
                    *item = SelectItem::ExprWithAlias { expr: e.clone(), alias };
                }
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                let name = crate::sql::names::ident(alias);
                let text = expr.to_string();
                if aliased.iter().any(|(n, t)| *n == name && *t != text) {
                    ambiguous.push(name.clone());
                }
                aliased.push((name.clone(), text));
                if !seen.insert(name.clone()) {
                    *alias = Ident::with_quote('"', distinct_alias(i, &name));
                }
            }
            _ => {}
        }
    }
    let Some(OrderByKind::Expressions(items)) = q.order_by.as_ref().map(|o| &o.kind) else { return Ok(()) };
    for item in items {
        if let Expr::Identifier(id) = &item.expr {
            let name = crate::sql::names::ident(id);
            if ambiguous.contains(&name) {
                return Err(CatalogError::new("42702", format!("ORDER BY \"{name}\" is ambiguous")));
            }
        }
    }
    Ok(())
}

/// The alias [`rewrite_statement`] gives the output column `i` named `name`.
pub fn distinct_alias(i: usize, name: &str) -> String {
    format!("{DISTINCT_ALIAS}{i}_{name}")
}

/// The name an output column of DataFusion's is shown with: the name a distinct alias
/// stands for, else its own.
pub fn shown_name(name: &str) -> &str {
    name.strip_prefix(DISTINCT_ALIAS).and_then(|rest| rest.split_once('_')).map_or(name, |(_, original)| original)
}

/// What DataFusion names an output column, near enough to tell when two are the same: a
/// column by its name, a cast by what it casts.
fn datafusion_name(e: &Expr) -> String {
    match e {
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| p.value.to_lowercase()).unwrap_or_default(),
        Expr::Identifier(i) => i.value.to_lowercase(),
        Expr::Cast { expr, .. } => datafusion_name(expr),
        // DataFusion names a scalar subquery after its one column.
        Expr::Subquery(q) => match q.body.as_ref() {
            SetExpr::Select(s) if s.projection.len() == 1 => match &s.projection[0] {
                SelectItem::UnnamedExpr(e) => datafusion_name(e),
                SelectItem::ExprWithAlias { alias, .. } => crate::sql::names::ident(alias),
                _ => "(<subquery>)".to_string(),
            },
            _ => "(<subquery>)".to_string(),
        },
        // Casts inside it are not named either (`-1::smallint` and `-1::integer` are the
        // same name).
        other => {
            let mut uncast = other.clone();
            let _ = visit_expressions_mut(&mut uncast, |e| {
                if let Expr::Cast { expr, .. } = e {
                    let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
                    *e = inner;
                }
                ControlFlow::<()>::Continue(())
            });
            uncast.to_string()
        }
    }
}

/// Rewrites the casts in `node` (a statement or an expression).
pub fn rewrite_input_casts<V: VisitMut>(node: &mut V) -> Result<(), CatalogError> {
    let mut failure = None;
    let _ = visit_expressions_mut(node, |e| {
        // PostgreSQL's timestamps are microseconds; DataFusion's default, nanoseconds, does
        // not reach years before 1677 or after 2262.
        // A decimal string cast to it keeps its own digits, as in PostgreSQL: '1.50'::numeric
        // is numeric(3,2) 1.50.
        if let Expr::Cast { expr, data_type: DataType::Numeric(info @ ExactNumberInfo::None), .. } = e {
            let text = literal_text(expr).map(|t| plain_decimal(t.trim()).unwrap_or_else(|| t.to_string()));
            let decimal = text.as_deref().and_then(crate::protocol::params::decimal_number);
            // Up to 38 digits: what a DataFusion decimal literal holds.
            if let Some((number, p, s)) = decimal.filter(|(_, p, _)| *p <= 38) {
                *expr = Box::new(number);
                *info = ExactNumberInfo::PrecisionAndScale(p, s as i64);
            }
        }
        if let Expr::Cast { data_type, .. } | Expr::TypedString(TypedString { data_type, .. }) = e {
            match data_type {
                DataType::Timestamp(precision @ None, _) => *precision = Some(6),
                _ => {}
            }
        }
        let rewritten = match e {
            // A number with an exponent is numeric, as in PostgreSQL, when its digits fit
            // a DataFusion decimal literal; otherwise (1.5e300, 1e-308) double precision,
            // under a unary plus so that the column is named as a number is (`?column?`),
            // not as a cast (`float8`).
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.contains(['e', 'E']) => Some(Ok(match plain_decimal(n) {
                    Some(plain) => Expr::value(Value::Number(plain, false)),
                    None => Expr::UnaryOp {
                        op: UnaryOperator::Plus,
                        expr: Box::new(Expr::Cast {
                            kind: CastKind::Cast,
                            expr: Box::new(Expr::value(Value::SingleQuotedString(n.clone()))),
                            data_type: DataType::DoublePrecision,
                            array: false,
                            format: None,
                        }),
                    },
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
                failure = Some(CatalogError::from(err));
                return ControlFlow::Break(());
            }
            None => {}
        }
        ControlFlow::Continue(())
    });
    failure.map_or(Ok(()), Err)
}

/// The text of a string literal.
fn literal_text(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// `n` (digits, an optional point, an exponent) written without exponent, if that takes at
/// most 38 significant digits (what a Decimal128 literal holds). A whole number keeps a
/// point after it (`3e6` is `3000000.`), so that it is read as a numeric of scale 0, as
/// PostgreSQL reads it, not as an integer.
fn plain_decimal(n: &str) -> Option<String> {
    if let Some(unsigned) = n.strip_prefix('-') {
        return plain_decimal(unsigned).map(|p| format!("-{p}"));
    }
    let (mantissa, exponent) = n.strip_prefix('+').unwrap_or(n).split_once(['e', 'E'])?;
    let exponent: i32 = exponent.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !(int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())) || int.len() + frac.len() == 0 {
        return None;
    }
    let digits = format!("{int}{frac}");
    // The value is digits × 10^(exponent - frac.len()).
    let shift = exponent - i32::try_from(frac.len()).ok()?;
    let significant = digits.trim_start_matches('0').len() as i32;
    if significant + shift.max(0) > 38 || -shift > 38 {
        return None;
    }
    let plain = if shift >= 0 {
        format!("{digits}{}.", "0".repeat(shift as usize))
    } else {
        let point = digits.len() as i32 + shift;
        if point > 0 {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        } else {
            format!("0.{}{digits}", "0".repeat((-point) as usize))
        }
    };
    Some(plain)
}

/// The input-function call that reads `arg` as a `dt`, if `dt` has an input function; an
/// array type Shale does not have is an error rather than DataFusion's cast.
fn input_call(dt: &DataType, arg: &Expr) -> Option<Result<Expr, PgError>> {
    match SqlType::from_ast(dt) {
        Ok(ty) => call(&ty, arg),
        Err(e) if matches!(dt, DataType::Array(_)) => Some(Err(e)),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::plain_decimal;

    #[test]
    fn exponents_are_spelled_out_when_they_fit_a_decimal() {
        assert_eq!(plain_decimal("1e20").as_deref(), Some("100000000000000000000."));
        assert_eq!(plain_decimal("1.5E-3").as_deref(), Some("0.0015"));
        assert_eq!(plain_decimal("12.5e1").as_deref(), Some("125."));
        assert_eq!(plain_decimal("2.5e-1").as_deref(), Some("0.25"));
        assert_eq!(plain_decimal("-1e3").as_deref(), Some("-1000."));
        assert_eq!(plain_decimal("1.5e300"), None);
        assert_eq!(plain_decimal("1e-308"), None);
    }
}
