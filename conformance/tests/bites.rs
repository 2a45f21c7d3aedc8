//! Proof that the suite bites: rename one field of one item in a pinned transcript, and both the
//! schema validation and the snapshot comparison fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::path::Path;

use conformance::SchemaSet;
use serde_json::Value;

mod common;

/// Whether `text` matches the pinned transcript `name` (insta's comparison, writing nothing).
fn matches_pinned(name: &str, text: &str) -> bool {
    std::panic::catch_unwind(|| common::pinned().bind(|| insta::assert_snapshot!(name, text))).is_ok()
}

/// The pinned transcript of `failing_command`, without insta's header.
fn pinned() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/failing_command.snap");
    let text = std::fs::read_to_string(path).unwrap();
    // The header is `---`, metadata, `---`.
    text.splitn(3, "---\n").nth(2).expect("an insta snapshot").to_owned()
}

#[test]
fn renaming_a_field_fails_the_schema_and_the_snapshot() {
    let body = pinned();
    let line = body
        .lines()
        .find(|l| l.contains("\"item.completed\"") && l.contains("\"command_execution\""))
        .expect("the transcript has a completed command")
        .to_owned();
    let mut event: Value = serde_json::from_str(&line).unwrap();
    let item = event["item"].as_object_mut().unwrap();
    let output = item.remove("aggregated_output").unwrap();
    item.insert("aggregatedOutput".into(), output);

    // The schema rejects it, naming what is wrong and where.
    let error =
        SchemaSet::of_this_repository().validate("exec", "ThreadEvent", &event).unwrap_err().to_string();
    assert!(error.contains("aggregated_output"), "{error}");
    assert!(error.contains("schema path"), "{error}");
    // The untouched line passes.
    let original: Value = serde_json::from_str(&line).unwrap();
    SchemaSet::of_this_repository().validate("exec", "ThreadEvent", &original).unwrap();

    // The snapshot no longer matches.
    let mutated = body.replace(&line, &event.to_string());
    assert_ne!(mutated, body);
    std::env::set_var("INSTA_UPDATE", "no");
    assert!(
        !matches_pinned("failing_command", mutated.trim_end()),
        "the snapshot comparison must fail on the renamed field"
    );
    // And the pinned content itself still matches (so the failure above is the rename's).
    assert!(matches_pinned("failing_command", body.trim_end()), "the pinned transcript matches its snapshot");
}
