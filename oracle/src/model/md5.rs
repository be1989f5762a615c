//! The oracle's own MD5 (RFC 1321) and the two digests of the reference built on it: the QRY
//! response `hex(MD5(challenge || private-key))` (§9) and the login digest
//! `hex(MD5(salt || password))` (§3.1 USR). The model and the monitor check digests with this,
//! not with the codec's `auth` (which uses the `md-5` crate), so a wrong digest in the codec
//! cannot hide from the cross-check. Simple, not fast.

/// Per-round left rotations (RFC 1321 §3.4), four per round.
const SHIFTS: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// MD5 of the concatenation of `parts` (RFC 1321 §3).
pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut data: Vec<u8> = parts.concat();
    let bits = (data.len() as u64).wrapping_mul(8);
    data.push(0x80);
    data.resize(data.len() + (64 + 56 - data.len() % 64) % 64, 0);
    data.extend_from_slice(&bits.to_le_bytes());
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for block in data.chunks_exact(64) {
        let mut m = [0u32; 16];
        for (w, b) in m.iter_mut().zip(block.chunks_exact(4)) {
            *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            // T[i] = floor(|sin(i + 1)| * 2^32) (RFC 1321 §3.4); below 2^32, so the cast only
            // drops the fraction.
            let t = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
            let sum = a.wrapping_add(f).wrapping_add(t).wrapping_add(m[g]);
            let rotated = b.wrapping_add(sum.rotate_left(SHIFTS[i / 16][i % 4]));
            (a, b, c, d) = (d, rotated, b, c);
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }
    let mut out = [0u8; 16];
    for (o, s) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}

/// Lower-case hex MD5 of `first` followed by `second`: the QRY response (§9) with the challenge
/// and the private key, the login digest (§3.1) with the salt and the password.
pub(crate) fn digest(first: &[u8], second: &[u8]) -> String {
    md5(&[first, second])
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `b` has the shape of a digest: exactly 32 lower-case hex digits (§3.1, §9).
pub(crate) fn is_digest_shape(b: &[u8]) -> bool {
    b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_1321_test_suite() {
        let hex = |s: &str| digest(s.as_bytes(), b"");
        assert_eq!(hex(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex("abcdefghijklmnopqrstuvwxyz"),
            "c3fcd3d76192e4007dfb496cca67e13b"
        );
        assert_eq!(
            hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    /// Reference §9: the verified known answer of the MSNP6 client's key pair.
    #[test]
    fn qry_known_answer() {
        assert_eq!(
            digest(b"11111111111111111111", b"Q1P7W2E4J9R8U3S5"),
            "3b6666b60157322b6fc6e41a115968f5"
        );
    }
}
