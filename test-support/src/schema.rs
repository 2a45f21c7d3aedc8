//! Validating JSON payloads against the generated schema files under `schema/`, and the one
//! mapping from what a payload is on the wire ([`Wire`]) to the schema type it must match
//! ([`SchemaSet::schema_type`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use jsonschema::Validator;
use protocol::v2::{JsonRpcError, JsonRpcResponse, ServerNotification, ServerRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a payload is on the wire; this decides the schema type it must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire<'a> {
    /// One line that `exec --experimental-json` printed: an `exec/ThreadEvent`.
    ExecLine,
    /// A whole message the app-server sent: a request (`v2/ServerRequest`), a notification
    /// (`v2/ServerNotification`), an error (`v2/JSONRPCError`) or a response
    /// (`v2/JSONRPCResponse`), told apart by its `method`, `id` and `error` members; a legacy
    /// `codex/event/<type>` notification's params are a `v1/LegacyEvent` of that type.
    ServerMessage,
    /// The `result` of the response to a request with this `method`: a client request such as
    /// `thread/start` (`v2/ThreadStartResponse`), or a server request such as
    /// `item/commandExecution/requestApproval`. Read from the generated `ClientRequestMap` and
    /// `ServerRequestMap`, so that a method added to the protocol needs no edit here.
    ResultOf(&'a str),
}

/// A type of the generated schema: `schema/<module>/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaType {
    /// The module: `exec`, `v2` or `v1`.
    pub module: &'static str,
    /// The type's name, for example `ThreadStartResponse`.
    pub name: String,
}

impl fmt::Display for SchemaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.module, self.name)
    }
}

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
    /// A response came back for a request whose method the generated request maps do not know.
    #[error("no result type for the method `{method}` in schema/v2/ClientRequestMap.json or ServerRequestMap.json")]
    UnknownMethod {
        /// The request's method.
        method: String,
    },
    /// The payload matches the schema but does not read into the protocol's Rust type.
    #[error(
        "payload matches the schema of {schema_type} but does not read into the protocol type: {message}"
    )]
    NotProtocol {
        /// The schema type, as `module/Name`.
        schema_type: String,
        /// The deserialization error.
        message: String,
    },
}

/// The generated schemas of a repository, loaded on first use.
pub struct SchemaSet {
    dir: PathBuf,
    validators: HashMap<(String, String), Validator>,
    /// The schema documents, for explaining failures and for the request maps.
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

    /// The schema type that `payload` must match, given what it is on the wire. This is the one
    /// place that maps an exec line, an app-server message or a method's result to its type.
    pub fn schema_type(&mut self, wire: Wire<'_>, payload: &Value) -> Result<SchemaType, ValidationFailure> {
        let name = match wire {
            Wire::ExecLine => return Ok(SchemaType { module: "exec", name: "ThreadEvent".to_owned() }),
            Wire::ServerMessage if is_legacy(payload) => {
                return Ok(SchemaType { module: "v1", name: "LegacyEvent".to_owned() });
            }
            Wire::ServerMessage => if payload.get("method").is_some() && payload.get("id").is_some() {
                "ServerRequest"
            } else if payload.get("method").is_some() {
                "ServerNotification"
            } else if payload.get("error").is_some() {
                "JSONRPCError"
            } else {
                "JSONRPCResponse"
            }
            .to_owned(),
            Wire::ResultOf(method) => self.result_type(method)?,
        };
        Ok(SchemaType { module: "v2", name })
    }

    /// Checks `payload` as what it is on the wire: against its schema type (see
    /// [`SchemaSet::schema_type`]) and, for whole exec lines and app-server messages, by reading
    /// it into the protocol's Rust type too. Returns the schema type.
    pub fn check(&mut self, wire: Wire<'_>, payload: &Value) -> Result<SchemaType, ValidationFailure> {
        let schema_type = self.schema_type(wire, payload)?;
        if schema_type.module == "v1" {
            return self.check_legacy(payload).map(|()| schema_type);
        }
        self.validate(schema_type.module, &schema_type.name, payload)?;
        let read = match (schema_type.module, schema_type.name.as_str()) {
            ("exec", "ThreadEvent") => reads_as::<protocol::exec::ThreadEvent>(payload),
            ("v2", "ServerRequest") => reads_as::<ServerRequest>(payload),
            ("v2", "ServerNotification") => reads_as::<ServerNotification>(payload),
            ("v2", "JSONRPCError") => reads_as::<JsonRpcError>(payload),
            ("v2", "JSONRPCResponse") => reads_as::<JsonRpcResponse>(payload),
            _ => Ok(()),
        };
        read.map_err(|message| ValidationFailure::NotProtocol {
            schema_type: schema_type.to_string(),
            message,
        })?;
        Ok(schema_type)
    }

    /// Checks a legacy notification: its params against `v1/LegacyEvent`, read into the Rust
    /// type, and its method naming the event's type.
    fn check_legacy(&mut self, message: &Value) -> Result<(), ValidationFailure> {
        let params = &message["params"];
        self.validate("v1", "LegacyEvent", params)?;
        let not_protocol = |message: String| ValidationFailure::NotProtocol {
            schema_type: "v1/LegacyEvent".to_owned(),
            message,
        };
        let event = serde_json::from_value::<protocol::v1::LegacyEvent>(params.clone())
            .map_err(|e| not_protocol(e.to_string()))?;
        if message["method"] != event.method().as_str() {
            return Err(not_protocol(format!("the method {} is not {}", message["method"], event.method())));
        }
        Ok(())
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
            let schema = self.document(module, type_name)?.clone();
            let validator = jsonschema::draft7::new(&schema).map_err(|e| ValidationFailure::BadSchema {
                path: self.path(module, type_name),
                message: e.to_string(),
            })?;
            self.validators.insert(key.clone(), validator);
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

    /// The result type of `method`, from the generated request maps (client requests first).
    fn result_type(&mut self, method: &str) -> Result<String, ValidationFailure> {
        for map in ["ClientRequestMap", "ServerRequestMap"] {
            let document = self.document("v2", map)?;
            let Some(signature) = document["properties"].get(method) else { continue };
            // `"result": {"description": …, "allOf": [{"$ref": "#/definitions/ThreadStartResponse"}]}`
            let result = &signature["properties"]["result"];
            let reference = result["$ref"].as_str().or_else(|| result["allOf"][0]["$ref"].as_str());
            if let Some(name) = reference.and_then(|r| r.strip_prefix("#/definitions/")) {
                return Ok(name.to_owned());
            }
            return Err(ValidationFailure::BadSchema {
                path: self.path("v2", map),
                message: format!("the result of `{method}` is not a reference to a named type"),
            });
        }
        Err(ValidationFailure::UnknownMethod { method: method.to_owned() })
    }

    /// The schema document of `module/type_name`, read on first use.
    fn document(&mut self, module: &str, type_name: &str) -> Result<&Value, ValidationFailure> {
        let key = (module.to_owned(), type_name.to_owned());
        if !self.schemas.contains_key(&key) {
            let path = self.path(module, type_name);
            let text = std::fs::read_to_string(&path)
                .map_err(|source| ValidationFailure::Read { path: path.clone(), source })?;
            let schema: Value = serde_json::from_str(&text)
                .map_err(|e| ValidationFailure::BadSchema { path, message: e.to_string() })?;
            self.schemas.insert(key.clone(), schema);
        }
        Ok(&self.schemas[&key])
    }

    fn path(&self, module: &str, type_name: &str) -> PathBuf {
        self.dir.join(module).join(format!("{type_name}.json"))
    }
}

/// Whether `payload` reads into the protocol type `T`; the error's text otherwise.
fn reads_as<T: DeserializeOwned>(payload: &Value) -> Result<(), String> {
    T::deserialize(payload).map(drop).map_err(|e| e.to_string())
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

/// Whether `message` is a legacy `codex/event/<type>` notification (params a `v1/LegacyEvent`).
pub fn is_legacy(message: &Value) -> bool {
    message.get("id").is_none()
        && message["method"].as_str().is_some_and(|m| m.starts_with(protocol::v1::METHOD_PREFIX))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn type_of(wire: Wire<'_>, payload: &Value) -> Result<String, ValidationFailure> {
        SchemaSet::of_this_repository().schema_type(wire, payload).map(|t| t.to_string())
    }

    #[test]
    fn each_payload_maps_to_its_schema_type() {
        assert_eq!(type_of(Wire::ExecLine, &json!({"type": "turn.started"})).unwrap(), "exec/ThreadEvent");
        for (message, expected) in [
            (json!({"id": 0, "method": "item/fileChange/requestApproval", "params": {}}), "v2/ServerRequest"),
            (json!({"method": "turn/started", "params": {}}), "v2/ServerNotification"),
            (json!({"id": 1, "error": {"code": -32600, "message": "no"}}), "v2/JSONRPCError"),
            (json!({"id": 1, "result": {}}), "v2/JSONRPCResponse"),
        ] {
            assert_eq!(type_of(Wire::ServerMessage, &message).unwrap(), expected, "{message}");
        }
        // Results come from the generated request maps, client and server requests alike.
        for (method, expected) in [
            ("initialize", "v2/InitializeResponse"),
            ("thread/start", "v2/ThreadStartResponse"),
            ("model/list", "v2/ModelListResponse"),
            ("item/commandExecution/requestApproval", "v2/CommandExecutionRequestApprovalResponse"),
        ] {
            assert_eq!(type_of(Wire::ResultOf(method), &Value::Null).unwrap(), expected);
        }
        let unknown = type_of(Wire::ResultOf("thread/fork"), &Value::Null).unwrap_err().to_string();
        assert!(unknown.contains("thread/fork"), "{unknown}");
    }

    #[test]
    fn check_validates_against_the_mapped_type() {
        let mut schemas = SchemaSet::of_this_repository();
        let started = json!({"method": "turn/started", "params": {"turn": {"id": "0", "items": [], "status": "inProgress"}}});
        assert_eq!(schemas.check(Wire::ServerMessage, &started).unwrap().name, "ServerNotification");
        let unknown = json!({"method": "turn/exploded", "params": {}});
        let error = schemas.check(Wire::ServerMessage, &unknown).unwrap_err().to_string();
        assert!(error.contains("v2/ServerNotification"), "{error}");
        let error = schemas.check(Wire::ResultOf("thread/start"), &json!({})).unwrap_err().to_string();
        assert!(error.contains("v2/ThreadStartResponse"), "{error}");
    }

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
