//! The format codes of a Bind, checked as PostgreSQL checks them: the counts at Bind
//! (08P01), and the codes themselves when they are used: a parameter's at Bind, the
//! result columns' when Execute sends rows (22023).

use pgwire::api::portal::Format;
use pgwire::messages::extendedquery::Bind;
use shale_catalog::{CatalogError, sqlstate};

/// Bind's parameter format codes: none, one for all, or one per parameter.
pub fn check_parameter_count(bind: &Bind) -> Result<(), CatalogError> {
    let (formats, parameters) = (bind.parameter_format_codes.len(), bind.parameters.len());
    if formats > 1 && formats != parameters {
        return Err(CatalogError::new(
            sqlstate::PROTOCOL_VIOLATION,
            format!("bind message has {formats} parameter formats but {parameters} parameters"),
        ));
    }
    Ok(())
}

/// Bind's result format codes, for a statement returning `columns` columns (`None`: a
/// statement without rows, whose codes are not checked).
pub fn check_result_count(bind: &Bind, columns: Option<usize>) -> Result<(), CatalogError> {
    let formats = bind.result_column_format_codes.len();
    match columns {
        Some(columns) if formats > 1 && formats != columns => Err(CatalogError::new(
            sqlstate::PROTOCOL_VIOLATION,
            format!("bind message has {formats} result formats but query has {columns} columns"),
        )),
        _ => Ok(()),
    }
}

/// The result columns' codes, checked when rows are sent in them.
pub fn check_result_codes(format: &Format) -> Result<(), CatalogError> {
    match format.unsupported_code() {
        Some(code) => Err(unsupported(code)),
        None => Ok(()),
    }
}

/// 22023 for a format code that is neither text (0) nor binary (1).
pub fn unsupported(code: i16) -> CatalogError {
    CatalogError::new(sqlstate::INVALID_PARAMETER, format!("unsupported format code: {code}"))
}
