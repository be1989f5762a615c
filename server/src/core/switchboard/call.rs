//! `CAL TrID handle`: inviting someone into the session; the invitee's NS connection gets `RNG`
//! (reference §3.5 CAL, §3.4 RNG, §14 "Switchboard").

use msnp6::commands::Command;
use msnp6::commands::switchboard::{Cal, CalRinging, Rng};
use msnp6::types::{ErrorCode, FriendlyName, Handle};

use super::state::{Invite, SessionId};
use super::timers::Timer;
use super::{ConnId, Directory, Entropy, Millis, Output, Switchboards, send, send_error};

impl Switchboards {
    /// `CAL TrID handle` from a participant. Checked in the order `208` (not an e-mail
    /// handle), `215` (oneself, a participant, or invited and not expired), `217` (unknown,
    /// not logged in, hidden or offline, or not letting the caller contact it), then `713` (the
    /// session holds [`Limits::max_participants`](super::Limits) participants and invitations).
    /// Otherwise `CAL TrID RINGING session-id`, then `RNG session-id address CKI cookie caller
    /// caller-name` on the invitee's NS connection (reference §3.5, §14; docs/model.md
    /// `MODEL-CAL-*`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cal(
        &mut self,
        conn: ConnId,
        id: SessionId,
        v: &Cal<'_>,
        dir: &dyn Directory,
        entropy: &mut dyn Entropy,
        now: Millis,
        out: &mut Vec<Output>,
    ) {
        self.forget_expired_invites(id, now);
        let (ns, caller, caller_name) = match self.check_cal(conn, id, &v.handle, dir, now) {
            Ok(found) => found,
            Err(code) => return send_error(conn, code, v.trid, out),
        };
        let cookie = self.next_cookie(entropy);
        let expires = self.expiry(now);
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        session.invites.push(Invite {
            handle: v.handle.clone().into_owned(),
            cookie: cookie.clone(),
            expires,
        });
        self.invitations += 1;
        self.timers.add(expires, Timer::Invite(id, cookie.clone()));
        let ringing = CalRinging {
            trid: v.trid,
            session: id.token(),
        };
        send(conn, Command::CalRinging(ringing), out);
        let rng = Rng {
            session: id.token(),
            address: self.limits.sb_addr.clone(),
            cookie,
            handle: caller,
            name: caller_name,
        };
        send(ns, Command::Rng(rng), out);
    }

    /// The checks of `CAL` in their order; on success the invitee's NS connection and the
    /// caller's handle and name.
    fn check_cal(
        &self,
        conn: ConnId,
        id: SessionId,
        callee: &Handle<'_>,
        dir: &dyn Directory,
        now: Millis,
    ) -> Result<CalOk, ErrorCode> {
        if !callee.is_email() {
            return Err(ErrorCode::INVALID_USERNAME);
        }
        let session = self.sessions.get(&id).ok_or(ErrorCode::NOT_ACCEPTING)?;
        let caller = session.participant(conn).ok_or(ErrorCode::NOT_ACCEPTING)?;
        if caller.handle == *callee || session.has(callee, now) {
            return Err(ErrorCode::ALREADY_THERE);
        }
        let online = dir.status(callee).is_some_and(|s| s.is_visible_online());
        let ns = dir.ns_conn(callee);
        let (true, true, Some(ns)) = (online, dir.may_contact(&caller.handle, callee), ns) else {
            return Err(ErrorCode::NOT_ACCEPTING);
        };
        if session.participants.len() + session.invites.len() >= self.limits.max_participants {
            return Err(user_too_active());
        }
        Ok((ns, caller.handle.clone(), caller.current_name(dir)))
    }

    /// Drops the invitations of session `id` that expired at `now` (they no longer count for
    /// `215` or the size limit).
    fn forget_expired_invites(&mut self, id: SessionId, now: Millis) {
        let Some(session) = self.sessions.get_mut(&id) else {
            return;
        };
        let before = session.invites.len();
        for invite in session.invites.iter().filter(|i| i.expires <= now) {
            let timer = Timer::Invite(id, invite.cookie.clone());
            self.timers.remove(invite.expires, timer);
        }
        session.invites.retain(|i| i.expires > now);
        self.invitations -= before - session.invites.len();
    }
}

/// What a successful `CAL` check found: the invitee's NS connection, the caller and its name.
type CalOk = (ConnId, Handle<'static>, FriendlyName<'static>);

/// `713`: user too active (reference §4; CAL's documented rate-limit reply, §3.5).
fn user_too_active() -> ErrorCode {
    ErrorCode::new(713).unwrap_or(ErrorCode::UNSPECIFIED_FAILURE)
}
