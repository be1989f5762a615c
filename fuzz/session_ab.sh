#!/usr/bin/env bash
# session vs session_state (issue 21 §1): the same budget, several seeds, both targets of a seed
# run side by side (so that they share the machine's load); medians over the seeds.
#
#   fuzz/session_ab.sh [SECONDS] [SEEDS] [FAULT_SECONDS]      (defaults: 60 s, 3 seeds, 90 s)
#
# 1. Coverage: each target fuzzes SECONDS from the same 16 seed inputs (fuzz/examples/session.rs),
#    with -seed=1..SEEDS. Reported per run: executions, CPU seconds (user+sys), the corpus's
#    coverage replayed through the plain `session` build (-runs=0: edges `cov` and features `ft`,
#    so that session_state's table edges do not count), and the protocol states its corpus reaches
#    (`--example session -- states`).
# 2. Seeded faults: with MSNP6_SESSION_FAULT=fifth-add and =second-joi (msnp6_server::fuzzing::
#    Fault), the CPU seconds until the target reports the fault, or "-" if not within FAULT_SECONDS.
# Prints one TSV line per run, then the medians. Sanitizer none (the crates forbid unsafe).
set -uo pipefail
cd "$(dirname "$0")/.."
budget="${1:-60}"
seeds="${2:-3}"
fault_budget="${3:-90}"
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; toolchain=(); fi
target_dir="$PWD/fuzz/target/sanitizer-none"
for t in session session_state; do
    (cd fuzz && cargo "${toolchain[@]}" fuzz build -O -a -s none --target-dir "$target_dir" "$t") || exit 1
done
cargo build --quiet --release --manifest-path fuzz/Cargo.toml --example session || exit 1
bin="$target_dir/$(rustc "${toolchain[@]}" -vV | sed -n 's/^host: //p')/release"
states_bin=fuzz/target/release/examples/session
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$states_bin" seeds "$work/seeds"

# run TARGET SEED SECONDS DIR [FAULT]: prints "cpu_seconds crashed(0/1) executions"
run() {
    local t=$1 seed=$2 secs=$3 dir=$4 fault=${5:-none}
    mkdir -p "$dir" "$dir.art"
    cp "$work/seeds/session/"* "$dir/"
    MSNP6_SESSION_FAULT="$fault" /usr/bin/time -f "%U %S" -o "$dir.time" "$bin/$t" -seed="$seed" \
        -max_total_time="$secs" -timeout=10 -print_final_stats=1 -artifact_prefix="$dir.art/" \
        "$dir" >"$dir.log" 2>&1
    local cpu crashed execs
    cpu=$(awk 'END { printf "%.1f", $1 + $2 }' "$dir.time")
    crashed=$([ -n "$(ls -A "$dir.art")" ] && echo 1 || echo 0)
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$dir.log" | grep -oE '[0-9]+$' || echo "?")
    echo "$cpu $crashed $execs"
}

printf 'kind\ttarget\tseed\tcpu_s\texecs\tcov\tft\tstates\tslots\n' | tee "$work/coverage.tsv"
for seed in $(seq 1 "$seeds"); do
    for t in session session_state; do
        run "$t" "$seed" "$budget" "$work/$t-$seed" >"$work/$t-$seed.out" &
    done
    wait
    for t in session session_state; do
        read -r cpu _ execs <"$work/$t-$seed.out"
        replay=$("$bin/session" -runs=0 "$work/$t-$seed" 2>&1 | grep -E 'INITED|DONE' | tail -1)
        cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$replay")
        ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$replay")
        read -r _ _ _ states _ slots <<<"$("$states_bin" states "$work/$t-$seed" 2>/dev/null)"
        printf 'coverage\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$seed" "$cpu" "$execs" "$cov" "$ft" "$states" "$slots" \
            | tee -a "$work/coverage.tsv"
    done
done

printf 'kind\ttarget\tseed\tfault\tcpu_s_to_find\n' | tee "$work/faults.tsv"
for fault in fifth-add second-joi; do
    for seed in $(seq 1 "$seeds"); do
        for t in session session_state; do
            run "$t" "$seed" "$fault_budget" "$work/$fault-$t-$seed" "$fault" >"$work/$fault-$t-$seed.out" &
        done
        wait
        for t in session session_state; do
            read -r cpu crashed _ <"$work/$fault-$t-$seed.out"
            [ "$crashed" = 1 ] || cpu="-"
            printf 'fault\t%s\t%s\t%s\t%s\n' "$t" "$seed" "$fault" "$cpu" | tee -a "$work/faults.tsv"
        done
    done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo
echo "medians over $seeds seeds ($(date -u +%FT%TZ), $(uptime | sed 's/.*load/load/'))"
printf '| target | cpu s | execs | cov | ft | states | slots | fifth-add cpu s | second-joi cpu s |\n|---|---|---|---|---|---|---|---|---|\n'
for t in session session_state; do
    row="| $t"
    for col in 4 5 6 7 8 9; do
        row+=" | $(awk -F'\t' -v t="$t" -v c="$col" '$1 == "coverage" && $2 == t { print $c }' "$work/coverage.tsv" | median)"
    done
    for fault in fifth-add second-joi; do
        found=$(awk -F'\t' -v t="$t" -v f="$fault" '$1 == "fault" && $2 == t && $4 == f && $5 != "-" { print $5 }' "$work/faults.tsv")
        n=$(grep -c . <<<"$found" || true)
        row+=" | $(median <<<"$found") ($n/$seeds found)"
    done
    echo "$row |"
done
