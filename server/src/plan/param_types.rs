//! Parameter types PostgreSQL infers where DataFusion's planning leaves them open, for
//! Describe (`super::describe`):
//!
//! - `x op ANY($n)` / `x op ALL($n)`: `$n` is an array of `x`'s type. The statement is
//!   described with `x op $n` instead ([`compare_with_elements`]), whose `$n` planning
//!   types as `x`, and the type is then made an array ([`as_array`]).
//! - `$n` as an argument of a function whose argument types PostgreSQL declares and
//!   DataFusion's signature leaves open (`pg_advisory_lock($1)`, `sha384($1)`:
//!   `shale_catalog::sysfuncs::signatures`).

use std::ops::ControlFlow;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::sql::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, Visit, Visitor, visit_expressions_mut,
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
    fn declared_arguments_type_their_parameters() {
        let typed = function_arguments(&statement("SELECT pg_advisory_lock($2), pg_catalog.sha384($1), upper($3)"));
        let types: Vec<(usize, DataType)> = typed.into_iter().map(|(i, f)| (i, f.data_type().clone())).collect();
        assert_eq!(types, [(1, DataType::Int64), (0, DataType::Binary)]);
    }
}
