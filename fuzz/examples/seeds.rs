//! Writes the seed corpus of each fuzz target, made from the repository's transcripts
//! (`corpus/examples/*.txt`, `corpus/sessions/*.txt`) by `msnp6_oracle::fuzzing::seeds`.
//!
//! Usage: `cargo run --manifest-path fuzz/Cargo.toml --example seeds -- OUT_DIR [CORPUS_DIR]`
//! writes `OUT_DIR/<target>/seed-<hash>` (run by `fuzz/seeds.sh`).

use std::path::{Path, PathBuf};

const TARGETS: [&str; 8] = [
    "decode_line",
    "frame_stream",
    "codec_stream",
    "roundtrip_typed",
    "strict_vs_lenient",
    "challenge",
    "transcript",
    "monitor",
];

/// FNV-1a, to name seeds by their content without a hashing dependency.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "fuzz/corpus".into()));
    let root = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus"));
    let mut files = Vec::new();
    for dir in ["examples", "sessions"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            files.push(std::fs::read(p)?);
        }
    }
    // Hand-made seeds for the targets whose input is not a protocol text.
    let extra: &[(&str, &[u8])] = &[
        (
            "challenge",
            b"\x14\x1011111111111111111111Q1P7W2E4J9R8U3S5password",
        ),
        (
            "challenge",
            b"\x14\x10\x1412345678901234567890Q1P7W2E4J9R8U3S51234567890.123456789password",
        ),
        ("challenge", b""),
    ];
    for target in TARGETS {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir)?;
        let mut seeds = msnp6_oracle::fuzzing::seeds(target, &files);
        seeds.extend(
            extra
                .iter()
                .filter(|(t, _)| *t == target)
                .map(|(_, s)| s.to_vec()),
        );
        let mut written = 0;
        for seed in &seeds {
            let path = dir.join(format!("seed-{:016x}", fnv(seed)));
            if !path.exists() {
                std::fs::write(path, seed)?;
                written += 1;
            }
        }
        println!(
            "{target}: {} seeds ({written} new) in {}",
            seeds.len(),
            dir.display()
        );
    }
    Ok(())
}
