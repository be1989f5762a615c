//! One connection's state: where it is in the login order (reference §8, §14) and, once
//! logged in to the NS, its session.

use std::collections::VecDeque;

use msnp6::types::{Dialect, Handle, ServerKind, Status, Token};

use super::Millis;
use super::users::UserId;

/// A connection of the DS, NS or SB.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Which listener it came from.
    pub(crate) kind: ServerKind,
    /// Where it is in the login order.
    pub(crate) phase: Phase,
    /// When it was opened.
    pub(crate) opened: Millis,
    /// When it last sent a frame.
    pub(crate) last_seen: Millis,
    /// The deadline currently registered for it in the core's timer set.
    pub(crate) deadline: Option<Millis>,
}

/// The login order (reference §8 points 1–2, §14 "a known command out of state … disconnect").
#[derive(Debug)]
pub(crate) enum Phase {
    /// Nothing received yet: only VER is accepted.
    Fresh,
    /// VER chose MSNP6; not logged in yet.
    Versioned {
        /// INF was answered (once per connection).
        inf: bool,
        /// The NS sent a salt for this `USR … I`.
        pending: Option<Pending>,
    },
    /// The DS chose CVR0: only CVQ follows, then the DS closes (reference §3.1 VER, CVQ).
    Cvr0,
    /// The DS referred the client to the NS: nothing more is accepted.
    Referred,
    /// Logged in to the NS.
    LoggedIn(Box<Session>),
}

/// The NS's answer to `USR TrID MD5 I handle`: the salt it sent (reference §3.1 USR step 2).
#[derive(Debug)]
pub(crate) struct Pending {
    /// The handle the client named (it may name no account: 911 comes only at `USR … S`).
    pub(crate) handle: Handle<'static>,
    /// The salt sent.
    pub(crate) salt: Token<'static>,
}

/// A logged-in NS connection.
#[derive(Debug)]
pub(crate) struct Session {
    /// Whose.
    pub(crate) user: UserId,
    /// The status set by CHG; `None` before the first CHG.
    pub(crate) status: Option<Status>,
    /// Whether this connection sent SYN.
    pub(crate) synced: bool,
    /// `IMS OFF`: the user cannot be called into switchboards (reference §3.3 IMS).
    pub(crate) ims_off: bool,
    /// The last two challenges sent (docs/model.md MODEL-QRY-OK: the last or the previous one
    /// is accepted).
    pub(crate) challenges: VecDeque<Challenge>,
    /// When the server sends its next unsolicited challenge (`Config::challenge_interval`).
    pub(crate) next_challenge: Option<Millis>,
}

/// A challenge sent with `CHL`.
#[derive(Debug)]
pub(crate) struct Challenge {
    /// The 20 decimal digits sent.
    pub(crate) value: Token<'static>,
    /// When it was sent.
    pub(crate) sent: Millis,
    /// Whether a valid QRY answered it.
    pub(crate) answered: bool,
}

impl Session {
    /// The status others see: `Some` for an online status, `None` before the first CHG and
    /// while HDN or FLN (reference §5).
    pub(crate) fn visible_status(&self) -> Option<Status> {
        self.status.filter(|s| s.is_visible_online())
    }

    /// When the oldest unanswered challenge of the last two times out.
    pub(crate) fn challenge_deadline(&self, timeout: Millis) -> Option<Millis> {
        self.challenges
            .iter()
            .filter(|c| !c.answered)
            .map(|c| c.sent.saturating_add(timeout))
            .min()
    }
}

impl Conn {
    /// The session of a logged-in NS connection.
    pub(crate) fn session(&self) -> Option<&Session> {
        match &self.phase {
            Phase::LoggedIn(s) => Some(s),
            _ => None,
        }
    }

    /// The session of a logged-in NS connection, mutably.
    pub(crate) fn session_mut(&mut self) -> Option<&mut Session> {
        match &mut self.phase {
            Phase::LoggedIn(s) => Some(s),
            _ => None,
        }
    }

    /// The dialect its lines are decoded in.
    pub(crate) fn dialect(&self) -> Dialect {
        match self.phase {
            Phase::Cvr0 => Dialect::Cvr0,
            _ => Dialect::Msnp6,
        }
    }
}
