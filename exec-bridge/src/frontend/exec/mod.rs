//! The `exec` command: one turn, non-interactively, as a JSONL stream or a readable transcript.
//! A thin consumer of the engine: it starts (or resumes) a thread, submits one turn, declines
//! every approval request (nobody is there to answer), and writes each event through one
//! [`Output`], the JSONL stream or the transcript.

mod args;
pub mod human;
pub mod jsonl;

use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};

pub use args::{ExecArgs, ExecCommand, ResumeArgs};

use crate::engine::config::{self, CliSettings, Config};
use crate::engine::policy::{ApprovalPolicy, SandboxMode};
use crate::engine::{
    self, session, Decision, Event, Op, ThreadSettings, ThreadSnapshot, ThreadSpec, TurnError, TurnInput,
    TurnOutcome, UserTurn,
};

/// The default `originator` header of `exec`.
pub const ORIGINATOR: &str = "codex_exec";

/// Where `exec` writes what happens: the JSONL stream, or the transcript.
pub trait Output {
    /// Before the turn: the thread and what is in force.
    fn begin(&mut self, thread: &ThreadSnapshot, config: &Config);
    /// One event of the turn (approval requests and the turn's end are handled by `exec`).
    fn event(&mut self, event: &Event);
    /// The turn's end.
    fn end(&mut self, result: &Result<TurnOutcome, TurnError>);
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
    let spec = ThreadSpec { config: config.clone(), settings, originator: config::originator(ORIGINATOR) };
    let (thread, mut events) = match resume {
        None => engine::start_thread(spec)?,
        Some(resume) => {
            let path = match resume {
                Resume::Id(id) => session::find_by_id(&config.codex_home, &id)?,
                Resume::Last => session::find_last(&config.codex_home)?,
            };
            engine::resume_thread(spec, &path)?
        }
    };

    let mut out: Box<dyn Output> = if args.json {
        Box::new(jsonl::JsonlOutput::new(std::io::stdout()))
    } else {
        let color = match args.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::io::stdout().is_terminal(),
        };
        Box::new(human::HumanOutput::new(std::io::stdout(), color))
    };
    out.begin(&thread.snapshot(), &config);
    let input = TurnInput { texts: vec![prompt], images: args.image.clone(), image_urls: vec![] };
    thread.start_turn(UserTurn { input, output_schema, ..UserTurn::default() })?;
    let interrupter = thread.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = interrupter.submit(Op::Interrupt);
        }
    });
    while let Some(event) = events.next().await {
        match event {
            // Nobody is there to answer: whatever needs approval is declined.
            Event::ApprovalRequested(request) => {
                thread.submit(Op::Approve { id: request.id, decision: Decision::Decline })?
            }
            Event::TurnEnded { result, .. } => {
                out.end(&result);
                let _ = thread.submit(Op::Shutdown);
                return Ok(if result.is_ok() { 0 } else { 1 });
            }
            event => out.event(&event),
        }
    }
    bail!("the thread ended before its turn did")
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
