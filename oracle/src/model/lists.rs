//! Contact lists and properties (reference §3.2, §6, §14 "Lists"): SYN, LST, GTC, BLP, ADD,
//! REM, REA, PRP, and the BPR/ILN/ADD 0 RL/REM 0 RL that follow them.

use super::accounts::{Entry, LIST_LIMIT, Verification, server_token};
use super::presence::nln;
use super::rules;
use super::world::{ConnName, Step, World, error};
use msnp6::commands::Command;
use msnp6::commands::lists::{
    Add, AddRequest, Blp, BlpRequest, Bpr, Gtc, GtcRequest, ListEntry, Lst, LstRequest, Prp,
    PrpRequest, Rea, ReaRequest, Rem, RemRequest, ReverseAdd, ReverseRemove, Syn,
};
use msnp6::commands::presence::Iln;
use msnp6::types::{ErrorCode, Handle, List, Property, TrId, Value};

/// The properties of a PRP block in SYN (reference §3.2 SYN example), in order.
const PRP_ORDER: [Property; 5] = [
    Property::HomePhone,
    Property::WorkPhone,
    Property::MobilePhone,
    Property::MobileContact,
    Property::MobileEnabled,
];
/// The properties of a BPR block (reference §3.2 SYN, §14), in order.
const BPR_ORDER: [Property; 4] = [
    Property::HomePhone,
    Property::WorkPhone,
    Property::MobilePhone,
    Property::MobileContact,
];
/// The lists of a SYN reply, in order.
const LIST_ORDER: [List; 4] = [List::Forward, List::Allow, List::Block, List::Reverse];
/// The longest PRP value (reference §3.2, §12).
const PROPERTY_LIMIT: usize = 95;

impl World {
    /// The LST lines of one list (reference §3.2 LST).
    fn lst_lines(
        &self,
        user: &[u8],
        trid: TrId,
        list: List,
        out: &mut Vec<(Command<'static>, &'static str)>,
        rule: &'static str,
    ) {
        let Some(a) = self.accounts.get(user) else {
            return;
        };
        let entries = a.list(list);
        let total = u32::try_from(entries.len()).unwrap_or(u32::MAX);
        if entries.is_empty() {
            out.push((
                Command::Lst(
                    Lst::new(trid, list.into(), a.version, 0, 0, None)
                        .expect("never RL with TrID 0, entries counted (reference §3.2)"),
                ),
                rule,
            ));
        }
        for (i, e) in entries.iter().enumerate() {
            let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let entry = Some(ListEntry {
                handle: e.handle.clone(),
                name: e.name.clone(),
                groups: None,
            });
            out.push((
                Command::Lst(
                    Lst::new(trid, list.into(), a.version, index, total, entry)
                        .expect("never RL with TrID 0, entries counted (reference §3.2)"),
                ),
                rule,
            ));
            if list == List::Forward && rule == rules::SYN_FULL {
                let contact = self.accounts.get(e.handle.as_bytes());
                for p in BPR_ORDER {
                    let value = contact.and_then(|c| c.property(p));
                    let value = if p == Property::MobileContact {
                        value.or_else(|| Some(server_token("N")))
                    } else {
                        value
                    };
                    let bpr = Bpr {
                        version: a.version,
                        handle: e.handle.clone(),
                        property: p.into(),
                        value,
                    };
                    out.push((Command::Bpr(bpr), rules::SYN_BPR));
                }
            }
        }
    }

    /// SYN (reference §3.2): MODEL-REPEAT, MODEL-SYN-CURRENT, MODEL-SYN-FULL, MODEL-SYN-BPR.
    pub(crate) fn syn(&mut self, conn: &ConnName, s: &Syn, step: &mut Step) {
        let Some(c) = self.conns.get_mut(conn) else {
            return;
        };
        if c.syn_sent {
            return self.close(conn, rules::REPEAT, step);
        }
        c.syn_sent = true;
        let Some(user) = c.user.clone() else { return };
        let Some(a) = self.accounts.get(user.as_bytes()) else {
            return;
        };
        let v = a.version;
        if s.version == v {
            return self.send(
                step,
                conn,
                Command::Syn(Syn {
                    trid: s.trid,
                    version: v,
                }),
                rules::SYN_CURRENT,
            );
        }
        let t = s.trid;
        let mut out = vec![
            (
                Command::Syn(Syn {
                    trid: t,
                    version: v,
                }),
                rules::SYN_FULL,
            ),
            (
                Command::Gtc(Gtc {
                    trid: t,
                    version: v,
                    mode: a.gtc.into(),
                }),
                rules::SYN_FULL,
            ),
            (
                Command::Blp(Blp {
                    trid: t,
                    version: v,
                    privacy: a.blp.into(),
                }),
                rules::SYN_FULL,
            ),
        ];
        for p in PRP_ORDER {
            out.push((
                Command::Prp(Prp {
                    trid: t,
                    version: v,
                    property: p.into(),
                    value: a.property(p),
                }),
                rules::SYN_FULL,
            ));
        }
        for list in LIST_ORDER {
            self.lst_lines(user.as_bytes(), t, list, &mut out, rules::SYN_FULL);
        }
        for (command, rule) in out {
            self.send(step, conn, command, rule);
        }
    }

    /// A stand-alone LST (reference §3.2 LST): MODEL-LST.
    pub(crate) fn lst(&mut self, conn: &ConnName, l: &LstRequest<'static>, step: &mut Step) {
        let Value::Known(list) = l.list else {
            return self.close(conn, rules::LIST_BAD, step);
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let mut out = Vec::new();
        self.lst_lines(user.as_bytes(), l.trid, list, &mut out, rules::LST);
        for (command, rule) in out {
            self.send(step, conn, command, rule);
        }
    }

    /// GTC (reference §3.2): MODEL-GTC-BAD, MODEL-GTC-218, MODEL-GTC-SET.
    pub(crate) fn gtc(&mut self, conn: &ConnName, g: &GtcRequest<'static>, step: &mut Step) {
        let Value::Known(mode) = g.mode else {
            return self.close(conn, rules::GTC_BAD, step);
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let Some(a) = self.accounts.get_mut(user.as_bytes()) else {
            return;
        };
        if a.gtc == mode {
            return self.send(
                step,
                conn,
                error(ErrorCode::ALREADY_IN_MODE, g.trid),
                rules::GTC_218,
            );
        }
        a.gtc = mode;
        let version = a.bump();
        self.send(
            step,
            conn,
            Command::Gtc(Gtc {
                trid: g.trid,
                version,
                mode: mode.into(),
            }),
            rules::GTC_SET,
        );
    }

    /// BLP (reference §3.2, §13.9): MODEL-BLP-BAD, MODEL-BLP-218, MODEL-BLP-SET and its presence
    /// effects.
    pub(crate) fn blp(&mut self, conn: &ConnName, b: &BlpRequest<'static>, step: &mut Step) {
        let Value::Known(privacy) = b.privacy else {
            return self.close(conn, rules::BLP_BAD, step);
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        if self
            .accounts
            .get(user.as_bytes())
            .is_some_and(|a| a.blp == privacy)
        {
            return self.send(
                step,
                conn,
                error(ErrorCode::ALREADY_IN_MODE, b.trid),
                rules::BLP_218,
            );
        }
        let trid = b.trid;
        let key = user.as_bytes().to_vec();
        self.privacy_change(conn, &user, step, |w, step| {
            if let Some(a) = w.accounts.get_mut(&key) {
                a.blp = privacy;
                let version = a.bump();
                w.send(
                    step,
                    conn,
                    Command::Blp(Blp {
                        trid,
                        version,
                        privacy: privacy.into(),
                    }),
                    rules::BLP_SET,
                );
            }
        });
    }

    /// ADD (reference §3.2, §14): errors in the order 201, 205, 215, 219, 210; then the reply and,
    /// for FL, the BPRs, the ILN and the contact's ADD 0 RL.
    pub(crate) fn add(&mut self, conn: &ConnName, r: &AddRequest<'static>, step: &mut Step) {
        let list = match r.list {
            Value::Known(l @ (List::Forward | List::Allow | List::Block)) if r.group.is_none() => l,
            _ => return self.close(conn, rules::LIST_BAD, step),
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let c = r.handle.as_bytes();
        let Some(a) = self.accounts.get(user.as_bytes()) else {
            return;
        };
        let err = if !r.handle.is_email() {
            Some((ErrorCode::INVALID_PARAMETER, rules::ADD_201))
        } else if !self.accounts.contains_key(c) {
            Some((ErrorCode::INVALID_USER, rules::ADD_205))
        } else if a.has(list, c) {
            Some((ErrorCode::ALREADY_THERE, rules::ADD_215))
        } else if (list == List::Allow && a.has(List::Block, c))
            || (list == List::Block && a.has(List::Allow, c))
        {
            Some((ErrorCode::IN_OPPOSITE_LIST, rules::ADD_219))
        } else if a.list(list).len() >= LIST_LIMIT {
            Some((ErrorCode::LIST_FULL, rules::ADD_210))
        } else {
            None
        };
        if let Some((code, rule)) = err {
            return self.send(step, conn, error(code, r.trid), rule);
        }
        let entry = Entry {
            handle: r.handle.clone(),
            name: r.name.clone(),
        };
        let key = user.as_bytes().to_vec();
        let trid = r.trid;
        if list == List::Forward {
            return self.add_forward(conn, &user, entry, trid, step);
        }
        self.privacy_change(conn, &user, step, |w, step| {
            if let Some(a) = w.accounts.get_mut(&key) {
                a.list_mut(list).push(entry.clone());
                let version = a.bump();
                let reply = Add::new(trid, list.into(), version, entry.handle, entry.name, None)
                    .expect("never RL with TrID 0, entries counted (reference §3.2)");
                w.send(step, conn, Command::Add(reply), rules::ADD_REPLY);
            }
        });
    }

    /// The FL part of ADD: MODEL-ADD-REPLY, MODEL-ADD-FL-SEQUENCE, MODEL-ILN-ADD, MODEL-RL-ADD.
    fn add_forward(
        &mut self,
        conn: &ConnName,
        user: &Handle<'static>,
        entry: Entry,
        trid: TrId,
        step: &mut Step,
    ) {
        let Some(a) = self.accounts.get_mut(user.as_bytes()) else {
            return;
        };
        a.fl.push(entry.clone());
        let version = a.bump();
        let c = entry.handle.clone();
        let reply = Add::new(
            trid,
            List::Forward.into(),
            version,
            c.clone(),
            entry.name,
            None,
        )
        .expect("never RL with TrID 0, entries counted (reference §3.2)");
        self.send(step, conn, Command::Add(reply), rules::ADD_REPLY);
        if self.conns.get(conn).is_some_and(|s| s.syn_sent) {
            for p in BPR_ORDER {
                let value = (p == Property::MobileContact).then(|| server_token("N"));
                let bpr = Bpr {
                    version,
                    handle: c.clone(),
                    property: p.into(),
                    value,
                };
                self.send(step, conn, Command::Bpr(bpr), rules::ADD_FL_SEQUENCE);
            }
        }
        let status = self
            .session_of(c.as_bytes())
            .map(|(_, s)| s.status)
            .filter(|s| s.is_visible_online());
        if let Some(status) = status.filter(|_| self.visible(c.as_bytes(), user.as_bytes())) {
            let name = self.display_name(c.as_bytes());
            let iln = Iln {
                trid,
                status: status.into(),
                handle: c.clone(),
                name,
            };
            self.send(step, conn, Command::Iln(iln), rules::ILN_ADD);
        }
        let user_name = self.display_name(user.as_bytes());
        let Some(contact) = self.accounts.get_mut(c.as_bytes()) else {
            return;
        };
        contact.rl.push(Entry {
            handle: user.clone(),
            name: user_name.clone(),
        });
        let version = contact.bump();
        if let Some(target) = self.session_of(c.as_bytes()).map(|(n, _)| n.clone()) {
            let notice = ReverseAdd {
                version,
                handle: user.clone(),
                name: user_name,
            };
            self.send(step, &target, Command::ReverseAdd(notice), rules::RL_ADD);
        }
    }

    /// REM (reference §3.2): MODEL-LIST-BAD, MODEL-REM-216, MODEL-REM-REPLY, MODEL-RL-REM.
    pub(crate) fn rem(&mut self, conn: &ConnName, r: &RemRequest<'static>, step: &mut Step) {
        let list = match r.list {
            Value::Known(l @ (List::Forward | List::Allow | List::Block)) if r.group.is_none() => l,
            _ => return self.close(conn, rules::LIST_BAD, step),
        };
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let c = r.handle.clone();
        if !self
            .accounts
            .get(user.as_bytes())
            .is_some_and(|a| a.has(list, c.as_bytes()))
        {
            return self.send(
                step,
                conn,
                error(ErrorCode::NOT_ON_LIST, r.trid),
                rules::REM_216,
            );
        }
        let key = user.as_bytes().to_vec();
        let trid = r.trid;
        let remove = |w: &mut World, step: &mut Step| {
            if let Some(a) = w.accounts.get_mut(&key) {
                a.list_mut(list).retain(|e| e.handle != c);
                let version = a.bump();
                let reply = Rem::new(trid, list.into(), version, c.clone(), None)
                    .expect("never RL with TrID 0, entries counted (reference §3.2)");
                w.send(step, conn, Command::Rem(reply), rules::REM_REPLY);
            }
        };
        if list != List::Forward {
            return self.privacy_change(conn, &user, step, remove);
        }
        remove(self, step);
        let Some(contact) = self.accounts.get_mut(c.as_bytes()) else {
            return;
        };
        contact.rl.retain(|e| e.handle != user);
        let version = contact.bump();
        if let Some(target) = self.session_of(c.as_bytes()).map(|(n, _)| n.clone()) {
            let notice = ReverseRemove {
                version,
                handle: user.clone(),
            };
            self.send(step, &target, Command::ReverseRemove(notice), rules::RL_REM);
        }
    }

    /// REA (reference §3.2, §7, §14): MODEL-REA-209, MODEL-REA-SELF, MODEL-NLN-RENAME,
    /// MODEL-REA-216, MODEL-REA-CONTACT.
    pub(crate) fn rea(&mut self, conn: &ConnName, r: &ReaRequest<'static>, step: &mut Step) {
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let status = self.conns.get(conn).map(|c| c.status);
        let Some(a) = self.accounts.get_mut(user.as_bytes()) else {
            return;
        };
        if r.handle == user {
            if a.verification == Verification::Unverified {
                return self.send(
                    step,
                    conn,
                    error(ErrorCode::INVALID_FRIENDLY_NAME, r.trid),
                    rules::REA_209,
                );
            }
            let changed = a.name != r.name;
            a.name = r.name.clone();
            let version = a.bump();
            let reply = Rea {
                trid: r.trid,
                version,
                handle: user.clone(),
                name: r.name.clone(),
            };
            self.send(step, conn, Command::Rea(reply), rules::REA_SELF);
            if let Some(status) = status.filter(|s| changed && s.is_visible_online()) {
                for (w, _) in self.watchers(user.as_bytes()) {
                    self.send(step, &w, nln(status, &user, &r.name), rules::NLN_RENAME);
                }
            }
            return;
        }
        let mut found = false;
        for list in [List::Forward, List::Allow, List::Block, List::Reverse] {
            for e in a.list_mut(list).iter_mut().filter(|e| e.handle == r.handle) {
                e.name = r.name.clone();
                found = true;
            }
        }
        if !found {
            return self.send(
                step,
                conn,
                error(ErrorCode::NOT_ON_LIST, r.trid),
                rules::REA_216,
            );
        }
        let version = a.bump();
        let reply = Rea {
            trid: r.trid,
            version,
            handle: r.handle.clone(),
            name: r.name.clone(),
        };
        self.send(step, conn, Command::Rea(reply), rules::REA_CONTACT);
    }

    /// PRP (reference §3.2): MODEL-PRP-CLOSE, MODEL-PRP-715, MODEL-PRP-MOB-201, MODEL-PRP-SET,
    /// MODEL-PRP-BPR.
    pub(crate) fn prp(&mut self, conn: &ConnName, p: &PrpRequest<'static>, step: &mut Step) {
        let too_long = p
            .value
            .as_ref()
            .is_some_and(|v| v.as_bytes().len() > PROPERTY_LIMIT);
        let property = match &p.property {
            Value::Unknown(name) if name.as_bytes().len() > 3 => {
                return self.close(conn, rules::PRP_CLOSE, step);
            }
            _ if too_long => return self.close(conn, rules::PRP_CLOSE, step),
            Value::Known(
                prop @ (Property::HomePhone
                | Property::WorkPhone
                | Property::MobilePhone
                | Property::MobileContact),
            ) => *prop,
            _ => {
                return self.send(
                    step,
                    conn,
                    error(ErrorCode::NOT_EXPECTED, p.trid),
                    rules::PRP_715,
                );
            }
        };
        if property == Property::MobileContact
            && !p.value.as_ref().is_some_and(|v| v == "Y" || v == "N")
        {
            return self.send(
                step,
                conn,
                error(ErrorCode::INVALID_PARAMETER, p.trid),
                rules::PRP_MOB_201,
            );
        }
        let Some(user) = self.ns_user(conn) else {
            return;
        };
        let Some(a) = self.accounts.get_mut(user.as_bytes()) else {
            return;
        };
        match property {
            Property::HomePhone => a.props.home = p.value.clone(),
            Property::WorkPhone => a.props.work = p.value.clone(),
            Property::MobilePhone => a.props.mobile = p.value.clone(),
            _ => a.props.mob = p.value.clone().unwrap_or_else(|| server_token("N")),
        }
        let version = a.bump();
        let reply = Prp {
            trid: p.trid,
            version,
            property: property.into(),
            value: p.value.clone(),
        };
        self.send(step, conn, Command::Prp(reply), rules::PRP_SET);
        // BPR is a list-changing line that carries the new version (reference §3.2): the list of
        // each watcher that is sent one goes up by one, once per account.
        let receivers: Vec<(ConnName, Handle<'static>)> = self
            .watchers(user.as_bytes())
            .into_iter()
            .filter(|(w, _)| self.conns.get(w).is_some_and(|c| c.syn_sent))
            .collect();
        let mut bumped: Vec<Handle<'static>> = Vec::new();
        for (_, wh) in &receivers {
            if !bumped.contains(wh) {
                if let Some(a) = self.accounts.get_mut(wh.as_bytes()) {
                    a.bump();
                }
                bumped.push(wh.clone());
            }
        }
        for (w, wh) in receivers {
            {
                let version = self.accounts.get(wh.as_bytes()).map_or(0, |a| a.version);
                let bpr = Bpr {
                    version,
                    handle: user.clone(),
                    property: property.into(),
                    value: p.value.clone(),
                };
                self.send(step, &w, Command::Bpr(bpr), rules::PRP_BPR);
            }
        }
    }
}
