//! Arrays: PostgreSQL's array input syntax and the bounds on arrays a client sizes.

pub mod input;
pub mod size;
