//! Running the real `psql` against a [`TestServer`].

use std::io::{Read, Seek};
use std::process::{ExitStatus, Stdio};

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::client::within;
use crate::server::TestServer;

/// Environment variables that would change what psql connects to or how it prints.
const PG_ENV: &[&str] = &[
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGOPTIONS",
    "PGTZ",
    "PGDATESTYLE",
    "PGCLIENTENCODING",
    "PGAPPNAME",
    "PSQLRC",
    "PSQL_PAGER",
    "PAGER",
];

/// What a psql run printed, and how it ended.
#[derive(Debug)]
pub struct PsqlOutput {
    pub stdout: String,
    pub stderr: String,
    pub status: ExitStatus,
}

impl TestServer {
    /// Runs `script` through `psql -X -At -v ON_ERROR_STOP=0 ... -f -`: unaligned, tuples
    /// only, each row on a line with columns separated by `|`, NULL as the empty string.
    pub async fn psql(&self, script: &str) -> PsqlOutput {
        self.psql_with(&["-At"], script).await
    }

    /// Runs `script` through psql with `flags` in place of `-At`.
    pub async fn psql_with(&self, flags: &[&str], script: &str) -> PsqlOutput {
        let output = self
            .psql_command(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn_with_input(script)
            .await
            .wait_with_output();
        let output = within(output, "psql").await.expect("run psql");
        PsqlOutput {
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
            status: output.status,
        }
    }

    /// Runs `script` through psql with `flags` and returns stdout and stderr interleaved
    /// as a terminal shows them (both go to one file, as `2>&1` does), for comparison with
    /// a session recorded from PostgreSQL.
    pub async fn psql_session(&self, flags: &[&str], script: &str) -> String {
        let mut file = tempfile::tempfile().expect("temp file");
        let child = self
            .psql_command(flags)
            .stdout(file.try_clone().expect("dup"))
            .stderr(file.try_clone().expect("dup"))
            .spawn_with_input(script)
            .await;
        let status = within(child.wait_with_output(), "psql")
            .await
            .expect("run psql")
            .status;
        assert!(status.code().is_some(), "psql was killed: {status}");
        let mut output = String::new();
        file.rewind().expect("rewind");
        file.read_to_string(&mut output).expect("UTF-8 output");
        output
    }

    fn psql_command(&self, flags: &[&str]) -> Command {
        let mut cmd = Command::new("psql");
        for var in PG_ENV {
            cmd.env_remove(var);
        }
        cmd.arg("-X")
            .args(flags)
            .args(["-v", "ON_ERROR_STOP=0", "-h", "127.0.0.1", "-U", "postgres"])
            .arg("-p")
            .arg(self.port().to_string())
            .arg("-d")
            .arg(self.dbname())
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }
}

trait SpawnWithInput {
    async fn spawn_with_input(&mut self, input: &str) -> tokio::process::Child;
}

impl SpawnWithInput for Command {
    async fn spawn_with_input(&mut self, input: &str) -> tokio::process::Child {
        let mut child = self
            .spawn()
            .expect("spawn psql (is postgresql-client installed?)");
        let mut stdin = child.stdin.take().expect("psql stdin");
        stdin
            .write_all(input.as_bytes())
            .await
            .expect("write the script to psql");
        drop(stdin);
        child
    }
}
