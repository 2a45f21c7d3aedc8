//! `account/*`: the login the server uses, read, started, cancelled and removed; and the
//! notifications that follow a change (`account/login/completed`, `account/updated`).
//!
//! Shapes as in Codex 0.63. An API key logs in at once; a ChatGPT sign-in (a browser flow)
//! answers a login id and a URL to open, then `account/login/completed` when it ends.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The params of a method that takes none (`account/logout`, `account/rateLimits/read`): the
/// member may be left out, `null`, or an object, whose members are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct NoParams {}

/// Params of `account/read`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountParams {
    /// Ask the server to refresh the account's tokens first (ChatGPT sign-ins only; an API key
    /// has nothing to refresh). Absent means `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub refresh_token: Option<bool>,
}

/// Result of `account/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountResponse {
    /// The stored login; `null` when there is none. A key in the server's environment
    /// (`CODEX_API_KEY`, `OPENAI_API_KEY`) is not an account and does not show here.
    pub account: Option<Account>,
    /// Whether the model provider in use needs an OpenAI login (`true` for `openai`).
    pub requires_openai_auth: bool,
}

/// A stored login, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
#[ts(export_to = "v2/")]
pub enum Account {
    /// An OpenAI API key (never sent back to the client).
    #[serde(rename = "apiKey")]
    ApiKey {},
    /// A ChatGPT sign-in.
    #[serde(rename = "chatgpt")]
    Chatgpt {
        /// The signed-in user's email address.
        email: String,
        /// The user's ChatGPT plan.
        plan_type: PlanType,
    },
}

/// A ChatGPT plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum PlanType {
    /// ChatGPT Free.
    Free,
    /// ChatGPT Plus.
    Plus,
    /// ChatGPT Pro.
    Pro,
    /// ChatGPT Team.
    Team,
    /// ChatGPT Business.
    Business,
    /// ChatGPT Enterprise.
    Enterprise,
    /// ChatGPT Edu.
    Edu,
    /// A plan this protocol does not name.
    Unknown,
}

/// How the server authenticates to the model provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum AuthMode {
    /// With an API key.
    #[serde(rename = "apikey")]
    ApiKey,
    /// With a ChatGPT sign-in.
    Chatgpt,
}

/// Params of `account/login/start`, tagged by `type`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
#[ts(export_to = "v2/")]
pub enum LoginAccountParams {
    /// Log in with an API key: it is stored, and used from then on.
    #[serde(rename = "apiKey")]
    ApiKey {
        /// The OpenAI API key. It is stored where `cli_auth_credentials_store` says and never
        /// sent back.
        api_key: String,
    },
    /// Start a ChatGPT sign-in in a browser.
    #[serde(rename = "chatgpt")]
    Chatgpt,
}

impl std::fmt::Debug for LoginAccountParams {
    /// Shows the kind of login, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginAccountParams::ApiKey { .. } => f.write_str("ApiKey { api_key: *** }"),
            LoginAccountParams::Chatgpt => f.write_str("Chatgpt"),
        }
    }
}

/// Result of `account/login/start`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
#[ts(export_to = "v2/")]
pub enum LoginAccountResponse {
    /// The API key is stored; `account/login/completed` and `account/updated` follow.
    #[serde(rename = "apiKey")]
    ApiKey {},
    /// The ChatGPT sign-in started; `account/login/completed` follows when it ends.
    #[serde(rename = "chatgpt")]
    Chatgpt {
        /// Names this sign-in, for `account/login/cancel` and `account/login/completed`.
        login_id: String,
        /// The URL the client should open in a browser to sign in.
        auth_url: String,
    },
}

/// Params of `account/login/cancel`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CancelLoginAccountParams {
    /// The `loginId` that `account/login/start` answered.
    pub login_id: String,
}

/// Result of `account/login/cancel`: the sign-in was cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CancelLoginAccountResponse {}

/// Result of `account/logout`: the stored login is removed (there may have been none);
/// `account/updated` follows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct LogoutAccountResponse {}

/// Result of `account/rateLimits/read`: the usage limits of a ChatGPT plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountRateLimitsResponse {
    /// The limits as last known.
    pub rate_limits: RateLimitSnapshot,
}

/// Params of `account/rateLimits/updated`: the rate limits as the model server last reported
/// them, sent after each model response (every limit `null` when the server said nothing, as
/// an API key's server does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct AccountRateLimitsUpdatedNotification {
    /// The limits.
    pub rate_limits: RateLimitSnapshot,
}

/// The usage limits of a ChatGPT plan at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct RateLimitSnapshot {
    /// The shorter window; `null` when unknown.
    pub primary: Option<RateLimitWindow>,
    /// The longer window; `null` when unknown.
    pub secondary: Option<RateLimitWindow>,
    /// The plan's credits; `null` when unknown.
    pub credits: Option<CreditsSnapshot>,
}

/// One usage window of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct RateLimitWindow {
    /// How much of the window's allowance is used, in percent.
    pub used_percent: i32,
    /// The window's length in minutes; `null` when unknown.
    pub window_duration_mins: Option<i64>,
    /// When the window resets, in seconds since the Unix epoch; `null` when unknown.
    pub resets_at: Option<i64>,
}

/// The credits of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CreditsSnapshot {
    /// Whether any credits are left.
    pub has_credits: bool,
    /// Whether the credits are unlimited.
    pub unlimited: bool,
    /// The balance, as the service writes it; `null` when unknown.
    pub balance: Option<String>,
}

/// Params of `account/login/completed`: a login ended, well or not. Sent after the
/// `account/login/start` response of an API key, and when a ChatGPT sign-in ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct AccountLoginCompletedNotification {
    /// The ChatGPT sign-in's `loginId`; `null` for an API key.
    pub login_id: Option<String>,
    /// Whether the login succeeded.
    pub success: bool,
    /// Why it failed; `null` when it succeeded.
    pub error: Option<String>,
}

/// Params of `account/updated`: the login changed (after `account/login/completed`, and after
/// every `account/logout` response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct AccountUpdatedNotification {
    /// How the server now authenticates; `null` when logged out.
    pub auth_mode: Option<AuthMode>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_wire_exact;

    #[test]
    fn account_shapes_read_and_write_back_exactly() {
        assert_wire_exact::<GetAccountResponse>(r#"{"account":null,"requiresOpenaiAuth":true}"#);
        assert_wire_exact::<GetAccountResponse>(r#"{"account":{"type":"apiKey"},"requiresOpenaiAuth":true}"#);
        assert_wire_exact::<Account>(r#"{"type":"chatgpt","email":"a@b.c","planType":"plus"}"#);
        assert_wire_exact::<LoginAccountResponse>(r#"{"type":"apiKey"}"#);
        assert_wire_exact::<LoginAccountResponse>(
            r#"{"type":"chatgpt","loginId":"l1","authUrl":"https://auth.openai.com/x"}"#,
        );
        assert_wire_exact::<LoginAccountParams>(r#"{"type":"apiKey","apiKey":"sk-1"}"#);
        assert_wire_exact::<LoginAccountParams>(r#"{"type":"chatgpt"}"#);
        assert_wire_exact::<AccountLoginCompletedNotification>(
            r#"{"loginId":null,"success":true,"error":null}"#,
        );
        assert_wire_exact::<AccountUpdatedNotification>(r#"{"authMode":"apikey"}"#);
        assert_wire_exact::<AccountUpdatedNotification>(r#"{"authMode":null}"#);
        assert_wire_exact::<RateLimitSnapshot>(
            r#"{"primary":{"usedPercent":12,"windowDurationMins":300,"resetsAt":1700000000},"secondary":null,"credits":{"hasCredits":true,"unlimited":false,"balance":"5"}}"#,
        );
        assert_wire_exact::<LogoutAccountResponse>("{}");
        assert_wire_exact::<CancelLoginAccountResponse>("{}");
    }

    #[test]
    fn params_may_be_left_out_and_the_key_never_shows_in_debug() {
        let params: GetAccountParams = serde_json::from_str("{}").unwrap();
        assert_eq!(params.refresh_token, None);
        let params: GetAccountParams = serde_json::from_str(r#"{"refreshToken":null}"#).unwrap();
        assert_eq!(params.refresh_token, None);
        let _: NoParams = serde_json::from_str(r#"{"ignored":1}"#).unwrap();
        let login: LoginAccountParams =
            serde_json::from_str(r#"{"type":"apiKey","apiKey":"sk-secret"}"#).unwrap();
        assert!(!format!("{login:?}").contains("sk-secret"), "{login:?}");
        let missing = serde_json::from_str::<LoginAccountParams>(r#"{"type":"apiKey"}"#).unwrap_err();
        assert!(missing.to_string().contains("apiKey"), "{missing}");
    }
}
