//! The mount namespace of a sandboxed command, as bubblewrap's `--ro-bind / /` then
//! `--bind ROOT ROOT`: every mount read-only but the writable roots, and inside those every
//! `.git` and `.codex` (and each named read-only path, such as `CODEX_HOME`) read-only again.
//!
//! A read-only mount stops what Landlock does not cover: `chmod`, `chown`, `utime` and extended
//! attributes outside the roots, and hard links out of them (a link cannot cross mounts). The
//! steps, all on descriptors opened without following symlinks, so that a command still running
//! from before cannot redirect them with a rename:
//! 1. a private mount namespace (inside a new user namespace when not root);
//! 2. a detached copy of each writable root's mount tree (its submounts and their flags kept);
//! 3. every mount of the namespace made read-only, submounts included (`mount_setattr`);
//! 4. each copy attached over its root, writable as it was;
//! 5. each protected path copied, made read-only and attached over itself;
//! 6. back into the working directory, so that it is seen through the new mounts.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use super::{fd, mount_api, protected, SandboxError};

/// A writable root, open on its writable mount.
#[derive(Debug)]
pub struct Root {
    /// Its path.
    pub path: PathBuf,
    /// An `O_PATH` descriptor of it.
    pub fd: OwnedFd,
}

fn failure(path: &Path, what: &str, error: io::Error) -> SandboxError {
    SandboxError::Mount { path: path.to_path_buf(), message: format!("{what}: {error}") }
}

/// Sets up the mount namespace for the calling process (and what it `exec`s): only `roots`
/// writable, less the protected paths in them and `read_only`. Returns the roots that exist.
pub fn set_up(roots: &[PathBuf], read_only: &[PathBuf]) -> Result<Vec<Root>, SandboxError> {
    let cwd = std::env::current_dir().ok();
    enter_namespace()?;
    let roots = writable_view(roots)?;
    protect(&roots, read_only)?;
    // The old working directory is on the mount beneath; should it be gone, the command only
    // keeps a less writable one.
    if let Some(cwd) = cwd {
        let _ = std::env::set_current_dir(cwd);
    }
    Ok(roots)
}

/// A mount namespace of this process's own (inside a user namespace that maps the caller's own
/// ids when not root), whose mounts do not propagate back.
fn enter_namespace() -> Result<(), SandboxError> {
    let root = Path::new("/");
    let os = |what: &str| failure(root, what, io::Error::last_os_error());
    // SAFETY: getuid/getgid cannot fail; unshare takes flags only.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    if uid == 0 {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
            return Err(os("unshare(CLONE_NEWNS)"));
        }
    } else {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) } != 0 {
            return Err(os("unshare(CLONE_NEWUSER | CLONE_NEWNS)"));
        }
        let write = |file: &str, text: String| std::fs::write(file, text);
        write("/proc/self/setgroups", "deny".into())
            .and_then(|()| write("/proc/self/uid_map", format!("{uid} {uid} 1")))
            .and_then(|()| write("/proc/self/gid_map", format!("{gid} {gid} 1")))
            .map_err(|e| failure(root, "id maps", e))?;
    }
    let flags = libc::MS_REC | libc::MS_PRIVATE;
    // SAFETY: a valid NUL-terminated target; null source, type and data are allowed here.
    if unsafe { libc::mount(std::ptr::null(), c"/".as_ptr(), std::ptr::null(), flags, std::ptr::null()) } != 0
    {
        return Err(os("make mounts private"));
    }
    Ok(())
}

/// Steps 2 to 4: everything read-only but `paths`. A root that does not exist is left out; one
/// that cannot be opened without following a symlink is an error (it was resolved when the
/// policy was made, so the tree changed since).
fn writable_view(paths: &[PathBuf]) -> Result<Vec<Root>, SandboxError> {
    let mut opened: Vec<Root> = Vec::new();
    for path in paths {
        if opened.iter().any(|r| &r.path == path) {
            continue;
        }
        match fd::open_dir(path) {
            Ok(fd) => opened.push(Root { path: path.clone(), fd }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(failure(path, "open the writable root", e)),
        }
    }
    if opened.iter().any(|r| r.path == Path::new("/")) {
        return Ok(opened); // Everything is writable: nothing to make read-only.
    }
    let all: Vec<PathBuf> = opened.iter().map(|r| r.path.clone()).collect();
    let (nested, outermost): (Vec<Root>, Vec<Root>) =
        opened.into_iter().partition(|r| all.iter().any(|o| o != &r.path && r.path.starts_with(o)));
    let copies = outermost
        .iter()
        .map(|root| mount_api::clone_tree(root.fd.as_fd()).map_err(|e| failure(&root.path, "copy", e)))
        .collect::<Result<Vec<OwnedFd>, _>>()?;
    mount_api::make_all_read_only().map_err(|e| failure(Path::new("/"), "make read-only", e))?;
    let mut attached = Vec::new();
    for (root, copy) in outermost.into_iter().zip(copies) {
        mount_api::attach(copy.as_fd(), root.fd.as_fd()).map_err(|e| failure(&root.path, "attach", e))?;
        attached.push(Root { path: root.path, fd: copy });
    }
    for root in nested {
        let fd = open_in(&attached, &root.path, libc::O_DIRECTORY)?
            .ok_or_else(|| failure(&root.path, "open the writable root", io::ErrorKind::NotFound.into()))?;
        attached.push(Root { path: root.path, fd });
    }
    Ok(attached)
}

/// `path` opened (`O_PATH | extra`) through the root of `roots` it lies in, without following
/// symlinks; `None` when it lies in none, or does not exist.
fn open_in(roots: &[Root], path: &Path, extra: i32) -> Result<Option<OwnedFd>, SandboxError> {
    let Some((root, rest)) =
        roots.iter().filter_map(|r| path.strip_prefix(&r.path).ok().map(|rest| (r, rest))).next()
    else {
        return Ok(None);
    };
    let rest = if rest.as_os_str().is_empty() { Path::new(".") } else { rest };
    match fd::open_beneath(root.fd.as_fd(), rest, libc::O_PATH | libc::O_NOFOLLOW | extra, 0) {
        Ok(fd) => Ok(Some(fd)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(failure(path, "open", e)),
    }
}

/// Step 5: every `.git` and `.codex` in `roots` and each of `named` that lies in one, read-only.
fn protect(roots: &[Root], named: &[PathBuf]) -> Result<(), SandboxError> {
    let mut targets: Vec<(PathBuf, OwnedFd)> = Vec::new();
    for root in roots {
        targets
            .extend(protected::find(root.fd.as_fd()).into_iter().map(|(rel, fd)| (root.path.join(rel), fd)));
    }
    for path in named {
        if let Some(fd) = open_in(roots, path, 0)? {
            targets.push((path.clone(), fd));
        }
    }
    for (path, target) in targets {
        let copy = mount_api::clone_tree(target.as_fd()).map_err(|e| failure(&path, "copy", e))?;
        mount_api::make_read_only(copy.as_fd()).map_err(|e| failure(&path, "make read-only", e))?;
        mount_api::attach(copy.as_fd(), target.as_fd()).map_err(|e| failure(&path, "attach", e))?;
    }
    Ok(())
}
