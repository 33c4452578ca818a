//! SQL fuzzer: a seeded random client that sends shale statements from a grammar
//! (`shale_bench::sqlgen`) over tables of every column type, filled with edge values (min
//! and max integers, NaN, infinities, empty strings, NULLs): casts between all the types,
//! operators, functions, subqueries, aggregates, windows, huge LIMIT/OFFSET and
//! `repeat`/`lpad` counts, long operator chains and deep nesting. Each statement runs on
//! one connection (simple protocol); a dead or stuck server, a panic in its log, a lost
//! connection, no answer within `--timeout` (a hang when a CancelRequest does not stop it
//! within another `--timeout` either, else slow) and an XX000 error are findings, minimized by
//! tokens and written as SQL lines to `fuzz_sql-findings.txt`; the exit status is 1 when
//! there are any. `--replay FILE` runs each line of FILE first (a findings file, or any
//! file of one statement a line).
//!
//! Run: `target/debug/fuzz_sql --seconds 300 [--seed S] [--port P] [--replay FILE]`
//! (`SHALE_BIN` is the server to start; see `shale_bench::fuzz` for every option, and
//! `scripts/fuzz` for both fuzzers at once).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use shale_bench::connect_to;
use shale_bench::fuzz::{self, FuzzArgs, Fuzzer, Verdict};
use shale_bench::rng::Rng;
use shale_bench::sqlgen::{self, Generator};
use tokio::time::timeout;
use tokio_postgres::{Client, NoTls};
use tokio_postgres::error::SqlState;

/// The fuzzer's connections by port (shale's, the reference PostgreSQL's), opened by
/// `prepare` and again after one was lost.
#[derive(Default)]
struct SqlFuzzer {
    clients: HashMap<u16, Client>,
    /// The numbers of refused edge values reported (once each, not at every restart).
    told_refusals: HashSet<usize>,
}

impl Fuzzer for SqlFuzzer {
    const NAME: &'static str = "fuzz_sql";
    const COMMENT: &'static str = "--";
    type Piece = String;

    async fn prepare(&mut self, port: u16) -> Result<(), String> {
        let client = connect_to(port, fuzz::DATABASE).await.map_err(|e| e.to_string())?;
        let mut refused = 0;
        for statement in sqlgen::setup() {
            match client.simple_query(&statement).await {
                Ok(_) => {}
                Err(_) if statement.starts_with("INSERT") => refused += 1,
                Err(e) => return Err(format!("{statement}: {e}")),
            }
        }
        if refused > 0 && self.told_refusals.insert(refused) {
            println!("fuzz_sql: the server on port {port} refused {refused} of the edge values");
        }
        self.clients.insert(port, client);
        Ok(())
    }

    fn generate(&mut self, rng: &mut Rng) -> Vec<String> {
        sqlgen::tokens(&Generator::new(rng).statement())
    }

    async fn run(&mut self, port: u16, input: &[String], limit: Duration) -> Verdict {
        let client = match self.clients.entry(port) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => match connect_to(port, fuzz::DATABASE).await {
                Ok(client) => entry.insert(client),
                Err(e) => return Verdict::Broken(format!("cannot connect ({e})")),
            },
        };
        let sql = input.join(" ");
        let answer = {
            let mut query = std::pin::pin!(client.simple_query(&sql));
            match timeout(limit, &mut query).await {
                Ok(answer) => Some(answer),
                // Past the limit: a statement that stops when cancelled is slow, not hung.
                Err(_) => match client.cancel_token().cancel_query(NoTls).await {
                    Ok(()) if timeout(limit, &mut query).await.is_ok() => return Verdict::Slow,
                    _ => None,
                },
            }
        };
        let verdict = match answer {
            None => Verdict::Hang,
            Some(Ok(_)) => return Verdict::Fine,
            Some(Err(e)) => match e.as_db_error() {
                Some(db) if *db.code() == SqlState::INTERNAL_ERROR => return Verdict::Internal(db.message().to_string()),
                Some(_) => return Verdict::Fine,
                None => Verdict::Broken(format!("connection lost ({e})")),
            },
        };
        self.clients.remove(&port);
        verdict
    }

    fn refine(&self, _input: &[String]) -> Option<Vec<String>> {
        None
    }

    /// Not a syntax error (42601) on the reference.
    async fn well_formed(&mut self, port: u16, input: &[String]) -> bool {
        let Some(client) = self.clients.get(&port) else { return true };
        match client.simple_query(&input.join(" ")).await {
            Err(e) => e.code() != Some(&SqlState::SYNTAX_ERROR),
            Ok(_) => true,
        }
    }

    /// Each bracketed group (parentheses, CASE ... END) dropped whole, then each pair of
    /// parentheses unwrapped.
    fn simplify(&self, input: &[String]) -> Vec<Vec<String>> {
        let without = |skip: &dyn Fn(usize) -> bool| -> Vec<String> {
            input.iter().enumerate().filter(|(i, _)| !skip(*i)).map(|(_, t)| t.clone()).collect()
        };
        let pairs = bracket_pairs(input);
        let dropped = pairs.iter().map(|&(open, close)| without(&|i| (open..=close).contains(&i)));
        let parentheses = pairs.iter().filter(|&&(open, _)| input[open] == "(");
        let unwrapped = parentheses.map(|&(open, close)| without(&|i| i == open || i == close));
        dropped.chain(unwrapped.collect::<Vec<_>>()).collect()
    }

    fn render(&self, input: &[String]) -> String {
        input.join(" ")
    }

    fn read(&self, line: &str) -> Option<Vec<String>> {
        Some(sqlgen::tokens(line.trim().trim_end_matches(';')))
    }
}

/// The token positions of each `(` and its `)`, and of each `CASE` and its `END`.
fn bracket_pairs(tokens: &[String]) -> Vec<(usize, usize)> {
    let mut open = Vec::new();
    let mut pairs = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.to_ascii_uppercase().as_str() {
            "(" | "CASE" => open.push(i),
            ")" | "END" => pairs.extend(open.pop().map(|start| (start, i))),
            _ => {}
        }
    }
    pairs
}

#[derive(Parser)]
#[command(about = "Seeded random SQL client against shale")]
struct Cli {
    #[command(flatten)]
    fuzz: FuzzArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    fuzz::run(SqlFuzzer::default(), Cli::parse().fuzz).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_dropped_then_unwrapped() {
        let fuzzer = SqlFuzzer::default();
        let input = sqlgen::tokens("SELECT ( 1 + ( 2 ) )");
        let candidates: Vec<String> = fuzzer.simplify(&input).iter().map(|c| c.join(" ")).collect();
        assert_eq!(candidates, ["SELECT ( 1 + )", "SELECT", "SELECT ( 1 + 2 )", "SELECT 1 + ( 2 )"]);
    }
}
