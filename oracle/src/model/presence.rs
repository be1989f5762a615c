//! Presence (reference §3.3, §5, §14 "Presence"): who watches whom, CHG, ILN, NLN, FLN, IMS.

use super::rules;
use super::world::{ConnName, Step, World, fln};
use msnp6::commands::Command;
use msnp6::commands::presence::{Chg, Iln, Ims, ImsRequest, Nln};
use msnp6::types::{Handle, ImsState, Status, Value};

/// `NLN status handle name`.
pub(crate) fn nln(
    status: Status,
    handle: &Handle<'static>,
    name: &msnp6::types::FriendlyName<'static>,
) -> Command<'static> {
    Command::Nln(Nln {
        status: status.into(),
        handle: handle.clone(),
        name: name.clone(),
    })
}

impl World {
    /// visible(U→W) of reference §14 (false for an unknown account).
    pub(crate) fn visible(&self, u: &[u8], w: &[u8]) -> bool {
        self.accounts.get(u).is_some_and(|a| a.lets_see(w))
    }

    /// The watchers of U (reference §14): NS sessions of users W with U on W's FL, visible(U→W),
    /// and W's first CHG done; ordered by connection name.
    pub(crate) fn watchers(&self, u: &[u8]) -> Vec<(ConnName, Handle<'static>)> {
        let mut out = Vec::new();
        for (name, c) in &self.conns {
            let Some(w) = c
                .user
                .as_ref()
                .filter(|_| c.is_ns_session() && c.first_chg_done)
            else {
                continue;
            };
            let on_fl = self
                .accounts
                .get(w.as_bytes())
                .is_some_and(|a| a.has(msnp6::types::List::Forward, u));
            if on_fl && self.visible(u, w.as_bytes()) {
                out.push((name.clone(), w.clone()));
            }
        }
        out
    }

    /// The user logged in on an NS connection.
    pub(crate) fn ns_user(&self, conn: &str) -> Option<Handle<'static>> {
        self.conns.get(conn).and_then(|c| c.user.clone())
    }

    /// CHG (reference §3.3, §13.2): MODEL-CHG-BAD, MODEL-CHG-FLN, MODEL-CHG-ECHO,
    /// MODEL-ILN-FIRST-CHG, MODEL-NLN-STATUS, MODEL-FLN-HIDE.
    pub(crate) fn chg(&mut self, conn: &ConnName, c: &Chg<'static>, step: &mut Step) {
        let Value::Known(new) = c.status else {
            return self.close(conn, rules::CHG_BAD, step);
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let Some(state) = self.conns.get_mut(conn) else {
            return;
        };
        let old = state.status;
        let first = !state.first_chg_done;
        state.status = new;
        state.first_chg_done = true;
        self.send(
            step,
            conn,
            Command::Chg(Chg {
                trid: c.trid,
                status: new.into(),
            }),
            if new == Status::Offline {
                rules::CHG_FLN
            } else {
                rules::CHG_ECHO
            },
        );
        if first {
            let fl = self
                .accounts
                .get(user.as_bytes())
                .map(|a| a.fl.clone())
                .unwrap_or_default();
            for entry in fl {
                let status = self
                    .session_of(entry.handle.as_bytes())
                    .map(|(_, s)| s.status);
                if let Some(status) = status.filter(|s| s.is_visible_online()) {
                    if self.visible(entry.handle.as_bytes(), user.as_bytes()) {
                        let name = self.display_name(entry.handle.as_bytes());
                        let iln = Command::Iln(Iln {
                            trid: c.trid,
                            status: status.into(),
                            handle: entry.handle.clone(),
                            name,
                        });
                        self.send(step, conn, iln, rules::ILN_FIRST_CHG);
                    }
                }
            }
        }
        self.broadcast_status(&user, old, new, step);
    }

    /// Tells U's watchers about a status change from `old` to `new`.
    pub(crate) fn broadcast_status(
        &mut self,
        user: &Handle<'static>,
        old: Status,
        new: Status,
        step: &mut Step,
    ) {
        let name = self.display_name(user.as_bytes());
        let watchers = self.watchers(user.as_bytes());
        if new.is_visible_online() && (old != new || !old.is_visible_online()) {
            for (w, _) in watchers {
                self.send(step, &w, nln(new, user, &name), rules::NLN_STATUS);
            }
        } else if !new.is_visible_online() && old.is_visible_online() {
            for (w, _) in watchers {
                self.send(step, &w, fln(user), rules::FLN_HIDE);
            }
        }
    }

    /// Applies a change to U's privacy (AL, BL, BLP) and tells the watchers it gained or lost
    /// (MODEL-PRIVACY-NLN / MODEL-PRIVACY-FLN), if U is online and not hidden. `change` runs
    /// between the two computations of the watcher set; the `reply` is sent in between so that
    /// the user's own reply comes first.
    pub(crate) fn privacy_change(
        &mut self,
        conn: &str,
        user: &Handle<'static>,
        step: &mut Step,
        change: impl FnOnce(&mut World, &mut Step),
    ) {
        let before = self.watchers(user.as_bytes());
        change(self, step);
        let status = self.conns.get(conn).map_or(Status::Offline, |c| c.status);
        if !status.is_visible_online() {
            return;
        }
        let after = self.watchers(user.as_bytes());
        let name = self.display_name(user.as_bytes());
        for (w, h) in &before {
            if !after.iter().any(|(_, a)| a == h) {
                self.send(step, w, fln(user), rules::PRIVACY_FLN);
            }
        }
        for (w, h) in &after {
            if !before.iter().any(|(_, b)| b == h) {
                self.send(step, w, nln(status, user, &name), rules::PRIVACY_NLN);
            }
        }
    }

    /// IMS (reference §3.3): MODEL-IMS.
    pub(crate) fn ims(&mut self, conn: &ConnName, i: &ImsRequest<'static>, step: &mut Step) {
        let Value::Known(state) = i.state else {
            return self.close(conn, rules::IMS, step);
        };
        if let Some(c) = self.conns.get_mut(conn) {
            c.ims_off = state == ImsState::Off;
        }
        let reply = Command::Ims(Ims {
            trid: i.trid,
            unknown: 0,
            state: state.into(),
        });
        self.send(step, conn, reply, rules::IMS);
    }
}
