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
    let fail = |path: &Path, what: &str| SandboxError::Mount {
        path: path.to_path_buf(),
        message: format!("{what}: {}", std::io::Error::last_os_error()),
    };
    // SAFETY: getuid/getgid cannot fail; unshare and mount take valid, NUL-terminated strings.
    unsafe {
        let (uid, gid) = (libc::getuid(), libc::getgid());
        if uid == 0 {
            if libc::unshare(libc::CLONE_NEWNS) != 0 {
                return Err(fail(&paths[0], "unshare(CLONE_NEWNS)"));
            }
        } else {
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                return Err(fail(&paths[0], "unshare(CLONE_NEWUSER | CLONE_NEWNS)"));
            }
            let write = |file: &str, text: String| std::fs::write(file, text);
            write("/proc/self/setgroups", "deny".into())
                .and_then(|()| write("/proc/self/uid_map", format!("{uid} {uid} 1")))
                .and_then(|()| write("/proc/self/gid_map", format!("{gid} {gid} 1")))
                .map_err(|e| SandboxError::Mount {
                    path: paths[0].clone(),
                    message: format!("id maps: {e}"),
                })?;
        }
        let root = c"/";
        if libc::mount(
            std::ptr::null(),
            root.as_ptr(),
            std::ptr::null(),
            libc::MS_REC | libc::MS_PRIVATE,
            std::ptr::null(),
        ) != 0
        {
            return Err(fail(Path::new("/"), "make mounts private"));
        }
        for path in paths {
            let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| SandboxError::Mount {
                path: path.clone(),
                message: "path has a NUL byte".into(),
            })?;
            if libc::mount(
                c.as_ptr(),
                c.as_ptr(),
                std::ptr::null(),
                libc::MS_BIND | libc::MS_REC,
                std::ptr::null(),
            ) != 0
            {
                return Err(fail(path, "bind mount"));
            }
            let flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
            if libc::mount(std::ptr::null(), c.as_ptr(), std::ptr::null(), flags, std::ptr::null()) != 0 {
                return Err(fail(path, "read-only remount"));
            }
        }
    }
    Ok(())
}
