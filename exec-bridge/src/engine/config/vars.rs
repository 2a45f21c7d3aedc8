//! The environment variables the runtime itself reads (`CODEX_HOME`, `OPENAI_BASE_URL`, the API
//! key, `TMPDIR`, …) and passes on to commands under `[shell_environment_policy]`. A binary
//! takes its own process's ([`Vars::process`]); an embedder gives each engine its own set, so
//! that two engines in one process can use two API keys, and nothing depends on what the
//! host process happens to have set.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A snapshot of environment variables, cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars(Arc<BTreeMap<String, String>>);

impl Vars {
    /// This process's variables whose name and value are UTF-8 (the others are not passed on).
    pub fn process() -> Vars {
        std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .collect()
    }

    /// The value of `name`, unless unset or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// Every variable, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

impl FromIterator<(String, String)> for Vars {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(vars: I) -> Vars {
        Vars(Arc::new(vars.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let vars: Vars =
            [("A".to_owned(), String::new()), ("B".to_owned(), "b".to_owned())].into_iter().collect();
        assert_eq!((vars.get("A"), vars.get("B"), vars.get("C")), (None, Some("b"), None));
        assert_eq!(vars.iter().count(), 2);
    }
}
