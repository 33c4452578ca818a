//! psql scripts under `tests/sql/` and their expected output, recorded from PostgreSQL 15,
//! under `tests/expected/`.
//!
//! To record one: run the test in reference mode with `SHALE_TEST_BLESS=1`; the actual output
//! is written to the file, then read it and commit it.

use std::path::PathBuf;

use crate::server::TestServer;

/// The content of the psql script `tests/sql/<name>`.
pub fn script(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sql")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The path of `tests/expected/<name>`.
pub fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("expected")
        .join(name)
}

/// Asserts that `actual`, produced on `server`, equals the content of
/// `tests/expected/<name>`. In reference mode with `SHALE_TEST_BLESS` set, writes `actual`
/// there first.
pub fn check(server: &TestServer, name: &str, actual: &str) {
    let path = path(name);
    if server.is_reference() && std::env::var_os("SHALE_TEST_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    if expected != actual {
        panic!(
            "{} differs from the actual output:\n{}",
            path.display(),
            diff(&expected, actual)
        );
    }
}

/// A line-by-line diff: `-` expected, `+` actual, only the differing lines with their
/// numbers.
fn diff(expected: &str, actual: &str) -> String {
    let expected: Vec<_> = expected.lines().collect();
    let actual: Vec<_> = actual.lines().collect();
    let mut out = String::new();
    for i in 0..expected.len().max(actual.len()) {
        let (e, a) = (expected.get(i), actual.get(i));
        if e != a {
            if let Some(e) = e {
                out += &format!("{:4} - {e}\n", i + 1);
            }
            if let Some(a) = a {
                out += &format!("{:4} + {a}\n", i + 1);
            }
        }
    }
    out
}
