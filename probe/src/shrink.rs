//! Shrink: delta debugging (Zeller's ddmin) over a session's choices — each choice one event
//! of the generated scenario — re-playing each candidate against the server, until no smaller
//! session tried still shows a violation of the same rule. Bounded in tries and in time.
//!
//! The first candidate is the session cut after the event during which the rule was first
//! broken (what follows rarely matters; a prefix of the choices generates a prefix of the
//! events).

use std::time::Instant;

use crate::plan::{Limits, Plan, playable};
use crate::session::Outcome;

/// What shrinking reached.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// The smallest plan that still showed the rule.
    pub plan: Plan,
    /// Its run.
    pub outcome: Outcome,
    /// Candidates played.
    pub tries: usize,
}

/// Shrinks `plan` (whose run `outcome` shows `rule`): `replay` plays a candidate and returns its
/// outcome. At most `max_tries` candidates are played, none after `deadline`.
pub fn shrink(
    plan: Plan,
    outcome: Outcome,
    rule: &str,
    limits: Limits,
    max_tries: usize,
    deadline: Instant,
    mut replay: impl FnMut(&Plan) -> Outcome,
) -> Shrunk {
    let shows = |o: &Outcome| o.violations.iter().any(|v| v.rule == rule);
    let mut best = Shrunk {
        plan,
        outcome,
        tries: 0,
    };
    if let Some(&n) = best.outcome.first_event.get(rule) {
        let cut = prefix(&best.plan, n);
        if cut.choices.len() < best.plan.choices.len() && Instant::now() < deadline {
            best.tries += 1;
            let run = replay(&cut);
            if shows(&run) {
                best.plan = cut;
                best.outcome = run;
            }
        }
    }
    let mut chunks = 2usize;
    'outer: loop {
        // Choices 1.. are removable; choice 0 fixes the accounts.
        let len = best.plan.choices.len().saturating_sub(1);
        if len == 0 {
            break;
        }
        chunks = chunks.min(len);
        let size = len.div_ceil(chunks);
        for k in 0..chunks {
            if best.tries >= max_tries || Instant::now() >= deadline {
                break 'outer;
            }
            let removed: Vec<usize> = (1 + k * size..(1 + (k + 1) * size).min(len + 1)).collect();
            let candidate = best.plan.without(&removed);
            if !playable(&candidate.scenario(), limits) {
                continue;
            }
            best.tries += 1;
            let run = replay(&candidate);
            if shows(&run) {
                best.plan = candidate;
                best.outcome = run;
                chunks = chunks.saturating_sub(1).max(2);
                continue 'outer;
            }
        }
        if chunks >= len {
            break;
        }
        chunks = (chunks * 2).min(len);
    }
    best
}

/// The shortest prefix of `plan`'s choices that generates at least `events` events.
fn prefix(plan: &Plan, events: usize) -> Plan {
    let mut cut = Plan {
        seed: plan.seed,
        choices: Vec::new(),
    };
    for &c in &plan.choices {
        cut.choices.push(c);
        if cut.scenario().events.len() >= events {
            break;
        }
    }
    cut
}
