//! No process of a command outlives its call, nor the runtime: through the real binary, a
//! command that starts a background child loses both to its timeout, to an interrupt, to
//! SIGTERM or SIGINT sent to `exec`, to `exec` being killed with SIGKILL, and (the child) to the
//! command's own end.
//!
//! The command writes its pid and its child's to files; a pid counts as alive while `/proc`
//! shows a process that is not a zombie and whose command line is still the one started (so a
//! pid reused by another process does not count).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use test_support::script::{function_call, message};
use test_support::{AppServer, World};

/// Starts a background child, writes both pids, and waits. The command line of each holds a
/// mark: `COMMAND_MARK` for bash, `CHILD_MARK` for the child (both before and after the forked
/// bash `exec`s `sleep 317`).
const SCRIPT: &str = "sleep 317 & echo $! > child.pid; echo $$ > command.pid; wait";
const COMMAND_MARK: &str = "child.pid";
const CHILD_MARK: &str = "317";

/// How long a killed process may take to be gone.
const GONE_WITHIN: Duration = Duration::from_secs(3);

fn shell_with_timeout(script: &str, timeout_ms: u64) -> serde_json::Value {
    function_call("c1", "shell", json!({"command": ["bash", "-c", script], "timeout_ms": timeout_ms}))
}

/// Whether `pid` still runs what was started: not a zombie, and its command line holds `mark`.
fn running(pid: i32, mark: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
    if matches!(state, Some('Z' | 'X') | None) {
        return false;
    }
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    String::from_utf8_lossy(&cmdline).contains(mark)
}

fn ended_within(pid: i32, mark: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while running(pid, mark) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

/// The pid written to `dir/name`, waiting for the file (at most a minute: the binary may be slow
/// to start on a loaded machine).
fn read_pid(dir: &Path, name: &str) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if let Some(pid) = text.strip_suffix('\n').and_then(|t| t.trim().parse().ok()) {
            return pid;
        }
        assert!(Instant::now() < deadline, "the command never wrote {name}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The command's pid and its child's, once written and both running.
fn running_pids(dir: &Path) -> (i32, i32) {
    let (command, child) = (read_pid(dir, "command.pid"), read_pid(dir, "child.pid"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(running(command, COMMAND_MARK) && running(child, CHILD_MARK)) {
        assert!(Instant::now() < deadline, "the command {command} or its child {child} is not running");
        std::thread::sleep(Duration::from_millis(20));
    }
    (command, child)
}

fn assert_both_end(command: i32, child: i32, after: &str) {
    assert!(ended_within(command, COMMAND_MARK, GONE_WITHIN), "the command {command} survived {after}");
    assert!(ended_within(child, CHILD_MARK, GONE_WITHIN), "its child {child} survived {after}");
}

#[test]
fn a_timeout_kills_the_command_and_its_children() {
    let world = World::new(json!([[shell_with_timeout(SCRIPT, 1500)], [message("done")]]));
    let run = world.exec_json(&["-s", "workspace-write", "wait"]);
    run.assert_ok();
    let (command, child) = (read_pid(world.cwd(), "command.pid"), read_pid(world.cwd(), "child.pid"));
    assert_both_end(command, child, "the timeout");
    let output = test_support::tool_output(&world.requests(), "c1");
    assert!(output.contains("timed out") && output.contains("\"exit_code\":124"), "{output}");
}

#[test]
fn what_a_command_leaves_running_is_killed_when_it_ends() {
    let script = "sleep 317 >/dev/null 2>&1 & echo $! > child.pid";
    let world = World::new(json!([[shell_with_timeout(script, 10_000)], [message("done")]]));
    let run = world.exec_json(&["-s", "danger-full-access", "start it"]);
    run.assert_ok();
    let child = read_pid(world.cwd(), "child.pid");
    assert!(ended_within(child, CHILD_MARK, GONE_WITHIN), "the child {child} outlived its command");
}

#[test]
fn an_interrupt_kills_the_command_and_its_children() {
    let world = World::new(json!([[shell_with_timeout(SCRIPT, 120_000)], [message("done")]]));
    let mut server = AppServer::start(&world);
    server.initialize();
    let cwd = world.cwd().display().to_string();
    let thread = server.start_thread(json!({"cwd": cwd, "sandbox": "workspaceWrite"}));
    server.call("turn/start", json!({"threadId": thread, "input": [{"type": "text", "text": "wait"}]}));
    let (command, child) = running_pids(world.cwd());
    server.call("turn/interrupt", json!({"threadId": thread, "turnId": "0"}));
    let completed = server.recv_until(|m| m["method"] == "turn/completed");
    assert_eq!(completed["params"]["turn"]["status"], "interrupted");
    assert_both_end(command, child, "turn/interrupt");
}

/// `exec` running the script under `mode`, its stdout piped; killed if the test fails.
struct Exec(Child);

impl Exec {
    fn start(world: &World, mode: &str) -> Exec {
        let child = world
            .command(["exec", "--experimental-json", "--skip-git-repo-check", "-s", mode, "wait"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        Exec(child)
    }

    /// Waits (bounded) for `exec` to exit; its exit code and stdout.
    fn wait_for_exit(&mut self) -> (Option<i32>, String) {
        let mut stdout = self.0.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "exec did not exit within 20 s");
            std::thread::sleep(Duration::from_millis(20));
        };
        (status.code(), reader.join().unwrap())
    }
}

impl Drop for Exec {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sigterm_or_sigint_to_exec_fails_the_turn_and_kills_the_command() {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let world = World::new(json!([[shell_with_timeout(SCRIPT, 120_000)], [message("done")]]));
        let mut exec = Exec::start(&world, "workspace-write");
        let (command, child) = running_pids(world.cwd());
        let pid = exec.0.id() as i32;
        // SAFETY: kill(2) on the pid of a child process this test started and has not reaped.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let (code, stdout) = exec.wait_for_exit();
        assert_eq!(code, Some(1), "signal {signal}: {stdout}");
        let last = stdout.lines().last().unwrap_or_default();
        assert!(last.contains("\"type\":\"turn.failed\""), "signal {signal}: {stdout}");
        assert_both_end(command, child, &format!("signal {signal} to exec"));
    }
}

#[test]
fn a_killed_exec_takes_its_commands_with_it() {
    for mode in ["workspace-write", "danger-full-access"] {
        let world = World::new(json!([[shell_with_timeout(SCRIPT, 120_000)], [message("done")]]));
        let mut exec = Exec::start(&world, mode);
        let (command, child) = running_pids(world.cwd());
        exec.0.kill().unwrap(); // SIGKILL: no handler runs, no destructor.
        exec.0.wait().unwrap();
        assert_both_end(command, child, &format!("SIGKILL of exec ({mode})"));
    }
}
