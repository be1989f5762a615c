//! Server-chosen values: a small deterministic PRNG (splitmix64) and the sources of salts,
//! challenges, cookies, session ids and addresses the model draws from.
//!
//! The model never reads a clock or an OS random source: every value a server would choose comes
//! from a [`ValueSource`], so a run is reproducible from its seed ([`Seeded`]), and a test can
//! script the exact values of a documented exchange ([`Scripted`]).

use std::collections::{BTreeMap, VecDeque};

/// splitmix64 (Steele, Lea, Flood 2014): a 64-bit state, one add and a mix per output. Small,
/// fast, and good enough to pick server tokens and to drive the scenario generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started at `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0). The slight modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A `usize` index in `0..n` (`0` when `n` is 0).
    pub fn index(&mut self, n: usize) -> usize {
        // usize → u64 → usize round trip: the result is below n, so it fits.
        usize::try_from(self.below(n as u64)).unwrap_or(0)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// `count` decimal digits, the first one not `0`.
    pub fn digits(&mut self, count: usize) -> String {
        let mut s = String::with_capacity(count);
        for i in 0..count {
            let d = if i == 0 {
                1 + self.below(9)
            } else {
                self.below(10)
            };
            s.push(char::from(b'0' + (d as u8)));
        }
        s
    }
}

/// The kinds of value a server chooses (reference §14 "Challenges, timeouts, repeats").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ServerValue {
    /// The MD5 login salt of `USR … MD5 S salt` (opaque token; e.g. `1234567890.123456789`).
    Salt,
    /// A `CHL` challenge (20 decimal digits in practice).
    Challenge,
    /// A switchboard cookie (`XFR … CKI cookie`, `RNG … CKI cookie`; opaque token).
    Cookie,
    /// A switchboard session id (a decimal number).
    SessionId,
    /// The `address:port` of the notification server the DS refers to.
    NsAddress,
    /// The `address:port` of the switchboard server.
    SbAddress,
    /// The `MSPAuth` ticket of the profile message (opaque).
    Ticket,
}

/// Where the model gets the values a server chooses. Implementations must be deterministic.
pub trait ValueSource: core::fmt::Debug {
    /// The next value of `kind`, in the documented shape for that kind. It must be a token (no
    /// space, TAB, CR, LF or NUL; not empty); a session id must be a decimal number below 2^63.
    fn next(&mut self, kind: ServerValue) -> String;
}

/// The default source: every value drawn from one [`SplitMix64`] started at the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    rng: SplitMix64,
}

impl Seeded {
    /// A source started at `seed`.
    pub const fn new(seed: u64) -> Self {
        Seeded {
            rng: SplitMix64::new(seed),
        }
    }
}

impl ValueSource for Seeded {
    fn next(&mut self, kind: ServerValue) -> String {
        let r = &mut self.rng;
        match kind {
            ServerValue::Salt => format!("{}.{}", r.digits(10), r.digits(9)),
            ServerValue::Challenge => r.digits(20),
            ServerValue::Cookie => format!("{}.{}.{}", r.digits(9), r.digits(10), r.digits(9)),
            ServerValue::SessionId => r.digits(9),
            ServerValue::NsAddress => {
                format!(
                    "10.{}.{}.{}:1863",
                    r.below(256),
                    r.below(256),
                    1 + r.below(254)
                )
            }
            ServerValue::SbAddress => {
                format!(
                    "10.{}.{}.{}:1865",
                    r.below(256),
                    r.below(256),
                    1 + r.below(254)
                )
            }
            ServerValue::Ticket => {
                const ALPHABET: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*";
                (0..48)
                    .map(|_| char::from(ALPHABET[r.index(ALPHABET.len())]))
                    .collect()
            }
        }
    }
}

/// A source that hands out scripted values first (per kind, in order) and falls back to a
/// [`Seeded`] source: known-answer tests use it to reproduce the documented salts, challenges,
/// cookies and addresses exactly.
#[derive(Debug, Clone)]
pub struct Scripted {
    script: BTreeMap<ServerValue, VecDeque<String>>,
    fallback: Seeded,
}

impl Scripted {
    /// A source with no script yet, falling back to `Seeded::new(seed)`.
    pub fn new(seed: u64) -> Self {
        Scripted {
            script: BTreeMap::new(),
            fallback: Seeded::new(seed),
        }
    }

    /// Queues `value` as the next value of `kind`.
    pub fn with(mut self, kind: ServerValue, value: &str) -> Self {
        self.script
            .entry(kind)
            .or_default()
            .push_back(value.to_owned());
        self
    }
}

impl ValueSource for Scripted {
    fn next(&mut self, kind: ServerValue) -> String {
        match self.script.get_mut(&kind).and_then(VecDeque::pop_front) {
            Some(v) => v,
            None => self.fallback.next(kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_deterministic_and_spreads() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert!(xs.windows(2).all(|w| w[0] != w[1]));
        // Reference output of splitmix64 for seed 0 (first value).
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn seeded_shapes() {
        let mut s = Seeded::new(1);
        let salt = s.next(ServerValue::Salt);
        assert_eq!(salt.len(), 20);
        assert_eq!(salt.as_bytes()[10], b'.');
        let chl = s.next(ServerValue::Challenge);
        assert!(chl.len() == 20 && chl.bytes().all(|b| b.is_ascii_digit()));
        assert!(s.next(ServerValue::SessionId).parse::<u64>().is_ok());
        assert!(s.next(ServerValue::SbAddress).ends_with(":1865"));
    }

    #[test]
    fn scripted_then_fallback() {
        let mut s = Scripted::new(3).with(ServerValue::Salt, "1234567890.123456789");
        assert_eq!(s.next(ServerValue::Salt), "1234567890.123456789");
        assert_ne!(s.next(ServerValue::Salt), "1234567890.123456789");
    }
}
