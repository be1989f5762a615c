#!/usr/bin/env bash
# Builds each fuzz target's seed corpus from the repository's transcripts (corpus/**/*.txt):
# fuzz/corpus/<target>/seed-<hash>. Idempotent; the working corpus fuzz/corpus is not committed
# (the minimized corpus is fuzz/corpus-min). Usage: fuzz/seeds.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-fuzz/corpus}"
cargo run --quiet --release --manifest-path fuzz/Cargo.toml --example seeds -- "$out" corpus
# session, session_state: deterministic splitmix64 inputs (each is a meaningful plan of events)
cargo run --quiet --release --manifest-path fuzz/Cargo.toml --example session -- seeds "$out"
