//! The engine's settings in their v2 shapes, and back.

use std::path::PathBuf;

use protocol::v2;

use crate::engine::config::WorkspaceWrite;
use crate::engine::policy::{ApprovalPolicy, SandboxMode};
use crate::engine::{SandboxOverride, ThreadSnapshot};

/// The engine's approval policy for a v2 one.
pub fn approval_from_v2(approval: v2::AskForApproval) -> ApprovalPolicy {
    match approval {
        v2::AskForApproval::UnlessTrusted => ApprovalPolicy::Untrusted,
        v2::AskForApproval::OnFailure => ApprovalPolicy::OnFailure,
        v2::AskForApproval::OnRequest => ApprovalPolicy::OnRequest,
        v2::AskForApproval::Never => ApprovalPolicy::Never,
    }
}

fn approval_to_v2(approval: ApprovalPolicy) -> v2::AskForApproval {
    match approval {
        ApprovalPolicy::Untrusted => v2::AskForApproval::UnlessTrusted,
        ApprovalPolicy::OnFailure => v2::AskForApproval::OnFailure,
        ApprovalPolicy::OnRequest => v2::AskForApproval::OnRequest,
        ApprovalPolicy::Never => v2::AskForApproval::Never,
    }
}

/// The engine's sandbox mode for a v2 one.
pub fn sandbox_mode_from_v2(mode: v2::SandboxMode) -> SandboxMode {
    match mode {
        v2::SandboxMode::ReadOnly => SandboxMode::ReadOnly,
        v2::SandboxMode::WorkspaceWrite => SandboxMode::WorkspaceWrite,
        v2::SandboxMode::DangerFullAccess => SandboxMode::DangerFullAccess,
    }
}

/// A turn's sandbox, from its v2 policy.
pub fn sandbox_from_v2(sandbox: v2::SandboxPolicy) -> SandboxOverride {
    match sandbox {
        v2::SandboxPolicy::DangerFullAccess => SandboxOverride::DangerFullAccess,
        v2::SandboxPolicy::ReadOnly => SandboxOverride::ReadOnly,
        v2::SandboxPolicy::WorkspaceWrite {
            writable_roots,
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        } => SandboxOverride::WorkspaceWrite(WorkspaceWrite {
            writable_roots: writable_roots.into_iter().map(PathBuf::from).collect(),
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        }),
    }
}

/// The sandbox in force, in its v2 shape.
fn sandbox_to_v2(thread: &ThreadSnapshot) -> v2::SandboxPolicy {
    let ww = &thread.workspace_write;
    match thread.settings.policy.sandbox {
        SandboxMode::DangerFullAccess => v2::SandboxPolicy::DangerFullAccess,
        SandboxMode::ReadOnly => v2::SandboxPolicy::ReadOnly,
        SandboxMode::WorkspaceWrite => v2::SandboxPolicy::WorkspaceWrite {
            writable_roots: ww.writable_roots.iter().map(|r| r.display().to_string()).collect(),
            network_access: thread.settings.network_access,
            exclude_tmpdir_env_var: ww.exclude_tmpdir_env_var,
            exclude_slash_tmp: ww.exclude_slash_tmp,
        },
    }
}

/// What thread/start and thread/resume answer besides the thread: the settings in force.
pub struct InForce {
    model: String,
    model_provider: String,
    cwd: String,
    approval_policy: v2::AskForApproval,
    sandbox: v2::SandboxPolicy,
    reasoning_effort: Option<v2::ReasoningEffort>,
}

impl InForce {
    /// The settings of `thread` now.
    pub fn of(thread: &ThreadSnapshot) -> InForce {
        InForce {
            model: thread.model.clone(),
            model_provider: thread.model_provider.clone(),
            cwd: thread.settings.cwd.display().to_string(),
            approval_policy: approval_to_v2(thread.settings.policy.approval),
            sandbox: sandbox_to_v2(thread),
            reasoning_effort: thread.reasoning_effort,
        }
    }

    /// The answer to thread/start.
    pub fn started(self, thread: v2::Thread) -> v2::ThreadStartResponse {
        let InForce { model, model_provider, cwd, approval_policy, sandbox, reasoning_effort } = self;
        v2::ThreadStartResponse {
            thread,
            model,
            model_provider,
            cwd,
            approval_policy,
            sandbox,
            reasoning_effort,
        }
    }

    /// The answer to thread/resume.
    pub fn resumed(self, thread: v2::Thread) -> v2::ThreadResumeResponse {
        let InForce { model, model_provider, cwd, approval_policy, sandbox, reasoning_effort } = self;
        v2::ThreadResumeResponse {
            thread,
            model,
            model_provider,
            cwd,
            approval_policy,
            sandbox,
            reasoning_effort,
        }
    }
}
