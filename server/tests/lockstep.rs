//! Proof 1 (issue 20): the core against the reference model.
use msnp6_oracle::model::Scenario;
use msnp6_server::lockstep::{Lockstep, ModelMachine};

#[test]
fn the_model_against_itself_at_another_seed_never_diverges() {
    for seed in 0..200u64 {
        let s = Scenario::random(seed, 150);
        let machine = Box::new(ModelMachine::new(seed ^ 0xABCD, &s.accounts));
        let mut l = Lockstep::new(s.seed, &s.accounts, machine).with_monitor(&s.accounts);
        for e in &s.events {
            if let Err(d) = l.apply(e) {
                panic!("seed {seed}: {d}");
            }
        }
        if let Err(d) = l.finish() {
            panic!("seed {seed}: {d}");
        }
    }
}
