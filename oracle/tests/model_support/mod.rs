//! proptest strategies over the model's scenario generator, for the model's own tests and for
//! the monitor-side property tests (`mod model_support;` from any test file in `protocol/tests`).
//!
//! A scenario is generated from the current state: each `u64` choice is read against the world the
//! previous choices produced (`msnp6_oracle::model::Scenario::generate`), so shrinking the choice list
//! keeps every scenario meaningful.

#![allow(dead_code, unreachable_pub)]

use msnp6_oracle::model::Scenario;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Where every proptest of the model persists its failures.
pub const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../proptest-regressions/model.txt"
);

/// A proptest configuration with `cases` cases and the shared regression file.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..Config::default()
    }
}

/// Arbitrary scenarios of up to `max_events` events (mostly valid, some deliberately invalid).
pub fn scenario(max_events: usize) -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        proptest::collection::vec(any::<u64>(), 1..=max_events.max(1) + 1),
    )
        .prop_map(|(seed, choices)| Scenario::generate(seed, &choices))
}
