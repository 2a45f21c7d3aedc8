//! What a differential run found: per scenario, identical, its differences (each deliberate,
//! naming the entry, or not), or not run (agentwire-only); the entries of the list that matched
//! nothing; the summary line and the exit code.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::deliberate::{Accounting, Deliberate};
use super::hunks::Hunk;

/// One scenario's result.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// What came of it.
    pub outcome: Outcome,
}

/// What came of one scenario.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Not run: the list says no other binary can run it, for this reason.
    AgentwireOnly(String),
    /// Run and compared: each difference, with which of its lines the deliberate entries
    /// account for. Empty: identical.
    Compared(Vec<(Hunk, Accounting)>),
}

impl ScenarioResult {
    /// The differences the entries do not account for whole.
    pub fn undeliberate(&self) -> Vec<&(Hunk, Accounting)> {
        match &self.outcome {
            Outcome::Compared(found) => {
                found.iter().filter(|(_, accounting)| !accounting.is_deliberate()).collect()
            }
            Outcome::AgentwireOnly(_) => Vec::new(),
        }
    }

    /// The scenario's line of the report (`scenario NAME ... identical`, …), followed by its
    /// differences that are not deliberate, in full.
    pub fn render(&self) -> String {
        let mut out = format!("scenario {} ... ", self.name);
        match &self.outcome {
            Outcome::AgentwireOnly(reason) => out.push_str(&format!("not run, agentwire-only: {reason}\n")),
            Outcome::Compared(found) if found.is_empty() => out.push_str("identical\n"),
            Outcome::Compared(found) => {
                let bad = self.undeliberate();
                if bad.is_empty() {
                    out.push_str(&format!("{} differences, all deliberate\n", found.len()));
                } else {
                    out.push_str(&format!(
                        "{} differences, {} NOT deliberate (lines marked = are deliberate):\n",
                        found.len(),
                        bad.len()
                    ));
                    for (hunk, accounting) in bad {
                        out.push_str(&indent(&hunk.render(Some(accounting))));
                    }
                }
            }
        }
        out
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

/// A whole run's results, with the list they were matched against.
#[derive(Debug)]
pub struct Report {
    /// Each scenario's result, in order.
    pub scenarios: Vec<ScenarioResult>,
    /// Per entry of the list: its reason, and in how many differences it accounted for lines.
    pub entries: Vec<(String, usize)>,
    /// The entries (by index) in scope of this run (one of their scenarios was compared) that
    /// matched nothing.
    pub stale: Vec<usize>,
}

impl Report {
    /// The report of `scenarios` matched against `deliberate`.
    pub fn new(scenarios: Vec<ScenarioResult>, deliberate: &Deliberate) -> Report {
        let mut entries: Vec<(String, usize)> =
            deliberate.differences.iter().map(|d| (d.reason.clone(), 0)).collect();
        let mut compared = BTreeSet::new();
        for result in &scenarios {
            if let Outcome::Compared(found) = &result.outcome {
                compared.insert(result.name.as_str());
                for entry in found.iter().flat_map(|(_, accounting)| accounting.entries()) {
                    entries[entry].1 += 1;
                }
            }
        }
        let stale = deliberate
            .differences
            .iter()
            .enumerate()
            .filter(|(n, d)| {
                !d.sometimes && entries[*n].1 == 0 && compared.iter().any(|name| d.applies_to(name))
            })
            .map(|(n, _)| n)
            .collect();
        Report { scenarios, entries, stale }
    }

    /// How many scenarios were compared, and how many of them were identical.
    fn counts(&self) -> (usize, usize, usize, usize) {
        let (mut compared, mut identical, mut differences, mut bad) = (0, 0, 0, 0);
        for result in &self.scenarios {
            if let Outcome::Compared(found) = &result.outcome {
                compared += 1;
                identical += usize::from(found.is_empty());
                differences += found.len();
                bad += result.undeliberate().len();
            }
        }
        (compared, identical, differences, bad)
    }

    /// The last line: `differential: N of M scenarios identical, K differences all deliberate`,
    /// or how many are not.
    pub fn summary(&self) -> String {
        let (compared, identical, differences, bad) = self.counts();
        let mut line = format!("differential: {identical} of {compared} scenarios identical, ");
        if bad == 0 {
            line.push_str(&format!("{differences} differences all deliberate"));
        } else {
            line.push_str(&format!("{differences} differences, {bad} NOT deliberate (listed above)"));
        }
        if !self.stale.is_empty() {
            line.push_str(&format!(", {} stale entries in the list", self.stale.len()));
        }
        line
    }

    /// The whole report: each scenario's line (with its differences that are not deliberate),
    /// then [`Report::render_tail`].
    pub fn render(&self) -> String {
        let scenarios: String = self.scenarios.iter().map(ScenarioResult::render).collect();
        scenarios + &self.render_tail()
    }

    /// The end of the report: the deliberate differences seen, by reason, the stale entries,
    /// then [`Report::summary`].
    pub fn render_tail(&self) -> String {
        let mut out = String::new();
        let seen: Vec<&(String, usize)> = self.entries.iter().filter(|(_, count)| *count > 0).collect();
        if !seen.is_empty() {
            out.push_str("deliberate differences seen:\n");
            for (reason, count) in seen {
                let _ = writeln!(out, "  {count}× {reason}");
            }
        }
        for &n in &self.stale {
            let _ =
                writeln!(out, "stale entry {n} of the list (matched no difference): {}", self.entries[n].0);
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// 0 when every difference is deliberate and no entry is stale, else 1.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.counts().3 > 0 || !self.stale.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::differential::compare;

    const LIST: &str = r#"
[[agentwire_only]]
scenario = "sandbox_off"
reason = "agentwire's own variable"

[[difference]]
scenarios = ["answer"]
reason = "the reference says hi"
ours = '\{"text":"hello"\}'
reference = '\{"text":"hi"\}'

[[difference]]
scenarios = ["answer"]
reason = "never seen"
reference = 'nothing like this'
"#;

    fn report(pairs: &[(&str, &str, &str)], list: &Deliberate) -> Report {
        let mut results: Vec<ScenarioResult> =
            pairs.iter().map(|(name, pinned, text)| compare(name, pinned, text, list)).collect();
        results.push(ScenarioResult {
            name: "sandbox_off".into(),
            outcome: Outcome::AgentwireOnly("agentwire's own variable".into()),
        });
        Report::new(results, list)
    }

    #[test]
    fn identical_and_deliberate_pass_but_a_stale_entry_fails() {
        let list = Deliberate::parse(LIST).unwrap();
        let report = report(
            &[("answer", "d\n\n{\"text\":\"hello\"}\n", "d\n\n{\"text\":\"hi\"}\n"), ("same", "x\n", "x\n")],
            &list,
        );
        assert_eq!(report.stale, [1], "the entry that matched nothing is stale");
        assert_eq!(report.exit_code(), 1);
        let text = report.render();
        assert!(text.contains("scenario answer ... 1 differences, all deliberate"), "{text}");
        assert!(text.contains("scenario same ... identical"), "{text}");
        assert!(
            text.contains("scenario sandbox_off ... not run, agentwire-only: agentwire's own variable"),
            "{text}"
        );
        assert!(text.contains("1× the reference says hi"), "{text}");
        assert!(text.contains("stale entry 1 of the list (matched no difference): never seen"), "{text}");
        assert!(text.ends_with(
            "differential: 1 of 2 scenarios identical, 1 differences all deliberate, 1 stale entries in the list\n"
        ));
    }

    #[test]
    fn all_deliberate_exits_zero() {
        let mut list = Deliberate::parse(LIST).unwrap();
        list.differences.pop();
        let report = report(&[("answer", "d\n\n{\"text\":\"hello\"}\n", "d\n\n{\"text\":\"hi\"}\n")], &list);
        assert_eq!(report.exit_code(), 0);
        assert_eq!(
            report.summary(),
            "differential: 0 of 1 scenarios identical, 1 differences all deliberate"
        );
    }

    #[test]
    fn a_difference_no_entry_accounts_for_is_shown_and_fails() {
        let list = Deliberate::parse(LIST).unwrap();
        let report =
            report(&[("answer", "d\n\n{\"text\":\"hello\"}\n", "d\n\n{\"text\":\"howdy\"}\n")], &list);
        assert_eq!(report.exit_code(), 1);
        let text = report.render();
        assert!(
            text.contains(
                "scenario answer ... 1 differences, 1 NOT deliberate (lines marked = are deliberate):"
            ),
            "{text}"
        );
        assert!(text.contains("    - {\"text\":\"hello\"}\n    + {\"text\":\"howdy\"}\n"), "{text}");
        assert!(text.contains("~ .text: \"hello\" → \"howdy\""), "{text}");
        assert!(report.summary().contains("1 differences, 1 NOT deliberate"), "{}", report.summary());
    }

    #[test]
    fn entries_of_scenarios_not_run_are_not_stale() {
        let list = Deliberate::parse(LIST).unwrap();
        let report = report(&[("other", "x\n", "x\n")], &list);
        assert!(report.stale.is_empty());
        assert_eq!(report.exit_code(), 0);
        assert_eq!(
            report.summary(),
            "differential: 1 of 1 scenarios identical, 0 differences all deliberate"
        );
    }
}
