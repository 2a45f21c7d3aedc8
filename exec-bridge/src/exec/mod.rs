//! The `exec` command: one turn, non-interactively, as a JSONL stream or a readable transcript.

pub mod human;
pub mod jsonl;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use protocol::exec as wire;

use crate::approval::NobodyApproves;
use crate::config::{self, CliSettings, Config};
use crate::items::TurnEvent;
use crate::policy::{ApprovalPolicy, SandboxMode};
use crate::session;
use crate::thread::{Thread, ThreadSettings, TurnInput};

/// The default `originator` header of `exec`.
pub const ORIGINATOR: &str = "codex_exec";

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

/// Runs `exec`; returns the process exit code.
pub async fn run(args: ExecArgs) -> Result<i32> {
    let (resume, prompt) = match &args.command {
        None => (None, args.prompt.clone()),
        Some(ExecCommand::Resume(resume)) if resume.last => {
            if resume.prompt.is_some() {
                bail!("with --last, give the prompt once: `exec resume --last PROMPT`");
            }
            (Some(Resume::Last), resume.session_id.clone())
        }
        Some(ExecCommand::Resume(resume)) => match &resume.session_id {
            Some(id) => (Some(Resume::Id(id.clone())), resume.prompt.clone()),
            None => bail!("`exec resume` needs a session id, or --last"),
        },
    };
    let prompt = read_prompt(prompt)?;

    let cwd = match &args.cd {
        Some(dir) => std::fs::canonicalize(dir)
            .with_context(|| format!("--cd {}: no such directory", dir.display()))?,
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !args.skip_git_repo_check && !inside_git_repo(&cwd) {
        bail!(
            "{} is not inside a Git repository; pass --skip-git-repo-check to run here anyway",
            cwd.display()
        );
    }
    for image in &args.image {
        if !image.is_file() {
            bail!("--image {}: no such file", image.display());
        }
    }
    let output_schema = match &args.output_schema {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --output-schema {}", path.display()))?;
            Some(
                serde_json::from_str(&text)
                    .with_context(|| format!("--output-schema {} is not JSON", path.display()))?,
            )
        }
        None => None,
    };

    let mut cli =
        CliSettings { overrides: args.config.clone(), model: args.model.clone(), ..Default::default() };
    cli.sandbox_mode = args.sandbox;
    if args.full_auto {
        cli.sandbox_mode = Some(SandboxMode::WorkspaceWrite);
        cli.approval_policy = Some(ApprovalPolicy::OnRequest);
    }
    if args.bypass {
        cli.sandbox_mode = Some(SandboxMode::DangerFullAccess);
        cli.approval_policy = Some(ApprovalPolicy::Never);
    }
    if args.oss || args.local_provider.is_some() {
        cli.model_provider = Some(args.local_provider.clone().unwrap_or_else(|| "lmstudio".into()));
    }
    let config = Config::load(&config::codex_home(), &cli)?;
    let settings = ThreadSettings {
        cwd: cwd.clone(),
        policy: config.policy(&cwd, &args.add_dir),
        network_access: config.workspace_write.network_access,
    };
    let originator = config::originator(ORIGINATOR);
    let mut thread = match resume {
        None => Thread::start(&config, settings, &originator)?,
        Some(resume) => {
            let path = match resume {
                Resume::Id(id) => session::find_by_id(&config.codex_home, &id)?,
                Resume::Last => session::find_last(&config.codex_home)?,
            };
            Thread::resume(&config, settings, &originator, &path)?
        }
    };

    let input = TurnInput { texts: vec![prompt], images: args.image.clone(), image_urls: vec![] };
    let (cancel_tx, cancel) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = cancel_tx.send(true);
        }
    });

    if args.json {
        let mut out = jsonl::JsonlOutput::new(std::io::stdout().lock());
        out.write(&wire::ThreadEvent::ThreadStarted(wire::ThreadStartedEvent {
            thread_id: thread.id().to_owned(),
        }));
        out.write(&wire::ThreadEvent::TurnStarted(wire::TurnStartedEvent {}));
        let mut sink = |event: TurnEvent| out.turn_event(event);
        let result = thread.run_turn(input, output_schema, &mut sink, &NobodyApproves, cancel).await;
        match result {
            Ok(outcome) => {
                let usage = wire::Usage {
                    input_tokens: outcome.usage.input_tokens,
                    cached_input_tokens: outcome.usage.cached_input_tokens,
                    output_tokens: outcome.usage.output_tokens,
                };
                out.write(&wire::ThreadEvent::TurnCompleted(wire::TurnCompletedEvent { usage }));
                Ok(0)
            }
            Err(error) => {
                let error = wire::ThreadError { message: error.to_string() };
                out.write(&wire::ThreadEvent::TurnFailed(wire::TurnFailedEvent { error }));
                Ok(1)
            }
        }
    } else {
        let color = match args.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::io::stdout().is_terminal(),
        };
        let mut out = human::HumanOutput::new(std::io::stdout().lock(), color);
        out.header(&[
            ("workdir", cwd.display().to_string()),
            ("model", config.model.clone()),
            ("provider", config.provider.id.clone()),
            ("approval", config.approval_policy.as_str().to_owned()),
            ("sandbox", config.sandbox_mode.as_str().to_owned()),
            ("session id", thread.id().to_owned()),
        ]);
        let mut sink = |event: TurnEvent| out.turn_event(event);
        match thread.run_turn(input, output_schema, &mut sink, &NobodyApproves, cancel).await {
            Ok(outcome) => {
                out.finished(&outcome.usage);
                Ok(0)
            }
            Err(error) => {
                out.failed(&error.to_string());
                Ok(1)
            }
        }
    }
}

/// Which session `exec resume` continues.
enum Resume {
    Id(String),
    Last,
}

/// The prompt: as given, or standard input for `-` or none.
fn read_prompt(prompt: Option<String>) -> Result<String> {
    match prompt.as_deref() {
        Some("-") | None => {
            let mut stdin = std::io::stdin();
            if prompt.is_none() && stdin.is_terminal() {
                bail!("no prompt: give one as an argument, or pipe it on standard input");
            }
            let mut text = String::new();
            stdin.read_to_string(&mut text).context("cannot read the prompt from standard input")?;
            let text = text.trim().to_owned();
            if text.is_empty() {
                bail!("the prompt read from standard input is empty");
            }
            Ok(text)
        }
        Some(prompt) => Ok(prompt.to_owned()),
    }
}

/// Whether `dir` is inside a Git work tree (a `.git` in it or above it).
fn inside_git_repo(dir: &Path) -> bool {
    dir.ancestors().any(|d| d.join(".git").exists())
}
