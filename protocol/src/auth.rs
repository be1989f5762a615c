//! Challenge hashing (CHL/QRY) and the MD5 login digest (reference §3.1 USR, §3.4 QRY, §9).
//!
//! ```text
//! qry-response = lowercase-hex( MD5( challenge || private-key ) )   ; MSNP6–MSNP10, §9
//! login-digest = lowercase-hex( MD5( salt || password ) )           ; USR MD5 S, §3.1
//! ```
//!
//! The four inputs are distinct types, so that they cannot be swapped: a [`Challenge`] and a
//! [`Salt`] are tokens (the parameter of `CHL TrID challenge` and of `USR TrID MD5 S salt`:
//! "normally 20 decimal digits but may be any token", reference §3.4 CHL; "salt, SB cookie:
//! opaque tokens", §14) short enough for their line to fit the default limit; a [`PrivateKey`]
//! has the documented shape of one (16 characters from `[A-Z0-9{}!@*%_?$#]`, §9); a
//! [`Password`] is any bytes (no source restricts it). They borrow their bytes: hashing
//! allocates nothing.
//!
//! ```
//! use msnp6::auth::{Challenge, KeyPair, qry_response};
//! let key = KeyPair::MSMSGS.private_key.unwrap(); // PrivateKey::MSMSGS
//! let challenge = Challenge::new(b"11111111111111111111").unwrap();
//! let mut out = [0u8; 32];
//! qry_response(challenge, key, &mut out);
//! assert_eq!(&out, b"3b6666b60157322b6fc6e41a115968f5");
//! // The public key is not a private key: 18 bytes, lower-case letters.
//! assert!(msnp6::auth::PrivateKey::new(b"msmsgs@msnmsgr.com").is_err());
//! ```

use core::fmt;

use md5::{Digest, Md5};

use crate::types::{InvalidValue, Token};

/// The default line limit ([`Limits::max_line`](crate::Limits)) that a challenge and a salt must
/// fit in with their command, whatever its TrID.
const DEFAULT_MAX_LINE: usize = 2048;

/// Checks the token rule (reference §1.1) and a length limit.
fn check_token(bytes: &[u8], max: usize) -> Result<(), InvalidValue> {
    crate::types::check_token(bytes)?;
    if bytes.len() > max {
        return Err(InvalidValue::TooLong {
            len: bytes.len(),
            max,
        });
    }
    Ok(())
}

macro_rules! token_input {
    ($(#[$m:meta])* $name:ident, prefix = $prefix:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(&'a [u8]);

        impl<'a> $name<'a> {
            #[doc = concat!(
                "The longest value: what a line of the default limit (2048 bytes) holds after `",
                $prefix,
                "`, the longest prefix its command can have."
            )]
            pub const MAX_LEN: usize = DEFAULT_MAX_LINE - $prefix.len();

            /// Borrows `bytes`; refuses what is not a token (empty, or a byte SP TAB CR LF NUL,
            /// reference §1.1) or is longer than [`Self::MAX_LEN`].
            pub fn new(bytes: &'a [u8]) -> Result<Self, InvalidValue> {
                check_token(bytes, Self::MAX_LEN).map(|()| $name(bytes))
            }
            /// The bytes.
            pub fn as_bytes(self) -> &'a [u8] {
                self.0
            }
        }

        /// A decoded token is one unless it is longer than [`Self::MAX_LEN`](Self::MAX_LEN).
        impl<'a> TryFrom<&'a Token<'_>> for $name<'a> {
            type Error = InvalidValue;
            fn try_from(t: &'a Token<'_>) -> Result<Self, InvalidValue> {
                $name::new(t.as_bytes())
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), String::from_utf8_lossy(self.0))
            }
        }
    };
}

token_input!(
    /// The challenge of `CHL TrID challenge`: a token, "normally 20 decimal digits but may be any
    /// token" (reference §3.4 CHL; §14: "clients must not rely on it").
    ///
    /// Grammar: `challenge = token` (reference §1.1, §3.4), at most [`Challenge::MAX_LEN`] bytes
    /// so that `CHL TrID challenge` fits the default line limit for every TrID.
    Challenge, prefix = "CHL 4294967295 "
);

token_input!(
    /// The salt of `USR TrID MD5 S salt`: an opaque token (reference §3.1 USR, §14), e.g.
    /// `1234567890.123456789`.
    ///
    /// Grammar: `salt = token` (reference §1.1, §3.1), at most [`Salt::MAX_LEN`] bytes so that
    /// `USR TrID MD5 S salt` fits the default line limit for every TrID.
    Salt, prefix = "USR 4294967295 MD5 S "
);

/// A private key of the challenge rule: 16 characters from `[A-Z0-9{}!@*%_?$#]`, the shape of
/// every documented one (reference §9). Its `Debug` output hides it.
///
/// The shape is what tells a private key from a public one (`msmsgs@msnmsgr.com` is refused).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrivateKey<'a>(&'a [u8]);

impl<'a> PrivateKey<'a> {
    /// The length of every documented private key.
    pub const LEN: usize = 16;

    /// `Q1P7W2E4J9R8U3S5`: the private key of the MSNP6 client 3.6.0038 ([`KeyPair::MSMSGS`]).
    pub const MSMSGS: PrivateKey<'static> = PrivateKey::documented("Q1P7W2E4J9R8U3S5");

    /// Whether `b` is one of the characters of a private key (reference §9).
    const fn is_key_byte(b: u8) -> bool {
        matches!(
            b,
            b'A'..=b'Z'
                | b'0'..=b'9'
                | b'{'
                | b'}'
                | b'!'
                | b'@'
                | b'*'
                | b'%'
                | b'_'
                | b'?'
                | b'$'
                | b'#'
        )
    }

    /// Whether `b` has the documented shape of a private key.
    const fn has_shape(b: &[u8]) -> bool {
        if b.len() != Self::LEN {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if !Self::is_key_byte(b[i]) {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Borrows `bytes`; refuses anything but 16 characters from `[A-Z0-9{}!@*%_?$#]`
    /// (reference §9).
    pub fn new(bytes: &'a [u8]) -> Result<Self, InvalidValue> {
        if Self::has_shape(bytes) {
            Ok(PrivateKey(bytes))
        } else {
            Err(InvalidValue::Shape(
                "a private key (16 characters from [A-Z0-9{}!@*%_?$#], reference §9)",
            ))
        }
    }

    /// A key of the table, checked when the crate is compiled.
    const fn documented(key: &'static str) -> PrivateKey<'static> {
        assert!(PrivateKey::has_shape(key.as_bytes()));
        PrivateKey(key.as_bytes())
    }

    /// The bytes.
    pub fn as_bytes(self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for PrivateKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

/// A password: any bytes (no source restricts it; it never travels in the MD5 flow, reference
/// §3.1). Its `Debug` output hides it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Password<'a>(&'a [u8]);

impl<'a> Password<'a> {
    /// Borrows `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Password(bytes)
    }
    /// The bytes.
    pub fn as_bytes(self) -> &'a [u8] {
        self.0
    }
}

impl fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Password(<{} bytes redacted>)", self.0.len())
    }
}

/// A documented challenge key pair (reference §9, [W-keys]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPair {
    /// Sent in `QRY TrID public-key 32`.
    pub public_key: &'static str,
    /// Appended to the challenge before hashing; `None` where the source does not know it.
    pub private_key: Option<PrivateKey<'static>>,
    /// The client that introduced it, where known.
    pub client: Option<&'static str>,
}

impl KeyPair {
    /// `msmsgs@msnmsgr.com` / `Q1P7W2E4J9R8U3S5`: the MSNP6 client's pair (3.6.0038).
    pub const MSMSGS: KeyPair = KeyPair {
        public_key: "msmsgs@msnmsgr.com",
        private_key: Some(PrivateKey::MSMSGS),
        client: Some("3.6.0038"),
    };

    /// Every documented pair, in the order of reference §9.
    pub const ALL: &'static [KeyPair] = &[
        KeyPair::MSMSGS,
        KeyPair::unattributed("PROD0038W!61ZTF9", Some("VT6PX?UQTM4WM%YR")),
        KeyPair::unattributed("PROD0058#7IL2{QD", Some("QHDCY@7R1TB6W?5B")),
        KeyPair::unattributed("PROD0061VRRZH@4F", Some("JXQ6J@TUOGYV@N0M")),
        KeyPair::unattributed("PROD00504RLUG%WL", Some("I2EBK%PYNLZL5_J4")),
        KeyPair::unattributed("PROD0076ENE8*@AW", Some("CEQJ8}OE0!WTSWII")),
        KeyPair::unattributed("PROD00517IFH4@RV", None),
    ];

    const fn unattributed(public_key: &'static str, private_key: Option<&'static str>) -> Self {
        KeyPair {
            public_key,
            private_key: match private_key {
                Some(k) => Some(PrivateKey::documented(k)),
                None => None,
            },
            client: None,
        }
    }

    /// The pair whose public key is exactly `public_key`.
    pub fn by_public_key(public_key: &[u8]) -> Option<KeyPair> {
        KeyPair::ALL
            .iter()
            .copied()
            .find(|k| k.public_key.as_bytes() == public_key)
    }
}

#[inline]
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
pub fn qry_response(challenge: Challenge<'_>, private_key: PrivateKey<'_>, out: &mut [u8; 32]) {
    md5_hex_into([challenge.0, private_key.0], out);
}

/// The QRY response as a `String` (reference §9).
pub fn qry_response_string(challenge: Challenge<'_>, private_key: PrivateKey<'_>) -> String {
    let mut out = [0u8; 32];
    qry_response(challenge, private_key, &mut out);
    out.iter().map(|&b| char::from(b)).collect()
}

/// Writes the MD5 login digest (`USR TrID MD5 S digest`) into `out`, without allocating:
/// lower-case hex MD5 of the salt immediately followed by the password (reference §3.1, [W-md5]).
pub fn login_digest(salt: Salt<'_>, password: Password<'_>, out: &mut [u8; 32]) {
    md5_hex_into([salt.0, password.0], out);
}

/// The MD5 login digest as a `String`.
pub fn login_digest_string(salt: Salt<'_>, password: Password<'_>) -> String {
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

    fn ch(b: &[u8]) -> Challenge<'_> {
        Challenge::new(b).expect("challenge")
    }

    fn msmsgs() -> PrivateKey<'static> {
        PrivateKey::MSMSGS
    }

    /// Reference §9: the two verified known answers.
    #[test]
    fn known_answers_section_9() {
        assert_eq!(
            qry_response_string(ch(b"12345678901234567890"), msmsgs()),
            "8ba1bb9d6dbf624fee31a2053af5fdd0"
        );
        assert_eq!(
            qry_response_string(ch(b"11111111111111111111"), msmsgs()),
            "3b6666b60157322b6fc6e41a115968f5"
        );
    }

    /// Reference §3.1 USR: `f59a…9903` = MD5 of `1234567890.123456789password`.
    #[test]
    fn known_answer_login_digest() {
        let salt = Salt::new(b"1234567890.123456789").expect("salt");
        assert_eq!(
            login_digest_string(salt, Password::new(b"password")),
            "f59af8f2fa91d38aff7c870c17f99903"
        );
    }

    /// Challenges and salts are tokens (reference §1.1, §3.4 CHL, §14); keys have the §9 shape.
    #[test]
    fn constructors_refuse_what_the_reference_excludes() {
        for bad in [&b""[..], b"1 2", b"1\t2", b"12\r\n", b"1\x002"] {
            assert!(Challenge::new(bad).is_err(), "{bad:?}");
            assert!(Salt::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!((Challenge::MAX_LEN, Salt::MAX_LEN), (2033, 2027));
        let longest = vec![b'1'; Challenge::MAX_LEN];
        assert!(Challenge::new(&longest).is_ok());
        assert!(Challenge::new(&longest[..Salt::MAX_LEN + 1]).is_ok());
        assert!(Salt::new(&longest[..Salt::MAX_LEN]).is_ok());
        assert_eq!(
            Salt::new(&longest[..Salt::MAX_LEN + 1]),
            Err(InvalidValue::TooLong {
                len: Salt::MAX_LEN + 1,
                max: Salt::MAX_LEN
            })
        );
        let over = vec![b'1'; Challenge::MAX_LEN + 1];
        assert!(Challenge::new(&over).is_err());
        assert!(Challenge::new(b"any-token:\xff").is_ok());
        for bad in [
            &b"msmsgs@msnmsgr.com"[..],
            b"Q1P7W2E4J9R8U3S",
            b"Q1P7W2E4J9R8U3S55",
            b"q1P7W2E4J9R8U3S5",
            b"Q1P7W2E4J9R8U3S ",
        ] {
            assert!(PrivateKey::new(bad).is_err(), "{bad:?}");
        }
        assert!(PrivateKey::new(b"{}!@*%_?$#AZ09QQ").is_ok());
        assert_eq!(format!("{:?}", msmsgs()), "PrivateKey(<redacted>)");
        assert_eq!(
            format!("{:?}", Password::new(b"pw")),
            "Password(<2 bytes redacted>)"
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
        }
        assert_eq!(
            KeyPair::ALL
                .iter()
                .filter(|k| k.private_key.is_some())
                .count(),
            6
        );
        assert!(is_digest_shape(b"3b6666b60157322b6fc6e41a115968f5"));
        assert!(!is_digest_shape(b"3B6666B60157322B6FC6E41A115968F5"));
    }
}
