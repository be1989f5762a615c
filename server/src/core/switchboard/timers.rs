//! The switchboard's deadlines, in one ordered set: login timeouts, cookie and invitation
//! expiries. An entry is removed with what it times, so the set never outgrows the maps.

use std::collections::BTreeSet;

use msnp6::types::Token;

use super::super::{ConnId, Millis};
use super::state::SessionId;

/// What a deadline is for. Ties at one instant run in this order (then by connection).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Timer {
    /// An SB connection without `USR`/`ANS`.
    Login(ConnId),
    /// An `XFR SB` cookie.
    Grant(Token<'static>),
    /// An invitation of a session.
    Invite(SessionId, Token<'static>),
}

/// Deadlines in time order.
#[derive(Debug, Default)]
pub(super) struct Timers(BTreeSet<(Millis, Timer)>);

impl Timers {
    /// Adds a deadline.
    pub(super) fn add(&mut self, at: Millis, timer: Timer) {
        self.0.insert((at, timer));
    }

    /// Removes a deadline (no-op if absent).
    pub(super) fn remove(&mut self, at: Millis, timer: Timer) {
        self.0.remove(&(at, timer));
    }

    /// The earliest deadline.
    pub(super) fn next(&self) -> Option<Millis> {
        self.0.first().map(|(at, _)| *at)
    }

    /// Takes the earliest deadline if it is at or before `now`.
    pub(super) fn pop_due(&mut self, now: Millis) -> Option<Timer> {
        if self.next()? > now {
            return None;
        }
        self.0.pop_first().map(|(_, t)| t)
    }

    /// Keeps only the deadlines `keep` says.
    pub(super) fn retain(&mut self, keep: impl Fn(&Timer) -> bool) {
        self.0.retain(|(_, t)| keep(t));
    }

    /// How many deadlines are set.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}
