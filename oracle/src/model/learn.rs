//! Learning a real server's chosen values, so that a scenario generated against the model can be
//! played against that server.
//!
//! The scenario generator ([`Scenario::generate`](super::Scenario::generate)) writes the model's
//! own server-chosen values into client frames: the login digest of the model's salt, the SB
//! cookie and session id of `USR`/`ANS`, the QRY digest of the model's challenge (reference §3.1,
//! §3.5, §9, §14 "Challenges, timeouts, repeats"). A real server chooses other values. A
//! [`Learner`] pairs what the model sent for one event with what the server actually sent, records
//! model value → real value for every server-chosen value, and rewrites the next client events
//! with the real values ([`Learner::translate`]); a digest is recomputed only where the model's
//! digest was the right one, so a deliberately wrong digest stays wrong.
//!
//! The learner judges nothing: a server that sends something else is for the monitor to find.
//! It only pairs frames that carry server-chosen values, of the same form, on the same connection,
//! in order.
//!
//! ```
//! use msnp6::auth::{Password, Salt, login_digest_string};
//! use msnp6::commands::{Command, login::{UsrResponse, UsrSalt}};
//! use msnp6::types::{Secret, Token, TrId};
//! use msnp6_oracle::model::{AccountSpec, Delivery, Event, Learner};
//!
//! let digest = |salt: &[u8]| {
//!     login_digest_string(Salt::new(salt).unwrap(), Password::new(b"password"))
//! };
//! let salt = |s: &'static [u8]| Command::UsrSalt(UsrSalt { trid: TrId(3), salt: Token::from_static(s) });
//! let response = |d: String| Event::Send {
//!     conn: "ns".into(),
//!     frame: Command::UsrResponse(UsrResponse {
//!         trid: TrId(4),
//!         digest: Secret::new(Token::new(d.into_bytes()).unwrap()),
//!     }),
//! };
//!
//! let mut learner = Learner::new(&[AccountSpec::new("alice@example.com", "password", "alice")]);
//! let model = [Delivery { conn: "ns".into(), command: salt(b"1111.2222"), rule: "MODEL-USR-SALT" }];
//! let real = salt(b"1013928519.693957190");
//! learner.learn(&model, &[("ns", &real)]);
//!
//! // The digest of the model's salt becomes the digest of the real salt (§3.1, §8).
//! let played = learner.translate(&response(digest(b"1111.2222")));
//! assert_eq!(played, response(digest(b"1013928519.693957190")));
//! // A wrong digest stays wrong.
//! let wrong = response("0".repeat(32));
//! assert_eq!(learner.translate(&wrong), wrong);
//! ```

use std::collections::BTreeMap;

use super::accounts::AccountSpec;
use super::md5::digest;
use super::rng::ServerValue;
use super::world::{ConnName, Delivery, Event};
use msnp6::Payload;
use msnp6::auth::KeyPair;
use msnp6::commands::Command;
use msnp6::commands::challenge::Qry;
use msnp6::commands::login::{UsrResponse, UsrSwitchboard};
use msnp6::commands::switchboard::Ans;
use msnp6::types::{Secret, Token};

/// Model value → real value, per kind of server-chosen value, learned from paired frames.
#[derive(Debug, Clone, Default)]
pub struct Learner {
    passwords: Vec<String>,
    values: BTreeMap<(ServerValue, String), String>,
    /// The last salt pair seen per connection: (model, real).
    salts: BTreeMap<ConnName, (String, String)>,
    /// Every challenge pair seen per connection: (model, real).
    challenges: BTreeMap<ConnName, Vec<(String, String)>>,
}

/// A frame's server-chosen values: the name of its form and `(kind, value)` pairs.
type Carried = (&'static str, Vec<(ServerValue, Vec<u8>)>);

/// The server-chosen values a frame carries, in a fixed order (reference §3.1 USR/XFR, §3.4 CHL,
/// §3.5 CAL/RNG).
fn chosen(command: &Command<'_>) -> Option<Carried> {
    use ServerValue as V;
    let v = |t: &Token<'_>| t.as_bytes().to_vec();
    Some(match command {
        Command::UsrSalt(u) => ("UsrSalt", vec![(V::Salt, v(&u.salt))]),
        Command::XfrNotification(x) => ("XfrNotification", vec![(V::NsAddress, v(x.address()))]),
        Command::XfrSwitchboard(x) => (
            "XfrSwitchboard",
            vec![(V::SbAddress, v(&x.address)), (V::Cookie, v(&x.cookie))],
        ),
        Command::Rng(r) => (
            "Rng",
            vec![
                (V::SessionId, v(&r.session)),
                (V::SbAddress, v(&r.address)),
                (V::Cookie, v(&r.cookie)),
            ],
        ),
        Command::CalRinging(c) => ("CalRinging", vec![(V::SessionId, v(&c.session))]),
        Command::Chl(c) => ("Chl", vec![(V::Challenge, v(&c.challenge))]),
        _ => return None,
    })
}

/// The frames of `conn` that carry server-chosen values, in order.
fn carriers<'c>(
    frames: impl Iterator<Item = (&'c str, &'c Command<'c>)>,
    conn: &str,
) -> Vec<Carried> {
    frames
        .filter(|(c, _)| *c == conn)
        .filter_map(|(_, command)| chosen(command))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Learner {
    /// A learner for a scenario with these accounts (their passwords recompute login digests).
    pub fn new(accounts: &[AccountSpec]) -> Learner {
        Learner {
            passwords: accounts.iter().map(|a| a.password.clone()).collect(),
            ..Learner::default()
        }
    }

    /// Learns from one event: `expected` is what the model sent, `actual` what the server sent
    /// (connection name, frame). On each connection, the frames of both that carry server-chosen
    /// values are paired in order while their forms agree; each pair records model value → real
    /// value.
    pub fn learn(&mut self, expected: &[Delivery], actual: &[(&str, &Command<'_>)]) {
        let mut conns: Vec<&str> = expected.iter().map(|d| d.conn.as_str()).collect();
        conns.dedup();
        for conn in conns {
            let model = carriers(expected.iter().map(|d| (d.conn.as_str(), &d.command)), conn);
            let real = carriers(actual.iter().map(|(c, f)| (*c, *f)), conn);
            for ((form, m), (real_form, r)) in model.into_iter().zip(real) {
                if form != real_form {
                    break;
                }
                for ((kind, mv), (_, rv)) in m.into_iter().zip(r) {
                    self.record(conn, kind, text(&mv), text(&rv));
                }
            }
        }
    }

    fn record(&mut self, conn: &str, kind: ServerValue, model: String, real: String) {
        match kind {
            ServerValue::Salt => {
                self.salts
                    .insert(conn.to_owned(), (model.clone(), real.clone()));
            }
            ServerValue::Challenge => self
                .challenges
                .entry(conn.to_owned())
                .or_default()
                .push((model.clone(), real.clone())),
            _ => {}
        }
        self.values.insert((kind, model), real);
    }

    /// The real value learned for the model's `model` value of `kind`, if any.
    pub fn real(&self, kind: ServerValue, model: &str) -> Option<&str> {
        self.values
            .get(&(kind, model.to_owned()))
            .map(String::as_str)
    }

    /// `event` as the real server must see it: a client frame with the model's server-chosen
    /// values replaced by the learned real ones. Values not learned are left as they are.
    pub fn translate(&self, event: &Event) -> Event {
        let Event::Send { conn, frame } = event else {
            return event.clone();
        };
        let frame = match frame {
            Command::UsrResponse(u) => Command::UsrResponse(self.login(conn, u)),
            Command::Qry(q) => Command::Qry(self.qry(conn, q)),
            Command::UsrSwitchboard(u) => Command::UsrSwitchboard(UsrSwitchboard {
                trid: u.trid,
                handle: u.handle.clone(),
                cookie: self.swap(ServerValue::Cookie, &u.cookie),
            }),
            Command::Ans(a) => Command::Ans(Ans {
                trid: a.trid,
                handle: a.handle.clone(),
                cookie: self.swap(ServerValue::Cookie, &a.cookie),
                session: self.swap(ServerValue::SessionId, &a.session),
            }),
            other => other.clone(),
        };
        Event::Send {
            conn: conn.clone(),
            frame,
        }
    }

    fn swap(&self, kind: ServerValue, model: &Token<'static>) -> Token<'static> {
        self.real(kind, &text(model.as_bytes()))
            .and_then(|r| Token::new(r.as_bytes().to_vec()).ok())
            .unwrap_or_else(|| model.clone())
    }

    /// USR MD5 S (reference §3.1, §8): the digest of the model's salt with one of the accounts'
    /// passwords becomes the digest of the real salt with the same password.
    fn login(&self, conn: &str, u: &UsrResponse<'static>) -> UsrResponse<'static> {
        let sent = u.digest.expose().as_bytes();
        let recomputed = self.salts.get(conn).and_then(|(model, real)| {
            self.passwords
                .iter()
                .find(|pw| digest(model.as_bytes(), pw.as_bytes()).as_bytes() == sent)
                .map(|pw| digest(real.as_bytes(), pw.as_bytes()))
        });
        match recomputed.and_then(|d| Token::new(d.into_bytes()).ok()) {
            Some(token) => UsrResponse {
                trid: u.trid,
                digest: Secret::new(token),
            },
            None => u.clone(),
        }
    }

    /// QRY (reference §9): the digest of a model challenge with a known private key becomes the
    /// digest of the real challenge with the same key.
    fn qry(&self, conn: &str, q: &Qry<'static>) -> Qry<'static> {
        let sent = q.payload.as_bytes();
        let keys = KeyPair::ALL.iter().filter_map(|k| k.private_key);
        let pairs = self.challenges.get(conn).map_or(&[][..], Vec::as_slice);
        for key in keys {
            for (model, real) in pairs {
                if digest(model.as_bytes(), key.as_bytes()).as_bytes() == sent {
                    return Qry {
                        trid: q.trid,
                        public_key: q.public_key.clone(),
                        payload: Payload::new(digest(real.as_bytes(), key.as_bytes()).into_bytes()),
                    };
                }
            }
        }
        q.clone()
    }
}
