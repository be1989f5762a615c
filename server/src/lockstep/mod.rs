//! The core proven against the reference model, event by event (issue 20, Proof 1).
//!
//! A [`Lockstep`] runs the model ([`World`]) and a [`Machine`] (the server's core) side by side
//! on the same scenario events (oracle [`Event`]s: connect, send a frame, disconnect, time passes,
//! shutdown). The client frames are the generator's, written with the model's server-chosen
//! values; the core gets them through a [`Learner`] that rewrites them with the values the core
//! chose (salts, cookies, session ids, challenges), and through a framer of the connection's
//! context, as the shell would deliver them. After each event the frames the core sent must equal
//! the model's, connection by connection and frame by frame (across connections the reference
//! fixes no order, §1.2), server-chosen values bound as they appear ([`compare`]), and the same
//! connections must close. Optionally a live [`Monitor`] judges the core's frames too.
//!
//! Only built with the `fuzzing` feature (it needs `msnp6-oracle`; the server never does).

mod compare;
mod double;
mod error;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use msnp6::commands::Command;
use msnp6::types::{Dialect, Direction, FriendlyName, Handle, ServerKind};
use msnp6::{Decoder, Framer};
use msnp6_oracle::model::{AccountSpec, ConnName, Event, Learner, Step, Verification, World};
use msnp6_oracle::monitor::{Monitor, Observed, Side, VerifyOptions};

use crate::core::{Config, ConnId, Core, Counts, Input, Machine, Millis, Output, SeededEntropy};
use crate::store::{Account, MemoryStore, Standing};

use self::compare::{Bindings, Verdict};
pub use self::double::ModelMachine;
pub use self::error::Divergence;

/// The most `Tick`s one `Event::Tick` may take (one per deadline passed): a core whose deadline
/// never passes is a [`Divergence::Contract`], not a hang.
const MAX_TICKS: usize = 10_000;

/// What the lockstep drives: the [`Core`], or a test double that is not `Send`
/// ([`ModelMachine`]: the model is not), or either behind a [`Faulty`](crate::fuzzing::Faulty).
pub trait Driven: core::fmt::Debug {
    /// [`Machine::handle`].
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>);
    /// [`Machine::next_deadline`].
    fn next_deadline(&self) -> Option<Millis>;
    /// The NS challenges `conn` now (`CHL 0 challenge`, reference §3.4: "at any time"), as the
    /// scenario's [`Event::ServerChallenge`] asks.
    fn challenge(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>);
    /// What the machine holds, if it says ([`Core::counts`]).
    fn counts(&self) -> Option<Counts> {
        None
    }
}

impl Driven for Core {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        Machine::handle(self, now, input, out);
    }
    fn next_deadline(&self) -> Option<Millis> {
        Machine::next_deadline(self)
    }
    fn challenge(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        Core::challenge(self, now, conn, out);
    }
    fn counts(&self) -> Option<Counts> {
        Some(Core::counts(self))
    }
}

/// The core for a lockstep run: the reference configuration ([`Config::reference`]: no login or
/// idle timeout, no automatic challenge, no rate limit, as the model), a [`MemoryStore`] with
/// `accounts` (see [`account`]) and entropy seeded with `seed`.
pub fn core(seed: u64, accounts: &[AccountSpec]) -> Result<Core, String> {
    let stored = accounts
        .iter()
        .map(account)
        .collect::<Result<Vec<_>, _>>()?;
    let store = Box::new(MemoryStore::with_accounts(stored));
    Core::new(
        Config::reference(),
        store,
        Box::new(SeededEntropy::new(seed)),
    )
    .map_err(|e| e.to_string())
}

/// A connection as the driver sees it.
#[derive(Debug)]
struct Link {
    id: ConnId,
    kind: ServerKind,
    framer: Framer,
    /// Whether the core still has it open (no `Close` from it, no `Closed` to it).
    open: bool,
}

/// What one event produced on both sides (for callers that look at states reached).
#[derive(Debug, Default, Clone)]
pub struct Played {
    /// The model's step.
    pub step: Step,
    /// The core's frames, in order: connection and frame.
    pub frames: Vec<(ConnName, Command<'static>)>,
    /// The connections the core closed, in order.
    pub closed: Vec<ConnName>,
}

/// The store account for a scenario's account, or why the core cannot hold it. Every
/// [`Verification`] the model knows has its [`Standing`] (reference §3.1 USR: `OK … 1`,
/// `OK … 0`, `924`, `923`), so the lockstep compares all four exactly
/// (server/LOCKSTEP-FINDINGS.md #10).
pub fn account(spec: &AccountSpec) -> Result<Account, String> {
    let handle = Handle::new(spec.handle.clone().into_bytes()).map_err(|e| e.to_string())?;
    let name = FriendlyName::new(spec.name.clone().into_bytes()).map_err(|e| e.to_string())?;
    let mut account = Account::new(handle, &spec.password, name);
    account.list_version = spec.list_version;
    account.standing = match spec.verification {
        Verification::Verified => Standing::Verified,
        Verification::Unverified => Standing::Unverified,
        Verification::Blocked => Standing::Blocked,
        Verification::KidWithoutConsent => Standing::KidWithoutConsent,
        // `Verification` is non-exhaustive: a state added to the model later is not guessed.
        other => {
            return Err(format!(
                "{}: the store has no standing for {other:?}",
                spec.handle
            ));
        }
    };
    Ok(account)
}

/// The model and a core, in lockstep.
#[derive(Debug)]
pub struct Lockstep {
    world: World,
    machine: Box<dyn Driven>,
    learner: Learner,
    links: BTreeMap<ConnName, Link>,
    names: BTreeMap<ConnId, ConnName>,
    bindings: Bindings,
    monitor: Option<Monitor>,
    monitor_findings: Vec<String>,
    now: Millis,
    step: usize,
    event: String,
    out: Vec<Output>,
}

impl Lockstep {
    /// The model started at `seed` (the scenario's seed) with `accounts`, against `machine`,
    /// which must already hold the same accounts (see [`account`]).
    pub fn new(seed: u64, accounts: &[AccountSpec], machine: Box<dyn Driven>) -> Self {
        let mut world = World::new(seed);
        for a in accounts {
            world.add_account(a);
        }
        Lockstep {
            world,
            machine,
            learner: Learner::new(accounts),
            links: BTreeMap::new(),
            names: BTreeMap::new(),
            bindings: Bindings::default(),
            monitor: None,
            monitor_findings: Vec::new(),
            now: 0,
            step: 0,
            event: String::new(),
            out: Vec::new(),
        }
    }

    /// Also feeds every frame to a live monitor that knows the accounts' passwords; a
    /// server-side violation is a [`Divergence::Monitor`].
    pub fn with_monitor(mut self, accounts: &[AccountSpec]) -> Self {
        let mut options = VerifyOptions::default();
        for a in accounts {
            options = options.with_account(a.handle.clone(), a.password.clone());
        }
        self.monitor = Some(Monitor::new(options));
        self
    }

    /// The model.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The machine under test.
    pub fn machine(&self) -> &dyn Driven {
        self.machine.as_ref()
    }

    /// How many connections the core has open.
    pub fn open_connections(&self) -> usize {
        self.links.values().filter(|l| l.open).count()
    }

    /// Plays one scenario event on both sides and compares what they sent and closed.
    pub fn apply(&mut self, event: &Event) -> Result<Played, Box<Divergence>> {
        self.step += 1;
        self.event = describe(event);
        self.out.clear();
        let mut client_closed = None;
        let translated = self.learner.translate(event);
        match &translated {
            Event::Connect { conn, kind } if !self.world.knows(conn) => self.open(conn, *kind),
            Event::Send { conn, frame } if self.world.is_open(conn) => self.send(conn, frame)?,
            Event::Disconnect { conn } if self.world.is_open(conn) => {
                client_closed = Some(conn.clone());
                self.client_close(conn);
            }
            Event::Tick { seconds } => self.tick(seconds.saturating_mul(1000))?,
            Event::Shutdown => self
                .machine
                .handle(self.now, Input::Shutdown, &mut self.out),
            Event::ServerChallenge { conn } => {
                if let Some(id) = self.links.get(conn).filter(|l| l.open).map(|l| l.id) {
                    self.machine.challenge(self.now, id, &mut self.out);
                }
            }
            _ => {}
        }
        let step = self.world.apply(event);
        let played = self.carry_out(step)?;
        self.check(&played, client_closed.as_deref())?;
        Ok(played)
    }

    /// A client sends `bytes` on `conn`, which need not be valid: the frames they hold are sent as
    /// [`Event::Send`]s; at the first line the connection's decoder refuses, the core gets it as
    /// [`Input::Undecodable`] and must close the connection, and the model sees the client leave
    /// (reference §14: an unknown command, a known command out of place, a bad TrID:
    /// disconnect). Bytes after an incomplete frame are not sent.
    pub fn apply_bytes(
        &mut self,
        conn: &str,
        bytes: &[u8],
    ) -> Result<Vec<Played>, Box<Divergence>> {
        let mut played = Vec::new();
        let Some(link) = self.links.get(conn).filter(|l| l.open) else {
            return Ok(played);
        };
        let mut framer = Framer::new(*link.framer.decoder());
        framer.push(bytes);
        for _ in 0..bytes.len() + 1 {
            if !self.links.get(conn).is_some_and(|l| l.open) {
                break;
            }
            let decoder = self.links.get(conn).map(|l| *l.framer.decoder());
            if let Some(d) = decoder {
                framer.set_decoder(d);
            }
            match framer.next_frame() {
                Ok(None) => break,
                Ok(Some(f)) => {
                    let frame = f.command.into_owned();
                    self.apply(&Event::Send {
                        conn: conn.to_owned(),
                        frame,
                    })?;
                }
                Err(error) => {
                    let start = usize::try_from(error.line_offset).unwrap_or(usize::MAX);
                    let rest = bytes.get(start..).unwrap_or_default();
                    let end = rest
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(rest.len(), |e| e + 1);
                    played.push(self.undecodable(conn, error, &rest[..end])?);
                    break;
                }
            }
        }
        Ok(played)
    }

    fn undecodable(
        &mut self,
        conn: &str,
        error: msnp6::FrameError,
        line: &[u8],
    ) -> Result<Played, Box<Divergence>> {
        self.step += 1;
        self.event = format!("C@{conn}: a line that does not decode ({error})");
        self.out.clear();
        let Some(id) = self.links.get(conn).map(|l| l.id) else {
            return Ok(Played::default());
        };
        self.observe(conn, Direction::ClientToServer, line, None)?;
        self.machine.handle(
            self.now,
            Input::Undecodable { conn: id, error },
            &mut self.out,
        );
        let step = self.world.apply(&Event::Disconnect {
            conn: conn.to_owned(),
        });
        let played = self.carry_out(step)?;
        if !played.closed.iter().any(|c| c == conn) {
            return Err(Box::new(Divergence::Close {
                step: self.step,
                event: self.event.clone(),
                conn: conn.to_owned(),
                model: true,
                core: false,
            }));
        }
        self.check(&played, None)?;
        Ok(played)
    }

    fn err_contract(&self, what: String) -> Box<Divergence> {
        Box::new(Divergence::Contract {
            step: self.step,
            event: self.event.clone(),
            what,
        })
    }

    fn open(&mut self, conn: &str, kind: ServerKind) {
        let id = ConnId(self.links.len() as u64 + 1);
        let framer = Framer::new(Decoder::new(Direction::ClientToServer, kind));
        self.links.insert(
            conn.to_owned(),
            Link {
                id,
                kind,
                framer,
                open: true,
            },
        );
        self.names.insert(id, conn.to_owned());
        if let Some(m) = &mut self.monitor {
            m.connect(conn, kind);
        }
        self.machine
            .handle(self.now, Input::Opened { conn: id, kind }, &mut self.out);
    }

    /// The frame's bytes through the connection's framer, into the core (as the shell does).
    fn send(&mut self, conn: &str, frame: &Command<'static>) -> Result<(), Box<Divergence>> {
        let bytes = frame.to_bytes();
        self.observe(conn, Direction::ClientToServer, &bytes, None)?;
        let Some(link) = self.links.get_mut(conn).filter(|l| l.open) else {
            return Ok(());
        };
        let id = link.id;
        link.framer.push(&bytes);
        // One frame's bytes hold at most a few frames; bounded anyway.
        for _ in 0..bytes.len() + 1 {
            let link = match self.links.get_mut(conn) {
                Some(l) if l.open => l,
                _ => break,
            };
            let input = match link.framer.next_frame() {
                Ok(None) => break,
                Ok(Some(f)) => Input::Frame {
                    conn: id,
                    command: f.command.into_owned(),
                },
                Err(error) => Input::Undecodable { conn: id, error },
            };
            let fatal = matches!(&input, Input::Undecodable { error, .. } if error.is_fatal());
            let from = self.out.len();
            self.machine.handle(self.now, input, &mut self.out);
            self.track(from);
            if fatal {
                break;
            }
        }
        Ok(())
    }

    fn client_close(&mut self, conn: &str) {
        if let Some(m) = &mut self.monitor {
            m.disconnect(conn);
        }
        let Some(link) = self.links.get_mut(conn).filter(|l| l.open) else {
            return;
        };
        link.open = false;
        let id = link.id;
        self.machine
            .handle(self.now, Input::Closed { conn: id }, &mut self.out);
    }

    /// Time passes: a `Tick` at every deadline up to the end, in order, then one at the end.
    fn tick(&mut self, millis: u64) -> Result<(), Box<Divergence>> {
        let end = self.now.saturating_add(millis);
        for _ in 0..MAX_TICKS {
            match self.machine.next_deadline() {
                Some(d) if d <= end => {
                    self.now = self.now.max(d);
                    let from = self.out.len();
                    self.machine.handle(self.now, Input::Tick, &mut self.out);
                    self.track(from);
                    if self.machine.next_deadline() == Some(d) && self.out.len() == from {
                        return Err(self.err_contract(format!("the deadline {d} does not pass")));
                    }
                }
                _ => {
                    self.now = end;
                    self.machine.handle(self.now, Input::Tick, &mut self.out);
                    return Ok(());
                }
            }
        }
        Err(self.err_contract(format!("more than {MAX_TICKS} deadlines in one tick")))
    }

    /// Applies the framing-relevant outputs from `from` on (dialects, closes) at once, so that
    /// the next frame of the same bytes is decoded as the shell would.
    fn track(&mut self, from: usize) {
        for i in from..self.out.len() {
            match self.out[i] {
                Output::Dialect { conn, dialect } => self.set_dialect(conn, dialect),
                Output::Close { conn } => {
                    if let Some(l) = self.names.get(&conn).and_then(|n| self.links.get_mut(n)) {
                        l.open = false;
                    }
                }
                _ => {}
            }
        }
    }

    fn set_dialect(&mut self, conn: ConnId, dialect: Dialect) {
        if let Some(l) = self.names.get(&conn).and_then(|n| self.links.get_mut(n)) {
            let decoder = Decoder::new(Direction::ClientToServer, l.kind).with_dialect(dialect);
            l.framer.set_decoder(decoder);
        }
    }

    /// The core's outputs of this event, checked against the contract and fed to the monitor.
    fn carry_out(&mut self, step: Step) -> Result<Played, Box<Divergence>> {
        let mut played = Played {
            step,
            ..Played::default()
        };
        let mut closed: BTreeSet<ConnId> = BTreeSet::new();
        let out = std::mem::take(&mut self.out);
        for o in &out {
            match o {
                Output::Send { conn, command } => {
                    let name = self.name(*conn)?;
                    if closed.contains(conn) {
                        return Err(
                            self.err_contract(format!("a frame for {name} after its close"))
                        );
                    }
                    self.observe(&name, Direction::ServerToClient, &[], Some(command))?;
                    played.frames.push((name, command.clone()));
                }
                Output::Close { conn } => {
                    let name = self.name(*conn)?;
                    if !closed.insert(*conn) {
                        return Err(self.err_contract(format!("{name} closed twice")));
                    }
                    if let Some(m) = &mut self.monitor {
                        m.disconnect(&name);
                    }
                    played.closed.push(name);
                }
                _ => {}
            }
        }
        self.out = out;
        // Outputs were tracked as they came, except those of Opened/Closed/Shutdown/last Tick.
        self.track(0);
        Ok(played)
    }

    fn name(&self, conn: ConnId) -> Result<ConnName, Box<Divergence>> {
        self.names
            .get(&conn)
            .cloned()
            .ok_or_else(|| self.err_contract(format!("output for unknown connection {conn:?}")))
    }

    /// Feeds one frame to the monitor (client frames as bytes, server frames decoded).
    fn observe(
        &mut self,
        conn: &str,
        direction: Direction,
        bytes: &[u8],
        command: Option<&Command<'static>>,
    ) -> Result<(), Box<Divergence>> {
        let (Some(m), Some(kind)) = (&mut self.monitor, self.links.get(conn).map(|l| l.kind))
        else {
            return Ok(());
        };
        let frame = match command {
            Some(c) => Ok(c.clone()),
            None => m.decode(conn, kind, direction, bytes),
        };
        let time = Duration::from_millis(self.now);
        let found = m.observe(Observed {
            connection: conn,
            kind,
            direction,
            frame,
            time,
        });
        for v in found.iter().filter(|v| v.side == Side::Server) {
            let finding = format!("step {} ({}): {v}", self.step, self.event);
            self.monitor_findings.push(finding);
        }
        Ok(())
    }

    /// The core's frames and closes against the model's step.
    fn check(
        &mut self,
        played: &Played,
        client_closed: Option<&str>,
    ) -> Result<(), Box<Divergence>> {
        let actual: Vec<(&str, &Command<'_>)> =
            played.frames.iter().map(|(c, f)| (c.as_str(), f)).collect();
        self.learner.learn(&played.step.deliveries, &actual);
        let model: BTreeSet<&str> = played
            .step
            .closed
            .iter()
            .map(|c| c.conn.as_str())
            .filter(|c| Some(*c) != client_closed)
            .collect();
        // Several deadlines passed at once (challenge or SB login timeouts): the reference fixes
        // no order between them; the model breaks ties by connection name, the core by id.
        let simultaneous = self.event.starts_with("tick") && model.len() > 1;
        let mut conns: BTreeSet<&str> = played.frames.iter().map(|(c, _)| c.as_str()).collect();
        conns.extend(played.step.deliveries.iter().map(|d| d.conn.as_str()));
        for conn in conns {
            let mut expected: Vec<&Command<'static>> = played
                .step
                .deliveries
                .iter()
                .filter(|d| d.conn == conn)
                .map(|d| &d.command)
                .collect();
            let mut actual: Vec<&Command<'static>> = played
                .frames
                .iter()
                .filter(|(c, _)| c == conn)
                .map(|(_, f)| f)
                .collect();
            if simultaneous {
                (expected, actual) = aligned(expected, actual, model.contains(conn));
            }
            let (mut expected, mut actual) = (expected.into_iter(), actual.into_iter());
            for index in 0.. {
                match (expected.next(), actual.next()) {
                    (None, None) => break,
                    (e, a) => self.pair(conn, index, e, a)?,
                }
            }
        }
        let core: BTreeSet<&str> = played.closed.iter().map(String::as_str).collect();
        if let Some(conn) = model.symmetric_difference(&core).next() {
            return Err(Box::new(Divergence::Close {
                step: self.step,
                event: self.event.clone(),
                conn: (*conn).to_owned(),
                model: model.contains(conn),
                core: core.contains(conn),
            }));
        }
        Ok(())
    }

    fn pair(
        &mut self,
        conn: &str,
        index: usize,
        expected: Option<&Command<'static>>,
        actual: Option<&Command<'static>>,
    ) -> Result<(), Box<Divergence>> {
        let verdict = match (expected, actual) {
            (Some(e), Some(a)) => compare::compare(&mut self.bindings, e, a),
            _ => Verdict::Different,
        };
        let text = |c: Option<&Command<'static>>| {
            c.map(|c| String::from_utf8_lossy(&c.to_bytes()).into_owned())
        };
        match verdict {
            Verdict::Same => Ok(()),
            Verdict::Different => Err(Box::new(Divergence::Frame {
                step: self.step,
                event: self.event.clone(),
                conn: conn.to_owned(),
                index,
                expected: text(expected),
                actual: text(actual),
            })),
            Verdict::Conflict((kind, model, real, bound)) => Err(Box::new(Divergence::Value {
                step: self.step,
                event: self.event.clone(),
                conn: conn.to_owned(),
                kind,
                model,
                real,
                bound,
            })),
        }
    }

    /// The server-side violations the live monitor found so far, each with its step. The frames
    /// were compared with the model's first, so each is a frame the model sends too (or, at the
    /// end of the run, one neither sends): a disagreement between the two oracles rather than a
    /// finding about the core (server/LOCKSTEP-FINDINGS.md).
    pub fn monitor_findings(&self) -> &[String] {
        &self.monitor_findings
    }

    /// Ends the run: the monitor's findings, with what it still finds owed at the end.
    pub fn finish(self) -> Vec<String> {
        let mut findings = self.monitor_findings;
        if let Some(m) = self.monitor {
            let report = m.finish();
            for v in report.violations.iter().filter(|v| v.side == Side::Server) {
                let finding = format!("end of the run: {v}");
                if !findings.iter().any(|f| f.ends_with(&v.to_string())) {
                    findings.push(finding);
                }
            }
        }
        findings
    }
}

/// The frames of one connection in a step where several deadlines passed at once, the core's
/// reordered to follow the model's where the same frames were sent. A connection that closes in
/// the step may have received, or not, the `FLN`/`BYE` of a departure that ran before its close
/// on one side and after it on the other: such frames without a counterpart are dropped from both.
/// Anything else is left for the comparison to report.
fn aligned<'c>(
    expected: Vec<&'c Command<'static>>,
    mut actual: Vec<&'c Command<'static>>,
    closing: bool,
) -> (Vec<&'c Command<'static>>, Vec<&'c Command<'static>>) {
    let departure = |c: &Command<'_>| matches!(c, Command::Fln(_) | Command::Bye(_));
    let mut kept = Vec::with_capacity(expected.len());
    let mut out = Vec::with_capacity(actual.len());
    for e in expected {
        let bytes = e.to_bytes();
        match actual.iter().position(|a| a.to_bytes() == bytes) {
            Some(i) => out.push(actual.remove(i)),
            None if closing && departure(e) => continue,
            None => {}
        }
        kept.push(e);
    }
    if closing {
        actual.retain(|a| !departure(a));
    }
    out.extend(actual);
    (kept, out)
}

/// An event as one line of text (client frames without their payload).
fn describe(event: &Event) -> String {
    match event {
        Event::Connect { conn, kind } => format!("connect {conn} {kind:?}"),
        Event::Send { conn, frame } => {
            let bytes = frame.to_bytes();
            let line = bytes.split(|&b| b == b'\r').next().unwrap_or(&[]);
            format!("C@{conn}: {}", String::from_utf8_lossy(line))
        }
        Event::Disconnect { conn } => format!("disconnect {conn}"),
        Event::Tick { seconds } => format!("tick {seconds} s"),
        Event::ServerChallenge { conn } => format!("challenge {conn}"),
        Event::Shutdown => "shutdown".to_owned(),
        other => format!("{other:?}"),
    }
}
