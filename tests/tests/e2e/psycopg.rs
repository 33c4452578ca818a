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

async fn psycopg_installed() -> bool {
    let probe = Command::new("python3")
        .args(["-c", "import psycopg"])
        .output()
        .await;
    matches!(probe, Ok(out) if out.status.success())
}

#[tokio::test]
async fn a_psycopg_session() {
    if !psycopg_installed().await {
        eprintln!(
            "skipped: psycopg 3 is not installed for python3 (pip install 'psycopg[binary]')"
        );
        return;
    }
    let server = TestServer::start().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("py")
        .join("psycopg_session.py");
    let output = within(
        Command::new("python3")
            .arg(&script)
            .arg(server.url())
            .output(),
        "psycopg session",
    )
    .await
    .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout, EXPECTED);
}
