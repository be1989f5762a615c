//! Login on the DS and NS (reference §3.1, §8): VER, INF, USR, CVR/CVQ, OUT, PNG, and the
//! dispatch of every NS command by login phase.

use super::accounts::server_token;
use super::rng::ServerValue;
use super::rules;
use super::world::{ConnName, Phase, Step, World, error};
use msnp6::Payload;
use msnp6::commands::Command;
use msnp6::commands::login::{Inf, Out, UsrOk, UsrSalt, Ver, VersionAdvice, XfrNotification};
use msnp6::commands::switchboard::Msg;
use msnp6::types::{
    Dialect, ErrorCode, FriendlyName, Handle, OutReason, ServerKind, Token, TokenList, TrId,
    Verified,
};

use super::accounts::Verification;

/// Whether `frame` is a command a client may send to a server of this kind (reference §3: the
/// direction and server of each verb). Anything else is MODEL-UNKNOWN.
pub(crate) fn is_client_command(kind: ServerKind, frame: &Command<'_>) -> bool {
    use Command as C;
    match kind {
        ServerKind::Dispatch => matches!(
            frame,
            C::Ver(_)
                | C::InfRequest(_)
                | C::UsrInitial(_)
                | C::UsrResponse(_)
                | C::UsrOther(_)
                | C::Cvq(_)
                | C::Out(_)
        ),
        ServerKind::Notification => matches!(
            frame,
            C::Ver(_)
                | C::InfRequest(_)
                | C::UsrInitial(_)
                | C::UsrResponse(_)
                | C::UsrOther(_)
                | C::XfrRequest(_)
                | C::Cvr(_)
                | C::Out(_)
                | C::Png(_)
                | C::Syn(_)
                | C::LstRequest(_)
                | C::GtcRequest(_)
                | C::BlpRequest(_)
                | C::AddRequest(_)
                | C::RemRequest(_)
                | C::ReaRequest(_)
                | C::PrpRequest(_)
                | C::Chg(_)
                | C::ImsRequest(_)
                | C::UrlRequest(_)
                | C::FndRequest(_)
                | C::SndRequest(_)
                | C::Sdc(_)
                | C::Pag(_)
                | C::ChlRequest(_)
                | C::Qry(_)
        ),
        ServerKind::Switchboard => {
            matches!(
                frame,
                C::UsrSwitchboard(_) | C::Out(_) | C::Cal(_) | C::Ans(_) | C::MsgSend(_)
            )
        }
    }
}

fn dialect_list(s: &str) -> TokenList<'static> {
    TokenList::new(s.as_bytes().to_vec())
        .unwrap_or_else(|_| TokenList::from_static(b"0").into_owned())
}

impl World {
    fn phase(&self, conn: &str) -> Phase {
        self.conns
            .get(conn)
            .map_or(Phase::Fresh, |c| c.phase.clone())
    }

    fn set_phase(&mut self, conn: &str, phase: Phase) {
        if let Some(c) = self.conns.get_mut(conn) {
            c.phase = phase;
        }
    }

    /// MODEL-VER-CHOOSE / MODEL-VER-CVR0 / MODEL-VER-REFUSE.
    fn ver(&mut self, conn: &str, v: &Ver<'_>, step: &mut Step) {
        // The model's own reading of §3.1 VER (not the codec's `negotiate`): the server names
        // one offered dialect it speaks; the model's servers speak MSNP6, and a DS also CVR0
        // (the client-update sub-protocol); nothing in common is refused with VER 0.
        let offered = |name: &[u8]| v.dialects.iter().any(|d| d == name);
        let dispatch = self.kind(conn) == Some(ServerKind::Dispatch);
        let chosen = if offered(b"MSNP6") {
            Some(Dialect::Msnp6)
        } else if dispatch && offered(b"CVR0") {
            Some(Dialect::Cvr0)
        } else {
            None
        };
        let (phase, name, rule) = match chosen {
            Some(Dialect::Msnp6) => (Phase::Versioned, "MSNP6", rules::VER_CHOOSE),
            Some(_) => (Phase::Cvr0, "CVR0", rules::VER_CVR0),
            None => {
                let reply = Command::Ver(Ver {
                    trid: v.trid,
                    dialects: dialect_list("0"),
                });
                return self.reply_and_close(conn, reply, rules::VER_REFUSE, step);
            }
        };
        if let Some(c) = self.conns.get_mut(conn) {
            c.phase = phase;
            c.dialect = chosen;
        }
        let reply = Command::Ver(Ver {
            trid: v.trid,
            dialects: dialect_list(name),
        });
        self.send(step, conn, reply, rule);
    }

    /// Whether `frame` is accepted in the connection's phase (login order, reference §8, §14);
    /// only then are its values validated ([`World::validated`]) and its stateful rules applied.
    pub(crate) fn accepts(&self, conn: &str, frame: &Command<'_>) -> bool {
        use Command as C;
        let Some(c) = self.conns.get(conn) else {
            return false;
        };
        match (c.kind, &c.phase, frame) {
            (_, _, C::Out(_)) => false,
            (ServerKind::Switchboard, Phase::Fresh, C::UsrSwitchboard(_) | C::Ans(_)) => true,
            (ServerKind::Switchboard, Phase::LoggedIn, C::Cal(_) | C::MsgSend(_)) => true,
            (ServerKind::Switchboard, _, _) => false,
            (_, Phase::Fresh, C::Ver(_)) => true,
            (_, Phase::Versioned, C::InfRequest(_)) => !c.inf_done,
            (_, Phase::Versioned, C::UsrInitial(_) | C::UsrOther(_)) => true,
            (ServerKind::Dispatch, Phase::Cvr0, C::Cvq(_)) => true,
            (ServerKind::Notification, Phase::Versioned | Phase::SaltSent { .. }, C::Cvr(_)) => {
                true
            }
            (
                ServerKind::Notification,
                Phase::SaltSent { .. },
                C::UsrResponse(_) | C::UsrOther(_),
            ) => true,
            (ServerKind::Notification, Phase::LoggedIn, f) => !matches!(
                f,
                C::Ver(_)
                    | C::InfRequest(_)
                    | C::UsrInitial(_)
                    | C::UsrResponse(_)
                    | C::UsrOther(_)
            ),
            _ => false,
        }
    }

    /// MODEL-INF.
    fn inf(&mut self, conn: &str, trid: TrId, step: &mut Step) {
        if let Some(c) = self.conns.get_mut(conn) {
            c.inf_done = true;
        }
        self.send(
            step,
            conn,
            Command::Inf(Inf {
                trid,
                packages: dialect_list("MD5"),
            }),
            rules::INF,
        );
    }

    /// The first-phase commands shared by the DS and the NS: VER, INF, OUT. Returns true when
    /// the frame was handled.
    fn common_login(&mut self, conn: &str, frame: &Command<'static>, step: &mut Step) -> bool {
        let phase = self.phase(conn);
        let inf_done = self.conns.get(conn).is_some_and(|c| c.inf_done);
        match frame {
            Command::Out(_) => self.close(conn, rules::OUT_CLIENT, step),
            Command::Ver(v) if phase == Phase::Fresh => self.ver(conn, v, step),
            Command::Ver(_) => self.close(conn, rules::REPEAT, step),
            Command::InfRequest(r) if phase == Phase::Versioned && !inf_done => {
                self.inf(conn, r.trid, step)
            }
            Command::InfRequest(_) if inf_done => self.close(conn, rules::REPEAT, step),
            Command::InfRequest(_) => self.close(conn, rules::LOGIN_ORDER, step),
            _ => return false,
        }
        true
    }

    /// A frame on a DS connection.
    pub(crate) fn ds_command(
        &mut self,
        conn: &ConnName,
        frame: &Command<'static>,
        step: &mut Step,
    ) {
        if !is_client_command(ServerKind::Dispatch, frame) {
            return self.close(conn, rules::UNKNOWN, step);
        }
        if self.accepts(conn, frame) && !self.validated(conn, frame, step) {
            return;
        }
        if self.common_login(conn, frame, step) {
            return;
        }
        let phase = self.phase(conn);
        match (frame, phase) {
            (Command::UsrInitial(u), Phase::Versioned) => {
                self.set_phase(conn, Phase::Referred);
                let reply = Command::XfrNotification(
                    XfrNotification::new(
                        u.trid,
                        server_token(&self.ns_address),
                        Some(server_token("0")),
                        None,
                    )
                    .expect("a referral with the constant is never the reset (reference §3.1 XFR)"),
                );
                self.send(step, conn, reply, rules::DS_REFER);
            }
            (Command::UsrOther(_), Phase::Versioned) => self.close(conn, rules::USR_PACKAGE, step),
            (Command::Cvq(q), Phase::Cvr0) => {
                let advice = Command::CvqAdvice(Box::new(version_advice(q.trid)));
                self.reply_and_close(conn, advice, rules::VER_CVR0, step);
            }
            _ => self.close(conn, rules::LOGIN_ORDER, step),
        }
    }

    /// A frame on an NS connection: login first, then the logged-in commands.
    pub(crate) fn ns_command(
        &mut self,
        conn: &ConnName,
        frame: &Command<'static>,
        step: &mut Step,
    ) {
        if !is_client_command(ServerKind::Notification, frame) {
            return self.close(conn, rules::UNKNOWN, step);
        }
        if self.accepts(conn, frame) && !self.validated(conn, frame, step) {
            return;
        }
        if self.common_login(conn, frame, step) {
            return;
        }
        let phase = self.phase(conn);
        match (frame, &phase) {
            (Command::Cvr(c), p) if *p != Phase::Fresh => {
                self.send(
                    step,
                    conn,
                    Command::CvrAdvice(Box::new(version_advice(c.trid))),
                    rules::CVR,
                );
            }
            (Command::UsrInitial(u), Phase::LoggedIn) => self.send(
                step,
                conn,
                error(ErrorCode::ALREADY_LOGGED_IN, u.trid),
                rules::USR_207,
            ),
            (Command::UsrResponse(u), Phase::LoggedIn) => self.send(
                step,
                conn,
                error(ErrorCode::ALREADY_LOGGED_IN, u.trid),
                rules::USR_207,
            ),
            (Command::UsrOther(u), Phase::LoggedIn) => self.send(
                step,
                conn,
                error(ErrorCode::ALREADY_LOGGED_IN, *u.trid()),
                rules::USR_207,
            ),
            (Command::UsrInitial(u), Phase::Versioned) => {
                let salt = self.draw(ServerValue::Salt);
                let reply = Command::UsrSalt(UsrSalt {
                    trid: u.trid,
                    salt: server_token(&salt),
                });
                self.set_phase(
                    conn,
                    Phase::SaltSent {
                        handle: u.handle.clone(),
                        salt,
                    },
                );
                self.send(step, conn, reply, rules::USR_SALT);
            }
            (Command::UsrInitial(_), Phase::SaltSent { .. }) => {
                self.close(conn, rules::REPEAT, step)
            }
            (Command::UsrOther(_), Phase::Versioned | Phase::SaltSent { .. }) => {
                self.close(conn, rules::USR_PACKAGE, step)
            }
            (Command::UsrResponse(u), Phase::SaltSent { handle, salt }) => {
                let digest = u.digest.expose().as_bytes().to_vec();
                self.login(conn, u.trid, handle.clone(), salt, &digest, step);
            }
            (_, Phase::LoggedIn) => self.ns_session_command(conn, frame, step),
            _ => self.close(conn, rules::LOGIN_ORDER, step),
        }
    }

    /// A frame on a logged-in NS connection.
    fn ns_session_command(&mut self, conn: &ConnName, frame: &Command<'static>, step: &mut Step) {
        use Command as C;
        match frame {
            C::Png(_) => self.send(step, conn, C::Qng(msnp6::commands::Bare {}), rules::PNG),
            C::Syn(s) => self.syn(conn, s, step),
            C::LstRequest(l) => self.lst(conn, l, step),
            C::GtcRequest(g) => self.gtc(conn, g, step),
            C::BlpRequest(b) => self.blp(conn, b, step),
            C::AddRequest(a) => self.add(conn, a, step),
            C::RemRequest(r) => self.rem(conn, r, step),
            C::ReaRequest(r) => self.rea(conn, r, step),
            C::PrpRequest(p) => self.prp(conn, p, step),
            C::Chg(c) => self.chg(conn, c, step),
            C::ImsRequest(i) => self.ims(conn, i, step),
            C::UrlRequest(u) => self.url(conn, u, step),
            C::FndRequest(f) => self.fnd(conn, f, step),
            C::SndRequest(s) => {
                self.invite_by_mail(conn, *s.trid(), s.address().as_bytes(), false, step)
            }
            C::Sdc(s) => self.invite_by_mail(conn, s.trid, s.address.as_bytes(), true, step),
            C::Pag(p) => self.pag(conn, p, step),
            C::ChlRequest(c) => self.challenge(conn, c.trid, rules::CHL_REQUEST, step),
            C::Qry(q) => self.qry(conn, q, step),
            C::XfrRequest(x) => self.xfr(conn, x, step),
            _ => self.close(conn, rules::LOGIN_ORDER, step),
        }
    }

    /// `USR TrID MD5 S digest`: MODEL-USR-911/923/924/OK, MODEL-LOGIN-OTH, MODEL-PROFILE.
    fn login(
        &mut self,
        conn: &str,
        trid: TrId,
        handle: Handle<'static>,
        salt: &str,
        digest: &[u8],
        step: &mut Step,
    ) {
        let Some(account) = self.accounts.get(handle.as_bytes()) else {
            return self.reply_and_close(
                conn,
                error(ErrorCode::AUTHENTICATION_FAILED, trid),
                rules::USR_911,
                step,
            );
        };
        let expected = super::md5::digest(salt.as_bytes(), account.password.as_bytes());
        if expected.as_bytes() != digest {
            return self.reply_and_close(
                conn,
                error(ErrorCode::AUTHENTICATION_FAILED, trid),
                rules::USR_911,
                step,
            );
        }
        match account.verification {
            Verification::KidWithoutConsent => {
                return self.reply_and_close(
                    conn,
                    error(ErrorCode::KIDS_ACCOUNT, trid),
                    rules::USR_923,
                    step,
                );
            }
            Verification::Blocked => {
                return self.reply_and_close(
                    conn,
                    error(ErrorCode::NOT_VERIFIED, trid),
                    rules::USR_924,
                    step,
                );
            }
            _ => {}
        }
        let verified = if account.verification == Verification::Unverified {
            Verified::No
        } else {
            Verified::Yes
        };
        let name = account.name.clone();
        // MODEL-LOGIN-OTH: the older session goes first.
        if let Some(old) = self.session_of(handle.as_bytes()).map(|(n, _)| n.clone()) {
            let out = Command::Out(Out {
                reason: Some(OutReason::OtherLogin.into()),
            });
            self.reply_and_close(&old, out, rules::LOGIN_OTH, step);
        }
        if let Some(c) = self.conns.get_mut(conn) {
            c.phase = Phase::LoggedIn;
            c.user = Some(handle.clone());
        }
        let ok = Command::UsrOk(UsrOk {
            trid,
            handle: handle.clone(),
            name,
            verified: Some(verified.into()),
        });
        self.send(step, conn, ok, rules::USR_OK);
        let profile = self.profile(&handle);
        self.send(step, conn, profile, rules::PROFILE);
    }

    /// The MSNP6 profile message (reference §8, §10.1): headers only, ending with an empty line.
    fn profile(&mut self, handle: &Handle<'static>) -> Command<'static> {
        let member = self
            .order
            .iter()
            .position(|h| h.as_slice() == handle.as_bytes())
            .unwrap_or(0)
            + 1;
        let ticket = self.draw(ServerValue::Ticket);
        let login_time = 1_000_000_000u64.saturating_add(self.now);
        let text = format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n\
             LoginTime: {login_time}\r\n\
             EmailEnabled: 0\r\n\
             MemberIdHigh: 0\r\n\
             MemberIdLow: {member}\r\n\
             lang_preference: 1033\r\n\
             PreferredEmail: {handle}\r\n\
             country: US\r\n\
             PostalCode: \r\n\
             Gender: \r\n\
             Kid: 0\r\n\
             Age: \r\n\
             BDayPre: \r\n\
             Birthday: \r\n\
             Wallet: \r\n\
             Flags: 1027\r\n\
             sid: 507\r\n\
             kv: 11\r\n\
             MSPAuth: {ticket}\r\n\
             \r\n"
        );
        Command::Msg(Msg {
            handle: hotmail_handle(),
            name: hotmail_name(),
            payload: Payload::new(text.into_bytes()),
        })
    }
}

fn hotmail_handle() -> Handle<'static> {
    Handle::from_static(b"Hotmail")
}

fn hotmail_name() -> FriendlyName<'static> {
    FriendlyName::from_static(b"Hotmail")
}

/// The server's version advice for CVR/CVQ (reference §3.1 CVR): the MSNP6 client is current.
fn version_advice(trid: TrId) -> VersionAdvice<'static> {
    let t = |s: &str| -> Token<'static> { server_token(s) };
    VersionAdvice {
        trid,
        recommended: t("3.6.0038"),
        recommended2: t("3.6.0038"),
        minimum: t("3.6.0038"),
        download_url: t("http://download.example.invalid/msnmsgs.exe"),
        info_url: Some(t("http://messenger.example.invalid")),
    }
}
