//! `codegen diff OLD NEW`: the schema change classifier.
//!
//! The parts: [`load`](mod@load) reads a schema (bundle or folder, either layout), [`roots`] works out who
//! sends each type, [`compare`] walks both schemas side by side, [`classify`] gives each change
//! its verdict per direction, [`render`] prints the table or the JSON.
//!
//! # Rules
//!
#![doc = include_str!("rules.md")]

pub mod classify;
pub mod compare;
mod fields;
pub mod load;
pub mod node;
pub mod per_type;
pub mod render;
pub mod roots;

use std::path::{Path, PathBuf};

pub use classify::{Change, Direction, Kind};
pub use load::{load, LoadError, Schema};

/// The rules, as `codegen diff --help` prints them.
pub const RULES: &str = include_str!("rules.md");

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// Where: `v2/ThreadStartParams.approvalPolicy`, `v2/ThreadItem[type=agentMessage]`,
    /// `v2/ClientRequest[method=thread/start].result` for the result of a request.
    pub path: String,
    /// What changed.
    pub change: Change,
    /// Which messages it is in.
    pub direction: Direction,
    /// The verdict.
    pub kind: Kind,
    /// The change in words.
    pub detail: String,
}

/// Every change between two schemas, sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The classified changes.
    pub entries: Vec<Entry>,
}

impl Report {
    /// How many entries of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }

    /// Whether any change breaks old peers.
    pub fn is_breaking(&self) -> bool {
        self.count(Kind::Breaking) > 0
    }

    /// `N breaking, M additive, K docs`.
    pub fn summary(&self) -> String {
        format!(
            "{} breaking, {} additive, {} docs",
            self.count(Kind::Breaking),
            self.count(Kind::Additive),
            self.count(Kind::Docs)
        )
    }
}

/// Why two schemas could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The old schema could not be read. (The message says it all: no source to chain.)
    #[error("OLD: {0}")]
    Old(LoadError),
    /// The new schema could not be read.
    #[error("NEW: {0}")]
    New(LoadError),
    /// A schema has no message union to work out directions from.
    #[error("{side}: {path} defines none of ClientRequest, ServerNotification, EventMsg, ThreadEvent, …, so who sends what cannot be told; give the whole protocol's schema (its folder or its bundle), not one type")]
    NoMessages {
        /// `OLD` or `NEW`.
        side: &'static str,
        /// What was read.
        path: PathBuf,
    },
}

/// Reads both schemas and compares them.
pub fn diff_paths(old: &Path, new: &Path) -> Result<Report, DiffError> {
    let old = load(old).map_err(DiffError::Old)?;
    let new = load(new).map_err(DiffError::New)?;
    for (side, schema) in [("OLD", &old), ("NEW", &new)] {
        if roots::topology(schema).message_unions.is_empty() {
            return Err(DiffError::NoMessages { side, path: schema.source.clone() });
        }
    }
    Ok(diff(&old, &new))
}

/// Compares two schemas already read.
pub fn diff(old: &Schema, new: &Schema) -> Report {
    let (old_topology, new_topology) = (roots::topology(old), roots::topology(new));
    let mut comparer = compare::Comparer::new(old, new);
    for key in old.defs.keys().filter(|k| new.defs.contains_key(*k)) {
        if roots::REQUEST_MAPS.contains(&roots::name_of(key)) {
            continue;
        }
        let reach = [&old_topology, &new_topology]
            .iter()
            .filter_map(|t| t.reach.get(key))
            .fold(roots::Reach::default(), |a, b| a.union(*b));
        let union =
            old_topology.message_unions.contains_key(key) || new_topology.message_unions.contains_key(key);
        comparer.definition(key, reach, union.then(|| roots::message_noun(key)));
    }
    // A message union only one side has: each of its methods is added or removed.
    for (topology, schema, other, added) in
        [(&new_topology, new, old, true), (&old_topology, old, new, false)]
    {
        for (key, reach) in &topology.message_unions {
            if let (Some(union), false) = (schema.defs.get(key), other.defs.contains_key(key)) {
                comparer.lone_union(key, union, *reach, roots::message_noun(key), added);
            }
        }
    }
    for ((union, label), old_result) in &old_topology.results {
        let Some(new_result) = new_topology.results.get(&(union.clone(), label.clone())) else { continue };
        if new_result != old_result {
            let sender = old_topology.message_unions.get(union).copied().unwrap_or_default();
            let answerer = roots::Reach { client: sender.server, server: sender.client };
            comparer.references(&format!("{union}[{label}].result"), old_result, new_result, answerer);
        }
    }
    let mut entries = Vec::new();
    for found in comparer.into_found() {
        for (kind, direction) in classify::directions(found.change, found.reach, found.closed) {
            entries.push(Entry {
                path: found.path.clone(),
                change: found.change,
                direction,
                kind,
                detail: found.detail.clone(),
            });
        }
    }
    entries.sort();
    entries.dedup();
    Report { entries }
}
