//! A private mount namespace in which directories are bind-mounted read-only over themselves.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::SandboxError;

/// Makes each of `paths` read-only for the calling process and what it `exec`s. Does nothing
/// when `paths` is empty. Needs a new mount namespace: as root directly, otherwise inside a new
/// user namespace that maps the caller's own ids.
pub fn protect(paths: &[PathBuf]) -> Result<(), SandboxError> {
    if paths.is_empty() {
        return Ok(());
    }
    enter_private_mounts(&paths[0])?;
    for path in paths {
        bind_read_only(path)?;
    }
    Ok(())
}

fn os_failure(path: &Path, what: &str) -> SandboxError {
    SandboxError::Mount {
        path: path.to_path_buf(),
        message: format!("{what}: {}", std::io::Error::last_os_error()),
    }
}

/// A mount namespace of this process's own (inside a user namespace when not root), whose mounts
/// do not propagate back. `first` names the failure.
fn enter_private_mounts(first: &Path) -> Result<(), SandboxError> {
    // SAFETY: getuid/getgid cannot fail; unshare takes flags only.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    if uid == 0 {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
            return Err(os_failure(first, "unshare(CLONE_NEWNS)"));
        }
    } else {
        // SAFETY: as above.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) } != 0 {
            return Err(os_failure(first, "unshare(CLONE_NEWUSER | CLONE_NEWNS)"));
        }
        let write = |file: &str, text: String| std::fs::write(file, text);
        write("/proc/self/setgroups", "deny".into())
            .and_then(|()| write("/proc/self/uid_map", format!("{uid} {uid} 1")))
            .and_then(|()| write("/proc/self/gid_map", format!("{gid} {gid} 1")))
            .map_err(|e| SandboxError::Mount {
                path: first.to_path_buf(),
                message: format!("id maps: {e}"),
            })?;
    }
    let flags = libc::MS_REC | libc::MS_PRIVATE;
    // SAFETY: a valid NUL-terminated target; null source, type and data are allowed here.
    if unsafe { libc::mount(std::ptr::null(), c"/".as_ptr(), std::ptr::null(), flags, std::ptr::null()) } != 0
    {
        return Err(os_failure(Path::new("/"), "make mounts private"));
    }
    Ok(())
}

/// Bind-mounts `path` over itself, then makes that mount read-only.
fn bind_read_only(path: &Path) -> Result<(), SandboxError> {
    let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| SandboxError::Mount {
        path: path.to_path_buf(),
        message: "path has a NUL byte".into(),
    })?;
    let bind = libc::MS_BIND | libc::MS_REC;
    // SAFETY: valid NUL-terminated source and target; null type and data are allowed here.
    if unsafe { libc::mount(c.as_ptr(), c.as_ptr(), std::ptr::null(), bind, std::ptr::null()) } != 0 {
        return Err(os_failure(path, "bind mount"));
    }
    let flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
    // SAFETY: as above.
    if unsafe { libc::mount(std::ptr::null(), c.as_ptr(), std::ptr::null(), flags, std::ptr::null()) } != 0 {
        return Err(os_failure(path, "read-only remount"));
    }
    Ok(())
}
