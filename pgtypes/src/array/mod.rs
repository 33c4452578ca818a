//! Arrays: PostgreSQL's array input syntax, the bounds on arrays a client sizes, and
//! counts typed `integer`.

pub mod counts;
pub mod input;
pub mod size;
