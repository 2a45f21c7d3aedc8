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
