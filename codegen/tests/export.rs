//! One tree at a time, for use outside the repository: `generate_schema` and
//! `generate_typescript` split `generate` exactly, and `write_into` writes a tree into any
//! folder, saying which path stands in its way.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::fs;
use std::path::Path;

use codegen::{WriteError, BUNDLE_FILE, SCHEMA_DIR, TS_DIR};

#[test]
fn the_two_trees_are_exactly_the_generated_files_relative_to_their_folders() {
    let all = codegen::generate().unwrap();
    let schema = codegen::generate_schema().unwrap();
    let typescript = codegen::generate_typescript().unwrap();
    assert!(schema.contains_key(Path::new(BUNDLE_FILE)));
    assert!(schema.contains_key(Path::new("v2/ThreadItem.json")));
    assert!(typescript.contains_key(Path::new("index.ts")));
    assert!(typescript.contains_key(Path::new("exec/ThreadEvent.ts")));
    assert!(typescript.contains_key(Path::new("wireNames.ts")));

    let mut rejoined = codegen::Files::new();
    for (dir, tree) in [(SCHEMA_DIR, &schema), (TS_DIR, &typescript)] {
        for (path, content) in tree {
            assert!(
                path.is_relative() && !path.starts_with(dir),
                "{} is not relative to {dir}",
                path.display()
            );
            rejoined.insert(Path::new(dir).join(path), content.clone());
        }
    }
    assert_eq!(rejoined, all, "schema/ and sdk-ts/src/generated/ are everything generate() makes");
}

#[test]
fn write_into_creates_the_folder_and_leaves_other_files_alone() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("a/b");
    let own = out.join("mine.txt");
    let schema = codegen::generate_schema().unwrap();
    codegen::write_into(&out, &schema).unwrap();
    fs::write(&own, "kept").unwrap();
    fs::write(out.join(BUNDLE_FILE), "stale").unwrap();
    codegen::write_into(&out, &schema).unwrap();
    for (path, content) in &schema {
        assert_eq!(&fs::read_to_string(out.join(path)).unwrap(), content, "{}", path.display());
    }
    assert_eq!(fs::read_to_string(own).unwrap(), "kept");
}

#[test]
fn write_into_names_the_file_that_stands_where_a_folder_should() {
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("file");
    fs::write(&file, "").unwrap();
    let schema = codegen::generate_schema().unwrap();
    for out in [file.clone(), file.join("below")] {
        match codegen::write_into(&out, &schema) {
            Err(WriteError::NotADirectory(path)) => assert_eq!(path, file),
            other => panic!("writing into {}: {other:?}", out.display()),
        }
    }
    let error = codegen::write_into(&file, &schema).unwrap_err();
    assert_eq!(error.to_string(), format!("{} exists and is not a directory", file.display()));

    // A folder the tree needs, taken by a file.
    let out = scratch.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("v2"), "").unwrap();
    match codegen::write_into(&out, &schema) {
        Err(WriteError::NotADirectory(path)) => assert_eq!(path, out.join("v2")),
        other => panic!("{other:?}"),
    }
}
