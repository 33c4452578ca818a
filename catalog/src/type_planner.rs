//! SQL type names in casts planned as Shale's column types: `x::numeric(7,3)` is the same
//! Arrow type, with the same type modifier, as a `numeric(7,3)` column. The field carries
//! its metadata explicitly, so a cast's result reports the cast's type: DataFusion would
//! otherwise keep the source field's metadata (`uuid_column::text` would still say uuid,
//! read from its table). An enum type made with CREATE TYPE is found in the session's
//! catalog, as a column's type is.

use std::sync::Arc;

use datafusion::arrow::datatypes::FieldRef;
use datafusion::common::Result as DFResult;
use datafusion::logical_expr::planner::TypePlanner;
use datafusion::sql::sqlparser::ast;

use crate::error::{CatalogError, sqlstate};
use crate::{meta, resolve};
use crate::session::handle::SessionHandle;
use crate::system::Column;
use shale_pgtypes::types::SqlType;

/// Plans the SQL types Shale stores; leaves other names to DataFusion.
#[derive(Debug)]
pub struct ShaleTypes {
    /// Where the session's types are found.
    pub handle: SessionHandle,
}

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
        let ty = match SqlType::from_ast(sql_type) {
            Err(e) if e.code == sqlstate::UNDEFINED_OBJECT => {
                let txn = self.handle.txn().map_err(CatalogError::into_datafusion)?;
                resolve::value_type(&txn, &self.handle.scope(), sql_type, meta::get_type)
            }
            other => other.map_err(CatalogError::from),
        };
        match ty {
            Ok(ty) => Ok(Some(Arc::new(ty.field("", true)))),
            // A type name no catalog has is PostgreSQL's 42704.
            Err(e) if e.code == sqlstate::UNDEFINED_OBJECT && matches!(sql_type, ast::DataType::Custom(..)) => Err(e.into_datafusion()),
            // A type Shale does not store is DataFusion's to plan.
            Err(e) if [sqlstate::FEATURE_NOT_SUPPORTED, sqlstate::UNDEFINED_OBJECT].contains(&e.code) => Ok(None),
            Err(e) => Err(e.into_datafusion()),
        }
    }
}
