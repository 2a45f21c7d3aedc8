//! The checked-in list of deliberate differences (`conformance/deliberate_differences.toml`):
//! what another binary does differently from the pinned transcripts on purpose, each with its
//! reason, and the scenarios that cannot run against another binary at all.
//!
//! ```toml
//! [[agentwire_only]]
//! scenario = "no_kernel_sandbox"
//! reason = "pretends a kernel without Landlock through agentwire's own variable"
//!
//! [[difference]]
//! scenarios = ["full_turn", "patch_approvals"]   # or ["*"]: every scenario
//! reason = "v2 sends the plan as todoList items; 0.63 never sends them"
//! ours = '<< \{"method":"item/(started|completed)","params":\{"item":\{"type":"todoList".*'
//! # reference absent: the reference has nothing in its place
//! ```
//!
//! A difference is one hunk of the line diff (see [`super::hunks`]): a run of pinned lines
//! (`ours`) that the other binary's transcript replaces with its own lines (`reference`). An
//! entry of one of the hunk's scenarios accounts for lines of it: a run of consecutive pinned
//! lines its `ours` pattern matches whole, and a run of consecutive lines of the other binary
//! its `reference` pattern matches whole (both runs, when it has both patterns). A pattern is a
//! regular expression matched against the run's lines joined with `\n`, anchored at both ends
//! (write `(?s)` for `.` to cross lines). An entry may account for several runs, in several
//! hunks. A hunk is deliberate when entries account for every line of it; an entry that
//! accounts for nothing in a run where one of its scenarios was compared is stale, unless it
//! says `sometimes = true` (what the reference does only in some runs, by timing).

use regex::Regex;
use serde::Deserialize;

use super::hunks::Hunk;

/// The list, as read and compiled.
#[derive(Debug, Default)]
pub struct Deliberate {
    /// Scenarios not run against another binary, with the reason.
    pub agentwire_only: Vec<AgentwireOnly>,
    /// The deliberate differences.
    pub differences: Vec<Difference>,
}

/// A scenario that cannot run against another binary.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentwireOnly {
    /// The scenario's name (its file name without `.json`).
    pub scenario: String,
    /// Why no other binary can run it.
    pub reason: String,
}

/// One deliberate difference.
#[derive(Debug)]
pub struct Difference {
    /// The scenarios it may appear in; `*` is every scenario.
    pub scenarios: Vec<String>,
    /// Why the difference is meant.
    pub reason: String,
    /// The pinned lines it accounts for, anchored; `None`: none.
    pub ours: Option<Regex>,
    /// The other binary's lines it accounts for, anchored; `None`: none.
    pub reference: Option<Regex>,
    /// Whether the reference shows it only in some runs (never stale).
    pub sometimes: bool,
}

/// Which lines of one hunk the entries account for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Per pinned line of the hunk, the entry that accounts for it.
    pub ours: Vec<Option<usize>>,
    /// Per line of the other binary in the hunk, the entry that accounts for it.
    pub reference: Vec<Option<usize>>,
}

impl Accounting {
    /// Whether every line is accounted for.
    pub fn is_deliberate(&self) -> bool {
        self.ours.iter().chain(&self.reference).all(Option::is_some)
    }

    /// The entries that account for some line, each once.
    pub fn entries(&self) -> Vec<usize> {
        let mut entries: Vec<usize> = self.ours.iter().chain(&self.reference).flatten().copied().collect();
        entries.sort_unstable();
        entries.dedup();
        entries
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    agentwire_only: Vec<AgentwireOnly>,
    #[serde(default)]
    difference: Vec<RawDifference>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDifference {
    scenarios: Vec<String>,
    reason: String,
    ours: Option<String>,
    reference: Option<String>,
    #[serde(default)]
    sometimes: bool,
}

impl Deliberate {
    /// Reads the list from TOML text; an error names the entry at fault.
    pub fn parse(text: &str) -> Result<Deliberate, String> {
        let file: File =
            toml::from_str(text).map_err(|e| format!("not a list of deliberate differences: {e}"))?;
        let anchored = |pattern: &Option<String>, n: usize| -> Result<Option<Regex>, String> {
            pattern
                .as_ref()
                .map(|p| Regex::new(&format!("^(?:{p})$")).map_err(|e| format!("difference {n}: {e}")))
                .transpose()
        };
        let mut differences = Vec::new();
        for (n, raw) in file.difference.iter().enumerate() {
            if raw.reason.trim().is_empty() || raw.scenarios.is_empty() {
                return Err(format!("difference {n} needs a reason and at least one scenario"));
            }
            if raw.ours.is_none() && raw.reference.is_none() {
                return Err(format!("difference {n} ({}) has neither `ours` nor `reference`", raw.reason));
            }
            differences.push(Difference {
                scenarios: raw.scenarios.clone(),
                reason: raw.reason.clone(),
                ours: anchored(&raw.ours, n)?,
                reference: anchored(&raw.reference, n)?,
                sometimes: raw.sometimes,
            });
        }
        Ok(Deliberate { agentwire_only: file.agentwire_only, differences })
    }

    /// Why `scenario` is not run against another binary, if it is agentwire-only.
    pub fn agentwire_only(&self, scenario: &str) -> Option<&str> {
        self.agentwire_only.iter().find(|a| a.scenario == scenario).map(|a| a.reason.as_str())
    }

    /// Which lines of `hunk` (of `scenario`) the entries account for: each entry in order,
    /// as many times as it finds runs of lines not yet accounted for.
    pub fn account(&self, scenario: &str, hunk: &Hunk) -> Accounting {
        let mut accounting =
            Accounting { ours: vec![None; hunk.ours.len()], reference: vec![None; hunk.reference.len()] };
        for (n, entry) in self.differences.iter().enumerate().filter(|(_, d)| d.applies_to(scenario)) {
            loop {
                let ours = find(&entry.ours, &hunk.ours, &accounting.ours);
                let reference = find(&entry.reference, &hunk.reference, &accounting.reference);
                let (Some(ours), Some(reference)) = (ours, reference) else {
                    break;
                };
                if ours.is_empty() && reference.is_empty() {
                    break;
                }
                accounting.ours[ours].iter_mut().for_each(|line| *line = Some(n));
                accounting.reference[reference].iter_mut().for_each(|line| *line = Some(n));
            }
        }
        accounting
    }
}

/// The first (then longest) run of `lines` not yet `taken` that `pattern` matches whole; an
/// empty run when there is no pattern, `None` when it matches no run.
fn find(
    pattern: &Option<Regex>,
    lines: &[String],
    taken: &[Option<usize>],
) -> Option<std::ops::Range<usize>> {
    let Some(pattern) = pattern else {
        return Some(0..0);
    };
    for start in 0..lines.len() {
        let free = taken[start..].iter().take_while(|t| t.is_none()).count();
        for end in (start + 1..=start + free).rev() {
            if pattern.is_match(&lines[start..end].join("\n")) {
                return Some(start..end);
            }
        }
    }
    None
}

impl Difference {
    /// Whether this entry may appear in `scenario`.
    pub fn applies_to(&self, scenario: &str) -> bool {
        self.scenarios.iter().any(|s| s == "*" || s == scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(ours: &[&str], reference: &[&str]) -> Hunk {
        Hunk {
            ours_at: 1,
            reference_at: 1,
            ours: ours.iter().map(|l| l.to_string()).collect(),
            reference: reference.iter().map(|l| l.to_string()).collect(),
        }
    }

    const LIST: &str = r#"
[[agentwire_only]]
scenario = "no_kernel_sandbox"
reason = "agentwire's own variable"

[[difference]]
scenarios = ["plain_answer"]
reason = "one completion"
ours = '<< .*"item/completed".*'
reference = '<< .*"item/completed".*\n<< .*"item/completed".*'

[[difference]]
scenarios = ["*"]
reason = "todo lists"
ours = '.*todoList.*'
sometimes = true
"#;

    const DONE: &str = r#"<< {"method":"item/completed"}"#;
    const TODO: &str = r#"<< {"item":{"type":"todoList"}}"#;

    #[test]
    fn an_entry_accounts_for_runs_its_patterns_match_whole_in_its_scenarios() {
        let list = Deliberate::parse(LIST).unwrap();
        let twice = hunk(&[DONE], &[DONE, DONE]);
        let accounting = list.account("plain_answer", &twice);
        assert!(accounting.is_deliberate());
        assert_eq!(accounting.entries(), [0]);
        // Another scenario: not this entry's.
        assert!(!list.account("full_turn", &twice).is_deliberate());
        // One line where the entry says two: both of its runs must be found.
        let once = hunk(&[DONE], &[DONE]);
        assert_eq!(
            list.account("plain_answer", &once),
            Accounting { ours: vec![None], reference: vec![None] }
        );
        // Three: two are accounted for, the third is not.
        let thrice = list.account("plain_answer", &hunk(&[DONE], &[DONE; 3]));
        assert_eq!(thrice.reference, [Some(0), Some(0), None]);
        assert!(!thrice.is_deliberate());
    }

    #[test]
    fn entries_share_a_hunk_and_repeat_and_leave_what_they_do_not_match() {
        let list = Deliberate::parse(LIST).unwrap();
        let mixed = hunk(&[TODO, DONE, TODO], &[DONE, DONE]);
        let accounting = list.account("plain_answer", &mixed);
        assert_eq!(accounting.ours, [Some(1), Some(0), Some(1)]);
        assert!(accounting.is_deliberate());
        assert_eq!(accounting.entries(), [0, 1]);
        // A line no entry matches stays unaccounted, and makes the hunk not deliberate.
        let other = hunk(&[TODO], &["<< {}"]);
        let accounting = list.account("anything", &other);
        assert_eq!(accounting, Accounting { ours: vec![Some(1)], reference: vec![None] });
        assert!(!accounting.is_deliberate());
    }

    #[test]
    fn agentwire_only_scenarios_are_named_with_their_reason() {
        let list = Deliberate::parse(LIST).unwrap();
        assert_eq!(list.agentwire_only("no_kernel_sandbox"), Some("agentwire's own variable"));
        assert_eq!(list.agentwire_only("plain_answer"), None);
        assert!(list.differences[1].sometimes && !list.differences[0].sometimes);
    }

    #[test]
    fn a_bad_entry_is_refused_with_what_is_wrong() {
        let no_side = "[[difference]]\nscenarios = [\"x\"]\nreason = \"r\"\n";
        assert!(Deliberate::parse(no_side).unwrap_err().contains("neither"));
        let no_reason = "[[difference]]\nscenarios = [\"x\"]\nreason = \" \"\nours = 'a'\n";
        assert!(Deliberate::parse(no_reason).unwrap_err().contains("reason"));
        let bad_regex = "[[difference]]\nscenarios = [\"x\"]\nreason = \"r\"\nours = '('\n";
        assert!(Deliberate::parse(bad_regex).unwrap_err().contains("difference 0"));
        let unknown = "[[difference]]\nscenario = \"x\"\n";
        assert!(Deliberate::parse(unknown).is_err());
    }
}
