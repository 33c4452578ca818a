//! Parameter types PostgreSQL infers where DataFusion's planning leaves them open, for
//! Describe (`super::describe`):
//!
//! - `x op ANY($n)` / `x op ALL($n)`: `$n` is an array of `x`'s type. The statement is
//!   described with `x op $n` instead ([`compare_with_elements`]), whose `$n` planning
//!   types as `x`, and the type is then made an array ([`as_array`]).
//! - `$n` as an argument of a function whose argument types PostgreSQL declares and
//!   DataFusion's signature leaves open (`pg_advisory_lock($1)`, `sha384($1)`:
//!   `shale_catalog::sysfuncs::signatures`).
//! - `$n` as a condition: `WHERE $n`, `HAVING $n`, an operand of `AND`, `OR` or `NOT`
//!   ([`conditions`]) is a boolean.

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SetExpr, Statement, UnaryOperator, Visit,
    Visitor, visit_expressions_mut,
};
use shale_catalog::sysfuncs::signatures::declared_argument_type;
use shale_pgtypes::sql::placeholder_index;

/// Rewrites each `x op ANY($n)` and `x op ALL($n)` of `stmt` into `x op $n`; the indexes
/// of those parameters, whose described type must be an array of the type planning gives
/// them.
pub fn compare_with_elements(stmt: &mut Statement) -> Vec<usize> {
    let mut arrays = Vec::new();
    let _ = visit_expressions_mut(stmt, |e| {
        let (Expr::AnyOp { left, compare_op, right, .. } | Expr::AllOp { left, compare_op, right }) = e else {
            return ControlFlow::<()>::Continue(());
        };
        let Some(index) = placeholder_index(right) else { return ControlFlow::Continue(()) };
        arrays.push(index);
        *e = Expr::BinaryOp { left: left.clone(), op: compare_op.clone(), right: right.clone() };
        ControlFlow::Continue(())
    });
    arrays
}

/// The parameters of `stmt` that stand as a condition: the whole of a WHERE or HAVING
/// clause, or an operand of `AND`, `OR` or `NOT`.
pub fn conditions(stmt: &Statement) -> Vec<usize> {
    struct Conditions(Vec<usize>);
    impl Conditions {
        fn condition(&mut self, e: Option<&Expr>) {
            self.0.extend(e.and_then(placeholder_index));
        }

        fn body(&mut self, body: &SetExpr) {
            match body {
                SetExpr::Select(select) => {
                    self.condition(select.selection.as_ref());
                    self.condition(select.having.as_ref());
                }
                SetExpr::SetOperation { left, right, .. } => {
                    self.body(left);
                    self.body(right);
                }
                _ => {}
            }
        }
    }
    impl Visitor for Conditions {
        type Break = ();
        fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<()> {
            match s {
                Statement::Update(update) => self.condition(update.selection.as_ref()),
                Statement::Delete(delete) => self.condition(delete.selection.as_ref()),
                _ => {}
            }
            ControlFlow::Continue(())
        }

        fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
            self.body(&q.body);
            ControlFlow::Continue(())
        }

        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::BinaryOp { left, op: BinaryOperator::And | BinaryOperator::Or, right } => {
                    self.condition(Some(left));
                    self.condition(Some(right));
                }
                Expr::UnaryOp { op: UnaryOperator::Not, expr } => self.condition(Some(expr)),
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let mut found = Conditions(Vec::new());
    let _ = stmt.visit(&mut found);
    found.0
}

/// An array of `element`'s type, as a parameter's type.
pub fn as_array(element: &Field) -> Field {
    let item = element.clone().with_name("item").with_nullable(true);
    Field::new("", DataType::List(Arc::new(item)), true)
}

/// The parameters of `stmt` passed straight to a function whose argument types PostgreSQL
/// declares, with the declared type (`pg_advisory_lock($1)`: `$1` is a bigint).
pub fn function_arguments(stmt: &Statement) -> Vec<(usize, Field)> {
    struct Arguments(Vec<(usize, Field)>);
    impl Visitor for Arguments {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            let Expr::Function(f) = e else { return ControlFlow::Continue(()) };
            let FunctionArguments::List(list) = &f.args else { return ControlFlow::Continue(()) };
            let Some(name) = f.name.0.last().and_then(|p| p.as_ident()).map(crate::sql::names::ident) else {
                return ControlFlow::Continue(());
            };
            for (position, arg) in list.args.iter().enumerate() {
                let FunctionArg::Unnamed(FunctionArgExpr::Expr(arg)) = arg else { continue };
                let Some(index) = placeholder_index(arg) else { continue };
                if let Some(ty) = declared_argument_type(&name, list.args.len(), position) {
                    self.0.push((index, ty.field("", true)));
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut arguments = Arguments(Vec::new());
    let _ = stmt.visit(&mut arguments);
    arguments.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(sql: &str) -> Statement {
        crate::sql::parse::parse_statements(sql).expect("parses").remove(0)
    }

    #[test]
    fn any_and_all_compare_with_one_element() {
        let mut stmt = statement("SELECT 1 FROM t WHERE a = ANY($2) AND b < ALL($1) AND c = ANY(ARRAY[1])");
        assert_eq!(compare_with_elements(&mut stmt), [1, 0]);
        assert_eq!(stmt.to_string(), "SELECT 1 FROM t WHERE a = $2 AND b < $1 AND c = ANY(ARRAY[1])");
    }

    #[test]
    fn conditions_are_booleans() {
        let mut found = conditions(&statement("SELECT 1 FROM t WHERE $1 AND (NOT $2 OR x = $3) UNION SELECT 2 HAVING $4"));
        found.sort_unstable();
        assert_eq!(found, [0, 1, 3]);
        assert_eq!(conditions(&statement("DELETE FROM t WHERE $2")), [1]);
        assert!(conditions(&statement("SELECT $1 WHERE x = $2")).is_empty());
    }

    #[test]
    fn declared_arguments_type_their_parameters() {
        let typed = function_arguments(&statement("SELECT pg_advisory_lock($2), pg_catalog.sha384($1), upper($3)"));
        let types: Vec<(usize, DataType)> = typed.into_iter().map(|(i, f)| (i, f.data_type().clone())).collect();
        assert_eq!(types, [(1, DataType::Int64), (0, DataType::Binary)]);
    }
}
