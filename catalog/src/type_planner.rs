//! SQL type names in casts planned as Shale's column types: `x::numeric(7,3)` is the same
//! Arrow type, with the same type modifier, as a `numeric(7,3)` column. The field carries
//! its metadata explicitly, so a cast's result reports the cast's type: DataFusion would
//! otherwise keep the source field's metadata (`uuid_column::text` would still say uuid,
//! read from its table).

use std::sync::Arc;

use datafusion::arrow::datatypes::FieldRef;
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::planner::TypePlanner;
use datafusion::sql::sqlparser::ast;

use crate::error::sqlstate;
use crate::system::Column;
use shale_pgtypes::types::SqlType;

/// Plans the SQL types Shale stores; leaves other names to DataFusion.
#[derive(Debug, Default)]
pub struct ShaleTypes;

impl TypePlanner for ShaleTypes {
    fn plan_type_field(&self, sql_type: &ast::DataType) -> DFResult<Option<FieldRef>> {
        // The types of the system catalogs' columns.
        if let ast::DataType::Custom(name, modifiers) = sql_type {
            let column = match name.to_string().to_lowercase().as_str() {
                _ if !modifiers.is_empty() => None,
                "oid" => Some(Column::Oid),
                "name" => Some(Column::Name),
                "\"char\"" => Some(Column::Char),
                "xid" => Some(Column::Xid),
                _ => None,
            };
            if let Some(column) = column {
                return Ok(Some(Arc::new(column.field(""))));
            }
        }
        match SqlType::from_ast(sql_type) {
            Ok(ty) => Ok(Some(Arc::new(ty.field("", true)))),
            // A name Shale does not store (regclass, oid, ...) is DataFusion's to plan.
            Err(e) if [sqlstate::FEATURE_NOT_SUPPORTED, sqlstate::UNDEFINED_OBJECT].contains(&e.code) => Ok(None),
            Err(e) => Err(e.into_datafusion()),
        }
    }
}
