//! Where the `exec-bridge` binary of this workspace is.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The `exec-bridge` binary of this workspace, built at most once per test process.
///
/// From `exec-bridge`'s own integration tests, Cargo has built it already and says where
/// (`CARGO_BIN_EXE_exec-bridge` in the environment of the running test): that path is used as
/// it is. From any other crate (the conformance suite), this runs
/// `cargo build --locked -p exec-bridge --bin exec-bridge` once in the workspace root and takes
/// the executable's path from Cargo's own report, so that `CARGO_TARGET_DIR` (and any other
/// target-directory setting) is honoured.
///
/// # Panics
///
/// When Cargo cannot be run or the build fails: no end-to-end test can run then.
pub fn binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(locate).clone()
}

/// The MCP test server of this workspace (`test-mcp-server/`, built on the official Rust SDK),
/// built at most once per test process with Cargo, as [`binary`] is from other crates.
///
/// # Panics
///
/// When Cargo cannot be run or the build fails.
pub fn mcp_test_server() -> PathBuf {
    static SERVER: OnceLock<PathBuf> = OnceLock::new();
    SERVER.get_or_init(|| build("test-mcp-server", "mcp-test-server")).clone()
}

fn locate() -> PathBuf {
    if let Some(built) = std::env::var_os("CARGO_BIN_EXE_exec-bridge").map(PathBuf::from) {
        if built.is_file() {
            return built;
        }
    }
    build("exec-bridge", "exec-bridge")
}

/// Builds `bin` of `package` with Cargo and returns the executable Cargo reports.
fn build(package: &str, bin: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .args(["build", "--quiet", "--locked", "-p", package, "--bin", bin])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} to build {bin}: {e}", Path::new(&cargo).display()));
    assert!(output.status.success(), "cannot build {bin} ({}); see cargo's output above", output.status);
    let binary = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == bin)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built {bin} but did not report its executable"));
    assert!(binary.is_file(), "cargo reported {} as {bin}, but it is not there", binary.display());
    binary
}

/// The workspace's root folder (where the top `Cargo.toml` is).
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().expect("test-support sits one folder below the workspace root").to_path_buf()
}
