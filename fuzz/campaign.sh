#!/usr/bin/env bash
# The fuzzing campaign: one command from a fresh machine to a table of results.
#
#   fuzz/campaign.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# Installs cargo-fuzz if missing (uses nightly if rustup has it, else stable with
# RUSTC_BOOTSTRAP=1), seeds each target's corpus from the repository's transcripts
# (fuzz/seeds.sh), builds every target, runs each for the budget with the dictionary
# fuzz/dict/msnp6.dict over its working corpus fuzz/corpus/<target> and the committed minimized
# corpus fuzz/corpus-min/<target>, shows libFuzzer's progress, and ends with a table:
# runs, exec/s, CPU seconds, corpus size, coverage (edges and features), failures with their
# artifact path and the command that reproduces them. Logs: fuzz/logs/; every run is appended to
# fuzz/logs/ledger.tsv (the CPU time fuzzed per target adds up there).
#
# Environment:
#   FUZZ_SANITIZER=address|none   (default address; none is 3-7x faster: the crate forbids unsafe)
#   FUZZ_ARGS="..."               extra libFuzzer flags, e.g. "-fork=8" on a many-core machine
#   FUZZ_NICE=10                  niceness of the fuzzers (default 0)
# Exit status: 0 when no target failed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

budget="${1:-60}"
shift || true
all_targets=(decode_line frame_stream codec_stream roundtrip_typed strict_vs_lenient challenge transcript monitor session session_state)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
sanitizer="${FUZZ_SANITIZER:-address}"
nice_level="${FUZZ_NICE:-0}"
dict="fuzz/dict/msnp6.dict"
mkdir -p fuzz/logs

say() { printf '\n== %s\n' "$*"; }
# Sets CPU to the user + system CPU seconds of this shell's finished children (the second line of
# bash's `times`; called directly, not in $(...), so that it sees this shell's children).
cpu_tmp=$(mktemp)
child_cpu() {
    times >"$cpu_tmp"
    CPU=$(sed -n 2p "$cpu_tmp" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); n += p[1] * 60 + p[2] } printf "%.2f", n }')
}

say "toolchain"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked || exit 1
fi
# cargo-fuzz needs unstable flags: the nightly toolchain if rustup has one, else stable with
# RUSTC_BOOTSTRAP=1 (a machine with one toolchain).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    export RUSTC_BOOTSTRAP=1
    toolchain=()
fi
cargo "${toolchain[@]}" fuzz --version

say "seeds (fuzz/seeds.sh)"
fuzz/seeds.sh || exit 1

# One target directory per sanitizer, so that switching does not rebuild everything.
target_dir="$PWD/fuzz/target/sanitizer-$sanitizer"
build_flags=(-O -a -s "$sanitizer" --target-dir "$target_dir")
say "build (cargo ${toolchain[*]} fuzz build ${build_flags[*]})"
(cd fuzz && cargo "${toolchain[@]}" fuzz build "${build_flags[@]}") || exit 1
bin_dir="$target_dir/$(rustc "${toolchain[@]}" -vV | sed -n 's/^host: //p')/release"

rows=()
failed=0
for t in "${targets[@]}"; do
    corpus="fuzz/corpus/$t"
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    dirs=("$corpus")
    [ -d "fuzz/corpus-min/$t" ] && dirs+=("fuzz/corpus-min/$t")
    log="fuzz/logs/$t.log"
    marker=$(mktemp)
    say "$t: ${budget}s (log: $log)"
    child_cpu
    before=$CPU
    # The binary cargo fuzz built, run directly so that CPU time counts fuzzing only.
    nice -n "$nice_level" "$bin_dir/$t" -dict="$dict" -max_total_time="$budget" -print_final_stats=1 \
        -timeout=10 -artifact_prefix="fuzz/artifacts/$t/" ${FUZZ_ARGS:-} "${dirs[@]}" 2>&1 \
        | tee "$log" | grep --line-buffered -E '(pulse|INITED|DONE|==ERROR|panicked|Test unit written)'
    child_cpu
    secs=$(awk -v a="$before" -v b="$CPU" 'BEGIN { printf "%.0f", b - a }')
    # The last status line: "#N DONE cov: C ft: F corp: K/Sb ..."
    status=$(grep -E '^#[0-9]+' "$log" | tail -1)
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    [ -z "$runs" ] && runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$status")
    eps=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
    cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$status")
    ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$status")
    size=$(find "$corpus" -type f | wc -l)
    new_artifacts=$(find "fuzz/artifacts/$t" -type f -newer "$marker" 2>/dev/null)
    rm -f "$marker"
    fail="-"
    if [ -n "$new_artifacts" ]; then
        failed=1
        fail=""
        for a in $new_artifacts; do
            fail+="$a  (reproduce: cd fuzz && cargo +nightly fuzz run $t ${a#fuzz/}) "
        done
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$sanitizer" "$budget" \
        "${secs:-?}" "${runs:-?}" "${eps:-?}" "$size" "${ft:-?}" "$fail" >>fuzz/logs/ledger.tsv
    rows+=("$(printf '| %-17s | %9s | %7s | %7s | %7s | %6s | %6s | %s |' "$t" "${runs:-?}" "${eps:-?}" \
        "${secs:-?}" "$size" "${cov:-?}" "${ft:-?}" "$fail")")
done

say "results (sanitizer: $sanitizer, budget ${budget}s per target)"
printf '| %-17s | %9s | %7s | %7s | %7s | %6s | %6s | %s |\n' target runs exec/s "cpu s" corpus cov ft failures
printf '|%s|\n' "-------------------|-----------|---------|---------|---------|--------|--------|----------"
printf '%s\n' "${rows[@]}"
[ "$failed" -eq 0 ] || echo "failures: minimize with 'cargo +nightly fuzz tmin TARGET ARTIFACT', then add the input to fuzz/regressions/TARGET/"
exit "$failed"
