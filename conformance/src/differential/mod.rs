//! The differential mode: the conformance scenarios run against any binary that speaks the
//! protocol (`exec --experimental-json --skip-git-repo-check …` and `app-server`), the reference
//! Codex CLI included, and every difference from the pinned snapshots is listed, less those the
//! checked-in list says are deliberate (`conformance/deliberate_differences.toml`, see
//! [`deliberate`]).
//!
//! Each scenario runs as in the suite (the same scripted model, scratch `CODEX_HOME` and working
//! directory, the same client), through [`Runner`] with the other binary and `keep_going`: a
//! failure (a message outside the schema, a request that failed, a wait that timed out) becomes
//! a `!!` line of the transcript rather than the end of the run. The transcript is rendered
//! with the suite's normaliser; then both it and the pinned snapshot are put in a comparable
//! form ([`comparable::comparable_lines`]: object keys sorted, user message ids hidden, thread and
//! turn ids numbered again, token counts, whose place varies with timing, moved to the end of
//! their section) and diffed. The entries of the list account for the lines of each hunk; a
//! hunk with a line no entry accounts for is not deliberate. Scenarios the list marks
//! agentwire-only are not run and are listed with their reason. [`Report`] says what was
//! found, and its exit code is non-zero when a difference is not deliberate or an entry of the
//! list accounted for nothing (stale).
//!
//! The binary target `differential` is the command line (`--binary PATH`, else the
//! `AGENTWIRE_CONFORMANCE_BINARY` variable); `scripts/differential.sh` installs the reference
//! and runs it.

pub mod comparable;
pub mod deliberate;
pub mod hunks;
pub mod report;

use std::path::{Path, PathBuf};

use comparable::comparable_lines;
pub use deliberate::Deliberate;
use hunks::snapshot_body;
pub use report::{Outcome, Report, ScenarioResult};

use crate::scenario::{self, Runner};

/// The environment variable naming the binary under test when `--binary` does not.
pub const BINARY_VARIABLE: &str = "AGENTWIRE_CONFORMANCE_BINARY";

/// The conformance crate's folder: `scenarios/`, `tests/snapshots/` and the list of deliberate
/// differences.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The checked-in list of deliberate differences.
pub fn deliberate_list() -> PathBuf {
    root().join("deliberate_differences.toml")
}

/// What a differential run compares.
#[derive(Debug)]
pub struct Options {
    /// The binary under test.
    pub binary: PathBuf,
    /// The deliberate differences (and agentwire-only scenarios).
    pub deliberate: Deliberate,
    /// The scenarios to run, by name; empty: every scenario.
    pub only: Vec<String>,
    /// A folder to write each scenario's transcript into (`<scenario>.txt`, as rendered).
    pub save: Option<PathBuf>,
}

/// Runs the scenarios against `options.binary` and compares each with its snapshot; `progress`
/// sees each scenario's result as it comes.
///
/// # Errors
///
/// When a scenario asked for or named by the list does not exist, or a scenario file or
/// snapshot cannot be read.
pub fn run(options: &Options, mut progress: impl FnMut(&ScenarioResult)) -> Result<Report, String> {
    let files = scenario::all(&root().join("scenarios"));
    let names: Vec<String> =
        files.iter().filter_map(|f| f.file_stem()).map(|s| s.to_string_lossy().into_owned()).collect();
    let known = |name: &String| name == "*" || names.contains(name);
    let listed = options.deliberate.agentwire_only.iter().map(|a| &a.scenario);
    let listed = listed.chain(options.deliberate.differences.iter().flat_map(|d| &d.scenarios));
    if let Some(unknown) = options.only.iter().chain(listed).find(|name| !known(name)) {
        return Err(format!("no scenario is named {unknown} (scenarios: {})", names.join(", ")));
    }
    let mut results = Vec::new();
    for (file, name) in files.iter().zip(&names) {
        if !options.only.is_empty() && !options.only.contains(name) {
            continue;
        }
        let result = match options.deliberate.agentwire_only(name) {
            Some(reason) => {
                ScenarioResult { name: name.clone(), outcome: Outcome::AgentwireOnly(reason.to_owned()) }
            }
            None => {
                let text = transcript_of(&options.binary, file)?;
                if let Some(folder) = &options.save {
                    let path = folder.join(format!("{name}.txt"));
                    std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
                }
                compare(name, &pinned(name)?, &text, &options.deliberate)
            }
        };
        progress(&result);
        results.push(result);
    }
    Ok(Report::new(results, &options.deliberate))
}

/// The pinned transcript of scenario `name` (its snapshot's body).
fn pinned(name: &str) -> Result<String, String> {
    let path = root().join("tests/snapshots").join(format!("{name}.snap"));
    let file = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    snapshot_body(&file)
        .map(str::to_owned)
        .ok_or_else(|| format!("{} is not an insta snapshot", path.display()))
}

/// The scenario of `file` run through `binary`, rendered as the suite renders it (description,
/// blank line, transcript).
fn transcript_of(binary: &Path, file: &Path) -> Result<String, String> {
    let scenario = scenario::load(file)?;
    let runner = Runner { binary: Some(binary.to_owned()), keep_going: true };
    // What the runner does not catch (a scratch folder that cannot be made, …) is a failure too.
    let outcome = std::panic::catch_unwind(|| runner.run(&scenario));
    let text = match outcome {
        Ok((transcript, paths)) => scenario::render(&transcript, &paths),
        Err(_) => "!! the scenario could not run (see the panic above)\n".to_owned(),
    };
    Ok(format!("{}\n\n{text}", scenario.description))
}

/// Compares the other binary's rendered transcript `text` of scenario `name` with the `pinned`
/// one; each difference found is matched against `deliberate`.
pub fn compare(name: &str, pinned: &str, text: &str, deliberate: &Deliberate) -> ScenarioResult {
    let differences = hunks::hunks(&comparable_lines(pinned), &comparable_lines(text))
        .into_iter()
        .map(|hunk| {
            let accounting = deliberate.account(name, &hunk);
            (hunk, accounting)
        })
        .collect();
    ScenarioResult { name: name.to_owned(), outcome: Outcome::Compared(differences) }
}
