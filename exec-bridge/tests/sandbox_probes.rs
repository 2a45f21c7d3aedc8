//! The adversarial suite: each probe is a command that tries one way out of the sandbox, run by
//! the real binary as the model's command, under workspace-write, under read-only, and under
//! danger-full-access. It must be stopped under both sandboxes, and must work unconfined (which
//! proves the probe itself works). A probe that cannot work here even unconfined (it needs root,
//! or the kernel forbids it to everyone) is reported as such and not counted.
//!
//! With `AGENTWIRE_PROBE_ADDON` set to the built napi addon, the same probes run through the
//! engine embedded in a Node process (`bindings/node/test/exec-shim.mjs`) instead of the binary:
//! embedding must confine exactly as much (`scripts/test.sh` runs both).
//!
//! Workspace-write runs with `/tmp` as a writable root (the default), so that `CODEX_HOME` (the
//! world's scratch home in `/tmp`) lies in a root; the "outside" directory is in the first of
//! Cargo's target directory, `/var/tmp` and `$HOME` that is not under `/tmp` or `$TMPDIR` (a
//! fresh clone may well live under `/tmp`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::net::{TcpListener, UdpSocket};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{SocketAddr, UnixDatagram, UnixListener};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use test_support::script::{message, shell};
use test_support::{tool_output, World};

/// How to tell from outside that a probe got through (besides its exit code 0).
type Effect = Box<dyn Fn(&Setting) -> bool>;

/// What a probe does, where, and how to tell it got through.
struct Probe {
    name: &'static str,
    argv: Vec<String>,
    /// Whether its effect is visible (besides exit code 0); `None`: the exit code says it all.
    effect: Option<Effect>,
    /// Why it cannot work here even without a sandbox, if so.
    impossible: Option<String>,
}

/// A directory outside every writable root of the probe runs: not under `/tmp` nor `$TMPDIR`.
fn outside_base() -> PathBuf {
    let roots: Vec<PathBuf> = ["/tmp".into(), std::env::var("TMPDIR").unwrap_or_default()]
        .iter()
        .filter(|root| !root.is_empty())
        .filter_map(|root| Path::new(root).canonicalize().ok())
        .collect();
    let candidates = [
        Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR"))),
        Some(PathBuf::from("/var/tmp")),
        std::env::var_os("HOME").map(PathBuf::from),
    ];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|dir| dir.canonicalize().ok())
        .find(|dir| !roots.iter().any(|root| dir.starts_with(root)) && tempfile::tempdir_in(dir).is_ok())
        .expect("a writable directory outside /tmp and $TMPDIR (the target directory, /var/tmp or $HOME)")
}

/// Everything one run of the probes points at: an outside directory with victims, and
/// listening sockets outside the sandbox.
struct Setting {
    outside: tempfile::TempDir,
    _unix: UnixListener,
    _abstract: UnixListener,
    abstract_name: String,
    /// One receiving datagram socket per socketpair probe, named by its socket type.
    datagram: Vec<(&'static str, UnixDatagram)>,
    tcp: TcpListener,
    udp: UdpSocket,
    world: World,
}

impl Setting {
    fn new(mode: &str) -> Setting {
        let outside = tempfile::tempdir_in(outside_base()).unwrap();
        for victim in ["chmod", "chown", "utime", "hardlink", "symlink"] {
            std::fs::write(outside.path().join(victim), "safe\n").unwrap();
        }
        let abstract_name = format!("agentwire-probe-{}-{mode}", std::process::id());
        let abstract_addr = SocketAddr::from_abstract_name(abstract_name.as_bytes()).unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        udp.set_nonblocking(true).unwrap();
        let datagram = ["SOCK_DGRAM", "SOCK_RAW"]
            .map(|kind| {
                let socket = UnixDatagram::bind(outside.path().join(kind)).unwrap();
                socket.set_nonblocking(true).unwrap();
                (kind, socket)
            })
            .into();
        Setting {
            _unix: UnixListener::bind(outside.path().join("sock")).unwrap(),
            _abstract: UnixListener::bind_addr(&abstract_addr).unwrap(),
            abstract_name,
            datagram,
            tcp: TcpListener::bind("127.0.0.1:0").unwrap(),
            udp,
            outside,
            world: World::new(json!([])),
        }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.outside.path().join(name)
    }

    fn victim(&self, name: &str) -> String {
        std::fs::read_to_string(self.out(name)).unwrap_or_default()
    }
}

fn bash(script: &str) -> Vec<String> {
    vec!["bash".into(), "-c".into(), script.into()]
}

fn python(code: &str) -> Vec<String> {
    vec!["python3".into(), "-c".into(), code.into()]
}

/// Python that makes a raw system call and exits 0 when it returns `>= 0`.
fn syscall_probe(setup: &str, call: &str) -> Vec<String> {
    python(&format!(
        "import ctypes, os, sys\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n{setup}\nr = {call}\nprint('result', r, 'errno', ctypes.get_errno())\nsys.exit(0 if r >= 0 else 1)"
    ))
}

fn is_root() -> bool {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() == 0 }
}

fn probe(name: &'static str, argv: Vec<String>, effect: Option<Effect>) -> Probe {
    Probe { name, argv, effect, impossible: None }
}

fn network_probes(s: &Setting) -> Vec<Probe> {
    let unix = format!(
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({:?})",
        s.out("sock").display().to_string()
    );
    let abstract_ =
        format!("import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('\\0{}')", s.abstract_name);
    let tcp = format!(
        "import socket\nsocket.create_connection(('127.0.0.1', {}), timeout=10)",
        s.tcp.local_addr().unwrap().port()
    );
    let udp = format!(
        "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'probe', ('127.0.0.1', {}))",
        s.udp.local_addr().unwrap().port()
    );
    let pair = |kind: &str| {
        format!(
            "import socket\na, b = socket.socketpair(socket.AF_UNIX, socket.{kind})\na.sendmsg([b'probe'], [], 0, {:?})",
            s.out(kind).display().to_string()
        )
    };
    let received = |kind: &'static str| -> Option<Effect> {
        Some(Box::new(move |s: &Setting| {
            s.datagram.iter().any(|(k, socket)| *k == kind && socket.recv(&mut [0; 16]).is_ok())
        }))
    };
    let netlink = "import socket\ns = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)\ns.bind((0, 0))";
    let io_uring = syscall_probe(
        "params = ctypes.create_string_buffer(120)",
        &format!("libc.syscall({}, 8, params)", libc::SYS_io_uring_setup),
    );
    let mut io_uring = probe("io_uring_setup", io_uring, None);
    let disabled = std::fs::read_to_string("/proc/sys/kernel/io_uring_disabled").unwrap_or_default();
    if disabled.trim() == "2" || (disabled.trim() == "1" && !is_root()) {
        io_uring.impossible = Some("kernel.io_uring_disabled forbids io_uring here".into());
    }
    vec![
        probe("unix socket connect, by path outside the roots", python(&unix), None),
        probe("unix socket connect, abstract", python(&abstract_), None),
        probe("tcp connect to 127.0.0.1", python(&tcp), None),
        probe(
            "udp send to 127.0.0.1",
            python(&udp),
            Some(Box::new(|s: &Setting| s.udp.recv(&mut [0; 16]).is_ok())),
        ),
        probe(
            "datagram socketpair, sendmsg to a socket outside",
            python(&pair("SOCK_DGRAM")),
            received("SOCK_DGRAM"),
        ),
        probe(
            "SOCK_RAW socketpair, sendmsg to a socket outside",
            python(&pair("SOCK_RAW")),
            received("SOCK_RAW"),
        ),
        probe("netlink socket", python(netlink), None),
        io_uring,
    ]
}

fn process_probes() -> Vec<Probe> {
    let seize = syscall_probe("", &format!("libc.syscall({}, 0x4206, os.getppid(), 0, 0)", libc::SYS_ptrace));
    let read_memory = syscall_probe(
        "class iovec(ctypes.Structure):\n    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]\nppid = os.getppid()\nstart = int(open(f'/proc/{ppid}/maps').readline().split('-')[0], 16)\nbuf = ctypes.create_string_buffer(8)\nlocal = iovec(ctypes.cast(buf, ctypes.c_void_p), 8)\nremote = iovec(start, 8)",
        &format!("libc.syscall({}, ppid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)", libc::SYS_process_vm_readv),
    );
    let unshare = syscall_probe("", &format!("libc.syscall({}, 0x10000000)", libc::SYS_unshare));
    let add_key = syscall_probe(
        "",
        &format!("libc.syscall({}, b'user', b'agentwire-probe', b'x', 1, -2)", libc::SYS_add_key),
    );
    let yama = std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope").unwrap_or_default();
    let mut ptrace_probes = vec![
        probe("ptrace the runtime (PTRACE_SEIZE of the parent)", seize, None),
        probe("read the runtime's memory (process_vm_readv)", read_memory, None),
    ];
    if !is_root() && yama.trim().parse::<u32>().unwrap_or(0) > 0 {
        for p in &mut ptrace_probes {
            p.impossible = Some("Yama forbids tracing a parent to non-root users".into());
        }
    }
    ptrace_probes.push(probe("unshare a user namespace", unshare, None));
    ptrace_probes.push(probe("add a kernel key (add_key)", add_key, None));
    ptrace_probes
}

fn file_probes(s: &Setting) -> Vec<Probe> {
    let out = |name: &str| s.out(name).display().to_string();
    let chown_to = if is_root() { "65534".to_owned() } else { "$(id -u):$(id -g)".to_owned() };
    let mut mknod = probe(
        "mknod a character device (1,3) in the workspace and write it",
        bash("mknod ./null-device c 1 3 && echo x > ./null-device"),
        None,
    );
    if !is_root() {
        mknod.impossible = Some("only root may make device nodes".into());
    }
    vec![
        probe(
            "write a file outside the roots",
            bash(&format!("echo pwned > {}", out("plain"))),
            Some(Box::new(|s: &Setting| s.out("plain").exists())),
        ),
        probe(
            "chmod outside the roots",
            bash(&format!("chmod 600 {}", out("chmod"))),
            Some(Box::new(|s: &Setting| {
                s.out("chmod").metadata().unwrap().permissions().mode() & 0o777 == 0o600
            })),
        ),
        probe(
            "chown outside the roots",
            bash(&format!("chown {chown_to} {}", out("chown"))),
            Some(Box::new(|s: &Setting| !is_root() || s.out("chown").metadata().unwrap().uid() == 65534)),
        ),
        probe(
            "utime outside the roots",
            bash(&format!("touch -d 2001-02-03 {}", out("utime"))),
            Some(Box::new(|s: &Setting| s.out("utime").metadata().unwrap().mtime() < 1_000_000_000)),
        ),
        mknod,
        probe(
            "hard link to an outside file, then write it",
            bash(&format!("ln {} ./hardlink && echo pwned >> ./hardlink", out("hardlink"))),
            Some(Box::new(|s: &Setting| s.victim("hardlink").contains("pwned"))),
        ),
        probe(
            "symlink to an outside file, then write through it",
            bash(&format!("ln -s {} ./symlink && echo pwned >> ./symlink", out("symlink"))),
            Some(Box::new(|s: &Setting| s.victim("symlink").contains("pwned"))),
        ),
        probe(
            "write outside through /proc/self/root",
            bash(&format!("echo pwned > /proc/self/root{}", out("via-proc-self"))),
            Some(Box::new(|s: &Setting| s.out("via-proc-self").exists())),
        ),
        probe(
            "write outside through the runtime's /proc/PID/root",
            bash(&format!("echo pwned > /proc/$PPID/root{}", out("via-proc-parent"))),
            Some(Box::new(|s: &Setting| s.out("via-proc-parent").exists())),
        ),
        probe(
            "write a hook into a nested repository (sub/.git/hooks)",
            bash("echo pwned > sub/.git/hooks/pre-commit"),
            Some(Box::new(|s: &Setting| s.world.cwd().join("sub/.git/hooks/pre-commit").exists())),
        ),
        probe(
            "rewrite config.toml in CODEX_HOME (under /tmp, a writable root)",
            bash("echo '# pwned' >> \"$CODEX_HOME/config.toml\""),
            Some(Box::new(|s: &Setting| {
                std::fs::read_to_string(s.world.home.path().join("config.toml"))
                    .unwrap_or_default()
                    .contains("pwned")
            })),
        ),
    ]
}

fn all_probes(s: &Setting) -> Vec<Probe> {
    let mut probes = network_probes(s);
    probes.extend(process_probes());
    probes.extend(file_probes(s));
    probes
}

/// Runs every probe once under `mode`, in a fresh setting; whether each got through, with its
/// output.
fn run_probes(mode: &str) -> Vec<(bool, String)> {
    let mut setting = Setting::new(mode);
    let calls: Vec<Value> = all_probes(&setting)
        .iter()
        .enumerate()
        .map(|(i, p)| shell(&format!("probe{i}"), &p.argv.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    setting.world = World::new(json!([calls, [message("done")]]));
    if let Some(addon) = std::env::var_os("AGENTWIRE_PROBE_ADDON") {
        let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings/node/test/exec-shim.mjs");
        let leading = [shim.into_os_string(), addon].map(|a| a.into_string().unwrap()).to_vec();
        setting.world.run_through("node", leading);
    }
    std::fs::create_dir_all(setting.world.cwd().join("sub/.git/hooks")).unwrap();
    let run = setting.world.exec_json(&["-s", mode, "probe"]);
    run.assert_ok();
    let requests = setting.world.requests();
    all_probes(&setting)
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let output: Value = serde_json::from_str(&tool_output(&requests, &format!("probe{i}"))).unwrap();
            let exited_0 = output["metadata"]["exit_code"] == 0;
            let through = exited_0 && p.effect.as_ref().is_none_or(|effect| effect(&setting));
            (through, output["output"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn every_probe_is_blocked_by_both_sandboxes_and_works_without() {
    let modes = ["workspace-write", "read-only", "danger-full-access"];
    let results: Vec<Vec<(bool, String)>> = modes.iter().map(|mode| run_probes(mode)).collect();
    let names = Setting::new("names");
    let probes = all_probes(&names);
    let mut counts = [0usize; 3];
    let mut failures = Vec::new();
    for (i, probe) in probes.iter().enumerate() {
        let got: Vec<bool> = results.iter().map(|r| r[i].0).collect();
        let shown = |through: bool| if through { "GOT THROUGH" } else { "blocked" };
        println!(
            "probe {:<68} workspace-write: {:<11} read-only: {:<11} danger-full-access: {}",
            probe.name,
            shown(got[0]),
            shown(got[1]),
            if got[2] { "works" } else { "fails" }
        );
        for (m, mode) in modes.iter().enumerate().take(2) {
            if got[m] {
                failures.push(format!("{mode} let `{}` through:\n{}", probe.name, results[m][i].1));
            } else {
                counts[m] += 1;
            }
        }
        match (&probe.impossible, got[2]) {
            (None, true) => counts[2] += 1,
            (None, false) => failures.push(format!(
                "`{}` does not work even unconfined, so it proves nothing:\n{}",
                probe.name, results[2][i].1
            )),
            (Some(why), _) => println!("  (not counted unconfined: {why})"),
        }
    }
    let through = match std::env::var_os("AGENTWIRE_PROBE_ADDON") {
        Some(_) => "the engine in a Node process, through the napi addon",
        None => "the exec-bridge binary",
    };
    println!(
        "sandbox probes ({through}): {} blocked under workspace-write, {} under read-only, {} succeed under danger-full-access (of {})",
        counts[0],
        counts[1],
        counts[2],
        probes.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_probe_setting_points_outside_every_root() {
    let setting = Setting::new("check");
    let outside: &Path = setting.outside.path();
    let tmp = Path::new("/tmp").canonicalize().unwrap();
    assert!(!outside.starts_with(&tmp) && !outside.starts_with(setting.world.cwd()), "{}", outside.display());
}

/// What the sandbox must leave working inside the workspace: the denials above are narrow.
#[test]
fn ordinary_work_inside_the_workspace_still_works() {
    let script = [
        "set -e",
        "echo x > made.txt && mkdir -p a/b && mv made.txt a/b/",
        "mkfifo ./fifo && rm ./fifo",
        "chmod 600 a/b/made.txt && touch -d 2001-01-01 a/b/made.txt",
        "ln a/b/made.txt hard && ln -s a/b/made.txt soft && cat soft > /dev/null",
        "git init -q nested && git -C nested status --short",
        "python3 -c 'import socket; a, b = socket.socketpair(); a.sendall(b\"s\"); assert b.recv(1) == b\"s\"'",
        "python3 -c 'import subprocess, threading; t = threading.Thread(target=lambda: None); t.start(); t.join(); subprocess.run([\"true\"], check=True)'",
        "echo ok",
    ]
    .join("\n");
    let world = World::new(json!([[shell("c1", &["bash", "-c", &script])], [message("done")]]));
    let run = world.exec_json(&["-s", "workspace-write", "work"]);
    run.assert_ok();
    let output: Value = serde_json::from_str(&tool_output(&world.requests(), "c1")).unwrap();
    assert_eq!(output["metadata"]["exit_code"], 0, "{}", output["output"]);
    assert!(world.cwd().join("nested/.git").is_dir() && world.cwd().join("a/b/made.txt").is_file());
}
