//! Arrays: PostgreSQL's array input and output syntax, the bounds on arrays a client
//! sizes, and counts typed `integer`.

pub mod counts;
pub mod input;
pub mod output;
pub mod size;
