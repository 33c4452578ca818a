//! The crates depend on each other in one direction only, as ARCHITECTURE.md draws them:
//! storage knows neither DataFusion nor pgwire; PostgreSQL's types (`shale-pgtypes`) know
//! neither storage nor the catalog; the catalog does not know the wire protocol; the server
//! reaches storage only through the catalog. Read from `cargo metadata`'s resolved graph.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// The workspace's resolved dependency graph: each package's name and its normal
/// (non-dev, non-build) dependencies' names.
struct Graph {
    deps: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn load() -> Graph {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
        // Only this machine's platform: the other platforms' dependencies were never
        // downloaded, and offline cargo cannot read their manifests.
        let out = Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--offline", "--filter-platform", &host_triple()])
            .args(["--manifest-path", manifest])
            .output()
            .expect("cargo metadata runs");
        assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
        let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
        let names: BTreeMap<&str, &str> = meta["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| (p["id"].as_str().expect("id"), p["name"].as_str().expect("name")))
            .collect();
        let mut deps = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
            let normal = node["deps"].as_array().expect("deps").iter().filter(|d| {
                d["dep_kinds"].as_array().expect("dep_kinds").iter().any(|k| k["kind"].is_null())
            });
            let set = normal.map(|d| names[d["pkg"].as_str().expect("pkg")].to_string()).collect();
            deps.insert(names[node["id"].as_str().expect("id")].to_string(), set);
        }
        Graph { deps }
    }

    /// The direct normal dependencies of `package`.
    fn direct(&self, package: &str) -> &BTreeSet<String> {
        self.deps.get(package).unwrap_or_else(|| panic!("{package} is not in the workspace"))
    }

    /// Every package `package` depends on, directly or not.
    fn transitive(&self, package: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![package.to_string()];
        while let Some(p) = todo.pop() {
            for d in self.direct(&p) {
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    }
}

/// The target triple this machine builds for, from `rustc -vV`.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc -vV runs");
    let text = String::from_utf8(out.stdout).expect("rustc prints UTF-8");
    text.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc names its host").to_string()
}

/// Fails naming each of `forbidden` found in `found`.
fn refuse(package: &str, how: &str, found: &BTreeSet<String>, forbidden: &[&str]) {
    let bad: Vec<_> = found.iter().filter(|d| forbidden.iter().any(|f| d.as_str() == *f || d.starts_with(&format!("{f}-")))).collect();
    assert!(bad.is_empty(), "{package} must not depend {how} on {bad:?}");
}

#[test]
fn dependencies_point_one_way() {
    let graph = Graph::load();
    refuse("shale-storage", "at all", &graph.transitive("shale-storage"), &["datafusion", "arrow", "pgwire", "shale-pgtypes", "shale-catalog"]);
    refuse("shale-pgtypes", "at all", &graph.transitive("shale-pgtypes"), &["shale-storage", "rocksdb", "librocksdb-sys", "shale-catalog", "pgwire"]);
    refuse("shale-catalog", "at all", &graph.transitive("shale-catalog"), &["pgwire", "shale-server"]);
    refuse("shale-server", "directly", graph.direct("shale-server"), &["shale-storage", "rocksdb", "librocksdb-sys"]);
}

#[test]
fn the_check_sees_real_dependencies() {
    // The check above would pass on an empty graph: the edges it relies on exist.
    let graph = Graph::load();
    assert!(graph.transitive("shale-server").contains("rocksdb"), "the server runs on RocksDB, through the catalog");
    assert!(graph.direct("shale-catalog").contains("shale-storage"));
    assert!(graph.direct("shale-catalog").contains("shale-pgtypes"));
    assert!(graph.transitive("shale-pgtypes").contains("datafusion"));
}
