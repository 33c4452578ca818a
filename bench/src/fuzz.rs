//! The fuzzers' harness: a [`Fuzzer`] generates inputs and runs them on one connection;
//! [`run`] starts shale (or uses `--port`), feeds it inputs from a seed for a bounded time,
//! and after each input checks that the server process is alive and answers `SELECT 1` on
//! a separate connection within a few seconds, and reads the server's log for panics. A
//! dead or unresponsive server, a panic, a hang of the fuzzed connection and an XX000
//! answer are findings: each kind (its signature) is minimized once, by removing pieces of
//! the input while the same finding reproduces, and written to a findings file as one
//! reproducer line that `--replay` reads back. With `--reference-port`, an XX000 that
//! PostgreSQL gives too is not a finding, and minimization keeps only inputs PostgreSQL
//! takes as well-formed (for SQL: no syntax error), so that a reproducer can become a test
//! that passes there.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::time::timeout;
use tokio_postgres::Client;

use crate::rng::Rng;
use crate::{Server, connect, start_shale_logging};

/// The database the fuzzers connect to: made on each shale server the fuzzer starts (and on
/// one given by `--port` when missing); on the reference PostgreSQL it is made for the run
/// and dropped after it, so that nothing is left in `postgres`.
pub const DATABASE: &str = "shale_fuzz";

/// How many characters of a finding's text tell findings apart.
const SIGNATURE_LENGTH: usize = 100;

/// How long the server may take to answer `SELECT 1` on the probe connection.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The fuzzers' command line.
#[derive(clap::Args, Clone, Debug)]
pub struct FuzzArgs {
    /// How long to fuzz, in seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// The seed (default: from the clock); printed so that a run can be replayed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Fuzz the server already listening on this port (it is then neither restarted nor
    /// its log read: the run stops at the first dead server).
    #[arg(long)]
    pub port: Option<u16>,
    /// The findings file (default: `<fuzzer>-findings.txt`), overwritten.
    #[arg(long)]
    pub findings: Option<PathBuf>,
    /// Seconds an input may run before it is cancelled, and then before it is a hang.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Seconds spent minimizing each new finding, at most.
    #[arg(long, default_value_t = 60)]
    pub minimize_seconds: u64,
    /// A reference PostgreSQL (user postgres, trust): an input that shale answers with
    /// XX000 is run there too, and is no finding when PostgreSQL answers XX000 as well
    /// (PostgreSQL's own "cache lookup failed" for a type OID that does not exist);
    /// minimized inputs must be well-formed there.
    #[arg(long)]
    pub reference_port: Option<u16>,
    /// Replay the reproducer lines of these files (a findings file, or one input a line)
    /// before generating.
    #[arg(long)]
    pub replay: Vec<PathBuf>,
    /// Which findings fail the run: `any`, or only `crash`es (a dead or unresponsive
    /// server, a logged panic, a hang), as CI runs it while XX000 answers are still being
    /// fixed; the others are written to the findings file either way.
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
}

/// Which findings fail a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Every finding.
    Any,
    /// A dead or unresponsive server, a logged panic, a hang.
    Crash,
}

/// Whether a finding (its text) is a crash: the server died, stopped answering or logged a
/// panic, or the input hung.
fn is_crash(text: &str) -> bool {
    ["server died", "server stopped answering", "server logged a", "hang"].iter().any(|p| text.starts_with(p))
}

/// What went wrong on the fuzzed connection itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An answer, an ErrorResponse, or a close where one is allowed.
    Fine,
    /// No answer and no close within the time limit, nor within another after a
    /// CancelRequest.
    Hang,
    /// No answer within the time limit, but one soon after a CancelRequest: a statement
    /// that runs long (one huge value through a function that does not look at the
    /// interrupt) and stops when asked. A finding, not a crash.
    Slow,
    /// An ErrorResponse with SQLSTATE XX000, and its message.
    Internal(String),
    /// Something else the protocol does not allow (garbled bytes, a close mid-answer).
    Broken(String),
}

/// A fuzzer: its inputs are lists of pieces (messages, tokens), which minimization removes.
#[allow(async_fn_in_trait)]
pub trait Fuzzer {
    /// The binary's name, for messages and the default findings file.
    const NAME: &'static str;
    /// How a comment line starts in the findings file (the reproducers are the other lines).
    const COMMENT: &'static str;
    /// One piece of an input.
    type Piece: Clone;

    /// Prepares a freshly started server (tables to query).
    async fn prepare(&mut self, port: u16) -> Result<(), String>;
    /// A new input.
    fn generate(&mut self, rng: &mut Rng) -> Vec<Self::Piece>;
    /// Runs one input on a connection of its own to `port`, within `limit`.
    async fn run(&mut self, port: u16, input: &[Self::Piece], limit: Duration) -> Verdict;
    /// The same input in finer pieces, for a second round of minimization, if there are any.
    fn refine(&self, input: &[Self::Piece]) -> Option<Vec<Self::Piece>>;
    /// Smaller inputs that removing a run of pieces cannot make (a bracket pair unwrapped),
    /// tried before the runs; none by default.
    fn simplify(&self, _input: &[Self::Piece]) -> Vec<Vec<Self::Piece>> {
        Vec::new()
    }
    /// Whether the server on `port` (the reference PostgreSQL) takes the input as well-formed;
    /// minimization keeps only such inputs. Yes by default.
    async fn well_formed(&mut self, _port: u16, _input: &[Self::Piece]) -> bool {
        true
    }
    /// The input as one reproducer line.
    fn render(&self, input: &[Self::Piece]) -> String;
    /// A reproducer line read back.
    fn read(&self, line: &str) -> Option<Vec<Self::Piece>>;
}

/// The server under test: a shale process this harness started (on a fresh data directory,
/// its log in a file), or a server given by port.
pub struct Target {
    port: u16,
    process: Option<(Server, TempDir)>,
    log_offset: usize,
    probe: Option<Client>,
}

impl Target {
    async fn start(port: Option<u16>) -> Target {
        let mut target = Target { port: port.unwrap_or(0), process: None, log_offset: 0, probe: None };
        match port {
            None => target.restart().await,
            Some(port) => create_database(port).await,
        }
        target
    }

    /// Whether a fresh server can be started (not one given by port).
    fn restartable(&self) -> bool {
        self.process.is_some()
    }

    /// Kills the server and starts a new one on a fresh data directory.
    async fn restart(&mut self) {
        self.probe = None;
        if let Some((mut server, _)) = self.process.take() {
            server.kill();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let log = File::create(dir.path().join("shale.log")).expect("log file");
        std::fs::create_dir(dir.path().join("data")).expect("data dir");
        let (server, _, client) = start_shale_logging(&dir.path().join("data"), log).await;
        create_database(server.port).await;
        self.port = server.port;
        self.probe = Some(client);
        self.process = Some((server, dir));
        self.log_offset = 0;
    }

    fn process_exited(&mut self) -> bool {
        self.process.as_mut().is_some_and(|(server, _)| server.has_exited())
    }

    /// Whether the server answers `SELECT 1` on the probe connection (reconnecting once).
    async fn answers(&mut self) -> bool {
        for _ in 0..2 {
            if self.probe.is_none() {
                self.probe = timeout(PROBE_TIMEOUT, connect(self.port)).await.ok().and_then(Result::ok);
            }
            if let Some(probe) = &self.probe
                && let Ok(Ok(_)) = timeout(PROBE_TIMEOUT, probe.simple_query("SELECT 1")).await
            {
                return true;
            }
            self.probe = None;
        }
        false
    }

    /// What the server logged since the last call.
    fn new_log(&mut self) -> String {
        let Some((_, dir)) = &self.process else { return String::new() };
        let log = std::fs::read(dir.path().join("shale.log")).unwrap_or_default();
        let new = String::from_utf8_lossy(log.get(self.log_offset..).unwrap_or_default()).into_owned();
        self.log_offset = log.len();
        new
    }
}

/// The fault a server log reports, if any: a panic (with its location), a stack overflow, a
/// failed allocation.
fn logged_fault(log: &str) -> Option<String> {
    log.lines().find_map(|line| {
        if let Some((_, at)) = line.split_once("panicked at ") {
            let location = at.trim_end_matches(':');
            let short: Vec<&str> = location.rsplit('/').take(3).collect();
            return Some(format!("panic at {}", short.into_iter().rev().collect::<Vec<_>>().join("/")));
        }
        if line.contains("has overflowed its stack") {
            return Some("stack overflow".into());
        }
        line.contains("memory allocation of").then(|| "failed allocation".into())
    })
}

/// A finding: what happened, and its signature (numbers blanked, so that one fault with
/// other values is one finding).
struct Finding {
    text: String,
    signature: String,
}

/// A finding's signature: the start of its text with each run of digits replaced by `N`
/// and each quoted value by `'…'` (so that, say, one missing signature of an aggregate is
/// one finding whatever the function and type).
fn signature(text: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in text.chars() {
        if c == '\'' {
            quoted = !quoted;
            out.push_str(if quoted { "'…" } else { "'" });
        } else if !c.is_ascii_digit() && !quoted {
            out.push(c);
        } else if !quoted && !out.ends_with('N') {
            out.push('N');
        }
    }
    out.chars().take(SIGNATURE_LENGTH).collect()
}

/// How inputs are judged: the time limit of one, and the reference PostgreSQL.
#[derive(Clone, Copy)]
struct Judge {
    limit: Duration,
    reference: Option<u16>,
}

/// Runs `input` and checks the server after it: the finding, if any. A dead or stuck
/// server is restarted.
async fn examine<F: Fuzzer>(fuzzer: &mut F, target: &mut Target, input: &[F::Piece], judge: Judge) -> Option<Finding> {
    let mut verdict = fuzzer.run(target.port, input, judge.limit).await;
    if let (Verdict::Internal(_), Some(reference)) = (&verdict, judge.reference)
        && let Verdict::Internal(_) = fuzzer.run(reference, input, judge.limit).await
    {
        verdict = Verdict::Fine;
    }
    let hung = verdict == Verdict::Hang;
    let exited = target.process_exited();
    let answers = !exited && target.answers().await;
    let fault = logged_fault(&target.new_log());
    // A failed allocation or a stack overflow aborts the process, which may not be reaped yet.
    let fatal = exited || fault.as_deref().is_some_and(|f| !f.starts_with("panic"));
    let finding = if fatal {
        Some(format!("server died: {}", fault.as_deref().unwrap_or("nothing logged")))
    } else if !answers {
        Some(format!("server stopped answering{}", fault.map(|f| format!(" after a {f}")).unwrap_or_default()))
    } else if let Some(fault) = fault {
        Some(format!("server logged a {fault}"))
    } else {
        match verdict {
            Verdict::Fine => None,
            Verdict::Hang => Some("hang: no answer within the time limit, nor after a cancel".into()),
            Verdict::Slow => Some("slow: no answer within the time limit; it stopped when cancelled".into()),
            Verdict::Internal(message) => Some(format!("XX000: {message}")),
            Verdict::Broken(what) => Some(what),
        }
    };
    if (fatal || !answers || hung) && target.restartable() {
        target.restart().await;
        if let Err(e) = fuzzer.prepare(target.port).await {
            panic!("preparing the restarted server: {e}");
        }
    }
    finding.map(|text| Finding { signature: signature(&text), text })
}

/// Whether `candidate` gives the finding `wanted`, and is well-formed on the reference
/// PostgreSQL when there is one (a reproducer becomes a test that passes there).
async fn reproduces<F: Fuzzer>(fuzzer: &mut F, target: &mut Target, candidate: &[F::Piece], wanted: &str, judge: Judge) -> bool {
    if let Some(reference) = judge.reference
        && !fuzzer.well_formed(reference, candidate).await
    {
        return false;
    }
    examine(fuzzer, target, candidate, judge).await.is_some_and(|f| f.signature == wanted)
}

/// Makes `input` smaller while the finding `wanted` still reproduces, until `until`: first
/// by the fuzzer's own simplifications, then by removing chunks of pieces of halving size
/// (delta debugging).
async fn shrink<F: Fuzzer>(
    fuzzer: &mut F,
    target: &mut Target,
    mut input: Vec<F::Piece>,
    wanted: &str,
    judge: Judge,
    until: Instant,
) -> Vec<F::Piece> {
    'simplify: while Instant::now() < until {
        for candidate in fuzzer.simplify(&input) {
            if Instant::now() >= until {
                break 'simplify;
            }
            if reproduces(fuzzer, target, &candidate, wanted, judge).await {
                input = candidate;
                continue 'simplify;
            }
        }
        break;
    }
    let mut chunk = input.len().div_ceil(2).max(1);
    loop {
        let mut start = 0;
        let mut removed = false;
        while start < input.len() && Instant::now() < until {
            let end = (start + chunk).min(input.len());
            let candidate: Vec<F::Piece> = input[..start].iter().chain(&input[end..]).cloned().collect();
            if !candidate.is_empty() && reproduces(fuzzer, target, &candidate, wanted, judge).await {
                input = candidate;
                removed = true;
            } else {
                start = end;
            }
        }
        if Instant::now() >= until || (chunk == 1 && !removed) {
            return input;
        }
        chunk = chunk.div_ceil(2).max(1);
    }
}

/// The findings file: a header, then per finding a comment line and its reproducer line.
struct Findings {
    file: File,
    path: PathBuf,
    count: usize,
    crashes: usize,
}

impl Findings {
    fn create(path: &Path, header: &str) -> Findings {
        let mut file = File::create(path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
        writeln!(file, "{header}").expect("write findings");
        Findings { file, path: path.to_path_buf(), count: 0, crashes: 0 }
    }

    /// Adds a finding: `comment` (made one line, at most 400 characters), its reproducer,
    /// and whether it is a crash.
    fn add(&mut self, comment: &str, reproducer: &str, crash: bool) {
        writeln!(self.file, "{}\n{reproducer}", one_line(comment)).expect("write findings");
        self.count += 1;
        self.crashes += usize::from(crash);
    }
}

/// `text` on one line, at most 400 characters.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(400).collect()
}

/// The reproducer lines of `path`: every non-empty line that is not a comment.
fn reproducers(path: &Path, comment: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with(comment)).map(str::to_string).collect()
}

/// Makes [`DATABASE`] on the shale server at `port` unless it has it (`IF NOT EXISTS` is
/// shale's).
async fn create_database(port: u16) {
    let sql = format!("CREATE DATABASE IF NOT EXISTS {DATABASE}");
    if let Err(e) = reference_database(port, &sql).await {
        panic!("creating the database {DATABASE} on port {port}: {e}");
    }
}

/// Runs `sql` (CREATE or DROP DATABASE) on the reference PostgreSQL at `port`.
async fn reference_database(port: u16, sql: &str) -> Result<(), String> {
    let admin = connect(port).await.map_err(|e| e.to_string())?;
    admin.batch_execute(sql).await.map_err(|e| e.to_string())
}

/// Makes a fresh [`DATABASE`] on the reference PostgreSQL and prepares it.
async fn prepare_reference<F: Fuzzer>(fuzzer: &mut F, port: u16) -> Result<(), String> {
    reference_database(port, &format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")).await?;
    reference_database(port, &format!("CREATE DATABASE {DATABASE}")).await?;
    fuzzer.prepare(port).await
}

/// Fuzzes for `args.seconds` (after replaying `args.replay`), writes the findings file and
/// prints a summary; fails when there are findings.
pub async fn run<F: Fuzzer>(mut fuzzer: F, args: FuzzArgs) -> ExitCode {
    let seed = args.seed.unwrap_or_else(Rng::clock_seed);
    let mut rng = Rng::new(seed);
    let judge = Judge { limit: Duration::from_secs(args.timeout), reference: args.reference_port };
    let comment = F::COMMENT;
    println!("{}: seed {seed}, {} s (replay: --seed {seed})", F::NAME, args.seconds);
    let path = args.findings.clone().unwrap_or_else(|| format!("{}-findings.txt", F::NAME).into());
    let mut findings = Findings::create(&path, &format!("{comment} {} --seed {seed} --seconds {}", F::NAME, args.seconds));
    let mut replay: Vec<String> = args.replay.iter().flat_map(|p| reproducers(p, comment)).collect();
    replay.reverse();

    let mut target = Target::start(args.port).await;
    if let Err(e) = fuzzer.prepare(target.port).await {
        eprintln!("{}: preparing the server failed: {e}", F::NAME);
        return ExitCode::FAILURE;
    }
    if let Some(reference) = args.reference_port
        && let Err(e) = prepare_reference(&mut fuzzer, reference).await
    {
        eprintln!("{}: preparing the reference PostgreSQL failed: {e}", F::NAME);
        return ExitCode::FAILURE;
    }
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let (mut inputs, mut repeats) = (0usize, 0usize);
    let mut seen = BTreeSet::new();
    while !replay.is_empty() || Instant::now() < deadline {
        let input = match replay.pop() {
            Some(line) => match fuzzer.read(&line) {
                Some(input) => input,
                None => {
                    eprintln!("{}: cannot read reproducer {line:?}", F::NAME);
                    continue;
                }
            },
            None => fuzzer.generate(&mut rng),
        };
        inputs += 1;
        let Some(found) = examine(&mut fuzzer, &mut target, &input, judge).await else { continue };
        if !seen.insert(found.signature.clone()) {
            repeats += 1;
        } else {
            println!("{}: input {inputs}: {}; minimizing", F::NAME, one_line(&found.text));
            let until = Instant::now() + Duration::from_secs(args.minimize_seconds);
            let coarse = shrink(&mut fuzzer, &mut target, input.clone(), &found.signature, judge, until).await;
            let minimal = match fuzzer.refine(&coarse) {
                Some(fine) => shrink(&mut fuzzer, &mut target, fine, &found.signature, judge, until).await,
                None => coarse,
            };
            let reproducer = fuzzer.render(&minimal);
            println!("{}: {reproducer}", F::NAME);
            findings.add(&format!("{comment} {} (input {inputs} of seed {seed})", found.text), &reproducer, is_crash(&found.text));
        }
        if !target.restartable() && !target.answers().await {
            eprintln!("{}: the server given by --port is down; stopping", F::NAME);
            break;
        }
    }
    if let Some(reference) = args.reference_port {
        drop(fuzzer);
        let dropped = reference_database(reference, &format!("DROP DATABASE {DATABASE} WITH (FORCE)")).await;
        if let Err(e) = dropped {
            eprintln!("{}: dropping {DATABASE} on the reference PostgreSQL: {e}", F::NAME);
        }
    }
    println!(
        "{}: {inputs} inputs, {} distinct findings ({} crashes, {repeats} repeats) in {}",
        F::NAME,
        findings.count,
        findings.crashes,
        findings.path.display()
    );
    let failing = match args.fail_on {
        FailOn::Any => findings.count,
        FailOn::Crash => findings.crashes,
    };
    if failing == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_names_its_fault() {
        let panic = "thread 'tokio-runtime-worker' (77) panicked at /root/.cargo/registry/src/x/bytes-1.12.1/src/lib.rs:45:5:\ncapacity overflow";
        assert_eq!(logged_fault(panic).as_deref(), Some("panic at bytes-1.12.1/src/lib.rs:45:5"));
        assert_eq!(logged_fault("thread 'main' has overflowed its stack\nfatal runtime error").as_deref(), Some("stack overflow"));
        assert_eq!(logged_fault("memory allocation of 42949672960 bytes failed").as_deref(), Some("failed allocation"));
        assert_eq!(logged_fault("WARN shale: client error 22012"), None);
    }

    #[test]
    fn signatures_ignore_numbers() {
        assert_eq!(signature("XX000: cache lookup failed for type 99999"), signature("XX000: cache lookup failed for type 4"));
        assert_eq!(signature("XX000: type 12"), "XXN: type N");
        assert_eq!(signature("Placeholder '$1' was not provided"), signature("Placeholder '$' was not provided"));
    }
}
