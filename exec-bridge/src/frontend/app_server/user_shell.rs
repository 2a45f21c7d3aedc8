//! The user's own commands and the feedback request: `thread/shellCommand` (a command line run
//! in a thread as a turn of its own, outside the model's history), `execOneOffCommand` (Codex
//! 0.63's v1 method: one argv outside any thread, answered when it ends) and `feedback/upload`
//! (refused: this runtime uploads nothing).

use std::path::PathBuf;
use std::time::Duration;

use protocol::v2::{self, JsonRpcErrorError as RpcError};

use super::errors;
use crate::engine::config::WorkspaceWrite;
use crate::engine::tools::one_off::{self, OneOff};
use crate::engine::{SandboxOverride, ThreadHandle, ThreadSpec};
use crate::sandbox;

/// The most a command line of `thread/shellCommand` may hold: 1 MiB.
pub const MAX_COMMAND_BYTES: usize = 1024 * 1024;
/// How long a one-off command runs when the client does not say.
pub const ONE_OFF_DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest timeout a client may ask of a one-off command: 1 hour.
pub const ONE_OFF_MAX_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// `thread/shellCommand`: starts the command as a turn of `thread`; its events follow through
/// the thread's forwarder.
pub fn thread_shell_command(
    thread: &ThreadHandle,
    params: v2::ThreadShellCommandParams,
) -> Result<v2::ThreadShellCommandResponse, RpcError> {
    let command = params.command.trim();
    if command.is_empty() {
        return Err(RpcError::invalid_request(
            "command must not be empty: pass the command line to run, for example \"ls -la\"",
        ));
    }
    if command.len() > MAX_COMMAND_BYTES {
        return Err(RpcError::invalid_params(format!(
            "invalid params for thread/shellCommand: `command` is {} bytes, more than the {MAX_COMMAND_BYTES} allowed; put a long script in a file and run that",
            command.len()
        )));
    }
    thread.run_user_shell(command.to_owned()).map_err(errors::from_submit)?;
    Ok(v2::ThreadShellCommandResponse {})
}

/// What `execOneOffCommand` runs, checked: answered at once when it is invalid.
pub struct OneOffCommand {
    argv: Vec<String>,
    cwd: PathBuf,
    timeout: Duration,
    sandbox: Option<sandbox::SandboxSpec>,
    env: Vec<(String, String)>,
    helper: PathBuf,
}

/// Checks `params` against `spec` (the configuration, with the request's `cwd`): the command,
/// its timeout, and its sandbox (the request's, else the configuration's).
pub fn one_off_command(
    params: v2::ExecOneOffCommandParams,
    spec: ThreadSpec,
) -> Result<OneOffCommand, RpcError> {
    if params.command.is_empty() {
        return Err(RpcError::invalid_request(
            "command must not be empty: pass the program and its arguments, for example [\"ls\", \"-la\"]",
        ));
    }
    let timeout = params.timeout_ms.map_or(ONE_OFF_DEFAULT_TIMEOUT, Duration::from_millis);
    if timeout > ONE_OFF_MAX_TIMEOUT {
        return Err(RpcError::invalid_params(format!(
            "invalid params for execOneOffCommand: `timeoutMs` may be at most {} (1 hour)",
            ONE_OFF_MAX_TIMEOUT.as_millis()
        )));
    }
    let ThreadSpec { config, mut settings, sandbox_helper, .. } = spec;
    if let Some(policy) = params.sandbox_policy {
        let tmpdir = config.tmpdir(false).map(std::path::Path::to_path_buf);
        let (policy, network) =
            sandbox_override(policy).policy(&settings.cwd, settings.policy.approval, tmpdir.as_deref());
        settings.policy = policy;
        settings.network_access = network;
    }
    let sandbox = sandbox::spec(&settings.policy, settings.network_access, Some(&config.codex_home));
    if let Some(spec) = &sandbox {
        if let Some(missing) = sandbox::Support::probe(&config.vars).missing_for(spec) {
            return Err(RpcError::invalid_request(format!(
                "the sandbox cannot be enforced on this machine (the kernel lacks {missing}); pass sandboxPolicy {{\"type\": \"danger-full-access\"}} to run the command unconfined"
            )));
        }
    }
    Ok(OneOffCommand {
        argv: params.command,
        cwd: settings.cwd,
        timeout,
        sandbox,
        env: config.command_env(),
        helper: sandbox_helper,
    })
}

impl OneOffCommand {
    /// Runs it to its end (or its timeout).
    pub async fn run(self) -> v2::ExecOneOffCommandResponse {
        let output = one_off::run(OneOff {
            argv: &self.argv,
            cwd: &self.cwd,
            env: &self.env,
            sandbox: self.sandbox.as_ref(),
            helper: &self.helper,
            guard: Some(&self.helper),
            timeout: self.timeout,
        })
        .await;
        v2::ExecOneOffCommandResponse {
            exit_code: output.exit_code,
            stdout: output.stdout,
            stderr: output.stderr,
        }
    }
}

fn sandbox_override(policy: v2::OneOffSandboxPolicy) -> SandboxOverride {
    match policy {
        v2::OneOffSandboxPolicy::DangerFullAccess => SandboxOverride::DangerFullAccess,
        v2::OneOffSandboxPolicy::ReadOnly => SandboxOverride::ReadOnly,
        v2::OneOffSandboxPolicy::WorkspaceWrite {
            writable_roots,
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        } => SandboxOverride::WorkspaceWrite(WorkspaceWrite {
            writable_roots: writable_roots.unwrap_or_default().into_iter().map(PathBuf::from).collect(),
            network_access: network_access.unwrap_or(false),
            exclude_tmpdir_env_var: exclude_tmpdir_env_var.unwrap_or(false),
            exclude_slash_tmp: exclude_slash_tmp.unwrap_or(false),
        }),
    }
}

/// `feedback/upload`: this runtime works offline and uploads nothing, so the request is refused
/// with what to do instead.
pub fn feedback_upload(params: &v2::FeedbackUploadParams) -> Result<v2::FeedbackUploadResponse, RpcError> {
    let session = match &params.conversation_id {
        Some(id) => format!("the session file of thread {id} (under $CODEX_HOME/sessions)"),
        None => "the thread's session file (under $CODEX_HOME/sessions)".to_owned(),
    };
    Err(RpcError::invalid_request(format!(
        "feedback/upload is not available: this runtime works offline and uploads nothing; to report a problem, attach {session} to an issue in your own tracker"
    )))
}
