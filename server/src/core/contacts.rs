//! Adding and removing contacts (reference §3.2 ADD, REM; §14 "Lists"): the owner's list, the
//! contact's reverse list, both list versions, the notices and the presence consequences.

use msnp6::commands::Command;
use msnp6::commands::lists::{Add, AddRequest, Bpr, Rem, RemRequest, ReverseAdd, ReverseRemove};
use msnp6::types::{ErrorCode, Handle, List, Property, Token, TrId};

use super::lists::BPR_PROPERTIES;
use super::machine::{error, send};
use super::users::UserId;
use super::{ConnId, Core, Output};
use crate::store::{Change, Entry};

/// The list versions after a change of `user`'s list that also changes `c`'s RL: `user`'s after
/// its own list changed, and `c`'s after its RL changed (one step later when `c` is `user`).
struct Versions {
    mine: u32,
    contact: u32,
}

impl Core {
    /// `ADD TrID FL|AL|BL handle name` (reference §3.2 ADD, §14; docs/model.md MODEL-ADD-*,
    /// MODEL-RL-ADD, MODEL-ILN-ADD). Errors in the order 205, 215, 219, 210 (201 came from
    /// validation).
    pub(crate) fn add(
        &mut self,
        conn: ConnId,
        user: UserId,
        req: AddRequest<'_>,
        out: &mut Vec<Output>,
    ) {
        let trid = req.trid;
        let Some(list) = req.list.known() else { return };
        let Some(c) = self.users.id(req.handle.as_bytes()) else {
            return send(out, conn, error(ErrorCode::INVALID_USER, trid));
        };
        if let Some(code) = self.add_refusal(user, list, req.handle.as_bytes()) {
            return send(out, conn, error(code, trid));
        }
        let handle = req.handle.into_owned();
        let name = req.name.into_owned();
        let fl = list == List::Forward;
        let vs = self.versions(user, c, fl);
        let me = self.handle_of(user);
        let my_name = self.users.get(user).account.name.clone();
        let entry = Entry {
            handle: handle.clone(),
            name: name.clone(),
        };
        let mut changes = vec![Change::EntryAdded {
            owner: me.clone(),
            list,
            entry,
        }];
        if fl {
            let rl = Entry {
                handle: me.clone(),
                name: my_name.clone(),
            };
            let owner = self.handle_of(c);
            changes.push(Change::EntryAdded {
                owner,
                list: List::Reverse,
                entry: rl,
            });
        }
        changes.extend(self.version_changes(user, c, &vs, fl));
        let before = self.watcher_set(user, Some(c));
        if !self.commit_or_500(conn, trid, &changes, out) {
            return;
        }
        if let Ok(reply) = Add::new(trid, list.into(), vs.mine, handle.clone(), name, None) {
            send(out, conn, Command::Add(reply));
        }
        if !fl {
            let after = self.watcher_set(user, Some(c));
            return self.privacy_effects(user, &before, &after, out);
        }
        self.after_add_fl(conn, user, c, trid, &vs, handle, out);
        if let Some(cconn) = self.users.get(c).session {
            let notice = ReverseAdd {
                version: vs.contact,
                handle: me,
                name: my_name,
            };
            send(out, cconn, Command::ReverseAdd(notice));
        }
    }

    /// The refusals of ADD after 205, in the model's order: 215 (already there), 219 (on the
    /// opposite one of AL/BL), 210 (list full).
    fn add_refusal(&self, user: UserId, list: List, handle: &[u8]) -> Option<ErrorCode> {
        let opposite = match list {
            List::Allow => Some(List::Block),
            List::Block => Some(List::Allow),
            _ => None,
        };
        if self.users.on_list(user, list, handle) {
            Some(ErrorCode::ALREADY_THERE)
        } else if opposite.is_some_and(|o| self.users.on_list(user, o, handle)) {
            Some(ErrorCode::IN_OPPOSITE_LIST)
        } else if self.users.get(user).account.list(list).len() >= self.config.max_list_entries {
            Some(ErrorCode::LIST_FULL)
        } else {
            None
        }
    }

    /// After `ADD TrID FL …` (reference §14): four blank BPRs if this connection sent SYN, then
    /// ILN if the contact is online, not hidden and lets the user see it.
    #[allow(clippy::too_many_arguments)]
    fn after_add_fl(
        &self,
        conn: ConnId,
        user: UserId,
        c: UserId,
        trid: TrId,
        vs: &Versions,
        handle: Handle<'static>,
        out: &mut Vec<Output>,
    ) {
        let synced = self
            .conns
            .get(&conn)
            .and_then(|k| k.session())
            .is_some_and(|s| s.synced);
        if synced {
            for p in BPR_PROPERTIES {
                let value = (p == Property::MobileContact).then(|| Token::from_static(b"N"));
                let bpr = Bpr {
                    version: vs.mine,
                    handle: handle.clone(),
                    property: p.into(),
                    value,
                };
                send(out, conn, Command::Bpr(bpr));
            }
        }
        if let Some(iln) = self.iln_for(user, c, trid) {
            send(out, conn, iln);
        }
    }

    /// `REM TrID FL|AL|BL handle` (reference §3.2 REM; docs/model.md MODEL-REM-*, MODEL-RL-REM):
    /// not on that list is 216 (a malformed handle included).
    pub(crate) fn rem(
        &mut self,
        conn: ConnId,
        user: UserId,
        req: RemRequest<'_>,
        out: &mut Vec<Output>,
    ) {
        let trid = req.trid;
        let Some(list) = req.list.known() else { return };
        if !self.users.on_list(user, list, req.handle.as_bytes()) {
            return send(out, conn, error(ErrorCode::NOT_ON_LIST, trid));
        }
        let handle = req.handle.into_owned();
        let me = self.handle_of(user);
        let c = self.users.id(handle.as_bytes());
        // The contact's RL changes only for FL, and only if it holds the user.
        let rl = c.filter(|&c| {
            list == List::Forward && self.users.on_list(c, List::Reverse, me.as_bytes())
        });
        let vs = self.versions(user, c.unwrap_or(user), rl.is_some());
        let mut changes = vec![Change::EntryRemoved {
            owner: me.clone(),
            list,
            handle: handle.clone(),
        }];
        if let Some(c) = rl {
            let owner = self.handle_of(c);
            changes.push(Change::EntryRemoved {
                owner,
                list: List::Reverse,
                handle: me.clone(),
            });
        }
        changes.extend(self.version_changes(user, rl.unwrap_or(user), &vs, rl.is_some()));
        let before = self.watcher_set(user, c);
        if !self.commit_or_500(conn, trid, &changes, out) {
            return;
        }
        if let Ok(reply) = Rem::new(trid, list.into(), vs.mine, handle, None) {
            send(out, conn, Command::Rem(reply));
        }
        if let Some(c) = rl {
            if let Some(cconn) = self.users.get(c).session {
                let notice = ReverseRemove {
                    version: vs.contact,
                    handle: me,
                };
                send(out, cconn, Command::ReverseRemove(notice));
            }
        } else if list != List::Forward {
            let after = self.watcher_set(user, c);
            self.privacy_effects(user, &before, &after, out);
        }
    }

    /// The new versions (docs/model.md MODEL-LIST-VERSION): the user's list changes once; with
    /// `rl`, the contact's RL changes once more.
    fn versions(&self, user: UserId, c: UserId, rl: bool) -> Versions {
        let mine = self.version(user).wrapping_add(1);
        let contact = match (rl, c == user) {
            (false, _) => mine,
            (true, true) => mine.wrapping_add(1),
            (true, false) => self.version(c).wrapping_add(1),
        };
        Versions { mine, contact }
    }

    /// The `ListVersion` changes for [`Core::versions`]: the last value of each account.
    fn version_changes(&self, user: UserId, c: UserId, vs: &Versions, rl: bool) -> Vec<Change> {
        let me = self.handle_of(user);
        match (rl, c == user) {
            (false, _) => vec![Change::ListVersion {
                owner: me,
                version: vs.mine,
            }],
            (true, true) => vec![Change::ListVersion {
                owner: me,
                version: vs.contact,
            }],
            (true, false) => vec![
                Change::ListVersion {
                    owner: self.handle_of(c),
                    version: vs.contact,
                },
                Change::ListVersion {
                    owner: me,
                    version: vs.mine,
                },
            ],
        }
    }
}
