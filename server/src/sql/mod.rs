//! The SQL front end: parsing with PostgreSQL's dialect and its limits, rewriting what
//! DataFusion does not plan into what it does (refusing what PostgreSQL refuses and
//! DataFusion would run otherwise), the names of output columns, and the
//! shapes of simple statements that differ only in their constants.

pub mod cast_columns;
pub mod constants;
pub mod names;
pub mod parse;
pub mod pg_syntax;
pub mod recursive;
pub mod rewrite;
