//! The wire names as TypeScript values: `sdk-ts/src/generated/wireNames.ts`.
//!
//! One `as const` object per list of names, and a union type of the same name, so that no code
//! spells a method, an event tag or an error code by hand:
//! - `ClientRequestMethod`, `ServerRequestMethod`, `ServerNotificationMethod`,
//!   `ClientNotificationMethod`: the `method` of each v2 request and notification;
//! - `ThreadEventType`, `ThreadItemType`: the `type` of each `exec` event and item;
//! - `JsonRpcErrorCode`: the standard JSON-RPC error codes.
//!
//! Nothing is listed twice: the names are the tag constants of the variants in the schema that
//! schemars derives from each Rust enum (so they follow its serde attributes), and the codes are
//! [`JsonRpcErrorError::CODES`]. Each key is its name in camelCase (`thread/start` gives
//! `threadStart`, `item.completed` gives `itemCompleted`, `PARSE_ERROR` gives `parseError`), and
//! each doc comment is that of the variant or constant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use protocol::v2::JsonRpcErrorError;
use protocol::{exec, v2};
use schemars::JsonSchema;
use serde_json::Value;

use crate::{Files, GenerateError, GENERATED_MARKER, TS_DIR};

/// The file of the constants, inside [`TS_DIR`].
pub const WIRE_NAMES_FILE: &str = "wireNames.ts";

/// The value of one constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    /// A method or a tag: a TypeScript string.
    Name(String),
    /// An error code: a TypeScript number.
    Code(i64),
}

/// One constant of a [`WireTable`]: `key: value`, with its doc comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireConstant {
    /// The property name in TypeScript, for example `threadStart`.
    pub key: String,
    /// The value on the wire, for example `"thread/start"`.
    pub value: WireValue,
    /// The doc comment of the Rust variant or constant, empty if it has none.
    pub doc: String,
}

/// One list of wire names, emitted as `export const <name> = { … } as const` and
/// `export type <name>`, the union of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireTable {
    /// The TypeScript name of the object and of the union type.
    pub name: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// The constants, in the order the Rust type declares them.
    pub constants: Vec<WireConstant>,
}

impl WireTable {
    /// The wire values of the table, in order.
    pub fn values(&self) -> impl Iterator<Item = &WireValue> {
        self.constants.iter().map(|c| &c.value)
    }
}

/// Every table, in the order of the generated file: the v2 surface, then the `exec` stream.
pub fn tables() -> Result<Vec<WireTable>, GenerateError> {
    Ok(vec![
        tagged::<v2::ClientRequest>(
            "ClientRequestMethod",
            "The `method` of each request from the client to the server (`v2.ClientRequest`).",
            "method",
        )?,
        tagged::<v2::ServerRequest>(
            "ServerRequestMethod",
            "The `method` of each request from the server to the client (`v2.ServerRequest`): the approvals.",
            "method",
        )?,
        tagged::<v2::ServerNotification>(
            "ServerNotificationMethod",
            "The `method` of each notification from the server to the client (`v2.ServerNotification`).",
            "method",
        )?,
        tagged::<v2::ClientNotification>(
            "ClientNotificationMethod",
            "The `method` of each notification from the client to the server (`v2.ClientNotification`).",
            "method",
        )?,
        error_codes()?,
        tagged::<exec::ThreadEvent>(
            "ThreadEventType",
            "The `type` of each event of the `exec` JSONL stream (`exec.ThreadEvent`).",
            "type",
        )?,
        tagged::<exec::ThreadItemDetails>(
            "ThreadItemType",
            "The `type` of each item of the `exec` JSONL stream (`exec.ThreadItem`).",
            "type",
        )?,
    ])
}

/// Renders the tables into [`WIRE_NAMES_FILE`].
pub(crate) fn generate(files: &mut Files) -> Result<(), GenerateError> {
    files.insert(path(), render(&tables()?));
    Ok(())
}

/// The generated file, relative to the repository root.
pub fn path() -> PathBuf {
    Path::new(TS_DIR).join(WIRE_NAMES_FILE)
}

/// The table of `T`, an enum tagged by `tag`: one constant per variant, read from its schema.
fn tagged<T: JsonSchema>(
    name: &'static str,
    doc: &'static str,
    tag: &'static str,
) -> Result<WireTable, GenerateError> {
    let type_name = std::any::type_name::<T>();
    let not_tagged = |problem: String| GenerateError::NotTagged { type_name, tag, problem };
    let schema = crate::schema::generator().into_root_schema_for::<T>().to_value();
    let variants = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .ok_or_else(|| not_tagged("its schema has no `oneOf` of variants".into()))?;
    let mut constants = Vec::with_capacity(variants.len());
    for (index, variant) in variants.iter().enumerate() {
        let value = tag_value(variant, tag)
            .ok_or_else(|| not_tagged(format!("variant {index} has no constant `{tag}`")))?;
        let doc = variant.get("description").and_then(Value::as_str).unwrap_or_default();
        constants.push(WireConstant {
            key: camel_case(value),
            value: WireValue::Name(value.to_owned()),
            doc: doc.to_owned(),
        });
    }
    check_keys(name, &constants)?;
    Ok(WireTable { name, doc, constants })
}

/// The constant a variant's schema gives its tag property: `const`, or an `enum` of one value.
fn tag_value<'a>(variant: &'a Value, tag: &str) -> Option<&'a str> {
    let property = variant.get("properties")?.get(tag)?;
    if let Some(value) = property.get("const") {
        return value.as_str();
    }
    match property.get("enum")?.as_array()?.as_slice() {
        [value] => value.as_str(),
        _ => None,
    }
}

/// The table of the standard JSON-RPC error codes.
fn error_codes() -> Result<WireTable, GenerateError> {
    let constants: Vec<WireConstant> = JsonRpcErrorError::CODES
        .iter()
        .map(|code| WireConstant {
            key: camel_case(&code.name.to_lowercase()),
            value: WireValue::Code(code.code),
            doc: code.description.lines().map(str::trim).collect::<Vec<_>>().join("\n").trim().to_owned(),
        })
        .collect();
    let name = "JsonRpcErrorCode";
    check_keys(name, &constants)?;
    Ok(WireTable {
        name,
        doc: "The standard JSON-RPC error codes (the `code` of `v2.JSONRPCErrorError`); a server may use others.",
        constants,
    })
}

/// `thread/start` → `threadStart`, `item.completed` → `itemCompleted`, `agent_message` →
/// `agentMessage`: the words between separators (anything not a letter or digit) are joined,
/// each after the first with a capital initial; the case inside a word is kept.
pub fn camel_case(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for (index, word) in
        name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).enumerate()
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if index == 0 {
                key.extend(first.to_lowercase());
            } else {
                key.extend(first.to_uppercase());
            }
            key.push_str(chars.as_str());
        }
    }
    key
}

/// Each key of a table must be a TypeScript identifier, and no two alike.
fn check_keys(table: &'static str, constants: &[WireConstant]) -> Result<(), GenerateError> {
    let mut seen: BTreeMap<&str, &WireValue> = BTreeMap::new();
    for constant in constants {
        let bad = |problem: String| GenerateError::BadConstantKey {
            table,
            value: display(&constant.value),
            key: constant.key.clone(),
            problem,
        };
        if !constant.key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(bad("which is not a TypeScript identifier".into()));
        }
        if let Some(first) = seen.insert(&constant.key, &constant.value) {
            return Err(bad(format!("as does {}", display(first))));
        }
    }
    Ok(())
}

/// A value as TypeScript writes it: a JSON string, or a number.
fn display(value: &WireValue) -> String {
    match value {
        WireValue::Name(name) => serde_json::Value::from(name.as_str()).to_string(),
        WireValue::Code(code) => code.to_string(),
    }
}

/// The whole file.
fn render(tables: &[WireTable]) -> String {
    let mut out = format!("// {GENERATED_MARKER}\n");
    out.push_str("// The wire names of the protocol, as values: one object per list, and a union type of its values.\n");
    for table in tables {
        out.push('\n');
        out.push_str(&doc_comment(table.doc, ""));
        out.push_str(&format!("export const {} = {{\n", table.name));
        for constant in &table.constants {
            if !constant.doc.is_empty() {
                out.push_str(&doc_comment(&constant.doc, "  "));
            }
            out.push_str(&format!("  {}: {},\n", constant.key, display(&constant.value)));
        }
        out.push_str("} as const;\n");
        out.push_str(&format!("/** One of the values of {{@link {0}}}. */\n", table.name));
        out.push_str(&format!("export type {0} = (typeof {0})[keyof typeof {0}];\n", table.name));
    }
    out
}

/// A JSDoc block, in the layout ts-rs uses, each line prefixed by `indent`.
fn doc_comment(text: &str, indent: &str) -> String {
    let mut out = format!("{indent}/**\n");
    for line in text.replace("*/", "*\\/").lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_joins_the_words_of_any_separator() {
        for (name, key) in [
            ("initialize", "initialize"),
            ("thread/start", "threadStart"),
            ("item/commandExecution/requestApproval", "itemCommandExecutionRequestApproval"),
            ("item.completed", "itemCompleted"),
            ("agent_message", "agentMessage"),
            ("parse_error", "parseError"),
            ("Error", "error"),
        ] {
            assert_eq!(camel_case(name), key, "{name}");
        }
    }

    #[test]
    fn clashing_or_invalid_keys_are_errors_that_name_them() {
        let constant = |name: &str| WireConstant {
            key: camel_case(name),
            value: WireValue::Name(name.to_owned()),
            doc: String::new(),
        };
        let error = check_keys("T", &[constant("item/started"), constant("item.started")]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("\"item.started\"") && message.contains("\"item/started\""), "{message}");
        assert!(message.contains("itemStarted"), "{message}");
        let error = check_keys("T", &[constant("2fa/start")]).unwrap_err();
        assert!(error.to_string().contains("not a TypeScript identifier"), "{error}");
    }

    #[test]
    fn a_type_that_is_not_a_tagged_enum_is_an_error_that_names_it() {
        let error = tagged::<v2::ReasoningEffort>("X", "x", "type").unwrap_err();
        assert!(matches!(error, GenerateError::NotTagged { .. }), "{error:?}");
        assert!(error.to_string().contains("ReasoningEffort"), "{error}");
    }

    #[test]
    fn doc_comments_are_laid_out_as_ts_rs_does() {
        assert_eq!(
            doc_comment("One.\n\nTwo */ three.", "  "),
            "  /**\n   * One.\n   *\n   * Two *\\/ three.\n   */\n"
        );
    }
}
