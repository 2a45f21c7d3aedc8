//! JSON Schema generation, through schemars (draft-07, the draft the reference peer uses).
//!
//! Each registered type becomes `schema/<module>/<Name>.json`, a self-contained schema whose
//! `definitions` hold the types it uses. The bundle `schema/agentwire.schemas.json` holds every
//! definition once, namespaced by module (`#/definitions/exec/ThreadItem` and
//! `#/definitions/v2/ThreadItem` are different types).

use std::collections::BTreeSet;
use std::path::Path;

use protocol::registry::{Registry, WireTypeVisitor};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::typescript::entry_for;
use crate::{Files, GenerateError, TypeEntry, BUNDLE_FILE, GENERATED_MARKER, SCHEMA_DIR};

/// Where schemars puts definitions, as a JSON pointer prefix.
const DEFINITIONS: &str = "#/definitions/";

/// The generator settings every schema is produced with.
pub(crate) fn generator() -> SchemaGenerator {
    SchemaSettings::draft07().into_generator()
}

/// Renders one schema file per registered type, then the bundle.
pub(crate) fn generate<R: Registry>(entries: &[TypeEntry], files: &mut Files) -> Result<(), GenerateError> {
    let mut render = Render { entries, files, bundle: Map::new(), error: None };
    R::visit_all(&mut render);
    if let Some(error) = render.error {
        return Err(error);
    }
    let mut definitions = Map::new();
    for (module, defs) in render.bundle {
        let Value::Object(mut defs) = defs else { unreachable!("module definitions are objects") };
        defs.sort_keys();
        let mut defs = Value::Object(defs);
        namespace_refs(&mut defs, &module);
        definitions.insert(module, defs);
    }
    let mut bundle = Map::new();
    bundle.insert("$schema".into(), "http://json-schema.org/draft-07/schema#".into());
    bundle.insert("$comment".into(), GENERATED_MARKER.into());
    bundle.insert("title".into(), "agentwire".into());
    bundle.insert(
        "description".into(),
        "Every type of the agentwire protocol, namespaced by module: exec (the JSONL event stream), v2 (the app-server JSON-RPC surface) and v1 (the legacy codex/event/* notifications the app-server sends beside v2).".into(),
    );
    bundle.insert("definitions".into(), Value::Object(definitions));
    render.files.insert(Path::new(SCHEMA_DIR).join(BUNDLE_FILE), to_text(&Value::Object(bundle)));
    Ok(())
}

/// Pretty JSON with a final newline.
fn to_text(value: &Value) -> String {
    // A `Value` has string keys only, so writing it cannot fail.
    #[allow(clippy::expect_used)]
    let mut text = serde_json::to_string_pretty(value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// Rewrites every `#/definitions/X` reference below `value` to `#/definitions/<module>/X`.
fn namespace_refs(value: &mut Value, module: &str) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match child {
                    Value::String(reference) if key == "$ref" => {
                        if let Some(name) = reference.strip_prefix(DEFINITIONS) {
                            *reference = format!("{DEFINITIONS}{module}/{name}");
                        }
                    }
                    _ => namespace_refs(child, module),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| namespace_refs(item, module)),
        _ => {}
    }
}

/// Visitor that renders each type's schema file and gathers the bundle's definitions.
struct Render<'a> {
    entries: &'a [TypeEntry],
    files: &'a mut Files,
    /// Module name to its definitions, as a JSON object.
    bundle: Map<String, Value>,
    error: Option<GenerateError>,
}

impl Render<'_> {
    fn render<T: JsonSchema>(&mut self, entry: &TypeEntry) -> Result<(), GenerateError> {
        let root = generator().into_root_schema_for::<T>().to_value();
        let Value::Object(mut root) = root else { unreachable!("a derived schema is an object") };

        let title = root.get("title").and_then(Value::as_str).unwrap_or_default().to_owned();
        if title != entry.name {
            return Err(GenerateError::NameMismatch {
                type_name: entry.rust_name,
                schema: title,
                typescript: entry.name.clone(),
            });
        }
        let known: BTreeSet<&str> =
            self.entries.iter().filter(|e| e.module == entry.module).map(|e| e.name.as_str()).collect();
        let module = self.bundle.entry(entry.module.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(module_defs) = module else {
            unreachable!("only objects are inserted as module definitions")
        };
        if let Some(Value::Object(definitions)) = root.get("definitions") {
            for (name, definition) in definitions {
                if !known.contains(name.as_str()) {
                    return Err(GenerateError::Unregistered {
                        user: entry.rust_name.to_owned(),
                        used: name.clone(),
                        path: format!("{SCHEMA_DIR}/{}/{name}.json", entry.module),
                    });
                }
                module_defs.insert(name.clone(), definition.clone());
            }
        }
        // The type's own definition, for the bundle: the root without its document-level keys.
        let mut own = root.clone();
        for key in ["$schema", "title", "definitions"] {
            own.remove(key);
        }
        module_defs.insert(entry.name.clone(), Value::Object(own));

        // Put the marker right after `$schema`, so that it is the first thing a reader sees.
        let mut file = Map::new();
        if let Some(schema) = root.remove("$schema") {
            file.insert("$schema".into(), schema);
        }
        file.insert("$comment".into(), GENERATED_MARKER.into());
        file.extend(root);
        let path = Path::new(SCHEMA_DIR).join(&entry.module).join(format!("{}.json", entry.name));
        self.files.insert(path, to_text(&Value::Object(file)));
        Ok(())
    }
}

impl WireTypeVisitor for Render<'_> {
    fn visit<T: JsonSchema + ts_rs::TS + 'static>(&mut self) {
        if self.error.is_none() {
            self.error = entry_for::<T>().and_then(|entry| self.render::<T>(&entry)).err();
        }
    }
}
