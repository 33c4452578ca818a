//! Running `pgbench` against a server and reading its report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `PGBENCH`, else `/usr/bin/pgbench` (Debian's wrapper, which runs pgbench 15 here).
pub fn binary() -> PathBuf {
    std::env::var_os("PGBENCH").map(PathBuf::from).unwrap_or_else(|| "/usr/bin/pgbench".into())
}

/// `pgbench -n OPTIONS -h 127.0.0.1 -p PORT -U postgres -f SCRIPT DBNAME`: `-n` skips the
/// vacuum of pgbench's own tables, so the server needs nothing but the script's statements.
pub fn command(port: u16, dbname: &str, options: &[&str], script: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .arg("-n")
        .args(options)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-f"])
        .arg(script)
        .arg(dbname);
    command
}

/// The tps of `pgbench -M prepared -c 4 -j 2 -T SECONDS` running `script` against
/// `dbname` on `port`; panics on a failed run.
pub fn prepared_tps(port: u16, dbname: &str, script: &Path, seconds: u64) -> f64 {
    let options = ["-M", "prepared", "-c", "4", "-j", "2", "-T", &seconds.to_string()];
    let output = command(port, dbname, &options, script).output().expect("run pgbench");
    Report::of_clean_run(&output).unwrap_or_else(|e| panic!("on port {port}: {e}")).tps
}

/// The figures of a pgbench report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// `number of transactions actually processed: N`.
    pub processed: u64,
    /// `number of failed transactions: N (P%)`: serialization and deadlock failures that
    /// did not abort the client (other errors abort it, and pgbench exits with status 2).
    pub failed: u64,
    /// `tps = N (without initial connection time)`.
    pub tps: f64,
}

impl Report {
    /// Reads the figures from pgbench's standard output.
    pub fn parse(stdout: &str) -> Option<Report> {
        let figure = |prefix: &str| {
            stdout.lines().find_map(|l| l.strip_prefix(prefix))?.split_whitespace().next().map(str::to_string)
        };
        Some(Report {
            processed: figure("number of transactions actually processed: ")?.parse().ok()?,
            failed: figure("number of failed transactions: ")?.parse().ok()?,
            tps: figure("tps = ")?.parse().ok()?,
        })
    }

    /// The report of a finished run that succeeded, processed transactions and failed none;
    /// otherwise why not, with everything pgbench printed.
    pub fn of_clean_run(output: &Output) -> Result<Report, String> {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let explain = |what: &str| {
            format!(
                "pgbench {what} ({}):\n--- stdout ---\n{stdout}--- stderr ---\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
        };
        if !output.status.success() {
            return Err(explain("failed"));
        }
        match Report::parse(&stdout) {
            None => Err(explain("printed no report")),
            Some(report) if report.failed > 0 => Err(explain("reported failed transactions")),
            Some(report) if report.processed == 0 => Err(explain("processed no transaction")),
            Some(report) => Ok(report),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Report;

    #[test]
    fn reads_the_figures_of_a_pgbench_15_report() {
        let report = "\
number of transactions actually processed: 5923
number of failed transactions: 0 (0.000%)
latency average = 2.020 ms
initial connection time = 14.148 ms
tps = 1980.294018 (without initial connection time)
";
        assert_eq!(Report::parse(report), Some(Report { processed: 5923, failed: 0, tps: 1980.294018 }));
        assert_eq!(Report::parse("no figures"), None);
    }
}
