//! Describing a statement without running it: the types of its parameters and the columns
//! it returns, for Parse/Describe in the extended protocol. Planning happens in the
//! session's transaction (or a throw-away one), so it sees the same tables execution will.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::sql::parser::Statement as DFStatement;
use datafusion::sql::sqlparser::ast::{
    AssignmentTarget, Expr, FromTable, LimitClause, ObjectName, OnConflict, OnConflictAction, OnInsert, Query, SelectItem, SetExpr,
    Statement, TableObject, TableWithJoins, UpdateTableFromKind, Visit, Visitor,
};
use shale_catalog::{CatalogError, resolve};

use crate::sql::names;
use crate::plan::param_types;
use crate::plan::plan_cache::PlanKey;
use shale_pgtypes::sql::placeholder_index;
use shale_pgtypes::types::TYPE_KEY;
use crate::session::Session;

/// What Describe reports for a statement.
#[derive(Debug, Clone, Default)]
pub struct Description {
    /// Inferred type of each parameter `$1..$n` (`None`: not inferable), as an Arrow field
    /// so that a column's PostgreSQL type (varchar, uuid, ...) survives in its metadata.
    pub params: Vec<Option<Field>>,
    /// The returned columns and their names, if the statement returns rows.
    pub rows: Option<(SchemaRef, Vec<String>)>,
    /// The catalog it was described against.
    pub key: PlanKey,
}

impl Session {
    /// Describes `stmt`.
    pub async fn describe(&mut self, stmt: &Statement) -> Result<Description, CatalogError> {
        let count = placeholder_count(stmt);
        // Planned as it will run: casts to uuid, json, ... are input-function calls.
        let mut rewritten = stmt.clone();
        crate::sql::rewrite::rewrite_statement(&mut rewritten)?;
        let arrays = param_types::compare_with_elements(&mut rewritten);
        let txn = self.planning_txn();
        let result = self.describe_in_txn(&rewritten).await;
        let key = self.plan_key();
        self.end_planning_txn(txn);
        let mut description = Description { key: key?, ..result? };
        // `x = ANY($1)`: described as `x = $1`, whose type is the array's element type.
        for index in arrays {
            if let Some(Some(element)) = description.params.get_mut(index) {
                *element = param_types::as_array(element);
            }
        }
        // `pg_advisory_lock($1)`: the argument's declared type, if planning found none.
        for (index, ty) in param_types::function_arguments(stmt) {
            set_param(&mut description.params, index, Some(ty));
        }
        // `WHERE $1`: a boolean.
        for index in param_types::conditions(stmt) {
            set_param(&mut description.params, index, Some(Field::new("", DataType::Boolean, true)));
        }
        // `$1::date` is a date parameter and `LIMIT $1` a bigint one, whatever planning
        // made of them.
        for (index, ty) in syntax_typed_parameters(stmt) {
            if description.params.len() <= index {
                description.params.resize(index + 1, None);
            }
            description.params[index] = Some(ty);
        }
        description.params.resize(count, None);
        Ok(description)
    }

    /// Describes `stmt` in the current transaction (without the `$n::type` casts).
    pub(crate) async fn describe_in_txn(&mut self, stmt: &Statement) -> Result<Description, CatalogError> {
        Ok(match stmt {
            Statement::Query(q) if shale_catalog::access::dml::changes_data(q) => Box::pin(self.describe_with_changes(q)).await?,
            Statement::Query(q) => {
                let (params, rows) = self.plan_query(q).await?;
                Description { params, rows: Some(rows), ..Default::default() }
            }
            Statement::Insert(insert) => {
                let TableObject::TableName(name) = &insert.table else { return Ok(Description::default()) };
                let mut params = Vec::new();
                if let Some(source) = &insert.source {
                    // A parameter that is a whole value of a VALUES row or of the SELECT
                    // list has its target column's type.
                    let rows: Vec<Vec<&Expr>> = match source.body.as_ref() {
                        SetExpr::Values(values) => values.rows.iter().map(|row| row.content.iter().collect()).collect(),
                        SetExpr::Select(select) => vec![select.projection.iter().map(select_item_expr).collect::<Option<_>>().unwrap_or_default()],
                        _ => Vec::new(),
                    };
                    if rows.iter().flatten().any(|e| placeholder_index(e).is_some()) {
                        let columns = self.insert_column_types(name, &insert.columns)?;
                        for row in rows {
                            for (j, e) in row.into_iter().enumerate() {
                                if let Some(i) = placeholder_index(e) {
                                    set_param(&mut params, i, columns.get(j).cloned());
                                }
                            }
                        }
                    }
                    if !matches!(source.body.as_ref(), SetExpr::Values(_)) {
                        merge(&mut params, self.plan_query(source).await?.0);
                    }
                }
                // ON CONFLICT ... DO UPDATE SET column = $n: the column's type.
                if let Some(OnInsert::OnConflict(OnConflict { action: OnConflictAction::DoUpdate(update), .. })) = &insert.on {
                    let (indexes, targets): (Vec<usize>, Vec<ObjectName>) = update
                        .assignments
                        .iter()
                        .filter_map(|a| match (placeholder_index(&a.value), &a.target) {
                            (Some(i), AssignmentTarget::ColumnName(c)) => Some((i, c.clone())),
                            _ => None,
                        })
                        .unzip();
                    let columns = self.insert_column_types(name, &targets)?;
                    for (i, column) in indexes.into_iter().zip(columns) {
                        set_param(&mut params, i, Some(column));
                    }
                }
                let rows = self.returning_rows(&name.to_string(), insert.returning.as_deref(), &mut params).await?;
                Description { params, rows, ..Default::default() }
            }
            Statement::Update(update) => {
                let others = match &update.from {
                    Some(UpdateTableFromKind::AfterSet(tables) | UpdateTableFromKind::BeforeSet(tables)) => tables.as_slice(),
                    None => &[],
                };
                let from = tables_sql(&update.table, others);
                let items: Vec<String> = update.assignments.iter().map(|a| a.value.to_string()).collect();
                let mut params = self.probe(&from, &items, update.selection.as_ref()).await?;
                let columns = self.table_column_types(&update.table)?;
                for a in &update.assignments {
                    if let (Some(i), datafusion::sql::sqlparser::ast::AssignmentTarget::ColumnName(c)) =
                        (placeholder_index(&a.value), &a.target)
                    {
                        let column = resolve::split_name(c)?.1;
                        set_param(&mut params, i, columns.get(&column).cloned());
                    }
                }
                let rows = self.returning_rows(&from, update.returning.as_deref(), &mut params).await?;
                Description { params, rows, ..Default::default() }
            }
            Statement::Delete(delete) => {
                let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) = &delete.from;
                let Some(table) = tables.first() else { return Ok(Description::default()) };
                let from = tables_sql(table, delete.using.as_deref().unwrap_or_default());
                let mut params = self.probe(&from, &["1".to_string()], delete.selection.as_ref()).await?;
                let rows = self.returning_rows(&from, delete.returning.as_deref(), &mut params).await?;
                Description { params, rows, ..Default::default() }
            }
            Statement::ShowVariable { variable } => {
                let (column, _) = crate::session::set_show::show_target(variable)?;
                Description { rows: Some(text_column(&column)), ..Default::default() }
            }
            explain @ Statement::Explain { .. } => {
                Description { rows: Some(explain_column(crate::plan::explain::wants_json(explain))), ..Default::default() }
            }
            _ => Description::default(),
        })
    }

    async fn plan_query(&mut self, q: &Query) -> Result<(Vec<Option<Field>>, (SchemaRef, Vec<String>)), CatalogError> {
        let plan = self
            .state
            .statement_to_plan(DFStatement::Statement(Box::new(Statement::Query(Box::new(q.clone())))))
            .await?;
        let types = plan.get_parameter_types()?;
        // Analysis settles the result types (e.g. int4 literals); fall back to the planned
        // schema if a parameter's type stops it.
        let analyzed = self.state.optimize(&plan).unwrap_or(plan);
        let schema: SchemaRef = Arc::new(analyzed.schema().as_arrow().clone());
        let names = names::output_names(q)
            .filter(|n| n.len() == schema.fields().len())
            .unwrap_or_else(|| schema.fields().iter().map(|f| crate::sql::rewrite::shown_name(f.name()).to_string()).collect());
        Ok((params_from(types), (schema, names)))
    }

    /// Parameter types of `SELECT items FROM from WHERE selection`.
    async fn probe(&mut self, from: &str, items: &[String], selection: Option<&Expr>) -> Result<Vec<Option<Field>>, CatalogError> {
        // Aliased apart: SET a = NULL, b = NULL would be two columns named NULL.
        let items: Vec<String> = items.iter().enumerate().map(|(i, item)| format!("{item} AS __shale_probe_{i}")).collect();
        let mut sql = format!("SELECT {} FROM {from}", items.join(", "));
        if let Some(s) = selection {
            sql.push_str(&format!(" WHERE {s}"));
        }
        Ok(self.plan_query(&shale_pgtypes::sql::parse_query(&sql)?).await?.0)
    }

    /// The columns a RETURNING list returns; the types of parameters in it go into `params`.
    async fn returning_rows(
        &mut self,
        from: &str,
        items: Option<&[SelectItem]>,
        params: &mut Vec<Option<Field>>,
    ) -> Result<Option<(SchemaRef, Vec<String>)>, CatalogError> {
        let Some(items) = items else { return Ok(None) };
        let list: Vec<String> = items.iter().map(|i| i.to_string()).collect();
        let sql = format!("SELECT {} FROM {from}", list.join(", "));
        let (types, (schema, names)) = self.plan_query(&shale_pgtypes::sql::parse_query(&sql)?).await?;
        merge(params, types);
        let names = names::item_names(items).filter(|n| n.len() == names.len()).unwrap_or(names);
        Ok(Some((schema, names)))
    }

    fn insert_column_types(&self, table: &datafusion::sql::sqlparser::ast::ObjectName, columns: &[datafusion::sql::sqlparser::ast::ObjectName]) -> Result<Vec<Field>, CatalogError> {
        let txn = self.handle.txn()?;
        let found = resolve::table(&txn, &self.handle.scope(), table)?;
        if columns.is_empty() {
            return Ok(found.table.visible().map(|(_, c)| c.ty.field("", true)).collect());
        }
        columns
            .iter()
            .map(|c| {
                let name = resolve::split_name(c)?.1;
                Ok(found.table.column(&name).map_or_else(|| Field::new("", DataType::Utf8, true), |(_, col)| col.ty.field("", true)))
            })
            .collect()
    }

    fn table_column_types(&self, table: &TableWithJoins) -> Result<HashMap<String, Field>, CatalogError> {
        let datafusion::sql::sqlparser::ast::TableFactor::Table { name, .. } = &table.relation else {
            return Ok(HashMap::new());
        };
        let txn = self.handle.txn()?;
        let found = resolve::table(&txn, &self.handle.scope(), name)?;
        Ok(found.table.visible().map(|(_, c)| (c.name.clone(), c.ty.field("", true))).collect())
    }
}

/// EXPLAIN's one column: text lines, or one json value.
pub(crate) fn explain_column(json: bool) -> (SchemaRef, Vec<String>) {
    let name = "QUERY PLAN";
    let field = Field::new(name, DataType::Utf8, false);
    let field = match json {
        true => field.with_metadata([(shale_pgtypes::types::TYPE_KEY.to_string(), "json".to_string())].into_iter().collect()),
        false => field,
    };
    (Arc::new(Schema::new(vec![field])), vec![name.to_string()])
}

fn text_column(name: &str) -> (SchemaRef, Vec<String>) {
    (Arc::new(Schema::new(vec![Field::new(name, DataType::Utf8, false)])), vec![name.to_string()])
}

/// The FROM list that finds the rows of UPDATE or DELETE: the target, then the tables of
/// UPDATE's FROM or DELETE's USING.
fn tables_sql(target: &TableWithJoins, others: &[TableWithJoins]) -> String {
    std::iter::once(target.relation.to_string()).chain(others.iter().map(|t| t.to_string())).collect::<Vec<_>>().join(", ")
}

pub(crate) fn params_from(types: HashMap<String, Option<DataType>>) -> Vec<Option<Field>> {
    let mut out = Vec::new();
    for (name, ty) in types {
        if let Some(i) = name.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()).filter(|i| *i > 0) {
            set_param(&mut out, i - 1, ty.map(param_field));
        }
    }
    out
}

/// The field of a parameter inferred to have the Arrow type `ty`: an unsigned 32-bit
/// value is compared with a catalog's OID column (`t.oid = $1`), so it is an `oid`, as
/// PostgreSQL infers it.
fn param_field(ty: DataType) -> Field {
    let field = Field::new("", ty, true);
    match field.data_type() {
        DataType::UInt32 => field.with_metadata([(TYPE_KEY.to_string(), "oid".to_string())].into()),
        _ => field,
    }
}

/// The expression of a SELECT list item; `None` for a wildcard.
fn select_item_expr(item: &SelectItem) -> Option<&Expr> {
    match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
        _ => None,
    }
}

fn set_param(params: &mut Vec<Option<Field>>, index: usize, ty: Option<Field>) {
    if params.len() <= index {
        params.resize(index + 1, None);
    }
    if params[index].is_none() {
        params[index] = ty;
    }
}

fn merge(params: &mut Vec<Option<Field>>, other: Vec<Option<Field>>) {
    for (i, ty) in other.into_iter().enumerate() {
        set_param(params, i, ty);
    }
}

/// The parameters whose type the syntax says: `$n::type` has that type, `LIMIT $n` and
/// `OFFSET $n` are bigint.
fn syntax_typed_parameters(stmt: &Statement) -> Vec<(usize, Field)> {
    struct Casts(Vec<(usize, Field)>);
    impl Visitor for Casts {
        type Break = ();
        fn pre_visit_query(&mut self, q: &Query) -> std::ops::ControlFlow<()> {
            let counts: Vec<&Expr> = match &q.limit_clause {
                Some(LimitClause::LimitOffset { limit, offset, .. }) => {
                    limit.iter().chain(offset.as_ref().map(|o| &o.value)).collect()
                }
                Some(LimitClause::OffsetCommaLimit { offset, limit }) => vec![offset, limit],
                None => vec![],
            };
            self.0.extend(counts.into_iter().filter_map(placeholder_index).map(|i| (i, Field::new("", DataType::Int64, true))));
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            if let Expr::Cast { expr, data_type, .. } = e {
                if let (Some(i), Ok(ty)) = (placeholder_index(expr), shale_pgtypes::types::SqlType::from_ast(data_type)) {
                    self.0.push((i, ty.field("", true)));
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut casts = Casts(Vec::new());
    let _ = stmt.visit(&mut casts);
    casts.0
}

/// The highest `$n` in any part of a statement.
pub fn placeholder_count<V: Visit>(node: &V) -> usize {
    struct Max(usize);
    impl Visitor for Max {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            if let Some(i) = placeholder_index(e) {
                self.0 = self.0.max(i + 1);
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut max = Max(0);
    let _ = node.visit(&mut max);
    max.0
}
