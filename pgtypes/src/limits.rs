//! PostgreSQL's limits on the size of one value, checked before anything is allocated:
//! a value is at most 1 GB (`MaxAllocSize`), an array at most `MaxArraySize` elements and
//! six dimensions, and nesting as deep as PostgreSQL's stack allows. Each is the error
//! PostgreSQL gives (54000, or 54001 for nesting).

use crate::error::{PgError, Result, sqlstate};

/// The largest allocation PostgreSQL makes for one value (`MaxAllocSize`, 1 GB - 1).
pub const MAX_ALLOC_SIZE: usize = 0x3fff_ffff;
/// The bytes before a value's data (`VARHDRSZ`), counted in its size.
pub const VALUE_HEADER: usize = 4;
/// The most bytes one character takes in the database encoding (UTF8).
pub const MAX_CHAR_BYTES: usize = 4;
/// The most elements an array may have (`MaxArraySize`).
pub const MAX_ARRAY_SIZE: usize = MAX_ALLOC_SIZE / 8;
/// The most dimensions an array may have (`MAXDIM`).
pub const MAX_ARRAY_DIMENSIONS: usize = 6;
/// The deepest nesting of json and jsonb input: about where PostgreSQL 15's default
/// `max_stack_depth` (2 MB) stops its recursive-descent parser (between 14,000 and
/// 16,000 levels).
pub const MAX_JSON_DEPTH: usize = 15_000;

/// 54000 "requested length too large" unless a value of `bytes` bytes (header included;
/// `None`: more than `usize` holds) may be allocated.
pub fn check_length(bytes: Option<usize>) -> Result<()> {
    match bytes {
        Some(n) if n <= MAX_ALLOC_SIZE => Ok(()),
        _ => Err(PgError::new(sqlstate::PROGRAM_LIMIT_EXCEEDED, "requested length too large")),
    }
}

/// 54000 unless an array of `elements` elements (`None`: more than `usize` holds) may be made.
pub fn check_array_size(elements: Option<usize>) -> Result<()> {
    match elements {
        Some(n) if n <= MAX_ARRAY_SIZE => Ok(()),
        _ => Err(PgError::new(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            format!("array size exceeds the maximum allowed ({MAX_ARRAY_SIZE})"),
        )),
    }
}

/// 54000 unless an array may have `dimensions` dimensions.
pub fn check_array_dimensions(dimensions: usize) -> Result<()> {
    if dimensions <= MAX_ARRAY_DIMENSIONS {
        return Ok(());
    }
    Err(PgError::new(
        sqlstate::PROGRAM_LIMIT_EXCEEDED,
        format!("number of array dimensions ({dimensions}) exceeds the maximum allowed ({MAX_ARRAY_DIMENSIONS})"),
    ))
}

/// 54001 "stack depth limit exceeded", as PostgreSQL words it.
pub fn stack_depth_exceeded() -> PgError {
    PgError {
        hint: Some(
            "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the \
             platform's stack depth limit is adequate."
                .to_string(),
        ),
        ..PgError::new("54001", "stack depth limit exceeded")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_postgres_own() {
        assert_eq!(MAX_ARRAY_SIZE, 134_217_727);
        assert!(check_length(Some(MAX_ALLOC_SIZE)).is_ok());
        assert_eq!(check_length(Some(MAX_ALLOC_SIZE + 1)).unwrap_err().code, "54000");
        assert_eq!(check_length(None).unwrap_err().message, "requested length too large");
        let e = check_array_dimensions(7).unwrap_err();
        assert_eq!(e.message, "number of array dimensions (7) exceeds the maximum allowed (6)");
        assert!(check_array_size(Some(MAX_ARRAY_SIZE)).is_ok());
    }
}
