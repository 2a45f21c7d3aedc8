//! The differential mode end to end, through its binary: against this workspace's own
//! `exec-bridge` every scenario is identical to its snapshot; against a binary that changes one
//! answer the difference is listed and the run fails, unless the list of deliberate differences
//! accounts for it; an entry that accounts for nothing fails the run as stale.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use conformance::scenario;

/// Runs the `differential` binary with `args`, the binary under test named by the variable.
fn differential(binary: &Path, args: &[&str]) -> (Option<i32>, String) {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_differential"))
        .args(args)
        .env("AGENTWIRE_CONFORMANCE_BINARY", binary)
        .output()
        .expect("the differential binary runs");
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&stderr));
    (status.code(), stdout)
}

/// A list of deliberate differences in a file of its own.
fn list(folder: &Path, text: &str) -> String {
    let path = folder.join(format!("list-{}.toml", text.len()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn against_this_workspace_binary_every_scenario_is_identical() {
    let folder = tempfile::tempdir().unwrap();
    let none = list(folder.path(), "");
    let (code, stdout) = differential(&test_support::binary(), &["--deliberate", &none]);
    let total = scenario::all(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")).len();
    assert!(
        stdout.ends_with(&format!(
            "differential: {total} of {total} scenarios identical, 0 differences all deliberate\n"
        )),
        "{stdout}"
    );
    assert_eq!(code, Some(0));
}

#[test]
fn a_difference_fails_the_run_unless_it_is_listed_and_a_stale_entry_fails_it_too() {
    let folder = tempfile::tempdir().unwrap();
    // A binary that answers "Howdy" where the scripted model says "Hello".
    let wrapper = folder.path().join("howdy");
    let real = test_support::binary();
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\n'{}' \"$@\" | sed -u 's/Hello there/Howdy there/g'\n", real.display()),
    )
    .unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let only = ["--scenario", "plain_answer"];

    let none = list(folder.path(), "");
    let (code, stdout) = differential(&wrapper, &[&only[..], &["--deliberate", &none]].concat());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("scenario plain_answer ... "), "{stdout}");
    assert!(stdout.contains("NOT deliberate"), "{stdout}");
    assert!(stdout.contains(r#"- {"item":{"id":"item_0","text":"Hello there.","type":"agent_message"},"type":"item.completed"}"#), "{stdout}");
    assert!(stdout.contains(r#"+ {"item":{"id":"item_0","text":"Howdy there.","type":"agent_message"},"type":"item.completed"}"#), "{stdout}");
    assert!(stdout.contains(r#"~ .item.text: "Hello there." → "Howdy there.""#), "{stdout}");

    let entry = r#"
[[difference]]
scenarios = ["plain_answer"]
reason = "the wrapper says howdy"
ours = '[^\n]*Hello there\.[^\n]*(\n[^\n]*Hello there\.[^\n]*)*'
reference = '[^\n]*Howdy there\.[^\n]*(\n[^\n]*Howdy there\.[^\n]*)*'
"#;
    let listed = list(folder.path(), entry);
    let (code, stdout) = differential(&wrapper, &[&only[..], &["--deliberate", &listed]].concat());
    assert!(stdout.contains("× the wrapper says howdy"), "{stdout}");
    assert!(stdout.contains("differences all deliberate"), "{stdout}");
    assert_eq!(code, Some(0), "{stdout}");

    let stale = format!("{entry}\n[[difference]]\nscenarios = [\"plain_answer\"]\nreason = \"never happens\"\nours = 'nothing like this'\n");
    let with_stale = list(folder.path(), &stale);
    let (code, stdout) = differential(&wrapper, &[&only[..], &["--deliberate", &with_stale]].concat());
    assert!(stdout.contains("stale entry 1 of the list (matched no difference): never happens"), "{stdout}");
    assert_eq!(code, Some(1), "{stdout}");
}

#[test]
fn bad_usage_exits_2() {
    let (code, _) = differential(Path::new("/nonexistent/binary"), &[]);
    assert_eq!(code, Some(2));
    let (code, _) = differential(&test_support::binary(), &["--scenario", "no_such_scenario"]);
    assert_eq!(code, Some(2));
}
