//! Presence (reference §3.3, §5, §14 "Presence"): CHG, ILN, NLN, FLN, and the status rule of
//! XFR SB (913).

use std::collections::BTreeSet;

use super::rules::R;
use super::state::{ChgAfter, Cookie, Exp, Seen};
use super::{Monitor, is_address, lossy};
use msnp6::commands::login::{XfrRequest, XfrSwitchboard};
use msnp6::commands::presence::{Chg, Fln, Iln, Nln};
use msnp6::types::{Enumerated, List, Status, TransferKind};

impl Monitor {
    pub(super) fn client_chg(&mut self, cid: usize, line: usize, trid: u32, c: &Chg<'static>) {
        let Some(status) = c.status.known() else {
            self.client_bad_value(cid, line, trid, "CHG", &c.status.to_string(), &[]);
            return;
        };
        let first = self.conns.get(cid).and_then(|c| c.ns.first_chg);
        if let Some(c) = self.conns.get_mut(cid) {
            c.ns.first_chg = Some(true);
        }
        let key = self.key(cid);
        let acct = self.account(&key);
        acct.requested = Some(status);
        acct.asked_line = line;
        self.push(
            cid,
            line,
            trid,
            "CHG",
            Exp::Chg {
                status,
                first,
                after: None,
            },
        );
    }

    pub(super) fn server_chg(&mut self, cid: usize, line: usize, c: &Chg<'static>) {
        let t = c.trid.0;
        let status = c.status.known();
        let reply = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Chg { .. })
        });
        let key = self.key(cid);
        let Some(mut p) = reply else {
            if t == 0 {
                // Pushed by the server (e.g. `CHG 0 FLN`).
                self.require_login(cid, line, "CHG 0");
                if let Some(s) = status {
                    self.set_status(&key, line, s);
                }
            } else {
                self.opaque_or(cid, line, t, "CHG");
            }
            return;
        };
        let Exp::Chg {
            status: asked,
            first,
            after,
        } = &mut p.exp
        else {
            return;
        };
        if status != Some(*asked) {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!("CHG reply `{}` does not echo `{asked}`", c.status),
            );
        }
        self.set_status(&key, line, status.unwrap_or(*asked));
        match *first {
            Some(true) => {}
            Some(false) => {
                let required = self.initial_contacts(cid);
                *after = Some(ChgAfter {
                    ilns: BTreeSet::new(),
                    required,
                });
                p.answered = true;
                self.put_back(cid, p);
            }
            None => {
                *after = Some(ChgAfter::default());
                p.answered = true;
                self.put_back(cid, p);
            }
        }
    }

    /// The user `key` now has status `s` (server line `line`): watchers are owed presence.
    fn set_status(&mut self, key: &[u8], line: usize, s: Status) {
        let acct = self.account(key);
        let old = acct.seen;
        acct.seen = Seen::Status(s, line);
        acct.requested = None;
        acct.changes = acct.changes.wrapping_add(1);
        self.broadcast(key, line, old, false);
    }

    /// The contacts the first CHG must report with ILN: on FL, online, not hidden, allowing the
    /// user (§14), as far as the file shows.
    fn initial_contacts(&self, cid: usize) -> BTreeSet<Vec<u8>> {
        let key = self.key(cid);
        let Some(me) = self.accounts.get(&key).filter(|a| a.real) else {
            return BTreeSet::new();
        };
        me.list(List::Forward)
            .members
            .keys()
            // visible(C→U) requires C ≠ U (reference §14): no ILN for oneself.
            .filter(|h| h.as_slice() != key.as_slice())
            .filter(|h| {
                self.accounts.get(h.as_slice()).is_some_and(|c| {
                    c.real
                        && c.seen.visible() == Some(true)
                        && c.requested.is_none_or(Status::is_visible_online)
                        && c.allows(&key) == Some(true)
                })
            })
            // Whom a contact with a list command outstanding allows is not known.
            .filter(|h| !self.list_command_unanswered(h))
            .cloned()
            .collect()
    }

    pub(super) fn server_iln(&mut self, cid: usize, line: usize, i: &Iln<'static>) {
        let t = i.trid.0;
        let h = i.handle.as_bytes().to_vec();
        let fits = |p: &super::state::Pending| {
            p.answered
                && matches!(
                    &p.exp,
                    Exp::Chg { after: Some(_), .. }
                        | Exp::Add {
                            list: List::Forward,
                            after: Some(_),
                            ..
                        }
                )
        };
        match self.answer(cid, line, t, fits) {
            Some(mut p) => {
                match &mut p.exp {
                    Exp::Chg { after: Some(a), .. } => {
                        let again = !a.ilns.insert(h.clone());
                        if again {
                            let msg = format!("a second ILN for {} after the first CHG", i.handle);
                            self.violate(cid, line, R::IlnTrid, msg);
                        }
                    }
                    Exp::Add {
                        handle,
                        after: Some(a),
                        ..
                    } => {
                        if *handle != h {
                            self.violate(
                                cid,
                                line,
                                R::IlnTrid,
                                format!(
                                    "ILN {t} for {}, but ADD {t} added {}",
                                    i.handle,
                                    lossy(handle)
                                ),
                            );
                        } else if a.iln {
                            self.violate(
                                cid,
                                line,
                                R::IlnTrid,
                                format!("a second ILN for {} after ADD FL", i.handle),
                            );
                        } else if a.bpr == Some(true) && a.bprs < 4 {
                            self.violate(
                                cid,
                                line,
                                R::AddFollowup,
                                format!("ILN for {} before its four BPR lines", i.handle),
                            );
                        }
                        a.iln = true;
                    }
                    _ => {}
                }
                self.put_back(cid, p);
            }
            None => {
                self.violate(
                    cid,
                    line,
                    R::IlnTrid,
                    format!(
                        "ILN {t}: not the TrID of the first CHG or of an ADD FL being answered"
                    ),
                );
            }
        }
        self.presence(
            cid,
            line,
            &h,
            Some((i.status.known(), i.name.as_bytes())),
            "ILN",
        );
    }

    pub(super) fn server_nln(&mut self, cid: usize, line: usize, n: &Nln<'static>) {
        self.require_login(cid, line, "NLN");
        if self.conns.get(cid).and_then(|c| c.ns.first_chg) == Some(false) {
            self.violate(
                cid,
                line,
                R::PresenceWatcher,
                format!("NLN for {} before the user's first CHG", n.handle),
            );
        } else if let Some(at) = self.first_chg_unanswered(cid) {
            self.violate(
                cid,
                line,
                R::PresenceWatcher,
                format!(
                    "NLN for {} before the reply to the user's first CHG (line {at})",
                    n.handle
                ),
            );
        }
        self.presence(
            cid,
            line,
            n.handle.as_bytes(),
            Some((n.status.known(), n.name.as_bytes())),
            "NLN",
        );
    }

    pub(super) fn server_fln(&mut self, cid: usize, line: usize, f: &Fln<'static>) {
        self.require_login(cid, line, "FLN");
        if self.conns.get(cid).and_then(|c| c.ns.first_chg) == Some(false) {
            self.violate(
                cid,
                line,
                R::PresenceWatcher,
                format!("FLN for {} before the user's first CHG", f.handle),
            );
        } else if let Some(at) = self.first_chg_unanswered(cid) {
            self.violate(
                cid,
                line,
                R::PresenceWatcher,
                format!(
                    "FLN for {} before the reply to the user's first CHG (line {at})",
                    f.handle
                ),
            );
        }
        self.presence(cid, line, f.handle.as_bytes(), None, "FLN");
    }

    /// The line of the user's first CHG on NS connection `cid` while it is not answered: the user
    /// is no watcher before the server has processed it, and the server answers it before any
    /// later line on the connection (§14 "Watchers", replies in order).
    fn first_chg_unanswered(&self, cid: usize) -> Option<usize> {
        self.conns
            .get(cid)?
            .pending
            .iter()
            .find_map(|p| match p.exp {
                Exp::Chg {
                    first: Some(false), ..
                } if !p.answered => Some(p.line),
                _ => None,
            })
    }

    /// Judges a presence line about `handle`: `Some((status, name))` for ILN/NLN, `None` for FLN.
    /// Judges a presence line about `handle`, then records it (meeting what was owed).
    fn presence(
        &mut self,
        cid: usize,
        line: usize,
        handle: &[u8],
        online: Option<(Option<Status>, &[u8])>,
        what: &str,
    ) {
        self.presence_checks(cid, line, handle, online, what);
        let (st, nm) = match online {
            Some((s, n)) => (s.or(Some(Status::Online)), Some(n)),
            None => (None, None),
        };
        self.heard(cid, line, handle, st, nm, what);
    }

    fn presence_checks(
        &mut self,
        cid: usize,
        line: usize,
        handle: &[u8],
        online: Option<(Option<Status>, &[u8])>,
        what: &str,
    ) {
        let h = lossy(handle);
        let key = self.key(cid);
        let me = self
            .accounts
            .get(&key)
            .filter(|a| a.real)
            .map(|_| key.clone());
        if let Some((Some(s), _)) = online {
            if !s.is_visible_online() {
                self.violate(
                    cid,
                    line,
                    R::PresenceStatus,
                    format!("{what} for {h} with status {s}"),
                );
            }
        }
        let on_fl = self
            .accounts
            .get(&key)
            .and_then(|a| a.list(List::Forward).contains(handle));
        if on_fl == Some(false) {
            self.violate(
                cid,
                line,
                R::PresenceWatcher,
                format!("{what} for {h}, who is not on the user's FL"),
            );
            return;
        }
        let Some(c) = self
            .accounts
            .get(handle)
            .filter(|c| c.real && c.seen != Seen::Unknown)
        else {
            return;
        };
        let allows = if self.changing_lists(handle) {
            None
        } else {
            me.as_deref().and_then(|me| c.allows(me))
        };
        let seen = c.seen;
        let requested = c.requested;
        let name = c.name.clone();
        let pending_name = c.pending_name.clone();
        let visible =
            seen.visible() == Some(true) || requested.is_some_and(Status::is_visible_online);
        match online {
            Some((status, sent_name)) => {
                if !visible {
                    let since = match seen {
                        Seen::Offline(l) if l > 0 => format!("offline since line {l}"),
                        Seen::Offline(_) => "offline".to_owned(),
                        Seen::NoStatus => "logged in without a status".to_owned(),
                        Seen::Status(s, l) => format!("{s} since line {l}"),
                        Seen::Unknown => "unknown".to_owned(),
                    };
                    self.violate(
                        cid,
                        line,
                        R::PresenceOffline,
                        format!("{what} for {h}, who is {since}: only FLN may be sent"),
                    );
                    return;
                }
                if allows == Some(false) {
                    self.violate(
                        cid,
                        line,
                        R::PresenceWatcher,
                        format!("{what} for {h}, who does not allow the user to see it"),
                    );
                }
                let current = match seen {
                    Seen::Status(s, _) => Some(s),
                    _ => None,
                };
                if let Some(s) = status {
                    if current != Some(s) && requested != Some(s) {
                        let cur = current.or(requested).map_or("?", Status::as_str);
                        self.violate(
                            cid,
                            line,
                            R::PresenceMatch,
                            format!("{what} says {h} is {s}, but its status is {cur}"),
                        );
                    }
                }
                if let Some(n) = name {
                    if n != sent_name && pending_name.as_deref() != Some(sent_name) {
                        self.violate(
                            cid,
                            line,
                            R::PresenceMatch,
                            format!(
                                "{what} names {h} `{}`, but its display name is `{}`",
                                lossy(sent_name),
                                lossy(&n)
                            ),
                        );
                    }
                }
            }
            None => {
                let online_now =
                    seen.visible() == Some(true) && requested.is_none_or(Status::is_visible_online);
                if online_now && allows == Some(true) && !self.closing(handle) {
                    self.violate(
                        cid,
                        line,
                        R::PresenceMatch,
                        format!("FLN for {h}, who is online and allows the user"),
                    );
                }
            }
        }
    }

    // ----- XFR SB ----------------------------------------------------------------------------

    pub(super) fn client_xfr(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        x: &XfrRequest<'static>,
    ) {
        match x.kind.known() {
            Some(TransferKind::Switchboard) => self.push(cid, line, trid, "XFR", Exp::XfrSb),
            _ => self.client_bad_value(cid, line, trid, "XFR", &x.kind.to_string(), &[]),
        }
    }

    pub(super) fn xfr_sb(&mut self, cid: usize, line: usize, x: &XfrSwitchboard<'static>) {
        let t = x.trid.0;
        if self
            .answer(cid, line, t, |p| !p.answered && matches!(p.exp, Exp::XfrSb))
            .is_none()
        {
            self.opaque_or(cid, line, t, "XFR SB");
            return;
        }
        self.judge_913(cid, line, true);
        if !is_address(x.address.as_bytes()) {
            self.violate(
                cid,
                line,
                R::XfrShape,
                format!("`{}` is not host:port", x.address),
            );
        }
        let key = self.key(cid);
        let owner = self.accounts.get(&key).filter(|a| a.real).map(|_| key);
        let cookie = Cookie {
            owner,
            session: None,
            issued: self.now,
            used: false,
            line,
        };
        self.cookies.insert(x.cookie.as_bytes().to_vec(), cookie);
    }

    /// XFR SB: 913 exactly while HDN/FLN or before the first CHG (§3.1, §8.5).
    pub(super) fn judge_913(&mut self, cid: usize, line: usize, granted: bool) {
        let key = self.key(cid);
        let seen = self.accounts.get(&key).map_or(Seen::Unknown, |a| a.seen);
        let first = self.conns.get(cid).and_then(|c| c.ns.first_chg);
        let must_refuse = match seen {
            Seen::NoStatus | Seen::Offline(_) => Some(true),
            Seen::Status(s, _) => Some(!s.is_visible_online()),
            Seen::Unknown if first == Some(false) => Some(true),
            Seen::Unknown => None,
        };
        match (must_refuse, granted) {
            (Some(true), true) => {
                let why = match seen {
                    Seen::Status(s, _) => format!("the user is {s}"),
                    _ => "the user has not set an initial status".to_owned(),
                };
                self.violate(
                    cid,
                    line,
                    R::Xfr913,
                    format!("XFR SB granted although {why}: 913 expected"),
                );
            }
            (Some(false), false) => self.violate(
                cid,
                line,
                R::Xfr913,
                "913 although the user is online and not hidden",
            ),
            _ => {}
        }
    }
}
