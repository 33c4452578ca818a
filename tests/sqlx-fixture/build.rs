//! The sqlx macros read DATABASE_URL and the migrations when the crate is compiled, but on
//! stable Rust cargo does not know that: rerunning this script when they change makes cargo
//! recompile the crate, so the macros ask the server again. SQLX_FIXTURE_BUILD is a value
//! the e2e test changes on every run, forcing that even when the URL happens to repeat.

fn main() {
    println!("cargo:rerun-if-env-changed=DATABASE_URL");
    println!("cargo:rerun-if-env-changed=SQLX_FIXTURE_BUILD");
    println!("cargo:rerun-if-changed=migrations");
}
