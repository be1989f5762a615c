#!/usr/bin/env bash
# The deterministic fuzzing step of .ci/run. Fails on any regression; never depends on luck:
#  1. replays every regression (fuzz/regressions/<target>/) and the committed minimized corpus
#     (fuzz/corpus-min/<target>/) through the libFuzzer builds (-runs=0);
#  2. runs each target a fixed number of iterations from a fixed seed (-seed=1 -runs=N, about 30 s
#     each on the 2-core CI machine), starting from the committed corpus, with the dictionary.
# The same inputs are replayed on stable by `cargo test` (protocol/tests/fuzz_regressions.rs;
# oracle/tests/fuzz_regressions.rs for `transcript` and `monitor`;
# server/tests/fuzz_regressions.rs for `session` and `session_state`).
# Needs cargo-fuzz; uses the nightly toolchain if rustup has one, else stable with
# RUSTC_BOOTSTRAP=1 (cargo-fuzz needs unstable -Z flags).
set -euo pipefail
cd "$(dirname "$0")/.."

# target:runs — calibrated to ~30 s each with the address sanitizer on the CI machine.
plan=(decode_line:70000 frame_stream:100000 codec_stream:200000 roundtrip_typed:600000
      strict_vs_lenient:350000 challenge:350000 transcript:100000 monitor:1000
      session:2000 session_state:2000)

if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    cargo_fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    cargo_fuzz=(cargo fuzz)
fi
flags=(-O -a)
(cd fuzz && "${cargo_fuzz[@]}" build "${flags[@]}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for entry in "${plan[@]}"; do
    t="${entry%%:*}"
    dirs=()
    for d in "fuzz/corpus-min/$t" "fuzz/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$PWD/$d")
    done
    echo "-- $t: replay ${dirs[*]#"$PWD"/} (-runs=0)"
    (cd fuzz && "${cargo_fuzz[@]}" run "${flags[@]}" "$t" "${dirs[@]}" -- -runs=0 2>&1 | tail -2)
done
for entry in "${plan[@]}"; do
    t="${entry%%:*}"
    runs="${entry##*:}"
    mkdir -p "$work/$t"
    dirs=("$work/$t")
    for d in "fuzz/corpus-min/$t" "fuzz/regressions/$t"; do
        [ -d "$d" ] && dirs+=("$PWD/$d")
    done
    echo "-- $t: -seed=1 -runs=$runs"
    (cd fuzz && "${cargo_fuzz[@]}" run "${flags[@]}" "$t" "${dirs[@]}" -- -seed=1 -runs="$runs" \
        -dict="$PWD/dict/msnp6.dict" -timeout=10 -artifact_prefix="$work/" -print_final_stats=1 2>&1 \
        | grep -E '^(#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|average_exec_per_sec))|panicked|ERROR|Test unit')
done
echo "fuzzing: every regression and corpus input passes; fixed-seed runs found nothing"
