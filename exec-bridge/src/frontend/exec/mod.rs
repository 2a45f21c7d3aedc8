//! The `exec` command: one turn, non-interactively, as a JSONL stream or a readable transcript.
//! A thin consumer of the engine: a [`Run`] starts (or resumes) a thread, submits one turn and
//! declines every approval request (nobody is there to answer); the binary writes each of its
//! steps through one [`Output`], the JSONL stream or the transcript, and an embedder pulls them
//! (the napi binding hands the JSONL stream's lines to JavaScript).

mod args;
pub mod human;
pub mod jsonl;

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub use args::{parse_args, ExecArgs, ExecCommand, ResumeArgs};

use crate::engine::config::{self, CliSettings, Config, Vars};
use crate::engine::local::{self, LocalError};
use crate::engine::policy::{ApprovalPolicy, SandboxMode};
use crate::engine::{
    self, session, Decision, Event, InputPart, Op, ThreadEvents, ThreadHandle, ThreadSettings,
    ThreadSnapshot, ThreadSpec, TurnError, TurnOutcome, UserMessage, UserTurn,
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

/// What an `exec` run gets from where it runs: the environment, the sandbox helper, and the
/// prompt when the arguments give none (standard input, for the binary).
#[derive(Debug, Clone)]
pub struct Host {
    /// The runtime's environment (`CODEX_HOME`, the API key, what commands inherit).
    pub vars: Vars,
    /// The program that runs commands under the sandbox.
    pub sandbox_helper: PathBuf,
    /// The prompt when the arguments give none or `-`; `None` when there is no input at all.
    pub input: Option<String>,
}

/// Runs `exec` as the binary does: prompt from standard input when needed, events to standard
/// output, SIGINT or SIGTERM an interrupt; returns the process exit code.
pub async fn run(args: ExecArgs) -> Result<i32> {
    let needs_stdin = matches!(which_session(&args)?.1.as_deref(), None | Some("-"));
    let host = Host {
        vars: Vars::process(),
        sandbox_helper: std::env::current_exe()
            .context("cannot find this program, to run commands in its sandbox")?,
        input: if needs_stdin { read_stdin()? } else { None },
    };
    let mut run = match Run::start(&args, host).await {
        Ok(run) => run,
        // As the reference: its message alone, and exit code 1.
        Err(error) if exit_code_of(&error) == 1 => {
            eprintln!("{error}");
            return Ok(1);
        }
        Err(error) => return Err(error),
    };
    super::print_warnings("exec-bridge", &run.config);
    if args.local_provider.is_some() && !args.oss {
        eprintln!("exec-bridge: warning: --local-provider has no effect without --oss");
    }
    if let Some(notice) = &run.notice {
        eprintln!("{notice}");
    }
    let mut out = output(&args);
    out.begin(&run.thread.snapshot(), &run.config);
    tokio::spawn(interrupt_on_signals(run.thread.clone()));
    while let Some(step) = run.next().await {
        match step {
            Step::Event(event) => out.event(&event),
            Step::End(result) => {
                out.end(&result);
                return Ok(if result.is_ok() { 0 } else { 1 });
            }
        }
    }
    bail!("the thread ended before its turn did")
}

/// The exit code of a run that could not start: 1 where the reference exits with 1 (a
/// directory that is not trusted, no usable local model server), else 2 (bad usage or
/// configuration).
pub fn exit_code_of(error: &anyhow::Error) -> i32 {
    if error.is::<NotTrusted>() || error.is::<LocalError>() {
        1
    } else {
        2
    }
}

/// One `exec` turn under way: its thread, and its events as `exec` shows them.
pub struct Run {
    /// The thread (for its snapshot, and to interrupt the turn).
    pub thread: ThreadHandle,
    /// The configuration in force.
    pub config: Config,
    /// What to tell the user about the local server `--oss` chose, if anything.
    pub notice: Option<String>,
    events: ThreadEvents,
}

/// What a [`Run`] yields.
#[derive(Debug)]
pub enum Step {
    /// An event to show (approval requests are declined by the run before they are shown).
    Event(Event),
    /// The turn's end; nothing follows.
    End(Result<TurnOutcome, TurnError>),
}

impl Run {
    /// Starts (or resumes) the thread `args` name and submits the turn; with `--oss`, first
    /// chooses the local model server (which asks the servers, within a few seconds).
    pub async fn start(args: &ExecArgs, host: Host) -> Result<Run> {
        let (resume, prompt) = which_session(args)?;
        let prompt = prompt_text(prompt, host.input)?;
        let cwd = working_directory(args)?;
        for image in &args.image {
            if !image.is_file() {
                bail!("--image {}: no such file", image.display());
            }
        }
        let output_schema = read_output_schema(args)?;
        let codex_home = config::codex_home(&host.vars);
        let mut config = Config::load_without_credentials(&codex_home, &cli_settings(args), &host.vars)?;
        // Nothing is read from the credential store for a run that is refused.
        if !args.skip_git_repo_check && !inside_git_repo(&cwd) && !config.is_trusted(&cwd) {
            return Err(NotTrusted.into());
        }
        let notice = local::select(&mut config).await?;
        config.load_credentials()?;
        let settings = ThreadSettings {
            cwd: cwd.clone(),
            policy: config.policy(&cwd, &args.add_dir),
            network_access: config.workspace_write.network_access,
        };
        let spec = ThreadSpec {
            config: config.clone(),
            settings,
            originator: config::originator(ORIGINATOR, &host.vars),
            sandbox_helper: host.sandbox_helper,
        };
        let (thread, events) = match resume {
            None => engine::start_thread(spec)?,
            Some(Resume::Id(id)) => {
                engine::resume_thread(spec, &session::find_by_id(&config.codex_home, &id)?)?
            }
            Some(Resume::Last) => engine::resume_thread(spec, &session::find_last(&config.codex_home)?)?,
        };
        // As Codex's `exec`: the images first, then the prompt.
        let mut input = UserMessage::default();
        input.content.extend(args.image.iter().map(|path| InputPart::LocalImage { path: path.clone() }));
        input.content.push(InputPart::Text { text: prompt });
        thread.start_turn(UserTurn { input, output_schema, ..UserTurn::default() })?;
        Ok(Run { thread, config, notice, events })
    }

    /// The next step of the turn, waiting for it; `None` once the thread has ended. Every
    /// approval request is declined (nobody is there to answer); after the turn's end the
    /// thread is shut down.
    pub async fn next(&mut self) -> Option<Step> {
        let event = self.events.next().await?;
        Some(self.step(event))
    }

    /// The next step if one is ready, without waiting.
    pub fn try_next(&mut self) -> Option<Step> {
        let event = self.events.try_next()?;
        Some(self.step(event))
    }

    fn step(&mut self, event: Event) -> Step {
        match event {
            Event::ApprovalRequested(request) => {
                // A closed thread has no turn left to answer.
                let _ = self.thread.submit(Op::Approve { id: request.id, decision: Decision::Decline });
                Step::Event(Event::ApprovalRequested(request))
            }
            Event::TurnEnded { result, .. } => {
                let _ = self.thread.submit(Op::Shutdown);
                Step::End(result)
            }
            event => Step::Event(event),
        }
    }
}

/// The first SIGINT or SIGTERM interrupts the turn: the running command's process group is
/// killed and the turn ends as `turn.failed` (exit code 1), as the reference does. A second one
/// exits at once, with code 1 (the death signal and the process guard then end the commands).
async fn interrupt_on_signals(thread: ThreadHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    if interrupt.is_none() || terminate.is_none() {
        eprintln!(
            "exec-bridge exec: cannot watch for SIGINT or SIGTERM; such a signal ends this process at once"
        );
    }
    let mut interrupted = false;
    loop {
        tokio::select! {
            () = next_signal(&mut interrupt) => {}
            () = next_signal(&mut terminate) => {}
        }
        if interrupted {
            std::process::exit(1);
        }
        interrupted = true;
        let _ = thread.submit(Op::Interrupt);
    }
}

/// Resolves when `signal` arrives; never when it is not watched.
async fn next_signal(signal: &mut Option<tokio::signal::unix::Signal>) {
    let arrived = match signal {
        Some(signal) => signal.recv().await.is_some(),
        None => false,
    };
    if !arrived {
        std::future::pending::<()>().await;
    }
}

/// A new session, or which one `exec resume` continues; and the prompt as given.
fn which_session(args: &ExecArgs) -> Result<(Option<Resume>, Option<String>)> {
    Ok(match &args.command {
        None => (None, args.prompt.clone()),
        // As Codex: with `--last`, a lone word is the prompt; of two, the first (a session id)
        // is ignored, since `--last` already says which session.
        Some(ExecCommand::Resume(resume)) if resume.last => {
            (Some(Resume::Last), resume.prompt.clone().or_else(|| resume.session_id.clone()))
        }
        Some(ExecCommand::Resume(resume)) => match &resume.session_id {
            Some(id) => (Some(Resume::Id(id.clone())), resume.prompt.clone()),
            None => bail!("`exec resume` needs a session id, or --last"),
        },
    })
}

/// `exec` refuses to run outside a Git repository or a directory marked trusted
/// (`[projects."<path>"] trust_level = "trusted"`) unless `--skip-git-repo-check`: the
/// reference's message, and its exit code, 1.
#[derive(Debug, thiserror::Error)]
#[error("Not inside a trusted directory and --skip-git-repo-check was not specified.")]
pub struct NotTrusted;

/// `--cd` or the current directory.
fn working_directory(args: &ExecArgs) -> Result<std::path::PathBuf> {
    match &args.cd {
        Some(dir) => {
            std::fs::canonicalize(dir).with_context(|| format!("--cd {}: no such directory", dir.display()))
        }
        None => std::env::current_dir().context("cannot read the current directory"),
    }
}

/// The JSON Schema of `--output-schema`, if given.
fn read_output_schema(args: &ExecArgs) -> Result<Option<serde_json::Value>> {
    let Some(path) = &args.output_schema else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read --output-schema {}", path.display()))?;
    let schema = serde_json::from_str(&text)
        .with_context(|| format!("--output-schema {} is not JSON", path.display()))?;
    Ok(Some(schema))
}

/// What the flags set on top of the configuration files.
fn cli_settings(args: &ExecArgs) -> CliSettings {
    let mut cli = CliSettings {
        overrides: args.config.clone(),
        model: args.model.clone(),
        profile: args.profile.clone(),
        headless: true,
        ..Default::default()
    };
    cli.sandbox_mode = args.sandbox;
    if args.full_auto {
        cli.sandbox_mode = Some(SandboxMode::WorkspaceWrite);
        cli.approval_policy = Some(ApprovalPolicy::OnRequest);
    }
    if args.bypass {
        cli.sandbox_mode = Some(SandboxMode::DangerFullAccess);
        cli.approval_policy = Some(ApprovalPolicy::Never);
    }
    cli.oss = args.oss;
    cli.local_provider = args.local_provider.clone();
    cli
}

/// The JSONL stream with `--experimental-json`, else the transcript (coloured as `--color`
/// says).
fn output(args: &ExecArgs) -> Box<dyn Output> {
    if args.json {
        return Box::new(jsonl::JsonlOutput::new(std::io::stdout()));
    }
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => std::io::stdout().is_terminal(),
    };
    Box::new(human::HumanOutput::new(std::io::stdout(), color))
}

/// Which session `exec resume` continues.
enum Resume {
    Id(String),
    Last,
}

/// The prompt: as given, or the input (standard input) for `-` or none.
fn prompt_text(prompt: Option<String>, input: Option<String>) -> Result<String> {
    match prompt.as_deref() {
        Some("-") | None => {
            let Some(text) = input else {
                bail!("no prompt: give one as an argument, or pipe it on standard input");
            };
            let text = text.trim().to_owned();
            if text.is_empty() {
                bail!("the prompt read from standard input is empty");
            }
            Ok(text)
        }
        Some(prompt) => Ok(prompt.to_owned()),
    }
}

/// Standard input, unless it is a terminal (nobody is going to type a prompt there).
fn read_stdin() -> Result<Option<String>> {
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    stdin.read_to_string(&mut text).context("cannot read the prompt from standard input")?;
    Ok(Some(text))
}

/// Whether `dir` is inside a Git work tree (a `.git` in it or above it).
fn inside_git_repo(dir: &Path) -> bool {
    dir.ancestors().any(|d| d.join(".git").exists())
}
