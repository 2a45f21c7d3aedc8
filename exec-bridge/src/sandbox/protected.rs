//! Finding the `.git` and `.codex` directories (or files) inside a writable root, at any depth,
//! so that each is mounted read-only: a nested repository's hooks run as much as the top one's.
//!
//! The search is breadth-first from the root's own descriptor and never follows a symlink (a
//! symlink named `.git` is not protected, and one to a directory is not entered). It is bounded,
//! so that a huge tree (`/tmp`, `node_modules`) does not delay every command: directories up to
//! [`MAX_DEPTH`] levels below the root are read, [`MAX_ENTRIES`] entries in all per root. The
//! root's own `.git` and `.codex` are always protected, whatever the bounds. Beyond them a
//! repository is not protected by the mounts (a patch into it still asks: the policy's rule
//! has no bound).

use std::collections::VecDeque;
use std::ffi::{CStr, OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, IntoRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::fd;

/// The names kept read-only wherever they are inside a writable root.
pub const NAMES: [&str; 2] = [".git", ".codex"];

/// How many directory levels below a root are searched: a `.git` at most this deep (`a/b/.git`
/// is 3) is found.
pub const MAX_DEPTH: usize = 10;

/// How many directory entries are read per root at most.
pub const MAX_ENTRIES: usize = 20_000;

/// Whether `name` is one of [`NAMES`].
pub fn is_protected_name(name: &OsStr) -> bool {
    NAMES.iter().any(|n| OsStr::new(n) == name)
}

/// Every `.git` and `.codex` found below `root`, within the bounds: its path relative to `root`
/// and an `O_PATH` descriptor of it.
pub fn find(root: BorrowedFd<'_>) -> Vec<(PathBuf, OwnedFd)> {
    let mut found: Vec<(PathBuf, OwnedFd)> =
        NAMES.iter().filter_map(|name| open_entry(root, Path::new(name))).collect();
    let mut budget = MAX_ENTRIES;
    let mut queue = VecDeque::from([(PathBuf::new(), 0usize)]);
    while let Some((dir, level)) = queue.pop_front() {
        let Ok(entries) = read_dir(root, &dir, &mut budget) else { continue };
        for (name, kind) in entries {
            let path = dir.join(&name);
            if is_protected_name(&name) {
                if level > 0 {
                    found.extend(open_entry(root, &path));
                }
            } else if kind == libc::S_IFDIR && level + 1 < MAX_DEPTH {
                queue.push_back((path, level + 1));
            }
        }
    }
    found
}

/// `O_PATH` descriptor of `path` below `root`, if it is there and no symlink.
fn open_entry(root: BorrowedFd<'_>, path: &Path) -> Option<(PathBuf, OwnedFd)> {
    let fd = fd::open_beneath(root, path, libc::O_PATH | libc::O_NOFOLLOW, 0).ok()?;
    Some((path.to_path_buf(), fd))
}

/// The entries of `dir` (below `root`) with their file types, at most `budget` of them (which
/// they use up); `.` and `..` left out.
fn read_dir(
    root: BorrowedFd<'_>,
    dir: &Path,
    budget: &mut usize,
) -> io::Result<Vec<(OsString, libc::mode_t)>> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let handle = fd::open_beneath(root, dir, libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
    let stream = DirStream::new(handle.try_clone()?)?;
    let mut entries = Vec::new();
    while *budget > 0 {
        let Some((name, d_type)) = stream.next_entry() else { break };
        if name == "." || name == ".." {
            continue;
        }
        *budget -= 1;
        let kind = match d_type {
            libc::DT_DIR => libc::S_IFDIR,
            libc::DT_UNKNOWN => {
                fd::stat_entry(handle.as_fd(), Path::new(&name)).map(|st| fd::file_type(&st)).unwrap_or(0)
            }
            _ => 0,
        };
        entries.push((name, kind));
    }
    Ok(entries)
}

/// A directory stream over a descriptor (`fdopendir`), closed on drop.
struct DirStream(std::ptr::NonNull<libc::DIR>);

impl DirStream {
    fn new(dir: OwnedFd) -> io::Result<DirStream> {
        let raw = dir.into_raw_fd();
        // SAFETY: `raw` is an open directory descriptor that the stream now owns.
        let stream = unsafe { libc::fdopendir(raw) };
        match std::ptr::NonNull::new(stream) {
            Some(stream) => Ok(DirStream(stream)),
            None => {
                let error = io::Error::last_os_error();
                // SAFETY: fdopendir failed, so `raw` is still ours to close.
                unsafe { libc::close(raw) };
                Err(error)
            }
        }
    }

    /// The next entry's name and `d_type`; `None` at the end (or on a read error).
    fn next_entry(&self) -> Option<(OsString, u8)> {
        // SAFETY: the stream is open until drop; readdir's result is valid until the next call,
        // and the name is copied out before that.
        unsafe {
            let entry = libc::readdir64(self.0.as_ptr());
            if entry.is_null() {
                return None;
            }
            let name = CStr::from_ptr((*entry).d_name.as_ptr());
            Some((OsStr::from_bytes(name.to_bytes()).to_owned(), (*entry).d_type))
        }
    }
}

impl Drop for DirStream {
    fn drop(&mut self) {
        // SAFETY: the stream is open and closed only here.
        unsafe { libc::closedir(self.0.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_paths(root: &Path) -> Vec<PathBuf> {
        let dir = fd::open_dir(root).unwrap();
        let mut paths: Vec<PathBuf> = find(dir.as_fd()).into_iter().map(|(path, _)| path).collect();
        paths.sort();
        paths
    }

    #[test]
    fn nested_repositories_are_found_and_symlinks_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for sub in [".git/hooks", "a/.git/hooks", "a/b/c/.codex", "deep/1/2/3/4/5/6/7/8/9/10/.git"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        std::fs::write(root.join("a/b/.git"), "gitdir: elsewhere\n").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(outside.path().join(".git")).unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("link")).unwrap();
        let expected: Vec<PathBuf> =
            [".git", "a/.git", "a/b/.git", "a/b/c/.codex"].iter().map(PathBuf::from).collect();
        assert_eq!(found_paths(&root), expected, "the 11-level-deep one is beyond the bound");
    }
}
