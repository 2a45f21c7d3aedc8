//! Comparing generated files with the repository, and writing them.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::{Files, SCHEMA_DIR, TS_DIR};

/// How one file on disk differs from what generation produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DriftKind {
    /// The file exists with other content.
    Stale,
    /// The file should exist and does not.
    Missing,
    /// The file exists in a generated folder but is not generated.
    Extra,
}

/// One file that differs from what generation produces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Drift {
    /// How it differs.
    pub kind: DriftKind,
    /// The file, relative to the repository root.
    pub path: PathBuf,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            DriftKind::Stale => "stale",
            DriftKind::Missing => "missing",
            DriftKind::Extra => "extra",
        };
        write!(f, "{kind:>7}  {}", self.path.display())
    }
}

/// Compares `files` with the repository at `root`, writing nothing. An empty result means the
/// repository is up to date.
pub fn check(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    let mut drifts = Vec::new();
    for (path, content) in files {
        match fs::read(root.join(path)) {
            Ok(on_disk) if on_disk == content.as_bytes() => {}
            Ok(_) => drifts.push(Drift { kind: DriftKind::Stale, path: path.clone() }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                drifts.push(Drift { kind: DriftKind::Missing, path: path.clone() })
            }
            Err(e) => return Err(with_path(e, &root.join(path))),
        }
    }
    for path in existing_generated(root)? {
        if !files.contains_key(&path) {
            drifts.push(Drift { kind: DriftKind::Extra, path });
        }
    }
    drifts.sort();
    Ok(drifts)
}

/// Writes `files` into the repository at `root` and removes the files of the generated folders
/// that generation no longer produces. Returns what changed.
pub fn write(root: &Path, files: &Files) -> io::Result<Vec<Drift>> {
    let drifts = check(root, files)?;
    for drift in &drifts {
        let path = root.join(&drift.path);
        match drift.kind {
            DriftKind::Stale | DriftKind::Missing => {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| with_path(e, parent))?;
                }
                fs::write(&path, &files[&drift.path]).map_err(|e| with_path(e, &path))?;
            }
            DriftKind::Extra => fs::remove_file(&path).map_err(|e| with_path(e, &path))?,
        }
    }
    Ok(drifts)
}

/// Every file now under the generated folders, relative to `root`.
fn existing_generated(root: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for dir in [SCHEMA_DIR, TS_DIR] {
        walk(root, Path::new(dir), &mut found)?;
    }
    Ok(found)
}

fn walk(root: &Path, relative: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    let dir = root.join(relative);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(with_path(e, &dir)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| with_path(e, &dir))?;
        let path = relative.join(entry.file_name());
        if entry.file_type().map_err(|e| with_path(e, &dir))?.is_dir() {
            walk(root, &path, found)?;
        } else {
            found.push(path);
        }
    }
    Ok(())
}

/// Adds the path to an I/O error, so that the user knows which file it is about.
fn with_path(error: io::Error, path: &Path) -> io::Error {
    io::Error::new(error.kind(), format!("{}: {error}", path.display()))
}
