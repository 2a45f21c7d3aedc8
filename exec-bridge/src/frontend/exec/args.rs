//! The command line of `exec`: the flags the Codex TypeScript SDK passes, and `exec resume`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::engine::policy::SandboxMode;

/// `exec-bridge exec`: run one turn and exit.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Print the events as JSON lines (the `exec` stream) instead of a transcript.
    #[arg(long = "experimental-json", alias = "json")]
    pub json: bool,
    /// The model.
    #[arg(short, long)]
    pub model: Option<String>,
    /// The sandbox for commands the model runs.
    #[arg(short, long, value_enum)]
    pub sandbox: Option<SandboxMode>,
    /// The working directory.
    #[arg(short = 'C', long = "cd")]
    pub cd: Option<PathBuf>,
    /// A further writable directory for this run (repeatable).
    #[arg(long = "add-dir")]
    pub add_dir: Vec<PathBuf>,
    /// Run outside a Git repository.
    #[arg(long)]
    pub skip_git_repo_check: bool,
    /// A JSON Schema file the final answer must follow.
    #[arg(long)]
    pub output_schema: Option<PathBuf>,
    /// An image to attach to the prompt (repeatable).
    #[arg(short, long = "image")]
    pub image: Vec<PathBuf>,
    /// Override a configuration value: key=value, the value read as TOML (repeatable).
    #[arg(short = 'c', long = "config", value_name = "key=value")]
    pub config: Vec<String>,
    /// Low-friction automatic mode: the workspace-write sandbox with on-request approvals.
    #[arg(long)]
    pub full_auto: bool,
    /// Run every command without a sandbox and without asking. Only for disposable
    /// environments.
    #[arg(long = "dangerously-bypass-approvals-and-sandbox", alias = "yolo", conflicts_with = "full_auto")]
    pub bypass: bool,
    /// The configuration profile to apply (`[profiles.<name>]` of config.toml), instead of the
    /// file's `profile`.
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Use a local open-source model provider (see --local-provider).
    #[arg(long)]
    pub oss: bool,
    /// Which local provider --oss uses.
    #[arg(long, value_parser = ["lmstudio", "ollama"])]
    pub local_provider: Option<String>,
    /// Colour the transcript: always, never, or auto (on a terminal).
    #[arg(long, default_value = "auto", value_parser = ["always", "never", "auto"])]
    pub color: String,
    /// The prompt; `-` or nothing reads it from standard input.
    pub prompt: Option<String>,
    /// Continue an earlier session.
    #[command(subcommand)]
    pub command: Option<ExecCommand>,
}

/// Subcommands of `exec`.
#[derive(Debug, Subcommand)]
pub enum ExecCommand {
    /// Continue a recorded session with a new prompt.
    Resume(ResumeArgs),
}

/// `exec resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    /// The session id (with --last, this is the prompt).
    pub session_id: Option<String>,
    /// The prompt; `-` or nothing reads it from standard input.
    pub prompt: Option<String>,
    /// Continue the newest session.
    #[arg(long)]
    pub last: bool,
}

/// The command line of `exec` alone (`exec-bridge exec ARGS`, without the program and
/// subcommand names), for an embedder that runs `exec` in its own process.
#[derive(Debug, clap::Parser)]
#[command(name = "exec-bridge exec", no_binary_name = true)]
struct ExecLine {
    #[command(flatten)]
    args: ExecArgs,
}

/// Reads `exec`'s arguments as the binary does (`exec-bridge exec ARGS`). The error is clap's
/// own message, with usage. The command line's definition is built once per process (building
/// it costs more than reading a line with it).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<ExecArgs, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    static COMMAND: std::sync::OnceLock<std::sync::Mutex<clap::Command>> = std::sync::OnceLock::new();
    let command = COMMAND.get_or_init(|| {
        let mut command = ExecLine::command();
        command.build();
        std::sync::Mutex::new(command)
    });
    // A panic while parsing leaves the definition as it was: reading it again is sound.
    let mut command = command.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let matches = command.try_get_matches_from_mut(args)?;
    ExecLine::from_arg_matches(&matches).map(|line| line.args).map_err(|e| e.format(&mut command))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &[&str]) -> Vec<String> {
        line.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_one_definition_reads_line_after_line() {
        let first = parse_args(args(&["--experimental-json", "--cd", "/w", "hi"])).unwrap();
        assert!(first.json);
        assert_eq!(first.cd.as_deref(), Some(std::path::Path::new("/w")));
        let error = parse_args(args(&["--no-such-flag"])).unwrap_err().render().to_string();
        assert!(error.contains("--no-such-flag") && error.contains("Usage:"), "{error}");
        // Nothing of an earlier line stays behind.
        let second = parse_args(args(&["--skip-git-repo-check", "resume", "--last"])).unwrap();
        assert!(!second.json && second.cd.is_none() && second.skip_git_repo_check);
        assert!(matches!(second.command, Some(ExecCommand::Resume(ResumeArgs { last: true, .. }))));
    }
}
