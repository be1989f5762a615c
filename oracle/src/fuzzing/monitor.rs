//! The `monitor` target's oracle, and the predictor-to-monitor driver it shares with the
//! `model_vs_monitor` properties: the predictor's steps fed to a live [`Monitor`], each step's
//! lines in the order `predict` writes or interleaved across connections in any order the
//! reference allows (§1.2: across connections only "sent before received").

use std::collections::BTreeMap;
use std::time::Duration;

use ::arbitrary::Unstructured;

use super::cut;
use crate::model::{Event, Scenario, Step, World, connections};
use crate::monitor::{Monitor, Observed, Report, VerifyOptions};
use msnp6::commands::{Command, Context};
use msnp6::fuzzing::{Target, arbitrary_variant, variants_in};
use msnp6::types::{Dialect, Direction, ServerKind};

/// The monitor's options for a predicted run: every account's password, so that login digests
/// are checked.
pub fn predicted_options(s: &Scenario) -> VerifyOptions {
    let mut o = VerifyOptions::default();
    for a in &s.accounts {
        o = o.with_account(a.handle.clone(), a.password.clone());
    }
    o
}

/// Feeds the predictor's steps for `scenario` to a live monitor, client frames as bytes through
/// [`Monitor::decode`] (as a probe would), server frames as the model made them. With `shuffle`,
/// the lines of each step are interleaved across its connections by a splitmix64 stream started
/// at `shuffle`, keeping each connection's own order (a connection the server closes: its lines,
/// then its close). Returns the report and a log of the calls (`C@conn: …`, `connect conn`, …).
pub fn run_predicted(scenario: &Scenario, shuffle: Option<u64>) -> (Report, Vec<String>) {
    let mut world = World::new(scenario.seed);
    for a in &scenario.accounts {
        world.add_account(a);
    }
    let mut live = Live {
        monitor: Monitor::new(predicted_options(scenario)),
        calls: Vec::new(),
        kinds: connections(scenario).into_iter().collect(),
        time: Duration::ZERO,
        shuffle,
    };
    for e in &scenario.events {
        live.event(&mut world, e);
    }
    live.calls.push("finish".to_owned());
    (live.monitor.finish(), live.calls)
}

struct Live {
    monitor: Monitor,
    calls: Vec<String>,
    kinds: BTreeMap<String, ServerKind>,
    time: Duration,
    shuffle: Option<u64>,
}

impl Live {
    fn frame(&mut self, conn: &str, direction: Direction, command: &Command<'static>) {
        let kind = self
            .kinds
            .get(conn)
            .copied()
            .unwrap_or(ServerKind::Notification);
        let frame = match direction {
            // The world takes any command, also ones a decoder refuses in this direction.
            Direction::ClientToServer => {
                self.monitor
                    .decode(conn, kind, direction, &command.to_bytes())
            }
            _ => Ok(command.clone()),
        };
        let side = if direction == Direction::ClientToServer {
            'C'
        } else {
            'S'
        };
        self.calls.push(format!("{side}@{conn}: {command}"));
        self.monitor.observe(Observed {
            connection: conn,
            kind,
            direction,
            frame,
            time: self.time,
        });
    }

    fn disconnect(&mut self, conn: &str) {
        self.calls.push(format!("disconnect {conn}"));
        self.monitor.disconnect(conn);
    }

    /// One scenario event and the step the world answers it with.
    fn event(&mut self, world: &mut World, e: &Event) {
        match e {
            Event::Connect { conn, kind } if !world.knows(conn) => {
                self.calls.push(format!("connect {conn}"));
                self.monitor.connect(conn, *kind);
            }
            Event::Send { conn, frame } if world.is_open(conn) => {
                self.frame(conn, Direction::ClientToServer, frame);
            }
            Event::Disconnect { conn } if world.is_open(conn) => self.disconnect(conn),
            Event::Tick { seconds } => self.time += Duration::from_secs(*seconds),
            _ => {}
        }
        let step = world.apply(e);
        if !matches!(e, Event::Send { .. } | Event::Disconnect { .. }) {
            // A session the server ends on its own (challenge timeout, shutdown), with no client
            // line as the cause: the monitor requires the watchers' FLN after the end is seen
            // (docs/monitor.md, "Order across connections").
            let shuffle = self.shuffle.take();
            self.step(&step);
            self.shuffle = shuffle;
        } else {
            self.step(&step);
        }
    }

    /// What a connection the server closes receives comes first, then its close, then what the
    /// others receive (the order `predict` writes); or, when shuffling, an interleaving.
    fn step(&mut self, step: &Step) {
        if let Some(state) = self.shuffle {
            self.step_interleaved(step, state);
            return;
        }
        let closing = |conn: &str| {
            step.closed
                .iter()
                .any(|c| c.rule != "CLIENT" && c.conn == conn)
        };
        for d in step.deliveries.iter().filter(|d| closing(&d.conn)) {
            self.frame(&d.conn, Direction::ServerToClient, &d.command);
        }
        for c in step.closed.iter().filter(|c| c.rule != "CLIENT") {
            self.disconnect(&c.conn);
        }
        for d in step.deliveries.iter().filter(|d| !closing(&d.conn)) {
            self.frame(&d.conn, Direction::ServerToClient, &d.command);
        }
    }

    /// One order the reference allows for a step: any interleaving of the connections' own
    /// sequences (a connection the server closes: its lines, then its close).
    fn step_interleaved(&mut self, step: &Step, mut state: u64) {
        let mut queues: Vec<(String, Vec<Option<&Command<'static>>>)> = Vec::new();
        for d in &step.deliveries {
            match queues.iter_mut().find(|(c, _)| *c == d.conn) {
                Some((_, q)) => q.push(Some(&d.command)),
                None => queues.push((d.conn.clone(), vec![Some(&d.command)])),
            }
        }
        for c in step.closed.iter().filter(|c| c.rule != "CLIENT") {
            match queues.iter_mut().find(|(n, _)| *n == c.conn) {
                Some((_, q)) => q.push(None),
                None => queues.push((c.conn.clone(), vec![None])),
            }
        }
        for (_, q) in &mut queues {
            q.reverse();
        }
        loop {
            let open: Vec<usize> = (0..queues.len())
                .filter(|&i| !queues[i].1.is_empty())
                .collect();
            if open.is_empty() {
                break;
            }
            state = splitmix64(&mut state);
            let i = open[(state % open.len() as u64) as usize];
            let conn = queues[i].0.clone();
            match queues[i].1.pop().flatten() {
                Some(command) => self.frame(&conn, Direction::ServerToClient, command),
                None => self.disconnect(&conn),
            }
        }
        self.shuffle = Some(state);
    }
}

/// splitmix64: advances `state` and returns the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The most events of a scenario the oracle generates (bounded work per input).
const MAX_EVENTS: usize = 300;
/// The most frames the oracle feeds in its arbitrary-frames half.
const MAX_FRAMES: usize = 400;
/// The connection names of the arbitrary-frames half.
const NAMES: [&str; 4] = ["a", "b", "c", "d"];

/// The `monitor` target (issue 17 §5). The first byte chooses the half:
/// * even: arbitrary connects, disconnects, ticks and frames (arbitrary bytes through
///   [`Monitor::decode`], or an arbitrary valid command of any form) on arbitrary connections,
///   then `finish`: the monitor never panics and never hangs;
/// * odd: a scenario generated from the input, predicted, and fed to the monitor with each step's
///   lines interleaved across connections by a seed from the input: the monitor reports no
///   server-side violation.
pub fn monitor(data: &[u8]) {
    let data = cut(data);
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let mut u = Unstructured::new(rest);
    if first % 2 == 0 {
        arbitrary_frames(&mut u);
    } else {
        predicted_orders(&mut u);
    }
}

fn arbitrary_frames(u: &mut Unstructured<'_>) {
    let mut m = Monitor::new(VerifyOptions::default());
    let mut time = Duration::ZERO;
    for _ in 0..MAX_FRAMES {
        if u.is_empty() {
            break;
        }
        let (Ok(op), Ok(n), Ok(k)) = (
            u.int_in_range(0u8..=9),
            u.choose_index(4),
            u.choose_index(3),
        ) else {
            break;
        };
        let name = NAMES[n];
        let kind = ServerKind::ALL[k];
        match op {
            0 => {
                m.connect(name, kind);
            }
            1 => {
                m.disconnect(name);
            }
            2 => time += Duration::from_secs(u.int_in_range(0..=120).unwrap_or(0)),
            _ => {
                let direction = if op % 2 == 0 {
                    Direction::ClientToServer
                } else {
                    Direction::ServerToClient
                };
                let frame = arbitrary_frame(u, &m, name, kind, direction);
                m.observe(Observed {
                    connection: name,
                    kind,
                    direction,
                    frame,
                    time,
                });
            }
        }
    }
    let _ = m.finish();
}

/// Arbitrary bytes through the monitor's decoder, or a valid command of a form that decodes in
/// the connection's context.
fn arbitrary_frame(
    u: &mut Unstructured<'_>,
    m: &Monitor,
    name: &str,
    kind: ServerKind,
    direction: Direction,
) -> Result<Command<'static>, crate::monitor::Undecodable> {
    if u.ratio(1u8, 3).unwrap_or(false) {
        let len = u.int_in_range(0usize..=64).unwrap_or(0);
        let bytes = u.bytes(len.min(u.len())).unwrap_or(&[]);
        return m.decode(name, kind, direction, bytes);
    }
    let ctx = Context::new(direction, kind).with_dialect(Dialect::Msnp6);
    let forms = variants_in(ctx);
    let i = u.choose(&forms).copied().unwrap_or(0);
    match arbitrary_variant(u, i, Target::of(ctx)) {
        Ok(c) => Ok(c),
        Err(_) => m.decode(name, kind, direction, b""),
    }
}

fn predicted_orders(u: &mut Unstructured<'_>) {
    let (Ok(seed), Ok(order)) = (u.arbitrary::<u64>(), u.arbitrary::<u64>()) else {
        return;
    };
    let mut choices = Vec::new();
    while !u.is_empty() && choices.len() < MAX_EVENTS {
        choices.push(u.arbitrary::<u64>().unwrap_or(0));
    }
    let scenario = Scenario::generate(seed, &choices);
    let (report, calls) = run_predicted(&scenario, Some(order));
    if !report.conforms {
        let first = report.server_violations().next();
        panic!(
            "a predicted run, reordered as the reference allows, does not conform: {first:?}\n{}",
            calls.join("\n")
        );
    }
}
