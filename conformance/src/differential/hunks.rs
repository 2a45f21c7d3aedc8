//! Transcripts compared line by line, in their comparable form (see [`super::comparable`]): the
//! pinned snapshot against another binary's transcript, their differences as hunks.

use serde_json::Value;
use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::comparable::split_prefix;
use super::deliberate::Accounting;

/// One difference: a run of pinned lines (`ours`) that the other binary's transcript has
/// replaced with its own (`reference`); either side may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The line number (from 1) in the pinned transcript where the hunk starts.
    pub ours_at: usize,
    /// The line number (from 1) in the other binary's transcript where the hunk starts.
    pub reference_at: usize,
    /// The pinned lines.
    pub ours: Vec<String>,
    /// The other binary's lines.
    pub reference: Vec<String>,
}

/// The body of an insta snapshot file: what follows its `---` header.
pub fn snapshot_body(file: &str) -> Option<&str> {
    file.strip_prefix("---\n")?.split_once("\n---\n").map(|(_, body)| body)
}

/// The differences between the pinned lines and the other binary's, in order: each maximal
/// run of lines that are not common to both (Patience diff, which keeps unique lines such as
/// requests and item completions aligned).
pub fn hunks(ours: &[String], reference: &[String]) -> Vec<Hunk> {
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut open: Option<Hunk> = None;
    for op in capture_diff_slices(Algorithm::Patience, ours, reference) {
        if let DiffOp::Equal { .. } = op {
            hunks.extend(open.take());
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        let hunk = open.get_or_insert_with(|| Hunk {
            ours_at: old.start + 1,
            reference_at: new.start + 1,
            ours: Vec::new(),
            reference: Vec::new(),
        });
        hunk.ours.extend_from_slice(&ours[old]);
        hunk.reference.extend_from_slice(&reference[new]);
    }
    hunks.extend(open);
    hunks
}

impl Hunk {
    /// The hunk as a readable diff: `-` pinned lines, `+` the other binary's (`=-` and `=+`
    /// those that `deliberate` says an entry accounts for, when given), and under a changed line
    /// paired with one of the same position, `~` the JSON paths that differ.
    pub fn render(&self, deliberate: Option<&Accounting>) -> String {
        let mut out =
            format!("@@ line {} pinned, line {} of the binary @@\n", self.ours_at, self.reference_at);
        let mark = |accounted: Option<&Vec<Option<usize>>>, n: usize| match accounted.and_then(|a| a[n]) {
            Some(_) => "=",
            None => "",
        };
        for (n, line) in self.ours.iter().enumerate() {
            out.push_str(&format!("{}- {line}\n", mark(deliberate.map(|d| &d.ours), n)));
        }
        for (n, line) in self.reference.iter().enumerate() {
            out.push_str(&format!("{}+ {line}\n", mark(deliberate.map(|d| &d.reference), n)));
        }
        if self.ours.len() == self.reference.len() {
            for (ours, reference) in self.ours.iter().zip(&self.reference) {
                for change in json_changes(ours, reference) {
                    out.push_str(&format!("~ {change}\n"));
                }
            }
        }
        out
    }
}

/// The paths at which two JSON lines differ, with both values (at most 8), or nothing when
/// either is not JSON.
fn json_changes(ours: &str, reference: &str) -> Vec<String> {
    let parse = |line: &str| serde_json::from_str::<Value>(split_prefix(line).1).ok();
    let (Some(a), Some(b)) = (parse(ours), parse(reference)) else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    walk(&a, &b, "", &mut changes);
    if changes.len() > 8 {
        let more = changes.len() - 8;
        changes.truncate(8);
        changes.push(format!("… and {more} more"));
    }
    changes
}

fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                match y.get(key) {
                    Some(other) => walk(value, other, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key}: {} → (absent)", short(value))),
                }
            }
            for (key, value) in y.iter().filter(|(key, _)| !x.contains_key(*key)) {
                out.push(format!("{path}.{key}: (absent) → {}", short(value)));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (n, (p, q)) in x.iter().zip(y).enumerate() {
                walk(p, q, &format!("{path}[{n}]"), out);
            }
        }
        _ if a != b => {
            out.push(format!("{}: {} → {}", if path.is_empty() { "." } else { path }, short(a), short(b)))
        }
        _ => {}
    }
}

/// `value` as JSON, cut to 120 characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        crate::differential::comparable::comparable_lines(text)
    }

    #[test]
    fn hunks_are_the_runs_of_differing_lines() {
        let ours = lines("a\nb\nc\nd\ne");
        let theirs = lines("a\nB\nc\nd\nd2\ne");
        let found = hunks(&ours, &theirs);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].ours_at, found[0].ours.clone(), found[0].reference.clone()),
            (2, vec!["b".into()], vec!["B".into()])
        );
        assert_eq!((found[1].ours.len(), found[1].reference.clone()), (0, vec!["d2".to_string()]));
        assert!(hunks(&ours, &ours).is_empty());
    }

    #[test]
    fn a_changed_json_line_shows_the_paths_that_changed() {
        let hunk = Hunk {
            ours_at: 3,
            reference_at: 3,
            ours: vec![r#"<< {"result":{"approvalPolicy":"never","x":1}}"#.into()],
            reference: vec![r#"<< {"result":{"approvalPolicy":"onRequest","y":2}}"#.into()],
        };
        let text = hunk.render(None);
        assert!(text.contains(r#"~ .result.approvalPolicy: "never" → "onRequest""#), "{text}");
        assert!(text.contains("~ .result.x: 1 → (absent)"), "{text}");
        assert!(text.contains("~ .result.y: (absent) → 2"), "{text}");
    }

    #[test]
    fn the_snapshot_body_follows_the_header() {
        assert_eq!(snapshot_body("---\nsource: x\n---\nbody\n"), Some("body\n"));
        assert_eq!(snapshot_body("no header"), None);
    }
}
