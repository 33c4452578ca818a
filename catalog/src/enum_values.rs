//! Values of enum types in expressions, an analyzer rule before DataFusion's type coercion:
//!
//! - A cast from text to an enum type (`'happy'::mood`, `text_column::mood`, and the casts
//!   planning adds to give a written value its column's type) is the type's input function
//!   (`shale_pgtypes::enums`), or the value itself when the text is a literal; a cast from
//!   an enum value to text (or to `varchar(n)`, an input function) is its label.
//! - A text literal compared with an enum value (`mood = 'happy'`, `mood IN ('ok', 'sad')`),
//!   or beside one among CASE's results, is read as a value of that enum, as PostgreSQL
//!   types an untyped literal. (Not among the arguments of `coalesce`, `greatest` or
//!   `least`: DataFusion refuses those while it plans, before any analyzer rule.)
//! - Comparing values of two different enum types, or an enum value with text that is not a
//!   literal, is PostgreSQL's 42883; other casts to or from an enum type are 42846.
//!
//! The labels are the type's as the statement's transaction sees them.

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result as DFResult, ScalarValue};
use datafusion::logical_expr::expr::{Between, Cast, InList, ScalarFunction, TryCast};
use datafusion::logical_expr::{BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator};
use datafusion::optimizer::AnalyzerRule;
use shale_pgtypes::arith::{is_comparison, rewrite_plan};
use shale_pgtypes::enums::{self, EnumType};
use shale_pgtypes::field_type::field_type;
use shale_pgtypes::input::InputType;
use shale_pgtypes::types::SqlType;

use crate::error::{CatalogError, Result, sqlstate};
use crate::{meta, resolve};
use crate::session::handle::SessionHandle;

/// The rule, reading enum types through the session's transaction.
#[derive(Debug)]
pub struct EnumValues {
    /// The session whose transaction the types are read in.
    pub handle: SessionHandle,
}

impl AnalyzerRule for EnumValues {
    fn name(&self) -> &str {
        "shale_enum_values"
    }

    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> DFResult<LogicalPlan> {
        if !mentions_enums(&plan)? {
            return Ok(plan);
        }
        rewrite_plan(plan, |_| false, &|e, schema| e.transform_up(|e| self.rewrite(e, schema).map_err(CatalogError::into_datafusion)))
    }
}

/// Whether a node of `plan` has an enum value in its output or casts to an enum type.
fn mentions_enums(plan: &LogicalPlan) -> DFResult<bool> {
    plan.exists(|node| {
        if node.schema().fields().iter().any(|f| enums::enum_oid(f.data_type()).is_some()) {
            return Ok(true);
        }
        let mut found = false;
        node.apply_expressions(|e| {
            found |= e.exists(|e| {
                Ok(matches!(e, Expr::Cast(Cast { field, .. }) | Expr::TryCast(TryCast { field, .. })
                    if enums::enum_oid(field.data_type()).is_some()))
            })?;
            Ok(datafusion::common::tree_node::TreeNodeRecursion::Continue)
        })?;
        Ok(found)
    })
}

/// The enum type `oid` as the statement's transaction in `handle` sees it, named as
/// PostgreSQL's messages name it: qualified unless the search path finds it by its name.
pub(crate) fn enum_type(handle: &SessionHandle, oid: u32) -> Result<EnumType> {
    let txn = handle.txn()?;
    let scope = handle.scope();
    let desc = meta::type_by_oid(&txn, oid)?
        .ok_or_else(|| CatalogError::new(sqlstate::UNDEFINED_OBJECT, format!("type with OID {oid} does not exist")))?;
    let mut ty = desc.enum_type();
    let found = resolve::in_path(&txn, &scope, &desc.name, meta::get_type)?;
    if found.is_none_or(|(_, t)| t.id != desc.id) {
        ty.name = crate::ident::qualified(&scope.schema_name(&txn, desc.schema_id)?, &desc.name);
    }
    Ok(ty)
}

impl EnumValues {
    fn rewrite(&self, e: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
        match e {
            Expr::Cast(Cast { expr, field }) | Expr::TryCast(TryCast { expr, field })
                if enums::enum_oid(field.data_type()).is_some()
                    || expr.get_type(schema).is_ok_and(|t| enums::enum_oid(&t).is_some()) =>
            {
                Ok(Transformed::yes(self.cast(*expr, field.data_type(), schema)?))
            }
            Expr::BinaryExpr(BinaryExpr { left, op, right }) if is_comparison(op) => {
                let (left_type, right_type) = (left.get_type(schema)?, right.get_type(schema)?);
                let (left, right) = match (enums::enum_oid(&left_type), enums::enum_oid(&right_type)) {
                    (None, None) => return Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right }))),
                    (Some(l), Some(r)) if l == r => return Ok(Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right }))),
                    (Some(oid), None) => (*left, self.operand(*right, oid, &left_type, op, true, schema)?),
                    (None, Some(oid)) => (self.operand(*left, oid, &right_type, op, false, schema)?, *right),
                    (Some(_), Some(_)) => return Err(self.no_operator(&left_type, op, &right_type)),
                };
                Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr { left: Box::new(left), op, right: Box::new(right) })))
            }
            Expr::InList(InList { expr, list, negated }) => {
                let ty = expr.get_type(schema)?;
                let Some(oid) = enums::enum_oid(&ty) else {
                    return Ok(Transformed::no(Expr::InList(InList { expr, list, negated })));
                };
                let list = list
                    .into_iter()
                    .map(|item| self.operand(item, oid, &ty, Operator::Eq, false, schema))
                    .collect::<Result<Vec<_>>>()?;
                Ok(Transformed::yes(Expr::InList(InList { expr, list, negated })))
            }
            Expr::Between(Between { expr, negated, low, high }) => {
                let ty = expr.get_type(schema)?;
                let Some(oid) = enums::enum_oid(&ty) else {
                    return Ok(Transformed::no(Expr::Between(Between { expr, negated, low, high })));
                };
                let low = Box::new(self.operand(*low, oid, &ty, Operator::GtEq, true, schema)?);
                let high = Box::new(self.operand(*high, oid, &ty, Operator::LtEq, true, schema)?);
                Ok(Transformed::yes(Expr::Between(Between { expr, negated, low, high })))
            }
            // An input function given an enum value (`m::varchar(2)` is `shale_chars_in(m,
            // ...)`) reads its label.
            Expr::ScalarFunction(mut f)
                if InputType::of_function(f.name()).is_some()
                    && f.args.first().is_some_and(|a| a.get_type(schema).is_ok_and(|t| enums::enum_oid(&t).is_some())) =>
            {
                let value = f.args.remove(0);
                f.args.insert(0, Expr::ScalarFunction(ScalarFunction::new_udf(std::sync::Arc::new(enums::output_function()), vec![value])));
                Ok(Transformed::yes(Expr::ScalarFunction(f)))
            }
            Expr::Case(mut case) => {
                let results: Vec<Expr> =
                    case.when_then_expr.iter().map(|(_, then)| then.as_ref().clone()).chain(case.else_expr.as_deref().cloned()).collect();
                let Some(mut results) = self.unified(&results, schema)? else { return Ok(Transformed::no(Expr::Case(case))) };
                if case.else_expr.is_some() {
                    case.else_expr = results.pop().map(Box::new);
                }
                for ((_, then), result) in case.when_then_expr.iter_mut().zip(results) {
                    *then = Box::new(result);
                }
                Ok(Transformed::yes(Expr::Case(case)))
            }
            other => Ok(Transformed::no(other)),
        }
    }

    /// `exprs`, which must be of one type (CASE's results), with
    /// their text literals read as the enum type of the others, if any is of one.
    fn unified(&self, exprs: &[Expr], schema: &DFSchema) -> Result<Option<Vec<Expr>>> {
        let mut oid = None;
        for e in exprs {
            oid = oid.or(enums::enum_oid(&e.get_type(schema)?));
        }
        let Some(oid) = oid else { return Ok(None) };
        let unified = exprs
            .iter()
            .map(|e| match e {
                Expr::Literal(ScalarValue::Utf8(_) | ScalarValue::Null, _) => self.input(e.clone(), oid),
                other => Ok(other.clone()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(unified))
    }

    /// `expr` cast to `target`, one of them of an enum type; 42846 for a cast PostgreSQL
    /// does not have.
    fn cast(&self, expr: Expr, target: &DataType, schema: &DFSchema) -> Result<Expr> {
        let source = expr.get_type(schema)?;
        match (enums::enum_oid(&source), enums::enum_oid(target)) {
            (Some(from), Some(to)) if from == to => Ok(expr),
            (None, Some(to)) if is_text(&source) || source == DataType::Null => self.input(expr, to),
            (Some(_), None) if is_text(target) => {
                let label = Expr::ScalarFunction(ScalarFunction::new_udf(std::sync::Arc::new(enums::output_function()), vec![expr]));
                Ok(Expr::Cast(Cast::new(Box::new(label), target.clone())))
            }
            _ => Err(CatalogError::new(
                "42846",
                format!("cannot cast type {} to {}", self.type_name(&source), self.type_name(target)),
            )),
        }
    }

    /// The other operand of a comparison with a value of the enum type `oid` (`enum_type`):
    /// a text literal read as the enum's value; anything else is 42883.
    fn operand(&self, expr: Expr, oid: u32, enum_type: &DataType, op: Operator, enum_left: bool, schema: &DFSchema) -> Result<Expr> {
        let ty = expr.get_type(schema)?;
        match &expr {
            Expr::Literal(ScalarValue::Utf8(_) | ScalarValue::Null, _) => self.input(expr, oid),
            _ if enums::enum_oid(&ty) == Some(oid) => Ok(expr),
            _ if enum_left => Err(self.no_operator(enum_type, op, &ty)),
            _ => Err(self.no_operator(&ty, op, enum_type)),
        }
    }

    /// Text read as a value of the enum type `oid`: the value itself for a literal.
    fn input(&self, expr: Expr, oid: u32) -> Result<Expr> {
        let ty = self.enum_type(oid)?;
        match expr {
            Expr::Literal(ScalarValue::Utf8(text) | ScalarValue::LargeUtf8(text) | ScalarValue::Utf8View(text), _) => {
                let array = ty.array([text.as_deref()])?;
                Ok(Expr::Literal(ScalarValue::try_from_array(&array, 0)?, None))
            }
            Expr::Literal(ScalarValue::Null, _) => Ok(Expr::Literal(ScalarValue::try_from(&ty.data_type())?, None)),
            other => Ok(Expr::ScalarFunction(ScalarFunction::new_udf(std::sync::Arc::new(enums::input_function(ty)), vec![other]))),
        }
    }

    /// The enum type `oid`, see [`enum_type`].
    fn enum_type(&self, oid: u32) -> Result<EnumType> {
        enum_type(&self.handle, oid)
    }

    /// PostgreSQL's name of the type of values of `data_type`.
    fn type_name(&self, data_type: &DataType) -> String {
        let ty = field_type(&Field::new("", data_type.clone(), true));
        if let Some(oid) = enums::enum_oid(data_type) {
            return self.enum_type(oid).map_or_else(|_| oid.to_string(), |t| t.name);
        }
        SqlType::from_oid(ty.oid, -1).map_or_else(|| data_type.to_string(), |t| t.pg_name())
    }

    fn no_operator(&self, left: &DataType, op: Operator, right: &DataType) -> CatalogError {
        CatalogError::new(
            sqlstate::UNDEFINED_FUNCTION,
            format!("operator does not exist: {} {op} {}", self.type_name(left), self.type_name(right)),
        )
        .with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.")
    }
}

fn is_text(ty: &DataType) -> bool {
    matches!(ty, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}
