//! Dates, times, timestamps and intervals as PostgreSQL reads, writes and computes them.

pub mod date_bin;
pub mod input;
pub mod interval;
pub mod interval_scaling;
pub mod interval_time;
pub mod output;
