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
    loop {
        // Choices 1.. are removable; choice 0 fixes the accounts.
        let len = best.plan.choices.len().saturating_sub(1);
        if len == 0 {
            break;
        }
        chunks = chunks.min(len);
        match pass(
            &mut best,
            chunks,
            limits,
            max_tries,
            deadline,
            &shows,
            &mut replay,
        ) {
            Pass::Removed => chunks = chunks.saturating_sub(1).max(2),
            Pass::Exhausted => break,
            Pass::Kept if chunks >= len => break,
            Pass::Kept => chunks = (chunks * 2).min(len),
        }
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

/// How one pass of ddmin ended.
enum Pass {
    /// A chunk was removed and the rule still shows.
    Removed,
    /// Every chunk was needed.
    Kept,
    /// Out of tries or time.
    Exhausted,
}

/// Tries removing each of `chunks` chunks of the removable choices, keeping the first removal
/// that still shows the rule.
fn pass(
    best: &mut Shrunk,
    chunks: usize,
    limits: Limits,
    max_tries: usize,
    deadline: Instant,
    shows: &impl Fn(&Outcome) -> bool,
    replay: &mut impl FnMut(&Plan) -> Outcome,
) -> Pass {
    let len = best.plan.choices.len().saturating_sub(1);
    let size = len.div_ceil(chunks);
    for k in 0..chunks {
        if best.tries >= max_tries || Instant::now() >= deadline {
            return Pass::Exhausted;
        }
        let removed: Vec<usize> = (1 + k * size..(1 + (k + 1) * size).min(len + 1)).collect();
        let candidate = best.plan.without(&removed);
        if removed.is_empty() || !playable(&candidate.scenario(), limits) {
            continue;
        }
        best.tries += 1;
        let run = replay(&candidate);
        if shows(&run) {
            best.plan = candidate;
            best.outcome = run;
            return Pass::Removed;
        }
    }
    Pass::Kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;
    use msnp6_oracle::monitor::{Side, Violation};
    use std::collections::BTreeMap;
    use std::time::Duration;

    /// A run that breaks `X` exactly when the plan has `needed` among its choices.
    fn fake(plan: &Plan, needed: &[u64]) -> Outcome {
        let shows = needed.iter().all(|c| plan.choices.contains(c));
        let violations = if shows {
            vec![Violation {
                line: 1,
                connection: "u0-ns1".into(),
                side: Side::Server,
                rule: "X",
                section: "1",
                message: String::new(),
            }]
        } else {
            Vec::new()
        };
        Outcome {
            record: Record::default(),
            violations,
            first_event: BTreeMap::new(),
            events: plan.scenario().events.len(),
            played: 0,
            notes: Vec::new(),
        }
    }

    #[test]
    fn ddmin_keeps_exactly_the_needed_choices() {
        let limits = Limits {
            accounts: 3,
            dispatch: true,
        };
        let plan = Plan::new(9, 0, 40, limits);
        let needed = [plan.choices[7], plan.choices[23]];
        let outcome = fake(&plan, &needed);
        let deadline = Instant::now() + Duration::from_secs(60);
        let shrunk = shrink(plan.clone(), outcome, "X", limits, 200, deadline, |p| {
            fake(p, &needed)
        });
        assert_eq!(shrunk.plan.choices, [plan.choices[0], needed[0], needed[1]]);
        assert!(shrunk.tries < 60, "{}", shrunk.tries);
    }

    #[test]
    fn shrinking_stops_at_its_bound_of_tries() {
        let limits = Limits {
            accounts: 3,
            dispatch: true,
        };
        let plan = Plan::new(9, 1, 40, limits);
        let all = plan.choices.clone();
        let outcome = fake(&plan, &all);
        let deadline = Instant::now() + Duration::from_secs(60);
        let shrunk = shrink(plan.clone(), outcome, "X", limits, 5, deadline, |p| {
            fake(p, &all)
        });
        assert_eq!(shrunk.tries, 5);
        assert_eq!(shrunk.plan, plan);
    }
}
