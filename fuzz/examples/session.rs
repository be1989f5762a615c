//! Seeds and measurements for the `session` targets (docs/fuzzing.md).
//!
//! * `cargo run --release --manifest-path fuzz/Cargo.toml --example session -- seeds OUT_DIR`
//!   writes 16 deterministic inputs (splitmix64 bytes: every input is a meaningful plan) to
//!   `OUT_DIR/session/` and `OUT_DIR/session_state/` (run by `fuzz/seeds.sh`);
//! * `... --example session -- states DIR...` prints how many distinct protocol states (the keys
//!   `session_state` feeds its table with) the inputs of the directories reach together, and in
//!   how many of the table's slots they fall.

use std::collections::BTreeSet;
use std::path::Path;

fn splitmix(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seeds") => {
            let out = Path::new(args.get(1).map_or("fuzz/corpus", String::as_str));
            for target in ["session", "session_state"] {
                std::fs::create_dir_all(out.join(target))?;
                for k in 0..16u64 {
                    let data = splitmix(k, 256 + 128 * k as usize);
                    std::fs::write(out.join(target).join(format!("seed-splitmix-{k}")), data)?;
                }
            }
        }
        Some("states") => {
            let mut keys = BTreeSet::new();
            let mut inputs = 0;
            for dir in &args[1..] {
                for entry in std::fs::read_dir(dir)? {
                    let data = std::fs::read(entry?.path())?;
                    keys.extend(msnp6_server::fuzzing::states(&data));
                    inputs += 1;
                }
            }
            let slots: BTreeSet<u64> = keys
                .iter()
                .map(|k| k % msnp6_server::fuzzing::table::SLOTS as u64)
                .collect();
            println!(
                "inputs {inputs} states {} slots {}",
                keys.len(),
                slots.len()
            );
        }
        _ => eprintln!("usage: session (seeds OUT_DIR | states DIR...)"),
    }
    Ok(())
}
