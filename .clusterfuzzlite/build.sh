#!/bin/bash -eu
# Builds every fuzz target of msnp6-lab for ClusterFuzzLite / OSS-Fuzz and ships, per target, the
# binary, its dictionary ($OUT/<target>.dict) and its seed corpus ($OUT/<target>_seed_corpus.zip:
# the committed minimized corpus plus the regressions).
#
# Runs locally too, as far as it goes: `bash .clusterfuzzlite/build.sh` builds into
# fuzz/target and fills OUT (default /tmp/msnp6-cflite-out) with nightly Rust and cargo-fuzz.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -d "${SRC:-}/msnp6-lab" ]; then
    repo="$SRC/msnp6-lab"
else
    repo="$(cd "$here/.." && pwd)"
fi
OUT="${OUT:-/tmp/msnp6-cflite-out}"
mkdir -p "$OUT"
cd "$repo"

# Outside OSS-Fuzz the default toolchain may be stable: cargo-fuzz needs nightly.
if [ -z "${RUSTUP_TOOLCHAIN:-}" ] && command -v rustup >/dev/null \
    && ! rustc --version | grep -q nightly && rustup toolchain list | grep -q '^nightly'; then
    export RUSTUP_TOOLCHAIN=nightly
fi

targets="decode_line frame_stream codec_stream roundtrip_typed strict_vs_lenient challenge transcript monitor session session_state"
# OSS-Fuzz sets the sanitizer and coverage flags in its cargo wrapper; locally cargo-fuzz
# chooses (address sanitizer by default).
cargo fuzz build -O --fuzz-dir fuzz
host="$(rustc -vV | sed -n 's/^host: //p')"
for t in $targets; do
    cp "fuzz/target/$host/release/$t" "$OUT/$t"
    cp fuzz/dict/msnp6.dict "$OUT/$t.dict"
    rm -f "$OUT/${t}_seed_corpus.zip"
    seeds=$(find "fuzz/corpus-min/$t" "fuzz/regressions/$t" -type f 2>/dev/null || true)
    if [ -n "$seeds" ]; then
        # -j: flat names; libFuzzer only needs the contents.
        echo "$seeds" | zip -q -j -@ "$OUT/${t}_seed_corpus.zip"
    fi
done
echo "built into $OUT: $(ls "$OUT" | tr '\n' ' ')"
