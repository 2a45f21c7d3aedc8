//! The agentwire agent runtime.
//!
//! Empty for now: the runtime (model client, turn loop, tools, policy, sessions, the `exec` and
//! `app-server` commands and the scripted model server) lands with the exec-bridge issue. It will
//! speak only the types of the `protocol` crate.
