//! The front ends: each turns the engine's events into one wire, and one client's requests into
//! the engine's operations.

pub mod app_server;
pub mod exec;
pub mod login;
