//! The OS keyring, through the `keyring` crate: on Linux the kernel's keyutils store (no
//! daemon, no system library), elsewhere the platform's own when the crate is built with it.
//! One entry per `CODEX_HOME`: service `Codex Auth`, account `cli|` and a hash of the
//! `CODEX_HOME` path, holding the same JSON as `auth.json`.
//!
//! On Linux the key goes into the session keyring and is linked into the user's persistent
//! keyring, so that other login sessions find it. Where the persistent keyring refuses the link
//! (in a container whose user namespace does not own it, for example), the session keyring
//! alone is used: each operation tries the entry with the persistent keyring first, then the
//! one without.
//!
//! A keyring can accept a key and then not give it back (keyutils does so where the process's
//! keyrings are not its own, as in some containers). Before the real key is stored, a probe
//! entry holding no secret is written and read back; a keyring that fails the probe is
//! reported unusable, so that auto mode uses `auth.json` and no key is left where nothing can
//! read or remove it.

use std::path::Path;

use ::keyring::credential::CredentialBuilder;

use super::{AuthError, AuthRecord, CredentialStore};

/// The keyring service of every entry.
pub const SERVICE: &str = "Codex Auth";

/// The keyring entry of one `CODEX_HOME`.
pub struct KeyringStore {
    /// The ways to reach the entry, in the order they are tried, or why none could be made
    /// (reported at each use).
    entries: Result<Vec<::keyring::Entry>, String>,
    /// The same for the probe entry (see the module's documentation).
    probes: Result<Vec<::keyring::Entry>, String>,
}

/// What the probe entry holds.
const PROBE: &str = "probe";

/// The account of a probe entry: new each time, so that a probe never meets one an earlier
/// process removed and the kernel has not yet let go of.
fn probe_account() -> String {
    format!("probe|{}", uuid::Uuid::now_v7().simple())
}

impl KeyringStore {
    /// The entry of `codex_home` in the platform's keyring.
    pub fn new(codex_home: &Path) -> KeyringStore {
        let entries = |account: &str| platform_entries(account).map_err(|e| e.to_string());
        KeyringStore { entries: entries(&account(codex_home)), probes: entries(&probe_account()) }
    }

    /// The entry of `codex_home` in the keyring `builder` makes (for example the crate's mock
    /// store, `keyring::mock::default_credential_builder()`). The entry is made once: a store
    /// that keeps secrets in the entry itself keeps them for this store's life.
    pub fn with_builder(codex_home: &Path, builder: &CredentialBuilder) -> KeyringStore {
        let entries = |account: &str| {
            builder
                .build(None, SERVICE, account)
                .map(|credential| vec![::keyring::Entry::new_with_credential(credential)])
                .map_err(|e| e.to_string())
        };
        KeyringStore { entries: entries(&account(codex_home)), probes: entries(&probe_account()) }
    }

    /// Whether the keyring gives back what it is given (see the module's documentation).
    pub fn probe(&self) -> Result<(), AuthError> {
        let probes = self.probes.as_ref().map_err(|e| AuthError::Keyring(e.clone()))?;
        let round_trip = |entry: &::keyring::Entry| {
            entry.set_password(PROBE)?;
            let back = entry.get_password()?;
            entry.delete_credential()?;
            Ok::<bool, ::keyring::Error>(back == PROBE)
        };
        let mut last = String::from("no keyring entry could be made");
        for entry in probes {
            match round_trip(entry) {
                Ok(true) => return Ok(()),
                Ok(false) => last = "it gave back something else than it was given".into(),
                Err(e) => last = e.to_string(),
            }
        }
        Err(AuthError::Keyring(format!("it accepts keys but cannot give them back here ({last})")))
    }

    /// Runs `op` on each way to the entry until one succeeds; that answer, or the last one.
    fn first<T>(
        &self,
        op: impl Fn(&::keyring::Entry) -> ::keyring::Result<T>,
    ) -> Result<::keyring::Result<T>, AuthError> {
        let entries = self.entries.as_ref().map_err(|e| AuthError::Keyring(e.clone()))?;
        Ok(first_of(entries, op))
    }
}

/// Runs `op` on each entry until one succeeds; that answer, or the last one.
fn first_of<T>(
    entries: &[::keyring::Entry],
    op: impl Fn(&::keyring::Entry) -> ::keyring::Result<T>,
) -> ::keyring::Result<T> {
    let mut last = Err(::keyring::Error::NoEntry);
    for entry in entries {
        last = op(entry);
        if last.is_ok() {
            break;
        }
    }
    last
}

/// The kernel's keyutils: the entry linked into the persistent keyring, then the entry in the
/// session keyring alone.
#[cfg(target_os = "linux")]
fn platform_entries(account: &str) -> ::keyring::Result<Vec<::keyring::Entry>> {
    use ::keyring::keyutils::KeyutilsCredential;
    let linked = KeyutilsCredential::new_with_target(None, SERVICE, account)?;
    let session_only = KeyutilsCredential { persistent: None, ..linked.clone() };
    Ok(vec![
        ::keyring::Entry::new_with_credential(Box::new(linked)),
        ::keyring::Entry::new_with_credential(Box::new(session_only)),
    ])
}

/// The platform's store, as the `keyring` crate chooses it.
#[cfg(not(target_os = "linux"))]
fn platform_entries(account: &str) -> ::keyring::Result<Vec<::keyring::Entry>> {
    Ok(vec![::keyring::Entry::new(SERVICE, account)?])
}

/// The account of `codex_home`'s entry: `cli|` and 16 hex digits of a hash (FNV-1a) of its
/// canonical path, so that two `CODEX_HOME`s never share credentials.
pub fn account(codex_home: &Path) -> String {
    let path = codex_home.canonicalize().unwrap_or_else(|_| codex_home.to_path_buf());
    let hash = path.as_os_str().as_encoded_bytes().iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("cli|{hash:016x}")
}

fn keyring_error(error: ::keyring::Error) -> AuthError {
    AuthError::Keyring(error.to_string())
}

impl CredentialStore for KeyringStore {
    fn load(&self) -> Result<Option<AuthRecord>, AuthError> {
        match self.first(::keyring::Entry::get_password)? {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| AuthError::Corrupt { place: self.describe(), message: e.to_string() }),
            Err(::keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, record: &AuthRecord) -> Result<(), AuthError> {
        let text = serde_json::to_string(record)
            .map_err(|e| AuthError::Corrupt { place: self.describe(), message: e.to_string() })?;
        self.probe()?;
        let stored = self.first(|entry| entry.set_password(&text))?.map_err(keyring_error).and_then(|()| {
            match self.load()? {
                Some(back) if back == *record => Ok(()),
                _ => Err(AuthError::Keyring("it did not give back the key it was given".into())),
            }
        });
        if stored.is_err() {
            // Best effort: a key the keyring took but cannot give back should not stay there.
            let _ = self.first(::keyring::Entry::delete_credential);
        }
        stored
    }

    fn delete(&self) -> Result<bool, AuthError> {
        match self.first(::keyring::Entry::delete_credential)? {
            Ok(()) => Ok(true),
            Err(::keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn describe(&self) -> String {
        "the OS keyring".to_owned()
    }
}
