#!/usr/bin/env python3
"""Instruction counts per machine instruction of one function, beside its disassembly.

callgrind_annotate shows counts per source line; with inlining that spreads one loop over a
dozen files. This joins callgrind's per-instruction counts with objdump's disassembly, so the
hot loop of a function reads as assembly with a count on every instruction (issue 5: profile
before optimising; perf has no hardware counters on the CI machines).

    cargo build --profile bench -p msnp6-benches --example profile
    valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no \\
        --callgrind-out-file=/tmp/cg.out target/release/examples/profile decode 3
    python3 benches/tools/asmcost.py /tmp/cg.out target/release/examples/profile \\
        'decode_form' [MIN_COUNT]

Every function whose name matches counts, so `decode_form` gathers all its instances (one per
command form; callgrind names them alike). Prints the self count, then every instruction
executed at least MIN_COUNT times (default 1) as `count address: instruction`; a call shows the inclusive count of its callee.
Divide by the number of frames (`profile` prints it) for instructions per frame.
"""
import collections
import re
import subprocess
import sys


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, binary, pattern = sys.argv[1:4]
    minimum = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    cost = collections.Counter()
    calls = collections.Counter()
    function = None
    after_calls = False
    with open(out) as f:
        for line in f:
            if line.startswith("fn="):
                function = line[3:].strip()
                continue
            if line.startswith("calls="):
                after_calls = True
                continue
            m = re.match(r"^(0x[0-9a-f]+) \S+ (\d+)", line)
            if m and function and pattern in function:
                address = int(m.group(1), 16)
                # The line after `calls=` is the call's inclusive cost, not the instruction's.
                (calls if after_calls else cost)[address] += int(m.group(2))
            after_calls = False
    if not cost:
        sys.exit(f"no instruction of a function matching {pattern!r} in {out}")
    low, high = min(cost), max(cost) + 16
    asm = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", "-C", binary,
         f"--start-address={low}", f"--stop-address={high}"],
        capture_output=True, text=True, check=True,
    ).stdout
    print(f"self total {sum(cost.values())}")
    for line in asm.splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)", line)
        if not m:
            continue
        address = int(m.group(1), 16)
        count = cost.get(address, 0)
        if count < minimum:
            continue
        callee = f"   [call, inclusive {calls[address]}]" if calls.get(address) else ""
        print(f"{count:>10} {address:x}: {m.group(2)[:100]}{callee}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass
