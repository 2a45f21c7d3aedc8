//! The kernel-enforced sandbox for every command the agent runs.
//!
//! On Linux a sandboxed command runs through `exec-bridge sandbox`, which restricts its own
//! process and then `exec`s the command, so that nothing runs unconfined in between. Three
//! layers, each a check the next does not rely on:
//! 1. [`mounts`]: a private mount namespace in which the whole file system is read-only but the
//!    writable roots, and every `.git` and `.codex` inside them ([`protected`]) and `CODEX_HOME`
//!    read-only again (Landlock alone can neither carve a read-only subtree out of a writable
//!    one nor stop `chmod`, `chown` or `utime`);
//! 2. [`landlock`]: reads everywhere, writes only beneath the writable roots (no device nodes)
//!    and to `/dev/null`; without network, no TCP and no abstract Unix socket;
//! 3. [`seccomp`]: the system calls that would reach past the first two (io_uring, ptrace,
//!    mounts and namespaces, device nodes, …), and without network every socket but a
//!    `socketpair`.
//!
//! [`spec`] says what to enforce for a policy; [`cli`] is the `exec-bridge sandbox` entry point;
//! [`fd`] opens paths without following symlinks, for the mounts and for `apply_patch`.

pub mod cli;
pub mod fd;
pub mod landlock;
mod mount_api;
pub mod mounts;
pub mod protected;
pub mod seccomp;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::policy::{self, Policy, SandboxMode};

/// What the kernel enforces for one command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxSpec {
    /// Directories writable beneath (empty for read-only).
    pub writable_roots: Vec<PathBuf>,
    /// Paths inside the writable roots that stay read-only, besides every `.git` and `.codex`
    /// (which the sandbox finds by itself when the command starts): `CODEX_HOME`, when it lies
    /// in a root.
    pub read_only_subpaths: Vec<PathBuf>,
    /// Whether commands may open network sockets.
    pub network: bool,
}

/// The platforms the policy resolution knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux: Landlock, seccomp and mount namespaces.
    Linux,
    /// Windows: no write-restricting sandbox; workspace-write becomes read-only.
    Windows,
    /// Anything else.
    Other,
}

impl Platform {
    /// The platform this binary runs on.
    pub fn current() -> Platform {
        if cfg!(target_os = "linux") {
            Platform::Linux
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Other
        }
    }
}

/// What the kernel must enforce for `policy`; `None` when no sandbox applies
/// (danger-full-access). `codex_home` (absolute) is kept read-only when it lies in a writable
/// root, so that a command cannot rewrite the agent's own configuration. Pure but for resolving
/// `codex_home`'s symlinks. The platform's adjustments are made before, by the safety verdict.
pub fn spec(policy: &Policy, network: bool, codex_home: Option<&Path>) -> Option<SandboxSpec> {
    match policy.sandbox {
        SandboxMode::DangerFullAccess => None,
        SandboxMode::ReadOnly => {
            Some(SandboxSpec { writable_roots: vec![], read_only_subpaths: vec![], network })
        }
        SandboxMode::WorkspaceWrite => {
            let home = codex_home
                .map(|home| policy::resolve(Path::new("/"), home))
                .filter(|home| policy.writable_roots.iter().any(|root| home.starts_with(root)));
            Some(SandboxSpec {
                writable_roots: policy.writable_roots.clone(),
                read_only_subpaths: home.into_iter().collect(),
                network,
            })
        }
    }
}

/// What this kernel offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Support {
    /// Landlock file-system restrictions.
    pub landlock: bool,
    /// seccomp filters.
    pub seccomp: bool,
    /// `openat2(2)`, with which patches are written without following symlinks.
    pub openat2: bool,
}

/// Names features (`landlock`, `seccomp`, `openat2`, comma-separated) to treat as missing, to
/// see how the runtime behaves on a kernel without them.
pub const PRETEND_UNAVAILABLE_VAR: &str = "EXEC_BRIDGE_SANDBOX_UNAVAILABLE";

impl Support {
    /// What the running kernel offers, less what [`PRETEND_UNAVAILABLE_VAR`] of the runtime's
    /// environment `vars` names. The kernel is probed once per process.
    pub fn probe(vars: &crate::engine::config::Vars) -> Support {
        static KERNEL: std::sync::OnceLock<Support> = std::sync::OnceLock::new();
        let kernel = *KERNEL.get_or_init(|| Support {
            landlock: landlock::available(),
            seccomp: seccomp::available(),
            openat2: fd::openat2_available(),
        });
        let pretend = vars.get(PRETEND_UNAVAILABLE_VAR).unwrap_or_default();
        let off = |name: &str| pretend.split(',').any(|p| p.trim() == name);
        Support {
            landlock: kernel.landlock && !off("landlock"),
            seccomp: kernel.seccomp && !off("seccomp"),
            openat2: kernel.openat2 && !off("openat2"),
        }
    }

    /// What is missing to enforce `spec`, if anything (seccomp is needed with the network on
    /// too: it denies what would undo the other layers).
    pub fn missing_for(&self, _spec: &SandboxSpec) -> Option<&'static str> {
        if !self.landlock {
            Some("Landlock (Linux 5.13+ with CONFIG_SECURITY_LANDLOCK)")
        } else if !self.seccomp {
            Some("seccomp filters")
        } else {
            None
        }
    }
}

/// Why the sandbox could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The mount namespace or a read-only bind mount failed.
    #[error("cannot protect {path}: {message}")]
    Mount {
        /// The directory.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Landlock failed or is not enforced.
    #[error("Landlock: {0}")]
    Landlock(String),
    /// seccomp failed.
    #[error("seccomp: {0}")]
    Seccomp(String),
}

/// Restricts the calling process to `spec`: the mounts, then Landlock, then seccomp (last, as
/// it denies what the first two need). Call it right before `exec` of the command.
pub fn apply_to_self(spec: &SandboxSpec) -> Result<(), SandboxError> {
    let roots = mounts::set_up(&spec.writable_roots, &spec.read_only_subpaths)?;
    landlock::restrict(&roots, spec.network)?;
    drop(roots);
    seccomp::install(spec.network)
}

/// The argv that runs `argv` under `spec` through `helper`, a binary with the `sandbox` entry
/// point (`exec-bridge` itself, or the one an embedding names).
pub fn wrap(
    argv: &[String],
    spec: &SandboxSpec,
    helper: &std::path::Path,
) -> Result<Vec<String>, SandboxError> {
    let spec = serde_json::to_string(spec)
        .map_err(|e| SandboxError::Landlock(format!("the sandbox's paths cannot be passed on ({e})")))?;
    let mut wrapped =
        vec![helper.display().to_string(), "sandbox".to_owned(), "--spec".to_owned(), spec, "--".to_owned()];
    wrapped.extend_from_slice(argv);
    Ok(wrapped)
}

/// Whether a failed sandboxed command was probably stopped by the sandbox: the kernel's refusals
/// show up as these messages.
pub fn likely_denied(exit_code: i32, output: &str) -> bool {
    const SIGNS: [&str; 4] =
        ["Permission denied", "Read-only file system", "Operation not permitted", "EPERM"];
    exit_code != 0 && SIGNS.iter().any(|sign| output.contains(sign))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::policy::ApprovalPolicy;

    fn policy(sandbox: SandboxMode, roots: Vec<PathBuf>) -> Policy {
        Policy { approval: ApprovalPolicy::Never, sandbox, writable_roots: roots }
    }

    #[test]
    fn the_spec_per_mode() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let roots = vec![root.join("work")];
        let ww = spec(&policy(SandboxMode::WorkspaceWrite, roots.clone()), false, None).unwrap();
        assert_eq!(ww.writable_roots, roots);
        assert!(ww.read_only_subpaths.is_empty() && !ww.network);
        let ro = spec(&policy(SandboxMode::ReadOnly, roots.clone()), true, None).unwrap();
        assert!(ro.writable_roots.is_empty() && ro.network);
        assert_eq!(spec(&policy(SandboxMode::DangerFullAccess, roots.clone()), false, None), None);
    }

    #[test]
    fn codex_home_in_a_writable_root_stays_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("real-home")).unwrap();
        std::os::unix::fs::symlink(root.join("real-home"), root.join("home")).unwrap();
        let ww = policy(SandboxMode::WorkspaceWrite, vec![root.clone()]);
        let spec_with = |home: &Path| spec(&ww, false, Some(home)).unwrap().read_only_subpaths;
        assert_eq!(spec_with(&root.join("home")), [root.join("real-home")], "resolved");
        assert!(
            spec_with(Path::new("/somewhere/else")).is_empty(),
            "outside the roots it is read-only anyway"
        );
        let ro = policy(SandboxMode::ReadOnly, vec![]);
        assert!(spec(&ro, false, Some(&root)).unwrap().read_only_subpaths.is_empty());
    }

    #[test]
    fn denials_are_recognised() {
        assert!(likely_denied(1, "touch: cannot touch '/etc/x': Permission denied\n"));
        assert!(likely_denied(1, "touch: cannot touch '.git/x': Read-only file system\n"));
        assert!(!likely_denied(0, "Permission denied"));
        assert!(!likely_denied(2, "No such file or directory"));
    }
}
