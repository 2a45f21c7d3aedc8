//! Policy: which sandbox and approval policy are in force, which directories are writable, and
//! whether a command may run or a patch may be applied without asking.
//!
//! These are decisions only; the kernel enforcement of the sandbox is separate. In `exec`
//! nobody can answer an approval, so an action that needs one is declined.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::sandbox::protected::is_protected_name;

/// When the agent asks before acting (the spellings of `config.toml` and the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalPolicy {
    /// Known read-only commands run; anything else asks.
    #[serde(alias = "unless-trusted")]
    Untrusted,
    /// Run in the sandbox; ask to run again outside it when the sandbox stops a command.
    OnFailure,
    /// The model asks when it needs to (for example to leave the sandbox).
    OnRequest,
    /// Never ask.
    Never,
}

impl ApprovalPolicy {
    /// The spelling of `config.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalPolicy::Untrusted => "untrusted",
            ApprovalPolicy::OnFailure => "on-failure",
            ApprovalPolicy::OnRequest => "on-request",
            ApprovalPolicy::Never => "never",
        }
    }
}

/// The sandbox commands run in (the spellings of `config.toml` and the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Read anything, write nothing.
    ReadOnly,
    /// Write inside the writable roots.
    WorkspaceWrite,
    /// No sandbox.
    DangerFullAccess,
}

impl SandboxMode {
    /// The spelling of `config.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxMode::ReadOnly => "read-only",
            SandboxMode::WorkspaceWrite => "workspace-write",
            SandboxMode::DangerFullAccess => "danger-full-access",
        }
    }
}

/// What may happen without asking, for one turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// When to ask.
    pub approval: ApprovalPolicy,
    /// The sandbox.
    pub sandbox: SandboxMode,
    /// Directories writable under `workspace-write`, resolved (symlinks followed).
    pub writable_roots: Vec<PathBuf>,
}

/// What to do with a command the model wants to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandDecision {
    /// Run it, in the sandbox unless the sandbox is off.
    Run,
    /// Ask first; `reason` is the model's justification, if it gave one.
    Ask {
        /// Why the command needs approval.
        reason: Option<String>,
    },
}

/// What to do with a patch the model wants to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchDecision {
    /// Apply it.
    Apply,
    /// Ask first; `grant_root` is the directory outside the writable roots the patch reaches.
    Ask {
        /// The root to grant, when the patch reaches outside the writable roots.
        grant_root: Option<PathBuf>,
    },
}

/// The writable roots of `workspace-write`: the working directory, `--add-dir` directories, the
/// configured roots, `tmpdir` (`$TMPDIR`, unless excluded) and `/tmp` unless excluded. Each is
/// resolved (symlinks followed) so that comparisons hold.
pub fn writable_roots(
    cwd: &Path,
    add_dirs: &[PathBuf],
    configured: &[PathBuf],
    tmpdir: Option<&Path>,
    exclude_slash_tmp: bool,
) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = vec![cwd.to_path_buf()];
    roots.extend(add_dirs.iter().map(|d| cwd.join(d)));
    roots.extend(configured.iter().map(|d| cwd.join(d)));
    roots.extend(tmpdir.map(Path::to_path_buf));
    if !exclude_slash_tmp {
        roots.push(PathBuf::from("/tmp"));
    }
    let mut resolved: Vec<PathBuf> = roots.iter().map(|r| resolve(cwd, r)).collect();
    resolved.dedup();
    resolved
}

impl Policy {
    /// Decides on a command. `escalate` says the model asked to run it outside the sandbox,
    /// with `justification`.
    pub fn command(&self, argv: &[String], escalate: bool, justification: Option<&str>) -> CommandDecision {
        let ask = |reason: Option<&str>| CommandDecision::Ask { reason: reason.map(str::to_owned) };
        if escalate && self.approval == ApprovalPolicy::OnRequest {
            return ask(justification);
        }
        if self.approval == ApprovalPolicy::Untrusted && !is_known_safe(argv) {
            return ask(None);
        }
        CommandDecision::Run
    }

    /// Decides on a patch touching `paths` (absolute, or relative to `cwd`). Under `untrusted`
    /// every patch asks, as in the reference.
    pub fn patch(&self, cwd: &Path, paths: &[PathBuf]) -> PatchDecision {
        let resolved: Vec<PathBuf> = paths.iter().map(|p| resolve(cwd, p)).collect();
        self.patch_resolved(&resolved)
    }

    /// Decides on a patch touching exactly `targets` (absolute and already resolved, as
    /// `apply_patch` will write them: they are not resolved again).
    pub fn patch_resolved(&self, targets: &[PathBuf]) -> PatchDecision {
        let outside = || targets.iter().find(|p| !self.is_writable(p));
        let grant = |path: &PathBuf| path.parent().map(Path::to_path_buf);
        if self.approval == ApprovalPolicy::Untrusted {
            return PatchDecision::Ask { grant_root: outside().and_then(grant) };
        }
        match self.sandbox {
            SandboxMode::DangerFullAccess => PatchDecision::Apply,
            SandboxMode::ReadOnly => PatchDecision::Ask { grant_root: None },
            SandboxMode::WorkspaceWrite => match outside() {
                None => PatchDecision::Apply,
                Some(path) => PatchDecision::Ask { grant_root: grant(path) },
            },
        }
    }

    /// Whether `path` (resolved) lies inside a writable root, and not in a `.git` or `.codex`
    /// directory anywhere below it (those stay read-only, a nested repository's as much as the
    /// top one's).
    pub fn is_writable(&self, path: &Path) -> bool {
        self.writable_roots.iter().any(|root| {
            path.strip_prefix(root).is_ok_and(|rest| {
                !rest.components().any(|c| matches!(c, Component::Normal(name) if is_protected_name(name)))
            })
        })
    }
}

/// `path` made absolute against `cwd`, `.` and `..` removed, and symlinks followed as far as the
/// path exists, so that a link inside a root pointing outside resolves to the outside.
pub fn resolve(cwd: &Path, path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Follow links on the longest prefix that exists, then append the rest.
    let mut existing = normal.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut resolved = real;
            resolved.extend(rest.iter().rev());
            return resolved;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return normal,
        }
    }
}

/// Whether `program` is bash, sh or zsh: by name (found on `PATH`), or at its path in a system
/// directory (`/bin/bash`, as `shell_command` runs the user's shell). A shell elsewhere
/// (`/tmp/bash`) could be anything, and is not read as a shell.
pub fn is_shell(program: &str) -> bool {
    let name = match program.rsplit_once('/') {
        Some(("/bin" | "/usr/bin" | "/usr/local/bin", name)) => name,
        Some(_) => return false,
        None => program,
    };
    matches!(name, "bash" | "sh" | "zsh")
}

/// Commands that only read: they run without approval under `untrusted`.
fn is_known_safe(argv: &[String]) -> bool {
    // `bash -lc "a && b | c"`: every part of the script must be safe.
    if let [shell, flag, script] = argv {
        if is_shell(shell) && matches!(flag.as_str(), "-c" | "-lc") {
            if script.contains(['>', '<', '`', '$', '(', ')', '\n']) {
                return false;
            }
            return crate::engine::tools::script::parts(script)
                .into_iter()
                .all(|part| shlex::split(part).is_some_and(|words| is_safe_simple(&words)));
        }
    }
    is_safe_simple(argv)
}

fn is_safe_simple(words: &[String]) -> bool {
    let Some(program) = words.first() else { return false };
    let program = program.rsplit('/').next().unwrap_or(program);
    let args = &words[1..];
    match program {
        "ls" | "cat" | "head" | "tail" | "wc" | "grep" | "rg" | "pwd" | "echo" | "nl" | "which" | "true"
        | "stat" | "file" | "tree" | "du" | "df" | "uname" | "whoami" | "date" | "cut" | "sort" | "uniq" => {
            true
        }
        "find" => {
            !args.iter().any(|a| matches!(a.as_str(), "-exec" | "-execdir" | "-delete" | "-ok" | "-fprint"))
        }
        "sed" => {
            args.first().is_some_and(|a| a == "-n")
                && !args.iter().any(|a| a.contains('w') && a.starts_with('-'))
        }
        "git" => {
            matches!(args.first().map(String::as_str), Some("status" | "log" | "diff" | "show" | "branch"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical_join(dir: &Path, name: &str) -> PathBuf {
        dir.canonicalize().unwrap().join(name)
    }

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn untrusted_asks_for_anything_not_known_to_only_read() {
        let policy = Policy {
            approval: ApprovalPolicy::Untrusted,
            sandbox: SandboxMode::WorkspaceWrite,
            writable_roots: vec![],
        };
        assert_eq!(policy.command(&argv(&["ls", "-la"]), false, None), CommandDecision::Run);
        assert_eq!(
            policy.command(&argv(&["bash", "-lc", "cat a | grep b && wc -l c"]), false, None),
            CommandDecision::Run
        );
        assert!(matches!(policy.command(&argv(&["touch", "x"]), false, None), CommandDecision::Ask { .. }));
        assert!(matches!(
            policy.command(&argv(&["bash", "-lc", "echo hi > x"]), false, None),
            CommandDecision::Ask { .. }
        ));
        assert!(is_shell("/bin/bash") && is_shell("/usr/bin/zsh") && is_shell("sh"));
        assert!(!is_shell("/tmp/bash") && !is_shell("fish"));
        assert_eq!(policy.command(&argv(&["/bin/bash", "-lc", "ls -la"]), false, None), CommandDecision::Run);
        assert!(matches!(
            policy.command(&argv(&["/tmp/bash", "-lc", "ls"]), false, None),
            CommandDecision::Ask { .. }
        ));
        assert!(matches!(
            policy.command(&argv(&["find", ".", "-delete"]), false, None),
            CommandDecision::Ask { .. }
        ));
    }

    #[test]
    fn on_request_asks_only_when_the_model_escalates() {
        let policy = Policy {
            approval: ApprovalPolicy::OnRequest,
            sandbox: SandboxMode::WorkspaceWrite,
            writable_roots: vec![],
        };
        assert_eq!(policy.command(&argv(&["touch", "x"]), false, None), CommandDecision::Run);
        assert_eq!(
            policy.command(&argv(&["touch", "/etc/x"]), true, Some("needs /etc")),
            CommandDecision::Ask { reason: Some("needs /etc".into()) }
        );
    }

    #[test]
    fn patches_inside_the_roots_apply_and_others_ask() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&work).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, work.join("link")).unwrap();
        let roots = writable_roots(&work, &[], &[], None, true);
        let policy = Policy {
            approval: ApprovalPolicy::Never,
            sandbox: SandboxMode::WorkspaceWrite,
            writable_roots: roots,
        };
        assert_eq!(policy.patch(&work, &[PathBuf::from("a/new.txt")]), PatchDecision::Apply);
        let git = canonical_join(&work, ".git");
        assert_eq!(
            policy.patch(&work, &[PathBuf::from(".git/config")]),
            PatchDecision::Ask { grant_root: Some(git) }
        );
        let outside = outside.canonicalize().unwrap();
        assert_eq!(
            policy.patch(&work, &[PathBuf::from("../outside/x.txt")]),
            PatchDecision::Ask { grant_root: Some(outside.clone()) }
        );
        assert_eq!(
            policy.patch(&work, &[PathBuf::from("link/x.txt")]),
            PatchDecision::Ask { grant_root: Some(outside.clone()) }
        );
        let read_only = Policy { sandbox: SandboxMode::ReadOnly, ..policy.clone() };
        assert_eq!(
            read_only.patch(&work, &[PathBuf::from("a.txt")]),
            PatchDecision::Ask { grant_root: None }
        );
        let nested = canonical_join(&work, "sub/.git/hooks");
        assert_eq!(
            policy.patch(&work, &[PathBuf::from("sub/.git/hooks/pre-commit")]),
            PatchDecision::Ask { grant_root: Some(nested) },
            "a nested repository is protected too"
        );
        assert_eq!(
            policy.patch(&work, &[PathBuf::from("deep/er/.codex/config.toml")]),
            PatchDecision::Ask { grant_root: Some(canonical_join(&work, "deep/er/.codex")) }
        );
        assert_eq!(
            policy.patch(&work, &[PathBuf::from("a.git/x")]),
            PatchDecision::Apply,
            "names, not suffixes"
        );
        let proc_root = format!("/proc/self/root{}/x.txt", outside.display());
        assert_eq!(
            policy.patch(&work, &[PathBuf::from(proc_root)]),
            PatchDecision::Ask { grant_root: Some(outside.clone()) },
            "a magic link resolves to where it leads"
        );
        let full = Policy { sandbox: SandboxMode::DangerFullAccess, ..policy.clone() };
        assert_eq!(full.patch(&work, &[PathBuf::from("/etc/x")]), PatchDecision::Apply);
        let untrusted = Policy { approval: ApprovalPolicy::Untrusted, ..policy };
        assert_eq!(
            untrusted.patch(&work, &[PathBuf::from("a.txt")]),
            PatchDecision::Ask { grant_root: None }
        );
    }
}
