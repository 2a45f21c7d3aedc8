//! Landlock, the second layer under the mounts: file-system access for the sandboxed process,
//! and, with the network off, TCP and abstract Unix sockets.

use std::os::fd::AsFd;

use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, PathBeneath, Ruleset, RulesetAttr, RulesetCreatedAttr,
    RulesetError, RulesetStatus, Scope, ABI,
};

use super::mounts::Root;
use super::SandboxError;

/// The newest file-system ABI this code knows; older kernels get what they support, and a kernel
/// without Landlock makes [`restrict`] fail.
const ABI_USED: ABI = ABI::V5;

/// Whether the kernel offers Landlock.
pub fn available() -> bool {
    // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) gives the ABI version.
    // SAFETY: the call takes no pointer when the attribute is NULL and the size 0.
    let version =
        unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, 1u32) };
    version >= 1
}

/// Restricts the calling thread (and what it `exec`s): reads everywhere, writes beneath `roots`
/// (device nodes excepted) and to `/dev/null` only. Without `network`, TCP `bind`/`connect`
/// and connecting to an abstract Unix socket made outside the sandbox are denied too, where the
/// kernel knows how (Linux 6.7 and 6.12; seccomp denies them first anyway).
pub fn restrict(roots: &[Root], network: bool) -> Result<(), SandboxError> {
    let error = |e: RulesetError| SandboxError::Landlock(e.to_string());
    let mut writable = AccessFs::from_all(ABI_USED);
    writable.remove(AccessFs::MakeChar | AccessFs::MakeBlock);
    let mut ruleset = Ruleset::default().handle_access(AccessFs::from_all(ABI_USED)).map_err(error)?;
    if !network {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(ABI::V4))
            .map_err(error)?
            .scope(Scope::AbstractUnixSocket)
            .map_err(error)?;
    }
    let status = ruleset
        .create()
        .map_err(error)?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(ABI_USED)))
        .map_err(error)?
        .add_rules(path_beneath_rules(["/dev/null"], AccessFs::from_all(ABI_USED)))
        .map_err(error)?
        .add_rules(
            roots.iter().map(|root| Ok::<_, RulesetError>(PathBeneath::new(root.fd.as_fd(), writable))),
        )
        .map_err(error)?
        .restrict_self()
        .map_err(error)?;
    match status.ruleset {
        RulesetStatus::FullyEnforced | RulesetStatus::PartiallyEnforced => Ok(()),
        RulesetStatus::NotEnforced => {
            Err(SandboxError::Landlock("this kernel does not enforce Landlock".into()))
        }
    }
}
