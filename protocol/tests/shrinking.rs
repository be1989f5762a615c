//! How small the counterexamples of the one generator shrink (docs/codec.md, "One generator"):
//! five properties that fail on purpose, each run through the proptest strategy that drives the
//! crate's generator with proptest's bytes; prints the shrunk counterexample and asserts that it
//! stays small. A measurement, so ignored by default:
//! `cargo test --release -p msnp6 --all-features --test shrinking -- --ignored --nocapture`.
#![cfg(feature = "fuzzing")]

mod strategies;

use msnp6::Command;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

type Property = fn(&Command<'static>) -> bool;

/// Properties that fail on purpose, and the largest encoding a shrunk counterexample may have.
const PROPERTIES: [(&str, Property, usize); 5] = [
    ("encoding <= 100 bytes", |c| c.to_bytes().len() <= 100, 104),
    (
        "no LST entry",
        |c| !matches!(c, Command::Lst(l) if l.entry().is_some()),
        64,
    ),
    (
        "no 7 in an ADD reply",
        |c| !matches!(c, Command::Add(_)) || !c.to_bytes().contains(&b'7'),
        64,
    ),
    (
        "payload under 3 bytes",
        |c| c.payload().is_none_or(|p| p.len() < 3),
        128,
    ),
    (
        "no USR OK verified flag",
        |c| !matches!(c, Command::UsrOk(u) if u.verified.is_some()),
        64,
    ),
];

#[test]
#[ignore = "a measurement: run with --ignored --nocapture"]
fn counterexamples_shrink_small() {
    for seed in 0..3u8 {
        for (name, property, bound) in PROPERTIES {
            let config = Config {
                cases: 5000,
                failure_persistence: None,
                ..Config::default()
            };
            let mut rng_seed = [0u8; 32];
            rng_seed[0] = seed;
            let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &rng_seed);
            let mut runner = TestRunner::new_with_rng(config, rng);
            let result = runner.run(&strategies::context_and_command(), |(_, c)| {
                prop_assert!(property(&c));
                Ok(())
            });
            let Err(TestError::Fail(_, (_, c))) = result else {
                panic!("{name}: no counterexample found ({result:?})");
            };
            let wire = c.to_bytes().len();
            println!("seed {seed} | {name} | {wire} bytes | {c:?}");
            assert!(wire <= bound, "{name}: shrunk to {wire} bytes: {c:?}");
        }
    }
}
