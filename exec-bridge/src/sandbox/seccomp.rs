//! seccomp: the system calls a sandboxed command may not make. Each fails with `EPERM` (the
//! command sees an error it can report; nothing is killed), except `clone3`, which fails with
//! `ENOSYS` so that the C library falls back to `clone`, whose flags the filter can read.
//!
//! Always denied (read-only and workspace-write alike): see [`ALWAYS`], plus `mknod`/`mknodat`
//! of a character or block device (FIFOs and sockets may be made), `clone` with a namespace
//! flag, and the terminal-injecting `ioctl`s `TIOCSTI`/`TIOCLINUX`. These are denied once the
//! sandbox is in place (the filter is the last step before `exec`), so that a command cannot
//! undo the mounts or the namespaces.
//!
//! With the network off, no socket at all can be made with `socket()` (Unix ones included:
//! a Unix socket reaches any listening daemon, by path or in the abstract namespace, and the
//! runtime itself), and `connect`, `bind`, `listen` and `sendto` with an address fail.
//! `socketpair` stays allowed, stream and seqpacket only, so that tools which talk to their own
//! children over a pair keep working: the kernel refuses an address on those
//! (`EISCONN`/`EOPNOTSUPP`), or ignores it, so `sendmsg` need not be filtered. A datagram pair
//! (`SOCK_DGRAM`, or `SOCK_RAW`, which AF_UNIX makes a datagram socket) is denied: it would
//! accept an address; so is a pair of any other family.
//!
//! On x86-64 the x32 system-call numbers (`nr | 0x40000000`), which would bypass every rule
//! above, are denied as a whole.

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
    TargetArch,
};

use super::SandboxError;

/// Denied whatever the arguments.
const ALWAYS: &[libc::c_long] = &[
    // io_uring does its I/O from kernel workers that seccomp never sees (IORING_OP_SOCKET,
    // _CONNECT, _SEND, _OPENAT…): it would bypass every other rule.
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
    // Another process's memory and descriptors (the runtime's, above all).
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_pidfd_getfd,
    // Kernel keyrings, BPF, performance counters, userfaultfd: kernel attack surface no build
    // or test needs.
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_userfaultfd,
    // Undoing the sandbox: namespaces, mounts (old and new API), changing the root.
    libc::SYS_unshare,
    libc::SYS_setns,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
    // Opening a file by handle skips the path walk (and with it, the mounts).
    libc::SYS_open_by_handle_at,
    // What only root could do, to the machine itself.
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_reboot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_sethostname,
    libc::SYS_setdomainname,
    libc::SYS_acct,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_iopl,
    #[cfg(target_arch = "x86_64")]
    libc::SYS_ioperm,
];

/// Denied without network access, whatever the arguments.
const NO_NETWORK: &[libc::c_long] = &[libc::SYS_socket, libc::SYS_connect, libc::SYS_bind, libc::SYS_listen];

/// The `clone` flags that make a new namespace.
const NAMESPACE_FLAGS: [libc::c_int; 7] = [
    libc::CLONE_NEWNS,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWCGROUP,
];

/// Whether the kernel offers seccomp filters.
pub fn available() -> bool {
    // PR_GET_SECCOMP answers 0 (disabled) or 2 (filter) where seccomp exists, EINVAL elsewhere.
    // SAFETY: prctl with PR_GET_SECCOMP reads a process attribute and takes no pointers.
    unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 }
}

fn error(e: &dyn std::fmt::Display) -> SandboxError {
    SandboxError::Seccomp(e.to_string())
}

/// A rule that holds when argument `arg` (`len` wide) compares to `value` by `op`.
fn when(arg: u8, len: SeccompCmpArgLen, op: SeccompCmpOp, value: u64) -> Result<SeccompRule, SandboxError> {
    let condition = SeccompCondition::new(arg, len, op, value).map_err(|e| error(&e))?;
    SeccompRule::new(vec![condition]).map_err(|e| error(&e))
}

/// A rule that holds when the bits of `value` are all set in argument `arg`.
fn has_bits(arg: u8, mask: u64, value: u64) -> Result<SeccompRule, SandboxError> {
    when(arg, SeccompCmpArgLen::Dword, SeccompCmpOp::MaskedEq(mask), value)
}

/// Every rule of the `EPERM` filter; an empty list denies the call whatever its arguments.
fn denied(network: bool) -> Result<BTreeMap<i64, Vec<SeccompRule>>, SandboxError> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = ALWAYS.iter().map(|nr| (*nr, vec![])).collect();
    let device = |arg: u8| -> Result<Vec<SeccompRule>, SandboxError> {
        let kind = u64::from(libc::S_IFMT);
        Ok(vec![has_bits(arg, kind, libc::S_IFCHR.into())?, has_bits(arg, kind, libc::S_IFBLK.into())?])
    };
    #[cfg(target_arch = "x86_64")]
    rules.insert(libc::SYS_mknod, device(1)?);
    rules.insert(libc::SYS_mknodat, device(2)?);
    let namespaces =
        NAMESPACE_FLAGS.iter().map(|f| has_bits(0, *f as u64, *f as u64)).collect::<Result<_, _>>()?;
    rules.insert(libc::SYS_clone, namespaces);
    // `libc::Ioctl` is `c_ulong` with glibc but `c_int` with musl.
    #[allow(clippy::unnecessary_cast)]
    let ioctl = |request: libc::Ioctl| when(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, request as u64);
    rules.insert(libc::SYS_ioctl, vec![ioctl(libc::TIOCSTI)?, ioctl(libc::TIOCLINUX)?]);
    if !network {
        rules.extend(NO_NETWORK.iter().map(|nr| (*nr, vec![])));
        // Any family but AF_UNIX, and datagram pairs (AF_UNIX treats SOCK_RAW as SOCK_DGRAM).
        let not_unix = when(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, libc::AF_UNIX as u64)?;
        let datagram = has_bits(1, 0xf, libc::SOCK_DGRAM as u64)?;
        rules
            .insert(libc::SYS_socketpair, vec![not_unix, datagram, has_bits(1, 0xf, libc::SOCK_RAW as u64)?]);
        rules.insert(libc::SYS_sendto, vec![when(4, SeccompCmpArgLen::Qword, SeccompCmpOp::Ne, 0)?]);
    }
    Ok(rules)
}

/// A filter that answers `errno` to the calls `rules` match, and lets everything else through.
fn program(
    rules: BTreeMap<i64, Vec<SeccompRule>>,
    errno: i32,
    arch: TargetArch,
) -> Result<BpfProgram, SandboxError> {
    let action = SeccompAction::Errno(errno as u32);
    let filter = SeccompFilter::new(rules, SeccompAction::Allow, action, arch).map_err(|e| error(&e))?;
    filter.try_into().map_err(|e: seccompiler::BackendError| error(&e))
}

/// Installs the filters on the calling thread (they survive `exec`, and cannot be removed).
pub fn install(network: bool) -> Result<(), SandboxError> {
    let arch: TargetArch = std::env::consts::ARCH.try_into().map_err(|e| error(&e))?;
    let no_clone3 = program(BTreeMap::from([(libc::SYS_clone3, vec![])]), libc::ENOSYS, arch)?;
    let mut programs = vec![no_clone3, program(denied(network)?, libc::EPERM, arch)?];
    #[cfg(target_arch = "x86_64")]
    programs.push(no_x32());
    for program in &programs {
        seccompiler::apply_filter(program).map_err(|e| error(&e))?;
    }
    Ok(())
}

/// On x86-64, `EPERM` for every x32 system call (number with bit 30 set).
#[cfg(target_arch = "x86_64")]
fn no_x32() -> BpfProgram {
    use seccompiler::sock_filter;
    const X32_BIT: u32 = 0x4000_0000;
    /// `AUDIT_ARCH_X86_64` (linux/audit.h): `EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE`.
    const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
    let stmt = |code: u32, k: u32| sock_filter { code: code as u16, jt: 0, jf: 0, k };
    let jump = |code: u32, k: u32, jt: u8, jf: u8| sock_filter { code: code as u16, jt, jf, k };
    vec![
        stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 4), // seccomp_data.arch
        jump(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        stmt(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0), // seccomp_data.nr
        jump(libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K, X32_BIT, 0, 1),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ERRNO | libc::EPERM as u32),
        stmt(libc::BPF_RET | libc::BPF_K, libc::SECCOMP_RET_ALLOW),
    ]
}
