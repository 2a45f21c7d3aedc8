//! The `shell` tool: runs a command, with stdout and stderr aggregated in the order they arrive,
//! a timeout, and output kept bounded in memory however much the command prints. The command
//! runs in a process group of its own (see [`super::process`]): its timeout, an interrupt, or
//! the end of the call kills every process in it.

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::process::{self, Launch, Started};

/// How long a command may run when the model does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The exit code reported for a command killed by its timeout (as `timeout(1)` does).
pub const TIMEOUT_EXIT_CODE: i32 = 124;
/// How much of the start and of the end of the output is kept; the middle is dropped.
const KEEP_EACH_END: usize = 64 * 1024;
/// How long a killed command is waited for, to reap it (a process in uninterruptible sleep dies
/// only when it wakes; the runtime does not wait for that).
const REAP_WAIT: Duration = Duration::from_secs(2);

/// The arguments the model passes to `shell`. The field docs are what the model is told.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
pub struct ShellArgs {
    /// The command to execute, as argv.
    #[schemars(with = "Vec<String>")]
    pub command: CommandForm,
    /// The working directory to execute the command in.
    #[serde(default)]
    pub workdir: Option<String>,
    /// The timeout for the command in milliseconds.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub timeout_ms: Option<u64>,
    /// Whether to request running the command without the sandbox.
    #[serde(default)]
    pub with_escalated_permissions: Option<bool>,
    /// Why escalated permissions are needed; shown to the user.
    #[serde(default)]
    pub justification: Option<String>,
}

/// The two forms of `command`: an argv array, or a string run by `bash -lc` (accepted, though
/// the model is told of the array only).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum CommandForm {
    /// `["bash", "-lc", "echo hi"]`.
    Argv(Vec<String>),
    /// `"echo hi"`, run as `bash -lc "echo hi"`.
    Line(String),
}

impl CommandForm {
    /// The argv to execute.
    pub fn argv(&self) -> Vec<String> {
        match self {
            CommandForm::Argv(argv) => argv.clone(),
            CommandForm::Line(line) => vec!["bash".into(), "-lc".into(), line.clone()],
        }
    }
}

/// The command line for display: `bash -lc 'echo hi'`.
pub fn display(argv: &[String]) -> String {
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}

/// What a finished command left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellOutput {
    /// The exit code (124 after a timeout, 128+N after signal N, -1 when it could not start).
    pub exit_code: i32,
    /// Standard output and standard error as they arrived, bounded (see [`BoundedText`]).
    pub aggregated: String,
    /// Standard output alone, bounded alike.
    pub stdout: String,
    /// Standard error alone, bounded alike.
    pub stderr: String,
    /// How long it ran.
    pub duration: Duration,
    /// Whether the timeout killed it.
    pub timed_out: bool,
}

impl ShellOutput {
    /// The output of a command that could not start: `message` says why.
    pub fn not_started(message: String, duration: Duration) -> ShellOutput {
        ShellOutput {
            exit_code: -1,
            stderr: message.clone(),
            aggregated: message,
            stdout: String::new(),
            duration,
            timed_out: false,
        }
    }
}

/// Which pipe of a command output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Text that keeps at most `KEEP_EACH_END` bytes of its start and of its end.
#[derive(Debug, Default)]
pub struct BoundedText {
    head: Vec<u8>,
    tail: std::collections::VecDeque<u8>,
    dropped: usize,
}

impl BoundedText {
    /// Appends bytes.
    pub fn push(&mut self, mut bytes: &[u8]) {
        let room = KEEP_EACH_END.saturating_sub(self.head.len());
        let (to_head, rest) = bytes.split_at(room.min(bytes.len()));
        self.head.extend_from_slice(to_head);
        bytes = rest;
        self.tail.extend(bytes);
        while self.tail.len() > KEEP_EACH_END {
            let excess = self.tail.len() - KEEP_EACH_END;
            self.tail.drain(..excess);
            self.dropped += excess;
        }
    }

    /// The text, with a marker where bytes were dropped.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!("\n[… {} bytes of output omitted …]\n", self.dropped));
        }
        let (a, b) = self.tail.as_slices();
        text.push_str(&String::from_utf8_lossy(&[a, b].concat()));
        text
    }
}

/// Runs `launch`, reporting output chunks to `on_output` as they arrive. Returns when the
/// command exits, its timeout passes, or `cancel` fires; in the last two cases the command's
/// whole process group is killed. Either way, whatever the command left running in its group is
/// killed when this returns (or when this future is dropped).
pub async fn run(
    launch: Launch<'_>,
    timeout: Duration,
    on_output: &mut (dyn FnMut(OutputStream, &[u8]) + Send),
    cancel: &mut tokio::sync::watch::Receiver<bool>,
) -> ShellOutput {
    let started = Instant::now();
    let Started { mut child, group } = match process::start(launch).await {
        Ok(command) => command,
        Err(message) => return ShellOutput::not_started(message, started.elapsed()),
    };
    let mut rx = pump_output(&mut child);

    let mut output = BoundedText::default();
    let (mut stdout, mut stderr) = (BoundedText::default(), BoundedText::default());
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut timed_out = false;
    let mut pipes_open = true;
    let status = loop {
        tokio::select! {
            chunk = rx.recv(), if pipes_open => match chunk {
                Some((stream, bytes)) => {
                    output.push(&bytes);
                    match stream {
                        OutputStream::Stdout => stdout.push(&bytes),
                        OutputStream::Stderr => stderr.push(&bytes),
                    }
                    on_output(stream, &bytes);
                }
                None => pipes_open = false,
            },
            status = child.wait(), if !pipes_open => break status.ok(),
            _ = &mut deadline => {
                timed_out = true;
                break None;
            }
            () = cancelled(cancel) => break None,
        }
    };
    if status.is_none() {
        group.kill();
        let _ = tokio::time::timeout(REAP_WAIT, child.wait()).await;
    }
    // The command is over: nothing it started outlives its call.
    drop(group);
    let exit_code = match (timed_out, status) {
        (true, _) => TIMEOUT_EXIT_CODE,
        (false, Some(status)) => exit_code(status),
        (false, None) => 130,
    };
    if timed_out {
        output.push(format!("\ncommand timed out after {} ms\n", timeout.as_millis()).as_bytes());
    }
    ShellOutput {
        exit_code,
        aggregated: output.text(),
        stdout: stdout.text(),
        stderr: stderr.text(),
        duration: started.elapsed(),
        timed_out,
    }
}

/// Reads both pipes of `child` as they fill; the chunks arrive in the order they were read, and
/// the channel closes when both pipes have.
fn pump_output(child: &mut tokio::process::Child) -> mpsc::Receiver<(OutputStream, Vec<u8>)> {
    let (tx, rx) = mpsc::channel::<(OutputStream, Vec<u8>)>(64);
    for pipe in [child.stdout.take().map(Pipe::Out), child.stderr.take().map(Pipe::Err)].into_iter().flatten()
    {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut buf = vec![0; 8192];
            let mut reader = pipe;
            let stream = reader.stream();
            while let Ok(n) = reader.read(&mut buf).await {
                if n == 0 || tx.send((stream, buf[..n].to_vec())).await.is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// Resolves once `cancel` turns `true` (at once if it is already); never if nobody can turn it.
pub async fn cancelled(cancel: &mut tokio::sync::watch::Receiver<bool>) {
    if cancel.wait_for(|&interrupted| interrupted).await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// Either pipe of the child, read alike.
enum Pipe {
    Out(tokio::process::ChildStdout),
    Err(tokio::process::ChildStderr),
}

impl Pipe {
    fn stream(&self) -> OutputStream {
        match self {
            Pipe::Out(_) => OutputStream::Stdout,
            Pipe::Err(_) => OutputStream::Stderr,
        }
    }

    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Pipe::Out(out) => out.read(buf).await,
            Pipe::Err(err) => err.read(buf).await,
        }
    }
}

/// The tool output the model gets: JSON with the (further shortened) output and metadata.
pub fn model_output(output: &ShellOutput) -> String {
    serde_json::json!({
        "output": shortened(&output.aggregated),
        "metadata": {"exit_code": output.exit_code, "duration_seconds": (output.duration.as_secs_f64() * 10.0).round() / 10.0}
    })
    .to_string()
}

/// The output as the model is shown it: at most 8 KiB of its start and of its end, with a
/// marker where the middle was dropped.
pub fn shortened(text: &str) -> String {
    const KEEP: usize = 8 * 1024;
    if text.len() > 2 * KEEP {
        let head = &text[..floor_char_boundary(text, KEEP)];
        let tail = &text[floor_char_boundary(text, text.len() - KEEP)..];
        format!("{head}\n[… {} bytes omitted …]\n{tail}", text.len() - head.len() - tail.len())
    } else {
        text.to_owned()
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        std::env::vars().collect()
    }

    async fn run_here(
        argv: &[&str],
        timeout: Duration,
        on_output: &mut (dyn FnMut(OutputStream, &[u8]) + Send),
    ) -> ShellOutput {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let (env, cwd) = (env(), std::env::temp_dir());
        let launch = Launch { argv: &argv, cwd: &cwd, env: &env, guard: None };
        run(launch, timeout, on_output, &mut cancel()).await
    }

    fn cancel() -> tokio::sync::watch::Receiver<bool> {
        let (tx, rx) = tokio::sync::watch::channel(false);
        std::mem::forget(tx);
        rx
    }

    #[tokio::test]
    async fn output_of_both_streams_in_arrival_order_and_the_exit_code() {
        let argv = ["bash", "-c", "echo out; sleep 0.05; echo err >&2; sleep 0.05; echo out2; exit 3"];
        let mut seen = String::new();
        let output =
            run_here(&argv, DEFAULT_TIMEOUT, &mut |_, s| seen.push_str(&String::from_utf8_lossy(s))).await;
        assert_eq!(output.aggregated, "out\nerr\nout2\n");
        assert_eq!(seen, output.aggregated);
        assert_eq!((output.exit_code, output.timed_out), (3, false));
    }

    #[tokio::test]
    async fn a_timeout_kills_the_command() {
        let output = run_here(&["sleep", "5"], Duration::from_millis(100), &mut |_, _| {}).await;
        assert_eq!((output.exit_code, output.timed_out), (TIMEOUT_EXIT_CODE, true));
        assert!(output.duration < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn huge_output_stays_bounded() {
        let argv = ["bash", "-c", "head -c 5000000 /dev/zero | tr '\\0' a; echo END"];
        let output = run_here(&argv, DEFAULT_TIMEOUT, &mut |_, _| {}).await;
        assert!(output.aggregated.len() < 3 * KEEP_EACH_END, "{}", output.aggregated.len());
        assert!(output.aggregated.ends_with("END\n"));
        assert!(output.aggregated.contains("bytes of output omitted"));
        assert!(model_output(&output).len() < 20_000);
    }

    #[test]
    fn both_command_forms() {
        let args: ShellArgs = serde_json::from_str(r#"{"command":"echo hi"}"#).unwrap();
        assert_eq!(args.command.argv(), ["bash", "-lc", "echo hi"]);
        let args: ShellArgs =
            serde_json::from_str(r#"{"command":["ls","-l"],"workdir":"src","timeout_ms":5}"#).unwrap();
        assert_eq!(args.command.argv(), ["ls", "-l"]);
        assert_eq!(display(&["bash".into(), "-lc".into(), "echo hi".into()]), "bash -lc 'echo hi'");
    }
}
