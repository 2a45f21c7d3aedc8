//! Validating JSON payloads against the generated schema files under `schema/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde_json::Value;

/// Why a payload could not be validated, or was found invalid.
#[derive(Debug, thiserror::Error)]
pub enum ValidationFailure {
    /// The schema file could not be read.
    #[error("cannot read the schema {path}: {source} (run `cargo run -p codegen` to generate it)")]
    Read {
        /// The schema file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The schema file is not a usable JSON Schema.
    #[error("the schema {path} is not a valid JSON Schema: {message}")]
    BadSchema {
        /// The schema file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The payload does not match the schema.
    #[error("payload is not a valid {module}/{type_name}:\n{}", .errors.join("\n"))]
    Invalid {
        /// The module of the type: `exec` or `v2`.
        module: String,
        /// The type.
        type_name: String,
        /// One line per violation: where in the payload, what, and where in the schema.
        errors: Vec<String>,
    },
}

/// The generated schemas of a repository, loaded on first use.
pub struct SchemaSet {
    dir: PathBuf,
    validators: HashMap<(String, String), Validator>,
    /// The schema documents, for explaining failures.
    schemas: HashMap<(String, String), Value>,
}

impl SchemaSet {
    /// The schemas under `dir` (the repository's `schema/` folder).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SchemaSet { dir: dir.into(), validators: HashMap::new(), schemas: HashMap::new() }
    }

    /// The schemas of this repository, as committed.
    pub fn of_this_repository() -> Self {
        Self::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema"))
    }

    /// Checks `payload` against the schema of `module/type_name` (for example `v2` and
    /// `ServerNotification`), naming every violation.
    pub fn validate(
        &mut self,
        module: &str,
        type_name: &str,
        payload: &Value,
    ) -> Result<(), ValidationFailure> {
        let key = (module.to_owned(), type_name.to_owned());
        if !self.validators.contains_key(&key) {
            let (schema, validator) = self.load(module, type_name)?;
            self.validators.insert(key.clone(), validator);
            self.schemas.insert(key.clone(), schema);
        }
        let mut errors: Vec<String> = self.validators[&key]
            .iter_errors(payload)
            .map(|e| {
                format!(
                    "  at {}: {} (schema path {})",
                    pointer(e.instance_path().as_str()),
                    e,
                    e.schema_path().as_str()
                )
            })
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        // A failed `oneOf` says only that no variant fits; following the variant whose tag
        // matches names the real problem.
        let schema = &self.schemas[&key];
        let mut details = Vec::new();
        explain(schema, schema, payload, "", "", &mut details);
        if !details.is_empty() {
            errors.push("  because:".to_owned());
            errors.extend(details);
        }
        Err(ValidationFailure::Invalid { module: key.0, type_name: key.1, errors })
    }

    fn load(&self, module: &str, type_name: &str) -> Result<(Value, Validator), ValidationFailure> {
        let path = self.dir.join(module).join(format!("{type_name}.json"));
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ValidationFailure::Read { path: path.clone(), source })?;
        let schema: Value = serde_json::from_str(&text)
            .map_err(|e| ValidationFailure::BadSchema { path: path.clone(), message: e.to_string() })?;
        let validator = jsonschema::draft7::new(&schema)
            .map_err(|e| ValidationFailure::BadSchema { path, message: e.to_string() })?;
        Ok((schema, validator))
    }
}

/// Walks `schema` along `instance`, following the union variant whose tags match, and notes
/// missing required properties and properties the schema does not know (`at`, schema `path`).
fn explain(root: &Value, schema: &Value, instance: &Value, at: &str, path: &str, out: &mut Vec<String>) {
    let mut schema = schema;
    let mut path = path.to_owned();
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        match reference.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(target) => {
                path = reference.trim_start_matches('#').to_owned();
                schema = target;
            }
            None => return,
        }
    }
    for (i, part) in schema.get("allOf").and_then(Value::as_array).into_iter().flatten().enumerate() {
        explain(root, part, instance, at, &format!("{path}/allOf/{i}"), out);
    }
    for keyword in ["oneOf", "anyOf"] {
        let Some(variants) = schema.get(keyword).and_then(Value::as_array) else { continue };
        let tag_matches = |variant: &Value| {
            variant.get("properties").and_then(Value::as_object).is_some_and(|props| {
                props.values().any(|p| p.get("const").is_some())
                    && props
                        .iter()
                        .all(|(name, p)| p.get("const").is_none_or(|c| instance.get(name) == Some(c)))
            })
        };
        if let Some((i, variant)) = variants.iter().enumerate().find(|(_, v)| tag_matches(v)) {
            explain(root, variant, instance, at, &format!("{path}/{keyword}/{i}"), out);
        }
    }
    let Some(object) = instance.as_object() else { return };
    let properties = schema.get("properties").and_then(Value::as_object);
    for name in
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
    {
        if !object.contains_key(name) {
            out.push(format!(
                "    at {}: missing required property `{name}` (schema path {path}/required)",
                pointer(at)
            ));
        }
    }
    if let Some(properties) = properties {
        for (name, value) in object {
            match properties.get(name) {
                Some(property) => explain(
                    root,
                    property,
                    value,
                    &format!("{at}/{name}"),
                    &format!("{path}/properties/{name}"),
                    out,
                ),
                None if schema.get("oneOf").is_none() && schema.get("allOf").is_none() => out
                    .push(format!("    at {}: property `{name}` is not in the schema ({path})", pointer(at))),
                None => {}
            }
        }
    }
}

/// A JSON pointer, with the root shown as `/` rather than as nothing.
fn pointer(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_violation_names_the_payload_path_and_the_schema_path() {
        let mut schemas = SchemaSet::of_this_repository();
        let good = json!({"itemId": "call_1", "delta": "hi"});
        schemas.validate("v2", "CommandExecutionOutputDeltaNotification", &good).unwrap();
        let bad = json!({"item_id": "call_1", "delta": 7});
        let error = schemas.validate("v2", "CommandExecutionOutputDeltaNotification", &bad).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("itemId"), "names the missing property: {text}");
        assert!(text.contains("at /delta"), "names where in the payload: {text}");
        assert!(text.contains("schema path"), "names where in the schema: {text}");
    }

    #[test]
    fn a_missing_schema_says_how_to_make_it() {
        let error = SchemaSet::of_this_repository().validate("v2", "NoSuchType", &json!({})).unwrap_err();
        assert!(error.to_string().contains("cargo run -p codegen"), "{error}");
    }
}
