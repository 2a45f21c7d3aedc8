//! `differential`: the conformance scenarios against another binary (the reference Codex CLI, or
//! any that speaks the protocol), every difference from the pinned snapshots listed, less the
//! deliberate ones. See `conformance::differential`.
//!
//! ```text
//! differential [--binary PATH] [--deliberate FILE] [--scenario NAME]… [--save DIR]
//! ```
//!
//! `--binary` defaults to `$AGENTWIRE_CONFORMANCE_BINARY`; `--deliberate` to
//! `conformance/deliberate_differences.toml`; `--scenario` (repeatable) runs only those;
//! `--save` writes each scenario's transcript, as the binary gave it, into `DIR/<scenario>.txt`.
//! Exit code 0 when every difference is deliberate and no entry of the list is stale, 1 when
//! not, 2 for bad usage.

use std::path::PathBuf;
use std::process::ExitCode;

use conformance::differential::{self, Deliberate, Options};

fn main() -> ExitCode {
    match options(std::env::args().skip(1).collect()) {
        Ok(options) => run(&options),
        Err(message) => {
            eprintln!("differential: {message}");
            eprintln!(
                "usage: differential [--binary PATH] [--deliberate FILE] [--scenario NAME]... [--save DIR]"
            );
            ExitCode::from(2)
        }
    }
}

fn options(args: Vec<String>) -> Result<Options, String> {
    let mut binary = std::env::var_os(differential::BINARY_VARIABLE).map(PathBuf::from);
    let mut list = differential::deliberate_list();
    let mut only = Vec::new();
    let mut save = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--binary" => binary = Some(PathBuf::from(value()?)),
            "--deliberate" => list = PathBuf::from(value()?),
            "--scenario" => only.push(value()?),
            "--save" => save = Some(PathBuf::from(value()?)),
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    let binary = binary
        .ok_or_else(|| format!("no binary: pass --binary PATH or set {}", differential::BINARY_VARIABLE))?;
    if !binary.is_file() {
        return Err(format!("{} is not a file", binary.display()));
    }
    let text = std::fs::read_to_string(&list).map_err(|e| format!("{}: {e}", list.display()))?;
    let deliberate = Deliberate::parse(&text).map_err(|e| format!("{}: {e}", list.display()))?;
    if let Some(folder) = &save {
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    }
    Ok(Options { binary, deliberate, only, save })
}

fn run(options: &Options) -> ExitCode {
    println!("differential: {} against the pinned transcripts", options.binary.display());
    // A failure inside a scenario is reported as its `!!` line; the default hook's message and
    // backtrace on the main thread would only repeat it.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() != Some("main") {
            default_hook(info);
        }
    }));
    let report = differential::run(options, |result| print!("{}", result.render()));
    match report {
        Ok(report) => {
            // Each scenario's part is out already.
            print!("{}", report.render_tail());
            ExitCode::from(u8::try_from(report.exit_code()).unwrap_or(1))
        }
        Err(message) => {
            eprintln!("differential: {message}");
            ExitCode::from(2)
        }
    }
}
