//! `character(n)` keeps its padding when stored and printed, but PostgreSQL ignores trailing
//! spaces when such a value is compared or turned into text: `'ab'::char(3) = 'ab'` is true
//! and `c || '|'` is `ab|`. An analyzer rule trims the trailing spaces of `character`
//! operands wherever they are compared (comparison operators, `IN` lists, `= ANY(array)`,
//! `CASE c WHEN ...`, the keys of `JOIN ... USING`) or concatenated. The other side of a comparison is trimmed too when
//! PostgreSQL reads it as `character`: a literal, a parameter, a `varchar` or another
//! `character` value; a `text` value is compared as text (only the `character` side loses
//! its spaces), as in PostgreSQL.

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::functions::string::rtrim;
use datafusion::logical_expr::expr::{Case, InList, ScalarFunction};
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;

use crate::arith::{is_comparison, rewrite_plan};
use crate::PARAM_FUNCTION;
use crate::types::TYPE_KEY;

/// Compares and concatenates `character(n)` values without their trailing spaces.
#[derive(Debug, Default)]
pub struct BpcharSemantics;

impl AnalyzerRule for BpcharSemantics {
    fn name(&self) -> &str {
        "shale_bpchar_semantics"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        let plan = rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| Ok(rewrite(e, schema))))?;
        // The key pairs of a join (USING, NATURAL) are not comparison expressions.
        Ok(plan
            .transform_up_with_subqueries(|node| {
                let LogicalPlan::Join(mut join) = node else { return Ok(Transformed::no(node)) };
                let (left, right) = (join.left.schema().clone(), join.right.schema().clone());
                let mut changed = false;
                join.on = std::mem::take(&mut join.on)
                    .into_iter()
                    .map(|(l, r)| match is_bpchar(&l, &left) || is_bpchar(&r, &right) {
                        true => {
                            changed = true;
                            (comparand(l, &left), comparand(r, &right))
                        }
                        false => (l, r),
                    })
                    .collect();
                Ok(Transformed::new_transformed(LogicalPlan::Join(join), changed))
            })?
            .data)
    }
}

fn rewrite(e: Expr, schema: &DFSchema) -> Transformed<Expr> {
    let bpchar = |e: &Expr| is_bpchar(e, schema);
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) if op == Operator::StringConcat => {
            let (l, r) = (bpchar(&left), bpchar(&right));
            let side = |side: Box<Expr>, trim: bool| if trim { Box::new(trimmed(*side)) } else { side };
            Transformed::new_transformed(Expr::BinaryExpr(BinaryExpr { left: side(left, l), op, right: side(right, r) }), l || r)
        }
        Expr::BinaryExpr(BinaryExpr { left, op, right }) if is_comparison(op) && (bpchar(&left) || bpchar(&right)) => {
            let (left, right) = (Box::new(comparand(*left, schema)), Box::new(comparand(*right, schema)));
            Transformed::yes(Expr::BinaryExpr(BinaryExpr { left, op, right }))
        }
        Expr::InList(InList { expr, list, negated }) if bpchar(&expr) || list.iter().any(bpchar) => {
            let list = list.into_iter().map(|item| comparand(item, schema)).collect();
            Transformed::yes(Expr::InList(InList { expr: Box::new(comparand(*expr, schema)), list, negated }))
        }
        Expr::Case(Case { expr: Some(base), when_then_expr, else_expr })
            if bpchar(&base) || when_then_expr.iter().any(|(when, _)| bpchar(when)) =>
        {
            let when_then_expr =
                when_then_expr.into_iter().map(|(when, then)| (Box::new(comparand(*when, schema)), then)).collect();
            Transformed::yes(Expr::Case(Case { expr: Some(Box::new(comparand(*base, schema))), when_then_expr, else_expr }))
        }
        // `c = ANY(array)`: the array's elements are text, so only `c` loses its spaces.
        Expr::ScalarFunction(mut f) if f.name() == "array_has" && f.args.get(1).is_some_and(bpchar) => {
            let needle = f.args.remove(1);
            f.args.push(trimmed(needle));
            Transformed::yes(Expr::ScalarFunction(f))
        }
        other => Transformed::no(other),
    }
}

/// One side of a comparison with a `character` value, as PostgreSQL compares it: without
/// trailing spaces unless it is text (or not a string at all).
fn comparand(side: Expr, schema: &DFSchema) -> Expr {
    match side {
        Expr::Literal(ScalarValue::Utf8(Some(s)), m) => {
            Expr::Literal(ScalarValue::Utf8(Some(s.trim_end_matches(' ').to_string())), m)
        }
        Expr::Placeholder(_) => trimmed(side),
        Expr::ScalarFunction(ref f) if f.name() == PARAM_FUNCTION => trimmed(side),
        _ if is_bpchar(&side, schema) || type_tag(&side, schema).as_deref() == Some("varchar") => trimmed(side),
        _ => side,
    }
}

fn is_bpchar(e: &Expr, schema: &DFSchema) -> bool {
    type_tag(e, schema).as_deref() == Some("bpchar")
}

/// The PostgreSQL type named by the expression's field metadata ([`TYPE_KEY`]).
fn type_tag(e: &Expr, schema: &DFSchema) -> Option<String> {
    e.to_field(schema).ok().and_then(|(_, f)| f.metadata().get(TYPE_KEY).cloned())
}

fn trimmed(e: Expr) -> Expr {
    Expr::ScalarFunction(ScalarFunction::new_udf(rtrim(), vec![e]))
}
