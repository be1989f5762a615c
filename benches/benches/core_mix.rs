//! The server core alone on the load generator's mix (issue 21 §2): events per second, no
//! sockets, no store (commits discarded) and a seeded Entropy (`msnp6_benches::load::core_mix`).
//!
//! ```sh
//! cargo bench -p msnp6-benches --bench core_mix -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Each iteration plays [`STEPS`] actions of the mix for random users of a core holding 1,000
//! logged-in users with 20 contacts each; criterion's throughput is in inputs (events) handed to
//! the core, counted on the first [`STEPS`] actions of the same seed before measuring (later
//! iterations play further actions of the same mix, so the count per iteration is an estimate).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msnp6_benches::load::core_mix::CoreMix;

/// Actions per iteration.
const STEPS: u64 = 1_000;

fn core_mix(c: &mut Criterion) {
    // events per STEPS actions, from the same seed as the measured core
    let mut probe = CoreMix::new(1_000, 20, 1).expect("core");
    let before = probe.events;
    for _ in 0..STEPS {
        probe.step().expect("step");
    }
    let events = probe.events - before;
    let mut group = c.benchmark_group("core_mix");
    group.throughput(Throughput::Elements(events));
    let mut mix = CoreMix::new(1_000, 20, 1).expect("core");
    group.bench_function("1000 users, 20 contacts", |b| {
        b.iter(|| {
            for _ in 0..STEPS {
                mix.step().expect("step");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, core_mix);
criterion_main!(benches);
