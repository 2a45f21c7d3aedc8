//! The two outputs of `codegen diff`: a table for people, and `--json` for programs.

use serde_json::{json, Value};

use super::{Entry, Kind, Report};

/// The table: breaking changes first, then additive, then docs; within each, by path. Columns:
/// kind, direction, path, what changed. Ends with the counts.
pub fn table(report: &Report) -> String {
    let mut rows: Vec<&Entry> = report.entries.iter().collect();
    rows.sort_by(|a, b| (a.kind, &a.path, a.direction).cmp(&(b.kind, &b.path, b.direction)));
    let header = ["KIND", "DIRECTION", "PATH", "CHANGE"];
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|e| [e.kind.to_string(), e.direction.to_string(), e.path.clone(), e.detail.clone()])
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |row: [&str; 4]| {
        let text = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(text.trim_end());
        out.push('\n');
    };
    if !cells.is_empty() {
        line(header);
        for row in &cells {
            line([&row[0], &row[1], &row[2], &row[3]]);
        }
    } else {
        out.push_str("no changes\n");
    }
    out.push_str(&report.summary());
    out.push('\n');
    out
}

/// The entries as a JSON array, sorted by path, then change, direction: each
/// `{"kind", "direction", "path", "change", "detail"}`, `change` being the kebab-case name of
/// [`super::Change`] (`required-field-added`, …).
pub fn json(report: &Report) -> Value {
    Value::Array(report.entries.iter().map(entry).collect())
}

fn entry(entry: &Entry) -> Value {
    json!({
        "kind": entry.kind.to_string(),
        "direction": entry.direction.to_string(),
        "path": entry.path,
        "change": entry.change.tag(),
        "detail": entry.detail,
    })
}

/// The counts as JSON: `{"breaking": N, "additive": M, "docs": K}`.
pub fn counts(report: &Report) -> Value {
    json!({
        "breaking": report.count(Kind::Breaking),
        "additive": report.count(Kind::Additive),
        "docs": report.count(Kind::Docs),
    })
}
