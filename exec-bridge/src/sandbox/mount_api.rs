//! The file-descriptor based mount API (`open_tree`, `mount_setattr`, `move_mount`; Linux 5.12,
//! older than any kernel with Landlock): a mount is cloned, changed and attached through
//! descriptors, so that what is mounted and where cannot be swapped by a rename in between.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// `OPEN_TREE_CLONE` (linux/mount.h): a detached copy instead of the mount itself.
const OPEN_TREE_CLONE: libc::c_uint = 1;
/// `MOVE_MOUNT_F_EMPTY_PATH`: the mount to move is the descriptor itself.
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x04;
/// `MOVE_MOUNT_T_EMPTY_PATH`: the place to attach it is the descriptor itself.
const MOVE_MOUNT_T_EMPTY_PATH: libc::c_uint = 0x40;
/// `MOUNT_ATTR_RDONLY`.
const MOUNT_ATTR_RDONLY: u64 = 0x01;

/// `struct mount_attr` (linux/mount.h).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// A detached copy of the mount tree at `at` (a descriptor of a file or directory of this mount
/// namespace), submounts included, with their current flags.
pub fn clone_tree(at: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let flags = OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | libc::AT_EMPTY_PATH as libc::c_uint;
    let flags = flags | libc::AT_RECURSIVE as libc::c_uint;
    // SAFETY: an open descriptor and an empty NUL-terminated path; no other pointer.
    let fd = check(unsafe { libc::syscall(libc::SYS_open_tree, at.as_raw_fd(), c"".as_ptr(), flags) })?;
    let fd =
        RawFd::try_from(fd).map_err(|_| io::Error::other("open_tree returned an impossible descriptor"))?;
    // SAFETY: the kernel just returned this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Makes the mount `tree` (a detached copy from [`clone_tree`]) and every mount below it
/// read-only.
pub fn make_read_only(tree: BorrowedFd<'_>) -> io::Result<()> {
    set_attr(tree.as_raw_fd(), c"", libc::AT_EMPTY_PATH)
}

/// Makes every mount of this namespace read-only, from `/` down.
pub fn make_all_read_only() -> io::Result<()> {
    set_attr(libc::AT_FDCWD, c"/", 0)
}

fn set_attr(dir: RawFd, path: &std::ffi::CStr, flags: libc::c_int) -> io::Result<()> {
    let attr = MountAttr { attr_set: MOUNT_ATTR_RDONLY, attr_clr: 0, propagation: 0, userns_fd: 0 };
    let flags = (flags | libc::AT_RECURSIVE) as libc::c_uint;
    // SAFETY: `path` is NUL-terminated and `attr` a valid `mount_attr` whose size is passed.
    check(unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            dir,
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            size_of::<MountAttr>(),
        )
    })
    .map(drop)
}

/// Attaches the detached tree `tree` on top of `onto` (a descriptor of a file or directory of
/// this mount namespace): the very file `onto` names, whatever path now leads to it.
pub fn attach(tree: BorrowedFd<'_>, onto: BorrowedFd<'_>) -> io::Result<()> {
    let flags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
    // SAFETY: two open descriptors and empty NUL-terminated paths.
    check(unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            onto.as_raw_fd(),
            c"".as_ptr(),
            flags,
        )
    })
    .map(drop)
}
