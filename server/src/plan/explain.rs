//! EXPLAIN: DataFusion's physical plan as text lines, or with `FORMAT JSON` the plan in
//! PostgreSQL's JSON shape, with the parts clients read: each node's `Node Type`,
//! `Output` (its columns as `relation.column`), a join's `Join Type`, and each child's
//! `Parent Relationship`. sqlx reads these to tell which output columns an outer join
//! can make NULL: the children whose rows a join may leave unmatched are `Inner`.

use datafusion::common::JoinType;
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::sql::sqlparser::ast::{AnalyzeFormat, AnalyzeFormatKind, Statement};
use serde_json::{Value, json};

/// Whether an EXPLAIN statement asks for `FORMAT JSON`.
pub fn wants_json(stmt: &Statement) -> bool {
    let Statement::Explain { format, options, .. } = stmt else { return false };
    let keyword = matches!(format, Some(AnalyzeFormatKind::Keyword(AnalyzeFormat::JSON) | AnalyzeFormatKind::Assignment(AnalyzeFormat::JSON)));
    let option = options.iter().flatten().any(|o| {
        o.name.value.eq_ignore_ascii_case("format") && o.arg.as_ref().is_some_and(|a| a.to_string().eq_ignore_ascii_case("json"))
    });
    keyword || option
}

/// The name of the prepared statement `EXPLAIN ... EXECUTE name(args)` explains, and its
/// arguments.
pub fn executed(stmt: &Statement) -> Option<(String, Vec<datafusion::sql::sqlparser::ast::Expr>)> {
    let Statement::Explain { statement, .. } = stmt else { return None };
    match statement.as_ref() {
        Statement::Execute { name: Some(name), parameters, .. } => Some((name.to_string(), parameters.clone())),
        _ => None,
    }
}

/// `EXPLAIN ... EXECUTE name(args)` as the EXPLAIN of `target` (the prepared statement
/// `name`) with `args` bound to its parameters.
pub fn of_prepared(explain: &Statement, mut target: Statement, args: &[datafusion::sql::sqlparser::ast::Expr]) -> Result<Statement, shale_catalog::CatalogError> {
    crate::protocol::params::bind(&mut target, args)?;
    let mut explain = explain.clone();
    if let Statement::Explain { statement, .. } = &mut explain {
        *statement = Box::new(target);
    }
    Ok(explain)
}

/// A column or expression as an `Output` entry: `relation.column` for a column.
fn output(e: &Expr) -> String {
    match e {
        Expr::Column(c) => match &c.relation {
            Some(relation) => format!("{}.{}", relation.table(), c.name),
            None => c.name.clone(),
        },
        Expr::Alias(alias) => output(&alias.expr),
        other => other.to_string(),
    }
}

/// The `Output` of a plan node: its schema's columns.
fn schema_outputs(plan: &LogicalPlan) -> Vec<String> {
    plan.schema()
        .iter()
        .map(|(relation, field)| match relation {
            Some(relation) => format!("{}.{}", relation.table(), field.name()),
            None => field.name().clone(),
        })
        .collect()
}

/// A node of `plan` as PostgreSQL's JSON shows one, with `outputs` and, for a child of a
/// join, its `relationship` to it.
fn node(plan: &LogicalPlan, outputs: Vec<String>, relationship: Option<&str>) -> Value {
    let mut value = json!({ "Node Type": node_type(plan), "Output": outputs });
    if let Some(relationship) = relationship {
        value["Parent Relationship"] = json!(relationship);
    }
    if let LogicalPlan::Join(join) = plan {
        let (kind, left, right) = match join.join_type {
            JoinType::Left | JoinType::LeftSemi | JoinType::LeftAnti | JoinType::LeftMark => ("Left", "Outer", "Inner"),
            // The left side is the one a right join leaves unmatched.
            JoinType::Right | JoinType::RightSemi | JoinType::RightAnti | JoinType::RightMark => ("Right", "Inner", "Outer"),
            JoinType::Full => ("Full", "Outer", "Inner"),
            JoinType::Inner => ("Inner", "Outer", "Inner"),
        };
        value["Join Type"] = json!(kind);
        value["Plans"] = json!([
            node(&join.left, schema_outputs(&join.left), Some(left)),
            node(&join.right, schema_outputs(&join.right), Some(right)),
        ]);
    } else {
        let children: Vec<Value> = plan.inputs().into_iter().map(|c| node(c, schema_outputs(c), Some("Outer"))).collect();
        if !children.is_empty() {
            value["Plans"] = json!(children);
        }
    }
    value
}

fn node_type(plan: &LogicalPlan) -> &'static str {
    match plan {
        LogicalPlan::Join(_) => "Hash Join",
        LogicalPlan::TableScan(_) => "Seq Scan",
        LogicalPlan::Aggregate(_) => "Aggregate",
        LogicalPlan::Sort(_) => "Sort",
        LogicalPlan::Limit(_) => "Limit",
        LogicalPlan::Union(_) => "Append",
        LogicalPlan::Values(_) | LogicalPlan::EmptyRelation(_) => "Result",
        _ => "Result",
    }
}

/// `[{"Plan": ...}]` for a query's logical plan. The projection on top is folded into the
/// node below it, as PostgreSQL computes output columns in the node that produces them.
pub fn json_plan(plan: &LogicalPlan) -> String {
    let mut top = plan;
    let mut outputs: Option<Vec<String>> = None;
    loop {
        match top {
            LogicalPlan::Projection(p) => {
                outputs.get_or_insert_with(|| p.expr.iter().map(output).collect());
                top = &p.input;
            }
            LogicalPlan::SubqueryAlias(a) => top = &a.input,
            LogicalPlan::Filter(f) => top = &f.input,
            _ => break,
        }
    }
    let outputs = outputs.unwrap_or_else(|| schema_outputs(top));
    json!([{ "Plan": node(top, outputs, None) }]).to_string()
}

/// The JSON plan of a statement that is not a query (INSERT, UPDATE, DELETE): one node
/// without outputs.
pub fn json_modify() -> String {
    json!([{ "Plan": { "Node Type": "ModifyTable" } }]).to_string()
}
