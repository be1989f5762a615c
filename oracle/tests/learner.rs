//! The learner lets a scenario generated against one world be played against another whose
//! server-chosen values differ: the second world, fed the translated events, fires exactly the
//! rules the first one fired. (If a translation were missing — a digest not recomputed, a cookie
//! not swapped — the second world would answer 911, close an SB connection or answer 540 where
//! the first accepted, and the rule sequences would differ.)

use msnp6_oracle::model::{Learner, Scenario, World};

/// Plays `scenario` on its own world and, translated, on a world with another seed; returns the
/// first event index where the rules fired differ.
fn first_divergence(scenario: &Scenario, other_seed: u64) -> Option<(usize, String)> {
    let mut model = World::new(scenario.seed);
    let mut real = World::new(other_seed);
    for a in &scenario.accounts {
        model.add_account(a);
        real.add_account(a);
    }
    let mut learner = Learner::new(&scenario.accounts);
    for (i, event) in scenario.events.iter().enumerate() {
        let expected = model.apply(event);
        let actual = real.apply(&learner.translate(event));
        let pairs: Vec<(&str, &msnp6::Command<'_>)> = actual
            .deliveries
            .iter()
            .map(|d| (d.conn.as_str(), &d.command))
            .collect();
        learner.learn(&expected.deliveries, &pairs);
        let rules = |s: &msnp6_oracle::model::Step| {
            let mut r: Vec<String> = s
                .deliveries
                .iter()
                .map(|d| format!("{}>{}", d.conn, d.rule))
                .collect();
            r.extend(
                s.closed
                    .iter()
                    .map(|c| format!("{} closed by {}", c.conn, c.rule)),
            );
            r
        };
        if rules(&expected) != rules(&actual) {
            return Some((
                i,
                format!(
                    "{event:?}\nmodel: {:?}\nreal:  {:?}",
                    rules(&expected),
                    rules(&actual)
                ),
            ));
        }
    }
    None
}

#[test]
fn translated_scenarios_fire_the_same_rules() {
    let mut logins = 0;
    for seed in 0..60u64 {
        let scenario = Scenario::random(seed, 300);
        if let Some((i, why)) = first_divergence(&scenario, seed ^ 0xDEAD_BEEF) {
            panic!("seed {seed}, event {i}: {why}");
        }
        logins += scenario.predict().matches(" OK ").count();
    }
    // The scenarios reached logins and switchboards, so the translation was exercised.
    assert!(logins > 100, "only {logins} OK replies");
}

#[test]
fn without_translation_the_worlds_diverge() {
    // The same check with the identity translation must fail: proves the test above can fail.
    let diverged = (0..20u64).any(|seed| {
        let scenario = Scenario::random(seed, 300);
        let mut model = World::new(seed);
        let mut real = World::new(seed ^ 0xDEAD_BEEF);
        for a in &scenario.accounts {
            model.add_account(a);
            real.add_account(a);
        }
        scenario.events.iter().any(|e| {
            let a: Vec<&str> = model.apply(e).deliveries.iter().map(|d| d.rule).collect();
            let b: Vec<&str> = real.apply(e).deliveries.iter().map(|d| d.rule).collect();
            a != b
        })
    });
    assert!(diverged);
}
