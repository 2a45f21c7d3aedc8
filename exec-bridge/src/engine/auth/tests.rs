#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test: a failed unwrap is a failed test.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;
use crate::engine::config::{CliSettings, Config, Vars};

fn key(text: &str) -> ApiKey {
    ApiKey::new(text).unwrap()
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The crate's mock keyring (each entry keeps its secret for the store's life).
fn mock_keyring(home: &Path) -> Box<dyn CredentialStore + Send + Sync> {
    Box::new(KeyringStore::with_builder(home, &*::keyring::mock::default_credential_builder()))
}

/// A keyring that never works, as on a machine without one.
struct NoKeyring;

impl CredentialStore for NoKeyring {
    fn load(&self) -> Result<Option<AuthRecord>, AuthError> {
        Err(AuthError::Keyring("no keyring here".into()))
    }
    fn save(&self, _: &AuthRecord) -> Result<(), AuthError> {
        Err(AuthError::Keyring("no keyring here".into()))
    }
    fn delete(&self) -> Result<bool, AuthError> {
        Err(AuthError::Keyring("no keyring here".into()))
    }
    fn describe(&self) -> String {
        "nothing".into()
    }
}

#[test]
fn keys_are_trimmed_masked_as_codex_shows_them_and_hidden_from_debug() {
    assert_eq!(ApiKey::new("  sk-abc \n").unwrap().expose(), "sk-abc");
    assert!(ApiKey::new(" \n\t").is_none());
    // The reference's own outputs for these keys.
    assert_eq!(key("sk-test-1234567890abcdef").masked(), "sk-test-***bcdef");
    assert_eq!(key("abcdefghijklm").masked(), "***");
    assert_eq!(key("abcdefghijklmn").masked(), "abcdefgh***jklmn");
    assert_eq!(key("sk-abc").masked(), "***");
    assert_eq!(key("ééééééééééééééé").masked(), "éééééééé***ééééé");
    let record = AuthRecord::with_api_key(key("sk-secret-value"));
    assert!(!format!("{record:?}").contains("sk-secret"), "{record:?}");
}

#[test]
fn the_file_is_codex_s_json_owner_only_and_replaced_whole() {
    let home = tempfile::tempdir().unwrap();
    let store = FileStore::new(home.path());
    assert_eq!(store.load().unwrap(), None);
    // A file left readable by others is replaced by a private one.
    std::fs::write(store.path(), "{}").unwrap();
    std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&AuthRecord::with_api_key(key("sk-test-1234567890abcdef"))).unwrap();
    assert_eq!(mode_of(store.path()), 0o600);
    assert_eq!(
        std::fs::read_to_string(store.path()).unwrap(),
        "{\n  \"OPENAI_API_KEY\": \"sk-test-1234567890abcdef\"\n}"
    );
    let names: Vec<_> = std::fs::read_dir(home.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["auth.json"], "no temporary file is left");
    assert_eq!(store.load().unwrap().unwrap().api_key, Some(key("sk-test-1234567890abcdef")));
    assert!(store.delete().unwrap());
    assert!(!store.delete().unwrap());
    assert!(!store.path().exists());
}

#[test]
fn a_missing_codex_home_is_made_and_a_corrupt_file_says_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    let store = FileStore::new(&root.path().join("new-home"));
    store.save(&AuthRecord::with_api_key(key("k"))).unwrap();
    assert_eq!(mode_of(store.path()), 0o600);
    std::fs::write(store.path(), "not json").unwrap();
    let error = store.load().unwrap_err().to_string();
    assert!(error.contains("auth.json") && error.contains("exec-bridge logout"), "{error}");
}

#[test]
fn chatgpt_tokens_another_codex_wrote_are_read_but_give_no_key() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("auth.json"),
        r#"{"OPENAI_API_KEY": null, "tokens": {"id_token": "x"}, "last_refresh": "2025-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let record = FileStore::new(home.path()).load().unwrap().unwrap();
    assert_eq!((record.api_key, record.tokens.is_some()), (None, true));
}

#[test]
fn keyring_mode_keeps_the_key_off_disk() {
    let home = tempfile::tempdir().unwrap();
    let file = FileStore::new(home.path());
    file.save(&AuthRecord::with_api_key(key("old-key-from-file"))).unwrap();
    let storage = Storage::with_keyring(home.path(), StoreMode::Keyring, mock_keyring(home.path()));
    assert_eq!(storage.save(&AuthRecord::with_api_key(key("sk-in-keyring"))).unwrap(), Saved::Keyring);
    assert!(!file.path().exists(), "the old plaintext copy is removed");
    assert_eq!(storage.load().unwrap().unwrap().api_key, Some(key("sk-in-keyring")));
    assert!(storage.delete().unwrap());
    assert_eq!(storage.load().unwrap(), None);
    // Without a keyring, keyring mode is an error that names the way out.
    let broken = Storage::with_keyring(home.path(), StoreMode::Keyring, Box::new(NoKeyring));
    let error = broken.save(&AuthRecord::with_api_key(key("k"))).unwrap_err().to_string();
    assert!(error.contains("cli_auth_credentials_store = \"file\""), "{error}");
    assert!(!file.path().exists());
}

#[test]
fn auto_mode_uses_the_keyring_when_it_works_else_the_file() {
    let home = tempfile::tempdir().unwrap();
    let auto = Storage::with_keyring(home.path(), StoreMode::Auto, mock_keyring(home.path()));
    assert_eq!(auto.save(&AuthRecord::with_api_key(key("sk-auto"))).unwrap(), Saved::Keyring);
    assert!(!home.path().join("auth.json").exists());
    assert_eq!(auto.load().unwrap().unwrap().api_key, Some(key("sk-auto")));
    assert!(auto.delete().unwrap());

    let auto = Storage::with_keyring(home.path(), StoreMode::Auto, Box::new(NoKeyring));
    let saved = auto.save(&AuthRecord::with_api_key(key("sk-auto"))).unwrap();
    assert!(
        matches!(&saved, Saved::FileInstead(path, why) if path.ends_with("auth.json") && why.contains("no keyring here"))
    );
    assert_eq!(mode_of(&home.path().join("auth.json")), 0o600);
    assert_eq!(auto.load().unwrap().unwrap().api_key, Some(key("sk-auto")));
    assert!(auto.delete().unwrap());
    assert!(!auto.delete().unwrap());
}

/// The platform's keyring for real (the kernel's keyutils on Linux), when this machine lets
/// processes use it; said and skipped otherwise.
#[test]
fn the_platform_keyring_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let store = KeyringStore::new(home.path());
    let record = AuthRecord::with_api_key(key("sk-platform-keyring-test"));
    if let Err(error) = store.save(&record) {
        eprintln!("skipped: no usable platform keyring here: {error}");
        return;
    }
    assert_eq!(store.load().unwrap(), Some(record));
    assert!(store.delete().unwrap());
    // keyutils may answer from a cache for a moment after the key is invalidated.
    let gone = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        matches!(store.load(), Ok(None))
    });
    assert!(gone, "the key is still in the keyring after delete");
    assert_ne!(keyring::account(home.path()), keyring::account(Path::new("/elsewhere")));
}

fn vars(pairs: &[(&str, &str)]) -> Vars {
    pairs.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
}

#[test]
fn environment_keys_win_over_the_stored_key_which_goes_to_openai_only() {
    let home = tempfile::tempdir().unwrap();
    FileStore::new(home.path()).save(&AuthRecord::with_api_key(key("sk-stored"))).unwrap();
    let load = |vars: &Vars, overrides: &[&str]| {
        let cli = CliSettings {
            overrides: overrides.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        Config::load(home.path(), &cli, vars).unwrap()
    };
    let config = load(&vars(&[]), &[]);
    assert_eq!(config.api_key().as_deref(), Some("sk-stored"));
    assert!(!format!("{config:?}").contains("sk-stored"), "Debug hides the key");
    assert!(config.command_env().iter().all(|(_, value)| !value.contains("sk-stored")));
    assert_eq!(load(&vars(&[("OPENAI_API_KEY", "sk-env")]), &[]).api_key().as_deref(), Some("sk-env"));
    assert_eq!(
        load(&vars(&[("OPENAI_API_KEY", "sk-env"), ("CODEX_API_KEY", "sk-codex")]), &[]).api_key().as_deref(),
        Some("sk-codex")
    );
    let other =
        load(&vars(&[]), &["model_provider=\"local\"", "model_providers.local.base_url=\"http://x\""]);
    assert_eq!(other.api_key(), None);
    // The mode comes from config.toml; keyring mode does not read auth.json.
    let config = load(&vars(&[]), &["cli_auth_credentials_store_mode=\"file\""]);
    assert_eq!(config.credentials_store_mode, StoreMode::File);
    let cli = CliSettings {
        overrides: vec!["cli_auth_credentials_store_mode=\"sideways\"".into()],
        ..Default::default()
    };
    let error = Config::load(home.path(), &cli, &vars(&[])).unwrap_err().to_string();
    assert!(error.contains("sideways"), "{error}");
}

#[test]
fn a_corrupt_store_fails_the_load_only_when_its_key_would_be_used() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("auth.json"), "{").unwrap();
    let cli = CliSettings::default();
    let error = Config::load(home.path(), &cli, &vars(&[])).unwrap_err().to_string();
    assert!(error.contains("auth.json"), "{error}");
    assert!(Config::load(home.path(), &cli, &vars(&[("CODEX_API_KEY", "k")])).is_ok());
    assert!(Config::load_without_credentials(home.path(), &cli, &vars(&[])).is_ok());
}
