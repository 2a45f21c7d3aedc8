//! The app-server v2 surface: JSON-RPC over stdio, `camelCase` names.
//!
//! The client drives threads and turns with requests ([`ClientRequest`]); the server streams a
//! turn's progress as notifications ([`ServerNotification`]) and asks the client for approvals
//! with requests of its own ([`ServerRequest`]). Every message is framed by the envelope of
//! [`jsonrpc`].

pub mod account;
pub mod approvals;
pub mod initialize;
pub mod items;
pub mod jsonrpc;
pub mod methods;
pub mod models;
pub mod notifications;
pub mod policy;
pub mod review;
pub mod thread;
pub mod user_shell;

pub use account::*;
pub use approvals::*;
pub use initialize::*;
pub use items::*;
pub use jsonrpc::*;
pub use methods::*;
pub use models::*;
pub use notifications::*;
pub use policy::*;
pub use review::*;
pub use thread::*;
pub use user_shell::*;
