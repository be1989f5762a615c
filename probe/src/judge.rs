//! Judge: every frame of every connection goes to the oracle's live monitor
//! (`msnp6_oracle::monitor::live`) as it crosses; server-side violations are the findings.

use std::collections::BTreeMap;
use std::time::Instant;

use msnp6::{Direction, ServerKind};
use msnp6_oracle::monitor::{Monitor, Observed, Side, VerifyOptions, Violation};

/// The live monitor of one session, with the session's clock.
#[derive(Debug)]
pub struct Judge {
    monitor: Monitor,
    started: Instant,
    /// The number of the event being played (1-based).
    event: usize,
    /// Each server rule broken, with the number of the event during which it first was.
    first: BTreeMap<&'static str, usize>,
}

impl Judge {
    /// A judge that knows these accounts' passwords (login digests are checked, §3.1).
    pub fn new(accounts: &[(String, String)]) -> Judge {
        let mut options = VerifyOptions::default();
        for (handle, password) in accounts {
            options = options.with_account(handle.clone(), password.clone());
        }
        Judge {
            monitor: Monitor::new(options),
            started: Instant::now(),
            event: 0,
            first: BTreeMap::new(),
        }
    }

    /// The next event of the session is being played.
    pub fn next_event(&mut self) {
        self.event += 1;
    }

    fn note(first: &mut BTreeMap<&'static str, usize>, event: usize, found: &[Violation]) {
        for v in found.iter().filter(|v| v.side == Side::Server) {
            first.entry(v.rule).or_insert(event);
        }
    }

    /// A connection opened.
    pub fn connect(&mut self, conn: &str, kind: ServerKind) {
        let found = self.monitor.connect(conn, kind);
        Self::note(&mut self.first, self.event, found);
    }

    /// A connection closed.
    pub fn disconnect(&mut self, conn: &str) {
        let found = self.monitor.disconnect(conn);
        Self::note(&mut self.first, self.event, found);
    }

    /// A whole frame crossed `conn`: decoded strictly in the dialect in force and observed.
    pub fn frame(&mut self, conn: &str, kind: ServerKind, direction: Direction, bytes: &[u8]) {
        let frame = self.monitor.decode(conn, kind, direction, bytes);
        let found = self.monitor.observe(Observed {
            connection: conn,
            kind,
            direction,
            frame,
            time: self.started.elapsed(),
        });
        Self::note(&mut self.first, self.event, found);
    }

    /// The dialect the connection's VER reply chose.
    pub fn dialect(&self, conn: &str, kind: ServerKind) -> msnp6::Dialect {
        self.monitor.dialect(conn, kind)
    }

    /// Ends the observation: the server-side violations, those still owed included, and for
    /// each rule the number of the event during which it was first broken (the last event for
    /// what was still owed at the end).
    pub fn finish(self) -> (Vec<Violation>, BTreeMap<&'static str, usize>) {
        let mut first = self.first;
        let violations = server_side(self.monitor.finish().violations);
        Self::note(&mut first, self.event, &violations);
        (violations, first)
    }
}

/// Only the server's violations (the client's are the probe's own deliberate mistakes).
pub fn server_side(violations: Vec<Violation>) -> Vec<Violation> {
    violations
        .into_iter()
        .filter(|v| v.side == Side::Server)
        .collect()
}
