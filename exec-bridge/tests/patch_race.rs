//! The check-then-write race of `apply_patch`: while the model applies hundreds of patches into
//! `d/`, a thread of the test (unconfined, as a command left running would be inside its own
//! sandbox) keeps swapping `d` between a real directory inside the workspace and a symlink to a
//! directory outside, atomically (`renameat2(RENAME_EXCHANGE)`). Whatever the timing, no patch
//! may land outside: each is applied inside, declined (the link was there at the check), or
//! fails (the link appeared after the check).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use protocol::exec::{PatchApplyStatus, ThreadItemDetails};
use serde_json::{json, Value};
use test_support::script::{message, patch};
use test_support::World;

const PATCHES: usize = 500;

/// Swaps the names `a` and `b` atomically.
fn exchange(a: &Path, b: &Path) {
    let (a, b) =
        (CString::new(a.as_os_str().as_bytes()).unwrap(), CString::new(b.as_os_str().as_bytes()).unwrap());
    // SAFETY: two NUL-terminated paths relative to the working directory (AT_FDCWD).
    let done = unsafe {
        libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE)
    };
    assert_eq!(done, 0, "renameat2: {}", std::io::Error::last_os_error());
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|entries| entries.count()).unwrap_or(0)
}

#[test]
fn no_patch_lands_outside_while_a_directory_flips_to_a_symlink() {
    let outside = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let calls: Vec<Value> = (0..PATCHES)
        .map(|i| patch(&format!("p{i}"), &format!("*** Add File: d/f{i}.txt\n+patch {i}\n")))
        .collect();
    let world = World::new(json!([calls, [message("done")]]));
    let (dir, link) = (world.cwd().join("d"), world.cwd().join("d-link"));
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(outside.path(), &link).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let flips = Arc::new(AtomicU64::new(0));
    let flipper = {
        let (stop, flips, dir, link) = (stop.clone(), flips.clone(), dir.clone(), link.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                exchange(&dir, &link);
                flips.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let run = world.exec_json(&[
        "-s",
        "workspace-write",
        "-c",
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "-c",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
        "patch away",
    ]);
    stop.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    run.assert_ok();

    let statuses: Vec<PatchApplyStatus> = run
        .completed()
        .iter()
        .filter_map(|item| match item {
            ThreadItemDetails::FileChange(change) => Some(change.status),
            _ => None,
        })
        .collect();
    let count = |status: PatchApplyStatus| statuses.iter().filter(|s| **s == status).count();
    let (applied, declined, failed) = (
        count(PatchApplyStatus::Completed),
        count(PatchApplyStatus::Declined),
        count(PatchApplyStatus::Failed),
    );
    // Whichever name the real directory has now, that is where the applied patches are.
    let real =
        [&dir, &link].into_iter().find(|p| !std::fs::symlink_metadata(p).unwrap().is_symlink()).unwrap();
    let inside = count_files(real);
    let landed_outside = count_files(outside.path());
    println!(
        "patch race: {PATCHES} patches tried, {applied} applied ({inside} files inside), {declined} declined (the link was there at the check), {failed} failed (it appeared after the check), {landed_outside} outside; {} flips",
        flips.load(Ordering::Relaxed)
    );
    assert_eq!(statuses.len(), PATCHES, "{:?}", run.kinds());
    assert_eq!(landed_outside, 0, "patches landed outside the writable roots");
    assert_eq!(inside, applied, "every applied patch is inside, and only those");
    assert!(applied > 0 && declined + failed > 0, "the race did not happen; the test proves nothing");
}
