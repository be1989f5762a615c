#!/usr/bin/env bash
# The campaign table of the README, recomputed: every figure comes from this script.
#
#   fuzz/table.sh [LEDGER]        (default: fuzz/ledger-issue-4.tsv)
#
# For each target of the ledger (a ledger.tsv written by fuzz/campaign.sh), in name order:
#   CPU time, runs      the sums of its cpu_s and runs columns, all sanitizers;
#   exec/s              runs / CPU seconds, over the rows without and with AddressSanitizer;
#   corpus-min files    the files in fuzz/corpus-min/<target> (ls | wc -l);
#   cov / ft            what libFuzzer prints (INITED cov: ft:) when the ASan build of
#                       fuzz/campaign.sh replays fuzz/corpus-min/<target> with -runs=0.
# Needs that build: FUZZ_SANITIZER=address fuzz/campaign.sh builds it, or
#   cd fuzz && cargo +nightly fuzz build -O -a -s address --target-dir "$PWD/target/sanitizer-address"
set -uo pipefail
cd "$(dirname "$0")/.."
ledger="${1:-fuzz/ledger-issue-4.tsv}"
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="fuzz/target/sanitizer-address/$host/release"

echo "| target | CPU time | runs | exec/s (none / ASan) | corpus-min files | cov / ft |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for t in $(awk -F'\t' 'NR > 1 { print $2 }' "$ledger" | sort -u); do
    sums=$(awk -F'\t' -v t="$t" '
        NR > 1 && $2 == t { cpu += $5; runs += $6; c[$3] += $5; r[$3] += $6 }
        END {
            none = c["none"] ? sprintf("%.0f", r["none"] / c["none"]) : "-"
            asan = c["address"] ? sprintf("%.0f", r["address"] / c["address"]) : "-"
            printf "%.1f min | %.2f M | %s / %s", cpu / 60, runs / 1e6, none, asan
        }' "$ledger")
    files=$(ls "fuzz/corpus-min/$t" 2>/dev/null | wc -l)
    cov="(no ASan build)"
    if [ -x "$bin_dir/$t" ]; then
        # a slow unit (a loaded machine) is written to the artifact prefix: keep it out of the tree
        cov=$("$bin_dir/$t" -runs=0 -artifact_prefix="${TMPDIR:-/tmp}/" "fuzz/corpus-min/$t" 2>&1 |
            sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \/ \2/p' | head -1)
    fi
    echo "| $t | $sums | $files | $cov |"
done
