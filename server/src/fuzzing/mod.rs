//! The `session` fuzz targets' oracle (issue 21 §1): the server core driven in-process by an
//! arbitrary sequence of events for several users, decoded from the fuzz input with `arbitrary`.
//!
//! | target | what it runs |
//! | --- | --- |
//! | `session` | [`session`]: the plan below through [`Lockstep`] |
//! | `session_state` | [`session_state`]: the same, and each protocol state reached visits a slot of the state-feedback table ([`table`]) |
//!
//! Oracles, each a panic naming the step, the connection and the frames:
//! * no panic in the core, and no hang (every input is bounded: [`plan`] limits);
//! * bounded growth: the core holds exactly the connections the driver has open, no more than
//!   were opened, and no more switchboard sessions than SB connections;
//! * the core's frames equal the model's, connection by connection, server-chosen values learned
//!   ([`Lockstep`]), and the same connections close;
//! * the live monitor (`msnp6_oracle::monitor`) reports no server violation, during the run and
//!   at its end. Since the frames were compared with the model's first, a finding is a
//!   disagreement between the monitor and the model (server/LOCKSTEP-FINDINGS.md: none is open);
//!   `MSNP6_SESSION_MONITOR=report` makes findings non-fatal (printed at the end of the run).
//!
//! A [`Fault`] (from `MSNP6_SESSION_FAULT`) breaks the machine in a known way, to measure how fast
//! each target finds it (docs/fuzzing.md). Only built with the `fuzzing` feature.

mod fault;
mod plan;
pub mod table;

use std::collections::BTreeMap;

use arbitrary::Unstructured;
use msnp6::commands::{Command, Context};
use msnp6::fuzzing::{Target, arbitrary_variant, variants_in};
use msnp6::types::{Dialect, Direction, List, ServerKind};
use msnp6_oracle::model::{AccountSpec, ConnName, Event, Scenario};

use self::plan::{Plan, Raw, kind};
use crate::lockstep::{Driven, Lockstep, ModelMachine, Played};

pub use self::fault::{Fault, Faulty};

/// The most input bytes read (longer inputs are cut).
pub const MAX_INPUT: usize = 1 << 13;

/// **`session`**: `data` as a plan of events, played on the model and the core in lockstep with
/// the live monitor; panics on the first difference or violation.
pub fn session(data: &[u8]) {
    run(data, Fault::from_env(), &mut |_| {});
}

/// **`session_state`**: [`session`], and every protocol state reached visits its slot of the
/// state-feedback table ([`table::visit`]): per connection the kind, the client's last verb and
/// the reply's verb; per user the client's verb, the status and the four list sizes (bucketed).
pub fn session_state(data: &[u8]) {
    run(data, Fault::from_env(), &mut table::visit);
}

/// The distinct protocol-state keys one input reaches (what [`session_state`] feeds the table
/// with), without the fault; for measuring the targets (`fuzz/examples/session.rs`).
pub fn states(data: &[u8]) -> std::collections::BTreeSet<u64> {
    let mut keys = std::collections::BTreeSet::new();
    let run_one = std::panic::AssertUnwindSafe(|| {
        run(data, Fault::None, &mut |k| {
            keys.insert(k);
        })
    });
    let _ = std::panic::catch_unwind(run_one);
    keys
}

/// Whether the monitor's findings are fatal: yes, unless `MSNP6_SESSION_MONITOR=report`. They
/// come only where the core's frames equal the model's, so each is a disagreement between the
/// model and the monitor (server/LOCKSTEP-FINDINGS.md); `report` lets a campaign go on past one
/// while it is analysed.
fn strict_monitor() -> bool {
    std::env::var_os("MSNP6_SESSION_MONITOR").is_none_or(|v| v != "report")
}

/// The machine under test for `accounts`: the core ([`crate::lockstep::core`], entropy seeded
/// from `seed`, so other values than the model's), with `fault`. Should the core refuse the
/// accounts (it holds every standing the model knows, [`crate::lockstep::account`], so only a
/// verification state added to the model later would), the model stands in, so that the run
/// still checks something.
pub fn machine(seed: u64, accounts: &[AccountSpec], fault: Fault) -> Box<dyn Driven> {
    let inner: Box<dyn Driven> = match crate::lockstep::core(seed ^ 0x5E55_10A5, accounts) {
        Ok(core) => Box::new(core),
        Err(_) => Box::new(ModelMachine::new(seed ^ 0x5E55_10A5, accounts)),
    };
    Box::new(Faulty::new(inner, fault))
}

/// Plays `data` with `fault`, reporting state keys to `feedback`.
pub fn run(data: &[u8], fault: Fault, feedback: &mut dyn FnMut(u64)) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let mut u = Unstructured::new(data);
    let plan = Plan::read(&mut u);
    let scenario = Scenario::generate(plan.seed, &plan.choices);
    let accounts = &scenario.accounts;
    let machine = machine(plan.seed, accounts, fault);
    let mut player = Player {
        lockstep: Lockstep::new(plan.seed, accounts, machine).with_monitor(accounts),
        conns: Vec::new(),
        last_verb: BTreeMap::new(),
        connects: 0,
        next_trid: 1_000_000,
        log: Vec::new(),
    };
    let mut raws = plan.raws.clone();
    raws.sort_by_key(|(at, _)| *at);
    let mut raws = raws.into_iter().peekable();
    for (i, event) in scenario.events.iter().enumerate() {
        while let Some((_, raw)) = raws.next_if(|(at, _)| *at <= i) {
            player.raw(&raw, feedback);
        }
        player.play(event, feedback);
    }
    for (_, raw) in raws {
        player.raw(&raw, feedback);
    }
    let findings = player.lockstep.finish();
    if findings.is_empty() {
        return;
    }
    let report = format!(
        "the monitor: {}\n-- events:\n{}",
        findings.join("\n"),
        player.log.join("\n")
    );
    if strict_monitor() {
        panic!("{report}");
    }
    eprintln!("{report}");
}

/// Plays events and raw operations, keeping what the state keys need.
struct Player {
    lockstep: Lockstep,
    /// Every connection opened, in order, with its kind.
    conns: Vec<(ConnName, ServerKind)>,
    /// The last client verb per connection.
    last_verb: BTreeMap<ConnName, String>,
    connects: usize,
    /// The next TrID of a raw frame (unique, so that replies are attributable).
    next_trid: u32,
    log: Vec<String>,
}

impl Player {
    fn play(&mut self, event: &Event, feedback: &mut dyn FnMut(u64)) {
        self.log.push(format!("{event:?}"));
        match event {
            Event::Connect { conn, kind } if !self.lockstep.world().knows(conn) => {
                self.conns.push((conn.clone(), *kind));
                self.connects += 1;
            }
            Event::Send { conn, frame } => {
                self.last_verb.insert(conn.clone(), frame.verb().to_owned());
            }
            _ => {}
        }
        match self.lockstep.apply(event) {
            Ok(played) => self.feedback(event, &played, feedback),
            Err(d) => self.fail(&d.to_string()),
        }
        self.check_growth();
    }

    /// Bounded growth: the core holds exactly the connections the driver has open (none leaks),
    /// no more than were opened, and no more switchboard sessions than SB connections.
    fn check_growth(&self) {
        let open = self.lockstep.open_connections();
        if open > self.connects {
            self.fail("more connections open than were opened");
        }
        let Some(c) = self.lockstep.machine().counts() else {
            return;
        };
        if c.connections != open || c.sb_sessions > c.sb_connections {
            self.fail(&format!(
                "the core holds {c:?}, the driver has {open} connections open"
            ));
        }
    }

    fn fail(&self, what: &str) -> ! {
        panic!("{what}\n-- events:\n{}", self.log.join("\n"));
    }

    fn conn(&self, i: u8) -> Option<(ConnName, ServerKind)> {
        let n = self.conns.len();
        (n > 0).then(|| self.conns[usize::from(i) % n].clone())
    }

    fn raw(&mut self, raw: &Raw, feedback: &mut dyn FnMut(u64)) {
        match raw {
            Raw::Frame {
                conn,
                misplaced,
                blob,
            } => {
                let Some((name, kind)) = self.conn(*conn) else {
                    return;
                };
                if let Some(frame) = frame(kind, *misplaced, blob) {
                    self.raw_frame(&name, &frame, feedback);
                }
            }
            Raw::Bytes { conn, bytes } => {
                let Some((name, _)) = self.conn(*conn) else {
                    return;
                };
                self.log
                    .push(format!("bytes {name} {:?}", String::from_utf8_lossy(bytes)));
                if let Err(d) = self.lockstep.apply_bytes(&name, bytes) {
                    self.fail(&d.to_string());
                }
                self.check_growth();
            }
            Raw::Connect { kind: k } => {
                let conn = format!("x{}", self.conns.len());
                self.play(
                    &Event::Connect {
                        conn,
                        kind: kind(*k),
                    },
                    feedback,
                );
            }
            Raw::Disconnect { conn } => {
                let Some((name, _)) = self.conn(*conn) else {
                    return;
                };
                self.play(&Event::Disconnect { conn: name }, feedback);
            }
            Raw::Tick { seconds } => {
                self.play(
                    &Event::Tick {
                        seconds: u64::from(*seconds % 400),
                    },
                    feedback,
                );
            }
        }
    }

    /// A raw frame with a fresh TrID, as bytes through the connection's decoder.
    fn raw_frame(&mut self, name: &str, frame: &Command<'static>, feedback: &mut dyn FnMut(u64)) {
        self.next_trid += 1;
        let bytes = with_trid(&frame.to_bytes(), self.next_trid);
        self.log
            .push(format!("raw {name} {:?}", String::from_utf8_lossy(&bytes)));
        self.last_verb
            .insert(name.to_owned(), frame.verb().to_owned());
        match self.lockstep.apply_bytes(name, &bytes) {
            Ok(played) => {
                let event = Event::Send {
                    conn: name.to_owned(),
                    frame: frame.clone(),
                };
                for p in &played {
                    self.feedback(&event, p, feedback);
                }
            }
            Err(d) => self.fail(&d.to_string()),
        }
        self.check_growth();
    }

    /// The state keys of one played event (see [`session_state`]).
    fn feedback(&self, event: &Event, played: &Played, feedback: &mut dyn FnMut(u64)) {
        let kind_of = |c: &str| {
            self.conns
                .iter()
                .find(|(n, _)| n == c)
                .map_or(9, |(_, k)| *k as u64)
        };
        for (conn, frame) in &played.frames {
            let last = self.last_verb.get(conn).map_or("", String::as_str);
            feedback(hash(&[
                &[1, kind_of(conn) as u8],
                last.as_bytes(),
                frame.verb().as_bytes(),
            ]));
        }
        let Event::Send { conn, frame } = event else {
            return;
        };
        let world = self.lockstep.world();
        let Some(user) = world.user(conn) else { return };
        let mut key = vec![2, kind_of(conn) as u8, world.status(user) as u8];
        for list in [List::Forward, List::Allow, List::Block, List::Reverse] {
            key.push(bucket(world.list(user, list).len()));
        }
        feedback(hash(&[&key, frame.verb().as_bytes()]));
    }
}

/// A frame of an arbitrary form for a connection of `kind`, client to server (or, `misplaced`,
/// server to client), built from `blob`.
fn frame(kind: ServerKind, misplaced: bool, blob: &[u8]) -> Option<Command<'static>> {
    let direction = if misplaced {
        Direction::ServerToClient
    } else {
        Direction::ClientToServer
    };
    let ctx = Context::new(direction, kind).with_dialect(Dialect::Msnp6);
    let mut u = Unstructured::new(blob);
    let forms = variants_in(ctx);
    let i = u.choose(&forms).copied().ok()?;
    arbitrary_variant(&mut u, i, Target::of(ctx)).ok()
}

/// A frame's bytes with its TrID (the second word, when it is a number) replaced by `trid`: the
/// client's TrIDs stay unique, so that the monitor can attribute every reply (reference §1.2).
fn with_trid(frame: &[u8], trid: u32) -> Vec<u8> {
    let end = frame
        .iter()
        .position(|&b| b == b'\r')
        .unwrap_or(frame.len());
    let mut words: Vec<&[u8]> = frame[..end].split(|&b| b == b' ').collect();
    let fresh = trid.to_string();
    match words.get_mut(1) {
        Some(w) if !w.is_empty() && w.iter().all(u8::is_ascii_digit) => *w = fresh.as_bytes(),
        _ => return frame.to_vec(),
    }
    let mut out = words.join(&b' ');
    out.extend_from_slice(&frame[end..]);
    out
}

/// 0, 1, 2, 3–4, 5–8, 9–16, more.
fn bucket(n: usize) -> u8 {
    match n {
        0..=2 => n as u8,
        3..=4 => 3,
        5..=8 => 4,
        9..=16 => 5,
        _ => 6,
    }
}

/// FNV-1a over the parts, each followed by a separator.
fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
