//! The front ends: each turns the engine's events into one wire, and one client's requests into
//! the engine's operations.

pub mod app_server;
pub mod exec;
pub mod login;

/// Prints what the configuration skipped ([`crate::engine::config::Config::warnings`]) on the
/// process's standard error, `program` naming who says it: `exec` and `login` there, the
/// app-server in its log, an embedder on its own stderr.
pub fn print_warnings(program: &str, config: &crate::engine::config::Config) {
    for warning in &config.warnings {
        eprintln!("{program}: warning: {warning}");
    }
}
