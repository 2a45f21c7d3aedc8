//! The `apply_patch` tool: parses the `*** Begin Patch` format and applies it, verifying the whole
//! patch before writing anything, so that a bad patch changes nothing.
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

mod parse;

use std::path::{Path, PathBuf};

pub use parse::parse;

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

/// Every path a patch writes or removes (moves included), resolved against `cwd`.
pub fn touched_paths(cwd: &Path, files: &[FilePatch]) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for file in files {
        paths.push(cwd.join(&file.path));
        if let FileOp::Update { move_to: Some(to), .. } = &file.op {
            paths.push(cwd.join(to));
        }
    }
    paths
}

/// One verified file operation, ready to write.
struct Planned {
    change: AppliedChange,
    write: Option<(PathBuf, String)>,
    remove: Option<PathBuf>,
}

/// Computes every change first (reading the files), and writes only when all of them fit.
pub fn apply(cwd: &Path, files: &[FilePatch]) -> Result<Vec<AppliedChange>, PatchError> {
    let planned = files.iter().map(|file| plan(cwd, file)).collect::<Result<Vec<_>, _>>()?;
    for step in &planned {
        let io = |path: &Path, e: std::io::Error| PatchError::Mismatch {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some((path, contents)) = &step.write {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::write(path, contents).map_err(|e| io(path, e))?;
        }
        if let Some(path) = &step.remove {
            std::fs::remove_file(path).map_err(|e| io(path, e))?;
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

fn plan(cwd: &Path, file: &FilePatch) -> Result<Planned, PatchError> {
    let path = cwd.join(&file.path);
    let mismatch = |message: String| PatchError::Mismatch { path: file.path.display().to_string(), message };
    let change = describe(cwd, std::slice::from_ref(file)).remove(0);
    match &file.op {
        FileOp::Add { contents } => {
            if path.exists() {
                return Err(mismatch("cannot add: the file already exists (use `*** Update File:`)".into()));
            }
            Ok(Planned { change, write: Some((path, contents.clone())), remove: None })
        }
        FileOp::Delete => {
            if !path.is_file() {
                return Err(mismatch("cannot delete: no such file".into()));
            }
            Ok(Planned { change, write: None, remove: Some(path) })
        }
        FileOp::Update { move_to, chunks } => {
            let original =
                std::fs::read_to_string(&path).map_err(|e| mismatch(format!("cannot update: {e}")))?;
            let updated = apply_chunks(&original, chunks).map_err(mismatch)?;
            match move_to {
                Some(to) => Ok(Planned { change, write: Some((cwd.join(to), updated)), remove: Some(path) }),
                None => Ok(Planned { change, write: Some((path, updated)), remove: None }),
            }
        }
    }
}

/// Applies the edits in order; each is searched for after the previous one.
fn apply_chunks(original: &str, chunks: &[Chunk]) -> Result<String, String> {
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    let mut cursor = 0;
    for chunk in chunks {
        if let Some(context) = &chunk.context {
            let found = find(&lines, std::slice::from_ref(context), cursor, false)
                .ok_or_else(|| format!("context line `{context}` not found after line {cursor}"))?;
            cursor = found + 1;
        }
        if chunk.old.is_empty() {
            // Pure insertion: at the end of the file, or right after the context line.
            let at = if chunk.at_eof || chunk.context.is_none() { lines.len() } else { cursor };
            lines.splice(at..at, chunk.new.iter().cloned());
            cursor = at + chunk.new.len();
            continue;
        }
        let at = find(&lines, &chunk.old, cursor, chunk.at_eof).ok_or_else(|| {
            format!(
                "the lines to replace were not found after line {cursor}:\n{}",
                chunk.old.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
            )
        })?;
        lines.splice(at..at + chunk.old.len(), chunk.new.iter().cloned());
        cursor = at + chunk.new.len();
    }
    let mut text = lines.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok(text)
}

/// The first index at or after `from` where `needle` stands (trailing whitespace ignored on a
/// second pass); at the very end when `at_eof`.
fn find(lines: &[String], needle: &[String], from: usize, at_eof: bool) -> Option<usize> {
    if needle.len() > lines.len() {
        return None;
    }
    let last = lines.len() - needle.len();
    let starts: Vec<usize> = if at_eof { vec![last] } else { (from.min(last + 1)..=last).collect() };
    let exact = |i: &usize| lines[*i..*i + needle.len()].iter().zip(needle).all(|(a, b)| a == b);
    let loose = |i: &usize| {
        lines[*i..*i + needle.len()].iter().zip(needle).all(|(a, b)| a.trim_end() == b.trim_end())
    };
    starts.iter().copied().find(exact).or_else(|| starts.iter().copied().find(loose))
}

/// The edits as `-`/`+`/` ` lines, `@@`-separated.
fn chunk_diff(chunks: &[Chunk]) -> String {
    let mut diff = String::new();
    for chunk in chunks {
        diff.push_str(&format!("@@ {}\n", chunk.context.as_deref().unwrap_or("")).replace("@@ \n", "@@\n"));
        let (mut o, mut n) = (0, 0);
        while o < chunk.old.len() || n < chunk.new.len() {
            if o < chunk.old.len() && n < chunk.new.len() && chunk.old[o] == chunk.new[n] {
                diff.push_str(&format!(" {}\n", chunk.old[o]));
                o += 1;
                n += 1;
            } else if o < chunk.old.len() && !chunk.new[n..].contains(&chunk.old[o]) {
                diff.push_str(&format!("-{}\n", chunk.old[o]));
                o += 1;
            } else if n < chunk.new.len() {
                diff.push_str(&format!("+{}\n", chunk.new[n]));
                n += 1;
            } else {
                diff.push_str(&format!("-{}\n", chunk.old[o]));
                o += 1;
            }
        }
    }
    diff
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
mod tests {
    use super::*;

    fn patch(body: &str) -> String {
        format!("*** Begin Patch\n{body}*** End Patch\n")
    }

    #[test]
    fn add_update_move_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.txt"), "one\ntwo\nthree\n").unwrap();
        std::fs::write(cwd.join("gone.txt"), "x\n").unwrap();
        let files = parse(&patch(
            "*** Add File: new/hello.txt\n+hi\n+there\n*** Update File: a.txt\n*** Move to: b.txt\n@@ one\n-two\n+2\n three\n*** Delete File: gone.txt\n",
        ))
        .unwrap();
        let changes = apply(cwd, &files).unwrap();
        assert_eq!(std::fs::read_to_string(cwd.join("new/hello.txt")).unwrap(), "hi\nthere\n");
        assert_eq!(std::fs::read_to_string(cwd.join("b.txt")).unwrap(), "one\n2\nthree\n");
        assert!(!cwd.join("a.txt").exists() && !cwd.join("gone.txt").exists());
        assert_eq!(
            changes.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [ChangeKind::Add, ChangeKind::Update, ChangeKind::Delete]
        );
        assert_eq!(changes[1].diff, "@@ one\n-two\n+2\n three\n");
        assert_eq!(
            summary(&changes, cwd),
            "Success. Updated the following files:\nA new/hello.txt\nM b.txt\nD gone.txt\n"
        );
    }

    #[test]
    fn a_patch_that_does_not_fit_writes_nothing_and_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.txt"), "one\n").unwrap();
        let files =
            parse(&patch("*** Add File: first.txt\n+x\n*** Update File: a.txt\n@@\n-missing\n+y\n")).unwrap();
        let error = apply(cwd, &files).unwrap_err();
        assert!(matches!(&error, PatchError::Mismatch { path, .. } if path == "a.txt"), "{error}");
        assert!(!cwd.join("first.txt").exists(), "the first file of a failing patch is not written");
        assert_eq!(std::fs::read_to_string(cwd.join("a.txt")).unwrap(), "one\n");
    }

    #[test]
    fn malformed_patches_name_the_line() {
        let error = parse("*** Begin Patch\n*** Add File: a\nno plus\n*** End Patch").unwrap_err();
        assert_eq!(
            error,
            PatchError::Syntax { line: 3, message: "every line of an added file starts with `+`".into() }
        );
        assert!(matches!(parse("hello"), Err(PatchError::Syntax { line: 1, .. })));
        assert!(matches!(
            parse("*** Begin Patch\n*** Frobnicate: x\n*** End Patch"),
            Err(PatchError::Syntax { line: 2, .. })
        ));
    }

    #[test]
    fn insertion_at_the_end_of_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "x\n").unwrap();
        let files = parse(&patch("*** Update File: a\n@@\n+y\n*** End of File\n")).unwrap();
        apply(dir.path(), &files).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("a")).unwrap(), "x\ny\n");
    }
}
