//! RETURNING: the select list evaluated over the rows a statement wrote or removed (and,
//! for UPDATE ... FROM and DELETE ... USING, the other tables' rows each was found with).

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{Field, FieldRef, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Column, DFSchema, TableReference};
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlanBuilder};
use datafusion::sql::sqlparser::ast::{ExprWithAlias, SelectItem, SelectItemQualifiedWildcardKind};

use super::{DmlContext, Rows};
use crate::error::{CatalogError, Result};
use crate::resolve;

/// The columns RETURNING reads, each with the relation it belongs to and its name.
pub(super) struct Columns {
    /// Each column's relation (the target's name or alias, or another table's) and field.
    pub names: Vec<(Option<TableReference>, FieldRef)>,
    /// The columns' values, in the same order.
    pub columns: Vec<ArrayRef>,
}

impl DmlContext<'_> {
    /// Evaluates `items` over `input`.
    pub(super) async fn returning(&self, input: Columns, items: &[SelectItem]) -> Result<Rows> {
        // One in-memory table with positional names; a projection gives each column its
        // relation and name back.
        let fields: Vec<Field> = input
            .names
            .iter()
            .enumerate()
            .map(|(i, (_, f))| f.as_ref().clone().with_name(format!("c{i}")).with_nullable(true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), input.columns)?;
        let table = MemTable::try_new(schema, vec![vec![batch]])?;
        let named = input
            .names
            .iter()
            .enumerate()
            .map(|(i, (relation, field))| Expr::Column(Column::from_name(format!("c{i}"))).alias_qualified(relation.clone(), field.name()));
        let scan = LogicalPlanBuilder::scan("returning", provider_as_source(Arc::new(table)), None)?.project(named)?;
        let mut exprs = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => exprs.push(self.expr(e, scan.schema())?),
                SelectItem::ExprWithAlias { expr, alias } => {
                    let with_alias = ExprWithAlias { expr: expr.clone(), alias: Some(alias.clone()) };
                    exprs.push(self.state.create_logical_expr_from_sql_expr(with_alias, scan.schema())?);
                }
                SelectItem::Wildcard(_) => exprs.extend(columns_of(&input.names, |_| true)),
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                    let relation = resolve::split_name(name)?.1;
                    let of = columns_of(&input.names, |q| q.is_some_and(|q| q.table() == relation));
                    if of.is_empty() {
                        return Err(CatalogError::new(
                            crate::error::sqlstate::UNDEFINED_TABLE,
                            format!("missing FROM-clause entry for table \"{relation}\""),
                        ));
                    }
                    exprs.extend(of);
                }
                other => return Err(CatalogError::unsupported(format!("RETURNING item {other}"))),
            }
        }
        let (exprs, names) = distinct_names(exprs, scan.schema())?;
        let plan = scan.project(exprs)?.build()?;
        let (schema, batches) = self.run(&plan).await?;
        // The columns' own names back.
        let fields: Vec<Field> = schema.fields().iter().zip(names).map(|(f, name)| f.as_ref().clone().with_name(name)).collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        let batches = batches
            .into_iter()
            .map(|b| RecordBatch::try_new(schema.clone(), b.columns().to_vec()))
            .collect::<std::result::Result<_, _>>()?;
        Ok(Rows { schema, batches })
    }
}

/// `exprs` with the repeated ones (`RETURNING id, *`) aliased apart, as a projection needs,
/// and the name each column is to have.
fn distinct_names(exprs: Vec<Expr>, schema: &DFSchema) -> Result<(Vec<Expr>, Vec<String>)> {
    let mut seen = HashSet::new();
    let mut names = Vec::new();
    let mut distinct = Vec::new();
    for (i, e) in exprs.into_iter().enumerate() {
        names.push(e.to_field(schema)?.1.name().clone());
        let unseen = seen.insert(e.schema_name().to_string());
        distinct.push(match unseen {
            true => e,
            false => e.unalias().alias(format!("__shale_returning_{i}")),
        });
    }
    Ok((distinct, names))
}

/// The columns among `names` whose relation is `wanted`.
fn columns_of(names: &[(Option<TableReference>, FieldRef)], wanted: impl Fn(Option<&TableReference>) -> bool) -> Vec<Expr> {
    names
        .iter()
        .filter(|(q, _)| wanted(q.as_ref()))
        .map(|(q, field)| Expr::Column(Column::new(q.clone(), field.name())))
        .collect()
}
