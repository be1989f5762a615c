//! Login and session rules on the DS/NS (reference §3.1, §8): VER, INF, USR, XFR NS, CVR, OUT,
//! PNG/QNG; the dispatch of NS lines; error replies.

use super::rules::R;
use super::state::{Exp, Family, Pending, Phase, Seen};
use super::{Monitor, is_address, lossy};
use crate::model::md5::{digest as md5_digest, is_digest_shape};
use msnp6::commands::Command;
use msnp6::commands::login::{UsrInitial, UsrOk, UsrOther, UsrResponse, Ver, XfrNotification};
use msnp6::commands::services::UrlRequest;
use msnp6::message::Message;
use msnp6::types::{Dialect, ServerKind, UrlService};

/// Error codes after which the server closes the connection (reference §3.1, §3.4, §3.5).
const CLOSING: &[u16] = &[911, 923, 924, 540, 503, 731];

/// The error codes the reference documents for a command (§3, §4, §13, §14).
fn allowed_errors(exp: &Exp) -> &'static [u16] {
    match exp {
        Exp::UsrI {
            after_login: true, ..
        }
        | Exp::UsrS {
            after_login: true, ..
        } => &[911, 923, 924, 207],
        Exp::UsrI { .. } | Exp::UsrS { .. } => &[911, 923, 924],
        Exp::Usr207 => &[207],
        Exp::SbUsr { .. } => &[911],
        Exp::XfrSb => &[913],
        Exp::Cvr => &[420, 710, 731],
        Exp::Gtc(_) | Exp::Blp(_) => &[218],
        Exp::Add { .. } => &[201, 205, 210, 215, 219],
        Exp::Rem { .. } => &[216],
        Exp::Rea { .. } => &[209, 216, 800],
        // 201 ("invalid parameter", §4) for a parameter outside its documented values: PRP MOB
        // other than Y/N (§3.2 PRP), PAG to a malformed handle, a URL service the dialect does
        // not document (§3.4): the monitor's reading, not the codec's `validate`.
        Exp::Prp { .. } => &[715, 201],
        Exp::Chg {
            status: msnp6::types::Status::Offline,
            ..
        } => &[201],
        Exp::Fnd { .. } => &[201, 301, 502],
        Exp::Invite => &[503],
        Exp::Pag => &[201, 800],
        Exp::Qry { .. } => &[540],
        Exp::Cal { .. } => &[208, 215, 216, 217, 713],
        Exp::Url { refusable: true } => &[201],
        Exp::Close { allowed, .. } => allowed,
        _ => &[],
    }
}

impl Monitor {
    // ----- client lines on the DS/NS -----------------------------------------------------------

    /// CLIENT-ORDER: a command that needs login before the login completed: the server owes a
    /// disconnect or 302 (§14); after a referral the connection is no longer the login's.
    fn client_before_login(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        verb: &'static str,
        phase: &Phase,
    ) {
        if *phase == Phase::Referred {
            self.violate(
                cid,
                line,
                R::ClientOrder,
                format!("{verb} after the server referred the client elsewhere"),
            );
            self.push(cid, line, trid, verb, Exp::Opaque);
        } else {
            self.violate(
                cid,
                line,
                R::ClientOrder,
                format!("{verb} before the login completed"),
            );
            self.push(
                cid,
                line,
                trid,
                verb,
                Exp::Close {
                    allowed: &[302],
                    why: format!("{verb} before login"),
                },
            );
        }
    }

    pub(super) fn client_ns(&mut self, cid: usize, line: usize, cmd: Command<'static>) {
        let Some(c) = self.conns.get_mut(cid) else {
            return;
        };
        let trid = cmd.trid().map_or(0, |t| t.0);
        let reused = cmd.trid().is_some() && !c.trids.insert(trid);
        let phase = c.ns.phase.clone();
        let logged = c.maybe_logged_in();
        let verb = static_verb(&cmd);
        let login_free = matches!(
            cmd,
            Command::Ver(_)
                | Command::InfRequest(_)
                | Command::UsrInitial(_)
                | Command::UsrResponse(_)
                | Command::UsrOther(_)
                | Command::Cvr(_)
                | Command::Cvq(_)
                | Command::Out(_)
                | Command::Png(_)
                | Command::Unknown(_)
        );
        if !login_free && !logged {
            self.client_before_login(cid, line, trid, verb, &phase);
            return;
        }
        match cmd {
            Command::Ver(v) => self.client_ver(cid, line, &v),
            Command::InfRequest(_) => {
                let inf_done = self.conns.get(cid).is_some_and(|c| c.ns.inf);
                let ok = matches!(phase, Phase::Ver | Phase::Unknown) && !inf_done;
                if ok {
                    if let Some(c) = self.conns.get_mut(cid) {
                        c.ns.inf = true;
                    }
                    self.push(cid, line, trid, verb, Exp::Inf);
                } else {
                    self.out_of_order(cid, line, trid, verb);
                }
            }
            Command::UsrInitial(u) => self.client_usr_initial(cid, line, &u),
            Command::UsrResponse(u) => self.client_usr_response(cid, line, &u),
            Command::UsrOther(u) => self.client_usr_other(cid, line, &u),
            Command::Cvr(_) | Command::Cvq(_) => self.push(cid, line, trid, verb, Exp::Cvr),
            Command::Out(_) => self.client_out(cid, line),
            Command::Png(_) => {
                if let Some(c) = self.conns.get_mut(cid) {
                    c.png.push_back(line);
                }
            }
            Command::XfrRequest(x) => self.client_xfr(cid, line, trid, &x),
            Command::Syn(_)
            | Command::LstRequest(_)
            | Command::GtcRequest(_)
            | Command::BlpRequest(_)
            | Command::AddRequest(_)
            | Command::RemRequest(_)
            | Command::ReaRequest(_)
            | Command::PrpRequest(_) => self.client_lists(cid, line, trid, cmd),
            Command::Chg(c) => self.client_chg(cid, line, trid, &c),
            Command::ImsRequest(i) => match i.state.known() {
                Some(_) => self.push(cid, line, trid, verb, Exp::Ims(i.state.as_bytes().to_vec())),
                None => self.client_bad_value(cid, line, trid, verb, &i.state.to_string(), &[]),
            },
            Command::UrlRequest(u) => self.client_url(cid, line, &u),
            Command::FndRequest(_) => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::Fnd {
                    got: 0,
                    total: None,
                },
            ),
            Command::SndRequest(_) | Command::Sdc(_) => {
                self.push(cid, line, trid, verb, Exp::Invite)
            }
            Command::Pag(_) => self.push(cid, line, trid, verb, Exp::Pag),
            Command::ChlRequest(_) => self.push(cid, line, trid, verb, Exp::ChlReq),
            Command::Qry(q) => self.client_qry(cid, line, trid, reused, &q),
            Command::Unknown(u) => self.client_unknown(cid, line, trid, verb, u.verb()),
            _ => self.push(cid, line, trid, verb, Exp::Opaque),
        }
    }

    /// USR I (§3.1, §8): in order after VER (and INF), once; after login the server owes 207.
    fn client_usr_initial(&mut self, cid: usize, line: usize, u: &UsrInitial<'static>) {
        let trid = u.trid.0;
        let phase = self
            .conns
            .get(cid)
            .map_or(Phase::Unknown, |c| c.ns.phase.clone());
        let verb = "USR";
        let handle = u.handle.as_bytes().to_vec();
        match phase {
            Phase::Ver => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::UsrI {
                    handle,
                    after_login: false,
                },
            ),
            Phase::Unknown => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::UsrI {
                    handle,
                    after_login: true,
                },
            ),
            Phase::LoggedIn => self.push(cid, line, trid, verb, Exp::Usr207),
            _ => self.out_of_order(cid, line, trid, verb),
        }
    }

    /// USR S (§3.1, §9): after the salt; the digest is checked when the password is known.
    fn client_usr_response(&mut self, cid: usize, line: usize, u: &UsrResponse<'static>) {
        let trid = u.trid.0;
        let phase = self
            .conns
            .get(cid)
            .map_or(Phase::Unknown, |c| c.ns.phase.clone());
        let verb = "USR";
        let digest = u.digest.expose().as_bytes().to_vec();
        if !is_digest_shape(&digest) {
            self.violate(
                cid,
                line,
                R::ClientDigest,
                "the USR S digest is not 32 lower-case hex digits",
            );
        }
        match phase {
            Phase::Salt { .. } => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::UsrS {
                    digest,
                    after_login: false,
                },
            ),
            Phase::Unknown => self.push(
                cid,
                line,
                trid,
                verb,
                Exp::UsrS {
                    digest,
                    after_login: true,
                },
            ),
            Phase::LoggedIn => self.push(cid, line, trid, verb, Exp::Usr207),
            _ => self.out_of_order(cid, line, trid, verb),
        }
    }

    /// A USR with another security package: refused or disconnected (§3.1).
    fn client_usr_other(&mut self, cid: usize, line: usize, u: &UsrOther<'static>) {
        let trid = u.trid().0;
        let phase = self
            .conns
            .get(cid)
            .map_or(Phase::Unknown, |c| c.ns.phase.clone());
        let verb = "USR";
        let ctp = u.package().as_bytes() == b"CTP";
        let dialect = self.conns.get(cid).map_or(Dialect::Msnp6, |c| c.dialect);
        if phase == Phase::LoggedIn {
            self.push(cid, line, trid, verb, Exp::Usr207);
        } else if ctp && dialect.version() == 2 {
            self.push(cid, line, trid, verb, Exp::Opaque);
        } else {
            self.violate(
                cid,
                line,
                R::ClientValue,
                format!("USR package `{}` is not MD5", u.package()),
            );
            self.push(
                cid,
                line,
                trid,
                verb,
                Exp::Close {
                    allowed: &[],
                    why: "unknown USR package".to_owned(),
                },
            );
        }
    }

    /// URL (§3.4): a service the dialect in force does not document may be refused with 201.
    fn client_url(&mut self, cid: usize, line: usize, u: &UrlRequest<'static>) {
        let trid = u.trid.0;
        let verb = "URL";
        let dialect = self.conns.get(cid).map_or(5, |c| c.dialect.version());
        let refusable = match u.service.known() {
            None | Some(UrlService::Password) => true,
            Some(UrlService::Mobile | UrlService::ChangeMobile) => dialect < 5,
            Some(UrlService::Profile | UrlService::N2pAccount | UrlService::N2pFund) => dialect < 6,
            Some(_) => false,
        };
        self.push(cid, line, trid, verb, Exp::Url { refusable });
    }

    /// A known command at the wrong point of the login: the server disconnects (§14).
    fn out_of_order(&mut self, cid: usize, line: usize, trid: u32, verb: &'static str) {
        self.violate(
            cid,
            line,
            R::ClientOrder,
            format!("{verb} out of the login order (or sent twice)"),
        );
        self.push(
            cid,
            line,
            trid,
            verb,
            Exp::Close {
                allowed: &[],
                why: format!("{verb} out of order"),
            },
        );
    }

    /// An undocumented value in a client command: the server disconnects (or sends `allowed`).
    pub(super) fn client_bad_value(
        &mut self,
        cid: usize,
        line: usize,
        trid: u32,
        verb: &'static str,
        value: &str,
        allowed: &'static [u16],
    ) {
        self.violate(
            cid,
            line,
            R::ClientValue,
            format!("`{value}` is not a documented value for {verb}"),
        );
        self.push(
            cid,
            line,
            trid,
            verb,
            Exp::Close {
                allowed,
                why: format!("{verb} with an undocumented value"),
            },
        );
    }

    pub(super) fn client_out(&mut self, cid: usize, line: usize) {
        // What this connection is owed stays owed: the server sent it before reading OUT.
        self.logout(cid, line);
        if let Some(c) = self.conns.get_mut(cid) {
            c.client_out = Some(line);
            if c.family == Family::Ns && c.ns.phase == Phase::LoggedIn {
                c.ns.phase = Phase::Unknown;
            }
        }
    }

    fn client_ver(&mut self, cid: usize, line: usize, v: &Ver<'static>) {
        let fresh = self.conns.get(cid).is_some_and(|c| {
            c.ns.phase == Phase::Fresh && !c.pending.iter().any(|p| p.verb == "VER")
        });
        if fresh {
            let offered = v.dialects.iter().map(<[u8]>::to_vec).collect();
            self.push(cid, line, v.trid.0, "VER", Exp::Ver { offered });
        } else {
            self.out_of_order(cid, line, v.trid.0, "VER");
        }
    }

    // ----- server lines on the DS/NS -----------------------------------------------------------

    pub(super) fn server_ns(&mut self, cid: usize, line: usize, cmd: Command<'static>) {
        if let Some(ok_line) = self
            .conns
            .get_mut(cid)
            .and_then(|c| c.ns.expect_profile.take())
        {
            if !is_profile(&cmd) {
                self.violate(
                    cid,
                    line,
                    R::LoginProfile,
                    format!("the first line after USR OK (line {ok_line}) is not the profile MSG"),
                );
            }
        }
        match cmd {
            Command::Error(e) => self.error_reply(cid, line, e.trid.0, e.code.get()),
            Command::Ver(v) => self.ver_reply(cid, line, &v),
            Command::Inf(i) => {
                if self
                    .answer(cid, line, i.trid.0, |p| {
                        !p.answered && matches!(p.exp, Exp::Inf)
                    })
                    .is_none()
                {
                    self.opaque_or(cid, line, i.trid.0, "INF");
                }
                let dialect = self.conns.get(cid).map_or(Dialect::Msnp6, |c| c.dialect);
                let packages: Vec<&[u8]> = i.packages.iter().collect();
                let ok = if dialect.version() >= 3 {
                    packages == [b"MD5".as_slice()]
                } else {
                    !packages.is_empty() && packages.iter().all(|p| *p == b"MD5" || *p == b"CTP")
                };
                if !ok {
                    self.violate(
                        cid,
                        line,
                        R::InfMd5,
                        format!("INF lists `{}`; {dialect} has only MD5", i.packages),
                    );
                }
            }
            Command::UsrSalt(s) => {
                let t = s.trid.0;
                match self.answer(cid, line, t, |p| {
                    !p.answered && matches!(p.exp, Exp::UsrI { .. })
                }) {
                    Some(p) => {
                        if self.conns.get(cid).and_then(|c| c.kind) == Some(ServerKind::Dispatch) {
                            self.violate(
                                cid,
                                line,
                                R::DsReferral,
                                "the dispatch server sent a salt instead of an XFR NS referral",
                            );
                        }
                        let Exp::UsrI { handle, .. } = p.exp else {
                            return;
                        };
                        if let Some(c) = self.conns.get_mut(cid) {
                            c.ns.phase = Phase::Salt {
                                handle,
                                salt: s.salt.as_bytes().to_vec(),
                            };
                        }
                    }
                    None => self.login_misfit(cid, line, t, "USR MD5 S (salt)"),
                }
            }
            Command::UsrOk(ok) => self.usr_ok(cid, line, &ok),
            Command::XfrNotification(x) => self.referral(cid, line, &x),
            Command::XfrReset(_) => {
                self.logout(cid, line);
                let dialect = self.initial_dialect();
                if let Some(c) = self.conns.get_mut(cid) {
                    c.pending.clear();
                    c.dialect = dialect;
                    c.ns.inf = false;
                    c.ns.expect_profile = None;
                    c.make_fresh();
                }
            }
            Command::XfrSwitchboard(x) => self.xfr_sb(cid, line, &x),
            Command::CvrAdvice(a) | Command::CvqAdvice(a) => {
                self.simple_reply(cid, line, a.trid.0, "CVR", |e| matches!(e, Exp::Cvr))
            }
            Command::Out(o) => {
                if o.reason.as_ref().is_some_and(|r| r.as_bytes() == b"OTH") {
                    self.deliver(cid, line, &super::notify::Want::OutOth);
                }
                self.close(cid, line, "the server sent OUT");
            }
            Command::Qng(_) => match self.conns.get_mut(cid).and_then(|c| c.png.pop_front()) {
                Some(png) => self.done_before(cid, line, png),
                None => self.violate(cid, line, R::PngQng, "QNG without an unanswered PNG"),
            },
            Command::Syn(_)
            | Command::Lst(_)
            | Command::Gtc(_)
            | Command::Blp(_)
            | Command::Prp(_)
            | Command::Add(_)
            | Command::ReverseAdd(_)
            | Command::Rem(_)
            | Command::ReverseRemove(_)
            | Command::Rea(_)
            | Command::Bpr(_) => self.server_lists(cid, line, cmd),
            Command::Chg(c) => self.server_chg(cid, line, &c),
            Command::Iln(i) => self.server_iln(cid, line, &i),
            Command::Nln(n) => self.server_nln(cid, line, &n),
            Command::Fln(f) => self.server_fln(cid, line, &f),
            Command::Ims(i) => {
                let t = i.trid.0;
                match self.answer(cid, line, t, |p| {
                    !p.answered && matches!(p.exp, Exp::Ims(_))
                }) {
                    Some(Pending {
                        exp: Exp::Ims(asked),
                        ..
                    }) if asked != i.state.as_bytes() => {
                        self.violate(
                            cid,
                            line,
                            R::ReplyEcho,
                            format!("IMS reply `{}` does not echo `{}`", i.state, lossy(&asked)),
                        );
                    }
                    Some(_) => {}
                    None => self.opaque_or(cid, line, t, "IMS"),
                }
            }
            Command::Url(u) => {
                self.simple_reply(cid, line, u.trid.0, "URL", |e| matches!(e, Exp::Url { .. }))
            }
            Command::Fnd(f) => self.fnd(cid, line, &f),
            Command::SndOk(o) | Command::SdcOk(o) => {
                self.simple_reply(cid, line, o.trid.0, "SND/SDC OK", |e| {
                    matches!(e, Exp::Invite)
                })
            }
            Command::Not(_) => {
                self.require_login(cid, line, "NOT");
            }
            Command::Ipg(_) => {
                self.require_login(cid, line, "IPG");
            }
            Command::Msg(_) => {
                self.require_login(cid, line, "MSG");
            }
            Command::Chl(c) => self.server_chl(cid, line, &c),
            Command::QryOk(q) => self.qry_ok(cid, line, q.trid.0),
            Command::Rng(r) => self.rng(cid, line, &r),
            Command::Unknown(u) => {
                self.violate(
                    cid,
                    line,
                    R::VerbPlace,
                    format!("`{}` is not an MSNP6 command", u.verb()),
                );
            }
            other => {
                self.violate(
                    cid,
                    line,
                    R::VerbPlace,
                    format!("`{}` is not a server line on the NS", other.verb()),
                );
            }
        }
    }

    /// A login reply whose TrID names a USR at another stage, or nothing.
    fn login_misfit(&mut self, cid: usize, line: usize, trid: u32, what: &str) {
        let stage = self
            .conns
            .get(cid)
            .and_then(|c| c.pending.iter().find(|p| p.trid == trid))
            .map(|p| {
                (
                    matches!(p.exp, Exp::Usr207),
                    p.line,
                    matches!(p.exp, Exp::UsrI { .. } | Exp::UsrS { .. } | Exp::Usr207),
                )
            });
        match stage {
            Some((after_login, at, true)) => {
                let (r, msg) = if after_login {
                    (
                        R::Login207,
                        format!(
                            "{what} answers the USR of line {at}, sent after login: 207 expected"
                        ),
                    )
                } else {
                    (
                        R::LoginOrder,
                        format!("{what} does not answer the USR of line {at} at its stage"),
                    )
                };
                self.violate(cid, line, r, msg);
                // the line is taken as the reply it claims to be
                let _ = self.answer(cid, line, trid, |p| p.trid == trid);
            }
            _ => self.opaque_or(cid, line, trid, what),
        }
    }

    fn ver_reply(&mut self, cid: usize, line: usize, v: &Ver<'static>) {
        let t = v.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::Ver { .. })
        }) else {
            self.opaque_or(cid, line, t, "VER");
            return;
        };
        let Exp::Ver { offered } = p.exp else { return };
        let reply: Vec<&[u8]> = v.dialects.iter().collect();
        if v.is_refusal() {
            self.close(cid, line, "VER 0: no acceptable dialect");
            return;
        }
        let echoed = reply.len() == offered.len()
            && reply.iter().zip(&offered).all(|(a, b)| *a == b.as_slice());
        let chosen = match reply.as_slice() {
            [one] if offered.iter().any(|o| o.as_slice() == *one) => Some(*one),
            _ if echoed => reply
                .iter()
                .copied()
                .find(|d| Dialect::from_bytes(d).is_some()),
            _ => None,
        };
        let Some(chosen) = chosen else {
            self.violate(
                cid,
                line,
                R::VerChoice,
                format!(
                    "VER reply `{}` is not one of the offered dialects, 0, or the whole list",
                    v.dialects
                ),
            );
            self.set_phase(cid, Phase::Ver);
            return;
        };
        let dialect = Dialect::from_bytes(chosen);
        if let Some(c) = self.conns.get_mut(cid) {
            if let Some(d) = dialect {
                c.dialect = d;
            }
            c.ns.phase = if dialect == Some(Dialect::Cvr0) {
                Phase::Cvr0
            } else {
                Phase::Ver
            };
        }
    }

    fn set_phase(&mut self, cid: usize, phase: Phase) {
        if let Some(c) = self.conns.get_mut(cid) {
            c.ns.phase = phase;
        }
    }

    fn usr_ok(&mut self, cid: usize, line: usize, ok: &UsrOk<'static>) {
        let t = ok.trid.0;
        let Some(p) = self.answer(cid, line, t, |p| {
            !p.answered && matches!(p.exp, Exp::UsrS { .. } | Exp::Opaque)
        }) else {
            self.login_misfit(cid, line, t, "USR OK");
            return;
        };
        let handle = ok.handle.as_bytes().to_vec();
        let phase = self.conns.get(cid).map(|c| c.ns.phase.clone());
        if let Some(Phase::Salt {
            handle: asked,
            salt,
        }) = phase
        {
            if asked != handle {
                self.violate(
                    cid,
                    line,
                    R::LoginOkHandle,
                    format!(
                        "USR OK names {} but USR I named {}",
                        lossy(&handle),
                        lossy(&asked)
                    ),
                );
            }
            if let (Exp::UsrS { digest, .. }, Some(password)) = (&p.exp, self.opts.password(&asked))
            {
                let right = md5_digest(&salt, password.as_bytes());
                if digest.as_slice() != right.as_bytes() {
                    self.violate(
                        cid,
                        line,
                        R::LoginDigest,
                        format!("USR OK accepts a wrong digest for {}", lossy(&asked)),
                    );
                }
            }
        }
        self.login(cid, line, handle, ok.name.as_bytes().to_vec());
    }

    /// The user of NS connection `cid` logged in as `handle`.
    fn login(&mut self, cid: usize, line: usize, handle: Vec<u8>, name: Vec<u8>) {
        let profile = self
            .conns
            .get(cid)
            .is_some_and(|c| c.kind != Some(ServerKind::Dispatch));
        for older in self.ns_conns_of(&handle) {
            if older != cid {
                self.owe(older, line, super::notify::Want::OutOth);
            }
        }
        if let Some(c) = self.conns.get_mut(cid) {
            c.ns.phase = Phase::LoggedIn;
            c.ns.account = handle.clone();
            c.ns.syn = Some(false);
            c.ns.first_chg = Some(false);
            c.ns.challenges.clear();
            c.ns.challenges_known = true;
            c.ns.expect_profile = profile.then_some(line);
        }
        let acct = self.account(&handle);
        acct.exists = true;
        acct.name = Some(name);
        acct.pending_name = None;
        let old = acct.seen;
        acct.seen = Seen::NoStatus;
        acct.requested = None;
        acct.changes = acct.changes.wrapping_add(1);
        // A second login: the older session's watchers now see the user offline (§14).
        self.broadcast(&handle, line, old, false);
    }

    fn referral(&mut self, cid: usize, line: usize, x: &XfrNotification<'static>) {
        let t = x.trid().0;
        if self
            .answer(cid, line, t, |p| {
                !p.answered && matches!(p.exp, Exp::UsrI { .. })
            })
            .is_none()
        {
            self.login_misfit(cid, line, t, "XFR NS");
        }
        if !is_address(x.address().as_bytes()) {
            self.violate(
                cid,
                line,
                R::XfrShape,
                format!("`{}` is not host:port", x.address()),
            );
        }
        if let Some(k) = &x.constant() {
            if k.as_bytes() != b"0" {
                self.violate(
                    cid,
                    line,
                    R::XfrShape,
                    format!("the referral's constant is `{k}`, not 0"),
                );
            }
        }
        self.set_phase(cid, Phase::Referred);
    }

    // ----- error replies ---------------------------------------------------------------------

    /// An error reply (§1.3): it answers an outstanding command with its TrID. TrIDs are the
    /// client's to choose (§1.2), so several outstanding commands may share one: the error answers
    /// the oldest of them for which it is documented (or which the monitor cannot judge), and only
    /// when there is none the oldest of them, which is then judged (server/LOCKSTEP-FINDINGS.md #12).
    pub(super) fn error_reply(&mut self, cid: usize, line: usize, trid: u32, code: u16) {
        let open = |p: &Pending| {
            !matches!(p.exp, Exp::Unread) && (!p.answered || matches!(p.exp, Exp::Opaque))
        };
        let fits = |p: &Pending| {
            open(p) && (matches!(p.exp, Exp::Opaque) || allowed_errors(&p.exp).contains(&code))
        };
        let fitting = self
            .conns
            .get(cid)
            .is_some_and(|c| c.pending.iter().any(|p| p.trid == trid && fits(p)));
        let answered = if fitting {
            self.answer(cid, line, trid, fits)
        } else {
            self.answer(cid, line, trid, open)
        };
        let Some(p) = answered else {
            self.unanswerable(cid, line, trid, &format!("error {code}"));
            return;
        };
        if !matches!(p.exp, Exp::Opaque) {
            let allowed = allowed_errors(&p.exp);
            if !allowed.contains(&code) {
                let list: Vec<String> = allowed.iter().map(u16::to_string).collect();
                let expected = if list.is_empty() {
                    "none".to_owned()
                } else {
                    list.join(", ")
                };
                let r = if matches!(p.exp, Exp::Usr207) {
                    R::Login207
                } else {
                    R::ErrorDocumented
                };
                self.violate(
                    cid,
                    line,
                    r,
                    format!(
                        "error {code} is not documented for {} (documented: {expected})",
                        p.verb
                    ),
                );
            } else {
                self.judge_error(cid, line, &p, code);
            }
        }
        if CLOSING.contains(&code) {
            self.close(cid, line, format!("error {code} closes the connection"));
        }
    }

    /// The state-dependent part of an error reply with a documented code.
    fn judge_error(&mut self, cid: usize, line: usize, p: &Pending, code: u16) {
        match &p.exp {
            Exp::UsrS { digest, .. } => {
                let Some(Phase::Salt { handle, salt }) =
                    self.conns.get(cid).map(|c| c.ns.phase.clone())
                else {
                    return;
                };
                let Some(password) = self.opts.password(&handle) else {
                    return;
                };
                let right = md5_digest(&salt, password.as_bytes());
                let correct = digest.as_slice() == right.as_bytes();
                if correct && code == 911 {
                    self.violate(
                        cid,
                        line,
                        R::LoginDigest,
                        format!("911 refuses the right digest for {}", lossy(&handle)),
                    );
                } else if !correct && code != 911 {
                    self.violate(
                        cid,
                        line,
                        R::LoginDigest,
                        format!(
                            "a wrong digest for {} must be refused with 911, not {code}",
                            lossy(&handle)
                        ),
                    );
                }
            }
            Exp::XfrSb => self.judge_913(cid, line, false),
            Exp::Gtc(_)
            | Exp::Blp(_)
            | Exp::Add { .. }
            | Exp::Rem { .. }
            | Exp::Rea { .. }
            | Exp::Prp { .. } => {
                self.list_error(cid, line, p, code);
            }
            Exp::Qry {
                accept: Some(true),
                why,
            } => {
                self.violate(
                    cid,
                    line,
                    R::QryDigest,
                    format!("540 refuses a right response ({why})"),
                );
            }
            Exp::Cal { handle } => self.cal_error(cid, line, handle, code),
            Exp::SbUsr { handle, cookie } => self.sb_usr_refused(cid, line, handle, cookie),
            _ => {}
        }
    }
}

/// Whether a server line is the profile MSG (reference §10.1).
fn is_profile(cmd: &Command<'_>) -> bool {
    match cmd {
        Command::Msg(m) => Message::parse(m.payload.as_bytes())
            .ok()
            .is_some_and(|msg| msg.profile().is_some()),
        _ => false,
    }
}

/// The verb of a client command, as a static string.
pub(super) fn static_verb(cmd: &Command<'_>) -> &'static str {
    let v = cmd.verb();
    msnp6::commands::VERBS
        .iter()
        .copied()
        .find(|k| *k == v)
        .unwrap_or("???")
}
