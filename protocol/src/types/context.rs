//! Where a line travels: the direction, the kind of server, and the negotiated dialect.

use core::fmt;
use core::str::FromStr;

/// Who sent a line (transcript prefix `C:` or `S:`). Exhaustive: a line has two ends (reference
/// §1), so code that matches on it need not guess at a third.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Direction {
    /// Client to server (`C:`).
    ClientToServer,
    /// Server to client (`S:`).
    ServerToClient,
}

impl Direction {
    /// The transcript letter: `C` or `S`.
    pub const fn letter(self) -> char {
        match self {
            Direction::ClientToServer => 'C',
            Direction::ServerToClient => 'S',
        }
    }
    /// Both directions, client first.
    pub const ALL: [Direction; 2] = [Direction::ClientToServer, Direction::ServerToClient];
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::ClientToServer => "client to server",
            Direction::ServerToClient => "server to client",
        })
    }
}

/// The three kinds of MSNP server (reference §1.5). Exhaustive: the protocol has these three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ServerKind {
    /// Dispatch server: first server of the login chain.
    Dispatch,
    /// Notification server: authentication, lists, presence, switchboard creation.
    Notification,
    /// Switchboard: the messaging server.
    Switchboard,
}

impl ServerKind {
    /// All kinds, in the order DS, NS, SB.
    pub const ALL: [ServerKind; 3] = [
        ServerKind::Dispatch,
        ServerKind::Notification,
        ServerKind::Switchboard,
    ];
    /// The two-letter abbreviation used in transcripts: `DS`, `NS` or `SB`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServerKind::Dispatch => "DS",
            ServerKind::Notification => "NS",
            ServerKind::Switchboard => "SB",
        }
    }
}

impl fmt::Display for ServerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when a string names no server kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown server kind {0:?} (expected DS, NS or SB)")]
pub struct UnknownServerKind(String);

impl UnknownServerKind {
    /// The string that names no server kind.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl FromStr for ServerKind {
    type Err = UnknownServerKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "DS" => Ok(ServerKind::Dispatch),
            "NS" => Ok(ServerKind::Notification),
            "SB" => Ok(ServerKind::Switchboard),
            other => Err(UnknownServerKind(other.to_owned())),
        }
    }
}

/// A protocol dialect named in `VER` (reference §2).
///
/// The dialect only chooses between version-dependent shapes of the same verb; it never rejects a
/// verb because another version introduced it. `CVR0` is the client-update sub-protocol of MSN
/// Messenger 1.0 and uses the MSNP2 shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[non_exhaustive]
pub enum Dialect {
    /// `CVR0`: the client-version sub-protocol (shapes as MSNP2).
    Cvr0,
    /// `MSNP2` (Messenger 1.0).
    Msnp2,
    /// `MSNP3` (Messenger 2.0).
    Msnp3,
    /// `MSNP4` (Messenger 2.1).
    Msnp4,
    /// `MSNP5` (Messenger 3.0).
    Msnp5,
    /// `MSNP6` (Messenger 3.6), the default.
    #[default]
    Msnp6,
    /// `MSNP7` (Messenger 4.5): only its group parameters are modelled.
    Msnp7,
}

impl Dialect {
    /// All dialects in protocol order.
    pub const ALL: [Dialect; 7] = [
        Dialect::Cvr0,
        Dialect::Msnp2,
        Dialect::Msnp3,
        Dialect::Msnp4,
        Dialect::Msnp5,
        Dialect::Msnp6,
        Dialect::Msnp7,
    ];

    /// The wire name, e.g. `MSNP6`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dialect::Cvr0 => "CVR0",
            Dialect::Msnp2 => "MSNP2",
            Dialect::Msnp3 => "MSNP3",
            Dialect::Msnp4 => "MSNP4",
            Dialect::Msnp5 => "MSNP5",
            Dialect::Msnp6 => "MSNP6",
            Dialect::Msnp7 => "MSNP7",
        }
    }

    /// The MSNP version number whose command shapes this dialect uses (CVR0 → 2).
    pub const fn version(self) -> u8 {
        match self {
            Dialect::Cvr0 | Dialect::Msnp2 => 2,
            Dialect::Msnp3 => 3,
            Dialect::Msnp4 => 4,
            Dialect::Msnp5 => 5,
            Dialect::Msnp6 => 6,
            Dialect::Msnp7 => 7,
        }
    }

    /// Parses the exact wire name.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str().as_bytes() == b)
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when a string names no dialect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect {0:?} (expected MSNP2 … MSNP7 or CVR0)")]
pub struct UnknownDialect(String);

impl UnknownDialect {
    /// The string that names no dialect.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl FromStr for Dialect {
    type Err = UnknownDialect;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::from_bytes(s.as_bytes()).ok_or_else(|| UnknownDialect(s.to_owned()))
    }
}
