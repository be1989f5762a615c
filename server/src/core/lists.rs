//! Lists and properties (reference §3.2, §14 "Lists"): SYN, LST, ADD, REM, REA, GTC, BLP, PRP.
//! Every change is committed to the store before its reply is sent; a refused commit is
//! answered `500 TrID` and changes nothing (docs/server.md "Decisions").

use msnp6::commands::Command;
use msnp6::commands::lists::{Blp, Bpr, Gtc, ListEntry, Lst, Prp, Rea, ReaRequest, Syn};
use msnp6::types::{ErrorCode, GtcMode, Handle, List, Privacy, Property, Token, TrId};

use super::machine::{error, send};
use super::users::UserId;
use super::{ConnId, Core, Millis, Output};
use crate::store::{Change, Standing};

/// The phone properties in SYN order (reference §3.2 SYN example).
const LISTS: [List; 4] = [List::Forward, List::Allow, List::Block, List::Reverse];

const SYN_PROPERTIES: [Property; 5] = [
    Property::HomePhone,
    Property::WorkPhone,
    Property::MobilePhone,
    Property::MobileContact,
    Property::MobileEnabled,
];

/// The properties of a BPR block (reference §3.2 BPR, SYN).
pub(crate) const BPR_PROPERTIES: [Property; 4] = [
    Property::HomePhone,
    Property::WorkPhone,
    Property::MobilePhone,
    Property::MobileContact,
];

impl Core {
    pub(crate) fn version(&self, u: UserId) -> u32 {
        self.users.get(u).account.list_version
    }

    pub(crate) fn handle_of(&self, u: UserId) -> Handle<'static> {
        self.users.get(u).account.handle.clone()
    }

    /// Commits, or answers `500 TrID` (docs/server.md "Decisions"): `true` when committed.
    pub(crate) fn commit_or_500(
        &mut self,
        conn: ConnId,
        trid: TrId,
        changes: &[Change],
        out: &mut Vec<Output>,
    ) -> bool {
        match self.commit(changes) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(%e, "commit failed; answered 500");
                send(
                    out,
                    conn,
                    error(
                        ErrorCode::new(500).unwrap_or(ErrorCode::UNSPECIFIED_FAILURE),
                        trid,
                    ),
                );
                false
            }
        }
    }

    /// `SYN TrID version` (reference §3.2 SYN; docs/model.md MODEL-SYN-*).
    pub(crate) fn syn(&mut self, conn: ConnId, user: UserId, syn: Syn, out: &mut Vec<Output>) {
        if let Some(s) = self.conns.get_mut(&conn).and_then(|c| c.session_mut()) {
            s.synced = true;
        }
        let v = self.version(user);
        send(
            out,
            conn,
            Command::Syn(Syn {
                trid: syn.trid,
                version: v,
            }),
        );
        if syn.version == v {
            return;
        }
        let trid = syn.trid;
        let a = &self.users.get(user).account;
        send(
            out,
            conn,
            Command::Gtc(Gtc {
                trid,
                version: v,
                mode: a.gtc.into(),
            }),
        );
        send(
            out,
            conn,
            Command::Blp(Blp {
                trid,
                version: v,
                privacy: a.privacy.into(),
            }),
        );
        for p in SYN_PROPERTIES {
            let value = self.property_or_n(user, p);
            send(
                out,
                conn,
                Command::Prp(Prp {
                    trid,
                    version: v,
                    property: p.into(),
                    value,
                }),
            );
        }
        for list in LISTS {
            self.lst(conn, user, trid, list, true, out);
        }
    }

    /// A stored property; MOB and MBE read `N` when unset (reference §3.2 SYN).
    fn property_or_n(&self, u: UserId, p: Property) -> Option<Token<'static>> {
        match self.users.property(u, p) {
            Some(v) => Some(v.clone()),
            None if matches!(p, Property::MobileContact | Property::MobileEnabled) => {
                Some(Token::from_static(b"N"))
            }
            None => None,
        }
    }

    /// The LST lines of one list (reference §3.2 LST); inside SYN each FL entry is followed by
    /// the contact's BPR block (MODEL-SYN-BPR).
    pub(crate) fn lst(
        &self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        list: List,
        in_syn: bool,
        out: &mut Vec<Output>,
    ) {
        let v = self.version(user);
        let entries = self.users.get(user).account.list(list);
        let total = entries.len() as u32;
        if total == 0 {
            if let Ok(l) = Lst::new(trid, list.into(), v, 0, 0, None) {
                send(out, conn, Command::Lst(l));
            }
            return;
        }
        for (i, e) in entries.iter().enumerate() {
            let entry = ListEntry {
                handle: e.handle.clone(),
                name: e.name.clone(),
                groups: None,
            };
            if let Ok(l) = Lst::new(trid, list.into(), v, i as u32 + 1, total, Some(entry)) {
                send(out, conn, Command::Lst(l));
            }
            if in_syn && list == List::Forward {
                let contact = self.users.id(e.handle.as_bytes());
                for p in BPR_PROPERTIES {
                    let value = match contact {
                        Some(c) => self.property_or_n(c, p),
                        None => (p == Property::MobileContact).then(|| Token::from_static(b"N")),
                    };
                    let bpr = Bpr {
                        version: v,
                        handle: e.handle.clone(),
                        property: p.into(),
                        value,
                    };
                    send(out, conn, Command::Bpr(bpr));
                }
            }
        }
    }

    /// `REA TrID handle name` (reference §3.2 REA, §14; docs/model.md MODEL-REA-*,
    /// MODEL-NLN-RENAME).
    pub(crate) fn rea(
        &mut self,
        now: Millis,
        conn: ConnId,
        user: UserId,
        req: ReaRequest<'_>,
        out: &mut Vec<Output>,
    ) {
        let ReaRequest { trid, handle, name } = req;
        let me = self.handle_of(user);
        let own = handle.as_bytes() == me.as_bytes();
        if own && self.users.get(user).account.standing == Standing::Unverified {
            return send(out, conn, error(ErrorCode::INVALID_FRIENDLY_NAME, trid));
        }
        if !own
            && !LISTS
                .iter()
                .any(|&l| self.users.on_list(user, l, handle.as_bytes()))
        {
            return send(out, conn, error(ErrorCode::NOT_ON_LIST, trid));
        }
        if !self.rename_allowed(now, user) {
            return send(out, conn, error(ErrorCode::RATE_LIMITED, trid));
        }
        let name = name.into_owned();
        let v = self.version(user).wrapping_add(1);
        let changed = own && self.users.get(user).account.name != name;
        let change = if own {
            Change::Renamed {
                owner: me.clone(),
                name: name.clone(),
            }
        } else {
            Change::EntryRenamed {
                owner: me.clone(),
                handle: handle.clone().into_owned(),
                name: name.clone(),
            }
        };
        if !self.commit_or_500(
            conn,
            trid,
            &[
                change,
                Change::ListVersion {
                    owner: me,
                    version: v,
                },
            ],
            out,
        ) {
            return;
        }
        send(
            out,
            conn,
            Command::Rea(Rea {
                trid,
                version: v,
                handle: handle.into_owned(),
                name,
            }),
        );
        if changed {
            if let Some(status) = self.visible_status(user) {
                self.send_nln(user, status, out);
            }
        }
    }

    /// The REA rate limit (`Config::rename_rate`, reference §3.2 REA `800`): records the rename
    /// when allowed.
    fn rename_allowed(&mut self, now: Millis, user: UserId) -> bool {
        let Some(limit) = self.config.rename_rate else {
            return true;
        };
        let times = &mut self.users.get_mut(user).renames;
        while times
            .front()
            .is_some_and(|&t| t.saturating_add(limit.window) <= now)
        {
            times.pop_front();
        }
        if times.len() >= limit.max as usize {
            return false;
        }
        times.push_back(now);
        true
    }

    /// `GTC TrID A|N` (reference §3.2 GTC): stored and echoed only; the same mode is `218`.
    pub(crate) fn gtc(
        &mut self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        mode: GtcMode,
        out: &mut Vec<Output>,
    ) {
        if self.users.get(user).account.gtc == mode {
            return send(out, conn, error(ErrorCode::ALREADY_IN_MODE, trid));
        }
        let me = self.handle_of(user);
        let v = self.version(user).wrapping_add(1);
        let changes = [
            Change::Gtc {
                owner: me.clone(),
                value: mode,
            },
            Change::ListVersion {
                owner: me,
                version: v,
            },
        ];
        if self.commit_or_500(conn, trid, &changes, out) {
            send(
                out,
                conn,
                Command::Gtc(Gtc {
                    trid,
                    version: v,
                    mode: mode.into(),
                }),
            );
        }
    }

    /// `BLP TrID AL|BL` (reference §3.2 BLP, §14 "Blocking"): the same mode is `218`; presence
    /// is withdrawn from or granted to watchers accordingly.
    pub(crate) fn blp(
        &mut self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        privacy: Privacy,
        out: &mut Vec<Output>,
    ) {
        if self.users.get(user).account.privacy == privacy {
            return send(out, conn, error(ErrorCode::ALREADY_IN_MODE, trid));
        }
        let me = self.handle_of(user);
        let v = self.version(user).wrapping_add(1);
        let changes = [
            Change::Privacy {
                owner: me.clone(),
                value: privacy,
            },
            Change::ListVersion {
                owner: me,
                version: v,
            },
        ];
        let before = self.watchers(user);
        if self.commit_or_500(conn, trid, &changes, out) {
            send(
                out,
                conn,
                Command::Blp(Blp {
                    trid,
                    version: v,
                    privacy: privacy.into(),
                }),
            );
            let after = self.watchers(user);
            self.privacy_effects(user, &before, &after, out);
        }
    }

    /// `PRP TrID property [value]` (reference §3.2 PRP; docs/model.md MODEL-PRP-SET,
    /// MODEL-PRP-BPR): the reply, then `BPR` to each watcher that sent SYN, whose list version
    /// goes up by one.
    pub(crate) fn prp(
        &mut self,
        conn: ConnId,
        user: UserId,
        trid: TrId,
        property: Property,
        value: Option<Token<'_>>,
        out: &mut Vec<Output>,
    ) {
        // MOB takes Y or N; without a value it is refused too (docs/model.md MODEL-PRP-MOB-201;
        // the reference gives MOB only the two values; found by the lockstep).
        let yes_no = |v: &Token<'_>| v.as_bytes() == b"Y" || v.as_bytes() == b"N";
        if property == Property::MobileContact && !value.as_ref().is_some_and(yes_no) {
            return send(out, conn, error(ErrorCode::INVALID_PARAMETER, trid));
        }
        let me = self.handle_of(user);
        let v = self.version(user).wrapping_add(1);
        let value = value.map(Token::into_owned);
        let mut changes = vec![
            Change::Property {
                owner: me.clone(),
                property,
                value: value.clone(),
            },
            Change::ListVersion {
                owner: me.clone(),
                version: v,
            },
        ];
        let targets: Vec<(UserId, ConnId, u32)> = self
            .watchers(user)
            .into_iter()
            .filter(|(_, wc)| {
                self.conns
                    .get(wc)
                    .and_then(|k| k.session())
                    .is_some_and(|s| s.synced)
            })
            .map(|(w, wc)| (w, wc, self.version(w).wrapping_add(1)))
            .collect();
        for (w, _, wv) in &targets {
            changes.push(Change::ListVersion {
                owner: self.handle_of(*w),
                version: *wv,
            });
        }
        if !self.commit_or_500(conn, trid, &changes, out) {
            return;
        }
        send(
            out,
            conn,
            Command::Prp(Prp {
                trid,
                version: v,
                property: property.into(),
                value: value.clone(),
            }),
        );
        for (_, wc, wv) in targets {
            let bpr = Bpr {
                version: wv,
                handle: me.clone(),
                property: property.into(),
                value: value.clone(),
            };
            send(out, wc, Command::Bpr(bpr));
        }
    }
}
