//! Replays the `session` and `session_state` fuzz targets' regressions (`fuzz/regressions/<target>/`)
//! and committed minimized corpus (`fuzz/corpus-min/<target>/`) on stable Rust, as an ordinary
//! `cargo test` (the stable replay, issue 21 §1), and checks that the oracle can fail: each seeded
//! [`Fault`] is found by random inputs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use msnp6_oracle::model::Scenario;
use msnp6_server::fuzzing::{self, Fault};
use msnp6_server::lockstep::Lockstep;

/// A fuzz oracle: panics when its property breaks.
type Oracle = fn(&[u8]);

/// The targets replayed here and their oracles.
const TARGETS: [(&str, Oracle); 2] = [
    ("session", fuzzing::session),
    ("session_state", fuzzing::session_state),
];

/// The files of `fuzz/<kind>/<target>/`, sorted; none if the directory does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

/// Runs every input of `kind` of `target` through `oracle`; returns how many ran, and panics
/// listing every input that fails it.
fn replay(kind: &str, target: &str, oracle: Oracle) -> usize {
    let files = inputs(kind, target);
    let failures: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("read input");
            catch_unwind(AssertUnwindSafe(|| oracle(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "{} input(s) fail their oracle (reproduce: cd fuzz && cargo +nightly fuzz run {target} FILE):\n{}",
        failures.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn regressions_pass_the_oracle() {
    for (target, oracle) in TARGETS {
        let n = replay("regressions", target, oracle);
        eprintln!("replayed {n} {target} regression inputs");
    }
}

#[test]
fn committed_corpus_passes_the_oracle() {
    for (target, oracle) in TARGETS {
        let n = replay("corpus-min", target, oracle);
        eprintln!("replayed {n} {target} corpus inputs");
        assert!(
            n > 0,
            "no corpus input found under fuzz/corpus-min/{target}"
        );
    }
}

/// splitmix64 bytes: a deterministic stand-in for the fuzzer's inputs.
fn input(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn random_inputs_pass_without_a_fault() {
    for seed in 0..60 {
        let data = input(seed, 1500);
        let run = catch_unwind(|| fuzzing::run(&data, Fault::None, &mut |_| {}));
        assert!(run.is_ok(), "seed {seed}");
    }
}

/// The oracle can fail: each seeded fault makes some generated scenario diverge (the first one,
/// `fifth-add`, is also found by the random inputs above; `second-joi` needs three users in one
/// switchboard, which random plans reach only about once in a thousand).
#[test]
fn every_seeded_fault_is_found() {
    for fault in [Fault::FifthAdd, Fault::SecondJoi] {
        let found = (0..200u64).find(|&seed| {
            let s = Scenario::random(seed, 300);
            let machine = fuzzing::machine(seed, &s.accounts, fault);
            let mut l = Lockstep::new(s.seed, &s.accounts, machine);
            s.events.iter().any(|e| l.apply(e).is_err())
        });
        assert!(found.is_some(), "{fault:?} not found in 200 scenarios");
        eprintln!("{fault:?}: found by scenario {found:?}");
    }
    let data = input(3, 1500);
    let run = catch_unwind(|| fuzzing::run(&data, Fault::FifthAdd, &mut |_| {}));
    assert!(
        run.is_err(),
        "the fault is found through the fuzz oracle too"
    );
}

/// A survey of the `session` oracle with the live monitor fatal: the splitmix inputs of
/// `MSNP6_SURVEY_INPUTS` (`from..to`, default `0..3000`, 1,500 bytes each, as
/// [`random_inputs_pass_without_a_fault`]); fails listing every input that fails, with its first
/// message line. Slow, so ignored: `cargo test -p msnp6-server --features fuzzing --test
/// fuzz_regressions survey -- --ignored --nocapture`.
#[test]
#[ignore = "a survey: minutes"]
fn survey_random_inputs() {
    let range = std::env::var("MSNP6_SURVEY_INPUTS").unwrap_or_else(|_| "0..3000".to_owned());
    let (from, to) = range
        .split_once("..")
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .expect("MSNP6_SURVEY_INPUTS is from..to");
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let failures: Vec<String> = (from..to)
        .filter_map(|seed| {
            let data = input(seed, 1500);
            let run = catch_unwind(|| fuzzing::session(&data));
            run.err().map(|e| {
                let text = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                format!("input {seed}: {}", text.lines().next().unwrap_or(""))
            })
        })
        .collect();
    std::panic::set_hook(hook);
    eprintln!("survey: inputs {from}..{to}, {} failure(s)", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
