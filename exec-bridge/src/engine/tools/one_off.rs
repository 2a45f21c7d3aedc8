//! One command outside any thread (`execOneOffCommand`): run under a sandbox spec (or none),
//! with a timeout, its standard output and standard error kept apart, each bounded. Its process
//! group dies with the call, as a tool call's does.

use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::process::{self, Launch, Started};
use super::shell::{BoundedText, TIMEOUT_EXIT_CODE};
use crate::sandbox::{self, SandboxSpec};

/// What a one-off command left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOffOutput {
    /// Its exit code (124 after the timeout, 128+N after signal N, -1 when it could not start).
    pub exit_code: i32,
    /// Its standard output, bounded.
    pub stdout: String,
    /// Its standard error, bounded (or why it could not start).
    pub stderr: String,
}

/// Where and how to run it.
pub struct OneOff<'a> {
    /// The command, as argv.
    pub argv: &'a [String],
    /// Its working directory.
    pub cwd: &'a Path,
    /// Its whole environment.
    pub env: &'a [(String, String)],
    /// The sandbox, or `None` for none.
    pub sandbox: Option<&'a SandboxSpec>,
    /// The `exec-bridge` binary: the sandbox helper.
    pub helper: &'a Path,
    /// The binary that starts the process guard (see [`Launch::guard`]).
    pub guard: Option<&'a Path>,
    /// How long it may run.
    pub timeout: Duration,
}

/// Runs it to its end or its timeout.
pub async fn run(one: OneOff<'_>) -> OneOffOutput {
    let not_started = |stderr: String| OneOffOutput { exit_code: -1, stdout: String::new(), stderr };
    let argv = match one.sandbox {
        Some(spec) => match sandbox::wrap(one.argv, spec, one.helper) {
            Ok(wrapped) => wrapped,
            Err(e) => return not_started(format!("cannot start the sandbox: {e}")),
        },
        None => one.argv.to_vec(),
    };
    let launch = Launch { argv: &argv, cwd: one.cwd, env: one.env, guard: one.guard };
    let Started { mut child, group } = match process::start(launch).await {
        Ok(started) => started,
        Err(message) => return not_started(message),
    };
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let finished = async {
        let (out, err) = tokio::join!(read_all(stdout), read_all(stderr));
        (child.wait().await.ok(), out, err)
    };
    let output = match tokio::time::timeout(one.timeout, finished).await {
        Ok((status, stdout, stderr)) => OneOffOutput {
            exit_code: status.map_or(-1, exit_code),
            stdout: stdout.text(),
            stderr: stderr.text(),
        },
        Err(_) => OneOffOutput {
            exit_code: TIMEOUT_EXIT_CODE,
            stdout: String::new(),
            stderr: format!("command timed out after {} ms", one.timeout.as_millis()),
        },
    };
    // Whatever it left running in its group goes with it.
    group.kill();
    drop(group);
    output
}

async fn read_all(pipe: Option<impl AsyncRead + Unpin>) -> BoundedText {
    let mut text = BoundedText::default();
    if let Some(mut pipe) = pipe {
        let mut buf = vec![0; 8192];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            text.push(&buf[..n]);
        }
    }
    text
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_here(argv: &[&str], timeout: Duration) -> OneOffOutput {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let env: Vec<(String, String)> = std::env::vars().collect();
        let cwd = std::env::temp_dir();
        let helper = Path::new("/nonexistent");
        run(OneOff { argv: &argv, cwd: &cwd, env: &env, sandbox: None, helper, guard: None, timeout }).await
    }

    #[tokio::test]
    async fn streams_are_kept_apart_and_the_timeout_kills() {
        let output =
            run_here(&["bash", "-c", "echo out; echo err >&2; exit 2"], Duration::from_secs(10)).await;
        assert_eq!(output, OneOffOutput { exit_code: 2, stdout: "out\n".into(), stderr: "err\n".into() });
        let started = std::time::Instant::now();
        let slow = run_here(&["sleep", "5"], Duration::from_millis(100)).await;
        assert_eq!(slow.exit_code, TIMEOUT_EXIT_CODE);
        assert!(started.elapsed() < Duration::from_secs(3));
        let missing = run_here(&["/no/such/program"], Duration::from_secs(1)).await;
        assert_eq!(missing.exit_code, -1);
        assert!(missing.stderr.contains("/no/such/program"), "{}", missing.stderr);
    }
}
