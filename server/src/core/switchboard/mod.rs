//! The switchboard (SB): sessions, invitations and messages (reference §3.5, §14 "Switchboard").
//!
//! [`Switchboards`] holds every SB connection, session, pending `XFR SB` cookie and pending
//! invitation. The NS side of the core calls [`Switchboards::grant`] for `XFR TrID SB` and
//! formats the reply; SB connections' inputs go to [`Switchboards::opened`],
//! [`Switchboards::frame`], [`Switchboards::undecodable`] and [`Switchboards::closed`]. What the
//! switchboard needs to know about the NS (who is online, privacy, display names) it asks a
//! [`Directory`]. Every map is bounded by a [`Limits`] field (docs/server.md "Switchboard").

mod call;
mod join;
mod leave;
mod message;
mod state;
#[cfg(test)]
mod tests;
mod timers;
mod tokens;

use crate::core::fasthash::FastMap;
use std::collections::{BTreeMap, HashMap};

use msnp6::commands::login::Out;
use msnp6::commands::{Command, ErrorReply};
use msnp6::types::{ErrorCode, FriendlyName, Handle, OutReason, Status, Token, TrId, Value};

use super::{ConnId, Entropy, Millis, Output};
use state::{PendingGrant, SbConn, Session, SessionId};
use timers::{Timer, Timers};

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
    /// 120 s, "at least two minutes" [H-sbauth]); usable at exactly `cookie_ttl` after it was
    /// issued still, not a millisecond later (as the reference state machine).
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
            max_participants: 64,
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
    /// Open SB connections (ordered: ties and shutdown go by connection).
    conns: BTreeMap<ConnId, SbConn>,
    /// Live sessions; at most [`Limits::max_sessions`] with `grants`.
    sessions: FastMap<SessionId, Session>,
    /// Unused `XFR SB` cookies; at most [`Limits::max_sessions`] with `sessions`.
    grants: HashMap<Box<[u8]>, PendingGrant>,
    /// Per user: pending cookies plus sessions joined (at most [`Limits::max_per_user`] through
    /// `XFR SB`); no entry at zero.
    usage: HashMap<Box<[u8]>, usize>,
    /// Pending invitations, all sessions together.
    invitations: usize,
    /// Cookies handed out so far (the last part of every cookie).
    serial: u64,
    timers: Timers,
}

impl Switchboards {
    /// An empty switchboard server.
    pub fn new(limits: Limits) -> Self {
        Switchboards {
            limits,
            conns: BTreeMap::new(),
            sessions: FastMap::default(),
            grants: HashMap::new(),
            usage: HashMap::new(),
            invitations: 0,
            serial: 0,
            timers: Timers::default(),
        }
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
        let held = self.usage.get(user.as_bytes()).copied().unwrap_or(0);
        if held >= self.limits.max_per_user {
            return Err(GrantRefused::PerUser(held));
        }
        let total = self.grants.len() + self.sessions.len();
        if total >= self.limits.max_sessions {
            return Err(GrantRefused::Server(total));
        }
        let cookie = self.next_cookie(entropy);
        let user = user.clone().into_owned();
        let expires = self.expiry(now);
        self.timers.add(expires, Timer::Grant(cookie.clone()));
        *self.usage.entry(user.as_bytes().into()).or_insert(0) += 1;
        let key = cookie.as_bytes().into();
        self.grants.insert(key, PendingGrant { user, expires });
        Ok(Grant {
            address: self.limits.sb_addr.clone(),
            cookie,
        })
    }

    /// A client connected to the SB listener: it has [`Limits::login_timeout`] to send `USR` or
    /// `ANS` (reference §14).
    pub fn opened(&mut self, conn: ConnId, now: Millis) {
        let deadline = now.saturating_add(self.limits.login_timeout);
        self.timers.add(deadline, Timer::Login(conn));
        self.conns.insert(conn, SbConn::Waiting { deadline });
    }

    /// A frame from SB connection `conn` (reference §3.5, §14): before joining only `USR`,
    /// `ANS` and `OUT`; after, `CAL`, `MSG` and `OUT` (and `USR`, which gets `207`). Anything
    /// else closes the connection, as an unknown command does (reference §14).
    pub fn frame(
        &mut self,
        conn: ConnId,
        command: Command<'_>,
        dir: &dyn Directory,
        entropy: &mut dyn Entropy,
        now: Millis,
        out: &mut Vec<Output>,
    ) {
        match self.conns.get(&conn) {
            None => {}
            Some(SbConn::Waiting { .. }) => match command {
                Command::UsrSwitchboard(v) => self.usr(conn, &v, dir, entropy, now, out),
                Command::Ans(v) => self.ans(conn, &v, dir, now, out),
                _ => self.drop_conn(conn, true, out),
            },
            Some(&SbConn::Joined { session }) => match command {
                Command::UsrSwitchboard(_)
                | Command::UsrInitial(_)
                | Command::UsrResponse(_)
                | Command::UsrOther(_) => {
                    let trid = usr_trid(&command).unwrap_or(TrId::ASYNC);
                    send_error(conn, ErrorCode::ALREADY_LOGGED_IN, trid, out);
                }
                Command::Cal(v) => self.cal(conn, session, &v, dir, entropy, now, out),
                Command::MsgSend(v) => self.msg(conn, session, &v, dir, out),
                _ => self.drop_conn(conn, true, out),
            },
        }
    }

    /// A line the framer refused on SB connection `conn`: close (reference §14); the others
    /// get `BYE`.
    pub fn undecodable(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        self.drop_conn(conn, true, out);
    }

    /// SB connection `conn` ended without the core asking: the others get `BYE` (reference
    /// §14 "A participant that sends OUT or drops").
    pub fn closed(&mut self, conn: ConnId, out: &mut Vec<Output>) {
        self.drop_conn(conn, false, out);
    }

    /// Time passed: expired cookies and invitations go (silently), connections without
    /// `USR`/`ANS` close without a line (reference §14), in deadline order.
    pub fn tick(&mut self, now: Millis, out: &mut Vec<Output>) {
        while let Some(timer) = self.timers.pop_due(now) {
            self.expire(timer, out);
        }
    }

    /// When [`Switchboards::tick`] next has something to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.timers.next()
    }

    /// Shutdown: `OUT SSD` on every SB connection, then every one closes (reference §3.1 OUT);
    /// sessions and invitations end, unused `XFR SB` cookies stay (docs/model.md
    /// `MODEL-SHUTDOWN`).
    pub fn shutdown(&mut self, out: &mut Vec<Output>) {
        for &conn in self.conns.keys() {
            let reason = Some(Value::Known(OutReason::ServerShutdown));
            let command = Command::Out(Out { reason });
            out.push(Output::Send { conn, command });
        }
        out.extend(self.conns.keys().map(|&conn| Output::Close { conn }));
        self.conns.clear();
        self.sessions.clear();
        self.invitations = 0;
        self.timers.retain(|t| matches!(t, Timer::Grant(_)));
        self.usage.clear();
        for grant in self.grants.values() {
            *self.usage.entry(grant.user.as_bytes().into()).or_insert(0) += 1;
        }
    }

    /// Whether `conn` is an open SB connection.
    pub fn contains(&self, conn: ConnId) -> bool {
        self.conns.contains_key(&conn)
    }

    /// Open SB connections.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Live sessions.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// Pending `XFR SB` cookies.
    pub fn pending_grants(&self) -> usize {
        self.grants.len()
    }

    /// Pending invitations (`RNG` sent, not yet answered or expired).
    pub fn pending_invitations(&self) -> usize {
        self.invitations
    }

    /// The first instant at which a cookie or invitation issued at `now` is no longer usable:
    /// one millisecond after [`Limits::cookie_ttl`] has passed.
    fn expiry(&self, now: Millis) -> Millis {
        now.saturating_add(self.limits.cookie_ttl).saturating_add(1)
    }

    /// A cookie never handed out before (reference §14: opaque, unguessable).
    fn next_cookie(&mut self, entropy: &mut dyn Entropy) -> Token<'static> {
        self.serial += 1;
        tokens::cookie(entropy, self.serial)
    }

    /// Deadlines set (one per waiting connection, cookie and invitation).
    pub fn timers(&self) -> usize {
        self.timers.len()
    }
}

/// The TrID of a client `USR` of any form.
fn usr_trid(command: &Command<'_>) -> Option<TrId> {
    match command {
        Command::UsrSwitchboard(v) => Some(v.trid),
        Command::UsrInitial(v) => Some(v.trid),
        Command::UsrResponse(v) => Some(v.trid),
        Command::UsrOther(v) => Some(*v.trid()),
        _ => None,
    }
}

/// Sends `NNN TrID` (reference §1.3).
fn send_error(conn: ConnId, code: ErrorCode, trid: TrId, out: &mut Vec<Output>) {
    let command = Command::Error(ErrorReply { code, trid });
    out.push(Output::Send { conn, command });
}

/// Sends a frame.
fn send(conn: ConnId, command: Command<'static>, out: &mut Vec<Output>) {
    out.push(Output::Send { conn, command });
}
