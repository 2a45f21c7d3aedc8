//! The agentwire conformance suite.
//!
//! Every payload the suite pins is first checked against the JSON Schema that `codegen`
//! generated from the protocol types, with [`SchemaSet`], so that the Rust types, the committed
//! schema and the snapshots cannot disagree unnoticed.

pub mod validation;

pub use validation::{SchemaSet, ValidationFailure};
