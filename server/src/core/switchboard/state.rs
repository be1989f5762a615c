//! What the switchboard remembers: connections, sessions, participants, invitations and the
//! `XFR SB` cookies (reference §3.5, §14 "Switchboard").

use msnp6::types::{FriendlyName, Handle, Token};

use super::super::{ConnId, Millis};
use super::Directory;

/// A session id: a decimal number, the same in `CAL RINGING` and every `RNG` of the session
/// (reference §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct SessionId(pub(super) u64);

impl SessionId {
    /// The decimal wire form.
    pub(super) fn token(self) -> Token<'static> {
        Token::new(self.0.to_string().into_bytes()).unwrap_or_else(|_| Token::from_static(b"0"))
    }

    /// Reads the decimal wire form (`ANS`); `None` unless it is exactly what
    /// [`SessionId::token`] writes (digits, no leading zero, in range).
    pub(super) fn parse(b: &[u8]) -> Option<SessionId> {
        let leading_zero = b.len() > 1 && b[0] == b'0';
        if b.is_empty() || leading_zero || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        core::str::from_utf8(b).ok()?.parse().ok().map(SessionId)
    }
}

/// An SB connection.
#[derive(Debug)]
pub(super) enum SbConn {
    /// Connected, no `USR`/`ANS` yet; closed at `deadline` (reference §14: about 60 s).
    Waiting {
        /// When it is closed without a line.
        deadline: Millis,
    },
    /// A participant of `session`.
    Joined {
        /// Its session.
        session: SessionId,
    },
}

/// Someone in a session.
#[derive(Debug)]
pub(super) struct Participant {
    /// The SB connection.
    pub(super) conn: ConnId,
    /// Who.
    pub(super) handle: Handle<'static>,
    /// The display name when it joined: what the session shows should the account's current
    /// name be gone (docs/server.md "Switchboard").
    pub(super) name: FriendlyName<'static>,
}

impl Participant {
    /// The name the session shows for this participant: the account's current display name
    /// (a `REA` after joining shows), else the one it joined with.
    pub(super) fn current_name(&self, dir: &dyn Directory) -> FriendlyName<'static> {
        dir.display_name(&self.handle)
            .unwrap_or_else(|| self.name.clone())
    }
}

/// An invitation sent by `CAL` (`RNG`), not answered yet.
#[derive(Debug)]
pub(super) struct Invite {
    /// Who is invited.
    pub(super) handle: Handle<'static>,
    /// The cookie `ANS` must present.
    pub(super) cookie: Token<'static>,
    /// The first instant it is no longer usable.
    pub(super) expires: Millis,
}

/// A session: its participants in join order and its pending invitations.
#[derive(Debug)]
pub(super) struct Session {
    /// In join order (the order of `IRO`).
    pub(super) participants: Vec<Participant>,
    /// Pending invitations, in the order they were sent.
    pub(super) invites: Vec<Invite>,
}

impl Session {
    /// The participant on `conn`.
    pub(super) fn participant(&self, conn: ConnId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.conn == conn)
    }

    /// Whether `handle` is a participant or has an invitation usable at `now`.
    pub(super) fn has(&self, handle: &Handle<'_>, now: Millis) -> bool {
        self.participants.iter().any(|p| p.handle == *handle)
            || self
                .invites
                .iter()
                .any(|i| i.handle == *handle && i.expires > now)
    }
}

/// A cookie handed out by `XFR SB`, not used yet.
#[derive(Debug)]
pub(super) struct PendingGrant {
    /// The user it is bound to.
    pub(super) user: Handle<'static>,
    /// The first instant it is no longer usable.
    pub(super) expires: Millis,
}
