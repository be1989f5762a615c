//! Leaving: `OUT`, a drop, a close by the server, a timeout; the others get `BYE`, an empty
//! session ends (reference §3.5 BYE/OUT, §14 "A participant that sends OUT or drops").

use msnp6::commands::Command;
use msnp6::commands::switchboard::Bye;

use super::state::{SbConn, SessionId};
use super::timers::Timer;
use super::{ConnId, Output, Switchboards, send};

impl Switchboards {
    /// Forgets `conn` (pushing [`Output::Close`] if `close`); if it was a participant, every
    /// other participant gets `BYE handle` in join order, and an empty session ends with its
    /// invitations.
    pub(super) fn drop_conn(&mut self, conn: ConnId, close: bool, out: &mut Vec<Output>) {
        match self.conns.remove(&conn) {
            None => return,
            Some(SbConn::Waiting { deadline }) => self.timers.remove(deadline, Timer::Login(conn)),
            Some(SbConn::Joined { session }) => self.leave(conn, session, out),
        }
        if close {
            out.push(Output::Close { conn });
        }
    }

    /// `conn` leaves session `id`.
    fn leave(&mut self, conn: ConnId, id: SessionId, out: &mut Vec<Output>) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let Some(at) = session.participants.iter().position(|p| p.conn == conn) else {
            return;
        };
        let gone = session.participants.remove(at);
        for p in &session.participants {
            let bye = Bye {
                handle: gone.handle.clone(),
                reason: None,
            };
            send(p.conn, Command::Bye(bye), out);
        }
        if session.participants.is_empty() {
            self.end_session(id);
        }
        self.release(&gone.handle);
    }

    /// Session `id` ends (nobody is left): its invitations go with it (an `ANS` for one closes).
    fn end_session(&mut self, id: SessionId) {
        let Some(session) = self.sessions.remove(&id) else {
            return;
        };
        for invite in session.invites {
            self.timers
                .remove(invite.expires, Timer::Invite(id, invite.cookie));
            self.invitations -= 1;
        }
    }

    /// A deadline passed (reference §14): a connection without `USR`/`ANS` closes without a
    /// line; a cookie or an invitation stops being usable, silently.
    pub(super) fn expire(&mut self, timer: Timer, out: &mut Vec<Output>) {
        match timer {
            Timer::Login(conn) => {
                if let Some(SbConn::Waiting { .. }) = self.conns.get(&conn) {
                    self.conns.remove(&conn);
                    out.push(Output::Close { conn });
                }
            }
            Timer::Grant(cookie) => {
                if let Some(grant) = self.grants.remove(cookie.as_bytes()) {
                    self.release(&grant.user);
                }
            }
            Timer::Invite(id, cookie) => {
                let Some(session) = self.sessions.get_mut(&id) else {
                    return;
                };
                let before = session.invites.len();
                session.invites.retain(|i| i.cookie != cookie);
                self.invitations -= before - session.invites.len();
            }
        }
    }
}
