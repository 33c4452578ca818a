//! The column names PostgreSQL gives a query's output (its `FigureColname` rules): a column
//! reference is named after the column, a function call after the function, a cast after
//! its operand (or its type), anything else `?column?`.

use datafusion::sql::sqlparser::ast::{
    CastKind, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Query, SelectItem, SetExpr, TrimWhereField,
    Value,
};

/// Output names of a query's select list, or `None` when DataFusion's names must be used
/// (a wildcard, or a body that is not a plain SELECT).
pub fn output_names(query: &Query) -> Option<Vec<String>> {
    body_names(&query.body)
}

/// Output names of a RETURNING list, under the same rules.
pub fn item_names(items: &[SelectItem]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) => Some(name_of(e)),
            SelectItem::ExprWithAlias { alias, .. } if alias.value.starts_with(crate::sql::rewrite::DISTINCT_ALIAS) => {
                Some(crate::sql::rewrite::shown_name(&alias.value).to_string())
            }
            SelectItem::ExprWithAlias { alias, .. } => Some(ident(alias)),
            _ => None,
        })
        .collect()
}

fn body_names(body: &SetExpr) -> Option<Vec<String>> {
    match body {
        SetExpr::Select(select) => item_names(&select.projection),
        SetExpr::SetOperation { left, .. } => body_names(left),
        SetExpr::Query(q) => output_names(q),
        _ => None,
    }
}

/// The name PostgreSQL gives the output column `e`, written without an alias.
pub fn name_of(e: &Expr) -> String {
    expr_name(e).unwrap_or_else(|| "?column?".into())
}

/// An identifier as PostgreSQL reads it: folded to lower case unless quoted.
pub fn ident(i: &datafusion::sql::sqlparser::ast::Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

fn expr_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(ident(i)),
        Expr::CompoundIdentifier(parts) => parts.last().map(ident),
        Expr::Function(f) => f.name.0.last().and_then(|p| p.as_ident()).map(ident).map(|name| {
            // Shale's input functions stand for casts: PostgreSQL names those by what is
            // cast when it has a name, else by their type, which for arrays, lengths and
            // negative scales is the function's second argument.
            // A reg value cast to text (`x::regclass::text`).
            if name == shale_catalog::sysfuncs::reg::REG_TEXT {
                return "text".to_string();
            }
            let cast = match name.strip_prefix("shale_").and_then(|n| n.strip_suffix("_in")) {
                Some("array" | "chars" | "numeric") => array_input_type(f).map(type_name),
                Some(ty) => Some(ty.to_string()),
                None => return name,
            };
            function_arg(f, 0).and_then(strong_name).or(cast).unwrap_or(name)
        }),
        Expr::Interval(_) => Some("interval".into()),
        Expr::TypedString(ts) => Some(type_name(&ts.data_type.to_string())),
        Expr::Cast { expr, data_type, kind, .. } => strong_name(expr).or_else(|| match kind {
            CastKind::DoubleColon | CastKind::Cast | CastKind::TryCast | CastKind::SafeCast => {
                Some(type_name(&data_type.to_string()))
            }
        }),
        Expr::Nested(inner) => expr_name(inner),
        Expr::CompoundFieldAccess { root, .. } => expr_name(root),
        Expr::Case { .. } => Some("case".into()),
        Expr::Exists { .. } => Some("exists".into()),
        // Calls the grammar spells out, named as PostgreSQL names them.
        Expr::Substring { shorthand: true, .. } => Some("substr".into()),
        Expr::Substring { .. } => Some("substring".into()),
        Expr::Position { .. } => Some("position".into()),
        Expr::Trim { trim_where: Some(TrimWhereField::Leading), .. } => Some("ltrim".into()),
        Expr::Trim { trim_where: Some(TrimWhereField::Trailing), .. } => Some("rtrim".into()),
        Expr::Trim { .. } => Some("btrim".into()),
        Expr::Extract { .. } => Some("extract".into()),
        Expr::Ceil { .. } => Some("ceil".into()),
        Expr::Floor { .. } => Some("floor".into()),
        Expr::Overlay { .. } => Some("overlay".into()),
        Expr::Array(_) => Some("array".into()),
        Expr::Subquery(q) => output_names(q).and_then(|n| n.into_iter().next()),
        _ => None,
    }
}

/// The name of `e` if a cast of it keeps it (PostgreSQL's "strength" 2): a column's or a
/// function's, not a cast's own type name or `case`.
fn strong_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Cast { expr, .. } | Expr::Nested(expr) => strong_name(expr),
        Expr::TypedString(_) | Expr::Interval(_) | Expr::Case { .. } => None,
        // Shale's input functions stand for casts.
        Expr::Function(f) if f.name.to_string().starts_with("shale_") => function_arg(f, 0).and_then(strong_name),
        _ => expr_name(e),
    }
}

/// The type named by the second argument of `shale_array_in(value, 'type')`.
fn array_input_type(f: &Function) -> Option<&str> {
    match function_arg(f, 1)? {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(ty) => Some(ty),
            _ => None,
        },
        _ => None,
    }
}

/// The `i`th argument of a function call, when it is a plain expression.
fn function_arg(f: &Function, i: usize) -> Option<&Expr> {
    let FunctionArguments::List(list) = &f.args else { return None };
    match list.args.get(i)? {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    }
}

/// PostgreSQL's internal name for a type as written in a cast.
fn type_name(written: &str) -> String {
    let lower = written.to_lowercase();
    // Without modifiers: `timestamp(6) with time zone` is `timestamp with time zone`.
    let mut base = String::new();
    let mut depth = 0u32;
    for c in lower.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => base.push(c),
            _ => {}
        }
    }
    // An array type is named by its element type.
    match base.split('[').next().unwrap_or(&base).trim() {
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" => "float8",
        "boolean" | "bool" => "bool",
        "varchar" | "character varying" => "varchar",
        "char" | "character" | "bpchar" => "bpchar",
        "decimal" | "numeric" => "numeric",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "time" | "time without time zone" => "time",
        other => return other.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::sql::sqlparser::dialect::PostgreSqlDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn names(sql: &str) -> Option<Vec<String>> {
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, sql).unwrap().remove(0);
        match stmt {
            datafusion::sql::sqlparser::ast::Statement::Query(q) => output_names(&q),
            _ => None,
        }
    }

    #[test]
    fn follows_postgres() {
        assert_eq!(
            names("SELECT 1, a, t.B, \"C\", count(*), now(), 1 + 2, '1'::int, x::text AS y, CASE WHEN true THEN 1 END, '1999-01-08'::timestamp(3) with time zone, '1'::numeric(5, 2), a[1], '{}'::numeric(3,1)[]").unwrap(),
            vec!["?column?", "a", "b", "C", "count", "now", "?column?", "int4", "y", "case", "timestamptz", "numeric", "a", "numeric"]
        );
        assert_eq!(names("SELECT shale_array_in('{}', 'integer[]')").unwrap(), vec!["int4"]);
        assert_eq!(
            names("SELECT substr(a, 1), substring(a, 1), substring(a from 1), position('a' in a), trim(a), trim(leading a), trim(trailing a), extract(year from a), ceil(a), floor(a), overlay(a placing 'x' from 2)").unwrap(),
            vec!["substr", "substring", "substring", "position", "btrim", "ltrim", "rtrim", "extract", "ceil", "floor", "overlay"]
        );
        // Casts rewritten to input functions: named by the column cast, as PostgreSQL does.
        assert_eq!(
            names("SELECT shale_chars_in(v, 'varchar(20)'), shale_bytea_in(t.b), shale_numeric_in(1, 'numeric(2,-3)')").unwrap(),
            vec!["v", "b", "numeric"]
        );
        // A cast of a cast is named by the outer type; of a column, by the column.
        assert_eq!(
            names("SELECT 'NaN'::numeric::float8, x::text::int, CASE WHEN true THEN 1 END::text, shale_bytea_in('x')::text").unwrap(),
            vec!["float8", "x", "text", "text"]
        );
        assert_eq!(names("SELECT * FROM t"), None);
    }
}
