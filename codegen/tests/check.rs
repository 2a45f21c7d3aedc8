//! `codegen --check`: passes on the repository as committed, and fails, naming each file, when
//! the generated files and the Rust types disagree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::{Drift, DriftKind};
use common::copy_dir;

mod common;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

#[test]
fn the_committed_files_are_up_to_date() {
    let files = codegen::generate().unwrap();
    let drifts = codegen::check(&repo_root(), &files).unwrap();
    assert!(
        drifts.is_empty(),
        "generated files differ from the Rust types; run `cargo run -p codegen`:\n{}",
        drifts.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn check_names_stale_missing_and_extra_files_and_write_repairs_them() {
    let dir = tempfile::tempdir().unwrap();
    let files = codegen::generate().unwrap();
    assert!(!codegen::write(dir.path(), &files).unwrap().is_empty());
    assert_eq!(codegen::check(dir.path(), &files).unwrap(), vec![]);

    let stale = PathBuf::from("sdk-ts/src/generated/v2/Thread.ts");
    let missing = PathBuf::from("schema/exec/Usage.json");
    let extra = PathBuf::from("schema/v2/Leftover.json");
    fs::write(dir.path().join(&stale), "// edited by hand\n").unwrap();
    fs::remove_file(dir.path().join(&missing)).unwrap();
    fs::write(dir.path().join(&extra), "{}\n").unwrap();

    let mut expected = vec![
        Drift { kind: DriftKind::Stale, path: stale },
        Drift { kind: DriftKind::Missing, path: missing },
        Drift { kind: DriftKind::Extra, path: extra.clone() },
    ];
    expected.sort();
    assert_eq!(codegen::check(dir.path(), &files).unwrap(), expected);

    codegen::write(dir.path(), &files).unwrap();
    assert_eq!(codegen::check(dir.path(), &files).unwrap(), vec![]);
    assert!(!dir.path().join(extra).exists(), "write removes files generation no longer makes");
}

/// Copies the workspace, adds a field to one protocol type without regenerating, and runs the
/// real `cargo run -p codegen -- --check` there: it must fail and name the two files of that
/// type. Regenerating then makes it pass.
#[test]
fn a_type_changed_without_regenerating_fails_the_check() {
    let root = repo_root();
    let copy = tempfile::tempdir().unwrap();
    for file in ["Cargo.toml", "Cargo.lock"] {
        fs::copy(root.join(file), copy.path().join(file)).unwrap();
    }
    for member in workspace_members(&root) {
        let member = member.as_str();
        fs::create_dir_all(copy.path().join(member)).unwrap();
        fs::copy(root.join(member).join("Cargo.toml"), copy.path().join(member).join("Cargo.toml")).unwrap();
        // Sources, tests and build scripts too: a manifest may declare targets that must exist.
        if root.join(member).join("build.rs").is_file() {
            fs::copy(root.join(member).join("build.rs"), copy.path().join(member).join("build.rs")).unwrap();
        }
        for dir in ["src", "tests"] {
            if root.join(member).join(dir).is_dir() {
                copy_dir(&root.join(member).join(dir), &copy.path().join(member).join(dir));
            }
        }
    }
    copy_dir(&root.join("schema"), &copy.path().join("schema"));
    copy_dir(&root.join("sdk-ts/src/generated"), &copy.path().join("sdk-ts/src/generated"));

    let source = copy.path().join("protocol/src/v2/notifications.rs");
    let text = fs::read_to_string(&source).unwrap();
    let anchor = "pub struct AgentMessageDeltaNotification {\n";
    assert!(text.contains(anchor), "the test's anchor moved; update it");
    let changed = text
        .replace(anchor, &format!("{anchor}    /// Added by the drift test.\n    pub drift_probe: bool,\n"));
    fs::write(&source, changed).unwrap();

    let run = |args: &[&str]| {
        Command::new(env!("CARGO"))
            .args(["run", "--quiet", "--offline", "--locked", "-p", "codegen", "--"])
            .args(args)
            .current_dir(copy.path())
            // A target folder of its own: the outer `cargo test` holds the lock on the usual one.
            .env("CARGO_TARGET_DIR", root.join("target/drift-check"))
            .output()
            .expect("cargo runs")
    };
    let output = run(&["--check"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "--check must fail:\n{stderr}");
    for file in [
        "stale  schema/v2/AgentMessageDeltaNotification.json",
        "stale  sdk-ts/src/generated/v2/AgentMessageDeltaNotification.ts",
        "stale  schema/agentwire.schemas.json",
    ] {
        assert!(stderr.contains(file), "--check output lacks `{file}`:\n{stderr}");
    }
    assert!(stderr.contains("run `cargo run -p codegen`"), "it says how to fix it:\n{stderr}");

    let output = run(&[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let ts = fs::read_to_string(copy.path().join("sdk-ts/src/generated/v2/AgentMessageDeltaNotification.ts"))
        .unwrap();
    assert!(ts.contains("driftProbe: boolean"), "regenerated TypeScript has the new field:\n{ts}");
    let output = run(&["--check"]);
    assert!(
        output.status.success(),
        "after regenerating, --check passes: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The `[workspace] members` of the root manifest.
fn workspace_members(root: &Path) -> Vec<String> {
    let manifest: toml::Table = fs::read_to_string(root.join("Cargo.toml")).unwrap().parse().unwrap();
    manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member.as_str().unwrap().to_owned())
        .collect()
}
