//! Reading a folder of per-type schema files, for a folder without a bundle.
//!
//! A file `v2/Thread.json` is the definition `v2/Thread`. In the reference's folder (files
//! without agentwire's generator marker) `v1/` files are top-level, as in its bundle. Each file
//! is self-contained: its `definitions` repeat the types it uses, under local names that may
//! carry a number when two types share a name (`AskForApproval2`). Each local definition is
//! given the key of a definition already read when it is the same type (same name, a trailing
//! number aside, and the same content, references aside), else its name in the file's namespace
//! (`v2/ThreadItem`), else, when that key holds another type, a key of the file's own
//! (`ClientRequest/AskForApproval`). Files in folders are read before top-level ones, so that the
//! reference's aggregate files (`ClientRequest.json`, `ServerNotification.json`) find the `v2/`
//! types they repeat. Only local definitions their file uses are kept.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::load::{clean, read_dir, read_json, LoadError, Schema, DEFINITIONS};
use super::roots::name_of;

/// One per-type file.
struct File {
    key: String,
    namespace: String,
    value: Value,
}

/// Reads every `*.json` below `dir` as one type each.
pub fn load(dir: &Path) -> Result<Schema, LoadError> {
    let mut paths = Vec::new();
    walk(dir, Path::new(""), &mut paths)?;
    if paths.is_empty() {
        return Err(LoadError::Empty(dir.to_path_buf()));
    }
    let mut parsed = Vec::new();
    for relative in paths {
        let value = read_json(&dir.join(&relative))?;
        parsed.push((relative, value));
    }
    let agentwire = parsed.iter().any(|(_, value)| {
        value.get("$comment").and_then(Value::as_str).is_some_and(|c| c.contains("agentwire"))
    });
    let mut files: Vec<File> = parsed
        .into_iter()
        .map(|(relative, value)| {
            let mut namespace =
                relative.parent().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            if !agentwire && namespace == "v1" {
                namespace.clear();
            }
            let name = relative.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            File { key: join(&namespace, &name), namespace, value }
        })
        .collect();
    files.sort_by(|a, b| (a.namespace.is_empty(), &a.key).cmp(&(b.namespace.is_empty(), &b.key)));

    let file_keys: BTreeSet<String> = files.iter().map(|f| f.key.clone()).collect();
    // Every definition read so far, as its content with references blanked, to find repeats.
    let mut shapes: BTreeMap<String, Value> =
        files.iter().map(|f| (f.key.clone(), blank_refs(&strip_root(&f.value)))).collect();
    let mut defs = BTreeMap::new();
    for file in &files {
        let locals = file.value.get("definitions").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut names = BTreeMap::new();
        for (local, schema) in &locals {
            let key = key_for(&shapes, file, local, schema);
            shapes.entry(key.clone()).or_insert_with(|| blank_refs(&strip_root(schema)));
            names.insert(local.clone(), key);
        }
        let mut root = file.value.clone();
        rewrite_refs(&mut root, &names, &file.key);
        defs.insert(file.key.clone(), clean(&root, &file.key));
        // Keep the local definitions the file uses that are not read from elsewhere.
        let mut pending = local_refs(&file.value);
        let mut seen = BTreeSet::new();
        while let Some(local) = pending.pop() {
            let (Some(key), Some(schema)) = (names.get(&local), locals.get(&local)) else { continue };
            if !seen.insert(local.clone()) || file_keys.contains(key) || defs.contains_key(key) {
                continue;
            }
            pending.extend(local_refs(schema));
            let mut schema = schema.clone();
            rewrite_refs(&mut schema, &names, &file.key);
            defs.insert(key.clone(), clean(&schema, key));
        }
    }
    Ok(Schema { source: dir.to_path_buf(), defs })
}

/// The key of a local definition of `file` (see the module docs).
fn key_for(shapes: &BTreeMap<String, Value>, file: &File, local: &str, schema: &Value) -> String {
    let shape = blank_refs(&strip_root(schema));
    let base = local.trim_end_matches(|c: char| c.is_ascii_digit());
    let same: Vec<&String> = shapes
        .iter()
        .filter(|(key, known)| (name_of(key) == local || name_of(key) == base) && **known == shape)
        .map(|(key, _)| key)
        .collect();
    let in_namespace = join(&file.namespace, local);
    if let Some(key) = same.iter().find(|k| **k == &in_namespace).or_else(|| same.first()) {
        return (*key).clone();
    }
    if shapes.contains_key(&in_namespace) {
        format!("{}/{local}", file.key)
    } else {
        in_namespace
    }
}

fn join(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}/{name}")
    }
}

/// A file's root without what only places it (`$schema`, `$comment`, `title`, `definitions`).
fn strip_root(value: &Value) -> Value {
    let mut value = value.clone();
    if let Value::Object(map) = &mut value {
        for key in ["$schema", "$comment", "title", "definitions"] {
            map.remove(key);
        }
    }
    value
}

/// The value with every `$ref` emptied: the content of a type, whatever its references' names.
fn blank_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), if k == "$ref" { Value::Null } else { blank_refs(v) }))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(blank_refs).collect()),
        other => other.clone(),
    }
}

/// The local names a value refers to (`#/definitions/Local`).
fn local_refs(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, child)| match (key.as_str(), child) {
                ("$ref", Value::String(r)) => {
                    r.strip_prefix(DEFINITIONS).map(str::to_owned).into_iter().collect()
                }
                ("definitions", _) => Vec::new(),
                _ => local_refs(child),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(local_refs).collect(),
        _ => Vec::new(),
    }
}

/// Rewrites a file's `#/definitions/Local` and `#` references to keys.
fn rewrite_refs(value: &mut Value, names: &BTreeMap<String, String>, file_key: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(reference) if key == "$ref" => {
                        if reference == "#" {
                            *reference = format!("{DEFINITIONS}{file_key}");
                        } else if let Some(target) =
                            reference.strip_prefix(DEFINITIONS).and_then(|l| names.get(l))
                        {
                            *reference = format!("{DEFINITIONS}{target}");
                        }
                    }
                    _ => rewrite_refs(child, names, file_key),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_refs(item, names, file_key)),
        _ => {}
    }
}

/// Every `*.json` below `root/relative`, relative to `root`, bundles aside.
fn walk(root: &Path, relative: &Path, found: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    for entry in read_dir(&root.join(relative))? {
        let path = relative.join(entry.file_name());
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            walk(root, &path, found)?;
        } else if name.ends_with(".json") && !name.ends_with(".schemas.json") {
            found.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;
    use std::fs;

    #[test]
    fn locals_join_the_namespace_or_the_type_they_repeat_and_clashes_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("v2")).unwrap();
        let a = json!({"title": "A", "properties": {"m": {"$ref": "#/definitions/Mode"}},
            "definitions": {"Mode": {"enum": ["x"]}}});
        let b = json!({"title": "B", "properties": {"m": {"$ref": "#/definitions/Mode"}, "me": {"$ref": "#"}},
            "definitions": {"Mode": {"enum": ["y"]}}});
        // A top-level aggregate repeating v2/A as `A` and v2/Mode as `Mode2`, with a `Mode` of its own.
        let top = json!({"title": "Top", "oneOf": [{"$ref": "#/definitions/A"}, {"$ref": "#/definitions/Mode"}],
        "definitions": {
            "A": {"properties": {"m": {"$ref": "#/definitions/Mode2"}}},
            "Mode2": {"enum": ["x"]},
            "Mode": {"enum": ["z"]},
            "Unused": {"enum": ["u"]},
        }});
        fs::write(dir.path().join("v2/A.json"), a.to_string()).unwrap();
        fs::write(dir.path().join("v2/B.json"), b.to_string()).unwrap();
        fs::write(dir.path().join("Top.json"), top.to_string()).unwrap();
        let schema = load(dir.path()).unwrap();
        assert_eq!(schema.defs["v2/A"]["properties"]["m"]["$ref"], "#/definitions/v2/Mode");
        assert_eq!(schema.defs["v2/B"]["properties"]["m"]["$ref"], "#/definitions/v2/B/Mode");
        assert_eq!(schema.defs["v2/B"]["properties"]["me"]["$ref"], "#/definitions/v2/B");
        assert_eq!(schema.defs["v2/B/Mode"], json!({"enum": ["y"]}));
        assert_eq!(schema.defs["Top"]["oneOf"][0]["$ref"], "#/definitions/v2/A");
        assert_eq!(schema.defs["Top"]["oneOf"][1]["$ref"], "#/definitions/Mode");
        assert_eq!(schema.defs["Mode"], json!({"enum": ["z"]}));
        let keys: Vec<&str> = schema.defs.keys().map(String::as_str).collect();
        assert_eq!(keys, ["Mode", "Top", "v2/A", "v2/B", "v2/B/Mode", "v2/Mode"]);
    }
}
