//! Replays the `transcript` fuzz target's regressions (`fuzz/regressions/transcript/*`) and
//! committed minimized corpus (`fuzz/corpus-min/transcript/*`) through its oracle
//! (`msnp6_oracle::fuzzing::transcript`) on stable Rust, as an ordinary `cargo test`. The codec's
//! targets are replayed by `protocol/tests/fuzz_regressions.rs`.
#![cfg(feature = "fuzzing")]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use msnp6_oracle::fuzzing;

/// The files of `fuzz/<kind>/transcript/`, sorted; none if the directory does not exist.
fn inputs(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz")
        .join(kind)
        .join("transcript");
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

/// Runs every input of `kind` (`regressions` or `corpus-min`) through the oracle; returns how
/// many ran, and panics listing every input that fails it.
fn replay(kind: &str) -> usize {
    let files = inputs(kind);
    let failures: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("read input");
            catch_unwind(AssertUnwindSafe(|| fuzzing::transcript(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "{} input(s) fail their oracle (reproduce: cd fuzz && cargo +nightly fuzz run transcript FILE):\n{}",
        failures.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn regressions_pass_the_oracle() {
    // No transcript regression has been found yet: the directory may be absent.
    let n = replay("regressions");
    eprintln!("replayed {n} transcript regression inputs");
}

#[test]
fn committed_corpus_passes_the_oracle() {
    let n = replay("corpus-min");
    eprintln!("replayed {n} transcript corpus inputs");
    assert!(
        n > 0,
        "no corpus input found under fuzz/corpus-min/transcript"
    );
}
