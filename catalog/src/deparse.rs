//! Expressions over a table's columns written back as PostgreSQL's `ruleutils` writes
//! them (`pg_get_indexdef`, `pg_get_constraintdef`): every operator in parentheses, `AND`
//! and `OR` chains flat, `LIKE` as `~~`, `IN` as `= ANY (ARRAY[...])`, `BETWEEN` as two
//! comparisons, and the casts PostgreSQL's analysis adds written out: a string literal
//! takes the type of what it is compared with (`'x'::text`, `'2020-01-01'::date`), an
//! integer compared with a numeric or float is cast (`(0)::numeric`), a `varchar` operand
//! of a text operator or function is cast to text (`(v)::text`).
//!
//! Pretty (`pg_get_indexdef(oid, 0, true)`, psql's `\d`, a unique violation's DETAIL)
//! writes parentheses only where precedence needs them, and casts of columns without them.
//!
//! Shale keeps an expression as it was written (to evaluate it) and shows this text.

use datafusion::sql::sqlparser::ast::{self, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator, Value};
use shale_pgtypes::types::SqlType;

use crate::descriptor::TableDesc;
use crate::ident::quote_ident;
use crate::resolve;

/// What PostgreSQL's analysis knows of an operand's type.
#[derive(Debug, Clone, PartialEq)]
enum Typed {
    /// A declared or derived type.
    Known(SqlType),
    /// An integer literal.
    Integer,
    /// A literal with a decimal point.
    Decimal,
    /// A string literal: it takes the type of the other operand.
    Unknown,
}

/// `expr`, an expression over the columns of `table`, as PostgreSQL writes it back.
pub fn expression(table: &TableDesc, expr: &Expr, pretty: bool) -> String {
    Deparser { table, pretty }.expr(expr, None)
}

/// `sql`, an expression over the columns of `table`, as PostgreSQL writes it back (as it
/// is when it does not parse).
pub fn sql_expression(table: &TableDesc, sql: &str, pretty: bool) -> String {
    match parse(sql) {
        Some(expr) => expression(table, &expr, pretty),
        None => sql.to_string(),
    }
}

/// `sql`, the expression of an index's key column, as the index's definition shows it: in
/// parentheses unless it is a function call.
pub fn index_key(table: &TableDesc, sql: &str, pretty: bool) -> String {
    match parse(sql) {
        Some(expr @ Expr::Function(_)) => expression(table, &expr, pretty),
        Some(expr) => format!("({})", expression(table, &expr, pretty)),
        None => format!("({sql})"),
    }
}

fn parse(sql: &str) -> Option<Expr> {
    shale_pgtypes::sql::parse_expr(sql).ok()
}

struct Deparser<'a> {
    table: &'a TableDesc,
    pretty: bool,
}

/// How tightly an operator binds, as PostgreSQL's grammar has it (higher binds tighter).
fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Nested(inner) => precedence(inner),
        Expr::BinaryOp { op: BinaryOperator::Or, .. } => 1,
        Expr::BinaryOp { op: BinaryOperator::And, .. } => 2,
        Expr::UnaryOp { op: UnaryOperator::Not, .. } => 3,
        Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::IsTrue(_) | Expr::IsFalse(_) | Expr::IsNotTrue(_) | Expr::IsNotFalse(_) => 4,
        Expr::BinaryOp {
            op: BinaryOperator::Eq | BinaryOperator::NotEq | BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq,
            ..
        } => 5,
        Expr::Like { .. } | Expr::ILike { .. } | Expr::InList { .. } | Expr::Between { .. } => 6,
        Expr::BinaryOp { op: BinaryOperator::Plus | BinaryOperator::Minus, .. } => 8,
        Expr::BinaryOp { op: BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo, .. } => 9,
        Expr::BinaryOp { .. } => 7,
        _ => u8::MAX,
    }
}

impl Deparser<'_> {
    /// `expr` written where a value of type `context` is expected (the other operand of a
    /// comparison), which literals take.
    fn expr(&self, expr: &Expr, context: Option<&SqlType>) -> String {
        match expr {
            Expr::Nested(inner) => self.expr(inner, context),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.column(expr).map_or_else(|| expr.to_string(), |(name, _)| name),
            Expr::Value(v) => literal(&v.value, context, self.pretty),
            Expr::UnaryOp { op: UnaryOperator::Minus, expr: inner } if matches!(inner.as_ref(), Expr::Value(_)) => {
                let ty = match self.typed(inner) {
                    Typed::Decimal => "numeric",
                    _ => "integer",
                };
                format!("'-{}'::{ty}", inner.to_string().trim_matches('\''))
            }
            Expr::UnaryOp { op: UnaryOperator::Not, expr: inner } => self.wrap(format!("NOT {}", self.child(expr, inner, None))),
            Expr::BinaryOp { op: op @ (BinaryOperator::And | BinaryOperator::Or), .. } => {
                let mut terms = Vec::new();
                flatten(expr, op, &mut terms);
                let terms: Vec<String> = terms.iter().map(|t| self.child(expr, t, None)).collect();
                self.wrap(terms.join(&format!(" {op} ")))
            }
            Expr::BinaryOp { left, op, right } => {
                let op = match op {
                    BinaryOperator::NotEq => "<>".to_string(),
                    other => other.to_string(),
                };
                self.wrap(format!("{} {op} {}", self.operand(expr, left, right), self.operand(expr, right, left)))
            }
            Expr::IsNull(inner) => self.wrap(format!("{} IS NULL", self.child(expr, inner, None))),
            Expr::IsNotNull(inner) => self.wrap(format!("{} IS NOT NULL", self.child(expr, inner, None))),
            Expr::IsTrue(inner) => self.wrap(format!("{} IS TRUE", self.child(expr, inner, None))),
            Expr::IsFalse(inner) => self.wrap(format!("{} IS FALSE", self.child(expr, inner, None))),
            Expr::IsNotTrue(inner) => self.wrap(format!("{} IS NOT TRUE", self.child(expr, inner, None))),
            Expr::IsNotFalse(inner) => self.wrap(format!("{} IS NOT FALSE", self.child(expr, inner, None))),
            Expr::Like { negated, expr: l, pattern, .. } => self.matching(expr, l, pattern, if *negated { "!~~" } else { "~~" }),
            Expr::ILike { negated, expr: l, pattern, .. } => self.matching(expr, l, pattern, if *negated { "!~~*" } else { "~~*" }),
            Expr::InList { expr: l, list, negated } => {
                let other = list.first().unwrap_or(l);
                let items: Vec<String> = list.iter().map(|i| self.operand(expr, i, l)).collect();
                let (op, any) = if *negated { ("<>", "ALL") } else { ("=", "ANY") };
                self.wrap(format!("{} {op} {any} (ARRAY[{}])", self.operand(expr, l, other), items.join(", ")))
            }
            Expr::Between { expr: l, negated: false, low, high } => {
                let lower = self.wrap(format!("{} >= {}", self.operand(expr, l, low), self.operand(expr, low, l)));
                let upper = self.wrap(format!("{} <= {}", self.operand(expr, l, high), self.operand(expr, high, l)));
                self.wrap(format!("{lower} AND {upper}"))
            }
            Expr::Cast { expr: inner, data_type, .. } => match SqlType::from_ast(data_type) {
                Ok(ty) => format!("{}::{}", self.cast_operand(inner), ty.pg_name()),
                Err(_) => expr.to_string(),
            },
            Expr::Function(f) => self.function(f),
            other => other.to_string(),
        }
    }

    /// `text`, an operator's, in parentheses (pretty: its parent decides, [`Self::child`]).
    fn wrap(&self, text: String) -> String {
        match self.pretty {
            true => text,
            false => format!("({text})"),
        }
    }

    /// `expr`, an operand of `parent`, where a value of type `context` is expected; pretty:
    /// in parentheses when it binds less tightly than `parent`.
    fn child(&self, parent: &Expr, expr: &Expr, context: Option<&SqlType>) -> String {
        let text = self.expr(expr, context);
        match self.pretty && precedence(expr) < precedence(parent) {
            true => format!("({text})"),
            false => text,
        }
    }

    /// `expr`, an operand of the operator `parent` whose other operand is `other`.
    fn operand(&self, parent: &Expr, expr: &Expr, other: &Expr) -> String {
        let context = match self.typed(other) {
            Typed::Known(ty) => Some(ty),
            Typed::Integer => Some(SqlType::Int4),
            Typed::Decimal => Some(SqlType::Numeric(None)),
            Typed::Unknown => None,
        };
        match (self.typed(expr), context) {
            // A varchar is compared as text.
            (Typed::Known(SqlType::Varchar(_)), Some(SqlType::Text | SqlType::Varchar(_)) | None) => {
                format!("{}::text", self.cast_operand(expr))
            }
            (_, context) => self.child(parent, expr, context.as_ref()),
        }
    }

    /// `expr` before `::type`: in parentheses unless it is a literal, or (pretty) a column
    /// or function call.
    fn cast_operand(&self, expr: &Expr) -> String {
        let text = self.expr(expr, None);
        let simple = matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Function(_));
        match text.starts_with('\'') || (text.starts_with('(') && !self.pretty) || (self.pretty && simple) {
            true => text,
            false => format!("({text})"),
        }
    }

    fn matching(&self, parent: &Expr, value: &Expr, pattern: &Expr, op: &str) -> String {
        self.wrap(format!("{} {op} {}", self.operand(parent, value, pattern), self.operand(parent, pattern, value)))
    }

    fn function(&self, f: &ast::Function) -> String {
        let name = f.name.to_string();
        let special = ["coalesce", "nullif", "greatest", "least"].iter().find(|s| s.eq_ignore_ascii_case(&name));
        let name = match special {
            Some(s) => s.to_uppercase(),
            None => name.to_lowercase(),
        };
        let Some(args) = plain_args(f) else { return f.to_string() };
        let first = args.first().copied();
        let written: Vec<String> = args
            .iter()
            .map(|a| match (self.typed(a), special, first) {
                // COALESCE and the like give their arguments one type.
                (_, Some(_), Some(first)) => self.operand(a, a, first),
                (Typed::Known(SqlType::Varchar(_)), None, _) => format!("{}::text", self.cast_operand(a)),
                _ => self.expr(a, None),
            })
            .collect();
        format!("{name}({})", written.join(", "))
    }

    /// The column `expr` names, written as PostgreSQL writes it, and its type.
    fn column(&self, expr: &Expr) -> Option<(String, SqlType)> {
        let ident = match expr {
            Expr::Identifier(ident) => ident,
            Expr::CompoundIdentifier(parts) => parts.last()?,
            _ => return None,
        };
        let name = resolve::normalize(ident);
        let (_, column) = self.table.column(&name)?;
        Some((quote_ident(&name), column.ty.clone()))
    }

    /// What PostgreSQL's analysis would know of the type of `expr`.
    fn typed(&self, expr: &Expr) -> Typed {
        match expr {
            Expr::Nested(inner) => self.typed(inner),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.column(expr).map_or(Typed::Unknown, |(_, ty)| Typed::Known(ty)),
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) if n.contains(['.', 'e', 'E']) => Typed::Decimal,
                Value::Number(_, _) => Typed::Integer,
                Value::Boolean(_) => Typed::Known(SqlType::Bool),
                _ => Typed::Unknown,
            },
            Expr::UnaryOp { op: UnaryOperator::Minus, expr: inner } => self.typed(inner),
            Expr::Cast { data_type, .. } => SqlType::from_ast(data_type).map_or(Typed::Unknown, Typed::Known),
            Expr::BinaryOp { op: BinaryOperator::StringConcat, .. } => Typed::Known(SqlType::Text),
            Expr::BinaryOp { left, op, .. }
                if matches!(op, BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo) =>
            {
                self.typed(left)
            }
            Expr::Function(f) => {
                let name = f.name.to_string().to_lowercase();
                match name.as_str() {
                    "lower" | "upper" | "btrim" | "ltrim" | "rtrim" | "trim" | "concat" | "md5" | "substr" | "substring" | "replace" => {
                        Typed::Known(SqlType::Text)
                    }
                    "length" | "char_length" | "octet_length" => Typed::Known(SqlType::Int4),
                    "coalesce" | "nullif" | "greatest" | "least" | "abs" | "round" | "trunc" => {
                        match plain_args(f).and_then(|args| args.first().map(|e| self.typed(e))) {
                            Some(Typed::Known(SqlType::Varchar(_))) => Typed::Known(SqlType::Text),
                            Some(other) => other,
                            None => Typed::Unknown,
                        }
                    }
                    _ => Typed::Unknown,
                }
            }
            _ => Typed::Unknown,
        }
    }
}

/// The arguments of the call `f` when each is a plain expression (no names, no `*`, no
/// ORDER BY or DISTINCT inside the call).
pub(crate) fn plain_args(f: &ast::Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &f.args else { return None };
    if !list.clauses.is_empty() || list.duplicate_treatment.is_some() {
        return None;
    }
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// The terms of a chain of `op` (AND or OR), nested parentheses seen through.
fn flatten<'e>(expr: &'e Expr, op: &BinaryOperator, out: &mut Vec<&'e Expr>) {
    match expr {
        Expr::Nested(inner) => flatten(inner, op, out),
        Expr::BinaryOp { left, op: o, right } if o == op => {
            flatten(left, op, out);
            flatten(right, op, out);
        }
        other => out.push(other),
    }
}

/// A literal where a value of type `context` is expected (`pretty`: a cast number without
/// parentheses).
fn literal(value: &Value, context: Option<&SqlType>, pretty: bool) -> String {
    let number = |n: &str| match pretty {
        true => n.to_string(),
        false => format!("({n})"),
    };
    let base = |ty: &SqlType| match ty {
        SqlType::Numeric(_) => "numeric".to_string(),
        SqlType::Varchar(_) => "text".to_string(),
        SqlType::Char(_) => "bpchar".to_string(),
        SqlType::Time(_) => "time without time zone".to_string(),
        SqlType::Timestamp(_) => "timestamp without time zone".to_string(),
        SqlType::Timestamptz(_) => "timestamp with time zone".to_string(),
        other => other.pg_name(),
    };
    match (value, context) {
        (Value::SingleQuotedString(s), ty) => {
            let ty = ty.map_or("text".to_string(), base);
            format!("'{}'::{ty}", s.replace('\'', "''"))
        }
        (Value::Number(n, _), Some(ty @ (SqlType::Float4 | SqlType::Float8))) => format!("{}::{}", number(n), base(ty)),
        (Value::Number(n, _), Some(SqlType::Numeric(_))) if !n.contains(['.', 'e', 'E']) => format!("{}::numeric", number(n)),
        (Value::Boolean(b), _) => b.to_string(),
        (Value::Null, _) => "NULL".to_string(),
        (other, _) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::descriptor::ColumnDesc;

    fn table() -> TableDesc {
        let column = ColumnDesc::new;
        let mut table: TableDesc = serde_json::from_str(r#"{"id":1,"schema_id":1,"name":"dp","columns":[],"primary_key":[]}"#).expect("table");
        table.columns = vec![
            column("a", SqlType::Int4),
            column("b", SqlType::Int8),
            column("t", SqlType::Text),
            column("v", SqlType::Varchar(Some(10))),
            column("n", SqlType::Numeric(None)),
            column("f", SqlType::Float8),
            column("d", SqlType::Date),
            column("ts", SqlType::Timestamptz(None)),
            column("flag", SqlType::Bool),
        ];
        table
    }

    fn deparsed(sql: &str) -> String {
        sql_expression(&table(), sql, false)
    }

    /// Each expected text is what PostgreSQL 15's `pg_get_indexdef` / `pg_get_constraintdef`
    /// wrote for the expression.
    #[test]
    fn expressions_read_back_as_postgresql_writes_them() {
        assert_eq!(deparsed("a + 1"), "(a + 1)");
        assert_eq!(deparsed("t = 'x' AND a > 0 OR NOT flag"), "(((t = 'x'::text) AND (a > 0)) OR (NOT flag))");
        assert_eq!(deparsed("a * -2"), "(a * '-2'::integer)");
        assert_eq!(
            deparsed("t IN ('a', 'b') AND d > '2020-01-01' AND n >= 1.5"),
            "((t = ANY (ARRAY['a'::text, 'b'::text])) AND (d > '2020-01-01'::date) AND (n >= 1.5))"
        );
        assert_eq!(deparsed("coalesce(t, '')"), "COALESCE(t, ''::text)");
        assert_eq!(
            deparsed("t LIKE 'x%' AND a BETWEEN 1 AND 5 AND ts IS NOT NULL AND b <> 3"),
            "((t ~~ 'x%'::text) AND ((a >= 1) AND (a <= 5)) AND (ts IS NOT NULL) AND (b <> 3))"
        );
        assert_eq!(deparsed("t || 'x'"), "(t || 'x'::text)");
        assert_eq!(deparsed("a::text"), "(a)::text");
        assert_eq!(deparsed("flag AND f < 1 AND CAST(a AS bigint) = 2"), "(flag AND (f < (1)::double precision) AND ((a)::bigint = 2))");
        assert_eq!(deparsed("upper(v)"), "upper((v)::text)");
        assert_eq!(deparsed("v = 'q' AND flag IS TRUE"), "(((v)::text = 'q'::text) AND (flag IS TRUE))");
        assert_eq!(deparsed("a > 0 AND b < 10"), "((a > 0) AND (b < 10))");
        assert_eq!(deparsed("f > 0"), "(f > (0)::double precision)");
        assert_eq!(deparsed("n > 0"), "(n > (0)::numeric)");
        assert_eq!(deparsed("t <> ''"), "(t <> ''::text)");
        assert_eq!(deparsed("lower(t)"), "lower(t)");
        assert_eq!(deparsed("deleted_at IS NULL"), "(deleted_at IS NULL)");
    }

    /// As PostgreSQL 15's `pg_get_indexdef(oid, 0, true)` (psql's `\d`) wrote them.
    #[test]
    fn pretty_expressions_have_only_the_parentheses_they_need() {
        let pretty = |sql: &str| sql_expression(&table(), sql, true);
        assert_eq!(pretty("a + b"), "a + b");
        assert_eq!(pretty("t = 'x' AND a > 0 OR NOT flag"), "t = 'x'::text AND a > 0 OR NOT flag");
        assert_eq!(pretty("(a > 0 OR flag) AND b < 3"), "(a > 0 OR flag) AND b < 3");
        assert_eq!(pretty("upper(v)"), "upper(v::text)");
        assert_eq!(pretty("(a + b) * 2"), "(a + b) * 2");
        assert_eq!(pretty("b > 0"), "b > 0");
        assert_eq!(pretty("n > 0"), "n > 0::numeric");
        assert_eq!(pretty("f > 1.5"), "f > 1.5::double precision");
        assert_eq!(index_key(&table(), "a + b", true), "(a + b)");
        assert_eq!(index_key(&table(), "lower(t)", true), "lower(t)");
    }
}
