//! The keeper: the one thread that forks every command, so that the death signal of each (tied
//! by the kernel to the forking *thread*) fires only when the process ends. It also owns the
//! guard process and the socket to it.
//!
//! A command announces its own group to the guard, from the forked child before it `exec`s: so
//! the guard knows the group before the command runs anything, and a runtime killed right after
//! the spawn still leaves nothing behind. The keeper tells the guard when a group is gone, and
//! tells a guard it had to start again every group alive.
//!
//! The thread lives as long as the process. A spawn request carries the caller's runtime handle,
//! which the keeper enters so that the tokio child it makes is driven by the caller's runtime.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{mpsc, OnceLock};

use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::ProcessGroup;

/// How often the guard is started over the life of the process (a helper that lacks the
/// `process-guard` entry point dies at once, and is not worth a process per command).
const GUARD_STARTS: u32 = 3;

/// What the keeper is asked to do.
enum Request {
    /// Start `command` (in the caller's `runtime`), and answer with the child and its group.
    Spawn {
        command: Box<Command>,
        runtime: Handle,
        guard: Option<PathBuf>,
        reply: oneshot::Sender<io::Result<(Child, ProcessGroup)>>,
    },
    /// The group has been killed: the guard can forget it.
    Release(libc::pid_t),
}

/// Starts `command` on the keeper thread; the child and the group it leads.
pub(super) async fn spawn(command: Command, guard: Option<PathBuf>) -> io::Result<(Child, ProcessGroup)> {
    let runtime = Handle::try_current().map_err(io::Error::other)?;
    let keeper = keeper().ok_or_else(|| io::Error::other("the thread that starts commands cannot start"))?;
    let (reply, answer) = oneshot::channel();
    keeper
        .send(Request::Spawn { command: Box::new(command), runtime, guard, reply })
        .map_err(|_| io::Error::other("the thread that starts commands has stopped"))?;
    answer.await.map_err(|_| io::Error::other("the thread that starts commands has stopped"))?
}

/// Tells the guard that group `pgid` is gone (it was killed).
pub(super) fn release(pgid: libc::pid_t) {
    if let Some(keeper) = KEEPER.get().and_then(Option::as_ref) {
        let _ = keeper.send(Request::Release(pgid));
    }
}

static KEEPER: OnceLock<Option<mpsc::Sender<Request>>> = OnceLock::new();

/// The keeper thread's queue, the thread started on first use; `None` if it could not start.
fn keeper() -> Option<&'static mpsc::Sender<Request>> {
    KEEPER
        .get_or_init(|| {
            let (sender, requests) = mpsc::channel();
            std::thread::Builder::new()
                .name("exec-bridge command keeper".into())
                .spawn(move || Keeper::default().serve(requests))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

/// The keeper thread's state: the guard, and the groups alive.
#[derive(Default)]
struct Keeper {
    /// The binary that runs the guard (the first one given).
    guard_binary: Option<PathBuf>,
    /// The running guard, and the socket to it.
    guard: Option<(std::process::Child, UnixStream)>,
    guard_starts: u32,
    /// The groups alive (not yet released).
    live: BTreeSet<libc::pid_t>,
}

impl Keeper {
    fn serve(mut self, requests: mpsc::Receiver<Request>) {
        for request in requests {
            match request {
                Request::Spawn { command, runtime, guard, reply } => {
                    let _entered = runtime.enter();
                    if self.guard_binary.is_none() {
                        self.guard_binary = guard;
                    }
                    let started = self.spawn(*command);
                    // A caller gone meanwhile drops the child (and so kills its group) here.
                    drop(reply.send(started));
                }
                Request::Release(pgid) => {
                    if self.live.remove(&pgid) {
                        self.tell(&format!("-{pgid}\n"));
                    }
                }
            }
        }
    }

    fn spawn(&mut self, mut command: Command) -> io::Result<(Child, ProcessGroup)> {
        if let Some(socket) = self.running_guard() {
            let fd = socket.as_raw_fd();
            // SAFETY: the closure runs in the forked child before `exec`; `announce` only calls
            // `getpid` and `send`, which are async-signal-safe, on a stack buffer. `fd` is open
            // in the child: the socket is closed on `exec` only, and this thread holds it for
            // the whole spawn.
            unsafe {
                command.pre_exec(move || {
                    announce(fd);
                    Ok(())
                });
            }
        }
        let child = command.spawn()?;
        let Some(group) = ProcessGroup::led_by(&child) else {
            return Err(io::Error::other("the command started, but its process id is unknown"));
        };
        self.live.insert(group.pgid);
        Ok((child, group))
    }

    /// The socket to the guard, started (again) if it is not running.
    fn running_guard(&mut self) -> Option<&UnixStream> {
        if let Some((process, _)) = &mut self.guard {
            if !matches!(process.try_wait(), Ok(None)) {
                self.guard = None;
            }
        }
        if self.guard.is_none() {
            self.start_guard();
        }
        self.guard.as_ref().map(|(_, socket)| socket)
    }

    /// Tells the guard of a change to the live groups (`line`); a guard that can no longer be
    /// told is replaced by one that learns every live group.
    fn tell(&mut self, line: &str) {
        if let Some((process, socket)) = &mut self.guard {
            if socket.write_all(line.as_bytes()).is_ok() {
                return;
            }
            let _ = process.kill();
            let _ = process.wait();
            self.guard = None;
        }
        self.start_guard();
    }

    /// Starts the guard, if there is a binary for it and it has not been started too often, and
    /// tells it every live group.
    fn start_guard(&mut self) {
        let Some(binary) = &self.guard_binary else { return };
        if self.guard_starts >= GUARD_STARTS {
            return;
        }
        self.guard_starts += 1;
        let Ok((mut process, mut socket)) = start_guard(binary) else { return };
        let all: String = self.live.iter().map(|pgid| format!("+{pgid}\n")).collect();
        if socket.write_all(all.as_bytes()).is_ok() {
            self.guard = Some((process, socket));
        } else {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

/// `binary process-guard`, reading a socket on its stdin, in a process group of its own (so that
/// a terminal's Ctrl-C, meant for the runtime, does not reach it), with an empty environment.
fn start_guard(binary: &Path) -> io::Result<(std::process::Child, UnixStream)> {
    use std::os::unix::process::CommandExt;
    let (ours, theirs) = UnixStream::pair()?;
    let process = std::process::Command::new(binary)
        .arg(super::guard::SUBCOMMAND)
        .env_clear()
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()?;
    Ok((process, ours))
}

/// In the forked child: tells the guard on `fd` that this process's group (its pid: the command
/// leads its group) is alive. Failure is ignored (the keeper finds a dead guard and starts
/// another, which learns every live group); `MSG_NOSIGNAL` keeps a dead guard from killing the
/// child with SIGPIPE.
fn announce(fd: RawFd) {
    // SAFETY: getpid cannot fail.
    let pid = unsafe { libc::getpid() };
    let mut buffer = [0u8; 16];
    let line = announcement(pid, &mut buffer);
    // SAFETY: `line` is valid for its length; a bad `fd` only makes `send` fail.
    unsafe { libc::send(fd, line.as_ptr().cast(), line.len(), libc::MSG_NOSIGNAL) };
}

/// `+PID\n` in `buffer`, without allocating (it runs between fork and exec).
fn announcement(pid: libc::pid_t, buffer: &mut [u8; 16]) -> &[u8] {
    let mut digits = [0u8; 10];
    let mut rest = pid.unsigned_abs();
    let mut count = 0;
    loop {
        digits[count] = b'0' + (rest % 10) as u8;
        count += 1;
        rest /= 10;
        if rest == 0 || count == digits.len() {
            break;
        }
    }
    buffer[0] = b'+';
    for i in 0..count {
        buffer[1 + i] = digits[count - 1 - i];
    }
    buffer[1 + count] = b'\n';
    &buffer[..count + 2]
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_announcement_is_a_plus_line() {
        for pid in [2, 10, 4_194_304, i32::MAX] {
            let mut buffer = [0u8; 16];
            assert_eq!(super::announcement(pid, &mut buffer), format!("+{pid}\n").as_bytes());
        }
    }
}
