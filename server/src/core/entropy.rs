//! The two [`Entropy`] sources: the operating system's CSPRNG for production (cookies and salts
//! must be unguessable, reference §14 "Salt, SB cookie: opaque tokens"; issue 20 "an unguessable
//! cookie") and a seeded generator for tests, fuzzing and the lockstep comparison.

use super::Entropy;

/// The operating system's CSPRNG (`getrandom`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    /// 64 bits from the OS. Should the OS source fail (it does not on the supported platforms),
    /// the value falls back to a splitmix64 step of the current time's nanoseconds rather than
    /// panicking: the core must not panic on any input (house rules).
    fn next_u64(&mut self) -> u64 {
        getrandom::u64().unwrap_or_else(|_| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            splitmix64(&mut { nanos })
        })
    }
}

/// A deterministic generator: splitmix64 from a seed. The same seed gives the same salts,
/// cookies, session ids and challenges, so a core run is reproducible.
#[derive(Debug, Clone)]
pub struct SeededEntropy {
    state: u64,
}

impl SeededEntropy {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Self {
        SeededEntropy { state: seed }
    }
}

impl Entropy for SeededEntropy {
    fn next_u64(&mut self) -> u64 {
        splitmix64(&mut self.state)
    }
}

/// One step of splitmix64 (Steele, Lea, Flood 2014).
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_deterministic_and_varies() {
        let (mut a, mut b) = (SeededEntropy::new(7), SeededEntropy::new(7));
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], xs[1]);
        assert_ne!(SeededEntropy::new(8).next_u64(), xs[0]);
    }

    #[test]
    fn splitmix_known_answer() {
        // splitmix64 from seed 0: first output 0xe220a8397b1dcdaf (reference implementation).
        assert_eq!(SeededEntropy::new(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn os_entropy_varies() {
        let mut os = OsEntropy;
        assert_ne!(os.next_u64(), os.next_u64());
    }
}
