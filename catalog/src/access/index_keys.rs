//! The key values of a row's index entries. A key column that is a column of the table
//! takes the row's value; an expression column (`CREATE INDEX ... (lower(email))`) and a
//! partial index's predicate (`... WHERE deleted_at IS NULL`) are evaluated by DataFusion
//! over the row, with the session's functions and PostgreSQL's semantics (the same
//! analyzer rules as a query's), compiled once per statement for the table it writes.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, TableReference};
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::execution::session_state::SessionState;
use datafusion::logical_expr::expr_rewriter::unnormalize_col;
use datafusion::logical_expr::utils::split_conjunction;
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, Volatility};
use datafusion::physical_plan::PhysicalExpr;
use shale_pgtypes::types::{SqlType, TYPE_KEY};
use shale_storage::Datum;

use crate::access::convert::{ColumnBuilder, datum_at};
use crate::descriptor::{IndexDesc, TableDesc};
use crate::error::{CatalogError, Result, sqlstate};

/// How the entries of one index are computed from a row.
pub struct IndexKey {
    /// Per key column: the compiled expression of an expression column.
    columns: Vec<Option<Arc<dyn PhysicalExpr>>>,
    /// The compiled predicate of a partial index.
    predicate: Option<Arc<dyn PhysicalExpr>>,
}

/// The [`IndexKey`] of each index of a table, in the order of its descriptor's indexes.
pub struct IndexKeys(Vec<IndexKey>);

impl IndexKeys {
    /// The keys of `table`'s indexes; their expressions compiled in `state`.
    pub fn new(state: &SessionState, table: &TableDesc) -> Result<Self> {
        Ok(IndexKeys(table.indexes.iter().map(|index| IndexKey::new(state, table, index)).collect::<Result<_>>()?))
    }

    /// The key of the index at `position` of the table's descriptor.
    pub fn get(&self, position: usize) -> Result<&IndexKey> {
        self.0.get(position).ok_or_else(|| CatalogError::internal("an index of the table has no compiled key"))
    }
}

impl IndexKey {
    /// The key of `index`, which has no expressions: the row's columns.
    pub fn plain(index: &IndexDesc) -> Self {
        IndexKey { columns: vec![None; index.columns.len()], predicate: None }
    }

    /// The key of `index` of `table`; its expressions compiled in `state`.
    pub fn new(state: &SessionState, table: &TableDesc, index: &IndexDesc) -> Result<Self> {
        if !index.has_expressions() {
            return Ok(Self::plain(index));
        }
        let sqls: Vec<&str> =
            index.columns.iter().filter_map(|c| c.expr.as_ref()).chain(&index.predicate).map(|e| e.sql.as_str()).collect();
        let mut compiled = compile(state, table, &sqls)?.into_iter();
        let columns = index.columns.iter().map(|c| c.expr.as_ref().and_then(|_| compiled.next())).collect();
        Ok(IndexKey { columns, predicate: compiled.next() })
    }

    /// The key values of the entry of the row `slots` (of `table`) in `index`, in key order;
    /// `None` when the index is partial and the row does not satisfy its predicate.
    pub fn values(&self, table: &TableDesc, index: &IndexDesc, slots: &[Datum]) -> Result<Option<Vec<Datum>>> {
        let batch = match (&self.predicate, self.columns.iter().any(Option::is_some)) {
            (None, false) => None,
            _ => Some(row_batch(table, slots)?),
        };
        if let (Some(predicate), Some(batch)) = (&self.predicate, &batch) {
            let value = predicate.evaluate(batch)?.into_array(1)?;
            let holds = value.as_boolean_opt().is_some_and(|b| b.is_valid(0) && b.value(0));
            if !holds {
                return Ok(None);
            }
        }
        let mut values = Vec::with_capacity(index.columns.len());
        for (column, expr) in index.columns.iter().zip(&self.columns) {
            match (column.slot, expr, &column.expr, &batch) {
                (Some(slot), _, _, _) => values.push(slots[slot].clone()),
                (None, Some(expr), Some(desc), Some(batch)) => {
                    let value = expr.evaluate(batch)?.into_array(1)?;
                    values.push(datum_at(cast(&value, &desc.ty.arrow_type())?.as_ref(), 0)?);
                }
                _ => return Err(CatalogError::internal(format!("index \"{}\" has a key column without a value", index.name))),
            }
        }
        Ok(Some(values))
    }
}

/// The row `slots` of `table` as a batch of one row of its visible columns.
fn row_batch(table: &TableDesc, slots: &[Datum]) -> Result<RecordBatch> {
    let schema = table.arrow_schema();
    let columns = table
        .visible_slots()
        .into_iter()
        .map(|slot| {
            let mut builder = ColumnBuilder::for_column(&table.columns[slot].ty, 1)?;
            builder.append(Some(slots[slot].as_ref()))?;
            builder.finish()
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// The physical expressions of `sqls` over a row of `table`, planned as a query's SELECT
/// list is (the session's analyzer rules included).
fn compile(state: &SessionState, table: &TableDesc, sqls: &[&str]) -> Result<Vec<Arc<dyn PhysicalExpr>>> {
    let (input, exprs) = analyzed(state, table, sqls)?;
    exprs.into_iter().map(|e| Ok(state.create_physical_expr(e, &input)?)).collect()
}

/// `sqls` as logical expressions over a row of `table` after the session's analyzer rules,
/// and the schema they read.
fn analyzed(state: &SessionState, table: &TableDesc, sqls: &[&str]) -> Result<(DFSchema, Vec<Expr>)> {
    let (scan, exprs) = planned(state, table, sqls)?;
    let plan = scan.project(exprs)?.build()?;
    let analyzed = state.analyzer().execute_and_check(plan, state.config_options(), |_, _| {})?;
    let LogicalPlan::Projection(projection) = analyzed else {
        return Err(CatalogError::internal("an index expression did not plan as a projection"));
    };
    let input = projection.input.schema().as_ref().clone();
    Ok((input, projection.expr.into_iter().map(Expr::unalias).collect()))
}

/// A scan of `table` (with no rows) and `sqls` as logical expressions over it.
fn planned(state: &SessionState, table: &TableDesc, sqls: &[&str]) -> Result<(LogicalPlanBuilder, Vec<Expr>)> {
    let source = provider_as_source(Arc::new(MemTable::try_new(table.arrow_schema(), vec![vec![]])?));
    let scan = LogicalPlanBuilder::scan(TableReference::bare(table.name.as_str()), source, None)?;
    let exprs = sqls.iter().map(|sql| Ok(state.create_logical_expr(sql, scan.schema())?)).collect::<Result<_>>()?;
    Ok((scan, exprs))
}

/// Where an expression of an index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A key column's expression.
    Key,
    /// A partial index's predicate.
    Predicate,
}

impl Part {
    /// How PostgreSQL's messages name it.
    fn what(self) -> &'static str {
        match self {
            Part::Key => "index expression",
            Part::Predicate => "index predicate",
        }
    }
}

/// What an index expression is, as CREATE INDEX checks it.
pub struct Checked {
    /// The type of its value.
    pub ty: SqlType,
    /// How it is planned (see [`crate::descriptor::IndexExpr::planned`]).
    pub planned: Vec<String>,
}

/// Checks `sql`, an expression of an index on `table`, as PostgreSQL does: no subqueries
/// (0A000), aggregates or window functions (42803, 42P20), only immutable functions
/// (42P17), a type an index can hold.
pub fn check(state: &SessionState, table: &TableDesc, sql: &str, part: Part) -> Result<Checked> {
    let what = part.what();
    let (_, exprs) = planned(state, table, &[sql])?;
    let Some(expr) = exprs.into_iter().next() else {
        return Err(CatalogError::internal("an index expression did not plan"));
    };
    let mut refused = None;
    expr.apply(|e| {
        refused = match e {
            Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_) => {
                Some((sqlstate::FEATURE_NOT_SUPPORTED, format!("cannot use subquery in {what}")))
            }
            Expr::AggregateFunction(_) => Some(("42803", format!("aggregate functions are not allowed in {what}s"))),
            Expr::WindowFunction(_) => Some(("42P20", format!("window functions are not allowed in {what}s"))),
            Expr::ScalarFunction(f) if f.func.signature().volatility != Volatility::Immutable => {
                Some(("42P17", format!("functions in {what} must be marked IMMUTABLE")))
            }
            _ => None,
        };
        Ok(match refused {
            Some(_) => TreeNodeRecursion::Stop,
            None => TreeNodeRecursion::Continue,
        })
    })?;
    if let Some((code, message)) = refused {
        return Err(CatalogError::new(code, message));
    }
    // Planning it finds the errors a query would (unknown functions, mistyped operands),
    // and its type as a query's (integer literals are integers).
    let (input, analyzed) = analyzed(state, table, &[sql])?;
    let Some(analyzed) = analyzed.into_iter().next() else {
        return Err(CatalogError::internal("an index expression did not plan"));
    };
    let field = analyzed.to_field(&input)?.1;
    let ty = sql_type(field.data_type(), field.metadata().get(TYPE_KEY).map(String::as_str))
        .ok_or_else(|| CatalogError::unsupported(format!("an index on a value of type {}", field.data_type())))?;
    let planned = match part {
        Part::Predicate => split_conjunction(&analyzed).into_iter().map(|c| unnormalize_col(c.clone()).to_string()).collect(),
        Part::Key => vec![unnormalize_col(analyzed).to_string()],
    };
    Ok(Checked { ty, planned })
}

/// The type of an index expression's value of Arrow type `data_type` (with the PostgreSQL
/// type `tag` the planner put on it, if any).
fn sql_type(data_type: &DataType, tag: Option<&str>) -> Option<SqlType> {
    Some(match (data_type, tag) {
        (DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8, Some("varchar")) => SqlType::Varchar(None),
        (DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8, Some("uuid")) => SqlType::Uuid,
        (DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8, Some("jsonb")) => SqlType::Jsonb,
        (DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8, Some("json")) => SqlType::Json,
        (DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8, _) => SqlType::Text,
        (DataType::Boolean, _) => SqlType::Bool,
        (DataType::Int16, _) => SqlType::Int2,
        (DataType::Int32, _) => SqlType::Int4,
        (DataType::Int64, _) => SqlType::Int8,
        (DataType::Float32, _) => SqlType::Float4,
        (DataType::Float64, _) => SqlType::Float8,
        (DataType::Decimal128(_, _) | DataType::Decimal256(_, _), _) => SqlType::Numeric(None),
        (DataType::Binary | DataType::BinaryView | DataType::LargeBinary, _) => SqlType::Bytea,
        (DataType::Date32, _) => SqlType::Date,
        (DataType::Time64(_), _) => SqlType::Time(None),
        (DataType::Timestamp(TimeUnit::Microsecond | TimeUnit::Nanosecond, None), _) => SqlType::Timestamp(None),
        (DataType::Timestamp(TimeUnit::Microsecond | TimeUnit::Nanosecond, Some(_)), _) => SqlType::Timestamptz(None),
        (DataType::Interval(IntervalUnit::MonthDayNano), _) => SqlType::Interval,
        _ => return None,
    })
}
