//! `pg_get_keywords()`: PostgreSQL 15's SQL key words, a table function.

use std::sync::Arc;

use datafusion::arrow::array::{BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::{TableFunctionImpl, TableProvider};
use datafusion::common::Result as DFResult;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;

use crate::system::builtin::KEYWORDS;
use crate::system::Column;

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
    fn call(&self, _args: &[Expr]) -> DFResult<Arc<dyn TableProvider>> {
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
