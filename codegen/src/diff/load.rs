//! Reading a schema to compare: a bundle file, or a folder (its bundle if it has one, else its
//! per-type files), into one flat map of definitions keyed by their path in the bundle
//! (`v2/ThreadItem`, or a bare `EventMsg` for the reference's top-level definitions).
//!
//! Two layouts are understood:
//! - agentwire's `schema/`: the bundle `agentwire.schemas.json`, whose definitions are nested one
//!   level in namespaces (`#/definitions/v2/ThreadItem`), beside `exec/`, `v1/` and `v2/`
//!   per-type files;
//! - the folder `codex app-server generate-json-schema --out DIR` writes: the bundle
//!   `codex_app_server_protocol.schemas.json` (the v1 types and the message unions at the top
//!   level, the v2 types in a `v2` namespace) beside per-type files at the top, in `v1/` and in
//!   `v2/`.
//!
//! Every `$ref` is left as, or rewritten to, `#/definitions/<key>`. The keywords that only say
//! where a definition came from are dropped: `$schema`, `$comment` (the generator's marker),
//! `definitions`, and a `title` that merely repeats the definition's name.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Where definitions are referenced from, as a JSON pointer prefix.
pub const DEFINITIONS: &str = "#/definitions/";

/// The suffix of a bundle file in a schema folder.
const BUNDLE_SUFFIX: &str = ".schemas.json";

/// Keywords of a schema. An object of objects with none of them is a namespace of definitions.
const SCHEMA_KEYWORDS: [&str; 12] = [
    "type",
    "properties",
    "oneOf",
    "anyOf",
    "allOf",
    "enum",
    "const",
    "$ref",
    "title",
    "description",
    "items",
    "$schema",
];

/// A schema read for comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    /// What was read: the bundle file, or the folder of per-type files.
    pub source: PathBuf,
    /// Every definition, keyed `namespace/Name` (or `Name` at the top level).
    pub defs: BTreeMap<String, Value>,
}

/// Why a schema could not be read. Each message says what to give instead, and includes what
/// the system or the parser said (so it has no separate source).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The path does not exist.
    #[error("{0}: no such file or folder; give a schema folder (such as agentwire's schema/ or the --out DIR of `codex app-server generate-json-schema`) or a schema bundle file")]
    Missing(PathBuf),
    /// A file or folder could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        error: io::Error,
    },
    /// A file is not JSON.
    #[error("{path} is not JSON ({error}); give a JSON Schema file or a folder of them")]
    Json {
        /// The file.
        path: PathBuf,
        /// Where the parser stopped.
        error: serde_json::Error,
    },
    /// A file has no `definitions`, so it is not a bundle.
    #[error("{0} has no `definitions` object, so it is not a schema bundle; give the bundle (agentwire.schemas.json, codex_app_server_protocol.schemas.json) or the folder that holds the per-type files")]
    NotABundle(PathBuf),
    /// A folder holds more than one bundle.
    #[error("{path} holds several bundles ({found}); give the one to compare as a file")]
    ManyBundles {
        /// The folder.
        path: PathBuf,
        /// Their file names.
        found: String,
    },
    /// A folder holds no schema at all.
    #[error("{0} holds no *.json schema, neither a bundle (*.schemas.json) nor per-type files")]
    Empty(PathBuf),
}

/// Reads a bundle file, or a folder: its bundle (`*.schemas.json` at its top) when it has one,
/// else every `*.json` below it as one type each.
pub fn load(path: &Path) -> Result<Schema, LoadError> {
    let metadata = fs::metadata(path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => LoadError::Missing(path.to_path_buf()),
        _ => LoadError::Read { path: path.to_path_buf(), error },
    })?;
    if !metadata.is_dir() {
        return load_bundle(path);
    }
    let mut bundles = Vec::new();
    for entry in read_dir(path)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(BUNDLE_SUFFIX) && !entry.path().is_dir() {
            bundles.push(name);
        }
    }
    bundles.sort();
    match bundles.as_slice() {
        [] => super::per_type::load(path),
        [one] => load_bundle(&path.join(one)),
        _ => Err(LoadError::ManyBundles { path: path.to_path_buf(), found: bundles.join(", ") }),
    }
}

/// Reads a bundle: its `definitions`, one level of namespaces flattened into `ns/Name` keys.
pub fn load_bundle(path: &Path) -> Result<Schema, LoadError> {
    let value = read_json(path)?;
    let definitions = value
        .get("definitions")
        .and_then(Value::as_object)
        .ok_or_else(|| LoadError::NotABundle(path.to_path_buf()))?;
    Ok(Schema { source: path.to_path_buf(), defs: from_bundle(definitions) })
}

/// The definitions of a bundle, flattened. Exposed for tests that build bundles in memory.
pub fn from_bundle(definitions: &Map<String, Value>) -> BTreeMap<String, Value> {
    let mut defs = BTreeMap::new();
    for (name, schema) in definitions {
        if is_namespace(schema) {
            for (inner, schema) in schema.as_object().into_iter().flatten() {
                let key = format!("{name}/{inner}");
                defs.insert(key.clone(), clean(schema, &key));
            }
        } else {
            defs.insert(name.clone(), clean(schema, name));
        }
    }
    defs
}

/// Drops the keywords that only say where a definition came from.
pub(super) fn clean(schema: &Value, key: &str) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
        map.remove("$comment");
        map.remove("definitions");
        let name = key.rsplit('/').next().unwrap_or(key);
        if map.get("title").and_then(Value::as_str) == Some(name) {
            map.remove("title");
        }
    }
    schema
}

/// A namespace is an object of schemas with none of a schema's own keywords.
fn is_namespace(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        !map.is_empty()
            && !SCHEMA_KEYWORDS.iter().any(|k| map.contains_key(*k))
            && map.values().all(Value::is_object)
    })
}

pub(super) fn read_json(path: &Path) -> Result<Value, LoadError> {
    let text =
        fs::read_to_string(path).map_err(|error| LoadError::Read { path: path.to_path_buf(), error })?;
    serde_json::from_str(&text).map_err(|error| LoadError::Json { path: path.to_path_buf(), error })
}

pub(super) fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>, LoadError> {
    let read = |error| LoadError::Read { path: dir.to_path_buf(), error };
    fs::read_dir(dir).map_err(read)?.map(|entry| entry.map_err(read)).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn bundles_flatten_one_level_of_namespaces_and_drop_placing_keywords() {
        let defs = from_bundle(
            json!({
                "Top": {"$schema": "x", "title": "Top", "type": "string"},
                "v2": {"Thread": {"title": "Other", "type": "object", "properties": {}}},
            })
            .as_object()
            .unwrap(),
        );
        assert_eq!(defs["Top"], json!({"type": "string"}));
        assert_eq!(defs["v2/Thread"], json!({"title": "Other", "type": "object", "properties": {}}));
    }
}
