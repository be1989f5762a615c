//! Session: one generated scenario played over real TCP connections, every frame judged live.
//!
//! Per event of the scenario, in order: the predictor ([`World`], started at the scenario's seed)
//! says what a correct server would send; the client frame is translated to the real server's
//! chosen values with the oracle's [`Learner`] (cookies, session ids, challenges: reference §3.1,
//! §3.4, §3.5, §9), its handles mapped to the real accounts and its login digest recomputed with
//! the real salt and password (§3.1, §8), then written; the probe waits for the reply with the
//! frame's TrID and for as many frames on each connection as the predictor sent there (and the
//! closes it made), at most `reply_timeout`, shorter when the server's state differs from the
//! predictor's (see `Session::wait`); then the learner pairs the predicted and the real frames. A
//! server's silence is not a hang: the monitor reports what is still owed (`REPLY-MISSING`, §1.2).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use msnp6::auth::{Password, Salt, login_digest_string};
use msnp6::commands::Command;
use msnp6::commands::switchboard::MsgSend;
use msnp6::types::{Secret, Token};
use msnp6::{Direction, Payload, ServerKind};
use msnp6_oracle::model::{Event, Learner, Scenario, Step, World};
use msnp6_oracle::monitor::Violation;

use crate::inbox::{Inbox, Received};
use crate::judge::Judge;
use crate::plan::client_of;
use crate::record::{Item, Record};
use crate::wire::{Arrival, Wire};

/// How long the probe listens after an event the predictor answers with nothing.
const SETTLE: Duration = Duration::from_millis(15);
/// The quiet that ends a step whose owed frames all arrived.
const AFTER: Duration = Duration::from_millis(3);
/// How long a begun reply may pause before the step is over (see [`Session::wait`]).
const QUIET: Duration = Duration::from_millis(100);

/// Where and as whom the probe plays.
#[derive(Debug, Clone)]
pub struct Target {
    /// The dispatch server, if given.
    pub ds: Option<SocketAddr>,
    /// The notification server.
    pub ns: SocketAddr,
    /// The real accounts (`handle`, `password`); the generator's account *i* plays as the *i*-th.
    pub accounts: Vec<(String, String)>,
    /// How long to wait for what the predictor says is owed.
    pub reply_timeout: Duration,
}

impl Target {
    fn allowed(&self) -> Vec<std::net::IpAddr> {
        let mut v = vec![self.ns.ip()];
        v.extend(self.ds.map(|a| a.ip()));
        v
    }
}

/// What one played session gives.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The frames that crossed, in order (the transcript of the session).
    pub record: Record,
    /// The server-side violations the monitor found.
    pub violations: Vec<Violation>,
    /// Each rule broken, with the number of the event (1-based) during which it first was.
    pub first_event: BTreeMap<&'static str, usize>,
    /// The scenario's events.
    pub events: usize,
    /// The events played before the end (or the deadline).
    pub played: usize,
    /// What the probe itself could not do (a connection refused, framing lost), for the report.
    pub notes: Vec<String>,
}

#[derive(Debug)]
struct Conn {
    name: String,
    kind: ServerKind,
    link: Option<usize>,
    open: bool,
    inbox: Inbox,
}

struct Session<'t> {
    target: &'t Target,
    generated_passwords: Vec<String>,
    wire: Wire,
    judge: Judge,
    record: Record,
    conns: Vec<Conn>,
    learner: Learner,
    /// Real frames received since the current event was played.
    window: Vec<(String, Command<'static>)>,
    /// Per connection: the predictor's last salt and the real server's.
    salts: BTreeMap<String, (Option<String>, Option<String>)>,
    /// The connection and TrID of the frame the current event sent.
    sent: Option<(String, Option<msnp6::TrId>)>,
    /// Real SB cookie → SB address (from XFR SB and RNG).
    sb_addresses: BTreeMap<Vec<u8>, SocketAddr>,
    last_sb: Option<SocketAddr>,
    notes: Vec<String>,
}

/// Plays `scenario` against `target` until its end or `deadline` (no event starts after it; the
/// last one gets its whole reply timeout).
pub fn play(scenario: &Scenario, target: &Target, deadline: Instant) -> Outcome {
    let mut world = World::new(scenario.seed);
    for a in &scenario.accounts {
        world.add_account(a);
    }
    let mut s = Session {
        target,
        generated_passwords: scenario
            .accounts
            .iter()
            .map(|a| a.password.clone())
            .collect(),
        wire: Wire::new(
            target.allowed(),
            target.reply_timeout.max(Duration::from_secs(1)),
        ),
        judge: Judge::new(&target.accounts),
        record: Record {
            accounts: target.accounts.clone(),
            ..Record::default()
        },
        conns: Vec::new(),
        learner: Learner::new(&[]),
        window: Vec::new(),
        sent: None,
        salts: BTreeMap::new(),
        sb_addresses: BTreeMap::new(),
        last_sb: None,
        notes: Vec::new(),
    };
    let mut played = 0;
    for event in &scenario.events {
        if Instant::now() >= deadline {
            break;
        }
        let step = world.apply(event);
        s.judge.next_event();
        s.note_model_salts(&step);
        s.window.clear();
        s.sent = None;
        s.event(event);
        s.wait(&step);
        let actual: Vec<(&str, &Command<'static>)> =
            s.window.iter().map(|(c, f)| (c.as_str(), f)).collect();
        s.learner.learn(&step.deliveries, &actual);
        played += 1;
    }
    s.drain(Instant::now() + SETTLE);
    let Session {
        judge,
        record,
        notes,
        wire,
        ..
    } = s;
    drop(wire);
    let (violations, first_event) = judge.finish();
    Outcome {
        record,
        violations,
        first_event,
        events: scenario.events.len(),
        played,
        notes,
    }
}

impl Session<'_> {
    fn conn(&self, name: &str) -> Option<usize> {
        self.conns.iter().position(|c| c.name == name)
    }

    fn event(&mut self, event: &Event) {
        match event {
            Event::Connect { conn, kind } if self.conn(conn).is_none() => {
                self.conns.push(Conn {
                    name: conn.clone(),
                    kind: *kind,
                    link: None,
                    open: false,
                    inbox: Inbox::new(*kind),
                });
                let i = self.conns.len() - 1;
                match kind {
                    ServerKind::Dispatch => self.connect(i, self.target.ds),
                    ServerKind::Notification => self.connect(i, Some(self.target.ns)),
                    // Opened at its first frame, where its cookie says which address.
                    ServerKind::Switchboard => {}
                }
            }
            Event::Send { conn, .. } => {
                let translated = self.learner.translate(event);
                if let (Some(i), Event::Send { frame, .. }) = (self.conn(conn), translated) {
                    self.send(i, frame);
                }
            }
            Event::Disconnect { conn } => {
                if let Some(i) = self.conn(conn).filter(|&i| self.conns[i].open) {
                    if let Some(link) = self.conns[i].link {
                        self.wire.close(link);
                    }
                    self.closed(i);
                }
            }
            _ => {}
        }
    }

    fn connect(&mut self, i: usize, addr: Option<SocketAddr>) {
        let name = self.conns[i].name.clone();
        let Some(addr) = addr else {
            self.notes.push(format!(
                "{name}: not opened (no switchboard address learned yet)"
            ));
            return;
        };
        match self.wire.open(addr) {
            Ok(link) => {
                let kind = self.conns[i].kind;
                self.conns[i].link = Some(link);
                self.conns[i].open = true;
                self.record.connections.push((name.clone(), kind));
                self.record.items.push(Item::Connect(name.clone()));
                self.judge.connect(&name, kind);
            }
            Err(e) => self.notes.push(format!("{name}: {e}")),
        }
    }

    fn send(&mut self, i: usize, frame: Command<'static>) {
        let frame = self.fix_login(i, frame);
        if self.conns[i].kind == ServerKind::Switchboard && self.conns[i].link.is_none() {
            let cookie = match &frame {
                Command::UsrSwitchboard(u) => Some(u.cookie.as_bytes().to_vec()),
                Command::Ans(a) => Some(a.cookie.as_bytes().to_vec()),
                _ => None,
            };
            let addr = cookie
                .and_then(|c| self.sb_addresses.get(&c).copied())
                .or(self.last_sb);
            self.connect(i, addr);
        }
        let (name, kind) = (self.conns[i].name.clone(), self.conns[i].kind);
        let Some(link) = self.conns[i].link.filter(|_| self.conns[i].open) else {
            return;
        };
        let frame_trid = frame.trid();
        let bytes = self.bytes(frame);
        if self.wire.write(link, &bytes) {
            self.sent = Some((name.clone(), frame_trid));
            self.judge
                .frame(&name, kind, Direction::ClientToServer, &bytes);
            self.record.items.push(Item::Client(name, bytes));
        }
    }

    /// The frame's bytes with the generator's handles replaced by the real accounts'.
    fn bytes(&self, frame: Command<'static>) -> Vec<u8> {
        let frame = match frame {
            Command::MsgSend(m) => Command::MsgSend(MsgSend {
                trid: m.trid,
                ack: m.ack,
                payload: Payload::new(self.map_handles(m.payload.as_bytes())),
            }),
            other => other,
        };
        let mut line = Vec::new();
        frame.encode_line(&mut line);
        let mut bytes = self.map_handles(&line);
        bytes.extend_from_slice(b"\r\n");
        if let Some(p) = frame.payload() {
            bytes.extend_from_slice(p.as_bytes());
        }
        bytes
    }

    /// `userN@example.com` (the generator's account N) → the N-th real handle.
    fn map_handles(&self, text: &[u8]) -> Vec<u8> {
        map_handles(text, &self.target.accounts)
    }

    /// USR MD5 S (reference §3.1): a digest of the predictor's salt with the generator's password
    /// becomes the digest of the real salt with the real password; a wrong digest stays wrong.
    fn fix_login(&self, i: usize, frame: Command<'static>) -> Command<'static> {
        let Command::UsrResponse(mut u) = frame else {
            return frame;
        };
        let name = &self.conns[i].name;
        let client = client_of(name).unwrap_or(usize::MAX);
        let (Some((Some(model), Some(real))), Some(generated), Some((_, password))) = (
            self.salts.get(name),
            self.generated_passwords.get(client),
            self.target.accounts.get(client),
        ) else {
            return Command::UsrResponse(u);
        };
        if digest(model, generated).as_deref() == Some(u.digest.expose().as_bytes()) {
            if let Some(d) = digest(real, password).and_then(|d| Token::new(d).ok()) {
                u.digest = Secret::new(d);
            }
        }
        Command::UsrResponse(u)
    }

    fn note_model_salts(&mut self, step: &Step) {
        for d in &step.deliveries {
            if let Command::UsrSalt(u) = &d.command {
                let text = String::from_utf8_lossy(u.salt.as_bytes()).into_owned();
                self.salts.entry(d.conn.clone()).or_default().0 = Some(text);
            }
        }
    }

    /// Waits until the step is over ([`Session::satisfied`]) or the reply timeout passes; then
    /// takes what arrives until [`AFTER`] of quiet. Not cut by the run's deadline: a reply cut
    /// short would be reported missing (the run may end one reply timeout past its limit).
    ///
    /// The real server's state may differ from the predictor's (accounts only the generator has,
    /// lists left by earlier sessions), so a reply may be shorter than predicted: once a frame
    /// arrived on the sending connection (or nothing is owed to it), [`QUIET`] without any
    /// arrival ends the step. Silence before that lasts the whole reply timeout.
    fn wait(&mut self, step: &Step) {
        let start = Instant::now();
        let until = later(start, self.target.reply_timeout);
        if step.deliveries.is_empty() && step.closed.is_empty() {
            self.drain((start + SETTLE).min(until));
            return;
        }
        let mut last = start;
        while !self.satisfied(step) {
            let limit = if self.begun(step) {
                (last + QUIET).min(until)
            } else {
                until
            };
            match self.wire.next(limit) {
                Some(arrival) => {
                    self.arrive(arrival);
                    last = Instant::now();
                }
                None => break,
            }
        }
        self.settle();
    }

    /// Takes what arrives until [`AFTER`] passes without an arrival: lines the predictor did not
    /// owe (the server's state differs) are then observed before the next client frame, as
    /// they were sent.
    fn settle(&mut self) {
        while let Some(arrival) = self.wire.next(Instant::now() + AFTER) {
            self.arrive(arrival);
        }
    }

    /// Whether the sending connection's reply may have begun: a frame arrived there during this
    /// step (perhaps the reply with a wrong TrID), or it is owed nothing, or it closed.
    fn begun(&self, step: &Step) -> bool {
        let Some((conn, _)) = &self.sent else {
            return true;
        };
        let owed = step.deliveries.iter().any(|d| d.conn == *conn);
        !owed || !self.is_open(conn) || self.window.iter().any(|(c, _)| c == conn)
    }

    fn is_open(&self, conn: &str) -> bool {
        self.conn(conn).is_some_and(|i| self.conns[i].open)
    }

    /// Whether the reply to the frame sent has begun: a frame with its TrID on its connection
    /// when the predictor answers with one (frames still arriving for an earlier, pipelined
    /// command do not count), else any frame there.
    fn reply_seen(&self, step: &Step) -> bool {
        let Some((conn, trid)) = &self.sent else {
            return true;
        };
        let answers = |c: &str, f: &Command<'_>| c == conn && trid.is_some() && f.trid() == *trid;
        let predicted = step.deliveries.iter().any(|d| answers(&d.conn, &d.command));
        self.window
            .iter()
            .any(|(c, f)| if predicted { answers(c, f) } else { c == conn })
    }

    /// Whether the step is over: the reply with the sent frame's TrID arrived (when the
    /// predictor answers with one), each connection got as many frames as the predictor sent it
    /// (or closed), and closed where the predictor closed it; or the frame sent got an error
    /// reply the predictor did not send (the real server's state differs: e.g. a handle that
    /// exists only in the generator's world, `205`), after which nothing else is owed.
    fn satisfied(&self, step: &Step) -> bool {
        if let Some((conn, Some(trid))) = &self.sent {
            let error = |c: &Command<'_>| matches!(c, Command::Error(e) if e.trid == *trid);
            let real = self.window.iter().any(|(c, f)| c == conn && error(f));
            let model = step
                .deliveries
                .iter()
                .any(|d| d.conn == *conn && error(&d.command));
            if real && !model {
                return true;
            }
        }
        if let Some((conn, _)) = &self.sent {
            let owed = step.deliveries.iter().any(|d| d.conn == *conn);
            if owed && self.is_open(conn) && !self.reply_seen(step) {
                return false;
            }
        }
        let mut owed: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &step.deliveries {
            *owed.entry(d.conn.as_str()).or_default() += 1;
        }
        let got = |conn: &str| self.window.iter().filter(|(c, _)| c == conn).count();
        owed.iter().all(|(c, n)| got(c) >= *n || !self.is_open(c))
            && step
                .closed
                .iter()
                .filter(|c| c.rule != "CLIENT")
                .all(|c| !self.is_open(&c.conn))
    }

    /// Takes every arrival until `until`.
    fn drain(&mut self, until: Instant) {
        while let Some(arrival) = self.wire.next(until) {
            self.arrive(arrival);
        }
    }

    fn by_link(&self, link: usize) -> Option<usize> {
        self.conns.iter().position(|c| c.link == Some(link))
    }

    fn arrive(&mut self, arrival: Arrival) {
        match arrival {
            Arrival::Data(link, bytes) => {
                let Some(i) = self.by_link(link).filter(|&i| self.conns[i].open) else {
                    return;
                };
                let (name, kind) = (self.conns[i].name.clone(), self.conns[i].kind);
                let dialect = self.judge.dialect(&name, kind);
                self.conns[i].inbox.set_dialect(dialect);
                for received in self.conns[i].inbox.push(&bytes) {
                    self.received(i, received);
                }
            }
            Arrival::Closed(link, reason) => {
                if let Some(i) = self.by_link(link).filter(|&i| self.conns[i].open) {
                    if let Some(reason) = reason {
                        self.notes.push(format!("{}: {reason}", self.conns[i].name));
                    }
                    self.closed(i);
                }
            }
        }
    }

    fn received(&mut self, i: usize, received: Received) {
        let (name, kind) = (self.conns[i].name.clone(), self.conns[i].kind);
        if !self.conns[i].open {
            return;
        }
        match received {
            Received::Frame(bytes, command) => {
                self.judge
                    .frame(&name, kind, Direction::ServerToClient, &bytes);
                self.record.items.push(Item::Server(name.clone(), bytes));
                if let Some(command) = command {
                    self.learn_addresses(&name, &command);
                    self.window.push((name, command));
                }
            }
            Received::Lost(bytes, why) => {
                self.judge
                    .frame(&name, kind, Direction::ServerToClient, &bytes);
                self.record.items.push(Item::Server(name.clone(), bytes));
                self.notes
                    .push(format!("{name}: framing lost ({why}); closed"));
                if let Some(link) = self.conns[i].link {
                    self.wire.close(link);
                }
                self.closed(i);
            }
        }
    }

    fn learn_addresses(&mut self, conn: &str, command: &Command<'static>) {
        let (address, cookie) = match command {
            Command::XfrSwitchboard(x) => (&x.address, &x.cookie),
            Command::Rng(r) => (&r.address, &r.cookie),
            Command::UsrSalt(u) => {
                let text = String::from_utf8_lossy(u.salt.as_bytes()).into_owned();
                self.salts.entry(conn.to_owned()).or_default().1 = Some(text);
                return;
            }
            _ => return,
        };
        let parsed = std::str::from_utf8(address.as_bytes())
            .ok()
            .and_then(|a| a.parse::<SocketAddr>().ok());
        if let Some(addr) = parsed {
            self.sb_addresses.insert(cookie.as_bytes().to_vec(), addr);
            self.last_sb = Some(addr);
        }
    }

    fn closed(&mut self, i: usize) {
        let name = self.conns[i].name.clone();
        self.conns[i].open = false;
        self.judge.disconnect(&name);
        self.record.items.push(Item::Disconnect(name));
    }
}

/// `start + d`, or a year later when that is past what an [`Instant`] holds (a huge
/// `--time-limit` or `--reply-timeout` must not panic).
pub fn later(start: Instant, d: Duration) -> Instant {
    start
        .checked_add(d)
        .or_else(|| start.checked_add(Duration::from_secs(365 * 86_400)))
        .unwrap_or(start)
}

fn digest(salt: &str, password: &str) -> Option<Vec<u8>> {
    let salt = Salt::new(salt.as_bytes()).ok()?;
    Some(login_digest_string(salt, Password::new(password.as_bytes())).into_bytes())
}

/// Replaces each `userN@example.com` (the generator's account N) by the N-th of `accounts`, in
/// one pass; other text is kept.
pub fn map_handles(text: &[u8], accounts: &[(String, String)]) -> Vec<u8> {
    const DOMAIN: &[u8] = b"@example.com";
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(b"user") {
            let digits = text[i + 4..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let end = i + 4 + digits;
            if digits > 0 && text[end..].starts_with(DOMAIN) {
                let n: Option<usize> = std::str::from_utf8(&text[i + 4..end])
                    .ok()
                    .and_then(|d| d.parse().ok());
                if let Some((handle, _)) = n.and_then(|n| accounts.get(n)) {
                    out.extend_from_slice(handle.as_bytes());
                    i = end + DOMAIN.len();
                    continue;
                }
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_handles_become_real_ones() {
        let accounts = vec![
            ("alice@x.org".to_owned(), "a".to_owned()),
            ("bob@x.org".to_owned(), "b".to_owned()),
        ];
        let got = map_handles(
            b"ADD 3 FL user1@example.com user10@example.com user0@example.com.x",
            &accounts,
        );
        assert_eq!(
            got,
            b"ADD 3 FL bob@x.org user10@example.com alice@x.org.x".to_vec()
        );
    }
}
