//! `exec-bridge generate-json-schema --out DIR` and `generate-ts --out DIR`, and the reference's
//! spelling `app-server generate-…`: the real binary writes exactly the committed `schema/` and
//! `sdk-ts/src/generated/` (every file, byte for byte, none missing, none extra), creates the
//! folder, hands the files to Prettier when asked, and fails clearly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir)
}

fn run(args: &[&str]) -> Output {
    Command::new(test_support::binary()).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, found: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                found.insert(path.strip_prefix(root).unwrap().to_path_buf(), fs::read(&path).unwrap());
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(dir, dir, &mut found);
    found
}

/// Asserts that `written` holds exactly the files of `committed`.
fn assert_same_tree(written: &Path, committed: &Path) {
    let written_files = tree(written);
    let committed_files = tree(committed);
    let written_names: BTreeSet<_> = written_files.keys().collect();
    let committed_names: BTreeSet<_> = committed_files.keys().collect();
    let missing: Vec<_> = committed_names.difference(&written_names).collect();
    let extra: Vec<_> = written_names.difference(&committed_names).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} against {}: missing {missing:?}, extra {extra:?}",
        written.display(),
        committed.display()
    );
    for (path, bytes) in &committed_files {
        assert!(written_files[path] == *bytes, "{} differs from {}", path.display(), committed.display());
    }
    assert!(committed_files.len() > 100, "{} looks truncated", committed.display());
}

/// Runs one spelling of a command into a new folder below a scratch one and checks what it wrote
/// and said.
fn generates(args: &[&str], committed: &str, what: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("new/folder");
    let out_arg = out.to_str().unwrap();
    let output = run(&[args, &["--out", out_arg]].concat());
    assert!(output.status.success(), "{args:?}: {}", text(&output.stderr));
    assert_same_tree(&out, &repo(committed));
    let count = tree(&out).len();
    assert_eq!(text(&output.stdout), format!("wrote {count} {what} files to {out_arg}\n"));
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn generate_json_schema_writes_the_committed_schema_folder() {
    generates(&["generate-json-schema"], "schema", "JSON Schema");
}

#[test]
fn generate_ts_writes_the_committed_generated_typescript() {
    generates(&["generate-ts"], "sdk-ts/src/generated", "TypeScript");
}

#[test]
fn the_reference_spelling_under_app_server_writes_the_same() {
    generates(&["app-server", "generate-json-schema"], "schema", "JSON Schema");
    generates(&["app-server", "generate-ts"], "sdk-ts/src/generated", "TypeScript");
}

#[test]
fn an_existing_folder_is_written_into_and_its_other_files_kept() {
    let out = tempfile::tempdir().unwrap();
    fs::write(out.path().join("notes.txt"), "mine").unwrap();
    fs::write(out.path().join("agentwire.schemas.json"), "stale").unwrap();
    let output = run(&["generate-json-schema", "-o", out.path().to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(fs::read_to_string(out.path().join("notes.txt")).unwrap(), "mine");
    fs::remove_file(out.path().join("notes.txt")).unwrap();
    assert_same_tree(out.path(), &repo("schema"));
}

#[test]
fn prettier_is_run_on_every_written_file() {
    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("prettier.log");
    let prettier = scratch.path().join("prettier");
    fs::write(&prettier, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n", log.display())).unwrap();
    fs::set_permissions(&prettier, fs::Permissions::from_mode(0o755)).unwrap();
    let out = scratch.path().join("ts");
    let output =
        run(&["generate-ts", "--out", out.to_str().unwrap(), "--prettier", prettier.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).ends_with(&format!(" (formatted with {})\n", prettier.display())));
    let logged = fs::read_to_string(&log).unwrap();
    let args: Vec<&str> = logged.lines().collect();
    assert_eq!(args[..3], ["--write", "--log-level", "warn"]);
    let formatted: BTreeSet<PathBuf> = args[3..].iter().map(PathBuf::from).collect();
    let written: BTreeSet<PathBuf> = tree(&out).into_keys().map(|path| out.join(path)).collect();
    assert_eq!(formatted, written);

    // A Prettier that fails, or is not there, fails the command.
    for bad in ["/bin/false", "/nonexistent/prettier"] {
        let output = run(&["generate-ts", "--out", out.to_str().unwrap(), "--prettier", bad]);
        assert_eq!(output.status.code(), Some(1), "--prettier {bad}");
        assert!(text(&output.stderr).contains(bad), "{}", text(&output.stderr));
    }
}

#[test]
fn an_output_that_is_a_file_is_an_error_and_bad_usage_exits_2() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("file");
    fs::write(&file, "untouched").unwrap();
    for out in [file.clone(), file.join("below")] {
        for command in [&["generate-ts"][..], &["app-server", "generate-json-schema"]] {
            let output = run(&[command, &["--out", out.to_str().unwrap()]].concat());
            assert_eq!(output.status.code(), Some(1), "{command:?} --out {}", out.display());
            assert_eq!(
                text(&output.stderr),
                format!("exec-bridge: {} exists and is not a directory\n", file.display())
            );
            assert_eq!(text(&output.stdout), "");
        }
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "untouched");

    for args in [&["generate-ts"][..], &["app-server", "generate-json-schema"], &["generate-ts", "--out"]] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).contains("--out <DIR>"), "{args:?}: {}", text(&output.stderr));
    }
    let output = run(&["generate-json-schema", "--out", scratch.path().to_str().unwrap(), "--prettier", "x"]);
    assert_eq!(output.status.code(), Some(2), "generate-json-schema has no --prettier");
}
