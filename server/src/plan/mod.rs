//! Plans: describing a statement without running it, plans made once and executed many
//! times (prepared statements and repeated shapes) with their parameter values as
//! scalars, and EXPLAIN.

pub mod describe;
pub mod explain;
pub mod param_types;
pub mod plan_cache;
pub mod reusable;
pub mod scalars;
