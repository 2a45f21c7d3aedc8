//! Runs every scenario of `conformance/scenarios/` through the real binary, in each of its
//! modes; validates every message against the generated schema; pins each normalised transcript
//! as a snapshot (`tests/snapshots/<scenario>.snap`); and checks that the transcripts cover every
//! kind the schema defines. Prints the counts, then `N passed, M failed`.
//!
//! A custom harness (no libtest) so that the counts are printed on success too.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::collections::BTreeSet;
use std::path::Path;

use conformance::{coverage, scenario};

mod common;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bundle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("../schema/agentwire.schemas.json")).unwrap(),
    )
    .unwrap();
    let files = scenario::all(&root.join("scenarios"));
    let mut seen = BTreeSet::new();
    let (mut passed, mut failed) = (0, 0);
    let mut snapshots = 0;
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let outcome = std::panic::catch_unwind(|| {
            let scenario = scenario::load(file).unwrap_or_else(|e| panic!("{e}"));
            let (transcript, paths) = scenario::run(&scenario);
            let text = format!("{}\n\n{}", scenario.description, scenario::render(&transcript, &paths));
            common::pinned().bind(|| insta::assert_snapshot!(name.clone(), text));
            transcript
        });
        match outcome {
            Ok(transcript) => {
                passed += 1;
                snapshots += 1;
                for line in transcript.exec.iter().flatten() {
                    coverage::seen_in_exec(line, &mut seen);
                }
                for (from_server, message) in &transcript.app_server {
                    coverage::seen_in_app_server(*from_server, message, &mut seen);
                }
                println!("scenario {name} ... ok");
            }
            Err(_) => {
                failed += 1;
                println!("scenario {name} ... FAILED");
            }
        }
    }

    let expected = coverage::expected(&bundle);
    let excused: BTreeSet<String> = coverage::NOT_PRODUCED.iter().map(|(kind, _)| kind.to_string()).collect();
    let uncovered: Vec<&String> =
        expected.iter().filter(|k| !seen.contains(*k) && !excused.contains(*k)).collect();
    let covered = expected.iter().filter(|k| seen.contains(*k)).count();
    if failed == 0 {
        // Coverage is only meaningful once every scenario ran.
        if uncovered.is_empty() {
            passed += 1;
            println!("coverage ... ok");
        } else {
            failed += 1;
            println!("coverage ... FAILED: no scenario shows:");
            for kind in &uncovered {
                println!("  {kind}");
            }
            println!("add a scenario under conformance/scenarios/ that produces each");
        }
    }
    for (kind, why) in coverage::NOT_PRODUCED {
        println!("not produced by this runtime: {kind} ({why})");
    }
    println!(
        "conformance: {} scenarios, {snapshots} snapshots, {covered} of {} schema kinds covered ({} not produced)",
        files.len(),
        expected.len(),
        excused.len()
    );
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
