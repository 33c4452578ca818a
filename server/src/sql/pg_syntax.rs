//! PostgreSQL syntax that clients' catalog queries use and DataFusion does not plan,
//! rewritten before planning into what it does:
//!
//! - `OPERATOR(pg_catalog.~)` is the operator `~`;
//! - `COLLATE pg_catalog.default` (and "C", "POSIX"): Shale compares text byte by byte,
//!   which is what these collations do, so the clause changes nothing and is dropped;
//!   other collations are 0A000;
//! - `pg_catalog.` before a function, a table function or a type name is dropped (they
//!   all live there);
//! - casts to `regclass`, `regtype`, `regproc`, `regnamespace`, `regrole` call
//!   `shale_regclass_in(value)` and its kin, and a value of one of those types cast to text
//!   prints its object's name (`shale_reg_text`);
//! - `x IN (subquery)` in a SELECT list is `x = ANY((SELECT array_agg(...) ...))`;
//! - an ORDER BY expression with a subquery, and DISTINCT ON over a SELECT list with
//!   subqueries, are computed over a derived table;
//! - a function that returns one value, in FROM, is a one-row derived table;
//! - `ARRAY(SELECT e FROM ...)` is `(SELECT array_agg(e) FROM ...)`;
//! - `EXISTS (...)` in a SELECT list is `(SELECT count(*) > 0 ...)`;
//! - `current_catalog` and `user` are `current_database()` and `current_user`;
//! - the prefix operator `@ x` is `abs(x)`;
//! - `ARRAY[...]` nested more than six deep is 54000, as in PostgreSQL, before DataFusion
//!   plans it;
//! - `LIKE ... ESCAPE 'c'` rewrites the pattern to DataFusion's backslash escapes;
//! - subscripts of the catalogs' int2vector and oidvector columns (`indkey[0]`) start at
//!   0, as `generate_subscripts` over them does;
//! - `information_schema._pg_expandarray(a)` (PgJDBC) is `unnest` of `(x, n)` structs,
//!   and `(...).x` / `(...).n` the elements / their positions;
//! - `pg_partition_ancestors(rel)` (psql's "Referenced by:") returns no rows: Shale has no
//!   partitions;
//! - a scalar subquery over system catalogs that does not aggregate (psql's
//!   `(SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE ...)`) takes
//!   `first_value` of its one column: DataFusion plans a correlated scalar subquery only
//!   when it aggregates. The catalogs' keys make such subqueries return at most one row.
//!   Conditions in it that read only outer columns move out of it (see
//!   [`hoist_outer_conditions`]).

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    AccessExpr, BinaryOperator, DataType, Distinct, Expr, FunctionArguments, Subscript, GroupByExpr, JoinOperator, ObjectName, ObjectNamePart, OrderByKind, Query, SelectItem,
    SetExpr, Statement, TableFactor, UnaryOperator, VisitMut, VisitorMut,
};
use shale_pgtypes::sql::{parse_data_type, parse_expr, parse_query};
use shale_catalog::sysfuncs::UNSUPPORTED;
use shale_catalog::sysfuncs::reg::{REG_TEXT, RegKind};
use shale_catalog::CatalogError;
use shale_catalog::system::{is_always_empty, is_system_table, system_table_columns};

/// Rewrites `stmt` (see the module's documentation).
pub fn rewrite(stmt: &mut Statement) -> Result<(), CatalogError> {
    let mut rewriter = Rewriter { failure: None };
    let _ = stmt.visit(&mut rewriter);
    match rewriter.failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct Rewriter {
    failure: Option<CatalogError>,
}

impl VisitorMut for Rewriter {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        null_columns_of_empty_catalogs(&mut query.body);
        if let Err(e) = subqueries_out_of_order_by(query) {
            self.failure = Some(e);
            return ControlFlow::Break(());
        }
        if let SetExpr::Select(select) = query.body.as_mut() {
            name_niladic_functions(select);
            if let Err(e) = in_subqueries_in_projection(select) {
                self.failure = Some(e);
                return ControlFlow::Break(());
            }
            if let Err(e) = exists_in_projection(select) {
                self.failure = Some(e);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { name, args: Some(args), alias, with_ordinality: false, .. } = factor {
            strip_pg_catalog(name);
            // A function returning one value, in FROM, is a one-row table of it, its
            // column named after the alias (Grafana's `string_to_array(...) s`).
            let function = last_part(name).unwrap_or_default();
            if !TABLE_FUNCTIONS.contains(&function.as_str()) && args.settings.is_none() {
                let column = alias.as_ref().map_or(function.clone(), |a| a.name.value.clone());
                let call = format!("{name}({})", args.args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", "));
                let table = alias.as_ref().map_or(function, |a| a.name.to_string());
                let sql = format!("SELECT * FROM (SELECT {call} AS \"{}\") AS {table}", column.replace('"', "\"\""));
                match parse_query(&sql) {
                    Ok(query) => {
                        if let SetExpr::Select(select) = *query.body {
                            if let Some(from) = select.from.into_iter().next() {
                                *factor = from.relation;
                            }
                        }
                    }
                    Err(e) => {
                        self.failure = Some(e.into());
                        return ControlFlow::Break(());
                    }
                }
                return ControlFlow::Continue(());
            }
        }
        if let TableFactor::Table { name, args: Some(_), alias: Some(alias), .. } = factor {
            // A one-column set function's column is named after its alias, as in
            // PostgreSQL (`generate_series(1, 3) AS i` has column i).
            if alias.columns.is_empty() && matches!(last_part(name).as_deref(), Some("generate_series" | "unnest")) {
                alias.columns.push(datafusion::sql::sqlparser::ast::TableAliasColumnDef { name: alias.name.clone(), data_type: None });
            }
        }
        if let TableFactor::Table { name, args: Some(args), alias, with_ordinality, .. } = factor {
            // unnest(...) in FROM is its own syntax.
            if last_part(name).as_deref() == Some("unnest") && args.settings.is_none() {
                let array_exprs = args
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        datafusion::sql::sqlparser::ast::FunctionArg::Unnamed(datafusion::sql::sqlparser::ast::FunctionArgExpr::Expr(e)) => Some(e.clone()),
                        _ => None,
                    })
                    .collect();
                *factor = TableFactor::UNNEST { alias: alias.take(), array_exprs, with_offset: false, with_offset_alias: None, with_ordinality: *with_ordinality };
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match rewrite_expr(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.failure = Some(e);
                ControlFlow::Break(())
            }
        }
    }
}

/// `pg_catalog.name` as `name`.
/// How many `ARRAY[...]` constructors nest at `e` (PostgreSQL allows six; DataFusion's
/// planning of deeper ones takes time exponential in the depth).
fn array_depth(e: &Expr) -> usize {
    match e {
        Expr::Array(a) => 1 + a.elem.iter().map(array_depth).max().unwrap_or(0),
        Expr::Nested(inner) => array_depth(inner),
        _ => 0,
    }
}

fn strip_pg_catalog(name: &mut ObjectName) -> bool {
    let qualified = name.0.len() == 2
        && matches!(&name.0[0], ObjectNamePart::Identifier(i) if i.value.eq_ignore_ascii_case("pg_catalog"));
    if qualified {
        name.0.remove(0);
    }
    qualified
}

/// The last part of a name, lowercased when unquoted.
fn last_part(name: &ObjectName) -> Option<String> {
    match name.0.last()? {
        ObjectNamePart::Identifier(i) if i.quote_style.is_some() => Some(i.value.clone()),
        ObjectNamePart::Identifier(i) => Some(i.value.to_lowercase()),
        ObjectNamePart::Function(_) => None,
    }
}

fn rewrite_expr(expr: &mut Expr) -> Result<(), CatalogError> {
    match expr {
        Expr::BinaryOp { op, .. } => {
            if let BinaryOperator::PGCustomBinaryOperator(parts) = op {
                *op = operator(parts)?;
            }
        }
        Expr::Array(_) => shale_pgtypes::limits::check_array_dimensions(array_depth(expr))?,
        // mod(a, b): the remainder operator, which has PostgreSQL's semantics.
        Expr::Function(f) if last_part(&f.name).as_deref() == Some("mod") && f.name.0.len() == 1 => {
            if let Some([a, b]) = function_args(f).as_deref() {
                *expr = parse_expr(&format!("(({a}) % ({b}))"))?;
            }
        }
        Expr::UnaryOp { op: UnaryOperator::PGAbs, expr: inner } => {
            *expr = parse_expr(&format!("abs({inner})"))?;
        }
        Expr::Collate { expr: inner, collation } => {
            match last_part(collation).as_deref() {
                Some("default" | "C" | "POSIX" | "c" | "posix") => {}
                _ => return Err(CatalogError::unsupported(format!("COLLATE {collation}: Shale compares text as the \"C\" collation does"))),
            }
            *expr = (**inner).clone();
        }
        Expr::Identifier(i) if i.quote_style.is_none() => {
            // Niladic functions written without parentheses.
            match i.value.to_lowercase().as_str() {
                "current_catalog" => *expr = parse_expr("current_database()")?,
                "user" | "current_user" | "current_role" => *expr = parse_expr("current_user()")?,
                "session_user" => *expr = parse_expr("session_user()")?,
                _ => {}
            }
        }
        Expr::Like { escape_char, pattern, .. } | Expr::ILike { escape_char, pattern, .. } => {
            if let Some(escape) = escape_char.take() {
                match escape.to_string().as_str() {
                    "'\\'" => *escape_char = Some(escape),
                    _ => *pattern = Box::new(parse_expr(&format!("shale_like_escape({pattern}, {escape})"))?),
                }
            }
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            // (information_schema._pg_expandarray(a)).n and .x
            if let (Some(array), [AccessExpr::Dot(Expr::Identifier(field))]) = (expanded_array(root), access_chain.as_slice()) {
                *expr = match field.value.to_lowercase().as_str() {
                    "n" => parse_expr(&format!("unnest(shale_subscripts({array}, 1))"))?,
                    "x" => parse_expr(&format!("unnest({array})"))?,
                    _ => return Ok(()),
                };
                return Ok(());
            }
            // (composite).field
            if let [AccessExpr::Dot(Expr::Identifier(field))] = access_chain.as_slice() {
                if matches!(root.as_ref(), Expr::Nested(_)) {
                    *expr = parse_expr(&format!("get_field({root}, '{}')", field.value.to_lowercase().replace('\'', "''")))?;
                    return Ok(());
                }
            }
            // int2vector and oidvector subscripts start at 0.
            let vector = match access_chain.as_slice() {
                [AccessExpr::Subscript(_)] => is_vector(root),
                [.., AccessExpr::Dot(field), AccessExpr::Subscript(_)] => is_vector(field),
                _ => false,
            };
            if let (true, Some(AccessExpr::Subscript(Subscript::Index { index }))) = (vector, access_chain.last_mut()) {
                *index = parse_expr(&format!("({index}) + 1"))?;
            }
        }
        Expr::Function(f) if matches!(f.args, FunctionArguments::None) => {
            match last_part(&f.name).as_deref() {
                Some("current_catalog") => *expr = parse_expr("current_database()")?,
                Some("user" | "current_user" | "current_role") => *expr = parse_expr("current_user()")?,
                Some("session_user") => *expr = parse_expr("session_user()")?,
                _ => {}
            }
        }
        Expr::Function(f) => {
            if let Some(array) = expand_array_argument(f) {
                *expr = parse_expr(&format!("unnest(shale_expand_keys({array}))"))?;
                return Ok(());
            }
            strip_pg_catalog(&mut f.name);
            if last_part(&f.name).as_deref() == Some("pg_partition_ancestors") && function_args(f).is_some_and(|a| a.len() == 1) {
                *expr = parse_expr("unnest(make_array())")?;
                return Ok(());
            }
            if last_part(&f.name).as_deref() == Some("generate_subscripts") {
                if let Some([array, _]) = function_args(f).as_deref() {
                    let base = if is_vector(array) { 0 } else { 1 };
                    *expr = parse_expr(&format!("unnest(shale_subscripts({array}, {base}))"))?;
                    return Ok(());
                }
            }
            if let FunctionArguments::Subquery(query) = &f.args {
                if last_part(&f.name).as_deref() == Some("array") {
                    *expr = array_subquery(query)?;
                }
            }
        }
        Expr::Cast { expr: inner, data_type, .. } => {
            strip_type(data_type);
            let target = match data_type {
                DataType::Custom(name, modifiers) if modifiers.is_empty() => last_part(name),
                DataType::Regclass => Some("regclass".to_string()),
                _ => None,
            };
            if let Some(kind) = target.as_deref().and_then(RegKind::named) {
                *expr = parse_expr(&format!("{}({inner})", kind.input_function()))?;
            } else if is_text(data_type) {
                // A reg value cast to text prints as its object's name.
                if let Some(kind) = reg_input_kind(inner) {
                    *expr = parse_expr(&format!("{REG_TEXT}('{}', {inner})", kind.name()))?;
                }
            }
        }
        Expr::Subquery(query) if over_empty_catalog(&query.body) => *expr = null(),
        Expr::Subquery(query) => {
            aggregate_catalog_subquery(query);
            if let Some(hoisted) = hoist_outer_conditions(query) {
                *expr = parse_expr(&format!("CASE WHEN {hoisted} THEN {expr} END"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Wraps the one column of a non-aggregating scalar subquery over system catalogs in
/// `first_value`.
fn aggregate_catalog_subquery(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_mut() else { return };
    let over_catalogs = !select.from.is_empty()
        && select.from.iter().all(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)).all(is_catalog));
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
    if !over_catalogs || grouped || select.projection.len() != 1 || select.distinct.is_some() {
        return;
    }
    let item = &mut select.projection[0];
    let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { return };
    let aggregates = datafusion::sql::sqlparser::ast::visit_expressions(e, |e| match e {
        Expr::Function(f) if AGGREGATES.contains(&last_part(&f.name).unwrap_or_default().as_str()) => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if aggregates.is_break() {
        return;
    }
    if let Ok(wrapped) = parse_expr(&format!("first_value({e})")) {
        *e = wrapped;
    }
}

/// `ARRAY(SELECT e FROM ... [ORDER BY ...])` as `(SELECT array_agg(e [ORDER BY ...]) FROM
/// ...)`; 0A000 for a subquery of another shape.
fn array_subquery(query: &Query) -> Result<Expr, CatalogError> {
    let unsupported = || CatalogError::unsupported(format!("ARRAY({query})"));
    let mut query = match &query.with {
        Some(_) => inline_cte(query).ok_or_else(unsupported)?,
        None => query.clone(),
    };
    let order_by = query.order_by.take();
    if query.limit_clause.is_some() || query.with.is_some() {
        return Err(unsupported());
    }
    let SetExpr::Select(select) = query.body.as_mut() else { return Err(unsupported()) };
    let [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] = select.projection.as_mut_slice() else {
        return Err(unsupported());
    };
    let order = match order_by.map(|o| o.kind) {
        None => String::new(),
        Some(OrderByKind::Expressions(items)) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| match &item.expr {
                    // ORDER BY 1 is the one column.
                    Expr::Value(v) if v.to_string() == "1" => format!("{e} {}", item.options),
                    _ => item.to_string(),
                })
                .collect();
            format!(" ORDER BY {}", items.join(", "))
        }
        Some(OrderByKind::All(_)) => return Err(unsupported()),
    };
    if let [from] = select.from.as_slice() {
        if let (TableFactor::UNNEST { array_exprs, .. }, true) = (&from.relation, from.joins.is_empty()) {
            // Over the elements of an array: exact for an empty or NULL array, which is
            // all Shale's catalogs hold where psql does this (`reloptions`).
            let [array] = array_exprs.as_slice() else { return Err(unsupported()) };
            return Ok(parse_expr(&format!(
                "CASE WHEN {array} IS NULL OR cardinality({array}) = 0 THEN make_array() ELSE {UNSUPPORTED}('ARRAY(SELECT ... FROM unnest(...)) over a non-empty array') END"
            ))?);
        }
    }
    *e = parse_expr(&format!("array_agg({e}{order})"))?;
    // No rows make an empty array, not NULL.
    Ok(parse_expr(&format!("coalesce({}, make_array())", Expr::Subquery(Box::new(query))))?)
}

/// `EXISTS (...)` in a SELECT list as `(SELECT count(*) > 0 FROM ...)`: DataFusion plans
/// EXISTS only in WHERE.
fn exists_in_projection(select: &mut datafusion::sql::sqlparser::ast::Select) -> Result<(), CatalogError> {
    for item in &mut select.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { continue };
        let mut failure = None;
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(e, |e| {
            if let Expr::Exists { subquery, negated } = e {
                let mut counted = (**subquery).clone();
                if let Err(err) = any_of_inner_array(&mut counted) {
                    failure = Some(err);
                }
                if let SetExpr::Select(inner) = counted.body.as_mut() {
                    let test = if *negated { "count(*) = 0" } else { "count(*) > 0" };
                    match parse_expr(test) {
                        Ok(count) => inner.projection = vec![SelectItem::UnnamedExpr(count)],
                        Err(err) => failure = Some(err.into()),
                    }
                    *e = Expr::Subquery(Box::new(counted));
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if let Some(err) = failure {
            return Err(err);
        }
    }
    Ok(())
}

/// `WITH [RECURSIVE] c AS (anchor [UNION ALL recursive]) SELECT col FROM c` as the anchor
/// selecting `col`, when the recursive part inner-joins a catalog that never has rows
/// (pgAdmin's role memberships through `pg_auth_members`): it adds no rows, and the
/// query is then one DataFusion can decorrelate.
fn inline_cte(query: &Query) -> Option<Query> {
    let with = query.with.as_ref()?;
    let [cte] = with.cte_tables.as_slice() else { return None };
    let SetExpr::Select(body) = query.body.as_ref() else { return None };
    let [from] = body.from.as_slice() else { return None };
    if !from.joins.is_empty() || alias_of_table(&from.relation)? != cte.alias.name.value.to_lowercase() {
        return None;
    }
    let anchor = match cte.query.body.as_ref() {
        SetExpr::SetOperation { left, right, .. } => {
            let recursive_adds_nothing = matches!(right.as_ref(), SetExpr::Select(_))
                && over_empty_catalog(right);
            if !recursive_adds_nothing {
                return None;
            }
            left.clone()
        }
        SetExpr::Select(_) => cte.query.body.clone(),
        _ => return None,
    };
    let SetExpr::Select(mut anchor_select) = *anchor else { return None };
    let [SelectItem::UnnamedExpr(wanted) | SelectItem::ExprWithAlias { expr: wanted, .. }] = body.projection.as_slice() else { return None };
    let wanted = match wanted {
        Expr::Identifier(i) => i.value.to_lowercase(),
        Expr::CompoundIdentifier(parts) => parts.last()?.value.to_lowercase(),
        _ => return None,
    };
    let column = anchor_select.projection.iter().find_map(|item| match item {
        SelectItem::ExprWithAlias { expr, alias } if alias.value.to_lowercase() == wanted => Some(expr.clone()),
        SelectItem::UnnamedExpr(e @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_))) if column_last(e)? == wanted => Some(e.clone()),
        _ => None,
    })?;
    anchor_select.projection = vec![SelectItem::UnnamedExpr(column)];
    let mut inlined = query.clone();
    inlined.with = None;
    inlined.body = Box::new(SetExpr::Select(anchor_select));
    Some(inlined)
}

/// The column name of a column reference, folded.
fn column_last(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.to_lowercase()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.to_lowercase()),
        _ => None,
    }
}

/// In a scalar subquery over system catalogs, the conditions of its WHERE that only read
/// the outer query's columns (psql's `AND a.atthasdef`), removed from it and returned
/// joined by AND; the subquery then runs only when they hold. Other conditions that
/// compare an outer column with something other than an inner column for equality read
/// the inner column it equals instead (`a.attcollation <> t.typcollation` with
/// `c.oid = a.attcollation` is `c.oid <> t.typcollation`). DataFusion decorrelates only
/// equalities between inner and outer columns.
fn hoist_outer_conditions(query: &mut Query) -> Option<String> {
    let SetExpr::Select(select) = query.body.as_mut() else { return None };
    let tables: Vec<&TableFactor> =
        select.from.iter().flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation))).collect();
    if tables.is_empty() || !tables.iter().all(|t| is_catalog(t)) {
        return None;
    }
    let inner: Vec<String> = tables.iter().filter_map(|t| alias_of(t)).collect();
    let mut conditions = Vec::new();
    split_and(select.selection.take()?, &mut conditions);
    // outer column -> the inner expression it equals
    let mut equal: Vec<(Expr, Expr)> = Vec::new();
    for c in &conditions {
        if let Expr::BinaryOp { left, op: BinaryOperator::Eq, right } = c {
            match (side(left, &inner), side(right, &inner)) {
                (Side::Inner, Side::Outer) => equal.push(((**right).clone(), (**left).clone())),
                (Side::Outer, Side::Inner) => equal.push(((**left).clone(), (**right).clone())),
                _ => {}
            }
        }
    }
    let (mut kept, mut hoisted) = (Vec::new(), Vec::new());
    for mut c in conditions {
        match side(&c, &inner) {
            Side::Outer => hoisted.push(c.to_string()),
            Side::Mixed if !is_equality(&c) => {
                let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(&mut c, |e| {
                    if let Some((_, inner_expr)) = equal.iter().find(|(outer, _)| outer == e) {
                        *e = inner_expr.clone();
                    }
                    ControlFlow::<()>::Continue(())
                });
                kept.push(c);
            }
            _ => kept.push(c),
        }
    }
    select.selection = kept.into_iter().reduce(|a, b| Expr::BinaryOp { left: Box::new(a), op: BinaryOperator::And, right: Box::new(b) });
    (!hoisted.is_empty()).then(|| format!("({})", hoisted.join(") AND (")))
}

/// In an EXISTS over one table, `outer = ANY(inner_array)` as an equality with the
/// array's elements, unnested in a derived table: DataFusion decorrelates equalities only
/// (pgAdmin's `att.attnum = ANY(conkey)`).
fn any_of_inner_array(query: &mut Query) -> Result<(), CatalogError> {
    let SetExpr::Select(select) = query.body.as_mut() else { return Ok(()) };
    let [from] = select.from.as_slice() else { return Ok(()) };
    if !from.joins.is_empty() {
        return Ok(());
    }
    let TableFactor::Table { name, alias, args: None, .. } = &from.relation else { return Ok(()) };
    let Some(alias_name) = alias_of(&from.relation) else { return Ok(()) };
    let inner = [alias_name.clone()];
    let Some(selection) = select.selection.take() else { return Ok(()) };
    let mut conditions = Vec::new();
    split_and(selection, &mut conditions);
    let mut array = None;
    for c in &mut conditions {
        if let Expr::AnyOp { left, compare_op: BinaryOperator::Eq, right, .. } = c {
            if array.is_none() && side(left, &inner) == Side::Outer && side(right, &inner) == Side::Inner {
                array = Some((**right).clone());
                *c = parse_expr(&format!("{alias_name}.__shale_element = {left}"))?;
            }
        }
    }
    if let Some(array) = array {
        let table_alias = alias.as_ref().map_or(String::new(), |a| format!(" AS {}", a.name));
        let derived = format!("SELECT * FROM (SELECT *, unnest({array}) AS __shale_element FROM {name}{table_alias}) AS {alias_name}");
        let parsed = parse_query(&derived)?;
        if let SetExpr::Select(parsed) = *parsed.body {
            if let Some(table) = parsed.from.into_iter().next() {
                select.from = vec![table];
            }
        }
    }
    select.selection = conditions.into_iter().reduce(|a, b| Expr::BinaryOp { left: Box::new(a), op: BinaryOperator::And, right: Box::new(b) });
    Ok(())
}

/// Whether `e` is `x = y`.
fn is_equality(e: &Expr) -> bool {
    matches!(e, Expr::BinaryOp { op: BinaryOperator::Eq, .. })
}

/// The conjuncts of `e`.
fn split_and(e: Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
            split_and(*left, out);
            split_and(*right, out);
        }
        Expr::Nested(inner) if matches!(*inner, Expr::BinaryOp { op: BinaryOperator::And, .. }) => split_and(*inner, out),
        other => out.push(other),
    }
}

/// The name a FROM item's columns are qualified with.
fn alias_of(factor: &TableFactor) -> Option<String> {
    let TableFactor::Table { name, alias, .. } = factor else { return None };
    match alias {
        Some(alias) => Some(alias.name.value.to_lowercase()),
        None => last_part(name),
    }
}

/// Which query's columns an expression reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// None (a constant).
    Neither,
    /// Only the subquery's own.
    Inner,
    /// Only the outer query's (qualified by a name the subquery does not have).
    Outer,
    Mixed,
}

fn side(e: &Expr, inner: &[String]) -> Side {
    let mut found = Side::Neither;
    let _ = datafusion::sql::sqlparser::ast::visit_expressions(e, |e| {
        let this = match e {
            // table.column or schema.table.column
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                if inner.contains(&parts[parts.len() - 2].value.to_lowercase()) { Side::Inner } else { Side::Outer }
            }
            // Unqualified names are the subquery's (its tables come first).
            Expr::Identifier(_) => Side::Inner,
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => Side::Mixed,
            _ => return ControlFlow::<()>::Continue(()),
        };
        found = match (found, this) {
            (Side::Neither, this) => this,
            (a, b) if a == b => a,
            _ => Side::Mixed,
        };
        ControlFlow::Continue(())
    });
    found
}

/// A SELECT that joins (inner joins only) a system catalog Shale never has rows in
/// (`pg_policy`, `pg_publication`, ...) returns no rows, so its columns are never
/// computed: they become NULL, which spares planning what Shale cannot plan there (psql's
/// `\d` asks for policies' roles with a correlated `= ANY` DataFusion cannot decorrelate).
fn null_columns_of_empty_catalogs(body: &mut SetExpr) {
    if let SetExpr::SetOperation { left, right, .. } = body {
        null_columns_of_empty_catalogs(left);
        null_columns_of_empty_catalogs(right);
        return;
    }
    if !over_empty_catalog(body) {
        return;
    }
    let SetExpr::Select(select) = body else { return };
    for (i, item) in select.projection.iter_mut().enumerate() {
        match item {
            SelectItem::UnnamedExpr(e) if !matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => {
                let alias = datafusion::sql::sqlparser::ast::Ident::new(crate::sql::rewrite::distinct_alias(i, "?column?"));
                *item = SelectItem::ExprWithAlias { expr: null(), alias };
            }
            SelectItem::ExprWithAlias { expr, .. } => *expr = null(),
            _ => {}
        }
    }
}

/// Whether `body` is a SELECT that inner-joins a catalog Shale never has rows in: a
/// scalar subquery of that shape is NULL (SQLAlchemy asks `pg_sequence` for identity
/// columns' options with a correlation DataFusion cannot decorrelate).
fn over_empty_catalog(body: &SetExpr) -> bool {
    let SetExpr::Select(select) = body else { return false };
    let inner_joins_only = select.from.iter().all(|t| t.joins.iter().all(|j| matches!(j.join_operator, JoinOperator::Inner(_) | JoinOperator::Join(_))));
    inner_joins_only
        && select
            .from
            .iter()
            .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
            .any(|t| catalog_name(t).is_some_and(|(schema, table)| is_always_empty(schema.as_deref(), &table)))
}

fn null() -> Expr {
    Expr::value(datafusion::sql::sqlparser::ast::Value::Null)
}

/// The table name of a FROM item (not its alias).
fn alias_of_table(factor: &TableFactor) -> Option<String> {
    let TableFactor::Table { name, .. } = factor else { return None };
    last_part(name)
}

/// Aggregate functions catalog subqueries use.
const AGGREGATES: &[&str] = &["count", "min", "max", "sum", "avg", "array_agg", "string_agg", "bool_and", "bool_or", "first_value"];

/// Whether a FROM item is a system catalog.
fn is_catalog(factor: &TableFactor) -> bool {
    catalog_name(factor).is_some_and(|(schema, table)| is_system_table(schema.as_deref(), &table))
}

/// The (schema, table) a FROM item names, folded, when it names a table.
fn catalog_name(factor: &TableFactor) -> Option<(Option<String>, String)> {
    let TableFactor::Table { name, args: None, .. } = factor else { return None };
    let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident().map(|i| i.value.to_lowercase())).collect();
    match parts.as_slice() {
        [table] => Some((None, table.clone())),
        [schema, table] => Some((Some(schema.clone()), table.clone())),
        _ => None,
    }
}

/// `x IN (SELECT y ...)` in a SELECT list as `x = ANY((SELECT array_agg(y) ...))`:
/// DataFusion plans IN subqueries only in WHERE.
fn in_subqueries_in_projection(select: &mut datafusion::sql::sqlparser::ast::Select) -> Result<(), CatalogError> {
    for item in &mut select.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { continue };
        let mut failure = None;
        let _ = datafusion::sql::sqlparser::ast::visit_expressions_mut(e, |e| {
            if let Expr::InSubquery { expr, subquery, negated } = e {
                let sql = format!(
                    "{}({expr} = ANY(coalesce((SELECT array_agg(__shale_in.v) FROM ({subquery}) AS __shale_in(v)), make_array())))",
                    if *negated { "NOT " } else { "" }
                );
                match parse_expr(&sql) {
                    Ok(rewritten) => *e = rewritten,
                    Err(err) => failure = Some(err.into()),
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if let Some(err) = failure {
            return Err(err);
        }
    }
    Ok(())
}

/// Whether `e` holds a subquery.
fn has_subquery(e: &Expr) -> bool {
    datafusion::sql::sqlparser::ast::visit_expressions(e, |e| match e {
        Expr::Subquery(_) | Expr::InSubquery { .. } | Expr::Exists { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// `SELECT items FROM ... ORDER BY <expression with a subquery>` as
/// `SELECT c0 AS name0, ... FROM (SELECT items AS c0, ..., <expression> AS o0 FROM ...) q
/// ORDER BY o0`: DataFusion plans subqueries in SELECT lists and WHERE, not in ORDER BY
/// (Grafana's table list orders by `schema IN (SELECT ...)`).
fn subqueries_out_of_order_by(query: &mut Query) -> Result<(), CatalogError> {
    let Some(order_by) = &query.order_by else { return Ok(()) };
    let OrderByKind::Expressions(items) = &order_by.kind else { return Ok(()) };
    let SetExpr::Select(select) = query.body.as_ref() else { return Ok(()) };
    let distinct_on = match &select.distinct {
        Some(Distinct::On(keys)) => Some(keys.clone()),
        _ => None,
    };
    // DISTINCT ON moves out too when the SELECT list has subqueries: DataFusion plans
    // them under a projection, not under DISTINCT ON.
    let projection_subqueries = select.projection.iter().any(|i| matches!(i, SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } if has_subquery(e)));
    let needed = items.iter().any(|i| has_subquery(&i.expr)) || (distinct_on.is_some() && projection_subqueries);
    if !needed || query.limit_clause.is_some() {
        return Ok(());
    }
    let mut inner = select.clone();
    expand_catalog_wildcards(&mut inner);
    let Some(names) = crate::sql::names::item_names(&inner.projection) else { return Ok(()) };
    inner.distinct = None;
    for (i, item) in inner.projection.iter_mut().enumerate() {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else { return Ok(()) };
        *item = SelectItem::ExprWithAlias { expr: e.clone(), alias: datafusion::sql::sqlparser::ast::Ident::new(format!("__shale_c{i}")) };
    }
    // Expressions the outer query sorts or groups by, computed inside, by their text.
    let mut hidden: Vec<String> = Vec::new();
    let mut key_of = |e: &Expr, inner: &mut datafusion::sql::sqlparser::ast::Select| -> Option<String> {
        Some(match e {
            // ORDER BY n: the n-th output column.
            Expr::Value(v) => match v.to_string().parse::<usize>() {
                Ok(n) if (1..=names.len()).contains(&n) => format!("__shale_q.__shale_c{}", n - 1),
                _ => return None,
            },
            // ORDER BY an output column's name.
            Expr::Identifier(i) if names.iter().any(|n| *n == i.value) => {
                let n = names.iter().position(|n| *n == i.value).unwrap_or(0);
                format!("__shale_q.__shale_c{n}")
            }
            e => {
                let text = e.to_string();
                let k = match hidden.iter().position(|h| *h == text) {
                    Some(k) => k,
                    None => {
                        hidden.push(text);
                        inner.projection.push(SelectItem::ExprWithAlias {
                            expr: e.clone(),
                            alias: datafusion::sql::sqlparser::ast::Ident::new(format!("__shale_o{}", hidden.len() - 1)),
                        });
                        hidden.len() - 1
                    }
                };
                format!("__shale_q.__shale_o{k}")
            }
        })
    };
    let mut distinct = String::new();
    if let Some(keys) = &distinct_on {
        let Some(keys) = keys.iter().map(|k| key_of(k, &mut inner)).collect::<Option<Vec<_>>>() else { return Ok(()) };
        distinct = format!("DISTINCT ON ({}) ", keys.join(", "));
    }
    let mut order = Vec::new();
    for item in items {
        let Some(key) = key_of(&item.expr, &mut inner) else { return Ok(()) };
        order.push(format!("{key} {}", item.options));
    }
    let outer: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("__shale_q.__shale_c{i} AS \"{}\"", n.replace('"', "\"\"")))
        .collect();
    let sql = format!("SELECT {distinct}{} FROM ({inner}) AS __shale_q ORDER BY {}", outer.join(", "), order.join(", "));
    let rewritten = parse_query(&sql)?;
    query.body = rewritten.body;
    query.order_by = rewritten.order_by;
    Ok(())
}

/// `alias.*` over a system catalog as its columns, one by one.
fn expand_catalog_wildcards(select: &mut datafusion::sql::sqlparser::ast::Select) {
    let tables: Vec<(String, String)> = select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
        .filter(|t| is_catalog(t))
        .filter_map(|t| Some((alias_of(t)?, alias_of_table(t)?)))
        .collect();
    let mut expanded = Vec::new();
    for item in select.projection.drain(..) {
        let SelectItem::QualifiedWildcard(datafusion::sql::sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name), _) = &item else {
            expanded.push(item);
            continue;
        };
        let alias = last_part(name).unwrap_or_default();
        let columns = tables.iter().find(|(a, _)| *a == alias).and_then(|(_, table)| system_table_columns(None, table));
        match columns {
            Some(columns) => expanded.extend(columns.into_iter().map(|c| {
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(vec![
                    datafusion::sql::sqlparser::ast::Ident::new(alias.clone()),
                    datafusion::sql::sqlparser::ast::Ident::new(c),
                ]))
            })),
            None => expanded.push(item),
        }
    }
    select.projection = expanded;
}

/// The functions SQL writes without parentheses that Shale rewrites into calls.
const NILADIC: &[&str] = &["user", "current_user", "current_role", "session_user", "current_catalog"];

/// Output columns that are `user`, `current_catalog`, ... keep their names once rewritten
/// into function calls.
fn name_niladic_functions(select: &mut datafusion::sql::sqlparser::ast::Select) {
    for item in &mut select.projection {
        let SelectItem::UnnamedExpr(e) = item else { continue };
        let name = match e {
            Expr::Identifier(i) if i.quote_style.is_none() => i.value.to_lowercase(),
            Expr::Function(f) if matches!(f.args, FunctionArguments::None) => last_part(&f.name).unwrap_or_default(),
            _ => continue,
        };
        if NILADIC.contains(&name.as_str()) {
            let alias = datafusion::sql::sqlparser::ast::Ident::with_quote('"', name);
            *item = SelectItem::ExprWithAlias { expr: e.clone(), alias };
        }
    }
}

/// The functions that return sets (tables) in FROM; any other function there returns one
/// value.
const TABLE_FUNCTIONS: &[&str] = &["generate_series", "unnest", "range", "pg_get_keywords", "pg_show_all_settings"];

/// The columns of type int2vector or oidvector in the catalogs (lists in Shale), whose
/// subscripts start at 0, known by their names' ends (`tmp.I_INDOPTION` too).
const VECTOR_COLUMNS: &[&str] = &["indkey", "indclass", "indcollation", "indoption", "proargtypes", "stxkeys", "partattrs", "tgattr", "prattrs"];

/// Whether `e` names an int2vector or oidvector column.
fn is_vector(e: &Expr) -> bool {
    let name = match e {
        Expr::Identifier(i) => &i.value,
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(i) => &i.value,
            None => return false,
        },
        _ => return false,
    };
    let name = name.to_lowercase();
    VECTOR_COLUMNS.iter().any(|c| name.ends_with(c))
}

/// The plain arguments of a function call.
fn function_args(f: &datafusion::sql::sqlparser::ast::Function) -> Option<Vec<Expr>> {
    let FunctionArguments::List(list) = &f.args else { return None };
    list.args
        .iter()
        .map(|a| match a {
            datafusion::sql::sqlparser::ast::FunctionArg::Unnamed(datafusion::sql::sqlparser::ast::FunctionArgExpr::Expr(e)) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// The array of an `information_schema._pg_expandarray(array)` call.
fn expand_array_argument(f: &datafusion::sql::sqlparser::ast::Function) -> Option<Expr> {
    let parts: Vec<String> = f.name.0.iter().filter_map(|p| p.as_ident().map(|i| i.value.to_lowercase())).collect();
    if parts != ["information_schema", "_pg_expandarray"] {
        return None;
    }
    match function_args(f)?.as_slice() {
        [array] => Some(array.clone()),
        _ => None,
    }
}

/// The array of `(expansion)` when it is the rewritten `_pg_expandarray(array)`.
fn expanded_array(root: &Expr) -> Option<Expr> {
    let Expr::Nested(inner) = root else { return None };
    let Expr::Function(unnest) = inner.as_ref() else { return None };
    let args = function_args(unnest)?;
    let [Expr::Function(expand)] = args.as_slice() else { return None };
    if last_part(&expand.name).as_deref() != Some("shale_expand_keys") {
        return None;
    }
    function_args(expand)?.into_iter().next()
}

/// The kind of an object identifier cast (`shale_regclass_in(...)`), or `pg_typeof(...)`
/// (a regtype), if `expr` is one.
fn reg_input_kind(expr: &Expr) -> Option<RegKind> {
    let Expr::Function(f) = expr else { return None };
    let name = last_part(&f.name)?;
    if name == "pg_typeof" {
        return Some(RegKind::Type);
    }
    RegKind::ALL.into_iter().find(|k| k.input_function() == name)
}

/// Whether a cast to `data_type` is a cast to text.
fn is_text(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Text | DataType::Varchar(_) | DataType::CharacterVarying(_))
        || matches!(data_type, DataType::Custom(name, _) if last_part(name).as_deref() == Some("name"))
}

/// Drops `pg_catalog.` from a type name, reading what remains as a type name again
/// (`pg_catalog.text` is `text`).
fn strip_type(data_type: &mut DataType) {
    match data_type {
        DataType::Custom(name, modifiers) if modifiers.is_empty() => {
            if !strip_pg_catalog(name) {
                return;
            }
            if let Ok(parsed) = parse_data_type(&name.to_string()) {
                *data_type = parsed;
            }
        }
        DataType::Array(datafusion::sql::sqlparser::ast::ArrayElemTypeDef::SquareBracket(element, _)) => strip_type(element),
        _ => {}
    }
}

/// The operator `OPERATOR(pg_catalog.op)` names.
fn operator(parts: &[String]) -> Result<BinaryOperator, CatalogError> {
    let name = match parts {
        [schema, op] if schema.eq_ignore_ascii_case("pg_catalog") => op.as_str(),
        [op] => op.as_str(),
        _ => return Err(CatalogError::unsupported(format!("OPERATOR({})", parts.join(".")))),
    };
    Ok(match name {
        "~" => BinaryOperator::PGRegexMatch,
        "~*" => BinaryOperator::PGRegexIMatch,
        "!~" => BinaryOperator::PGRegexNotMatch,
        "!~*" => BinaryOperator::PGRegexNotIMatch,
        "~~" => BinaryOperator::PGLikeMatch,
        "~~*" => BinaryOperator::PGILikeMatch,
        "!~~" => BinaryOperator::PGNotLikeMatch,
        "!~~*" => BinaryOperator::PGNotILikeMatch,
        "=" => BinaryOperator::Eq,
        "<>" | "!=" => BinaryOperator::NotEq,
        "<" => BinaryOperator::Lt,
        "<=" => BinaryOperator::LtEq,
        ">" => BinaryOperator::Gt,
        ">=" => BinaryOperator::GtEq,
        "||" => BinaryOperator::StringConcat,
        "+" => BinaryOperator::Plus,
        "-" => BinaryOperator::Minus,
        "*" => BinaryOperator::Multiply,
        "/" => BinaryOperator::Divide,
        other => return Err(CatalogError::unsupported(format!("OPERATOR(pg_catalog.{other})"))),
    })
}
