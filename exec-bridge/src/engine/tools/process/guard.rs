//! `exec-bridge process-guard`: outlives the runtime by a moment, to kill the process groups of
//! the commands it left. Its stdin is a socket from the runtime: each command writes `+PGID`
//! before it `exec`s, and the runtime `-PGID` once it has killed the group, one per line. When
//! stdin ends (the runtime exited or was killed: the kernel closes its end), the guard kills
//! every group still listed, and exits.

use std::collections::BTreeSet;
use std::io::BufRead;

/// The hidden subcommand that runs the guard.
pub const SUBCOMMAND: &str = "process-guard";

/// Runs the guard on this process's stdin; returns when the runtime is gone, its groups killed.
pub fn run() {
    for pgid in live_groups(std::io::stdin().lock()) {
        super::kill_group(pgid);
    }
}

/// The groups listed at the end of `input`: each `+PGID` line adds one, each `-PGID` line
/// removes it. Any other line, and a group id below 2 (0 and 1 would name the guard's own group
/// and every process), is ignored.
pub fn live_groups(input: impl BufRead) -> BTreeSet<libc::pid_t> {
    let mut live = BTreeSet::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        let (op, id) = line.split_at(line.len().min(1));
        let Some(pgid) = id.parse::<libc::pid_t>().ok().filter(|&pgid| pgid > 1) else { continue };
        match op {
            "+" => live.insert(pgid),
            "-" => live.remove(&pgid),
            _ => continue,
        };
    }
    live
}
