//! `cargo run -p codegen [-- --check]`: writes (or checks) the generated JSON Schema and
//! TypeScript. `cargo run -p codegen -- reference-shapes SCHEMA_BUNDLE`: prints the shape list of
//! a reference schema bundle, for `codegen/tests/reference/`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

const USAGE: &str = "\
usage: codegen [--check] [--root DIR]
       codegen reference-shapes BUNDLE.json

  (no flag)   write schema/ and sdk-ts/src/generated/ from the Rust types in protocol/
  --check     write nothing; list every stale, missing or extra file and exit 1 if any
  --root DIR  the repository root (default: the workspace this binary was built from)
  reference-shapes BUNDLE.json
              print the property shapes of a schema bundle (see codegen/tests/reference/)";

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
