//! The front ends: each turns the engine's events into one wire, and one client's requests into
//! the engine's operations.

pub mod app_server;
pub mod exec;
pub mod generate;
pub mod login;

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::engine::config::Config;

/// What a retry of the model request is reported as, on every wire, in the reference's words:
/// `Reconnecting... 1/5` (the app-server's `codexErrorInfo` says what kind of failure it was).
pub fn reconnecting(attempt: u32, max_retries: u32) -> String {
    format!("Reconnecting... {attempt}/{max_retries}")
}

/// Prints what the configuration skipped ([`Config::warnings`]) on the process's standard
/// error, `program` naming who says it: `exec` and `login` there, an embedder on its own
/// stderr.
pub fn print_warnings(program: &str, config: &Config) {
    for warning in &config.warnings {
        eprintln!("{program}: warning: {warning}");
    }
}

/// How many different warnings [`print_warnings_once`] remembers (past that, a warning is
/// printed each time: a client that sends ever new unknown keys cannot grow the set).
const REMEMBERED_WARNINGS: usize = 1024;

/// [`print_warnings`] for a server that loads the configuration at each request (the
/// app-server, whose log is its standard error): each warning once per process.
pub fn print_warnings_once(program: &str, config: &Config) {
    static SAID: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let mut said = SAID.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    for warning in &config.warnings {
        if said.contains(warning) {
            continue;
        }
        if said.len() < REMEMBERED_WARNINGS {
            said.insert(warning.clone());
        }
        eprintln!("{program}: warning: {warning}");
    }
}
