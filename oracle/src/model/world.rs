//! The world: accounts, connections, switchboards, the clock and the value source; events in,
//! steps (frames per connection, closed connections) out.

use std::collections::BTreeMap;

use super::accounts::{Account, AccountSpec};
use super::rng::{Seeded, ServerValue, ValueSource};
use super::rules;
use msnp6::commands::Command;
use msnp6::types::{Dialect, FriendlyName, Handle, ServerKind, Status};

/// A connection's name, as in the transcript's `# connection: NAME KIND` (letters, digits, `-`,
/// `_`, `.`).
pub type ConnName = String;

/// Something that happens to the world.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A client opens a connection to a server of this kind. A name is used once per scenario: a
    /// second `Connect` with a known name is ignored.
    Connect {
        /// The new connection's name.
        conn: ConnName,
        /// DS, NS or SB.
        kind: ServerKind,
    },
    /// A client sends a frame on an open connection (ignored if it is not open).
    Send {
        /// The connection.
        conn: ConnName,
        /// The client's frame, any command (wrong-direction ones included).
        frame: Command<'static>,
    },
    /// A client closes its connection (ignored if it is not open).
    Disconnect {
        /// The connection.
        conn: ConnName,
    },
    /// Time passes.
    Tick {
        /// Seconds.
        seconds: u64,
    },
    /// The NS challenges this connection (`CHL 0 …`); ignored unless it is a logged-in NS
    /// connection.
    ServerChallenge {
        /// The connection.
        conn: ConnName,
    },
    /// The servers shut down (`OUT SSD` everywhere).
    Shutdown,
}

/// One frame the model sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The connection that receives it.
    pub conn: ConnName,
    /// The frame (encode with [`Command::encode`]).
    pub command: Command<'static>,
    /// The id of the rule that produced it (see [`rules::RULES`]).
    pub rule: &'static str,
}

/// A connection the server closed (or that the client closed, for [`Event::Disconnect`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// The connection.
    pub conn: ConnName,
    /// The id of the rule that closed it, or `"CLIENT"` when the client disconnected.
    pub rule: &'static str,
}

/// What one event produced, in order: the frames, then the closed connections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Step {
    /// Every frame sent, in the order the server sent them.
    pub deliveries: Vec<Delivery>,
    /// Every connection closed, in order.
    pub closed: Vec<Closed>,
}

/// Where a connection is in its life (reference §8 point 1, §3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Connected, nothing sent yet (DS/NS: VER expected; SB: USR or ANS expected).
    Fresh,
    /// DS/NS: VER answered with MSNP6.
    Versioned,
    /// DS: VER answered with CVR0; CVQ expected.
    Cvr0,
    /// DS: referred to the NS; nothing more is accepted.
    Referred,
    /// NS: salt sent for this handle.
    SaltSent {
        handle: Handle<'static>,
        salt: String,
    },
    /// NS: logged in. SB: joined a session.
    LoggedIn,
}

/// A challenge issued on an NS connection (reference §3.4 CHL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) text: String,
    pub(crate) issued_at: u64,
    pub(crate) answered: bool,
}

/// One TCP connection of the model.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    pub(crate) kind: ServerKind,
    pub(crate) open: bool,
    pub(crate) opened_at: u64,
    pub(crate) phase: Phase,
    pub(crate) dialect: Option<Dialect>,
    pub(crate) inf_done: bool,
    /// NS/SB: the logged-in user.
    pub(crate) user: Option<Handle<'static>>,
    /// NS: SYN sent on this connection.
    pub(crate) syn_sent: bool,
    /// NS: the first CHG was answered.
    pub(crate) first_chg_done: bool,
    /// NS: the user's status (FLN until the first CHG).
    pub(crate) status: Status,
    /// NS: IMS OFF.
    pub(crate) ims_off: bool,
    /// NS: the last two challenges, oldest first.
    pub(crate) challenges: Vec<Challenge>,
    /// SB: the session joined.
    pub(crate) session: Option<u64>,
}

impl Conn {
    fn new(kind: ServerKind, now: u64) -> Conn {
        Conn {
            kind,
            open: true,
            opened_at: now,
            phase: Phase::Fresh,
            dialect: None,
            inf_done: false,
            user: None,
            syn_sent: false,
            first_chg_done: false,
            status: Status::Offline,
            ims_off: false,
            challenges: Vec::new(),
            session: None,
        }
    }

    /// A logged-in NS connection.
    pub(crate) fn is_ns_session(&self) -> bool {
        self.open && self.kind == ServerKind::Notification && self.phase == Phase::LoggedIn
    }
}

/// A cookie of `XFR … SB` (reference §3.1 XFR, §14: one use, 120 seconds).
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub(crate) cookie: String,
    pub(crate) handle: Handle<'static>,
    pub(crate) issued_at: u64,
    pub(crate) used: bool,
}

/// An invitation of `CAL`/`RNG` (reference §3.5).
#[derive(Debug, Clone)]
pub(crate) struct Invitation {
    pub(crate) cookie: String,
    pub(crate) handle: Handle<'static>,
    pub(crate) issued_at: u64,
    pub(crate) used: bool,
}

/// A switchboard session.
#[derive(Debug, Clone)]
pub(crate) struct Switchboard {
    /// Participants in join order: connection and handle.
    pub(crate) participants: Vec<(ConnName, Handle<'static>)>,
    pub(crate) invitations: Vec<Invitation>,
}

/// How long a cookie (XFR or RNG) is usable (reference §14).
pub(crate) const COOKIE_SECONDS: u64 = 120;
/// How long an SB connection may stay without USR/ANS (reference §14).
pub(crate) const SB_LOGIN_SECONDS: u64 = 60;
/// How long a challenge may stay unanswered (reference §14).
pub(crate) const CHALLENGE_SECONDS: u64 = 50;
/// The rule id of a close the client caused by disconnecting.
pub(crate) const CLIENT: &str = "CLIENT";

/// The MSNP6 world: dispatch, notification and switchboard servers, and every account.
///
/// ```
/// use msnp6_oracle::model::{AccountSpec, Event, World};
/// use msnp6::ServerKind;
/// let mut w = World::new(1);
/// w.add_account(&AccountSpec::new("alice@example.com", "pw", "alice"));
/// let step = w.apply(&Event::Connect { conn: "a".into(), kind: ServerKind::Notification });
/// assert!(step.deliveries.is_empty());
/// ```
#[derive(Debug)]
pub struct World {
    pub(crate) source: Box<dyn ValueSource>,
    pub(crate) now: u64,
    pub(crate) accounts: BTreeMap<Vec<u8>, Account>,
    /// Every account handle in the order added (member ids for the profile).
    pub(crate) order: Vec<Vec<u8>>,
    pub(crate) conns: BTreeMap<ConnName, Conn>,
    pub(crate) switchboards: BTreeMap<u64, Switchboard>,
    pub(crate) tickets: Vec<Ticket>,
    pub(crate) ns_address: String,
    pub(crate) sb_address: String,
}

impl World {
    /// A world whose server-chosen values come from splitmix64 started at `seed`.
    pub fn new(seed: u64) -> World {
        World::with_source(Box::new(Seeded::new(seed)))
    }

    /// A world with another value source (e.g. [`Scripted`](super::rng::Scripted)). The NS and
    /// SB addresses are drawn first.
    pub fn with_source(mut source: Box<dyn ValueSource>) -> World {
        let ns_address = source.next(ServerValue::NsAddress);
        let sb_address = source.next(ServerValue::SbAddress);
        World {
            source,
            now: 0,
            accounts: BTreeMap::new(),
            order: Vec::new(),
            conns: BTreeMap::new(),
            switchboards: BTreeMap::new(),
            tickets: Vec::new(),
            ns_address,
            sb_address,
        }
    }

    /// Adds an account (empty lists, the spec's list version, GTC A, BLP AL, MOB N). Returns false,
    /// and adds nothing, if the handle or name is not a valid wire value or the handle exists.
    pub fn add_account(&mut self, spec: &AccountSpec) -> bool {
        let Some(account) = Account::from_spec(spec) else {
            return false;
        };
        let key = account.handle.as_bytes().to_vec();
        if self.accounts.contains_key(&key) {
            return false;
        }
        self.order.push(key.clone());
        self.accounts.insert(key, account);
        true
    }

    /// Seconds since the world started.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Whether `conn` is an open connection.
    pub fn is_open(&self, conn: &str) -> bool {
        self.conns.get(conn).is_some_and(|c| c.open)
    }

    /// Whether a connection of this name was ever opened.
    pub fn knows(&self, conn: &str) -> bool {
        self.conns.contains_key(conn)
    }

    /// The kind of a known connection.
    pub fn kind(&self, conn: &str) -> Option<ServerKind> {
        self.conns.get(conn).map(|c| c.kind)
    }

    /// The handle logged in on `conn` (NS or SB), if any.
    pub fn user(&self, conn: &str) -> Option<&str> {
        self.conns
            .get(conn)
            .and_then(|c| c.user.as_ref())
            .and_then(|h| h.as_str())
    }

    /// The status of an account: that of its logged-in NS connection, `FLN` otherwise.
    pub fn status(&self, handle: &str) -> Status {
        self.session_of(handle.as_bytes())
            .map_or(Status::Offline, |(_, c)| c.status)
    }

    /// An account's list version.
    pub fn list_version(&self, handle: &str) -> Option<u32> {
        self.accounts.get(handle.as_bytes()).map(|a| a.version)
    }

    /// The handles on one of an account's lists, in list order.
    pub fn list(&self, handle: &str, list: msnp6::types::List) -> Vec<String> {
        self.accounts
            .get(handle.as_bytes())
            .map_or_else(Vec::new, |a| {
                a.list(list).iter().map(|e| e.handle.to_string()).collect()
            })
    }

    /// Applies one event and returns what the servers sent and closed.
    pub fn apply(&mut self, event: &Event) -> Step {
        let mut step = Step::default();
        match event {
            Event::Connect { conn, kind } => {
                if !self.conns.contains_key(conn) {
                    self.conns.insert(conn.clone(), Conn::new(*kind, self.now));
                }
            }
            Event::Send { conn, frame } => {
                if let Some(kind) = self.conns.get(conn).filter(|c| c.open).map(|c| c.kind) {
                    match kind {
                        ServerKind::Dispatch => self.ds_command(conn, frame, &mut step),
                        ServerKind::Notification => self.ns_command(conn, frame, &mut step),
                        ServerKind::Switchboard => self.sb_command(conn, frame, &mut step),
                    }
                }
            }
            Event::Disconnect { conn } => {
                if self.is_open(conn) {
                    self.close(conn, CLIENT, &mut step);
                }
            }
            Event::Tick { seconds } => self.tick(*seconds, &mut step),
            Event::ServerChallenge { conn } => self.server_challenge(conn, &mut step),
            Event::Shutdown => self.shutdown(&mut step),
        }
        step
    }

    /// Queues a frame for an open connection.
    pub(crate) fn send(
        &self,
        step: &mut Step,
        conn: &str,
        command: Command<'static>,
        rule: &'static str,
    ) {
        if self.is_open(conn) {
            step.deliveries.push(Delivery {
                conn: conn.to_owned(),
                command,
                rule,
            });
        }
    }

    /// Closes a connection and applies the consequences: FLN to the watchers of an online user
    /// (MODEL-FLN-OFFLINE), BYE to the other participants of a switchboard (MODEL-SB-BYE).
    pub(crate) fn close(&mut self, conn: &str, rule: &'static str, step: &mut Step) {
        let Some(c) = self.conns.get_mut(conn).filter(|c| c.open) else {
            return;
        };
        c.open = false;
        let (kind, phase, user, status, session) =
            (c.kind, c.phase.clone(), c.user.clone(), c.status, c.session);
        step.closed.push(Closed {
            conn: conn.to_owned(),
            rule,
        });
        match (kind, phase, user) {
            (ServerKind::Notification, Phase::LoggedIn, Some(user))
                if status.is_visible_online() =>
            {
                for (w, _) in self.watchers(user.as_bytes()) {
                    self.send(step, &w, fln(&user), rules::FLN_OFFLINE);
                }
            }
            (ServerKind::Switchboard, Phase::LoggedIn, Some(user)) => {
                if let Some(id) = session {
                    self.leave_switchboard(id, conn, &user, step);
                }
            }
            _ => {}
        }
    }

    /// Closes after a frame: the usual case of "answer, then disconnect".
    pub(crate) fn reply_and_close(
        &mut self,
        conn: &str,
        command: Command<'static>,
        rule: &'static str,
        step: &mut Step,
    ) {
        self.send(step, conn, command, rule);
        self.close(conn, rule, step);
    }

    /// Time passes: challenge timeouts (MODEL-CHL-TIMEOUT) and SB login timeouts
    /// (MODEL-SB-TIMEOUT), in deadline order (ties by connection name).
    fn tick(&mut self, seconds: u64, step: &mut Step) {
        self.now = self.now.saturating_add(seconds);
        let now = self.now;
        let mut due: Vec<(u64, ConnName, &'static str)> = Vec::new();
        for (name, c) in &self.conns {
            if !c.open {
                continue;
            }
            if c.kind == ServerKind::Switchboard
                && c.phase == Phase::Fresh
                && c.opened_at + SB_LOGIN_SECONDS <= now
            {
                due.push((
                    c.opened_at + SB_LOGIN_SECONDS,
                    name.clone(),
                    rules::SB_TIMEOUT,
                ));
            }
            if c.is_ns_session() {
                if let Some(t) = c
                    .challenges
                    .iter()
                    .filter(|ch| !ch.answered)
                    .map(|ch| ch.issued_at + CHALLENGE_SECONDS)
                    .min()
                {
                    if t <= now {
                        due.push((t, name.clone(), rules::CHL_TIMEOUT));
                    }
                }
            }
        }
        due.sort();
        for (_, name, rule) in due {
            if rule == rules::CHL_TIMEOUT {
                self.reply_and_close(
                    &name,
                    Command::Out(msnp6::commands::login::Out { reason: None }),
                    rule,
                    step,
                );
            } else {
                self.close(&name, rule, step);
            }
        }
    }

    /// MODEL-SHUTDOWN: `OUT SSD` everywhere, then every connection closes.
    fn shutdown(&mut self, step: &mut Step) {
        use msnp6::types::OutReason;
        let open: Vec<ConnName> = self
            .conns
            .iter()
            .filter(|(_, c)| c.open)
            .map(|(n, _)| n.clone())
            .collect();
        for name in &open {
            let out = Command::Out(msnp6::commands::login::Out {
                reason: Some(OutReason::ServerShutdown.into()),
            });
            self.send(step, name, out, rules::SHUTDOWN);
        }
        for name in &open {
            if let Some(c) = self.conns.get_mut(name) {
                c.open = false;
            }
            step.closed.push(Closed {
                conn: name.clone(),
                rule: rules::SHUTDOWN,
            });
        }
        self.switchboards.clear();
    }

    /// The logged-in NS connection of an account.
    pub(crate) fn session_of(&self, handle: &[u8]) -> Option<(&ConnName, &Conn)> {
        self.conns.iter().find(|(_, c)| {
            c.is_ns_session() && c.user.as_ref().is_some_and(|u| u.as_bytes() == handle)
        })
    }

    /// The account's current display name (the handle itself if the account is unknown).
    pub(crate) fn display_name(&self, handle: &[u8]) -> FriendlyName<'static> {
        match self.accounts.get(handle) {
            Some(a) => a.name.clone(),
            None => FriendlyName::new(handle.to_vec())
                .unwrap_or_else(|_| FriendlyName::from_static(b"-").into_owned()),
        }
    }

    /// Draws a server-chosen value.
    pub(crate) fn draw(&mut self, kind: ServerValue) -> String {
        self.source.next(kind)
    }
}

/// `FLN handle`.
pub(crate) fn fln(handle: &Handle<'static>) -> Command<'static> {
    Command::Fln(msnp6::commands::presence::Fln {
        handle: handle.clone(),
    })
}

/// `NNN TrID`.
pub(crate) fn error(code: msnp6::types::ErrorCode, trid: msnp6::types::TrId) -> Command<'static> {
    Command::Error(msnp6::commands::ErrorReply { code, trid })
}
