//! psycopg 3 connects and works (issue 2, point 2): `tests/py/psycopg_session.py` against the
//! server, its printed lines compared with what PostgreSQL 15 gives.

use std::path::PathBuf;

use shale_tests::{TestServer, within};
use tokio::process::Command;

const EXPECTED: &str = "\
server_version >= 140000: True
encoding: utf-8
DateStyle: ISO, MDY
standard_conforming_strings: on
insert rowcount: 2 INSERT 0 2
columns: ['id', 'name', 'price', 'added', 'active', 'ratio']
row: (1, 'apple', Decimal('1.50'), datetime.date(2024, 1, 2), True, 0.5)
row: (2, 'pear', Decimal('2.25'), datetime.date(2024, 3, 4), False, None)
client-side insert: 1 INSERT 0 1
update: 2 UPDATE 2
fetchone: (\"plum's\", Decimal('1.98'))
UniqueViolation: 23505
UndefinedTable: 42P01
delete: 1 DELETE 1
count: 2
done
";

/// Runs `tests/py/<script>` against a fresh server and returns what it printed, failing
/// the test if it fails; `None` (the test is skipped) when psycopg 3 is not installed.
pub(crate) async fn run_script(script: &str) -> Option<String> {
    run_python_script(
        script,
        "import psycopg",
        "psycopg 3 is not installed for python3 (pip install 'psycopg[binary]')",
    )
    .await
}

/// [`run_script`] for a script that needs more than psycopg: the test is skipped, printing
/// `missing`, when the Python code `probe` fails (e.g. `import sqlalchemy`).
pub(crate) async fn run_python_script(script: &str, probe: &str, missing: &str) -> Option<String> {
    let probe = Command::new("python3").args(["-c", probe]).output().await;
    if !matches!(probe, Ok(out) if out.status.success()) {
        eprintln!("skipped: {missing}");
        return None;
    }
    let server = TestServer::start().await;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("py")
        .join(script);
    let output = within(
        Command::new("python3").arg(&path).arg(server.url()).output(),
        script,
    )
    .await
    .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        server.log()
    );
    Some(stdout)
}

#[tokio::test]
async fn a_psycopg_session() {
    if let Some(stdout) = run_script("psycopg_session.py").await {
        assert_eq!(stdout, EXPECTED);
    }
}
