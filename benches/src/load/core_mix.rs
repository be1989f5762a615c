//! The load generator's mix played on the server core alone, in-process: no sockets, no shell,
//! no store (a [`DiscardStore`]: commits accepted and dropped) and a [`SeededEntropy`] (issue 21 §2: "a criterion benchmark of the core
//! alone … so regressions show without network noise"). `benches/benches/core_mix.rs` measures
//! events per second with it.
//!
//! Each action of [`super::mix`] becomes the core inputs a client's frames would: `CHG`, `ADD`/
//! `REM FL`, `CHL` and its `QRY`, `LST`, a switchboard session (`XFR SB`, SB `USR`, `CAL`, the callee's `ANS` with the
//! `RNG`'s cookie, [`super::switchboard::MESSAGES`] × `MSG A`, `OUT` on both), and a login again
//! (`OUT`, `VER INF USR I`, `USR S` with the digest of the salt the core chose, `SYN 0`, `CHG
//! NLN`). Frames are decoded from their bytes with the codec on each event (the server's shell
//! decodes too; the load run measures decoding at well under 1% of the server's time). The clock
//! stands still, so no timer fires (no `CHL`).

use msnp6::auth;
use msnp6::commands::Command;
use msnp6::{Decoder, Dialect, Direction, ServerKind};
use msnp6_server::core::{Config, ConnId, Core, Input, Machine, Output, SeededEntropy};

use super::client::{contact, handle, password};
use super::mix::{Action, STATUSES};
use super::switchboard::MESSAGES;
use super::target::DiscardStore;
use crate::SplitMix64;

/// The message body of a switchboard `MSG` (as the load generator sends).
const MESSAGE: &str = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello";

/// The core with `users` users logged in, and a seeded chooser of actions.
#[derive(Debug)]
pub struct CoreMix {
    core: Core,
    ns: Vec<ConnId>,
    churn: Vec<bool>,
    users: usize,
    contacts: usize,
    next_conn: u64,
    trid: u32,
    rng: SplitMix64,
    out: Vec<Output>,
    /// Inputs handed to the core so far.
    pub events: u64,
    /// Frames the core sent so far.
    pub frames_out: u64,
}

impl CoreMix {
    /// A core whose store holds `users` accounts with `contacts` contacts each (the lists of
    /// [`super::target::accounts`]), every user logged in, synchronised and online; at least two
    /// users (someone to call).
    pub fn new(users: usize, contacts: usize, seed: u64) -> Result<CoreMix, String> {
        if users < 2 {
            return Err(format!("the mix needs two users or more, not {users}"));
        }
        let store = DiscardStore::new(super::target::accounts(users, contacts)?);
        let core = Core::new(
            Config::default(),
            Box::new(store),
            Box::new(SeededEntropy::new(seed)),
        )
        .map_err(|e| e.to_string())?;
        let mut mix = CoreMix {
            core,
            ns: Vec::with_capacity(users),
            churn: vec![false; users],
            users,
            contacts: contacts.min(users.saturating_sub(1)),
            next_conn: 0,
            trid: 0,
            rng: SplitMix64::new(seed),
            out: Vec::new(),
            events: 0,
            frames_out: 0,
        };
        for i in 0..users {
            let conn = mix.login(i)?;
            mix.ns.push(conn);
        }
        Ok(mix)
    }

    fn conn(&mut self) -> ConnId {
        self.next_conn += 1;
        ConnId(self.next_conn)
    }

    fn trid(&mut self) -> u32 {
        self.trid = self.trid.wrapping_add(1).max(1);
        self.trid
    }

    fn input(&mut self, input: Input<'_>) {
        self.out.clear();
        self.core.handle(0, input, &mut self.out);
        self.events += 1;
        self.frames_out += self
            .out
            .iter()
            .filter(|o| matches!(o, Output::Send { .. }))
            .count() as u64;
    }

    fn open(&mut self, kind: ServerKind) -> ConnId {
        let conn = self.conn();
        self.input(Input::Opened { conn, kind });
        conn
    }

    /// Feeds one client frame (its bytes decoded as the shell would).
    fn frame(&mut self, conn: ConnId, kind: ServerKind, bytes: &[u8]) -> Result<(), String> {
        let decoder = Decoder::new(Direction::ClientToServer, kind).with_dialect(Dialect::Msnp6);
        let decoded = decoder.decode(bytes).map_err(|e| format!("{e}"))?;
        self.input(Input::Frame {
            conn,
            command: decoded.command,
        });
        Ok(())
    }

    /// The first frame the core just sent that `pick` accepts.
    fn find<T>(&self, pick: impl Fn(&Command<'static>) -> Option<T>) -> Option<T> {
        self.out.iter().find_map(|o| match o {
            Output::Send { command, .. } => pick(command),
            _ => None,
        })
    }

    /// The NS login of user `i` (reference §8 without the DS), `SYN 0`, `CHG NLN`.
    fn login(&mut self, i: usize) -> Result<ConnId, String> {
        let ns = ServerKind::Notification;
        let c = self.open(ns);
        self.frame(c, ns, b"VER 1 MSNP6 CVR0\r\n")?;
        self.frame(c, ns, b"INF 2\r\n")?;
        self.frame(c, ns, format!("USR 3 MD5 I {}\r\n", handle(i)).as_bytes())?;
        let salt = self
            .find(|c| match c {
                Command::UsrSalt(s) => Some(s.salt.as_bytes().to_vec()),
                _ => None,
            })
            .ok_or("no salt")?;
        let pw = password(i);
        let salt = auth::Salt::new(&salt).map_err(|e| e.to_string())?;
        let digest = auth::login_digest_string(salt, auth::Password::new(pw.as_bytes()));
        self.frame(c, ns, format!("USR 4 MD5 S {digest}\r\n").as_bytes())?;
        self.find(|c| matches!(c, Command::UsrOk(_)).then_some(()))
            .ok_or("login refused")?;
        self.frame(c, ns, b"SYN 5 0\r\n")?;
        self.frame(c, ns, b"CHG 6 NLN\r\n")?;
        Ok(c)
    }

    /// Plays one action of the mix for a random user.
    pub fn step(&mut self) -> Result<(), String> {
        let i = self.rng.below(self.users);
        let ns = ServerKind::Notification;
        let c = self.ns[i];
        let t = self.trid();
        match Action::pick(&mut self.rng) {
            Action::Status => {
                let status = self.rng.pick(STATUSES);
                self.frame(c, ns, format!("CHG {t} {status}\r\n").as_bytes())
            }
            Action::AddRemove => {
                let churn = handle((i + self.users / 2) % self.users);
                self.churn[i] = !self.churn[i];
                let line = if self.churn[i] {
                    format!("ADD {t} FL {churn} {churn}\r\n")
                } else {
                    format!("REM {t} FL {churn}\r\n")
                };
                self.frame(c, ns, line.as_bytes())
            }
            Action::Challenge => {
                self.frame(c, ns, format!("CHL {t}\r\n").as_bytes())?;
                let challenge = self
                    .find(|c| match c {
                        Command::Chl(x) => Some(x.challenge.as_bytes().to_vec()),
                        _ => None,
                    })
                    .ok_or("CHL refused")?;
                let key = auth::KeyPair::MSMSGS;
                let private = key.private_key.ok_or("no key")?;
                let challenge = auth::Challenge::new(&challenge).map_err(|e| e.to_string())?;
                let mut qry = format!("QRY {} {} 32\r\n", self.trid(), key.public_key).into_bytes();
                let mut digest = [0; 32];
                auth::qry_response(challenge, private, &mut digest);
                qry.extend_from_slice(&digest);
                self.frame(c, ns, &qry)
            }
            Action::List => {
                let list = self.rng.pick(&["FL", "AL", "RL"]);
                self.frame(c, ns, format!("LST {t} {list}\r\n").as_bytes())
            }
            Action::Switchboard => self.session(i, t),
            Action::Relogin => {
                self.frame(c, ns, b"OUT\r\n")?;
                self.ns[i] = self.login(i)?;
                Ok(())
            }
        }
    }

    /// A switchboard session from user `i` to one of its contacts.
    fn session(&mut self, i: usize, t: u32) -> Result<(), String> {
        let (ns, sb) = (ServerKind::Notification, ServerKind::Switchboard);
        let callee = contact(i, self.rng.below(self.contacts.max(1)), self.users);
        self.frame(self.ns[i], ns, format!("XFR {t} SB\r\n").as_bytes())?;
        let token = |t: &msnp6::types::Token<'_>| t.as_str().unwrap_or_default().to_owned();
        let cookie = self
            .find(|c| match c {
                Command::XfrSwitchboard(x) => Some(token(&x.cookie)),
                _ => None,
            })
            .ok_or("XFR SB refused")?;
        let caller = self.open(sb);
        self.frame(
            caller,
            sb,
            format!("USR 1 {} {cookie}\r\n", handle(i)).as_bytes(),
        )?;
        self.frame(
            caller,
            sb,
            format!("CAL 2 {}\r\n", handle(callee)).as_bytes(),
        )?;
        let ring = self.find(|c| match c {
            Command::Rng(r) => Some((token(&r.session), token(&r.cookie))),
            _ => None,
        });
        let mut answered = None;
        if let Some((session, cookie)) = ring {
            let c = self.open(sb);
            let line = format!("ANS 1 {} {cookie} {session}\r\n", handle(callee));
            self.frame(c, sb, line.as_bytes())?;
            answered = Some(c);
            for k in 0..MESSAGES {
                let mut msg = format!("MSG {} A {}\r\n", 3 + k, MESSAGE.len()).into_bytes();
                msg.extend_from_slice(MESSAGE.as_bytes());
                self.frame(caller, sb, &msg)?;
            }
        }
        self.frame(caller, sb, b"OUT\r\n")?;
        if let Some(c) = answered {
            self.frame(c, sb, b"OUT\r\n")?;
        }
        Ok(())
    }

    /// The core's counts (for checks: nothing grows across steps).
    pub fn counts(&self) -> msnp6_server::core::Counts {
        self.core.counts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_runs_on_the_core_and_nothing_grows() {
        let mut mix = CoreMix::new(30, 5, 7).expect("test value");
        let start = mix.counts();
        assert_eq!(start.sessions, 30, "every user logged in");
        for _ in 0..2_000 {
            mix.step().expect("test value");
        }
        let end = mix.counts();
        // switchboards end when both leave; logins again replace their connection
        assert_eq!(end.sessions, 30);
        assert_eq!(end.sb_sessions, 0);
        assert_eq!(end.connections, start.connections);
        assert!(
            mix.frames_out > mix.events,
            "fan-out: more frames out than events in"
        );
    }
}
