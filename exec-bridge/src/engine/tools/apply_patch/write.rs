//! How a patch's changes reach the disk.
//!
//! The runtime writes patches itself, outside the sandbox, while a sandboxed command (one left
//! running in the background, say) may be swapping a directory for a symlink at the same moment.
//! So every target was resolved once, before the verdict (canonical: no symlink in it), and
//! [`Writer::Confined`] then acts on exactly that path: it opens the writable root the path lies
//! in, and walks from there with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
//! RESOLVE_NO_MAGICLINKS)`, each missing directory made with `mkdirat` on the descriptor of its
//! parent. A symlink met anywhere on the way means the tree changed since the check: the write
//! fails (`ELOOP`) instead of landing elsewhere.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use crate::sandbox::fd;

/// Where a patch may write, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    /// Race-free (see the module): every write and removal beneath one of `roots` (canonical),
    /// none elsewhere.
    Confined {
        /// The directories changes may land beneath.
        roots: Vec<PathBuf>,
    },
    /// `std::fs`, following symlinks: when no sandbox applies (`danger-full-access`), or when the
    /// user approved the patch on a kernel without `openat2`.
    Plain,
}

/// What is at a path (a symlink itself, not its target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A regular file.
    File,
    /// A symlink.
    Symlink,
    /// Anything else: a directory, a FIFO, a device.
    Other,
}

fn refused(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, message.to_owned())
}

/// Reads a whole regular file from `file`, opened `O_NONBLOCK` (a FIFO is refused, not waited
/// on).
fn read_regular(file: OwnedFd) -> io::Result<String> {
    if fd::file_type(&fd::stat(file.as_fd())?) != libc::S_IFREG {
        return Err(refused("not a regular file"));
    }
    let mut text = String::new();
    File::from(file).read_to_string(&mut text)?;
    Ok(text)
}

impl Writer {
    /// The contents of the regular file `path` (canonical). Reading is not confined to the
    /// roots, but follows no symlink either.
    pub(super) fn read(&self, path: &Path) -> io::Result<String> {
        match self {
            Writer::Plain => std::fs::read_to_string(path),
            Writer::Confined { .. } => {
                let root = fd::open_dir(Path::new("/"))?;
                let rest = path.strip_prefix("/").map_err(|_| refused("not an absolute path"))?;
                let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY;
                read_regular(fd::open_beneath(root.as_fd(), rest, flags, 0)?)
            }
        }
    }

    /// What is at `path`, `None` when nothing is.
    pub(super) fn kind(&self, path: &Path) -> io::Result<Option<Kind>> {
        let mode = match self {
            Writer::Plain => match std::fs::symlink_metadata(path) {
                Ok(meta) => std::os::unix::fs::MetadataExt::mode(&meta) & libc::S_IFMT,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(e),
            },
            Writer::Confined { .. } => {
                let (dir, name) = match self.parent(path, false) {
                    Ok(found) => found,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                };
                match fd::stat_entry(dir.as_fd(), Path::new(name)) {
                    Ok(st) => fd::file_type(&st),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
        };
        Ok(Some(match mode {
            libc::S_IFREG => Kind::File,
            libc::S_IFLNK => Kind::Symlink,
            _ => Kind::Other,
        }))
    }

    /// Writes `contents` to `path` (canonical), making its missing directories; `new`: the file
    /// must not exist yet.
    pub(super) fn write(&self, path: &Path, contents: &str, new: bool) -> io::Result<()> {
        let Writer::Confined { .. } = self else {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut options = File::options();
            options.write(true);
            if new {
                options.create_new(true)
            } else {
                options.create(true).truncate(true)
            };
            return options.open(path)?.write_all(contents.as_bytes());
        };
        let (dir, name) = self.parent(path, true)?;
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_NOCTTY | libc::O_NONBLOCK;
        let flags = flags | if new { libc::O_EXCL } else { libc::O_TRUNC };
        let file = fd::open_beneath(dir.as_fd(), Path::new(name), flags, 0o666)?;
        if fd::file_type(&fd::stat(file.as_fd())?) != libc::S_IFREG {
            return Err(refused("not a regular file"));
        }
        File::from(file).write_all(contents.as_bytes())
    }

    /// Removes `path` (its last component is not followed: a symlink is removed itself).
    pub(super) fn remove(&self, path: &Path) -> io::Result<()> {
        let Writer::Confined { .. } = self else { return std::fs::remove_file(path) };
        let (dir, name) = self.parent(path, false)?;
        let name = fd::c_path(Path::new(name))?;
        // SAFETY: `dir` is open for the call and `name` NUL-terminated.
        if unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// A descriptor of the directory `path` lies in, reached from the root it is beneath without
    /// following symlinks (`make`: making missing directories), and `path`'s last component.
    fn parent<'p>(&self, path: &'p Path, make: bool) -> io::Result<(OwnedFd, &'p OsStr)> {
        let Writer::Confined { roots } = self else { return Err(refused("not confined")) };
        let root = roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .ok_or_else(|| refused("outside the writable roots"))?;
        let rest = path.strip_prefix(root).map_err(|_| refused("outside the writable roots"))?;
        let name = rest.file_name().ok_or_else(|| refused("not a file"))?;
        let mut dir = fd::open_dir(root)?;
        for component in rest.parent().into_iter().flat_map(Path::components) {
            let Component::Normal(part) = component else { return Err(refused("not a canonical path")) };
            dir = open_subdir(&dir, Path::new(part), make)?;
        }
        Ok((dir, name))
    }
}

/// The directory `name` in `dir`, made first when missing and `make`.
fn open_subdir(dir: &OwnedFd, name: &Path, make: bool) -> io::Result<OwnedFd> {
    let flags = libc::O_PATH | libc::O_DIRECTORY;
    match fd::open_beneath(dir.as_fd(), name, flags, 0) {
        Err(e) if make && e.kind() == io::ErrorKind::NotFound => {
            let c = fd::c_path(name)?;
            // SAFETY: `dir` is open for the call and `c` NUL-terminated.
            if unsafe { libc::mkdirat(dir.as_raw_fd(), c.as_ptr(), 0o777) } != 0 {
                let error = io::Error::last_os_error();
                if error.kind() != io::ErrorKind::AlreadyExists {
                    return Err(error);
                }
            }
            fd::open_beneath(dir.as_fd(), name, flags, 0)
        }
        other => other,
    }
}

/// The roots of a patch the user approved: the writable roots, and for each target beneath none
/// of them, the deepest directory above it that exists (canonical): the changes still land
/// exactly where the approval showed, and nowhere a symlink planted since would lead.
pub fn approved_roots(writable_roots: &[PathBuf], targets: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots = writable_roots.to_vec();
    for target in targets {
        if roots.iter().any(|root| target.starts_with(root)) {
            continue;
        }
        if let Some(existing) = target.ancestors().skip(1).find(|dir| dir.is_dir()) {
            roots.push(existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf()));
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_on_the_way_stops_the_write_and_the_removal() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("victim"), "safe\n").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("d")).unwrap();
        let writer = Writer::Confined { roots: vec![root.clone()] };
        for result in
            [writer.write(&root.join("d/victim"), "pwned\n", false), writer.remove(&root.join("d/victim"))]
        {
            assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::ELOOP));
        }
        assert_eq!(std::fs::read_to_string(outside.path().join("victim")).unwrap(), "safe\n");
        writer.write(&root.join("new/dirs/f"), "x\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("new/dirs/f")).unwrap(), "x\n");
        assert!(
            writer.write(&root.join("new/dirs/f"), "again\n", true).is_err(),
            "an add does not overwrite"
        );
    }

    #[test]
    fn approved_roots_add_the_deepest_existing_directory_of_each_outside_target() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir(base.join("granted")).unwrap();
        let roots = approved_roots(&[base.join("work")], &[base.join("work/a"), base.join("granted/new/f")]);
        assert_eq!(roots, [base.join("work"), base.join("granted")]);
    }
}
