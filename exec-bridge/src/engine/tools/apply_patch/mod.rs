//! The `apply_patch` tool: parses the `*** Begin Patch` format and applies it, verifying the whole
//! patch before writing anything, so that a bad patch changes nothing. Each path is resolved
//! once ([`targets`]), the verdict is taken on those paths, and the changes are written at
//! exactly those paths, without following a symlink planted since ([`write`]).
//!
//! ```text
//! *** Begin Patch
//! *** Add File: hello.txt
//! +hi
//! *** Update File: src/lib.rs
//! *** Move to: src/main.rs
//! @@ fn main() {
//! -    old();
//! +    new();
//! *** Delete File: gone.txt
//! *** End Patch
//! ```

mod chunks;
mod parse;
pub mod write;

use std::path::{Path, PathBuf};

use chunks::{apply_chunks, chunk_diff};
pub use parse::parse;
use write::{Kind, Writer};

use crate::engine::policy::resolve;

/// A patch that could not be read or applied; says which file and which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The patch text is malformed.
    #[error("invalid patch, line {line}: {message}")]
    Syntax {
        /// The line of the patch text, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The patch does not fit the files it names.
    #[error("{path}: {message}")]
    Mismatch {
        /// The file.
        path: String,
        /// What does not fit.
        message: String,
    },
    /// Writing or removing a file failed (or was refused: see [`write`]).
    #[error("{path}: cannot write: {message}")]
    Write {
        /// The file (resolved).
        path: String,
        /// Why.
        message: String,
        /// How many files of the patch were changed before.
        done: usize,
    },
}

impl PatchError {
    /// Whether nothing was changed on disk.
    pub fn changed_nothing(&self) -> bool {
        !matches!(self, PatchError::Write { done, .. } if *done > 0)
    }
}

/// What one file operation of a patch does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    /// Creates the file with these contents.
    Add {
        /// The new file's contents.
        contents: String,
    },
    /// Removes the file.
    Delete,
    /// Edits the file, and moves it when `move_to` is set.
    Update {
        /// The new path, if the file moves.
        move_to: Option<PathBuf>,
        /// The edits, in file order.
        chunks: Vec<Chunk>,
    },
}

/// One edit of an update: replace `old` (found after the `context` line, if any) with `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The `@@ …` line the edit follows, if given.
    pub context: Option<String>,
    /// The lines to find (context and removed lines).
    pub old: Vec<String>,
    /// The lines to put in their place (context and added lines).
    pub new: Vec<String>,
    /// The edit is anchored at the end of the file.
    pub at_eof: bool,
}

/// One file of a patch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
    /// The path as written in the patch.
    pub path: PathBuf,
    /// What happens to it.
    pub op: FileOp,
}

/// A change the patch made (or would make), for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppliedChange {
    /// The absolute path of the file (the new path of a moved file).
    pub path: PathBuf,
    /// `add`, `delete` or `update`.
    pub kind: ChangeKind,
    /// For an add, the contents; for an update, the edits as `-`/`+` lines; empty for a delete.
    pub diff: String,
    /// Where an updated file moved from.
    pub moved_from: Option<PathBuf>,
}

/// The kind of an [`AppliedChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Created.
    Add,
    /// Removed.
    Delete,
    /// Edited.
    Update,
}

/// Where one file operation reads, writes and removes, each resolved (`..` and symlinks), once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileTargets {
    /// The file read (an update's source) or written (an add, an update in place).
    path: PathBuf,
    /// Where a moved file is written.
    move_to: Option<PathBuf>,
    /// The entry a delete or a move removes: its directory resolved, its name not followed (a
    /// symlink is removed itself).
    remove: Option<PathBuf>,
}

/// The resolved paths of a patch, one [`FileTargets`] per file: what the verdict is taken on,
/// and where the changes are then made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets(Vec<FileTargets>);

impl Targets {
    /// Every path the patch writes or removes.
    pub fn changed(&self) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        for file in &self.0 {
            match (&file.move_to, &file.remove) {
                (None, None) => paths.push(file.path.clone()),
                (to, remove) => paths.extend(to.iter().chain(remove).cloned()),
            }
        }
        paths
    }

    /// Each file the patch reads or writes, with where it moves to, if it moves.
    pub fn files(&self) -> impl Iterator<Item = (&Path, Option<&Path>)> {
        self.0.iter().map(|file| (file.path.as_path(), file.move_to.as_deref()))
    }
}

/// `path` against `cwd`, its directory resolved but its last component not followed.
fn resolve_entry(cwd: &Path, path: &Path) -> PathBuf {
    let full = cwd.join(path);
    match (full.parent(), full.file_name()) {
        (Some(parent), Some(name)) => resolve(cwd, parent).join(name),
        _ => resolve(cwd, path),
    }
}

/// Resolves every path of `files` against `cwd`, now.
pub fn targets(cwd: &Path, files: &[FilePatch]) -> Targets {
    Targets(
        files
            .iter()
            .map(|file| {
                let (move_to, remove) = match &file.op {
                    FileOp::Add { .. } => (None, None),
                    FileOp::Delete => (None, Some(resolve_entry(cwd, &file.path))),
                    FileOp::Update { move_to: None, .. } => (None, None),
                    FileOp::Update { move_to: Some(to), .. } => {
                        (Some(resolve(cwd, to)), Some(resolve_entry(cwd, &file.path)))
                    }
                };
                FileTargets { path: resolve(cwd, &file.path), move_to, remove }
            })
            .collect(),
    )
}

/// One verified file operation, ready to write.
struct Planned {
    change: AppliedChange,
    write: Option<(PathBuf, String, bool)>,
    remove: Option<PathBuf>,
}

/// Computes every change first (reading the files), and writes only when all of them fit, at
/// `targets` (made by [`targets`] for these `files`) through `writer`.
pub fn apply(
    cwd: &Path,
    files: &[FilePatch],
    targets: &Targets,
    writer: &Writer,
) -> Result<Vec<AppliedChange>, PatchError> {
    if files.len() != targets.0.len() {
        return Err(PatchError::Mismatch {
            path: String::new(),
            message: "the targets are not this patch's".into(),
        });
    }
    let planned = files
        .iter()
        .zip(&targets.0)
        .map(|(file, target)| plan(cwd, file, target, writer))
        .collect::<Result<Vec<_>, _>>()?;
    for (done, step) in planned.iter().enumerate() {
        let failed = |path: &Path, e: std::io::Error| PatchError::Write {
            path: path.display().to_string(),
            message: e.to_string(),
            done,
        };
        if let Some((path, contents, new)) = &step.write {
            writer.write(path, contents, *new).map_err(|e| failed(path, e))?;
        }
        if let Some(path) = &step.remove {
            writer.remove(path).map_err(|e| failed(path, e))?;
        }
    }
    Ok(planned.into_iter().map(|p| p.change).collect())
}

/// The changes a patch would make, for display, without checking the files.
pub fn describe(cwd: &Path, files: &[FilePatch]) -> Vec<AppliedChange> {
    files
        .iter()
        .map(|file| {
            let path = cwd.join(&file.path);
            match &file.op {
                FileOp::Add { contents } => {
                    AppliedChange { path, kind: ChangeKind::Add, diff: contents.clone(), moved_from: None }
                }
                FileOp::Delete => {
                    AppliedChange { path, kind: ChangeKind::Delete, diff: String::new(), moved_from: None }
                }
                FileOp::Update { move_to, chunks } => AppliedChange {
                    path: move_to.as_ref().map_or(path.clone(), |to| cwd.join(to)),
                    kind: ChangeKind::Update,
                    diff: chunk_diff(chunks),
                    moved_from: move_to.as_ref().map(|_| path),
                },
            }
        })
        .collect()
}

fn plan(cwd: &Path, file: &FilePatch, target: &FileTargets, writer: &Writer) -> Result<Planned, PatchError> {
    let mismatch = |message: String| PatchError::Mismatch { path: file.path.display().to_string(), message };
    let change = describe(cwd, std::slice::from_ref(file)).remove(0);
    let kind = |path: &Path| writer.kind(path).map_err(|e| mismatch(format!("cannot check: {e}")));
    match &file.op {
        FileOp::Add { contents } => {
            if kind(&target.path)?.is_some() {
                return Err(mismatch("cannot add: the file already exists (use `*** Update File:`)".into()));
            }
            Ok(Planned { change, write: Some((target.path.clone(), contents.clone(), true)), remove: None })
        }
        FileOp::Delete => {
            let entry = target.remove.clone().unwrap_or_else(|| target.path.clone());
            if !matches!(kind(&entry)?, Some(Kind::File | Kind::Symlink)) {
                return Err(mismatch("cannot delete: no such file".into()));
            }
            Ok(Planned { change, write: None, remove: Some(entry) })
        }
        FileOp::Update { chunks, .. } => {
            let original = writer.read(&target.path).map_err(|e| mismatch(format!("cannot update: {e}")))?;
            let updated = apply_chunks(&original, chunks).map_err(mismatch)?;
            let written = target.move_to.clone().unwrap_or_else(|| target.path.clone());
            Ok(Planned { change, write: Some((written, updated, false)), remove: target.remove.clone() })
        }
    }
}

/// The summary the model gets after a successful patch.
pub fn summary(changes: &[AppliedChange], cwd: &Path) -> String {
    let mut text = String::from("Success. Updated the following files:\n");
    for change in changes {
        let letter = match change.kind {
            ChangeKind::Add => 'A',
            ChangeKind::Delete => 'D',
            ChangeKind::Update => 'M',
        };
        let shown = change.path.strip_prefix(cwd).unwrap_or(&change.path);
        text.push_str(&format!("{letter} {}\n", shown.display()));
    }
    text
}

#[cfg(test)]
mod tests;
