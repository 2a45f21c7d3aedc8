//! The tests of `apply_patch`: parsing, applying, and writing only where the targets say.

use super::*;
use crate::sandbox::fd;

fn patch(body: &str) -> String {
    format!("*** Begin Patch\n{body}*** End Patch\n")
}

/// Applies `files` in `cwd` as a workspace-write policy would: `cwd` the only root.
fn apply_in(cwd: &Path, files: &[FilePatch]) -> Result<Vec<AppliedChange>, PatchError> {
    let writer = Writer::Confined { roots: vec![cwd.canonicalize().unwrap()] };
    apply(cwd, files, &targets(cwd, files), &writer)
}

#[test]
fn add_update_move_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    std::fs::write(cwd.join("a.txt"), "one\ntwo\nthree\n").unwrap();
    std::fs::write(cwd.join("gone.txt"), "x\n").unwrap();
    let files = parse(&patch(
        "*** Add File: new/hello.txt\n+hi\n+there\n*** Update File: a.txt\n*** Move to: b.txt\n@@ one\n-two\n+2\n three\n*** Delete File: gone.txt\n",
    ))
    .unwrap();
    let changes = apply_in(cwd, &files).unwrap();
    assert_eq!(std::fs::read_to_string(cwd.join("new/hello.txt")).unwrap(), "hi\nthere\n");
    assert_eq!(std::fs::read_to_string(cwd.join("b.txt")).unwrap(), "one\n2\nthree\n");
    assert!(!cwd.join("a.txt").exists() && !cwd.join("gone.txt").exists());
    assert_eq!(
        changes.iter().map(|c| c.kind).collect::<Vec<_>>(),
        [ChangeKind::Add, ChangeKind::Update, ChangeKind::Delete]
    );
    assert_eq!(changes[1].diff, "@@ one\n-two\n+2\n three\n");
    assert_eq!(
        summary(&changes, cwd),
        "Success. Updated the following files:\nA new/hello.txt\nM b.txt\nD gone.txt\n"
    );
}

#[test]
fn a_patch_that_does_not_fit_writes_nothing_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    std::fs::write(cwd.join("a.txt"), "one\n").unwrap();
    let files =
        parse(&patch("*** Add File: first.txt\n+x\n*** Update File: a.txt\n@@\n-missing\n+y\n")).unwrap();
    let error = apply_in(cwd, &files).unwrap_err();
    assert!(matches!(&error, PatchError::Mismatch { path, .. } if path == "a.txt"), "{error}");
    assert!(!cwd.join("first.txt").exists(), "the first file of a failing patch is not written");
    assert_eq!(std::fs::read_to_string(cwd.join("a.txt")).unwrap(), "one\n");
}

#[test]
fn malformed_patches_name_the_line() {
    let error = parse("*** Begin Patch\n*** Add File: a\nno plus\n*** End Patch").unwrap_err();
    assert_eq!(
        error,
        PatchError::Syntax { line: 3, message: "every line of an added file starts with `+`".into() }
    );
    assert!(matches!(parse("hello"), Err(PatchError::Syntax { line: 1, .. })));
    assert!(matches!(
        parse("*** Begin Patch\n*** Frobnicate: x\n*** End Patch"),
        Err(PatchError::Syntax { line: 2, .. })
    ));
}

#[test]
fn insertion_at_the_end_of_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a"), "x\n").unwrap();
    let files = parse(&patch("*** Update File: a\n@@\n+y\n*** End of File\n")).unwrap();
    apply_in(dir.path(), &files).unwrap();
    assert_eq!(std::fs::read_to_string(dir.path().join("a")).unwrap(), "x\ny\n");
}

#[test]
fn a_directory_swapped_for_a_symlink_after_the_check_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.join("d")).unwrap();
    let files = parse(&patch("*** Add File: d/new.txt\n+x\n")).unwrap();
    let checked = targets(&cwd, &files);
    assert_eq!(checked.changed(), [cwd.join("d/new.txt")]);
    // The race: between the verdict and the write, `d` becomes a link to outside.
    std::fs::remove_dir(cwd.join("d")).unwrap();
    std::os::unix::fs::symlink(outside.path(), cwd.join("d")).unwrap();
    let writer = Writer::Confined { roots: vec![cwd.clone()] };
    let error = apply(&cwd, &files, &checked, &writer).unwrap_err();
    assert!(error.to_string().contains("Too many levels of symbolic links"), "{error}");
    assert!(error.changed_nothing());
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0, "nothing outside");
}

#[test]
fn confined_writes_stay_in_the_roots_and_in_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let files = parse(&patch(&format!("*** Add File: {}/x\n+x\n", outside.path().display()))).unwrap();
    let error = apply_in(&cwd, &files).unwrap_err();
    assert!(error.to_string().contains("outside the writable roots") && error.changed_nothing(), "{error}");
    assert!(!outside.path().join("x").exists());
    // A FIFO is refused, not waited on.
    let fifo = fd::c_path(&cwd.join("pipe")).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let files = parse(&patch("*** Update File: pipe\n@@\n+x\n")).unwrap();
    assert!(matches!(apply_in(&cwd, &files), Err(PatchError::Mismatch { .. })));
}

#[test]
fn deleting_a_symlink_removes_the_link_not_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().canonicalize().unwrap();
    std::fs::write(cwd.join("target.txt"), "keep\n").unwrap();
    std::os::unix::fs::symlink(cwd.join("target.txt"), cwd.join("link")).unwrap();
    apply_in(&cwd, &parse(&patch("*** Delete File: link\n")).unwrap()).unwrap();
    assert!(std::fs::symlink_metadata(cwd.join("link")).is_err());
    assert_eq!(std::fs::read_to_string(cwd.join("target.txt")).unwrap(), "keep\n");
}
