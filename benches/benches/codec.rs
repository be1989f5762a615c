//! Criterion benchmarks of the msnp6 codec against baselines measured in the same run, on the
//! same bytes (issue 5). The workload and the baselines are in `msnp6_benches`.
//!
//! ```sh
//! cargo bench -p msnp6-benches -- --warm-up-time 1 --measurement-time 3
//! cargo run --release -p msnp6-benches --example report   # the README table from the results
//! ```
//!
//! Groups (criterion ids `group/function[/parameter]`):
//! * `workload` — the standard workload (bytes/s): the baselines `memchr_framing`,
//!   `split_vec`, `split_array`, then msnp6 `decode` (whole buffer, strict), `decode_lenient`,
//!   `framer_1460` (the streaming framer fed one TCP segment at a time).
//! * `framer_1byte` — the framer fed one byte at a time, on prefixes of 16 and 64 KiB of the NS
//!   stream (equal throughput = linear); `decode` on the same prefix for scale.
//! * `encode` — every command of the workload encoded into a reused buffer; `copy` (one
//!   `extend_from_slice` of the same bytes) is the limit.
//! * `challenge` — the QRY response (array and `String`) and the login digest against the raw
//!   md-5 digest of the same bytes.
//! * `command` — one frame of each hot command: msnp6 `decode` against `split_array`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use md5::{Digest, Md5};
use msnp6::auth::{Challenge, Password, PrivateKey, Salt};
use msnp6::{Decoder, Direction, Mode, ServerKind};
use msnp6_benches::drive::{decode_stream, frame_stream};
use msnp6_benches::{Stream, Workload, baseline};

fn bench_workload(c: &mut Criterion, w: &Workload) {
    let mut g = c.benchmark_group("workload");
    g.throughput(Throughput::Bytes(w.total_bytes() as u64));
    let streams = &w.streams;
    let verbs = |s: &Stream| baseline::payload_verbs(s.direction);

    g.bench_function("memchr_framing", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in streams {
                n += baseline::memchr_frames(&s.bytes, verbs(s), |l| {
                    black_box(l);
                });
            }
            n
        })
    });
    g.bench_function("split_vec", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in streams {
                n += baseline::split_vec(&s.bytes, verbs(s), |t| {
                    black_box(t);
                });
            }
            n
        })
    });
    g.bench_function("split_array", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in streams {
                n += baseline::split_array(&s.bytes, verbs(s), |t| {
                    black_box(t);
                });
            }
            n
        })
    });
    g.bench_function("decode", |b| {
        let decoders: Vec<Decoder> = streams.iter().map(Stream::decoder).collect();
        b.iter(|| {
            let mut n = 0;
            for (s, d) in streams.iter().zip(&decoders) {
                n += decode_stream(d, &s.bytes);
            }
            n
        })
    });
    g.bench_function("decode_lenient", |b| {
        let decoders: Vec<Decoder> = streams
            .iter()
            .map(|s| s.decoder().with_mode(Mode::Lenient))
            .collect();
        b.iter(|| {
            let mut n = 0;
            for (s, d) in streams.iter().zip(&decoders) {
                n += decode_stream(d, &s.bytes);
            }
            n
        })
    });
    g.bench_function("framer_1460", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in streams {
                n += frame_stream(s.decoder(), &s.bytes, 1460);
            }
            n
        })
    });
    g.finish();
}

/// The longest prefix of `s` that ends on a frame boundary and is at most `max` bytes.
fn prefix(s: &Stream, max: usize) -> &[u8] {
    let d = s.decoder();
    let mut pos = 0;
    while pos < s.bytes.len() {
        let f = d.decode(&s.bytes[pos..]).expect("the workload decodes");
        if pos + f.len > max {
            break;
        }
        pos += f.len;
    }
    &s.bytes[..pos]
}

fn bench_framer_1byte(c: &mut Criterion, w: &Workload) {
    let mut g = c.benchmark_group("framer_1byte");
    let ns = &w.streams[0];
    for kib in [16, 64] {
        let bytes = prefix(ns, kib * 1024);
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("framer_1", kib), bytes, |b, bytes| {
            b.iter(|| frame_stream(ns.decoder(), bytes, 1))
        });
        g.bench_with_input(BenchmarkId::new("decode", kib), bytes, |b, bytes| {
            let d = ns.decoder();
            b.iter(|| decode_stream(&d, bytes))
        });
    }
    g.finish();
}

fn bench_encode(c: &mut Criterion, w: &Workload) {
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Bytes(w.total_bytes() as u64));
    let commands: Vec<_> = w
        .streams
        .iter()
        .flat_map(|s| {
            let d = s.decoder();
            let mut pos = 0;
            let mut v = Vec::new();
            while pos < s.bytes.len() {
                let f = d.decode(&s.bytes[pos..]).expect("the workload decodes");
                pos += f.len;
                v.push(f.command);
            }
            v
        })
        .collect();
    let mut out = Vec::with_capacity(w.total_bytes());
    g.bench_function("copy", |b| {
        b.iter(|| {
            out.clear();
            for s in &w.streams {
                out.extend_from_slice(black_box(&s.bytes));
            }
            black_box(out.len())
        })
    });
    g.bench_function("encode", |b| {
        b.iter(|| {
            out.clear();
            for c in &commands {
                c.encode(&mut out);
            }
            black_box(out.len())
        })
    });
    g.finish();
}

fn bench_challenge(c: &mut Criterion) {
    const CHALLENGE: &[u8; 20] = b"11111111111111111111";
    const KEY: &[u8; 16] = b"Q1P7W2E4J9R8U3S5";
    const SALT: &[u8; 20] = b"1234567890.123456789";
    const PASSWORD: &[u8; 8] = b"password";
    let qry_input: Vec<u8> = [&CHALLENGE[..], &KEY[..]].concat();
    let login_input: Vec<u8> = [&SALT[..], &PASSWORD[..]].concat();

    let mut g = c.benchmark_group("challenge");
    g.throughput(Throughput::Bytes(36));
    g.bench_function("md5_raw_36", |b| {
        b.iter(|| Md5::digest(black_box(&qry_input[..])))
    });
    // The typed inputs are built inside the loop: their checks are part of the cost.
    g.bench_function("qry_response", |b| {
        let mut out = [0u8; 32];
        b.iter(|| {
            if let (Ok(challenge), Ok(key)) = (
                Challenge::new(black_box(CHALLENGE)),
                PrivateKey::new(black_box(KEY)),
            ) {
                msnp6::auth::qry_response(challenge, key, &mut out);
            }
            black_box(out)
        })
    });
    g.bench_function("qry_response_string", |b| {
        b.iter(|| {
            let challenge = Challenge::new(black_box(CHALLENGE)).ok()?;
            let key = PrivateKey::new(black_box(KEY)).ok()?;
            Some(msnp6::auth::qry_response_string(challenge, key))
        })
    });
    g.throughput(Throughput::Bytes(28));
    g.bench_function("md5_raw_28", |b| {
        b.iter(|| Md5::digest(black_box(&login_input[..])))
    });
    g.bench_function("login_digest", |b| {
        let mut out = [0u8; 32];
        b.iter(|| {
            if let Ok(salt) = Salt::new(black_box(SALT)) {
                msnp6::auth::login_digest(salt, Password::new(black_box(PASSWORD)), &mut out);
            }
            black_box(out)
        })
    });
    g.finish();
}

/// One frame of each hot command, in its context.
const HOT: &[(&str, Direction, ServerKind, &[u8])] = {
    use Direction::{ClientToServer as C, ServerToClient as S};
    use ServerKind::{Notification as NS, Switchboard as SB};
    &[
        (
            "MSG",
            S,
            SB,
            b"MSG anotheruser@hotmail.com another%20user 135\r\nMIME-Version: 1.0\r\n\
              Content-Type: text/plain; charset=UTF-8\r\n\
              X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\nsee you at the station",
        ),
        (
            "NLN",
            S,
            NS,
            b"NLN AWY anotheruser@hotmail.com another%20user%20%5Baway%5D\r\n",
        ),
        (
            "ILN",
            S,
            NS,
            b"ILN 6 NLN anotheruser@hotmail.com another%20user\r\n",
        ),
        (
            "LST",
            S,
            NS,
            b"LST 5 FL 1305 17 142 anotheruser@hotmail.com another%20user\r\n",
        ),
        (
            "BPR",
            S,
            NS,
            b"BPR 1305 anotheruser@hotmail.com PHH 1%20(222)%20333%204444\r\n",
        ),
        ("CHG", C, NS, b"CHG 12 AWY\r\n"),
        (
            "QRY",
            C,
            NS,
            b"QRY 10 msmsgs@msnmsgr.com 32\r\n3b6666b60157322b6fc6e41a115968f5",
        ),
    ]
};

fn bench_commands(c: &mut Criterion) {
    let mut g = c.benchmark_group("command");
    for &(verb, direction, server, frame) in HOT {
        let d = Decoder::new(direction, server);
        let decoded = d.decode(frame).expect("hot command decodes");
        assert_eq!(decoded.len, frame.len(), "{verb}");
        assert_eq!(decoded.command.verb(), verb);
        g.throughput(Throughput::Bytes(frame.len() as u64));
        g.bench_with_input(BenchmarkId::new("decode", verb), frame, |b, frame| {
            b.iter(|| d.decode(black_box(frame)).map(|f| f.len))
        });
        let verbs = baseline::payload_verbs(direction);
        g.bench_with_input(BenchmarkId::new("split_array", verb), frame, |b, frame| {
            b.iter(|| {
                baseline::split_array(black_box(frame), verbs, |t| {
                    black_box(t);
                })
            })
        });
    }
    g.finish();
}

fn main() {
    let w = Workload::standard();
    eprintln!("workload (seed {:#x}):\n{}", w.seed, w.mix());
    let mut c = Criterion::default().configure_from_args();
    bench_workload(&mut c, &w);
    bench_framer_1byte(&mut c, &w);
    bench_encode(&mut c, &w);
    bench_challenge(&mut c);
    bench_commands(&mut c);
    c.final_summary();
}
