//! The keeper: the one thread that forks every command, so that the death signal of each (tied
//! by the kernel to the forking *thread*) fires only when the process ends. It also owns the
//! pipe to the guard process, telling it of each group that starts and ends.
//!
//! The thread lives as long as the process. A spawn request carries the caller's runtime handle,
//! which the keeper enters so that the tokio child it makes is driven by the caller's runtime.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Stdio};
use std::sync::{mpsc, OnceLock};

use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::ProcessGroup;

/// How often a guard that died is started again, over the life of the process (a helper that
/// lacks the `process-guard` entry point dies at once, and is not worth a process per command).
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

/// The keeper thread's state: the guard, and the groups it must know.
#[derive(Default)]
struct Keeper {
    /// The binary that runs the guard (the first one given).
    guard_binary: Option<PathBuf>,
    /// The running guard and the pipe to it.
    guard: Option<(std::process::Child, ChildStdin)>,
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
        let child = command.spawn()?;
        let Some(group) = ProcessGroup::led_by(&child) else {
            return Err(io::Error::other("the command started, but its process id is unknown"));
        };
        self.live.insert(group.pgid);
        self.tell(&format!("+{}\n", group.pgid));
        Ok((child, group))
    }

    /// Tells the guard of a change to the live groups (`line`); a guard that is not running, or
    /// can no longer be told, is replaced by one that learns every live group.
    fn tell(&mut self, line: &str) {
        if let Some((process, pipe)) = &mut self.guard {
            if pipe.write_all(line.as_bytes()).is_ok() {
                return;
            }
            let _ = process.kill();
            let _ = process.wait();
            self.guard = None;
        }
        self.start_guard();
    }

    /// Starts the guard, if there is a binary for it and it has not died too often, and tells it
    /// every live group.
    fn start_guard(&mut self) {
        let Some(binary) = &self.guard_binary else { return };
        if self.guard_starts >= GUARD_STARTS {
            return;
        }
        self.guard_starts += 1;
        let Ok((mut process, mut pipe)) = start_guard(binary) else { return };
        let all: String = self.live.iter().map(|pgid| format!("+{pgid}\n")).collect();
        if pipe.write_all(all.as_bytes()).is_ok() {
            self.guard = Some((process, pipe));
        } else {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

/// `binary process-guard`, in a process group of its own (so that a terminal's Ctrl-C, meant for
/// the runtime, does not reach it), with an empty environment and only its stdin open.
fn start_guard(binary: &Path) -> io::Result<(std::process::Child, ChildStdin)> {
    use std::os::unix::process::CommandExt;
    let mut process = std::process::Command::new(binary)
        .arg(super::guard::SUBCOMMAND)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()?;
    match process.stdin.take() {
        Some(pipe) => Ok((process, pipe)),
        None => {
            let _ = process.kill();
            let _ = process.wait();
            Err(io::Error::other("the guard's stdin is not a pipe"))
        }
    }
}
