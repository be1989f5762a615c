//! The glue between the NS and the switchboard module (`switchboard/`): SB connections' inputs
//! go to [`Switchboards`], `XFR TrID SB` is granted there, and the NS state is offered to it as
//! a [`Directory`].

use crate::core::fasthash::FastMap;

use msnp6::commands::Command;
use msnp6::commands::login::XfrSwitchboard;
use msnp6::types::{ErrorCode, FriendlyName, Handle, Status, TrId};

use super::conn::Conn;
use super::machine::{error, send};
use super::switchboard::{Directory, Switchboards};
use super::users::{UserId, Users};
use super::{ConnId, Core, Millis, Output};

/// The NS state as the switchboard sees it.
struct NsDirectory<'a> {
    users: &'a Users,
    conns: &'a FastMap<ConnId, Conn>,
}

impl NsDirectory<'_> {
    fn session(&self, user: &Handle<'_>) -> Option<(UserId, &super::conn::Session)> {
        let id = self.users.id(user.as_bytes())?;
        let conn = self.users.get(id).session?;
        Some((id, self.conns.get(&conn)?.session()?))
    }
}

impl Directory for NsDirectory<'_> {
    fn ns_conn(&self, user: &Handle<'_>) -> Option<ConnId> {
        let id = self.users.id(user.as_bytes())?;
        self.users.get(id).session
    }

    fn status(&self, user: &Handle<'_>) -> Option<Status> {
        self.session(user)?.1.status
    }

    fn may_contact(&self, caller: &Handle<'_>, callee: &Handle<'_>) -> bool {
        let (Some(a), Some((b, s))) = (self.users.id(caller.as_bytes()), self.session(callee))
        else {
            return false;
        };
        !s.ims_off && self.users.visible(b, a)
    }

    fn display_name(&self, user: &Handle<'_>) -> Option<FriendlyName<'static>> {
        let id = self.users.id(user.as_bytes())?;
        Some(self.users.get(id).account.name.clone())
    }
}

impl Core {
    /// A client connected to the SB listener.
    pub(crate) fn sb_opened(&mut self, now: Millis, conn: ConnId) {
        self.sb.opened(conn, now);
    }

    /// A frame on an SB connection (reference §3.5).
    pub(crate) fn sb_frame(
        &mut self,
        now: Millis,
        conn: ConnId,
        command: Command<'_>,
        out: &mut Vec<Output>,
    ) {
        let dir = NsDirectory {
            users: &self.users,
            conns: &self.conns,
        };
        self.sb
            .frame(conn, command, &dir, self.entropy.as_mut(), now, out);
    }

    /// `XFR TrID SB` (reference §3.1 XFR; docs/model.md MODEL-XFR-SB, MODEL-XFR-913): `913`
    /// while hidden, semi-offline or before the first CHG; else a cookie from the switchboard.
    pub(crate) fn xfr_sb(
        &mut self,
        now: Millis,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        out: &mut Vec<Output>,
    ) {
        if self.visible_status(user).is_none() {
            return send(out, conn, error(ErrorCode::NOT_ALLOWED_WHEN_OFFLINE, trid));
        }
        let handle = self.users.get(user).account.handle.clone();
        match self.sb.grant(&handle, self.entropy.as_mut(), now) {
            Ok(g) => send(
                out,
                conn,
                Command::XfrSwitchboard(XfrSwitchboard {
                    trid,
                    address: g.address,
                    cookie: g.cookie,
                }),
            ),
            Err(refused) => send(out, conn, error(refused.code(), trid)),
        }
    }

    pub(crate) fn sb_tick(&mut self, now: Millis, out: &mut Vec<Output>) {
        self.sb.tick(now, out);
    }

    pub(crate) fn sb_deadline(&self) -> Option<Millis> {
        self.sb.next_deadline()
    }

    pub(crate) fn sb_shutdown(&mut self, out: &mut Vec<Output>) {
        self.sb.shutdown(out);
    }

    /// The switchboard module (for tests and counts).
    pub fn switchboards(&self) -> &Switchboards {
        &self.sb
    }
}
