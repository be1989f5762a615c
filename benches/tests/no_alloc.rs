//! No heap allocation per decoded command in the borrowed API, and none in the allocation-free
//! challenge response (issue 5), counted by a global allocator wrapper.
//!
//! The counters are global, so this binary holds exactly one `#[test]`: nothing else allocates
//! while it measures.

use std::alloc::System;
use std::hint::black_box;

use msnp6::Mode;
use msnp6::auth::{Challenge, Password, PrivateKey, Salt};
use msnp6_benches::Workload;
use msnp6_benches::drive::{decode_stream, frame_stream};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap allocations (incl. reallocations) made by `f`.
fn allocations(f: impl FnOnce()) -> usize {
    let region = Region::new(GLOBAL);
    f();
    let s = region.change();
    s.allocations + s.reallocations
}

#[test]
fn no_allocation_per_command() {
    let w = Workload::standard();
    let commands: usize = w.mix().commands;

    // Decoder::decode, strict and lenient (the workload is canonical, so lenient mode finds
    // nothing to rewrite): not a single allocation for the whole workload.
    for mode in [Mode::Strict, Mode::Lenient] {
        let mut n = 0;
        let a = allocations(|| {
            for s in &w.streams {
                n += decode_stream(&s.decoder().with_mode(mode), &s.bytes);
            }
        });
        assert_eq!(n, commands);
        assert!(n > 500, "the workload decodes to {n} commands");
        assert_eq!(a, 0, "{mode:?}: {a} allocations for {n} commands");
    }

    // The streaming framer in 1460-byte segments: only its buffer grows (amortised, a few
    // allocations per connection), nothing per frame.
    let mut frames = 0;
    let a = allocations(|| {
        for s in &w.streams {
            frames += frame_stream(s.decoder(), &s.bytes, 1460);
        }
    });
    assert_eq!(frames, commands);
    eprintln!("framer, 1460-byte chunks: {a} allocations for {frames} frames");
    assert!(
        a <= 4 * 16,
        "framer: {a} allocations for {frames} frames (expected a few buffer growths per stream)"
    );

    // Encoding into a reused buffer that has the room: none.
    let decoded: Vec<_> = w
        .streams
        .iter()
        .flat_map(|s| {
            let d = s.decoder();
            let mut pos = 0;
            let mut v = Vec::new();
            while pos < s.bytes.len() {
                let f = d.decode(&s.bytes[pos..]).expect("decode");
                pos += f.len;
                v.push(f.command);
            }
            v
        })
        .collect();
    let mut out = Vec::with_capacity(w.total_bytes());
    let a = allocations(|| {
        for c in &decoded {
            c.encode(&mut out);
        }
    });
    assert_eq!(out.len(), w.total_bytes());
    assert_eq!(a, 0, "encode: {a} allocations");

    // The challenge response and the login digest, their typed inputs built: none.
    let mut out = [0u8; 32];
    let a = allocations(|| {
        for _ in 0..100 {
            let challenge = Challenge::new(black_box(b"11111111111111111111")).expect("token");
            let key = PrivateKey::new(black_box(b"Q1P7W2E4J9R8U3S5")).expect("key shape");
            msnp6::auth::qry_response(challenge, key, &mut out);
            black_box(&out);
            let salt = Salt::new(black_box(b"1234567890.123456789")).expect("token");
            msnp6::auth::login_digest(salt, Password::new(black_box(b"password")), &mut out);
            black_box(&out);
        }
    });
    assert_eq!(a, 0, "qry_response/login_digest: {a} allocations");
    assert_eq!(&out, b"f59af8f2fa91d38aff7c870c17f99903");

    // The counter works: the String form allocates.
    let a = allocations(|| {
        black_box(msnp6::auth::qry_response_string(
            Challenge::new(b"11111111111111111111").expect("token"),
            PrivateKey::MSMSGS,
        ));
    });
    assert!(a >= 1);
}
