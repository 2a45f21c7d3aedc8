//! The safety verdict: from the policy, what this machine's kernel can enforce, the approvals
//! given in this session and the call itself, decide whether a command runs (and in which
//! sandbox), must be asked about (and what runs if accepted), or is rejected; likewise for
//! patches. Pure functions: nothing here runs, asks or writes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::engine::policy::{ApprovalPolicy, CommandDecision, PatchDecision, Policy, SandboxMode};
use crate::sandbox::{self, Platform, SandboxSpec, Support};

/// What the verdict is drawn from, besides the call.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The policy in force (already adjusted to the platform by [`for_platform`]).
    pub policy: &'a Policy,
    /// Whether commands may use the network.
    pub network_access: bool,
    /// What the kernel can enforce.
    pub support: Support,
    /// Commands approved for the rest of the session.
    pub approved_for_session: &'a HashSet<Vec<String>>,
    /// `CODEX_HOME`, which commands may not write even when it lies in a writable root.
    pub codex_home: Option<&'a Path>,
}

/// What a patch verdict is drawn from, besides the patch.
#[derive(Debug, Clone, Copy)]
pub struct PatchContext<'a> {
    /// The policy in force (already adjusted to the platform by [`for_platform`]).
    pub policy: &'a Policy,
    /// `CODEX_HOME`: a patch into it asks, even when it lies in a writable root.
    pub codex_home: Option<&'a Path>,
    /// Whether patches can be written without following symlinks here (`openat2`); without,
    /// a patch asks, since a command running alongside could redirect it.
    pub race_free: bool,
}

/// What to do with a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandVerdict {
    /// Run it, confined by `sandbox` (`None`: unconfined, as the policy allows).
    Run {
        /// The sandbox, if any.
        sandbox: Option<SandboxSpec>,
    },
    /// Ask first.
    Ask {
        /// Why it needs asking (the model's justification, or the runtime's reason).
        reason: Option<String>,
        /// The sandbox it runs in if accepted (`None`: unconfined).
        sandbox_if_accepted: Option<SandboxSpec>,
    },
    /// Do not run it, and do not ask: the policy allows no exception.
    Reject {
        /// Why, for the model.
        reason: String,
    },
}

/// What to do with a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchVerdict {
    /// Apply it.
    Apply,
    /// Ask first.
    Ask {
        /// Why it needs asking.
        reason: Option<String>,
        /// The directory outside the writable roots it writes to, granted if accepted.
        grant_root: Option<PathBuf>,
    },
    /// Do not apply it, and do not ask.
    Reject {
        /// Why, for the model.
        reason: String,
    },
}

/// Adjusts `policy` to what `platform` can do, once, where the thread's settings are made, so
/// that the reported policy, the environment context and patches all see the same: Windows has
/// no write-restricting sandbox, so `workspace-write` becomes `read-only`. Returns the notice to
/// give the user, if anything changed.
pub fn for_platform(policy: &mut Policy, platform: Platform) -> Option<String> {
    if platform == Platform::Windows && policy.sandbox == SandboxMode::WorkspaceWrite {
        policy.sandbox = SandboxMode::ReadOnly;
        policy.writable_roots.clear();
        return Some("workspace-write is not available on Windows; running read-only instead".to_owned());
    }
    None
}

/// The notice to give once when the kernel cannot enforce the sandbox the policy asks for.
pub fn unenforceable_notice(cx: &Context<'_>) -> Option<String> {
    let spec = sandbox::spec(cx.policy, cx.network_access, cx.codex_home)?;
    let missing = cx.support.missing_for(&spec)?;
    Some(format!(
        "the sandbox cannot be enforced here (this kernel lacks {missing}); every command needs approval"
    ))
}

/// The verdict on running `argv`. `escalate` says the model asked to run it outside the sandbox,
/// with `justification`.
pub fn command(
    cx: &Context<'_>,
    argv: &[String],
    escalate: bool,
    justification: Option<&str>,
) -> CommandVerdict {
    let spec = sandbox::spec(cx.policy, cx.network_access, cx.codex_home);
    let missing = spec.as_ref().and_then(|spec| cx.support.missing_for(spec));
    let (reason, sandbox_if_accepted) = match (cx.policy.command(argv, escalate, justification), missing) {
        (CommandDecision::Run, None) => return CommandVerdict::Run { sandbox: spec },
        (CommandDecision::Run, Some(missing)) if cx.policy.approval == ApprovalPolicy::Never => {
            return CommandVerdict::Reject {
                reason: format!(
                    "the sandbox cannot be enforced on this machine (the kernel lacks {missing}), and the approval policy `never` allows no exception"
                ),
            }
        }
        (CommandDecision::Run, Some(_)) => {
            (Some("the sandbox cannot be enforced on this machine".to_owned()), None)
        }
        // An approved escalation, or a command approved because there is no sandbox here,
        // runs outside the sandbox.
        (CommandDecision::Ask { reason }, missing) => {
            (reason, if escalate || missing.is_some() { None } else { spec })
        }
    };
    if cx.approved_for_session.contains(argv) {
        return CommandVerdict::Run { sandbox: sandbox_if_accepted };
    }
    CommandVerdict::Ask { reason, sandbox_if_accepted }
}

/// Whether a command that failed in the sandbox may be offered to run again outside it: under
/// `on-failure`, when its output shows the kernel's refusal.
pub fn offer_unsandboxed_retry(policy: &Policy, sandboxed: bool, exit_code: i32, output: &str) -> bool {
    sandboxed && policy.approval == ApprovalPolicy::OnFailure && sandbox::likely_denied(exit_code, output)
}

/// The verdict on a patch that writes or removes exactly `targets` (absolute and resolved, as
/// `apply_patch::targets` makes them).
pub fn patch(cx: &PatchContext<'_>, targets: &[PathBuf]) -> PatchVerdict {
    let policy = cx.policy;
    let (reason, grant_root) = match policy.patch_resolved(targets) {
        PatchDecision::Apply => match sandboxed_patch_concern(cx, targets) {
            None => return PatchVerdict::Apply,
            Some(concern) => (Some(concern), None),
        },
        PatchDecision::Ask { grant_root: None } => (None, None),
        PatchDecision::Ask { grant_root: Some(root) } => {
            if policy.approval == ApprovalPolicy::Never {
                let why = format!("it writes outside the writable roots, under {}", root.display());
                return reject_patch(&why);
            }
            let reason = format!("the patch writes outside the writable roots, under {}", root.display());
            (Some(reason), Some(root))
        }
    };
    if policy.approval == ApprovalPolicy::Never {
        return reject_patch(
            reason.as_deref().unwrap_or(&format!("the sandbox is {}", policy.sandbox.as_str())),
        );
    }
    PatchVerdict::Ask { reason, grant_root }
}

fn reject_patch(why: &str) -> PatchVerdict {
    PatchVerdict::Reject { reason: format!("{why}, and the approval policy `never` allows no exception") }
}

/// Why a patch the policy lets through must be asked about all the same under a sandbox: it
/// writes into `CODEX_HOME`, or this kernel cannot write it race-free.
fn sandboxed_patch_concern(cx: &PatchContext<'_>, targets: &[PathBuf]) -> Option<String> {
    if cx.policy.sandbox == SandboxMode::DangerFullAccess {
        return None;
    }
    if let Some(home) = cx.codex_home.map(|home| crate::engine::policy::resolve(Path::new("/"), home)) {
        if targets.iter().any(|t| t.starts_with(&home)) {
            return Some(format!(
                "the patch writes into CODEX_HOME ({}), the agent's own settings",
                home.display()
            ));
        }
    }
    if !cx.race_free {
        return Some(
            "this kernel cannot write patches without following symlinks (no openat2), so a command running alongside could redirect it"
                .to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: Support = Support { landlock: true, seccomp: true, openat2: true };
    const NO_LANDLOCK: Support = Support { landlock: false, seccomp: true, openat2: true };

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn policy(approval: ApprovalPolicy, sandbox: SandboxMode) -> Policy {
        Policy { approval, sandbox, writable_roots: vec![PathBuf::from("/w")] }
    }

    fn spec_of(policy: &Policy) -> Option<SandboxSpec> {
        sandbox::spec(policy, false, None)
    }

    #[test]
    fn command_verdicts() {
        use ApprovalPolicy::*;
        use SandboxMode::*;
        #[derive(Debug, PartialEq)]
        enum Expect {
            RunSandboxed,
            RunUnconfined,
            AskThenSandboxed,
            AskThenUnconfined,
            Reject,
        }
        let touch = argv(&["touch", "x"]);
        let ls = argv(&["ls"]);
        // (approval, sandbox, support, command, escalate, approved before, expected)
        let table = [
            (Never, WorkspaceWrite, FULL, &touch, false, false, Expect::RunSandboxed),
            (Never, DangerFullAccess, FULL, &touch, false, false, Expect::RunUnconfined),
            (Never, DangerFullAccess, NO_LANDLOCK, &touch, false, false, Expect::RunUnconfined),
            (Never, WorkspaceWrite, NO_LANDLOCK, &touch, false, false, Expect::Reject),
            (OnRequest, WorkspaceWrite, FULL, &touch, false, false, Expect::RunSandboxed),
            (OnRequest, WorkspaceWrite, FULL, &touch, true, false, Expect::AskThenUnconfined),
            (OnRequest, WorkspaceWrite, FULL, &touch, true, true, Expect::RunUnconfined),
            (OnRequest, ReadOnly, NO_LANDLOCK, &touch, false, false, Expect::AskThenUnconfined),
            (Untrusted, WorkspaceWrite, FULL, &ls, false, false, Expect::RunSandboxed),
            (Untrusted, WorkspaceWrite, FULL, &touch, false, false, Expect::AskThenSandboxed),
            (Untrusted, WorkspaceWrite, FULL, &touch, false, true, Expect::RunSandboxed),
            (Untrusted, WorkspaceWrite, NO_LANDLOCK, &touch, false, false, Expect::AskThenUnconfined),
            (OnFailure, WorkspaceWrite, FULL, &touch, false, false, Expect::RunSandboxed),
        ];
        for (approval, mode, support, command, escalate, approved, expected) in table {
            let policy = policy(approval, mode);
            let approved_for_session: HashSet<Vec<String>> =
                if approved { [command.clone()].into() } else { HashSet::new() };
            let cx = Context {
                policy: &policy,
                network_access: false,
                support,
                approved_for_session: &approved_for_session,
                codex_home: None,
            };
            let verdict = super::command(&cx, command, escalate, Some("why"));
            let spec = spec_of(&policy);
            let got = match verdict {
                CommandVerdict::Run { sandbox: None } => Expect::RunUnconfined,
                CommandVerdict::Run { sandbox } if sandbox == spec => Expect::RunSandboxed,
                CommandVerdict::Ask { sandbox_if_accepted: None, .. } => Expect::AskThenUnconfined,
                CommandVerdict::Ask { sandbox_if_accepted, .. } if sandbox_if_accepted == spec => {
                    Expect::AskThenSandboxed
                }
                CommandVerdict::Reject { .. } => Expect::Reject,
                other => panic!("unexpected {other:?}"),
            };
            assert_eq!(
                got, expected,
                "{approval:?} {mode:?} {support:?} {command:?} escalate={escalate} approved={approved}"
            );
        }
    }

    #[test]
    fn the_reason_is_the_justification_or_the_missing_sandbox() {
        let on_request = policy(ApprovalPolicy::OnRequest, SandboxMode::WorkspaceWrite);
        let none = HashSet::new();
        let cx = Context {
            policy: &on_request,
            network_access: false,
            support: FULL,
            approved_for_session: &none,
            codex_home: None,
        };
        assert!(matches!(
            super::command(&cx, &argv(&["rm", "/x"]), true, Some("needs /x")),
            CommandVerdict::Ask { reason: Some(r), .. } if r == "needs /x"
        ));
        let cx = Context { support: NO_LANDLOCK, ..cx };
        assert!(matches!(
            super::command(&cx, &argv(&["ls"]), false, None),
            CommandVerdict::Ask { reason: Some(r), .. } if r.contains("cannot be enforced")
        ));
        assert!(unenforceable_notice(&cx).unwrap().contains("Landlock"));
    }

    #[test]
    fn patch_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().canonicalize().unwrap();
        let mut ww = policy(ApprovalPolicy::OnRequest, SandboxMode::WorkspaceWrite);
        ww.writable_roots = vec![work.clone()];
        let verdict = |policy: &Policy, path: &Path| {
            patch(&PatchContext { policy, codex_home: None, race_free: true }, &[path.to_path_buf()])
        };
        assert_eq!(verdict(&ww, &work.join("a.txt")), PatchVerdict::Apply);
        assert!(matches!(
            verdict(&ww, Path::new("/etc/x")),
            PatchVerdict::Ask { grant_root: Some(root), reason: Some(_) } if root == Path::new("/etc")
        ));
        let never = Policy { approval: ApprovalPolicy::Never, ..ww.clone() };
        assert!(matches!(
            verdict(&never, Path::new("/etc/x")),
            PatchVerdict::Reject { reason } if reason.starts_with("it writes outside the writable roots, under /etc")
        ));
        let read_only = Policy { approval: ApprovalPolicy::Never, sandbox: SandboxMode::ReadOnly, ..ww };
        assert!(matches!(
            verdict(&read_only, &work.join("a.txt")),
            PatchVerdict::Reject { reason } if reason.contains("read-only")
        ));
    }

    #[test]
    fn a_patch_into_codex_home_or_without_openat2_asks() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().canonicalize().unwrap();
        let home = work.join("home");
        let mut ww = policy(ApprovalPolicy::OnRequest, SandboxMode::WorkspaceWrite);
        ww.writable_roots = vec![work.clone()];
        let cx = PatchContext { policy: &ww, codex_home: Some(&home), race_free: true };
        assert!(matches!(
            patch(&cx, &[home.join("config.toml")]),
            PatchVerdict::Ask { reason: Some(r), grant_root: None } if r.contains("CODEX_HOME")
        ));
        assert_eq!(patch(&cx, &[work.join("a.txt")]), PatchVerdict::Apply);
        let racy = PatchContext { race_free: false, ..cx };
        assert!(matches!(
            patch(&racy, &[work.join("a.txt")]),
            PatchVerdict::Ask { reason: Some(r), .. } if r.contains("openat2")
        ));
        let full = Policy { sandbox: SandboxMode::DangerFullAccess, ..ww.clone() };
        assert_eq!(patch(&PatchContext { policy: &full, ..racy }, &[home.join("x")]), PatchVerdict::Apply);
        let never = Policy { approval: ApprovalPolicy::Never, ..ww.clone() };
        assert!(matches!(
            patch(&PatchContext { policy: &never, ..racy }, &[work.join("a.txt")]),
            PatchVerdict::Reject { reason } if reason.contains("openat2") && reason.contains("`never`")
        ));
    }

    #[test]
    fn on_failure_offers_a_retry_only_for_sandbox_refusals() {
        let on_failure = policy(ApprovalPolicy::OnFailure, SandboxMode::WorkspaceWrite);
        assert!(offer_unsandboxed_retry(&on_failure, true, 1, "touch: Permission denied"));
        assert!(!offer_unsandboxed_retry(&on_failure, false, 1, "touch: Permission denied"));
        assert!(!offer_unsandboxed_retry(&on_failure, true, 2, "No such file or directory"));
        let never = policy(ApprovalPolicy::Never, SandboxMode::WorkspaceWrite);
        assert!(!offer_unsandboxed_retry(&never, true, 1, "Permission denied"));
    }

    #[test]
    fn windows_runs_workspace_write_read_only() {
        let mut ww = policy(ApprovalPolicy::Never, SandboxMode::WorkspaceWrite);
        assert!(for_platform(&mut ww, Platform::Linux).is_none());
        assert_eq!(ww.sandbox, SandboxMode::WorkspaceWrite);
        assert!(for_platform(&mut ww, Platform::Windows).unwrap().contains("read-only"));
        assert_eq!(ww.sandbox, SandboxMode::ReadOnly);
        assert!(ww.writable_roots.is_empty());
    }
}
