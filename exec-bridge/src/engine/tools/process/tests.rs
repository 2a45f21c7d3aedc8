//! The process group, the keeper thread and the guard's bookkeeping.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;

fn env() -> Vec<(String, String)> {
    std::env::vars().collect()
}

/// Whether process `pid` has ended: no longer in `/proc`, or a zombie (it has exited but its
/// parent has not reaped it yet).
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => true,
    }
}

fn gone_within(pid: i32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    gone(pid)
}

/// Starts `script` under bash; the first line it prints, read as a pid.
async fn start_and_read_pid(script: &str, dir: &Path) -> (Started, i32) {
    let argv = ["bash".to_owned(), "-c".to_owned(), script.to_owned()];
    let env = env();
    let launch = Launch { argv: &argv, cwd: dir, env: &env, guard: None };
    let mut started = start(launch).await.unwrap();
    let mut stdout = started.child.stdout.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    use tokio::io::AsyncReadExt;
    while stdout.read(&mut byte).await.unwrap() == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    let pid = String::from_utf8(line).unwrap().trim().parse().unwrap();
    (started, pid)
}

#[tokio::test]
async fn dropping_the_group_kills_the_commands_children() {
    let dir = tempfile::tempdir().unwrap();
    let (started, child_pid) = start_and_read_pid("sleep 300 & echo $!; wait", dir.path()).await;
    let leader = started.child.id().unwrap() as i32;
    assert_eq!(started.group.id(), leader, "the command leads its group");
    assert!(!gone(child_pid));
    drop(started);
    assert!(gone_within(child_pid, Duration::from_secs(5)), "the background child {child_pid} survived");
}

#[tokio::test]
async fn the_environment_is_exactly_the_one_given() {
    let dir = tempfile::tempdir().unwrap();
    let argv = ["/usr/bin/env".to_owned()];
    let env = [("ONLY".to_owned(), "this".to_owned())];
    let started = start(Launch { argv: &argv, cwd: dir.path(), env: &env, guard: None }).await.unwrap();
    let output = started.child.wait_with_output().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "ONLY=this\n");
}

/// The death signal is tied to the thread that forked the child: a command started from a
/// thread that then ends must live on (the keeper forks it, not the caller's thread).
#[test]
fn a_command_outlives_the_thread_that_asked_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let (runtime, started) = std::thread::spawn(move || {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let started = runtime.block_on(start_and_read_pid("echo $$; sleep 300", &path)).0;
        (runtime, started)
    })
    .join()
    .unwrap();
    let pid = started.child.id().unwrap() as i32;
    std::thread::sleep(Duration::from_millis(300));
    assert!(!gone(pid), "the command died with the thread that asked for it");
    let _entered = runtime.enter();
    drop(started);
    assert!(gone_within(pid, Duration::from_secs(5)));
}

#[test]
fn the_guard_keeps_the_groups_not_released() {
    let input = "+100\n+200\n-100\n+300\nnoise\n+1\n+0\n-300\n+400";
    assert_eq!(live_groups_of(input), [200, 400]);
    assert!(live_groups_of("").is_empty());
}

fn live_groups_of(input: &str) -> Vec<i32> {
    guard::live_groups(input.as_bytes()).into_iter().collect()
}
