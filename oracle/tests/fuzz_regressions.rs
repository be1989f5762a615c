//! Replays the regressions (`fuzz/regressions/<target>/*`) and the committed minimized corpus
//! (`fuzz/corpus-min/<target>/*`) of the fuzz targets whose oracles are in this crate —
//! `transcript` and `monitor` (`msnp6_oracle::fuzzing`) — on stable Rust, as an ordinary `cargo
//! test`. The codec's targets are replayed by `protocol/tests/fuzz_regressions.rs`.
#![cfg(feature = "fuzzing")]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use msnp6_oracle::fuzzing;

/// A fuzz oracle: panics when its property breaks.
type Oracle = fn(&[u8]);

/// The targets replayed here and their oracles.
const TARGETS: [(&str, Oracle); 2] = [
    ("transcript", fuzzing::transcript),
    ("monitor", fuzzing::monitor),
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

/// Runs every input of `kind` (`regressions` or `corpus-min`) of `target` through `oracle`;
/// returns how many ran, and panics listing every input that fails it.
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
    // No regression has been found yet for these targets: the directories may be absent.
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
