//! Shared by the conformance tests: where and how transcripts are pinned.

use std::path::Path;

/// insta settings for the pinned transcripts: `tests/snapshots/<name>.snap`, no module prefix,
/// no expression line.
pub fn pinned() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_omit_expression(true);
    settings
}
