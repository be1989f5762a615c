//! Presence (reference §3.3, §14 "Presence"): CHG with ILN, NLN and FLN to watchers, and the
//! presence consequences of privacy changes.

use msnp6::commands::Command;
use msnp6::commands::presence::{Chg, Fln, Iln, Nln};
use msnp6::types::{List, Status, TrId};

use super::machine::send;
use super::users::UserId;
use super::{ConnId, Core, Output};

impl Core {
    /// The status others see of `u`: its session's status when online and not HDN/FLN.
    pub(crate) fn visible_status(&self, u: UserId) -> Option<Status> {
        let conn = self.users.get(u).session?;
        self.conns.get(&conn)?.session()?.visible_status()
    }

    /// `w`'s NS connection if `w` watches `u` (reference §14): online, first CHG done, `u` on
    /// `w`'s FL (`w` on `u`'s RL, which the server keeps), and visible(u→w).
    pub(crate) fn watching(&self, u: UserId, w: UserId) -> Option<ConnId> {
        let conn = self.users.get(w).session?;
        self.conns.get(&conn)?.session()?.status?;
        let uh = self.users.get(u).account.handle.as_bytes();
        (self.users.visible(u, w) && self.users.on_list(w, List::Forward, uh)).then_some(conn)
    }

    /// Every watcher of `u` with its connection, in RL order (no scan over connections: the
    /// RL names the candidates).
    pub(crate) fn watchers(&self, u: UserId) -> Vec<(UserId, ConnId)> {
        self.users
            .get(u)
            .account
            .list(List::Reverse)
            .iter()
            .filter_map(|e| self.users.id(e.handle.as_bytes()))
            .filter_map(|w| self.watching(u, w).map(|c| (w, c)))
            .collect()
    }

    /// `FLN u` to every watcher of `u` (reference §3.3 FLN).
    pub(crate) fn send_fln(&self, u: UserId, out: &mut Vec<Output>) {
        for (_, conn) in self.watchers(u) {
            send(out, conn, self.fln(u));
        }
    }

    /// `NLN status u u-name` to every watcher of `u` (reference §3.3 NLN).
    pub(crate) fn send_nln(&self, u: UserId, status: Status, out: &mut Vec<Output>) {
        for (_, conn) in self.watchers(u) {
            send(out, conn, self.nln(u, status));
        }
    }

    pub(crate) fn fln(&self, u: UserId) -> Command<'static> {
        Command::Fln(Fln {
            handle: self.users.get(u).account.handle.clone(),
        })
    }

    pub(crate) fn nln(&self, u: UserId, status: Status) -> Command<'static> {
        let a = &self.users.get(u).account;
        Command::Nln(Nln {
            status: status.into(),
            handle: a.handle.clone(),
            name: a.name.clone(),
        })
    }

    /// `ILN trid status c c-name` when `c` is online, not hidden, and visible(c→u) (reference
    /// §3.3 ILN, §14).
    pub(crate) fn iln_for(&self, u: UserId, c: UserId, trid: TrId) -> Option<Command<'static>> {
        let status = self.visible_status(c)?;
        if !self.users.visible(c, u) {
            return None;
        }
        let a = &self.users.get(c).account;
        Some(Command::Iln(Iln {
            trid,
            status: status.into(),
            handle: a.handle.clone(),
            name: a.name.clone(),
        }))
    }

    /// `CHG TrID status` (reference §3.3 CHG, ILN; §14): the echo; after the first CHG one ILN
    /// per visible online FL contact, in FL order; then NLN or FLN to watchers when what they
    /// see changed (docs/model.md MODEL-CHG-*, MODEL-ILN-FIRST-CHG, MODEL-NLN-STATUS,
    /// MODEL-FLN-HIDE).
    pub(crate) fn chg(
        &mut self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        status: Status,
        out: &mut Vec<Output>,
    ) {
        let Some(session) = self.conns.get_mut(&conn).and_then(|c| c.session_mut()) else {
            return;
        };
        let first = session.status.is_none();
        let before = session.visible_status();
        session.status = Some(status);
        send(
            out,
            conn,
            Command::Chg(Chg {
                trid,
                status: status.into(),
            }),
        );
        if first {
            for entry in self.users.get(user).account.list(List::Forward) {
                let iln = self
                    .users
                    .id(entry.handle.as_bytes())
                    .and_then(|c| self.iln_for(user, c, trid));
                if let Some(iln) = iln {
                    send(out, conn, iln);
                }
            }
        }
        let after = Some(status).filter(|s| s.is_visible_online());
        match (before, after) {
            (_, Some(now)) if before != Some(now) => self.send_nln(user, now, out),
            (Some(_), None) => self.send_fln(user, out),
            _ => {}
        }
    }

    /// After a privacy change of `u` (ADD/REM AL/BL, BLP): `FLN u` to each of `before` that no
    /// longer watches, `NLN` to each watcher not in `before` (reference §14 "Blocking";
    /// docs/model.md MODEL-PRIVACY-FLN/NLN). Nothing when `u` is not visible online.
    pub(crate) fn privacy_effects(
        &self,
        u: UserId,
        before: &[(UserId, ConnId)],
        after: &[(UserId, ConnId)],
        out: &mut Vec<Output>,
    ) {
        let Some(status) = self.visible_status(u) else {
            return;
        };
        for (_, conn) in before.iter().filter(|b| !after.contains(b)) {
            send(out, *conn, self.fln(u));
        }
        for (_, conn) in after.iter().filter(|a| !before.contains(a)) {
            send(out, *conn, self.nln(u, status));
        }
    }

    /// `w` as a one-element watcher list of `u`, or empty.
    pub(crate) fn watcher_set(&self, u: UserId, w: Option<UserId>) -> Vec<(UserId, ConnId)> {
        w.and_then(|w| self.watching(u, w).map(|c| (w, c)))
            .into_iter()
            .collect()
    }
}
