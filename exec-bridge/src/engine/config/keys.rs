//! What Codex 0.63 documents of `config.toml`, beside what this runtime implements (the typed
//! tables of [`super`]): a key the runtime skips is either one Codex documents, accepted with a
//! warning that says it has no effect here, or an unknown one, a warning that suggests the
//! closest documented key. Neither stops the runtime, as neither stops Codex.

/// The documented keys of one table, and what a skipped one means.
struct Table {
    /// The table's path pattern: `""` for the root, `*` for any one name (a provider id, a
    /// profile name, a project path).
    path: &'static str,
    /// Every key Codex documents there (implemented ones included: they are the candidates of
    /// a suggestion).
    keys: &'static [&'static str],
}

/// The keys a profile may set: those of the root a profile overrides.
const PROFILE_KEYS: &[&str] = &[
    "model",
    "model_provider",
    "approval_policy",
    "sandbox_mode",
    "model_reasoning_effort",
    "model_reasoning_summary",
    "model_verbosity",
    "model_reasoning_summary_format",
    "chatgpt_base_url",
    "experimental_instructions_file",
    "experimental_compact_prompt_file",
    "include_apply_patch_tool",
    "experimental_use_unified_exec_tool",
    "experimental_use_rmcp_client",
    "experimental_use_freeform_apply_patch",
    "experimental_sandbox_command_assessment",
    "tools_web_search",
    "tools_view_image",
    "features",
    "oss_provider",
    "sandbox_workspace_write",
    "tools",
    "shell_environment_policy",
];

const TABLES: &[Table] = &[
    Table {
        path: "",
        keys: &[
            "model",
            "review_model",
            "model_provider",
            "model_context_window",
            "model_auto_compact_token_limit",
            "tool_output_token_limit",
            "approval_policy",
            "sandbox_mode",
            "sandbox_workspace_write",
            "shell_environment_policy",
            "notify",
            "instructions",
            "developer_instructions",
            "compact_prompt",
            "experimental_compact_prompt_file",
            "forced_chatgpt_workspace_id",
            "forced_login_method",
            "cli_auth_credentials_store",
            "cli_auth_credentials_store_mode",
            "mcp_oauth_credentials_store",
            "mcp_servers",
            "model_providers",
            "project_doc_max_bytes",
            "project_doc_fallback_filenames",
            "profile",
            "profiles",
            "history",
            "file_opener",
            "tui",
            "hide_agent_reasoning",
            "show_raw_agent_reasoning",
            "model_reasoning_effort",
            "model_reasoning_summary",
            "model_verbosity",
            "model_supports_reasoning_summaries",
            "model_reasoning_summary_format",
            "chatgpt_base_url",
            "projects",
            "tools",
            "features",
            "ghost_snapshot",
            "check_for_update_on_startup",
            "disable_paste_burst",
            "experimental_instructions_file",
            "experimental_use_exec_command_tool",
            "experimental_use_unified_exec_tool",
            "experimental_use_rmcp_client",
            "experimental_use_freeform_apply_patch",
            "experimental_sandbox_command_assessment",
            "include_apply_patch_tool",
            "include_plan_tool",
            "include_view_image_tool",
            "oss_provider",
            "otel",
            "notice",
            "windows_wsl_setup_acknowledged",
        ],
    },
    Table {
        path: "model_providers.*",
        keys: &[
            "name",
            "base_url",
            "env_key",
            "env_key_instructions",
            "wire_api",
            "query_params",
            "http_headers",
            "env_http_headers",
            "request_max_retries",
            "stream_max_retries",
            "stream_idle_timeout_ms",
            "requires_openai_auth",
            "connect_timeout_ms",
            "response_headers_timeout_ms",
            "retry_after_max_ms",
        ],
    },
    Table {
        path: "sandbox_workspace_write",
        keys: &["writable_roots", "network_access", "exclude_tmpdir_env_var", "exclude_slash_tmp"],
    },
    Table {
        path: "shell_environment_policy",
        keys: &[
            "inherit",
            "ignore_default_excludes",
            "exclude",
            "set",
            "include_only",
            "experimental_use_profile",
        ],
    },
    Table { path: "tools", keys: &["web_search", "view_image"] },
    Table {
        path: "features",
        keys: &[
            "unified_exec",
            "rmcp_client",
            "apply_patch_freeform",
            "view_image_tool",
            "web_search_request",
            "ghost_commit",
            "enable_experimental_windows_sandbox",
            "exec_policy",
            "remote_compaction",
            "shell_tool",
            "sandbox_command_assessment",
        ],
    },
    Table { path: "projects.*", keys: &["trust_level"] },
    Table {
        path: "mcp_servers.*",
        keys: &[
            "command",
            "args",
            "env",
            "env_vars",
            "cwd",
            "url",
            "bearer_token_env_var",
            "http_headers",
            "env_http_headers",
            "startup_timeout_sec",
            "startup_timeout_ms",
            "tool_timeout_sec",
            "enabled",
            "enabled_tools",
            "disabled_tools",
        ],
    },
    Table { path: "profiles.*", keys: PROFILE_KEYS },
];

/// What a skipped key `path` (dotted, as the file spells it) means, as one line for the user;
/// `source` says where it was (`/home/u/.codex/config.toml`, or `-c overrides`).
pub(super) fn warning(source: &str, path: &str) -> String {
    let (table, key) = match path.rsplit_once('.') {
        Some((table, key)) => (table, key),
        None => ("", path),
    };
    let documented = TABLES.iter().find(|t| matches(t.path, table));
    let Some(documented) = documented else {
        // Inside a value Codex documents but this runtime does not read (`mcp_servers.x.args`,
        // `tui.notifications`): its root key gets the warning.
        return ignored(source, path);
    };
    if documented.keys.contains(&key) {
        return ignored(source, path);
    }
    let mut line = format!("{source}: unknown key `{path}` is ignored");
    if let Some(close) = closest(key, documented.keys) {
        let suggested = if table.is_empty() { close.to_owned() } else { format!("{table}.{close}") };
        line.push_str(&format!("; did you mean `{suggested}`?"));
    }
    line
}

fn ignored(source: &str, path: &str) -> String {
    format!("{source}: `{path}` is a Codex setting this runtime does not use yet; it has no effect")
}

/// Whether the table path `actual` fits `pattern` (`*` standing for one name, which may itself
/// hold dots when it is the last part: a project path, a provider id).
fn matches(pattern: &str, actual: &str) -> bool {
    match pattern.split_once(".*") {
        Some((head, "")) => {
            actual.strip_prefix(head).is_some_and(|rest| rest.starts_with('.') && rest.len() > 1)
        }
        _ => pattern == actual,
    }
}

/// The documented key closest to `key` by edit distance, if close enough to be a typo.
fn closest(key: &str, keys: &[&'static str]) -> Option<&'static str> {
    let limit = (key.len() / 3).max(2);
    keys.iter().map(|k| (distance(key, k), *k)).filter(|(d, _)| *d <= limit).min().map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_closest_key_and_a_documented_key_says_it_has_no_effect() {
        let typo = warning("config.toml", "modle");
        assert_eq!(typo, "config.toml: unknown key `modle` is ignored; did you mean `model`?");
        let nested = warning("-c overrides", "sandbox_workspace_write.network_acess");
        assert!(nested.ends_with("did you mean `sandbox_workspace_write.network_access`?"), "{nested}");
        let far = warning("config.toml", "completely_different");
        assert!(far.ends_with("is ignored"), "{far}");
        let verbosity = warning("config.toml", "model_verbosity");
        assert!(
            verbosity.contains("`model_verbosity` is a Codex setting") && verbosity.contains("no effect")
        );
        assert!(warning("f", "model_providers.azure.wire_api").contains("no effect"));
        assert!(warning("f", "profiles.fast.model_verbosity").contains("no effect"));
        assert!(warning("f", "mcp_servers.docs.http_headers").contains("no effect"));
        assert!(warning("f", "mcp_servers.docs.comand").contains("did you mean `mcp_servers.docs.command`?"));
        assert!(warning("f", "profiles.fast.modle").contains("did you mean `profiles.fast.model`?"));
        assert!(warning("f", "features.web_serch_request").contains("`features.web_search_request`"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("modle", "model"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
