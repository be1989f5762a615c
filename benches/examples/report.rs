//! Prints the README "Performance" tables from criterion's last results (run the benchmarks
//! first), with the ratios to the baselines and the goals of issue 5.
//!
//! ```sh
//! cargo bench -p msnp6-benches -- --warm-up-time 1 --measurement-time 3
//! cargo run --release -p msnp6-benches --example report
//! ```
//!
//! Criterion's results are read from `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else
//! `target/criterion`.

use std::path::{Path, PathBuf};

use msnp6_benches::Workload;

/// `path` relative to the workspace when it lies inside it (the report is pasted into the README,
/// which must not name this machine's directories).
fn shown(path: &Path) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (Ok(path), Ok(workspace)) = (path.canonicalize(), workspace.canonicalize()) else {
        return path.to_path_buf();
    };
    path.strip_prefix(&workspace)
        .map_or(path.clone(), Path::to_path_buf)
}

fn criterion_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d).join("criterion");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
}

/// Time in nanoseconds of one iteration of a benchmark (`group/function[/parameter]`): the
/// estimate criterion prints (the slope of its linear sampling, else the mean).
fn mean_ns(id: &str) -> Option<f64> {
    let path = criterion_dir().join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(&path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["slope"]["point_estimate"]
        .as_f64()
        .or_else(|| v["mean"]["point_estimate"].as_f64())
}

fn cpu() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn rate(bytes: f64, ns: f64) -> String {
    let gbps = bytes / ns; // bytes per ns = GB/s
    if gbps >= 1.0 {
        format!("{gbps:.2} GB/s")
    } else {
        format!("{:.0} MB/s", gbps * 1000.0)
    }
}

fn main() {
    let w = Workload::standard();
    let mix = w.mix();
    let bytes = mix.bytes as f64;
    let cmds = mix.commands as f64;
    let get = |id: &str| mean_ns(id);
    let Some(split_array) = get("workload/split_array") else {
        eprintln!(
            "no criterion results under {}: run the benchmarks first",
            criterion_dir().display()
        );
        std::process::exit(1);
    };
    let memchr = get("workload/memchr_framing");
    let decode = get("workload/decode");

    println!(
        "Workload: seed {:#x}, {} bytes, {} commands, payloads {:.1}% of the bytes, mean command \
         line {:.1} bytes (with CR LF).\n",
        w.seed,
        mix.bytes,
        mix.commands,
        100.0 * mix.payload_share(),
        mix.mean_line()
    );
    println!(
        "| workload (whole) | time | bytes/s | commands/s | vs (c) split_array | vs (a) memchr |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (id, label) in [
        ("memchr_framing", "(a) memchr framing limit"),
        ("split_vec", "(b) split on SP into a Vec"),
        ("split_array", "(c) split on SP into an array"),
        ("decode", "msnp6 decode, strict"),
        ("decode_lenient", "msnp6 decode, lenient"),
        ("framer_1460", "msnp6 framer, 1460-byte chunks"),
    ] {
        if let Some(t) = get(&format!("workload/{id}")) {
            println!(
                "| {label} | {:.3} ms | {} | {:.1} M/s | {:.2} | {} |",
                t / 1e6,
                rate(bytes, t),
                cmds / t * 1e3,
                split_array / t,
                memchr.map_or("-".into(), |m| format!("{:.2}", m / t)),
            );
        }
    }
    if let (Some(d), Some(f)) = (decode, get("workload/framer_1460")) {
        println!(
            "\nframer at 1460-byte chunks / whole-buffer decode: {:.2}× the time",
            f / d
        );
    }

    println!("\n| 1-byte chunks (NS S->C prefix) | framer | decode (whole) | framer / decode |");
    println!("| --- | ---: | ---: | ---: |");
    let mut per_byte = Vec::new();
    for kib in [16, 64] {
        let ns = &w.streams[0];
        let len = prefix_len(ns, kib * 1024) as f64;
        if let (Some(f), Some(d)) = (
            get(&format!("framer_1byte/framer_1/{kib}")),
            get(&format!("framer_1byte/decode/{kib}")),
        ) {
            println!(
                "| {kib} KiB ({len} bytes) | {} ({:.1} ns/byte) | {} | {:.1}× |",
                rate(len, f),
                f / len,
                rate(len, d),
                f / d
            );
            per_byte.push(f / len);
        }
    }
    if let [a, b] = per_byte[..] {
        println!(
            "\nns per byte at 64 KiB / at 16 KiB: {:.2} (1.00 = linear)",
            b / a
        );
    }

    if let (Some(copy), Some(enc)) = (get("encode/copy"), get("encode/encode")) {
        println!("\n| encode (reused buffer) | time | bytes/s | commands/s | vs copy |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        println!(
            "| copy of the same bytes | {:.3} ms | {} | - | 1.00 |",
            copy / 1e6,
            rate(bytes, copy)
        );
        println!(
            "| msnp6 encode | {:.3} ms | {} | {:.1} M/s | {:.2} |",
            enc / 1e6,
            rate(bytes, enc),
            cmds / enc * 1e3,
            copy / enc
        );
    }

    println!("\n| challenge | time | vs raw md-5 of the same bytes |");
    println!("| --- | ---: | ---: |");
    let md36 = get("challenge/md5_raw_36");
    let md28 = get("challenge/md5_raw_28");
    for (id, base, label) in [
        ("md5_raw_36", md36, "raw md-5 digest, 36 bytes"),
        ("qry_response", md36, "qry_response (into [u8; 32])"),
        ("qry_response_string", md36, "qry_response_string"),
        ("md5_raw_28", md28, "raw md-5 digest, 28 bytes"),
        ("login_digest", md28, "login_digest (into [u8; 32])"),
    ] {
        if let Some(t) = get(&format!("challenge/{id}")) {
            println!(
                "| {label} | {t:.0} ns | {} |",
                base.map_or("-".into(), |b| format!("{:.2}×", t / b))
            );
        }
    }

    println!("\n| command (one frame) | msnp6 decode | (c) split_array | decode / split_array |");
    println!("| --- | ---: | ---: | ---: |");
    for verb in ["MSG", "NLN", "ILN", "LST", "BPR", "CHG", "QRY"] {
        if let (Some(d), Some(s)) = (
            get(&format!("command/decode/{verb}")),
            get(&format!("command/split_array/{verb}")),
        ) {
            println!("| {verb} | {d:.1} ns | {s:.1} ns | {:.2}× |", d / s);
        }
    }

    let date = std::process::Command::new("date")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    println!(
        "\nMachine: {} ({} cores), report made {date}; results read from {}.",
        cpu(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        shown(&criterion_dir()).display()
    );
}

/// The length of the frame-aligned prefix the `framer_1byte` benchmark uses.
fn prefix_len(s: &msnp6_benches::Stream, max: usize) -> usize {
    let d = s.decoder();
    let mut pos = 0;
    while pos < s.bytes.len() {
        let Ok(f) = d.decode(&s.bytes[pos..]) else {
            break;
        };
        if pos + f.len > max {
            break;
        }
        pos += f.len;
    }
    pos
}
