//! Analyzer rules that give DataFusion's plans PostgreSQL's semantics where they concern
//! no one type: window frames, correlated scalar subqueries, recursive CTEs' columns.

pub mod boolean_operands;
pub mod recursive_fields;
pub mod scalar_subquery;
pub mod window_frames;
