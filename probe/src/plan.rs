//! Plan: the sessions the probe plays, built by the predictor's scenario generator
//! ([`Scenario::generate`]) from a list of *choices*, one event (or two) per choice, each read
//! against the state the previous ones produced (oracle `model/scenario.rs`).
//!
//! The generator also makes events a client cannot cause on a real server — time passing
//! (`Tick`), a server-initiated challenge, a shutdown — and gives every session its own accounts
//! (`user0@example.com`, password `pw0`, …). A [`Plan`] keeps only choices whose events a client
//! can play: no server-side events, connections only for the clients that have a real account
//! (`--account`), a DS connection only when a DS address is given, at most
//! [`MAX_CONNECTIONS`] connections. The generator's account *i* is played as the *i*-th real
//! account ([`crate::session`] maps handles and recomputes the login digest).
//!
//! Shrinking removes choices, not raw events: the scenario regenerated from fewer choices stays
//! meaningful (a login step still follows the steps it needs), which is delta debugging over
//! events that keeps each event valid for the state it is played in.

use msnp6::ServerKind;
use msnp6_oracle::model::rng::SplitMix64;
use msnp6_oracle::model::{Event, Scenario, Verification};

/// The most connections one session opens (politeness: bounded connections).
pub const MAX_CONNECTIONS: usize = 24;
/// How many random choices are tried for one step before the step is given up.
const ATTEMPTS: usize = 48;
/// How many first choices are tried.
const FIRST_ATTEMPTS: usize = 400;

/// What a session may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The number of real accounts: the generator's clients `0..accounts` are played.
    pub accounts: usize,
    /// Whether a DS address is known (else no DS connection is planned).
    pub dispatch: bool,
}

/// One session: a seed (the predictor's server-chosen values) and the choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The scenario's seed.
    pub seed: u64,
    /// The first choice fixes the accounts and clients; each further one makes an event.
    pub choices: Vec<u64>,
}

impl Plan {
    /// The scenario of these choices.
    pub fn scenario(&self) -> Scenario {
        Scenario::generate(self.seed, &self.choices)
    }

    /// The plan for session `index` of a run seeded `seed`: up to `steps` choices whose events
    /// are all playable under `limits`.
    pub fn new(seed: u64, index: u64, steps: usize, limits: Limits) -> Plan {
        let session_seed = seed.wrapping_mul(0x0100_0000_01B3).wrapping_add(index);
        let mut r = SplitMix64::new(session_seed ^ 0x7072_6F62_6521);
        let mut plan = Plan {
            seed: session_seed,
            choices: vec![first_choice(&mut r, session_seed, limits)],
        };
        let mut len = plan.scenario().events.len();
        for _ in 0..steps {
            for _ in 0..ATTEMPTS {
                plan.choices.push(r.next_u64());
                let scenario = plan.scenario();
                if scenario.events.len() >= len && playable(&scenario, limits) {
                    len = scenario.events.len();
                    break;
                }
                plan.choices.pop();
            }
        }
        plan
    }

    /// The plan without the choices at `removed` (indices into `choices`, never the first).
    pub fn without(&self, removed: &[usize]) -> Plan {
        let choices = self
            .choices
            .iter()
            .enumerate()
            .filter(|(i, _)| *i == 0 || !removed.contains(i))
            .map(|(_, c)| *c)
            .collect();
        Plan {
            seed: self.seed,
            choices,
        }
    }
}

/// A first choice whose played accounts are all verified (a real account logs in; the generator
/// would otherwise expect 923/924 for it), with as few generated accounts as can be found beyond
/// the real ones (a handle without a real account makes the predictor and the server differ:
/// the server answers `205` where the predictor adds it).
fn first_choice(r: &mut SplitMix64, seed: u64, limits: Limits) -> u64 {
    let mut best: Option<(usize, u64)> = None;
    for _ in 0..FIRST_ATTEMPTS {
        let choice = r.next_u64();
        let s = Scenario::generate(seed, &[choice]);
        let n = limits.accounts.min(s.accounts.len());
        let verified = s.accounts[..n]
            .iter()
            .all(|a| a.verification == Verification::Verified);
        let extra = s.accounts.len().saturating_sub(limits.accounts);
        if verified && best.is_none_or(|(e, _)| extra < e) {
            best = Some((extra, choice));
            if extra == 0 {
                break;
            }
        }
    }
    best.map_or_else(|| r.next_u64(), |(_, c)| c)
}

/// The client index of a generated connection name (`u3-ns2` → 3).
pub fn client_of(conn: &str) -> Option<usize> {
    conn.strip_prefix('u')?.split('-').next()?.parse().ok()
}

/// Whether every event of `scenario` can be played by a client under `limits`.
pub fn playable(scenario: &Scenario, limits: Limits) -> bool {
    let mut connections = 0;
    scenario.events.iter().all(|e| match e {
        Event::Connect { conn, kind } => {
            connections += 1;
            connections <= MAX_CONNECTIONS
                && client_of(conn).is_some_and(|i| i < limits.accounts)
                && (limits.dispatch || *kind != ServerKind::Dispatch)
        }
        Event::Send { conn, .. } | Event::Disconnect { conn } => {
            client_of(conn).is_some_and(|i| i < limits.accounts)
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_playable_and_reproducible() {
        let limits = Limits {
            accounts: 2,
            dispatch: false,
        };
        for index in 0..4 {
            let plan = Plan::new(5, index, 30, limits);
            let scenario = plan.scenario();
            assert!(playable(&scenario, limits), "{scenario:?}");
            assert!(scenario.events.len() >= 10, "{}", scenario.events.len());
            assert_eq!(Plan::new(5, index, 30, limits), plan);
        }
    }

    #[test]
    fn connection_names_name_their_client() {
        assert_eq!(client_of("u3-ns12"), Some(3));
        assert_eq!(client_of("x3-ns"), None);
    }
}
