//! The Chat Completions API: the request body made from the conversation's Responses items
//! ([`request`]), and the streamed answer made back into them ([`stream`]), so that the rest of
//! the engine knows one set of items whichever API the provider speaks.
//!
//! What does not cross over: server-side tools (`web_search`) are not offered, and reasoning
//! comes back as raw reasoning text (there are no summaries and no encrypted reasoning).

pub mod request;
pub mod stream;
