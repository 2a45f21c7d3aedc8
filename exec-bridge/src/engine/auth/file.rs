//! `$CODEX_HOME/auth.json`: the credentials as JSON, readable and writable by their owner only
//! (mode 0600), replaced atomically: a new file is written beside it, already 0600, and renamed
//! over it, so that no reader ever sees half a file and no moment exists when the key is in a
//! file others can read.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{AuthError, AuthRecord, CredentialStore};

/// The name of the credentials file in `CODEX_HOME`.
pub const AUTH_FILE: &str = "auth.json";

/// `auth.json` in one `CODEX_HOME`.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// The store of `codex_home` (nothing is touched until it is used).
    pub fn new(codex_home: &Path) -> FileStore {
        FileStore { path: codex_home.join(AUTH_FILE) }
    }

    /// `auth.json`'s path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, action: &'static str, source: std::io::Error) -> AuthError {
        AuthError::File { action, path: self.path.clone(), source }
    }

    /// Writes `text` to a new file beside `auth.json` (created 0600) and renames it over
    /// `auth.json`; on failure the new file is removed.
    fn replace(&self, text: &str) -> Result<(), AuthError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.error("write", e))?;
        let temp = dir.join(format!(".{AUTH_FILE}.{}.tmp", uuid::Uuid::now_v7().simple()));
        let written = write_private(&temp, text).and_then(|()| std::fs::rename(&temp, &self.path));
        if let Err(source) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(AuthError::File { action: "write", path: temp, source });
        }
        Ok(())
    }
}

/// Creates `path` (it must not exist) readable and writable by its owner only, and writes
/// `text` to disk.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

impl CredentialStore for FileStore {
    fn load(&self) -> Result<Option<AuthRecord>, AuthError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error("read", e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| AuthError::Corrupt {
            place: self.path.display().to_string(),
            message: e.to_string(),
        })
    }

    fn save(&self, record: &AuthRecord) -> Result<(), AuthError> {
        let text = serde_json::to_string_pretty(record).map_err(|e| AuthError::Corrupt {
            place: self.path.display().to_string(),
            message: e.to_string(),
        })?;
        self.replace(&text)
    }

    fn delete(&self) -> Result<bool, AuthError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.error("remove", e)),
        }
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}
