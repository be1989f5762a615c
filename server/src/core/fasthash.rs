//! [`FastMap`]: a `HashMap` with a multiply-rotate hasher (the "Fx" hash of rustc), for keys
//! the server chooses or the accounts fix — connection ids, session ids, account handles —
//! where SipHash's protection against chosen colliding keys buys nothing and costs a tenth of
//! the presence fan-out (issue 21 §2 profile). Keys a client chooses freely keep SipHash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash: per 8-byte word, `h = (h.rotl(5) ^ word) * K`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ (rest.len() as u64) << 56);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_and_distinct_keys_spread() {
        let mut map: FastMap<Vec<u8>, usize> = FastMap::default();
        for i in 0..1000 {
            map.insert(format!("user{i}@example.com").into_bytes(), i);
        }
        for i in 0..1000 {
            assert_eq!(map.get(format!("user{i}@example.com").as_bytes()), Some(&i));
        }
        let hash = |b: &[u8]| {
            let mut h = FxHasher::default();
            h.write(b);
            h.finish()
        };
        // A trailing byte and the length matter.
        assert_ne!(hash(b"abcdefgh"), hash(b"abcdefgh\0"));
        assert_ne!(hash(b"a"), hash(b"a\0"));
    }
}
