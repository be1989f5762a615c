//! Challenge hashing (CHL/QRY) and the MD5 login digest (reference §3.1 USR, §3.4 QRY, §9).
//!
//! ```text
//! qry-response = lowercase-hex( MD5( challenge || private-key ) )   ; MSNP6–MSNP10, §9
//! login-digest = lowercase-hex( MD5( salt || password ) )           ; USR MD5 S, §3.1
//! ```
//!
//! ```
//! use msnp6::auth::{KeyPair, qry_response};
//! let key = KeyPair::MSMSGS;
//! let mut out = [0u8; 32];
//! qry_response(b"11111111111111111111", key.private_key.unwrap().as_bytes(), &mut out);
//! assert_eq!(&out, b"3b6666b60157322b6fc6e41a115968f5");
//! ```

use md5::{Digest, Md5};

/// A documented challenge key pair (reference §9, [W-keys]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPair {
    /// Sent in `QRY TrID public-key 32`.
    pub public_key: &'static str,
    /// Appended to the challenge before hashing; `None` where the source does not know it.
    pub private_key: Option<&'static str>,
    /// The client that introduced it, where known.
    pub client: Option<&'static str>,
}

impl KeyPair {
    /// `msmsgs@msnmsgr.com` / `Q1P7W2E4J9R8U3S5`: the MSNP6 client's pair (3.6.0038).
    pub const MSMSGS: KeyPair = KeyPair {
        public_key: "msmsgs@msnmsgr.com",
        private_key: Some("Q1P7W2E4J9R8U3S5"),
        client: Some("3.6.0038"),
    };

    /// Every documented pair, in the order of reference §9.
    pub const ALL: &'static [KeyPair] = &[
        KeyPair::MSMSGS,
        KeyPair {
            public_key: "PROD0038W!61ZTF9",
            private_key: Some("VT6PX?UQTM4WM%YR"),
            client: None,
        },
        KeyPair {
            public_key: "PROD0058#7IL2{QD",
            private_key: Some("QHDCY@7R1TB6W?5B"),
            client: None,
        },
        KeyPair {
            public_key: "PROD0061VRRZH@4F",
            private_key: Some("JXQ6J@TUOGYV@N0M"),
            client: None,
        },
        KeyPair {
            public_key: "PROD00504RLUG%WL",
            private_key: Some("I2EBK%PYNLZL5_J4"),
            client: None,
        },
        KeyPair {
            public_key: "PROD0076ENE8*@AW",
            private_key: Some("CEQJ8}OE0!WTSWII"),
            client: None,
        },
        KeyPair {
            public_key: "PROD00517IFH4@RV",
            private_key: None,
            client: None,
        },
    ];

    /// The pair whose public key is exactly `public_key`.
    pub fn by_public_key(public_key: &[u8]) -> Option<KeyPair> {
        KeyPair::ALL
            .iter()
            .copied()
            .find(|k| k.public_key.as_bytes() == public_key)
    }
}

fn md5_hex_into(parts: [&[u8]; 2], out: &mut [u8; 32]) {
    let mut h = Md5::new();
    h.update(parts[0]);
    h.update(parts[1]);
    let digest = h.finalize();
    // Both sizes are fixed (16 bytes in, 32 out), so encoding cannot fail.
    let _ = hex::encode_to_slice(digest, out);
}

/// Writes the QRY response for `challenge` with `private_key` into `out`, without allocating:
/// lower-case hex MD5 of the challenge immediately followed by the private key (reference §9).
pub fn qry_response(challenge: &[u8], private_key: &[u8], out: &mut [u8; 32]) {
    md5_hex_into([challenge, private_key], out);
}

/// The QRY response as a `String` (reference §9).
pub fn qry_response_string(challenge: &[u8], private_key: &[u8]) -> String {
    let mut out = [0u8; 32];
    qry_response(challenge, private_key, &mut out);
    out.iter().map(|&b| char::from(b)).collect()
}

/// Writes the MD5 login digest (`USR TrID MD5 S digest`) into `out`, without allocating:
/// lower-case hex MD5 of the salt immediately followed by the password (reference §3.1, [W-md5]).
pub fn login_digest(salt: &[u8], password: &[u8], out: &mut [u8; 32]) {
    md5_hex_into([salt, password], out);
}

/// The MD5 login digest as a `String`.
pub fn login_digest_string(salt: &[u8], password: &[u8]) -> String {
    let mut out = [0u8; 32];
    login_digest(salt, password, &mut out);
    out.iter().map(|&b| char::from(b)).collect()
}

/// Whether `b` has the shape of a digest: exactly 32 lower-case hex digits.
pub fn is_digest_shape(b: &[u8]) -> bool {
    b.len() == 32 && b.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference §9: the two verified known answers.
    #[test]
    fn known_answers_section_9() {
        assert_eq!(
            qry_response_string(b"12345678901234567890", b"Q1P7W2E4J9R8U3S5"),
            "8ba1bb9d6dbf624fee31a2053af5fdd0"
        );
        assert_eq!(
            qry_response_string(b"11111111111111111111", b"Q1P7W2E4J9R8U3S5"),
            "3b6666b60157322b6fc6e41a115968f5"
        );
    }

    /// Reference §3.1 USR: `f59a…9903` = MD5 of `1234567890.123456789password`.
    #[test]
    fn known_answer_login_digest() {
        assert_eq!(
            login_digest_string(b"1234567890.123456789", b"password"),
            "f59af8f2fa91d38aff7c870c17f99903"
        );
    }

    #[test]
    fn key_table() {
        assert_eq!(
            KeyPair::by_public_key(b"msmsgs@msnmsgr.com"),
            Some(KeyPair::MSMSGS)
        );
        assert_eq!(
            KeyPair::by_public_key(b"PROD00517IFH4@RV").and_then(|k| k.private_key),
            None
        );
        assert!(KeyPair::by_public_key(b"nope").is_none());
        for k in KeyPair::ALL.iter().skip(1) {
            assert!(k.public_key.starts_with("PROD0") && k.public_key.len() == 16);
            if let Some(p) = k.private_key {
                assert_eq!(p.len(), 16);
            }
        }
        assert!(is_digest_shape(b"3b6666b60157322b6fc6e41a115968f5"));
        assert!(!is_digest_shape(b"3B6666B60157322B6FC6E41A115968F5"));
    }
}
