//! Replays every fuzzing regression (`fuzz/regressions/<target>/*`) and the committed minimized
//! corpus (`fuzz/corpus-min/<target>/*`) of the codec's targets through their oracles
//! (`msnp6::fuzzing`) on stable Rust, as an ordinary `cargo test` (no nightly, no libFuzzer).
//! The `transcript` target's inputs are replayed by `oracle/tests/fuzz_regressions.rs`.
#![cfg(feature = "fuzzing")]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use msnp6::fuzzing;

/// The oracle of each target, by target name.
fn oracle(target: &str) -> Option<fn(&[u8])> {
    Some(match target {
        "decode_line" => fuzzing::decode_line,
        "frame_stream" => fuzzing::frame_stream,
        "codec_stream" => fuzzing::codec_stream,
        "roundtrip_typed" => fuzzing::roundtrip_typed,
        "strict_vs_lenient" => fuzzing::strict_vs_lenient,
        "challenge" => |data| fuzzing::challenge(data, &|parts| fuzzing::md5::md5(parts)),
        _ => return None,
    })
}

/// The targets whose oracle is elsewhere, replayed by those crates' tests: `msnp6-oracle`
/// (`transcript`, `monitor`) and `msnp6-server` (`session`, `session_state`).
const ORACLE_TARGETS: [&str; 4] = ["transcript", "monitor", "session", "session_state"];

const TARGETS: [&str; 6] = [
    "decode_line",
    "frame_stream",
    "codec_stream",
    "roundtrip_typed",
    "strict_vs_lenient",
    "challenge",
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir/<target>/`, sorted; none if the directory does not exist.
fn inputs(dir: &Path, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
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

/// Runs every input of `kind` (`regressions` or `corpus-min`) through its oracle; returns how
/// many ran, and panics listing every input whose oracle failed.
fn replay(kind: &str) -> usize {
    let dir = fuzz_dir().join(kind);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                !e.path().is_dir()
                    || oracle(&name).is_some()
                    || ORACLE_TARGETS.contains(&name.as_str()),
                "fuzz/{kind}/{name}: no such fuzz target"
            );
        }
    }
    let mut failures = Vec::new();
    let mut count = 0;
    for target in TARGETS {
        let Some(check) = oracle(target) else {
            continue;
        };
        for path in inputs(&dir, target) {
            let data = std::fs::read(&path).expect("read input");
            count += 1;
            if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} input(s) fail their oracle (reproduce: cd fuzz && cargo +nightly fuzz run TARGET FILE):\n{}",
        failures.len(),
        failures.join("\n")
    );
    count
}

#[test]
fn regressions_pass_their_oracles() {
    let n = replay("regressions");
    eprintln!("replayed {n} regression inputs");
    assert!(n > 0, "no regression input found under fuzz/regressions");
}

#[test]
fn committed_corpus_passes_its_oracles() {
    let n = replay("corpus-min");
    eprintln!("replayed {n} corpus inputs");
    assert!(n > 0, "no corpus input found under fuzz/corpus-min");
}
