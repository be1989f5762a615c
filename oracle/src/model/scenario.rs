//! Scenarios (accounts and events) and a generator that builds them from the current state.
//!
//! The generator simulates as it generates, like proptest-state-machine's
//! `ReferenceStateMachine`: it keeps a [`World`] and turns each *choice* (an arbitrary `u64`)
//! into one event that makes sense in the state reached so far — the next login step of a
//! client, a list change, a presence change, a challenge answer, a switchboard action — or, now
//! and then, a deliberately invalid one (wrong order, bad parameters, a wrong QRY, an unknown verb,
//! a server-only verb from the client). Any sequence of choices gives a scenario; shrinking the
//! sequence (as proptest does) keeps it meaningful, because every choice is read against the state
//! the previous ones produced.
//!
//! Server-chosen values (salts, cookies, challenges) come from the world's seed, so a generated
//! scenario must be predicted with the seed it was generated with: [`Scenario::seed`].

use super::accounts::{AccountSpec, Verification};
use super::md5::digest;
use super::rng::SplitMix64;
use super::world::{ConnName, Event, Phase, World};
use msnp6::Payload;
use msnp6::auth::KeyPair;
use msnp6::commands::challenge::{ChlRequest, Qry};
use msnp6::commands::lists::{
    AddRequest, BlpRequest, GtcRequest, LstRequest, PrpRequest, ReaRequest, RemRequest, Syn,
};
use msnp6::commands::login::{
    InfRequest, Out, UsrInitial, UsrResponse, UsrSwitchboard, Ver, XfrRequest,
};
use msnp6::commands::presence::{Chg, ImsRequest, Nln};
use msnp6::commands::services::{FndFields, FndRequest, Pag, Sdc, UrlRequest};
use msnp6::commands::switchboard::{Ans, Cal, MsgSend};
use msnp6::commands::{Bare, Command, Unknown};
use msnp6::types::{
    AckMode, FriendlyName, GtcMode, Handle, ImsState, List, Privacy, Property, Secret, ServerKind,
    Status, Token, TokenList, TrId, TransferKind, UrlService, Value,
};

/// A scenario: the accounts that exist, and the events in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scenario {
    /// The seed the scenario was made for (see the module documentation).
    pub seed: u64,
    /// The accounts.
    pub accounts: Vec<AccountSpec>,
    /// The events.
    pub events: Vec<Event>,
}

impl Scenario {
    /// An empty scenario for `seed`.
    pub fn new(seed: u64) -> Scenario {
        Scenario {
            seed,
            accounts: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Adds an account.
    pub fn account(mut self, spec: AccountSpec) -> Scenario {
        self.accounts.push(spec);
        self
    }

    /// Adds an event.
    pub fn event(mut self, event: Event) -> Scenario {
        self.events.push(event);
        self
    }

    /// The transcript of this scenario with its own seed ([`predict`](super::predict)).
    pub fn predict(&self) -> String {
        super::predict(self, self.seed)
    }

    /// Builds a scenario from `choices`, simulating a world started at `seed`. The first choice
    /// (if any) decides the number of accounts (3 to 40) and of active clients (2 to 6); each
    /// further choice becomes one event.
    pub fn generate(seed: u64, choices: &[u64]) -> Scenario {
        let first = choices.first().copied().unwrap_or(0);
        let mut g = Generator::new(seed, first);
        for &c in choices.iter().skip(1) {
            g.choose(c);
        }
        Scenario {
            seed,
            accounts: g.accounts,
            events: g.events,
        }
    }

    /// A scenario of `steps` events generated from choices drawn from splitmix64 at `seed`.
    pub fn random(seed: u64, steps: usize) -> Scenario {
        let mut r = SplitMix64::new(seed ^ 0x5EED_5EED_5EED_5EED);
        let choices: Vec<u64> = (0..=steps).map(|_| r.next_u64()).collect();
        Scenario::generate(seed, &choices)
    }
}

/// How a client means to use an SB connection it opened.
#[derive(Debug, Clone)]
enum SbPlan {
    Usr(String),
    Ans(u64, String),
}

/// One simulated client (one account).
#[derive(Debug, Clone)]
struct Client {
    handle: String,
    password: String,
    trid: u32,
    seq: u32,
    ds: Option<ConnName>,
    ns: Option<ConnName>,
    sbs: Vec<(ConnName, SbPlan)>,
    used_cookies: Vec<String>,
    blocked: bool,
}

struct Generator {
    world: World,
    accounts: Vec<AccountSpec>,
    events: Vec<Event>,
    clients: Vec<Client>,
    r: SplitMix64,
}

fn handle(s: &str) -> Handle<'static> {
    Handle::new(s.as_bytes().to_vec()).unwrap_or_else(|_| Handle::from_static(b"invalid"))
}

fn name(s: &str) -> FriendlyName<'static> {
    FriendlyName::new(s.as_bytes().to_vec()).unwrap_or_else(|_| FriendlyName::from_static(b"name"))
}

fn token(s: &str) -> Token<'static> {
    Token::new(s.as_bytes().to_vec()).unwrap_or_else(|_| Token::from_static(b"0"))
}

const ONLINE: [Status; 7] = [
    Status::Online,
    Status::Busy,
    Status::Idle,
    Status::BeRightBack,
    Status::Away,
    Status::OnThePhone,
    Status::OutToLunch,
];

impl Generator {
    fn new(seed: u64, first: u64) -> Generator {
        let mut r = SplitMix64::new(first);
        let n = 3 + r.index(38);
        let active = (2 + r.index(5)).min(n);
        let mut accounts = Vec::new();
        for i in 0..n {
            let mut spec = AccountSpec::new(
                &format!("user{i}@example.com"),
                &format!("pw{i}"),
                &format!("User%20{i}"),
            );
            if i + 1 == active && r.chance(20) {
                spec = spec.with_verification(Verification::Unverified);
            } else if i == active && r.chance(30) {
                spec = spec.with_verification(if r.chance(50) {
                    Verification::Blocked
                } else {
                    Verification::KidWithoutConsent
                });
            }
            accounts.push(spec);
        }
        let mut world = World::new(seed);
        for a in &accounts {
            world.add_account(a);
        }
        // An inactive account that gets a login attempt now and then: include one more client
        // when the blocked/kid account was made.
        let clients_n = if accounts
            .get(active)
            .is_some_and(|a| a.verification != Verification::Verified)
        {
            active + 1
        } else {
            active
        };
        let clients = accounts[..clients_n]
            .iter()
            .map(|a| Client {
                handle: a.handle.clone(),
                password: a.password.clone(),
                trid: 0,
                seq: 0,
                ds: None,
                ns: None,
                sbs: Vec::new(),
                used_cookies: Vec::new(),
                blocked: matches!(
                    a.verification,
                    Verification::Blocked | Verification::KidWithoutConsent
                ),
            })
            .collect();
        Generator {
            world,
            accounts,
            events: Vec::new(),
            clients,
            r,
        }
    }

    fn push(&mut self, e: Event) {
        self.world.apply(&e);
        self.events.push(e);
    }

    fn send(&mut self, conn: &str, frame: Command<'static>) {
        self.push(Event::Send {
            conn: conn.to_owned(),
            frame,
        });
    }

    fn trid(&mut self, i: usize) -> TrId {
        self.clients[i].trid += 1;
        TrId(self.clients[i].trid)
    }

    fn new_conn(&mut self, i: usize, kind: ServerKind) -> ConnName {
        self.clients[i].seq += 1;
        let tag = match kind {
            ServerKind::Dispatch => "ds",
            ServerKind::Notification => "ns",
            ServerKind::Switchboard => "sb",
        };
        let conn = format!("u{i}-{tag}{}", self.clients[i].seq);
        self.push(Event::Connect {
            conn: conn.clone(),
            kind,
        });
        conn
    }

    fn phase(&self, conn: &str) -> Option<Phase> {
        self.world
            .conns
            .get(conn)
            .filter(|c| c.open)
            .map(|c| c.phase.clone())
    }

    /// Forgets closed connections.
    fn refresh(&mut self, i: usize) {
        let w = &self.world;
        let c = &mut self.clients[i];
        if c.ds.as_ref().is_some_and(|d| !w.is_open(d)) {
            c.ds = None;
        }
        if c.ns.as_ref().is_some_and(|d| !w.is_open(d)) {
            c.ns = None;
        }
        c.sbs.retain(|(s, _)| w.is_open(s));
    }

    fn logged_in(&self, i: usize) -> Option<ConnName> {
        let ns = self.clients[i].ns.clone()?;
        (self.phase(&ns) == Some(Phase::LoggedIn)).then_some(ns)
    }

    /// One choice, one event.
    fn choose(&mut self, choice: u64) {
        self.r = SplitMix64::new(choice);
        let mut i = self.r.index(self.clients.len());
        if self.clients[i].blocked && self.r.chance(80) {
            // An account that cannot log in (923/924) tries only now and then.
            i = self.r.index(self.clients.len() - 1);
        }
        self.refresh(i);
        let roll = self.r.below(100);
        match roll {
            0..=6 => self.tick(),
            7..=9 => self.server_event(),
            10..=16 => self.invalid(i),
            _ => self.progress(i),
        }
    }

    fn tick(&mut self) {
        let seconds = if self.r.chance(8) {
            51 + self.r.below(80)
        } else {
            1 + self.r.below(20)
        };
        self.push(Event::Tick { seconds });
    }

    fn server_event(&mut self) {
        if self.r.chance(3) {
            return self.push(Event::Shutdown);
        }
        let sessions: Vec<ConnName> = self
            .world
            .conns
            .iter()
            .filter(|(_, c)| c.is_ns_session())
            .map(|(n, _)| n.clone())
            .collect();
        if sessions.is_empty() {
            return self.tick();
        }
        let conn = sessions[self.r.index(sessions.len())].clone();
        self.push(Event::ServerChallenge { conn });
    }

    /// The next sensible step of client `i`.
    fn progress(&mut self, i: usize) {
        if let Some(ds) = self.clients[i].ds.clone() {
            return self.login_step(i, &ds);
        }
        let Some(ns) = self.clients[i].ns.clone() else {
            if self.r.chance(40) {
                let ds = self.new_conn(i, ServerKind::Dispatch);
                self.clients[i].ds = Some(ds);
            } else {
                let ns = self.new_conn(i, ServerKind::Notification);
                self.clients[i].ns = Some(ns);
            }
            return;
        };
        if self.phase(&ns) == Some(Phase::LoggedIn) {
            self.session_step(i, &ns);
        } else {
            self.login_step(i, &ns);
        }
    }

    fn login_step(&mut self, i: usize, conn: &str) {
        let Some(phase) = self.phase(conn) else {
            return;
        };
        let inf_done = self.world.conns.get(conn).is_some_and(|c| c.inf_done);
        match phase {
            Phase::Fresh => {
                let t = self.trid(i);
                let offer = if self.r.chance(90) {
                    "MSNP6 MSNP5 MSNP4 CVR0"
                } else {
                    "MSNP7 MSNP6"
                };
                let dialects = TokenList::new(offer.as_bytes().to_vec())
                    .unwrap_or_else(|_| TokenList::from_static(b"MSNP6"));
                self.send(conn, Command::Ver(Ver { trid: t, dialects }));
            }
            Phase::Versioned if !inf_done && self.r.chance(60) => {
                let t = self.trid(i);
                self.send(conn, Command::InfRequest(InfRequest { trid: t }));
            }
            Phase::Versioned => {
                let t = self.trid(i);
                let h = handle(&self.clients[i].handle);
                self.send(conn, Command::UsrInitial(UsrInitial { trid: t, handle: h }));
            }
            Phase::Referred | Phase::Cvr0 => {
                self.push(Event::Disconnect {
                    conn: conn.to_owned(),
                });
                self.clients[i].ds = None;
                let ns = self.new_conn(i, ServerKind::Notification);
                self.clients[i].ns = Some(ns);
            }
            Phase::SaltSent { salt, .. } => {
                let t = self.trid(i);
                let password = if self.r.chance(95) {
                    self.clients[i].password.clone()
                } else {
                    "wrong".to_owned()
                };
                let digest = digest(salt.as_bytes(), password.as_bytes());
                self.send(
                    conn,
                    Command::UsrResponse(UsrResponse {
                        trid: t,
                        digest: Secret::new(token(&digest)),
                    }),
                );
            }
            Phase::LoggedIn => self.session_step(i, conn),
        }
    }

    /// An unanswered challenge on `ns`, newest first.
    fn open_challenge(&self, ns: &str) -> Option<String> {
        let c = self.world.conns.get(ns)?;
        c.challenges
            .iter()
            .rev()
            .find(|ch| !ch.answered)
            .map(|ch| ch.text.clone())
    }

    fn qry(&mut self, i: usize, ns: &str, challenge: &str, right: bool) {
        let t = self.trid(i);
        let pairs: Vec<KeyPair> = KeyPair::ALL
            .iter()
            .copied()
            .filter(|k| k.private_key.is_some())
            .collect();
        let key = if self.r.chance(80) {
            KeyPair::MSMSGS
        } else {
            pairs[self.r.index(pairs.len())]
        };
        let private = key.private_key.map_or(&b""[..], |k| k.as_bytes());
        let answer = if right {
            digest(challenge.as_bytes(), private)
        } else {
            digest(b"0", private)
        };
        let frame = Command::Qry(Qry {
            trid: t,
            public_key: token(key.public_key),
            payload: Payload::new(answer.into_bytes()),
        });
        self.send(ns, frame);
    }

    /// Half of the time an active client (so that presence flows), otherwise any account.
    fn random_contact(&mut self) -> String {
        if self.r.chance(50) {
            let n = self.clients.len();
            self.clients[self.r.index(n)].handle.clone()
        } else {
            self.random_account()
        }
    }

    fn random_account(&mut self) -> String {
        let n = self.accounts.len();
        self.accounts[self.r.index(n)].handle.clone()
    }

    fn session_step(&mut self, i: usize, ns: &str) {
        let (syn_sent, chg_done) = self
            .world
            .conns
            .get(ns)
            .map_or((true, true), |c| (c.syn_sent, c.first_chg_done));
        if let Some(ch) = self.open_challenge(ns) {
            if self.r.chance(70) {
                let right = self.r.chance(97);
                return self.qry(i, ns, &ch, right);
            }
        }
        if !syn_sent && self.r.chance(85) {
            let t = self.trid(i);
            let me = self.clients[i].handle.clone();
            let version = if self.r.chance(30) {
                self.world.list_version(&me).unwrap_or(0)
            } else {
                0
            };
            return self.send(ns, Command::Syn(Syn { trid: t, version }));
        }
        if !chg_done && self.r.chance(85) {
            let status = if self.r.chance(10) {
                Status::Hidden
            } else {
                ONLINE[self.r.index(3)]
            };
            let t = self.trid(i);
            return self.send(
                ns,
                Command::Chg(Chg {
                    trid: t,
                    status: status.into(),
                }),
            );
        }
        if self.r.chance(35) && self.switchboard_step(i) {
            return;
        }
        let me = self.clients[i].handle.clone();
        let t = self.trid(i);
        let roll = self.r.below(100);
        let frame = match roll {
            0..=29 => {
                let list = match self.r.below(10) {
                    0..=7 => List::Forward,
                    8 => List::Allow,
                    _ => List::Block,
                };
                let mut c = self.random_contact();
                if c == me {
                    c = self.random_account();
                }
                Command::AddRequest(AddRequest {
                    trid: t,
                    list: list.into(),
                    handle: handle(&c),
                    name: name(&c),
                    group: None,
                })
            }
            30..=38 => {
                let list = [List::Forward, List::Allow, List::Block][self.r.index(3)];
                let entries = self.world.list(&me, list);
                let c = if entries.is_empty() {
                    self.random_account()
                } else {
                    entries[self.r.index(entries.len())].clone()
                };
                Command::RemRequest(RemRequest {
                    trid: t,
                    list: list.into(),
                    handle: handle(&c),
                    group: None,
                })
            }
            39..=44 => {
                let (h, n) = if self.r.chance(50) {
                    (
                        me.clone(),
                        format!(
                            "{}%20v{}",
                            me.split('@').next().unwrap_or("x"),
                            self.r.below(4)
                        ),
                    )
                } else {
                    let fl = self.world.list(&me, List::Forward);
                    let c = if fl.is_empty() {
                        self.random_account()
                    } else {
                        fl[self.r.index(fl.len())].clone()
                    };
                    (c, format!("Buddy%20{}", self.r.below(100)))
                };
                Command::ReaRequest(ReaRequest {
                    trid: t,
                    handle: handle(&h),
                    name: name(&n),
                })
            }
            45..=47 => {
                let mode = if self.r.chance(50) {
                    GtcMode::Ask
                } else {
                    GtcMode::DontAsk
                };
                Command::GtcRequest(GtcRequest {
                    trid: t,
                    mode: mode.into(),
                })
            }
            48..=51 => {
                let privacy = if self.r.chance(50) {
                    Privacy::AllowAll
                } else {
                    Privacy::BlockAll
                };
                Command::BlpRequest(BlpRequest {
                    trid: t,
                    privacy: privacy.into(),
                })
            }
            52..=56 => {
                let (property, value) = match self.r.below(4) {
                    0 => (
                        Property::HomePhone,
                        Some(format!("1%20(555)%20{}", self.r.digits(4))),
                    ),
                    1 => (
                        Property::WorkPhone,
                        self.r.chance(70).then(|| self.r.digits(7)),
                    ),
                    2 => (Property::MobilePhone, None),
                    _ => (
                        Property::MobileContact,
                        Some(if self.r.chance(50) { "Y" } else { "N" }.to_owned()),
                    ),
                };
                Command::PrpRequest(PrpRequest {
                    trid: t,
                    property: property.into(),
                    value: value.map(|v| token(&v)),
                })
            }
            57..=71 => {
                let status = if self.r.chance(15) {
                    Status::Hidden
                } else {
                    ONLINE[self.r.index(ONLINE.len())]
                };
                Command::Chg(Chg {
                    trid: t,
                    status: status.into(),
                })
            }
            72..=79 => Command::XfrRequest(XfrRequest {
                trid: t,
                kind: TransferKind::Switchboard.into(),
            }),
            80..=82 => Command::ChlRequest(ChlRequest { trid: t }),
            83 => Command::Png(Bare {}),
            84 => Command::LstRequest(LstRequest {
                trid: t,
                list: [List::Forward, List::Allow, List::Block, List::Reverse][self.r.index(4)]
                    .into(),
            }),
            85 => Command::UrlRequest(UrlRequest {
                trid: t,
                service: UrlService::Inbox.into(),
                parameter: None,
            }),
            86 => Command::ImsRequest(ImsRequest {
                trid: t,
                state: if self.r.chance(50) {
                    ImsState::On
                } else {
                    ImsState::Off
                }
                .into(),
            }),
            87 => Command::FndRequest(Box::new(FndRequest {
                trid: t,
                query: FndFields {
                    fname: token("fname=Ann"),
                    lname: token("lname=Lee"),
                    city: token("city=*"),
                    state: token("state=*"),
                    country: token("country=DE"),
                },
            })),
            88 => {
                let to = self.random_account();
                Command::Sdc(Box::new(Sdc {
                    trid: t,
                    address: token(&to),
                    lcid: token("0x0409"),
                    library: token("MSMSGS"),
                    client_id: token("MSMSGS"),
                    name: token("me"),
                    payload: Payload::new(b"Join me.".to_vec()),
                }))
            }
            89 => {
                let to = self.random_account();
                Command::Pag(Pag {
                    trid: t,
                    handle: handle(&to),
                    payload: Payload::new(b"<TEXT xml:space=\"preserve\">hi</TEXT>".to_vec()),
                })
            }
            90..=91 => {
                // Leave: OUT or drop.
                if self.r.chance(50) {
                    Command::Out(Out { reason: None })
                } else {
                    return self.push(Event::Disconnect {
                        conn: ns.to_owned(),
                    });
                }
            }
            _ => Command::Chg(Chg {
                trid: t,
                status: Status::Online.into(),
            }),
        };
        self.send(ns, frame);
    }

    /// A switchboard action of client `i`; false when none applies.
    fn switchboard_step(&mut self, i: usize) -> bool {
        let me = self.clients[i].handle.clone();
        let now = self.world.now;
        // A fresh SB connection: log in as planned.
        if let Some((conn, plan)) = self.clients[i]
            .sbs
            .iter()
            .find(|(c, _)| self.phase(c) == Some(Phase::Fresh))
            .cloned()
        {
            let t = self.trid(i);
            let frame = match plan {
                SbPlan::Usr(cookie) => Command::UsrSwitchboard(UsrSwitchboard {
                    trid: t,
                    handle: handle(&me),
                    cookie: token(&cookie),
                }),
                SbPlan::Ans(id, cookie) => Command::Ans(Ans {
                    trid: t,
                    handle: handle(&me),
                    cookie: token(&cookie),
                    session: token(&id.to_string()),
                }),
            };
            self.send(&conn, frame);
            return true;
        }
        // An invitation to answer.
        let invitation = self.world.switchboards.iter().find_map(|(id, sb)| {
            sb.invitations
                .iter()
                .find(|inv| {
                    inv.handle == me.as_str()
                        && !inv.used
                        && now <= inv.issued_at + 120
                        && !self.clients[i].used_cookies.contains(&inv.cookie)
                })
                .map(|inv| (*id, inv.cookie.clone()))
        });
        if let Some((id, cookie)) = invitation.filter(|_| self.r.chance(80)) {
            self.clients[i].used_cookies.push(cookie.clone());
            let conn = self.new_conn(i, ServerKind::Switchboard);
            self.clients[i].sbs.push((conn, SbPlan::Ans(id, cookie)));
            return true;
        }
        // A ticket to use.
        let ticket = self
            .world
            .tickets
            .iter()
            .find(|t| {
                t.handle == me.as_str()
                    && !t.used
                    && now <= t.issued_at + 120
                    && !self.clients[i].used_cookies.contains(&t.cookie)
            })
            .map(|t| t.cookie.clone());
        if let Some(cookie) = ticket {
            self.clients[i].used_cookies.push(cookie.clone());
            let conn = self.new_conn(i, ServerKind::Switchboard);
            self.clients[i].sbs.push((conn, SbPlan::Usr(cookie)));
            return true;
        }
        // A joined session: CAL, MSG, or leave.
        let joined: Vec<ConnName> = self.clients[i]
            .sbs
            .iter()
            .filter(|(c, _)| self.phase(c) == Some(Phase::LoggedIn))
            .map(|(c, _)| c.clone())
            .collect();
        if joined.is_empty() {
            return false;
        }
        let conn = joined[self.r.index(joined.len())].clone();
        let t = self.trid(i);
        let roll = self.r.below(100);
        let frame = if roll < 35 {
            // Prefer someone online who is not there yet.
            let online: Vec<String> = self
                .world
                .conns
                .values()
                .filter(|c| c.is_ns_session() && c.status.is_visible_online())
                .filter_map(|c| c.user.as_ref().map(|u| u.to_string()))
                .filter(|u| *u != me)
                .collect();
            let target = if !online.is_empty() && self.r.chance(85) {
                online[self.r.index(online.len())].clone()
            } else {
                self.random_account()
            };
            Command::Cal(Cal {
                trid: t,
                handle: handle(&target),
            })
        } else if roll < 92 {
            let ack = [
                AckMode::Unacknowledged,
                AckMode::NegativeOnly,
                AckMode::Acknowledged,
            ][self.r.index(3)];
            let text = if self.r.chance(20) {
                format!(
                    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: {me}\r\n\r\n\r\n"
                )
            } else {
                format!(
                    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nX-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\nmessage {}",
                    self.r.below(1000)
                )
            };
            Command::MsgSend(MsgSend {
                trid: t,
                ack: ack.into(),
                payload: Payload::new(text.into_bytes()),
            })
        } else if self.r.chance(50) {
            Command::Out(Out { reason: None })
        } else {
            self.push(Event::Disconnect { conn });
            return true;
        };
        self.send(&conn, frame);
        true
    }

    /// A deliberately invalid event for client `i`.
    fn invalid(&mut self, i: usize) {
        let me = self.clients[i].handle.clone();
        let t = self.trid(i);
        let ns = self.logged_in(i);
        let sb = self.clients[i]
            .sbs
            .iter()
            .find(|(c, _)| self.phase(c) == Some(Phase::LoggedIn))
            .map(|(c, _)| c.clone());
        let roll = self.r.below(27);
        let Some(ns) = ns else {
            if self.r.chance(70) {
                return self.progress(i);
            }
            // Not logged in: wrong order on a connection of its own, or a bad VER.
            let conn = self.new_conn(i, ServerKind::Notification);
            let frame = match roll % 4 {
                0 => Command::Syn(Syn {
                    trid: t,
                    version: 0,
                }),
                1 => Command::Ver(Ver {
                    trid: t,
                    dialects: TokenList::from_static(b"DISREGARDANCE FOR A REAL PROTOCOL")
                        .into_owned(),
                }),
                2 => Command::UsrResponse(UsrResponse {
                    trid: t,
                    digest: Secret::new(token("f59af8f2fa91d38aff7c870c17f99903")),
                }),
                _ => Command::Chg(Chg {
                    trid: t,
                    status: Status::Online.into(),
                }),
            };
            return self.send(&conn, frame);
        };
        let fl = self.world.list(&me, List::Forward);
        let bl = self.world.list(&me, List::Block);
        let frame = match roll {
            0 => Command::Unknown(
                Unknown::new(
                    token("LSG"),
                    Some(TokenList::from_static(b"1").into_owned()),
                )
                .expect("LSG is not an MSNP6 verb (reference §3.6)"),
            ),
            1 => Command::Nln(Nln {
                status: Status::Online.into(),
                handle: handle(&me),
                name: name("me"),
            }),
            2 => Command::Syn(Syn {
                trid: t,
                version: 0,
            }),
            3 => Command::UsrInitial(UsrInitial {
                trid: t,
                handle: handle(&me),
            }),
            4 => Command::AddRequest(AddRequest {
                trid: t,
                list: List::Forward.into(),
                handle: handle("a@b"),
                name: name("a@b"),
                group: None,
            }),
            5 => Command::AddRequest(AddRequest {
                trid: t,
                list: List::Forward.into(),
                handle: handle("nobody@example.com"),
                name: name("nobody"),
                group: None,
            }),
            6 if !fl.is_empty() => {
                let c = fl[self.r.index(fl.len())].clone();
                Command::AddRequest(AddRequest {
                    trid: t,
                    list: List::Forward.into(),
                    handle: handle(&c),
                    name: name(&c),
                    group: None,
                })
            }
            7 if !bl.is_empty() => {
                let c = bl[self.r.index(bl.len())].clone();
                Command::AddRequest(AddRequest {
                    trid: t,
                    list: List::Allow.into(),
                    handle: handle(&c),
                    name: name(&c),
                    group: None,
                })
            }
            8 => Command::RemRequest(RemRequest {
                trid: t,
                list: List::Block.into(),
                handle: handle("nobody@example.com"),
                group: None,
            }),
            9 => Command::AddRequest(AddRequest {
                trid: t,
                list: List::Reverse.into(),
                handle: handle(&me),
                name: name("me"),
                group: None,
            }),
            10 => Command::BlpRequest(BlpRequest {
                trid: t,
                privacy: Value::from_token(token("XX")),
            }),
            11 => Command::PrpRequest(PrpRequest {
                trid: t,
                property: Value::from_token(token("NEW")),
                value: Some(token("very%20yes")),
            }),
            12 => Command::Chg(Chg {
                trid: t,
                status: Status::Offline.into(),
            }),
            13 => Command::Chg(Chg {
                trid: t,
                status: Value::from_token(token("ZZZ")),
            }),
            14 => Command::ReaRequest(ReaRequest {
                trid: t,
                handle: handle("stranger@example.com"),
                name: name("x"),
            }),
            15 => {
                let ch = self.open_challenge(&ns).unwrap_or_else(|| "1".to_owned());
                return self.qry(i, &ns, &ch, false);
            }
            16 => Command::Qng(Bare {}),
            17 => {
                let mode = self
                    .world
                    .accounts
                    .get(me.as_bytes())
                    .map_or(GtcMode::Ask, |a| a.gtc);
                Command::GtcRequest(GtcRequest {
                    trid: t,
                    mode: mode.into(),
                })
            }
            18 if sb.is_some() => {
                let conn = sb.unwrap_or_default();
                let target = if self.r.chance(50) {
                    "bad-handle".to_owned()
                } else {
                    me.clone()
                };
                return self.send(
                    &conn,
                    Command::Cal(Cal {
                        trid: t,
                        handle: handle(&target),
                    }),
                );
            }
            19 if sb.is_some() => {
                let conn = sb.unwrap_or_default();
                let frame = Command::MsgSend(MsgSend {
                    trid: t,
                    ack: Value::from_token(token("D")),
                    payload: Payload::new(b"x".to_vec()),
                });
                return self.send(&conn, frame);
            }
            20 => {
                let conn = self.new_conn(i, ServerKind::Switchboard);
                return self.send(
                    &conn,
                    Command::UsrSwitchboard(UsrSwitchboard {
                        trid: t,
                        handle: handle(&me),
                        cookie: token("1.2.3"),
                    }),
                );
            }
            21 => Command::Ver(Ver {
                trid: t,
                dialects: TokenList::from_static(b"MSNP6").into_owned(),
            }),
            22 => Command::XfrRequest(XfrRequest {
                trid: t,
                kind: TransferKind::Notification.into(),
            }),
            23 => Command::GtcRequest(GtcRequest {
                trid: t,
                mode: Value::from_token(token("X")),
            }),
            24 => {
                // A CAL before USR on a new switchboard connection.
                let conn = self.new_conn(i, ServerKind::Switchboard);
                return self.send(
                    &conn,
                    Command::Cal(Cal {
                        trid: t,
                        handle: handle(&me),
                    }),
                );
            }
            25 => {
                // Log in again elsewhere: the current session will get OUT OTH.
                let conn = self.new_conn(i, ServerKind::Notification);
                self.clients[i].ns = Some(conn);
                return;
            }
            _ => Command::UrlRequest(UrlRequest {
                trid: t,
                service: UrlService::Password.into(),
                parameter: None,
            }),
        };
        self.send(&ns, frame);
    }
}
