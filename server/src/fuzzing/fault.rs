//! Seeded faults: a wrapper that breaks the machine under test in a known way, at a known depth
//! of the protocol, so that the fuzz targets can be measured by how fast they find it
//! (`docs/fuzzing.md`).

use std::collections::BTreeMap;

use msnp6::commands::Command;

use crate::core::{ConnId, Input, Millis, Output};
use crate::lockstep::Driven;

/// A known way to break the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Fault {
    /// No fault.
    #[default]
    None,
    /// The reply to the fifth successful `ADD` on one NS connection is not sent (reference §3.2
    /// ADD): needs a login and five list changes.
    FifthAdd,
    /// The second `JOI` sent on one SB connection is not sent (reference §3.5 JOI): needs a
    /// switchboard session with three participants, so three users logged in.
    SecondJoi,
}

impl Fault {
    /// Every fault, [`Fault::None`] first.
    pub const ALL: [Fault; 3] = [Fault::None, Fault::FifthAdd, Fault::SecondJoi];

    /// The fault named `name` (`none`, `fifth-add`, `second-joi`).
    pub fn named(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The fault's name.
    pub fn name(self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::FifthAdd => "fifth-add",
            Fault::SecondJoi => "second-joi",
        }
    }

    /// `MSNP6_SESSION_FAULT` from the environment (the fuzz targets read it once), else none.
    pub fn from_env() -> Fault {
        std::env::var("MSNP6_SESSION_FAULT")
            .ok()
            .and_then(|n| Fault::named(&n))
            .unwrap_or_default()
    }
}

/// A machine with a [`Fault`]: its outputs pass through a filter.
#[derive(Debug)]
pub struct Faulty {
    inner: Box<dyn Driven>,
    fault: Fault,
    /// Per connection: how many frames of the fault's form it was sent.
    counts: BTreeMap<ConnId, u32>,
}

impl Faulty {
    /// `inner` with `fault`.
    pub fn new(inner: Box<dyn Driven>, fault: Fault) -> Self {
        Faulty {
            inner,
            fault,
            counts: BTreeMap::new(),
        }
    }

    /// Whether to drop this output.
    fn drops(&mut self, output: &Output) -> bool {
        let Output::Send { conn, command } = output else {
            return false;
        };
        let nth = match (self.fault, command) {
            (Fault::FifthAdd, Command::Add(_)) => 5,
            (Fault::SecondJoi, Command::Joi(_)) => 2,
            _ => return false,
        };
        let count = self.counts.entry(*conn).or_default();
        *count += 1;
        *count == nth
    }
}

impl Driven for Faulty {
    fn handle(&mut self, now: Millis, input: Input<'_>, out: &mut Vec<Output>) {
        let from = out.len();
        self.inner.handle(now, input, out);
        if self.fault == Fault::None {
            return;
        }
        let mut kept = Vec::with_capacity(out.len() - from);
        for o in out.drain(from..).collect::<Vec<_>>() {
            if !self.drops(&o) {
                kept.push(o);
            }
        }
        out.extend(kept);
    }

    fn next_deadline(&self) -> Option<Millis> {
        self.inner.next_deadline()
    }

    fn challenge(&mut self, now: Millis, conn: ConnId, out: &mut Vec<Output>) {
        self.inner.challenge(now, conn, out);
    }

    fn counts(&self) -> Option<crate::core::Counts> {
        self.inner.counts()
    }
}
