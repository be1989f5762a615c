//! A driver for profilers (`valgrind --tool=callgrind`): decodes the standard workload
//! `ITERATIONS` times with the typed decoder (`decode`), the streaming framer in 1460-byte
//! chunks (`framer`) or the inline-array baseline (`split_array`); or (`ratio`) times them all,
//! interleaved, and prints the best of each (a quick check on a busy machine), with the decoder's
//! and the framer's frames also observed in place (`decode_in_place`, `framer_in_place`: what the
//! copy out of the `Result` costs) and the framer given each stream whole (`framer_whole`: its
//! cost without frames cut by chunk ends).
//!
//! ```sh
//! cargo build --profile bench -p msnp6-benches --example profile
//! valgrind --tool=callgrind target/release/examples/profile decode 3
//! ```

use std::hint::black_box;

use msnp6::Framer;
use msnp6_benches::drive::{decode_stream, frame_stream};
use msnp6_benches::{Workload, baseline};

/// `ratio ROUNDS`: the best time of each of the workload passes, measured interleaved in one
/// process (robust against other jobs on the machine: each round runs every pass once, and the
/// minimum over the rounds is the run least disturbed).
fn ratio(rounds: usize) {
    use std::time::{Duration, Instant};
    let w = Workload::standard();
    let decoders: Vec<_> = w.streams.iter().map(|s| s.decoder()).collect();
    let passes: [(&str, &dyn Fn() -> usize); 7] = [
        ("memchr_framing", &|| {
            w.streams
                .iter()
                .map(|s| {
                    baseline::memchr_frames(&s.bytes, baseline::payload_verbs(s.direction), |l| {
                        black_box(l);
                    })
                })
                .sum()
        }),
        ("split_array", &|| {
            w.streams
                .iter()
                .map(|s| {
                    baseline::split_array(&s.bytes, baseline::payload_verbs(s.direction), |t| {
                        black_box(t);
                    })
                })
                .sum()
        }),
        ("decode", &|| {
            w.streams
                .iter()
                .zip(&decoders)
                .map(|(s, d)| decode_stream(d, &s.bytes))
                .sum()
        }),
        // The same decoding, the frame observed where `decode` returned it instead of moved out
        // of the `Result` (`docs/codec.md`, "What moving a frame costs").
        ("decode_in_place", &|| {
            let mut n = 0;
            for (s, d) in w.streams.iter().zip(&decoders) {
                let mut pos = 0;
                while pos < s.bytes.len() {
                    let r = d.decode(&s.bytes[pos..]);
                    match black_box(&r) {
                        Ok(f) => pos += f.len,
                        Err(e) => panic!("decode: {e}"),
                    }
                    n += 1;
                }
            }
            n
        }),
        ("framer_1460", &|| {
            w.streams
                .iter()
                .zip(&decoders)
                .map(|(s, d)| frame_stream(*d, &s.bytes, 1460))
                .sum()
        }),
        // The framer's own cost, without frames split across chunks.
        ("framer_whole", &|| {
            w.streams
                .iter()
                .zip(&decoders)
                .map(|(s, d)| frame_stream(*d, &s.bytes, usize::MAX))
                .sum()
        }),
        // The framer at 1460-byte chunks, its frames observed where `next_frame` returned them.
        ("framer_in_place", &|| {
            let mut n = 0;
            for (s, d) in w.streams.iter().zip(&decoders) {
                let mut f = Framer::new(*d);
                for c in s.bytes.chunks(1460) {
                    f.push(c);
                    loop {
                        let r = f.next_frame();
                        match black_box(&r) {
                            Ok(Some(_)) => n += 1,
                            Ok(None) => break,
                            Err(e) => panic!("frame: {e}"),
                        }
                    }
                }
            }
            n
        }),
    ];
    let mut best = [Duration::MAX; 7];
    for _ in 0..rounds {
        for (i, (_, pass)) in passes.iter().enumerate() {
            let t = Instant::now();
            black_box(pass());
            best[i] = best[i].min(t.elapsed());
        }
    }
    let base = best[1].as_secs_f64();
    for (i, (name, _)) in passes.iter().enumerate() {
        let t = best[i].as_secs_f64();
        println!(
            "{name:>15}: {:8.3} ms  {:6.2} GB/s  throughput vs split_array {:.2}",
            t * 1e3,
            w.total_bytes() as f64 / t / 1e9,
            base / t
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_else(|| "decode".to_owned());
    if what == "ratio" {
        ratio(args.next().and_then(|s| s.parse().ok()).unwrap_or(200));
        return;
    }
    let iterations: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(3);
    let w = Workload::standard();
    let mut frames = 0;
    for _ in 0..iterations {
        for s in &w.streams {
            match what.as_str() {
                "decode" => frames += decode_stream(&s.decoder(), &s.bytes),
                "framer" => frames += frame_stream(s.decoder(), &s.bytes, 1460),
                "split_array" => {
                    frames += baseline::split_array(
                        &s.bytes,
                        baseline::payload_verbs(s.direction),
                        |t| {
                            black_box(t);
                        },
                    );
                }
                other => panic!("unknown mode {other}: decode, framer or split_array"),
            }
        }
    }
    println!("{frames} frames");
}
