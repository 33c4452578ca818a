//! PostgreSQL's `numeric` beyond Arrow's decimals: negative scales ([`scale`]), and NaN and
//! ±Infinity ([`special`]), which Arrow's decimals do not have. Shale stores those three as
//! values just outside every precision's range, ordered as PostgreSQL orders them
//! (-Infinity < numbers < Infinity < NaN), so comparisons, sorting, grouping, keys, `min`
//! and `max` need nothing more; an analyzer rule ([`rule`]) sends casts ([`cast`]),
//! arithmetic ([`ops`]) and the functions that compute with a numeric through code that
//! knows them. [`display`] says which digits of a value are shown. Division and `avg` give
//! PostgreSQL's quotients ([`divide`], [`avg`]), typed as such before type coercion
//! ([`quotients`]).

pub mod avg;
pub mod cast;
pub mod display;
pub mod divide;
pub mod ops;
pub mod quotients;
pub mod round;
pub mod rule;
pub mod scale;
pub mod special;
mod wide;

pub use scale::{MAX_INTEGER_DIGITS, round_array, round_to_scale};
pub use special::Special;
