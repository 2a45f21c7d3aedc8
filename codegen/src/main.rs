//! `cargo run -p codegen [-- --check]`: writes (or checks) the generated JSON Schema and
//! TypeScript. `cargo run -p codegen -- reference-shapes SCHEMA_BUNDLE`: prints the shape list of
//! a reference schema bundle, for `codegen/tests/reference/`. `cargo run -p codegen -- diff OLD NEW
//! [--json]`: classifies the changes between two schemas (see `codegen::diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: codegen [--check] [--root DIR]
       codegen reference-shapes BUNDLE.json
       codegen diff OLD NEW [--json]

  (no flag)   write schema/ and sdk-ts/src/generated/ from the Rust types in protocol/
  --check     write nothing; list every stale, missing or extra file and exit 1 if any
  --root DIR  the repository root (default: the workspace this binary was built from)
  reference-shapes BUNDLE.json
              print the property shapes of a schema bundle (see codegen/tests/reference/)
  diff OLD NEW [--json]
              classify every change from schema OLD to NEW as breaking, additive or docs, per
              direction; exit 1 if any is breaking (`codegen diff --help` for the rules)";

const DIFF_USAGE: &str = "\
usage: codegen diff OLD NEW [--json]

  OLD, NEW  a schema folder (agentwire's schema/, or the --out DIR of
            `codex app-server generate-json-schema`) or a schema bundle file
  --json    print a JSON array of {kind, direction, path, change, detail} instead of the
            table (the counts go to stderr)
";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("codegen: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let mut check = false;
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--root" => root = args.next().context("--root needs a directory")?.into(),
            "diff" => return diff(args.collect()),
            "reference-shapes" => {
                let bundle = args.next().context("reference-shapes needs a schema bundle file")?;
                let text =
                    std::fs::read_to_string(&bundle).with_context(|| format!("cannot read {bundle}"))?;
                let value = serde_json::from_str(&text).with_context(|| format!("{bundle} is not JSON"))?;
                print!("{}", codegen::shapes::render(&codegen::shapes::extract(&value)));
                return Ok(ExitCode::SUCCESS);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let root = root.canonicalize().with_context(|| format!("no repository at {}", root.display()))?;
    let files = codegen::generate()?;
    if check {
        let drifts = codegen::check(&root, &files)
            .with_context(|| format!("cannot compare with {}", root.display()))?;
        if drifts.is_empty() {
            println!("codegen --check: {} generated files are up to date", files.len());
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("codegen --check: {} files differ from the Rust types:", drifts.len());
        for drift in &drifts {
            eprintln!("  {drift}");
        }
        eprintln!("run `cargo run -p codegen` and commit the result");
        return Ok(ExitCode::FAILURE);
    }
    let changed =
        codegen::write(&root, &files).with_context(|| format!("cannot write into {}", root.display()))?;
    for drift in &changed {
        println!("  {drift}");
    }
    println!("codegen: {} files generated, {} changed", files.len(), changed.len());
    Ok(ExitCode::SUCCESS)
}

/// `codegen diff OLD NEW [--json]`: 0 without breaking changes, 1 with any, 2 (through
/// `main`) for bad usage or an unreadable schema.
fn diff(args: Vec<String>) -> Result<ExitCode> {
    let mut json = false;
    let mut paths = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--json" => json = true,
            "-h" | "--help" => {
                println!("{DIFF_USAGE}\n{}", codegen::diff::RULES);
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with('-') => bail!("diff: unknown flag `{flag}`\n\n{DIFF_USAGE}"),
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    let [old, new] = paths.as_slice() else {
        bail!("diff needs two schemas, OLD and NEW (got {})\n\n{DIFF_USAGE}", paths.len());
    };
    let report = codegen::diff::diff_paths(old, new)?;
    if json {
        let text = serde_json::to_string_pretty(&codegen::diff::render::json(&report))?;
        println!("{text}");
        eprintln!("{}", report.summary());
    } else {
        print!("{}", codegen::diff::render::table(&report));
    }
    Ok(if report.is_breaking() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
