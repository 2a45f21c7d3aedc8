//! The turn's file changes as one git-style unified diff, as the reference reports them
//! (`turn_diff`): every file a patch touched this turn, from what it held before the turn's
//! first patch to what it holds now, with git's blob ids, paths relative to the repository.
//!
//! Only patches are tracked (a command's writes are not), and a file is read at most
//! [`MAX_TRACKED_BYTES`]: a larger one is left out of the diff.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The largest file whose changes are shown: 4 MiB.
pub const MAX_TRACKED_BYTES: u64 = 4 * 1024 * 1024;

/// The blob id git gives no file.
const NO_BLOB: &str = "0000000000000000000000000000000000000000";

/// What the turn's patches changed, file by file.
#[derive(Debug, Default)]
pub struct TurnDiff {
    /// The directory paths are shown relative to: the repository's root, else the thread's
    /// working directory.
    root: PathBuf,
    files: Vec<Tracked>,
}

/// One file a patch touched.
#[derive(Debug)]
struct Tracked {
    /// Where it was when the turn first touched it.
    original: PathBuf,
    /// Where it is now (a patch may have moved it).
    current: PathBuf,
    /// What it held then; `None` when it did not exist.
    before: Option<Vec<u8>>,
    /// Its mode then (`100644` or `100755`).
    mode: &'static str,
}

impl TurnDiff {
    /// A tracker for a turn working in `cwd`.
    pub fn new(cwd: &Path) -> TurnDiff {
        let root = cwd.ancestors().find(|dir| dir.join(".git").exists()).unwrap_or(cwd);
        TurnDiff { root: root.to_path_buf(), files: Vec::new() }
    }

    /// Notes, before a patch writes, the file at `path` (moved to `move_to`, if it moves), so
    /// that the diff starts from what it held before the turn first touched it.
    pub fn before_patch(&mut self, path: &Path, move_to: Option<&Path>) {
        match self.files.iter_mut().find(|file| file.current == path) {
            Some(file) => {
                if let Some(to) = move_to {
                    file.current = to.to_path_buf();
                }
            }
            None => {
                let Some((before, mode)) = read_bounded(path) else { return };
                self.files.push(Tracked {
                    original: path.to_path_buf(),
                    current: move_to.unwrap_or(path).to_path_buf(),
                    before,
                    mode,
                });
            }
        }
    }

    /// Whether a patch touched anything this turn.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The diff from the files' first state to now, by original path. A file back to what it
    /// held shows as an empty line, as in the reference.
    pub fn unified_diff(&self) -> String {
        let mut files: Vec<&Tracked> = self.files.iter().collect();
        files.sort_by(|a, b| a.original.cmp(&b.original));
        files.into_iter().map(|file| self.file_diff(file)).collect()
    }

    fn file_diff(&self, file: &Tracked) -> String {
        let Some((after, mode_after)) = read_bounded(&file.current) else { return String::new() };
        if after == file.before && file.original == file.current {
            return "\n".to_owned();
        }
        let (old, new) = (self.relative(&file.original), self.relative(&file.current));
        let mut text = format!("diff --git a/{old} b/{new}\n");
        match (&file.before, &after) {
            (None, Some(_)) => text.push_str(&format!("new file mode {mode_after}\n")),
            (Some(_), None) => text.push_str(&format!("deleted file mode {}\n", file.mode)),
            _ => {}
        }
        let id = |content: &Option<Vec<u8>>| content.as_deref().map_or(NO_BLOB.to_owned(), blob_id);
        text.push_str(&format!("index {}..{}\n", id(&file.before), id(&after)));
        let before = String::from_utf8_lossy(file.before.as_deref().unwrap_or_default()).into_owned();
        let now = String::from_utf8_lossy(after.as_deref().unwrap_or_default()).into_owned();
        let from = if file.before.is_some() { format!("a/{old}") } else { "/dev/null".to_owned() };
        let to = if after.is_some() { format!("b/{new}") } else { "/dev/null".to_owned() };
        text.push_str(&format!("--- {from}\n+++ {to}\n"));
        let diff = similar::TextDiff::from_lines(&before, &now);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            text.push_str(&hunk.to_string());
        }
        text
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap_or(path).display().to_string()
    }
}

/// What `path` holds and its git mode; `None` for the content when there is no such file, and
/// `None` altogether when it cannot be tracked (not a regular file, too large, unreadable).
#[allow(clippy::type_complexity)] // (content if the file exists, its mode), or untrackable.
fn read_bounded(path: &Path) -> Option<(Option<Vec<u8>>, &'static str)> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some((None, "100644")),
        Err(_) => return None,
    };
    if !meta.is_file() || meta.len() > MAX_TRACKED_BYTES {
        return None;
    }
    let mode = if meta.permissions().mode() & 0o111 != 0 { "100755" } else { "100644" };
    let mut content = Vec::new();
    fs::File::open(path).ok()?.take(MAX_TRACKED_BYTES + 1).read_to_end(&mut content).ok()?;
    if content.len() as u64 > MAX_TRACKED_BYTES {
        return None;
    }
    Some((Some(content), mode))
}

/// Git's id of a blob holding `content`: the SHA-1 of `blob <length>\0` and the content.
fn blob_id(content: &[u8]) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    hasher.digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hi\n' | git hash-object --stdin`
        assert_eq!(blob_id(b"hi\n"), "45b983be36b73c0788dc9cbcb76cbb80fc7bb057");
        assert_eq!(blob_id(b"bee\n"), "af9c6fd168ea28cf99aa2c2dd9057a8b720e2262");
    }

    #[test]
    fn adds_updates_deletes_and_moves_render_as_the_reference_renders_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir(root.join(".git")).unwrap();
        fs::write(root.join("a.txt"), "one\ntwo\nthree\n").unwrap();
        fs::write(root.join("b.txt"), "bee\n").unwrap();
        fs::write(root.join("c.txt"), "c\n").unwrap();
        let mut diff = TurnDiff::new(root);
        assert!(diff.is_empty());
        diff.before_patch(&root.join("a.txt"), None);
        diff.before_patch(&root.join("b.txt"), None);
        diff.before_patch(&root.join("c.txt"), Some(&root.join("d.txt")));
        diff.before_patch(&root.join("new.txt"), None);
        fs::write(root.join("a.txt"), "one\nTWO\nthree\n").unwrap();
        fs::remove_file(root.join("b.txt")).unwrap();
        fs::remove_file(root.join("c.txt")).unwrap();
        fs::write(root.join("d.txt"), "c2\n").unwrap();
        fs::write(root.join("new.txt"), "hi\n").unwrap();
        assert_eq!(
            diff.unified_diff(),
            "diff --git a/a.txt b/a.txt\nindex 4cb29ea38f70d7c61b2a3a25b02e3bdf44905402..ddc897f039f57aa91e16efa6dfde386c4255206f\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n\
             diff --git a/b.txt b/b.txt\ndeleted file mode 100644\nindex af9c6fd168ea28cf99aa2c2dd9057a8b720e2262..0000000000000000000000000000000000000000\n--- a/b.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bee\n\
             diff --git a/c.txt b/d.txt\nindex f2ad6c76f0115a6ba5b00456a849810e7ec0af20..16f9ec009e5568c435f473ba3a1df732d49ce8c3\n--- a/c.txt\n+++ b/d.txt\n@@ -1 +1 @@\n-c\n+c2\n\
             diff --git a/new.txt b/new.txt\nnew file mode 100644\nindex 0000000000000000000000000000000000000000..45b983be36b73c0788dc9cbcb76cbb80fc7bb057\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+hi\n"
        );
        // A second patch of the same file diffs from the turn's first state; one put back
        // shows as an empty line.
        diff.before_patch(&root.join("a.txt"), None);
        fs::write(root.join("a.txt"), "one\ntwo\nthree\n").unwrap();
        assert!(diff.unified_diff().starts_with("\ndiff --git a/b.txt b/b.txt\n"));
    }

    #[test]
    fn what_cannot_be_tracked_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.bin");
        fs::File::create(&big).unwrap().set_len(MAX_TRACKED_BYTES + 1).unwrap();
        let mut diff = TurnDiff::new(dir.path());
        diff.before_patch(&big, None);
        diff.before_patch(dir.path(), None);
        assert!(diff.is_empty());
    }
}
