//! The HTTP clients a process shares, built on first use: a plain-HTTP one, or a TLS one
//! (rustls with the ring provider) only when a model server is reached over https.
//!
//! Reading the system's CA store for the TLS client's root certificates takes a few
//! milliseconds, a good part of a whole `exec` turn against a loopback server (see
//! `bench/exec-turn.sh`): a provider reached over plain http (the scripted model, a local
//! server) never pays for it, and does not need a CA store at all.

use std::time::Duration;

use super::client::error_chain;

/// What the HTTP client of a base URL has to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Plain HTTP: no TLS roots are loaded, and an https URL, a redirect to one or a TLS proxy
    /// cannot be verified.
    Plain,
    /// HTTP and HTTPS, certificates verified against the system's CA store.
    Tls,
}

/// The proxy variables that apply to a plain-http URL, as the HTTP client reads them.
const HTTP_PROXY_VARIABLES: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

impl Transport {
    /// The transport for `base_url` in this process's environment (see [`Transport::of`]).
    pub fn for_url(base_url: &str) -> Transport {
        Transport::of(base_url, |name| std::env::var(name).ok())
    }

    /// TLS when `base_url` is https, or when a proxy for plain http is itself reached over https
    /// (`proxy_variable` reads `HTTP_PROXY`, `ALL_PROXY` and their lower-case forms); plain
    /// otherwise.
    pub fn of(base_url: &str, proxy_variable: impl Fn(&str) -> Option<String>) -> Transport {
        let is_https =
            |url: &str| url.trim_start().get(..6).is_some_and(|s| s.eq_ignore_ascii_case("https:"));
        let tls_proxy =
            HTTP_PROXY_VARIABLES.iter().filter_map(|name| proxy_variable(name)).any(|url| is_https(&url));
        if is_https(base_url) || tls_proxy {
            Transport::Tls
        } else {
            Transport::Plain
        }
    }
}

/// The process's client for `transport` and `connect_timeout`, built on first use (a process
/// has one or a few); why not, when it cannot be set up (for the TLS client, for example, when
/// the system has no CA certificates).
pub fn client(transport: Transport, connect_timeout: Duration) -> Result<reqwest::Client, String> {
    type Clients = Vec<((Transport, Duration), Result<reqwest::Client, String>)>;
    static CLIENTS: std::sync::Mutex<Clients> = std::sync::Mutex::new(Vec::new());
    let key = (transport, connect_timeout);
    // Each use is one lookup or one push: the list stays whole even if a holder panicked.
    let mut clients = CLIENTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, client)) = clients.iter().find(|(built, _)| *built == key) {
        return client.clone();
    }
    let client = build(transport, connect_timeout);
    clients.push((key, client.clone()));
    client
}

/// A new client: for [`Transport::Tls`], one that reads the system's CA store now.
fn build(transport: Transport, connect_timeout: Duration) -> Result<reqwest::Client, String> {
    // reqwest sets up rustls for every client, a plain one too; it needs a provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder().connect_timeout(connect_timeout);
    let builder = match transport {
        // No root at all instead of the system's: nothing is read, and nothing over TLS verifies.
        Transport::Plain => builder.tls_certs_only([]),
        Transport::Tls => builder,
    };
    builder.build().map_err(|e| error_chain(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_proxy(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn only_https_or_a_tls_proxy_needs_tls() {
        assert_eq!(Transport::of("https://api.openai.com/v1", no_proxy), Transport::Tls);
        assert_eq!(Transport::of("HTTPS://api.openai.com/v1", no_proxy), Transport::Tls);
        assert_eq!(Transport::of("http://127.0.0.1:8080/v1", no_proxy), Transport::Plain);
        assert_eq!(Transport::of("http://localhost/v1", no_proxy), Transport::Plain);
        assert_eq!(Transport::of("", no_proxy), Transport::Plain);
        let tls_proxy = |name: &str| (name == "all_proxy").then(|| "https://proxy:3128".to_owned());
        assert_eq!(Transport::of("http://127.0.0.1:8080/v1", tls_proxy), Transport::Tls);
        let plain_proxy = |name: &str| (name == "HTTP_PROXY").then(|| "http://proxy:3128".to_owned());
        assert_eq!(Transport::of("http://127.0.0.1:8080/v1", plain_proxy), Transport::Plain);
    }

    /// An https base URL gets the TLS client, whose roots are the system's CA store: it builds
    /// only when roots were loaded (without any, building fails: see the `exec` test
    /// `the_ca_store_is_read_for_https_only`), which this machine has. No connection is made:
    /// none is reachable here.
    #[test]
    fn an_https_url_builds_a_client_with_the_system_roots() {
        let transport = Transport::of("https://api.openai.com/v1", no_proxy);
        assert_eq!(transport, Transport::Tls);
        let tls = client(transport, Duration::from_secs(7));
        assert!(tls.is_ok(), "{tls:?}");
        let plain = client(Transport::Plain, Duration::from_secs(7));
        assert!(plain.is_ok(), "{plain:?}");
    }
}
