//! The form two binaries' transcripts are compared in: what legitimately differs between two
//! implementations, but not between two runs of one, put in one form on both sides.

use regex::Regex;
use serde_json::{Map, Value};

/// What legitimately differs between two binaries but not between two runs of one, replaced in
/// a message: the ids of user messages (this runtime numbers them, the reference draws UUIDs),
/// the random query of a sign-in URL, and the order of object keys (JSON objects are unordered;
/// the reference writes some alphabetically), in JSON carried as text too (a tool's output).
pub fn comparable(value: &mut Value) {
    match value {
        Value::String(text) if text.starts_with(['{', '[']) => {
            if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
                comparable(&mut inner);
                *text = inner.to_string();
            }
        }
        Value::Object(map) => {
            let is_user_message =
                matches!(map.get("type").and_then(Value::as_str), Some("userMessage" | "UserMessage"));
            if is_user_message && map.get("id").is_some_and(Value::is_string) {
                map.insert("id".into(), Value::String("<user-message-id>".into()));
            }
            if let Some(Value::String(url)) = map.get_mut("authUrl") {
                if let Some((base, _)) = url.split_once('?') {
                    *url = format!("{base}?<query>");
                }
            }
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            *map = entries
                .into_iter()
                .map(|(key, mut child)| {
                    comparable(&mut child);
                    (key, child)
                })
                .collect::<Map<String, Value>>();
        }
        Value::Array(items) => items.iter_mut().for_each(comparable),
        _ => {}
    }
}

/// The keys whose value is a thread id (`thread.id` too).
const THREAD_KEYS: [&str; 5] =
    ["thread_id", "threadId", "conversationId", "conversation_id", "prompt_cache_key"];

/// Adds to `found` the `<thread-N>` placeholders that `value` holds where a thread id goes.
fn thread_placeholders(value: &Value, found: &mut Vec<String>) {
    let mut add = |value: Option<&Value>| {
        if let Some(text) = value.and_then(Value::as_str).filter(|t| t.starts_with("<thread-")) {
            if !found.iter().any(|known| known == text) {
                found.push(text.to_owned());
            }
        }
    };
    match value {
        Value::Object(map) => {
            for key in THREAD_KEYS {
                add(map.get(key));
            }
            add(map.get("thread").and_then(|thread| thread.get("id")));
            map.values().for_each(|child| thread_placeholders(child, found));
        }
        Value::Array(items) => items.iter().for_each(|child| thread_placeholders(child, found)),
        _ => {}
    }
}

/// Splits a transcript line into its direction prefix (`<< `, `>> ` or none) and the rest.
pub(super) fn split_prefix(line: &str) -> (&str, &str) {
    for prefix in ["<< ", ">> "] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return (prefix, rest);
        }
    }
    ("", line)
}

/// `text` (a rendered transcript) in a form two binaries can be compared in: each JSON line
/// [`comparable`]; numeric turn ids numbered again by first appearance (see `turn_ids`); the
/// UUIDs that are thread ids numbered again by first appearance, and every
/// other UUID (a sign-in's id, one quoted in an error, …) `<id>`, so that an id one binary has
/// and the other has not does not shift the numbers of every thread after it. Other lines
/// (headers, the description, `!!` failures) stay as they are; trailing blank lines are dropped.
pub fn comparable_lines(text: &str) -> Vec<String> {
    let mut parsed: Vec<(String, Option<Value>)> = text
        .lines()
        .map(|line| {
            let (prefix, rest) = split_prefix(line);
            match serde_json::from_str::<Value>(rest) {
                Ok(mut value) if rest.starts_with(['{', '[']) => {
                    comparable(&mut value);
                    (prefix.to_owned(), Some(value))
                }
                _ => (line.to_owned(), None),
            }
        })
        .collect();
    let mut threads = Vec::new();
    let mut turns = Vec::new();
    for value in parsed.iter().filter_map(|(_, value)| value.as_ref()) {
        thread_placeholders(value, &mut threads);
        turn_ids(&mut value.clone(), &mut turns);
    }
    let mut lines: Vec<String> = parsed
        .iter_mut()
        .map(|(prefix, value)| match value {
            Some(value) => {
                turn_ids(value, &mut turns);
                format!("{prefix}{value}")
            }
            None => prefix.clone(),
        })
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let mut lines = steady_order(lines);
    let placeholder = Regex::new(r"<thread-\d+>").expect("a valid regular expression");
    for line in &mut lines {
        *line = placeholder
            .replace_all(line, |found: &regex::Captures<'_>| {
                match threads.iter().position(|t| *t == found[0]) {
                    Some(n) => format!("<thread-{n}>"),
                    None => "<id>".to_owned(),
                }
            })
            .into_owned();
    }
    lines
}

/// Numbers the turn ids of `value` that are numbers again, by first appearance (`known` holds
/// those seen so far): the reference draws them from its count of every submission (an
/// approval's answer takes a number), this runtime counts turns. Turn ids of another form stay.
/// A turn id is a `turnId` or `turn_id`, a `turn`'s `id`, and a legacy event's `id`.
fn turn_ids(value: &mut Value, known: &mut Vec<String>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            items.iter_mut().for_each(|item| turn_ids(item, known));
        }
        return;
    };
    if map.get("method").and_then(Value::as_str).is_some_and(|m| m.starts_with("codex/event/")) {
        renumber(map.get_mut("params").and_then(|p| p.get_mut("id")), known);
    }
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "turnId" | "turn_id" => renumber(Some(child), known),
            "turn" => renumber(child.get_mut("id"), known),
            _ => {}
        }
        turn_ids(child, known);
    }
}

/// `id`, when it is a number, replaced by its place among the `known` turn ids.
fn renumber(id: Option<&mut Value>, known: &mut Vec<String>) {
    if let Some(Value::String(id)) = id {
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            let n = known.iter().position(|k| k == id).unwrap_or_else(|| {
                known.push(id.clone());
                known.len() - 1
            });
            *id = n.to_string();
        }
    }
}

/// The methods whose place among the other messages depends on timing in the reference: a
/// token count (and the rate limits after it) goes out when the model's response completes,
/// while the tool calls it asked for already run.
const FLOATING: [&str; 2] = ["codex/event/token_count", "account/rateLimits/updated"];

/// The methods sent by concurrent tasks, whose order among themselves varies: each MCP server
/// starts on its own.
const UNORDERED: [&str; 1] = ["codex/event/mcp_startup_update"];

fn method(line: &str) -> Option<&str> {
    let rest = line.split_once("\"method\":\"")?.1;
    rest.split_once('"').map(|(method, _)| method)
}

/// `lines` with what the reference orders by timing put in one order: the [`FLOATING`]
/// messages of each section (`# …` header) taken out of the stream and listed, in their
/// order, after a `# moved here:` line at the section's end; each run of consecutive
/// [`UNORDERED`] messages sorted.
fn steady_order(lines: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    let mut floating = Vec::new();
    let flush = |out: &mut Vec<String>, floating: &mut Vec<String>| {
        if !floating.is_empty() {
            out.push("# moved here: token counts and rate limits, whose place varies with timing".to_owned());
            out.append(floating);
        }
    };
    let mut unordered_from = None;
    for line in lines {
        let kind = method(&line);
        if line.starts_with("# ") {
            flush(&mut out, &mut floating);
        }
        if kind.is_some_and(|m| FLOATING.contains(&m)) {
            floating.push(line);
            continue;
        }
        if kind.is_some_and(|m| UNORDERED.contains(&m)) {
            unordered_from.get_or_insert(out.len());
        } else if let Some(from) = unordered_from.take() {
            out[from..].sort();
        }
        out.push(line);
    }
    if let Some(from) = unordered_from {
        out[from..].sort();
    }
    flush(&mut out, &mut floating);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        comparable_lines(text)
    }

    #[test]
    fn the_comparable_form_sorts_keys_and_hides_user_message_ids_only() {
        let ours = lines(
            r#"<< {"item":{"type":"userMessage","id":"item-1","content":[{"type":"text","text":"hi"}]}}"#,
        );
        let theirs = lines(
            r#"<< {"item":{"content":[{"text":"hi","type":"text"}],"id":"<thread-2>","type":"userMessage"}}"#,
        );
        assert_eq!(ours, theirs);
        // Any other id stays: an agent message's id is the model's.
        let a = lines(r#"{"item":{"type":"agentMessage","id":"msg_1"}}"#);
        let b = lines(r#"{"item":{"type":"agentMessage","id":"msg_2"}}"#);
        assert_ne!(a, b);
        // Thread ids are numbered by first appearance; other UUIDs are ids alike.
        let ours = lines("{\"thread_id\":\"<thread-0>\"}\n{\"threadId\":\"<thread-0>\"}");
        let theirs = lines(
            "{\"loginId\":\"<thread-0>\"}\n{\"thread_id\":\"<thread-1>\"}\n{\"threadId\":\"<thread-1>\"}",
        );
        assert_eq!(
            theirs,
            ["{\"loginId\":\"<id>\"}", "{\"thread_id\":\"<thread-0>\"}", "{\"threadId\":\"<thread-0>\"}"]
        );
        assert_eq!(ours[..], theirs[1..]);
        // Lines that are not JSON stay as they are.
        assert_eq!(lines("# exec run 0\n!! it broke\n\n"), ["# exec run 0", "!! it broke"]);
    }

    #[test]
    fn numeric_turn_ids_are_numbered_by_first_appearance() {
        // The reference's second turn is "3" (approval answers took "1" and "2").
        let ours = lines("<< {\"turn\":{\"id\":\"0\"}}\n<< {\"turnId\":\"1\"}\n<< {\"method\":\"codex/event/x\",\"params\":{\"id\":\"1\"}}");
        let theirs = lines("<< {\"turn\":{\"id\":\"0\"}}\n<< {\"turnId\":\"3\"}\n<< {\"method\":\"codex/event/x\",\"params\":{\"id\":\"3\"}}");
        assert_eq!(ours, theirs);
        // Ids of another form stay as they are; so does an item's id.
        assert_ne!(lines("<< {\"turnId\":\"turn-1\"}"), lines("<< {\"turnId\":\"0\"}"));
        assert_ne!(lines("<< {\"item\":{\"id\":\"3\"}}"), lines("<< {\"item\":{\"id\":\"0\"}}"));
    }

    #[test]
    fn json_carried_as_text_is_compared_as_json() {
        let ours = lines(r#"{"output":"[{\"type\":\"text\",\"text\":\"late\"}]"}"#);
        let theirs = lines(r#"{"output":"[{\"text\":\"late\",\"type\":\"text\"}]"}"#);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn timing_dependent_places_are_put_in_one_order() {
        let count = r#"<< {"method":"codex/event/token_count","params":{"n":1}}"#;
        let limits = r#"<< {"method":"account/rateLimits/updated"}"#;
        let item = r#"<< {"method":"item/completed"}"#;
        let (a, b) = (
            r#"<< {"method":"codex/event/mcp_startup_update","s":"a"}"#,
            r#"<< {"method":"codex/event/mcp_startup_update","s":"b"}"#,
        );
        let early =
            lines(&[item, count, limits, b, a, item, "# model requests (app-server)", "{}"].join("\n"));
        let late =
            lines(&[item, a, b, item, count, limits, "# model requests (app-server)", "{}"].join("\n"));
        assert_eq!(early, late);
        assert_eq!(early[4], "# moved here: token counts and rate limits, whose place varies with timing");
        assert_eq!(early[7], "# model requests (app-server)");
        // Their content still counts.
        let other = lines(&[item, a, b, item, &count.replace("1", "2"), limits].join("\n"));
        assert_ne!(early[..7], other[..]);
    }
}
