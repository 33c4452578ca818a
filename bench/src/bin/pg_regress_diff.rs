//! Differential runner over PostgreSQL 15's own regression SQL: runs each statement of each
//! `sql/*.sql` file (in `parallel_schedule` order) on shale and on the local PostgreSQL 15,
//! and reports per file the share of statements that gave the same result (rows as text,
//! in order when the statement has ORDER BY, else as multisets, and the same row counts)
//! or failed with the same SQLSTATE. A tool and a report, not a gate.
//!
//! Each file gets a fresh database on each side, made from a template holding what
//! `test_setup.sql` creates (its `COPY ... FROM` a data file is loaded with INSERTs, since
//! the file path comes from psql variables): on PostgreSQL `CREATE DATABASE ... TEMPLATE`,
//! on shale a copy of the template's data directory and a new process. Statements are split
//! as psql splits them; psql meta-commands, and statements using psql variables set in the
//! file, are skipped and counted. Each statement has a timeout; a shale that crashed or
//! timed out is restarted on its data directory and the statement counts as different.
//! Roles a file leaves on PostgreSQL (they belong to the cluster) are dropped after it.
//! Writes the markdown table to `--out` and every difference to `--details`.
//!
//! Run: `dir=$(scripts/pg_regress_fetch)` (Debian's sources of the installed
//! postgresql-15, fetched at run time), then `target/debug/pg_regress_diff --dir "$dir"
//! [--pg-port 5432] [--timeout 5] [FILE...]` (`SHALE_BIN` is the server).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures::{SinkExt, TryStreamExt};
use shale_bench::psql_split::{self, Item, Statement};
use shale_bench::{Server, connect, start_shale_logging};
use tokio::time::timeout;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

const TEMPLATE_DB: &str = "shale_regress_template";
const RUN_DB: &str = "shale_regress_run";

#[derive(Parser)]
#[command(about = "Run PostgreSQL 15's regression statements on shale and on PostgreSQL, compare")]
struct Cli {
    /// The directory `scripts/pg_regress_fetch` printed (with `sql/`, `data/`, `parallel_schedule`).
    #[arg(long)]
    dir: PathBuf,
    /// The local PostgreSQL 15 (user postgres, trust authentication).
    #[arg(long, default_value_t = 5432)]
    pg_port: u16,
    /// Seconds a statement may run.
    #[arg(long, default_value_t = 5)]
    timeout: u64,
    /// The markdown report.
    #[arg(long, default_value = "pg_regress_diff.md")]
    out: PathBuf,
    /// Every statement whose outcomes differ, with both outcomes.
    #[arg(long, default_value = "pg_regress_diff-details.txt")]
    details: PathBuf,
    /// Files to run (names without `.sql`); default: every file of the schedule.
    files: Vec<String>,
}

/// What a statement gave.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Its rows (values as text, `NULL` for null, `|` between) and each command's row count.
    Done { rows: Vec<String>, counts: Vec<u64> },
    /// An ErrorResponse: its SQLSTATE (what is compared) and message.
    Error { code: String, message: String },
    Timeout,
    /// The connection failed (the client library's error), the server still running.
    Lost(String),
    /// The server process died.
    Crashed,
}

impl Outcome {
    /// Whether the connection must be replaced after this outcome of `statement`: it was
    /// lost or is stuck, or a COPY FROM STDIN failed (tokio-postgres then drops the
    /// connection, whichever server refused it).
    fn needs_new_connection(&self, statement: &Statement) -> bool {
        match self {
            Outcome::Error { .. } => statement.copy_data.is_some(),
            Outcome::Done { .. } => false,
            Outcome::Timeout | Outcome::Lost(_) | Outcome::Crashed => true,
        }
    }
}

impl Outcome {
    fn summary(&self) -> String {
        match self {
            Outcome::Done { rows, counts } => {
                let shown: Vec<&str> = rows.iter().take(3).map(String::as_str).collect();
                format!("{} rows {counts:?} [{}{}]", rows.len(), shown.join("; "), if rows.len() > 3 { "; ..." } else { "" })
            }
            Outcome::Error { code, message } => format!("ERROR {code} {message}"),
            Outcome::Timeout => "timeout".into(),
            Outcome::Lost(e) => format!("connection lost: {e}"),
            Outcome::Crashed => "crashed".into(),
        }
    }
}

/// Runs one statement (COPY FROM STDIN with its data, COPY TO STDOUT collecting its lines).
async fn execute(client: &Client, statement: &Statement) -> Outcome {
    let error = |e: tokio_postgres::Error| match e.as_db_error() {
        Some(db) => Outcome::Error { code: db.code().code().to_string(), message: db.message().to_string() },
        None => Outcome::Lost(e.to_string()),
    };
    let lower = statement.sql.to_ascii_lowercase();
    if let Some(data) = &statement.copy_data {
        let copy = async {
            let sink = client.copy_in::<_, bytes::Bytes>(statement.sql.as_str()).await?;
            futures::pin_mut!(sink);
            sink.send(bytes::Bytes::from(data.clone())).await?;
            sink.finish().await
        };
        return copy.await.map_or_else(error, |n| Outcome::Done { rows: Vec::new(), counts: vec![n] });
    }
    if lower.starts_with("copy") && lower.contains("to stdout") {
        let out = async { client.copy_out(statement.sql.as_str()).await?.try_collect::<Vec<_>>().await };
        return out.await.map_or_else(error, |chunks| {
            let text: String = chunks.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            Outcome::Done { rows: text.lines().map(str::to_string).collect(), counts: Vec::new() }
        });
    }
    match client.simple_query(&statement.sql).await {
        Err(e) => error(e),
        Ok(messages) => {
            let (mut rows, mut counts) = (Vec::new(), Vec::new());
            for message in messages {
                match message {
                    SimpleQueryMessage::Row(row) => {
                        let values: Vec<&str> = (0..row.len()).map(|i| row.get(i).unwrap_or("NULL")).collect();
                        rows.push(values.join("|"));
                    }
                    SimpleQueryMessage::CommandComplete(n) => counts.push(n),
                    _ => {}
                }
            }
            Outcome::Done { rows, counts }
        }
    }
}

/// Whether the statement's result has a defined order: an ORDER BY outside parentheses
/// (of the last query of the statement).
fn ordered(sql: &str) -> bool {
    let mut depth = 0usize;
    let upper = sql.to_ascii_uppercase();
    let b = upper.as_bytes();
    (0..b.len()).any(|i| {
        match b[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && b[i..].starts_with(b"ORDER BY")
    })
}

/// How two outcomes compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    SameResult,
    SameError,
    Different,
}

fn compare(pg: &Outcome, shale: &Outcome, in_order: bool) -> Verdict {
    let sorted = |rows: &[String]| {
        let mut rows = rows.to_vec();
        if !in_order {
            rows.sort();
        }
        rows
    };
    match (pg, shale) {
        (Outcome::Done { rows: a, counts: ca }, Outcome::Done { rows: b, counts: cb }) if ca == cb && sorted(a) == sorted(b) => {
            Verdict::SameResult
        }
        (Outcome::Error { code: a, .. }, Outcome::Error { code: b, .. }) if a == b => Verdict::SameError,
        _ => Verdict::Different,
    }
}

/// A shale process on a data directory, restarted when it dies or hangs.
struct Shale {
    server: Server,
    client: Client,
    data: PathBuf,
    log: PathBuf,
}

impl Shale {
    async fn start(data: &Path, log: &Path) -> Shale {
        let file = File::options().create(true).append(true).open(log).expect("shale log");
        let (server, _, client) = start_shale_logging(data, file).await;
        Shale { server, client, data: data.to_path_buf(), log: log.to_path_buf() }
    }

    /// Runs a statement. A server that died or hung is restarted, a lost connection replaced.
    async fn run(&mut self, statement: &Statement, limit: Duration) -> Outcome {
        let mut outcome = timeout(limit, execute(&self.client, statement)).await.unwrap_or(Outcome::Timeout);
        if matches!(outcome, Outcome::Lost(_)) && self.server.has_exited() {
            outcome = Outcome::Crashed;
        }
        if outcome.needs_new_connection(statement) {
            let reconnected = match outcome {
                Outcome::Timeout | Outcome::Crashed => None,
                _ => connect(self.server.port).await.ok(),
            };
            match reconnected {
                Some(client) => self.client = client,
                None => {
                    self.server.kill();
                    *self = Shale::start(&self.data.clone(), &self.log.clone()).await;
                }
            }
        }
        outcome
    }
}

/// Connects to PostgreSQL database `dbname`, statements limited to `limit` by PostgreSQL itself.
async fn pg_connect(port: u16, dbname: &str, limit: Duration) -> Client {
    let options = format!(
        "host=127.0.0.1 port={port} user=postgres dbname={dbname} options='-c statement_timeout={}'",
        limit.as_millis()
    );
    let (client, connection) = tokio_postgres::connect(&options, NoTls).await.expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

/// The roles of the PostgreSQL cluster.
async fn roles(admin: &Client) -> BTreeSet<String> {
    let rows = admin.query("SELECT rolname::text FROM pg_roles", &[]).await.expect("list roles");
    rows.iter().map(|row| row.get(0)).collect()
}

/// Drops the roles a file made and left (roles belong to the cluster, not to the dropped
/// database), with what they own or were granted in `postgres`.
async fn drop_new_roles(admin: &Client, before: &BTreeSet<String>) {
    for role in roles(admin).await.difference(before) {
        let quoted = format!("\"{}\"", role.replace('"', "\"\""));
        if let Err(e) = admin.batch_execute(&format!("DROP OWNED BY {quoted}; DROP ROLE {quoted}")).await {
            eprintln!("pg_regress_diff: could not drop role {quoted} the file left: {e}");
        }
    }
}

/// `COPY table FROM <data file>` as INSERT statements of 200 rows, reading COPY's text format
/// (tab-separated, `\N` for NULL, backslash escapes).
fn inserts(table: &str, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let value = |field: &str| {
        if field == "\\N" {
            return "NULL".to_string();
        }
        let mut out = String::from("'");
        let mut chars = field.chars();
        while let Some(c) = chars.next() {
            let c = if c == '\\' {
                match chars.next() {
                    Some('t') => '\t',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some(other) => other,
                    None => '\\',
                }
            } else {
                c
            };
            out.push(c);
            if c == '\'' {
                out.push('\'');
            }
        }
        out + "'"
    };
    let rows: Vec<String> =
        text.lines().map(|line| format!("({})", line.split('\t').map(value).collect::<Vec<_>>().join(", "))).collect();
    rows.chunks(200).map(|chunk| format!("INSERT INTO {table} VALUES {}", chunk.join(", "))).collect()
}

/// The setup script's statements, its COPY from data files turned into INSERTs.
fn setup_statements(dir: &Path) -> Vec<Statement> {
    let text = std::fs::read_to_string(dir.join("sql/test_setup.sql")).expect("read test_setup.sql");
    let mut data_file = None;
    let mut out = Vec::new();
    for item in psql_split::split(&text) {
        match item {
            Item::Meta(command) if command.starts_with("\\set filename") => {
                data_file = command.split('\'').nth(1).map(|p| dir.join(p.trim_start_matches('/')));
            }
            Item::Meta(_) => {}
            Item::Statement(statement) => {
                let words: Vec<&str> = statement.sql.split_whitespace().collect();
                match (words.as_slice(), &data_file) {
                    (["COPY", table, "FROM", ":'filename';"], Some(path)) => {
                        let line = statement.line;
                        out.extend(inserts(table, path).into_iter().map(|sql| Statement { sql, line, copy_data: None }));
                    }
                    _ => out.push(statement),
                }
            }
        }
    }
    out
}

/// The files of the schedule, in order, without the setup.
fn schedule(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("parallel_schedule")).expect("read parallel_schedule");
    text.lines()
        .filter_map(|line| line.strip_prefix("test:"))
        .flat_map(|names| names.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|name| name != "test_setup")
        .collect()
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Per-file tallies.
#[derive(Default)]
struct Tally {
    statements: usize,
    same_result: usize,
    same_error: usize,
    /// The statements with the same SQLSTATE, by SQLSTATE (42P01 on both sides is often a
    /// table an earlier file would have made).
    same_error_codes: BTreeMap<String, usize>,
    /// Of the different ones: shale crashed, timed out or lost the connection.
    shale_failed: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.statements += other.statements;
        self.same_result += other.same_result;
        self.same_error += other.same_error;
        for (code, n) in &other.same_error_codes {
            *self.same_error_codes.entry(code.clone()).or_default() += n;
        }
        self.shale_failed += other.shale_failed;
        self.skipped += other.skipped;
    }

    fn row(&self, name: &str) -> String {
        let same = self.same_result + self.same_error;
        let share = if self.statements == 0 { 0.0 } else { 100.0 * same as f64 / self.statements as f64 };
        format!(
            "| {name} | {} | {} | {} | {} | {} | {share:.1}% |",
            self.statements, self.same_result, self.same_error, self.shale_failed, self.skipped
        )
    }

    /// The SQLSTATEs of the statements that failed alike, most frequent first.
    fn same_error_summary(&self) -> String {
        let mut codes: Vec<(&String, &usize)> = self.same_error_codes.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let codes: Vec<String> = codes.iter().map(|(code, n)| format!("{code} {n}")).collect();
        format!("Same SQLSTATE, by SQLSTATE: {}", codes.join(", "))
    }
}

/// Runs one file on both sides; its tally, with the differences appended to `details`.
async fn run_file(cli: &Cli, name: &str, shale: &mut Shale, pg: &mut Client, details: &mut String) -> Tally {
    let limit = Duration::from_secs(cli.timeout);
    let text = std::fs::read_to_string(cli.dir.join("sql").join(format!("{name}.sql"))).unwrap_or_default();
    let mut tally = Tally::default();
    let mut set: BTreeSet<String> = BTreeSet::new();
    let mut any_variable = false;
    for item in psql_split::split(&text) {
        let statement = match item {
            Item::Meta(command) => {
                let words: Vec<&str> = command.split_whitespace().collect();
                match words.as_slice() {
                    ["\\set" | "\\getenv", name, ..] => {
                        set.insert(name.to_string());
                    }
                    ["\\gset", ..] => any_variable = true,
                    _ => {}
                }
                tally.skipped += 1;
                continue;
            }
            Item::Statement(statement) => statement,
        };
        if psql_split::variables(&statement.sql).iter().any(|v| any_variable || set.contains(v)) {
            tally.skipped += 1;
            continue;
        }
        tally.statements += 1;
        let theirs = timeout(limit * 2, execute(pg, &statement)).await.unwrap_or(Outcome::Timeout);
        if theirs.needs_new_connection(&statement) {
            *pg = pg_connect(cli.pg_port, RUN_DB, limit).await;
        }
        let ours = shale.run(&statement, limit).await;
        match compare(&theirs, &ours, ordered(&statement.sql)) {
            Verdict::SameResult => tally.same_result += 1,
            Verdict::SameError => {
                tally.same_error += 1;
                if let Outcome::Error { code, .. } = &theirs {
                    *tally.same_error_codes.entry(code.clone()).or_default() += 1;
                }
            }
            Verdict::Different => {
                if matches!(ours, Outcome::Timeout | Outcome::Lost(_) | Outcome::Crashed) {
                    tally.shale_failed += 1;
                }
                let sql: String = statement.sql.chars().take(300).collect();
                let _ = writeln!(
                    details,
                    "{name}.sql:{}: {sql}\n    PostgreSQL: {}\n    shale:      {}",
                    statement.line,
                    theirs.summary(),
                    ours.summary()
                );
            }
        }
    }
    tally
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let limit = Duration::from_secs(cli.timeout);
    let files = if cli.files.is_empty() { schedule(&cli.dir) } else { cli.files.clone() };
    let work = tempfile::tempdir().expect("temp dir");
    let log = work.path().join("shale.log");

    // The template databases: what test_setup.sql makes, on both sides.
    let setup = setup_statements(&cli.dir);
    let admin = pg_connect(cli.pg_port, "postgres", limit).await;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {RUN_DB} WITH (FORCE)")).await.expect("drop run database");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")).await.expect("drop template");
    admin.batch_execute(&format!("CREATE DATABASE {TEMPLATE_DB}")).await.expect("create template");
    let roles_before = roles(&admin).await;
    let template = work.path().join("template");
    let (mut pg_failed, mut shale_failed) = (0, 0);
    let mut details = String::new();
    {
        let pg = pg_connect(cli.pg_port, TEMPLATE_DB, limit).await;
        let mut shale = Shale::start(&template, &log).await;
        for statement in &setup {
            let theirs = execute(&pg, statement).await;
            let ours = shale.run(statement, limit).await;
            pg_failed += usize::from(!matches!(theirs, Outcome::Done { .. }));
            if !matches!(ours, Outcome::Done { .. }) {
                shale_failed += 1;
                let sql: String = statement.sql.chars().take(120).collect();
                let _ = writeln!(details, "setup (test_setup.sql:{}): {sql}\n    shale: {}", statement.line, ours.summary());
            }
        }
    }
    println!("pg_regress_diff: setup: {} statements; failed on PostgreSQL {pg_failed}, on shale {shale_failed}", setup.len());

    let mut report = String::new();
    let _ = writeln!(report, "| file | statements | same result | same SQLSTATE | shale crashed, hung or dropped the connection | skipped | same |");
    let _ = writeln!(report, "|---|---|---|---|---|---|---|");
    let mut total = Tally::default();
    for name in &files {
        admin.batch_execute(&format!("CREATE DATABASE {RUN_DB} TEMPLATE {TEMPLATE_DB}")).await.expect("create run database");
        let data = work.path().join("run");
        let _ = std::fs::remove_dir_all(&data);
        copy_dir(&template, &data).expect("copy the template data directory");
        let mut pg = pg_connect(cli.pg_port, RUN_DB, limit).await;
        let mut shale = Shale::start(&data, &log).await;
        let tally = run_file(&cli, name, &mut shale, &mut pg, &mut details).await;
        drop((pg, shale));
        admin.batch_execute(&format!("DROP DATABASE {RUN_DB} WITH (FORCE)")).await.expect("drop run database");
        drop_new_roles(&admin, &roles_before).await;
        println!("{}", tally.row(name));
        let _ = writeln!(report, "{}", tally.row(name));
        total.add(&tally);
    }
    admin.batch_execute(&format!("DROP DATABASE {TEMPLATE_DB} WITH (FORCE)")).await.expect("drop template");
    let _ = writeln!(report, "{}", total.row("**total**"));
    let _ = writeln!(report, "\n{}", total.same_error_summary());
    println!("{}\n{}", total.row("total"), total.same_error_summary());
    std::fs::write(&cli.out, &report).expect("write the report");
    std::fs::write(&cli.details, &details).expect("write the details");
    println!("pg_regress_diff: report in {}, differences in {}", cli.out.display(), cli.details.display());
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_counts_only_outside_parentheses() {
        assert!(ordered("SELECT a FROM t ORDER BY a"));
        assert!(!ordered("SELECT * FROM (SELECT a FROM t ORDER BY a) s"));
    }

    #[test]
    fn rows_compare_as_multisets_without_order_by() {
        let done = |rows: &[&str]| Outcome::Done { rows: rows.iter().map(|r| r.to_string()).collect(), counts: vec![2] };
        assert_eq!(compare(&done(&["1", "2"]), &done(&["2", "1"]), false), Verdict::SameResult);
        assert_eq!(compare(&done(&["1", "2"]), &done(&["2", "1"]), true), Verdict::Different);
        let error = |code: &str, message: &str| Outcome::Error { code: code.into(), message: message.into() };
        assert_eq!(compare(&error("22012", "division by zero"), &error("22012", "Divide by zero"), true), Verdict::SameError);
    }

    #[test]
    fn copy_text_format_becomes_insert_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.data");
        std::fs::write(&path, "1\tit's\n2\t\\N\n").unwrap();
        assert_eq!(inserts("t", &path), ["INSERT INTO t VALUES ('1', 'it''s'), ('2', NULL)"]);
    }
}
