//! Joining a session: `USR TrID handle cookie` opens one, `ANS TrID handle cookie session-id`
//! enters one (reference §3.1 USR, §3.5 ANS/IRO/JOI, §14 "Switchboard").

use msnp6::commands::Command;
use msnp6::commands::login::UsrSwitchboard;
use msnp6::commands::login::UsrSwitchboardOk;
use msnp6::commands::switchboard::{Ans, AnsOk, Iro, Joi};
use msnp6::types::{ErrorCode, FriendlyName, Handle};

use super::state::{Participant, SbConn, Session, SessionId};
use super::timers::Timer;
use super::{ConnId, Directory, Entropy, Millis, Output, Switchboards, send, send_error};

impl Switchboards {
    /// SB `USR TrID handle cookie`: with an unused, unexpired cookie issued to `handle`, a new
    /// session and `USR TrID OK handle name`; otherwise `911` and a close (reference §14,
    /// docs/model.md `MODEL-SB-USR-OK`, `MODEL-SB-USR-911`).
    pub(super) fn usr(
        &mut self,
        conn: ConnId,
        v: &UsrSwitchboard<'_>,
        dir: &dyn Directory,
        entropy: &mut dyn Entropy,
        now: Millis,
        out: &mut Vec<Output>,
    ) {
        let valid = v.handle.is_email()
            && self
                .grants
                .get(v.cookie.as_bytes())
                .is_some_and(|g| g.user == v.handle && g.expires > now);
        let (true, Some(name)) = (valid, dir.display_name(&v.handle)) else {
            send_error(conn, ErrorCode::AUTHENTICATION_FAILED, v.trid, out);
            return self.drop_conn(conn, true, out);
        };
        let handle = v.handle.clone().into_owned();
        if let Some(grant) = self.grants.remove(v.cookie.as_bytes()) {
            let cookie = v.cookie.clone().into_owned();
            self.timers.remove(grant.expires, Timer::Grant(cookie));
            self.release(&handle);
        }
        let sessions = &self.sessions;
        let id = super::tokens::session_id(entropy, |id| sessions.contains_key(&id));
        let session = Session {
            participants: Vec::new(),
            invites: Vec::new(),
        };
        self.sessions.insert(id, session);
        self.enter(conn, id, handle.clone(), name.clone());
        let ok = UsrSwitchboardOk {
            trid: v.trid,
            handle,
            name,
        };
        send(conn, Command::UsrSwitchboardOk(ok), out);
    }

    /// `ANS TrID handle cookie session-id` matching a pending invitation of that session for
    /// that handle: `IRO TrID i n handle name` for each other participant in join order, then
    /// `ANS TrID OK`; the others get `JOI handle name` (reference §3.5 ANS/IRO/JOI, §14). Bad
    /// data closes the connection without a line (docs/model.md `MODEL-ANS-BAD`).
    pub(super) fn ans(
        &mut self,
        conn: ConnId,
        v: &Ans<'_>,
        dir: &dyn Directory,
        now: Millis,
        out: &mut Vec<Output>,
    ) {
        let found = self.take_invite(v, now);
        let (Some(id), Some(name)) = (found, dir.display_name(&v.handle)) else {
            return self.drop_conn(conn, true, out);
        };
        let handle = v.handle.clone().into_owned();
        let Some(session) = self.sessions.get(&id) else {
            return self.drop_conn(conn, true, out);
        };
        let total = u32::try_from(session.participants.len()).unwrap_or(u32::MAX);
        for (index, p) in (1..).zip(&session.participants) {
            let iro = Iro {
                trid: v.trid,
                index,
                total,
                handle: p.handle.clone(),
                name: p.current_name(dir),
            };
            send(conn, Command::Iro(iro), out);
        }
        send(conn, Command::AnsOk(AnsOk { trid: v.trid }), out);
        for p in &session.participants {
            let joi = Joi {
                handle: handle.clone(),
                name: name.clone(),
            };
            send(p.conn, Command::Joi(joi), out);
        }
        self.enter(conn, id, handle, name);
    }

    /// Removes and returns the session of the invitation `v` answers, if `v`'s handle, cookie
    /// and session id name one usable at `now`.
    fn take_invite(&mut self, v: &Ans<'_>, now: Millis) -> Option<SessionId> {
        if !v.handle.is_email() {
            return None;
        }
        let id = SessionId::parse(v.session.as_bytes())?;
        let session = self.sessions.get_mut(&id)?;
        let at = session
            .invites
            .iter()
            .position(|i| i.cookie == v.cookie && i.handle == v.handle && i.expires > now)?;
        let invite = session.invites.remove(at);
        self.invitations -= 1;
        self.timers
            .remove(invite.expires, Timer::Invite(id, invite.cookie));
        Some(id)
    }

    /// `conn` becomes a participant of `id`, last in join order.
    fn enter(
        &mut self,
        conn: ConnId,
        id: SessionId,
        handle: Handle<'static>,
        name: FriendlyName<'static>,
    ) {
        if let Some(super::SbConn::Waiting { deadline }) = self.conns.get(&conn) {
            self.timers.remove(*deadline, Timer::Login(conn));
        }
        self.conns.insert(conn, SbConn::Joined { session: id });
        *self.usage.entry(handle.as_bytes().into()).or_insert(0) += 1;
        if let Some(session) = self.sessions.get_mut(&id) {
            session
                .participants
                .push(Participant { conn, handle, name });
        }
    }

    /// `user` holds one switchboard or cookie less.
    pub(super) fn release(&mut self, user: &Handle<'_>) {
        if let Some(n) = self.usage.get_mut(user.as_bytes()) {
            *n -= 1;
            if *n == 0 {
                self.usage.remove(user.as_bytes());
            }
        }
    }
}
