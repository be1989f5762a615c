//! The switchboard (reference §3.5, §14 "Switchboard") and its invitation RNG (§3.4): login by
//! USR/ANS, CAL, JOI, IRO, MSG with ACK/NAK, BYE; cookies and session ids.

use super::notify::Want;
use super::rules::R;
use super::state::{Bytes, Cookie, Exp, Seen};
use super::{Monitor, is_address, is_decimal, lossy};
use msnp6::commands::Command;
use msnp6::commands::login::UsrSwitchboardOk;
use msnp6::commands::switchboard::{AnsOk, Bye, CalRinging, Delivery, Iro, Joi, Msg, Rng};
use msnp6::types::{AckMode, Handle, Status};

/// A cookie is usable for this long (§14).
const COOKIE_SECONDS: u64 = 120;

fn is_email(h: &[u8]) -> bool {
    Handle::new(h).is_ok_and(|h| h.is_email())
}

impl Monitor {
    pub(super) fn client_sb(&mut self, cid: usize, line: usize, cmd: Command<'static>) {
        let trid = cmd.trid().map_or(0, |t| t.0);
        if let Some(c) = self.conns.get_mut(cid) {
            c.trids.insert(trid);
        }
        let joined = self.conns.get(cid).and_then(|c| c.sb.joined);
        let verb = super::login::static_verb(&cmd);
        let needs_join = matches!(cmd, Command::Cal(_) | Command::MsgSend(_));
        if needs_join && joined == Some(false) {
            self.violate(
                cid,
                line,
                R::ClientOrder,
                format!("{verb} before the switchboard login"),
            );
            self.push(
                cid,
                line,
                trid,
                verb,
                Exp::Close {
                    allowed: &[302],
                    why: format!("{verb} before USR/ANS"),
                },
            );
            return;
        }
        match cmd {
            Command::UsrSwitchboard(u) => {
                if joined == Some(true) || self.sb_login_pending(cid) {
                    self.violate(cid, line, R::ClientOrder, "a second USR on the switchboard");
                    self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Close {
                            allowed: &[207],
                            why: "second USR".to_owned(),
                        },
                    );
                    return;
                }
                let handle = u.handle.as_bytes().to_vec();
                if let Some(c) = self.conns.get_mut(cid) {
                    c.sb.me = Some(handle.clone());
                }
                self.push(
                    cid,
                    line,
                    trid,
                    verb,
                    Exp::SbUsr {
                        handle,
                        cookie: u.cookie.as_bytes().to_vec(),
                    },
                );
            }
            Command::Ans(a) => {
                if joined == Some(true) || self.sb_login_pending(cid) {
                    self.violate(cid, line, R::ClientOrder, "a second ANS on the switchboard");
                    self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Close {
                            allowed: &[],
                            why: "second ANS".to_owned(),
                        },
                    );
                    return;
                }
                let handle = a.handle.as_bytes().to_vec();
                let session = a.session.as_bytes().to_vec();
                let mismatch = self.ans_bad_cookie(a.cookie.as_bytes(), &handle, &session);
                if let Some(c) = self.conns.get_mut(cid) {
                    c.sb.me = Some(handle.clone());
                    c.sb.session = Some(session);
                }
                match mismatch {
                    Some(why) => self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Close {
                            allowed: &[],
                            why: format!("ANS with bad data: {why}"),
                        },
                    ),
                    None => self.push(
                        cid,
                        line,
                        trid,
                        verb,
                        Exp::Ans {
                            handle,
                            iro: Vec::new(),
                            total: None,
                        },
                    ),
                }
            }
            Command::Cal(c) => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::Cal {
                    handle: c.handle.as_bytes().to_vec(),
                },
            ),
            Command::MsgSend(m) => {
                let Some(ack) = m.ack.known() else {
                    self.client_bad_value(cid, line, trid, verb, &m.ack.to_string(), &[]);
                    return;
                };
                let (alone, required) = match self.conns.get(cid) {
                    Some(c) if c.sb.roster_complete => (
                        Some(c.sb.roster.is_empty()),
                        ack == AckMode::Acknowledged && !c.sb.roster.is_empty(),
                    ),
                    _ => (None, false),
                };
                self.push(
                    cid,
                    line,
                    trid,
                    verb,
                    Exp::Msg {
                        ack,
                        required,
                        alone,
                    },
                );
                if let Some(me) = self.conns.get(cid).and_then(|c| c.sb.me.clone()) {
                    for o in self.others(cid) {
                        self.owe(o, line, Want::SbMsg { from: me.clone() });
                    }
                }
            }
            Command::Out(_) => self.client_out(cid, line),
            Command::Unknown(u) => self.client_unknown(cid, line, trid, verb, u.verb()),
            _ => self.push(cid, line, trid, verb, Exp::Opaque),
        }
    }

    /// Why the cookie of `ANS handle cookie session` is bad data, when the monitor knows it (§3.5:
    /// ANS takes the cookie and session id of an RNG to that user; §14: bad data closes the
    /// connection). The cookie of an `XFR SB` opens a session with USR, never with ANS
    /// (server/LOCKSTEP-FINDINGS.md #16). A cookie the monitor has not seen is not judged.
    fn ans_bad_cookie(&self, cookie: &[u8], handle: &Bytes, session: &Bytes) -> Option<String> {
        let k = self.cookies.get(cookie)?;
        let Some(invited_to) = &k.session else {
            return Some(format!(
                "the cookie is the XFR SB cookie of line {} (ANS takes an RNG's cookie)",
                k.line
            ));
        };
        if invited_to != session {
            Some(format!(
                "session id {} is not the RNG's (line {})",
                lossy(session),
                k.line
            ))
        } else if k.owner.as_ref().is_some_and(|o| o != handle) {
            Some(format!("the RNG of line {} invited another user", k.line))
        } else {
            None
        }
    }

    fn sb_login_pending(&self, cid: usize) -> bool {
        self.conns.get(cid).is_some_and(|c| {
            c.pending
                .iter()
                .any(|p| matches!(p.exp, Exp::SbUsr { .. } | Exp::Ans { .. }))
        })
    }

    /// SB-ORDER: a line that comes only after the switchboard login.
    fn sb_before_login(&mut self, cid: usize, line: usize, what: &str) {
        if self.conns.get(cid).and_then(|c| c.sb.joined) == Some(false) {
            self.violate(
                cid,
                line,
                R::SbOrder,
                format!("{what} before the switchboard login completed"),
            );
        }
    }

    pub(super) fn server_sb(&mut self, cid: usize, line: usize, cmd: Command<'static>) {
        match cmd {
            Command::Error(e) => self.error_reply(cid, line, e.trid.0, e.code.get()),
            Command::UsrSwitchboardOk(ok) => self.sb_usr_ok(cid, line, &ok),
            Command::CalRinging(r) => self.ringing(cid, line, &r),
            Command::Iro(i) => self.iro(cid, line, &i),
            Command::AnsOk(a) => self.ans_ok(cid, line, &a),
            Command::Joi(j) => self.joi(cid, line, &j),
            Command::Msg(m) => self.relayed_msg(cid, line, &m),
            Command::Ack(d) => self.delivery_reply(cid, line, &d, true),
            Command::Nak(d) => self.delivery_reply(cid, line, &d, false),
            Command::Bye(b) => self.bye(cid, line, &b),
            Command::Out(_) => self.close(cid, line, "the server sent OUT"),
            Command::Unknown(u) => self.violate(
                cid,
                line,
                R::VerbPlace,
                format!("`{}` is not an MSNP6 command", u.verb()),
            ),
            other => self.violate(
                cid,
                line,
                R::VerbPlace,
                format!("`{}` is not a server line on the switchboard", other.verb()),
            ),
        }
    }

    /// The switchboard's USR OK (§3.5): SB-USR-OK, and the user joins the session.
    fn sb_usr_ok(&mut self, cid: usize, line: usize, ok: &UsrSwitchboardOk<'static>) {
        let t = ok.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::SbUsr { .. })
        }) else {
            self.opaque_or(cid, line, t, "USR OK");
            return;
        };
        let Exp::SbUsr { handle, cookie } = &p.exp else {
            return;
        };
        if ok.handle.as_bytes() != handle.as_slice() {
            self.violate(
                cid,
                line,
                R::SbUsrOk,
                format!("USR OK names {} but {} logged in", ok.handle, lossy(handle)),
            );
        }
        let now = self.now;
        let stale = self.cookies.get(cookie).and_then(|k| {
            if k.used {
                Some(format!(
                    "the cookie was already used (XFR of line {})",
                    k.line
                ))
            } else if now.saturating_sub(k.issued) > COOKIE_SECONDS {
                Some(format!(
                    "the cookie of line {} expired ({} s old)",
                    k.line,
                    now.saturating_sub(k.issued)
                ))
            } else {
                None
            }
        });
        if let Some(why) = stale {
            self.violate(
                cid,
                line,
                R::SbCookie,
                format!("USR OK although {why}: 911 expected"),
            );
        }
        if let Some(k) = self.cookies.get_mut(cookie) {
            k.used = true;
        }
        if let Some(c) = self.conns.get_mut(cid) {
            c.sb.joined = Some(true);
            c.sb.roster.clear();
            c.sb.roster_complete = true;
        }
    }

    /// An IRO line of the reply to ANS (§3.5): INDEX-TOTAL and SB-ROSTER.
    fn iro(&mut self, cid: usize, line: usize, i: &Iro<'static>) {
        let t = i.trid.0;
        let Some(mut p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Ans { .. })
        }) else {
            self.opaque_or(cid, line, t, "IRO");
            return;
        };
        if let Exp::Ans { handle, iro, total } = &mut p.exp {
            let expected = u32::try_from(iro.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1);
            if i.index != expected || total.is_some_and(|n| n != i.total) || i.index > i.total {
                self.violate(
                    cid,
                    line,
                    R::IndexTotal,
                    format!(
                        "IRO {} {} where participant {expected} was expected",
                        i.index, i.total
                    ),
                );
            }
            let h = i.handle.as_bytes().to_vec();
            if h == *handle {
                self.violate(cid, line, R::SbRoster, "IRO lists the joining user itself");
            } else if iro.contains(&h) {
                self.violate(
                    cid,
                    line,
                    R::SbRoster,
                    format!("IRO lists {} twice", i.handle),
                );
            }
            iro.push(h);
            *total = Some(i.total);
        }
        self.put_back(cid, p);
    }

    /// ANS OK (§3.5): the end of the reply to ANS; the participants are owed the user's JOI.
    fn ans_ok(&mut self, cid: usize, line: usize, a: &AnsOk) {
        let me = self.conns.get(cid).and_then(|c| c.sb.me.clone());
        let t = a.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Ans { .. })
        }) else {
            self.opaque_or(cid, line, t, "ANS OK");
            return;
        };
        let Exp::Ans { iro, total, .. } = p.exp else {
            return;
        };
        if total.is_some_and(|n| (iro.len() as u64) < u64::from(n)) {
            self.violate(
                cid,
                line,
                R::IndexTotal,
                format!(
                    "ANS OK after {} of {} IRO lines",
                    iro.len(),
                    total.unwrap_or(0)
                ),
            );
        }
        if let Some(c) = self.conns.get_mut(cid) {
            c.sb.joined = Some(true);
            c.sb.roster = iro.into_iter().collect();
            c.sb.roster_complete = true;
        }
        let session = self.conns.get(cid).and_then(|c| c.sb.session.clone());
        if let (Some(s), Some(me)) = (session, me) {
            self.uninvite(cid, &me);
            self.sessions.entry(s).or_default().insert(cid);
            for o in self.others(cid) {
                self.owe_caused(o, p.line, line, Want::Joi { who: me.clone() });
            }
        }
    }

    /// JOI (§3.5, SB-ROSTER): a user who is not a participant yet, never the user itself.
    fn joi(&mut self, cid: usize, line: usize, j: &Joi<'static>) {
        let me = self.conns.get(cid).and_then(|c| c.sb.me.clone());
        self.sb_before_login(cid, line, "JOI");
        let h = j.handle.as_bytes().to_vec();
        if me.as_ref() == Some(&h) {
            self.violate(cid, line, R::SbRoster, "JOI announces the user itself");
        } else if self
            .conns
            .get(cid)
            .is_some_and(|c| c.sb.roster.contains(&h))
        {
            self.violate(
                cid,
                line,
                R::SbRoster,
                format!("JOI {}, who is already a participant", j.handle),
            );
        }
        self.deliver(cid, line, &Want::Joi { who: h.clone() });
        self.uninvite(cid, &h);
        if let Some(c) = self.conns.get_mut(cid) {
            c.sb.invited.remove(&h);
            c.sb.roster.insert(h);
        }
    }

    /// A relayed MSG (§3.5, SB-MSG-SENDER): from a current participant other than the user.
    fn relayed_msg(&mut self, cid: usize, line: usize, m: &Msg<'static>) {
        let me = self.conns.get(cid).and_then(|c| c.sb.me.clone());
        self.sb_before_login(cid, line, "MSG");
        let h = m.handle.as_bytes().to_vec();
        let (complete, present) = self.conns.get(cid).map_or((false, false), |c| {
            (c.sb.roster_complete, c.sb.roster.contains(&h))
        });
        self.deliver(cid, line, &Want::SbMsg { from: h.clone() });
        if me.as_ref() == Some(&h) {
            self.violate(
                cid,
                line,
                R::SbMsgSender,
                "the user's own message is relayed back to it",
            );
        } else if complete && !present {
            self.violate(
                cid,
                line,
                R::SbMsgSender,
                format!("MSG from {}, who is not a participant", m.handle),
            );
        } else if let Some(c) = self.conns.get_mut(cid) {
            c.sb.roster.insert(h);
        }
    }

    /// ACK or NAK (§3.5, §13.3, SB-ACK): only for MSG A/N with their TrID.
    fn delivery_reply(&mut self, cid: usize, line: usize, d: &Delivery, is_ack: bool) {
        let what = if is_ack { "ACK" } else { "NAK" };
        let t = d.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Msg { .. })
        }) else {
            self.violate(
                cid,
                line,
                R::SbAck,
                format!("{what} {t} answers no MSG A/N with TrID {t}"),
            );
            return;
        };
        let Exp::Msg { ack, alone, .. } = p.exp else {
            return;
        };
        match (ack, is_ack) {
            (AckMode::Unacknowledged, _) => self.violate(
                cid,
                line,
                R::SbAck,
                format!("{what} for MSG {t} U, which gets no reply"),
            ),
            (AckMode::NegativeOnly, true) => self.violate(
                cid,
                line,
                R::SbAck,
                format!("ACK for MSG {t} N, which only gets NAK"),
            ),
            (AckMode::Acknowledged, true) if alone == Some(true) => {
                self.violate(
                    cid,
                    line,
                    R::SbAck,
                    format!("ACK for MSG {t} A although nobody else is in the session"),
                );
            }
            _ => {}
        }
    }

    /// BYE (§3.5, SB-BYE): a current participant other than the user left.
    fn bye(&mut self, cid: usize, line: usize, b: &Bye<'static>) {
        let me = self.conns.get(cid).and_then(|c| c.sb.me.clone());
        self.sb_before_login(cid, line, "BYE");
        let h = b.handle.as_bytes().to_vec();
        let (complete, present) = self.conns.get(cid).map_or((false, false), |c| {
            (c.sb.roster_complete, c.sb.roster.contains(&h))
        });
        self.deliver(cid, line, &Want::Bye { who: h.clone() });
        if me.as_ref() == Some(&h) {
            self.violate(cid, line, R::SbBye, "BYE names the user itself");
        } else if complete && !present {
            self.violate(
                cid,
                line,
                R::SbBye,
                format!("BYE {}, who is not a participant", b.handle),
            );
        }
        if let Some(c) = self.conns.get_mut(cid) {
            c.sb.roster.remove(&h);
        }
    }

    fn ringing(&mut self, cid: usize, line: usize, r: &CalRinging<'static>) {
        let t = r.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Cal { .. })
        }) else {
            self.opaque_or(cid, line, t, "CAL RINGING");
            return;
        };
        let Exp::Cal { handle } = &p.exp else { return };
        let session = r.session.as_bytes().to_vec();
        if !is_decimal(&session) {
            self.violate(
                cid,
                line,
                R::SbSessionId,
                format!("session id `{}` is not decimal", r.session),
            );
        }
        let known = self.conns.get(cid).and_then(|c| c.sb.session.clone());
        match known {
            Some(s) if s != session => {
                self.violate(
                    cid,
                    line,
                    R::SbSessionId,
                    format!(
                        "session id {} differs from this switchboard's {}",
                        r.session,
                        lossy(&s)
                    ),
                );
            }
            _ => {
                if let Some(c) = self.conns.get_mut(cid) {
                    c.sb.session = Some(session);
                }
            }
        }
        if let Some(why) = self.cal_needs_error(cid, handle) {
            self.violate(
                cid,
                line,
                R::SbCal,
                format!("CAL {} rings although {why}", lossy(handle)),
            );
        }
        let h = handle.clone();
        if let Some(c) = self.conns.get_mut(cid) {
            c.sb.invited.insert(h.clone());
        }
        if let Some(s) = self.conns.get(cid).and_then(|c| c.sb.session.clone()) {
            self.invitations
                .entry(s.clone())
                .or_default()
                .insert(h.clone());
            self.sessions.entry(s.clone()).or_default().insert(cid);
            if let Some(me) = self.conns.get(cid).and_then(|c| c.sb.me.clone()) {
                for other in self.ns_conns_of(&h) {
                    let want = Want::Rng {
                        session: s.clone(),
                        inviter: me.clone(),
                    };
                    self.owe_caused(other, p.line, line, want);
                }
            }
        }
    }

    /// `who` joined the switchboard session of `cid`: the session's invitation of it is used.
    fn uninvite(&mut self, cid: usize, who: &Bytes) {
        let session = self.conns.get(cid).and_then(|c| c.sb.session.clone());
        if let Some(hs) = session.and_then(|s| self.invitations.get_mut(&s)) {
            hs.remove(who);
        }
    }

    /// The other joined, open connections of the switchboard session(s) of `cid`.
    fn others(&self, cid: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .sessions
            .values()
            .filter(|m| m.contains(&cid))
            .flat_map(|m| m.iter().copied())
            .filter(|&o| o != cid)
            .filter(|&o| {
                self.conns.get(o).is_some_and(|c| {
                    c.closed.is_none() && c.client_out.is_none() && c.sb.joined == Some(true)
                })
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The user of switchboard connection `cid` left (OUT or disconnect): the others get BYE.
    pub(super) fn leave_session(&mut self, cid: usize, line: usize) {
        let Some(me) = self
            .conns
            .get(cid)
            .filter(|c| c.sb.joined == Some(true))
            .and_then(|c| c.sb.me.clone())
        else {
            return;
        };
        // The cause: the client line the server closes on, or the client's OUT. That is a line
        // the server owes a close for, or an unanswered line the monitor cannot read (Opaque,
        // Unread), which the server may close on (§14). The others' BYE may come before the close
        // is observed: the server decided both when it read that line (server/LOCKSTEP-FINDINGS.md
        // #13).
        let cause = self.conns.get(cid).map_or(line, |c| {
            c.pending
                .iter()
                .find(|p| match p.exp {
                    Exp::Close { .. } => true,
                    Exp::Opaque => !p.answered,
                    Exp::Unread => true,
                    _ => false,
                })
                .map(|p| p.line)
                .or(c.client_out)
                .unwrap_or(line)
        });
        for o in self.others(cid) {
            self.owe_caused(o, cause, line, Want::Bye { who: me.clone() });
        }
        for members in self.sessions.values_mut() {
            members.remove(&cid);
        }
    }

    /// Why a CAL of `handle` must be refused, if the file shows it.
    fn cal_needs_error(&self, cid: usize, handle: &Bytes) -> Option<String> {
        let c = self.conns.get(cid)?;
        if c.sb.me.as_ref() == Some(handle) {
            return Some("it calls the user itself: 215 expected".to_owned());
        }
        if c.sb.roster.contains(handle) {
            return Some("the callee is a participant: 215 expected".to_owned());
        }
        if !is_email(handle) {
            return Some("the handle is malformed: 208 expected".to_owned());
        }
        let callee = self.accounts.get(handle.as_slice()).filter(|a| a.real)?;
        if callee.requested.is_some_and(Status::is_visible_online) {
            // The callee asked for an online status and its echo has not been read yet: the lines
            // of two connections only order "sent before received" (as for presence lines).
            return None;
        }
        match callee.seen {
            Seen::Offline(_) | Seen::NoStatus => {
                Some("the callee is offline: 217 expected".to_owned())
            }
            Seen::Status(s, _) if !s.is_visible_online() => {
                Some(format!("the callee is {s}: 217 expected"))
            }
            _ => None,
        }
    }

    /// The state-dependent part of an error reply to CAL.
    pub(super) fn cal_error(&mut self, cid: usize, line: usize, handle: &Bytes, code: u16) {
        let Some(c) = self.conns.get(cid) else { return };
        let h = lossy(handle);
        let me = c.sb.me.as_ref() == Some(handle);
        let present = c.sb.roster.contains(handle);
        // An invitation by anyone in the same session counts, including a participant who has
        // left since (one session, one set of invitations: reference §3.5 CAL "already invited").
        let invited = c.sb.invited.contains(handle)
            || c.sb.session.as_ref().is_some_and(|s| {
                self.invitations
                    .get(s)
                    .is_some_and(|hs| hs.contains(handle))
            });
        let complete = c.sb.roster_complete;
        let email = is_email(handle);
        let callee = self
            .accounts
            .get(handle.as_slice())
            .filter(|a| a.real)
            .map(|a| a.seen);
        let wrong = match code {
            215 if !(me || present || invited || !complete) => Some(format!(
                "215 although {h} is neither a participant nor invited"
            )),
            208 if email => Some(format!("208 for the well-formed handle {h}")),
            _ if code != 215 && (me || present) => Some(format!(
                "{code} although {h} is already in the session: 215 expected"
            )),
            _ if code != 208 && code != 215 && !email => {
                Some(format!("{code} for the malformed handle {h}: 208 expected"))
            }
            217 | 216
                if callee.is_some_and(
                    |s| matches!(s, Seen::Status(st, _) if st.is_visible_online()),
                ) =>
            {
                None
            }
            _ => None,
        };
        if let Some(w) = wrong {
            self.violate(cid, line, R::SbCal, w);
        }
    }

    /// 911 to a switchboard USR: wrong only for a fresh, unused `XFR SB` cookie of this user. The
    /// cookie of an `RNG` (it names a session) is for `ANS` (§3.5): USR with it has a bad cookie,
    /// and 911 is right (§14; server/LOCKSTEP-FINDINGS.md #14).
    pub(super) fn sb_usr_refused(
        &mut self,
        cid: usize,
        line: usize,
        handle: &Bytes,
        cookie: &Bytes,
    ) {
        let now = self.now;
        let Some(k) = self.cookies.get(cookie) else {
            return;
        };
        let fresh = k.session.is_none()
            && !k.used
            && now.saturating_sub(k.issued) <= COOKIE_SECONDS
            && k.owner.as_ref() == Some(handle);
        if fresh {
            let at = k.line;
            self.violate(
                cid,
                line,
                R::SbCookie,
                format!("911 for the valid, unused cookie of line {at}"),
            );
        }
    }

    pub(super) fn rng(&mut self, cid: usize, line: usize, r: &Rng<'static>) {
        self.require_login(cid, line, "RNG");
        if !is_decimal(r.session.as_bytes()) {
            self.violate(
                cid,
                line,
                R::RngTarget,
                format!("session id `{}` is not decimal", r.session),
            );
        }
        if !is_address(r.address.as_bytes()) {
            self.violate(
                cid,
                line,
                R::XfrShape,
                format!("`{}` is not host:port", r.address),
            );
        }
        let key = self.key(cid);
        let seen = self.accounts.get(&key).map_or(Seen::Unknown, |a| a.seen);
        if seen.visible() == Some(false) {
            self.violate(
                cid,
                line,
                R::RngTarget,
                "RNG to a user who is not online (no status, hidden or offline)",
            );
        }
        let want = Want::Rng {
            session: r.session.as_bytes().to_vec(),
            inviter: r.handle.as_bytes().to_vec(),
        };
        if !self.deliver(cid, line, &want)
            && !self.may_come_early(cid, &want)
            && self.sessions.contains_key(r.session.as_bytes())
        {
            self.violate(
                cid,
                line,
                R::RngTarget,
                format!(
                    "RNG for session {}, but no CAL of the user rang there",
                    r.session
                ),
            );
        }
        let owner = self.accounts.get(&key).filter(|a| a.real).map(|_| key);
        let cookie = Cookie {
            owner,
            session: Some(r.session.as_bytes().to_vec()),
            issued: self.now,
            used: false,
            line,
        };
        self.cookies.insert(r.cookie.as_bytes().to_vec(), cookie);
    }
}
