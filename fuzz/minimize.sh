#!/usr/bin/env bash
# Rebuilds the committed minimized corpus fuzz/corpus-min/<target> from itself and the working
# corpus fuzz/corpus/<target> with libFuzzer's -merge=1 (the smallest set of inputs that keeps
# every coverage feature). Run after a campaign, then commit fuzz/corpus-min.
#   fuzz/minimize.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(decode_line frame_stream codec_stream roundtrip_typed strict_vs_lenient challenge transcript monitor session session_state)
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=(+nightly); else export RUSTC_BOOTSTRAP=1; toolchain=(); fi
target_dir="$PWD/fuzz/target/sanitizer-none"
(cd fuzz && cargo "${toolchain[@]}" fuzz build -O -a -s none --target-dir "$target_dir")
bin_dir="$target_dir/$(rustc "${toolchain[@]}" -vV | sed -n 's/^host: //p')/release"
for t in "${targets[@]}"; do
    new=$(mktemp -d)
    inputs=()
    for d in "fuzz/corpus-min/$t" "fuzz/corpus/$t"; do
        [ -d "$d" ] && inputs+=("$d")
    done
    # session targets: edges only (-use_counters=0), else the merge keeps thousands of inputs
    # (every list size and status is a feature) and the stable replay takes minutes.
    extra=()
    case "$t" in session*) extra=(-use_counters=0) ;; esac
    "$bin_dir/$t" -merge=1 -timeout=10 "${extra[@]}" "$new" "${inputs[@]}" 2>&1 | grep -E '^MERGE-OUTER: [0-9]+ new files' || true
    rm -rf "fuzz/corpus-min/$t"
    mkdir -p "fuzz/corpus-min/$t"
    cp "$new"/* "fuzz/corpus-min/$t"/ 2>/dev/null || true
    rm -rf "$new"
    echo "$t: $(find "fuzz/corpus-min/$t" -type f | wc -l) inputs, $(du -sk "fuzz/corpus-min/$t" | cut -f1) KiB"
done
