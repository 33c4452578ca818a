//! Simple-query statements that differ only in their constants share one plan. pgbench,
//! psql scripts and many applications send `UPDATE t SET n = n + 5 WHERE id = 42` with the
//! values spelled in; planning each such statement with DataFusion costs far more than
//! running it. So the constants that are values of a column — compared with it in a WHERE
//! clause, assigned to it by UPDATE, or a row of a one-row INSERT — become parameters, and
//! the statement runs as a prepared one would (see `plan_cache`), from a plan made once per
//! shape of statement, with the constants bound as text parameters.
//!
//! The results are the statement's own: a parameter takes the type of its column, as an
//! untyped constant does in PostgreSQL, and a constant its column's type cannot hold (an
//! integer too large, text that is not a number) runs the statement as written, which then
//! answers as PostgreSQL does.

use std::sync::Arc;

use bytes::Bytes;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::sql::sqlparser::ast::{
    BinaryOperator, Expr, SetExpr, Statement, UnaryOperator, Value, ValueWithSpan,
};
use pgwire::api::Type;
use shale_catalog::CatalogError;

use crate::encode::pg_type_of;
use crate::session::outcome::Outcome;
use crate::protocol::params::literal;
use crate::plan::plan_cache::{PlanCache, PlanKey, PreparedRef};
use crate::session::Session;

/// A statement with its column constants replaced by `$1, $2, ...`, and their texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The statement with placeholders.
    pub stmt: Statement,
    /// The constants, in placeholder order, as text.
    pub values: Vec<String>,
}

impl Shape {
    /// The text that identifies statements of this shape.
    pub fn key(&self) -> String {
        self.stmt.to_string()
    }
}

/// The shape of `stmt`, when it is a SELECT, UPDATE, DELETE or one-row INSERT without
/// parameters of its own and with at least one column constant.
pub fn shape(stmt: &Statement) -> Option<Shape> {
    if crate::plan::describe::placeholder_count(stmt) > 0 {
        return None;
    }
    let mut stmt = stmt.clone();
    let mut values = Vec::new();
    match &mut stmt {
        Statement::Query(query) => {
            let SetExpr::Select(select) = query.body.as_mut() else { return None };
            // SELECT ... INTO creates a table (`Session::select_into`).
            if select.into.is_some() {
                return None;
            }
            if let Some(selection) = select.selection.as_mut() {
                comparisons(selection, &mut values);
            }
        }
        Statement::Update(update) => {
            for assignment in &mut update.assignments {
                assigned(&mut assignment.value, &mut values);
            }
            if let Some(selection) = update.selection.as_mut() {
                comparisons(selection, &mut values);
            }
        }
        Statement::Delete(delete) => {
            if let Some(selection) = delete.selection.as_mut() {
                comparisons(selection, &mut values);
            }
        }
        Statement::Insert(insert) => {
            let SetExpr::Values(rows) = insert.source.as_mut()?.body.as_mut() else { return None };
            let [row] = rows.rows.as_mut_slice() else { return None };
            row.iter_mut().for_each(|e| replace(e, &mut values));
        }
        _ => return None,
    }
    (!values.is_empty()).then_some(Shape { stmt, values })
}

/// In a WHERE clause: the constants compared with a column, through ANDs.
fn comparisons(e: &mut Expr, values: &mut Vec<String>) {
    match e {
        Expr::Nested(inner) => comparisons(inner, values),
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            comparisons(left, values);
            comparisons(right, values);
        }
        Expr::BinaryOp { left, op, right } if is_comparison(op) => column_operand(left, right, values),
        _ => {}
    }
}

/// A value UPDATE assigns: a constant, or a constant added to (subtracted from, multiplied
/// by) a column.
fn assigned(e: &mut Expr, values: &mut Vec<String>) {
    match e {
        Expr::BinaryOp { left, op: BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply, right } => {
            column_operand(left, right, values)
        }
        e => replace(e, values),
    }
}

/// Replaces the constant of `left op right` when the other operand is a column.
fn column_operand(left: &mut Expr, right: &mut Expr, values: &mut Vec<String>) {
    if is_column(left) {
        replace(right, values);
    } else if is_column(right) {
        replace(left, values);
    }
}

fn is_column(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

fn is_comparison(op: &BinaryOperator) -> bool {
    use BinaryOperator::*;
    matches!(op, Eq | NotEq | Lt | LtEq | Gt | GtEq)
}

/// Replaces `e` by the next placeholder if it is a constant: an integer (with its sign) or
/// a quoted string.
fn replace(e: &mut Expr, values: &mut Vec<String>) {
    let Some(text) = constant(e) else { return };
    values.push(text);
    *e = Expr::Value(ValueWithSpan::from(Value::Placeholder(format!("${}", values.len()))));
}

fn constant(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if n.bytes().all(|b| b.is_ascii_digit()) => Some(n.clone()),
            Value::SingleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match constant(expr) {
            Some(n) if n.bytes().all(|b| b.is_ascii_digit()) => Some(format!("-{n}")),
            _ => None,
        },
        _ => None,
    }
}

/// How many statement shapes a session keeps, the most recently used.
const KEPT_SHAPES: usize = 64;

/// A shape described once (its parameters' types and its result columns) against a
/// catalog, with its plan cache; `None` when it cannot run with parameters (a parameter
/// whose type planning cannot tell).
type Entry = (PlanKey, Option<Arc<Described>>);

/// A described shape.
struct Described {
    stmt: Statement,
    params: Vec<Type>,
    rows: Option<(SchemaRef, Vec<String>)>,
    cache: PlanCache,
}

/// The shapes a session has run, by key, most recently used last.
#[derive(Default)]
pub struct Shapes(Vec<(String, Entry)>);

impl Shapes {
    fn get(&mut self, key: &str, catalog: &PlanKey) -> Option<Option<Arc<Described>>> {
        let at = self.0.iter().position(|(k, (c, _))| k == key && c == catalog)?;
        let entry = self.0.remove(at);
        let described = entry.1.1.clone();
        self.0.push(entry);
        Some(described)
    }

    fn put(&mut self, key: String, entry: Entry) {
        self.0.retain(|(k, _)| *k != key);
        if self.0.len() == KEPT_SHAPES {
            self.0.remove(0);
        }
        self.0.push((key, entry));
    }
}

impl Session {
    /// Executes a statement of a simple Query message: by its shape's plan when it has
    /// column constants (see the module), else as written.
    pub async fn execute_simple(&mut self, stmt: Statement) -> Result<Outcome, CatalogError> {
        match self.by_shape(&stmt).await {
            Some((described, literals)) => {
                let prepared = PreparedRef {
                    stmt: &described.stmt,
                    params: &described.params,
                    rows: described.rows.as_ref(),
                    cache: &described.cache,
                };
                self.execute_prepared(&prepared, literals).await
            }
            None => self.execute(stmt).await,
        }
    }

    /// The described shape of `stmt` and its constants as typed literals; `None` to run it
    /// as written (no shape, a failed block, a constant its column cannot hold, anything
    /// that goes wrong describing it: the statement itself then answers).
    async fn by_shape(&mut self, stmt: &Statement) -> Option<(Arc<Described>, Vec<Expr>)> {
        if self.in_failed_block() {
            return None;
        }
        let shape = shape(stmt)?;
        let key = shape.key();
        let txn = self.planning_txn();
        let catalog = self.plan_key();
        self.end_planning_txn(txn);
        let catalog = catalog.ok()?;
        let described = match self.shapes.get(&key, &catalog) {
            Some(described) => described,
            None => {
                let described = self.describe_shape(&shape).await;
                self.shapes.put(key, (catalog, described.clone()));
                described
            }
        }?;
        let literals = shape
            .values
            .iter()
            .zip(&described.params)
            .map(|(text, ty)| literal(Some(&Bytes::from(text.clone())), ty))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        self.param_values(&literals).ok()?;
        Some((described, literals))
    }

    async fn describe_shape(&mut self, shape: &Shape) -> Option<Arc<Described>> {
        let description = self.describe(&shape.stmt).await.ok()?;
        let params = description.params.iter().map(|p| p.as_ref().map(|f| pg_type_of(f).ty)).collect::<Option<Vec<_>>>()?;
        Some(Arc::new(Described {
            stmt: shape.stmt.clone(),
            params,
            rows: description.rows,
            cache: PlanCache::new(description.key),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_statements;

    fn of(sql: &str) -> Option<(String, Vec<String>)> {
        shape(&parse_statements(sql).unwrap().remove(0)).map(|s| (s.key(), s.values))
    }

    #[test]
    fn column_constants_become_parameters() {
        assert_eq!(
            of("UPDATE a SET n = n + -5, m = 'x' WHERE id = 42 AND (k > 'b')"),
            Some(("UPDATE a SET n = n + $1, m = $2 WHERE id = $3 AND (k > $4)".into(), vec!["-5".into(), "x".into(), "42".into(), "b".into()]))
        );
        assert_eq!(
            of("INSERT INTO h (a, b, t) VALUES (1, 'two', CURRENT_TIMESTAMP)"),
            Some(("INSERT INTO h (a, b, t) VALUES ($1, $2, CURRENT_TIMESTAMP)".into(), vec!["1".into(), "two".into()]))
        );
        assert_eq!(of("SELECT n FROM a WHERE 7 = id").map(|s| s.1), Some(vec!["7".into()]));
        assert_eq!(of("DELETE FROM a WHERE id <> 3").map(|s| s.1), Some(vec!["3".into()]));
    }

    #[tokio::test]
    async fn statements_differing_in_constants_share_one_kept_plan() {
        let (_dir, mut session) =
            crate::plan::plan_cache::tests::session(&["CREATE TABLE kv (id bigint PRIMARY KEY, n bigint)", "INSERT INTO kv VALUES (1, 10), (2, 20)"]).await;
        for sql in ["UPDATE kv SET n = n + 1 WHERE id = 1", "UPDATE kv SET n = n + 5 WHERE id = 2", "UPDATE kv SET n = n + 1 WHERE id = 3"] {
            session.execute_simple(parse_statements(sql).unwrap().remove(0)).await.unwrap();
        }
        let shapes: Vec<_> = session.shapes.0.iter().map(|(key, (_, described))| (key.as_str(), described.is_some())).collect();
        assert_eq!(shapes, [("UPDATE kv SET n = n + $1 WHERE id = $2", true)]);
        let described = session.shapes.0[0].1.1.clone().unwrap();
        assert!(described.cache.keeps_a_physical_plan(), "executed from the shape's plan");
        let select = parse_statements("SELECT n FROM kv WHERE id = 2").unwrap().remove(0);
        let outcome = session.execute_simple(select).await.unwrap();
        let crate::session::outcome::StatementResult::Rows(rows) = outcome.result else { panic!("no rows") };
        let n = datafusion::arrow::util::display::array_value_to_string(rows.batches[0].column(0), 0).unwrap();
        assert_eq!(n, "25");
    }

    #[test]
    fn other_constants_stay() {
        assert_eq!(of("SELECT 1"), None, "not a column's value");
        assert_eq!(of("SELECT n FROM a WHERE id = 1.5 OR id = 2"), None, "decimals, and ORs, stay");
        assert_eq!(of("SELECT n FROM a WHERE id = $1"), None, "parameters of its own");
        assert_eq!(of("INSERT INTO a VALUES (1), (2)"), None, "several rows");
        assert_eq!(of("SET search_path = 'x'"), None);
    }
}
