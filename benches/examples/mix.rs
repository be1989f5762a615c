//! Prints the mix of the standard workload (or of `SEED BYTES` given as arguments).
//!
//! ```sh
//! cargo run --release -p msnp6-benches --example mix
//! ```

fn main() {
    let mut args = std::env::args().skip(1);
    let seed = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(msnp6_benches::SEED);
    let bytes = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(msnp6_benches::STANDARD_BYTES);
    let w = msnp6_benches::Workload::generate(seed, bytes);
    println!("seed {seed:#x}, target {bytes} bytes");
    println!("{}", w.mix());
}
