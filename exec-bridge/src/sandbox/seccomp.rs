//! seccomp: no network for the sandboxed process. Creating a socket of any family but
//! `AF_UNIX` fails with `EPERM`; Unix sockets keep working.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
};

use super::SandboxError;

/// Whether the kernel offers seccomp filters.
pub fn available() -> bool {
    // PR_GET_SECCOMP answers 0 (disabled) or 2 (filter) where seccomp exists, EINVAL elsewhere.
    // SAFETY: prctl with PR_GET_SECCOMP reads a process attribute and takes no pointers.
    unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 }
}

/// Installs the filter on the calling thread (it survives `exec`).
pub fn deny_network() -> Result<(), SandboxError> {
    let error = |e: &dyn std::fmt::Display| SandboxError::Seccomp(e.to_string());
    let not_unix = SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, libc::AF_UNIX as u64)
        .map_err(|e| error(&e))?;
    let rule = SeccompRule::new(vec![not_unix]).map_err(|e| error(&e))?;
    let rules = BTreeMap::from([(libc::SYS_socket, vec![rule])]);
    let arch = std::env::consts::ARCH.try_into().map_err(|e| error(&e))?;
    let filter =
        SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Errno(libc::EPERM as u32), arch)
            .map_err(|e| error(&e))?;
    let program: BpfProgram = filter.try_into().map_err(|e: seccompiler::BackendError| error(&e))?;
    seccompiler::apply_filter(&program).map_err(|e| error(&e))
}
