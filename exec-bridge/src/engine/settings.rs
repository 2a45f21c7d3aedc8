//! What a thread is started with and what a turn may change: the working directory, the policy,
//! the model.

use std::path::PathBuf;

use serde_json::Value;

use crate::engine::config::{Config, ReasoningEffort, WorkspaceWrite};
use crate::engine::policy::{self, ApprovalPolicy, Policy, SandboxMode};
use crate::engine::user_input::UserMessage;

/// The settings a thread runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadSettings {
    /// The working directory.
    pub cwd: PathBuf,
    /// Approval policy, sandbox and writable roots.
    pub policy: Policy,
    /// Whether commands may use the network (told to the model).
    pub network_access: bool,
}

/// Everything a new (or resumed) thread needs.
#[derive(Debug, Clone)]
pub struct ThreadSpec {
    /// The configuration in force.
    pub config: Config,
    /// The thread's settings.
    pub settings: ThreadSettings,
    /// The `originator` header of its model requests.
    pub originator: String,
    /// The program that runs each command under the sandbox (`exec-bridge sandbox SPEC -- CMD`):
    /// the running `exec-bridge` for its own front ends, the shipped binary for an embedding. It
    /// also runs the process guard (`exec-bridge process-guard`, see
    /// [`crate::engine::tools::process`]).
    pub sandbox_helper: PathBuf,
}

/// One user turn: the input, and what changes from this turn on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserTurn {
    /// What the user sent.
    pub input: UserMessage,
    /// Settings changed from this turn on.
    pub overrides: TurnOverrides,
    /// A JSON Schema the turn's final answer must follow (this turn only).
    pub output_schema: Option<Value>,
}

/// Settings a turn changes for itself and the turns after it; `None` keeps the current one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TurnOverrides {
    /// The working directory.
    pub cwd: Option<PathBuf>,
    /// The approval policy.
    pub approval: Option<ApprovalPolicy>,
    /// The sandbox.
    pub sandbox: Option<SandboxOverride>,
    /// The model.
    pub model: Option<String>,
    /// The reasoning effort.
    pub effort: Option<ReasoningEffort>,
}

/// A sandbox chosen for a turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SandboxOverride {
    /// No sandbox, network allowed.
    DangerFullAccess,
    /// Read anything, write nothing, no network.
    ReadOnly,
    /// Write beneath the working directory and these settings' roots.
    WorkspaceWrite(WorkspaceWrite),
}

impl SandboxOverride {
    /// The policy and network access this sandbox gives in `cwd`, under `approval`, with
    /// `tmpdir` the runtime's `$TMPDIR`.
    pub fn policy(
        &self,
        cwd: &std::path::Path,
        approval: ApprovalPolicy,
        tmpdir: Option<&std::path::Path>,
    ) -> (Policy, bool) {
        let policy = |sandbox, writable_roots| Policy { approval, sandbox, writable_roots };
        match self {
            SandboxOverride::DangerFullAccess => (policy(SandboxMode::DangerFullAccess, vec![]), true),
            SandboxOverride::ReadOnly => (policy(SandboxMode::ReadOnly, vec![]), false),
            SandboxOverride::WorkspaceWrite(ww) => {
                let roots = policy::writable_roots(
                    cwd,
                    &[],
                    &ww.writable_roots,
                    tmpdir.filter(|_| !ww.exclude_tmpdir_env_var),
                    ww.exclude_slash_tmp,
                );
                (policy(SandboxMode::WorkspaceWrite, roots), ww.network_access)
            }
        }
    }
}
