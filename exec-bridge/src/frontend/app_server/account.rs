//! The `account/*` requests: the stored login, kept in the credential store that
//! `cli_auth_credentials_store` names (the one `exec-bridge login` uses), with Codex 0.63's
//! answers and notifications.
//!
//! As in the reference, the account is the *stored* login: a key in the environment
//! (`CODEX_API_KEY`, `OPENAI_API_KEY`) is not an account and does not show in `account/read`,
//! though this runtime's turns prefer it over the stored key (see
//! [`crate::engine::config::Config::api_key`]). A login or logout takes effect for the threads
//! started or resumed after it; a loaded thread keeps the key it started with. ChatGPT sign-in
//! (a browser flow against OpenAI's servers) is not supported: it is refused with an error that
//! says to use an API key. The key itself is never written to a message or a log.

use base64::Engine as _;
use protocol::v2::{self, JsonRpcErrorError as RpcError, ServerNotification};
use serde_json::Value;

use super::{errors, Options};
use crate::engine::auth::{ApiKey, AuthError, AuthRecord, Storage};
use crate::engine::config::{CliSettings, Config, ConfigError};

/// The longest API key accepted: far more than any real key (the CLI reads at most as much).
const MAX_KEY_BYTES: usize = 64 * 1024;

/// Why an `account/*` request failed; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// `account/login/start` with `{"type": "chatgpt"}`.
    #[error("ChatGPT sign-in is not supported by this runtime (exec-bridge cannot run the browser sign-in); use an API key instead: `account/login/start` with {{\"type\": \"apiKey\", \"apiKey\": \"sk-…\"}}, or `exec-bridge login --with-api-key`")]
    ChatgptUnsupported,
    /// An `apiKey` with nothing but whitespace.
    #[error("invalid params for account/login/start: `apiKey` is empty; pass an OpenAI API key")]
    EmptyKey,
    /// An `apiKey` of more than one word, or with control characters.
    #[error("invalid params for account/login/start: `apiKey` holds whitespace or control characters, which no HTTP header can carry; pass the API key alone")]
    MalformedKey,
    /// An `apiKey` longer than [`MAX_KEY_BYTES`].
    #[error("invalid params for account/login/start: `apiKey` is {0} bytes long, more than the 65536 any API key has; pass the API key alone")]
    KeyTooLong(usize),
    /// `account/login/cancel` with an id that is no login id (not a UUID).
    #[error("invalid login id: {0}: a login id is the UUID `account/login/start` answers, and no ChatGPT sign-in is in progress (this runtime starts none); log in with an API key through `account/login/start`")]
    InvalidLoginId(String),
    /// `account/login/cancel` of a login that is not running (none ever is here).
    #[error("login id not found: {0}: no ChatGPT sign-in is in progress (this runtime starts none); log in with an API key through `account/login/start`")]
    LoginNotFound(String),
    /// `account/rateLimits/read` with no stored login.
    #[error("codex account authentication required to read rate limits: no login is stored, and rate limits belong to a ChatGPT plan, which this runtime cannot sign in to")]
    RateLimitsNoAccount,
    /// `account/rateLimits/read` with an API key.
    #[error("chatgpt authentication required to read rate limits: an API key has no plan limits to read; see its usage at https://platform.openai.com/usage")]
    RateLimitsApiKey,
    /// `account/rateLimits/read` with ChatGPT tokens another Codex stored.
    #[error("cannot read rate limits: the stored login is a ChatGPT sign-in, whose limits only OpenAI's ChatGPT service gives, and this runtime does not use it; log in with an API key to use this runtime")]
    RateLimitsChatgpt,
    /// The configuration (which store to use) cannot be read.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The store could not be read.
    #[error("cannot read the stored login: {0}")]
    Load(AuthError),
    /// The store could not be written.
    #[error("cannot store the API key: {0}")]
    Save(AuthError),
    /// The store could not be emptied.
    #[error("cannot log out: {0}")]
    Delete(AuthError),
    /// Stored ChatGPT tokens whose identity cannot be read.
    #[error("the stored ChatGPT login cannot be read ({0}); log out (`account/logout` or `exec-bridge logout`), then log in with an API key")]
    Claims(String),
}

impl From<AccountError> for RpcError {
    fn from(error: AccountError) -> RpcError {
        use AccountError as E;
        match error {
            E::EmptyKey | E::MalformedKey | E::KeyTooLong(_) => RpcError::invalid_params(error.to_string()),
            // The reference answers these with -32600 too.
            E::ChatgptUnsupported
            | E::InvalidLoginId(_)
            | E::LoginNotFound(_)
            | E::RateLimitsNoAccount
            | E::RateLimitsApiKey
            | E::RateLimitsChatgpt => RpcError::invalid_request(error.to_string()),
            E::Config(error) => errors::from_config(error),
            E::Load(_) | E::Save(_) | E::Delete(_) | E::Claims(_) => {
                RpcError::internal_error(error.to_string())
            }
        }
    }
}

/// A response, and the notifications to send right after it.
pub type Announced<T> = (T, Vec<ServerNotification>);

/// The configuration without the stored key, and the store it names.
fn storage(options: &Options) -> Result<(Config, Storage), AccountError> {
    let config =
        Config::load_without_credentials(&options.codex_home, &CliSettings::default(), &options.vars)?;
    // A misspelt store key must not go unnoticed: the key would land elsewhere.
    crate::frontend::print_warnings_once("exec-bridge app-server", &config);
    let storage = Storage::new(&config.codex_home, config.credentials_store_mode);
    Ok((config, storage))
}

/// `account/read`: the stored login. `refreshToken` changes nothing: an API key has no token.
pub fn read(
    options: &Options,
    _params: &v2::GetAccountParams,
) -> Result<v2::GetAccountResponse, AccountError> {
    let (config, storage) = storage(options)?;
    let record = storage.load().map_err(AccountError::Load)?;
    Ok(v2::GetAccountResponse {
        account: account(record.as_ref())?,
        requires_openai_auth: config.provider.id == "openai",
    })
}

/// The account a stored record is.
fn account(record: Option<&AuthRecord>) -> Result<Option<v2::Account>, AccountError> {
    Ok(match record {
        Some(AuthRecord { api_key: Some(_), .. }) => Some(v2::Account::ApiKey {}),
        Some(AuthRecord { tokens: Some(tokens), .. }) => Some(chatgpt_account(tokens)?),
        Some(AuthRecord { api_key: None, tokens: None }) | None => None,
    })
}

/// `account/login/start`: an API key is checked and stored, then announced with
/// `account/login/completed` and `account/updated`; a ChatGPT sign-in is refused.
pub fn login_start(
    options: &Options,
    params: v2::LoginAccountParams,
) -> Result<Announced<v2::LoginAccountResponse>, AccountError> {
    let text = match params {
        v2::LoginAccountParams::ApiKey { api_key } => api_key,
        v2::LoginAccountParams::Chatgpt => return Err(AccountError::ChatgptUnsupported),
    };
    if text.len() > MAX_KEY_BYTES {
        return Err(AccountError::KeyTooLong(text.len()));
    }
    let key = ApiKey::new(&text).ok_or(AccountError::EmptyKey)?;
    if key.expose().chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AccountError::MalformedKey);
    }
    let (_, storage) = storage(options)?;
    storage.save(&AuthRecord::with_api_key(key)).map_err(AccountError::Save)?;
    let notifications = vec![
        ServerNotification::AccountLoginCompleted(v2::AccountLoginCompletedNotification {
            login_id: None,
            success: true,
            error: None,
        }),
        ServerNotification::AccountUpdated(v2::AccountUpdatedNotification {
            auth_mode: Some(v2::AuthMode::ApiKey),
        }),
    ];
    Ok((v2::LoginAccountResponse::ApiKey {}, notifications))
}

/// `account/login/cancel`: no ChatGPT sign-in ever runs here, so every id is unknown; worded
/// as the reference's answers to an id that is not a UUID, and to one it does not know.
pub fn login_cancel(
    params: &v2::CancelLoginAccountParams,
) -> Result<v2::CancelLoginAccountResponse, AccountError> {
    let id = params.login_id.clone();
    Err(match uuid::Uuid::parse_str(&id) {
        Ok(_) => AccountError::LoginNotFound(id),
        Err(_) => AccountError::InvalidLoginId(id),
    })
}

/// `account/logout`: removes the stored login from every store (there may be none), then
/// `account/updated` says there is no login.
pub fn logout(options: &Options) -> Result<Announced<v2::LogoutAccountResponse>, AccountError> {
    let (_, storage) = storage(options)?;
    storage.delete().map_err(AccountError::Delete)?;
    let updated = ServerNotification::AccountUpdated(v2::AccountUpdatedNotification { auth_mode: None });
    Ok((v2::LogoutAccountResponse {}, vec![updated]))
}

/// `account/rateLimits/read`: only a ChatGPT plan has rate limits to read, and this runtime
/// does not reach ChatGPT's service: an error that says why, worded as the reference's.
pub fn rate_limits(options: &Options) -> Result<v2::GetAccountRateLimitsResponse, AccountError> {
    let (_, storage) = storage(options)?;
    Err(match storage.load().map_err(AccountError::Load)? {
        Some(AuthRecord { api_key: Some(_), .. }) => AccountError::RateLimitsApiKey,
        Some(AuthRecord { tokens: Some(_), .. }) => AccountError::RateLimitsChatgpt,
        _ => AccountError::RateLimitsNoAccount,
    })
}

/// The account of ChatGPT tokens that Codex stored: the email and plan of its `id_token` (a
/// JWT whose payload is read, not verified: it only describes the stored login).
fn chatgpt_account(tokens: &Value) -> Result<v2::Account, AccountError> {
    let claims = Claims::of(tokens).map_err(AccountError::Claims)?;
    Ok(v2::Account::Chatgpt { email: claims.email, plan_type: claims.plan_type })
}

/// What `account/read` shows of a ChatGPT login.
struct Claims {
    email: String,
    plan_type: v2::PlanType,
}

impl Claims {
    fn of(tokens: &Value) -> Result<Claims, String> {
        let id_token = tokens["id_token"].as_str().ok_or("no `tokens.id_token`")?;
        let payload = id_token.split('.').nth(1).ok_or("the id_token is not a JWT")?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|e| format!("the id_token's payload is not base64url: {e}"))?;
        let claims: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("the id_token's payload is not JSON: {e}"))?;
        let email = claims["email"].as_str().ok_or("the id_token names no email")?.to_owned();
        let plan_type = match claims["https://api.openai.com/auth"]["chatgpt_plan_type"].as_str() {
            Some("free") => v2::PlanType::Free,
            Some("plus") => v2::PlanType::Plus,
            Some("pro") => v2::PlanType::Pro,
            Some("team") => v2::PlanType::Team,
            Some("business") => v2::PlanType::Business,
            Some("enterprise") => v2::PlanType::Enterprise,
            Some("edu") => v2::PlanType::Edu,
            _ => v2::PlanType::Unknown,
        };
        Ok(Claims { email, plan_type })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jwt(claims: Value) -> String {
        let part = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", part(&json!({"alg": "none"})), part(&claims))
    }

    #[test]
    fn chatgpt_tokens_show_their_email_and_plan() {
        let tokens = json!({"id_token": jwt(json!({"email": "a@b.c", "https://api.openai.com/auth": {"chatgpt_plan_type": "pro"}}))});
        let account = chatgpt_account(&tokens).unwrap();
        assert_eq!(account, v2::Account::Chatgpt { email: "a@b.c".into(), plan_type: v2::PlanType::Pro });
        let tokens = json!({"id_token": jwt(json!({"email": "a@b.c", "https://api.openai.com/auth": {"chatgpt_plan_type": "galaxy"}}))});
        assert!(matches!(
            chatgpt_account(&tokens).unwrap(),
            v2::Account::Chatgpt { plan_type: v2::PlanType::Unknown, .. }
        ));
        for broken in
            [json!({}), json!({"id_token": "nodots"}), json!({"id_token": jwt(json!({"sub": "x"}))})]
        {
            let error = RpcError::from(chatgpt_account(&broken).unwrap_err());
            assert_eq!(error.code, RpcError::INTERNAL_ERROR);
            assert!(error.message.contains("then log in with an API key"), "{}", error.message);
        }
    }

    #[test]
    fn each_error_has_its_code_and_never_the_key() {
        let home = tempfile::tempdir().unwrap();
        let options = Options {
            codex_home: home.path().to_path_buf(),
            sandbox_helper: "/bin/false".into(),
            vars: Default::default(),
        };
        let login = |key: &str| login_start(&options, v2::LoginAccountParams::ApiKey { api_key: key.into() });
        for (key, wanted) in
            [(" \t", "is empty"), ("sk-one sk-two", "whitespace"), ("sk-\u{7}bell", "control")]
        {
            let error = RpcError::from(login(key).unwrap_err());
            assert_eq!(error.code, RpcError::INVALID_PARAMS);
            assert!(error.message.contains(wanted) && !error.message.contains("sk-"), "{}", error.message);
        }
        let long = "k".repeat(MAX_KEY_BYTES + 1);
        assert!(RpcError::from(login(&long).unwrap_err()).message.contains("65537 bytes"));
        assert!(!home.path().join("auth.json").exists());
        let chatgpt = RpcError::from(login_start(&options, v2::LoginAccountParams::Chatgpt).unwrap_err());
        assert_eq!(chatgpt.code, RpcError::INVALID_REQUEST);
        assert!(chatgpt.message.contains("not supported") && chatgpt.message.contains("apiKey"));
    }
}
