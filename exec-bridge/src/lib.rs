//! The agentwire agent runtime: a library the `exec-bridge` binary (and later the app-server
//! and the napi binding) are thin shells over.
//!
//! Reading order: [`config`] (what is in force), [`model`] (the Responses API client),
//! [`thread`] (the turn loop), [`tools`] (what the model can call), [`policy`] (what may happen
//! without asking), [`approval`] (who answers when it must ask), [`session`] (the rollout
//! files), [`items`] (what a turn reports), [`exec`] (the `exec` command and its two outputs),
//! and [`mock_model`] (a scripted model server for tests and demos).

pub mod app_server;
pub mod approval;
pub mod config;
pub mod exec;
pub mod items;
pub mod mock_model;
pub mod model;
pub mod policy;
pub mod sandbox;
pub mod sandbox_cli;
pub mod session;
pub mod thread;
pub mod tools;
