//! Stored credentials: the API key `exec-bridge login --with-api-key` keeps, in
//! `$CODEX_HOME/auth.json` ([`FileStore`]) or the OS keyring ([`KeyringStore`]), as
//! `cli_auth_credentials_store` says ([`StoreMode`]); and how a key is chosen: the
//! environment (`CODEX_API_KEY`, then the provider's `env_key`) first, the stored key after
//! (see [`crate::engine::config::Config::api_key`]).
//!
//! The key lives in the store and in memory only: [`ApiKey`] hides it from `Debug`, it is never
//! put into a command's environment, and nothing but the store writes it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

mod file;
mod keyring;

pub use self::keyring::KeyringStore;
pub use file::FileStore;

/// Where credentials are kept: `cli_auth_credentials_store` in `config.toml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreMode {
    /// `$CODEX_HOME/auth.json`, readable by its owner only (the default, as in Codex).
    #[default]
    File,
    /// The OS keyring; an error when none is usable.
    Keyring,
    /// The OS keyring when one is usable, else `auth.json`.
    Auto,
}

/// An API key. Its `Debug` shows `ApiKey(***)`, so that a configuration printed for debugging
/// does not carry it; [`ApiKey::expose`] gives the text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key as given, trimmed; `None` when nothing is left.
    pub fn new(text: &str) -> Option<ApiKey> {
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| ApiKey(trimmed.to_owned()))
    }

    /// The key itself, to send as `Authorization: Bearer …`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The key as `login status` shows it: the first 8 and last 5 characters around `***`, or
    /// `***` alone when the key is too short for that to hide anything (13 characters or fewer).
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 13 {
            return "***".to_owned();
        }
        let head: String = chars[..8].iter().collect();
        let tail: String = chars[chars.len() - 5..].iter().collect();
        format!("{head}***{tail}")
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// What a store keeps: the JSON of Codex's `auth.json`. Only the API key is used; ChatGPT
/// tokens another Codex left are kept as they are and only reported by `login status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuthRecord {
    /// The API key (`null` when the credentials are ChatGPT tokens).
    #[serde(rename = "OPENAI_API_KEY", default)]
    pub api_key: Option<ApiKey>,
    /// ChatGPT sign-in tokens, written by Codex itself; this runtime cannot use them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<serde_json::Value>,
}

impl AuthRecord {
    /// A record holding `key` alone.
    pub fn with_api_key(key: ApiKey) -> AuthRecord {
        AuthRecord { api_key: Some(key), tokens: None }
    }
}

/// Why stored credentials could not be read, written or removed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// `auth.json` (or its temporary file) could not be read, written or removed.
    #[error("cannot {action} {path}: {source}; check that CODEX_HOME is a directory you own")]
    File {
        /// What was being done: `read`, `write`, `remove`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `auth.json` (or the keyring entry) is not the JSON Codex writes.
    #[error("{place} does not hold valid credentials ({message}); run `exec-bridge logout` to remove them, then log in again")]
    Corrupt {
        /// The file, or the keyring entry.
        place: String,
        /// What the JSON parser said.
        message: String,
    },
    /// The OS keyring cannot be used.
    #[error("cannot use the OS keyring: {0}; set cli_auth_credentials_store = \"file\" in config.toml to keep credentials in auth.json instead")]
    Keyring(String),
}

/// The stores of one `CODEX_HOME`, used as a [`StoreMode`] says.
pub trait CredentialStore {
    /// The stored credentials; `None` when there are none.
    fn load(&self) -> Result<Option<AuthRecord>, AuthError>;
    /// Replaces the stored credentials with `record`.
    fn save(&self, record: &AuthRecord) -> Result<(), AuthError>;
    /// Removes the stored credentials; whether there were any.
    fn delete(&self) -> Result<bool, AuthError>;
    /// Where the credentials go, for messages: a path, or "the OS keyring".
    fn describe(&self) -> String;
}

/// Where [`Storage::save`] put the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// In `auth.json` (file mode).
    File(PathBuf),
    /// In the OS keyring (keyring mode, or auto with a usable keyring).
    Keyring,
    /// In `auth.json`, because auto mode found no usable keyring (the reason).
    FileInstead(PathBuf, String),
}

/// The credential stores of one `CODEX_HOME`, used as `cli_auth_credentials_store` says:
/// `file` uses `auth.json` alone; `keyring` the keyring, removing any `auth.json` left from
/// before so that no copy of the key stays on disk; `auto` the keyring when it works, else
/// `auth.json`.
pub struct Storage {
    mode: StoreMode,
    file: FileStore,
    keyring: Box<dyn CredentialStore + Send + Sync>,
}

impl Storage {
    /// The stores of `codex_home`, with the platform's keyring.
    pub fn new(codex_home: &Path, mode: StoreMode) -> Storage {
        Storage::with_keyring(codex_home, mode, Box::new(KeyringStore::new(codex_home)))
    }

    /// The stores of `codex_home` with `keyring` in place of the platform's (for tests, and
    /// embedders that bring their own).
    pub fn with_keyring(
        codex_home: &Path,
        mode: StoreMode,
        keyring: Box<dyn CredentialStore + Send + Sync>,
    ) -> Storage {
        Storage { mode, file: FileStore::new(codex_home), keyring }
    }

    /// The mode in force.
    pub fn mode(&self) -> StoreMode {
        self.mode
    }

    /// The stored credentials, from where the mode says (auto: the keyring, else the file).
    pub fn load(&self) -> Result<Option<AuthRecord>, AuthError> {
        match self.mode {
            StoreMode::File => self.file.load(),
            StoreMode::Keyring => self.keyring.load(),
            StoreMode::Auto => match self.keyring.load() {
                Ok(Some(record)) => Ok(Some(record)),
                Ok(None) | Err(_) => self.file.load(),
            },
        }
    }

    /// Stores `record`, replacing what was there; where it went.
    pub fn save(&self, record: &AuthRecord) -> Result<Saved, AuthError> {
        match self.mode {
            StoreMode::File => {
                self.file.save(record)?;
                Ok(Saved::File(self.file.path().to_path_buf()))
            }
            StoreMode::Keyring => {
                self.keyring.save(record)?;
                self.file.delete()?;
                Ok(Saved::Keyring)
            }
            StoreMode::Auto => match self.keyring.save(record) {
                Ok(()) => {
                    self.file.delete()?;
                    Ok(Saved::Keyring)
                }
                Err(error) => {
                    self.file.save(record)?;
                    Ok(Saved::FileInstead(self.file.path().to_path_buf(), error.to_string()))
                }
            },
        }
    }

    /// Removes the stored credentials from both stores, whatever the mode (a copy an earlier
    /// mode left must not come back); whether there were any. Both removals are tried before
    /// an error is reported. In `file` mode an unusable keyring is no error: it holds nothing.
    pub fn delete(&self) -> Result<bool, AuthError> {
        let keyring = self.keyring.delete();
        let file = self.file.delete();
        let keyring = match (self.mode, keyring) {
            (StoreMode::Keyring, keyring) => keyring?,
            (StoreMode::File | StoreMode::Auto, keyring) => keyring.unwrap_or(false),
        };
        Ok(file? | keyring)
    }
}

#[cfg(test)]
mod tests;
