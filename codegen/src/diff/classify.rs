//! The verdict on each change, per direction: the table of the module docs (`rules.md`) as
//! code.
//!
//! A change found in a definition carries who sends that definition ([`Reach`]). For each
//! sending side the change gets one [`Kind`]; when both sides send the definition and the two
//! verdicts agree, one entry says `both`, else there is one entry per direction.

use std::fmt;

use super::roots::Reach;

/// How much a change matters to peers of the old schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A peer of the old schema stops working with one of the new: a message it sends is
    /// rejected or loses its meaning, or a message it reads is one it cannot handle.
    Breaking,
    /// Peers of the old schema keep working.
    Additive,
    /// Only descriptions, titles or names changed; nothing on the wire.
    Docs,
}

/// Which messages a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// In what the client sends (request params, client notifications, answers to server
    /// requests), read by the server.
    ClientToServer,
    /// In what the server sends (notifications, results, server requests, events), read by the
    /// client.
    ServerToClient,
    /// In both, with the same verdict.
    Both,
    /// In a definition no message reaches; judged as if both sides sent it.
    Unreached,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::ClientToServer => "client-to-server",
            Direction::ServerToClient => "server-to-client",
            Direction::Both => "both",
            Direction::Unreached => "unreached",
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Breaking => "breaking",
            Kind::Additive => "additive",
            Kind::Docs => "docs",
        })
    }
}

/// What changed at one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// A new property that must be present.
    RequiredFieldAdded,
    /// A new property that may be absent.
    OptionalFieldAdded,
    /// A property that had to be present is gone.
    RequiredFieldRemoved,
    /// A property that could be absent is gone.
    OptionalFieldRemoved,
    /// A property that could be absent must now be present.
    NowRequired,
    /// A property that had to be present may now be absent.
    NowOptional,
    /// An enum admits a new value.
    ValueAdded,
    /// An enum no longer admits a value.
    ValueRemoved,
    /// A union has a new member (a new `type` of item, say).
    VariantAdded,
    /// A union lost a member.
    VariantRemoved,
    /// A message union (requests, notifications, events) has a new method.
    MethodAdded,
    /// A message union lost a method.
    MethodRemoved,
    /// `null` is now admitted.
    NowNullable,
    /// `null` is no longer admitted.
    NoLongerNullable,
    /// More values are admitted, every old one still is (a type, a bound, a format relaxed).
    Widened,
    /// Fewer values are admitted, all of them old ones (a type, a bound, a format tightened).
    Narrowed,
    /// The type changed so that neither admits all of the other's values.
    TypeChanged,
    /// The value assumed when the property is absent changed.
    DefaultChanged,
    /// A description, title or type name changed.
    Docs,
}

/// Whether a change widened or narrowed what is admitted, or is of its own sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variance {
    Wider,
    Narrower,
}

impl Change {
    /// The name of the change in `--json`: `required-field-added`, `now-optional`, …
    pub fn tag(self) -> &'static str {
        match self {
            Change::RequiredFieldAdded => "required-field-added",
            Change::OptionalFieldAdded => "optional-field-added",
            Change::RequiredFieldRemoved => "required-field-removed",
            Change::OptionalFieldRemoved => "optional-field-removed",
            Change::NowRequired => "now-required",
            Change::NowOptional => "now-optional",
            Change::ValueAdded => "value-added",
            Change::ValueRemoved => "value-removed",
            Change::VariantAdded => "variant-added",
            Change::VariantRemoved => "variant-removed",
            Change::MethodAdded => "method-added",
            Change::MethodRemoved => "method-removed",
            Change::NowNullable => "now-nullable",
            Change::NoLongerNullable => "no-longer-nullable",
            Change::Widened => "widened",
            Change::Narrowed => "narrowed",
            Change::TypeChanged => "type-changed",
            Change::DefaultChanged => "default-changed",
            Change::Docs => "docs",
        }
    }

    fn variance(self) -> Option<Variance> {
        match self {
            Change::ValueAdded | Change::VariantAdded | Change::NowNullable | Change::Widened => {
                Some(Variance::Wider)
            }
            Change::ValueRemoved | Change::VariantRemoved | Change::NoLongerNullable | Change::Narrowed => {
                Some(Variance::Narrower)
            }
            _ => None,
        }
    }
}

/// The side that writes the data a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// The client writes it; the (new) server reads what old clients wrote.
    Client,
    /// The server writes it; old clients read what the new server writes.
    Server,
}

/// The verdict on one change for data written by `writer`. `closed` says that the old object
/// rejected unknown properties (`additionalProperties: false`), so that a property added to
/// server-sent data breaks its old readers after all.
pub fn verdict(change: Change, writer: Writer, closed: bool) -> Kind {
    use Change::*;
    let client = writer == Writer::Client;
    if let Some(variance) = change.variance() {
        // Old clients' values must still be read: widening is safe, narrowing is not. Old
        // clients must read every new value: narrowing is safe, widening is not.
        return match (variance, client) {
            (Variance::Wider, true) | (Variance::Narrower, false) => Kind::Additive,
            (Variance::Narrower, true) | (Variance::Wider, false) => Kind::Breaking,
        };
    }
    match change {
        RequiredFieldAdded if client => Kind::Breaking,
        RequiredFieldAdded | OptionalFieldAdded if closed && !client => Kind::Breaking,
        RequiredFieldAdded | OptionalFieldAdded => Kind::Additive,
        RequiredFieldRemoved => Kind::Breaking,
        OptionalFieldRemoved if client => Kind::Breaking,
        OptionalFieldRemoved => Kind::Additive,
        NowRequired if client => Kind::Breaking,
        NowRequired => Kind::Additive,
        NowOptional if client => Kind::Additive,
        NowOptional => Kind::Breaking,
        MethodAdded => Kind::Additive,
        MethodRemoved | TypeChanged => Kind::Breaking,
        DefaultChanged if client => Kind::Breaking,
        DefaultChanged | Docs => Kind::Docs,
        // Judged by their variance above.
        ValueAdded | ValueRemoved | VariantAdded | VariantRemoved | NowNullable | NoLongerNullable
        | Widened | Narrowed => Kind::Additive,
    }
}

/// The entries of one change: one per direction, merged into `both` when the verdicts agree.
pub fn directions(change: Change, reach: Reach, closed: bool) -> Vec<(Kind, Direction)> {
    let client = verdict(change, Writer::Client, closed);
    let server = verdict(change, Writer::Server, closed);
    match (reach.client, reach.server) {
        (true, false) => vec![(client, Direction::ClientToServer)],
        (false, true) => vec![(server, Direction::ServerToClient)],
        (true, true) if client == server => vec![(client, Direction::Both)],
        (true, true) => vec![(client, Direction::ClientToServer), (server, Direction::ServerToClient)],
        // `Kind` is ordered from the worst: the smaller verdict is the more cautious one.
        (false, false) => vec![(client.min(server), Direction::Unreached)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreached_takes_the_worse_verdict_and_both_merges_when_they_agree() {
        assert_eq!(
            directions(Change::RequiredFieldAdded, Reach::default(), false),
            [(Kind::Breaking, Direction::Unreached)]
        );
        assert_eq!(directions(Change::Docs, Reach::BOTH, false), [(Kind::Docs, Direction::Both)]);
        assert_eq!(
            directions(Change::NowOptional, Reach::BOTH, false),
            [(Kind::Additive, Direction::ClientToServer), (Kind::Breaking, Direction::ServerToClient)]
        );
    }
}
