//! Landlock: file-system access for the sandboxed process.

use std::path::PathBuf;

use landlock::{
    path_beneath_rules, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, ABI,
};

use super::SandboxError;

/// The newest ABI this code knows; older kernels get what they support, and a kernel without
/// Landlock makes [`restrict`] fail.
const ABI_USED: ABI = ABI::V5;

/// Whether the kernel offers Landlock.
pub fn available() -> bool {
    // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) gives the ABI version.
    // SAFETY: the call takes no pointer when the attribute is NULL and the size 0.
    let version =
        unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, 1u32) };
    version >= 1
}

/// Restricts the calling thread (and what it `exec`s): reads everywhere, writes beneath
/// `writable_roots` and to `/dev/null` only.
pub fn restrict(writable_roots: &[PathBuf]) -> Result<(), SandboxError> {
    let error = |e: landlock::RulesetError| SandboxError::Landlock(e.to_string());
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(ABI_USED))
        .map_err(error)?
        .create()
        .map_err(error)?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(ABI_USED)))
        .map_err(error)?
        .add_rules(path_beneath_rules(["/dev/null"], AccessFs::from_all(ABI_USED)))
        .map_err(error)?
        .add_rules(path_beneath_rules(writable_roots, AccessFs::from_all(ABI_USED)))
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
