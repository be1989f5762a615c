//! Login on the DS and the NS (reference §3.1, §8): VER, INF, CVR/CVQ, USR MD5 I/S, the DS's
//! referral, a second login's `OUT OTH`, and the login order of §14.

use msnp6::auth::{Password, Salt, login_digest};
use msnp6::commands::Command;
use msnp6::commands::login::{Inf, Out, UsrOk, UsrSalt, Ver, VersionAdvice, XfrNotification};
use msnp6::types::{Dialect, ErrorCode, OutReason, Token, TokenList, TrId, Verified};

use super::conn::{Pending, Phase, Session};
use super::machine::{error, send};
use super::users::UserId;
use super::{ConnId, Core, Millis, Output};
use crate::store::Standing;

/// What the login order allows a command to do (reference §14: "a known command out of state …
/// disconnect. USR after login: 207").
enum Admit {
    /// Go on to validation and the handler.
    Yes,
    /// Close without a reply.
    Close,
    /// `207 TrID` (USR after login), connection kept.
    AlreadyLoggedIn,
}

impl Core {
    /// A frame on a DS connection: VER, INF, USR I (referral), CVQ after CVR0, OUT.
    pub(crate) fn ds_frame(
        &mut self,
        now: Millis,
        conn: ConnId,
        command: Command<'_>,
        out: &mut Vec<Output>,
    ) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let admit = match (&c.phase, &command) {
            (_, Command::Out(_)) => Admit::Close,
            (Phase::Fresh, Command::Ver(_)) => Admit::Yes,
            (Phase::Versioned { inf: false, .. }, Command::InfRequest(_)) => Admit::Yes,
            (Phase::Versioned { .. }, Command::UsrInitial(_) | Command::UsrOther(_)) => Admit::Yes,
            (Phase::Cvr0, Command::Cvq(_)) => Admit::Yes,
            _ => Admit::Close,
        };
        if !matches!(admit, Admit::Yes) || !self.check_values(now, conn, &command, out) {
            if matches!(admit, Admit::Close) {
                self.close(now, conn, out);
            }
            return;
        }
        match command {
            Command::Ver(v) => self.ver(now, conn, &v, true, out),
            Command::InfRequest(r) => self.inf(conn, r.trid, out),
            Command::UsrInitial(u) => {
                // Reference §3.1 XFR, §8 point 2: the DS refers every handle to the one NS.
                let referral = XfrNotification::new(
                    u.trid,
                    token(self.config.ns_addr.clone()),
                    Some(Token::from_static(b"0")),
                    None,
                );
                match referral {
                    Ok(x) => send(out, conn, Command::XfrNotification(x)),
                    Err(_) => return self.close(now, conn, out),
                }
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.phase = Phase::Referred;
                }
            }
            Command::Cvq(v) => {
                // Reference §3.1 CVQ: the advice, then (the documented flow) a disconnect.
                send(out, conn, Command::CvqAdvice(Box::new(advice(v.trid))));
                self.close(now, conn, out);
            }
            _ => self.close(now, conn, out),
        }
    }

    /// A frame on an NS connection: the login order first, then the values, then the handler.
    pub(crate) fn ns_frame(
        &mut self,
        now: Millis,
        conn: ConnId,
        command: Command<'_>,
        out: &mut Vec<Output>,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        match ns_admit(&c.phase, &command) {
            Admit::Close => return self.close(now, conn, out),
            Admit::AlreadyLoggedIn => {
                let trid = command.trid().unwrap_or(TrId::ASYNC);
                return send(out, conn, error(ErrorCode::ALREADY_LOGGED_IN, trid));
            }
            Admit::Yes => {}
        }
        if !self.check_values(now, conn, &command, out) {
            return;
        }
        match command {
            Command::Ver(v) => self.ver(now, conn, &v, false, out),
            Command::InfRequest(r) => self.inf(conn, r.trid, out),
            Command::Cvr(v) => send(out, conn, Command::CvrAdvice(Box::new(advice(v.trid)))),
            Command::UsrInitial(u) => {
                let salt = self.fresh_salt();
                send(
                    out,
                    conn,
                    Command::UsrSalt(UsrSalt {
                        trid: u.trid,
                        salt: salt.clone(),
                    }),
                );
                if let Some(Phase::Versioned { pending, .. }) =
                    self.conns.get_mut(&conn).map(|c| &mut c.phase)
                {
                    *pending = Some(Pending {
                        handle: u.handle.into_owned(),
                        salt,
                    });
                }
            }
            Command::UsrResponse(u) => {
                self.usr_response(now, conn, u.trid, u.digest.expose().as_bytes(), out)
            }
            // USR with another package before login: validation closed it (§3.1 USR).
            Command::UsrOther(_) => self.close(now, conn, out),
            other => self.ns_logged_in(now, conn, other, out),
        }
    }

    /// VER (reference §3.1 VER, docs/model.md MODEL-VER-*): MSNP6 when offered; on the DS,
    /// CVR0 when offered without MSNP6; else `VER TrID 0` and a close.
    fn ver(&mut self, now: Millis, conn: ConnId, v: &Ver<'_>, ds: bool, out: &mut Vec<Output>) {
        let offered: Vec<Dialect> = v.known_dialects().collect();
        let (chosen, phase) = if offered.contains(&Dialect::Msnp6) {
            (
                Dialect::Msnp6,
                Phase::Versioned {
                    inf: false,
                    pending: None,
                },
            )
        } else if ds && offered.contains(&Dialect::Cvr0) {
            (Dialect::Cvr0, Phase::Cvr0)
        } else {
            send(
                out,
                conn,
                Command::Ver(Ver {
                    trid: v.trid,
                    dialects: TokenList::from_static(b"0"),
                }),
            );
            return self.close(now, conn, out);
        };
        let name: &'static [u8] = chosen.as_str().as_bytes();
        send(
            out,
            conn,
            Command::Ver(Ver {
                trid: v.trid,
                dialects: TokenList::from_static(name),
            }),
        );
        out.push(Output::Dialect {
            conn,
            dialect: chosen,
        });
        if let Some(c) = self.conns.get_mut(&conn) {
            c.phase = phase;
        }
    }

    /// `INF TrID` → `INF TrID MD5` (reference §3.1 INF), once per connection.
    fn inf(&mut self, conn: ConnId, trid: TrId, out: &mut Vec<Output>) {
        send(
            out,
            conn,
            Command::Inf(Inf {
                trid,
                packages: TokenList::from_static(b"MD5"),
            }),
        );
        if let Some(c) = self.conns.get_mut(&conn) {
            if let Phase::Versioned { inf, .. } = &mut c.phase {
                *inf = true;
            }
        }
    }

    /// `USR TrID MD5 S digest` (reference §3.1 USR steps 3–4, docs/model.md MODEL-USR-*).
    fn usr_response(
        &mut self,
        now: Millis,
        conn: ConnId,
        trid: TrId,
        digest: &[u8],
        out: &mut Vec<Output>,
    ) {
        let Some(Phase::Versioned {
            pending: Some(p), ..
        }) = self.conns.get(&conn).map(|c| &c.phase)
        else {
            return self.close(now, conn, out);
        };
        let user = self
            .users
            .id(p.handle.as_bytes())
            .filter(|&id| digest_matches(&p.salt, &self.users.get(id).account.password, digest));
        let Some(user) = user else {
            send(out, conn, error(ErrorCode::AUTHENTICATION_FAILED, trid));
            return self.close(now, conn, out);
        };
        // Only after the right digest (docs/model.md MODEL-USR-911/923/924: the account's state
        // is not told before authentication): a kids account without consent gets 923, a
        // blocked unverified account 924, then the server closes (reference §3.1 USR, §4). The
        // account's older session, if any, is left alone (the model's order: OUT OTH only
        // for a login that succeeds).
        let refusal = match self.users.get(user).account.standing {
            Standing::KidWithoutConsent => Some(ErrorCode::KIDS_ACCOUNT),
            Standing::Blocked => Some(ErrorCode::NOT_VERIFIED),
            Standing::Verified | Standing::Unverified => None,
        };
        if let Some(code) = refusal {
            send(out, conn, error(code, trid));
            return self.close(now, conn, out);
        }
        // Reference §14: the older session gets OUT OTH and is closed first.
        if let Some(old) = self.users.get(user).session {
            let oth = Out {
                reason: Some(OutReason::OtherLogin.into()),
            };
            send(out, old, Command::Out(oth));
            self.close(now, old, out);
        }
        let account = &self.users.get(user).account;
        let verified = if account.standing == Standing::Unverified {
            Verified::No
        } else {
            Verified::Yes
        };
        send(
            out,
            conn,
            Command::UsrOk(UsrOk {
                trid,
                handle: account.handle.clone(),
                name: account.name.clone(),
                verified: Some(verified.into()),
            }),
        );
        let profile = self.profile(now, user);
        send(out, conn, profile);
        self.logged_in(now, conn, user);
    }

    fn logged_in(&mut self, now: Millis, conn: ConnId, user: UserId) {
        let next_challenge = self
            .config
            .challenge_interval
            .map(|t| now.saturating_add(t.max(1)));
        if let Some(c) = self.conns.get_mut(&conn) {
            c.phase = Phase::LoggedIn(Box::new(Session {
                user,
                status: None,
                synced: false,
                ims_off: false,
                challenges: Default::default(),
                next_challenge,
            }));
        }
        self.users.get_mut(user).session = Some(conn);
    }

    /// A logged-in session ended (any cause): watchers get FLN if the user was visible
    /// (reference §14; docs/model.md MODEL-FLN-OFFLINE: a hidden user's departure sends nothing).
    pub(crate) fn logged_out(&mut self, _now: Millis, session: &Session, out: &mut Vec<Output>) {
        let user = session.user;
        if session.visible_status().is_some() {
            self.send_fln(user, out);
        }
        let u = self.users.get_mut(user);
        if u.session.is_some_and(|s| !self.conns.contains_key(&s)) {
            u.session = None;
        }
    }

    /// A fresh salt: `seconds.fraction` digits like the documented `1234567890.123456789`
    /// (reference §3.1 USR; opaque, §14).
    fn fresh_salt(&mut self) -> Token<'static> {
        let a = self.entropy.next_u64() % 10_000_000_000;
        let b = self.entropy.next_u64() % 1_000_000_000;
        token(format!("{a}.{b}"))
    }
}

/// The login order on the NS (reference §8, §14; docs/model.md MODEL-LOGIN-ORDER, MODEL-REPEAT).
fn ns_admit(phase: &Phase, command: &Command<'_>) -> Admit {
    use Command as C;
    match (phase, command) {
        (_, C::Out(_)) => Admit::Close,
        (Phase::Fresh, C::Ver(_)) => Admit::Yes,
        (Phase::Versioned { inf, pending }, c) => match c {
            // INF after VER, before USR (reference §3.1; after USR I it is out of order,
            // docs/model.md MODEL-LOGIN-ORDER; found by the lockstep).
            C::InfRequest(_) if !inf && pending.is_none() => Admit::Yes,
            C::Cvr(_) | C::UsrOther(_) => Admit::Yes,
            C::UsrInitial(_) if pending.is_none() => Admit::Yes,
            C::UsrResponse(_) if pending.is_some() => Admit::Yes,
            _ => Admit::Close,
        },
        (Phase::LoggedIn(s), c) => match c {
            C::UsrInitial(_) | C::UsrResponse(_) | C::UsrOther(_) => Admit::AlreadyLoggedIn,
            C::Ver(_) | C::Cvq(_) => Admit::Close,
            // INF belongs to the login (reference §3.1: after VER, before USR): after USR OK it
            // is a known command out of state (§14: disconnect), as in docs/model.md
            // MODEL-LOGIN-ORDER, whether or not it was sent before (found by the lockstep).
            C::InfRequest(_) => Admit::Close,
            C::Syn(_) if s.synced => Admit::Close,
            _ => Admit::Yes,
        },
        _ => Admit::Close,
    }
}

/// Whether `digest` is MD5(salt + password) (reference §3.1 USR, §9).
fn digest_matches(salt: &Token<'_>, password: &str, digest: &[u8]) -> bool {
    let Ok(salt) = Salt::new(salt.as_bytes()) else {
        return false;
    };
    let mut expected = [0u8; 32];
    login_digest(salt, Password::new(password.as_bytes()), &mut expected);
    expected.as_slice() == digest
}

/// The version advice of CVR and CVQ: the values of the documented CVQ example (reference §3.1
/// CVR/CVQ), the only ones the reference gives.
fn advice(trid: TrId) -> VersionAdvice<'static> {
    VersionAdvice {
        trid,
        recommended: Token::from_static(b"5.0.0537"),
        recommended2: Token::from_static(b"5.0.0537"),
        minimum: Token::from_static(b"1.0.0863"),
        download_url: Token::from_static(
            b"http://download.microsoft.com/download/msnmessenger/install/5.0/w98nt42kmexp/en-us/setupdl.exe",
        ),
        info_url: Some(Token::from_static(b"http://messenger.microsoft.com")),
    }
}

/// A token from text the core made (digits, addresses from the configuration). A value that is
/// no token (an address with a space, from a bad configuration) becomes `0` rather than a panic.
pub(crate) fn token(s: String) -> Token<'static> {
    Token::try_from(s).unwrap_or_else(|_| Token::from_static(b"0"))
}
