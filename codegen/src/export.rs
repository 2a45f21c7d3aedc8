//! The generated files outside this repository: one tree at a time (the schema or the
//! TypeScript), keyed by path relative to that tree's folder, and written into any folder. This
//! is what `exec-bridge generate-json-schema --out DIR` and `exec-bridge generate-ts --out DIR`
//! use, so that a user of the binary gets the same bytes as `schema/` and
//! `sdk-ts/src/generated/` without this repository or a Rust toolchain.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::{generate, Files, GenerateError, SCHEMA_DIR, TS_DIR};

/// The files of `schema/` (the per-type schemas and the bundle), keyed by path relative to it:
/// `exec/ThreadEvent.json`, `agentwire.schemas.json`, …
pub fn generate_schema() -> Result<Files, GenerateError> {
    Ok(subtree(&generate()?, SCHEMA_DIR))
}

/// The files of `sdk-ts/src/generated/` (one `.ts` per type, the `index.ts` files and
/// `wireNames.ts`), keyed by path relative to it: `v2/Thread.ts`, `index.ts`, …
pub fn generate_typescript() -> Result<Files, GenerateError> {
    Ok(subtree(&generate()?, TS_DIR))
}

/// The files of `files` that lie under the folder `dir` (a repository-relative path such as
/// [`SCHEMA_DIR`] or [`TS_DIR`]), keyed by their path relative to `dir`.
pub fn subtree(files: &Files, dir: impl AsRef<Path>) -> Files {
    let dir = dir.as_ref();
    files
        .iter()
        .filter_map(|(path, content)| Some((path.strip_prefix(dir).ok()?.to_path_buf(), content.clone())))
        .collect()
}

/// Why [`write_into`] could not write a tree.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output folder, or a folder the tree needs inside it, is a file (or another
    /// non-folder).
    #[error("{} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// A folder could not be created.
    #[error("cannot create the directory {}: {error}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// What the system said (in the message, so not also a `source()`).
        error: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {}: {error}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said (in the message, so not also a `source()`).
        error: io::Error,
    },
}

/// Writes `files` (keyed by relative path, as [`generate_schema`] and [`generate_typescript`]
/// give them) into the folder `dir`, creating it and the folders inside as needed, and
/// replacing files of the same names. Files already in `dir` that are not in `files` are left
/// alone: `dir` need not be a folder of generated files only.
pub fn write_into(dir: &Path, files: &Files) -> Result<(), WriteError> {
    create_dir(dir)?;
    for (relative, content) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        fs::write(&path, content).map_err(|error| WriteError::Write { path, error })?;
    }
    Ok(())
}

/// Creates `dir` and its missing parents, naming the culprit when one of them is a file.
fn create_dir(dir: &Path) -> Result<(), WriteError> {
    match fs::create_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(error) => {
            // `create_dir_all` says only "File exists" or "Not a directory": find the file
            // that stands where a folder should be.
            let blocker = dir.ancestors().find(|path| path.exists() && !path.is_dir());
            match blocker {
                Some(file) => Err(WriteError::NotADirectory(file.to_path_buf())),
                None => Err(WriteError::CreateDir { path: dir.to_path_buf(), error }),
            }
        }
    }
}
