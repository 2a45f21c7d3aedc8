//! Opening paths without following symlinks, with `openat2(2)`: the building block of everything
//! that must act on exactly the path it checked, while a sandboxed command may be renaming
//! directories and planting symlinks at the same time (the bind mounts of the sandbox, and the
//! writes of `apply_patch`).
//!
//! Every path given here is canonical (no symlink, no `.` or `..`): a symlink met anywhere on it
//! means the tree changed since the path was checked, and the open fails with `ELOOP`.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Resolution of a path below a directory: no symlink followed (not even in the middle of the
/// path), no `/proc` magic link, and never out of the directory.
const BENEATH: u64 = libc::RESOLVE_BENEATH | libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;

/// Resolution of an absolute path: no symlink, no magic link.
const ABSOLUTE: u64 = libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;

/// `struct open_how` (linux/openat2.h; the `libc` one cannot be built outside `libc`).
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// `path` as a C string; a NUL byte in it is an `InvalidInput` error.
pub fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "the path has a NUL byte"))
}

/// `openat2(dir, path, flags, mode, resolve)`; `O_CLOEXEC` is always added. `dir` `None` is
/// `AT_FDCWD`.
fn openat2(
    dir: Option<BorrowedFd<'_>>,
    path: &Path,
    flags: i32,
    mode: u32,
    resolve: u64,
) -> io::Result<OwnedFd> {
    let c = c_path(path)?;
    let how = OpenHow { flags: (flags | libc::O_CLOEXEC) as u64, mode: u64::from(mode), resolve };
    let dir = dir.map_or(libc::AT_FDCWD, |d| d.as_raw_fd());
    // SAFETY: `c` is NUL-terminated and `how` a valid `open_how` whose size is passed; both live
    // across the call.
    let fd = unsafe {
        libc::syscall(libc::SYS_openat2, dir, c.as_ptr(), &how as *const OpenHow, size_of::<OpenHow>())
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd =
        RawFd::try_from(fd).map_err(|_| io::Error::other("openat2 returned an impossible descriptor"))?;
    // SAFETY: the kernel just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Opens the directory `path` (absolute, canonical) as an `O_PATH` handle, refusing any symlink
/// on the way.
pub fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    openat2(None, path, libc::O_PATH | libc::O_DIRECTORY, 0, ABSOLUTE)
}

/// Opens `path` (relative, canonical) below `dir`, refusing any symlink on the way (the last
/// component included) and anything that would leave `dir`. `mode` is used only with
/// `O_CREAT`.
pub fn open_beneath(dir: BorrowedFd<'_>, path: &Path, flags: i32, mode: u32) -> io::Result<OwnedFd> {
    let mode = if flags & libc::O_CREAT != 0 { mode } else { 0 };
    openat2(Some(dir), path, flags, mode, BENEATH)
}

/// Whether this kernel has `openat2(2)` (Linux 5.6) and lets this process use it.
pub fn openat2_available() -> bool {
    open_dir(Path::new("/")).is_ok()
}

/// `fstat` of an open descriptor.
pub fn stat(fd: BorrowedFd<'_>) -> io::Result<libc::stat> {
    // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is open for the borrow and `st` is writable memory of the right type.
    if unsafe { libc::fstat(fd.as_raw_fd(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(st)
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`: what `name` (one component) in `dir` is, a symlink
/// itself rather than its target.
pub fn stat_entry(dir: BorrowedFd<'_>, name: &Path) -> io::Result<libc::stat> {
    let c = c_path(name)?;
    // SAFETY: as in `stat`.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated, `dir` open for the borrow, `st` writable.
    if unsafe { libc::fstatat(dir.as_raw_fd(), c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(st)
}

/// The file type bits of a `stat`.
pub fn file_type(st: &libc::stat) -> libc::mode_t {
    st.st_mode & libc::S_IFMT
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    #[test]
    fn symlinks_and_climbing_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::fs::write(root.join("real/f"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        let fd = open_dir(&root).unwrap();
        assert!(open_beneath(fd.as_fd(), Path::new("real/f"), libc::O_RDONLY, 0).is_ok());
        let loop_ = open_beneath(fd.as_fd(), Path::new("link/f"), libc::O_RDONLY, 0).unwrap_err();
        assert_eq!(loop_.raw_os_error(), Some(libc::ELOOP));
        assert!(open_beneath(fd.as_fd(), Path::new("../x"), libc::O_RDONLY, 0).is_err());
        assert!(open_dir(&root.join("link")).is_err());
        assert!(openat2_available());
    }
}
