//! Contact lists and properties (reference §3.2, §6, §14 "Lists"): SYN and its reply, LST, GTC,
//! BLP, ADD, REM, REA, PRP, BPR, the asynchronous ADD/REM RL; the list version.

use super::notify::Want;
use super::rules::R;
use super::state::{AddAfter, Bytes, Exp, LISTS, Pending, SynBatch, list_index, stage_name};
use super::{Family, Monitor, lossy};
use msnp6::commands::Command;
use msnp6::commands::lists::{Add, Lst, Rea, Rem, ReverseAdd, ReverseRemove};
use msnp6::commands::services::Fnd;
use msnp6::types::{Dialect, Enumerated, GtcMode, Handle, List, Privacy, Property, Status};

/// The BPR lines after an FL entry (SYN reply, §3.2) and after ADD FL (§14), in order.
const BPR_ORDER: [&[u8]; 4] = [b"PHH", b"PHW", b"PHM", b"MOB"];

/// The FL/AL/BL limit of §14 (March 2003).
const LIST_LIMIT: usize = 150;

/// A GTC, BLP, PRP or LST line as the server sent it: what [`Monitor::batch_or`] judges.
struct Reported<'v> {
    trid: u32,
    version: u32,
    body: BatchLine,
    /// Whether an outstanding command is the one this line answers on its own.
    own: fn(&Exp) -> bool,
    verb: &'static str,
    /// The values the line echoes (REPLY-ECHO).
    value: &'v str,
}

/// An LST line of a SYN reply with its list known.
struct ListLine {
    list: List,
    index: u32,
    total: u32,
    entry: Option<(Bytes, Bytes)>,
}

/// One line of a SYN reply.
enum BatchLine {
    Gtc(Option<msnp6::types::GtcMode>),
    Blp(Option<msnp6::types::Privacy>),
    Prp(Bytes),
    Lst {
        list: Option<List>,
        index: u32,
        total: u32,
        entry: Option<(Bytes, Bytes)>,
    },
    Bpr {
        handle: Bytes,
        property: Bytes,
    },
}

/// Whether a documented property is one the server sets, not the client: `MBE` (reference §3.2
/// PRP: "Properties a client may set: PHH, PHW, PHM, MOB. MBE (mobile enabled) is server-set").
/// No reply is documented for a client that sets it anyway: the server may refuse it with `715`
/// (as it refuses a property it does not know) or accept it, and the monitor judges neither
/// (server/LOCKSTEP-FINDINGS.md #11).
fn server_set(property: &[u8]) -> bool {
    property == b"MBE"
}

fn is_email(h: &[u8]) -> bool {
    Handle::new(h).is_ok_and(|h| h.is_email())
}

impl Monitor {
    // ----- the list version ------------------------------------------------------------------

    /// A list-changing line: its version must be greater than the account's last one.
    fn version_change(&mut self, cid: usize, line: usize, v: u32, what: &str) {
        let key = self.key(cid);
        let old = self.account(&key).version;
        if let Some(old) = old {
            if v <= old {
                self.violate(
                    cid,
                    line,
                    R::ListVersionMonotonic,
                    format!("{what} carries list version {v}, not above the last version {old}"),
                );
            }
        }
        self.learn_version(&key, old, v);
    }

    /// A line that may carry a new version but never an older one (nor the last one, when the
    /// version moved since without a line showing it).
    fn version_not_less(&mut self, cid: usize, line: usize, v: u32, what: &str) {
        let key = self.key(cid);
        let (old, moved) = {
            let a = self.account(&key);
            (a.version, a.version_moved)
        };
        if let Some(old) = old {
            if v < old {
                self.violate(
                    cid,
                    line,
                    R::ListVersionMonotonic,
                    format!("{what} carries list version {v}, below the last version {old}"),
                );
            } else if moved && v == old {
                self.violate(
                    cid,
                    line,
                    R::ListVersionMonotonic,
                    format!(
                        "{what} carries list version {v}, but the lists changed since: above {old} expected"
                    ),
                );
            }
        }
        self.learn_version(&key, old, v);
    }

    /// The account's version is now known to be `v` (or the larger last one).
    fn learn_version(&mut self, key: &[u8], old: Option<u32>, v: u32) {
        let a = self.account(key);
        a.version = Some(old.map_or(v, |o| o.max(v)));
        a.version_moved = false;
    }

    /// The list version of `contact` went up because its RL changed, and no line owed to it shows
    /// the change (§3.2).
    /// The ADD/REM FL of line `cause`, answered at `line`, changed `contact`'s RL (§3.2): its
    /// connections with a status are owed `want` (ADD/REM 0 RL); a notice that came early, also
    /// to a connection without status, shows the new version; otherwise it moved unseen.
    fn owe_rl_notice(&mut self, contact: &[u8], cause: usize, line: usize, want: &Want) {
        let online = self.ns_conns_with_status(contact);
        let mut told = false;
        for o in self.ns_conns_of(contact) {
            if self.claim_early(o, cause, want) {
                told = true;
            } else if online.contains(&o) {
                self.owe(o, line, want.clone());
            }
        }
        if online.is_empty() && !told {
            self.version_moved_unseen(contact);
        }
    }

    fn version_moved_unseen(&mut self, contact: &[u8]) {
        if let Some(a) = self.accounts.get_mut(contact) {
            a.version_moved = true;
        }
    }

    /// A line that reports without changing: it carries exactly `expected`.
    fn version_is(&mut self, cid: usize, line: usize, v: u32, expected: u32, what: &str) {
        if v != expected {
            self.violate(
                cid,
                line,
                R::ListVersionCurrent,
                format!("{what} carries list version {v}, not the current {expected}"),
            );
        }
    }

    fn own_handle(&self, cid: usize) -> Option<Bytes> {
        let key = self.key(cid);
        self.accounts.get(&key).filter(|a| a.real).map(|_| key)
    }

    // ----- client commands -------------------------------------------------------------------

    pub(super) fn client_lists(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        cmd: Command<'static>,
    ) {
        let verb = super::login::static_verb(&cmd);
        match cmd {
            Command::Syn(s) => {
                let again = self.conns.get(cid).is_some_and(|c| c.ns.syn == Some(true));
                if again {
                    self.violate(cid, line, R::ClientOrder, "a second SYN on the connection");
                    self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Close {
                            allowed: &[],
                            why: "second SYN".to_owned(),
                        },
                    );
                } else {
                    if let Some(c) = self.conns.get_mut(cid) {
                        c.ns.syn = Some(true);
                    }
                    self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Syn {
                            client: s.version,
                            batch: None,
                        },
                    );
                }
            }
            Command::LstRequest(l) => match l.list.known() {
                Some(list) => self.push(
                    cid,
                    line,
                    trid,
                    verb,
                    Exp::Lst {
                        list: Some(list),
                        got: Vec::new(),
                        total: None,
                        version: None,
                    },
                ),
                None => self.client_bad_value(cid, line, trid, verb, &l.list.to_string(), &[]),
            },
            Command::GtcRequest(g) => match g.mode.known() {
                Some(m) => self.push(cid, line, trid, verb, Exp::Gtc(m)),
                None => self.client_bad_value(cid, line, trid, verb, &g.mode.to_string(), &[]),
            },
            Command::BlpRequest(b) => match b.privacy.known() {
                Some(p) => self.push(cid, line, trid, verb, Exp::Blp(p)),
                None => {
                    self.client_bad_value(cid, line, trid, verb, &b.privacy.to_string(), &[201])
                }
            },
            Command::AddRequest(a) => match a.list.known() {
                Some(List::Reverse) | None => {
                    self.client_bad_value(cid, line, trid, verb, &a.list.to_string(), &[201])
                }
                Some(list) => {
                    let exp = Exp::Add {
                        list,
                        handle: a.handle.as_bytes().to_vec(),
                        name: a.name.as_bytes().to_vec(),
                        after: None,
                    };
                    self.push(cid, line, trid, verb, exp);
                }
            },
            Command::RemRequest(r) => match r.list.known() {
                Some(List::Reverse) | None => {
                    self.client_bad_value(cid, line, trid, verb, &r.list.to_string(), &[201])
                }
                Some(list) => self.push(
                    cid,
                    line,
                    trid,
                    verb,
                    Exp::Rem {
                        list,
                        handle: r.handle.as_bytes().to_vec(),
                    },
                ),
            },
            Command::ReaRequest(r) => {
                let handle = r.handle.as_bytes().to_vec();
                let name = r.name.as_bytes().to_vec();
                if self.own_handle(cid).as_deref() == Some(handle.as_slice()) {
                    let key = self.key(cid);
                    let acct = self.account(&key);
                    acct.pending_name = Some(name.clone());
                    acct.asked_line = line;
                }
                self.push(cid, line, trid, verb, Exp::Rea { handle, name });
            }
            Command::PrpRequest(p) => {
                let property = p.property.as_bytes().to_vec();
                let value = p.value.as_ref().map(|v| v.as_bytes().to_vec());
                if property.len() > 3 || value.as_ref().is_some_and(|v| v.len() > 95) {
                    self.client_bad_value(cid, line, trid, verb, &p.property.to_string(), &[]);
                } else {
                    let known = p.property.known().is_some();
                    if !known {
                        self.violate(
                            cid,
                            line,
                            R::ClientValue,
                            format!("`{}` is not a documented property", p.property),
                        );
                    } else if server_set(&property) {
                        self.violate(
                            cid,
                            line,
                            R::ClientValue,
                            format!("`{}` is server-set: a client may not set it", p.property),
                        );
                    }
                    self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Prp {
                            property,
                            value,
                            known,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    // ----- server lines ----------------------------------------------------------------------

    pub(super) fn server_lists(&mut self, cid: usize, line: usize, cmd: Command<'static>) {
        if !self.require_login(cid, line, cmd.verb()) {
            // judged anyway, against what is known
        }
        match cmd {
            Command::Syn(s) => self.syn_reply(cid, line, s.trid.0, s.version),
            Command::Gtc(g) => self.batch_or(
                cid,
                line,
                Reported {
                    trid: g.trid.0,
                    version: g.version,
                    body: BatchLine::Gtc(g.mode.known()),
                    own: |e| matches!(e, Exp::Gtc(_)),
                    verb: "GTC",
                    value: &g.mode.to_string(),
                },
            ),
            Command::Blp(b) => self.batch_or(
                cid,
                line,
                Reported {
                    trid: b.trid.0,
                    version: b.version,
                    body: BatchLine::Blp(b.privacy.known()),
                    own: |e| matches!(e, Exp::Blp(_)),
                    verb: "BLP",
                    value: &b.privacy.to_string(),
                },
            ),
            Command::Prp(p) => {
                let value = p.value.as_ref().map_or_else(String::new, |v| v.to_string());
                let pv = format!("{} {value}", p.property);
                self.batch_or(
                    cid,
                    line,
                    Reported {
                        trid: p.trid.0,
                        version: p.version,
                        body: BatchLine::Prp(p.property.as_bytes().to_vec()),
                        own: |e| matches!(e, Exp::Prp { .. }),
                        verb: "PRP",
                        value: pv.trim_end(),
                    },
                );
            }
            Command::Lst(l) => self.lst_line(cid, line, &l),
            Command::Add(a) => self.add_line(cid, line, &a),
            Command::Rem(r) => self.rem_reply(cid, line, &r),
            Command::Rea(r) => self.rea_reply(cid, line, &r),
            Command::Bpr(b) => self.bpr(
                cid,
                line,
                b.version,
                b.handle.as_bytes(),
                b.property.as_bytes(),
            ),
            Command::ReverseAdd(a) => self.reverse_add(cid, line, &a),
            Command::ReverseRemove(r) => self.reverse_remove(cid, line, &r),
            _ => {}
        }
    }

    /// A LST line: part of a SYN reply or of a stand-alone LST reply (§3.2).
    fn lst_line(&mut self, cid: usize, line: usize, l: &Lst<'static>) {
        let entry = l
            .entry()
            .as_ref()
            .map(|e| (e.handle.as_bytes().to_vec(), e.name.as_bytes().to_vec()));
        let bl = BatchLine::Lst {
            list: l.list().known(),
            index: *l.index(),
            total: *l.total(),
            entry,
        };
        self.batch_or(
            cid,
            line,
            Reported {
                trid: l.trid().0,
                version: *l.version(),
                body: bl,
                own: |e| matches!(e, Exp::Lst { .. }),
                verb: "LST",
                value: "",
            },
        );
    }

    /// A reply to ADD (§3.2); ADD with RL and a TrID is TRID-ASYNC.
    fn add_line(&mut self, cid: usize, line: usize, a: &Add<'static>) {
        let t = a.trid().0;
        if a.list().known() == Some(List::Reverse) {
            self.violate(
                cid,
                line,
                R::TridAsync,
                format!("ADD {t} RL: the reverse-list notice uses TrID 0"),
            );
            return;
        }
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Add { .. })
        }) else {
            self.opaque_or(cid, line, t, "ADD");
            return;
        };
        self.add_reply(cid, line, p, a);
    }

    /// A reply to REM (§3.2): echo, version, LIST-216, and what a REM FL owes the contact
    /// (REM 0 RL).
    fn rem_reply(&mut self, cid: usize, line: usize, r: &Rem<'static>) {
        let t = r.trid().0;
        if r.list().known() == Some(List::Reverse) {
            self.violate(
                cid,
                line,
                R::TridAsync,
                format!("REM {t} RL: the reverse-list notice uses TrID 0"),
            );
            return;
        }
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Rem { .. })
        }) else {
            self.opaque_or(cid, line, t, "REM");
            return;
        };
        let Exp::Rem { list, handle } = &p.exp else {
            return;
        };
        if r.list().known() != Some(*list) || r.handle().as_bytes() != handle.as_slice() {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!(
                    "REM reply {} {} does not echo {} {}",
                    r.list(),
                    r.handle(),
                    list,
                    lossy(handle)
                ),
            );
        }
        self.version_change(cid, line, *r.version(), "REM");
        let key = self.key(cid);
        if self.account(&key).list(*list).contains(handle) == Some(false) {
            self.violate(
                cid,
                line,
                R::List216,
                format!(
                    "REM of {} which is not on {list}: 216 expected",
                    lossy(handle)
                ),
            );
        }
        self.account(&key).list_mut(*list).remove(handle);
        if matches!(*list, List::Allow | List::Block) {
            self.privacy_changed(&key);
        }
        if *list == List::Forward {
            // The user no longer watches the contact: a later presence line about it
            // (after a new ADD FL) is not a repetition of the last one.
            let own: Vec<usize> = (0..self.conns.len())
                .filter(|&o| self.conns.get(o).is_some_and(|c| c.ns.account == key))
                .collect();
            self.last_presence
                .retain(|(o, h), _| h != handle || !own.contains(o));
            if let Some(me) = self.own_handle(cid) {
                if self.ns_conns_of(handle).is_empty() {
                    // The contact's RL changes while it is offline: nothing shows it.
                    self.account(handle).list_mut(List::Reverse).remove(&me);
                }
                let want = super::notify::Want::ReverseRemove { about: me.clone() };
                self.owe_rl_notice(handle, p.line, line, &want);
            }
        }
    }

    /// A reply to REA (§3.2): echo, version, LIST-216; renaming oneself is broadcast (§14).
    fn rea_reply(&mut self, cid: usize, line: usize, r: &Rea<'static>) {
        let t = r.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Rea { .. })
        }) else {
            self.opaque_or(cid, line, t, "REA");
            return;
        };
        let Exp::Rea { handle, name } = &p.exp else {
            return;
        };
        if r.handle.as_bytes() != handle.as_slice() || r.name.as_bytes() != name.as_slice() {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!(
                    "REA reply {} {} does not echo {} {}",
                    r.handle,
                    r.name,
                    lossy(handle),
                    lossy(name)
                ),
            );
        }
        self.version_change(cid, line, r.version, "REA");
        let own = self.own_handle(cid);
        let key = self.key(cid);
        if own.as_deref() == Some(handle.as_slice()) {
            let acct = self.account(&key);
            let renamed = acct.name.as_ref() != Some(name);
            acct.name = Some(name.clone());
            acct.pending_name = None;
            if renamed {
                acct.changes = acct.changes.wrapping_add(1);
                let seen = acct.seen;
                self.broadcast(&key, line, seen, true);
            }
        } else {
            let acct = self.account(&key);
            if own.is_some()
                && LISTS
                    .iter()
                    .all(|l| acct.list(*l).contains(handle) == Some(false))
            {
                self.violate(
                    cid,
                    line,
                    R::List216,
                    format!(
                        "REA of {} which is on none of the lists: 216 expected",
                        lossy(handle)
                    ),
                );
            }
            let acct = self.account(&key);
            for l in &mut acct.lists {
                if let Some(n) = l.members.get_mut(handle) {
                    n.clone_from(name);
                }
            }
        }
    }

    /// ADD 0 RL (§3.2): LIST-RL, and the notice owed because a contact added the user.
    fn reverse_add(&mut self, cid: usize, line: usize, a: &ReverseAdd<'static>) {
        self.version_change(cid, line, a.version, "ADD 0 RL");
        let key = self.key(cid);
        let h = a.handle.as_bytes();
        if self.account(&key).list(List::Reverse).contains(h) == Some(true) {
            self.violate(
                cid,
                line,
                R::ListRl,
                format!("ADD 0 RL {}, which is already on RL", a.handle),
            );
        }
        if let Some(me) = self.own_handle(cid) {
            if self.never_added(h, &me) {
                self.violate(
                    cid,
                    line,
                    R::ListRl,
                    format!(
                        "ADD 0 RL {}, but {} has not added the user to its FL",
                        a.handle, a.handle
                    ),
                );
            }
        }
        self.account(&key)
            .list_mut(List::Reverse)
            .insert(h, a.name.as_bytes());
        self.deliver(
            cid,
            line,
            &super::notify::Want::ReverseAdd { about: h.to_vec() },
        );
    }

    /// REM 0 RL (§3.2): LIST-RL, and the notice owed because a contact removed the user.
    fn reverse_remove(&mut self, cid: usize, line: usize, r: &ReverseRemove<'static>) {
        self.version_change(cid, line, r.version, "REM 0 RL");
        let key = self.key(cid);
        let h = r.handle.as_bytes();
        if self.account(&key).list(List::Reverse).contains(h) == Some(false) {
            self.violate(
                cid,
                line,
                R::ListRl,
                format!("REM 0 RL {}, which is not on RL", r.handle),
            );
        }
        self.account(&key).list_mut(List::Reverse).remove(h);
        self.deliver(
            cid,
            line,
            &super::notify::Want::ReverseRemove { about: h.to_vec() },
        );
    }

    /// Whether the file shows that `adder` has not put `me` on its FL (and is not doing so).
    fn never_added(&self, adder: &[u8], me: &[u8]) -> bool {
        let Some(a) = self.accounts.get(adder) else {
            return false;
        };
        if !a.real || a.list(List::Forward).contains(me) != Some(false) {
            return false;
        }
        let adding = self.conns.iter().filter(|c| c.ns.account.as_slice() == adder).any(|c| {
            c.pending.iter().any(|p| matches!(&p.exp, Exp::Add { list: List::Forward, handle, .. } if handle.as_slice() == me))
        });
        !adding
    }

    fn syn_reply(&mut self, cid: usize, line: usize, trid: u32, version: u32) {
        let Some(mut p) = self.answer(cid, line, trid, |p| {
            !p.answered && matches!(p.exp, Exp::Syn { .. })
        }) else {
            self.opaque_or(cid, line, trid, "SYN");
            return;
        };
        self.version_not_less(cid, line, version, "the SYN reply");
        let Exp::Syn { client, batch } = &mut p.exp else {
            return;
        };
        if version != *client {
            *batch = Some(SynBatch {
                version,
                ..SynBatch::default()
            });
        }
        p.answered = true;
        self.put_back(cid, p);
    }

    /// A GTC/BLP/PRP/LST line: part of a SYN reply, or the reply to its own command.
    fn batch_or(&mut self, cid: usize, line: usize, r: Reported<'_>) {
        let own_open = |p: &Pending| match &p.exp {
            Exp::Lst { total, got, .. } => total.is_none_or(|t| (got.len() as u64) < u64::from(t)),
            _ => !p.answered,
        };
        let (trid, what, version) = (r.trid, r.verb, r.version);
        let Some(mut p) = self.answer(cid, line, trid, |p| {
            (matches!(p.exp, Exp::Syn { .. }) && p.answered) || ((r.own)(&p.exp) && own_open(p))
        }) else {
            self.opaque_or(cid, line, trid, what);
            return;
        };
        match &mut p.exp {
            Exp::Syn {
                batch: None,
                client,
                ..
            } => {
                let client = *client;
                self.violate(cid, line, R::SynCurrent, format!("{what} after SYN {trid} {client}: the client's version is current, nothing follows"));
                self.put_back(cid, p);
            }
            Exp::Syn { batch: Some(_), .. } => self.syn_batch_line(cid, line, p, r),
            Exp::Gtc(mode) => {
                let mode = *mode;
                self.gtc_reply(cid, line, mode, r.value, version);
            }
            Exp::Blp(privacy) => {
                let privacy = *privacy;
                self.blp_reply(cid, line, privacy, r.value, version);
            }
            Exp::Prp { .. } => self.prp_reply(cid, line, &p, r.value, version),
            Exp::Lst { .. } => self.lst_reply(cid, line, p, r.body, version),
            _ => {}
        }
    }

    /// A line inside a full SYN reply (§3.2); the lists are learned when it completes.
    fn syn_batch_line(&mut self, cid: usize, line: usize, mut p: Pending, r: Reported<'_>) {
        let Exp::Syn { batch: Some(b), .. } = &mut p.exp else {
            return;
        };
        let (version, bl, what) = (r.version, r.body, r.verb);
        let mut b = core::mem::take(b);
        let done = self.batch_line(cid, line, &mut b, version, bl, what);
        if done {
            let key = self.key(cid);
            let acct = self.account(&key);
            for (i, l) in acct.lists.iter_mut().enumerate() {
                if let Some(entries) = b.lists.get(i) {
                    l.replace(entries);
                }
            }
            acct.gtc = b.gtc.or(acct.gtc);
            acct.blp = b.blp.or(acct.blp);
        } else if let Exp::Syn { batch, .. } = &mut p.exp {
            *batch = Some(b);
            self.put_back(cid, p);
        }
    }

    /// The reply to GTC (§3.2): echo, version, MODE-218.
    fn gtc_reply(&mut self, cid: usize, line: usize, mode: GtcMode, value: &str, version: u32) {
        if mode.as_str() != value {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!("GTC reply `{value}` does not echo `{mode}`"),
            );
        }
        self.version_change(cid, line, version, "GTC");
        let key = self.key(cid);
        if self.account(&key).gtc == Some(mode)
            && !self.mode_in_flight(cid, &key, |e| matches!(e, Exp::Gtc(m) if *m != mode))
        {
            self.violate(
                cid,
                line,
                R::Mode218,
                format!("GTC {mode} is the current value: 218 expected"),
            );
        }
        self.account(&key).gtc = Some(mode);
    }

    /// The reply to BLP (§3.2): echo, version, MODE-218; who may see the user changed.
    fn blp_reply(&mut self, cid: usize, line: usize, privacy: Privacy, value: &str, version: u32) {
        if privacy.as_str() != value {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!("BLP reply `{value}` does not echo `{privacy}`"),
            );
        }
        self.version_change(cid, line, version, "BLP");
        let key = self.key(cid);
        if self.account(&key).blp == Some(privacy)
            && !self.mode_in_flight(cid, &key, |e| matches!(e, Exp::Blp(v) if *v != privacy))
        {
            self.violate(
                cid,
                line,
                R::Mode218,
                format!("BLP {privacy} is the current value: 218 expected"),
            );
        }
        self.account(&key).blp = Some(privacy);
        self.privacy_changed(&key);
    }

    /// The reply to PRP (§3.2): echo, version; an undocumented property is owed 715.
    fn prp_reply(&mut self, cid: usize, line: usize, p: &Pending, value: &str, version: u32) {
        let Exp::Prp {
            property,
            value: asked,
            known,
        } = &p.exp
        else {
            return;
        };
        let asked_text = format!(
            "{} {}",
            lossy(property),
            asked.as_deref().map(lossy).unwrap_or_default()
        );
        if asked_text.trim_end() != value {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!(
                    "PRP reply `{value}` does not echo `{}`",
                    asked_text.trim_end()
                ),
            );
        }
        if !*known {
            self.violate(
                cid,
                line,
                R::ErrorDocumented,
                format!(
                    "PRP of the undocumented property {} is accepted: 715 expected",
                    lossy(property)
                ),
            );
        }
        self.version_change(cid, line, version, "PRP");
    }

    /// A line of the reply to a stand-alone LST (§3.2): echo, INDEX-TOTAL, the current version.
    fn lst_reply(&mut self, cid: usize, line: usize, mut p: Pending, bl: BatchLine, version: u32) {
        let Exp::Lst {
            list: asked,
            got,
            total,
            version: first,
        } = &mut p.exp
        else {
            return;
        };
        let BatchLine::Lst {
            list,
            index,
            total: n,
            entry,
        } = bl
        else {
            return;
        };
        if list != *asked {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!(
                    "LST reply for another list than {}",
                    asked.map_or("?", |l| l.as_str())
                ),
            );
        }
        let expected_index = u32::try_from(got.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let ok = match (*total, entry.is_some()) {
            (None, false) => index == 0 && n == 0,
            (None, true) => index == 1 && n >= 1,
            (Some(t), true) => index == expected_index && n == t,
            (Some(_), false) => false,
        };
        if !ok {
            self.violate(
                cid,
                line,
                R::IndexTotal,
                format!("LST {index} {n} where entry {expected_index} was expected"),
            );
        }
        let key = self.key(cid);
        let (current, moved) = {
            let a = self.account(&key);
            (a.version, a.version_moved)
        };
        match (*first, current) {
            (Some(f), _) => self.version_is(cid, line, version, f, "LST"),
            (None, Some(f)) if moved => {
                // The version went up unseen: the current one is only known to be above f.
                if version <= f {
                    self.violate(
                                cid,
                                line,
                                R::ListVersionCurrent,
                                format!(
                                    "LST carries list version {version}, but the lists changed since version {f}: above {f} expected"
                                ),
                            );
                }
                self.learn_version(&key, current, version);
            }
            (None, Some(f)) => self.version_is(cid, line, version, f, "LST"),
            (None, None) => self.version_not_less(cid, line, version, "LST"),
        }
        *first = Some(version);
        *total = Some(n);
        if let Some(e) = entry {
            got.push(e);
        }
        let finished = (got.len() as u64) >= u64::from(n);
        if finished {
            if let Some(l) = asked {
                let entries = got.clone();
                self.account(&key).list_mut(*l).replace(&entries);
            }
        } else {
            p.answered = true;
            self.put_back(cid, p);
        }
    }

    /// One line of a SYN reply; returns whether the reply is complete.
    fn batch_line(
        &mut self,
        cid: usize,
        line: usize,
        b: &mut SynBatch,
        version: u32,
        bl: BatchLine,
        what: &str,
    ) -> bool {
        if version != b.version && !matches!(bl, BatchLine::Bpr { .. }) {
            self.version_is(cid, line, version, b.version, what);
        }
        match bl {
            BatchLine::Gtc(m) => self.syn_gtc(cid, line, b, m),
            BatchLine::Blp(p) => self.syn_blp(cid, line, b, p),
            BatchLine::Prp(property) => self.syn_prp(cid, line, b, property),
            BatchLine::Lst {
                list: Some(list),
                index,
                total,
                entry,
            } => {
                let l = ListLine {
                    list,
                    index,
                    total,
                    entry,
                };
                return self.syn_lst(cid, line, b, l);
            }
            BatchLine::Lst { list: None, .. } => {}
            BatchLine::Bpr { handle, property } => {
                self.syn_bpr(cid, line, b, version, &handle, property);
            }
        }
        false
    }

    fn dialect_of(&self, cid: usize) -> Dialect {
        self.conns.get(cid).map_or(Dialect::Msnp6, |c| c.dialect)
    }

    /// SYN-ORDER: GTC opens the SYN reply (§3.2).
    fn syn_gtc(&mut self, cid: usize, line: usize, b: &mut SynBatch, m: Option<GtcMode>) {
        if b.stage != 0 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("GTC where {} was expected", stage_name(self.next_stage(b))),
            );
        }
        b.gtc = m;
        b.stage = b.stage.max(1);
    }

    /// SYN-ORDER: BLP follows GTC (§3.2).
    fn syn_blp(&mut self, cid: usize, line: usize, b: &mut SynBatch, p: Option<Privacy>) {
        if b.stage != 1 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("BLP where {} was expected", stage_name(self.next_stage(b))),
            );
        }
        b.blp = p;
        b.stage = b.stage.max(2);
    }

    /// SYN-ORDER: in MSNP5+, one PRP for each property after BLP (§3.2).
    fn syn_prp(&mut self, cid: usize, line: usize, b: &mut SynBatch, property: Bytes) {
        let dialect = self.dialect_of(cid);
        if dialect.version() < 5 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("PRP in a {dialect} SYN reply (PRP is MSNP5+)"),
            );
        } else if b.stage != 2 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("PRP where {} was expected", stage_name(self.next_stage(b))),
            );
        } else if b.props.contains(&property) {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("a second PRP {} in the SYN reply", lossy(&property)),
            );
        }
        b.props.push(property);
    }

    /// An LST line of a SYN reply (§3.2): the next entry of the list in progress, or the start
    /// of the next list; the previous FL entry's BPR lines are complete (SYN-BPR). Returns
    /// whether the reply is complete.
    fn syn_lst(&mut self, cid: usize, line: usize, b: &mut SynBatch, l: ListLine) -> bool {
        let ListLine {
            list,
            index,
            total,
            entry,
        } = l;
        let dialect = self.dialect_of(cid);
        let in_list = b.stage >= 3 && b.index < b.total;
        let stage = u8::try_from(list_index(list))
            .unwrap_or(3)
            .saturating_add(3);
        if in_list && stage == b.stage {
            if index != b.index.saturating_add(1) || total != b.total || entry.is_none() {
                self.violate(
                    cid,
                    line,
                    R::IndexTotal,
                    format!(
                        "LST {list} {index} {total} after entry {} of {}",
                        b.index, b.total
                    ),
                );
            }
        } else {
            self.syn_list_starts(
                cid,
                line,
                b,
                &ListLine {
                    list,
                    index,
                    total,
                    entry: entry.clone(),
                },
            );
        }
        if let Some(fl) = b.last_fl.take() {
            if dialect.version() >= 5 && b.bprs.len() < BPR_ORDER.len() {
                let msg = format!(
                    "the FL entry {} got {} of its BPR lines PHH, PHW, PHM, MOB",
                    lossy(&fl),
                    b.bprs.len()
                );
                self.violate(cid, line, R::SynBpr, msg);
            }
        }
        b.index = index;
        b.bprs.clear();
        if let Some((h, n)) = entry {
            if list == List::Forward {
                b.last_fl = Some(h.clone());
            }
            if let Some(v) = b.lists.get_mut(list_index(list)) {
                v.push((h, n));
            }
        }
        if b.seen == 0b1111 && b.index >= b.total {
            b.stage = 7;
            return true;
        }
        false
    }

    /// SYN-ORDER and INDEX-TOTAL: a list of the SYN reply starts (FL, AL, BL, RL in that order,
    /// after GTC, BLP and the PRPs; `1 N` with an entry, or `0 0`).
    fn syn_list_starts(&mut self, cid: usize, line: usize, b: &mut SynBatch, l: &ListLine) {
        let (list, index, total, has_entry) = (l.list, l.index, l.total, l.entry.is_some());
        let dialect = self.dialect_of(cid);
        let in_list = b.stage >= 3 && b.index < b.total;
        let stage = u8::try_from(list_index(list))
            .unwrap_or(3)
            .saturating_add(3);
        if in_list {
            self.violate(
                cid,
                line,
                R::IndexTotal,
                format!(
                    "LST {} stopped after entry {} of {}",
                    stage_name(b.stage),
                    b.index,
                    b.total
                ),
            );
        }
        let next = self.next_stage(b);
        if next == 3 && b.stage <= 2 {
            if b.stage < 2 {
                self.violate(
                    cid,
                    line,
                    R::SynOrder,
                    format!("LST {list} before {}", stage_name(b.stage)),
                );
            } else if dialect.version() >= 5 {
                let missing: Vec<&str> = Property::ALL
                    .iter()
                    .map(|p| p.as_str())
                    .filter(|p| !b.props.iter().any(|q| q.as_slice() == p.as_bytes()))
                    .collect();
                if !missing.is_empty() {
                    self.violate(
                        cid,
                        line,
                        R::SynOrder,
                        format!("no PRP for {} before the lists", missing.join(", ")),
                    );
                }
            }
        }
        let bit = 1u8 << (stage - 3);
        let first_unseen = (3u8..7).find(|s| b.seen & (1 << (s - 3)) == 0).unwrap_or(7);
        if b.seen & bit != 0 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("a second LST {list} in the SYN reply"),
            );
        } else if stage != first_unseen && b.stage >= 2 {
            self.violate(
                cid,
                line,
                R::SynOrder,
                format!("LST {list} where {} was expected", stage_name(first_unseen)),
            );
        }
        let _ = next;
        b.seen |= bit;
        let starts =
            (index == 1 && total >= 1 && has_entry) || (index == 0 && total == 0 && !has_entry);
        if !starts {
            self.violate(
                cid,
                line,
                R::IndexTotal,
                format!("LST {list} starts with {index} {total}"),
            );
        }
        b.stage = stage;
        b.total = total;
    }

    /// SYN-BPR: in MSNP5+, BPR PHH, PHW, PHM, MOB right after their FL entry, with the SYN's
    /// version (§3.2).
    fn syn_bpr(
        &mut self,
        cid: usize,
        line: usize,
        b: &mut SynBatch,
        version: u32,
        handle: &[u8],
        property: Bytes,
    ) {
        let dialect = self.dialect_of(cid);
        if version != b.version {
            self.version_is(cid, line, version, b.version, "BPR");
        }
        if dialect.version() < 5 {
            self.violate(
                cid,
                line,
                R::SynBpr,
                format!("BPR in a {dialect} SYN reply (BPR is MSNP5+)"),
            );
        } else if b.last_fl.as_deref() != Some(handle) {
            self.violate(
                cid,
                line,
                R::SynBpr,
                format!("BPR for {} not right after its FL entry", lossy(handle)),
            );
        } else if BPR_ORDER.get(b.bprs.len()).copied() != Some(property.as_slice()) {
            let expected = BPR_ORDER
                .get(b.bprs.len())
                .map_or_else(|| "no more BPR".to_owned(), |p| format!("BPR {}", lossy(p)));
            let msg = format!(
                "BPR {} for {} where {expected} was expected",
                lossy(&property),
                lossy(handle)
            );
            self.violate(cid, line, R::SynBpr, msg);
        }
        b.bprs.push(property);
    }

    /// The SYN stage the next line should have.
    fn next_stage(&self, b: &SynBatch) -> u8 {
        if b.stage <= 2 {
            if b.stage == 2 { 3 } else { b.stage }
        } else if b.index >= b.total {
            b.stage.saturating_add(1)
        } else {
            b.stage
        }
    }

    /// The reply to ADD `p` (§3.2, §14): echo, version, the ADD error precedence (201, 215,
    /// 219); after ADD FL, the follow-up it owes.
    fn add_reply(&mut self, cid: usize, line: usize, p: Pending, a: &Add<'static>) {
        let Exp::Add {
            list: asked,
            handle: h,
            name: n,
            ..
        } = &p.exp
        else {
            return;
        };
        let (asked, hv, nv) = (*asked, h.clone(), n.clone());
        let (h, n) = (hv.as_slice(), nv.as_slice());
        let (list, version) = (a.list().known(), a.version());
        if list != Some(asked) || a.handle().as_bytes() != h || a.name().as_bytes() != n {
            self.violate(
                cid,
                line,
                R::ReplyEcho,
                format!("ADD reply does not echo {asked} {} {}", lossy(h), lossy(n)),
            );
        }
        self.version_change(cid, line, *version, "ADD");
        let key = self.key(cid);
        let acct = self.account(&key);
        let on = acct.list(asked).contains(h);
        let opposite = match asked {
            List::Allow => acct.list(List::Block).contains(h),
            List::Block => acct.list(List::Allow).contains(h),
            _ => Some(false),
        };
        let wrongly_accepted = !is_email(h) || on == Some(true) || opposite == Some(true);
        if !is_email(h) {
            self.violate(
                cid,
                line,
                R::AddError,
                format!(
                    "ADD of the malformed handle {} is accepted: 201 expected",
                    lossy(h)
                ),
            );
        } else if on == Some(true) {
            self.violate(
                cid,
                line,
                R::List215,
                format!("ADD of {} already on {asked}: 215 expected", lossy(h)),
            );
        } else if opposite == Some(true) {
            self.violate(
                cid,
                line,
                R::List219,
                format!(
                    "ADD {asked} of {} which is on the opposite list: 219 expected",
                    lossy(h)
                ),
            );
        }
        self.account(&key).list_mut(asked).insert(h, n);
        if matches!(asked, List::Allow | List::Block) {
            self.privacy_changed(&key);
        }
        if asked == List::Forward && wrongly_accepted {
            // Root causes once: the ADD should have been refused, so nothing that only an
            // accepted ADD owes is demanded (the lines that follow it are accepted either way).
            let mut p = p;
            if let Exp::Add { after, .. } = &mut p.exp {
                *after = Some(AddAfter {
                    version: *version,
                    bprs: 0,
                    bpr: None,
                    iln: false,
                    iln_required: false,
                });
            }
            p.answered = true;
            self.put_back(cid, p);
        } else if asked == List::Forward {
            self.add_fl_followup(cid, line, p, h, *version);
        }
    }

    /// ADD FL of `h` accepted (§14): the contact is owed ADD 0 RL, and the user's connection
    /// BPR lines (after SYN) and an ILN (contact online and visible to the user).
    fn add_fl_followup(&mut self, cid: usize, line: usize, mut p: Pending, h: &[u8], version: u32) {
        if let Some(me) = self.own_handle(cid) {
            if self.ns_conns_of(h).is_empty() {
                // The contact's RL changes while it is offline: nothing shows it.
                self.account(h).list_mut(List::Reverse).forget(&me);
            }
            let want = super::notify::Want::ReverseAdd { about: me.clone() };
            self.owe_rl_notice(h, p.line, line, &want);
        }
        let bpr = self.conns.get(cid).and_then(|c| c.ns.syn);
        let me = self.own_handle(cid);
        // While the contact has a list command outstanding (BLP, ADD/REM AL/BL) whether it
        // allows the user is not known: the server may have processed it already.
        let changing = self.list_command_unanswered(h);
        let iln_required = match (self.accounts.get(h), me) {
            // visible(C→U) requires C ≠ U (reference §14): no ILN for adding oneself.
            (Some(c), Some(me)) if c.real && me.as_slice() != h => {
                c.seen.visible() == Some(true)
                    && c.requested.is_none_or(Status::is_visible_online)
                    && !changing
                    && c.allows(&me) == Some(true)
            }
            _ => false,
        };
        if let Exp::Add { after, .. } = &mut p.exp {
            *after = Some(AddAfter {
                version,
                bprs: 0,
                bpr,
                iln: false,
                iln_required,
            });
        }
        p.answered = true;
        self.put_back(cid, p);
    }

    /// A BPR: inside a SYN reply, after an ADD FL, or pushed.
    fn bpr(&mut self, cid: usize, line: usize, version: u32, handle: &[u8], property: &[u8]) {
        let Some(pending) = self.conns.get(cid).map(|c| &c.pending) else {
            return;
        };
        let syn = pending
            .iter()
            .position(|p| matches!(&p.exp, Exp::Syn { batch: Some(b), .. } if b.stage < 7));
        let add = pending.iter().position(|p| {
            matches!(&p.exp, Exp::Add { list: List::Forward, handle: h, after: Some(a), .. }
                if h.as_slice() == handle && a.bpr != Some(false) && a.bprs < 4 && !a.iln)
        });
        if let Some(i) = syn {
            let Some(mut p) = self.conns.get_mut(cid).and_then(|c| c.pending.remove(i)) else {
                return;
            };
            if let Exp::Syn { batch: Some(b), .. } = &mut p.exp {
                let bl = BatchLine::Bpr {
                    handle: handle.to_vec(),
                    property: property.to_vec(),
                };
                let mut batch = core::mem::take(b);
                self.batch_line(cid, line, &mut batch, version, bl, "BPR");
                *b = batch;
            }
            if let Some(c) = self.conns.get_mut(cid) {
                c.pending.insert(i, p);
            }
            return;
        }
        if let Some(i) = add {
            let Some(mut p) = self.conns.get_mut(cid).and_then(|c| c.pending.remove(i)) else {
                return;
            };
            if let Exp::Add { after: Some(a), .. } = &mut p.exp {
                const ORDER: [&[u8]; 4] = [b"PHH", b"PHW", b"PHM", b"MOB"];
                if ORDER.get(a.bprs).copied() != Some(property) {
                    let expected = ORDER
                        .get(a.bprs)
                        .map_or("nothing", |e| core::str::from_utf8(e).unwrap_or("?"));
                    self.violate(
                        cid,
                        line,
                        R::AddFollowup,
                        format!(
                            "BPR {} after ADD FL where BPR {expected} was expected",
                            lossy(property)
                        ),
                    );
                }
                if version != a.version {
                    self.version_is(cid, line, version, a.version, "BPR after ADD FL");
                }
                a.bprs = a.bprs.saturating_add(1);
            }
            if let Some(c) = self.conns.get_mut(cid) {
                c.pending.insert(i, p);
            }
            return;
        }
        // Pushed: a contact changed a property.
        let key = self.key(cid);
        if self.conns.get(cid).and_then(|c| c.ns.syn) == Some(false) {
            self.violate(
                cid,
                line,
                R::BprTarget,
                format!(
                    "BPR for {} on a connection that has not sent SYN",
                    lossy(handle)
                ),
            );
        } else if self.account(&key).list(List::Forward).contains(handle) == Some(false) {
            self.violate(
                cid,
                line,
                R::BprTarget,
                format!("BPR for {}, which is not on FL", lossy(handle)),
            );
        }
        self.version_change(cid, line, version, "a pushed BPR");
    }

    /// Whether another connection of account `key` has a request outstanding that `exp` matches
    /// (a GTC or BLP whose reply has not come): the server may have applied it already, so the
    /// mode it sets is as possible as the mode the file last showed, and a 218 (or a reply) on
    /// this connection that it explains is no violation. (A request never answered is handled
    /// in `Monitor::finalize`: it leaves the mode unknown.) Not covered: the other request's
    /// reply arriving after this one's 218 is still judged against the mode the 218 showed. That
    /// order needs two NS sessions of one account at once, so it comes with a LOGIN-OTH (the
    /// first session's line after the second login, before its `OUT OTH`, reference §14).
    fn mode_in_flight(&self, cid: usize, key: &[u8], exp: impl Fn(&Exp) -> bool) -> bool {
        self.conns
            .iter()
            .enumerate()
            .filter(|(i, c)| *i != cid && c.family == Family::Ns && c.ns.account.as_slice() == key)
            .any(|(_, c)| c.pending.iter().any(|p| !p.answered && exp(&p.exp)))
    }

    /// The state-dependent part of an error reply to a list command.
    pub(super) fn list_error(&mut self, cid: usize, line: usize, p: &Pending, code: u16) {
        let key = self.key(cid);
        let me = self.own_handle(cid);
        match &p.exp {
            Exp::Gtc(mode) => {
                let cur = self.account(&key).gtc;
                if cur.is_some_and(|c| c != *mode)
                    && !self.mode_in_flight(cid, &key, |e| matches!(e, Exp::Gtc(m) if m == mode))
                {
                    self.violate(
                        cid,
                        line,
                        R::Mode218,
                        format!("218 although GTC is not {mode}"),
                    );
                }
                self.account(&key).gtc = Some(*mode);
            }
            Exp::Blp(privacy) => {
                let cur = self.account(&key).blp;
                if cur.is_some_and(|c| c != *privacy)
                    && !self.mode_in_flight(cid, &key, |e| matches!(e, Exp::Blp(v) if v == privacy))
                {
                    self.violate(
                        cid,
                        line,
                        R::Mode218,
                        format!("218 although BLP is not {privacy}"),
                    );
                }
                self.account(&key).blp = Some(*privacy);
            }
            Exp::Add { list, handle, .. } => {
                let acct = self.account(&key);
                let on = acct.list(*list).contains(handle);
                let opposite = match list {
                    List::Allow => acct.list(List::Block).contains(handle),
                    List::Block => acct.list(List::Allow).contains(handle),
                    _ => Some(false),
                };
                let size = acct.list(*list).size();
                let exists = self
                    .accounts
                    .get(handle.as_slice())
                    .is_some_and(|a| a.real && a.exists);
                let h = lossy(handle);
                let bad = !is_email(handle);
                match code {
                    201 if !bad => self.violate(
                        cid,
                        line,
                        R::AddError,
                        format!("201 for the well-formed handle {h}"),
                    ),
                    _ if bad && code != 201 => self.violate(
                        cid,
                        line,
                        R::AddError,
                        format!("ADD of the malformed handle {h}: 201 expected, not {code}"),
                    ),
                    205 if exists => self.violate(
                        cid,
                        line,
                        R::AddError,
                        format!("205 for {h}, an account seen logging in"),
                    ),
                    210 if size.is_some_and(|s| s < LIST_LIMIT) => {
                        self.violate(
                            cid,
                            line,
                            R::AddError,
                            format!("210 although {list} holds {} entries", size.unwrap_or(0)),
                        );
                    }
                    215 if on == Some(false) => self.violate(
                        cid,
                        line,
                        R::List215,
                        format!("215 although {h} is not on {list}"),
                    ),
                    219 if opposite == Some(false) => self.violate(
                        cid,
                        line,
                        R::List219,
                        format!("219 although {h} is not on the opposite list"),
                    ),
                    215 | 219 | 201 | 205 | 210 => {}
                    _ => {}
                }
                if code != 215 && code != 201 && on == Some(true) {
                    self.violate(
                        cid,
                        line,
                        R::List215,
                        format!("ADD of {h} already on {list}: 215 expected, not {code}"),
                    );
                } else if code != 219
                    && code != 215
                    && code != 201
                    && code != 205
                    && opposite == Some(true)
                {
                    self.violate(
                        cid,
                        line,
                        R::List219,
                        format!("ADD {list} of {h} on the opposite list: 219 expected, not {code}"),
                    );
                }
                let acct = self.account(&key);
                match code {
                    215 => acct.list_mut(*list).insert(handle, handle),
                    219 => {
                        let other = if *list == List::Allow {
                            List::Block
                        } else {
                            List::Allow
                        };
                        if acct.list(other).contains(handle).is_none() {
                            acct.list_mut(other).insert(handle, handle);
                        }
                    }
                    _ => {}
                }
            }
            Exp::Rem { list, handle } if code == 216 => {
                if self.account(&key).list(*list).contains(handle) == Some(true) {
                    self.violate(
                        cid,
                        line,
                        R::List216,
                        format!("216 although {} is on {list}", lossy(handle)),
                    );
                }
                self.account(&key).list_mut(*list).remove(handle);
            }
            Exp::Rea { handle, .. } if code == 216 => {
                let acct = self.account(&key);
                let listed = LISTS
                    .iter()
                    .any(|l| acct.list(*l).contains(handle) == Some(true));
                if me.as_deref() == Some(handle.as_slice()) || listed {
                    self.violate(
                        cid,
                        line,
                        R::List216,
                        format!("216 although {} is the user or on a list", lossy(handle)),
                    );
                }
            }
            Exp::Prp {
                property, known, ..
            } if code == 715 && *known && !server_set(property) => {
                self.violate(
                    cid,
                    line,
                    R::ErrorDocumented,
                    format!("715 for the documented property {}", lossy(property)),
                );
            }
            _ => {}
        }
    }

    pub(super) fn fnd(&mut self, cid: usize, line: usize, f: &Fnd<'static>) {
        let t = f.trid().0;
        let Some(mut p) = self.answer(
            cid,
            line,
            t,
            |p| matches!(p.exp, Exp::Fnd { got, total, .. } if total.is_none_or(|n| got < n)),
        ) else {
            self.opaque_or(cid, line, t, "FND");
            return;
        };
        let Exp::Fnd { got, total } = &mut p.exp else {
            return;
        };
        let ok = match *total {
            None => {
                (*f.index() == 0 && *f.total() == 0 && f.result().is_none())
                    || (*f.index() == 1 && *f.total() >= 1)
            }
            Some(n) => *f.index() == got.saturating_add(1) && *f.total() == n,
        };
        if !ok {
            self.violate(
                cid,
                line,
                R::IndexTotal,
                format!(
                    "FND {} {} where result {} was expected",
                    f.index(),
                    f.total(),
                    got.saturating_add(1)
                ),
            );
        }
        *got = got.saturating_add(if f.result().is_some() { 1 } else { 0 });
        *total = Some(*f.total());
        p.answered = true;
        if *got < *f.total() {
            self.put_back(cid, p);
        }
    }
}
