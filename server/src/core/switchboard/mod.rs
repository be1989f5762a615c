//! The switchboard (SB): sessions, invitations and messages (reference §3.5, §14 "Switchboard").
//!
//! [`Switchboards`] holds every SB connection, session, pending `XFR SB` cookie and pending
//! invitation. The NS side of the core calls [`Switchboards::grant`] for `XFR TrID SB` and
//! formats the reply; SB connections' inputs go to [`Switchboards::opened`],
//! [`Switchboards::frame`], [`Switchboards::undecodable`] and [`Switchboards::closed`]. What the
//! switchboard needs to know about the NS (who is online, privacy, display names) it asks a
//! [`Directory`]. Every map is bounded by a [`Limits`] field (docs/server.md "Switchboard").

use msnp6::commands::Command;
use msnp6::types::{ErrorCode, FriendlyName, Handle, Status, Token};

use super::{ConnId, Entropy, Millis, Output};

/// What the switchboard needs from the NS state. The core's NS implements it.
pub trait Directory {
    /// The NS connection of `user` if `user` is logged in there (where `RNG` goes).
    fn ns_conn(&self, user: &Handle<'_>) -> Option<ConnId>;
    /// The status of `user` if logged in and its first `CHG` is done; `None` otherwise
    /// (reference §8 point 4). `HDN` and `FLN` count as offline for `CAL` (reference §14).
    fn status(&self, user: &Handle<'_>) -> Option<Status>;
    /// Whether `caller` may invite `callee`: `callee` lets `caller` see it — `caller` is not on
    /// `callee`'s BL, and is on its AL or its BLP is AL (visible(callee→caller), reference §14
    /// "Presence") — and `callee` accepts invitations (not `IMS OFF`, reference §3.3).
    fn may_contact(&self, caller: &Handle<'_>, callee: &Handle<'_>) -> bool;
    /// The current display name of the account `user`, logged in or not; `None` if there is no
    /// such account.
    fn display_name(&self, user: &Handle<'_>) -> Option<FriendlyName<'static>>;
}

/// The switchboard's limits. Each bounds one map (docs/server.md "Switchboard").
#[derive(Debug, Clone)]
pub struct Limits {
    /// `address:port` of the SB listener, sent in `XFR … SB` and `RNG`.
    pub sb_addr: Token<'static>,
    /// How long an `XFR SB` cookie and an invitation (`RNG`) stay usable, once (reference §14:
    /// 120 s, "at least two minutes" [H-sbauth]).
    pub cookie_ttl: Millis,
    /// How long an SB connection may wait before `USR`/`ANS` (reference §14: about 60 s).
    pub login_timeout: Millis,
    /// Participants plus pending invitations of one session; `CAL` beyond it gets `713`.
    pub max_participants: usize,
    /// Switchboards one user may hold: pending `XFR SB` cookies plus sessions joined; `XFR SB`
    /// beyond it gets `714`.
    pub max_per_user: usize,
    /// Pending `XFR SB` cookies plus live sessions, all users together; `XFR SB` beyond it
    /// gets `600`.
    pub max_sessions: usize,
    /// Largest client `MSG` payload; longer closes the connection (reference §3.5, §12: 1664).
    pub max_payload: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sb_addr: Token::from_static(b"127.0.0.1:1865"),
            cookie_ttl: 120_000,
            login_timeout: 60_000,
            max_participants: 32,
            max_per_user: 64,
            max_sessions: 50_000,
            max_payload: 1664,
        }
    }
}

/// Why `XFR SB` gets no cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GrantRefused {
    /// The user holds [`Limits::max_per_user`] switchboards and cookies already.
    #[error("the user holds {0} switchboards and cookies, the per-user limit")]
    PerUser(usize),
    /// The server holds [`Limits::max_sessions`] sessions and cookies already.
    #[error("the server holds {0} switchboard sessions and cookies, the limit")]
    Server(usize),
}

impl GrantRefused {
    /// The error reply for `XFR TrID SB`: `714` (too many sessions) per user, `600` (server
    /// busy) for the server (reference §4).
    pub fn code(self) -> ErrorCode {
        let code = match self {
            GrantRefused::PerUser(_) => 714,
            GrantRefused::Server(_) => 600,
        };
        ErrorCode::new(code).unwrap_or(ErrorCode::UNSPECIFIED_FAILURE)
    }
}

/// A granted `XFR SB`: the reply is `XFR TrID SB address CKI cookie`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The SB address ([`Limits::sb_addr`]).
    pub address: Token<'static>,
    /// The fresh one-use cookie, bound to the user.
    pub cookie: Token<'static>,
}

/// Every switchboard connection, session, cookie and invitation.
#[derive(Debug)]
pub struct Switchboards {
    limits: Limits,
}

impl Switchboards {
    /// An empty switchboard server.
    pub fn new(limits: Limits) -> Self {
        Switchboards { limits }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// NS `XFR TrID SB` from the logged-in `user` (the NS checked 913): a fresh unguessable
    /// cookie bound to `user`, usable once for [`Limits::cookie_ttl`] (reference §3.1 XFR, §14).
    pub fn grant(
        &mut self,
        user: &Handle<'_>,
        entropy: &mut dyn Entropy,
        now: Millis,
    ) -> Result<Grant, GrantRefused> {
        let _ = (user, entropy, now);
        Err(GrantRefused::Server(0))
    }

    /// A client connected to the SB listener.
    pub fn opened(&mut self, conn: ConnId, now: Millis) {
        let _ = (conn, now);
    }

    /// A frame from SB connection `conn`.
    pub fn frame(
        &mut self,
        conn: ConnId,
        command: Command<'_>,
        dir: &dyn Directory,
        entropy: &mut dyn Entropy,
        now: Millis,
        out: &mut Vec<Output>,
    ) {
        let _ = (conn, command, dir, entropy, now, out);
    }

    /// A line the framer refused on SB connection `conn`: close (reference §14).
    pub fn undecodable(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        out.push(Output::Close { conn });
    }

    /// SB connection `conn` ended without the core asking: the others get `BYE`.
    pub fn closed(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        let _ = (conn, out);
    }

    /// Time passed: expired cookies and invitations go, connections without `USR`/`ANS` close.
    pub fn tick(&mut self, now: Millis, out: &mut Vec<Output>) {
        let _ = (now, out);
    }

    /// When [`Switchboards::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        None
    }

    /// Shutdown: `OUT SSD` on every SB connection, then every one closes; sessions end.
    pub fn shutdown(&mut self, out: &mut Vec<Output>) {
        let _ = out;
    }

    /// Whether `conn` is an open SB connection.
    pub fn contains(&self, conn: ConnId) -> bool {
        let _ = conn;
        false
    }

    /// Open SB connections.
    pub fn connections(&self) -> usize {
        0
    }

    /// Live sessions.
    pub fn sessions(&self) -> usize {
        0
    }

    /// Pending `XFR SB` cookies.
    pub fn pending_grants(&self) -> usize {
        0
    }

    /// Pending invitations (`RNG` sent, not yet answered or expired).
    pub fn pending_invitations(&self) -> usize {
        0
    }
}
