//! The table functions: `pg_get_keywords()`, PostgreSQL 15's SQL key words;
//! `pg_show_all_settings()`, the rows of `pg_settings`; and `generate_series` taking
//! integers of any width (PostgreSQL's literals are int4; DataFusion's takes only int8).

use std::sync::Arc;

use datafusion::arrow::array::{BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunction, TableFunctionArgs, TableFunctionImpl, TableProvider};
use datafusion::common::{Result as DFResult, ScalarValue};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;

use crate::system::builtin::KEYWORDS;
use crate::session::handle::SessionHandle;
use crate::system::{Column, SystemSchema};

/// The table function.
#[derive(Debug)]
pub struct Keywords;

/// What a category code means, as `catdesc` says.
fn describe(category: char) -> (&'static str, &'static str) {
    match category {
        'U' => ("unreserved", "unreserved"),
        'C' => ("unreserved (cannot be function or type name)", "unreserved (cannot be function or type name)"),
        'T' => ("reserved (can be function or type name)", ""),
        _ => ("reserved", "reserved"),
    }
}

impl TableFunctionImpl for Keywords {
    fn call_with_args(&self, _args: TableFunctionArgs) -> DFResult<Arc<dyn TableProvider>> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("word", DataType::Utf8, true),
            Column::Char.field("catcode"),
            Field::new("barelabel", DataType::Boolean, true),
            Field::new("catdesc", DataType::Utf8, true),
            Field::new("baredesc", DataType::Utf8, true),
        ]));
        let words = StringArray::from_iter_values(KEYWORDS.iter().map(|k| k.0));
        let codes = StringArray::from_iter_values(KEYWORDS.iter().map(|k| k.1.to_string()));
        let bare = BooleanArray::from(KEYWORDS.iter().map(|k| k.2).collect::<Vec<_>>());
        let catdesc = StringArray::from_iter_values(KEYWORDS.iter().map(|k| describe(k.1).0));
        let baredesc = StringArray::from_iter_values(KEYWORDS.iter().map(|k| if k.2 { "can be bare label" } else { "requires AS" }));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(words), Arc::new(codes), Arc::new(bare), Arc::new(catdesc), Arc::new(baredesc)],
        )?;
        Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
    }
}

/// `pg_show_all_settings()` of a session.
#[derive(Debug)]
pub struct Settings(pub SessionHandle);

impl TableFunctionImpl for Settings {
    fn call_with_args(&self, _args: TableFunctionArgs) -> DFResult<Arc<dyn TableProvider>> {
        SystemSchema::pg_catalog(self.0.clone())
            .lookup("pg_settings")
            .ok_or_else(|| crate::error::CatalogError::internal("pg_settings is missing").into_datafusion())
    }
}

/// DataFusion's `generate_series`, with integer arguments widened to bigint.
#[derive(Debug)]
pub struct GenerateSeries(pub Arc<TableFunction>);

impl TableFunctionImpl for GenerateSeries {
    fn call_with_args(&self, args: TableFunctionArgs) -> DFResult<Arc<dyn TableProvider>> {
        let widened: Vec<Expr> = args
            .exprs()
            .iter()
            .map(|e| match e {
                Expr::Literal(value, meta) if value.data_type().is_integer() && !value.is_null() => {
                    Ok(Expr::Literal(value.cast_to(&DataType::Int64)?, meta.clone()))
                }
                Expr::Literal(value, meta) if value.data_type().is_integer() => Ok(Expr::Literal(ScalarValue::Int64(None), meta.clone())),
                other => Ok(other.clone()),
            })
            .collect::<DFResult<_>>()?;
        self.0.function().call_with_args(TableFunctionArgs::new(&widened, args.session()))
    }
}
