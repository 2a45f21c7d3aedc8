//! `exec-bridge sandbox`: restricts this process to a sandbox, then becomes the command.
//!
//! The shell tool runs every sandboxed command through it (with `--spec`, the exact
//! restrictions); by hand it takes the policy flags of `exec`, so that a user can see what a
//! command may do under a policy: `exec-bridge sandbox --full-auto -- touch /etc/x`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use clap::Args;

use crate::engine::config::{self, CliSettings, Config};
use crate::engine::policy::{ApprovalPolicy, SandboxMode};
use crate::sandbox::{self, Platform, SandboxSpec, Support};

/// `exec-bridge sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// The exact restrictions, as JSON (what the shell tool passes).
    #[arg(long, hide = true, conflicts_with_all = ["full_auto", "sandbox", "config", "add_dir"])]
    pub spec: Option<String>,
    /// The workspace-write sandbox (as `exec --full-auto`).
    #[arg(long)]
    pub full_auto: bool,
    /// The sandbox mode.
    #[arg(short, long, value_enum)]
    pub sandbox: Option<SandboxMode>,
    /// Override a configuration value: key=value (repeatable).
    #[arg(short = 'c', long = "config", value_name = "key=value")]
    pub config: Vec<String>,
    /// A further writable directory (repeatable).
    #[arg(long = "add-dir")]
    pub add_dir: Vec<PathBuf>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// Why the command could not be started.
#[derive(Debug, thiserror::Error)]
pub enum SandboxCliError {
    /// The arguments or the configuration are wrong.
    #[error("{0}")]
    Usage(String),
    /// The kernel cannot enforce the sandbox; nothing was run.
    #[error("cannot enforce the sandbox here, so the command was not run: this kernel lacks {0}")]
    Unsupported(&'static str),
    /// Setting up the sandbox failed; nothing was run.
    #[error("cannot set up the sandbox, so the command was not run: {0}")]
    Setup(#[from] sandbox::SandboxError),
    /// The command could not be started.
    #[error("cannot run `{program}`: {source}")]
    Exec {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
}

impl SandboxCliError {
    /// 127 when the program cannot be started (as shells do), 2 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            SandboxCliError::Exec { .. } => 127,
            _ => 2,
        }
    }
}

/// Restricts this process and replaces it with the command; returns only on failure.
pub fn run(args: SandboxArgs) -> Result<std::convert::Infallible, SandboxCliError> {
    let spec = match &args.spec {
        Some(json) => Some(
            serde_json::from_str::<SandboxSpec>(json)
                .map_err(|e| SandboxCliError::Usage(format!("--spec: {e}")))?,
        ),
        None => spec_from_policy(&args)?,
    };
    if let Some(spec) = &spec {
        if let Some(missing) = Support::probe(&crate::engine::config::Vars::process()).missing_for(spec) {
            return Err(SandboxCliError::Unsupported(missing));
        }
        sandbox::apply_to_self(spec)?;
    }
    let Some((program, rest)) = args.command.split_first() else {
        return Err(SandboxCliError::Usage(
            "no command to run: exec-bridge sandbox [OPTIONS] -- CMD ARGS…".into(),
        ));
    };
    let source = std::process::Command::new(program).args(rest).exec();
    Err(SandboxCliError::Exec { program: program.clone(), source })
}

fn spec_from_policy(args: &SandboxArgs) -> Result<Option<SandboxSpec>, SandboxCliError> {
    let mut cli =
        CliSettings { overrides: args.config.clone(), sandbox_mode: args.sandbox, ..Default::default() };
    if args.full_auto {
        cli.sandbox_mode = Some(SandboxMode::WorkspaceWrite);
        cli.approval_policy = Some(ApprovalPolicy::OnRequest);
    }
    let vars = config::Vars::process();
    let config = Config::load(&config::codex_home(&vars), &cli, &vars)
        .map_err(|e| SandboxCliError::Usage(e.to_string()))?;
    let cwd =
        std::env::current_dir().map_err(|e| SandboxCliError::Usage(format!("current directory: {e}")))?;
    let mut policy = config.policy(&cwd, &args.add_dir);
    if let Some(notice) = crate::engine::safety::for_platform(&mut policy, Platform::current()) {
        eprintln!("exec-bridge sandbox: {notice}");
    }
    Ok(sandbox::spec(&policy, config.workspace_write.network_access, Some(&config.codex_home)))
}
