//! The turn's file changes as one git-style unified diff, as the reference reports them
//! (`turn_diff`): every file a patch touched this turn, from what it held before the turn's
//! first patch to what it holds now, with git's blob ids, paths relative to the repository.
//!
//! Only patches are tracked (a command's writes are not), within bounds that a hostile patch
//! cannot stretch: a file of more than [`MAX_TRACKED_BYTES`], files beyond
//! [`MAX_TRACKED_FILES`], or beyond [`MAX_TRACKED_TOTAL`] bytes of earlier contents, are left
//! out; the diff of two files stops refining after [`DIFF_TIME`] (it is still a correct diff,
//! only coarser), and the whole diff is cut at [`MAX_DIFF_BYTES`]. Only regular files are read,
//! without following a symbolic link and without blocking on a FIFO swapped in.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::bounded::FileError;

/// The largest file whose changes are shown: 4 MiB.
pub const MAX_TRACKED_BYTES: u64 = 4 * 1024 * 1024;
/// The most files a turn's diff shows: 256.
pub const MAX_TRACKED_FILES: usize = 256;
/// The most bytes of earlier contents a turn keeps: 32 MiB.
pub const MAX_TRACKED_TOTAL: usize = 32 * 1024 * 1024;
/// How long one diff may refine its hunks, all files together: 250 ms.
pub const DIFF_TIME: Duration = Duration::from_millis(250);
/// The longest diff reported: 8 MiB, cut with a marker beyond.
pub const MAX_DIFF_BYTES: usize = 8 * 1024 * 1024;

/// The blob id git gives no file.
const NO_BLOB: &str = "0000000000000000000000000000000000000000";

/// What the turn's patches changed, file by file.
#[derive(Debug, Default)]
pub struct TurnDiff {
    /// The repository's root, which paths are shown relative to; outside a repository they are
    /// shown whole (`a//work/file`), as the reference shows them.
    root: Option<PathBuf>,
    files: Vec<Tracked>,
    /// The bytes of earlier contents kept.
    kept: usize,
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
    /// Its blob id then.
    before_id: String,
    /// Its mode then (`100644` or `100755`).
    mode: &'static str,
}

impl TurnDiff {
    /// A tracker for a turn working in `cwd`.
    pub fn new(cwd: &Path) -> TurnDiff {
        // Patch targets are resolved paths: so is the root they are shown from.
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let root = cwd.ancestors().find(|dir| dir.join(".git").exists()).map(Path::to_path_buf);
        TurnDiff { root, files: Vec::new(), kept: 0 }
    }

    /// Notes, before a patch writes, the file at `path` (moved to `move_to`, if it moves), so
    /// that the diff starts from what it held before the turn first touched it.
    pub fn before_patch(&mut self, path: &Path, move_to: Option<&Path>) {
        let full = self.files.len() >= MAX_TRACKED_FILES;
        match self.files.iter_mut().find(|file| file.current == path) {
            Some(file) => {
                if let Some(to) = move_to {
                    file.current = to.to_path_buf();
                }
            }
            None if !full => {
                let Some((before, mode)) = read_bounded(path) else { return };
                let size = before.as_ref().map_or(0, Vec::len);
                if self.kept + size > MAX_TRACKED_TOTAL {
                    return;
                }
                self.kept += size;
                self.files.push(Tracked {
                    original: path.to_path_buf(),
                    current: move_to.unwrap_or(path).to_path_buf(),
                    before_id: before.as_deref().map_or(NO_BLOB.to_owned(), blob_id),
                    before,
                    mode,
                });
            }
            None => {}
        }
    }

    /// Whether a patch touched anything this turn.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// How many files are tracked.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Forgets the files first tracked after the first `len`: a patch that changed nothing
    /// leaves no trace in the diff (the reference reports no diff for it).
    pub fn truncate(&mut self, len: usize) {
        for forgotten in self.files.drain(len.min(self.files.len())..) {
            self.kept -= forgotten.before.as_ref().map_or(0, Vec::len);
        }
    }

    /// The diff from the files' first state to now, by original path. A file back to what it
    /// held shows as an empty line, as in the reference. Blocking: it reads every file.
    pub fn unified_diff(&self) -> String {
        let mut files: Vec<&Tracked> = self.files.iter().collect();
        files.sort_by(|a, b| a.original.cmp(&b.original));
        let deadline = Instant::now() + DIFF_TIME;
        // The files' contents now are read within the same bound as their earlier ones.
        let mut budget = MAX_TRACKED_TOTAL;
        let mut text = String::new();
        for file in files {
            text.push_str(&self.file_diff(file, deadline, &mut budget));
            if text.len() > MAX_DIFF_BYTES {
                let mut cut = MAX_DIFF_BYTES;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str("\n[… the rest of the diff is left out: it is longer than 8 MiB …]\n");
                break;
            }
        }
        text
    }

    fn file_diff(&self, file: &Tracked, deadline: Instant, budget: &mut usize) -> String {
        let Some((after, mode_after)) = read_bounded(&file.current) else { return String::new() };
        let size = after.as_ref().map_or(0, Vec::len);
        if size > *budget {
            return String::new();
        }
        *budget -= size;
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
        let after_id = after.as_deref().map_or(NO_BLOB.to_owned(), blob_id);
        text.push_str(&format!("index {}..{after_id}\n", file.before_id));
        let before = String::from_utf8_lossy(file.before.as_deref().unwrap_or_default()).into_owned();
        let now = String::from_utf8_lossy(after.as_deref().unwrap_or_default()).into_owned();
        let from = if file.before.is_some() { format!("a/{old}") } else { "/dev/null".to_owned() };
        let to = if after.is_some() { format!("b/{new}") } else { "/dev/null".to_owned() };
        text.push_str(&format!("--- {from}\n+++ {to}\n"));
        let diff = similar::TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .deadline(deadline)
            .diff_lines(&before, &now);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            text.push_str(&hunk.to_string());
        }
        text
    }

    fn relative(&self, path: &Path) -> String {
        let relative = self.root.as_deref().and_then(|root| path.strip_prefix(root).ok());
        relative.unwrap_or(path).display().to_string()
    }
}

/// What `path` holds and its git mode; `None` for the content when there is no such file, and
/// `None` altogether when it cannot be tracked (a link, not a regular file, too large,
/// unreadable).
#[allow(clippy::type_complexity)] // (content if the file exists, its mode), or untrackable.
fn read_bounded(path: &Path) -> Option<(Option<Vec<u8>>, &'static str)> {
    match crate::bounded::read_regular_no_follow(path, MAX_TRACKED_BYTES) {
        Ok((content, meta)) => {
            let mode = if meta.permissions().mode() & 0o111 != 0 { "100755" } else { "100644" };
            Some((Some(content), mode))
        }
        Err(FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Some((None, "100644")),
        Err(_) => None,
    }
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
    use std::fs;

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
    fn outside_a_repository_paths_are_whole_and_a_patch_that_changed_nothing_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let mut diff = TurnDiff::new(&root);
        diff.before_patch(&root.join("new.txt"), None);
        fs::write(root.join("new.txt"), "hi\n").unwrap();
        let whole = root.join("new.txt").display().to_string();
        assert!(
            diff.unified_diff().starts_with(&format!("diff --git a/{whole} b/{whole}\n")),
            "as the reference"
        );

        let tracked = diff.len();
        fs::write(root.join("kept.txt"), "same\n").unwrap();
        diff.before_patch(&root.join("kept.txt"), None);
        diff.truncate(tracked);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff.kept, 0, "the forgotten file's contents are let go");
    }

    #[test]
    fn two_large_unlike_files_diff_within_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        let path = dir.path().join("big.txt");
        let lines = |tag: &str| (0..100_000).map(|i| format!("{tag}{i}\n")).collect::<String>();
        fs::write(&path, lines("a")).unwrap();
        let mut diff = TurnDiff::new(dir.path());
        diff.before_patch(&path, None);
        fs::write(&path, lines("b")).unwrap();
        let started = Instant::now();
        let text = diff.unified_diff();
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        assert!(text.starts_with("diff --git a/big.txt b/big.txt\n"));
        assert!(text.contains("-a99999\n") && text.contains("+b99999\n"));
    }

    #[test]
    fn the_files_and_bytes_kept_are_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let mut diff = TurnDiff::new(dir.path());
        for i in 0..MAX_TRACKED_FILES + 10 {
            diff.before_patch(&dir.path().join(format!("f{i}")), None);
        }
        assert_eq!(diff.files.len(), MAX_TRACKED_FILES);
        let mut diff = TurnDiff::new(dir.path());
        for i in 0..10 {
            let path = dir.path().join(format!("big{i}"));
            fs::File::create(&path).unwrap().set_len(MAX_TRACKED_BYTES).unwrap();
            diff.before_patch(&path, None);
        }
        assert_eq!(diff.kept, MAX_TRACKED_TOTAL);
        assert_eq!(diff.files.len(), MAX_TRACKED_TOTAL / MAX_TRACKED_BYTES as usize);
    }

    #[test]
    fn a_fifo_or_a_link_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/etc/hostname", &link).unwrap();
        let mut diff = TurnDiff::new(dir.path());
        diff.before_patch(&fifo, None);
        diff.before_patch(&link, None);
        assert!(diff.is_empty());
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
