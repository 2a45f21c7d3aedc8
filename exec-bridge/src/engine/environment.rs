//! The environment a command runs with: `[shell_environment_policy]` of `config.toml`, applied
//! to the runtime's own environment, as the reference does. The runtime's environment holds its
//! API key; a command the model chose must not see it, since what a command prints goes to the
//! model and into the session file.
//!
//! [`command_env`] derives the environment in this order (the reference's):
//! 1. `inherit`: `all` of the runtime's variables, the `core` ones ([`CORE_VARS`] and every
//!    `LC_*`), or `none`;
//! 2. unless `ignore_default_excludes`, drop every name matching `*KEY*`, `*SECRET*` or
//!    `*TOKEN*`;
//! 3. drop every name matching a pattern of `exclude`;
//! 4. insert the variables of `set`;
//! 5. when `include_only` is not empty, keep only the names matching one of its patterns.
//!
//! Then, whatever the policy says (even `ignore_default_excludes` or `set`), the runtime's own
//! credentials are removed: each variable named as one (`CODEX_API_KEY` and the model provider's
//! `env_key`, for example `OPENAI_API_KEY`), and each variable whose value contains the value of
//! one (a copy of the key under another name).
//!
//! A pattern is a glob matched against the whole name, ignoring case: `*` stands for any run of
//! characters, `?` for one character. A variable whose name or value is not UTF-8 is not passed
//! on.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The variables `inherit = "core"` keeps, besides every `LC_*` (the locale, so that tools read
/// and print text in the user's encoding): the reference's list, plus `LANG`.
pub const CORE_VARS: [&str; 10] =
    ["HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP", "LANG"];

/// The patterns dropped unless `ignore_default_excludes`.
pub const DEFAULT_EXCLUDES: [&str; 3] = ["*KEY*", "*SECRET*", "*TOKEN*"];

/// A credential's value shorter than this is not looked for in other variables' values: it would
/// match ordinary values (a local provider's placeholder key such as `ollama`).
const MIN_SECRET_LEN: usize = 8;

/// `[shell_environment_policy]`: which of the runtime's variables a command gets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EnvironmentPolicy {
    /// Where to start from; default `all`.
    #[serde(default)]
    pub inherit: Inherit,
    /// Whether to keep the names matching `*KEY*`, `*SECRET*` and `*TOKEN*`; default `false`.
    #[serde(default)]
    pub ignore_default_excludes: bool,
    /// Patterns of names to drop.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Variables to set, after the excludes.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// When not empty, patterns of the only names kept (applied last, to `set` too).
    #[serde(default)]
    pub include_only: Vec<String>,
}

/// Which of the runtime's variables a command starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Inherit {
    /// Every variable.
    #[default]
    All,
    /// [`CORE_VARS`] and every `LC_*`.
    Core,
    /// None: only what `set` gives.
    None,
}

/// The environment of a command under `policy`, from the runtime's variables `vars`, without the
/// runtime's credentials (the variables named in `credentials`, and any variable whose value
/// contains the value of one). Sorted by name.
pub fn command_env<I>(policy: &EnvironmentPolicy, credentials: &[String], vars: I) -> Vec<(String, String)>
where
    I: IntoIterator<Item = (String, String)>,
{
    let vars: Vec<(String, String)> = vars.into_iter().collect();
    let is_credential = |name: &str| credentials.iter().any(|c| c.eq_ignore_ascii_case(name));
    let secrets: Vec<&str> = vars
        .iter()
        .filter(|(name, value)| is_credential(name) && value.len() >= MIN_SECRET_LEN)
        .map(|(_, value)| value.as_str())
        .collect();
    let mut env: BTreeMap<String, String> = match policy.inherit {
        Inherit::All => vars.iter().cloned().collect(),
        Inherit::Core => vars.iter().filter(|(name, _)| is_core(name)).cloned().collect(),
        Inherit::None => BTreeMap::new(),
    };
    if !policy.ignore_default_excludes {
        env.retain(|name, _| !matches_any(&DEFAULT_EXCLUDES, name));
    }
    env.retain(|name, _| !matches_any(&policy.exclude, name));
    env.extend(policy.set.iter().map(|(name, value)| (name.clone(), value.clone())));
    if !policy.include_only.is_empty() {
        env.retain(|name, _| matches_any(&policy.include_only, name));
    }
    env.retain(|name, value| !is_credential(name) && !secrets.iter().any(|secret| value.contains(secret)));
    env.into_iter().collect()
}

fn is_core(name: &str) -> bool {
    CORE_VARS.contains(&name) || name.starts_with("LC_")
}

fn matches_any<P: AsRef<str>>(patterns: &[P], name: &str) -> bool {
    patterns.iter().any(|pattern| glob_matches(pattern.as_ref(), name))
}

/// Whether `name` matches `pattern` as a whole, ignoring case; `*` is any run of characters,
/// `?` one character.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let name: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    let (mut p, mut n) = (0, 0);
    // Where the last `*` was, and the first name character it does not yet cover.
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                // Let the last `*` cover one more character, and try again after it.
                Some((star_p, star_n)) => {
                    star = Some((star_p, star_n + 1));
                    p = star_p + 1;
                    n = star_n + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    fn names(env: &[(String, String)]) -> Vec<&str> {
        env.iter().map(|(name, _)| name.as_str()).collect()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    const RUNTIME: [(&str, &str); 9] = [
        ("PATH", "/usr/bin"),
        ("HOME", "/home/me"),
        ("LC_ALL", "C.UTF-8"),
        ("EDITOR", "vi"),
        ("CODEX_API_KEY", "sk-codex-0123456789"),
        ("OPENAI_API_KEY", "sk-openai-0123456789"),
        ("GITHUB_TOKEN", "ghp_abc"),
        ("my_secret", "s"),
        ("COPY", "Bearer sk-codex-0123456789"),
    ];

    fn credentials() -> Vec<String> {
        strings(&["CODEX_API_KEY", "OPENAI_API_KEY"])
    }

    #[test]
    fn each_step_of_the_policy() {
        let policy = |f: fn(&mut EnvironmentPolicy)| {
            let mut policy = EnvironmentPolicy::default();
            f(&mut policy);
            policy
        };
        let cases: Vec<(&str, EnvironmentPolicy, Vec<&str>)> = vec![
            ("the default", policy(|_| {}), vec!["EDITOR", "HOME", "LC_ALL", "PATH"]),
            ("core", policy(|p| p.inherit = Inherit::Core), vec!["HOME", "LC_ALL", "PATH"]),
            ("none", policy(|p| p.inherit = Inherit::None), vec![]),
            (
                "default excludes ignored: the credentials still go",
                policy(|p| p.ignore_default_excludes = true),
                vec!["EDITOR", "GITHUB_TOKEN", "HOME", "LC_ALL", "PATH", "my_secret"],
            ),
            (
                "exclude, ignoring case",
                policy(|p| p.exclude = strings(&["lc_*", "ed?tor"])),
                vec!["HOME", "PATH"],
            ),
            (
                "set, after the excludes",
                policy(|p| {
                    p.inherit = Inherit::None;
                    p.exclude = strings(&["*"]);
                    p.set = [("A_TOKEN".to_string(), "1".to_string())].into();
                }),
                vec!["A_TOKEN"],
            ),
            (
                "include_only, applied to set too",
                policy(|p| {
                    p.include_only = strings(&["PATH", "x*"]);
                    p.set = [("X1".to_string(), "1".to_string()), ("Y".to_string(), "2".to_string())].into();
                }),
                vec!["PATH", "X1"],
            ),
            (
                "a credential set by the user still goes",
                policy(|p| {
                    p.set = [
                        ("OPENAI_API_KEY".to_string(), "mine".to_string()),
                        ("ALIAS".to_string(), "sk-openai-0123456789".to_string()),
                    ]
                    .into();
                }),
                vec!["EDITOR", "HOME", "LC_ALL", "PATH"],
            ),
        ];
        for (what, policy, expected) in cases {
            let env = command_env(&policy, &credentials(), vars(&RUNTIME));
            assert_eq!(names(&env), expected, "{what}");
        }
    }

    #[test]
    fn values_are_kept_and_set_replaces() {
        let mut policy = EnvironmentPolicy { inherit: Inherit::Core, ..Default::default() };
        policy.set.insert("HOME".into(), "/elsewhere".into());
        let env = command_env(&policy, &credentials(), vars(&RUNTIME));
        assert_eq!(env, vars(&[("HOME", "/elsewhere"), ("LC_ALL", "C.UTF-8"), ("PATH", "/usr/bin")]));
    }

    #[test]
    fn a_short_credential_is_not_looked_for_in_values() {
        let env = command_env(
            &EnvironmentPolicy::default(),
            &strings(&["LOCAL_KEY"]),
            vars(&[("LOCAL_KEY", "ollama"), ("USER", "ollama")]),
        );
        assert_eq!(env, vars(&[("USER", "ollama")]));
    }

    #[test]
    fn glob_patterns() {
        let cases = [
            ("*KEY*", "OPENAI_API_KEY", true),
            ("*key*", "keyring", true),
            ("*KEY*", "KE", false),
            ("PATH", "PATHS", false),
            ("P?TH", "path", true),
            ("*_DIR", "A_DIR_DIR", true),
            ("a*b*c", "aXbYbc", true),
            ("a*b*c", "aXbYc_", false),
            ("", "", true),
            ("*", "", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_matches(pattern, name), expected, "{pattern} ~ {name}");
        }
    }

    #[test]
    fn the_table_reads_from_toml_and_refuses_unknown_values() {
        let policy: EnvironmentPolicy = toml::from_str(
            "inherit = \"core\"\nignore_default_excludes = true\nexclude = [\"A*\"]\ninclude_only = [\"B\"]\n[set]\nB = \"1\"\n",
        )
        .unwrap();
        assert_eq!(policy.inherit, Inherit::Core);
        assert!(policy.ignore_default_excludes);
        assert_eq!(policy.set["B"], "1");
        let error = toml::from_str::<EnvironmentPolicy>("inherit = \"some\"\n").unwrap_err().to_string();
        assert!(error.contains("some"), "{error}");
        // An unknown key is skipped here; the configuration warns about it (see `config::keys`).
        assert!(toml::from_str::<EnvironmentPolicy>("exclude_only = []\n").is_ok());
    }
}
