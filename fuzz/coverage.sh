#!/usr/bin/env bash
# Line coverage of protocol/ reached by the fuzz corpora (cargo fuzz coverage + llvm-cov).
#
#   fuzz/coverage.sh [CORPUS_ROOT]     (default: fuzz/corpus-min; regressions are always added)
#
# Needs the nightly llvm-tools (`rustup component add llvm-tools-preview --toolchain nightly`).
# Per target: a coverage build, a run over a snapshot of the corpus, fuzz/coverage/<target>/
# coverage.profdata and a report of protocol/src; then the union of all targets, with the
# never-executed regions of protocol/src written to fuzz/coverage/uncovered.txt.
set -euo pipefail
cd "$(dirname "$0")"
root="${1:-corpus-min}"
targets=(decode_line frame_stream codec_stream roundtrip_typed strict_vs_lenient challenge transcript)
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
llvm="$(rustc +nightly --print sysroot)/lib/rustlib/$host/bin"
[ -x "$llvm/llvm-cov" ] || { echo "llvm-tools missing: rustup component add llvm-tools-preview --toolchain nightly"; exit 2; }
tdir="$PWD/target/coverage"
bin="$tdir/$host/release"
ignore='(/\.cargo/|/rustc/|fuzz/|/fuzzing/|/fuzzing\.rs)'
objects=()
profiles=()
for t in "${targets[@]}"; do
    snap=$(mktemp -d)
    for d in "$root/$t" "regressions/$t"; do
        [ -d "$d" ] && cp "$d"/* "$snap"/ 2>/dev/null || true
    done
    cargo +nightly fuzz coverage -O --target-dir "$tdir" "$t" "$snap" >"coverage/$t.log" 2>&1 \
        || { mkdir -p coverage; cargo +nightly fuzz coverage -O --target-dir "$tdir" "$t" "$snap" >"coverage/$t.log" 2>&1; }
    rm -rf "$snap"
    echo "== $t (protocol/src and oracle/src, excluding the oracles)"
    "$llvm/llvm-cov" report "$bin/$t" -instr-profile="coverage/$t/coverage.profdata" \
        -ignore-filename-regex="$ignore" | tail -1
    objects+=(-object "$bin/$t")
    profiles+=("coverage/$t/coverage.profdata")
done
"$llvm/llvm-profdata" merge -sparse "${profiles[@]}" -o coverage/all.profdata
echo "== all targets together, per file"
"$llvm/llvm-cov" report "${objects[@]}" -instr-profile=coverage/all.profdata \
    -ignore-filename-regex="$ignore" | tee coverage/report.txt
"$llvm/llvm-cov" show "${objects[@]}" -instr-profile=coverage/all.profdata \
    -ignore-filename-regex="$ignore" -show-line-counts-or-regions -region-coverage-lt=100 \
    -format=text >coverage/uncovered.txt
echo "never-executed lines: grep -n '|      0|' fuzz/coverage/uncovered.txt"
