//! `exec-bridge login --with-api-key`, `login status` and `logout`: keep, show and remove the
//! stored API key, with Codex's wording and exit codes (every message on stderr; 0 on success,
//! 1 when not logged in or the store failed).

use std::io::{Read, Write};

use clap::{Args, Subcommand};

use crate::engine::auth::{ApiKey, AuthRecord, Saved, Storage, StoreMode};
use crate::engine::config::{self, CliSettings, Config, ConfigError, Vars};

/// `exec-bridge login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Read the API key from stdin (e.g. `printenv OPENAI_API_KEY | exec-bridge login
    /// --with-api-key`).
    #[arg(long)]
    pub with_api_key: bool,
    /// Override a configuration value: key=value, the value read as TOML (repeatable), for
    /// example `-c cli_auth_credentials_store=keyring`.
    #[arg(short = 'c', long = "config", value_name = "key=value", global = true)]
    pub config: Vec<String>,
    /// `status`.
    #[command(subcommand)]
    pub command: Option<LoginCommand>,
}

/// The subcommands of `login`.
#[derive(Debug, Subcommand)]
pub enum LoginCommand {
    /// Show login status.
    Status,
}

/// `exec-bridge logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Override a configuration value: key=value, the value read as TOML (repeatable).
    #[arg(short = 'c', long = "config", value_name = "key=value")]
    pub config: Vec<String>,
}

/// What `login` reads: the process's stdin, and whether it is a terminal (a key is never
/// typed in: it would echo).
pub struct Input<'a> {
    /// The key's source.
    pub reader: &'a mut dyn Read,
    /// Whether `reader` is a terminal.
    pub is_terminal: bool,
}

/// The credential stores the configuration names, read without touching the stored key.
fn storage(overrides: &[String], vars: &Vars) -> Result<Storage, ConfigError> {
    let cli = CliSettings { overrides: overrides.to_vec(), ..CliSettings::default() };
    let config = Config::load_without_credentials(&config::codex_home(vars), &cli, vars)?;
    // A misspelt store key must not go unnoticed here: the key would land elsewhere.
    super::print_warnings("exec-bridge", &config);
    Ok(Storage::new(&config.codex_home, config.credentials_store_mode))
}

/// Runs `login` (or `login status`); the exit code. A configuration that cannot be read is
/// the error.
pub fn login(
    args: &LoginArgs,
    input: Input<'_>,
    err: &mut dyn Write,
    vars: &Vars,
) -> Result<i32, ConfigError> {
    let storage = storage(&args.config, vars)?;
    Ok(match args.command {
        Some(LoginCommand::Status) => status(&storage, err),
        None if args.with_api_key => login_with_api_key(&storage, input, err),
        None => {
            say(err, "ChatGPT sign-in is not available in exec-bridge; log in with an API key instead, e.g. `printenv OPENAI_API_KEY | exec-bridge login --with-api-key`.");
            1
        }
    })
}

/// Runs `logout`; the exit code.
pub fn logout(args: &LogoutArgs, err: &mut dyn Write, vars: &Vars) -> Result<i32, ConfigError> {
    let storage = storage(&args.config, vars)?;
    Ok(match storage.delete() {
        Ok(true) => say_ok(err, "Successfully logged out"),
        Ok(false) => say_ok(err, "Not logged in"),
        Err(e) => {
            say(err, &format!("Error logging out: {e}"));
            1
        }
    })
}

/// The most `login --with-api-key` reads from stdin: far more than any key.
const MAX_KEY_INPUT: u64 = 64 * 1024;

/// Reads the key from `input`, trimmed, and stores it.
pub fn login_with_api_key(storage: &Storage, input: Input<'_>, err: &mut dyn Write) -> i32 {
    if input.is_terminal {
        say(err, "--with-api-key expects the API key on stdin. Try piping it, e.g. `printenv OPENAI_API_KEY | exec-bridge login --with-api-key`.");
        return 1;
    }
    say(err, "Reading API key from stdin...");
    let mut text = String::new();
    if let Err(e) = input.reader.take(MAX_KEY_INPUT + 1).read_to_string(&mut text) {
        say(err, &format!("Failed to read API key from stdin: {e}"));
        return 1;
    }
    if text.len() as u64 > MAX_KEY_INPUT {
        say(err, "The input on stdin is longer than 64 KiB, which no API key is; pipe the key alone.");
        return 1;
    }
    let Some(key) = ApiKey::new(&text) else {
        say(err, "No API key provided via stdin.");
        return 1;
    };
    if key.expose().chars().any(|c| c.is_whitespace() || c.is_control()) {
        // It could not go into an HTTP header: every request would go out without it.
        say(err, "The input on stdin holds more than one word or line; pipe the API key alone.");
        return 1;
    }
    match storage.save(&AuthRecord::with_api_key(key)) {
        Ok(saved) => {
            if storage.mode() == StoreMode::Auto {
                say(err, &where_saved(&saved));
            }
            say_ok(err, "Successfully logged in")
        }
        Err(e) => {
            say(err, &format!("Error logging in: {e}"));
            1
        }
    }
}

/// What auto mode chose, in words.
fn where_saved(saved: &Saved) -> String {
    match saved {
        Saved::Keyring => "Storing credentials in the OS keyring (cli_auth_credentials_store = auto).".into(),
        Saved::File(path) => format!("Storing credentials in {}.", path.display()),
        Saved::FileInstead(path, why) => format!(
            "Storing credentials in {} (cli_auth_credentials_store = auto, and no OS keyring is usable: {why}).",
            path.display()
        ),
    }
}

/// Says how the stored credentials log in: 0 when they do, 1 when there are none.
pub fn status(storage: &Storage, err: &mut dyn Write) -> i32 {
    match storage.load() {
        Ok(Some(AuthRecord { api_key: Some(key), .. })) => {
            say_ok(err, &format!("Logged in using an API key - {}", key.masked()))
        }
        Ok(Some(AuthRecord { tokens: Some(_), .. })) => say_ok(err, "Logged in using ChatGPT"),
        Ok(_) => {
            say(err, "Not logged in");
            1
        }
        Err(e) => {
            say(err, &format!("Error checking login status: {e}"));
            1
        }
    }
}

fn say(err: &mut dyn Write, line: &str) {
    // Nothing is left to tell the user when stderr itself is gone.
    let _ = writeln!(err, "{line}");
}

fn say_ok(err: &mut dyn Write, line: &str) -> i32 {
    say(err, line);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_input_is_refused_after_64_kib_without_storing_anything() {
        let home = tempfile::tempdir().unwrap();
        let storage = Storage::new(home.path(), StoreMode::File);
        let mut endless = std::io::repeat(b'k');
        let mut err = Vec::new();
        let code = login_with_api_key(&storage, Input { reader: &mut endless, is_terminal: false }, &mut err);
        assert_eq!(code, 1);
        assert!(String::from_utf8(err).unwrap().contains("longer than 64 KiB"));
        assert!(!home.path().join("auth.json").exists());
    }

    #[test]
    fn a_key_of_two_lines_is_refused_since_no_header_could_carry_it() {
        let home = tempfile::tempdir().unwrap();
        let storage = Storage::new(home.path(), StoreMode::File);
        let mut err = Vec::new();
        let input = Input { reader: &mut &b"sk-one\nsk-two\n"[..], is_terminal: false };
        assert_eq!(login_with_api_key(&storage, input, &mut err), 1);
        assert!(String::from_utf8(err).unwrap().contains("pipe the API key alone"));
        assert!(!home.path().join("auth.json").exists());
    }
}
