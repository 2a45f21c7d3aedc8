//! Starting a command so that none of its processes outlives its call, or the runtime.
//!
//! - **A process group per command.** Each command leads a process group of its own, and its
//!   [`ProcessGroup`] kills the whole group (SIGKILL to `-pgid`) when the call ends, however it
//!   ends: the command exited, its timeout passed, the turn was interrupted, or whatever ran it
//!   was dropped. So a command's background children die with it, and nothing it started keeps
//!   running after its call (a process that leaves the group with `setsid` is out of reach).
//! - **The runtime's death kills the command.** The command's process gets
//!   `PR_SET_PDEATHSIG(SIGKILL)` before it `exec`s; the setting survives `exec` (of any binary
//!   that is not set-user-ID or file-capable), so it holds for the sandbox helper and for the
//!   command the helper then `exec`s in the same process. The kernel sends the signal when the
//!   *thread* that forked the child exits, not the process; so every command is forked by one
//!   thread that lives as long as the process ([`keeper`]), never by a tokio worker or blocking
//!   thread that may end sooner. Should the runtime die between the fork and the `prctl`, the
//!   child sees that it was reparented and does not start.
//! - **A guard for the command's children.** The death signal reaches the command's own process
//!   only; the processes it started would be left. So the runtime starts one guard process
//!   ([`guard`], `exec-bridge process-guard`) that holds the list of live groups: each command
//!   announces its group on a socket to the guard from the forked child, before it `exec`s (so
//!   before it can start anything), and the runtime tells the guard when a group is gone. When
//!   the runtime dies, however it dies, the socket closes and the guard kills every group still
//!   listed.

pub mod guard;
mod keeper;

use std::path::Path;
use std::process::Stdio;

use tokio::process::{Child, Command};

/// What to start.
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    /// The program and its arguments.
    pub argv: &'a [String],
    /// The working directory.
    pub cwd: &'a Path,
    /// The whole environment of the command (nothing else is inherited).
    pub env: &'a [(String, String)],
    /// A binary with the `process-guard` entry point (`exec-bridge` itself), to start the guard
    /// with; without one (the first given is used, for the whole process), only the death
    /// signal and the groups protect.
    pub guard: Option<&'a Path>,
}

/// A started command: the child, with stdout and stderr piped and stdin `/dev/null`, and its
/// process group.
pub struct Started {
    /// The command's process.
    pub child: Child,
    /// Its process group, killed when this is dropped.
    pub group: ProcessGroup,
}

/// Starts `launch` in a process group of its own, to die with the runtime; what went wrong when
/// it cannot start.
pub async fn start(launch: Launch<'_>) -> Result<Started, String> {
    start_with_stdin(launch, Stdio::null()).await
}

/// [`start`], with standard input piped: for a server the runtime talks to (an MCP server on
/// stdio), which dies with its [`ProcessGroup`] like any command.
pub async fn start_server(launch: Launch<'_>) -> Result<Started, String> {
    start_with_stdin(launch, Stdio::piped()).await
}

async fn start_with_stdin(launch: Launch<'_>, stdin: Stdio) -> Result<Started, String> {
    let (program, args) = launch.argv.split_first().ok_or_else(|| "empty command".to_owned())?;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(launch.cwd)
        .env_clear()
        .envs(launch.env.iter().map(|(name, value)| (name, value)))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    let runtime = std::process::id();
    // SAFETY: the closure runs in the forked child before `exec`; it only calls `prctl` and
    // `getppid`, which are async-signal-safe, and allocates nothing (its errors are raw OS
    // errors).
    unsafe {
        command.pre_exec(move || die_with(runtime));
    }
    let (child, group) = keeper::spawn(command, launch.guard.map(Path::to_path_buf))
        .await
        .map_err(|e| format!("cannot run `{program}` in {}: {e}", launch.cwd.display()))?;
    Ok(Started { child, group })
}

/// In the child, before `exec`: be killed when the runtime (process `runtime`) dies; fail when it
/// already has.
fn die_with(runtime: u32) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let signal = libc::SIGKILL as libc::c_ulong;
        // SAFETY: PR_SET_PDEATHSIG takes a signal number; the other arguments are unused.
        if unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, signal, 0 as libc::c_ulong, 0 as libc::c_ulong) } != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    // SAFETY: getppid cannot fail.
    let parent = unsafe { libc::getppid() };
    if u32::try_from(parent).ok() != Some(runtime) {
        // The runtime died before the death signal was set: this child was reparented.
        return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
    }
    Ok(())
}

/// The process group a command leads. Dropping it kills every process still in the group, and
/// tells the guard the group is gone.
///
/// While any process of the group lives (a zombie leader included), the kernel gives its id to
/// no other process. Once the leader is reaped and the group empty, the id could be reused, and
/// a later kill would hit a stranger; so the kill follows the reap at once, and the kernel hands
/// out ids in turn (the whole range would have to wrap around in between).
#[derive(Debug)]
pub struct ProcessGroup {
    pgid: libc::pid_t,
}

impl ProcessGroup {
    /// The group `child` leads (it was started with `process_group(0)`). `None` when its id is
    /// unknown (already reaped) or could not be a group's: 0 and 1 would name the caller's own
    /// group and every process, so they are never used.
    fn led_by(child: &Child) -> Option<ProcessGroup> {
        let pgid = libc::pid_t::try_from(child.id()?).ok().filter(|&pid| pid > 1)?;
        Some(ProcessGroup { pgid })
    }

    /// The group's id.
    pub fn id(&self) -> i32 {
        self.pgid
    }

    /// Sends SIGKILL to every process of the group (none left is fine).
    pub fn kill(&self) {
        kill_group(self.pgid);
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
        keeper::release(self.pgid);
    }
}

/// SIGKILL to every process of group `pgid` (never to 0 or 1).
fn kill_group(pgid: libc::pid_t) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals that process group; it touches no memory.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
}

#[cfg(test)]
mod tests;
